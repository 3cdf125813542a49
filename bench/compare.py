#!/usr/bin/python3 -B
"""Runs tcplife-bcc, tcplife-bpfcc and the CO-RE tcplife on one workload; compares them.

Usage: bench/compare.py [--out DIR] [--rounds N] [--sessions N] ...  (see --help)

Every round runs the workload once with no tracer and once under each tool,
in an order rotated from round to round.  Each tool's rows are matched with
the load generator's record by 4-tuple; its cost is measured from /proc and
from the kernel's BPF statistics.  The results go to DIR/compare.md (also
printed), DIR/compare.json and DIR/compare.png; with --doc FILE (make
compare gives doc/performance.md) also to FILE's section for the last run,
with the chart beside FILE.

How it is kept fair:
- Every tool runs with -w on the same workload (tests/tcp_workload), in a
  fixed environment, with stdout in a regular file, which never makes a
  tool wait.  The reference tools write it a line at a time, as they do
  on a terminal (stdbuf -oL, PYTHONUNBUFFERED=1), so that their header
  shows when they are attached; tcplife-bcc writes a batch of rows at a
  time by design.  (A pseudo-terminal was tried: on a loaded machine it
  stalls the writers until every tool loses most events.)
- Every tool is stopped with SIGINT, which all of them treat as "finish",
  after its output has been quiet for a while.  (SIGTERM kills the CO-RE
  tool before it flushes its output.)
- The order of the runs is rotated every round.

What is measured, per run:
- startup: from fork to the header line on the terminal;
- CPU to start: the tool's and its reaped children's CPU time at that point;
- RSS idle: VmRSS --idle seconds after the header;
- peak RSS: ru_maxrss from wait4() in bench/maxrss_run, the tool's small
  parent: it covers helper processes (tcplife-bcc compiles in a child) and
  not the memory of this harness, which a tool forked from Python would
  count as its own;
- CPU per 1,000 rows: the tool's CPU time (per-thread nanosecond counters)
  from just before the workload until its output is quiet, per row printed;
- BPF cost: run_time_ns / run_cnt of the programs the tool holds, from
  /proc/PID/fdinfo, with kernel.bpf_stats_enabled set to 1 for the run;
- connection rate: tcp_workload's own figure, and the slowdown against the
  run with no tracer in the same round;
- agreement: rows found, missed and wrong against tcp_workload's record, and
  the losses the tool itself reported on stderr;
- completeness: the workload's sessions the kernel itself recorded closing
  (sock:inet_sock_set_state in a private tracefs instance, tests/oracle.sh),
  the rows printed for them, the losses the tool reported, and those with
  neither a row nor a reported loss: unaccounted.  Each tool is stopped
  only once no socket of the workload is still open, so that no close
  comes after it.

All of it runs in a private mount namespace (tracefs is mounted there if
needed, and tcplife-bpfcc gets its headers there), and the one global
setting it changes, kernel.bpf_stats_enabled, is restored on exit.
"""

import sys

sys.dont_write_bytecode = True	# the source tree may be read-only (distcheck)

import argparse		# noqa: E402
import datetime		# noqa: E402
import glob		# noqa: E402
import os		# noqa: E402
import platform		# noqa: E402
import re		# noqa: E402
import shutil		# noqa: E402
import signal		# noqa: E402
import subprocess	# noqa: E402

import compare_oracle	# noqa: E402
import compare_report	# noqa: E402
import compare_rows	# noqa: E402
import compare_run	# noqa: E402

ME = "compare.py"
HERE = os.path.dirname(os.path.abspath(__file__))
NS_MARK = "TCPLIFE_COMPARE_PRIVATE_MOUNTS"
BPF_STATS = "/proc/sys/kernel/bpf_stats_enabled"
TRACEFS = "/sys/kernel/tracing"
COLD = "tcplife-bcc --no-cache"
# auto attaches by BTF-typed raw tracepoint where BTF allows: the classic
# tracepoint is measured too, as a kernel without BTF runs it.
CLASSIC = "tcplife-bcc --attach tracepoint"

# name, binary, Debian package, what it is
REFERENCE_TOOLS = [
    ("tcplife-bpfcc", "/usr/sbin/tcplife-bpfcc", "bpfcc-tools",
     "bcc's tools/tcplife.py: BCC, Python"),
    ("tcplife", "/usr/sbin/tcplife", "libbpf-tools",
     "bcc's libbpf-tools/tcplife: CO-RE, C"),
]


def die(msg, status=1):
    print("%s: %s" % (ME, msg), file=sys.stderr)
    sys.exit(status)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # Our own checks already name the option, in the project's words.
        die(re.sub(r"^argument [^:]+: (?=invalid --)", "", message), 2)


def _count(name, lo, hi):
    def parse(text):
        if not re.fullmatch(r"[0-9]+", text) or not lo <= int(text) <= hi:
            raise argparse.ArgumentTypeError(
                "invalid --%s argument: '%s'" % (name, text))
        return int(text)
    return parse


def _seconds(name):
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            v = -1
        if not 0 <= v <= 600:
            raise argparse.ArgumentTypeError(
                "invalid --%s argument: '%s'" % (name, text))
        return v
    return parse


def _sizes(name):
    def parse(text):
        if not re.fullmatch(r"[0-9]+(,[0-9]+)*", text):
            raise argparse.ArgumentTypeError(
                "invalid --%s argument: '%s'" % (name, text))
        return text
    return parse


def parse_args():
    p = Parser(prog="bench/compare.py", description=__doc__.split("\n")[0],
               formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out", default="compare-results",
                   help="directory for compare.md, compare.json, compare.png")
    p.add_argument("--rounds", type=_count("rounds", 1, 1000), default=5,
                   help="rounds; each runs the workload once per tool and "
                   "once with none")
    p.add_argument("--sessions", type=_count("sessions", 1, 1000000),
                   default=20000, help="sessions per workload run")
    p.add_argument("--workers", type=_count("workers", 1, 256), default=1,
                   help="client/server process pairs; one pair keeps about "
                   "one CPU busy, as many pairs as CPUs saturate the machine "
                   "(then every tool is starved and loses events)")
    p.add_argument("--family", choices=("4", "6", "both"), default="both",
                   help="address family of the sessions")
    p.add_argument("--client-bytes", type=_sizes("client-bytes"),
                   default="5000,20000", help="payload(s) client to server")
    p.add_argument("--server-bytes", type=_sizes("server-bytes"),
                   default="3000,100", help="payload(s) server to client")
    p.add_argument("--closer", choices=("client", "server", "mixed"),
                   default="mixed", help="which side closes first")
    p.add_argument("--hold-ms", type=_count("hold-ms", 0, 60000), default=0,
                   help="the closer's pause before close()")
    p.add_argument("--idle", type=_seconds("idle"), default=1.0,
                   help="seconds between a tool's header and the workload")
    p.add_argument("--settle", type=_seconds("settle"), default=3.0,
                   help="stop a tool once its output is quiet this long")
    p.add_argument("--ms-slack", type=_seconds("ms-slack"), default=50.0,
                   help="MS may exceed the workload's bound by this many "
                   "ms (a loaded machine may defer the final state change)")
    p.add_argument("--tcplife-bcc", default="./tcplife-bcc",
                   help="the tcplife-bcc binary to compare")
    p.add_argument("--loadgen", default="./tests/tcp_workload",
                   help="the workload generator (tests/tcp_workload)")
    p.add_argument("--maxrss-run", default="./bench/maxrss_run",
                   help="the peak-RSS launcher (bench/maxrss_run)")
    p.add_argument("--cache-dir",
                   help="tcplife-bcc's cache of compiled programs (default: "
                   "its own)")
    p.add_argument("--tools", default="tcplife-bpfcc,tcplife,tcplife-bcc",
                   help="which tools to run")
    p.add_argument("--no-cold", action="store_true",
                   help="skip the extra tcplife-bcc run with --no-cache")
    p.add_argument("--chart", choices=("png", "svg"), default="png",
                   help="format of the chart")
    p.add_argument("--no-install", action="store_true",
                   help="do not apt-get install missing reference tools")
    p.add_argument("--no-oracle", action="store_true",
                   help="do not keep the kernel's own record of the sessions "
                   "(tests/oracle.sh) to count those no tool accounts for")
    p.add_argument("--keep-raw", action="store_true",
                   help="keep every run's rows and record in OUT/raw")
    p.add_argument("--doc", metavar="FILE",
                   help="also write the run into FILE's section for it "
                   "(doc/performance.md), and the chart beside FILE; empty: "
                   "do not")
    a = p.parse_args()
    a.tools = [t for t in a.tools.split(",") if t]
    known = ["tcplife-bcc"] + [t[0] for t in REFERENCE_TOOLS]
    if not a.tools or any(t not in known for t in a.tools):
        die("invalid --tools argument: '%s'" % ",".join(a.tools), 2)
    a.workload_timeout = 120 + a.sessions / 100 + a.sessions * a.hold_ms / 1000
    a.settle_limit = 60 + a.sessions / 500
    return a


def enter_private_mounts():
    """Re-runs this script in a private mount namespace, once."""
    if os.environ.get(NS_MARK) == "1":
        return
    if not shutil.which("unshare"):
        die("unshare (util-linux) is missing")
    os.environ[NS_MARK] = "1"
    argv = ["unshare", "--mount", "--propagation", "private",
            sys.executable, "-B", os.path.abspath(__file__)] + sys.argv[1:]
    os.execvp(argv[0], argv)


def ensure_tracefs():
    """All three tools need tracefs; this mount ends with the namespace."""
    if (not os.path.isdir(TRACEFS + "/events") and
            subprocess.run(["mount", "-t", "tracefs", "tracefs", TRACEFS],
                           check=False).returncode != 0):
        die("tracefs is not mounted at %s and cannot be" % TRACEFS)


def header_dirs():
    """/lib/modules dirs with usable headers, newest release first."""
    def version(d):
        return [int(x) for x in re.findall(r"[0-9]+", os.path.basename(d))]
    dirs = [d for d in glob.glob("/lib/modules/*")
            if os.path.exists(d + "/build/include/generated/autoconf.h")]
    return sorted(dirs, key=version, reverse=True)


def install_missing(opts):
    missing = [b for _, b, _, _ in REFERENCE_TOOLS if not os.access(b, os.X_OK)]
    if not shutil.which("gnuplot"):
        missing.append("gnuplot")
    if not shutil.which("ss"):
        missing.append("ss (iproute2)")
    if not header_dirs():
        missing.append("kernel headers")
    if not missing:
        return
    if opts.no_install:
        die("missing: %s; run bench/install-deps.sh" % ", ".join(missing))
    print("%s: installing what is missing (%s) with bench/install-deps.sh"
          % (ME, ", ".join(missing)), file=sys.stderr)
    subprocess.run(["sh", os.path.join(HERE, "install-deps.sh")], check=True)


def tool_commands(opts):
    """The command line and environment of each tool.

    All use the wide layout: the same kind of output for each, and the one
    every tool has.  Their stdout is a file; the reference tools are made to
    write it a line at a time, as on a terminal, or their header would sit
    in a buffer and "attached" could not be seen.  tcplife-bcc writes each
    batch of rows at once by design, to a terminal or a file alike.
    """
    release = platform.release()
    cmds = {
        "tcplife-bcc": {"argv": [os.path.abspath(opts.tcplife_bcc), "-w"] +
                        (["--cache-dir", os.path.abspath(opts.cache_dir)]
                         if opts.cache_dir else [])},
        "tcplife": {"argv": ["stdbuf", "-oL", "/usr/sbin/tcplife", "-w"]},
        "tcplife-bpfcc": {"argv": ["/usr/sbin/tcplife-bpfcc", "-w"],
                          "env": {"PYTHONUNBUFFERED": "1"}},
    }
    notes = {
        "tcplife": "stdout line-buffered with stdbuf -oL",
        "tcplife-bpfcc": "stdout unbuffered with PYTHONUNBUFFERED=1 (one "
                         "write per row, as line-buffered)",
    }
    # libbcc's Python side only looks in /lib/modules/$(uname -r); give it
    # the nearest installed headers there, in a namespace of its own.
    if not os.path.exists("/lib/modules/%s/build" % release) and header_dirs():
        cmds["tcplife-bpfcc"]["argv"][:0] = ["sh", os.path.join(HERE, "with-headers.sh"),
                                             header_dirs()[0]]
        notes["tcplife-bpfcc"] += "; " + (
            "has no headers for Linux %s here; it was given those of %s, "
            "the newest installed, as /lib/modules/%s/{build,source} in a "
            "private mount namespace" % (release, os.path.basename(header_dirs()[0]),
                                         release))
    # tcplife-bcc caches what it compiled, so after its first run it starts
    # without compiling.  Users get that, but the table must also show
    # what a compile costs: a second column always compiles.
    if "tcplife-bcc" in opts.tools and not opts.no_cold and _has_no_cache(opts):
        cmds[COLD] = {"argv": cmds["tcplife-bcc"]["argv"] + ["--no-cache"]}
        notes[COLD] = "the same tool compiling its program at every start"
        notes["tcplife-bcc"] = ("as installed: it starts from its cache of "
                                "compiled programs (--cache-dir), filled by "
                                "an unmeasured start before the first round")
    if "tcplife-bcc" in opts.tools and _attaches_raw(opts):
        cmds[CLASSIC] = {"argv": cmds["tcplife-bcc"]["argv"] +
                         ["--attach", "tracepoint"]}
        notes[CLASSIC] = ("cached like the column beside it, attached to "
                          "the classic tracepoint instead of the "
                          "BTF-typed raw one auto picks here")
    names = [t for t in opts.tools if t != "tcplife-bcc"]
    if "tcplife-bcc" in opts.tools:
        names += [c for c in (COLD, CLASSIC) if c in cmds] + ["tcplife-bcc"]
    return {t: cmds[t] for t in names}, {t: notes[t] for t in notes if t in names}


def _attaches_raw(opts):
    p = subprocess.run([opts.tcplife_bcc, "--info"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    return re.search(r"^attach method: *(tp_btf|raw_tracepoint)", p.stdout,
                     re.M) is not None


def _has_no_cache(opts):
    p = subprocess.run([opts.tcplife_bcc, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    return "--no-cache" in p.stdout


def versions(opts):
    v = {}
    for name, _, pkg, what in REFERENCE_TOOLS:
        p = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True, check=False)
        v[name] = "%s, %s %s" % (what, pkg, p.stdout.strip() or "?")
    p = subprocess.run([opts.tcplife_bcc, "--version"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    v["tcplife-bcc"] = "this project: BCC, C; " + (p.stdout.split("\n")[0] or "?")
    v[COLD] = v[CLASSIC] = v["tcplife-bcc"]
    return v


def workload_argv(opts, record):
    return [opts.loadgen, "-n", str(opts.sessions), "-j", str(opts.workers),
            "-f", opts.family, "-c", opts.client_bytes, "-s", opts.server_bytes,
            "-C", opts.closer, "-H", str(opts.hold_ms), "-o", record]


def one_run(opts, slot, cmd, raw, tag):
    """One workload run under one tool (or none), the kernel's own record
    kept alongside; the raw files are removed afterwards unless --keep-raw."""
    record = os.path.join(raw, tag + ".truth.txt")
    out, err = os.path.join(raw, tag + ".out"), os.path.join(raw, tag + ".err")
    oracle = (None if opts.no_oracle else
              compare_oracle.Oracle(os.path.join(raw, tag + ".oracle")))
    truth = []

    def all_closed(m):
        truth[:] = compare_rows.read_truth(record)
        m["open_at_stop"] = compare_oracle.wait_closed(
            compare_oracle.server_ports(truth))
    try:
        # Every run records, the one with no tracer too: the recording's
        # own cost is then in the baseline the slowdown is measured from.
        oracle_error = oracle.start() if oracle else None
        rows = None
        if cmd is None:
            m = {"conn_per_s": compare_run.run_workload(
                workload_argv(opts, record), opts.workload_timeout)}
            all_closed(m)
        else:
            m = compare_run.measure(cmd, out, err, workload_argv(opts, record),
                                    2 * opts.sessions, opts, all_closed)
            if "error" not in m:
                with open(out, encoding="utf-8", errors="replace") as f:
                    rows, bad = compare_rows.parse_rows(f.read())
                m["agreement"] = compare_rows.match(
                    truth or compare_rows.read_truth(record), rows,
                    opts.ms_slack)
                m["agreement"]["unparsed"] = bad[:5]
            m["lost_reported"] = compare_rows.lost_reported(m["stderr"])
            m["losses_reported"] = compare_oracle.losses_reported(m["stderr"])
            m["stderr"] = m["stderr"][-2000:]
        if oracle:
            oracle_error = oracle_error or oracle.stop()
            if oracle_error:
                m["oracle_error"] = oracle_error
            elif "error" not in m:
                m["oracle"] = compare_oracle.completeness(
                    oracle.sessions(), compare_oracle.server_ports(truth),
                    rows, m.get("losses_reported", 0))
        return m
    finally:
        if oracle:
            oracle.kill()
            if not opts.keep_raw:
                oracle.remove()
        if not opts.keep_raw:
            for path in (record, out, err):
                if os.path.exists(path):
                    os.unlink(path)


def warm_cache(opts, cmd, raw):
    """One start, so that every measured tcplife-bcc run finds its cache."""
    out, err = os.path.join(raw, "warm.out"), os.path.join(raw, "warm.err")
    t = compare_run.Tracer(opts.maxrss_run, cmd["argv"], out, err)
    if t.wait_header() is None:
        t.stop()
        die("tcplife-bcc failed to start: %s" % t.stderr_text().strip())
    t.stop()


def run_rounds(opts, cmds):
    slots = ["no tracer"] + list(cmds)
    runs = {s: [] for s in slots}
    raw = os.path.join(opts.out, "raw")
    os.makedirs(raw, exist_ok=True)
    for warm in ("tcplife-bcc", CLASSIC):
        if COLD in cmds and warm in cmds:
            warm_cache(opts, cmds[warm], raw)
    for r in range(opts.rounds):
        # Rotating the order spreads drift (page cache, TIME_WAIT sockets,
        # other load) over all tools instead of charging it to one.
        order = slots[r % len(slots):] + slots[:r % len(slots)]
        base = None
        for slot in order:
            print("%s: round %d/%d: %s" % (ME, r + 1, opts.rounds, slot),
                  file=sys.stderr, flush=True)
            tag = "r%d-%s" % (r + 1, slot.replace(" ", "-"))
            m = one_run(opts, slot, cmds.get(slot), raw, tag)
            m["round"] = r + 1
            m["position"] = order.index(slot) + 1
            runs[slot].append(m)
            if slot == "no tracer":
                base = m
        for slot in slots[1:]:
            m = runs[slot][-1]
            if m.get("conn_per_s") and base:
                m["slowdown_pct"] = 100.0 * (1 - m["conn_per_s"] / base["conn_per_s"])
    if not opts.keep_raw:
        shutil.rmtree(raw, ignore_errors=True)
    return slots, runs


def main():
    opts = parse_args()
    if os.geteuid() != 0:
        die("needs root: it loads BPF programs and reads their statistics")
    for path, opt in ((opts.tcplife_bcc, "tcplife-bcc"), (opts.loadgen, "loadgen"),
                      (opts.maxrss_run, "maxrss-run")):
        if not os.access(path, os.X_OK):
            die("%s not found: run make first, or give --%s" % (path, opt))
    install_missing(opts)
    enter_private_mounts()
    ensure_tracefs()
    os.makedirs(opts.out, exist_ok=True)
    cmds, notes = tool_commands(opts)

    # Kernels before 5.1 have no BPF statistics: no cost per event then.
    old_stats = None
    if os.path.exists(BPF_STATS):
        with open(BPF_STATS) as f:
            old_stats = f.read().strip()
    # SIGTERM or SIGHUP must still restore the setting below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _: sys.exit(128 + s))
    try:
        if old_stats is not None:
            with open(BPF_STATS, "w") as f:
                f.write("1\n")
        started = datetime.datetime.now(datetime.timezone.utc)
        slots, runs = run_rounds(opts, cmds)
    finally:
        if old_stats is not None:
            with open(BPF_STATS, "w") as f:
                f.write(old_stats + "\n")

    what = versions(opts)
    result = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "host": {"kernel": platform.release(), "cpus": os.cpu_count(),
                 "node": platform.node()},
        "workload": {"rounds": opts.rounds, "sessions": opts.sessions,
                     "workers": opts.workers, "family": opts.family,
                     "client_bytes": opts.client_bytes,
                     "server_bytes": opts.server_bytes, "closer": opts.closer,
                     "hold_ms": opts.hold_ms, "idle_s": opts.idle,
                     "ms_slack": opts.ms_slack,
                     "loadgen": workload_argv(opts, "RECORD")},
        "tools": {t: dict(cmds[t], what=what[t], note=notes.get(t))
                  for t in cmds},
        "columns": slots,
        "summary": {s: compare_report.summarise(runs[s]) for s in slots},
        "runs": runs,
    }
    md = compare_report.markdown(result)
    out = {k: os.path.join(opts.out, "compare." + k)
           for k in ("md", "json", "dat", opts.chart)}
    with open(out["md"], "w", encoding="utf-8") as f:
        f.write(md)
    compare_report.write_json(result, out["json"])
    charted = compare_report.write_chart(result, out["dat"], out[opts.chart],
                                         os.path.join(HERE, "compare.gp"),
                                         opts.chart)
    sys.stdout.write(md)
    print("\nwrote %s, %s and %s" % (out["md"], out["json"], out[opts.chart]))
    if not charted:
        die("gnuplot failed to draw %s" % out[opts.chart])
    if opts.doc:
        err = compare_report.write_doc(result, opts.doc, out[opts.chart],
                                       COLD, CLASSIC)
        if err:
            die(err)
        print("wrote the run into %s" % opts.doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
