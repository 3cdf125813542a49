#!/usr/bin/python3 -B
"""BPF time per event of several tcplife-bcc commands on the same bursts.

Usage (as root, from the build tree):
  bench/bpf_ns.py [--runs N] [--sessions N] COMMAND [COMMAND...]

Each COMMAND is a tcplife-bcc command line, quoted as one argument, such as
'./tcplife-bcc --attach tp_btf' or '/tmp/tcplife-bcc-1.0/tcplife-bcc' (an
older build to compare with).  Every run starts the command, waits for its
header, runs one burst of tests/tcp_workload sessions and reads the kernel's
run_time_ns / run_cnt for the programs the command holds.  The commands
take turns burst by burst, so a machine that speeds up or slows down during
the measurement affects them alike; the medians are printed last, with each
command's ratio to the first one's.

The kernel counts BPF run time only while statistics are enabled; they are
enabled through a BPF_ENABLE_STATS file descriptor for the length of each
burst, which the kernel drops when it is closed, so kernel.bpf_stats_enabled
is never changed.

make compare measures the same figure beside the reference tools; this
script is for comparing builds and attach methods of tcplife-bcc alone.
"""

import sys

sys.dont_write_bytecode = True	# the source tree may be read-only

import argparse		# noqa: E402
import ctypes		# noqa: E402
import os		# noqa: E402
import shlex		# noqa: E402
import signal		# noqa: E402
import statistics	# noqa: E402
import subprocess	# noqa: E402
import tempfile		# noqa: E402
import time		# noqa: E402

# The same reading of the kernel's per-program statistics as make compare.
from compare_run import _restore_sigint, bpf_prog_stats	# noqa: E402

BPF_ENABLE_STATS = 32
BPF_STATS_RUN_TIME = 0
NR_BPF = {"x86_64": 321, "aarch64": 280}

libc = ctypes.CDLL(None, use_errno=True)


def enable_stats():
    """A descriptor that keeps BPF run-time statistics on while open."""
    nr = NR_BPF.get(os.uname().machine)
    if nr is None:
        sys.exit("bpf_ns.py: unknown bpf() system call number on %s" %
                 os.uname().machine)
    attr = ctypes.create_string_buffer(16)	# .type = BPF_STATS_RUN_TIME
    fd = libc.syscall(nr, BPF_ENABLE_STATS, attr, len(attr))
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit("bpf_ns.py: enabling BPF statistics failed: %s" %
                 os.strerror(err))
    return fd


def one_burst(argv, opts, workdir, sessions):
    """ns per event, runs and rows of one burst under the command ARGV."""
    out = os.path.join(workdir, "rows")
    with open(out, "wb") as rows, open(os.path.join(workdir, "err"), "wb") as err:
        tool = subprocess.Popen(
            argv + ["-s", "--cache-dir", os.path.join(workdir, "cache")],
            stdout=rows, stderr=err, preexec_fn=_restore_sigint)
    try:
        deadline = time.monotonic() + 120
        while os.path.getsize(out) == 0:
            if tool.poll() is not None or time.monotonic() > deadline:
                sys.exit("bpf_ns.py: %s did not start: %s" % (
                    " ".join(argv), open(os.path.join(workdir, "err")).read()))
            time.sleep(0.005)
        stats = enable_stats()
        t0, c0 = bpf_prog_stats(tool.pid)[:2]
        subprocess.run([opts.loadgen, "-n", str(sessions), "-j", "1",
                        "-f", "both", "-c", "5000,20000", "-s", "3000,100",
                        "-C", "mixed", "-H", "0",
                        "-o", os.path.join(workdir, "record")],
                       stdout=subprocess.DEVNULL, check=True)
        t1, c1 = bpf_prog_stats(tool.pid)[:2]
        os.close(stats)
        time.sleep(0.5)
    finally:
        tool.send_signal(signal.SIGTERM)
        try:
            tool.wait(timeout=10)
        except subprocess.TimeoutExpired:
            tool.kill()
            tool.wait()
    with open(out) as f:
        nrows = sum(1 for _ in f) - 1
    return (t1 - t0) / max(1, c1 - c0), c1 - c0, nrows


def main():
    p = argparse.ArgumentParser(
        prog="bench/bpf_ns.py", description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--runs", type=int, default=5,
                   help="bursts per command")
    p.add_argument("--sessions", type=int, default=20000,
                   help="sessions per burst")
    p.add_argument("--loadgen", default="./tests/tcp_workload",
                   help="the workload generator")
    p.add_argument("commands", nargs="+", metavar="COMMAND",
                   help="a tcplife-bcc command line, quoted")
    opts = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("bpf_ns.py: run it as root")
    if opts.runs < 1 or opts.sessions < 1:
        sys.exit("bpf_ns.py: --runs and --sessions must be positive")
    commands = [shlex.split(c) for c in opts.commands]
    results = {c: [] for c in opts.commands}
    with tempfile.TemporaryDirectory(prefix="bpf_ns.") as top:
        os.chmod(top, 0o755)	# the tool leaves root once attached
        dirs = {}
        for c, argv in zip(opts.commands, commands):
            dirs[c] = tempfile.mkdtemp(dir=top)
            os.chmod(dirs[c], 0o755)
            one_burst(argv, opts, dirs[c], 200)	# fills its cache
        for r in range(opts.runs):
            for c, argv in zip(opts.commands, commands):
                ns, runs, nrows = one_burst(argv, opts, dirs[c], opts.sessions)
                results[c].append(ns)
                print("run %d: %-40s %5.0f ns/event  %d runs  %d rows" %
                      (r + 1, c, ns, runs, nrows), flush=True)
    base = statistics.median(results[opts.commands[0]])
    print()
    for c in opts.commands:
        v = sorted(results[c])
        m = statistics.median(v)
        print("%-40s median %5.0f ns (%.0f-%.0f)  %.2fx the first" %
              (c, m, v[0], v[-1], m / base))


if __name__ == "__main__":
    main()
