#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
The zero-copy receive memory-provider layer, seen from user space.

Binds a dma-buf (udmabuf) to an rx queue with the netdev netlink family,
which goes through the same layer as io_uring zcrx, and checks what a user
sees: the header-split settings the binding needs, the refusals with their
errnos and messages, the binding in queue-get and page-pool-get, binding a
device that is down, the settings the device refuses to change while a
queue is bound, and that removing a device unmaps a dma-buf still bound.
"""

import ctypes
import errno
import fcntl
import os
import struct

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_in, ksft_true
from lib.py import ksft_disruptive
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import NetdevFamily, RtnlFamily, NlError, ethnl, netdevnl
from lib.py import NetDrvEnv, NetdevSimDev
from lib.py import cmd, defer, ethtool, ip

# include/uapi/linux/udmabuf.h
UDMABUF_CREATE = 0x40187542
F_ADD_SEALS = 1033
F_SEAL_SHRINK = 0x0002
AREA_SIZE = 1 << 20


def create_dmabuf():
    """Return a dma-buf fd backed by a sealed memfd, via /dev/udmabuf."""
    try:
        devfd = os.open("/dev/udmabuf", os.O_RDWR)
    except OSError as e:
        raise KsftSkipEx(f"/dev/udmabuf: {e.strerror} (CONFIG_UDMABUF)")
    memfd = os.memfd_create("zcrx-layer", os.MFD_ALLOW_SEALING)
    try:
        os.ftruncate(memfd, AREA_SIZE)
        fcntl.fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)
        # A mutable buffer makes fcntl.ioctl() return the ioctl's result.
        arg = bytearray(struct.pack("IIQQ", memfd, 0, 0, AREA_SIZE))
        return fcntl.ioctl(devfd, UDMABUF_CREATE, arg, True)
    finally:
        os.close(memfd)
        os.close(devfd)


# ETHTOOL_TCP_DATA_SPLIT_*
SPLIT_AUTO, SPLIT_OFF, SPLIT_ON = 0, 1, 2

# include/uapi/linux/bpf.h, include/uapi/linux/if_link.h
BPF_PROG_LOAD = 5
BPF_PROG_TYPE_XDP = 6
BPF_F_XDP_HAS_FRAGS = 1 << 5
XDP_FLAGS_SKB_MODE = 1 << 1
XDP_FLAGS_DRV_MODE = 1 << 2
# r0 = XDP_PASS; exit
XDP_PASS_INSNS = struct.pack("<BBhiBBhi", 0xb7, 0, 0, 2, 0x95, 0, 0, 0)
NR_BPF = {"x86_64": 321, "aarch64": 280, "riscv64": 280, "s390x": 351,
          "ppc64le": 361, "ppc64": 361, "i686": 357, "armv7l": 386}

NSIM_DMA_STATS = "/sys/kernel/debug/netdevsim/dma"


def rings(cfg):
    return ethnl().rings_get({'header': {'dev-index': cfg.ifindex}})


def set_rings(cfg, **attrs):
    """rings-set through netlink: ethtool 6.14 cannot set hds-thresh."""
    req = {'header': {'dev-index': cfg.ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    ethnl().rings_set(req)


def rings_set_err(cfg, **attrs):
    """Try a rings-set, expecting a refusal; return (errno, extack)."""
    try:
        set_rings(cfg, **attrs)
    except NlError as e:
        return e.error, e.nl_msg.extack.get('msg', '')
    raise KsftFailEx(f"rings-set {attrs} succeeded")


def require_hds(cfg):
    r = rings(cfg)
    if 'hds-thresh-max' not in r:
        raise KsftSkipEx("device does not report hds-thresh")
    if 'tcp-data-split' not in r:
        raise KsftSkipEx("device does not report tcp-data-split")
    return r


def hds_on(cfg):
    """Header split on with threshold 0, restored when the case ends."""
    old = require_hds(cfg)
    set_rings(cfg, tcp_data_split=SPLIT_ON, hds_thresh=0)
    defer(set_rings, cfg, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])
    return old


def bind(cfg, nl, queue):
    """Bind a fresh dma-buf to @queue; the binding lives as long as @nl."""
    fd = create_dmabuf()
    try:
        return nl.bind_rx({'ifindex': cfg.ifindex, 'fd': fd,
                           'queues': [{'id': queue, 'type': 'rx'}]})['id']
    finally:
        os.close(fd)


def bind_err(cfg, queue):
    """Try to bind, expecting a refusal; return (errno, extack message)."""
    nl = NetdevFamily()
    try:
        bind(cfg, nl, queue)
    except NlError as e:
        return e.error, e.nl_msg.extack.get('msg', '')
    finally:
        nl.sock.close()
    raise KsftFailEx(f"binding queue {queue} succeeded")


def xdp_pass_prog(frags=True):
    """Load an XDP program that passes every packet; return its fd.

    With @frags it takes multi-buffer packets (BPF_F_XDP_HAS_FRAGS), which
    header split is compatible with; without, it needs each packet whole.
    """
    machine = os.uname().machine
    if machine not in NR_BPF:
        raise KsftSkipEx(f"bpf() syscall number unknown on {machine}")
    libc = ctypes.CDLL(None, use_errno=True)
    insns = ctypes.create_string_buffer(XDP_PASS_INSNS)
    lic = ctypes.create_string_buffer(b"GPL")
    # union bpf_attr: prog_type, insn_cnt, insns, license, log_level,
    # log_size, log_buf, kern_version, prog_flags, the rest zero
    attr = ctypes.create_string_buffer(
        struct.pack("<IIQQIIQII", BPF_PROG_TYPE_XDP, 2,
                    ctypes.addressof(insns), ctypes.addressof(lic), 0, 0, 0,
                    0, BPF_F_XDP_HAS_FRAGS if frags else 0), 128)
    fd = libc.syscall(ctypes.c_long(NR_BPF[machine]),
                      ctypes.c_long(BPF_PROG_LOAD), attr,
                      ctypes.c_long(ctypes.sizeof(attr)))
    if fd < 0:
        err = ctypes.get_errno()
        raise KsftSkipEx(f"cannot load an XDP program: {os.strerror(err)}")
    return fd


def xdp_attach(cfg, fd, mode=XDP_FLAGS_SKB_MODE):
    """Attach XDP program @fd until the case ends, in generic mode unless
    @mode says driver mode (XDP_FLAGS_DRV_MODE)."""
    rtnl = RtnlFamily()
    rtnl.setlink({'ifi-index': cfg.ifindex,
                  'xdp': {'fd': fd, 'flags': mode}})
    defer(rtnl.setlink, {'ifi-index': cfg.ifindex,
                         'xdp': {'fd': -1, 'flags': mode}})


def xdp_attach_err(cfg, fd):
    """Try to attach XDP program @fd, expecting a refusal: (errno, extack)."""
    try:
        xdp_attach(cfg, fd)
    except NlError as e:
        return e.error, e.nl_msg.extack.get('msg', '')
    raise KsftFailEx("attaching the XDP program succeeded")


def nsim_dma_stats(dev_id):
    """The DMA counters of netdevsim bus device @dev_id, as {name: value}.

    Read from netdevsim's debugfs file, one line per device:
    "netdevsim<ID> live=<n> ...".
    """
    try:
        with open(NSIM_DMA_STATS) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise KsftFailEx(f"{NSIM_DMA_STATS} missing: netdevsim lacks DMA accounting")
    for line in lines:
        fields = line.split()
        if fields and fields[0] == f"netdevsim{dev_id}":
            return {k: int(v) for k, v in
                    (f.split("=", 1) for f in fields[1:] if "=" in f)}
    raise KsftFailEx(f"no line for netdevsim{dev_id} in {NSIM_DMA_STATS}")


def write_file(path, val):
    with open(path, "w") as f:
        f.write(val)


def nsim_knob(cfg, path):
    """Path of a netdevsim debugfs knob of the test device, or skip."""
    if not getattr(cfg, "_ns", None):
        raise KsftSkipEx("needs netdevsim debugfs knobs")
    knob = os.path.join(cfg._ns.nsims[0].dfs_dir, path)
    if not os.path.exists(knob):
        raise KsftSkipEx(f"netdevsim has no {path} knob")
    return knob


def rx_queue_count(cfg):
    q = netdevnl().queue_get({'ifindex': cfg.ifindex}, dump=True)
    return len([x for x in q if x['type'] == 'rx'])


def last_queue(cfg):
    n = rx_queue_count(cfg)
    if n < 2:
        raise KsftSkipEx("needs at least 2 rx queues")
    return n - 1


def hds_thresh_reported(cfg) -> None:
    r = require_hds(cfg)
    ksft_true(r['hds-thresh'] <= r['hds-thresh-max'])

    old = r['hds-thresh']
    set_rings(cfg, hds_thresh=0)
    defer(set_rings, cfg, hds_thresh=old)
    ksft_eq(rings(cfg)['hds-thresh'], 0)

    set_rings(cfg, hds_thresh=r['hds-thresh-max'])
    ksft_eq(rings(cfg)['hds-thresh'], r['hds-thresh-max'])

    err, msg = rings_set_err(cfg, hds_thresh=r['hds-thresh-max'] + 1)
    ksft_eq(err, errno.EINVAL)
    ksft_in("exceeds the maximum", msg)


def bind_needs_hds(cfg) -> None:
    old = require_hds(cfg)
    q = last_queue(cfg)
    set_rings(cfg, tcp_data_split=SPLIT_OFF, hds_thresh=0)
    defer(set_rings, cfg, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])

    err, msg = bind_err(cfg, q)
    ksft_eq(err, errno.EINVAL)
    ksft_in("tcp-data-split", msg)

    set_rings(cfg, tcp_data_split=SPLIT_ON,
              hds_thresh=min(256, old['hds-thresh-max']))
    err, msg = bind_err(cfg, q)
    ksft_eq(err, errno.EINVAL)
    ksft_in("hds-thresh", msg)


def bind_queue_range(cfg) -> None:
    hds_on(cfg)
    err, msg = bind_err(cfg, rx_queue_count(cfg))
    ksft_eq(err, errno.ERANGE)
    ksft_in("out of range", msg)


def bind_reported(cfg) -> None:
    hds_on(cfg)
    q = last_queue(cfg)
    nl = NetdevFamily()
    defer(nl.sock.close)
    binding = bind(cfg, nl, q)

    queue = nl.queue_get({'ifindex': cfg.ifindex, 'id': q, 'type': 'rx'})
    ksft_eq(queue.get('dmabuf'), binding)
    other = nl.queue_get({'ifindex': cfg.ifindex, 'id': 0, 'type': 'rx'})
    ksft_true('dmabuf' not in other, "an unbound queue reports a binding")

    pools = nl.page_pool_get({}, dump=True)
    ours = [p for p in pools if p.get('ifindex') == cfg.ifindex and
            p.get('dmabuf') == binding]
    ksft_eq(len(ours), 1, "one live page pool takes the dma-buf")


def bind_xdp_refused(cfg) -> None:
    hds_on(cfg)
    q = last_queue(cfg)
    fd = xdp_pass_prog()
    defer(os.close, fd)
    xdp_attach(cfg, fd)

    # -EEXIST, as devmem has answered since 6.12
    err, msg = bind_err(cfg, q)
    ksft_eq(err, errno.EEXIST)
    ksft_in("XDP program attached", msg)


def split_single_buffer_xdp(cfg) -> None:
    """Header split and a program that needs whole packets exclude each other.

    Mainline's rule, enforced by the core for every driver, both ways round;
    a multi-buffer program is fine with split on.
    """
    old = require_hds(cfg)
    sb = xdp_pass_prog(frags=False)
    defer(os.close, sb)
    mb = xdp_pass_prog(frags=True)
    defer(os.close, mb)

    set_rings(cfg, tcp_data_split=SPLIT_ON)
    defer(set_rings, cfg, tcp_data_split=old['tcp-data-split'])
    err, msg = xdp_attach_err(cfg, sb)
    ksft_eq(err, errno.EBUSY)
    ksft_in("tcp-data-split", msg)

    rtnl = RtnlFamily()
    rtnl.setlink({'ifi-index': cfg.ifindex,
                  'xdp': {'fd': mb, 'flags': XDP_FLAGS_SKB_MODE}})
    rtnl.setlink({'ifi-index': cfg.ifindex,
                  'xdp': {'fd': -1, 'flags': XDP_FLAGS_SKB_MODE}})

    set_rings(cfg, tcp_data_split=SPLIT_OFF)
    xdp_attach(cfg, sb)
    err, msg = rings_set_err(cfg, tcp_data_split=SPLIT_ON)
    ksft_eq(err, errno.EINVAL)
    ksft_in("tcp-data-split can not be enabled with single buffer XDP", msg)
    ksft_eq(rings(cfg)['tcp-data-split'], SPLIT_OFF, "a refusal changed split")


def ioctl_keeps_split(cfg) -> None:
    """The ring-size ioctl cannot change header split, bound or not.

    The core hands the driver the user's split settings, so a driver needs
    no guard of its own for the ioctl path.
    """
    old = hds_on(cfg)
    q = last_queue(cfg)
    nl = NetdevFamily()
    defer(nl.sock.close)
    binding = bind(cfg, nl, q)

    pending = old['rx'] // 2 or 1
    ethtool(f"--disable-netlink -G {cfg.ifname} rx {pending}")
    defer(ethtool, f"--disable-netlink -G {cfg.ifname} rx {old['rx']}")
    now = rings(cfg)
    ksft_eq(now['rx'], pending, "the ioctl set the ring size")
    ksft_eq(now['tcp-data-split'], SPLIT_ON, "split survived the ioctl")
    ksft_eq(now['hds-thresh'], 0, "hds-thresh survived the ioctl")
    queue = nl.queue_get({'ifindex': cfg.ifindex, 'id': q, 'type': 'rx'})
    ksft_eq(queue.get('dmabuf'), binding, "the queue is still bound")


def bind_pool_refused(cfg) -> None:
    """The driver's new page pool does not take the provider: -ENODATA."""
    knob = nsim_knob(cfg, "queue/no_unreadable")
    hds_on(cfg)
    q = last_queue(cfg)
    write_file(knob, "Y")
    defer(write_file, knob, "N")

    err, msg = bind_err(cfg, q)
    ksft_eq(err, errno.ENODATA)
    ksft_in(f"page pool for rx queue {q} did not accept unreadable memory",
            msg)
    queue = netdevnl().queue_get({'ifindex': cfg.ifindex, 'id': q,
                                  'type': 'rx'})
    ksft_true('dmabuf' not in queue, "a refused binding is reported")


def bind_twice(cfg) -> None:
    hds_on(cfg)
    q = last_queue(cfg)
    nl = NetdevFamily()
    defer(nl.sock.close)
    bind(cfg, nl, q)

    err, msg = bind_err(cfg, q)
    ksft_eq(err, errno.EEXIST)
    ksft_in(f"rx queue {q} already", msg)


def bound_settings_refused(cfg) -> None:
    hds_on(cfg)
    q = last_queue(cfg)
    nl = NetdevFamily()
    sock_open = True

    def unbind():
        nonlocal sock_open
        if sock_open:
            nl.sock.close()
            sock_open = False
    defer(unbind)
    bind(cfg, nl, q)

    # The message reaches the ethtool command line.
    res = cmd(f"ethtool -G {cfg.ifname} tcp-data-split off", fail=False)
    ksft_true(res.ret != 0, "tcp-data-split turned off while bound")
    ksft_in(f"rx queue {q} is bound", res.stderr)
    ksft_in("tcp-data-split must stay on", res.stderr)

    err, msg = rings_set_err(cfg, hds_thresh=1)
    ksft_eq(err, errno.EBUSY)
    ksft_in(f"rx queue {q} is bound", msg)
    ksft_in("hds-thresh must stay 0", msg)

    res = cmd(f"ethtool -L {cfg.ifname} combined {q}", fail=False)
    ksft_true(res.ret != 0, "channels reduced below a bound queue")
    ksft_in(f"rx queue {q} is bound", res.stderr)

    # Closing the binding releases the agreement.
    unbind()
    set_rings(cfg, hds_thresh=1)
    set_rings(cfg, hds_thresh=0)
    queue = netdevnl().queue_get({'ifindex': cfg.ifindex, 'id': q,
                                  'type': 'rx'})
    ksft_true('dmabuf' not in queue, "binding still reported after close")


@ksft_disruptive
def bind_while_down(cfg) -> None:
    """A queue of a device that is down is bound when the device opens."""
    hds_on(cfg)
    q = last_queue(cfg)
    ip(f"link set dev {cfg.ifname} down")
    defer(ip, f"link set dev {cfg.ifname} up")

    nl = NetdevFamily()
    defer(nl.sock.close)
    binding = bind(cfg, nl, q)

    # Only recorded: no page pool of the device has the dma-buf yet
    pools = nl.page_pool_get({}, dump=True)
    ours = [p for p in pools if p.get('ifindex') == cfg.ifindex and
            p.get('dmabuf') == binding and 'detach-time' not in p]
    ksft_eq(len(ours), 0, "a page pool took the dma-buf while down")

    # but the device is held to what the binding needs
    err, msg = rings_set_err(cfg, tcp_data_split=SPLIT_OFF)
    ksft_eq(err, errno.EBUSY)
    ksft_in(f"rx queue {q} is bound", msg)

    ip(f"link set dev {cfg.ifname} up")
    queue = nl.queue_get({'ifindex': cfg.ifindex, 'id': q, 'type': 'rx'})
    ksft_eq(queue.get('dmabuf'), binding)
    pools = nl.page_pool_get({}, dump=True)
    ours = [p for p in pools if p.get('ifindex') == cfg.ifindex and
            p.get('dmabuf') == binding and 'detach-time' not in p]
    ksft_eq(len(ours), 1, "the pool created on open takes the dma-buf")


def removable_binding(cfg):
    """A netdevsim device of its own, removed when the case ends, with
    queue 1 bound to a dma-buf. Return the device, its port and the
    netlink socket that holds the binding."""
    if "NETIF" in cfg.env:
        raise KsftSkipEx("removes a netdevsim device")
    nsimdev = NetdevSimDev(queue_count=2)
    defer(nsimdev.remove)
    nsim = nsimdev.nsims[0]
    ip(f"link set dev {nsim.ifname} up")
    require_hds(nsim)
    set_rings(nsim, tcp_data_split=SPLIT_ON, hds_thresh=0)

    nl = NetdevFamily()
    defer(nl.sock.close)
    bind(nsim, nl, 1)
    return nsimdev, nsim, nl


def bind_device_removed(cfg) -> None:
    """Removing a device unmaps the dma-buf bound to it at once.

    The binding outlives the device (its netlink socket stays open), but
    the device must not keep a DMA mapping, nor see one torn down later.
    """
    nsimdev, _, nl = removable_binding(cfg)

    nsimdev.remove()
    stats = nsim_dma_stats(nsimdev.addr)
    ksft_eq(stats.get('live'), 0, "DMA mappings left after removal")
    ksft_eq(stats.get('dropped_writes'), 0, "device writes to unmapped memory")

    # Closing the binding afterwards finds nothing left to unmap or sync.
    nl.sock.close()
    stats = nsim_dma_stats(nsimdev.addr)
    ksft_eq(stats.get('live'), 0, "DMA mappings after the binding closed")
    ksft_eq(stats.get('dropped_writes'), 0)
    ksft_eq(stats.get('bad_unmaps'), 0, "unmapped twice, or never mapped")
    ksft_eq(stats.get('bad_syncs'), 0, "synced after the unmap")


def unbind_restart_fails(cfg) -> None:
    """The binding closes but its queue cannot restart without the dma-buf.

    netdevsim's fail_mem_alloc knob fails the restart. The queue keeps the
    binding's page pool until it next restarts, and may DMA into the
    dma-buf meanwhile: the dma-buf stays mapped, and the device registered
    under the mapping. Removing the device then leaves nothing mapped.
    """
    nsimdev, nsim, nl = removable_binding(cfg)
    live = nsim_dma_stats(nsimdev.addr).get('live')

    nsim.dfs_write("queue/fail_mem_alloc", "Y")
    nl.sock.close()
    queue = netdevnl().queue_get({'ifindex': nsim.ifindex, 'id': 1,
                                  'type': 'rx'})
    ksft_true('dmabuf' not in queue, "the queue is unbound")
    ksft_eq(nsim_dma_stats(nsimdev.addr).get('live'), live,
            "the dma-buf stays mapped under the queue's page pool")

    nsimdev.remove()
    stats = nsim_dma_stats(nsimdev.addr)
    ksft_eq(stats.get('live'), 0, "DMA mappings left after removal")
    ksft_eq(stats.get('dropped_writes'), 0, "device writes to unmapped memory")
    ksft_eq(stats.get('bad_unmaps'), 0, "unmapped twice, or never mapped")
    ksft_eq(stats.get('bad_syncs'), 0, "synced after the unmap")


def main() -> None:
    with NetDrvEnv(__file__, queue_count=4) as cfg:
        cfg.ifname = cfg.dev['ifname']
        ksft_run([hds_thresh_reported, bind_needs_hds, bind_queue_range,
                  bind_reported, bind_xdp_refused, split_single_buffer_xdp,
                  ioctl_keeps_split, bind_pool_refused,
                  bind_twice, bind_while_down, bound_settings_refused,
                  bind_device_removed, unbind_restart_fails],
                 args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
