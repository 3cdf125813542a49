#!/bin/sh
# Common code for tcplife-bcc's tests, sourced by every NAME.test.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

ME_="${0##*/}"
# The test's own path, absolute: in_private_netns_ runs it again from its
# directory.
ME_PATH_=$(cd "$(dirname "$0")" && pwd)/$ME_
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

# wait_until_, and WAIT_UNTIL_DEF_ for scripts in private namespaces.
. "$abs_top_srcdir/tests/wait_until.sh"
export WAIT_UNTIL_DEF_

# require_prog_ PROG [PACKAGE]: skips the test (77) when PROG (a name or a
# path) is not installed, naming the Debian package that has it.  With
# TCPLIFE_TEST_STRICT=1, as CI runs the suite after scripts/install-deps.sh
# has installed everything, a missing program is a broken setup, not a
# reason to skip: the test fails with 99.
require_prog_() {
	command -v "$1" > /dev/null 2>&1 && return 0
	rp_msg_="$1 is not installed${2:+ (Debian package $2)}"
	[ "${TCPLIFE_TEST_STRICT:-0}" = 1 ] &&
		framework_failure_ "$rp_msg_; TCPLIFE_TEST_STRICT=1 makes that an error"
	skip_ "$rp_msg_"
}

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

# require_tracing_: root, a kernel that can trace sessions, and (as every
# tracing test needs nothing but loopback) a network namespace of the
# test's own: the test starts again in there (in_private_netns_), so call
# this first.
require_tracing_() {
	require_root_
	[ -e /sys/kernel/btf/vmlinux ] || [ -d "/lib/modules/$(uname -r)/build" ] ||
		skip_ "neither kernel BTF nor headers for $(uname -r)"
	tp_=events/sock/inet_sock_set_state
	if ! [ -d /sys/kernel/tracing/$tp_ ] && ! [ -d /sys/kernel/debug/tracing/$tp_ ]; then
		# Not visible: look in a private mount, leaving the host as it
		# was (the tool mounts tracefs itself, in a mount namespace of
		# its own).
		[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] ||
			in_private_mounts_ 'mount -t tracefs tracefs /sys/kernel/tracing' ||
			skip_ "tracefs cannot be mounted"
		in_private_mounts_ "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null;
			[ -d /sys/kernel/tracing/$tp_ ] || [ -d /sys/kernel/debug/tracing/$tp_ ]" ||
			skip_ "kernel lacks the sock:inet_sock_set_state tracepoint"
	fi
	in_private_netns_
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
	wait_attached_ "$out_" "$err_"
}

# tracer_wrote_ FILE [ERR]: whether the tracer has written FILE yet; fails
# the test, showing ERR, when the tracer has exited without.
tracer_wrote_() {
	[ -s "$1" ] && return 0
	kill -0 "$TRACER_PID" 2>/dev/null && return 1
	[ -z "$2" ] || cat "$2" >&2
	wait "$TRACER_PID"
	fail_ "tracer exited before attaching (status $?)"
}

# wait_attached_ FILE [ERR [SECONDS]]: waits (30 s by default) until the
# tracer TRACER_PID has written FILE: its header, so it is attached.
wait_attached_() {
	wait_until_ "${3:-30}" tracer_wrote_ "$1" "$2" ||
		fail_ "tracer not attached after ${3:-30} s${2:+: $(cat "$2")}"
}

# wait_gone_ SECONDS PID: waits until process PID has exited.
gone_() { ! kill -0 "$1" 2>/dev/null; }
wait_gone_() {
	wait_until_ "$1" gone_ "$2"
}

# stop_tracer_ [SIGNAL]: stops it and checks it exited 0.
stop_tracer_() {
	kill "-${1:-TERM}" "$TRACER_PID" || fail_ "tracer vanished"
	wait "$TRACER_PID"
	st_=$?
	TRACER_PID=
	[ "$st_" -eq 0 ] || fail_ "tracer exited with $st_ after SIG${1:-TERM}"
}

# has_rows_ FILE N: whether FILE has N data rows after its header.
has_rows_() {
	[ "$(($(wc -l < "$1") - 1))" -ge "$2" ]
}

# wait_rows_ FILE N: waits (up to 20 s) for N data rows after the header.
wait_rows_() {
	wait_until_ 20 has_rows_ "$1" "$2"
}

# has_matches_ FILE ERE N: whether FILE has N lines matching ERE.
has_matches_() {
	[ "$(grep -E -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

# wait_matches_ FILE ERE N [SECONDS]: waits (20 s by default) for N lines
# matching ERE.
wait_matches_() {
	wait_until_ "${4:-20}" has_matches_ "$1" "$2" "$3"
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

# attach_methods_: the attach methods --help lists (its table's order),
# one a line, so no test keeps a list of its own.
attach_methods_() {
	"$TOOL" --help | sed -n 's/^ *--attach METHOD *auto, //p' |
		sed 's/,\{0,1\} or /, /; s/, /\n/g'
}

# prog_ids_ PID: the ids of the BPF programs process PID holds, one a line.
prog_ids_() {
	sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u
}

# map_ids_ PID: the same for the BPF maps it holds.
map_ids_() {
	sed -n 's/^map_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u
}

# le_ N BYTES FORMAT: N as BYTES little-endian bytes, each printed with
# printf FORMAT ('%02x ' for bpftool's hex, '\\%03o' for printf's escapes).
le_() {
	v_=$1 i_=0
	while [ $i_ -lt "$2" ]; do
		printf "$3" $((v_ & 255))
		v_=$((v_ >> 8)) i_=$((i_ + 1))
	done
}

# in_private_mounts_ SCRIPT: runs SCRIPT with sh in a private mount
# namespace, so it can hide /sys/kernel/btf or the headers from the tool
# without touching the rest of the machine.  SCRIPT sees TOOL and
# CACHE_DIR.
in_private_mounts_() {
	require_prog_ unshare util-linux
	TOOL="$TOOL" CACHE_DIR="$CACHE_DIR" unshare --mount --propagation private \
		sh -c "$WAIT_UNTIL_DEF_
$1"
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
# In a network namespace of the test's own (in_private_netns_), they are
# the block its parent holds on the host, held here too: unique among the
# tests running at once, whose sessions the tracers see all alike.
pick_ports_() {
	"$RESERVE_PORTS" 10 ${TCPLIFE_TEST_PORT_:+"$TCPLIFE_TEST_PORT_"} > ports.reserved &
	RESERVE_PID=$!
	wait_until_ 10 reserved_ || framework_failure_ "reserve_ports did not answer"
	PORT=$(cat ports.reserved)
}
reserved_() {
	[ -s ports.reserved ] && return 0
	kill -0 "$RESERVE_PID" 2>/dev/null || framework_failure_ "reserve_ports failed"
	return 1
}

# in_private_netns_: runs the rest of the test in a network namespace of
# its own, with only loopback up, so that neither the host's connections
# nor a test running beside it can fill its port space with TIME_WAITs
# (with net.ipv4.ip_local_port_range at 1024 65535 they did).  The test
# starts again from the top in there; this process holds a block of
# ports on the host for it (pick_ports_), and exits with its status.
# The tracers still see every namespace's sessions: the reserved ports
# keep each test's own apart.
# Every tracing test holds tests/bursts.lock shared (fd 7), and a burst
# test holds it alone (burst_lock_): the tracers see every namespace, so
# a burst beside a test fills its tracer's session map (map_full_burst
# opens 18,000 sockets at once) or makes the kernel skip its runs
# (skipped_runs' slow program), and the test's own sessions are then
# reported lost instead of printed.
tracing_lock_() {
	exec 7>> "$abs_top_builddir/tests/bursts.lock" ||
		framework_failure_ "cannot open tests/bursts.lock"
	flock -s -w 300 7 || warn_ "a burst test held tests/bursts.lock for 300 s: going on"
}
# burst_lock_: the lock alone, for a burst test, after require_tracing_
# (flock converts the shared lock: no test waits on itself).
burst_lock_() {
	flock -x -w 300 7 || warn_ "tests/bursts.lock still held after 300 s: going on"
}

in_private_netns_() {
	[ "${TCPLIFE_TEST_NETNS_:-}" = "$$" ] && { tracing_lock_; return 0; }
	require_prog_ unshare util-linux
	require_prog_ ip iproute2
	unshare -n true 2>/dev/null || skip_ "cannot create a network namespace"
	# The block must lie below the namespaces' ephemeral range (see
	# below), whatever the host's range: another test's clients must
	# never take one of its ports in their own namespace.
	tries_=0
	pick_ports_
	while [ $((PORT + 9)) -ge $TEST_EPHEMERAL_FIRST_ ]; do
		tries_=$((tries_ + 1))
		[ $tries_ -le 50 ] || framework_failure_ "no port block below $TEST_EPHEMERAL_FIRST_"
		kill "$RESERVE_PID" 2>/dev/null; wait "$RESERVE_PID" 2>/dev/null
		pick_ports_
	done
	TCPLIFE_TEST_PORT_=$PORT
	export TCPLIFE_TEST_PORT_
	# The same shell runs it again (make check's is bash; dash keeps an
	# ignored SIGINT ignored despite trap - INT in start_tracer_).  The
	# child's PID is known once it runs: it checks it against its own.
	# The tracers see every namespace; each test's clients take their
	# ports from TEST_EPHEMERAL_FIRST_ up (the range is the namespace's
	# own), where no test's reserved block lies.
	unshare -n sh -c 'ip link set lo up || exit 99
		echo "$2 65535" > /proc/sys/net/ipv4/ip_local_port_range || exit 99
		TCPLIFE_TEST_NETNS_=$$ exec "$1" "$0"' "$ME_PATH_" \
		"$(readlink /proc/$$/exe || echo sh)" "$TEST_EPHEMERAL_FIRST_"
	exit $?
}
TEST_EPHEMERAL_FIRST_=61000

# start_json_tracer_ OUT ERR ARGS...: like start_tracer_ for -j, which
# prints no header: probe sessions on PORT+9 are run until one is seen.
start_json_tracer_() {
	out_=$1 err_=$2
	shift 2
	rm -f "$out_"
	( trap - INT; exec "$TOOL" --cache-dir "$CACHE_DIR" -j "$@" ) > "$out_" 2> "$err_" &
	TRACER_PID=$!
	wait_json_attached_ "$out_" "$err_"
}

# wait_json_attached_ FILE ERR: waits (30 s) until a probe session on
# PORT+9 has its row in FILE, where the tracer TRACER_PID writes JSON.
wait_json_attached_() {
	wait_until_ 30 probe_seen_ "$1" "$2" ||
		fail_ "tracer not attached after 30 s of probes: $(cat "$2")"
}
probe_seen_() {
	grep -q "\"lport\":$((PORT + 9))," "$1" 2>/dev/null && return 0
	kill -0 "$TRACER_PID" 2>/dev/null || {
		cat "$2" >&2
		fail_ "tracer exited before attaching"
	}
	"$WORKLOAD" -n 1 -H 0 -P $((PORT + 9)) > /dev/null ||
		framework_failure_ "probe workload failed"
	return 1
}

# expected_notes_ [ARGS...]: exactly the notes a run with ARGS prints on
# this host (none but those saying root stays uid 0 and naming the nearest
# headers, which --info shows), so a test can demand stderr be exactly
# these.
expected_notes_() {
	tool_ --info "$@" | sed -n "s|^kernel headers: *\(.*\) (nearest installed release, release \(.*\), does not match)\$|$PROGRAM_: note: no kernel headers for $(uname -r); using \2's from \1 (byte counter offsets come from BTF)|p
		s|^once attached: *uid [0-9]*, unused (no \(.*\) account), no capability\$|$PROGRAM_: note: running as a uid no account names and no other process uses once attached: there is no \1 account (create it with 'adduser --system --group \1', or name one with --user)|p
		s|^once attached: *uid 0, no capability (no \(.*\) account)\$|$PROGRAM_: note: staying uid 0 (with no capability) once attached: there is no \1 account to run as (create it with 'adduser --system --group \1', or name one with --user)|p"
}
