#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of 'make bench''s verdicts (harness/bench.py), on the host.

The cases give bench.py transfers the way the guest records them (one
"run k=v..." line each, built here from a template) and check what the
report makes of them: the figures per GiB, a transfer that must fail (a
short transfer, a receiver that ran in the wrong mode, NAPI runtime
charged to another task, a planned transfer the guest never recorded),
the issue's ratio targets met and not met, the comparison with the
previous run within and beyond 2%, and the retransmission column. The
plots are left out (they need Debian's matplotlib). Prints KTAP; exits 1
if any case fails.
"""

import contextlib
import importlib.util
import os
import sys
import types

import ktap

HARNESS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GIB = 1 << 30


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HARNESS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = load("bench")


def transfer(path="copy", mtu="4096", flows="1", consume="read", rep="1",
             task=0.5, napi=1.0, dma=0.4, **over):
    """A transfer of 1 GiB as the guest records it: TASK s in the receiving
    task, NAPI s in its NAPI threads, DMA s of it netdevsim's copies."""
    r = {
        "path": path, "mtu": mtu, "flows": flows, "consume": consume,
        "buf": "page", "delivery": "wire", "rep": rep, "rx_rc": "0",
        "tx_rc": "0", "expect_bytes": str(GIB), "bytes": str(GIB),
        "mode": path, "conns": flows,
        "verified": "yes" if consume == "verify" else "off",
        "task_s": "%.6f" % task, "cpu_user_s": "0.1", "cpu_sys_s": "0.1",
        "napi_ns": "%d" % (napi * 1e9), "poll_ns": "%d" % (napi * 1e9),
        "dma_ns": "%d" % (dma * 1e9), "dma_bytes": str(GIB + 4096),
        "guest_ns": "%d" % ((task + napi) * 2e9), "softirq_ticks": "0",
        "irq_ticks": "0", "data_calls": "4096", "syscalls": "8192",
        "zc_bytes": str(GIB) if path == "zc" else "0",
        "copy_bytes": "0" if path == "zc" else str(GIB),
        "q_packets": "1000", "q_hds_packets": "1000", "retrans": "0",
    }
    r.update({k: str(v) for k, v in over.items()})
    return r


def write_runs(tmp, runs):
    path = os.path.join(tmp, "runs.txt")
    with open(path, "w") as f:
        for r in runs:
            f.write("run " + " ".join("%s=%s" % kv for kv in r.items()) + "\n")
    return path


def report(tmp, runs, planned=None, prev=None):
    """The markdown and the transfers, as 'bench.py report' makes them."""
    rows = bench.complete([bench.derive(r) for r in
                           bench.parse(write_runs(tmp, runs), "run")],
                          planned if planned is not None else
                          [dict((k, r[k]) for k in bench.KEYS + ("rep",))
                           for r in runs])
    args = types.SimpleNamespace(kernel="k", rev="r", mib=1024, icount=1,
                                 prev_rev="p")
    prev_pts = None
    if prev is not None:
        csv_path = os.path.join(tmp, "prev.csv")
        bench.write_csv(csv_path, [bench.derive(dict(r)) for r in prev])
        prev_pts = bench.read_prev(csv_path)
    return bench.markdown(rows, bench.points(rows), args, prev_pts), rows


def pair(mtu="4096", flows="1", consume="read", rep="1", zc_task=0.5,
         zc_napi=1.0, copy_task=0.5, copy_napi=1.0):
    return [transfer("copy", mtu, flows, consume, rep, copy_task, copy_napi),
            transfer("zc", mtu, flows, consume, rep, zc_task, zc_napi)]


def headline(md, flows):
    line = [ln for ln in md.splitlines()
            if ln.startswith("- %s flow(s): receiver CPU" % flows)]
    if len(line) != 1:
        raise AssertionError("no target line for %s flow(s)" % flows)
    return line[0]


def case_plan_alternates_the_first_path(tmp):
    out = os.path.join(tmp, "plan.txt")
    with open(out, "w") as f, contextlib.redirect_stdout(f):
        bench.plan(types.SimpleNamespace(repeat=2, full=False))
    xfers = bench.parse(out, "xfer")
    if len(xfers) != 52:
        raise AssertionError("%d transfers planned for 2 repetitions, not 52" % len(xfers))
    first = [r["path"] for r in xfers if r["rep"] == "1"][:2]
    second = [r["path"] for r in xfers if r["rep"] == "2"][:2]
    if first != ["copy", "zc"] or second != ["zc", "copy"]:
        raise AssertionError("first paths %s then %s" % (first, second))
    return "26 points, the pair's order swapped in repetition 2"


def case_figures_per_gib(tmp):
    _, rows = report(tmp, [transfer("copy", task=0.5, napi=1.0, dma=0.4),
                           transfer("zc", task=0.25, napi=1.0, dma=0.4)])
    c, z = rows
    got = (c["rx_cpu_s_gib"], c["rx_cpu_nodma_s_gib"], c["copied_per_byte"],
           z["rx_cpu_s_gib"], z["copied_per_byte"])
    want = ("1.5000", "1.1000", "1", "1.2500", "0.000000")
    if got != want:
        raise AssertionError("figures %s, expected %s" % (got, want))
    return "recv() 1.5 s/GiB (1.1 without DMA), RECV_ZC 1.25, copied 1 and 0"


def case_bad_transfers_fail(tmp):
    runs = [transfer(rep="1", bytes=GIB // 2),
            transfer(rep="2", mode="zc"),
            transfer(rep="3", napi_ns=int(0.9e9), poll_ns=int(1e9))]
    md, rows = report(tmp, runs)
    reasons = [r["reason"] for r in rows]
    for want, got in zip(("received", "mode zc", "charged to other tasks"), reasons):
        if want not in got:
            raise AssertionError("reason %r, expected it to name %r" % (got, want))
    if "| 0/3 FAILED |" not in md:
        raise AssertionError("the point is not shown as failed")
    return "; ".join(reasons)


def case_missing_transfer_fails(tmp):
    runs = pair()
    planned = [dict((k, r[k]) for k in bench.KEYS + ("rep",)) for r in runs]
    planned.append(dict(planned[0], rep="2"))
    _, rows = report(tmp, runs, planned)
    missing = [r for r in rows if r["status"] != "ok"]
    if len(missing) != 1 or "missing" not in missing[0]["reason"]:
        raise AssertionError("unrecorded transfer: %s" % missing)
    return missing[0]["reason"]


def targets(read, none):
    """Both flow counts at MTU 4096, read and none: READ and NONE are
    (RECV_ZC task, RECV_ZC NAPI, recv() task, recv() NAPI) in s/GiB."""
    runs = []
    for f in ("1", "4"):
        runs += pair(flows=f, zc_task=read[0], zc_napi=read[1],
                     copy_task=read[2], copy_napi=read[3])
        runs += pair(flows=f, consume="none", zc_task=none[0], zc_napi=none[1],
                     copy_task=none[2], copy_napi=none[3])
    return runs


def case_targets_met(tmp):
    # read: (0.3 + 0.6) / (1.0 + 1.0) = 0.45; none, DMA aside:
    # (0.05 + 0.6 - 0.4) / (1.0 + 1.0 - 0.4) = 0.16
    md, _ = report(tmp, targets((0.3, 0.6, 1.0, 1.0), (0.05, 0.6, 1.0, 1.0)))
    line = headline(md, "4")
    if "0.45 (<= 0.50: met)" not in line or "0.16 (<= 0.25: met)" not in line:
        raise AssertionError(line)
    return line


def case_targets_not_met(tmp):
    md, _ = report(tmp, targets((0.5, 1.0, 0.6, 1.0), (0.1, 1.0, 0.3, 1.0)))
    line = headline(md, "1")
    if line.count("NOT met") != 2:
        raise AssertionError(line)
    return line


def case_repeat_within_two_percent(tmp):
    md, _ = report(tmp, pair(copy_task=0.5), prev=pair(copy_task=0.52))
    if "largest difference 1.32% (target: within 2%: met)" not in md:
        raise AssertionError([ln for ln in md.splitlines() if "largest" in ln])
    return "1.32%: met"


def case_repeat_beyond_two_percent(tmp):
    md, _ = report(tmp, pair(zc_task=0.5), prev=pair(zc_task=0.45))
    if "largest difference 3.45% (target: within 2%: NOT met)" not in md:
        raise AssertionError([ln for ln in md.splitlines() if "largest" in ln])
    row = [ln for ln in md.splitlines() if "| RECV_ZC |" in ln and "+3.45" in ln]
    if not row:
        raise AssertionError("the point that moved is not shown with its difference")
    return "3.45%: NOT met"


def case_retransmissions_shown(tmp):
    runs = [transfer(rep=r, retrans=n) for r, n in (("1", 0), ("2", 300), ("3", 500))]
    md, _ = report(tmp, runs)
    row = [ln for ln in md.splitlines() if ln.startswith("| 4096 | 1 | recv() | read")]
    if not row or not row[0].rstrip().endswith("| 300 |"):
        raise AssertionError("row %s, expected the median 300 last" % row)
    return "median 300 retransmitted segments"


if __name__ == "__main__":
    sys.exit(ktap.run(ktap.cases(globals()), "zcrx-bench-test-"))
