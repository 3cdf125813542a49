#!/usr/bin/env python3
"""Test helper: opens N loopback TCP sessions at once, then closes them all.

Usage: open_many.py N READY_FILE [PORT]
Listens on 127.0.0.1 (PORT, else one from bind(0)), connects N clients and accepts
each, so that 2N sockets are open together; writes the port to READY_FILE
once all are established, and closes every socket (client first) when its
standard input reaches end of file.
"""
import os
import resource
import socket
import sys


def main():
    n, ready = int(sys.argv[1]), sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if 2 * n + 16 > hard:
        sys.exit(f"open_many.py: {n} sessions need {2 * n + 16} files, the limit is {hard}")
    lst = socket.socket()
    lst.bind(("127.0.0.1", port))
    lst.listen(4096)
    port = lst.getsockname()[1]
    clients, servers = [], []
    for _ in range(n):
        c = socket.socket()
        c.connect(("127.0.0.1", port))
        clients.append(c)
        servers.append(lst.accept()[0])
    with open(ready + ".t", "w") as f:
        f.write(f"{port}\n")
    os.rename(ready + ".t", ready)
    sys.stdin.read()
    for c in clients:
        c.close()
    for s in servers:
        s.close()


main()
