#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Static checks on our code only, as result records (see results.py).

  checkpatch --strict   every overlay file and every patch of the series
  sparse (C=2) + W=1    every kbuild directory holding a .c file we add or
                        patch; a warning in a file we add fails, a warning in
                        a file we patch fails only if the base does not have
                        it (compared without line numbers)

The sparse/W=1 builds use their own build directories (out/build-static and,
for the base, out/build-static-base on a worktree of the base commit) so the
debug kernel is never rebuilt with other flags. A driver the debug kernel
does not build (DRIVERS below) is checked twice more, built in and as a
module, each in a build directory of its own with the driver switched on.
"""

import collections
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "out")
LINUX = os.path.join(OUT, "linux")
BASE_TREE = os.path.join(OUT, "linux-base")
OVERLAY_DIRS = ["net", "io_uring", "include", "drivers", "tools", "Documentation"]
CHECKPATCH_TYPES = re.compile(r"(\.(c|h|py|sh|rst|yaml|S)|/(Makefile|Kconfig[^/]*))$")
DIAG = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?:\d+:)?\s*"
                  r"(?P<kind>warning|error):\s*(?P<msg>.*)$")
JOBS = str(os.cpu_count() or 2)
# Drivers we patch that the debug kernel leaves out: directory -> the config
# lines that build it, {m} standing for y (built in) or m (a module), and
# the module the directory links.
DRIVERS = {
    "drivers/net/ethernet/broadcom/bnxt": {
        "config": ["CONFIG_MODULES=y", "CONFIG_PCI=y",
                   "CONFIG_NET_VENDOR_BROADCOM=y", "CONFIG_BNXT={m}"],
        "module": "bnxt_en.ko",
    },
}


def record(status, suite, case, detail=""):
    detail = " ".join(detail.split())[:300]
    print(f"{status}\tstatic: {suite}\t{case}\t{detail}", flush=True)


def run(cmd, cwd=None, env=None):
    e = dict(os.environ)
    e.setdefault("CCACHE_DIR", "/var/cache/zcrx/ccache")
    e.setdefault("CCACHE_BASEDIR", TOP)
    e.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, text=True)


def git(*args, cwd=LINUX):
    p = run(["git", *args], cwd=cwd)
    if p.returncode:
        raise SystemExit(f"static: git {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout


def overlay_files():
    out = git("ls-files", "-co", "--exclude-standard", "--", *OVERLAY_DIRS, cwd=TOP)
    return sorted(f for f in out.splitlines() if os.path.isfile(os.path.join(TOP, f)))


def series():
    path = os.path.join(TOP, "patches", "series")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        names = [l.split("#", 1)[0].strip() for l in f]
    return [os.path.join(TOP, "patches", n) for n in names if n]


def checkpatch_verdict(p):
    """(status, detail) of one checkpatch run p: its issues, or its exit
    status when it failed without naming one (perl died, a file it could
    not read)."""
    issues = [l for l in p.stdout.splitlines() if re.search(r"(ERROR|WARNING|CHECK):", l)]
    if issues:
        return "FAIL", "; ".join(issues[:3])
    if p.returncode:
        said = (p.stderr.strip() or p.stdout.strip() or "no output").splitlines()
        return "FAIL", f"checkpatch exited with {p.returncode} and named no issue: {said[-1]}"
    return "PASS", ""


def checkpatch():
    cp = os.path.join(LINUX, "scripts", "checkpatch.pl")
    base_args = ["perl", cp, "--strict", "--terse", "--show-types", "--no-summary",
                 "--ignore", "FILE_PATH_CHANGES"]
    for f in overlay_files():
        if not CHECKPATCH_TYPES.search("/" + f):
            continue
        status, detail = checkpatch_verdict(run(base_args + ["-f", f], cwd=LINUX))
        record(status, "checkpatch", f, detail)
    for patch in series():
        status, detail = checkpatch_verdict(run(base_args + [patch], cwd=LINUX))
        record(status, "checkpatch", "patches/" + os.path.basename(patch), detail)


def touched_c():
    """(files we add, files we patch): .c files relative to the tree."""
    added = [f for f in overlay_files() if f.endswith(".c") and not f.startswith("tools/")]
    patched = [f for f in git("diff", "--name-only", "--diff-filter=AM",
                              "refs/zcrx/base", "refs/zcrx/patched").splitlines()
               if f.endswith(".c") and not f.startswith(("tools/", "scripts/"))]
    return added, patched


def diagnostics(src, obj, dirs, files, extra=(), targets=()):
    """Warnings sparse and gcc W=1 print for files in dirs, as a Counter of
    (file, kind: message). extra: config lines added to the debug config;
    each must hold after olddefconfig. targets: more make targets to build."""
    os.makedirs(obj, exist_ok=True)
    config = os.path.join(obj, ".config")
    shutil.copy(os.path.join(OUT, "build-debug", ".config"), config)
    if extra:
        with open(config, "a") as f:
            f.write("".join(line + "\n" for line in extra))
    kmake = ["make", "-C", src, f"O={obj}", "CC=ccache gcc", "HOSTCC=ccache gcc",
             "-j" + JOBS]
    p = run(kmake + ["-s", "olddefconfig", "prepare"])
    if p.returncode:
        raise SystemExit(f"static: preparing {obj} failed:\n{p.stderr[-2000:]}")
    with open(config) as f:
        have = set(f.read().splitlines())
    missing = [line for line in extra if line not in have]
    if missing:
        raise SystemExit(f"static: {obj}: config did not stick: {' '.join(missing)}")
    # gcc only warns when it compiles: drop the objects of the files we look
    # at so that an incremental run reports W=1 warnings again (ccache
    # replays them from its cache, so this costs little).
    for f in files:
        o = os.path.join(obj, f[:-2] + ".o")
        if os.path.exists(o):
            os.unlink(o)
    found = collections.Counter()
    failed = []
    for d in sorted(dirs):
        p = run(kmake + ["C=2", "W=1", d + "/", *targets])
        if p.returncode:
            failed.append(d)
        for line in (p.stdout + p.stderr).splitlines():
            m = DIAG.match(line.strip())
            if not m:
                continue
            f = os.path.relpath(os.path.join(src, m.group("file")), src) \
                if not os.path.isabs(m.group("file")) else os.path.relpath(m.group("file"), src)
            if f in files:
                found[(f, f"{m.group('kind')}: {m.group('msg')}")] += 1
    return found, failed


def base_worktree():
    base = git("rev-parse", "refs/zcrx/base").strip()
    if os.path.isdir(BASE_TREE):
        have = run(["git", "rev-parse", "HEAD"], cwd=BASE_TREE).stdout.strip()
        if have == base:
            return
        git("worktree", "remove", "--force", BASE_TREE)
    git("worktree", "prune")
    git("worktree", "add", "-q", "--detach", BASE_TREE, base)


def compare(label, dirs, added, patched, suffix="", extra=(), targets=()):
    """Build dirs with sparse and W=1 on our tree and, for the files we
    patch, on the base; record what is new on ours, one record per dir."""
    files = {f for f in added + patched if os.path.dirname(f) in dirs}
    ours, failed = diagnostics(LINUX, os.path.join(OUT, "build-static" + suffix),
                               dirs, files, extra, targets)
    base = collections.Counter()
    ppatched = {f for f in patched if os.path.dirname(f) in dirs}
    if ppatched:
        base_worktree()
        pdirs = {os.path.dirname(f) for f in ppatched}
        base, _ = diagnostics(BASE_TREE, os.path.join(OUT, "build-static-base" + suffix),
                              pdirs, ppatched, extra)
    new = ours - base
    for d in sorted(dirs):
        mine = [f"{f}: {m}" for (f, m), n in sorted(new.items()) if os.path.dirname(f) == d]
        if d in failed:
            mine.insert(0, "build failed")
        record("FAIL" if mine else "PASS", "sparse+W=1", d + "/" + label,
               "; ".join(mine[:3]) + (f" (+{len(mine) - 3} more)" if len(mine) > 3 else ""))


def sparse_w1():
    added, patched = touched_c()
    dirs = {os.path.dirname(f) for f in added + patched}
    if not dirs:
        return
    drivers = {d for d in dirs if d in DRIVERS}
    if dirs - drivers:
        compare("", dirs - drivers, added, patched)
    for d in sorted(drivers):
        drv = DRIVERS[d]
        name = os.path.basename(d)
        for m, how in (("y", "built-in"), ("m", "module")):
            extra = [line.format(m=m) for line in drv["config"]]
            # link the .ko too; without a vmlinux (not built here) modpost
            # cannot resolve the core's symbols, so those are warnings only
            targets = [f"{d}/{drv['module']}", "KBUILD_MODPOST_WARN=1"] if m == "m" else []
            compare(f" ({how})", {d}, added, patched, f"-{name}-{m}", extra, targets)


def main(argv):
    what = argv[1:] or ["checkpatch", "sparse"]
    if "checkpatch" in what:
        checkpatch()
    if "sparse" in what:
        sparse_w1()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
