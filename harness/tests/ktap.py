# SPDX-License-Identifier: GPL-2.0
"""The harness self-tests' runner: every case_* function of a module, in a
temporary directory of its own, reported as KTAP."""

import sys
import tempfile


def cases(namespace):
    """The (NAME, function) of each case_NAME of NAMESPACE (a module's
    globals()), in the order they are defined."""
    return [(n[5:], f) for n, f in namespace.items() if n.startswith("case_")]


def run(todo, prefix, arg=None):
    """Runs the (name, function) cases of TODO in order. A case gets
    ARG(tmp) if ARG is given, else the temporary directory if it takes an
    argument; what it returns is printed as diagnostics, an exception fails
    it. Returns the exit code: 1 if any case failed."""
    print("KTAP version 1")
    print(f"1..{len(todo)}")
    bad = 0
    for i, (name, fn) in enumerate(todo, 1):
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            try:
                if arg is not None:
                    saw = fn(arg(tmp))
                else:
                    saw = fn(tmp) if fn.__code__.co_argcount else fn()
                ok = True
            except Exception as e:  # a crash in a case is that case's failure
                saw, ok = f"{type(e).__name__}: {e}", False
        bad += not ok
        for line in str(saw).splitlines()[:6]:
            print(f"# {name}: {line}")
        print(f"{'' if ok else 'not '}ok {i} {name}")
        sys.stdout.flush()
    print(f"# {len(todo) - bad} passed, {bad} failed")
    return 1 if bad else 0
