#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
io_uring zero-copy receive: registering interface queues.

Runs the hw/iou-zcrx helper against a device with header split on and
checks IORING_REGISTER_ZCRX_IFQ: what a registration returns, the errno of
every invalid argument and of every refusal of the net/zcrx layer, the
binding in queue-get, and teardown by ring close and by device removal
while bound, with the area's pinned memory given back.
"""

import errno
import os
import subprocess
import time

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_in, ksft_true
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import EthtoolFamily, NetdevFamily, NetdevSimDev
from lib.py import NetDrvEnv
from lib.py import cmd, defer, ip

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iou-zcrx")

# ETHTOOL_TCP_DATA_SPLIT_*
SPLIT_OFF, SPLIT_ON = 1, 2


def rings(ifindex):
    return EthtoolFamily().rings_get({'header': {'dev-index': ifindex}})


def set_rings(ifindex, **attrs):
    req = {'header': {'dev-index': ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    EthtoolFamily().rings_set(req)


def hds(ifindex, split, thresh=0):
    """Set header split, restored when the case ends."""
    old = rings(ifindex)
    if 'tcp-data-split' not in old or 'hds-thresh' not in old:
        raise KsftSkipEx("device does not report header split settings")
    set_rings(ifindex, tcp_data_split=split, hds_thresh=thresh)
    defer(set_rings, ifindex, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])


def rx_queues(ifindex):
    q = NetdevFamily().queue_get({'ifindex': ifindex}, dump=True)
    return len([x for x in q if x['type'] == 'rx'])


def last_queue(cfg):
    n = rx_queues(cfg.ifindex)
    if n < 3:
        raise KsftSkipEx("needs at least 3 rx queues")
    return n - 1


def helper(ifname, args):
    if not os.access(HELPER, os.X_OK):
        raise KsftSkipEx(f"{HELPER} not built")
    return cmd(f"{HELPER} -i {ifname} {args}", fail=False, timeout=60)


def helper_ok(ifname, args):
    res = helper(ifname, args)
    if res.ret:
        raise KsftFailEx(f"iou-zcrx {args}: exit {res.ret}\n"
                         f"{res.stdout}{res.stderr}")
    return res.stdout


class Holder:
    """The helper holding its ifqs until stdin closes."""

    def __init__(self, ifname, args):
        if not os.access(HELPER, os.X_OK):
            raise KsftSkipEx(f"{HELPER} not built")
        self.proc = subprocess.Popen(f"{HELPER} -i {ifname} -w {args}",
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


def hold(ifname, args):
    h = Holder(ifname, args)
    defer(h.release)
    return h


def queue_io_uring(ifindex, q):
    queue = NetdevFamily().queue_get({'ifindex': ifindex, 'id': q,
                                      'type': 'rx'})
    return 'io-uring' in queue


def wait_unbound(ifindex, q):
    """Ring exit runs in a kworker: give it a few seconds."""
    for _ in range(100):
        if not queue_io_uring(ifindex, q):
            return True
        time.sleep(0.1)
    return False


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
    pools = NetdevFamily().page_pool_get({}, dump=True)
    ours = [p for p in pools if p.get('ifindex') == cfg.ifindex and
            'io-uring' in p]
    ksft_eq(len(ours), 1, "one live page pool takes the io_uring area")

    ksft_eq(h.release(), 0, f"helper failed:\n{h.out}")
    ksft_in("VmPin back to", h.out)
    ksft_true(wait_unbound(cfg.ifindex, q), "queue still bound after close")


def test_netdev_removed(cfg) -> None:
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

    h = hold(dev['ifname'], "-q 1 -t")
    nsim.remove()
    removed = True
    with open(h.fdinfo) as f:
        ksft_in("bound=0", f.read())
    ksft_eq(h.release(), 0, f"helper failed:\n{h.out}")
    ksft_in("VmPin back to", h.out)


def main() -> None:
    with NetDrvEnv(__file__, queue_count=4) as cfg:
        cfg.ifname = cfg.dev['ifname']
        ksft_run([test_register, test_register_user_region,
                  test_register_several, test_invalid_args, test_bad_queue,
                  test_hds_off, test_same_queue, test_queue_reported,
                  test_netdev_removed],
                 args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
