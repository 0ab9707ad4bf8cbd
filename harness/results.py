#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn test output into result records and summarise them.

A record is one line: STATUS<TAB>SUITE<TAB>CASE<TAB>DETAIL, STATUS being
PASS, FAIL or SKIP; a FIGURE record (FIGURE<TAB>kselftest<TAB>TEXT<TAB>)
is something a test measured ("# figure: TEXT"), listed by 'summary'; a
PLAN record (PLAN<TAB>SUITE<TAB>EXPECTED<TAB>RAN)
gives the number of cases a suite expected and the number it ran. Every
phase of 'make check' writes records to a file; 'summary' prints them
grouped by suite and ends with "N passed, N failed, N skipped".

  results.py kunit DMESG [EXPECTED]
      KUnit KTAP from a kernel log; every suite of EXPECTED (lines "SUITE
      CASES") must run with at least that many cases
  results.py kselftest LOG [LIST [SKIPS]]
      run_kselftest.sh output (nested KTAP); tests of LIST without a result
      fail; a skipped case of a zcrx test (ZCRX_TESTS) fails unless SKIPS
      lists it ("COLLECTION:TEST:CASE  # reason")
  results.py ktap SUITE LOG [EXIT_STATUS]
      a test program's own KTAP, cases under SUITE; a non-zero EXIT_STATUS
      fails even if the KTAP looked fine
  results.py kernel-log RESULTS_DIR [WHAT]
      the guest's kernel logs and console: crash, splats, kmemleak reports;
      WHAT names what ran before the last scan ("the kselftests")
  results.py summary FILE...
      print and total; exit 1 on any failure or if nothing passed

Every KTAP block must have a plan (1..N) and exactly N results; 'not ok'
is a failure whatever its directive says.
"""

import os
import re
import sys

VERSION = re.compile(r"^K?TAP version \d+\s*$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
RESULT = re.compile(r"^(not ok|ok)\s+\d+\s*-?\s*(.*?)\s*(?:#\s*(.*))?$")
# What names a block: KUnit's "# Subtest:" after its version line, the
# kselftest runner's "selftests: COLLECTION: TEST" before it.
NAME = re.compile(r"^(?:# Subtest: |(?=selftests: ))(.*)$")
BAIL = re.compile(r"^Bail out!")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")

# The zcrx kselftests: in the netdevsim VM every case of these is expected
# to run, so a skip fails unless the backend's allow-list names the case.
ZCRX_TESTS = ("drivers/net:hds.py", "drivers/net:zcrx_layer.py",
              "drivers/net/hw:iou_zcrx_reg.py", "drivers/net/hw:iou-zcrx.py",
              "drivers/net/hw:zcrx_tools.py")


class Block:
    """One KTAP block: a version line, a plan and results at one depth."""

    def __init__(self, depth, versioned):
        self.depth = depth
        self.versioned = versioned
        self.plan = None
        self.plan_directive = ""
        self.name = None
        self.bailed = False
        self.nodes = []

    def ran(self):
        return sum(1 for n in self.nodes if n.ok is not None)


class Node:
    """A result line; ok is None for a subtest whose result never came."""

    def __init__(self, name, ok, directive, block, notes=()):
        self.name = name
        self.ok = ok
        self.directive = directive or ""
        self.block = block
        self.why = why_failed(notes) if ok is False else ""


# What a failed case printed that says why: kselftest's "# Check failed"
# and the last lines of an exception's traceback, KUnit's expectation and
# assertion reports. Kept short: the summary prints it after the case.
CHECK = re.compile(r"^(?:# )*(Check failed .*)$")
WHERE = re.compile(r"^(?:# )*Check\| At .*?([^/ ]+), line (\d+), in ")
EXC = re.compile(r"^(?:# )*Exception\| (\S.*)$")
EXC_TYPE = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Ex|Exit|Interrupt)\b:?")
KUNIT = re.compile(r"^(?:# )*(?:\w+: )?((?:EXPECTATION|ASSERTION) FAILED at .*)$")
WHY_MAX = 600


def why_failed(notes):
    """Why a case failed, from the comment lines printed before its result."""
    why, exc, follow = [], [], 0
    for text in notes:
        if m := WHERE.match(text):
            why.append(f"{m.group(1)}:{m.group(2)}")
        elif m := CHECK.match(text):
            why.append(m.group(1))
        elif m := KUNIT.match(text):
            why.append(m.group(1))
            follow = 2
        elif m := EXC.match(text):
            exc.append(m.group(1).strip())
        elif follow and text.strip():
            why.append(text.lstrip("# ").strip())
            follow -= 1
    if exc:
        start = next((i for i in range(len(exc) - 1, -1, -1) if EXC_TYPE.match(exc[i])),
                     max(len(exc) - 1, 0))
        why += exc[start:start + 4]
    text = " | ".join(w for w in why if w)
    return text if len(text) <= WHY_MAX else text[:WHY_MAX - 3] + "..."


def parse(lines):
    """Return the top-level blocks of nested KTAP; lines are (depth, text).

    A result at depth d owns the block at depth d+1 printed since the
    previous result at depth <= d: its subtests. A block whose result
    never came (the test died) is kept as a node with ok None, named by
    its "# Subtest:" line or the kselftest runner's "selftests:" line.
    """
    top = []
    open_blocks = {}
    names = {}
    notes = []

    def block_at(depth, versioned=False):
        if depth not in open_blocks:
            open_blocks[depth] = Block(depth, versioned)
            open_blocks[depth].name = names.pop(depth, None)
        return open_blocks[depth]

    def keep(b):
        """Keep block b, whose result line never came."""
        if b is None or not (b.versioned or b.nodes or b.plan is not None or b.bailed):
            return
        if b.depth == 0:
            top.append(b)
        else:
            block_at(b.depth - 1).nodes.append(Node(b.name or "(unnamed)", None, "", b))

    def close(depth):
        """Close the blocks at depth and deeper; return the one at depth."""
        found = None
        while open_blocks and max(open_blocks) >= depth:
            b = open_blocks.pop(max(open_blocks))
            if b.depth == depth:
                found = b
            else:
                keep(b)
        return found

    for depth, text in lines:
        if VERSION.match(text):
            keep(close(depth))
            block_at(depth, versioned=True)
        elif m := PLAN.match(text):
            b = block_at(depth)
            if b.plan is None:
                b.plan, b.plan_directive = int(m.group(1)), m.group(2) or ""
        elif m := NAME.match(text):
            b = open_blocks.get(depth)
            if b is not None and not b.nodes:
                b.name = m.group(1).strip()
            else:
                names[depth] = m.group(1).strip()
        elif BAIL.match(text):
            block_at(depth).bailed = True
        elif m := RESULT.match(text):
            child = close(depth + 1)
            for d in [d for d in names if d > depth]:
                del names[d]
            block_at(depth).nodes.append(Node(m.group(2), m.group(1) == "ok", m.group(3), child,
                                              notes))
            notes = []
        else:
            notes.append(text)
    keep(close(0))
    return top


def status_of(ok, directive):
    """'not ok' fails whatever its directive; 'ok # SKIP' is a skip."""
    if not ok:
        return "FAIL"
    if directive.upper().startswith("SKIP"):
        return "SKIP"
    return "PASS"


def detail_of(node):
    if node.ok is None:
        return "no result line: the test stopped or crashed before reporting it"
    if not node.ok and node.directive.upper().startswith("SKIP"):
        return f"not ok with '# {node.directive}': a failed result is a failure"
    if not node.ok and node.why:
        return f"{node.directive}: {node.why}" if node.directive else node.why
    return node.directive


def plan_problems(b, plan_optional=False):
    """Why block b's plan does not hold, if it does not."""
    ran = b.ran()
    if b.bailed:
        yield f"bailed out after {ran} result(s)"
    if b.plan is None:
        if b.versioned and not plan_optional:
            yield f"no plan (1..N): {ran} result(s), cannot tell whether all ran"
    elif ran < b.plan:
        yield f"planned {b.plan}, ran {ran}: the test stopped early"
    elif ran > b.plan:
        yield f"planned {b.plan}, ran {ran}: more results than planned"


def block_records(suite, b, plan_optional, label="(plan)"):
    """Records of every case under block b, its plan and its subtests' plans."""
    recs = [("FAIL", suite, label, p) for p in plan_problems(b, plan_optional(b))]
    if b.plan == 0 and b.plan_directive.upper().startswith("SKIP"):
        recs.append(("SKIP", suite, "(all cases)", b.plan_directive))
    for n in b.nodes:
        recs.extend(node_records(suite, n, plan_optional))
    return recs


def node_records(suite, n, plan_optional):
    """Records of node n: itself if a leaf, else its subtests' leaves."""
    if n.block is None:
        return [(status_of(n.ok, n.directive) if n.ok is not None else "FAIL",
                 suite, n.name, detail_of(n))]
    recs = block_records(suite, n.block, plan_optional, f"(plan of {n.name})")
    if n.ok is None:
        recs.append(("FAIL", suite, n.name, detail_of(n)))
    elif status_of(n.ok, n.directive) == "FAIL" and not any(r[0] == "FAIL" for r in recs):
        recs.append(("FAIL", suite, n.name,
                     "its cases passed but it failed: " + (n.directive or "not ok")))
    return recs


def suite_records(suite, n, plan_optional, expected=None):
    """Records of a test or suite n whose cases are in n.block, with its
    PLAN record; expected overrides the test's own plan as the count
    expected."""
    if n.block is None:
        return node_records(suite, n, plan_optional)
    recs = block_records(suite, n.block, plan_optional)
    if n.ok is None:
        recs.append(("FAIL", suite, "(result)", detail_of(n)))
    elif status_of(n.ok, n.directive) == "FAIL" and not any(r[0] == "FAIL" for r in recs):
        recs.append(("FAIL", suite, "(exit status)",
                     "all cases passed but the test failed: " + (n.directive or "not ok")))
    want = expected if expected is not None else n.block.plan
    if want is not None:
        recs.append(("PLAN", suite, str(want), str(n.block.ran())))
    return recs


def read_lines(path, depth_of):
    with open(path, errors="replace") as f:
        return [depth_of(raw.rstrip("\n")) for raw in f]


def indent_depth(text):
    """KTAP nesting by indentation (KUnit, the library's tests)."""
    text = TIMESTAMP.sub("", text)
    stripped = text.lstrip(" ")
    return (len(text) - len(stripped)) // 4, stripped.rstrip()


def hash_depth(text):
    """kselftest nesting: each level prefixes "# "."""
    depth = 0
    while text.startswith("# "):
        text = text[2:]
        depth += 1
    return depth, text.rstrip()


def read_expected(path):
    """{suite: cases} from lines "SUITE CASES  # comment"."""
    want = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                want[line[0]] = int(line[1])
    return want


def kunit_plan_optional(b):
    """A parameterised case prints a subtest block without a plan (its
    size is not known in advance); suites and the top level have one."""
    return b.depth >= 2


def no_plan_optional(b):
    return False


def kunit(path, expected_path=None):
    expected = read_expected(expected_path) if expected_path else {}
    recs = []
    if not os.path.exists(path):
        recs.append(("FAIL", "kunit", "(no results)",
                     f"no {os.path.basename(path)}: the guest never saved its boot log"))
        blocks = []
    else:
        blocks = parse(read_lines(path, indent_depth))
    seen = {}
    for b in blocks:
        recs += [("FAIL", "kunit", "(plan)", p + " (suites)") for p in plan_problems(b)]
        for n in b.nodes:
            seen[n.name] = n.block.plan if n.block else None
            recs += suite_records(f"kunit: {n.name}", n, kunit_plan_optional,
                                  expected.get(n.name))
    if not any(b.nodes for b in blocks) and os.path.exists(path):
        recs.append(("FAIL", "kunit", "(no results)", "no KUnit KTAP in the kernel log"))
    for suite, cases in expected.items():
        name = f"kunit: {suite}"
        if suite not in seen:
            recs.append(("FAIL", name, "(did not run)",
                         f"expected {cases} cases, the suite is not in the boot log "
                         "(configured out, or the boot log was cut?)"))
            recs.append(("PLAN", name, str(cases), "0"))
        elif seen[suite] is not None and seen[suite] < cases:
            recs.append(("FAIL", name, "(case count)",
                         f"harness/kunit.expected says {cases} cases, the suite has {seen[suite]}"))
    return recs


def read_skips(path):
    """{(test, case): reason} of an allow-list, and records of bad lines."""
    allowed, bad = {}, []
    with open(path) as f:
        for i, line in enumerate(f, 1):
            entry, _, reason = line.partition("#")
            entry = entry.strip()
            if not entry:
                continue
            test, _, case = entry.rpartition(":")
            if not test or not case or not reason.strip():
                bad.append(("FAIL", "kselftest", "(skip allow-list)",
                            f"{os.path.basename(path)}:{i}: want 'COLLECTION:TEST:CASE  # reason'"))
                continue
            allowed[(test, case)] = reason.strip()
    return allowed, bad


def strict_skips(recs, test, allowed, skips_path):
    """A skip in a zcrx test is a failure unless the allow-list has it."""
    module = test.rsplit(":", 1)[1].rsplit(".", 1)[0]
    out = []
    for st, suite, case, detail in recs:
        bare = case[len(module) + 1:] if case.startswith(module + ".") else case
        if st == "SKIP" and (test, case) not in allowed and (test, bare) not in allowed:
            where = os.path.basename(skips_path) if skips_path else "no allow-list given"
            st, detail = "FAIL", (f"skipped ({detail or 'no reason'}); a zcrx case must run "
                                  f"here, or be listed with its reason ({where})")
        out.append((st, suite, case, detail))
    return out


def kselftest(path, listing=None, skips_path=None):
    allowed, recs = read_skips(skips_path) if skips_path else ({}, [])
    blocks = parse(read_lines(path, hash_depth)) if os.path.exists(path) else []
    if not any(b.nodes for b in blocks):
        recs.append(("FAIL", "kselftest", "(no results)", "no KTAP results in the output"))
    seen = set()
    for b in blocks:
        for p in plan_problems(b):
            first = b.nodes[0].name.replace("selftests: ", "", 1) if b.nodes else "?"
            recs.append(("FAIL", "kselftest runner", "(plan)", f"{p} (block of {first})"))
        for n in b.nodes:
            suite = n.name.replace("selftests: ", "", 1)
            test = suite.replace(": ", ":", 1)
            seen.add(test)
            n.name = suite
            mine = suite_records(suite, n, no_plan_optional)
            if test in ZCRX_TESTS:
                if n.block is None or not n.block.versioned:
                    mine.append(("FAIL", suite, "(KTAP)",
                                 "printed no KTAP: a zcrx test must report its cases"))
                mine = strict_skips(mine, test, allowed, skips_path)
            recs += mine
    recs += figures(path)
    if listing:
        with open(listing) as f:
            wanted = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        for t in wanted:
            if t not in seen:
                recs.append(("FAIL", t.replace(":", ": ", 1), "(did not run)",
                             "no result: the guest stopped before this test"))
    return recs


# A test's "figure: TEXT" diagnostic (ksft_pr): what it measured, shown
# in the summary.
FIGURE = re.compile(r"^(?:#\s*)+figure: (.*)$")


def figures(path):
    """FIGURE records of the figures printed in the KTAP output at path."""
    if not os.path.exists(path):
        return []
    with open(path, errors="replace") as f:
        return [("FIGURE", "kselftest", m.group(1).strip(), "")
                for m in map(FIGURE.match, f) if m]


def ktap(suite, path, exit_status=None):
    blocks = parse(read_lines(path, indent_depth)) if os.path.exists(path) else []
    recs = []
    for b in blocks:
        recs += block_records(suite, b, no_plan_optional)
        if b.depth == 0 and b.plan is not None:
            recs.append(("PLAN", suite, str(b.plan), str(b.ran())))
    if not any(b.nodes for b in blocks):
        recs.append(("FAIL", suite, "(no results)", f"no KTAP results in {path}"))
    if exit_status not in (None, "0"):
        recs.append(("FAIL", suite, "(exit status)",
                     f"exited with {exit_status}" +
                     ("" if any(r[0] == "FAIL" for r in recs) else " although its KTAP passed")))
    return recs


# The kernel log. A splat is a line matching SPLAT (not BENIGN) and the
# lines that follow it up to the end of its trace.
SPLAT = re.compile("|".join([
    r"BUG:", r"kernel BUG at", r"BUG [^ ]+ \(.*\): ",      # BUG(), KASAN, SLUB debug
    r"WARNING:", r"\bOops\b", r"general protection fault", r"Kernel panic",
    r"KASAN:", r"UBSAN:", r"refcount_t: ", r"ref_tracker: ",
    r"possible circular locking", r"possible recursive locking",
    r"inconsistent lock state", r"suspicious RCU usage",
    r"INFO: task .* blocked for more than", r"soft lockup",
    r"rcu: INFO: .*detected stall", r"self-detected stall",
    r"page_pool.*stalled pool shutdown", r"unregister_netdevice: waiting for",
    r"DMA-API: ", r"DMAR: DRHD: handling fault", r"DMAR: \[DMA (Read|Write)",  # IOMMU faults
    r"kmemleak: (Kernel memory leak detector disabled|Memory pool empty|Cannot allocate)",
]))
BENIGN = re.compile(r"DMA-API: (preallocated \d+ debug entries|debugging enabled by kernel config"
                    r"|dma_debug_entry pool grown to)|[Cc]ommand line")
OOPS = re.compile(r"\bOops\b|Kernel panic - not syncing|kernel BUG at|general protection fault"
                  r"|BUG: unable to handle|BUG: kernel NULL pointer")
FRAME = re.compile(r"^\s*(?:\[[^]]*\]\s*)?([A-Za-z_][\w.]*)\+0x[0-9a-f]+/0x[0-9a-f]+")
END = re.compile(r"---\[ end trace|---\[ end Kernel panic|cut here|</TASK>")
DONE = "guest: done"
# Frames of a kmemleak backtrace that say nothing about who leaked.
ALLOCATORS = ("kmemleak", "__kmalloc", "kmalloc", "kmem_cache", "__kmem_cache", "slab_post",
              "__alloc", "alloc_pages", "__kvmalloc", "kvmalloc", "kzalloc")


def log_lines(path, console=False):
    """(line number, text) of a kernel log; from the console only the
    kernel's lines: not the kselftest output mirrored there ("#", "ok",
    "not ok"), nor virtme's."""
    out = []
    with open(path, errors="replace") as f:
        for i, raw in enumerate(f, 1):
            text = TIMESTAMP.sub("", raw.rstrip("\r\n"))
            if console and re.match(r"#|ok \d|not ok \d|virtme|guest: ", text):
                continue
            out.append((i, text))
    return out


def frames(lines, start, limit=6):
    """Function names of the stack trace after lines[start]."""
    names = []
    for _, text in lines[start + 1:start + 80]:
        if END.search(text) and names:
            break
        m = FRAME.match(text)
        if m and "? " not in text.split(m.group(1))[0]:
            names.append(m.group(1))
            if len(names) == limit:
                break
    return names


def splats(name, lines):
    """[(where, first line, text)]: one per splat, with the matched lines
    of one trace folded together and its first stack frames."""
    found = []
    end = -1
    for idx, (lineno, text) in enumerate(lines):
        if not SPLAT.search(text) or BENIGN.search(text):
            continue
        if idx <= end and found:
            found[-1][2].append(text.strip())
            continue
        end = idx + 1
        while end < len(lines) and end - idx < 80 and not END.search(lines[end][1]):
            end += 1
        found.append((f"{name}:{lineno}", text.strip(), [], frames(lines, idx)))
    return [(where, first, "; ".join([first] + more[:2]) +
             (" | stack: " + " < ".join(st) if st else ""))
            for where, first, more, st in found]


def crash_detail(path):
    """(line of the oops or None, 'crashed: ...' with the oops' first
    lines or None) of the console log at path."""
    with open(path, errors="replace") as f:
        printed = [line.strip() for line in f if line.strip()]
    done = DONE in printed
    kernel = log_lines(path, console=True)
    oops = next((i for i, (_, t) in enumerate(kernel) if OOPS.search(t)), None)
    if done and oops is None:
        return None, None
    if oops is None:
        return None, ("crashed (or was killed): the guest never printed '" + DONE +
                      "' and the console has no oops (VM_VERBOSE=1 keeps the kernel console);"
                      " last lines: " + " | ".join(printed[-3:]))
    head = [kernel[oops][1].strip()]
    for _, t in kernel[oops + 1:oops + 60]:
        if re.search(r"RIP: |Kernel panic|Oops", t) and t.strip() not in head:
            head.append(t.strip())
    st = frames(kernel, oops)
    return kernel[oops][0], ("crashed: " + " | ".join(head[:4]) +
                             (" | stack: " + " < ".join(st) if st else ""))


def kmemleak_records(res, name, label, crashed):
    path = os.path.join(res, name)
    err = path.rsplit(".", 1)[0] + ".err"
    case = f"no kmemleak reports {label}"
    if os.path.exists(err):
        with open(err, errors="replace") as f:
            why = " ".join(f.read().split())
        return [("FAIL", "kernel log", case, f"the scan failed: {why or 'no reason given'}")]
    if not os.path.exists(path):
        why = ("not scanned: the guest crashed first" if crashed else
               f"no {name}: the guest did not save a kmemleak report")
        return [("FAIL", "kernel log", case, why)]
    with open(path, errors="replace") as f:
        report = f.read()
    # out/results/NAME, or out/results/soak/NAME for make soak's
    shown = path[path.rfind("out/results/"):] if "out/results/" in path else f"out/results/{name}"
    if not report.strip():
        return [("PASS", "kernel log", case, "")]
    objects = report.count("unreferenced object")
    first = re.search(r"unreferenced object \S+ \(size (\d+)\):\s*comm \"([^\"]*)\"", report)
    one = report.split("unreferenced object")[1] if objects else report
    stack = [m for m in re.findall(r"^\s+\[?<?[0-9a-fx]*>?\]?\s*([A-Za-z_][\w.]*)\+0x", one, re.M)
             if not m.startswith(ALLOCATORS)][:4]
    what = (f"; first: size {first.group(1)}, comm \"{first.group(2)}\"" if first else "") + \
           (", from " + " < ".join(stack) if stack else "")
    return [("FAIL", "kernel log", case,
             f"{objects} unreferenced object(s){what}; see {shown}")]


def kernel_log(res, what="the kselftests"):
    """Records of the guest's logs in RESULTS_DIR: the console
    (vm-debug.log) and the kernel logs the guest saved (dmesg-boot.txt,
    dmesg.txt); kmemleak's last report (kmemleak.txt) is of what ran
    after boot, named by what."""
    recs = []
    console_path = os.path.join(res, "vm-debug.log")
    if not os.path.exists(console_path):
        return [("FAIL", "kernel log", "no splats",
                 "crashed or never ran: no console log (out/results/vm-debug.log)")]
    crash_line, crash = crash_detail(console_path)
    if crash:
        recs.append(("FAIL", "kernel log", "no splats", crash))
    seen = set()
    for name in ("dmesg-boot.txt", "dmesg.txt", "vm-debug.log"):
        path = os.path.join(res, name)
        if not os.path.exists(path):
            continue
        lines = log_lines(path, console=name == "vm-debug.log")
        if name == "vm-debug.log" and crash_line is not None:
            lines = [(n, t) for n, t in lines if n < crash_line]
        for where, first, detail in splats(name, lines):
            if first in seen:
                continue
            seen.add(first)
            recs.append(("FAIL", "kernel log", "no splats", f"{where}: {detail}"))
    if not recs:
        recs.append(("PASS", "kernel log", "no splats", ""))
    recs += kmemleak_records(res, "kmemleak-boot.txt", "after boot (KUnit)", bool(crash))
    recs += kmemleak_records(res, "kmemleak.txt", f"after {what}", bool(crash))
    return recs


def summary(paths):
    recs, plans, figs = [], {}, []
    for p in paths:
        with open(p) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 4:
                    continue
                if parts[0] == "PLAN":
                    plans[parts[1]] = (parts[2], parts[3])
                elif parts[0] == "FIGURE":
                    figs.append(parts[2])
                else:
                    recs.append(parts)
    suites = {}
    for st, suite, case, detail in recs:
        suites.setdefault(suite, []).append((st, case, detail))
    for suite in plans:
        suites.setdefault(suite, [])
    width = max((len(s) for s in suites), default=0)
    for suite, cases in suites.items():
        n = {k: sum(1 for c in cases if c[0] == k) for k in ("PASS", "FAIL", "SKIP")}
        mark = "FAIL" if n["FAIL"] else ("ok  " if n["PASS"] else "skip")
        extra = f", {n['SKIP']} skipped" if n["SKIP"] else ""
        plan = "expected {}, ran {}:".format(*plans[suite]) if suite in plans else ""
        counts = f"{n['PASS']} passed, {n['FAIL']} failed{extra}"
        print(f"  {mark} {suite:<{width}}  {plan:<24} {counts}")
        for st, case, detail in cases:
            if st == "FAIL":
                print(f"         FAILED: {case}" + (f" ({detail})" if detail else ""))
    if figs:
        print("Figures:")
        for text in figs:
            print(f"  {text}")
    total = {k: sum(1 for r in recs if r[0] == k) for k in ("PASS", "FAIL", "SKIP")}
    print(f"{total['PASS']} passed, {total['FAIL']} failed, {total['SKIP']} skipped")
    return 1 if total["FAIL"] or not total["PASS"] else 0


def emit(recs):
    for st, suite, case, detail in recs:
        detail = " ".join(str(detail).split())
        print(f"{st}\t{suite}\t{case}\t{detail}")


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else (None, [])
    if cmd == "kunit" and len(args) in (1, 2):
        emit(kunit(*args))
    elif cmd == "kselftest" and len(args) in (1, 2, 3):
        emit(kselftest(*args))
    elif cmd == "ktap" and len(args) in (2, 3):
        emit(ktap(*args))
    elif cmd == "kernel-log" and len(args) in (1, 2):
        emit(kernel_log(*args))
    elif cmd == "summary":
        return summary(args)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
