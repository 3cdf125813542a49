#!/bin/sh
# Common code for tcplife-bcc's tests, sourced by every NAME.test.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

ME_="${0##*/}"
: "${abs_top_builddir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${abs_top_srcdir:=$abs_top_builddir}"
TOOL="$abs_top_builddir/tcplife-bcc"
# The same tool with its TCPLIFE_TEST_* hooks, for the tests that use them.
HOOKS_TOOL="$abs_top_builddir/tests/tcplife-bcc-test"
WORKLOAD="$abs_top_builddir/tests/tcp_workload"
RESERVE_PORTS="$abs_top_builddir/tests/reserve_ports"
RENAME_ON_READ="$abs_top_builddir/tests/rename_on_read"
FORMAT_EVENTS="$abs_top_builddir/tests/format_events"
MANPAGE="$abs_top_srcdir/man/tcplife-bcc.8"
PROGRAM_=tcplife-bcc

# LeakSanitizer cannot work under ptrace: a sanitized build run under
# strace checks no leaks there (the same paths run without strace too).
NO_LSAN_="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

warn_() { printf '%s: %s\n' "$ME_" "$*" >&2; }
fail_() { warn_ "FAIL: $*"; exit 1; }
skip_() { warn_ "SKIP: $*"; exit 77; }
framework_failure_() { warn_ "framework failure: $*"; exit 99; }

# Every test works in its own directory, removed when it passes.
TESTDIR="$abs_top_builddir/tests/${ME_%.test}.dir"
rm -rf "$TESTDIR" && mkdir -p "$TESTDIR" && cd "$TESTDIR" ||
	framework_failure_ "cannot create $TESTDIR"

# Each test has its own program cache: no test depends on what another
# compiled before it, and none writes the host's /var/cache/tcplife-bcc.
# Every run of the tool that may touch the cache passes it (tool_ does).
CACHE_DIR=$TESTDIR/cache

# tool_ ARGS...: the tool, with this test's cache.
tool_() {
	"$TOOL" --cache-dir "$CACHE_DIR" "$@"
}

TRACER_PID="" RESERVE_PID=""
# make_logs_dir_: makes ./logs for a tool that leaves root once attached,
# and sets LOGS_DIR to a path of it the tool can reach.
# Where the test directory is out of other users' reach (a directory on
# its path without o+x, such as mktemp -d's), a world-traversable
# directory under /tmp stands in, linked from ./logs.
LOGS_TMP_=
make_logs_dir_() {
	d_=$TESTDIR
	while [ "$d_" != / ] && [ -n "$(find "$d_" -maxdepth 0 -perm -o+x)" ]; do
		d_=$(dirname "$d_")
	done
	if [ "$d_" = / ]; then
		LOGS_DIR=$TESTDIR/logs
		mkdir logs
	else
		LOGS_TMP_=$(mktemp -d /tmp/tcplife-logs.XXXXXX) &&
			chmod 0755 "$LOGS_TMP_" && ln -s "$LOGS_TMP_" logs &&
			LOGS_DIR=$LOGS_TMP_
	fi
}

cleanup_() {
	status=$?
	if [ -n "$TRACER_PID" ]; then
		kill -TERM "$TRACER_PID" 2>/dev/null
		wait "$TRACER_PID" 2>/dev/null
	fi
	if [ -n "$RESERVE_PID" ]; then
		kill -TERM "$RESERVE_PID" 2>/dev/null
		wait "$RESERVE_PID" 2>/dev/null
	fi
	[ -z "$LOGS_TMP_" ] || rm -rf "$LOGS_TMP_"
	if [ "$status" -eq 0 ]; then
		cd "$abs_top_builddir" && rm -rf "$TESTDIR"
	fi
	exit "$status"
}
trap cleanup_ EXIT
trap 'exit 99' INT TERM HUP

# Root tests run for real in CI; they skip only where the kernel cannot
# trace at all, saying why.
require_root_() {
	[ "$(id -u)" -eq 0 ] || skip_ "needs root to load BPF programs"
}

require_tracing_() {
	require_root_
	[ -e /sys/kernel/btf/vmlinux ] || [ -d "/lib/modules/$(uname -r)/build" ] ||
		skip_ "neither kernel BTF nor headers for $(uname -r)"
	tp_=events/sock/inet_sock_set_state
	[ -d /sys/kernel/tracing/$tp_ ] || [ -d /sys/kernel/debug/tracing/$tp_ ] &&
		return
	# Not visible: look in a private mount, leaving the host as it was
	# (the tool mounts tracefs itself, in a mount namespace of its own).
	[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] ||
		in_private_mounts_ 'mount -t tracefs tracefs /sys/kernel/tracing' ||
		skip_ "tracefs cannot be mounted"
	in_private_mounts_ "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null;
		[ -d /sys/kernel/tracing/$tp_ ] || [ -d /sys/kernel/debug/tracing/$tp_ ]" ||
		skip_ "kernel lacks the sock:inet_sock_set_state tracepoint"
}

# start_tracer_ OUT ERR ARGS...: runs the tool in the background with
# SIGINT at its default (a background job would otherwise ignore it) and
# waits until it has printed its header, i.e. it is attached.
start_tracer_() {
	out_=$1 err_=$2
	shift 2
	# A leftover file would look like a header before the tool runs.
	rm -f "$out_"
	( trap - INT; exec "$TOOL" --cache-dir "$CACHE_DIR" "$@" ) > "$out_" 2> "$err_" &
	TRACER_PID=$!
	i_=0
	while [ ! -s "$out_" ]; do
		kill -0 "$TRACER_PID" 2>/dev/null || {
			cat "$err_" >&2
			wait "$TRACER_PID"
			fail_ "tracer exited before attaching (status $?)"
		}
		i_=$((i_ + 1))
		[ "$i_" -le 300 ] || fail_ "tracer not attached after 30 s"
		sleep 0.1
	done
}

# stop_tracer_ [SIGNAL]: stops it and checks it exited 0.
stop_tracer_() {
	kill "-${1:-TERM}" "$TRACER_PID" || fail_ "tracer vanished"
	wait "$TRACER_PID"
	st_=$?
	TRACER_PID=
	[ "$st_" -eq 0 ] || fail_ "tracer exited with $st_ after SIG${1:-TERM}"
}

# wait_rows_ FILE N: waits (up to 20 s) for N data rows after the header.
wait_rows_() {
	i_=0
	while [ "$(($(wc -l < "$1") - 1))" -lt "$2" ]; do
		i_=$((i_ + 1))
		[ "$i_" -le 200 ] || return 1
		sleep 0.1
	done
}

# wait_matches_ FILE ERE N: waits (up to 20 s) for N lines matching ERE.
wait_matches_() {
	i_=0
	while [ "$(grep -E -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		i_=$((i_ + 1))
		[ "$i_" -le 200 ] || return 1
		sleep 0.1
	done
}

# Runs COMMAND, expecting exit status STATUS and stderr matching REGEX.
# expect_error_ STATUS REGEX COMMAND...
expect_error_() {
	want_=$1 re_=$2
	shift 2
	"$@" > out.expect 2> err.expect
	got_=$?
	[ "$got_" -eq "$want_" ] ||
		fail_ "'$*' exited $got_, expected $want_ (stderr: $(cat err.expect))"
	grep -E -q -- "$re_" err.expect ||
		fail_ "'$*': stderr '$(cat err.expect)' does not match '$re_'"
	[ "$want_" -eq 0 ] || [ ! -s out.expect ] ||
		fail_ "'$*' printed on stdout: $(cat out.expect)"
}

# run_workload_ EXPECT ARGS...: runs a known workload, appending what the
# tracer must report to EXPECT.
run_workload_() {
	exp_=$1
	shift
	"$WORKLOAD" "$@" >> "$exp_" || fail_ "tcp_workload $* failed"
}

# check_rows_ LEAD EXPECT ROWS: every expected session side has its row.
check_rows_() {
	awk -v lead="$1" -f "$abs_top_srcdir/tests/check_rows.awk" "$2" "$3" || {
		sed 's/^/  row: /' "$3" >&2
		sed 's/^/  expected: /' "$2" >&2
		fail_ "rows in $3 do not match the workload"
	}
}

# record_kb_ EXPECT SIDE KEY: KEY (tx_seq, rx_seq_min or rx_seq_max) of
# the first SIDE line of a workload record, in KB as the tool prints it.
record_kb_() {
	sed -n "/ side=$2 / s/.* $3=\([0-9]*\) .*/\1/p" "$1" | awk 'NR == 1 { print int($1 / 1024) }'
}

# A line count that ignores the header.
data_rows_() {
	echo $(($(wc -l < "$1") - 1))
}

# prog_ids_ PID: the ids of the BPF programs process PID holds, one a line.
prog_ids_() {
	sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u
}

# in_private_mounts_ SCRIPT: runs SCRIPT with sh in a private mount
# namespace, so it can hide /sys/kernel/btf or the headers from the tool
# without touching the rest of the machine.  SCRIPT sees TOOL and
# CACHE_DIR.
in_private_mounts_() {
	command -v unshare > /dev/null || skip_ "unshare (util-linux) is missing"
	TOOL="$TOOL" CACHE_DIR="$CACHE_DIR" unshare --mount --propagation private sh -c "$1"
}

# Installed kernel headers of a release other than the running one, as a
# /lib/modules/RELEASE directory; empty when there are none.
other_release_dir_() {
	for d in /lib/modules/*; do
		[ "${d##*/}" != "$(uname -r)" ] && [ -e "$d/build/include/generated/autoconf.h" ] &&
			{ echo "$d"; return; }
	done
}

# Sets PORT to the first of 10 consecutive ports held for this test alone
# (tests/reserve_ports.c): from bind(0), so whatever the ephemeral port
# range, no connect() and no other test can take them while it runs.
pick_ports_() {
	"$RESERVE_PORTS" 10 > ports.reserved &
	RESERVE_PID=$!
	i_=0
	until [ -s ports.reserved ]; do
		kill -0 "$RESERVE_PID" 2>/dev/null ||
			framework_failure_ "reserve_ports failed"
		i_=$((i_ + 1))
		[ "$i_" -le 100 ] || framework_failure_ "reserve_ports did not answer"
		sleep 0.1
	done
	PORT=$(cat ports.reserved)
}

# start_json_tracer_ OUT ERR ARGS...: like start_tracer_ for -j, which
# prints no header: probe sessions on PORT+9 are run until one is seen.
start_json_tracer_() {
	out_=$1 err_=$2
	shift 2
	rm -f "$out_"
	( trap - INT; exec "$TOOL" --cache-dir "$CACHE_DIR" -j "$@" ) > "$out_" 2> "$err_" &
	TRACER_PID=$!
	i_=0
	until grep -q "\"lport\":$((PORT + 9))," "$out_" 2>/dev/null; do
		kill -0 "$TRACER_PID" 2>/dev/null || {
			cat "$err_" >&2
			fail_ "tracer exited before attaching"
		}
		i_=$((i_ + 1))
		[ "$i_" -le 100 ] || fail_ "tracer not attached after 100 probes"
		"$WORKLOAD" -n 1 -H 0 -P $((PORT + 9)) > /dev/null ||
			framework_failure_ "probe workload failed"
		sleep 0.2
	done
}

# expected_notes_ [ARGS...]: exactly the notes a run with ARGS prints on
# this host (none but those saying root stays uid 0 and naming the nearest
# headers, which --info shows), so a test can demand stderr be exactly
# these.
expected_notes_() {
	tool_ --info "$@" | sed -n "s|^kernel headers: *\(.*\) (nearest installed release, release \(.*\), does not match)\$|$PROGRAM_: note: no kernel headers for $(uname -r); using \2's from \1 (byte counter offsets come from BTF)|p
		s|^once attached: *uid 0, no capability (no \(.*\) account)\$|$PROGRAM_: note: staying uid 0 (with no capability) once attached: there is no \1 account to run as (create it with 'adduser --system --group \1', or name one with --user)|p"
}
