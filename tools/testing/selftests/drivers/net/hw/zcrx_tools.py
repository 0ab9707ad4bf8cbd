#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0

"""
The zcrx tools of tools/net/zcrx against a live binding.

The tools are built on the host; ZCRX_TOOLS names the directory that holds
them (harness/guest/check.sh exports it). zcrx-recv binds the last rx queue
to io_uring zero-copy receive and receives what zcrx-send sends from the
remote end, steered to that queue by an ntuple rule with header split on.

zcrx-stat, text and --json, must show the queue bound to io_uring, held by
zcrx-recv's pid and ring, with the counters zcrx-recv reports at its end;
with -w, the counts of each interval must add up to what was sent.

zcrx-recv's diagnosis of a refusal, or of a binding that will not receive,
reads the device over ethtool netlink and SIOCETHTOOL: it runs here with no
ethtool on its PATH, and must still name the setting and the ethtool
command that fixes it.
"""

import json
import os
import signal
import subprocess
import time

from lib.py import ksft_run, ksft_exit, ksft_eq, ksft_ge, ksft_in, ksft_true
from lib.py import ksft_pr
from lib.py import KsftSkipEx, KsftFailEx
from lib.py import NetDrvEpEnv, ethnl, netdevnl
from lib.py import cmd, defer, ethtool, rand_port, wait_port_listen

# ETHTOOL_TCP_DATA_SPLIT_*
SPLIT_OFF = 1
SPLIT_ON = 2

MIB = 1 << 20
# the receiver's area: room for what a case sends, and for the rx ring
AREA = "16M"
# the tools' environment: no ethtool to run, whatever they would try
NO_ETHTOOL = {"PATH": "/nonexistent"}


def tool(name):
    """The path of a tool of tools/net/zcrx; skip if it was not built."""
    tools = os.environ.get("ZCRX_TOOLS")
    if not tools:
        raise KsftSkipEx("ZCRX_TOOLS is not set (tools/net/zcrx built on "
                         "the host)")
    path = os.path.join(tools, name)
    if not os.access(path, os.X_OK):
        raise KsftSkipEx(f"{path} not built")
    return path


def set_rings(ifindex, **attrs):
    req = {'header': {'dev-index': ifindex}}
    req.update({k.replace('_', '-'): v for k, v in attrs.items()})
    ethnl().rings_set(req)


def set_split(cfg, split):
    """tcp-data-split @split with hds-thresh 0, restored when the case
    ends."""
    old = ethnl().rings_get({'header': {'dev-index': cfg.ifindex}})
    if 'tcp-data-split' not in old or 'hds-thresh' not in old:
        raise KsftSkipEx("device does not report tcp-data-split and "
                         "hds-thresh")
    set_rings(cfg.ifindex, tcp_data_split=split, hds_thresh=0)
    defer(set_rings, cfg.ifindex, tcp_data_split=old['tcp-data-split'],
          hds_thresh=old['hds-thresh'])


def rx_queues(ifindex):
    q = netdevnl().queue_get({'ifindex': ifindex}, dump=True)
    return len([x for x in q if x['type'] == 'rx'])


def steer(cfg, port, queue):
    """An ntuple rule for TCP to @port to @queue, removed when the case
    ends. Return its location."""
    flow = "tcp6" if cfg.addr_ipver == "6" else "tcp4"
    res = cmd(f"ethtool -N {cfg.ifname} flow-type {flow} dst-port {port} "
              f"action {queue}", fail=False)
    if res.ret:
        raise KsftSkipEx(f"no ntuple rule by port: {res.stderr.strip()}")
    loc = int(res.stdout.split()[-1])
    defer(ethtool, f"-N {cfg.ifname} delete {loc}")
    return loc


def last_queue(cfg):
    """Header split on, the last rx queue out of RSS: return it."""
    set_split(cfg, SPLIT_ON)
    n = rx_queues(cfg.ifindex)
    if n < 2:
        raise KsftSkipEx("needs at least 2 rx queues")
    ethtool(f"-X {cfg.ifname} equal {n - 1}")
    defer(ethtool, f"-X {cfg.ifname} default")
    return n - 1


def reap(proc):
    """Kill a process the case left running."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def queue_bound(cfg, queue):
    q = netdevnl().queue_get({'ifindex': cfg.ifindex, 'id': queue,
                              'type': 'rx'})
    return 'io-uring' in q


def release(cfg, queue, proc):
    """Kill zcrx-recv if it still runs, and wait for its queue to be let
    go: a ring is torn down after its last descriptor closes."""
    reap(proc)
    for _ in range(300):
        if queue >= rx_queues(cfg.ifindex) or not queue_bound(cfg, queue):
            return
        time.sleep(0.1)
    raise KsftFailEx(f"rx queue {queue} still bound 30 s after zcrx-recv "
                     f"exited")


def start_recv(cfg, queue, port):
    """zcrx-recv on @queue and @port, without ethtool on its PATH.

    Return the process and what it printed on stderr up to listening, or
    up to its exit (a refusal).
    """
    proc = subprocess.Popen([tool("zcrx-recv"), "-i", cfg.ifname,
                             "-q", str(queue), "-p", str(port), "-a", AREA,
                             "-t", "0", "--verify"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=NO_ETHTOOL)
    defer(release, cfg, queue, proc)
    err = ""
    for line in proc.stderr:
        err += line
        if "listening on port" in line:
            wait_port_listen(port)
            return proc, err
    proc.wait(timeout=30)
    return proc, err


def stop_recv(proc):
    """SIGINT: zcrx-recv prints its summary and exits. Return the summary
    as {key: value}."""
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    ksft_eq(proc.returncode, 0, f"zcrx-recv:\n{out}{err}")
    for line in out.splitlines():
        if line.startswith("summary "):
            return dict(f.split("=", 1) for f in line.split()[1:])
    raise KsftFailEx(f"no summary from zcrx-recv:\n{out}{err}")


def send(cfg, port, size):
    tools_send = tool("zcrx-send")
    cmd(f"{tools_send} -h {cfg.addr} -p {port} -l {size}", host=cfg.remote,
        timeout=300)


def ring_fds(pid):
    """The io_uring descriptors of process @pid."""
    fds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[io_uring]":
                fds.append(int(fd))
        except FileNotFoundError:
            pass
    return fds


def stat_json(cfg, args=""):
    res = cmd(f"{tool('zcrx-stat')} -i {cfg.ifname} --json {args}", timeout=30)
    return json.loads(res.stdout)


def bound_queue(doc, cfg, queue):
    """The device's entry for @queue in zcrx-stat's JSON."""
    devs = [d for d in doc['devices'] if d['ifindex'] == cfg.ifindex]
    ksft_eq(len(devs), 1, f"one device {cfg.ifname}: {doc}")
    ksft_eq(devs[0]['ifname'], cfg.ifname)
    qs = [q for q in devs[0]['queues'] if q['id'] == queue]
    ksft_eq(len(qs), 1, f"rx queue {queue} listed as bound: {doc}")
    return qs[0]


def test_stat_live_binding(cfg) -> None:
    """zcrx-stat shows the bound queue, zcrx-recv's pid and ring, and the
    counters zcrx-recv ends with."""
    queue = last_queue(cfg)
    port = rand_port()
    steer(cfg, port, queue)
    proc, err = start_recv(cfg, queue, port)
    ksft_eq(proc.poll(), None, f"zcrx-recv refused:\n{err}")
    # settings read over netlink and the rule over SIOCETHTOOL look right
    ksft_true("warning" not in err, f"zcrx-recv warned:\n{err}")
    rings = ring_fds(proc.pid)
    ksft_eq(len(rings), 1, "zcrx-recv has one ring")

    size = 4 * MIB
    send(cfg, port, size)

    doc = stat_json(cfg)
    q = bound_queue(doc, cfg, queue)
    ksft_eq(q['provider'], "io_uring")
    held = [r for r in q['rings'] if r['pid'] == proc.pid]
    ksft_eq(len(held), 1, f"zcrx-recv's ring on the queue: {q}")
    ksft_eq(held[0]['fd'], rings[0], "its ring's descriptor")
    ksft_eq(held[0]['comm'], "zcrx-recv")
    ksft_eq((held[0]['ifindex'], held[0]['rxq'], held[0]['bound']),
            (cfg.ifindex, queue, True))
    c = q['counters']
    ksft_pr(f"zcrx-stat: {c}")
    ksft_ge(c['zc_bytes'], 1, "payload received without a copy")
    ksft_eq(c['zc_bytes'] + c['copy_bytes'], size, "every byte counted")

    text = cmd(f"{tool('zcrx-stat')} -i {cfg.ifname}", timeout=30).stdout
    ksft_in(f"rx queue {queue}: io_uring", text)
    ksft_in(f"ring fd {rings[0]} of pid {proc.pid} (zcrx-recv)", text)
    ksft_in(f"without a copy: {c['zc_bytes']} bytes", text)
    # all devices: ours among them
    everyone = json.loads(cmd(f"{tool('zcrx-stat')} --json", timeout=30).stdout)
    bound_queue(everyone, cfg, queue)

    s = stop_recv(proc)
    ksft_pr(f"zcrx-recv: bytes={s['bytes']} zc_bytes={s['zc_bytes']} "
            f"copy_bytes={s['copy_bytes']} verified={s['verified']}")
    ksft_eq(int(s['bytes']), size, "bytes zcrx-recv received")
    ksft_eq(s['verified'], "yes", "every byte as sent")
    ksft_eq(int(s['zc_bytes']), c['zc_bytes'], "zc_bytes as zcrx-recv says")
    ksft_eq(int(s['copy_bytes']), c['copy_bytes'],
            "copy_bytes as zcrx-recv says")


def read_line(proc, what):
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        raise KsftFailEx(f"zcrx-stat -w ended before {what}: "
                         f"{proc.stderr.read()}")
    return json.loads(line)


def test_stat_rates(cfg) -> None:
    """zcrx-stat -w: per interval, the bytes received on the queue add up
    to what was sent; the rates are the counts over the interval."""
    queue = last_queue(cfg)
    port = rand_port()
    steer(cfg, port, queue)
    proc, err = start_recv(cfg, queue, port)
    ksft_eq(proc.poll(), None, f"zcrx-recv refused:\n{err}")

    watch = subprocess.Popen([tool("zcrx-stat"), "-i", cfg.ifname, "-w",
                              "1", "-c", "120", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    defer(reap, watch)
    # the first interval ends before anything is sent
    lines = [read_line(watch, "the first interval")]
    size = 2 * MIB
    send(cfg, port, size)
    total = 0
    for n in range(60):
        doc = lines[-1]
        mine = [x for x in doc['ifqs'] if x['queue'] == queue]
        ksft_eq(len(mine), 1, f"the queue in each interval: {doc}")
        d = mine[0]['delta']
        total += d['zc_bytes'] + d['copy_bytes']
        ksft_eq(mine[0].get('pid'), proc.pid, "zcrx-recv's ring found")
        ksft_true(mine[0]['counters'], "counters reported")
        rate = mine[0]['per_second']['zc_bytes'] * doc['interval']
        ksft_true(abs(rate - d['zc_bytes']) <= 0.01 * d['zc_bytes'] + 1,
                  f"rate x interval is the count: {mine[0]}")
        if total >= size:
            break
        lines.append(read_line(watch, f"{size} bytes were counted"))
    ksft_pr(f"{len(lines)} intervals, "
            f"{[x['delta']['zc_bytes'] for l in lines for x in l['ifqs']]}")
    ksft_eq(total, size, "the intervals' counts add up to what was sent")
    watch.send_signal(signal.SIGINT)
    watch.communicate(timeout=30)
    ksft_eq(watch.returncode, 0, "zcrx-stat -w ends on SIGINT")

    # text, and -c ends it
    res = cmd(f"{tool('zcrx-stat')} -i {cfg.ifname} -w 0.5 -c 2", timeout=30)
    out = res.stdout.splitlines()
    ksft_eq(len(out), 2, f"two intervals:\n{res.stdout}")
    for line in out:
        ksft_in(f"{cfg.ifname} rx {queue} pid {proc.pid} (zcrx-recv)", line)
    stop_recv(proc)


def test_stat_errors(cfg) -> None:
    """An unknown device is named, and fails; a device without bindings
    lists none."""
    res = cmd(f"{tool('zcrx-stat')} -i nosuchdev0", fail=False)
    ksft_eq(res.ret, 1)
    ksft_in("no device nosuchdev0", res.stderr)
    # a device with no binding: its rx queues, none bound
    doc = stat_json(cfg)
    dev = doc['devices'][0]
    ksft_eq((dev['ifindex'], dev['rx_queues'], dev['queues']),
            (cfg.ifindex, rx_queues(cfg.ifindex), []))


def test_diag_header_split(cfg) -> None:
    """Header split off: zcrx-recv is refused and says how to turn it on,
    read over netlink."""
    set_split(cfg, SPLIT_OFF)
    queue = rx_queues(cfg.ifindex) - 1
    proc, err = start_recv(cfg, queue, rand_port())
    ksft_eq(proc.returncode, 1, f"zcrx-recv refused:\n{err}")
    ksft_in(f"cannot receive zero-copy on {cfg.ifname} queue {queue}", err)
    ksft_in(f"header split is off on {cfg.ifname}", err)
    ksft_in(f"fix: ethtool -G {cfg.ifname} tcp-data-split on hds-thresh 0\n",
            err)
    ksft_true("could not be read" not in err, err)


def test_diag_queue_range(cfg) -> None:
    """A queue beyond the device's: the count, from ethtool channels."""
    set_split(cfg, SPLIT_ON)
    n = rx_queues(cfg.ifindex)
    proc, err = start_recv(cfg, n + 5, rand_port())
    ksft_eq(proc.returncode, 1, f"zcrx-recv refused:\n{err}")
    ksft_in(f"rx queue {n + 5} does not exist: {cfg.ifname} has {n} rx "
            f"queues", err)
    ksft_in(f"fix: ethtool -L {cfg.ifname} combined {n + 6}\n", err)


def test_diag_steering(cfg) -> None:
    """Bound, but receiving elsewhere: the RSS table and the ntuple rules,
    read over netlink and SIOCETHTOOL."""
    set_split(cfg, SPLIT_ON)
    n = rx_queues(cfg.ifindex)
    if n < 2:
        raise KsftSkipEx("needs at least 2 rx queues")
    if cmd(f"ethtool -n {cfg.ifname}", fail=False).ret:
        raise KsftSkipEx("no ntuple rules to list")
    port = rand_port()
    proc, err = start_recv(cfg, 0, port)
    ksft_eq(proc.poll(), None, f"zcrx-recv bound queue 0:\n{err}")
    stop_recv(proc)
    release(cfg, 0, proc)
    ksft_in(f"warning: {cfg.ifname} queue 0 is bound, but:", err)
    ksft_in(f"rx queue 0 is in the RSS indirection table of {cfg.ifname}",
            err)
    ksft_in(f"no ntuple rule steers TCP port {port} to queue 0", err)

    loc = steer(cfg, port, n - 1)
    proc, err = start_recv(cfg, 0, port)
    ksft_eq(proc.poll(), None, f"zcrx-recv bound queue 0:\n{err}")
    stop_recv(proc)
    ksft_in(f"ntuple rule {loc} steers TCP port {port} to queue {n - 1}, "
            f"not 0", err)
    ksft_in(f"fix: ethtool -N {cfg.ifname} delete {loc}\n", err)


def main() -> None:
    with NetDrvEpEnv(__file__, queue_count=4) as cfg:
        ksft_run([test_stat_live_binding, test_stat_rates, test_stat_errors,
                  test_diag_header_split, test_diag_queue_range,
                  test_diag_steering], args=(cfg, ))
    ksft_exit()


if __name__ == "__main__":
    main()
