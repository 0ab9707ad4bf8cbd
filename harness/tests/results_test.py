#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of the verdicts of 'make check', on the host, in seconds.

harness/tests/data holds the logs of a real debug-kernel run of 'make
check' (trimmed, with its failing cases turned into passes): the boot log
with the KUnit KTAP (dmesg-boot.txt), the whole kernel log (dmesg.txt),
the kselftest runner's output (kselftest.ktap), the console
(vm-debug.log) and kmemleak's two reports (empty). Read the way check.sh
reads them, they give a green summary.

Each case breaks one thing the way a broken kernel, test or harness would
(a case that skips, a test that stops after 3 of its 10 cases, a KUnit
suite that is gone, a WARNING, a leak found at boot, a crash, checkpatch
dying) and checks that the summary turns red and names the cause. Prints
KTAP; exits 1 if any case fails.
"""

import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys

import ktap

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(HARNESS, "tests", "data")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HARNESS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


results = load("results")
static = load("static")

ZCRX_TESTS = ["drivers/net:zcrx_layer.py", "drivers/net:hds.py",
              "drivers/net/hw:iou_zcrx_reg.py", "drivers/net/hw:iou-zcrx.py"]
LIST = ZCRX_TESTS + ["drivers/net/netdevsim:ethtool-ring.sh"]
EXPECTED = """\
dev-addr-list-test 6
net_core 2
zcrx_area 6
zcrx_open 18
zcrx_agreement 5
zcrx_netlink 6
"""
LIB_CASES = ["rq_batch_publish", "rq_wrap_around", "rq_never_overrun", "rq_init_bad_layout",
             "cqe_data", "cqe_bad", "cqe_final", "prep_recv_sqe", "bad_arguments"]
STAMP = "[  812.104530] "


class Run:
    """A copy of the green results in a temporary directory, to break."""

    def __init__(self, tmp):
        self.res = os.path.join(tmp, "results")
        shutil.copytree(DATA, self.res)
        self.skips = os.path.join(tmp, "skips.list")
        self.write("../skips.list", "# SPDX-License-Identifier: GPL-2.0\n")
        self.write("../kselftests.list", "".join(t + "\n" for t in LIST))
        self.write("../kunit.expected", EXPECTED)
        lib = ["KTAP version 1", f"1..{len(LIB_CASES)}"]
        lib += [f"ok {i} {n}" for i, n in enumerate(LIB_CASES, 1)]
        lib.append(f"# {len(LIB_CASES)} passed, 0 failed")
        self.write("zcrx-lib.ktap", "\n".join(lib) + "\n")
        self.lib_exit = "0"

    def path(self, name):
        return os.path.join(self.res, name)

    def read(self, name):
        with open(self.path(name)) as f:
            return f.read()

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def edit(self, name, old, new, count=1):
        text = self.read(name)
        if old not in text:
            raise AssertionError(f"fixture {name} has no {old!r}")
        self.write(name, text.replace(old, new, count))

    def remove(self, name):
        os.unlink(self.path(name))

    def records(self):
        """What check.sh records from these results."""
        r = results
        return (r.kunit(self.path("dmesg-boot.txt"), self.path("../kunit.expected")) +
                r.kselftest(self.path("kselftest.ktap"), self.path("../kselftests.list"),
                            self.skips) +
                r.kernel_log(self.res) +
                r.ktap("zcrx library", self.path("zcrx-lib.ktap"), self.lib_exit))

    def verdict(self):
        """(exit status of the summary, its text, the records)."""
        recs = self.records()
        path = self.path("records")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            results.emit(recs)
        with open(path, "w") as f:
            f.write(out.getvalue())
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = results.summary([path])
        return rc, out.getvalue(), recs


def red(run, suite, case, detail):
    """The summary fails, with a FAIL record matching the three regexes."""
    rc, text, recs = run.verdict()
    fails = [r for r in recs if r[0] == "FAIL"]
    if rc != 1:
        raise AssertionError("the summary stayed green: " + text.splitlines()[-1])
    for st, s, c, d in fails:
        if re.search(suite, s) and re.search(case, c) and re.search(detail, d):
            return f"{s} | {c} | {d}"
    raise AssertionError(f"no FAIL record like ({suite}, {case}, {detail}); got: " +
                         "; ".join(" | ".join(r[1:]) for r in fails[:5]))


def green(run):
    rc, text, recs = run.verdict()
    fails = [r for r in recs if r[0] == "FAIL"]
    if rc != 0 or fails:
        raise AssertionError("not green: " + "; ".join(" | ".join(r[1:]) for r in fails[:5]))
    return text.splitlines()[-1]


# Each case gets a fresh Run and returns what it saw (printed as a comment).

def case_green_baseline(run):
    return green(run)


def case_summary_counts(run):
    _, text, _ = run.verdict()
    for want in (r"kunit: zcrx_open .*expected 18, ran 18: +18 passed, 0 failed",
                 r"drivers/net: zcrx_layer.py .*expected 10, ran 10: +10 passed",
                 r"zcrx library .*expected 9, ran 9: +9 passed",
                 r"^\d+ passed, 0 failed, 0 skipped$"):
        if not re.search(want, text, re.M):
            raise AssertionError(f"summary lacks /{want}/:\n{text}")
    return "expected and ran printed per suite"


def case_figures_listed(run):
    run.edit("kselftest.ktap", "# ok 3 hds.split_threshold",
             "# # figure: verified 1073741824 bytes over IPv4\n"
             "# ok 3 hds.split_threshold")
    _, text, _ = run.verdict()
    if not re.search(r"^Figures:\n  verified 1073741824 bytes over IPv4\n\d+ passed",
                     text, re.M):
        raise AssertionError(f"the figure is not listed before the totals:\n{text}")
    return green(run)


def case_failure_says_why(run):
    run.edit("kselftest.ktap", "# ok 3 hds.split_threshold",
             "# # Check| At /x/drivers/net/./hds.py, line 211, in split_threshold:\n"
             "# #     ksft_eq(s['split'], 512)\n"
             "# # Check failed 0 != 512 payload split at the threshold\n"
             "# not ok 3 hds.split_threshold")
    run.edit("kselftest.ktap", "# ok 5 hds.steer_by_table",
             "# # Exception| Traceback (most recent call last):\n"
             "# # Exception|   File \"/x/hds.py\", line 90, in steer_by_table\n"
             "# # Exception| lib.py.ksft.KsftFailEx: receiver: exit 2\n"
             "# # Exception| CQE 7: outside the area\n"
             "# not ok 5 hds.steer_by_table")
    run.edit("dmesg-boot.txt", "    ok 4 zcrx_area_page",
             "    # zcrx_area_page: EXPECTATION FAILED at net/zcrx/area_test.c:88\n"
             f"{STAMP}    Expected page == NULL, but\n"
             "    not ok 4 zcrx_area_page")
    _, text, _ = run.verdict()
    for want in (r"FAILED: hds.split_threshold \(hds.py:211 \| Check failed 0 != 512 payload",
                 r"FAILED: hds.steer_by_table \(lib.py.ksft.KsftFailEx: receiver: exit 2 \| "
                 r"CQE 7: outside the area\)",
                 r"FAILED: zcrx_area_page \(EXPECTATION FAILED at net/zcrx/area_test.c:88 \| "
                 r"Expected page == NULL, but\)"):
        if not re.search(want, text, re.M):
            raise AssertionError(f"summary lacks /{want}/:\n{text}")
    return red(run, r"hds\.py", r"split_threshold", r"Check failed")


def case_zcrx_case_skipped(run):
    run.edit("kselftest.ktap", "# ok 3 hds.split_threshold",
             "# ok 3 hds.split_threshold # SKIP hds-thresh-max below the test's segment size")
    return red(run, r"hds\.py", r"split_threshold", r"skipped .*must run")


def case_zcrx_skip_allowed(run):
    run.edit("kselftest.ktap", "# ok 3 hds.split_threshold",
             "# ok 3 hds.split_threshold # SKIP hds-thresh-max below the test's segment size")
    with open(run.skips, "a") as f:
        f.write("drivers/net:hds.py:split_threshold  # self-test: allowed on purpose\n")
    rc, text, recs = run.verdict()
    if rc or not any(r[0] == "SKIP" and "split_threshold" in r[2] for r in recs):
        raise AssertionError("an allowed skip did not stay a skip: " + text.splitlines()[-1])
    return text.splitlines()[-1]


def case_skip_list_needs_reason(run):
    with open(run.skips, "a") as f:
        f.write("drivers/net:hds.py:split_threshold\n")
    return red(run, r"kselftest", r"allow-list", r"reason")


def case_zcrx_test_skipped_whole(run):
    text = run.read("kselftest.ktap")
    start = text.index("# selftests: drivers/net: hds.py")
    end = text.index("ok 2 selftests: drivers/net: hds.py")
    run.write("kselftest.ktap", text[:start] + "# SKIP: no header split\n" + text[end:].replace(
        "ok 2 selftests: drivers/net: hds.py", "ok 2 selftests: drivers/net: hds.py # SKIP", 1))
    return red(run, r"hds\.py", r"", r"skipped|no KTAP")


def case_other_test_skip_is_skip(run):
    run.edit("kselftest.ktap", "ok 1 selftests: drivers/net/netdevsim: ethtool-ring.sh",
             "ok 1 selftests: drivers/net/netdevsim: ethtool-ring.sh # SKIP")
    rc, text, _ = run.verdict()
    if rc or not text.rstrip().endswith("0 failed, 1 skipped"):
        raise AssertionError("a skip outside the zcrx tests: " + text.splitlines()[-1])
    return text.splitlines()[-1]


def case_not_ok_skip_fails(run):
    run.edit("kselftest.ktap", "ok 1 selftests: drivers/net/netdevsim: ethtool-ring.sh",
             "not ok 1 selftests: drivers/net/netdevsim: ethtool-ring.sh # SKIP")
    return red(run, r"ethtool-ring", r"", r"not ok with '# SKIP'")


def case_kselftest_plan_short(run):
    text = run.read("kselftest.ktap")
    keep = [l for l in text.splitlines()
            if not re.match(r"# ok ([4-9]|10) zcrx_layer\.", l)]
    run.write("kselftest.ktap", "\n".join(keep) + "\n")
    return red(run, r"zcrx_layer\.py", r"\(plan\)", r"planned 10, ran 3")


def case_kselftest_no_plan(run):
    run.edit("kselftest.ktap", "# KTAP version 1\n# 1..12\n", "# KTAP version 1\n")
    return red(run, r"hds\.py", r"\(plan\)", r"no plan")


def case_kselftest_cut(run):
    text = run.read("kselftest.ktap")
    run.write("kselftest.ktap", text[:text.index("# ok 6 iou-zcrx.test_zcrx_error_ends_request")])
    return red(run, r"iou-zcrx\.py", r"", r"planned 18, ran 5")


def case_lib_plan_short(run):
    lines = ["KTAP version 1", "1..10", "ok 1 rq_batch_publish", "ok 2 rq_wrap_around",
             "ok 3 rq_never_overrun"]
    run.write("zcrx-lib.ktap", "\n".join(lines) + "\n")
    return red(run, r"zcrx library", r"\(plan\)", r"planned 10, ran 3")


def case_lib_exit_status(run):
    run.lib_exit = "139"
    return red(run, r"zcrx library", r"exit status", r"exited with 139 although its KTAP passed")


def case_lib_no_plan(run):
    run.edit("zcrx-lib.ktap", f"1..{len(LIB_CASES)}\n", "")
    return red(run, r"zcrx library", r"\(plan\)", r"no plan")


def kunit_suite_span(text, suite):
    start = text.index(f"# Subtest: {suite}")
    start = text.rindex("\n", 0, text.rindex("KTAP version 1", 0, start)) + 1
    end = text.index("\n", re.search(rf"\] (not )?ok \d+ {suite}\n", text).end() - 1) + 1
    return start, end


def case_kunit_suite_removed(run):
    for name in ("dmesg-boot.txt", "dmesg.txt"):
        text = run.read(name)
        start, end = kunit_suite_span(text, "zcrx_netlink")
        run.write(name, (text[:start] + text[end:]).replace("] 1..6\n", "] 1..5\n", 1))
    return red(run, r"kunit: zcrx_netlink", r"did not run", r"expected 6 cases")


def case_kunit_fewer_cases(run):
    for name in ("dmesg-boot.txt", "dmesg.txt"):
        text = run.read(name)
        text = re.sub(r".*    ok 18 zcrx_open_close_after_unregister\n", "", text)
        run.write(name, text.replace("    1..18\n", "    1..17\n", 1))
    return red(run, r"kunit: zcrx_open", r"case count", r"says 18 cases, the suite has 17")


def case_kunit_cut(run):
    text = run.read("dmesg-boot.txt")
    run.write("dmesg-boot.txt", text[:text.index("ok 6 zcrx_open_xdp_attached")])
    return red(run, r"kunit", r"plan", r"planned 18, ran 5")


def case_kunit_no_boot_log(run):
    run.remove("dmesg-boot.txt")
    return red(run, r"kunit", r"no results", r"boot log")


def splat_case(line, where="dmesg.txt", stack=True, pattern=None):
    def case(run):
        trace = ["Call Trace:", " <TASK>", " ? show_regs+0x1b/0x30",
                 " io_zcrx_ring_refill+0x5a1/0x6c0", " io_pp_zc_alloc_netmems+0x1f8/0x5d0",
                 " page_pool_alloc_netmems+0x8c/0x2a0", " </TASK>"] if stack else []
        if where == "vm-debug.log":
            run.edit(where, "guest: done", "\n".join([line] + trace + ["guest: done"]))
        else:
            with open(run.path(where), "a") as f:
                f.write("".join(STAMP + l + "\n" for l in [line] + trace))
        want = pattern or re.escape(line[:30])
        if stack:
            want += r".*stack: io_zcrx_ring_refill < io_pp_zc_alloc_netmems"
        return red(run, r"kernel log", r"no splats", want)
    return case


SPLATS = {
    "warning": "WARNING: CPU: 1 PID: 245 at net/core/page_pool.c:1105 "
               "page_pool_destroy+0x2a3/0x2f0",
    "pool_stalled": "page_pool_release_retry() stalled pool shutdown: id 7, 1 inflight 60 sec",
    "netdev_waiting": "unregister_netdevice: waiting for eni1np1 to become free. Usage count = 3",
    "dma_api": "DMA-API: netdevsim netdevsim1: device driver tries to free DMA memory it has "
               "not allocated [device address=0x0000000000001000] [size=4096 bytes]",
    "iommu_fault": "DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x7f3e2000 "
                   "[fault reason 0x05] PTE Write access is not set",
    "iommu_fault_status": "DMAR: DRHD: handling fault status reg 2",
    "hung_task": "INFO: task kworker/u8:2:61 blocked for more than 600 seconds.",
    "soft_lockup": "watchdog: BUG: soft lockup - CPU#1 stuck for 127s! [iou-zcrx:812]",
    "ubsan": "UBSAN: array-index-out-of-bounds in net/zcrx/zcrx.c:210:9",
    "refcount": "refcount_t: underflow; use-after-free.",
    "kasan": "BUG: KASAN: slab-use-after-free in io_zcrx_ring_refill+0x5a1/0x6c0",
    "rcu_stall": "rcu: INFO: rcu_preempt self-detected stall on CPU",
    "ref_tracker": "ref_tracker: eni1np1@ffff888004a2c5c8 has 1/2 users at",
    "kmemleak_off": "kmemleak: Kernel memory leak detector disabled",
}


def case_dma_api_info_is_not_a_splat(run):
    with open(run.path("dmesg.txt"), "a") as f:
        f.write(STAMP + "DMA-API: preallocated 65536 debug entries\n")
        f.write(STAMP + "DMA-API: debugging enabled by kernel config\n")
    return green(run)


def case_console_test_output_is_not_a_splat(run):
    run.edit("vm-debug.log", "guest: done",
             "# # WARNING: the test said so, not the kernel\nguest: done")
    return green(run)


def case_splat_in_boot_log_only(run):
    run.edit("dmesg-boot.txt", "] ok 6 zcrx_netlink\n",
             "] ok 6 zcrx_netlink\n" + STAMP + "BUG: sleeping function called from invalid context "
             "at mm/slab.h:202\n")
    return red(run, r"kernel log", r"no splats", r"dmesg-boot\.txt:\d+: BUG: sleeping function")


def case_kmemleak_at_boot(run):
    run.write("kmemleak-boot.txt", """\
unreferenced object 0xffff888008a1c400 (size 512):
  comm "kunit_try_catch", pid 97, jiffies 4294894017
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace (crc 5c2c3a1e):
    kmemleak_alloc+0x4a/0x80
    __kmalloc_cache_noprof+0x2c6/0x3d0
    zcrx_test_fake_queue_alloc+0x41/0x1a0
    zcrx_open_rollback_start+0x1e6/0x600
    kunit_try_run_case+0x13e/0x330
""")
    return red(run, r"kernel log", r"after boot", r"1 unreferenced object.*kunit_try_catch.*"
               r"zcrx_test_fake_queue_alloc < zcrx_open_rollback_start.*kmemleak-boot\.txt")


def case_kmemleak_scan_failed(run):
    run.remove("kmemleak.txt")
    run.write("kmemleak.err", "check.sh: line 40: echo: write error: Operation not permitted\n")
    return red(run, r"kernel log", r"after the kselftests", r"scan failed.*not permitted")


def case_kmemleak_report_missing(run):
    run.remove("kmemleak-boot.txt")
    return red(run, r"kernel log", r"after boot", r"did not save")


OOPS = """\
BUG: kernel NULL pointer dereference, address: 0000000000000010
#PF: supervisor read access in kernel mode
#PF: error_code(0x0000) - not-present page
Oops: Oops: 0000 [#1] PREEMPT SMP KASAN
CPU: 1 UID: 0 PID: 812 Comm: iou-zcrx Not tainted 6.12.117+ #3
RIP: 0010:io_zcrx_recv_skb+0x123/0x4d0
Call Trace:
 <TASK>
 ? __die+0x1f/0x60
 io_zcrx_tcp_recvmsg+0x10a/0x2b0
 io_recvzc+0x1a9/0x3b0
 io_issue_sqe+0x8c/0x9d0
 </TASK>
Kernel panic - not syncing: Fatal exception in interrupt
"""


def crash(run, oops):
    """The console of a guest that died in iou-zcrx.py: no dmesg.txt, no
    final kmemleak report, no 'guest: done'."""
    text = run.read("vm-debug.log")
    run.write("vm-debug.log", text[:text.index("# ok 6 iou-zcrx.")] + oops)
    text = run.read("kselftest.ktap")
    run.write("kselftest.ktap", text[:text.index("# ok 6 iou-zcrx.")])
    run.remove("dmesg.txt")
    run.remove("kmemleak.txt")


def case_crash_oops(run):
    crash(run, OOPS)
    _, _, recs = run.verdict()
    if any(r[0] == "PASS" and r[2] == "no splats" for r in recs):
        raise AssertionError("a crashed guest got 'no splats: PASS'")
    return red(run, r"kernel log", r"no splats",
               r"^crashed: BUG: kernel NULL pointer dereference.*RIP: 0010:io_zcrx_recv_skb"
               r".*stack: io_zcrx_tcp_recvmsg < io_recvzc")


def case_crash_without_oops(run):
    crash(run, "")
    return red(run, r"kernel log", r"no splats", r"^crashed \(or was killed\)")


def case_oops_with_done(run):
    run.edit("vm-debug.log", "guest: done", OOPS + "guest: done")
    return red(run, r"kernel log", r"no splats", r"^crashed: BUG: kernel NULL")


def case_no_console(run):
    run.remove("vm-debug.log")
    return red(run, r"kernel log", r"no splats", r"no console log")


def case_checkpatch_exit_status(run):
    cp = subprocess.CompletedProcess
    died = cp([], 2, "", "Can't locate object method \"new\" via package \"Foo\" at "
                         "scripts/checkpatch.pl line 1.\n")
    st, detail = static.checkpatch_verdict(died)
    if st != "FAIL" or "exited with 2" not in detail:
        raise AssertionError(f"checkpatch died, verdict {st}: {detail}")
    issue = cp([], 1, "net/zcrx/zcrx.c:12: CHECK:SPACING: spaces preferred\n", "")
    clean = cp([], 0, "", "")
    if static.checkpatch_verdict(issue)[0] != "FAIL" or \
       static.checkpatch_verdict(clean) != ("PASS", ""):
        raise AssertionError("checkpatch with an issue or clean: wrong verdict")
    return detail


def case_real_lists_parse(run):
    want = results.read_expected(os.path.join(HARNESS, "kunit.expected"))
    if not want or not all(isinstance(n, int) and n > 0 for n in want.values()):
        raise AssertionError(f"harness/kunit.expected: {want}")
    for name in os.listdir(HARNESS):
        if name.startswith("skips-") and name.endswith(".list"):
            _, bad = results.read_skips(os.path.join(HARNESS, name))
            if bad:
                raise AssertionError("; ".join(b[3] for b in bad))
    return f"{len(want)} KUnit suites expected"


def case_cli_as_check_sh_calls_it(run):
    """results.py's command line, with the arguments check.sh passes."""
    py = [sys.executable, os.path.join(HARNESS, "results.py")]
    calls = [["kunit", run.path("dmesg-boot.txt"), run.path("../kunit.expected")],
             ["kselftest", run.path("kselftest.ktap"), run.path("../kselftests.list"), run.skips],
             ["kernel-log", run.res],
             ["ktap", "zcrx library", run.path("zcrx-lib.ktap"), "3"]]
    paths = []
    for i, args in enumerate(calls):
        p = subprocess.run(py + args, capture_output=True, text=True)
        if p.returncode:
            raise AssertionError(f"results.py {args[0]}: exit {p.returncode}: {p.stderr[-300:]}")
        paths.append(run.path(f"rec{i}"))
        with open(paths[-1], "w") as f:
            f.write(p.stdout)
    p = subprocess.run(py + ["summary"] + paths, capture_output=True, text=True)
    last = p.stdout.strip().splitlines()[-1]
    if p.returncode != 1 or not re.match(r"\d+ passed, 1 failed, 0 skipped$", last):
        raise AssertionError(f"summary exit {p.returncode}: {last}")
    return last


def cases():
    out = ktap.cases(globals())
    out += [(f"splat_{k}", splat_case(v)) for k, v in SPLATS.items()]
    out += [("splat_on_console_only", splat_case(SPLATS["warning"], "vm-debug.log"))]
    return out


if __name__ == "__main__":
    sys.exit(ktap.run(cases(), "zcrx-selftest-", Run))
