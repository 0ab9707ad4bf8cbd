#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test output into result records and summarise them.

A record is one line: STATUS<TAB>SUITE<TAB>CASE<TAB>DETAIL, STATUS being
PASS, FAIL or SKIP.  Every phase of 'make check' writes records to a file;
'summary' prints them grouped by suite and ends with "N passed, N failed".

  results.py kunit DMESG            KUnit KTAP from a kernel log
  results.py kselftest LOG [LIST]   run_kselftest.sh output (nested KTAP); tests
                                    of LIST without a result fail
  results.py ktap SUITE LOG         a test program's own KTAP, cases under SUITE
  results.py summary FILE...        print and total; exit 1 on any failure
"""

import re
import sys

RESULT = re.compile(r"^(not ok|ok)\s+\d+\s*-?\s*(.*?)\s*(?:#\s*(.*))?$")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")


def record(status, suite, case, detail=""):
    detail = detail.replace("\t", " ").strip()
    print(f"{status}\t{suite}\t{case}\t{detail}")


def status_of(ok, directive):
    d = (directive or "").upper()
    if d.startswith("SKIP"):
        return "SKIP"
    if d.startswith("XFAIL"):
        return "PASS"
    return "PASS" if ok else "FAIL"


def leaves(lines):
    """Yield (path, ok, directive) of each leaf result of nested KTAP.

    lines are (depth, text).  A result at depth d closes the results at
    depth d+1 printed since the previous result at depth <= d: those are
    its subtests.  A result with no subtests is a leaf.
    """
    open_children = {}
    for depth, text in lines:
        m = RESULT.match(text)
        if not m:
            continue
        ok, name, directive = m.group(1) == "ok", m.group(2), m.group(3)
        children = open_children.pop(depth + 1, [])
        for d in [d for d in open_children if d > depth + 1]:
            del open_children[d]
        node = (name, ok, directive, children)
        open_children.setdefault(depth, []).append(node)
    return open_children.get(0, []) + [n for d, ns in sorted(open_children.items())
                                       if d > 0 for n in ns]


def emit(suite_prefix, nodes):
    for name, ok, directive, children in nodes:
        suite = f"{suite_prefix}{name}"
        if not children:
            record(status_of(ok, directive), suite, name, directive or "")
            continue
        bad_child = False
        for leaf in flatten(children):
            st = status_of(leaf[1], leaf[2])
            bad_child |= st == "FAIL"
            record(st, suite, leaf[0], leaf[2] or "")
        if status_of(ok, directive) == "FAIL" and not bad_child:
            record("FAIL", suite, "(exit status)", "all cases passed but the test failed")


def flatten(nodes):
    for name, ok, directive, children in nodes:
        if children:
            yield from flatten(children)
        else:
            yield name, ok, directive


def kunit(path):
    lines = []
    with open(path, errors="replace") as f:
        for raw in f:
            text = TIMESTAMP.sub("", raw.rstrip("\n"))
            stripped = text.lstrip(" ")
            indent = len(text) - len(stripped)
            lines.append((indent // 4, stripped))
    nodes = leaves(lines)
    if not any(True for _ in nodes):
        record("FAIL", "kunit", "(no results)", "no KUnit KTAP in the kernel log")
    emit("kunit: ", nodes)


def kselftest(path, listing=None):
    lines = []
    with open(path, errors="replace") as f:
        for raw in f:
            text = raw.rstrip("\n")
            depth = 0
            while text.startswith("# "):
                text = text[2:]
                depth += 1
            lines.append((depth, text))
    nodes = leaves(lines)
    if not nodes:
        record("FAIL", "kselftest", "(no results)", "no KTAP results in the output")
    seen = set()
    for name, ok, directive, children in nodes:
        suite = name.replace("selftests: ", "", 1)
        seen.add(suite.replace(": ", ":", 1))
        emit("", [(suite, ok, directive, children)])
    if listing:
        with open(listing) as f:
            wanted = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for t in wanted:
            if t not in seen:
                record("FAIL", t.replace(":", ": ", 1), "(did not run)",
                       "no result: the guest stopped before this test")


def ktap(suite, path):
    with open(path, errors="replace") as f:
        lines = [(0, raw.rstrip("\n")) for raw in f]
    cases = list(flatten(leaves(lines)))
    if not cases:
        record("FAIL", suite, "(no results)", f"no KTAP results in {path}")
    for name, ok, directive in cases:
        record(status_of(ok, directive), suite, name, directive or "")


def summary(paths):
    recs = []
    for p in paths:
        with open(p) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 4:
                    recs.append(parts)
    suites = {}
    for st, suite, case, detail in recs:
        suites.setdefault(suite, []).append((st, case, detail))
    width = max((len(s) for s in suites), default=0)
    for suite, cases in suites.items():
        n = {k: sum(1 for c in cases if c[0] == k) for k in ("PASS", "FAIL", "SKIP")}
        mark = "FAIL" if n["FAIL"] else ("ok  " if n["PASS"] else "skip")
        extra = f", {n['SKIP']} skipped" if n["SKIP"] else ""
        print(f"  {mark} {suite:<{width}}  {n['PASS']} passed, {n['FAIL']} failed{extra}")
        for st, case, detail in cases:
            if st == "FAIL":
                print(f"         FAILED: {case}" + (f" ({detail})" if detail else ""))
    total = {k: sum(1 for r in recs if r[0] == k) for k in ("PASS", "FAIL", "SKIP")}
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 1 if total["FAIL"] or not total["PASS"] else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "kunit":
        kunit(argv[2])
    elif len(argv) in (3, 4) and argv[1] == "kselftest":
        kselftest(*argv[2:])
    elif len(argv) == 4 and argv[1] == "ktap":
        ktap(argv[2], argv[3])
    elif len(argv) >= 2 and argv[1] == "summary":
        return summary(argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
