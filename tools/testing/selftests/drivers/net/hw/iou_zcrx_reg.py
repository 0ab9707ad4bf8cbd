#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
io_uring zero-copy receive: registering interface queues.

Runs the hw/iou-zcrx helper against a device with header split on and
checks IORING_REGISTER_ZCRX_IFQ: what a registration returns, the errno of
every invalid argument and of every refusal of the net/zcrx layer, the
binding in queue-get, and teardown by ring close and by device removal
while bound, with the area's pinned memory given back.

The memory cases check what a registration charges: an area in huge pages
pins whole pages, and a ring created without CAP_IPC_LOCK charges its
user's RLIMIT_MEMLOCK for the area and the refill region, exactly, until
it is closed or its process killed.

The query and control cases check IORING_REGISTER_QUERY (with ring fd
-1) against what the kernel does, and IORING_REGISTER_ZCRX_CTRL, import
and ZCRX_REG_NODEV with the errno of every refusal; the two-device case
receives on queues of two netdevsim devices in one ring.

The fuzz case runs hw/iou-zcrx-fuzz: registrations, RECV_ZC submissions
and refill batches with random and boundary values, on a queue that
receives a stream.
"""

import errno
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_ge, ksft_in, ksft_true
from lib.py import ksft_pr
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import NetdevSimDev, NetNS, ethnl, netdevnl
from lib.py import NetDrvEnv
from lib.py import bkg, cmd, defer, ethtool, ip, rand_port, wait_port_listen

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iou-zcrx")
FUZZER = HELPER + "-fuzz"
CORPUS = FUZZER + ".corpus"

# ETHTOOL_TCP_DATA_SPLIT_*
SPLIT_OFF, SPLIT_ON = 1, 2

# system calls the fuzz case makes; it has 240 s for them
FUZZ_ITERATIONS = 100000
# make check's seed, so that its verdict does not depend on the draw;
# ZCRX_FUZZ_SEED=N runs another, ZCRX_FUZZ_SEED=random a new one each time
FUZZ_SEED = 980821772
# the fuzz case's netdevsim pair
FUZZ_ADDR, FUZZ_PEER = "2001:db8:2::1", "2001:db8:2::2"


def rings(ifindex):
    return ethnl().rings_get({'header': {'dev-index': ifindex}})


def set_rings(ifindex, **attrs):
    req = {'header': {'dev-index': ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    ethnl().rings_set(req)


def hds(ifindex, split, thresh=0):
    """Set header split, restored when the case ends."""
    old = rings(ifindex)
    if 'tcp-data-split' not in old or 'hds-thresh' not in old:
        raise KsftSkipEx("device does not report header split settings")
    set_rings(ifindex, tcp_data_split=split, hds_thresh=thresh)
    defer(set_rings, ifindex, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])


def nsim_dma(dev_id):
    """netdevsim's DMA counters for bus device @dev_id; they outlive it."""
    path = "/sys/kernel/debug/netdevsim/dma"
    with open(path) as f:
        for line in f:
            name, _, rest = line.partition(" ")
            if name == f"netdevsim{dev_id}":
                return {k: int(v) for k, v in
                        (x.split("=") for x in rest.split())}
    raise KsftFailEx(f"netdevsim{dev_id} not in {path}")


def rx_queues(ifindex):
    q = netdevnl().queue_get({'ifindex': ifindex}, dump=True)
    return len([x for x in q if x['type'] == 'rx'])


def last_queue(cfg):
    n = rx_queues(cfg.ifindex)
    if n < 3:
        raise KsftSkipEx("needs at least 3 rx queues")
    return n - 1


def helper(ifname, args, prog=HELPER):
    if not os.access(HELPER, os.X_OK):
        raise KsftSkipEx(f"{HELPER} not built")
    return cmd(f"{prog} -i {ifname} {args}", fail=False, timeout=60)


def helper_ok(ifname, args, prog=HELPER):
    res = helper(ifname, args, prog)
    if res.ret:
        raise KsftFailEx(f"iou-zcrx {args}: exit {res.ret}\n"
                         f"{res.stdout}{res.stderr}")
    return res.stdout


class Holder:
    """The helper holding its ifqs until stdin closes."""

    def __init__(self, ifname, args, prog=HELPER):
        if not os.access(HELPER, os.X_OK):
            raise KsftSkipEx(f"{HELPER} not built")
        # exec: the process is the helper, for the signals a case sends
        self.proc = subprocess.Popen(f"exec {prog} -i {ifname} -w {args}",
                                     shell=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out = ""
        for line in self.proc.stdout:
            self.out += line
            if line.startswith("ring_fd="):
                fields = dict(f.split('=') for f in line.split())
                self.fdinfo = f"/proc/{fields['pid']}/fdinfo/{fields['ring_fd']}"
            if line.strip() == "ready":
                break
        else:
            self.release()
            raise KsftFailEx(f"iou-zcrx -w {args} did not register:\n"
                             f"{self.out}{self.proc.stderr.read()}")

    def release(self):
        """Close the ring; return the helper's exit code."""
        if self.proc.returncode is None:
            # closes stdin, which makes the helper close its ring
            rest, err = self.proc.communicate(timeout=60)
            self.out += rest + err
        return self.proc.returncode


def hold(ifname, args, prog=HELPER):
    h = Holder(ifname, args, prog)
    defer(h.release)
    return h


def queue_io_uring(ifindex, q):
    queue = netdevnl().queue_get({'ifindex': ifindex, 'id': q,
                                  'type': 'rx'})
    return 'io-uring' in queue


def wait_unbound(ifindex, q):
    """Ring exit runs in a kworker: give it a few seconds."""
    for _ in range(100):
        if not queue_io_uring(ifindex, q):
            return True
        time.sleep(0.1)
    return False


def unused_uid(start):
    """The first uid from @start that no account has."""
    for uid in range(start, start + 1000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise KsftFailEx(f"no unused uid from {start}")


class OtherUser:
    """A uid of no account, with CAP_NET_ADMIN and without CAP_IPC_LOCK.

    RLIMIT_MEMLOCK is charged to the user: a uid no process runs as has
    nothing charged. A process of the uid lives as long as the case, so
    that the kernel keeps the uid's user_struct and a charge that is not
    given back stays visible. The uid runs a copy of the helper that it
    can reach.
    """

    def __init__(self, first_uid):
        if not shutil.which("setpriv"):
            raise KsftSkipEx("setpriv (util-linux) not installed")
        if not os.access(HELPER, os.X_OK):
            raise KsftSkipEx(f"{HELPER} not built")
        self.uid = unused_uid(first_uid)
        tmp = tempfile.mkdtemp(prefix="iou-zcrx-")
        defer(shutil.rmtree, tmp)
        os.chmod(tmp, 0o755)
        copy = os.path.join(tmp, "iou-zcrx")
        shutil.copy(HELPER, copy)
        os.chmod(copy, 0o755)
        setpriv = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}",
                   "--clear-groups", "--inh-caps=-all,+net_admin",
                   "--ambient-caps=+net_admin",
                   "--bounding-set=-all,+net_admin"]
        self.prog = " ".join(setpriv + [copy])
        keeper = subprocess.Popen(setpriv + ["sleep", "3600"])
        defer(self._stop, keeper)

    @staticmethod
    def _stop(proc):
        proc.kill()
        proc.wait(timeout=30)

    def helper_ok(self, ifname, args):
        return helper_ok(ifname, args, self.prog)

    def hold(self, ifname, args):
        return hold(ifname, args, self.prog)


def require_hugetlb():
    """hugetlb pages reserved at boot: missing ones fail the case."""
    with open("/proc/meminfo") as f:
        m = re.search(r"HugePages_Total:\s+(\d+)", f.read())
    if not m:
        raise KsftFailEx("no hugetlb pages: the kernel lacks CONFIG_HUGETLBFS")
    if int(m.group(1)) == 0:
        raise KsftFailEx("no hugetlb pages reserved (HugePages_Total 0): "
                         "boot with hugepages=16")


def require_thp():
    """Transparent huge pages on request: missing ones fail the case."""
    path = "/sys/kernel/mm/transparent_hugepage/enabled"
    if not os.path.exists(path):
        raise KsftFailEx("no transparent huge pages: the kernel lacks "
                         "CONFIG_TRANSPARENT_HUGEPAGE")
    with open(path) as f:
        if "[never]" in f.read():
            raise KsftFailEx(f"transparent huge pages off: {path} is never")


def pinned_kb(out):
    """How much VmPin grew by registering, from the helper's output."""
    m = re.search(r"VmPin (\d+) kB -> (\d+) kB", out)
    if not m:
        raise KsftFailEx(f"no VmPin line in the helper's output:\n{out}")
    return int(m.group(2)) - int(m.group(1))


def test_register(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    out = helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -r 100 -t")
    ksft_in("zcrx_id=0", out)
    ksft_in("rq_entries=128", out)
    ksft_in("VmPin back to", out)


def test_register_user_region(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    out = helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -u -r 64 -t")
    ksft_in("mmap_offset=0x0", out)


def test_register_several(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg) - 1
    out = helper_ok(cfg.ifname, f"-q {q} -n 2 -t")
    ksft_in("zcrx_id=1", out)
    ksft_in(f"ifindex={cfg.ifindex} rxq={q + 1} bound=1", out)


def test_invalid_args(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    out = helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -x")
    ksft_true(out.count("ok ") >= 15, "fewer than 15 invalid cases ran")


def test_bad_queue(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    n = rx_queues(cfg.ifindex)
    helper_ok(cfg.ifname, f"-q {n} -e {errno.ERANGE}")


def test_hds_off(cfg) -> None:
    hds(cfg.ifindex, SPLIT_OFF)
    helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -e {errno.EINVAL}")


def test_same_queue(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    out = helper_ok(cfg.ifname, f"-q {q} -d")
    ksft_in("same queue twice: EEXIST", out)

    # and from another ring
    hold(cfg.ifname, f"-q {q}")
    helper_ok(cfg.ifname, f"-q {q} -e {errno.EEXIST}")


def test_queue_reported(cfg) -> None:
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    h = hold(cfg.ifname, f"-q {q} -t")

    ksft_true(queue_io_uring(cfg.ifindex, q), "queue-get: no io-uring nest")
    ksft_true(not queue_io_uring(cfg.ifindex, 0),
              "an unbound queue reports io-uring")
    pools = netdevnl().page_pool_get({}, dump=True)
    ours = [p for p in pools if p.get('ifindex') == cfg.ifindex and
            'io-uring' in p]
    ksft_eq(len(ours), 1, "one live page pool takes the io_uring area")

    ksft_eq(h.release(), 0, f"helper failed:\n{h.out}")
    ksft_in("VmPin back to", h.out)
    ksft_true(wait_unbound(cfg.ifindex, q), "queue still bound after close")


def netdev_removed(args):
    """Remove the device while an ifq is bound, then close the ring."""
    nsim = NetdevSimDev(queue_count=2)
    removed = False

    def remove():
        if not removed:
            nsim.remove()
    defer(remove)
    dev = nsim.nsims[0].dev
    ip(f"link set dev {dev['ifname']} up")
    set_rings(dev['ifindex'], tcp_data_split=SPLIT_ON, hds_thresh=0)

    h = hold(dev['ifname'], f"-q 1 -t {args}")
    ksft_true(nsim_dma(nsim.addr)['live'] >= 1, "the area is mapped")
    nsim.remove()
    removed = True
    with open(h.fdinfo) as f:
        ksft_in("bound=0", f.read())
    # the ring is still open, yet nothing may stay mapped for the device
    s = nsim_dma(nsim.addr)
    ksft_eq(s['live'], 0, f"DMA mappings left after removal: {s}")
    ksft_eq(s['bad_syncs'] + s['bad_unmaps'], 0,
            f"syncs or unmaps of unmapped addresses: {s}")
    ksft_eq(h.release(), 0, f"helper failed:\n{h.out}")
    ksft_in("VmPin back to", h.out)


def test_netdev_removed(cfg) -> None:
    """Remove the device while an ifq is bound, then close the ring."""
    netdev_removed("")


def test_netdev_removed_dmabuf(cfg) -> None:
    """The same with a dma-buf area: its attachment goes with the device."""
    netdev_removed("-H dmabuf")


def register_huge(cfg, kind):
    """A 1 MiB area at the start of a 2 MiB huge page of @kind is charged
    the whole page, and the charge comes back after close."""
    hds(cfg.ifindex, SPLIT_ON)
    out = helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -H {kind} -t")
    ksft_eq(pinned_kb(out), 2048, f"VmPin kB for 1 MiB of a {kind} page")
    ksft_in("VmPin back to", out)


def test_area_hugetlb(cfg) -> None:
    """A 1 MiB area in a 2 MiB hugetlb page pins the whole page."""
    require_hugetlb()
    register_huge(cfg, "hugetlb")


def test_area_thp(cfg) -> None:
    """A 1 MiB area in a 2 MiB transparent huge page pins the whole page."""
    require_thp()
    register_huge(cfg, "thp")


def test_memlock(cfg) -> None:
    """Area and refill region charge RLIMIT_MEMLOCK exactly, until close.

    -L sets the limit to what the registration charges (256 area pages and
    the refill region's pages) plus the given number of pages. Failed
    registrations charge nothing: the refusals go first, while the uid has
    nothing charged; after a success, -R waits out the async ring exit.
    """
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    user = OtherUser(4242)
    for region in ("", "-u"):
        user.helper_ok(cfg.ifname, f"-q {q} {region} -L -1 -e {errno.ENOMEM}")
    out = user.helper_ok(cfg.ifname, f"-q {q} -L 0 -t")
    ksft_in("VmPin back to", out)
    # the closed ring's charge comes back: the same registration fits again
    user.helper_ok(cfg.ifname, f"-q {q} -L 0 -R 10")
    user.helper_ok(cfg.ifname, f"-q {q} -u -L 0 -R 10")


def test_memlock_killed(cfg) -> None:
    """The charge of a SIGKILLed process's registration comes back."""
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    user = OtherUser(4342)
    h = user.hold(cfg.ifname, f"-q {q} -L 0")
    # the holder uses up the user's limit: another registration is refused
    user.helper_ok(cfg.ifname, f"-q {q - 1} -L 0 -e {errno.ENOMEM}")
    h.proc.send_signal(signal.SIGKILL)
    h.release()
    ksft_eq(h.proc.returncode, -signal.SIGKILL, "the holder was killed")
    user.helper_ok(cfg.ifname, f"-q {q} -L 0 -R 10")


def test_memlock_huge(cfg) -> None:
    """Areas in huge pages charge RLIMIT_MEMLOCK for whole pages."""
    require_hugetlb()
    require_thp()
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    user = OtherUser(4442)
    for kind in ("hugetlb", "thp"):
        out = user.helper_ok(cfg.ifname,
                             f"-q {q} -H {kind} -L -1 -e {errno.ENOMEM}")
        ksft_in("(area 512 + ", out, f"a {kind} area charges 512 pages")
    for kind in ("hugetlb", "thp"):
        user.helper_ok(cfg.ifname, f"-q {q} -H {kind} -L 0 -R 10 -t")


def io_uring_pools(ifindex):
    pools = netdevnl().page_pool_get({}, dump=True)
    return [p for p in pools
            if p.get('ifindex') == ifindex and 'io-uring' in p]


def wait_released(ifindex, q):
    """Ring exit and page pool release are async: give them 30 s."""
    for _ in range(300):
        if not queue_io_uring(ifindex, q) and not io_uring_pools(ifindex):
            return True
        time.sleep(0.1)
    return False


def linked_pair(queue_count, addr=FUZZ_ADDR, peer_addr=FUZZ_PEER):
    """A linked netdevsim pair, the peer in a namespace of its own, the
    local port with @addr and the peer with @peer_addr.

    Return the local port and the namespace; both go when the case ends.
    """
    ns = NetNS()
    defer(ns.__del__)
    local = NetdevSimDev(queue_count=queue_count)
    defer(local.remove)
    peer = NetdevSimDev(ns=ns, queue_count=queue_count)
    defer(peer.remove)
    dev, pdev = local.nsims[0], peer.nsims[0]
    with open("/proc/self/ns/net") as nsfd0, \
         open("/var/run/netns/" + ns.name) as nsfd1:
        NetdevSimDev.ctrl_write('link_device',
                                f'{nsfd0.fileno()}:{dev.ifindex} '
                                f'{nsfd1.fileno()}:{pdev.ifindex}')
    ip(f"-6 addr add dev {dev.ifname} {addr}/64 nodad")
    ip(f"link set dev {dev.ifname} up")
    ip(f"-6 addr add dev {pdev.ifname} {peer_addr}/64 nodad", ns=ns)
    ip(f"link set dev {pdev.ifname} up", ns=ns)
    return dev, ns


class Sender:
    """iou-zcrx -c in @ns, sending to @port for as long as it runs.

    The fuzzer drops the connection whenever it creates a ring: the
    sender connects again, until stopped.
    """

    def __init__(self, ns, port):
        loop = (f"trap 'kill $c 2>/dev/null; exit 0' TERM; "
                f"while :; do {HELPER} -c -h {FUZZ_ADDR} -p {port} "
                f"-l {1 << 40} -T 60 >/dev/null 2>&1 & c=$!; wait $c; "
                f"sleep 0.2; done")
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns.name,
                                      "bash", "-c", loop])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def reap(proc):
    """Kill a helper the case left running."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def wait_listen(proc, port):
    """wait_port_listen(); False if @proc exited instead."""
    end = time.monotonic() + 60
    while proc.poll() is None:
        try:
            wait_port_listen(port, deadline=0.2)
            return True
        except Exception:
            if time.monotonic() > end:
                raise
    return False


def receive(dev, ns, q, size):
    """Receive @size bytes from the peer on @q with iou-zcrx -s."""
    port = rand_port()
    ethtool(f"-N {dev.ifname} flow-type tcp6 dst-port {port} action {q}")
    srv = bkg(f"{HELPER} -s -i {dev.ifname} -q {q} -p {port} -l {size} "
              f"-T 60", exit_wait=True, fail=False)
    defer(reap, srv.proc)
    wait_port_listen(port, deadline=30)
    cli = cmd(f"{HELPER} -c -h {FUZZ_ADDR} -p {port} -l {size} -T 60",
              ns=ns, fail=False, timeout=90)
    srv.process(terminate=False, fail=False, timeout=90)
    ksft_eq(cli.ret, 0, f"sender: {cli.stdout}{cli.stderr}")
    ksft_eq(srv.ret, 0, f"iou-zcrx -s: {srv.stdout}{srv.stderr}")
    ksft_in(f"received bytes={size} ", srv.stdout)


def test_fuzz(cfg) -> None:
    """Fuzz registration, RECV_ZC and the refill ring; nothing stays.

    A netdevsim pair of its own: queue 3 of the local port has header
    split on, is out of the RSS table and receives the flow to a port,
    where iou-zcrx -c in the peer's namespace sends a stream, connecting
    again each time the fuzzer drops it. The fuzzer replays the corpus,
    then makes 100000 system calls with inputs drawn from a seed:
    FUZZ_SEED, or ZCRX_FUZZ_SEED (a number, or "random"), printed to run
    the same inputs again. Afterwards the queue is unbound, no io_uring page pool
    is left and the queue receives again. The kernel log is checked for
    splats and leaks after the run.
    """
    for prog in (FUZZER, HELPER):
        if not os.access(prog, os.X_OK):
            raise KsftSkipEx(f"{prog} not built")
    dev, ns = linked_pair(4)
    q = 3
    # the device goes away with its settings: nothing to restore
    set_rings(dev.ifindex, tcp_data_split=SPLIT_ON, hds_thresh=0)
    ethtool(f"-X {dev.ifname} equal {q}")
    port = rand_port()
    ethtool(f"-N {dev.ifname} flow-type tcp6 dst-port {port} action {q}")

    seed = os.environ.get("ZCRX_FUZZ_SEED") or FUZZ_SEED
    seed = random.getrandbits(32) if seed == "random" else int(seed)
    ksft_pr(f"seed {seed}: ZCRX_FUZZ_SEED={seed} runs the same inputs")
    fuzzer = subprocess.Popen([FUZZER, "-i", dev.ifname, "-q", str(q),
                               "-p", str(port), "-s", str(seed),
                               "-n", str(FUZZ_ITERATIONS), "-T", "240",
                               "-c", CORPUS] +
                              # e.g. -v: print each input before it runs
                              os.environ.get("ZCRX_FUZZ_ARGS", "").split(),
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    defer(reap, fuzzer)
    sender = None
    if wait_listen(fuzzer, port):
        sender = Sender(ns, port)
        defer(sender.stop)
    out, err = fuzzer.communicate(timeout=300)
    if sender:
        sender.stop()

    ksft_eq(fuzzer.returncode, 0, f"iou-zcrx-fuzz -s {seed}:\n{out}{err}")
    for line in out.splitlines():
        if line.startswith("fuzz: "):
            ksft_pr("figure: " + line)
    m = re.search(r"^fuzz: seed \d+ iterations (\d+) .* zc_bytes (\d+) ",
                  out, re.MULTILINE)
    if not m:
        raise KsftFailEx(f"no summary in the fuzzer's output:\n{out}")
    ksft_ge(int(m.group(1)), FUZZ_ITERATIONS, "system calls made")
    ksft_ge(int(m.group(2)), 1, "bytes received without a copy")

    ksft_true(wait_released(dev.ifindex, q),
              "queue unbound and no io_uring page pool left")
    receive(dev, ns, q, 1 << 20)


def test_rx_buf_len(cfg) -> None:
    """rx_buf_len 64 KiB: the area (in a hugetlb page, so that each buffer
    is one piece of memory) is cut into 64 KiB buffers; above netdevsim's
    largest buffer (64 KiB) the layer refuses with EINVAL."""
    require_hugetlb()
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    out = helper_ok(cfg.ifname, f"-q {q} -H hugetlb -g {64 << 10} -t")
    ksft_in("rx_buf_len=65536", out)
    ksft_in(f"ifindex={cfg.ifindex} rxq={q} bound=1", out)
    ksft_in("area_pages=16 buf_len=65536", out)
    ksft_in("VmPin back to", out)
    helper_ok(cfg.ifname, f"-q {q} -H hugetlb -a {2 << 20} -g {128 << 10} "
              f"-e {errno.EINVAL}")
    ksft_true(wait_unbound(cfg.ifindex, q), "queue unbound")


def test_query(cfg) -> None:
    """IORING_REGISTER_QUERY with ring fd -1 and on a ring: opcodes checked
    against what io_uring_setup gives and refuses, zcrx against what a
    registration lays out, every invalid query answered with its errno."""
    hds(cfg.ifindex, SPLIT_ON)
    out = helper_ok(cfg.ifname, f"-q {last_queue(cfg)} -Q")
    for line in out.splitlines():
        if line.startswith(("opcodes:", "zcrx:")):
            ksft_pr(line)
    ksft_true(out.count("ok ") >= 16, "fewer than 16 query cases ran")


def test_ctrl(cfg) -> None:
    """IORING_REGISTER_ZCRX_CTRL: the errno of every invalid control,
    FLUSH_RQ, EXPORT and IMPORT with their refusals, NODEV; once the
    rings and the exported file are closed the queue is unbound."""
    hds(cfg.ifindex, SPLIT_ON)
    q = last_queue(cfg)
    out = helper_ok(cfg.ifname, f"-q {q} -K")
    ksft_true(out.count("ok ") >= 25, "fewer than 25 control cases ran")
    ksft_true(wait_unbound(cfg.ifindex, q),
              "queue still bound after the rings and the file closed")


def test_two_devices(cfg) -> None:
    """One ring, ifqs on queues of two devices, a flow on each at once.

    Two linked netdevsim pairs, the peers in namespaces of their own; the
    first request of the first connection names the other device's ifq
    and ends with EFAULT, then the right one receives every byte.
    """
    if not os.access(HELPER, os.X_OK):
        raise KsftSkipEx(f"{HELPER} not built")
    pairs = [linked_pair(4, "2001:db8:3::1", "2001:db8:3::2"),
             linked_pair(4, "2001:db8:4::1", "2001:db8:4::2")]
    q = 3
    port = rand_port()
    for i, (dev, _) in enumerate(pairs):
        set_rings(dev.ifindex, tcp_data_split=SPLIT_ON, hds_thresh=0)
        ethtool(f"-X {dev.ifname} equal {q}")
        ethtool(f"-N {dev.ifname} flow-type tcp6 dst-port {port + i} "
                f"action {q}")
    size = 4 << 20
    (dev0, ns0), (dev1, ns1) = pairs
    srv = bkg(f"{HELPER} -s -i {dev0.ifname} -q {q} -A {dev1.ifname}:{q} "
              f"-N 2 -W -p {port} -l {size} -t -T 60", exit_wait=True,
              fail=False)
    defer(reap, srv.proc)
    wait_port_listen(port, deadline=30)
    clis = [bkg(f"{HELPER} -c -h 2001:db8:{3 + i}::1 -p {port + i} "
                f"-l {size} -T 60", ns=ns, fail=False)
            for i, (_, ns) in enumerate(pairs)]
    for cli in clis:
        cli.process(terminate=False, fail=False, timeout=90)
        ksft_eq(cli.ret, 0, f"sender: {cli.stdout}{cli.stderr}")
    srv.process(terminate=False, fail=False, timeout=90)
    ksft_eq(srv.ret, 0, f"iou-zcrx -A: {srv.stdout}{srv.stderr}")
    efault = re.findall(r" ifq=(\d+) efault=(\d+)", srv.stdout)
    ksft_eq(sorted(int(i) for i, _ in efault), [0, 1], "a connection per ifq")
    ksft_eq(sum(int(e) for _, e in efault), 1,
            "the request naming the other device's ifq ended with EFAULT")
    ifqs = re.findall(r"^\s*\d+: ifindex=(\d+) .* zc_bytes=(\d+) "
                      r"zc_frags=\d+ copy_bytes=(\d+)", srv.stdout,
                      re.MULTILINE)
    ksft_eq(sorted(int(i) for i, _, _ in ifqs),
            sorted([dev0.ifindex, dev1.ifindex]), "an ifq per device")
    ksft_eq(sum(int(z) + int(c) for _, z, c in ifqs), 2 * size,
            f"both streams: {ifqs}")
    for _, z, _ in ifqs:
        ksft_ge(int(z), size // 2, "each device's queue mostly zero copy")
    ksft_in("VmPin back to", srv.stdout)
    for dev, _ in pairs:
        ksft_true(wait_released(dev.ifindex, q),
                  f"{dev.ifname}: queue unbound, no io_uring page pool")


def main() -> None:
    with NetDrvEnv(__file__, queue_count=4) as cfg:
        cfg.ifname = cfg.dev['ifname']
        cases = [test_register, test_register_user_region,
                 test_register_several, test_invalid_args, test_bad_queue,
                 test_hds_off, test_same_queue, test_queue_reported,
                 test_netdev_removed, test_netdev_removed_dmabuf,
                 test_area_hugetlb, test_area_thp,
                 test_memlock, test_memlock_killed, test_memlock_huge,
                 test_rx_buf_len, test_query, test_ctrl, test_two_devices,
                 test_fuzz]
        # IOU_ZCRX_CASES, if set, names the cases to run (space-separated)
        only = os.environ.get("IOU_ZCRX_CASES", "").split()
        if only:
            cases = [c for c in cases if c.__name__ in only]
        ksft_run(cases, args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
