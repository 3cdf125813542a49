#!/bin/sh
# Checks of --interval's records against tests/long_sessions' accounting;
# sourced after init.sh by the interim tests.

LONG_SESSIONS="$abs_top_builddir/tests/long_sessions"

# sessions_ RECORDS PORT: one line per session with PORT at either end:
# "ID LPORT RPORT INTERIMS CLOSES LAST_TYPE SUMS_OK KEYS_OK FIRST_TYPE",
# where SUMS_OK says the deltas of all its records add up to the close's
# totals and KEYS_OK that every record has the same addresses and ports.
sessions_() {
	jq -s -r --argjson port "$2" '
	map(select(.type != "health" and (.lport == $port or .rport == $port)))
	| group_by(.session_id)[]
	| (map(select(.type == "close"))) as $c
	| [.[0].session_id, .[0].lport, .[0].rport,
	   (map(select(.type == "interim")) | length), ($c | length),
	   .[-1].type,
	   (($c | length) == 1 and
	    (map(.tx_delta) | add) == $c[0].tx_bytes and
	    (map(.rx_delta) | add) == $c[0].rx_bytes),
	   (map([.laddr, .lport, .raddr, .rport, .netns, .family]) | unique | length == 1),
	   .[0].type]
	| map(tostring) | join(" ")' "$1"
}

# check_invariant_ RECORDS PORT MIN_INTERIMS: every session on PORT has
# exactly one close, as its last record, its deltas add up to its totals,
# and at least MIN_INTERIMS interim records.  Prints how many sessions.
check_invariant_() {
	sessions_ "$1" "$2" > sessions.txt || fail_ "jq failed on $1"
	awk -v min="$3" '
	$5 != 1 { print "session " $1 ": " $5 " closes"; bad = 1 }
	$6 != "close" { print "session " $1 ": a record after its close"; bad = 1 }
	$7 != "true" { print "session " $1 ": deltas do not add up"; bad = 1 }
	$8 != "true" { print "session " $1 ": its key changed"; bad = 1 }
	$4 < min { print "session " $1 ": " $4 " interim records"; bad = 1 }
	END { exit bad }' sessions.txt >&2 ||
		fail_ "invariant broken (sessions: $(cat sessions.txt))"
	wc -l < sessions.txt
}

# record_times_ RECORDS SELECT FIELD: "SECS VALUE" of each interim record
# the jq condition SELECT picks, SECS its reading time since the epoch.
record_times_() {
	jq -r "select(.type == \"interim\" and ($2)) |
		\"\((.time[0:19] + \"Z\" | fromdate) + (.time[20:26] | tonumber) / 1e6) \(.$3)\"" "$1"
}

# check_rate_ RECORDS SELECT FIELD LOG KEY: each interim VALUE lies
# between the workload's cumulative KEY (c2s or s2c) of the last tick done
# before the reading and that of the first tick done after it (plus the
# SYN and FIN the kernel also counts as acknowledged bytes).
check_rate_() {
	record_times_ "$1" "$2" "$3" > readings.txt
	[ -s readings.txt ] || fail_ "no interim readings for $2"
	grep '^tick ' "$4" | sed "s/.* time=\([^ ]*\).* $5=\([0-9]*\).*/\1 \2/" > ticks.txt
	awk 'NR == FNR { t[NR] = $1; v[NR] = $2; n = NR; next }
	{
		lo = 0; hi = -1
		for (i = 1; i <= n; i++) {
			if (t[i] <= $1 - 0.005) lo = v[i]
			if (hi < 0 && t[i] >= $1 + 0.005) hi = v[i]
		}
		if (hi < 0) hi = v[n]
		if ($2 < lo || $2 > hi + 2) {
			printf "reading at %s: %s not in [%s, %s]\n", $1, $2, lo, hi + 2
			bad = 1
		}
	}
	END { exit bad }' ticks.txt readings.txt >&2 ||
		fail_ "$3 of $2 outside the workload's accounting"
}

# start_interim_tracer_ LOG ERR ARGS...: the tool with -j --output LOG
# and ARGS in the background, returning once a probe session on PORT+9
# is in LOG (it is attached).  LOG must be in LOGS_DIR (make_logs_dir_).
start_interim_tracer_() {
	log_=$1 err_=$2
	shift 2
	rm -f "$log_"
	( trap - INT; exec "$TOOL" --cache-dir "$CACHE_DIR" --user "$INTERIM_USER" \
		-j --output "$log_" "$@" ) \
		> /dev/null 2> "$err_" &
	TRACER_PID=$!
	wait_json_attached_ "$log_" "$err_"
}

# interim_cleanup_: init.sh's cleanup_, after stopping a workload still
# waiting for ./go (a test that failed before it let it run).
LS_PID=
interim_cleanup_() {
	st_=$?
	[ -z "$LS_PID" ] || kill "$LS_PID" 2> /dev/null
	(exit "$st_")
	cleanup_
}
trap interim_cleanup_ EXIT

# start_long_sessions_ ARGS...: tests/long_sessions with -R ready -W go
# and ARGS in the background, as LS_PID, returning once its sessions are
# open and it waits for ./go.
start_long_sessions_() {
	rm -f ready go
	"$LONG_SESSIONS" "$@" -R ready -W go > ls.log &
	LS_PID=$!
	wait_until_ 10 long_sessions_ready_ ||
		fail_ "long_sessions not ready after 10 s"
}
long_sessions_ready_() {
	[ -e ready ] && return 0
	kill -0 "$LS_PID" 2> /dev/null || fail_ "long_sessions failed"
	return 1
}

# interim_logs_dir_: LOGS_DIR, owned by the account the tool becomes
# (named, so the run is the same whether or not this machine has a
# tcplife-bcc account): --output refuses a directory others can write.
INTERIM_USER=nobody
interim_logs_dir_() {
	make_logs_dir_ && chown "$INTERIM_USER" logs "$LOGS_DIR" ||
		framework_failure_ "cannot make logs/"
}
