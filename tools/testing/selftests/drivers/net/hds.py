#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
Header split and flow steering, seen from the receiving side.

The remote end sends TCP streams to the local device; the receiver checks
every byte. Header split is observed through the per-queue "hds_packets"
counters of ethtool -S (netdevsim names them rx<N>_hds_packets, igb
rx_queue_<N>_hds_packets), steering through the per-queue packet counters
of the netdev qstats. Queue restarts and injected queue-op failures use
netdevsim's debugfs knobs; a burst of UDP frames overruns netdevsim's rx
ring, which holds as many frames as ethtool's rx ring size. The devmem
cases receive into a dma-buf bound to a queue, also one bound while the
device was down. The XDP cases attach a program in driver mode: with split
off traffic passes through it as before, and split and a program that
needs whole packets refuse each other. On netdevsim the sender's
per-queue tx<N>_completed counters show that a frame the receiver split is
completed by the sender's queue, as on real NICs.
"""

import errno
import fcntl
import hashlib
import json
import mmap
import os
import re
import socket
import struct
import time

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_ge, ksft_lt
from lib.py import ksft_busy_wait, ksft_disruptive
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import NetdevFamily, NlError, ethnl, netdevnl
from lib.py import NetDrvEpEnv
from lib.py import bkg, cmd, defer, ethtool, ip, rand_port, wait_port_listen
from zcrx_layer import xdp_attach, xdp_pass_prog, XDP_FLAGS_DRV_MODE

PATTERN = "zcrx-hds-pattern-0123456789abcdef"

# include/uapi/linux/udmabuf.h, asm-generic/socket.h, linux/socket.h
UDMABUF_CREATE = 0x40187542
F_ADD_SEALS = 1033
F_SEAL_SHRINK = 0x0002
SO_RCVBUFFORCE = 33
SO_DEVMEM_LINEAR = 78
SO_DEVMEM_DMABUF = 79
SO_DEVMEM_DONTNEED = 80
MSG_SOCK_DEVMEM = 0x2000000
# include/uapi/linux/udp.h
UDP_SEGMENT = 103
# include/uapi/linux/if_link.h
XDP_ATTACHED_DRV = 1


def pattern_sha(size):
    line = (PATTERN + "\n").encode()
    data = (line * (size // len(line) + 1))[:size]
    return hashlib.sha256(data).hexdigest()


def transfer(cfg, size=1 << 20, port=None, small_writes=0):
    """Send @size bytes of the pattern from the remote and verify them.

    With @small_writes, send that many 100-byte writes 10 ms apart instead,
    so that each one is a segment of its own.
    """
    port = port or rand_port()
    ver = cfg.addr_ipver
    srv = bkg(f"socat -u TCP{ver}-LISTEN:{port},reuseaddr STDOUT | sha256sum",
              exit_wait=True)
    wait_port_listen(port)
    if small_writes:
        chunk = "zcrx" * 25
        size = len(chunk) * small_writes
        gen = (f"for i in $(seq {small_writes}); do printf %s {chunk}; "
               f"sleep 0.01; done")
        want = hashlib.sha256(chunk.encode() * small_writes).hexdigest()
        opts = ",nodelay"
        blk = "-b 100"
    else:
        gen = f"yes {PATTERN} | head -c {size}"
        want = pattern_sha(size)
        opts = ""
        blk = ""
    cmd(f"{gen} | socat -u {blk} STDIN TCP{ver}:{cfg.baddr}:{port}{opts}",
        host=cfg.remote, shell=True, timeout=120)
    srv.process(terminate=False, fail=True, timeout=60)
    ksft_eq(srv.stdout.split()[0], want, f"{size} bytes arrived intact")
    return port


def nsim_port(cfg):
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("needs netdevsim debugfs knobs")
    return cfg._ns.nsims[0]


def qstats_rx(cfg, key='rx-packets'):
    """Per-queue rx counter @key of the local device."""
    stats = netdevnl().qstats_get({'ifindex': cfg.ifindex,
                                   'scope': ['queue']}, dump=True)
    return {s['queue-id']: s.get(key, 0)
            for s in stats if s['queue-type'] == 'rx'}


def ethtool_sum(ifname, name_re, host=None):
    """The sum of @ifname's ethtool -S counters whose names match
    @name_re, None if none does."""
    out = ethtool(f"-S {ifname}", host=host).stdout
    vals = [int(v) for k, v in (line.split(':', 1) for line in out.splitlines()
                                if ':' in line)
            if re.fullmatch(name_re, k.strip())]
    return sum(vals) if vals else None


def hds_packets(cfg):
    n = ethtool_sum(cfg.ifname, r"rx.*_hds_packets")
    if n is None:
        raise KsftSkipEx("device does not count header-split packets")
    return n


def tx_completed(cfg):
    """Frames the remote netdevsim sent and completed: its tx<N>_completed."""
    peer = cfg._ns_peer.nsims[0].ifname
    n = ethtool_sum(peer, r"tx\d+_completed", host=cfg.remote)
    if n is None:
        raise KsftFailEx(f"netdevsim {peer} counts no tx completions")
    return n


def write_file(path, val):
    with open(path, "w") as f:
        f.write(val)


def file_for_test(path, value):
    """Write @value to @path until the test case ends."""
    with open(path) as f:
        old = f.read().strip()
    write_file(path, value)
    defer(write_file, path, old)


def sysctl_for_test(name, value):
    """Set /proc/sys/@name to @value until the test case ends."""
    file_for_test(os.path.join("/proc/sys", name), value)


def wire_delivery_for_test(nsim):
    """Have netdevsim deliver frames as on a wire until the case ends: a
    GSO packet the sending port did not cut would take one ring slot."""
    file_for_test(os.path.join(nsim.dfs_dir, "rx_delivery"), "wire")


def set_rings(cfg, **attrs):
    req = {'header': {'dev-index': cfg.ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    ethnl().rings_set(req)


def rx_ring(cfg):
    """The rx ring size ethtool -g shows."""
    return ethnl().rings_get({'header': {'dev-index': cfg.ifindex}})['rx']


def rx_ring_for_test(cfg):
    """The rx ring size now, put back when the case ends."""
    old = rx_ring(cfg)
    defer(set_rings, cfg, rx=old)
    return old


def hds(cfg, split, thresh):
    """Set header split for the case, restore it afterwards."""
    old = ethnl().rings_get({'header': {'dev-index': cfg.ifindex}})
    if 'hds-thresh' not in old or 'tcp-data-split' not in old:
        raise KsftSkipEx("device does not offer header split settings")
    set_rings(cfg, tcp_data_split=split, hds_thresh=thresh)
    defer(set_rings, cfg, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])
    return old


def rule_to_queue(cfg, queue, port, table_ok=False):
    """Steer TCP to @port to @queue with an ntuple rule.

    A device without rules by port (igb's match Ethernet fields) skips the
    case, or with @table_ok gets its RSS table pointed at @queue instead:
    then every hashed flow lands there, which is fine for a case that
    receives one flow.
    """
    flow = "tcp6" if cfg.addr_ipver == "6" else "tcp4"
    res = cmd(f"ethtool -N {cfg.ifname} flow-type {flow} dst-port {port} action {queue}",
              fail=False)
    if not res.ret:
        rule = int(res.stdout.split()[-1])
        defer(ethtool, f"-N {cfg.ifname} delete {rule}")
        return
    if not table_ok:
        raise KsftSkipEx(f"device cannot steer by port: {res.stderr.strip()}")
    n = queues(cfg, queue + 1)
    weights = " ".join("1" if q == queue else "0" for q in range(n))
    ethtool(f"-X {cfg.ifname} weight {weights}")
    defer(ethtool, f"-X {cfg.ifname} default")


def queues(cfg, need):
    n = len(qstats_rx(cfg))
    if n < need:
        raise KsftSkipEx(f"needs {need} rx queues, device has {n}")
    return n


def split_off(cfg) -> None:
    hds(cfg, 1, 0)
    before = hds_packets(cfg)
    transfer(cfg)
    ksft_eq(hds_packets(cfg) - before, 0, "no packet split with split off")


def split_on(cfg) -> None:
    hds(cfg, 2, 0)
    before = hds_packets(cfg)
    transfer(cfg, size=4 << 20)
    ksft_ge(hds_packets(cfg) - before, 100, "data packets were split")


def split_threshold(cfg) -> None:
    old = hds(cfg, 2, 0)
    set_rings(cfg, hds_thresh=old['hds-thresh-max'])
    if old['hds-thresh-max'] < 100:
        raise KsftSkipEx("hds-thresh-max below the test's segment size")

    before = hds_packets(cfg)
    transfer(cfg, small_writes=20)
    ksft_eq(hds_packets(cfg) - before, 0, "segments under the threshold")

    set_rings(cfg, hds_thresh=0)
    before = hds_packets(cfg)
    transfer(cfg, small_writes=20)
    ksft_ge(hds_packets(cfg) - before, 20, "every data segment split")


def tx_completion_by_sender(cfg) -> None:
    """A frame the receiver split was copied into its buffers: the sender's
    queue completes it, as a NIC's tx ring is cleaned on the sending host,
    rather than the receiver freeing it and running the sending socket's
    transmit work in its own NAPI poll."""
    nsim_port(cfg)
    hds(cfg, 2, 0)
    split, done = hds_packets(cfg), tx_completed(cfg)
    transfer(cfg, size=4 << 20)
    split = hds_packets(cfg) - split
    ksft_ge(split, 100, "data packets were split")
    # the sender's NAPI poll runs after the receiver's hands frames back
    ksft_busy_wait(lambda: tx_completed(cfg) - done >= split, sleep=0.1,
                   deadline=5, comment="the sender's completions")
    ksft_eq(tx_completed(cfg) - done, split,
            "the sender completed every frame the receiver split")


def steer_by_rule(cfg) -> None:
    last = queues(cfg, 2) - 1
    port = rand_port()
    rule_to_queue(cfg, last, port)
    before = qstats_rx(cfg)
    transfer(cfg, port=port)
    after = qstats_rx(cfg)
    ksft_ge(after[last] - before[last], 100, f"the flow landed on queue {last}")


def steer_by_table(cfg) -> None:
    n = queues(cfg, 3)
    weights = " ".join("1" if q == 1 else "0" for q in range(n))
    ethtool(f"-X {cfg.ifname} weight {weights}")
    defer(ethtool, f"-X {cfg.ifname} default")
    before = qstats_rx(cfg)
    transfer(cfg)
    after = qstats_rx(cfg)
    ksft_ge(after[1] - before[1], 100, "the table sent the flow to queue 1")
    for q in range(n):
        if q != 1:
            ksft_lt(after[q] - before[q], 10, f"queue {q} got the flow")


def steer_by_context(cfg) -> None:
    n = queues(cfg, 4)
    weights = " ".join("1" if q >= n - 2 else "0" for q in range(n))
    out = ethtool(f"-X {cfg.ifname} context new weight {weights}").stdout
    ctx = int(out.split()[-1])
    defer(ethtool, f"-X {cfg.ifname} context {ctx} delete")
    port = rand_port()
    flow = "tcp6" if cfg.addr_ipver == "6" else "tcp4"
    out = ethtool(f"-N {cfg.ifname} flow-type {flow} dst-port {port} context {ctx}").stdout
    defer(ethtool, f"-N {cfg.ifname} delete {int(out.split()[-1])}")

    before = qstats_rx(cfg)
    transfer(cfg, port=port)
    after = qstats_rx(cfg)
    ctx_pkts = sum(after[q] - before[q] for q in (n - 2, n - 1))
    ksft_ge(ctx_pkts, 100, "the context's queues got the flow")
    for q in range(n - 2):
        ksft_lt(after[q] - before[q], 10, f"queue {q} got the flow")


def restart_under_traffic(cfg) -> None:
    nsim = nsim_port(cfg)
    hds(cfg, 2, 0)
    last = queues(cfg, 2) - 1
    port = rand_port()
    rule_to_queue(cfg, last, port)

    size = 16 << 20
    ver = cfg.addr_ipver
    srv = bkg(f"socat -u TCP{ver}-LISTEN:{port},reuseaddr STDOUT | sha256sum",
              exit_wait=True)
    wait_port_listen(port)
    cli = bkg(f"yes {PATTERN} | head -c {size} | socat -u STDIN TCP{ver}:{cfg.baddr}:{port}",
              host=cfg.remote, exit_wait=True)
    restarts = 0
    while cli.proc.poll() is None and restarts < 50:
        nsim.dfs_write("queue/reset", str(last))
        restarts += 1
        time.sleep(0.05)
    cli.process(terminate=False, fail=True, timeout=120)
    srv.process(terminate=False, fail=True, timeout=60)
    ksft_eq(srv.stdout.split()[0], pattern_sha(size), "data intact across restarts")
    ksft_ge(restarts, 1)


def queue_op_failures(cfg) -> None:
    nsim = nsim_port(cfg)
    hds(cfg, 2, 0)
    last = queues(cfg, 2) - 1
    for knob in ("fail_mem_alloc", "fail_stop", "fail_start"):
        nsim.dfs_write(f"queue/{knob}", "Y")
        try:
            nsim.dfs_write("queue/reset", str(last))
        except Exception:
            pass
        else:
            raise KsftFailEx(f"queue restart succeeded with {knob}")
        with open(os.path.join(nsim.dfs_dir, "queue", knob)) as f:
            ksft_eq(f.read().strip(), "N", f"{knob} fired once")

        # The queue still runs: a flow steered to it arrives intact.
        port = rand_port()
        rule_to_queue(cfg, last, port)
        before = qstats_rx(cfg)
        transfer(cfg, port=port)
        ksft_ge(qstats_rx(cfg)[last] - before[last], 100,
                f"queue {last} receives after a failed restart ({knob})")


def stats_add_up(cfg) -> None:
    transfer(cfg)
    # A driver may fold its queues into the link counters only at times:
    # igb does in igb_update_stats(), which does nothing while the link
    # renegotiates after a reset (link_speed 0), so that the link showed
    # the counts from before the transfer. With no traffic they agree
    # once it has run again (ndo_get_stats64 or the watchdog, every 2 s).
    def link_and_queues():
        link = cmd(f"ip -s -j link show dev {cfg.ifname}").stdout
        dev = netdevnl().qstats_get({'ifindex': cfg.ifindex}, dump=True)[0]
        return json.loads(link)[0]['stats64']['rx']['packets'], dev['rx-packets']

    ksft_busy_wait(lambda: len(set(link_and_queues())) == 1, sleep=0.5,
                   deadline=10, comment="link and queue counters")
    rx_link, rx_queues = link_and_queues()
    ksft_eq(rx_queues, rx_link, "queues and base add up to the link")
    # per-queue packet counters: rx<N>_packets, rx_queue_<N>_packets
    per_q = ethtool_sum(cfg.ifname, r"rx(_queue_)?\d+_packets") or 0
    ksft_eq(per_q, sum(qstats_rx(cfg).values()), "ethtool -S matches qstats")


def udp_burst(cfg, segs, size=1400):
    """Send one UDP GSO packet of @segs datagrams from the remote.

    The stack (or the device) cuts it into @segs frames in one go, with
    BHs off: all of them reach the receiving queue before its NAPI poll
    can run, as long as nothing else keeps that poll busy.
    """
    fam = "AF_INET6" if cfg.addr_ipver == "6" else "AF_INET"
    prog = ("import socket; "
            f"s = socket.socket(socket.{fam}, socket.SOCK_DGRAM); "
            f"s.setsockopt(socket.IPPROTO_UDP, {UDP_SEGMENT}, {size}); "
            f"s.sendto(b'z' * {segs * size}, ('{cfg.addr}', {rand_port()}))")
    cmd(f"python3 -c \"{prog}\"", host=cfg.remote)


def overruns(cfg):
    n = ethtool_sum(cfg.ifname, r"rx\d+_drop_overrun")
    if n is None:
        raise KsftFailEx("netdevsim counts no ring overruns")
    return n


def ring_overrun(cfg) -> None:
    """The rx ring size bounds what a queue holds for its NAPI poll.

    A burst of 40 frames (one UDP GSO packet) lands on an idle queue before
    its NAPI poll runs: a ring of 8 frames takes 8 and drops the rest, as a
    NIC out of rx descriptors does, a ring of 4096 takes them all. Drops
    are counted per queue (ethtool -S rx<N>_drop_overrun) and in the queue
    stats. TCP over the ring of 8 recovers what it loses: 1 MiB arrives
    intact.
    """
    wire_delivery_for_test(nsim_port(cfg))
    rx_ring_for_test(cfg)

    burst = 40
    for ring in (8, 4096):
        set_rings(cfg, rx=ring)
        ksft_eq(ring_show(cfg).get("RX"), str(ring), "ethtool -g shows the ring")
        time.sleep(0.2)     # let the queue drain whatever came before
        before = overruns(cfg)
        udp_burst(cfg, burst)
        drops = overruns(cfg) - before
        if ring < burst:
            ksft_ge(drops, burst - ring,
                    f"a ring of {ring} frames dropped what it could not hold")
            transfer(cfg)
        else:
            ksft_eq(drops, 0, f"a ring of {ring} frames took {burst}")
        ksft_eq(sum(qstats_rx(cfg, 'rx-hw-drop-overruns').values()),
                overruns(cfg),
                "qstats rx-hw-drop-overruns matches ethtool -S")


def pool_returns(ids):
    """Buffers that came back to the page pools @ids: kept in a pool's
    recycle ring, and sent to the page allocator because the ring was full
    (page pool stats)."""
    try:
        stats = netdevnl().page_pool_stats_get({}, dump=True)
    except NlError as e:
        raise KsftSkipEx(f"no page pool stats: {e}") from e
    mine = [s for s in stats if s['info']['id'] in ids]
    return (sum(s.get('recycle-ring', 0) for s in mine),
            sum(s.get('recycle-ring-full', 0) for s in mine))


def pool_ids(cfg):
    """The ids of the local device's page pools in use (not the destroyed
    ones that wait for their last buffers)."""
    return {p['id'] for p in netdevnl().page_pool_get({}, dump=True)
            if p.get('ifindex') == cfg.ifindex and 'detach-time' not in p}


def held_burst(cfg, frames):
    """Receive @frames full-sized frames into a socket that reads none of
    them until all have arrived, then read them and wait until their
    buffers are back. Return the buffers the pools could not keep."""
    # MTU 1500 less the IP and TCP headers, TCP timestamps on
    mss = 1500 - (40 if cfg.addr_ipver == "6" else 20) - 20 - 12
    size = frames * mss
    fam = socket.AF_INET6 if cfg.addr_ipver == "6" else socket.AF_INET
    port = rand_port()
    ids = pool_ids(cfg)
    with socket.socket(fam, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        srv.settimeout(30)
        srv.bind(("", port))
        srv.listen(1)
        snd = bkg(f"head -c {size} /dev/zero | socat -u STDIN "
                  f"TCP{cfg.addr_ipver}:{cfg.baddr}:{port}",
                  host=cfg.remote, exit_wait=True)
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(30)
            ksft_busy_wait(
                lambda: len(conn.recv(size, socket.MSG_PEEK)) >= size,
                sleep=0.1, deadline=30, comment="all bytes queued")
            kept, lost = pool_returns(ids)
            got = 0
            while got < size:
                data = conn.recv(1 << 20)
                if not data:
                    raise KsftFailEx(f"the sender stopped after {got} "
                                     f"of {size} bytes")
                got += len(data)
    snd.process(terminate=False, fail=True, timeout=30)

    # every frame's buffer went back as its skb was freed (no deferred
    # freeing, see the caller); a few may still be on their way
    def all_back():
        now = pool_returns(ids)
        return now[0] - kept + now[1] - lost >= frames
    ksft_busy_wait(all_back, sleep=0.2, deadline=20,
                   comment=f"the buffers of {frames} frames back in the pools")
    return pool_returns(ids)[1] - lost


def pools_sized_to_ring(cfg) -> None:
    """A queue's page pools recycle as many buffers as its rx ring holds.

    600 frames held in a socket and read at once come back to the payload
    pool in a burst, none of them reused on the way (no traffic arrives
    meanwhile). A pool keeps no more than its recycle ring holds: sized for
    a ring of 256, at least 600 - 256 buffers go back to the page
    allocator; sized for 1024, none do. Changing the ring size restarts the
    queues, so that new pools take it.

    A socket frees what it read on the CPU that received it, at that CPU's
    next softirq, which no traffic may bring: the case turns that off for
    the whole machine (net.core.skb_defer_max) while it runs, so that every
    buffer is back when the socket has been read.
    """
    frames = 600
    hds(cfg, 2, 0)
    wire_delivery_for_test(nsim_port(cfg))
    old = rx_ring_for_test(cfg)
    sysctl_for_test("net/core/skb_defer_max", "0")

    # both sizes differ from the one before, so both get new pools
    if old == 1024:
        set_rings(cfg, rx=512)
    for ring in (1024, 256):
        ids = pool_ids(cfg)
        set_rings(cfg, rx=ring)
        new = pool_ids(cfg)
        ksft_eq(len(new), len(ids),
                f"as many page pools after ethtool -G rx {ring}")
        ksft_eq(ids & new, set(),
                f"ethtool -G rx {ring} gave every queue new page pools")
        lost = held_burst(cfg, frames)
        if ring >= frames:
            ksft_eq(lost, 0, f"pools for a ring of {ring} kept every buffer")
        else:
            ksft_ge(lost, frames - ring,
                    f"pools for a ring of {ring} kept at most {ring} buffers")


def ring_change_undone(cfg) -> None:
    """A ring size that an rx queue cannot restart with is refused and
    changes nothing: ethtool -g shows the old size, the queues keep their
    pools, and the same size is taken once the queues can restart.

    netdevsim's fail_mem_alloc knob makes the first queue's restart fail.
    """
    nsim = nsim_port(cfg)
    old = rx_ring_for_test(cfg)
    new = 1024 if old != 1024 else 512

    ids = pool_ids(cfg)
    nsim.dfs_write("queue/fail_mem_alloc", "Y")
    defer(nsim.dfs_write, "queue/fail_mem_alloc", "N")
    err, msg = nl_refusal(f"ethtool -G rx {new} with a queue unable to "
                          "restart", lambda: set_rings(cfg, rx=new))
    ksft_eq(err, errno.ENOMEM, "the queue's error is returned")
    ksft_eq("rx queue 0" in msg, True, f"extack names the queue: {msg}")
    ksft_eq(rx_ring(cfg), old, "ethtool -g shows the old ring size")
    ksft_eq(pool_ids(cfg), ids, "every queue kept its page pools")

    set_rings(cfg, rx=new)
    ksft_eq(rx_ring(cfg), new, "the same size is taken once the queues restart")
    ksft_eq(pool_ids(cfg) & ids, set(), "and every queue got new pools")


def nl_refusal(what, func):
    """Call @func expecting a netlink refusal; return (errno, extack)."""
    try:
        func()
    except NlError as e:
        return e.error, e.nl_msg.extack.get('msg', '')
    raise KsftFailEx(f"{what} succeeded")


def xdp_pass_split_off(cfg) -> None:
    """Split off, a driver-mode program that passes every packet: the
    stream arrives intact through the driver's XDP path, and split cannot
    be turned on under the program."""
    hds(cfg, 1, 0)
    fd = xdp_pass_prog(frags=False)
    defer(os.close, fd)
    xdp_attach(cfg, fd, XDP_FLAGS_DRV_MODE)
    link = ip(f"-d link show dev {cfg.ifname}", json=True)[0]
    ksft_eq(link.get('xdp', {}).get('mode'), XDP_ATTACHED_DRV,
            "the program runs in the driver")
    transfer(cfg, size=4 << 20)

    err, msg = nl_refusal("split on under the program",
                          lambda: set_rings(cfg, tcp_data_split=2))
    ksft_eq(err, errno.EINVAL)
    ksft_eq("single buffer XDP" in msg, True, f"the refusal says why: {msg}")


def xdp_refused_split_on(cfg) -> None:
    """Split on: a driver-mode program that needs whole packets is refused."""
    hds(cfg, 2, 0)
    fd = xdp_pass_prog(frags=False)
    defer(os.close, fd)
    err, msg = nl_refusal("attaching the program",
                          lambda: xdp_attach(cfg, fd, XDP_FLAGS_DRV_MODE))
    ksft_eq(err, errno.EBUSY)
    ksft_eq("tcp-data-split" in msg, True, f"the refusal says why: {msg}")
    transfer(cfg)


def bind_dmabuf(cfg, queue, area=8 << 20):
    """Bind a udmabuf over a memfd to rx @queue; return the memfd mapped.

    The binding lives as long as the netlink socket, closed by defer.
    """
    try:
        devfd = os.open("/dev/udmabuf", os.O_RDWR)
    except OSError as e:
        raise KsftSkipEx(f"/dev/udmabuf: {e.strerror}")
    memfd = os.memfd_create("hds-devmem", os.MFD_ALLOW_SEALING)
    defer(os.close, memfd)
    os.ftruncate(memfd, area)
    fcntl.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)
    arg = bytearray(struct.pack("IIQQ", memfd, 0, 0, area))
    dmabuf = fcntl.ioctl(devfd, UDMABUF_CREATE, arg, True)
    os.close(devfd)
    mem = mmap.mmap(memfd, area, mmap.MAP_SHARED, mmap.PROT_READ)
    defer(mem.close)

    nl = NetdevFamily()
    defer(nl.sock.close)
    nl.bind_rx({'ifindex': cfg.ifindex, 'fd': dmabuf,
                'queues': [{'id': queue, 'type': 'rx'}]})
    os.close(dmabuf)
    return mem


def ring_show(cfg):
    """ethtool -g's current settings, as {name: value}."""
    out = ethtool(f"-g {cfg.ifname}").stdout
    cur = out[out.index("Current hardware settings:"):]
    return dict((k.strip(), v.strip()) for k, v in
                (line.split(":", 1) for line in cur.splitlines()[1:] if ":" in line))


def ethtool_cli(cfg) -> None:
    """The ethtool command line shows and sets hds-thresh, and shows refusals.

    This is what an administrator types; the other cases use netlink directly.
    """
    old = hds(cfg, 1, 0)
    usage = cmd("ethtool -h", fail=False)
    if "hds-thresh" not in usage.stdout + usage.stderr:
        raise KsftSkipEx("this ethtool does not know hds-thresh")
    top = old['hds-thresh-max']

    ethtool(f"-G {cfg.ifname} tcp-data-split on hds-thresh {top}")
    cur = ring_show(cfg)
    ksft_eq(cur.get("TCP data split"), "on", "ethtool -g shows split on")
    ksft_eq(cur.get("HDS thresh"), str(top), "ethtool -g shows HDS thresh")
    ethtool(f"-G {cfg.ifname} hds-thresh 0")
    ksft_eq(ring_show(cfg).get("HDS thresh"), "0", "hds-thresh 0 took")

    res = cmd(f"ethtool -G {cfg.ifname} hds-thresh {top + 1}", fail=False)
    ksft_eq(res.ret != 0, True, "hds-thresh above its maximum refused")
    ksft_eq("hds-thresh exceeds the maximum" in res.stderr, True,
            f"ethtool prints why: {res.stderr.strip()}")

    last = queues(cfg, 2) - 1
    bind_dmabuf(cfg, last)
    changes = [("tcp-data-split off", "tcp-data-split must stay on")]
    # with a maximum of 0 (igb), hds-thresh 1 was refused above already
    if top:
        changes.append(("hds-thresh 1", "hds-thresh must stay 0"))
    for change, setting in changes:
        res = cmd(f"ethtool -G {cfg.ifname} {change}", fail=False)
        ksft_eq(res.ret != 0, True, f"'{change}' refused while bound")
        ksft_eq(f"rx queue {last} is bound" in res.stderr and setting in res.stderr,
                True, f"ethtool prints the bound queue: {res.stderr.strip()}")
    ksft_eq(ring_show(cfg).get("TCP data split"), "on", "split still on")


def devmem_receive(cfg, mem, port):
    """Receive a flow on @port with its payload in the dma-buf @mem.

    The receiver reads each fragment from the memfd at the offset the kernel
    reports and returns the fragments, and the bytes must be exactly what
    was sent.
    """
    family = socket.AF_INET6 if cfg.addr_ipver == "6" else socket.AF_INET
    lsk = socket.socket(family, socket.SOCK_STREAM)
    defer(lsk.close)
    lsk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsk.bind((cfg.addr, port))
    lsk.listen(1)

    size = 4 << 20
    ver = cfg.addr_ipver
    cli = bkg(f"yes {PATTERN} | head -c {size} | socat -u STDIN TCP{ver}:{cfg.baddr}:{port}",
              host=cfg.remote, exit_wait=True)
    lsk.settimeout(30)
    conn, _ = lsk.accept()
    defer(conn.close)
    conn.settimeout(60)

    digest = hashlib.sha256()
    total = devmem = 0
    while True:
        data, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(24) * 64,
                                       MSG_SOCK_DEVMEM)
        if not data and not anc:
            break
        # One call returns either ordinary data or devmem fragments, the
        # latter as cmsgs in stream order: LINEAR ones say how much of the
        # data buffer comes next, DMABUF ones where a fragment landed.
        tokens = []
        used = 0
        for level, typ, cdata in anc:
            if level != socket.SOL_SOCKET:
                continue
            off, frag_len, token, _, _ = struct.unpack("QIIII", cdata[:24])
            if typ == SO_DEVMEM_LINEAR:
                digest.update(data[used:used + frag_len])
                used += frag_len
            elif typ == SO_DEVMEM_DMABUF:
                digest.update(mem[off:off + frag_len])
                devmem += frag_len
                tokens.append(struct.pack("II", token, 1))
            total += frag_len
        if not anc:
            digest.update(data)
            total += len(data)
        if tokens:
            conn.setsockopt(socket.SOL_SOCKET, SO_DEVMEM_DONTNEED,
                            b"".join(tokens))
    cli.process(terminate=False, fail=True, timeout=60)
    ksft_eq(total, size)
    ksft_eq(digest.hexdigest(), pattern_sha(size), "bytes read from the dma-buf")
    ksft_ge(devmem, size * 99 // 100, "payload landed in the dma-buf")


def devmem_rx(cfg) -> None:
    """A dma-buf bound to a queue receives the payload of a flow.

    The provider is devmem (a udmabuf over a memfd).
    """
    hds(cfg, 2, 0)
    last = queues(cfg, 2) - 1
    port = rand_port()
    rule_to_queue(cfg, last, port, table_ok=True)

    mem = bind_dmabuf(cfg, last)
    devmem_receive(cfg, mem, port)


def restart_keeps_provider(cfg) -> None:
    """A restart of a queue bound to a dma-buf fails if the queue's new
    page pool refuses the provider, and the queue goes on receiving into
    the dma-buf.

    The old pool, which took the provider, lives until the swap: it must
    not answer for the new one. netdevsim's no_unreadable knob makes the
    new pool refuse.
    """
    nsim = nsim_port(cfg)
    hds(cfg, 2, 0)
    last = queues(cfg, 2) - 1
    port = rand_port()
    rule_to_queue(cfg, last, port, table_ok=True)
    mem = bind_dmabuf(cfg, last)

    nsim.dfs_write("queue/no_unreadable", "Y")
    defer(nsim.dfs_write, "queue/no_unreadable", "N")
    try:
        nsim.dfs_write("queue/reset", str(last))
    except OSError as e:
        ksft_eq(e.errno, errno.ENODATA, "the restart fails with ENODATA")
    else:
        raise KsftFailEx(f"queue {last} restarted with a page pool that "
                         "refused its dma-buf")
    nsim.dfs_write("queue/no_unreadable", "N")
    devmem_receive(cfg, mem, port)


def link_down(cfg):
    """Take the local device down until the case ends, keeping addresses.

    IPv6 drops the addresses of a device that goes down unless told not to.
    """
    keep = f"/proc/sys/net/ipv6/conf/{cfg.ifname}/keep_addr_on_down"
    if os.path.exists(keep):
        file_for_test(keep, "1")
    ip(f"link set dev {cfg.ifname} down")
    defer(ip, f"link set dev {cfg.ifname} up")


@ksft_disruptive
def devmem_rx_bound_down(cfg) -> None:
    """A dma-buf bound while the device is down receives once it is up.

    Nothing is restarted at bind time: the page pools the driver creates
    when the device opens take the dma-buf.
    """
    hds(cfg, 2, 0)
    last = queues(cfg, 2) - 1
    port = rand_port()
    rule_to_queue(cfg, last, port, table_ok=True)

    link_down(cfg)
    mem = bind_dmabuf(cfg, last)
    ip(f"link set dev {cfg.ifname} up")

    queue = netdevnl().queue_get({'ifindex': cfg.ifindex, 'id': last,
                                  'type': 'rx'})
    ksft_eq('dmabuf' in queue, True, f"queue {last} reports the binding")
    devmem_receive(cfg, mem, port)


def main() -> None:
    with NetDrvEpEnv(__file__, queue_count=4) as cfg:
        cfg.require_cmd("socat", remote=True)
        ksft_run([split_off, split_on, split_threshold,
                  tx_completion_by_sender, steer_by_rule,
                  steer_by_table, steer_by_context, restart_under_traffic,
                  queue_op_failures, stats_add_up, ring_overrun,
                  pools_sized_to_ring, ring_change_undone, ethtool_cli,
                  xdp_pass_split_off, xdp_refused_split_on, devmem_rx,
                  restart_keeps_provider, devmem_rx_bound_down], args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
