#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
io_uring zero-copy receive: TCP streams received with IORING_OP_RECV_ZC.

The remote end sends a TCP stream of a known pattern ("iou-zcrx -c"); the
local end ("iou-zcrx -s") registers an interface queue, receives the stream
with RECV_ZC, checks every byte and gives every buffer back through the
refill ring. Each case turns header split on (hds-thresh 0), keeps the last
rx queue out of the RSS table and steers the stream to it with an ntuple
rule (or an RSS context), then checks what the ring's fdinfo counts:
payload completed without a copy (zc_bytes) and copied (copy_bytes).
A device without rules by port (igb) gets the whole RSS table pointed at
the queue instead: every flow lands there, the case's among them.

IOU_ZCRX_CASES, if set, names the cases to run (space-separated): a
backend runs those that apply to it (harness/guest/igb-pair.sh).

The teardown cases stop giving buffers back and close the ring, kill the
receiver, or remove the device while buffers are held, then check that the
pinned area is released and the queue is unbound and receives again. On a
PCI NIC under QEMU the host hot-unplugs the NIC itself (test_zcrx_unplug,
the last case).

The concurrency case runs two rings on two queues at once, five flows
among them (one copied), restarts the queues under them, and closes the
rings while the flows still run.

The second-stage cases receive through ZCRX_CTRL_FLUSH_RQ, an ifq without
a device (ZCRX_REG_NODEV: every byte copied), one ifq shared by two rings
(ZCRX_CTRL_EXPORT and ZCRX_REG_IMPORT, closed in either order) and two
ifqs of one ring, one request of which names the other's ifq (EFAULT).
"""

import errno
import fcntl
import os
import re
import signal
import socket
import struct
import subprocess
import termios
import time

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_ge, ksft_in, ksft_true
from lib.py import ksft_busy_wait, ksft_pr
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import NetdevSimDev, NetNS, ethnl, netdevnl
from lib.py import NetDrvEpEnv
from lib.py import bkg, cmd, defer, ethtool, ip, rand_port, wait_port_listen

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iou-zcrx")
ABI_HELPER = HELPER + "-abi"

# ETHTOOL_TCP_DATA_SPLIT_*
SPLIT_ON = 2

MIB = 1 << 20
# the helper's area unless told otherwise (iou-zcrx.c area_size), in pages
AREA_PAGES = MIB // 4096
# what a holding receiver takes before it stops giving buffers back
HOLD = 256 << 10
# the volume cases: bytes received per address family, a GiB in all
VOLUME = int(os.environ.get("ZCRX_VOLUME", 512 << 20))
# the hold cases: the receiver on one CPU, the sender (and so the NAPI) on another
RX_CPU = 0
TX_CPU = 1


def require_helper(path=HELPER):
    if not os.access(path, os.X_OK):
        raise KsftSkipEx(f"{path} not built")


def set_rings(ifindex, **attrs):
    req = {'header': {'dev-index': ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    ethnl().rings_set(req)


def hds_on(ifindex, ifname, restore=True):
    """Header split on with hds-thresh 0, restored when the case ends.

    Netlink first; ethtool's command line if this YNL spec predates
    hds-thresh.
    """
    old = ethnl().rings_get({'header': {'dev-index': ifindex}})
    if 'tcp-data-split' not in old:
        raise KsftSkipEx("device does not report tcp-data-split")
    if 'hds-thresh' in old:
        set_rings(ifindex, tcp_data_split=SPLIT_ON, hds_thresh=0)
        if restore:
            defer(set_rings, ifindex, tcp_data_split=old['tcp-data-split'],
                  hds_thresh=old['hds-thresh'])
        return
    ethtool(f"-G {ifname} tcp-data-split on hds-thresh 0")
    split = {'disabled': "off", 'enabled': "on"}.get(old['tcp-data-split'],
                                                      "auto")
    if restore:
        defer(ethtool, f"-G {ifname} tcp-data-split {split}")


def rx_queues(ifindex):
    q = netdevnl().queue_get({'ifindex': ifindex}, dump=True)
    return len([x for x in q if x['type'] == 'rx'])


def steer(cfg, port, target, src=None, restore=True):
    """An ntuple rule for TCP to @port, from port @src if given: "action Q"
    or "context C"; removed when the case ends unless @restore is False."""
    flow = "tcp6" if cfg.addr_ipver == "6" else "tcp4"
    if src:
        flow += f" src-port {src}"
    res = cmd(f"ethtool -N {cfg.ifname} flow-type {flow} dst-port {port} {target}",
              fail=False)
    if res.ret == 0:
        if restore:
            defer(ethtool, f"-N {cfg.ifname} delete {int(res.stdout.split()[-1])}")
        return
    if src or not target.startswith("action "):
        raise KsftSkipEx(f"no ntuple rule by port: {res.stderr.strip()}")
    # no rules by port (igb): the whole RSS table to the queue
    queue = int(target.split()[1])
    n = rx_queues(cfg.ifindex)
    weights = " ".join("1" if q == queue else "0" for q in range(n))
    ethtool(f"-X {cfg.ifname} weight {weights}")
    if restore:
        defer(ethtool, f"-X {cfg.ifname} default")


def rx_ring_fits(ifindex):
    """At most a quarter of the area's buffers on the rx ring, restored.

    A ring that holds the whole area (igb's 256 descriptors, the helper's
    256 buffers) leaves none for the copies of frames too short to split,
    and the receiver waits for buffers the ring will not give back.
    """
    rings = ethnl().rings_get({'header': {'dev-index': ifindex}})
    most = AREA_PAGES // 4
    if rings.get('rx', 0) > most:
        set_rings(ifindex, rx=most)
        defer(set_rings, ifindex, rx=rings['rx'])


def prepare_last_queue(cfg, nr=1):
    """Header split on, the rx ring within the area, the last @nr queues
    out of RSS, all restored.

    Return the number of rx queues.
    """
    require_helper()
    hds_on(cfg.ifindex, cfg.ifname)
    rx_ring_fits(cfg.ifindex)
    n = rx_queues(cfg.ifindex)
    if n < nr + 1:
        raise KsftSkipEx(f"needs at least {nr + 1} rx queues")
    ethtool(f"-X {cfg.ifname} equal {n - nr}")
    defer(ethtool, f"-X {cfg.ifname} default")
    return n


def setup(cfg, steer_to=None, wire=True):
    """Wire delivery (unless @wire is False), header split on, the last
    queue out of RSS, a flow steered.

    Return (the last queue, the port of a flow steered to it, or to queue
    @steer_to).
    """
    if wire:
        wire_delivery(cfg)
    n = prepare_last_queue(cfg)
    port = rand_port()
    steer(cfg, port, f"action {n - 1 if steer_to is None else steer_to}")
    return n - 1, port


def wire_delivery(cfg):
    """On netdevsim, deliver frames as a wire does until the case ends.

    Both ports of the pair get rx_delivery "wire": the sender cuts its TSO
    packets into MTU-sized frames, and the receiver queues each one and
    merges them with GRO, instead of passing whole TSO packets up as a NIC
    doing hardware GRO would (netdevsim's default, "hw-gro"). A real NIC
    delivers what it delivers: there is nothing to set.

    Return True if wire delivery was turned on.
    """
    if not getattr(cfg, "_ns", None):
        return False
    for nsim in (cfg._ns.nsims[0], cfg._ns_peer.nsims[0]):
        path = os.path.join(nsim.dfs_dir, "rx_delivery")
        if not os.path.exists(path):
            raise KsftSkipEx("netdevsim has no rx_delivery setting")
        with open(path) as f:
            old = f.read().strip()
        nsim.dfs_write("rx_delivery", "wire")
        defer(nsim.dfs_write, "rx_delivery", old)
    return True


def fields(line):
    return {k: int(v) for k, v in (f.split('=') for f in line.split())}


def ifq_line(out):
    for line in out.splitlines():
        m = re.match(r"\s*\d+: (ifindex=.*)", line)
        if m:
            return m.group(1)
    raise KsftFailEx(f"no ZcrxIfqs line in the helper's output:\n{out}")


def ifq_stats(out):
    """The counters of the first ifq in the fdinfo the helper printed."""
    return fields(ifq_line(out))


def summary(out):
    """The helper's "received ..." line, as {name: value}."""
    for line in out.splitlines():
        if line.startswith("received "):
            return fields(line[len("received "):])
    raise KsftFailEx(f"no summary in the helper's output:\n{out}")


def report(out):
    """Show what the helper received and what the ifq counted."""
    ksft_pr(next(line for line in out.splitlines()
                 if line.startswith("received ")))
    ksft_pr(ifq_line(out))


def reap(proc):
    """Kill a helper the case left running."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def wait_listen(proc, port):
    """wait_port_listen(); False if @proc exited instead."""
    end = time.monotonic() + 10
    while proc.poll() is None:
        try:
            wait_port_listen(port, deadline=0.2)
            return True
        except Exception:
            if time.monotonic() > end:
                raise
    return False


def receive(cfg, queue, port, size, args="", helper=HELPER, cli_args="",
            cpu=None, timeout=100):
    """Receive @size bytes sent by the remote on @queue; return the output.

    With @cpu, the receiver and the sender both run on that CPU. Both give
    up after @timeout seconds.
    """
    require_helper(helper)
    if helper == HELPER:
        args = f"-s -l {size} -T {timeout} {args}"
    else:
        args = f"-l {size} -T {timeout} {args}"
    pin = on_cpu(cpu) if cpu is not None else []
    srv = bkg(pin + [helper, "-i", cfg.ifname, "-q", str(queue),
                     "-p", str(port)] + args.split(),
              shell=False, fail=False, exit_wait=True)
    defer(reap, srv.proc)
    cli = None
    if wait_listen(srv.proc, port):
        cli = cmd(f"{' '.join(pin)} {cfg.bin_remote} -c -h {cfg.addr} "
                  f"-p {port} -l {size} -T {timeout} {cli_args}",
                  host=cfg.remote, fail=False, timeout=timeout + 20)
    srv.process(terminate=False, fail=False, timeout=timeout + 20)
    name = os.path.basename(helper)
    if srv.ret:
        raise KsftFailEx(f"{name} {args}: exit {srv.ret}\n"
                         f"{srv.stdout}{srv.stderr}")
    if cli is None:
        raise KsftFailEx(f"{name} exited before listening:\n{srv.stdout}")
    ksft_eq(cli.ret, 0, f"sender: {cli.stderr}")
    report(srv.stdout)
    ksft_eq(summary(srv.stdout)['bytes'], size, "bytes received")
    return srv.stdout


def check_zc(out, size):
    """All of @size arrived, nearly all of it without a copy."""
    s = ifq_stats(out)
    ksft_eq(s['zc_bytes'] + s['copy_bytes'], size,
            f"zc_bytes + copy_bytes: {s}")
    ksft_ge(s['zc_bytes'], 1, "payload received without a copy")
    ksft_ge(size // 100, s['copy_bytes'], f"at most 1% copied: {s}")
    ksft_eq(s['zc_frags'] + s['copy_frags'], summary(out)['cqes'],
            "a CQE per fragment")


def queue_io_uring(ifindex, q):
    """The io-uring nest of an rx queue, None if not bound."""
    queue = netdevnl().queue_get({'ifindex': ifindex, 'id': q,
                                  'type': 'rx'})
    return queue.get('io-uring')


def io_uring_pools(ifindex):
    pools = netdevnl().page_pool_get({}, dump=True)
    return [p for p in pools
            if p.get('ifindex') == ifindex and 'io-uring' in p]


def wait_released(ifindex, q):
    """Ring exit and page pool release are async: give them 30 s."""
    for _ in range(300):
        if queue_io_uring(ifindex, q) is None and not io_uring_pools(ifindex):
            return True
        time.sleep(0.1)
    return False


def check_released(cfg, q):
    """The queue is unbound, no pool uses an area, and the queue receives."""
    ksft_true(wait_released(cfg.ifindex, q),
              "queue unbound and no io_uring page pool left")
    port = rand_port()
    steer(cfg, port, f"action {q}")
    check_zc(receive(cfg, q, port, MIB), MIB)


def on_cpu(cpu):
    """A command prefix that runs on @cpu, where the guest has it.

    The hold cases receive on RX_CPU and send from TX_CPU: netdevsim runs
    the receiver's NAPI on the sending CPU, so every skb the receiver frees
    waits on that CPU's deferred-free list, as with a real NIC whose
    interrupt lands on another CPU than the application.
    """
    if (os.cpu_count() or 1) <= max(RX_CPU, TX_CPU):
        return []
    return ["taskset", "-c", str(cpu)]


def hold(ifname, q, port, args, sender, ready="holding"):
    """Start a receiver that stops giving buffers back after HOLD bytes.

    @sender starts the sending side once the receiver listens. The
    receiver then waits for its stdin to close. Return it, once it prints
    a line starting with @ready (by default: once it holds buffers), and
    what it printed. With @ready "done" it holds nothing: with "-P -l
    BYTES" in @args it receives BYTES, gives every buffer back and waits.
    """
    require_helper()
    if ready == "holding":
        args = f"-k {HOLD} {args}"
    proc = subprocess.Popen(on_cpu(RX_CPU) +
                            [HELPER, "-s", "-i", ifname, "-q", str(q),
                             "-p", str(port), "-w", "-T", "100"] +
                            args.split(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    defer(reap, proc)
    if wait_listen(proc, port):
        cli = sender()
        defer(cli.process, terminate=True, fail=False)
    out = ""
    for line in proc.stdout:
        out += line
        if line.startswith(ready):
            report(out)
            return proc, out
    proc.wait(timeout=30)
    raise KsftFailEx(f"the receiver did not get to '{ready}':\n"
                     f"{out}{proc.stderr.read()}")


def remote_sender(cfg, port):
    pin = " ".join(on_cpu(TX_CPU))
    return lambda: bkg(f"{pin} {cfg.bin_remote} -c -h {cfg.addr} -p {port} "
                       f"-l {64 * MIB} -T 100", host=cfg.remote, fail=False)


def test_zcrx(cfg) -> None:
    """Multishot RECV_ZC of a several MiB stream, every byte checked."""
    q, port = setup(cfg)
    size = 8 * MIB
    out = receive(cfg, q, port, size, "-t")
    check_zc(out, size)
    ksft_in("VmPin back to", out)


def use_ipv4(cfg):
    """Until the case ends, the flows of this case run over IPv4."""
    cfg.require_v4()
    old = cfg.addr, cfg.addr_ipver
    cfg.addr, cfg.addr_ipver = cfg.v4, "4"

    def restore():
        cfg.addr, cfg.addr_ipver = old
    defer(restore)


def receive_volume(cfg):
    """VOLUME bytes received with RECV_ZC, every byte checked.

    Delivered as a NIC doing hardware GRO does (netdevsim's default), in
    packets of up to 64 KiB: the per-frame cost of a debug kernel under
    emulation makes 1500-byte frames arrive at ~2 MB/s. netdevsim offers
    TSO for IPv4 only: over IPv6 the stack would cut every packet to the
    MTU, so the link gets a 64 KiB MTU for as long as the case runs.
    """
    if cfg.addr_ipver == "6":
        set_mtu(cfg, 65535)
    q, port = setup(cfg, wire=False)
    out = receive(cfg, q, port, VOLUME, "-t", timeout=600)
    check_zc(out, VOLUME)
    ksft_in("VmPin back to", out)
    s = ifq_stats(out)
    ksft_pr(f"figure: verified {VOLUME} bytes over IPv{cfg.addr_ipver}: "
            f"zc_bytes={s['zc_bytes']} copy_bytes={s['copy_bytes']}")


def test_zcrx_volume_ipv4(cfg) -> None:
    """512 MiB over IPv4, each byte checked, each buffer used ~500 times."""
    use_ipv4(cfg)
    receive_volume(cfg)


def test_zcrx_volume_ipv6(cfg) -> None:
    """512 MiB over IPv6, each byte checked."""
    cfg.require_v6()
    receive_volume(cfg)


def test_zcrx_oneshot(cfg) -> None:
    """Requests limited to 5000 bytes, which splits 4 KiB fragments."""
    q, port = setup(cfg)
    size, limit = MIB, 5000
    out = receive(cfg, q, port, size, f"-o {limit}")
    check_zc(out, size)
    s = summary(out)
    # full requests, a short one at EOF, and one that only sees EOF
    want = size // limit + (1 if size % limit else 0) + 1
    ksft_eq(s['requests'] - s['enospc'] - s['enomem'], want,
            f"a request per {limit} bytes: {s}")


def test_zcrx_short_segments(cfg) -> None:
    """Every write its own segment, the 1, 7 and 100 byte ones too.

    A NIC that places a frame small enough for its header buffer there
    whole (igb) delivers those segments in host memory, between segments
    in the area: RECV_ZC copies them, into free buffers of the area that
    the queue, taking buffers for the data behind them, must not use up.
    """
    q, port = setup(cfg)
    size = 8 * MIB
    out = receive(cfg, q, port, size, cli_args="-M")
    check_zc(out, size)
    s = ifq_stats(out)
    ksft_pr(f"copied {s['copy_bytes']} bytes in {s['copy_frags']} buffers")


def write_file(path, val):
    with open(path, "w") as f:
        f.write(val)


def count_long_packets(ifname, min_len):
    """Count the packets longer than @min_len that @ifname passes up.

    The netif_receive_skb tracepoint sees the packets GRO built; it counts
    in a tracing instance of its own, removed when the case ends. Return a
    function that stops counting and returns the count, or None if there
    is no tracefs.
    """
    event = "events/net/netif_receive_skb"
    tracefs = next((d for d in ("/sys/kernel/tracing",
                                "/sys/kernel/debug/tracing")
                    if os.path.exists(os.path.join(d, event))), None)
    if not tracefs:
        return None
    inst = os.path.join(tracefs, "instances", f"iou-zcrx-{os.getpid()}")
    os.mkdir(inst)
    defer(os.rmdir, inst)
    event = os.path.join(inst, event)
    write_file(event + "/filter", f'len > {min_len} && name == "{ifname}"')
    write_file(event + "/enable", "1")
    defer(write_file, event + "/enable", "0")

    def stop():
        write_file(event + "/enable", "0")
        with open(os.path.join(inst, "trace")) as f:
            return sum(1 for line in f if not line.startswith("#"))
    return stop


def min_tso_segs(cfg, segs):
    """Make the remote's TCP send at least @segs segments per TSO packet,
    until the case ends."""
    knob = "net.ipv4.tcp_min_tso_segs"
    old = cmd(f"sysctl -n {knob}", host=cfg.remote).stdout.strip()
    cmd(f"sysctl -qw {knob}={segs}", host=cfg.remote)
    defer(cmd, f"sysctl -qw {knob}={old}", host=cfg.remote)


def test_zcrx_oneshot_frag_list(cfg) -> None:
    """Limited requests that start and end inside a GRO packet's frag_list.

    On netdevsim the pair delivers frames as a wire does (wire_delivery()).
    With header split on, the payload of each MTU-sized frame lands in a
    buffer of its own, and GRO merges a flow's frames into packets of up
    to 64 KiB: a fragment per frame up to MAX_SKB_FRAGS (17), then further
    frames chained in frag_list. With an MSS of 1448 (IPv4) or 1428 (IPv6)
    the first 17 frames carry under 25 KB: the sender's 64 KiB bursts (it
    writes up to 250000 bytes at a time) reach the socket as packets with
    their last 40 KB in frag_list. A packet longer than
    (MAX_SKB_FRAGS + 2) * MTU holds more frames than fragments, so it has
    a frag_list: where there is tracefs, the case counts them.

    GRO merges what one NAPI poll finds, and netdevsim's receiving queue
    is polled as each transmit returns: a TSO packet of 2 frames reaches
    the socket as a GRO packet of 2 frames. TCP sizes
    its TSO packets to about a millisecond at its pacing rate, which under
    TCG is a few MB/s: 2 segments (tcp_min_tso_segs), GRO packets of 3 KB
    at the median and none over 28500 bytes (seen on the debug kernel).
    On netdevsim the remote therefore sends 44 segments per TSO packet,
    as a sender on a fast link does; on a real NIC pair TCP decides.

    Requests are limited to 40000 bytes, a multiple of neither MSS, so
    they start and end at varying offsets inside frag_list members. Every
    request but the last must complete at exactly its limit: the helper
    fails a request that gets more, or data after one that ended short,
    and checks every byte; here the number of requests is checked.
    """
    q, port = setup(cfg)
    wired = getattr(cfg, "_ns", None) is not None
    if wired:
        min_tso_segs(cfg, 44)
    mtu = ip(f"link show dev {cfg.ifname}", json=True)[0]['mtu']
    with open("/proc/sys/net/core/max_skb_frags") as f:
        max_frags = int(f.read())
    # max_skb_frags is MAX_SKB_FRAGS unless lowered; a packet longer than
    # this has more frames than fragments
    long_len = (max_frags + 2) * mtu
    if long_len >= 65536:
        raise KsftSkipEx(f"MTU {mtu}, {max_frags} fragments: "
                         "GRO packets of 64 KiB need no frag_list")
    count = count_long_packets(cfg.ifname, long_len)

    size, limit = 4 * MIB, 40000
    out = receive(cfg, q, port, size, f"-o {limit} -a {4 * MIB}")
    check_zc(out, size)
    s = summary(out)
    # full requests, a short one at EOF, and one that only sees EOF
    want = size // limit + (1 if size % limit else 0) + 1
    ksft_eq(s['requests'] - s['enospc'] - s['enomem'], want,
            f"a request per {limit} bytes: {s}")

    if count is None:
        ksft_pr("no tracefs: packets with a frag_list not counted")
        return
    n = count()
    ksft_pr(f"{n} packets longer than {long_len} bytes passed up")
    # a NIC's hardware GRO may build long packets without a frag_list
    if wired:
        ksft_ge(n, 1, "GRO chained frames in frag_list")


def test_zcrx_user_region(cfg) -> None:
    """The refill ring in user memory instead of mapped from the ring."""
    q, port = setup(cfg)
    check_zc(receive(cfg, q, port, 2 * MIB, "-u"), 2 * MIB)


def test_zcrx_small_cq(cfg) -> None:
    """A CQ of 8 entries fills up: -ENOSPC ends requests, re-armed."""
    q, port = setup(cfg)
    size = 4 * MIB
    out = receive(cfg, q, port, size, "-C 8")
    check_zc(out, size)
    ksft_ge(summary(out)['enospc'], 1, "requests ended with -ENOSPC")


def gro_off(ifname):
    """Turn GRO off on @ifname until the case ends."""
    feats = ethtool(f"-k {ifname}").stdout
    if "generic-receive-offload: on" in feats:
        ethtool(f"-K {ifname} gro off")
        defer(ethtool, f"-K {ifname} gro on")


def set_mtu(cfg, mtu):
    """Set @mtu on both ends of the link until the case ends."""
    peer = ip(f"route get {cfg.addr}", json=True, host=cfg.remote)[0]['dev']
    for ifname, host in ((cfg.ifname, None), (peer, cfg.remote)):
        old = ip(f"link show dev {ifname}", json=True, host=host)[0]['mtu']
        ip(f"link set dev {ifname} mtu {mtu}", host=host)
        defer(ip, f"link set dev {ifname} mtu {old}", host=host)


def test_zcrx_error_ends_request(cfg) -> None:
    """An error after progress ends the request: a waiting peer is served.

    tcp_read_sock() returns the bytes of the skbs a pass completed and
    drops an error the next skb gave at its start: the request must end
    with that error all the same. Getting the error exactly there:

    With an MTU of a page and a half, each frame's payload takes two
    buffers, two fragments and two CQEs. With GRO off, TCP coalesces
    frames queued in order into skbs of up to MAX_SKB_FRAGS (17)
    fragments: 8 frames, 16 fragments. The CQ has 16 entries. The
    receiver's multishot request is armed before anything arrives; then
    the sender writes 10 frames at once, one flight (the initial
    congestion window), and waits for an answer without closing (-P), so
    no new data or EOF wakes a request left armed with data in the socket.
    On netdevsim the sending CPU delivers the flight before it returns,
    and the receiver runs on that CPU too: its wakeup finds an skb of 8
    frames and one of 2, and room for 16 CQEs. The first skb fills the
    CQ, the second fails at its start with -ENOSPC. The request must end
    with it, and the receiver re-arms for the rest.
    """
    page = os.sysconf("SC_PAGESIZE")
    mtu = page + page // 2
    q, port = setup(cfg)
    gro_off(cfg.ifname)
    set_mtu(cfg, mtu)
    # 10 frames: an MSS is more than the MTU less 100 bytes of headers
    size = 10 * (mtu - 100)
    out = receive(cfg, q, port, size, "-C 16 -P -T 20",
                  cli_args="-P -D 1000", cpu=RX_CPU)
    check_zc(out, size)
    s = summary(out)
    ksft_ge(s['enospc'], 1, f"requests ended with -ENOSPC: {s}")


def test_zcrx_bad_refill(cfg) -> None:
    """Refill entries that name no buffer are rejected and counted."""
    q, port = setup(cfg)
    size = 2 * MIB
    out = receive(cfg, q, port, size, "-b 16")
    check_zc(out, size)
    bogus = summary(out)['bogus']
    rejected = ifq_stats(out)['rq_rejected']
    ksft_ge(bogus, 2, "bogus refill entries")
    ksft_true(1 <= rejected <= bogus,
              f"{rejected} of {bogus} bogus refill entries rejected")


def test_zcrx_hostile_refill(cfg) -> None:
    """A refill ring abused: buffers returned twice, a tail 2^30 ahead.

    Every 8th buffer is returned twice in a row: the second entry finds
    no reference of the user's and is refused, or, if the kernel lent the
    buffer out again in between, it takes that reference and the user's
    later return of it is refused: each is counted once, nothing is freed
    twice. Half-way the tail jumps 2^30 entries past the head: from then
    on the kernel reads whatever the entries hold, no more than the ring
    has per pass, and loses the buffers of entries it passes over before
    they are written. Once its head is two rings past the jump, the
    application puts the tail back at the head, behind where it was, and
    returns again every buffer it returned since (the kernel refuses
    those it took). The stream completes (its data is no longer checked:
    the user gave back buffers it was reading), and closing the ring
    brings every buffer home: the area is unpinned, and the kernel log
    shows no refcount or KASAN report.

    The area has a buffer for every segment of the stream. With the
    default 1 MiB, the buffers lost before the tail comes back leave the
    queue short; the frames it then drops leave a hole, and the segments
    behind it wait in TCP's out-of-order queue, each in a buffer of the
    area. Once they hold them all, the retransmission has none and the
    stream stalls: 100 s without a byte in about one run in twenty.
    """
    q, port = setup(cfg)
    size = 4 * MIB
    # 4096 buffers: more than its segments at an MTU of 1280 or more
    out = receive(cfg, q, port, size, f"-X 8 -t -a {4 * size}")
    s = summary(out)
    ksft_ge(s['dups'], 8, f"buffers returned twice: {s}")
    ksft_eq(s['jumps'], 1, "refill tail moved past the head")
    ksft_ge(s['resyncs'], 1, "refill tail put back at the head")
    stats = ifq_stats(out)
    ksft_eq(stats['zc_bytes'] + stats['copy_bytes'], size,
            f"zc_bytes + copy_bytes: {stats}")
    ksft_ge(stats['rq_rejected'], 1, f"refused refill entries: {stats}")
    ksft_in("VmPin back to", out)
    ksft_pr(f"figure: hostile refill: {s['dups']} buffers returned twice, "
            f"the tail moved 2^30 past the head {s['jumps']} time(s) and "
            f"back {s['resyncs']} time(s), "
            f"{stats['rq_rejected']} entries refused, the area unpinned")


def test_zcrx_padded_refill(cfg) -> None:
    """Refill entries with a non-zero __pad are rejected and counted.

    Such a buffer stays with the application until the ring closes.
    """
    q, port = setup(cfg)
    size = 2 * MIB
    out = receive(cfg, q, port, size, "-B 64 -t")
    check_zc(out, size)
    padded = summary(out)['padded']
    rejected = ifq_stats(out)['rq_rejected']
    ksft_ge(padded, 1, "refill entries with __pad set")
    ksft_true(1 <= rejected <= padded,
              f"{rejected} of {padded} entries with __pad set rejected")
    ksft_in("VmPin back to", out)


def receive_huge(cfg, kind):
    """Receive into an area that is one 2 MiB huge page of @kind."""
    q, port = setup(cfg)
    size = 8 * MIB
    out = receive(cfg, q, port, size, f"-H {kind} -a 2097152 -t")
    check_zc(out, size)
    ksft_in("VmPin back to", out)


def test_zcrx_hugetlb(cfg) -> None:
    """The area in a 2 MiB hugetlb page: every byte verified."""
    receive_huge(cfg, "hugetlb")


def test_zcrx_thp(cfg) -> None:
    """The area in a transparent huge page: every byte verified."""
    receive_huge(cfg, "thp")


def test_zcrx_rss(cfg) -> None:
    """The flow reaches the queue through an RSS context."""
    n = prepare_last_queue(cfg)
    weights = " ".join("1" if i == n - 1 else "0" for i in range(n))
    res = cmd(f"ethtool -X {cfg.ifname} context new weight {weights}",
              fail=False)
    if res.ret:
        raise KsftSkipEx(f"no RSS contexts: {res.stderr.strip()}")
    ctx = int(res.stdout.split()[-1])
    defer(ethtool, f"-X {cfg.ifname} context {ctx} delete")
    port = rand_port()
    steer(cfg, port, f"context {ctx}")
    size = 4 * MIB
    check_zc(receive(cfg, n - 1, port, size), size)


def test_zcrx_copy_fallback(cfg) -> None:
    """The flow lands on an unbound queue: every byte is copied."""
    q, port = setup(cfg, steer_to=0)
    size = MIB
    s = ifq_stats(receive(cfg, q, port, size, f"-a {4 * MIB}"))
    ksft_eq(s['copy_bytes'], size, f"every byte copied: {s}")
    ksft_eq(s['zc_bytes'], 0, f"nothing zero-copy: {s}")


def test_zcrx_copy_fallback_reuse(cfg) -> None:
    """Copied data four times the area: returned buffers are used again."""
    q, port = setup(cfg, steer_to=0)
    size = 4 * MIB
    s = ifq_stats(receive(cfg, q, port, size, f"-a {MIB} -T 60"))
    ksft_eq(s['copy_bytes'], size, f"every byte copied: {s}")


FAULT_ATTRS = (("failslab", "ignore-gfp-wait", "N"),
               ("failslab", "verbose", "0"),
               ("fail_page_alloc", "ignore-gfp-wait", "N"),
               ("fail_page_alloc", "min-order", "0"),
               ("fail_page_alloc", "verbose", "0"))
# a sweep that never ends fails; the paths swept make far fewer calls
FAULT_MAX = 200


# the text of the DMA API debugging code (kernel/dma/debug.c), by the
# functions of it that a stack allocating for it passes through
DMA_DEBUG_TEXT = re.compile(r"debug_dma_\w+|add_dma_entry|dma_entry_alloc"
                            r"|dma_debug_create_entries|active_cacheline_\w+")


def dma_debug_text():
    """[start, end) of kernel/dma/debug.c's text, None without it."""
    text = []
    with open("/proc/kallsyms") as f:
        for line in f:
            fld = line.split()
            # built-in text only: no [module] column
            if len(fld) == 3 and fld[1] in "tT":
                text.append((int(fld[0], 16), fld[2]))
    text.sort()
    idx = [i for i, (_, name) in enumerate(text)
           if DMA_DEBUG_TEXT.fullmatch(name)]
    if not idx:
        return None
    start, end = text[idx[0]][0], text[idx[-1] + 1][0]
    if not start or end - start > 1 << 16:
        raise KsftFailEx(f"no sane DMA API debug text: {start:#x}-{end:#x}"
                         " (kptr_restrict?)")
    return start, end


def fault_injection():
    """Until the case ends, a thread's fail-nth fails the Nth slab or page
    allocation it makes, sleeping ones and order 0 included, quietly.

    Nothing fails unless a thread asks: the probability stays 0. Not the
    DMA API debugging code's own allocations: it gives up on the first
    that fails (and is off for the rest of the boot), which is not the
    path under test.
    """
    debugfs = "/sys/kernel/debug"
    attrs = list(FAULT_ATTRS)
    if os.path.exists(os.path.join(debugfs, "dma-api")):
        text = dma_debug_text()
        if text:
            for attr in ("failslab", "fail_page_alloc"):
                attrs += [(attr, "reject-start", str(text[0])),
                          (attr, "reject-end", str(text[1]))]
    for attr, name, val in attrs:
        path = os.path.join(debugfs, attr, name)
        if not os.path.exists(path):
            raise KsftSkipEx(f"no {path}: CONFIG_FAILSLAB, "
                             "CONFIG_FAIL_PAGE_ALLOC, "
                             "CONFIG_FAULT_INJECTION_DEBUG_FS, "
                             "CONFIG_FAULT_INJECTION_STACKTRACE_FILTER")
        with open(path) as f:
            old = f.read().strip()
        write_file(path, val)
        defer(write_file, path, old)


def fault_line(out):
    for line in out.splitlines():
        if line.startswith("fault "):
            return line
    raise KsftFailEx(f"no fault line in the helper's output:\n{out}")


def test_zcrx_fault_register(cfg) -> None:
    """Registration with each of its allocations failed in turn.

    Each attempt succeeds (the failure was absorbed) or fails with ENOMEM,
    and leaves the area unpinned and the queue free; afterwards the queue
    is unbound and receives again.
    """
    q, port = setup(cfg)
    fault_injection()
    res = cmd(f"{HELPER} -i {cfg.ifname} -q {q} -a {64 << 10} -F",
              fail=False, timeout=900)
    ksft_eq(res.ret, 0, f"fault sweep:\n{res.stdout}{res.stderr}")
    s = fields(fault_line(res.stdout)[len("fault sweep: "):])
    ksft_pr(f"figure: registration: {s['calls']} allocations failed in turn: "
            f"{s['refused']} refused with ENOMEM, {s['absorbed']} absorbed")
    ksft_ge(s['refused'], 1, "a failed allocation refuses the registration")
    check_released(cfg, q)


def fault_recv_sweep(cfg, q, port, what):
    """Receive a stream failing the 1st, 2nd, ... allocation the receiver
    makes from its first RECV_ZC submission to the first completion; each
    stream completes, every byte checked. Return the outputs."""
    fault_injection()
    size = 256 << 10
    outs = []
    for n in range(1, FAULT_MAX + 1):
        out = receive(cfg, q, port, size, f"-f {n} -t")
        ksft_in("VmPin back to", out)
        outs.append(out)
        if not fields(fault_line(out)[len("fault "):])['injected']:
            break
    else:
        raise KsftFailEx(f"{what}: still failing allocations at call {n}")
    refused = sum(fields(fault_line(o)[len("fault "):])['submit_errors']
                  for o in outs)
    ksft_pr(f"figure: {what}: {n - 1} allocations failed in turn, "
            f"{sum(summary(o)['enomem'] for o in outs)} requests ended "
            f"with ENOMEM and re-armed, {refused} submissions refused, "
            f"{n * size} bytes verified")
    return outs


def test_zcrx_fault_recv(cfg) -> None:
    """RECV_ZC with each allocation of its first request failed in turn."""
    q, port = setup(cfg)
    for out in fault_recv_sweep(cfg, q, port, "RECV_ZC"):
        ksft_ge(ifq_stats(out)['zc_bytes'], 1, "payload without a copy")
    check_released(cfg, q)


def test_zcrx_fault_copy(cfg) -> None:
    """The copy fallback with each allocation failed in turn."""
    q, port = setup(cfg, steer_to=0)
    for out in fault_recv_sweep(cfg, q, port, "copy fallback"):
        ksft_eq(ifq_stats(out)['zc_bytes'], 0, "every byte copied")
    check_released(cfg, q)


def fail_nth(fd, n):
    """Arm this thread's fail-nth (open at @fd: opening it allocates), or
    with @n 0 disarm it: return True if the armed fault was injected."""
    if n:
        os.pwrite(fd, str(n).encode(), 0)
        return False
    left = int(os.pread(fd, 16, 0) or b"0")
    os.pwrite(fd, b"0", 0)
    return left == 0


def test_zcrx_fault_restart(cfg) -> None:
    """Restarts of a bound queue with each allocation failed in turn.

    Each restart succeeds or fails with ENOMEM, keeping the old queue; the
    queue stays bound throughout and, once the ring is closed, is unbound
    and receives again.
    """
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("restarts the queue through netdevsim's debugfs")
    q, port = setup(cfg)
    fault_injection()
    size = MIB
    proc, out = hold(cfg.ifname, q, port, f"-t -P -l {size}",
                     lambda: bkg(f"{cfg.bin_remote} -c -h {cfg.addr} "
                                 f"-p {port} -l {size} -P -T 100",
                                 host=cfg.remote, fail=False),
                     ready="done")
    reset = os.path.join(cfg._ns.nsims[0].dfs_dir, "queue", "reset")
    refused = 0
    fd = os.open(reset, os.O_WRONLY)
    nth = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
    try:
        for n in range(1, FAULT_MAX + 1):
            fail_nth(nth, n)
            try:
                os.write(fd, str(q).encode())
                err = 0
            except OSError as e:
                err = e.errno
            injected = fail_nth(nth, 0)
            if err:
                ksft_eq(err, errno.ENOMEM,
                        f"restart with call {n} failed: {os.strerror(err)}")
                refused += 1
            if not injected:
                ksft_eq(err, 0, "a restart without a fault")
                break
            ksft_true(queue_io_uring(cfg.ifindex, q) is not None,
                      f"queue {q} still bound after call {n} failed")
        else:
            raise KsftFailEx(f"restart: still failing allocations at call {n}")
    finally:
        os.close(nth)
        os.close(fd)
    ksft_pr(f"figure: restart: {n - 1} allocations failed in turn, {refused} "
            "refused with ENOMEM")
    rest, err = proc.communicate(timeout=60)
    ksft_eq(proc.returncode, 0, f"iou-zcrx:\n{out}{rest}{err}")
    ksft_in("VmPin back to", rest)
    check_released(cfg, q)


def test_zcrx_abi(cfg) -> None:
    """A receiver built with its own copy of the ABI, not the kernel's."""
    q, port = setup(cfg)
    size = 4 * MIB
    check_zc(receive(cfg, q, port, size, helper=ABI_HELPER), size)


def test_zcrx_linked_nop(cfg) -> None:
    """A NOP linked to each RECV_ZC is cancelled when the request ends.

    A multishot RECV_ZC ends only by failing, as in mainline: with an error
    or with 0 at EOF, and a request linked after it is cancelled.
    """
    q, port = setup(cfg)
    size = MIB
    out = receive(cfg, q, port, size, "-L", helper=ABI_HELPER)
    check_zc(out, size)
    s = summary(out)
    ksft_eq(s['nops'], s['requests'], "a NOP completed per request")


def test_zcrx_invalid_sqe(cfg) -> None:
    """Invalid RECV_ZC submissions, each refused with its errno."""
    require_helper()
    hds_on(cfg.ifindex, cfg.ifname)
    q = rx_queues(cfg.ifindex) - 1
    res = cmd(f"{HELPER} -i {cfg.ifname} -q {q} -z", fail=False, timeout=120)
    ksft_eq(res.ret, 0, f"iou-zcrx -z:\n{res.stdout}{res.stderr}")
    ksft_eq(res.stdout.count("ok RECV_ZC"), 12, "every case ran")
    for name, err in (("without IORING_RECV_MULTISHOT", errno.EINVAL),
                      ("on a pipe", errno.ENOTSOCK),
                      ("on a UDP socket", errno.EPROTONOSUPPORT)):
        ksft_in(f"ok RECV_ZC {name}: {os.strerror(err)}", res.stdout)


def test_zcrx_hold_close(cfg) -> None:
    """Close the ring while holding buffers: everything comes back."""
    q, port = setup(cfg)
    proc, out = hold(cfg.ifname, q, port, "-t", remote_sender(cfg, port))
    ksft_true(queue_io_uring(cfg.ifindex, q) is not None, "queue bound")
    rest, err = proc.communicate(timeout=60)
    out += rest
    ksft_eq(proc.returncode, 0, f"iou-zcrx -k:\n{out}{err}")
    ksft_in("VmPin back to", out)
    check_released(cfg, q)


def pinned_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmPin:\s+(\d+)", f.read()).group(1))


def check_nl_counters(nest, stats, where):
    """The io-uring nest carries the counters the fdinfo shows.

    Only those that change when the application receives: the receiver
    holds still, the device may still miss buffers meanwhile.
    """
    if not nest or 'zc-bytes' not in nest:
        ksft_pr(f"{where}: no counters in the io-uring nest")
        return
    for name in ("zc_bytes", "zc_frags", "copy_bytes", "copy_frags",
                 "rq_rejected"):
        ksft_eq(nest.get(name.replace('_', '-')), stats[name],
                f"{where} io-uring {name}")


def test_zcrx_killed(cfg) -> None:
    """SIGKILL the receiver mid-stream while it holds buffers."""
    q, port = setup(cfg)
    proc, out = hold(cfg.ifname, q, port, "", remote_sender(cfg, port))
    ksft_eq(pinned_kb(proc.pid), MIB >> 10, "the area is pinned")
    nest = queue_io_uring(cfg.ifindex, q)
    ksft_true(nest is not None, "queue bound")
    check_nl_counters(nest, ifq_stats(out), "queue-get")
    for pool in io_uring_pools(cfg.ifindex):
        check_nl_counters(pool['io-uring'], ifq_stats(out), "page-pool-get")
    proc.kill()
    proc.wait(timeout=30)
    ksft_eq(proc.returncode, -signal.SIGKILL)
    check_released(cfg, q)


NSIM_DMA = "/sys/kernel/debug/netdevsim/dma"


def nsim_dma(dev_id):
    """What netdevsim's DMA emulation counted for bus device @dev_id.

    The counters outlive the device, so that a removed device can be
    checked for mappings left behind.
    """
    with open(NSIM_DMA) as f:
        for line in f:
            name, _, rest = line.partition(" ")
            if name == f"netdevsim{dev_id}":
                return fields(rest)
    raise KsftFailEx(f"netdevsim{dev_id} not in {NSIM_DMA}")


def check_nsim_dma_gone(dev_id):
    """A removed netdevsim device has no DMA mapping left, and its
    emulated NIC never wrote through an address that was not mapped."""
    s = nsim_dma(dev_id)
    ksft_eq(s['live'], 0, f"DMA mappings left after removal: {s}")
    ksft_eq(s['dropped_writes'], 0, f"device writes to unmapped memory: {s}")
    ksft_eq(s['bad_syncs'] + s['bad_unmaps'], 0,
            f"syncs or unmaps of unmapped addresses: {s}")


def nsim_pair(queue_count):
    """Another linked netdevsim pair, the peer in a namespace of its own.

    Return the local port, its device and the peer's namespace, all
    removed when the case ends.
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
    ip(f"-6 addr add dev {dev.ifname} 2001:db8:1::1/64 nodad")
    ip(f"link set dev {dev.ifname} up")
    ip(f"-6 addr add dev {pdev.ifname} 2001:db8:1::2/64 nodad", ns=ns)
    ip(f"link set dev {pdev.ifname} up", ns=ns)
    return dev, local, ns


def threaded_napi(dev, cpu):
    """Poll @dev's queues in NAPI threads, all of them on @cpu."""
    with open(f"/sys/class/net/{dev.ifname}/threaded", "w") as f:
        f.write("1")
    napis = netdevnl().napi_get({'ifindex': dev.ifindex}, dump=True)
    pids = [n['pid'] for n in napis if n.get('pid')]
    ksft_ge(len(pids), 1, f"NAPI threads of {dev.ifname}: {napis}")
    for pid in pids:
        os.sched_setaffinity(pid, {cpu})


def removable_pair(port):
    """A netdevsim pair for a case that removes the device: queue 3 split,
    flows to @port steered to it. Return the device, its netdevsim device
    and a function that starts a sender of @args from the peer."""
    dev, nsimdev, ns = nsim_pair(4)
    # the device goes away with its settings: nothing to restore
    hds_on(dev.ifindex, dev.ifname, restore=False)
    ethtool(f"-X {dev.ifname} equal 3")
    ethtool(f"-N {dev.ifname} flow-type tcp6 dst-port {port} action 3")

    def sender(args):
        pin = " ".join(on_cpu(TX_CPU))
        # exec: terminating the shell must stop the sender itself, which
        # would otherwise wait out its -T on a device that is gone
        return lambda: bkg(f"exec ip netns exec {ns.name} {pin} {HELPER} -c "
                           f"-h 2001:db8:1::1 -p {port} -T 100 {args}",
                           fail=False)
    return dev, nsimdev, sender


def remove_and_close(proc, out, nsimdev, ring_line):
    """Remove the device under the waiting receiver @proc, check nothing
    stays mapped, then let it close its ring: its area must be unpinned."""
    ring = fields(next(line for line in out.splitlines()
                       if line.startswith(ring_line)))
    ksft_ge(nsim_dma(nsimdev.addr)['live'], 1, "the area is mapped")
    nsimdev.remove()
    with open(f"/proc/{ring['pid']}/fdinfo/{ring['ring_fd']}") as f:
        ksft_in("bound=0", f.read(), "the ifq let the device go")
    # the ring is open (and buffers maybe held), but nothing stays mapped
    check_nsim_dma_gone(nsimdev.addr)
    rest, err = proc.communicate(timeout=60)
    out += rest
    ksft_eq(proc.returncode, 0, f"iou-zcrx:\n{out}{err}")
    ksft_in("VmPin back to", out)


def test_zcrx_netdev_removed(cfg) -> None:
    """Remove the device while buffers are held, then close the ring."""
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("removes a netdevsim device of its own")
    port = rand_port()
    dev, nsimdev, sender = removable_pair(port)
    proc, out = hold(dev.ifname, 3, port, "-t",
                     sender(f"-l {64 * MIB}"))
    remove_and_close(proc, out, nsimdev, "ring_fd=")


def test_zcrx_netdev_removed_deferred(cfg) -> None:
    """Remove the device after the receiver consumed skbs from another CPU.

    With the queue's NAPI in a thread on TX_CPU and the receiver on
    RX_CPU, every skb the receiver consumes is freed on TX_CPU's
    deferred-free list (skb_attempt_defer_free()), emptied when TX_CPU
    next polls. The sender sends a fixed amount and then stays quiet, and
    once the device is gone TX_CPU polls nothing: the pages of the last
    skbs keep the page pool, and so the area, until something else makes
    TX_CPU free them. Closing the ring must still unpin the area.
    """
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("removes a netdevsim device of its own")
    if not on_cpu(TX_CPU):
        raise KsftSkipEx("needs two CPUs")
    port = rand_port()
    dev, nsimdev, sender = removable_pair(port)
    threaded_napi(dev, TX_CPU)
    size = 4 * MIB
    proc, out = hold(dev.ifname, 3, port, f"-t -P -l {size}",
                     sender(f"-P -l {size}"), ready="done")
    ksft_eq(summary(out)['bytes'], size, "bytes received")
    ksft_eq(summary(out)['held'], 0, "buffers held")
    remove_and_close(proc, out, nsimdev, "ring_fd=")


def test_zcrx_unbind_fails(cfg) -> None:
    """The ring closes but its queue cannot restart without the area.

    netdevsim's fail_mem_alloc knob fails the restart that would unbind
    queue 3. The queue keeps the ifq's page pool until it next restarts
    and receives into the area meanwhile: the area must stay mapped, and
    the device registered under the mapping, until that pool is gone.
    A stream to a plain socket then lands in the area, and the device is
    removed: no write may go through an address unmapped under the
    queue, and nothing may stay mapped.
    """
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("removes a netdevsim device of its own")
    port = rand_port()
    dev, nsimdev, sender = removable_pair(port)
    size = 4 * MIB
    proc, out = hold(dev.ifname, 3, port, f"-P -l {size}",
                     sender(f"-P -l {size}"), ready="done")
    dev.dfs_write("queue/fail_mem_alloc", "Y")
    rest, err = proc.communicate(timeout=60)
    ksft_eq(proc.returncode, 0, f"iou-zcrx:\n{out}{rest}{err}")
    # ring exit is async
    ksft_busy_wait(lambda: queue_io_uring(dev.ifindex, 3) is None,
                   sleep=0.1, deadline=30,
                   comment="the ring's close unbound queue 3")
    ksft_eq(len(io_uring_pools(dev.ifindex)), 1,
            "queue 3 still runs on the ifq's page pool")

    # a stream nobody reads: its frames fill buffers of the area
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as srv:
        # the ring's connection to the port may linger in TIME_WAIT
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("2001:db8:1::1", port))
        srv.listen(1)
        srv.settimeout(30)
        cli = sender(f"-l {MIB}")()
        defer(cli.process, terminate=True, fail=False)
        conn, _ = srv.accept()
        with conn:
            for _ in range(100):
                queued = struct.unpack("i", fcntl.ioctl(
                    conn, termios.FIONREAD, b"\0" * 4))[0]
                if nsim_dma(nsimdev.addr)['dropped_writes'] or \
                   queued >= 32 * 1024:
                    break
                time.sleep(0.1)
            ksft_pr(f"{queued} bytes queued in the socket")
    s = nsim_dma(nsimdev.addr)
    ksft_eq(s['dropped_writes'], 0,
            f"the queue wrote through unmapped addresses: {s}")
    nsimdev.remove()
    check_nsim_dma_gone(nsimdev.addr)


# the concurrency case: each flow's bytes before the rings close, what the
# senders would send, and the rounds of queue restarts and setting flips
CONC_STOP = 8 * MIB
CONC_SEND = 64 * MIB
CONC_ROUNDS = 4


def rx_usecs(ifname):
    """The rx-usecs coalescing setting of @ifname, None if it has none."""
    out = ethtool(f"-c {ifname}").stdout
    m = re.search(r"^rx-usecs:\s*(\d+)", out, re.MULTILINE)
    return int(m.group(1)) if m else None


def connections(out):
    """The helper's "connection ..." lines, as {peer port: {name: value}}."""
    conns = {}
    for line in out.splitlines():
        if line.startswith("connection "):
            f = fields(line[len("connection "):])
            conns[f['port']] = f
    return conns


def conc_receiver(cfg, q, port, nr):
    """A receiver of @nr flows to @port on a ring bound to queue @q: buffers
    given back from a thread of its own, the ring closed after CONC_STOP
    bytes per flow. Return it once it listens."""
    proc = subprocess.Popen(on_cpu(RX_CPU) +
                            [HELPER, "-s", "-i", cfg.ifname, "-q", str(q),
                             "-p", str(port), "-N", str(nr), "-Y",
                             "-S", str(CONC_STOP), "-a", str(4 * MIB),
                             "-r", "1024", "-t", "-T", "150"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    defer(reap, proc)
    if not wait_listen(proc, port):
        out, err = proc.communicate(timeout=30)
        raise KsftFailEx(f"the receiver on queue {q} exited:\n{out}{err}")
    return proc


def wait_accepted(proc, q):
    """What @proc printed up to accepting all its flows."""
    out = ""
    for line in proc.stdout:
        out += line
        if line.startswith("accepted "):
            return out
    proc.wait(timeout=30)
    raise KsftFailEx(f"the receiver on queue {q} did not accept its flows:\n"
                     f"{out}{proc.stderr.read()}")


def check_conc_receiver(q, port, flows, out):
    """Every flow got CONC_STOP bytes or more, checked; the ring stayed
    bound through the restarts; what the flows to queue 0 got was copied,
    the rest mostly not; the area was unpinned after the close."""
    s = summary(out)
    stats = ifq_stats(out)
    conns = connections(out)
    ksft_eq(sorted(conns), sorted(sport for sport, _ in flows),
            f"queue {q}: the source ports of the flows accepted")
    copied = 0
    for sport, fq in flows:
        got = conns.get(sport, {}).get('bytes', 0)
        ksft_ge(got, CONC_STOP, f"flow from port {sport} to queue {fq}")
        ksft_pr(f"flow {sport} -> {port}, on queue {fq}: {got} bytes "
                "checked before the close")
        if fq == 0:
            copied += got
    ksft_eq(stats['bound'], 1, f"queue {q} still bound after the restarts")
    ksft_eq(stats['zc_bytes'] + stats['copy_bytes'], s['bytes'],
            f"zc_bytes + copy_bytes: {stats}")
    ksft_eq(stats['zc_frags'] + stats['copy_frags'], s['cqes'],
            "a CQE per fragment")
    ksft_ge(stats['zc_bytes'], 1, f"queue {q}: payload without a copy")
    ksft_ge(stats['copy_bytes'], copied,
            f"queue {q}: the flow to queue 0 copied: {stats}")
    ksft_in("closing the ring", out)
    ksft_in("VmPin back to", out)
    ksft_pr(f"figure: concurrency, queue {q}: {s['bytes']} bytes checked "
            f"in {len(flows)} flows, {s['returned']} buffers returned by a "
            f"thread; {ifq_line(out)}")


def test_zcrx_concurrency(cfg) -> None:
    """Two rings, five flows, the queues restarted under them, rings closed
    while the flows still run.

    Queues n-2 and n-1 are each bound by a receiver of their own, with its
    own ring; two flows are steered to each (by source port), and a fifth
    flow to the first receiver lands on queue 0, which RSS spreads to and
    no ring binds: RECV_ZC copies it into that ring's area. Each receiver
    gives its buffers back from a thread of its own, racing the NAPI that
    consumes the refill ring on the senders' CPU. While the flows run,
    both bound queues are restarted through netdevsim's queue/reset (the
    binding stays) and rx-usecs, a setting that has nothing to do with the
    queues, is flipped. Once each of its flows got CONC_STOP bytes, every
    one checked, a receiver closes its ring while the senders still send.
    Every buffer must come home: the areas unpinned, both queues unbound,
    no io_uring page pool left, and each queue receives again.
    """
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("restarts queues through netdevsim's debugfs")
    nsim = cfg._ns.nsims[0]
    if not os.path.exists(os.path.join(nsim.dfs_dir, "queue", "reset")):
        raise KsftSkipEx("netdevsim has no queue/reset")
    require_helper()
    usecs = rx_usecs(cfg.ifname)
    if usecs is None:
        raise KsftSkipEx(f"{cfg.ifname} has no rx-usecs setting")
    wire_delivery(cfg)
    hds_on(cfg.ifindex, cfg.ifname)
    n = rx_queues(cfg.ifindex)
    if n < 3:
        raise KsftSkipEx("needs at least 3 rx queues")
    ethtool(f"-X {cfg.ifname} equal {n - 2}")
    defer(ethtool, f"-X {cfg.ifname} default")

    # two ports to listen on, five to send from
    ports = set()
    while len(ports) < 7:
        ports.add(rand_port())
    ports = list(ports)
    qa, qb = n - 2, n - 1
    # (bound queue, port, [(source port, queue the flow lands on)])
    rxs = ((qa, ports[0], [(ports[2], qa), (ports[3], qa), (ports[6], 0)]),
           (qb, ports[1], [(ports[4], qb), (ports[5], qb)]))
    for _, port, flows in rxs:
        for sport, fq in flows:
            steer(cfg, port, f"action {fq}", src=sport)

    procs = [conc_receiver(cfg, q, port, len(flows))
             for q, port, flows in rxs]
    pin = " ".join(on_cpu(TX_CPU))
    senders = []
    for _, port, flows in rxs:
        for sport, _ in flows:
            cli = bkg(f"{pin} {cfg.bin_remote} -c -h {cfg.addr} -p {port} "
                      f"-O {sport} -l {CONC_SEND} -T 100",
                      host=cfg.remote, fail=False)
            senders.append(defer(cli.process, terminate=True, fail=False))
    outs = [wait_accepted(proc, q) for proc, (q, _, _) in zip(procs, rxs)]

    now = usecs

    def set_usecs(val):
        nonlocal now
        ethtool(f"-C {cfg.ifname} rx-usecs {val}")
        now = val

    def restore_usecs():
        if now != usecs:
            set_usecs(usecs)

    defer(restore_usecs)
    restarts = flips = 0
    for _ in range(CONC_ROUNDS):
        if any(proc.poll() is not None for proc in procs):
            break
        for q in (qa, qb):
            nsim.dfs_write("queue/reset", str(q))
            restarts += 1
        set_usecs(usecs + 10 if now == usecs else usecs)
        flips += 1
        time.sleep(0.5)
    restore_usecs()
    ksft_pr(f"figure: concurrency: {restarts} queue restarts, {flips} "
            "rx-usecs flips while the flows ran")
    ksft_ge(restarts, 2, "both queues restarted while the flows ran")

    for i, proc in enumerate(procs):
        rest, err = proc.communicate(timeout=180)
        outs[i] += rest
        ksft_eq(proc.returncode, 0,
                f"receiver on queue {rxs[i][0]}:\n{outs[i]}{err}")
    # the rings are closed: the senders have nobody to send to
    for sender in senders:
        sender.exec()
    for (q, port, flows), out in zip(rxs, outs):
        check_conc_receiver(q, port, flows, out)
    for q in (qa, qb):
        check_released(cfg, q)


def ifq_lines(out):
    """Every ifq of the fdinfo the helper printed, as {zcrx_id: fields}."""
    ifqs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+): (ifindex=.*)", line)
        if m:
            ifqs[int(m.group(1))] = fields(m.group(2))
    return ifqs


def test_zcrx_flush_rq(cfg) -> None:
    """ZCRX_CTRL_FLUSH_RQ after every refill, on a bound queue.

    Each call must leave the refill ring empty (the helper checks head
    against its tail) while the page pool consumes it from NAPI too.
    """
    q, port = setup(cfg)
    size = 4 * MIB
    out = receive(cfg, q, port, size, "-G")
    check_zc(out, size)
    ksft_ge(summary(out)['flushes'], 1, "FLUSH_RQ calls")


def test_zcrx_nodev(cfg) -> None:
    """An ifq without a device (ZCRX_REG_NODEV): every byte copied.

    No queue is bound: the flow lands on the last queue as on any, and
    RECV_ZC copies it into the area. The refill ring is consumed by
    ZCRX_CTRL_FLUSH_RQ, as mainline documents for NODEV.
    """
    q, port = setup(cfg)
    size = 4 * MIB
    out = receive(cfg, q, port, size, "-V -G -t")
    s = ifq_stats(out)
    ksft_eq(s['nodev'], 1, f"the ifq has no device: {s}")
    ksft_eq(s['bound'], 0, f"no queue bound: {s}")
    ksft_eq(s['zc_bytes'], 0, f"nothing without a copy: {s}")
    ksft_eq(s['copy_bytes'], size, f"every byte copied: {s}")
    ksft_eq(s['copy_frags'], summary(out)['cqes'], "a CQE per fragment")
    ksft_ge(summary(out)['flushes'], 1, "FLUSH_RQ calls")
    ksft_in("VmPin back to", out)
    ksft_true(queue_io_uring(cfg.ifindex, q) is None, "the queue not bound")


def export_import(cfg, mode):
    """Two rings sharing one queue (-E @mode), a connection on each in
    turn; the queue bound until the last user goes, then released."""
    q, port = setup(cfg)
    size = 4 * MIB
    require_helper()
    srv = bkg(f"{HELPER} -s -i {cfg.ifname} -q {q} -p {port} -E {mode} -u "
              f"-l {size} -t -T 100", fail=False, exit_wait=True)
    defer(reap, srv.proc)
    clis = []
    if wait_listen(srv.proc, port):
        # one after the other: the second waits in the backlog
        for _ in range(2):
            clis.append(cmd(f"{cfg.bin_remote} -c -h {cfg.addr} -p {port} "
                            f"-l {size} -T 100", host=cfg.remote, fail=False,
                            timeout=120))
    srv.process(terminate=False, fail=False, timeout=120)
    ksft_eq(srv.ret, 0, f"iou-zcrx -E {mode}:\n{srv.stdout}{srv.stderr}")
    for cli in clis:
        ksft_eq(cli.ret, 0, f"sender: {cli.stderr}")
    rings = re.findall(r"^connection ring=(\w+) bytes=(\d+)", srv.stdout,
                       re.MULTILINE)
    want = ["importer", "exporter"] if mode == 1 else ["exporter", "importer"]
    ksft_eq([r for r, _ in rings], want, "the rings in the order received")
    ksft_eq([int(b) for _, b in rings], [size, size], "bytes per ring")
    ksft_in("first ring closed, the queue still bound", srv.stdout)
    ksft_in("VmPin back to", srv.stdout)
    s = ifq_stats(srv.stdout)
    ksft_eq(s['zc_bytes'] + s['copy_bytes'], 2 * size, f"both streams: {s}")
    ksft_ge(s['zc_bytes'], size, f"mostly without a copy: {s}")
    ksft_pr(f"figure: export/import mode {mode}: {ifq_line(srv.stdout)}")
    check_released(cfg, q)


def test_zcrx_export_import(cfg) -> None:
    """EXPORT and IMPORT: the importer receives and closes first; the
    exporter then receives; the exported file is the last user."""
    export_import(cfg, 1)


def test_zcrx_export_first(cfg) -> None:
    """EXPORT and IMPORT: the exported file and the exporter's ring close
    first; the importer, last, still receives on the queue."""
    export_import(cfg, 2)


def test_zcrx_dmabuf(cfg) -> None:
    """The area a dma-buf (udmabuf over a memfd): the device writes it
    through the dma-buf's mapping, the test reads it through the memfd;
    nothing pinned, every byte checked, the attachment gone after."""
    q, port = setup(cfg)
    size = 8 * MIB
    out = receive(cfg, q, port, size, "-H dmabuf -t")
    check_zc(out, size)
    s = ifq_stats(out)
    ksft_eq(s.get('dmabuf'), 1, f"a dma-buf area: {s}")
    ksft_in("VmPin back to", out)
    check_released(cfg, q)


def test_zcrx_dmabuf_copy_refused(cfg) -> None:
    """Data that must be copied into a dma-buf area ends the request with
    EFAULT, as in mainline: the kernel does not write the dma-buf."""
    q, port = setup(cfg, steer_to=0)
    size = MIB
    srv = bkg(f"{HELPER} -s -i {cfg.ifname} -q {q} -p {port} -H dmabuf "
              f"-e {errno.EFAULT} -l {size} -T 60", fail=False,
              exit_wait=True)
    defer(reap, srv.proc)
    if wait_listen(srv.proc, port):
        cli = bkg(f"{cfg.bin_remote} -c -h {cfg.addr} -p {port} -l {size} "
                  "-T 60", host=cfg.remote, fail=False)
        defer(cli.process, terminate=True, fail=False)
    srv.process(terminate=False, fail=False, timeout=90)
    ksft_eq(srv.ret, 0, f"iou-zcrx -e EFAULT:\n{srv.stdout}{srv.stderr}")
    ksft_in("RECV_ZC ended with Bad address after 0 bytes, as expected",
            srv.stdout)
    s = ifq_stats(srv.stdout)
    ksft_eq(s['copy_bytes'], 0, f"nothing copied: {s}")


def test_zcrx_large_buffers(cfg) -> None:
    """rx_buf_len 64 KiB against page buffers, with hardware-GRO delivery.

    netdevsim delivers whole TSO packets (up to 64 KiB) as a NIC doing
    hardware GRO or aggregation does, and fills one buffer with up to a
    buffer's worth of a packet: with 64 KiB buffers a packet's payload
    takes one buffer and one CQE, with pages up to sixteen. The same
    stream, every byte checked, into a hugetlb area both times; the 64 KiB
    receive must post at least 8 times fewer CQEs per GiB.
    """
    if cfg.addr_ipver == "6":
        set_mtu(cfg, 65535)
    q, port = setup(cfg, wire=False)
    port2 = rand_port()
    steer(cfg, port2, f"action {q}")
    size = 32 * MIB
    per_gib = {}
    for buf, p in ((4096, port), (64 << 10, port2)):
        out = receive(cfg, q, p, size, f"-H hugetlb -a {4 * MIB} -g {buf}")
        check_zc(out, size)
        cqes = summary(out)['cqes']
        per_gib[buf] = cqes * (1 << 30) // size
        ksft_pr(f"figure: rx_buf_len {buf}: {per_gib[buf]} CQEs per GiB, "
                f"{size // cqes} bytes per CQE")
    ratio = per_gib[4096] / per_gib[64 << 10]
    ksft_pr(f"figure: 64 KiB buffers post {ratio:.1f}x fewer CQEs per GiB "
            "than pages")
    ksft_ge(ratio, 8, "CQEs per GiB, pages / 64 KiB buffers")


def test_zcrx_several_ifqs(cfg) -> None:
    """Two ifqs of one ring, on two queues, a flow on each at once.

    The first connection's first request names the other queue's ifq: it
    ends with EFAULT (the data is not that ifq's to give) and the helper
    re-arms it with its own; every byte of both flows is checked against
    the area of the ifq each CQE came from.
    """
    wire_delivery(cfg)
    qa = prepare_last_queue(cfg, 2) - 2
    port = rand_port()
    steer(cfg, port, f"action {qa}")
    steer(cfg, port + 1, f"action {qa + 1}")
    size = 4 * MIB
    srv = bkg(f"{HELPER} -s -i {cfg.ifname} -q {qa} -n 2 -N 2 -W -p {port} "
              f"-l {size} -t -T 100", fail=False, exit_wait=True)
    defer(reap, srv.proc)
    clis = []
    if wait_listen(srv.proc, port):
        for p in (port, port + 1):
            clis.append(bkg(f"{cfg.bin_remote} -c -h {cfg.addr} -p {p} "
                            f"-l {size} -T 100", host=cfg.remote, fail=False))
    for cli in clis:
        cli.process(terminate=False, fail=False, timeout=120)
        ksft_eq(cli.ret, 0, f"sender: {cli.stderr}")
    srv.process(terminate=False, fail=False, timeout=120)
    ksft_eq(srv.ret, 0, f"iou-zcrx -n 2 -N 2:\n{srv.stdout}{srv.stderr}")
    conns = connections(srv.stdout)
    ksft_eq(sorted(c['ifq'] for c in conns.values()), [0, 1],
            "a connection per ifq")
    ksft_eq(sum(c['efault'] for c in conns.values()), 1,
            "the request naming the other queue's ifq ended with EFAULT")
    ifqs = ifq_lines(srv.stdout)
    ksft_eq(sorted((i['rxq'] for i in ifqs.values())), [qa, qa + 1],
            "the ifqs' queues")
    total = sum(i['zc_bytes'] + i['copy_bytes'] for i in ifqs.values())
    ksft_eq(total, 2 * size, f"both streams: {ifqs}")
    for i in ifqs.values():
        ksft_ge(i['zc_bytes'], size // 2, f"each queue mostly zero copy: {i}")
    ksft_in("VmPin back to", srv.stdout)
    for q in (qa, qa + 1):
        check_released(cfg, q)


# what the kernel logs when a device writes where it may not, or the DMA
# API sees a mapping misused (the harness also scans the whole log)
DMA_FAULT = re.compile(r"DMAR: \[DMA (Read|Write)|DMAR: DRHD: handling fault"
                       r"|DMA-API: (?!preallocated|debugging enabled|dma_debug_entry pool grown)")


def kmsg_mark(text):
    """Write @text into the kernel log; the log from there on is the case's."""
    with open("/dev/kmsg", "w") as f:
        f.write(f"{text}\n")


def kmsg_since(text):
    log = cmd("dmesg").stdout
    return log[log.rfind(text):]


def host_unplug(udir, dev_id, timeout=120):
    """Ask the host to hot-unplug QEMU device @dev_id and wait for its answer.

    The request is a file in the directory the host shares with the guest
    (@udir); the host's agent (harness/qmp-unplug.py) sends QMP device_del,
    waits for QEMU's DEVICE_DELETED event and writes its answer back.
    """
    req = os.path.join(udir, "unplug-request")
    done = os.path.join(udir, "unplug-done")
    if os.path.exists(done):
        os.unlink(done)
    with open(req + ".tmp", "w") as f:
        f.write(dev_id + "\n")
    os.rename(req + ".tmp", req)
    end = time.monotonic() + timeout
    while not os.path.exists(done):
        if time.monotonic() > end:
            raise KsftFailEx(f"no answer from the host's unplug agent in {timeout} s")
        time.sleep(0.2)
    with open(done) as f:
        answer = f.read().strip()
    ksft_eq(answer, f"deleted {dev_id}", "the host unplugged the device")


def test_zcrx_unplug(cfg) -> None:
    """Hot-unplug the PCI NIC under a ring that holds buffers, traffic flowing.

    The host removes the device the way a PCIe hot-unplug does (QMP
    device_del: the slot's attention button, then pciehp in the guest
    removes the device and the driver). The ifq must let the queue go with
    nothing left mapped: a device write to memory no longer mapped would be
    an IOMMU fault, a mapping left or misused a DMA-API report. Closing the
    ring afterwards must unpin the area. The device does not come back:
    this case runs last, and only where ZCRX_UNPLUG_DIR and ZCRX_UNPLUG_ID
    say how to reach the host (harness/guest/igb-pair.sh).
    """
    udir = os.environ.get("ZCRX_UNPLUG_DIR")
    dev_id = os.environ.get("ZCRX_UNPLUG_ID")
    if not udir or not dev_id:
        raise KsftSkipEx("needs a host that hot-unplugs the NIC "
                         "(ZCRX_UNPLUG_DIR, ZCRX_UNPLUG_ID)")
    require_helper()
    # the device goes away with its settings: nothing is restored
    hds_on(cfg.ifindex, cfg.ifname, restore=False)
    set_rings(cfg.ifindex, rx=AREA_PAGES // 4)
    q = rx_queues(cfg.ifindex) - 1
    port = rand_port()
    steer(cfg, port, f"action {q}", restore=False)
    pci = os.path.realpath(f"/sys/class/net/{cfg.ifname}/device")
    mark = f"iou-zcrx: unplug case {os.getpid()} starts"
    kmsg_mark(mark)

    proc, out = hold(cfg.ifname, q, port, "-t", remote_sender(cfg, port))
    ring = fields(next(line for line in out.splitlines()
                       if line.startswith("ring_fd=")))
    host_unplug(udir, dev_id)
    end = time.monotonic() + 30
    while os.path.exists(pci) and time.monotonic() < end:
        time.sleep(0.2)
    ksft_eq(os.path.exists(pci), False, f"{pci} is gone from the guest")
    with open(f"/proc/{ring['pid']}/fdinfo/{ring['ring_fd']}") as f:
        ksft_in("bound=0", f.read(), "the ifq let the device go")

    rest, err = proc.communicate(timeout=60)
    out += rest
    ksft_eq(proc.returncode, 0, f"iou-zcrx:\n{out}{err}")
    ksft_in("VmPin back to", out)
    faults = [line for line in kmsg_since(mark).splitlines()
              if DMA_FAULT.search(line)]
    ksft_eq(faults, [], "no IOMMU fault, no DMA-API report")


def main() -> None:
    with NetDrvEpEnv(__file__, queue_count=4) as cfg:
        cfg.require_cmd("ethtool")
        cfg.bin_remote = cfg.remote.deploy(HELPER)
        cases = [test_zcrx, test_zcrx_volume_ipv4, test_zcrx_volume_ipv6,
                 test_zcrx_oneshot, test_zcrx_short_segments,
                 test_zcrx_oneshot_frag_list,
                 test_zcrx_user_region,
                 test_zcrx_small_cq, test_zcrx_error_ends_request,
                 test_zcrx_bad_refill, test_zcrx_hostile_refill,
                 test_zcrx_padded_refill,
                 test_zcrx_hugetlb, test_zcrx_thp, test_zcrx_rss,
                 test_zcrx_copy_fallback, test_zcrx_copy_fallback_reuse,
                 test_zcrx_fault_register, test_zcrx_fault_recv,
                 test_zcrx_fault_copy, test_zcrx_fault_restart,
                 test_zcrx_abi, test_zcrx_linked_nop,
                 test_zcrx_invalid_sqe, test_zcrx_hold_close,
                 test_zcrx_killed, test_zcrx_netdev_removed,
                 test_zcrx_netdev_removed_deferred,
                 test_zcrx_unbind_fails,
                 test_zcrx_concurrency,
                 test_zcrx_flush_rq, test_zcrx_nodev,
                 test_zcrx_export_import, test_zcrx_export_first,
                 test_zcrx_several_ifqs, test_zcrx_large_buffers,
                 test_zcrx_dmabuf, test_zcrx_dmabuf_copy_refused,
                 # last: the device does not come back
                 test_zcrx_unplug]
        only = os.environ.get("IOU_ZCRX_CASES", "").split()
        if only:
            cases = [c for c in cases if c.__name__ in only]
        ksft_run(cases, args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
