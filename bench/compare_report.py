"""Sums up the rounds: medians with min-max, the Markdown table, the JSON and the chart."""

import json
import os
import shutil
import statistics
import subprocess

MIB = 1024.0


def spread(values):
    """Median, min and max of the values that exist; None when none do."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals)}


def _per_1k(run):
    rows = run.get("rows_printed")
    return run["cpu_ms"] * 1000.0 / rows if rows else None


def _ns_per_run(run):
    n = run.get("bpf_runs")
    return run["bpf_run_ns"] / n if n else None


def _get(key, scale=1.0):
    return lambda run: run[key] / scale if run.get(key) is not None else None


METRICS = [
    # key, label, digits, value of one run
    ("startup_ms", "startup to header, ms", 0, _get("startup_ms")),
    ("cpu_startup_ms", "CPU time to start, ms", 0, _get("cpu_startup_ms")),
    ("rss_peak_mib", "peak RSS, MiB", 1, _get("rss_peak_kib", MIB)),
    ("rss_idle_mib", "RSS idle after attach, MiB", 1, _get("rss_idle_kib", MIB)),
    ("cpu_ms_per_1k_rows", "tool CPU per 1,000 rows, ms", 1, _per_1k),
    ("cpu_wait_ms", "tool's wait for a CPU during the workload, ms", 0,
     _get("cpu_wait_ms")),
    ("bpf_ns_per_run", "BPF program cost per event, ns", 0, _ns_per_run),
    ("conn_per_s", "workload connections/s", 0, _get("conn_per_s")),
    ("slowdown_pct", "workload slowdown, %", 1, _get("slowdown_pct")),
]
COUNTS = [
    # key, label
    ("found", "rows found / expected"),
    ("missed", "rows missed"),
    ("extra", "rows printed twice"),
    ("rows_wrong", "rows with a field wrong"),
    ("wrong_bytes", "TX/RX bytes wrong"),
    ("wrong_ms", "MS out of bounds"),
    ("wrong_pid_comm", "PID/COMM wrong"),
    ("lost_reported", "lost events the tool reported"),
    ("bpf_misses", "BPF runs the kernel skipped (recursion_misses)"),
]
ORACLE = [
    # key, label: completeness against the kernel's own record
    ("closed", "kernel closed: sessions in its own record"),
    ("rows", "rows for those sessions"),
    ("losses_reported", "losses reported by the tool"),
    ("unaccounted", "unaccounted: neither a row nor a reported loss"),
]


ORACLE_TEXT = (
    "Kernel closed: the workload's sessions that the kernel's own record "
    "(sock:inet_sock_set_state in a private tracefs instance, no BPF "
    "involved) shows closing while the tool ran; each tool was stopped once "
    "none was still open.  Losses reported: what the tool said on stderr it "
    "lost (tcplife-bcc: events and sessions lost, and runs the kernel "
    "skipped; the CO-RE tcplife: perf buffer losses only; tcplife-bpfcc: "
    "libbcc's \"Possibly lost\" samples).  Unaccounted, per round: the "
    "sessions without a row beyond the losses reported.")


def summarise(tool_runs):
    """The summary of one tool (or the no-tracer baseline) over its rounds."""
    good = [r for r in tool_runs if "error" not in r]
    s = {"rounds": len(tool_runs), "failed_rounds": len(tool_runs) - len(good),
         "errors": sorted({r["error"] for r in tool_runs if "error" in r})}
    for key, _, _, value in METRICS:
        s[key] = spread([value(r) for r in good])
    agree = [r["agreement"] for r in good if "agreement" in r]
    if agree:
        total = {k: sum(a[k] for a in agree) for k in
                 ("expected", "found", "missed", "extra", "other", "correct",
                  "rows_wrong", "wrong_bytes", "wrong_pid_comm")}
        total["wrong"] = {f: sum(a["wrong"][f] for a in agree)
                          for f in agree[0]["wrong"]}
        total["wrong_ms"] = total["wrong"]["ms"]
        total["lost_reported"] = sum(r.get("lost_reported", 0) for r in good)
        total["bpf_misses"] = sum(r.get("bpf_misses", 0) for r in good)
        total["missed_examples"] = [x for a in agree
                                    for x in a.get("missed_examples", [])][:4]
        total["examples"] = []
        for a in agree:
            for e in a["examples"]:
                if e["fields"] not in [x["fields"] for x in total["examples"]]:
                    total["examples"].append(e)
        s["agreement"] = total
    s["oracle_errors"] = sorted({r["oracle_error"] for r in good
                                 if "oracle_error" in r})
    checked = [r for r in good if "oracle" in r]
    if checked:
        s["oracle"] = {k: sum(r["oracle"][k] for r in checked)
                       for k in checked[0]["oracle"]}
        s["oracle"]["rounds"] = len(checked)
        s["oracle"]["open_at_stop"] = sum(max(0, r.get("open_at_stop", 0))
                                          for r in checked)
    return s


def _oracle_cell(o, key):
    if o is None or key not in o:
        return ""
    bad = ((key == "rows" and o["rows"] < o["closed"]) or
           (key == "unaccounted" and o["unaccounted"]))
    return ("**{:,}**" if bad else "{:,}").format(o[key])


def _cell(sp, digits):
    if sp is None:
        return ""
    fmt = "{:,.%df}" % digits
    med = fmt.format(sp["median"])
    if sp["n"] == 1:
        return med
    return "%s (%s–%s)" % (med, fmt.format(sp["min"]), fmt.format(sp["max"]))


def markdown(result):
    """The table for the terminal and for doc/performance.md."""
    cols = result["columns"]
    summ = result["summary"]
    out = []
    out.append("| | %s |" % " | ".join("`%s`" % c if c != "no tracer" else c
                                        for c in cols))
    out.append("|---|" + "---|" * len(cols))
    for key, label, digits, _ in METRICS:
        cells = [_cell(summ[c].get(key), digits) for c in cols]
        if any(cells):
            out.append("| %s | %s |" % (label, " | ".join(cells)))
    for key, label in COUNTS:
        if key == "extra" and not any(
                (summ[c].get("agreement") or {}).get("extra") for c in cols):
            continue	# a row that would only ever say 0
        cells = []
        for c in cols:
            a = summ[c].get("agreement")
            if a is None:
                cells.append("")
            elif key == "found":
                cells.append(("{:,} / {:,}" if a["found"] == a["expected"] else
                              "**{:,}** / {:,}").format(a["found"], a["expected"]))
            elif a[key]:
                cells.append("**{:,}**".format(a[key]))
            else:
                cells.append("0")
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    for key, label in ORACLE:
        cells = [_oracle_cell(summ[c].get("oracle"), key) for c in cols]
        if any(cells):
            out.append("| %s | %s |" % (label, " | ".join(cells)))
    for c in cols:
        bad = [r["exit_status"] for r in result["runs"][c]
               if r.get("exit_status") not in (None, 0)]
        if bad:
            out.append("")
            out.append("`%s` exited with status %s after SIGINT in %d of %d "
                       "rounds." % (c, ", ".join(str(b) for b in sorted(set(bad))),
                                    len(bad), summ[c]["rounds"]))
        if summ[c]["failed_rounds"]:
            out.append("")
            out.append("`%s` failed in %d of %d rounds: %s" % (
                c, summ[c]["failed_rounds"], summ[c]["rounds"],
                "; ".join(summ[c]["errors"])))
    for c in cols:
        a = summ[c].get("agreement")
        if a and a["missed"] > a["lost_reported"]:
            out.append("")
            out.append("`%s` missed {:,} rows but reported only {:,} lost "
                       "events: {:,} rows were lost without a report.".format(
                           a["missed"], a["lost_reported"],
                           a["missed"] - a["lost_reported"]) % c)
    for c in cols:
        o = summ[c].get("oracle")
        if o and o.get("unaccounted"):
            out.append("")
            out.append("`%s`: {:,} sessions the kernel closed have neither a "
                       "row nor a reported loss.".format(o["unaccounted"]) % c)
        if o and o["open_at_stop"]:
            out.append("")
            out.append("`%s`: {:,} sockets of the workload were still open "
                       "when the tool was stopped.".format(o["open_at_stop"]) % c)
        if summ[c].get("oracle_errors"):
            out.append("")
            out.append("`%s`: the kernel's record is missing or incomplete in "
                       "some rounds: %s" % (c, "; ".join(summ[c]["oracle_errors"])))
    if any(summ[c].get("oracle") for c in cols):
        out.append("")
        out.append(ORACLE_TEXT)
    examples = [(c, e) for c in cols for e in
                (summ[c].get("agreement") or {}).get("examples", [])]
    if examples:
        out.append("")
        out.append("Rows that disagree with the ground truth, one of each kind:")
        out.append("")
        for c, e in examples:
            out.append("- `%s`, %s side, %s closed first, wrong %s: `%s`; "
                       "expected %s" % (c, e["side"], e["closer"],
                                        "/".join(f.upper() for f in e["fields"]),
                                        e["got"], e["expected"]))
    out.append("")
    for t in [c for c in cols if c in result["tools"]]:
        info = result["tools"][t]
        out.append("- `%s`: %s%s" % (t, info["what"], "; " + info["note"]
                                     if info.get("note") else ""))
    out.append("")
    out.append(_workload_text(result["workload"]))
    return "\n".join(out) + "\n"


def _workload_text(w):
    family = {"both": "IPv4 and IPv6 alternately", "4": "IPv4", "6": "IPv6"}
    closer = {"mixed": "the client or, in half the sessions, the server",
              "client": "the client", "server": "the server"}
    rounds = "%d round%s" % (w["rounds"], "s" if w["rounds"] != 1 else "")
    pairs = "%d client/server process pair%s" % (
        w["workers"], "s" if w["workers"] != 1 else "")
    return ("%s of %s sessions (%s session sides) by %s over loopback, %s; "
            "the client sends %s bytes, the server "
            "%s; %s closes first.  The tools' order is rotated every round.  "
            "Cells are median (min–max) over rounds; counts are totals over "
            "all rounds." % (
                rounds, "{:,}".format(w["sessions"]),
                "{:,}".format(2 * w["sessions"]), pairs,
                family[w["family"]], w["client_bytes"].replace(",", " or "),
                w["server_bytes"].replace(",", " or "), closer[w["closer"]]))


def write_json(result, path):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)


def _num(sp, part="median"):
    return "?" if sp is None else "%.6g" % sp[part]


def write_chart(result, dat_path, img_path, script, fmt):
    """Writes gnuplot's data file, then the chart from bench/compare.gp."""
    summ = result["summary"]
    with open(dat_path, "w", encoding="utf-8") as f:
        f.write("# tool, then median min max of: startup_ms rss_peak_mib "
                "rss_idle_mib cpu_ms_per_1k_rows bpf_ns_per_run conn_per_s; "
                "then % of expected rows correct, wrong, missed\n")
        for c in result["columns"]:
            s = summ[c]
            vals = []
            for key in ("startup_ms", "rss_peak_mib", "rss_idle_mib",
                        "cpu_ms_per_1k_rows", "bpf_ns_per_run", "conn_per_s"):
                vals += [_num(s.get(key), p) for p in ("median", "min", "max")]
            a = s.get("agreement")
            if a and a["expected"]:
                vals += ["%.4g" % (100.0 * a[k] / a["expected"])
                         for k in ("correct", "rows_wrong", "missed")]
            else:
                vals += ["?"] * 3
            # gnuplot breaks the label at \n, so long names fit under a bar.
            f.write('"%s" %s\n' % (c.replace(" ", "\\n"), " ".join(vals)))
    title = "tcplife tools on %s, %s: %d rounds of %s sessions" % (
        result["host"]["kernel"], result["date"], result["workload"]["rounds"],
        "{:,}".format(result["workload"]["sessions"]))
    p = subprocess.run(["gnuplot", "-e",
                        "datafile='%s'; outfile='%s'; fmt='%s'; charttitle='%s'"
                        % (dat_path, img_path, fmt, title.replace("'", "")),
                        script], check=False)
    return p.returncode == 0


# doc/performance.md holds the last run between these two lines; the rest
# of the file is written by hand.
DOC_BEGIN = "<!-- begin: written by make compare (bench/compare_report.py) -->"
DOC_END = "<!-- end: written by make compare -->"
DOC_CHART = "compare.png"


def _median(summ, col, key):
    sp = (summ.get(col) or {}).get(key)
    return None if sp is None else sp["median"]


def _target(label, value, met, text):
    if value is None:
        return "| %s | not measured in this run | |" % label
    return "| %s | %s | %s |" % (label, text, "met" if met else "**not met**")


def targets(result, cold, classic):
    """The performance targets, judged on the run's medians."""
    summ = result["summary"]
    bcc, core = "tcplife-bcc", "tcplife"
    rows = ["| target | measured | |", "|---|---|---|"]
    v = _median(summ, cold, "startup_ms")
    rows.append(_target("compiling start ≤ 250 ms", v, v is not None and v <= 250,
                        "%s ms (`%s`); %s ms of CPU" % (
                            _cell(summ[cold]["startup_ms"], 0), cold,
                            _cell(summ[cold].get("cpu_startup_ms"), 0))
                        if v is not None else ""))
    v = _median(summ, bcc, "startup_ms")
    c = _median(summ, core, "startup_ms")
    rows.append(_target("cached start ≤ 40 ms", v, v is not None and v <= 40,
                        "%s ms%s" % (_cell(summ[bcc]["startup_ms"], 0),
                                     "; the CO-RE tool %.0f ms" % c
                                     if c is not None else "")
                        if v is not None else ""))
    idle = _median(summ, bcc, "rss_idle_mib")
    peak = _median(summ, bcc, "rss_peak_mib")
    rows.append(_target("idle RSS ≤ 8 MiB, peak ≤ 16 MiB", idle,
                        idle is not None and peak is not None and
                        idle <= 8 and peak <= 16,
                        "%.1f MiB idle, %.1f MiB peak" % (idle, peak or 0)
                        if idle is not None else ""))
    v = _median(summ, bcc, "cpu_ms_per_1k_rows")
    c = _median(summ, core, "cpu_ms_per_1k_rows")
    rows.append(_target("tool CPU per 1,000 rows ≤ half of CO-RE's",
                        v if c else None, v is not None and c and v <= c / 2,
                        "%.1f ms vs %.1f ms (%.0f%%)" % (v, c, 100 * v / c)
                        if v is not None and c else ""))
    v = _median(summ, bcc, "slowdown_pct")
    c = _median(summ, core, "slowdown_pct")
    k = _median(summ, classic, "slowdown_pct")
    rows.append(_target("workload slowdown below CO-RE's",
                        v if c is not None else None,
                        v is not None and c is not None and v < c,
                        "%.1f%% vs %.1f%%%s" % (
                            v, c, " (classic tracepoint %.1f%%)" % k
                            if k is not None else "")
                        if v is not None and c is not None else ""))
    a = (summ.get(bcc) or {}).get("agreement")
    rows.append(_target("zero lost rows, default buffers", a,
                        a is not None and not a["missed"] and
                        not a["lost_reported"],
                        "{:,} missed and {:,} lost of {:,}".format(
                            a["missed"], a["lost_reported"], a["expected"])
                        if a else ""))
    return "\n".join(rows) + "\n"


def doc_section(result, cold, classic):
    """What doc/performance.md shows of one run."""
    h = result["host"]
    out = ["Measured with `make compare` on %s (%d CPUs, Linux %s) on %s." % (
        h["node"], h["cpus"], h["kernel"], result["date"]), ""]
    out.append(markdown(result).rstrip("\n"))
    out += ["", "![make compare: startup, RSS, CPU per row, BPF cost, "
            "workload rate, correctness](%s)" % DOC_CHART, ""]
    out += ["Against the performance targets (medians of the run above):", ""]
    out.append(targets(result, cold, classic).rstrip("\n"))
    return "\n".join(out) + "\n"


def write_doc(result, path, chart, cold, classic):
    """Replaces the run in PATH (between DOC_BEGIN and DOC_END) with this
    one, and puts the chart beside it; the rest of PATH stays as it is.
    Returns an error message, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return "cannot read %s: %s" % (path, e.strerror)
    b, e = text.find(DOC_BEGIN), text.find(DOC_END)
    if b < 0 or e < b:
        return "%s has no '%s' ... '%s' section" % (path, DOC_BEGIN, DOC_END)
    text = (text[:b + len(DOC_BEGIN)] + "\n\n" +
            doc_section(result, cold, classic) + "\n" + text[e:])
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    if chart and chart.endswith(".png"):
        shutil.copyfile(chart, os.path.join(os.path.dirname(path) or ".",
                                            DOC_CHART))
    return None
