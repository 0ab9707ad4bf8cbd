#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The plan of 'make bench' and the tables and plots of what it measured.

  bench.py plan --repeat R [--full] > PLAN
      the transfers to run, one "xfer key=value..." line each, in order
  bench.py report --plan PLAN --runs FILE --out PREFIX --mib MIB
           [--prev CSV] [--icount 1|0] [--kernel RELEASE] [--rev REV]
      PREFIX.csv (one row per transfer), PREFIX.md (one row per point,
      the ratios, the comparison with the previous run's CSV),
      PREFIX.png and PREFIX-split.png; prints the markdown and exits 1 if
      a transfer failed or is missing.

The guest (harness/guest/bench.sh) writes one line per transfer: "run",
the plan's keys, rx_rc/tx_rc, what changed on the receiver side over the
transfer (napi_ns, guest_ns, irq_ticks, softirq_ticks, dma_ns, dma_bytes,
q_packets, q_hds_packets, ...) and zcrx-recv's summary (bytes, task_s,
cpu_user_s, cpu_sys_s, data_calls, syscalls, zc_bytes, copy_bytes, ...).
"""

import argparse
import csv
import os
import statistics
import sys

GIB = float(1 << 30)
USER_HZ = 100
LABEL = {"copy": "recv()", "zc": "RECV_ZC"}
TARGET_MTU = "4096"
TARGET_READ = 0.5      # receiver CPU/GiB, --consume read, RECV_ZC / recv()
TARGET_KERNEL = 0.25   # the same with --consume none, DMA set aside
TARGET_REPEAT = 2.0    # % between two runs, per point
# the least share of netdevsim's poll time (rxN_poll_ns, its clock) that the
# NAPI threads' runtime must show for the accounting to be trusted
POLL_SHARE = 0.98
KEYS = ("path", "mtu", "flows", "consume", "buf", "delivery")

# CSV columns, in order
COLUMNS = list(KEYS) + [
    "rep", "status", "reason", "bytes", "expect_bytes", "verified", "conns",
    "rx_cpu_s_gib", "rx_cpu_nodma_s_gib", "task_s_gib", "user_s_gib",
    "sys_s_gib", "napi_s_gib", "dma_s_gib", "softirq_s_gib", "irq_s_gib",
    "guest_s_gib", "guest_nodma_s_gib", "cqes_gib", "bytes_per_cqe",
    "syscalls_gib", "copied_per_byte", "zc_pct", "hds_pct", "mib_s",
    "task_s", "cpu_user_s", "cpu_sys_s", "napi_ns", "poll_ns", "dma_ns",
    "dma_bytes",
    "guest_ns", "softirq_ticks", "irq_ticks", "data_calls", "syscalls",
    "zc_bytes", "copy_bytes", "q_packets", "q_hds_packets", "q_drop_no_buf",
    "in_segs", "rcv_coalesce", "retrans", "rearm_enospc", "rearm_enomem",
    "rq_full", "alloc_misses", "rq_rejected", "rx_rc", "tx_rc", "run_s",
]


def plan(args):
    """The transfers, repetitions outermost; in a repetition the points
    grouped by MTU, recv() and RECV_ZC of a point next to each other, their
    order swapped every other repetition."""
    mtus = ("1500", "4096", "9000")
    pts = []
    for m in mtus:
        for f in ("1", "4"):
            consumes = ["read"]
            if m == TARGET_MTU or args.full:
                consumes += ["none", "verify"]
            for c in consumes:
                for p in ("copy", "zc"):
                    pts.append((p, m, f, c, "page", "wire"))
            # large buffers pay off when the NIC coalesces (HW-GRO)
            if m == TARGET_MTU or args.full:
                for c in (("read", "none") if args.full else ("read",)):
                    pts.append(("copy", m, f, c, "page", "hw-gro"))
                    pts.append(("zc", m, f, c, "page", "hw-gro"))
                    pts.append(("zc", m, f, c, "64k", "hw-gro"))
    out = []
    for r in range(1, args.repeat + 1):
        for pt in pts:
            out.append(pt + (str(r),))
        if r % 2 == 0:
            # swap each copy/zc pair: the path measured first alternates
            seq = out[-len(pts):]
            for i in range(0, len(seq) - 1):
                a, b = seq[i], seq[i + 1]
                if a[0] == "copy" and b[0] == "zc" and a[1:6] == b[1:6]:
                    seq[i], seq[i + 1] = b, a
            out[-len(pts):] = seq
    for t in out:
        print("xfer " + " ".join("%s=%s" % kv for kv in
                                 zip(KEYS + ("rep",), t)))
    return 0


def num(v):
    """A value as a number, or None if absent or not a number."""
    if v is None or v == "":
        return None
    try:
        return float(v)
    except ValueError:
        return None


def parse(path, word):
    """The "WORD k=v ..." lines of PATH as dicts of strings."""
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if words and words[0] == word:
                rows.append(dict(w.split("=", 1) for w in words[1:]
                                 if "=" in w))
    return rows


def key(r):
    return tuple(r.get(k) for k in KEYS)


def failure(r):
    """Why the transfer R failed, or None if it did not."""
    if "mode" not in r:
        return "no receiver summary"
    if r.get("rx_rc") != "0":
        return "receiver exit " + r.get("rx_rc", "?")
    if r.get("tx_rc") != "0":
        return "sender exit " + r.get("tx_rc", "?")
    want = "yes" if r.get("consume") == "verify" else "off"
    if r.get("verified") != want:
        return "verified=" + r.get("verified", "?")
    if r.get("bytes") != r.get("expect_bytes"):
        return "received %s of %s bytes" % (r.get("bytes"),
                                            r.get("expect_bytes"))
    if r.get("conns") != r.get("flows"):
        return "%s of %s connections" % (r.get("conns"), r.get("flows"))
    if r.get("mode") != r.get("path"):
        return "receiver ran in mode " + r.get("mode", "?")
    for k in ("task_s", "napi_ns", "poll_ns", "dma_ns", "guest_ns",
              "data_calls"):
        if not num(r.get(k)):
            return "no %s: the kernel or the tools lack the counter" % k
    if num(r.get("dma_bytes")) < num(r.get("bytes")):
        return "netdevsim's DMA engine wrote %s bytes, less than the payload" \
            % r.get("dma_bytes")
    # every poll runs in a NAPI thread: their runtime cannot be less than
    # the polls took, unless the scheduler charged it to another task
    if num(r.get("napi_ns")) < POLL_SHARE * num(r.get("poll_ns") or 0):
        return "NAPI threads ran %s ns, their polls took %s ns: runtime " \
            "charged to other tasks" % (r.get("napi_ns"), r.get("poll_ns"))
    return None


def derive(r):
    """Add the per-GiB figures and the status to the transfer R."""
    reason = failure(r)
    r["status"] = "failed" if reason else "ok"
    r["reason"] = reason or ""
    if reason:
        return r
    gib = num(r["bytes"]) / GIB
    task = num(r["task_s"])
    user, sys_ = num(r.get("cpu_user_s")) or 0, num(r.get("cpu_sys_s")) or 0
    # the split is by ticks; the total is the scheduler's exact runtime
    ufrac = user / (user + sys_) if user + sys_ else 0
    napi = num(r["napi_ns"]) / 1e9
    dma = num(r["dma_ns"]) / 1e9
    guest = num(r["guest_ns"]) / 1e9
    fig = {
        "task_s_gib": task / gib,
        "user_s_gib": task * ufrac / gib,
        "sys_s_gib": task * (1 - ufrac) / gib,
        "napi_s_gib": napi / gib,
        "dma_s_gib": dma / gib,
        "rx_cpu_s_gib": (task + napi) / gib,
        "rx_cpu_nodma_s_gib": (task + napi - dma) / gib,
        "softirq_s_gib": num(r["softirq_ticks"]) / USER_HZ / gib,
        "irq_s_gib": num(r["irq_ticks"]) / USER_HZ / gib,
        "guest_s_gib": guest / gib,
        "guest_nodma_s_gib": (guest - dma) / gib,
        "cqes_gib": num(r["data_calls"]) / gib,
        "syscalls_gib": num(r["syscalls"]) / gib,
    }
    for k, v in fig.items():
        r[k] = "%.4f" % v if v < 100 else "%.0f" % v
    r["bytes_per_cqe"] = "%.0f" % (num(r["bytes"]) / num(r["data_calls"]))
    if r["path"] == "copy":
        # recv() can only hand bytes over by copying them
        r["copied_per_byte"] = "1"
    else:
        r["copied_per_byte"] = "%.6f" % (num(r["copy_bytes"]) /
                                         num(r["bytes"]))
    pk, hds = num(r.get("q_packets")), num(r.get("q_hds_packets"))
    if pk:
        r["hds_pct"] = "%.1f" % (100.0 * hds / pk)
    return r


def complete(runs, planned):
    """RUNS in plan order, plus a failed row for each planned transfer the
    guest did not record."""
    have = {key(r) + (r.get("rep"),): r for r in runs}
    out = []
    for p in planned:
        k = key(p) + (p["rep"],)
        if k in have:
            out.append(have[k])
        else:
            out.append(dict(p, status="failed",
                            reason="missing: the guest did not record it"))
    return out


def write_csv(path, runs):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in runs:
            w.writerow(r)


def points(runs):
    """{point: [transfers]} in plan order."""
    pts = {}
    for r in runs:
        pts.setdefault(key(r), []).append(r)
    return pts


def vals(rs, k):
    return [v for v in (num(r.get(k)) for r in rs if r["status"] == "ok")
            if v is not None]


def med(rs, k):
    v = vals(rs, k)
    return statistics.median(v) if v else None


def spread(rs, k):
    """(max - min) / median over the repetitions, in %."""
    v = vals(rs, k)
    if len(v) < 2 or not statistics.median(v):
        return None
    return 100.0 * (max(v) - min(v)) / statistics.median(v)


def f2(v, fmt="%.3f"):
    return "-" if v is None else fmt % v


def ratio(pts, pt, k):
    """RECV_ZC over recv() of median K at the point PT (a zc key)."""
    copy = pts.get(("copy",) + pt[1:])
    zc = pts.get(("zc",) + pt[1:])
    if not copy or not zc:
        return None
    a, b = med(zc, k), med(copy, k)
    return a / b if a is not None and b else None


def fmt_point(pt):
    p, m, f, c, b, d = pt
    return "%s | %s | %s | %s | %s | %s" % (m, f, LABEL[p], c,
                                            "64 KiB" if b == "64k" else "page",
                                            d)


METHOD = """\
Method. Each point is a TCP transfer of {mib} MiB over a linked netdevsim
pair in one guest with one vCPU under QEMU `-icount shift=0,sleep=off`
({icount}): guest time advances by 1 ns per instruction executed, so every
CPU figure below counts instructions and repeats from run to run and from
host to host. The receiver (`zcrx-recv`, netns zsrv, queue 3, header split
on) and the sender (`zcrx-send`, netns zcli) share the vCPU with both ends'
NAPI threads (`/sys/class/net/eth0/threaded`): with one vCPU a task's
runtime is its own instructions, where with several QEMU would charge it
the other vCPUs' instructions too (-icount runs one vCPU at a time on one
clock), and the receiver's NAPI work runs in its own thread instead of the
sender's softirq.

- **Receiver CPU** = the receiving process's runtime (every thread's,
  `CLOCK_PROCESS_CPUTIME_ID`: the scheduler's exact sum, the figure
  `/proc/PID/schedstat` shows) + the runtime of the receiving device's NAPI
  threads (`/proc/PID/schedstat`), per GiB of payload. The tools and the
  NAPI threads run `SCHED_FIFO` at one priority, so that neither a wakeup
  nor the tick preempts and the scheduler reads its clock at every switch
  (a preempting wakeup makes the next switch skip that read, and the
  waker's remaining time goes to the next task: under `SCHED_OTHER`, half
  of each NAPI poll was charged to the receiver); a transfer fails if the
  NAPI threads' runtime is less than the time netdevsim counted in their
  polls (`rx3_poll_ns`). An interrupt's time counts in the runtime of
  the task it interrupted: `IRQ_TIME_ACCOUNTING` (off) takes a softirq's
  time out of whichever task runs at the scheduler's next clock update, and
  a softirq that wakes a task updates that clock halfway through: the
  sender's TSQ tasklet, waking the receiver's NAPI thread, took up to
  0.2 s/GiB out of the receiver's runtime in some transfers and not in
  others. The softirq and hardirq columns are the tick's samples of that
  time (`/proc/stat`). The user/sys split of the task is by sampled ticks
  (`getrusage`), scaled to the exact total.
- **Receiver kernel CPU** = the receiver CPU with `--consume none`: the
  application touches nothing, so what is left is the receive path.
- **Emulated DMA**: netdevsim writes what a NIC would DMA (headers and
  payload, through its IOMMU) by a CPU copy in the receiver's NAPI thread,
  timed with `local_clock()` (ethtool -S `rx3_dma_ns`); a NIC does this
  for free, so "no DMA" columns subtract it.
- **Whole guest CPU**: the time the vCPU ran anything but idle
  (`/proc/schedstat`), sender included.
- Consume modes, both paths alike: `none` touches no payload byte, `read`
  reads each once into a 64-bit sum (the headline), `verify` compares each
  with the sender's pattern.
- CQEs: RECV_ZC completions carrying data; for recv(), calls that returned
  data. Syscalls: `io_uring_enter` (as liburing makes it) or `recv`, `poll`
  and `accept4`, counted by `zcrx-recv`. Bytes copied per payload byte:
  `copy-bytes` of the ring's fdinfo for RECV_ZC, 1 for recv() (it can only
  copy).
- Delivery `wire`: netdevsim hands the receiver MTU-sized frames that GRO
  merges, as behind a NIC without LRO; `hw-gro`: whole GSO packets of up to
  64 KiB, as from a NIC that coalesces (HW-GRO), where 64 KiB rx buffers
  pay off.
- The receiver's sockets have 4 MiB buffers (no autotuning: the size it
  reached from RTT samples differed from transfer to transfer). The
  receiving queue's rx ring has 1024 frames (`ethtool -G eth0 rx 1024`;
  netdevsim drops what does not fit, as a NIC out of rx descriptors
  does) and the sender's TSQ limit (`tcp_limit_output_bytes`) is
  128 KiB, so that four flows' frames in flight fit in the ring: losses
  and TCP's recovery cost recv() at MTU 9000 with four flows 2.25 to
  2.53 s/GiB against 1.91 without. "retransmitted" counts the segments
  the sender sent again in a transfer (`TcpRetransSegs`), to show there
  were none.
- Medians over the repetitions; "spread" is (max - min) / median."""


def markdown(runs, pts, args, prev):
    nfail = sum(r["status"] != "ok" for r in runs)
    reps = max((int(r.get("rep", 0)) for r in runs), default=0)
    out = [
        "# make bench: RECV_ZC vs recv(), netdevsim, QEMU -icount",
        "",
        "Kernel %s (release flavour), repo %s; %d MiB per transfer, %d "
        "repetition(s) per point; %d transfer(s), %d failed."
        % (args.kernel, args.rev, args.mib, reps, len(runs), nfail),
        "",
        METHOD.format(mib=args.mib,
                      icount="on" if args.icount else
                      "OFF in this run: plain TCG, host-timed figures"),
        "",
        "## Headline: receiver CPU per GiB, `--consume read`, page buffers",
        "",
        "| MTU | flows | recv() s/GiB | RECV_ZC s/GiB | ratio | ratio, DMA "
        "set aside | kernel ratio (`none`, DMA set aside) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pt in pts:
        p, m, f, c, b, d = pt
        if p != "zc" or c != "read" or b != "page" or d != "wire":
            continue
        copy = pts.get(("copy",) + pt[1:], [])
        kpt = ("zc", m, f, "none", b, d)
        kr = ratio(pts, kpt, "rx_cpu_nodma_s_gib") if kpt in pts else None
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            m, f, f2(med(copy, "rx_cpu_s_gib")),
            f2(med(pts[pt], "rx_cpu_s_gib")),
            f2(ratio(pts, pt, "rx_cpu_s_gib"), "%.2f"),
            f2(ratio(pts, pt, "rx_cpu_nodma_s_gib"), "%.2f"),
            f2(kr, "%.2f")))
    out += ["", "Targets (issue 17), MTU %s:" % TARGET_MTU, ""]
    for f in ("1", "4"):
        rd = ratio(pts, ("zc", TARGET_MTU, f, "read", "page", "wire"),
                   "rx_cpu_s_gib")
        kn = ratio(pts, ("zc", TARGET_MTU, f, "none", "page", "wire"),
                   "rx_cpu_nodma_s_gib")
        cp = med(pts.get(("zc", TARGET_MTU, f, "read", "page", "wire"), []),
                 "copied_per_byte")
        out.append("- %s flow(s): receiver CPU, read: %s (<= %.2f: %s); "
                   "kernel CPU, none, DMA set aside: %s (<= %.2f: %s); "
                   "bytes copied per payload byte: %s." % (
                       f, f2(rd, "%.2f"), TARGET_READ,
                       "met" if rd is not None and rd <= TARGET_READ
                       else "NOT met",
                       f2(kn, "%.2f"), TARGET_KERNEL,
                       "met" if kn is not None and kn <= TARGET_KERNEL
                       else "NOT met", f2(cp)))
    out += [
        "",
        "## Every point (medians, s per GiB unless said)",
        "",
        "| MTU | flows | path | consume | buffers | delivery | ok | receiver "
        "CPU | spread % | task user | task sys | NAPI thread | of which DMA "
        "| softirq | hardirq | whole guest | CQEs/GiB | B/CQE | syscalls/GiB "
        "| copied B/B | zc % | retransmitted |",
        "|---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:"
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pt, rs in pts.items():
        ok = sum(r["status"] == "ok" for r in rs)
        out.append("| %s | %d/%d%s | %s | %s | %s | %s | %s | %s | %s | %s "
                   "| %s | %s | %s | %s | %s | %s | %s |" % (
                       fmt_point(pt), ok, len(rs),
                       "" if ok == len(rs) else " FAILED",
                       f2(med(rs, "rx_cpu_s_gib")),
                       f2(spread(rs, "rx_cpu_s_gib"), "%.2f"),
                       f2(med(rs, "user_s_gib")), f2(med(rs, "sys_s_gib")),
                       f2(med(rs, "napi_s_gib")), f2(med(rs, "dma_s_gib")),
                       f2(med(rs, "softirq_s_gib"), "%.2f"),
                       f2(med(rs, "irq_s_gib"), "%.2f"),
                       f2(med(rs, "guest_s_gib")),
                       f2(med(rs, "cqes_gib"), "%.0f"),
                       f2(med(rs, "bytes_per_cqe"), "%.0f"),
                       f2(med(rs, "syscalls_gib"), "%.0f"),
                       f2(med(rs, "copied_per_byte")),
                       f2(med(rs, "zc_pct"), "%.1f") if pt[0] == "zc"
                       else "0",
                       f2(med(rs, "retrans"), "%.0f")))
    out += ["", "## Against the previous run", ""]
    if prev is None:
        out.append("No previous run's bench.csv to compare with.")
    else:
        worst = 0.0
        rows = []
        for pt, rs in pts.items():
            a, b = med(rs, "rx_cpu_s_gib"), med(prev.get(pt, []),
                                                 "rx_cpu_s_gib")
            if a is None or b is None:
                rows.append("| %s | %s | %s | - |" % (fmt_point(pt), f2(b),
                                                       f2(a)))
                continue
            d = 100.0 * (a - b) / b
            worst = max(worst, abs(d))
            rows.append("| %s | %s | %s | %+.2f |" % (fmt_point(pt), f2(b),
                                                      f2(a), d))
        out += [
            "Receiver CPU s/GiB per point, the previous `make bench` "
            "(%s) and this one; largest difference %.2f%% (target: within "
            "%.0f%%: %s)." % (args.prev_rev, worst, TARGET_REPEAT,
                              "met" if worst <= TARGET_REPEAT else "NOT met"),
            "",
            "| MTU | flows | path | consume | buffers | delivery | previous "
            "| this run | difference % |",
            "|---:|---:|---|---|---|---|---:|---:|---:|",
        ] + rows
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        out += ["", "## Failed transfers", ""]
        out += ["- %s, repetition %s: %s" % (
            fmt_point(key(r)).replace(" |", ","), r.get("rep"), r["reason"])
            for r in failed]
    return "\n".join(out) + "\n"


def read_prev(path):
    """The previous run's CSV as {point: [transfers]}, or None."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        rows = [r for r in csv.DictReader(f)]
    if not rows:
        return None
    return points(rows)


def plot(prefix, pts, args):
    """PREFIX.png: receiver CPU/GiB per MTU, recv() vs RECV_ZC, one panel
    per flow count, consume read; PREFIX-split.png: at MTU 4096, each
    consume mode split into task user, task sys, NAPI thread and DMA."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mtus = sorted({pt[1] for pt in pts}, key=int)
    flows = sorted({pt[2] for pt in pts}, key=int)
    fig, axes = plt.subplots(1, len(flows), sharey=True, squeeze=False,
                             figsize=(4.5 * len(flows), 4.2))
    width = 0.38
    top = 0
    for ax, f in zip(axes[0], flows):
        for i, p in enumerate(("copy", "zc")):
            xs, ys, nodma = [], [], []
            for j, m in enumerate(mtus):
                rs = pts.get((p, m, f, "read", "page", "wire"))
                y = med(rs or [], "rx_cpu_s_gib")
                if y is None:
                    continue
                xs.append(j + (i - 0.5) * width)
                ys.append(y)
                nodma.append(med(rs, "rx_cpu_nodma_s_gib"))
                top = max(top, y)
            ax.bar(xs, ys, width, color="C%d" % i, alpha=0.45,
                   label=LABEL[p] + ": with DMA")
            ax.bar(xs, nodma, width, color="C%d" % i,
                   label=LABEL[p] + ": DMA set aside")
        ax.set_xticks(range(len(mtus)))
        ax.set_xticklabels(mtus)
        ax.set_xlabel("MTU")
        ax.set_title("%s flow%s, --consume read" % (f, "" if f == "1"
                                                    else "s"))
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylim(0, top * 1.35 if top else 1)
    axes[0][0].set_ylabel("receiver CPU s per GiB (task + NAPI thread)")
    axes[0][-1].legend(loc="upper right", ncol=2, fontsize="small")
    fig.suptitle("RECV_ZC vs recv(): netdevsim, QEMU -icount, %d MiB"
                 % args.mib)
    fig.tight_layout()
    fig.savefig(prefix + ".png", dpi=100)
    plt.close(fig)

    parts = (("user_s_gib", "task user"), ("sys_s_gib", "task sys"),
             ("napi_nodma", "NAPI thread"), ("dma_s_gib", "emulated DMA"))
    bars = []
    for f in flows:
        for c in ("none", "read", "verify"):
            for p in ("copy", "zc"):
                rs = pts.get((p, TARGET_MTU, f, c, "page", "wire"))
                if rs and med(rs, "rx_cpu_s_gib") is not None:
                    bars.append(("%s\n%s\n%sf" % (LABEL[p], c, f), rs))
    if not bars:
        return
    fig, ax = plt.subplots(figsize=(max(6, 0.8 * len(bars)), 4.5))
    bottom = [0.0] * len(bars)
    for i, (k, label) in enumerate(parts):
        ys = []
        for _, rs in bars:
            if k == "napi_nodma":
                ys.append(med(rs, "napi_s_gib") - med(rs, "dma_s_gib"))
            else:
                ys.append(med(rs, k))
        ax.bar(range(len(bars)), ys, 0.6, bottom=bottom, color="C%d" % i,
               label=label)
        bottom = [b + y for b, y in zip(bottom, ys)]
    ax.set_xticks(range(len(bars)))
    ax.set_xticklabels([b[0] for b in bars], fontsize="small")
    ax.set_ylabel("receiver CPU s per GiB")
    ax.set_title("Where the receiver's CPU goes, MTU %s, page buffers"
                 % TARGET_MTU)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(prefix + "-split.png", dpi=100)
    plt.close(fig)


def report(args):
    planned = parse(args.plan, "xfer")
    runs = complete([derive(r) for r in parse(args.runs, "run")], planned)
    write_csv(args.out + ".csv", runs)
    pts = points(runs)
    prev = read_prev(args.prev)
    md = markdown(runs, pts, args, prev)
    with open(args.out + ".md", "w") as f:
        f.write(md)
    plot(args.out, pts, args)
    print(md, end="")
    for ext in (".csv", ".md", ".png", "-split.png"):
        print("bench: wrote %s%s" % (os.path.relpath(args.out), ext))
    nfail = sum(r["status"] != "ok" for r in runs)
    if nfail:
        print("bench: %d of %d transfer(s) failed" % (nfail, len(runs)),
              file=sys.stderr)
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--full", action="store_true",
                   help="every consume mode and buffer size at every MTU")
    r = sub.add_parser("report")
    r.add_argument("--plan", required=True)
    r.add_argument("--runs", required=True)
    r.add_argument("--out", required=True, help="output prefix")
    r.add_argument("--mib", type=int, required=True)
    r.add_argument("--prev", help="the previous run's CSV")
    r.add_argument("--prev-rev", default="unknown")
    r.add_argument("--icount", type=int, choices=(0, 1), default=1)
    r.add_argument("--kernel", default="unknown")
    r.add_argument("--rev", default="unknown")
    args = ap.parse_args()
    return plan(args) if args.cmd == "plan" else report(args)


if __name__ == "__main__":
    sys.exit(main())
