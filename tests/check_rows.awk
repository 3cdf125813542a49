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
# A 4-tuple may come back: once the server has closed first, the kernel
# may give the client's port to a later connect() to the same server.
# Then each of those sessions needs a row of its own, matched to it by
# its fields; a row more than the sessions is a duplicate.

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
	if (!(key in nexp))
		keys[++nkeys] = key
	e = key SUBSEP (++nexp[key])
	exp_comm[e] = substr($0, c + 6, f - c - 6)
	exp_pid[e] = value($0, "pid")
	exp_ip[e] = value($0, "family")
	exp_tx[e] = int(value($0, "tx_seq") / 1024)
	exp_rx[e] = int(value($0, "rx_seq_max") / 1024)
	exp_rx0[e] = int(value($0, "rx_seq_min") / 1024)
	exp_min[e] = value($0, "ms_min")
	exp_max[e] = value($0, "ms_max")
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
	if (!(key in nexp))
		next
	comm = fld[lead + 2]
	for (i = lead + 3; i <= n - 8; i++)
		comm = comm "," fld[i]
	r = key SUBSEP (++nrows[key])
	got_pid[r] = fld[lead + 1]
	got_comm[r] = unquote(comm)
	got_ip[r] = fld[n - 7]
	got_tx[r] = fld[n - 2]
	got_rx[r] = fld[n - 1]
	got_ms[r] = fld[n]
}

# What is wrong with row R as the row of expected session E; "" if nothing.
function mismatch(k, e, r,    m) {
	m = ""
	if (got_pid[r] != exp_pid[e])
		m = m "; PID " got_pid[r] ", expected " exp_pid[e]
	if (got_comm[r] != exp_comm[e])
		m = m "; COMM '" got_comm[r] "', expected '" exp_comm[e] "'"
	if (got_ip[r] != exp_ip[e])
		m = m "; IP " got_ip[r] ", expected " exp_ip[e]
	if (got_tx[r] != exp_tx[e])
		m = m "; TX_KB " got_tx[r] ", expected " exp_tx[e]
	if (got_rx[r] != exp_rx[e] && got_rx[r] != exp_rx0[e])
		m = m "; RX_KB " got_rx[r] ", expected " exp_rx[e]
	if (got_ms[r] + 0 < exp_min[e] - 0.01 || got_ms[r] + 0 > exp_max[e] + ms_slack)
		m = m "; MS " got_ms[r] " outside [" exp_min[e] ", " exp_max[e] " + " ms_slack "]"
	return m == "" ? "" : k m
}

END {
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		ne = nexp[k]
		nr = (k in nrows) ? nrows[k] : 0
		if (nr == 0) {
			fail("no row for " k (ne > 1 ? " (" ne " sessions)" : ""))
			continue
		}
		if (nr > ne)
			fail(nr " rows for " k ", " ne " session" (ne > 1 ? "s" : ""))
		else if (nr < ne)
			fail("no row for " ne - nr " of the " ne " sessions of " k)
		# Each row takes the first session left that it matches.
		delete used
		for (j = 1; j <= nr; j++) {
			r = k SUBSEP j
			first = ""
			for (x = 1; x <= ne; x++) {
				e = k SUBSEP x
				if (e in used)
					continue
				m = mismatch(k, e, r)
				if (m == "") {
					used[e] = 1
					break
				}
				if (first == "")
					first = m
			}
			if (x > ne && first != "")
				fail(first)
		}
	}
	if (nkeys == 0)
		fail("no expectations")
	exit failed
}
