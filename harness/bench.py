#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the transfers 'make bench' recorded into a CSV, a markdown table
and a plot.

The guest (harness/guest/bench.sh) writes one line per transfer:

    run path=copy|zc mtu=M flows=F rep=K rx_rc=N tx_rc=N expect_bytes=B
        run_s=S q_packets=... q_hds_packets=... in_octets=... <summary>

where <summary> is zcrx-recv's summary line (mode, bytes, verified,
zc_bytes, copy_bytes, cpu_user_s, cpu_sys_s, cpu_s_per_gib, mib_s, ...).

  bench.py --runs FILE --out PREFIX --mib MIB --repeat R --mtus M,M
           --flows F,F [--verify 1|0] [--irq-time 1|0] [--kernel RELEASE]
           [--rev REV]

writes PREFIX.csv (one row per transfer, raw), PREFIX.md (one row per
point: medians and min..max, then the RECV_ZC/recv() ratios) and
PREFIX.png, prints the markdown, and exits 1 if a transfer failed or is
missing.
"""

import argparse
import csv
import os
import statistics
import sys
import textwrap

PATHS = ("copy", "zc")
LABEL = {"copy": "recv() copy", "zc": "RECV_ZC"}
GIB = float(1 << 30)
TARGET_MTU = 4096
TARGET_RATIO = 0.6

# CSV columns, in order; anything else the summary has is dropped.
COLUMNS = [
    "path", "mtu", "flows", "rep", "status", "reason",
    "bytes", "expect_bytes", "verified", "conns", "errors",
    "copy_bytes", "zc_bytes", "copied_per_byte", "copied_source", "zc_pct",
    "wall_s", "cpu_user_s", "cpu_sys_s", "cpu_s", "cpu_s_per_gib",
    "user_s_per_gib", "sys_s_per_gib", "mib_s",
    "q_packets", "q_hds_packets", "hds_pct", "q_drop_no_buf",
    "in_octets", "in_segs", "seg_bytes", "rcv_coalesce",
    "rearm_enospc", "rearm_enomem", "rq_full", "alloc_misses",
    "rq_rejected", "rx_rc", "tx_rc", "run_s",
]

METHOD = """\
Method. Each point is a TCP transfer over a linked netdevsim pair in one
guest (QEMU TCG, release kernel), receiver in netns zsrv with
`tcp-data-split on`, `hds-thresh 0`, queue 3 out of the RSS table and an
ntuple rule steering the port to queue 3; `zcrx-send` in netns zcli.
Both paths receive on the same queue in the same boot; copy and RECV_ZC
transfers alternate (their order swaps every repetition) so that host
noise falls on both.
%(verify)s

- CPU: the receiver process's own CPU time, `getrusage(RUSAGE_SELF)` user
  + system (every thread, io_uring's io-wq workers included), as
  `zcrx-recv` reports it, per GiB received (the total is the scheduler's
  exact runtime; its user/system split is by sampled ticks, so the user
  and sys columns are approximate). Softirq work done outside the
  receiver's context is charged to neither path: in particular
  netdevsim's NAPI poll, which "DMAs" the payload into page-pool buffers
  by a CPU copy, is raised by the sender's transmit and mostly runs on its
  way out of it (or in ksoftirqd), as does the TCP input that finds the
  socket not locked by the receiver.
  %(irqtime)s
  %(user)s
  Guest time under TCG follows the host clock, so it is not immune to host
  noise: the alternation and the medians are what make ratios comparable,
  not an instruction count (QEMU `-icount` was not used).
- Bytes copied per payload byte: for RECV_ZC, `copy-bytes` / bytes
  received, from the kernel's per-ifq counters in the ring's fdinfo
  (`zc-bytes` and `copy-bytes` count what RECV_ZC handed over in place and
  what it had to copy); for recv(), 1 by construction: recv() can only
  return bytes by copying them into the user buffer (no kernel counter).
- Header split: netdevsim's `rx3_hds_packets` / `rx3_packets` over the
  transfer (ethtool -S).
- B/segment: payload bytes per TCP segment received (`TcpInSegs` from
  nstat). netdevsim offers TSO and hands the sender's GSO packets to the
  peer whole, so the receiver sees segments of up to 64 KiB at any MTU:
  the MTU sets the segment size inside them, not the number of packets
  the receive path handles.
- Medians over the repetitions, spread as min..max. The ratio is taken
  within this run: median RECV_ZC CPU/GiB over median recv() CPU/GiB at
  the same MTU and flow count; "pairs" is the range of the per-repetition
  ratios (copy and RECV_ZC transfers of the same repetition)."""


def num(v):
    """A summary value as a number, or None if absent or not a number."""
    if v is None or v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return int(f) if f.is_integer() and "." not in v else f


def parse_runs(path):
    """The "run ..." lines of FILE as dicts of strings."""
    runs = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words or words[0] != "run":
                continue
            runs.append(dict(w.split("=", 1) for w in words[1:] if "=" in w))
    return runs


def failure(r, verify):
    """Why the transfer R failed, or None if it did not."""
    if "mode" not in r:
        return "no receiver summary"
    if r.get("rx_rc") != "0":
        return "receiver exit " + r.get("rx_rc", "?")
    if r.get("tx_rc") != "0":
        return "sender exit " + r.get("tx_rc", "?")
    if r.get("verified") != ("yes" if verify else "off"):
        return "verified=" + r.get("verified", "?")
    if r.get("bytes") != r.get("expect_bytes"):
        return "received %s of %s bytes" % (r.get("bytes"), r.get("expect_bytes"))
    if r.get("conns") != r.get("flows"):
        return "%s of %s connections" % (r.get("conns"), r.get("flows"))
    if r.get("mode") != r.get("path"):
        return "receiver ran in mode " + r.get("mode", "?")
    return None


def derive(r, verify):
    """Add the per-byte figures and the status to the transfer R."""
    reason = failure(r, verify)
    r["status"] = "failed" if reason else "ok"
    r["reason"] = reason or ""
    nbytes = num(r.get("bytes"))
    if nbytes:
        for key, src in (("user_s_per_gib", "cpu_user_s"),
                         ("sys_s_per_gib", "cpu_sys_s")):
            v = num(r.get(src))
            if v is not None:
                r[key] = "%.3f" % (v / (nbytes / GIB))
        copied = num(r.get("copy_bytes"))
        zc = num(r.get("zc_bytes"))
        if r.get("path") == "copy":
            r["copied_per_byte"] = "1"
            r["copied_source"] = "recv() copies every byte"
        elif copied is not None and (copied or zc):
            r["copied_per_byte"] = "%.6f" % (copied / nbytes)
            r["copied_source"] = "fdinfo copy-bytes"
        else:
            r["copied_source"] = "fdinfo not read"
        segs = num(r.get("in_segs"))
        if segs:
            r["seg_bytes"] = "%.0f" % (nbytes / segs)
    pk, hds = num(r.get("q_packets")), num(r.get("q_hds_packets"))
    if pk:
        r["hds_pct"] = "%.1f" % (100.0 * hds / pk)
    return r


def wrap(text, indent):
    """TEXT wrapped to 72 columns for METHOD, lines after the first
    indented by INDENT (the first one is, in METHOD)."""
    return textwrap.fill(text, 72 - len(indent), break_on_hyphens=False,
                         subsequent_indent=indent)


def expected(args):
    """Every (mtu, flows, rep, path) the matrix should have."""
    return [(m, f, k, p) for m in args.mtus for f in args.flows
            for k in range(1, args.repeat + 1) for p in PATHS]


def key_of(r):
    return (r.get("mtu"), r.get("flows"), int(r.get("rep", 0)), r.get("path"))


def complete(runs, args):
    """RUNS plus a failed row for each transfer the guest did not record."""
    have = {key_of(r) for r in runs}
    for m, f, k, p in expected(args):
        if (m, f, k, p) not in have:
            runs.append({"path": p, "mtu": m, "flows": f, "rep": str(k),
                         "status": "failed",
                         "reason": "missing: the guest did not record it"})
    order = {e: i for i, e in enumerate(expected(args))}
    runs.sort(key=lambda r: order.get(key_of(r), len(order)))
    return runs


def write_csv(path, runs):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in runs:
            w.writerow(r)


def values(runs, key):
    """The numeric KEY of the transfers that succeeded."""
    return [v for v in (num(r.get(key)) for r in runs
                        if r["status"] == "ok") if v is not None]


def med(vals, fmt="%.2f", spread=True):
    """Median, with min..max when there is more than one value."""
    if not vals:
        return "-"
    s = fmt % statistics.median(vals)
    if spread and len(vals) > 1:
        s += " (" + fmt % min(vals) + ".." + fmt % max(vals) + ")"
    return s


def points(runs, args):
    """{(mtu, flows, path): [transfers]} in matrix order."""
    pts = {}
    for m in args.mtus:
        for f in args.flows:
            for p in PATHS:
                pts[(m, f, p)] = [r for r in runs
                                  if (r["mtu"], r["flows"], r["path"]) == (m, f, p)]
    return pts


def ratio(zc, copy):
    if not zc or not copy:
        return None
    c = statistics.median(copy)
    return statistics.median(zc) / c if c else None


def pair_ratios(pts, m, f, key):
    """Per-repetition RECV_ZC/recv() ratios of KEY at (M, F)."""
    by_rep = {}
    for p in PATHS:
        for r in pts[(m, f, p)]:
            v = num(r.get(key))
            if r["status"] == "ok" and v is not None:
                by_rep.setdefault(r["rep"], {})[p] = v
    return [d["zc"] / d["copy"] for d in by_rep.values()
            if len(d) == 2 and d["copy"]]


def markdown(runs, args):
    """bench.md: the method, one row per point, the ratios."""
    pts = points(runs, args)
    nfail = sum(r["status"] != "ok" for r in runs)
    out = [
        "# make bench: RECV_ZC vs recv(), netdevsim pair under QEMU TCG",
        "",
        "Kernel %s (release flavour), repo %s; %d MiB per transfer, %d "
        "repetition(s) per point; %d transfer(s), %d failed."
        % (args.kernel, args.rev, args.mib, args.repeat, len(runs), nfail),
        "",
        METHOD % {k: wrap(v, "" if k == "verify" else "  ") for k, v in {
            "verify": "The receivers check every byte against the "
                      "sender's pattern (`--verify`)." if args.verify else
                      "The receivers do not check the data "
                      "(BENCH_VERIFY=0).",
            "irqtime": "The kernel accounts softirq time apart "
                       "(IRQ_TIME_ACCOUNTING): none is charged to the "
                       "receiver." if args.irq_time else
                       "The kernel has no IRQ_TIME_ACCOUNTING, so a softirq "
                       "that happens to run while the receiver is on the CPU "
                       "(an ACK that lets the sender transmit, a NAPI poll) "
                       "is charged to the receiver, on either path: a "
                       "likely source of the spread in the sys column.",
            "user": "User time includes the pattern check of `--verify`, "
                    "the same work on both paths." if args.verify else
                    "The receivers do not read the data (no `--verify`).",
        }.items()},
        "",
        "| MTU | flows | path | ok | CPU s/GiB | user s/GiB | sys s/GiB "
        "| MiB/s | copied B per payload B | zero-copy % | header split % "
        "| B/segment |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (m, f, p), rs in pts.items():
        ok = sum(r["status"] == "ok" for r in rs)
        out.append("| %s | %s | %s | %d/%d%s | %s | %s | %s | %s | %s | %s | %s "
                   "| %s |" % (
            m, f, LABEL[p], ok, len(rs), "" if ok == len(rs) else " FAILED",
            med(values(rs, "cpu_s_per_gib")),
            med(values(rs, "user_s_per_gib"), spread=False),
            med(values(rs, "sys_s_per_gib"), spread=False),
            med(values(rs, "mib_s"), "%.1f"),
            med(values(rs, "copied_per_byte"), "%.3f"),
            med(values(rs, "zc_pct"), "%.1f", spread=False) if p == "zc" else "0",
            med(values(rs, "hds_pct"), "%.1f", spread=False),
            med(values(rs, "seg_bytes"), "%.0f", spread=False)))
    out += [
        "",
        "RECV_ZC / recv(), same run:",
        "",
        "| MTU | flows | CPU/GiB ratio | pairs | sys-only ratio | throughput ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for m in args.mtus:
        for f in args.flows:
            z, c = pts[(m, f, "zc")], pts[(m, f, "copy")]
            cpu = ratio(values(z, "cpu_s_per_gib"), values(c, "cpu_s_per_gib"))
            sys_ = ratio(values(z, "sys_s_per_gib"), values(c, "sys_s_per_gib"))
            tput = ratio(values(z, "mib_s"), values(c, "mib_s"))
            pairs = pair_ratios(pts, m, f, "cpu_s_per_gib")
            out.append("| %s | %s | %s | %s | %s | %s |" % (
                m, f, "-" if cpu is None else "%.2f" % cpu,
                "%.2f..%.2f" % (min(pairs), max(pairs)) if pairs else "-",
                "-" if sys_ is None else "%.2f" % sys_,
                "-" if tput is None else "%.2f" % tput))
    if str(TARGET_MTU) in args.mtus:
        for f in args.flows:
            cpu = ratio(values(pts[(str(TARGET_MTU), f, "zc")], "cpu_s_per_gib"),
                        values(pts[(str(TARGET_MTU), f, "copy")], "cpu_s_per_gib"))
            if cpu is None:
                continue
            out.append("")
            out.append("Target (issue 6): RECV_ZC CPU/GiB <= %.1fx recv() at MTU %d: "
                       "%.2f with %s flow(s), %s." % (
                           TARGET_RATIO, TARGET_MTU, cpu, f,
                           "met" if cpu <= TARGET_RATIO else "NOT met"))
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        out += ["", "Failed transfers:", ""]
        out += ["- mtu %s, %s flow(s), %s, repetition %s: %s" % (
            r["mtu"], r["flows"], LABEL[r["path"]], r["rep"], r["reason"])
            for r in failed]
    return "\n".join(out) + "\n"


def plot(path, runs, args):
    """CPU s/GiB per path per MTU, one panel per flow count; the darker
    part of each bar is the median system time."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = points(runs, args)
    fig, axes = plt.subplots(1, len(args.flows), sharey=True, squeeze=False,
                             figsize=(4.5 * len(args.flows), 4.2))
    width = 0.38
    top = 0
    for ax, f in zip(axes[0], args.flows):
        for i, p in enumerate(PATHS):
            xs, ys, lo, hi, sys_ = [], [], [], [], []
            for j, m in enumerate(args.mtus):
                v = values(pts[(m, f, p)], "cpu_s_per_gib")
                if not v:
                    continue
                y = statistics.median(v)
                xs.append(j + (i - 0.5) * width)
                ys.append(y)
                lo.append(y - min(v))
                hi.append(max(v) - y)
                s = values(pts[(m, f, p)], "sys_s_per_gib")
                sys_.append(min(statistics.median(s), y) if s else 0)
                top = max(top, max(v))
            color = "C%d" % i
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, color=color,
                   alpha=0.45, label=LABEL[p] + ": total")
            ax.bar(xs, sys_, width, color=color, label=LABEL[p] + ": sys")
        ax.set_xticks(range(len(args.mtus)))
        ax.set_xticklabels(args.mtus)
        ax.set_xlabel("MTU")
        ax.set_title("%s flow%s" % (f, "" if f == "1" else "s"))
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylim(0, top * 1.35)
    axes[0][0].set_ylabel("receiver CPU s per GiB (median, min..max)")
    axes[0][-1].legend(loc="upper right", ncol=2, fontsize="small")
    fig.suptitle("RECV_ZC vs recv(): netdevsim, QEMU TCG, %d MiB x %d%s"
                 % (args.mib, args.repeat,
                    "" if args.verify else ", no --verify"))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out", required=True, help="output prefix")
    ap.add_argument("--mib", type=int, required=True)
    ap.add_argument("--repeat", type=int, required=True)
    ap.add_argument("--mtus", required=True)
    ap.add_argument("--flows", required=True)
    ap.add_argument("--verify", type=int, choices=(0, 1), default=1,
                    help="1 if the receivers ran with --verify")
    ap.add_argument("--irq-time", type=int, choices=(0, 1), default=0,
                    help="1 if the kernel has CONFIG_IRQ_TIME_ACCOUNTING")
    ap.add_argument("--kernel", default="unknown")
    ap.add_argument("--rev", default="unknown")
    args = ap.parse_args()
    args.mtus = args.mtus.split(",")
    args.flows = args.flows.split(",")

    runs = complete([derive(r, args.verify) for r in parse_runs(args.runs)],
                    args)
    write_csv(args.out + ".csv", runs)
    md = markdown(runs, args)
    with open(args.out + ".md", "w") as f:
        f.write(md)
    plot(args.out + ".png", runs, args)
    print(md, end="")
    for ext in ("csv", "md", "png"):
        print("bench: wrote %s.%s" % (os.path.relpath(args.out), ext))
    nfail = sum(r["status"] != "ok" for r in runs)
    if nfail:
        print("bench: %d of %d transfer(s) failed" % (nfail, len(runs)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
