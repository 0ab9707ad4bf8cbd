#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hot-unplug QEMU devices when the guest asks: the host side of
iou-zcrx.py's test_zcrx_unplug.

    qmp-unplug.py QMP_SOCKET DIR

vm.sh starts it next to a VM_IGB guest. The guest shares DIR (the results
directory) with the host. To have a device unplugged it writes the
device's QEMU id into DIR/unplug-request; this agent takes the request,
sends QMP device_del, waits for QEMU's DEVICE_DELETED event (sent once the
guest has let the device go) and writes "deleted ID", or "error: WHY",
into DIR/unplug-done. It exits when QEMU closes the monitor.
"""

import json
import os
import socket
import sys
import time

# how long the guest may take to release a device (pciehp waits 5 s after
# the attention button, then the driver's remove runs, all under TCG)
RELEASE_TIMEOUT = 90


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.events = []
        self.recv()                     # the greeting
        self.execute("qmp_capabilities")

    def recv(self, timeout=None):
        """One message from QEMU, or None on timeout; EOFError at the end."""
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise EOFError("QEMU closed the monitor")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.recv()
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(f"{command}: {reply['error'].get('desc', reply)}")
            return reply.get("return")

    def wait_deleted(self, dev_id, timeout):
        end = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == "DEVICE_DELETED" and \
                   ev.get("data", {}).get("device") == dev_id:
                    self.events.remove(ev)
                    return True
            left = end - time.monotonic()
            if left <= 0:
                return False
            msg = self.recv(timeout=left)
            if msg and "event" in msg:
                self.events.append(msg)


def answer(directory, text):
    tmp = os.path.join(directory, "unplug-done.tmp")
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, os.path.join(directory, "unplug-done"))


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} QMP_SOCKET DIR")
    path, directory = sys.argv[1:]
    request = os.path.join(directory, "unplug-request")
    for name in ("unplug-request", "unplug-done"):
        if os.path.exists(os.path.join(directory, name)):
            os.unlink(os.path.join(directory, name))

    # QEMU creates the socket while it starts
    for _ in range(600):
        try:
            qmp = Qmp(path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.1)
    else:
        sys.exit(f"qmp-unplug: no QMP monitor at {path}")

    try:
        while True:
            # events QEMU sends meanwhile (and EOF when it exits)
            msg = qmp.recv(timeout=0.2)
            if msg and "event" in msg:
                qmp.events.append(msg)
            if not os.path.exists(request):
                continue
            with open(request) as f:
                dev_id = f.read().strip()
            os.unlink(request)
            try:
                qmp.execute("device_del", id=dev_id)
                if qmp.wait_deleted(dev_id, RELEASE_TIMEOUT):
                    answer(directory, f"deleted {dev_id}")
                else:
                    answer(directory, f"error: the guest did not release "
                                      f"{dev_id} within {RELEASE_TIMEOUT} s")
            except RuntimeError as e:
                answer(directory, f"error: {e}")
    except EOFError:
        pass


if __name__ == "__main__":
    main()
