"""The kernel's own record of the workload's sessions, and each tool's completeness against it.

tests/oracle.sh keeps sock:inet_sock_set_state in a private tracefs
instance while a tool runs (no BPF involved, nothing else disturbed) and
tests/oracle.awk turns the record into the sessions that closed.  A session
the kernel closed should be a row, or one of the losses the tool reported;
one that is neither is unaccounted: a row lost in silence.
"""

import collections
import ipaddress
import os
import re
import shutil
import subprocess
import time

TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "tests")
ORACLE_SH = os.path.join(TESTS, "oracle.sh")
ORACLE_AWK = os.path.join(TESTS, "oracle.awk")

# Births (SYN_SENT 2, SYN_RECV 3), ESTABLISHED (1: a session whose birth
# came before the record) and CLOSE (7) are all oracle.awk reads: a
# 20,000-session round is then about 120,000 events, well inside the
# instance's buffer, and other traffic's middle states take no room.
FILTER = ("protocol == 6 && (newstate == 1 || newstate == 2 || "
          "newstate == 3 || newstate == 7)")

# A socket in any of these has not closed yet (LISTEN and TIME-WAIT have
# nothing more to report: the full socket's CLOSE came before TIME-WAIT).
OPEN_STATES = ("established", "syn-sent", "syn-recv", "fin-wait-1",
               "fin-wait-2", "close-wait", "last-ack", "closing")
CLOSE_LIMIT = 30.0

# Each tool's own words for what it lost.  Per kind, the total a tool
# prints at exit wins over the lines it printed as the losses happened.
#   tcplife-bcc: "lost N events|sessions in total ...", "the kernel skipped
#     N runs in total" (and as it goes: "... on CPU C", "skipped N runs of
#     the BPF program"); "lost N owners" is a row with the closing task's
#     PID, not a missing row, and is not counted.
#   the CO-RE tcplife: "lost N events on CPU #C" (perf buffer full); it
#     says nothing of skipped runs or of its own map being full.
#   tcplife-bpfcc: libbcc's "Possibly lost N samples" (perf buffer full).
LOSSES = [
    (re.compile(r"lost (\d+) (?:events|sessions) in total"),
     [re.compile(r"lost (\d+) (?:events|sessions) on CPU"),
      re.compile(r"Possibly lost (\d+) samples")]),
    (re.compile(r"the kernel skipped (\d+) runs in total"),
     [re.compile(r"the kernel skipped (\d+) runs of the BPF program")]),
]


def losses_reported(stderr_text):
    """Sessions the tool said it may have lost, of every kind it reports."""
    n = 0
    for total, as_they_come in LOSSES:
        totals = [int(x) for x in total.findall(stderr_text)]
        n += sum(totals) if totals else sum(
            int(x) for p in as_they_come for x in p.findall(stderr_text))
    return n


class Oracle:
    """One recording, from start() to stop(), in directory path."""

    def __init__(self, path):
        self.path = path
        self.running = False

    def start(self):
        """Starts recording; returns None, or why it cannot."""
        p = subprocess.run(["sh", ORACLE_SH, "start", self.path, FILTER],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        self.running = p.returncode == 0
        return None if self.running else (p.stdout.strip() or "oracle.sh failed")

    def stop(self):
        """Stops recording; returns None, or why the record is incomplete
        (oracle.sh fails when the kernel's buffer overran)."""
        if not self.running:
            return "not recording"
        self.running = False
        p = subprocess.run(["sh", ORACLE_SH, "stop", self.path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, check=False)
        return None if p.returncode == 0 else (p.stdout.strip() or "oracle.sh failed")

    def kill(self):
        if self.running:
            subprocess.run(["sh", ORACLE_SH, "kill", self.path], check=False)
            self.running = False

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def sessions(self):
        """The sessions the record shows closing, as dicts."""
        p = subprocess.run(["awk", "-f", ORACLE_AWK,
                            os.path.join(self.path, "trace")],
                           stdout=subprocess.PIPE, text=True, check=True)
        out = []
        for line in p.stdout.splitlines():
            fam, la, lp, ra, rp, role, softirq = line.split()
            out.append({"ip": int(fam), "laddr": _addr(la), "lport": int(lp),
                        "raddr": _addr(ra), "rport": int(rp), "role": role,
                        "softirq": softirq == "1"})
        return out


def _addr(text):
    return ipaddress.ip_address(text).compressed


def _open_sockets(ports):
    expr = " or ".join("sport = :%d or dport = :%d" % (p, p) for p in sorted(ports))
    argv = ["ss", "-Htan"]
    for s in OPEN_STATES:
        argv += ["state", s]
    p = subprocess.run(argv + ["( %s )" % expr], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    return len(p.stdout.splitlines()) if p.returncode == 0 else -1


def wait_closed(ports, limit=CLOSE_LIMIT):
    """Waits until no socket on the workload's ports is still open: a
    client may exit before the final state changes of its sessions, and a
    tool stopped before them would miss closes no tool could have seen.
    Returns how many were still open at the limit (-1: ss failed)."""
    if not ports:
        return 0
    deadline = time.monotonic() + limit
    while True:
        n = _open_sockets(ports)
        if n <= 0 or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


def server_ports(truth):
    """The workload's listening ports, from its record."""
    return {e["lport"] for e in truth if e["side"] == "server"}


def _ours(s, ports):
    if s["role"] == "server":
        return s["lport"] in ports
    if s["role"] == "client":
        return s["rport"] in ports
    return s["lport"] in ports or s["rport"] in ports


def _key(r):
    return (r["laddr"], r["lport"], r["raddr"], r["rport"])


def completeness(closed, ports, rows, losses):
    """The workload's sessions the kernel closed; of them, those with a
    row, those without; the losses the tool reported; the rest, which
    nothing accounts for.  rows None: no tool ran."""
    want = collections.Counter(_key(s) for s in closed if _ours(s, ports))
    res = {"closed": sum(want.values()),
           "closed_in_softirq": sum(1 for s in closed
                                    if s["softirq"] and _ours(s, ports))}
    if rows is None:
        return res
    got = collections.Counter(_key(r) for r in rows)
    res["rows"] = sum(min(n, got[k]) for k, n in want.items())
    res["missing"] = res["closed"] - res["rows"]
    res["losses_reported"] = losses
    res["unaccounted"] = max(0, res["missing"] - losses)
    # A row on the workload's ports that the kernel has no close for.
    res["rows_without_close"] = sum(
        max(0, n - want[k]) for k, n in got.items()
        if k[1] in ports or k[3] in ports)
    return res
