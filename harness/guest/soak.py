#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The soak of 'make soak', run inside the debug guest.

  soak.py RESULTS_DIR KSELFTEST_DIR MINUTES [CASES]

In one NetDrvEpEnv (a linked netdevsim pair with 4 queues, as iou-zcrx.py
uses) runs cases of drivers/net/hw/iou-zcrx.py in a fixed rotation
(ROTATION, or CASES: comma-separated names, "-" for the rotation), round
after round, until MINUTES have passed; the case running then finishes.
Each case runs as ksft_run() runs it: its failed checks and exceptions
fail it, its defer()s are flushed after it. A skip fails too: every case
of the rotation runs on netdevsim.

A thread samples once a minute (SAMPLE_S): MemAvailable, Slab and
SUnreclaim from /proc/meminfo; the page pools in the netdev netlink dump,
all of them and those with an io-uring nest; VmPin summed over every
process (the memlock figure); the rx queues bound to io_uring. After each
full round and at the end the soak settles (settle()) and samples again.
Then judge() decides whether the figures are flat.

Writes RESULTS_DIR/soak.csv (a row per sample, as it is taken) and
RESULTS_DIR/soak.ktap (a result per check and a "# soak: ..." summary
line), prints both on the console and exits 1 if a check failed.
"""

import csv
import importlib.util
import os
import signal
import sys
import threading
import time
import traceback

# The rotation: traffic with every byte verified (RECV_ZC multishot and
# length-limited inside frag_list, IPv4 volume, an RSS context, a user
# refill region, huge-page areas), queue restarts (concurrency: two rings,
# five flows, resets and rx-usecs flips under traffic; fault_restart:
# restarts with each allocation failed in turn), ring churn (rings closed
# with buffers held, receivers killed mid-stream, rings closed under
# traffic), the copy fallback, and abuse (a full CQ, bogus and hostile
# refill entries). Left out: the cases that create and remove netdevsim
# devices of their own (netdev_removed*: netdevsim keeps a DMA record per
# bus device that outlives it, by design, so they grow memory per round);
# the allocation sweeps of registration and receive (fault_register,
# fault_recv, fault_copy: up to 200 receptions each, minutes per round for
# paths that make check covers); error_ends_request (its -ENOSPC depends on
# one flight being delivered in one wakeup: a case made to prove one path
# once); volume_ipv6 (volume_ipv4 moves the bulk).
ROTATION = (
    "test_zcrx",
    "test_zcrx_concurrency",
    "test_zcrx_copy_fallback",
    "test_zcrx_hold_close",
    "test_zcrx_small_cq",
    "test_zcrx_killed",
    "test_zcrx_hostile_refill",
    "test_zcrx_fault_restart",
    "test_zcrx_volume_ipv4",
    "test_zcrx_oneshot_frag_list",
    "test_zcrx_user_region",
    "test_zcrx_hugetlb",
    "test_zcrx_rss",
    "test_zcrx_copy_fallback_reuse",
    "test_zcrx_thp",
    "test_zcrx_bad_refill",
)
# bytes of test_zcrx_volume_ipv4 (its own default is 512 MiB)
VOLUME = 128 << 20
# a case still running after this long is stopped and fails
CASE_LIMIT = 900
# the sampler's period, and the longest gap between samples that passes
SAMPLE_S = 60
SAMPLE_GAP_MAX = 90
# how long settle() waits for io_uring page pools to go
SETTLE_S = 60

# What "flat" means (judge()). The exact figures must be back where they
# were before the first case: no io_uring page pool, no bound queue, as
# many page pools, as much VmPin. The memory figures drift with use, so
# they are compared with the settled sample after the first round (the
# baseline; before the first case if the soak ended within it) and must
# not have moved further than:
#
# SLAB_GROWTH_MAX: slab caches grow with use: the first round brings each
# cache the cases use to its working size (per-CPU partial slabs, objects
# that live as long as a pool, a socket or a netns), and later rounds leave
# some fragmentation (partial slabs kept by one live object). KASAN's
# quarantine, which keeps freed objects in their slabs up to 1/32 of RAM
# (128 MiB in this guest), is emptied by the settle's shrink. A leak grows
# per round instead: a ring whose ifq, area and net_iov array (~40 bytes
# per 4 KiB buffer) were not freed costs ~50 KiB for a 4 MiB area, and a
# round opens ~20 rings, so 8 MiB is what such a leak reaches in ten
# rounds, and well above the drift seen in a round.
SLAB_GROWTH_MAX = 8 << 10
# MEM_DROP_MAX: a leaked area keeps its pages (4 MiB each) pinned, a round
# opens ~20: a leak of areas falls by tens of MiB a round. What moves
# without a leak, after the caches are dropped: per-CPU page lists, page
# pool caches of recycled pages, this process.
MEM_DROP_MAX = 64 << 10
# And no trend at the end: over the later half of the settled samples
# (round ends and the final one, the middle one included; at least 3)
# SUnreclaim must not have risen at every step by more than TREND_SLAB in
# all, nor MemAvailable fallen at every step by more than TREND_MEM in
# all. Caches that settled go up and down; a leak only goes one way.
TREND_SLAB = 1 << 10
TREND_MEM = 16 << 10

FIELDS = ("elapsed_s", "minute", "kind", "round", "cases", "failed",
          "mem_available_kib", "slab_kib", "sunreclaim_kib", "vmpin_kib",
          "page_pools", "io_uring_pools", "bound_queues", "note")


class CaseTimeout(BaseException):
    """A case ran past CASE_LIMIT; not an Exception, so that a case's own
    "except Exception" does not take it for a failure it expects."""


def say(*args):
    """A progress line, a KTAP comment on the console."""
    print("# soak:", *args, flush=True)


def meminfo():
    """MemAvailable, Slab and SUnreclaim in KiB."""
    want = {"MemAvailable:": "mem_available_kib", "Slab:": "slab_kib",
            "SUnreclaim:": "sunreclaim_kib"}
    got = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, val = line.split()[:2]
            if key in want:
                got[want[key]] = int(val)
    return got


def vmpin_total():
    """VmPin of every process, in KiB.

    VmPin is per mm: it shows pins that live processes hold (a receiver
    holding its area). Pages left pinned after their process exited count
    nowhere here: they show in MemAvailable.
    """
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmPin:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue        # gone meanwhile
    return total


class Netlink:
    """Page pools and io_uring-bound rx queues from the netdev family.

    One per thread: a YNL family is one socket. The dumps see this netns,
    where the local device binds its queues (a pool whose device went
    away moves to this netns's loopback and is still counted).
    """

    def __init__(self, family):
        self.family = family
        self.nl = None

    def counts(self):
        try:
            if self.nl is None:
                self.nl = self.family()
            pools = self.nl.page_pool_get({}, dump=True)
            queues = self.nl.queue_get({}, dump=True)
        except Exception:
            self.nl = None
            raise
        return {"page_pools": len(pools),
                "io_uring_pools": sum(1 for p in pools if "io-uring" in p),
                "bound_queues": sum(1 for q in queues
                                    if q.get("type") == "rx" and "io-uring" in q)}


def drop_caches():
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")


def shrink_slabs():
    """kmem_cache_shrink() every cache: empty slabs go back, and under
    KASAN each cache's objects leave the quarantine. Return how many."""
    n = 0
    if not os.path.isdir("/sys/kernel/slab"):
        return n            # the note of the sample says 0
    with os.scandir("/sys/kernel/slab") as it:
        for e in it:
            if e.is_symlink():      # a merged cache's alias
                continue
            try:
                with open(os.path.join(e.path, "shrink"), "w") as f:
                    f.write("1")
                n += 1
            except OSError:
                pass
    return n


class Soak:
    """The run's state, the samples and the CSV, shared with the sampler."""

    def __init__(self, results, minutes):
        self.minutes = minutes
        self.t0 = time.monotonic()
        self.end = self.t0 + minutes * 60
        self.loop_end = None
        self.round = 0
        self.cases = 0
        self.failures = []
        self.samples = []
        self.sample_errors = []
        self.lock = threading.Lock()
        self.csv_file = open(os.path.join(results, "soak.csv"), "w", newline="")
        self.csv = csv.DictWriter(self.csv_file, FIELDS)
        self.csv.writeheader()
        self.csv_file.flush()

    def time_up(self):
        return time.monotonic() >= self.end

    def sample(self, kind, nl, note=""):
        """Take, record, write and print a sample; None if it failed."""
        elapsed = time.monotonic() - self.t0
        s = {"elapsed_s": round(elapsed), "minute": int(elapsed // 60),
             "kind": kind, "round": self.round, "cases": self.cases,
             "failed": len(self.failures), "note": note}
        try:
            s.update(meminfo())
            s["vmpin_kib"] = vmpin_total()
            try:
                s.update(nl.counts())
            except Exception:
                time.sleep(1)       # once more, on a new socket
                s.update(nl.counts())
        except Exception as e:
            with self.lock:
                self.sample_errors.append(f"{s['minute']} min: {e!r}")
            say(f"{s['minute']:3d} min, sample ({kind}) failed: {e!r}")
            return None
        with self.lock:
            self.samples.append(s)
            self.csv.writerow(s)
            self.csv_file.flush()
        say(f"{s['minute']:3d} min {kind:<6} round {s['round']}, {s['cases']} cases, "
            f"{s['failed']} failed: MemAvailable {s['mem_available_kib']} kB, "
            f"Slab {s['slab_kib']} kB, SUnreclaim {s['sunreclaim_kib']} kB, "
            f"VmPin {s['vmpin_kib']} kB, page pools {s['page_pools']} "
            f"(io_uring {s['io_uring_pools']}), bound queues {s['bound_queues']}"
            + (f"; {note}" if note else ""))
        return s

    def settle(self, kind, nl, start):
        """Let what the cases freed go, then sample.

        Ring teardown and page pool release are asynchronous: wait up to
        SETTLE_S for no io_uring pool, no bound queue and no more pools
        than at the start. Then drop the page cache and reclaimable slab
        and shrink every slab cache, so that the memory figures show what
        is held, not what is cached.
        """
        t = time.monotonic()
        while True:
            try:
                c = nl.counts()
                if (not c["io_uring_pools"] and not c["bound_queues"] and
                        (start is None or c["page_pools"] <= start["page_pools"])):
                    break
            except Exception as e:
                say(f"settle: netlink: {e!r}")
            if time.monotonic() - t > SETTLE_S:
                break
            time.sleep(1)
        waited = time.monotonic() - t
        t = time.monotonic()
        drop_caches()
        shrunk = shrink_slabs()
        return self.sample(kind, nl, f"settled: waited {waited:.0f} s for the pools, "
                           f"dropped caches, shrank {shrunk} slab caches in "
                           f"{time.monotonic() - t:.0f} s")

    def close(self):
        with self.lock:
            self.csv_file.close()


class Sampler(threading.Thread):
    """Samples every SAMPLE_S seconds while the cases run."""

    def __init__(self, soak, family):
        super().__init__(name="sampler", daemon=True)
        self.soak = soak
        self.nl = Netlink(family)
        self.stopping = threading.Event()

    def run(self):
        nxt = self.soak.t0 + SAMPLE_S
        while not self.stopping.wait(max(0, nxt - time.monotonic())):
            self.soak.sample("minute", self.nl)
            while nxt <= time.monotonic():
                nxt += SAMPLE_S

    def stop(self):
        self.stopping.set()
        self.join(timeout=120)


def run_case(ksft, case, cfg):
    """Run @case as ksft_run() does; return (passed, why not)."""
    def too_long(signum, frame):
        raise CaseTimeout(f"still running after {CASE_LIMIT} s")

    ksft.KSFT_RESULT = True
    why = ""
    old = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(CASE_LIMIT)
    try:
        case(cfg)
    except ksft.KsftSkipEx as e:
        signal.alarm(0)
        ksft.KSFT_RESULT = False
        why = f"skipped ({e}): every case of the rotation must run here"
    except KeyboardInterrupt:
        signal.alarm(0)
        ksft.ksft_flush_defer()
        raise
    except BaseException as e:
        signal.alarm(0)
        for line in traceback.format_exc().strip().split("\n"):
            ksft.ksft_pr("Exception|", line)
        ksft.KSFT_RESULT = False
        why = f"{type(e).__name__}: {e}".split("\n")[0]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    ksft.ksft_flush_defer()
    if not ksft.KSFT_RESULT and not why:
        why = "a check or a cleanup failed (see the console)"
    return ksft.KSFT_RESULT, why


def load(ksft_dir):
    """iou-zcrx.py as a module, and the kselftest library it uses."""
    d = os.path.join(ksft_dir, "drivers/net/hw")
    sys.path.insert(0, d)
    os.chdir(d)
    os.environ.setdefault("ZCRX_VOLUME", str(VOLUME))
    spec = importlib.util.spec_from_file_location("iou_zcrx",
                                                  os.path.join(d, "iou-zcrx.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # lib.py put the installed tree on sys.path: its ksft module holds the
    # state a case's checks set
    import net.lib.py.ksft as ksft  # noqa: E402
    from lib.py import NetDrvEpEnv, NetdevFamily  # noqa: E402
    return mod, ksft, NetDrvEpEnv, NetdevFamily


def pick(mod, names):
    """The cases of @names (comma-separated, "test_zcrx_" optional) or of
    ROTATION."""
    names = [n for n in (names or "").replace(",", " ").split()] or ROTATION
    cases = []
    for n in names:
        name = n if hasattr(mod, n) else "test_zcrx_" + n
        if not name.startswith("test_") or not callable(getattr(mod, name, None)):
            raise SystemExit(f"soak: iou-zcrx.py has no case {n}")
        cases.append(getattr(mod, name))
    return cases


def soak_loop(soak, ksft, cases, cfg, nl, start):
    """Rounds of @cases until the time is up; a settled sample after each
    full round."""
    while not soak.time_up():
        soak.round += 1
        for case in cases:
            if soak.time_up():
                break
            t = time.monotonic()
            ok, why = run_case(ksft, case, cfg)
            soak.cases += 1
            if not ok:
                soak.failures.append(f"round {soak.round} {case.__name__}: {why}")
            say(f"round {soak.round}, case {soak.cases}: {case.__name__} "
                f"{'ok' if ok else 'FAILED: ' + why} ({time.monotonic() - t:.0f} s)")
        else:
            if not soak.time_up():
                soak.settle("round", nl, start)
    soak.loop_end = time.monotonic()


def trend(settled, key, sign, least):
    """(steady, window) over the later half of @settled: whether @key moved
    in the direction of @sign at every step and by more than @least in all;
    steady is None when the window has fewer than 3 samples."""
    window = [s[key] for s in settled[(len(settled) - 1) // 2:]]
    if len(window) < 3:
        return None, window
    steps = [sign * (b - a) for a, b in zip(window, window[1:])]
    return all(d > 0 for d in steps) and sum(steps) > least, window


def judge(soak, start, final, error):
    """The checks: [(ok, name, detail)]; ok None is a skip."""
    checks = []
    samples = soak.samples
    settled = [s for s in samples if s["kind"] in ("round", "final")]
    base = next((s for s in settled if s["kind"] == "round"), start)

    ran = f"{(time.monotonic() - soak.t0) / 60:.1f} min, {soak.round} rounds"
    checks.append((error is None, "the soak ran to the end",
                   ran if error is None else f"{ran}; stopped by {error}"))
    fails = soak.failures
    checks.append((soak.cases > 0 and not fails, "every case passed",
                   (f"{len(fails)} of {soak.cases} failed" if soak.cases else "no case ran")
                   + (": " + "; ".join(fails[:3]) if fails else "")
                   + (f"; and {len(fails) - 3} more" if len(fails) > 3 else "")))
    # while the cases ran: the final sample comes after a settle
    times = ([soak.t0] + [soak.t0 + s["elapsed_s"] for s in samples if s["kind"] != "final"]
             + ([soak.loop_end] if soak.loop_end else []))
    gap = max((b - a for a, b in zip(times, times[1:])), default=None)
    checks.append((gap is not None and gap <= SAMPLE_GAP_MAX and not soak.sample_errors,
                   "sampled at least once a minute",
                   f"{len(samples)} samples, longest gap {gap or 0:.0f} s"
                   + (f"; failed samples: {'; '.join(soak.sample_errors[:3])}"
                      if soak.sample_errors else "")))
    names = ("no io_uring page pool left", "no rx queue bound to io_uring",
             "page pools back to the start's count", "VmPin back to the start's",
             f"SUnreclaim grew less than {SLAB_GROWTH_MAX >> 10} MiB",
             "SUnreclaim not growing at the end",
             f"MemAvailable fell less than {MEM_DROP_MAX >> 10} MiB",
             "MemAvailable not falling at the end")
    if start is None or final is None:
        why = "no sample before the first case" if start is None else "no final sample"
        return checks + [(False, name, why) for name in names], base

    checks.append((final["io_uring_pools"] == 0, names[0],
                   f"{final['io_uring_pools']} at the end"))
    checks.append((final["bound_queues"] == 0, names[1],
                   f"{final['bound_queues']} at the end"))
    checks.append((final["page_pools"] == start["page_pools"], names[2],
                   f"{start['page_pools']} -> {final['page_pools']}"))
    checks.append((final["vmpin_kib"] == start["vmpin_kib"], names[3],
                   f"{start['vmpin_kib']} -> {final['vmpin_kib']} kB"))
    since = "round 1" if base is not start else "the start"
    grew = final["sunreclaim_kib"] - base["sunreclaim_kib"]
    checks.append((grew < SLAB_GROWTH_MAX, names[4],
                   f"{grew:+d} kB since {since} "
                   f"({final['sunreclaim_kib'] - start['sunreclaim_kib']:+d} kB since the start)"))
    steady, window = trend(settled, "sunreclaim_kib", 1, TREND_SLAB)
    checks.append((None if steady is None else not steady, names[5],
                   f"later half of the settled samples: {window} kB"
                   + ("; too few to see a trend" if steady is None else "")))
    fell = base["mem_available_kib"] - final["mem_available_kib"]
    checks.append((fell < MEM_DROP_MAX, names[6],
                   f"{-fell:+d} kB since {since} "
                   f"({final['mem_available_kib'] - start['mem_available_kib']:+d} kB "
                   "since the start)"))
    steady, window = trend(settled, "mem_available_kib", -1, TREND_MEM)
    checks.append((None if steady is None else not steady, names[7],
                   f"later half of the settled samples: {window} kB"
                   + ("; too few to see a trend" if steady is None else "")))
    return checks, base


def summary_line(soak, start, final, base):
    line = (f"soak: {soak.minutes:g} minutes, {soak.round} rounds, {soak.cases} cases, "
            f"{len(soak.failures)} failed")
    if start is None or final is None:
        return line + "; no final sample"
    since = "round 1" if base is not start else "start"
    return (line +
            f"; slab {final['sunreclaim_kib'] - base['sunreclaim_kib']:+d} KiB"
            f" and MemAvailable {final['mem_available_kib'] - base['mem_available_kib']:+d}"
            f" KiB since {since}; VmPin {start['vmpin_kib']} -> {final['vmpin_kib']} KiB,"
            f" page pools {start['page_pools']} -> {final['page_pools']},"
            f" io_uring pools {final['io_uring_pools']},"
            f" bound queues {final['bound_queues']}; {len(soak.samples)} samples")


def ktap(checks, summary):
    lines = ["TAP version 13", f"1..{len(checks)}"]
    for i, (ok, name, detail) in enumerate(checks, 1):
        detail = " ".join(detail.replace("#", "").split())
        if ok is None:
            lines.append(f"ok {i} - {name} # SKIP {detail}")
        else:
            lines.append(f"{'ok' if ok else 'not ok'} {i} - {name}"
                         + (f" # {detail}" if detail else ""))
    lines.append("# " + summary)
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    results, ksft_dir, minutes = argv[1], os.path.abspath(argv[2]), float(argv[3])
    names = argv[4] if len(argv) == 5 and argv[4] != "-" else None

    mod, ksft, NetDrvEpEnv, NetdevFamily = load(ksft_dir)
    cases = pick(mod, names)
    soak = Soak(results, minutes)
    say(f"{minutes:g} minutes of {len(cases)} cases in rotation: "
        + " ".join(c.__name__.replace("test_zcrx_", "") for c in cases))
    nl = Netlink(NetdevFamily)
    start = final = error = None
    sampler = None
    try:
        with NetDrvEpEnv(mod.__file__, queue_count=4) as cfg:
            cfg.require_cmd("ethtool")
            cfg.bin_remote = cfg.remote.deploy(mod.HELPER)
            start = soak.settle("start", nl, None)
            sampler = Sampler(soak, NetdevFamily)
            sampler.start()
            soak_loop(soak, ksft, cases, cfg, nl, start)
            sampler.stop()
            final = soak.settle("final", nl, start)
    except BaseException as e:
        error = f"{type(e).__name__}: {e}".split("\n")[0]
        for line in traceback.format_exc().strip().split("\n"):
            say("Exception|", line)
    finally:
        if sampler:
            sampler.stop()
        soak.close()

    checks, base = judge(soak, start, final, error)
    text = ktap(checks, summary_line(soak, start, final, base))
    with open(os.path.join(results, "soak.ktap"), "w") as f:
        f.write(text)
    print(text, end="", flush=True)
    return 0 if all(ok is not False for ok, _, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
