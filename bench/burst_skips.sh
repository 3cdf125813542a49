#!/bin/sh
# Rows kept in a burst of loopback sessions while two other tracers (the
# CO-RE tcplife and a bpftrace program) are attached to the same
# tracepoint, and the runs the kernel skipped for each attach method.
#
# Usage (as root, from the build tree): bench/burst_skips.sh [SESSIONS [WORKERS [HOLD_MS]]]
# Prints, per attach method the kernel offers: rows kept of the session sides, and what the tool
# reported as skipped runs and losses.  BPFTRACE_PROGRAM replaces the
# bpftrace program, e.g. a slow one that makes skipped runs likely:
#   'tracepoint:sock:inet_sock_set_state { $i = 0;
#    while ($i < 6000) { @c = count(); $i++; } }'
n=${1:-9000} j=${2:-8} hold=${3:-0}
# The other tracers find the tracepoint through tracefs: on a machine where
# it is not mounted, all of this runs in a mount namespace where it is.
if [ ! -d /sys/kernel/tracing/events ] && [ -z "$BURST_SKIPS_PRIVATE" ]; then
	BURST_SKIPS_PRIVATE=1 exec unshare --mount --propagation private sh -c \
		'mount -t tracefs tracefs /sys/kernel/tracing && exec sh "$0" "$@"' \
		"$0" "$@"
fi
: "${BPFTRACE_PROGRAM:=tracepoint:sock:inet_sock_set_state { @[args->newstate] = count(); }}"
top=$(cd "$(dirname "$0")/.." && pwd)
tool=$top/tcplife-bcc workload=$top/tests/tcp_workload
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
for cmd in /usr/sbin/tcplife bpftrace "$tool" "$workload"; do
	command -v "$cmd" > /dev/null ||
		{ echo "burst_skips.sh: $cmd is missing" >&2; exit 1; }
done
# Every method the table has (--help's list) that this kernel offers
# (--info).
methods=$("$tool" --help | sed -n 's/^ *--attach METHOD *auto, //p' |
	sed 's/,//g; s/ or / /')
"$tool" --info > "$dir/info" 2> /dev/null
for method in $methods; do
	grep -q "^$method: .* available$" "$dir/info" || continue
	/usr/sbin/tcplife > /dev/null 2>&1 & core=$!
	bpftrace -e "$BPFTRACE_PROGRAM" > "$dir/bt" 2>&1 & bt=$!
	"$tool" --cache-dir "$dir/cache" --attach "$method" -s > "$dir/rows" 2> "$dir/err" &
	t=$!
	i=0
	until [ -s "$dir/rows" ] && grep -q Attaching "$dir/bt"; do
		i=$((i + 1)); [ $i -le 600 ] || break; sleep 0.1
	done
	"$workload" -n "$n" -j "$j" -H "$hold" -c 100 -s 100 \
		--client-comm burstc --server-comm bursts -o "$dir/record" > /dev/null
	sleep 2
	kill -TERM $t; wait $t
	# bpftrace can miss a SIGINT that comes as it starts: a watchdog
	# kills what has not exited 10 s later.
	kill -INT $bt $core
	( sleep 10; kill -KILL $bt $core ) 2> /dev/null & dog=$!
	wait $bt $core 2> /dev/null
	kill $dog 2> /dev/null
	printf '%s: %s of %s session sides kept' "$method" \
		"$(grep -c ',burst[cs]-[0-9]*,' "$dir/rows")" $((2 * n))
	sed -n 's/^tcplife-bcc: \(the kernel skipped [0-9]* runs in total\).*/; \1/p
		s/^tcplife-bcc: lost \([0-9]* [a-z]*\) in total.*/; lost \1/p' "$dir/err" |
		tr -d '\n'
	echo
done
