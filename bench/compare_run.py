"""Runs one tracer under one workload and measures what it costs."""

import os
import signal
import subprocess
import time

# What the tools see: a fixed environment, so that nothing from the
# caller's shell (PYTHONUNBUFFERED, say) changes how they behave.
TOOL_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
            "HOME": "/root"}
HEADER_TIMEOUT = 180.0
STOP_TIMEOUT = 20.0
POLL = 0.005


class OutputWatch:
    """Follows the tool's output file: how many lines, and when they came.

    Output goes to a regular file, which never makes a tool wait.  (On a
    pseudo-terminal, a loaded machine stalls the writer long enough for
    every tool to lose most events: that would measure the terminal.)
    """

    def __init__(self, path):
        self.f = open(path, "rb")
        self.lines = 0
        self.first_line_at = None
        self.last_data_at = None

    def poll(self):
        data = self.f.read()
        if data:
            now = time.monotonic()
            self.lines += data.count(b"\n")
            if self.lines and self.first_line_at is None:
                self.first_line_at = now
            self.last_data_at = now

    def close(self):
        self.f.close()


def _status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return fields


def rss_kib(pid, field):
    """VmRSS (now) or VmHWM (peak) of the process, in KiB."""
    return int(_status(pid)[field].split()[0])


def sched_ns(pid):
    """CPU time, and time spent runnable but waiting for a CPU, of all the
    process's threads so far, from the scheduler's nanosecond counters
    (the tick-based ones are 10 ms coarse)."""
    cpu = wait = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                fields = f.read().split()
            cpu += int(fields[0])
            wait += int(fields[1])
        except (OSError, ValueError, IndexError):
            pass		# a thread that just ended
    return cpu, wait


def _stat_ns(pid, first, last):
    """Sum of /proc/PID/stat's tick counters from field first to last (1-based)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[first - 3:last - 2])
    return ticks * 10 ** 9 // os.sysconf("SC_CLK_TCK")


def cpu_ticks_ns(pid):
    """CPU time including threads that have ended and children it has
    reaped (tcplife-bcc compiles in a child), at tick resolution."""
    return _stat_ns(pid, 14, 17)	# utime stime cutime cstime


def startup_cpu_ns(pid):
    """CPU time so far: the threads' nanosecond counters plus reaped
    children's ticks, unless the ticks of the whole process say that
    threads which have ended used more than tick rounding explains."""
    precise = sched_ns(pid)[0] + children_ns(pid)
    coarse = cpu_ticks_ns(pid)
    return coarse if coarse - precise > 2 * 10 ** 9 // os.sysconf("SC_CLK_TCK") else precise


def children_ns(pid):
    """CPU time of the children it has reaped, at tick resolution."""
    return _stat_ns(pid, 16, 17)	# cutime cstime


def bpf_prog_stats(pid):
    """run_time_ns, run_cnt and recursion_misses summed over the BPF
    programs the process holds, and how many programs there are.

    The first two count only while kernel.bpf_stats_enabled is 1.  The
    third counts runs the kernel skipped because another BPF program was
    running on that CPU: events lost before any tool could see them.
    """
    progs = {}
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        progs[info["prog_id"].strip()] = [
            int(info.get(k, "0")) for k in ("run_time_ns", "run_cnt",
                                            "recursion_misses")]
    return tuple(sum(v[i] for v in progs.values()) for i in range(3)) + (len(progs),)


def run_workload(argv, timeout):
    """Runs tcp_workload; returns its connections per second."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, check=False)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (argv[0], p.returncode,
                                                   p.stderr.strip()))
    vals = dict(kv.split("=", 1) for kv in p.stdout.split())
    return float(vals["conn_per_s"])


def _restore_sigint():
    # A background job of a non-interactive shell has SIGINT ignored, and
    # an ignored signal stays ignored across exec: give the tool the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Tracer:
    """One running tool, its stdout in a file, stopped with SIGINT.

    SIGINT is the signal all three treat as "finish": each prints what it
    has and exits normally.  (SIGTERM kills the CO-RE tool before it
    flushes its output.)  env adds to TOOL_ENV.  The tool runs under
    bench/maxrss_run, which reports its peak RSS.
    """

    def __init__(self, launcher, argv, out_path, err_path, env=None):
        self.argv = argv
        self.err_path = err_path
        self.report = out_path + ".rusage"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(
                [launcher, self.report] + argv, stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, env=dict(TOOL_ENV, **(env or {})),
                preexec_fn=_restore_sigint, start_new_session=True)
        self.output = OutputWatch(out_path)
        self.pid = None
        while self.pid is None and self.proc.poll() is None:
            self.pid = self._report().get("pid")
            time.sleep(0.001)
        self.pid = self.pid or self.proc.pid	# it ended at once

    def _report(self):
        try:
            with open(self.report) as f:
                return {k: int(v) for k, v in
                        (kv.split("=") for kv in f.read().split())}
        except (OSError, ValueError):
            return {}

    def exited(self):
        """True once the tool has ended, without reaping it: stop() does."""
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True

    def wait_header(self):
        """Seconds from start to the header; None if the tool gave up."""
        deadline = self.started_at + HEADER_TIMEOUT
        while self.output.first_line_at is None:
            if self.exited() or time.monotonic() > deadline:
                return None
            time.sleep(POLL)
            self.output.poll()
        return self.output.first_line_at - self.started_at

    def wait_rows(self, rows, quiet, settle, limit):
        """Waits until `rows` lines have come and output has been quiet for
        `quiet` s, or until it has been quiet for `settle` s, at most `limit` s."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.exited():
            time.sleep(0.05)
            self.output.poll()
            since = time.monotonic() - (self.output.last_data_at or 0)
            if (self.output.lines >= rows and since >= quiet) or since >= settle:
                break

    def stop(self):
        """Stops the tool; returns its exit status (negative: killed by
        that signal) and the peak RSS in KiB of it and every child it
        reaped."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait()
        self.output.close()
        r = self._report()
        os.unlink(self.report)
        return r.get("status", self.proc.returncode), r.get("maxrss_kib")

    def stderr_text(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()


def measure(cmd, out_path, err_path, workload_argv, expect_rows, opts,
            after_workload=None):
    """Starts a tracer, runs the workload under it, stops it.

    cmd has the tool's argv and env.  after_workload(m), if given, runs
    once the workload has ended and before the tool's output is awaited
    (to wait for the last closes).  Returns the measurements; out_path
    then holds its rows.
    """
    m = {"argv": cmd["argv"], "env": cmd.get("env")}
    t = Tracer(opts.maxrss_run, cmd["argv"], out_path, err_path, cmd.get("env"))
    try:
        m["startup_ms"] = t.wait_header()
        if m["startup_ms"] is None:
            m["error"] = "no header; stderr: " + t.stderr_text().strip()[-600:]
            return m
        m["startup_ms"] *= 1000
        m["cpu_startup_ms"] = startup_cpu_ns(t.pid) / 1e6
        time.sleep(opts.idle)
        m["rss_idle_kib"] = rss_kib(t.pid, "VmRSS")
        t.output.poll()
        rows0 = t.output.lines
        (cpu0, wait0), (bpf_ns0, bpf_cnt0, miss0, _) = (
            sched_ns(t.pid), bpf_prog_stats(t.pid))
        child0 = children_ns(t.pid)
        m["conn_per_s"] = run_workload(workload_argv, opts.workload_timeout)
        if after_workload:
            after_workload(m)
        t.wait_rows(rows0 + expect_rows, 0.6, opts.settle, opts.settle_limit)
        (cpu1, wait1), (bpf_ns1, bpf_cnt1, miss1, m["bpf_progs"]) = (
            sched_ns(t.pid), bpf_prog_stats(t.pid))
        m["rows_printed"] = t.output.lines - rows0
        # Threads' own time to the nanosecond, plus any helper processes'.
        m["cpu_ms"] = (cpu1 - cpu0 + children_ns(t.pid) - child0) / 1e6
        # A tool kept off the CPU while the buffers fill loses events: this
        # tells a slow tool from a starved one.
        m["cpu_wait_ms"] = (wait1 - wait0) / 1e6
        m["bpf_runs"] = bpf_cnt1 - bpf_cnt0
        m["bpf_run_ns"] = bpf_ns1 - bpf_ns0
        m["bpf_misses"] = miss1 - miss0
    except (OSError, KeyError) as e:
        # /proc/PID went away or lost its memory lines: the tool died.
        m["error"] = "exited during the run (%s); stderr: %s" % (
            e, t.stderr_text().strip()[-600:])
    finally:
        m["exit_status"], m["rss_peak_kib"] = t.stop()
        m["stderr"] = t.stderr_text()
    return m
