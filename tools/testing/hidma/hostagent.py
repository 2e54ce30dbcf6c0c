#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bridge between the guest's /dev/hvc0 and QEMU's QMP, so that in-guest
tests can read the model's counters and inject faults while they run.

Guest requests, one per line:
    get PATH PROP          -> qom-get
    set PATH PROP VALUE    -> qom-set (VALUE as JSON if it parses, else string)
Replies: "ok VALUE" or "err MESSAGE".
"""
import argparse
import json
import socket
import sys
import time


def connect(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Qmp:
    def __init__(self, path, timeout):
        self.sock = connect(path, timeout)
        self.rfile = self.sock.makefile("r")
        self.recv()  # greeting
        self.execute("qmp_capabilities")

    def recv(self):
        while True:
            line = self.rfile.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, cmd, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        return self.recv()


def format_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def handle(qmp, line):
    words = line.split()
    if len(words) == 3 and words[0] == "get":
        reply = qmp.execute("qom-get", path=words[1], property=words[2])
    elif len(words) == 4 and words[0] == "set":
        try:
            value = json.loads(words[3])
        except ValueError:
            value = words[3]
        reply = qmp.execute("qom-set", path=words[1], property=words[2],
                            value=value)
    elif words and words[0] in ("get", "set"):
        return "err bad request: " + line
    else:
        return None  # line noise, e.g. an echo of an earlier reply
    if "error" in reply:
        return "err " + reply["error"].get("desc", "unknown error")
    ret = reply.get("return")
    return "ok" if ret == {} else "ok " + format_value(ret)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qmp", required=True)
    parser.add_argument("--agent", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    opts = parser.parse_args()

    try:
        qmp = Qmp(opts.qmp, opts.timeout)
        chan = connect(opts.agent, opts.timeout)
    except (OSError, EOFError):
        return 0  # QEMU went away before the guest needed us
    buf = b""
    while True:
        try:
            data = chan.recv(4096)
        except OSError:
            data = b""
        if not data:
            return 0
        buf += data.replace(b"\r", b"\n")
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode(errors="replace").strip()
            if not line:
                continue
            try:
                reply = handle(qmp, line)
            except (OSError, EOFError, ValueError) as err:
                reply = "err " + str(err)
            if reply is not None:
                chan.sendall(reply.encode() + b"\n")


if __name__ == "__main__":
    sys.exit(main())
