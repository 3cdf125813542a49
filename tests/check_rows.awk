# Compares tcplife-bcc's CSV rows with what tests/tcp_workload did.
#
# Usage: awk -v lead=N [-v ms_slack=MS] -f check_rows.awk EXPECT ROWS
# EXPECT is tcp_workload's output; ROWS is the tracer's -s output, whose
# first LEAD fields are -T/-t columns.  Each expected session side must have
# exactly one row with the same 4-tuple, PID, COMM, IP, TX_KB and RX_KB,
# and MS within [ms_min, ms_max + ms_slack].  What the kernel's byte
# counters hold (tx_seq, rx_seq_min..rx_seq_max) is the workload's to say
# (tests/workload/record.c); KB is the count / 1024, rounded down.
# Rows for other 4-tuples are ignored: other tests may run concurrently.

function fail(msg) {
	print "check_rows: " msg > "/dev/stderr"
	failed = 1
}

# RFC 4180 unquoting of one field.
function unquote(s) {
	if (substr(s, 1, 1) != "\"")
		return s
	s = substr(s, 2, length(s) - 2)
	gsub(/""/, "\"", s)
	# A cell a spreadsheet would evaluate has a leading quote (OWASP).
	if (s ~ /^'[-=+@\t\r]/)
		s = substr(s, 2)
	return s
}

function value(line, key,    rest) {
	if (!match(line, " " key "=[^ ]*"))
		return ""
	rest = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
	return rest
}

BEGIN {
	if (ms_slack == "")
		ms_slack = 50
	lead += 0
}

FNR == NR {
	# comm= may hold spaces: it runs up to " family=".
	c = index($0, " comm=")
	f = index($0, " family=")
	key = value($0, "laddr") " " value($0, "lport") " " value($0, "raddr") " " value($0, "rport")
	exp_comm[key] = substr($0, c + 6, f - c - 6)
	exp_pid[key] = value($0, "pid")
	exp_ip[key] = value($0, "family")
	exp_tx[key] = int(value($0, "tx_seq") / 1024)
	exp_rx[key] = int(value($0, "rx_seq_max") / 1024)
	exp_rx0[key] = int(value($0, "rx_seq_min") / 1024)
	exp_min[key] = value($0, "ms_min")
	exp_max[key] = value($0, "ms_max")
	keys[++nkeys] = key
	next
}

FNR == 1 { next }	# header

{
	# The last 8 fields never contain commas; PID is field lead+1 and
	# COMM (possibly quoted) is everything between.
	n = split($0, fld, ",")
	if (n < lead + 10) {
		fail("short row: " $0)
		next
	}
	key = fld[n - 6] " " fld[n - 5] " " fld[n - 4] " " fld[n - 3]
	if (!(key in exp_pid))
		next
	comm = fld[lead + 2]
	for (i = lead + 3; i <= n - 8; i++)
		comm = comm "," fld[i]
	seen[key]++
	got_pid[key] = fld[lead + 1]
	got_comm[key] = unquote(comm)
	got_ip[key] = fld[n - 7]
	got_tx[key] = fld[n - 2]
	got_rx[key] = fld[n - 1]
	got_ms[key] = fld[n]
}

END {
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		if (!(k in seen)) {
			fail("no row for " k)
			continue
		}
		if (seen[k] != 1)
			fail(seen[k] " rows for " k)
		if (got_pid[k] != exp_pid[k])
			fail(k ": PID " got_pid[k] ", expected " exp_pid[k])
		if (got_comm[k] != exp_comm[k])
			fail(k ": COMM '" got_comm[k] "', expected '" exp_comm[k] "'")
		if (got_ip[k] != exp_ip[k])
			fail(k ": IP " got_ip[k] ", expected " exp_ip[k])
		if (got_tx[k] != exp_tx[k])
			fail(k ": TX_KB " got_tx[k] ", expected " exp_tx[k])
		if (got_rx[k] != exp_rx[k] && got_rx[k] != exp_rx0[k])
			fail(k ": RX_KB " got_rx[k] ", expected " exp_rx[k])
		if (got_ms[k] + 0 < exp_min[k] - 0.01 || got_ms[k] + 0 > exp_max[k] + ms_slack)
			fail(k ": MS " got_ms[k] " outside [" exp_min[k] ", " exp_max[k] " + " ms_slack "]")
	}
	if (nkeys == 0)
		fail("no expectations")
	exit failed
}
