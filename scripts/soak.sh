#!/bin/sh
# Soak test: runs tcplife-bcc for SECONDS under a high session rate, prints
# its RSS over time, and accounts for every session (rows + reported
# losses + drops).  Fails if RSS grows after warm-up or a session is
# missing.  Usage: soak.sh [SECONDS (600)] [WORKERS (4)]; run as root from
# a built tree (TOOL and WORKLOAD may point elsewhere).
set -u
seconds=${1:-600}
workers=${2:-4}
here=$(cd "$(dirname "$0")/.." && pwd)
TOOL=${TOOL:-$here/tcplife-bcc}
WORKLOAD=${WORKLOAD:-$here/tests/tcp_workload}
PORT=${PORT:-29100}
out=$(mktemp -d /tmp/tcplife-soak.XXXXXX)
tool= workers_pids=
trap 'kill $tool $workers_pids 2>/dev/null; rm -rf "$out"' EXIT

ports=$PORT
i=1
while [ $i -lt "$workers" ]; do ports="$ports,$((PORT + i))"; i=$((i + 1)); done
# CACHE_DIR: a cache of compiled programs other than the tool's default.
if [ -n "${CACHE_DIR-}" ]; then set -- --cache-dir "$CACHE_DIR"; else set --; fi
"$TOOL" "$@" -s -L "$ports" > "$out/rows.csv" 2> "$out/err" &
tool=$!
until [ -s "$out/rows.csv" ]; do
	kill -0 $tool 2>/dev/null || { cat "$out/err"; echo "soak: FAIL: tool did not start"; exit 1; }
	sleep 0.1
done

# Each worker runs batches of sessions on its own port until the deadline.
end=$(($(date +%s) + seconds))
i=0
while [ $i -lt "$workers" ]; do
	( while [ "$(date +%s)" -lt $end ]; do
		"$WORKLOAD" -n 200 -H 0 -c 700 -s 1500 -P $((PORT + i)) >> "$out/expect.$i" || exit 1
	  done ) &
	workers_pids="$workers_pids $!"
	i=$((i + 1))
done

printf '%8s %10s %10s %8s\n' elapsed rss_kib rows sessions
start=$(date +%s)
rss_warm= rss_max=0
while [ "$(date +%s)" -lt $end ]; do
	sleep $((seconds >= 60 ? 10 : 2))
	rss=$(awk '$1 == "VmRSS:" { print $2 }' /proc/$tool/status)
	el=$(($(date +%s) - start))
	sessions=$(cat "$out"/expect.* 2>/dev/null | grep -c side=server)
	printf '%8s %10s %10s %8s\n' "$el" "$rss" "$(($(wc -l < "$out/rows.csv") - 1))" "$sessions"
	# Warm-up: the first fifth of the run (buffers, maps and stdio settle).
	if [ -z "$rss_warm" ] && [ "$el" -ge $((seconds / 5)) ]; then rss_warm=$rss; fi
	[ -n "$rss_warm" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
done
# Workers finish their last batch; then the tool drains and exits.
for w in $workers_pids; do
	wait "$w" || echo "soak: a worker failed"
done
workers_pids=
sleep 1
kill -TERM $tool
wait $tool
status=$?
tool=

sessions=$(cat "$out"/expect.* | grep -c side=server)
rows=$(($(wc -l < "$out/rows.csv") - 1))
lost=$(sed -n 's/^tcplife-bcc: lost \([0-9]*\) events in total.*/\1/p' "$out/err")
drops=$(sed -n 's/^tcplife-bcc: lost \([0-9]*\) sessions in total.*/\1/p' "$out/err")
lost=${lost:-0} drops=${drops:-0}
echo "sessions $sessions, rows $rows, lost $lost, untracked $drops; RSS after warm-up ${rss_warm:-?} KiB, max ${rss_max} KiB; exit $status"
fail=0
[ "$status" -eq 0 ] || { echo "soak: FAIL: exit status $status"; fail=1; }
[ $((rows + lost + drops)) -ge "$sessions" ] && [ "$rows" -le "$sessions" ] ||
	{ echo "soak: FAIL: $rows rows + $lost lost + $drops untracked do not account for $sessions sessions"; fail=1; }
# What the tool said (losses, skipped runs), for whoever reads a failure.
[ $fail -eq 0 ] || sed 's/^/soak: tool: /' "$out/err"
# Flat: no more than 1 MiB above the post-warm-up figure.  Not with
# AddressSanitizer, whose quarantine keeps freed memory on purpose (its
# leak checker looks for real leaks at exit instead).
if ldd "$TOOL" 2>/dev/null | grep -q libasan; then
	echo "soak: RSS not checked: the tool is built with AddressSanitizer"
	rss_warm=
fi
[ -z "$rss_warm" ] || [ "$rss_max" -le $((rss_warm + 1024)) ] ||
	{ echo "soak: FAIL: RSS grew from $rss_warm to $rss_max KiB"; fail=1; }
[ $fail -eq 0 ] && echo "soak: PASS"
exit $fail
