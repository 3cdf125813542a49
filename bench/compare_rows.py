"""Reads each tool's rows and the workload generator's record, and matches them by 4-tuple."""

import collections
import ipaddress
import re

# Printed MS values are rounded to 0.01 ms.
MS_ROUNDING = 0.01

# Each tool's own words for events it could not read.
LOST_PATTERNS = {
    "total": re.compile(r"lost (\d+) events in total"),
    "per_cpu": re.compile(r"lost (\d+) events on CPU"),
    "bcc_lib": re.compile(r"Possibly lost (\d+) samples"),
}


def read_truth(path):
    """The record tcp_workload writes: one dict per session side.

    Lines are "key=value ..."; comm= may hold spaces and runs up to
    " family=".  The byte counters a tracer must show (tx_seq, rx_seq_min,
    rx_seq_max) are the generator's to work out, not ours.
    """
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            head, rest = line.split(" comm=", 1)
            comm, tail = rest.split(" family=", 1)
            r = dict(kv.split("=", 1) for kv in (head + " family=" + tail).split())
            r["comm"] = comm
            for k in ("session", "pid", "lport", "rport", "tx", "rx",
                      "tx_seq", "rx_seq_min", "rx_seq_max"):
                r[k] = int(r[k])
            r["ip"] = int(r.pop("family"))
            for k in ("ms_min", "ms_max"):
                r[k] = float(r[k])
            r["laddr"] = _addr(r["laddr"])
            r["raddr"] = _addr(r["raddr"])
            # Which side closed first, for the reports.
            r["closer"] = r["side"] if r["closer"] == "yes" else \
                ("server" if r["side"] == "client" else "client")
            rows.append(r)
    return rows


def _addr(text):
    return ipaddress.ip_address(text).compressed


def _kb_bytes(text):
    """The byte range a KB figure stands for: integer KB are rounded down,
    decimal KB are rounded to their last digit."""
    if "." in text:
        half = 0.5 * 10 ** -len(text.split(".")[1])
        value = float(text)
        return ((value - half) * 1024, (value + half) * 1024)
    value = int(text)
    return (value * 1024, value * 1024 + 1023)


def parse_rows(text):
    """Rows of any of the three tools' default or -w layouts.

    The header names the columns; COMM is everything between PID and the
    fixed columns after it, so the layouts differ only in which columns
    exist (the CO-RE tool has no IP column) and how KB are printed.
    Returns (rows, unparsed lines).
    """
    lines = text.replace("\r", "").split("\n")
    start = next((i for i, line in enumerate(lines)
                  if line.split()[:2] == ["PID", "COMM"]), None)
    if start is None:
        return [], [line for line in lines if line.strip()]
    after = lines[start].split()[2:]
    rows, bad = [], []
    for line in lines[start + 1:]:
        tok = line.split()
        if not tok:
            continue
        if len(tok) < 2 + len(after):
            bad.append(line)
            continue
        col = dict(zip(after, tok[-len(after):]))
        try:
            laddr, raddr = _addr(col["LADDR"]), _addr(col["RADDR"])
            rows.append({
                "pid": int(tok[0]),
                "comm": " ".join(tok[1:len(tok) - len(after)]),
                "ip": int(col["IP"]) if "IP" in col else
                      (6 if ":" in laddr else 4),
                "laddr": laddr, "lport": int(col["LPORT"]),
                "raddr": raddr, "rport": int(col["RPORT"]),
                "tx": _kb_bytes(col["TX_KB"]),
                "rx": _kb_bytes(col["RX_KB"]),
                "ms": float(col["MS"]),
                "line": line.strip(),
            })
        except (KeyError, ValueError):
            bad.append(line)
    return rows, bad


def lost_reported(stderr_text):
    """Events the tool itself said it lost; a total line wins over per-CPU lines."""
    totals = [int(n) for n in LOST_PATTERNS["total"].findall(stderr_text)]
    if totals:
        return sum(totals)
    return sum(int(n) for name in ("per_cpu", "bcc_lib")
               for n in LOST_PATTERNS[name].findall(stderr_text))


def _key(r):
    return (r["laddr"], r["lport"], r["raddr"], r["rport"])


def _bytes_ok(shown, lo, hi):
    """Whether the byte range a KB figure stands for meets [lo, hi]."""
    return shown[0] <= hi and shown[1] >= lo


def _expect_text(e):
    return ("PID %d COMM %s TX %d B (TX_KB %d) RX %d B (RX_KB %d) MS %.2f-%.2f"
            % (e["pid"], e["comm"], e["tx"], e["tx_seq"] // 1024,
               e["rx"], e["rx_seq_max"] // 1024, e["ms_min"], e["ms_max"]))


def _bad_fields(e, r, ms_slack):
    return [f for f, ok in (
        ("pid", r["pid"] == e["pid"]),
        ("comm", r["comm"] == e["comm"]),
        ("ip", r["ip"] == e["ip"]),
        ("tx", _bytes_ok(r["tx"], e["tx_seq"], e["tx_seq"])),
        ("rx", _bytes_ok(r["rx"], e["rx_seq_min"], e["rx_seq_max"])),
        ("ms", e["ms_min"] - MS_ROUNDING <= r["ms"] <= e["ms_max"] + ms_slack))
        if not ok]


def _pairs(es, rs, ms_slack):
    """Pairs expected sides with rows of one 4-tuple.  tcp_workload avoids
    reusing a 4-tuple, but should one recur, each row goes to the side it
    fits best, so that a lost row does not make the next one look wrong."""
    if len(es) == 1:
        return [(es[0], rs[0])] if rs else []
    left = list(es)
    pairs = []
    for r in rs:
        if not left:
            break
        e = min(left, key=lambda x: len(_bad_fields(x, r, ms_slack)))
        left.remove(e)
        pairs.append((e, r))
    return pairs


def match(truth, rows, ms_slack, examples=4):
    """Per tool: rows found, missed, extra, and fields that disagree.

    Rows are paired with the ground truth by 4-tuple.  Rows for 4-tuples
    the workload did not create belong to other traffic and are only
    counted.
    """
    want = collections.defaultdict(list)
    for e in truth:
        want[_key(e)].append(e)
    got = collections.defaultdict(list)
    for r in rows:
        got[_key(r)].append(r)
    res = {"expected": len(truth), "found": 0, "missed": 0, "extra": 0,
           "other": 0, "correct": 0, "rows_wrong": 0,
           "wrong_bytes": 0, "wrong_pid_comm": 0,
           "wrong": {f: 0 for f in ("pid", "comm", "ip", "tx", "rx", "ms")},
           "examples": [], "missed_examples": []}
    for key, rs in got.items():
        if key not in want:
            res["other"] += len(rs)
    for key, es in want.items():
        rs = got.get(key, [])
        res["missed"] += max(0, len(es) - len(rs))
        res["extra"] += max(0, len(rs) - len(es))
        pairs = _pairs(es, rs, ms_slack)
        matched = [id(e) for e, _ in pairs]
        for e in es:
            if id(e) not in matched and len(res["missed_examples"]) < examples:
                res["missed_examples"].append(
                    "session %d %s side (%s closed first) %s:%d-%s:%d, %s" % (
                        e["session"], e["side"], e["closer"], e["laddr"],
                        e["lport"], e["raddr"], e["rport"], _expect_text(e)))
        for e, r in pairs:
            res["found"] += 1
            bad = _bad_fields(e, r, ms_slack)
            for f in bad:
                res["wrong"][f] += 1
            if not bad:
                res["correct"] += 1
                continue
            res["rows_wrong"] += 1
            res["wrong_bytes"] += "tx" in bad or "rx" in bad
            res["wrong_pid_comm"] += "pid" in bad or "comm" in bad
            # One example of each kind of disagreement shows the most.
            if (len(res["examples"]) < examples and
                    bad not in [x["fields"] for x in res["examples"]]):
                res["examples"].append({
                    "fields": bad, "got": r["line"],
                    "expected": _expect_text(e),
                    "side": e["side"], "closer": e["closer"]})
    return res
