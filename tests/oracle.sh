#!/bin/sh
# The kernel's own record of TCP state changes, as an oracle for the tool:
# a private tracefs instance (instances/NAME: its own ring buffer, so the
# main buffer and every other tracer stay as they are) records
# sock:inet_sock_set_state with no BPF involved, and oracle.awk turns it
# into the sessions that closed.
#
#   oracle.sh start DIR FILTER   records, in the background, the events that
#                                match the tracefs FILTER; returns once
#                                recording; DIR holds its state
#   oracle.sh stop DIR           stops, writes DIR/trace, removes the
#                                instance; fails if the kernel's buffer
#                                overran (the record would be incomplete)
#
# The recorder lives in a mount namespace of its own where tracefs is
# mounted (a fresh machine has none mounted), and removes its instance
# whatever way it ends.  Run by the tests and by make compare.
set -u
. "$(dirname "$0")/wait_until.sh"

recorder() {
	dir=$1 filter=$2
	t=/sys/kernel/tracing
	[ -d $t/events ] || mount -t tracefs -o nosuid,nodev,noexec tracefs $t ||
		{ echo "oracle: cannot mount tracefs" > "$dir/error"; exit 1; }
	[ -d $t/instances ] ||
		{ echo "oracle: this kernel has no tracefs instances" > "$dir/error"; exit 1; }
	inst=$t/instances/tcplife-oracle-$$
	mkdir "$inst" || { echo "oracle: cannot make $inst" > "$dir/error"; exit 1; }
	trap 'echo 0 > "$inst/events/sock/inet_sock_set_state/enable"; rmdir "$inst"' EXIT
	trap 'exit 1' INT TERM HUP
	ev=$inst/events/sock/inet_sock_set_state
	# One clock for all CPUs: the record is read in time order.  32 MiB a
	# CPU holds about 400,000 events; an overrun fails the oracle.
	echo global > "$inst/trace_clock" &&
		echo 32768 > "$inst/buffer_size_kb" &&
		echo 0 > "$inst/options/overwrite" &&
		echo "$filter" > "$ev/filter" &&
		echo 1 > "$ev/enable" ||
		{ echo "oracle: cannot enable the event with filter '$filter'" > "$dir/error"; exit 1; }
	echo "$inst" > "$dir/ready"
	read -r _ < "$dir/stop"
	echo 0 > "$ev/enable"
	cat "$inst/trace" > "$dir/trace.t" && mv "$dir/trace.t" "$dir/trace"
	# "overrun" (lost to a full buffer) and "dropped events" per CPU.
	cat "$inst"/per_cpu/cpu*/stats | awk '
		/^overrun:/ || /^dropped events:/ { s += $NF }
		END { print s + 0 }' > "$dir/overrun"
	exit 0
}

case ${1-} in
start)
	dir=$2 filter=$3
	mkdir -p "$dir" && rm -f "$dir/ready" "$dir/error" "$dir/trace" "$dir/stop" &&
		mkfifo "$dir/stop" || exit 99
	unshare --mount --propagation private sh "$0" recorder "$dir" "$filter" \
		> "$dir/log" 2>&1 &
	echo $! > "$dir/pid"
	# Ready when the event is enabled, or failed.
	ready_() {
		[ -s "$dir/ready" ] && return 0
		if [ -s "$dir/error" ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			cat "$dir/error" "$dir/log" >&2 2>/dev/null
			exit 1
		fi
		return 1
	}
	wait_until_ 30 ready_ || { echo "oracle: not ready after 30 s" >&2; exit 1; }
	;;
stop)
	dir=$2
	pid=$(cat "$dir/pid") || exit 99
	echo stop > "$dir/stop" &
	wait_pid=$!
	# The recorder exits once it has the record.
	gone_() { ! kill -0 "$pid" 2>/dev/null; }
	wait_until_ 60 gone_ || { kill "$pid"; echo "oracle: recorder hung" >&2; exit 1; }
	kill "$wait_pid" 2>/dev/null
	[ -s "$dir/trace" ] || { cat "$dir/log" >&2; echo "oracle: no record" >&2; exit 1; }
	[ "$(cat "$dir/overrun")" -eq 0 ] ||
		{ echo "oracle: the kernel's buffer overran ($(cat "$dir/overrun") events lost)" >&2; exit 1; }
	;;
kill)
	# From a test's cleanup: ends a recorder that was not stopped.
	dir=$2
	[ -s "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null
	exit 0
	;;
recorder)
	recorder "$2" "$3"
	;;
*)
	echo "usage: oracle.sh start DIR FILTER | stop DIR | kill DIR" >&2
	exit 2
	;;
esac
