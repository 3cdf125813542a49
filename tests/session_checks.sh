#!/bin/sh
# Checks of JSON rows against what tests/tcp_ends and tests/tcp_workload
# report; sourced by the tests that use them, after init.sh.

ENDS="$abs_top_builddir/tests/tcp_ends"

# field_ LINE KEY: the value of KEY=VALUE in a workload's line.
field_() {
	printf '%s\n' "$1" | sed -n "s/.* $2=\([^ ]*\).*/\1/p; s/^$2=\([^ ]*\).*/\1/p" | head -n 1
}

# wait_json_ FILE JQ_FILTER: waits (up to 10 s) until some object in FILE
# matches the filter.
wait_json_() {
	wait_until_ 10 json_has_ "$1" "$2"
}
# json_has_ FILE JQ_FILTER: whether some object in FILE matches (jq -e
# would judge by the last object only).
json_has_() {
	jq -c "select($2)" "$1" 2> /dev/null | grep -q .
}

# rows_for_ ROWS LPORT RPORT: every object for that session side.
rows_for_() {
	jq -c "select(.lport == $2 and .rport == $3)" "$1"
}

# row_ ROWS LPORT RPORT: the one object for that session side (fails
# unless there is exactly one).
row_() {
	obj_=$(rows_for_ "$@")
	[ "$(printf '%s\n' "$obj_" | grep -c .)" -eq 1 ] ||
		fail_ "expected one row for $2 -> $3, got: $obj_"
	printf '%s\n' "$obj_"
}

# check_ends_ EXPECT ROWS: every line tcp_ends printed has its row, with
# the role, end, errno, failure, owner and (where it read TCP_INFO) the
# kernel's own retransmission count and smoothed RTT.
check_ends_() {
	while read -r line; do
		case $line in side=*) ;; *) continue ;; esac
		side=$(field_ "$line" side) lport=$(field_ "$line" lport)
		rport=$(field_ "$line" rport) end=$(field_ "$line" end)
		err=$(field_ "$line" errno) retrans=$(field_ "$line" retrans)
		srtt=$(field_ "$line" srtt_us)
		obj=$(row_ "$2" "$lport" "$rport") || exit 1
		failed=false
		case $end in refused | timeout | error) failed=true ;; esac
		[ "$err" = - ] && err=null
		want="$side $end $err $failed $(field_ "$line" pid) $(field_ "$line" uid)"
		got=$(printf '%s\n' "$obj" | jq -r '"\(.role) \(.end_reason) \(.errno) \(.failed) \(.pid) \(.uid)"')
		[ "$got" = "$want" ] ||
			fail_ "$side $lport: role end errno failed pid uid = '$got', expected '$want'"
		[ "$retrans" = - ] && continue
		got=$(printf '%s\n' "$obj" | jq -r '"\(.retransmits) \(.srtt_us)"')
		[ "$got" = "$retrans $srtt" ] ||
			fail_ "$side $lport: retransmits srtt_us = '$got', TCP_INFO says '$retrans $srtt'"
	done < "$1"
}
