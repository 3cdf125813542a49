#!/bin/sh
# Runs as root inside the check-vm guest: exact rows without BTF via tracepoint and kprobe (quiet at exit), no kprobe left after SIGKILL, a second tracer while one runs, the mismatch refusal and (6.1) the kernel's own header archive; then, BTF shown again, exact rows via tp_btf and raw_tracepoint.
#
# The guest is a Debian kernel with the host's root mounted read-only (or,
# for 5.10, a Debian 11 root), so the tool, libbcc and the headers are that
# root's own.  Kernel BTF is
# hidden here, before anything runs, so the tool takes the path of a host
# without BTF: struct layouts from the headers.  Results go to
# $VM_OUT/results as "check NAME PASS|FAIL [why]" and "time SECONDS LABEL"
# lines, which check-vm.sh reads on the host.  Each tool start compiles
# the BPF program (about a minute under TCG), so there are only two, one
# per attach method, both attached while the same sessions run.
#
# Set by the host in the env file: TOOL, WORKLOAD, CHECK_ROWS, VM_RELEASE,
# VM_DEB_VERSION, VM_OUT.
set -u

# Seconds for one tool to compile and attach: about a minute under TCG,
# twice that on a busy host; two of these must fit in check-vm.sh's timeout.
# check-vm.sh sets it per guest: Debian 11's libbcc 0.18 (LLVM 11) took
# up to 184 s for one compile.
ATTACH_TIMEOUT=${VM_ATTACH_TIMEOUT:-240}
res=$VM_OUT/results
: > "$res"
failed=0

uptime_() { cut -d' ' -f1 /proc/uptime; }
since_() { awk -v a="$1" -v b="$(uptime_)" 'BEGIN { printf "%.1f", b - a }'; }
say_() { echo "guest: $*"; }
timing_() { echo "time $*" >> "$res"; }
pass_() { echo "check $1 PASS ${2:-}" >> "$res"; say_ "PASS: $1 ${2:-}"; }
# One line per result: the host parses them.
fail_() {
	why=$(printf '%s' "$2" | tr '\n' ' ')
	echo "check $1 FAIL $why" >> "$res"
	say_ "FAIL: $1: $why"
	failed=1
}
# Why a tool failed: its last message, and the verifier's verdict if any.
tool_error_() {
	msg=$(grep '^tcplife-bcc:' "$1" | tail -n 1)
	verdict=$(grep -B 1 '^processed [0-9]* insns' "$1" | head -n 1)
	echo "${msg:-$(head -n 1 "$1")}${verdict:+ (verifier: $verdict)}"
}
# A broken setup would make every later check meaningless.
abort_() { fail_ "$1" "$2"; sync; exit 1; }
# The last lines only: a verifier log runs to hundreds.
show_() { tail -n 40 "$2" | sed "s/^/guest:   $1: /"; }

timing_ "$(uptime_) boot: kernel start to guest checks"
say_ "tool $TOOL, workload $WORKLOAD"
work=/tmp/vm-work
mkdir -p "$work" && cd "$work" || abort_ guest "cannot create $work"

# --- The guest is the kernel the headers were made for, without BTF -------
rel=$(uname -r)
[ "$rel" = "$VM_RELEASE" ] || abort_ guest "booted $rel, expected $VM_RELEASE"
# Same ABI name is not enough: the headers' Debian version must match too.
case " $(uname -v) " in
*" $VM_DEB_VERSION "*) ;;
*) abort_ guest "kernel is '$(uname -v)', headers are Debian $VM_DEB_VERSION" ;;
esac
# Headers unpacked on the host rather than installed there (6.12) take the
# places installed ones would have.
if [ -n "${VM_HEADERS_ROOT:-}" ]; then
	for d in /usr/src /lib/modules; do
		mount --bind "$VM_HEADERS_ROOT$d" "$d" ||
			abort_ guest "cannot mount $VM_HEADERS_ROOT$d on $d"
	done
fi
[ -e "/lib/modules/$rel/build/include/generated/autoconf.h" ] ||
	abort_ guest "no headers at /lib/modules/$rel/build"
# Unmounted again before the tool runs: it must mount tracefs (or, with
# libbcc before 0.26, debugfs) where its libbcc looks, as on a fresh host.
mount -t tracefs tracefs /sys/kernel/tracing || abort_ guest "cannot mount tracefs"
had_btf=no
[ -e /sys/kernel/btf/vmlinux ] && had_btf=yes
mount -t tmpfs -o ro,mode=0555 nobtf /sys/kernel/btf || abort_ guest "cannot hide BTF"
[ ! -e /sys/kernel/btf/vmlinux ] || abort_ guest "BTF still visible"
[ -e /sys/kernel/tracing/kprobe_events ] || abort_ guest "this kernel has no kprobes"
grep -q ' lo$' /proc/net/if_inet6 || abort_ guest "lo has no IPv6 address"
umount /sys/kernel/tracing || abort_ guest "cannot unmount tracefs"
pass_ guest "$rel (Debian $VM_DEB_VERSION), BTF hidden (kernel has it: $had_btf), kprobes, IPv6"

# --- --info sees no BTF and the matching headers ---------------------------
"$TOOL" --info > info 2>&1
show_ info info
why=
grep -q '^kernel BTF: *none' info || why="$why; BTF not reported as none"
grep -q "^kernel headers: .*release $rel, matches)" info ||
	why="$why; matching headers not reported"
grep -q '^tcp_sock offsets: *from the kernel headers' info ||
	why="$why; offsets not from the headers"
grep -q '^kprobe: .* available$' info || why="$why; kprobes not available"
grep -q '^attach method: *tracepoint (auto)' info ||
	why="$why; auto does not pick the tracepoint"
if [ -z "$why" ]; then
	pass_ info "BTF none, headers $rel match, offsets from headers, kprobes available"
else
	fail_ info "${why#; }"
fi

# --- Both attach methods trace the same known sessions ---------------------
# start_tracer_ NAME METHOD [CACHE]: starts the tool with --attach METHOD
# and waits until it is attached; NAME_pid and NAME_state ("up" or why
# not) are set.  One at a time: two compiles at once under TCG take longer
# than in turn.
start_tracer_() {
	t0=$(uptime_)
	# SIGINT back at its default: a background job would ignore it.
	# An empty program cache of its own, so that it really compiles.
	( trap - INT; exec "$TOOL" -s --attach "$2" --cache-dir "${3:-$work/cache}" ) \
		> "$1.csv" 2> "$1.err" &
	eval "$1_pid=$!"
	# The header is printed only once the program is attached.
	until [ -s "$1.csv" ]; do
		if ! kill -0 "$!" 2> /dev/null; then
			wait "$!"
			eval "$1_state=\"exited with status $?\""
			say_ "--attach $2: exited after $(since_ "$t0") s"
			show_ "$2 stderr" "$1.err"
			return 1
		fi
		if [ "$(since_ "$t0" | cut -d. -f1)" -ge $ATTACH_TIMEOUT ]; then
			kill -KILL "$!"
			eval "$1_state=\"not attached after $ATTACH_TIMEOUT s\""
			show_ "$2 stderr" "$1.err"
			return 1
		fi
		sleep 0.5
	done
	eval "$1_state=up"
	timing_ "$(since_ "$t0") compile+load+attach, --attach $2"
	say_ "--attach $2: attached after $(since_ "$t0") s"
}
# Set and read through eval below.
# shellcheck disable=SC2034
tp_state='' kp_state='' st='' pid=''
start_tracer_ tp tracepoint
start_tracer_ kp kprobe

# Only to list registered kprobes (kprobes/list) as independent evidence;
# the tool may have mounted debugfs itself (and detached it once attached).
grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug || abort_ guest "cannot mount debugfs"
# At +0x0, or after the endbr64 (+0x4) where the kernel has IBT (6.12).
kprobes_on_target_() {
	grep -c -E ' tcp_set_state\+0x[04]( |$)' /sys/kernel/debug/kprobes/list
}
cp /sys/kernel/debug/kprobes/list kprobes.list 2> /dev/null
probes=$(kprobes_on_target_)

t0=$(uptime_)
: > expect
ok=yes
# Sizes chosen so each KB figure differs: a swapped or garbage counter fails.
while read -r args; do
	# shellcheck disable=SC2086 # word splitting is the point
	"$WORKLOAD" $args >> expect || { ok="tcp_workload $args failed"; break; }
done <<EOF
-n 3 -c 10340 -s 7000 -H 40
-n 1 -c 0 -s 1 -H 5
-n 1 -c 1048576 -s 5120 -H 5
-n 2 -C server -c 600 -s 20000 -H 20 --client-comm vm-cli --server-comm vm-srv
-6 -n 2 -c 3000 -s 9000 -H 30
-6 -n 2 -c 2047 -s 4096 -H 30 -C server
EOF
[ "$ok" = yes ] || abort_ workload "$ok"
want=$(wc -l < expect)
# Rows arrive within 250 ms of the close; TCG makes that a bit longer.
for n in tp kp; do
	eval "st=\$${n}_state"
	[ "$st" = up ] || continue
	i=0
	while [ $(($(wc -l < $n.csv) - 1)) -lt "$want" ] && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
done
for n in tp kp; do
	eval "st=\$${n}_state pid=\$${n}_pid"
	[ "$st" = up ] || continue
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	[ $st -eq 0 ] || eval "${n}_state=\"exited with status $st after SIGTERM\""
done
timing_ "$(since_ "$t0") run: $want session sides traced, both tools stopped"

# check_tracer_ NAME METHOD: its rows match what the workload did.
check_tracer_() {
	eval "st=\$${1}_state"
	if [ "$st" != up ]; then
		fail_ "$2" "tool $st: $(tool_error_ "$1.err")"
		return 1
	fi
	if ! awk -v lead=0 -f "$CHECK_ROWS" expect "$1.csv" > "$1.check" 2>&1; then
		show_ "$2 mismatch" "$1.check"
		show_ "$2 row" "$1.csv"
		show_ "$2 expected" expect
		fail_ "$2" "$(head -n 1 "$1.check")"
		return 1
	fi
	return 0
}
say_ "expected $want session sides (PID, COMM, IP, ports, TX_KB, RX_KB, MS)"
check_tracer_ tp tracepoint && pass_ tracepoint "$want rows exact (IPv4 + IPv6, both closers)"
if check_tracer_ kp kprobe; then
	# Same sessions, same columns; MS may differ by the microseconds
	# between the kprobe and the tracepoint firing.
	same="tracepoint rows not available to compare"
	if [ "$tp_state" = up ]; then
		sed '1d; s/,[^,]*$//' tp.csv | sort > tp.rows
		sed '1d; s/,[^,]*$//' kp.csv | sort > kp.rows
		same="all columns but MS equal the tracepoint's"
	fi
	if [ "$probes" != 1 ]; then
		show_ kprobes/list kprobes.list
		fail_ kprobe "kprobes/list shows $probes probes on tcp_set_state, expected 1"
	elif grep -q 'kprobe_events\|Permission denied' kp.err; then
		show_ "kprobe stderr" kp.err
		fail_ kprobe "noise at exit: $(grep 'kprobe_events\|Permission denied' kp.err | head -n 1)"
	elif [ "$tp_state" = up ] && ! cmp -s tp.rows kp.rows; then
		diff tp.rows kp.rows | sed 's/^/guest:   rows differ: /'
		fail_ kprobe "rows differ from the tracepoint's"
	else
		pass_ kprobe "$want rows exact, $same; it was the one kprobe on tcp_set_state; nothing about kprobe_events at exit"
	fi
fi

# --- SIGKILL leaves no kprobe behind ------------------------------------------
# The host has no kprobes, so its sigkill.test only kills a tracepoint
# tracer; here a kprobe one (from the cache the first one filled) is killed,
# and its kprobe must go with it.
t0=$(uptime_)
why=
# shellcheck disable=SC2034
ks_state='' ks_pid=''
if [ "$kp_state" != up ]; then
	why="the kprobe tracer never ran"
elif start_tracer_ ks kprobe; then
	n=$(kprobes_on_target_)
	[ "$n" -eq 1 ] || why="$why; $n kprobes on tcp_set_state while attached, expected 1"
	kill -KILL "$ks_pid"
	wait "$ks_pid" 2> /dev/null
	i=0
	while [ "$(kprobes_on_target_)" -ne 0 ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ "$(kprobes_on_target_)" -eq 0 ] ||
		why="$why; a kprobe on tcp_set_state is left after SIGKILL"
	# Under debugfs: the guest itself leaves /sys/kernel/tracing unmounted.
	grep -q tcplife_bcc /sys/kernel/debug/tracing/kprobe_events &&
		why="$why; a kprobe_events entry is left after SIGKILL"
else
	why="tool $ks_state: $(tool_error_ ks.err)"
fi
timing_ "$(since_ "$t0") sigkill: a cached kprobe start, killed"
if [ -z "$why" ]; then
	pass_ sigkill "the kprobe on tcp_set_state went with the SIGKILLed tool"
else
	fail_ sigkill "${why#; }"
fi

# --- Session fields through the headers' struct layouts --------------------
# Without BTF, -e's fields (role, how the session ended, errno, failure,
# retransmits, RTT, uid, network namespace) are read at offsetof() from
# the headers.  One JSON tracer per attach method, loaded from the cache
# the first two filled (-j compiles the same program as -s), watches a
# refused connect made by uid 65534, an abortive close (SO_LINGER 0) with
# the RST its peer reads, and an orderly session; each side must show what
# the workload's own system calls and TCP_INFO said.
ENDS=$(dirname "$WORKLOAD")/tcp_ends
# Below the ephemeral range: no client socket (nor its TIME_WAIT) holds it.
FPORT=20000
# start_json_ NAME METHOD: NAME_state is "up" once a probe session on
# FPORT+9 shows up in its rows (-j prints no header to wait for).
start_json_() {
	( trap - INT; exec "$TOOL" -j --attach "$2" --cache-dir "$work/cache" ) \
		> "$1.json" 2> "$1.err" &
	eval "$1_pid=$!"
	t1=$(uptime_)
	until grep -q "\"lport\":$((FPORT + 9))," "$1.json"; do
		if ! kill -0 "$!" 2> /dev/null; then
			eval "$1_state=\"exited before attaching\""
			return 1
		fi
		if [ "$(since_ "$t1" | cut -d. -f1)" -ge $ATTACH_TIMEOUT ]; then
			kill -KILL "$!"
			eval "$1_state=\"not attached after $ATTACH_TIMEOUT s\""
			return 1
		fi
		"$WORKLOAD" -n 1 -H 0 -P $((FPORT + 9)) > /dev/null
		sleep 0.5
	done
	eval "$1_state=up"
}
# fields_sessions_ PORT: the sessions the fields checks know, on PORT,
# PORT+1 and PORT+2: a connect refused to uid 65534, an abortive close
# (SO_LINGER 0) and an orderly session.  What each did goes to
# fields.expect (tcp_ends) and fields.normal (tcp_workload), both to
# fields.all, and LAST is the orderly client's port.  Returns 1 when a
# workload failed.
fields_sessions_() {
	fs_st=0
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ENDS" refused 127.0.0.1 "$1" > fields.expect &&
		"$ENDS" abort 127.0.0.1 $(($1 + 1)) >> fields.expect &&
		"$WORKLOAD" -n 1 -H 5 -P $(($1 + 2)) > fields.normal || fs_st=1
	grep side= fields.expect fields.normal -h > fields.all
	last=$(sed -n 's/.*side=client.* lport=\([0-9]*\) .*/\1/p' fields.normal)
	return $fs_st
}
# stop_when_ NAME TRIES CONDITION: once the shell command CONDITION holds,
# or after TRIES waits of 0.2 s, stops tracer NAME, if it is up.
stop_when_() {
	eval "st=\$${1}_state pid=\$${1}_pid"
	[ "$st" = up ] || return 0
	i=0
	until eval "$3" || [ $i -ge "$2" ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -TERM "$pid"
	wait "$pid"
}
# fields_why_ JSON METHOD: what is wrong with the rows for the sessions in
# fields.expect (tcp_ends) and fields.normal (tcp_workload); empty if none.
# The workload's sessions also bound min_rtt_us (TCP_INFO before close)
# and handshake_us (its own clock; 0 for a server under the kprobe, which
# never sees SYN_RECV).
# shellcheck disable=SC2154 # side, lport... are set by the eval
fields_why_() {
	json=$1 method=$2 netns=$(stat -L -c %i /proc/self/ns/net)
	w=
	while read -r line; do
		# shellcheck disable=SC2086 # word splitting is the point
		set -- $line
		unset side pid uid lport rport end errno retrans srtt_us session comm \
			min_rtt_max_us handshake_min_us handshake_max_us
		for kv; do
			case $kv in
			side=* | pid=* | uid=* | lport=* | rport=* | end=* | \
			errno=* | retrans=* | srtt_us=* | min_rtt_max_us=* | \
			handshake_min_us=* | handshake_max_us=*)
				eval "${kv%%=*}=\${kv#*=}" ;;
			esac
		done
		: "${end:=normal}" "${errno:=-}" "${retrans:=-}" "${uid:=0}"
		failed=false
		[ "$end" = refused ] && failed=true
		[ "$errno" = - ] && errno=null
		want="$side $end $errno $failed $pid $uid $netns"
		got=$(jq -r "select(.lport == $lport and .rport == $rport) |
			\"\(.role) \(.end_reason) \(.errno) \(.failed) \(.pid) \(.uid) \(.netns)\"" "$json")
		[ "$got" = "$want" ] ||
			w="$w; $side $lport->$rport: '$got', expected '$want'"
		if [ -n "${min_rtt_max_us-}" ]; then
			lo=$handshake_min_us hi=$handshake_max_us
			[ "$method" = kprobe ] && [ "$side" = server ] && lo=0 hi=0
			got=$(jq -r "select(.lport == $lport and .rport == $rport) |
				\"\(.min_rtt_us) \(.handshake_us)\"" "$json")
			# shellcheck disable=SC2086 # two numbers
			set -- $got
			[ "${1:-0}" -ge 1 ] && [ "$1" -le "$min_rtt_max_us" ] &&
				[ "${2:--1}" -ge "$lo" ] && [ "$2" -le "$hi" ] ||
				w="$w; $side $lport: min_rtt_us handshake_us '$got', expected 1..$min_rtt_max_us $lo..$hi"
		fi
		[ "$retrans" = - ] && continue
		got=$(jq -r "select(.lport == $lport and .rport == $rport) |
			\"\(.retransmits) \(.srtt_us)\"" "$json")
		[ "$got" = "$retrans $srtt_us" ] ||
			w="$w; $side $lport: retransmits srtt_us '$got', TCP_INFO '$retrans $srtt_us'"
	done < fields.all
	echo "${w#; }"
}
t0=$(uptime_)
# shellcheck disable=SC2034
fj_state='' fj_pid='' fk_state='' fk_pid=''
why=
if [ ! -x "$ENDS" ]; then
	why="$ENDS is not built"
else
	start_json_ fj tracepoint
	start_json_ fk kprobe
	fields_sessions_ $((FPORT + 1)) ||
		why="workloads failed: $(cat fields.expect fields.normal 2> /dev/null)"
	for n in fj fk; do
		stop_when_ $n 50 "grep -q '\"lport\":$last,' $n.json"
	done
	for n in fj:tracepoint fk:kprobe; do
		eval "st=\$${n%%:*}_state"
		if [ "$st" != up ]; then
			why="$why; --attach ${n#*:}: tool $st: $(tool_error_ "${n%%:*}.err")"
			continue
		fi
		w=$(fields_why_ "${n%%:*}.json" "${n#*:}")
		[ -z "$w" ] || why="$why; --attach ${n#*:}: $w"
	done
fi
timing_ "$(since_ "$t0") fields: two cached starts, three kinds of session"
if [ -z "$why" ]; then
	pass_ fields "role, end, errno, failed, uid, netns, retransmits and RTT exact, min_rtt_us and handshake_us in bounds, with tracepoint and kprobe"
else
	fail_ fields "${why#; }"
fi

# --- A second tracer while one runs: helpers probed, program from cache ----
# Before Linux 5.11 BPF objects are charged to the user's locked memory,
# against RLIMIT_MEMLOCK (64 KiB here on 5.10): a running tracer holds
# megabytes of root's, so a second one's helper probes failed with EPERM
# unless it raised its limit first.  Both start from the cache the first
# tracepoint tracer filled.
# start_tracer_ sets t0: this check's start is its own.
s0=$(uptime_)
why=
# shellcheck disable=SC2034
c1_state='' c1_pid='' c2_state='' c2_pid=''
if [ "$tp_state" != up ]; then
	why="the tracepoint tracer never ran"
elif start_tracer_ c1 tracepoint; then
	images=$(ls "$work/cache"/*.img | wc -l)
	"$TOOL" --info > info.second 2>&1
	helper=$(sed -n 's/.*bpf_probe_read_kernel: \([a-z]*\) .*/\1/p' info.second)
	case $helper in
	present | missing) ;;
	*) why="--info while a tracer runs: $(grep bpf_probe_read_kernel info.second)" ;;
	esac
	if start_tracer_ c2 tracepoint; then
		now=$(ls "$work/cache"/*.img | wc -l)
		[ "$now" = "$images" ] ||
			why="$why; the second tracer compiled ($images cached programs, then $now)"
	else
		why="$why; second tracer $c2_state: $(tool_error_ c2.err)"
	fi
	for n in c2 c1; do
		stop_when_ $n 0 true
	done
else
	why="first tracer $c1_state: $(tool_error_ c1.err)"
fi
timing_ "$(since_ "$s0") second: two cached starts, one while the other runs"
if [ -z "$why" ]; then
	pass_ second "started while one runs (RLIMIT_MEMLOCK $(ulimit -l) KiB): bpf_probe_read_kernel $helper, program from the cache"
else
	fail_ second "${why#; }"
fi

# --- --interval through the kprobe and the headers --------------------------
# A session of 3 s read every second: interim records from socket
# diagnostics, and the deltas of each session's records adding up to its
# close's totals, with no BTF and the program compiled for the kprobe.
LONG=$(dirname "$WORKLOAD")/long_sessions
IPORT=$((FPORT + 20))
# The guest has no /lib/modules tree: the host passes tcp_diag and
# inet_diag, which a Debian kernel would load on the first request, and
# the initramfs loads them (initramfs-init).
( trap - INT; exec "$TOOL" -j --interval 1 --attach kprobe \
	--cache-dir "$work/cache" ) > interim.json 2> interim.err &
interim_pid=$!
t1=$(uptime_)
interim_state=up
until grep -q "\"lport\":$((FPORT + 9))," interim.json; do
	if ! kill -0 "$interim_pid" 2> /dev/null ||
	   [ "$(since_ "$t1" | cut -d. -f1)" -ge $ATTACH_TIMEOUT ]; then
		interim_state="not attached: $(tool_error_ interim.err)"
		break
	fi
	"$WORKLOAD" -n 1 -H 0 -P $((FPORT + 9)) > /dev/null
	sleep 0.5
done
why=
if [ "$interim_state" = up ]; then
	"$LONG" -P "$IPORT" -t 30 -i 100 -b 10000 > interim.log ||
		why="$why; long_sessions failed"
	sleep 1.5
	kill -TERM "$interim_pid"
	wait "$interim_pid"
	jq -s -r --argjson p "$IPORT" '
	map(select(.lport == $p or .rport == $p)) | group_by(.session_id)[] |
	(map(select(.type == "close"))) as $c |
	"\(map(select(.type == "interim")) | length) \($c | length) \(.[-1].type) \((map(.tx_delta) | add) == $c[0].tx_bytes and (map(.rx_delta) | add) == $c[0].rx_bytes)"' \
		interim.json > interim.sessions 2> /dev/null
	[ "$(wc -l < interim.sessions)" -eq 2 ] ||
		why="$why; $(wc -l < interim.sessions) sessions on port $IPORT, expected 2"
	awk '$1 < 2 || $2 != 1 || $3 != "close" || $4 != "true" { exit 1 }' \
		interim.sessions || why="$why; records: $(tr '\n' ';' < interim.sessions)"
else
	kill -KILL "$interim_pid" 2> /dev/null
	why="; $interim_state"
fi
if [ -z "$why" ]; then
	pass_ interim "--interval 1 with the kprobe: interim records, deltas add up to each close"
else
	show_ interim interim.err
	fail_ interim "${why#; }"
fi

# --- Headers of another release are refused --------------------------------
# A copy of the real headers that only claims another release: everything
# is linked back except include/generated/utsrelease.h.  Had the tool
# compiled against it, the rows would even be right; refusing proves that
# it goes by the release, the only thing it can check without BTF.
other="$rel-relabelled"
real=$(readlink -f "/lib/modules/$rel/build")
# Under /root (0700): headers in world-writable /tmp would be refused as
# untrusted before the release is even looked at.
fake=/root/headers-$other
mkdir -p "$fake/include/generated" || abort_ refusal "cannot create $fake"
for e in "$real"/* "$real"/.[!.]*; do
	[ -e "$e" ] && [ "${e##*/}" != include ] && ln -s "$e" "$fake/"
done
for e in "$real"/include/*; do
	[ "${e##*/}" = generated ] || ln -s "$e" "$fake/include/"
done
for e in "$real"/include/generated/*; do
	[ "${e##*/}" = utsrelease.h ] || ln -s "$e" "$fake/include/generated/"
done
echo "#define UTS_RELEASE \"$other\"" > "$fake/include/generated/utsrelease.h"

t0=$(uptime_)
why=
for method in tracepoint kprobe; do
	# Should it run after all, timeout ends it rather than the host's.
	timeout 120 "$TOOL" -s --attach $method --kernel-headers "$fake" \
		> ref.out 2> ref.err
	st=$?
	show_ "refusal, --attach $method" ref.err
	[ $st -eq 1 ] || why="$why; --attach $method exited $st, expected 1"
	grep -q "are for $other but the running kernel is $rel" ref.err ||
		why="$why; --attach $method: no mismatch error"
	[ ! -s ref.out ] || why="$why; --attach $method printed: $(head -c 200 ref.out)"
done
timing_ "$(since_ "$t0") refusal: two runs with relabelled headers"
if [ -z "$why" ]; then
	pass_ refusal "headers labelled $other: exit 1, mismatch error, no rows"
else
	fail_ refusal "${why#; }"
fi

# --- The kernel's own header archive (CONFIG_IKHEADERS) --------------------
# Debian builds its kernels without it, so check-vm.sh packed this
# kernel's headers as the kernel packs them (VM_KHEADERS_OWN), and once
# more labelled with another release (VM_KHEADERS_OTHER).  With the
# installed headers hidden and the archive at the kernel's path, still
# without BTF: exact rows from the extracted headers; a second start
# reuses the extraction and the program; a header changed afterwards is
# found; an archive of another release is refused.
if [ -n "${VM_KHEADERS_OWN:-}" ]; then
	k0=$(uptime_)
	why=
	kcache=$work/kcache
	ksha=$(sha256sum < "$VM_KHEADERS_OWN" | cut -d' ' -f1)
	kdir=$kcache/kheaders-$ksha
	# shellcheck disable=SC2034
	kh_state='' kh_pid='' k2_state='' k2_pid=''
	mkdir -p /run/ksys
	if ! mount -t tmpfs none /lib/modules || ! mount -t tmpfs none /usr/src ||
		! mount --rbind /sys/kernel /run/ksys ||
		! mount -t tmpfs -o mode=0755 none /sys/kernel; then
		why="cannot hide the headers or rebuild /sys/kernel"
	else
		for e in /run/ksys/*; do
			n=${e##*/}
			if [ -d "$e" ]; then mkdir "/sys/kernel/$n"; else : > "/sys/kernel/$n"; fi
			mount --rbind "$e" "/sys/kernel/$n" || why="$why; cannot bind $e back"
		done
		: > /sys/kernel/kheaders.tar.xz
		mount --bind "$VM_KHEADERS_OWN" /sys/kernel/kheaders.tar.xz ||
			why="$why; cannot present the archive"
	fi
	if [ -z "$why" ] && start_tracer_ kh tracepoint "$kcache"; then
		: > kexpect
		"$WORKLOAD" -n 2 -c 10340 -s 7000 -H 20 --client-comm kh-cli \
			--server-comm kh-srv >> kexpect &&
			"$WORKLOAD" -6 -n 1 -C server -c 3000 -s 9000 -H 20 \
			--client-comm kh-cli --server-comm kh-srv >> kexpect ||
			why="$why; tcp_workload failed"
		want=$(wc -l < kexpect)
		stop_when_ kh 100 "[ \"\$(grep -c ',kh-' kh.csv)\" -ge $want ]"
		awk -F, 'NR == 1 || $2 ~ /^kh-/' kh.csv > kh.rows
		if ! awk -v lead=0 -f "$CHECK_ROWS" kexpect kh.rows > kh.check 2>&1; then
			show_ "kheaders mismatch" kh.check
			why="$why; rows: $(head -n 1 kh.check)"
		fi
		grep -q "using the kernel's own from /sys/kernel/kheaders.tar.xz, extracted now into $kdir\$" kh.err ||
			why="$why; first start: $(tail -n 1 kh.err)"
		images=$(ls "$kcache"/*.img | wc -l)
		if start_tracer_ k2 tracepoint "$kcache"; then
			stop_when_ k2 0 true
			grep -q "extracted earlier into $kdir\$" k2.err ||
				why="$why; second start: $(tail -n 1 k2.err)"
			[ "$(ls "$kcache"/*.img | wc -l)" = "$images" ] ||
				why="$why; the second start compiled"
		else
			why="$why; second start $k2_state: $(tool_error_ k2.err)"
		fi
		echo '#define TCPLIFE_CHANGED 1' >> "$kdir/tree/include/linux/tcp.h"
		"$TOOL" --info --cache-dir "$kcache" > kh.info 2>&1
		grep -q "unusable: its extraction in $kdir changed (tree/include/linux/tcp.h)" kh.info ||
			why="$why; the changed header not found: $(grep -A1 '^kernel headers' kh.info)"
		mount --bind "$VM_KHEADERS_OTHER" /sys/kernel/kheaders.tar.xz ||
			why="$why; cannot present the other archive"
		timeout 120 "$TOOL" -s --cache-dir "$kcache" > kref.out 2> kref.err
		st=$?
		[ $st -eq 1 ] && [ ! -s kref.out ] &&
			grep -q "refusing the kernel's header archive /sys/kernel/kheaders.tar.xz: it is for $rel-relabelled but the running kernel is $rel\$" kref.err ||
			why="$why; other release: exit $st, $(head -n 1 kref.err)"
	elif [ -z "$why" ]; then
		why="tool $kh_state: $(tool_error_ kh.err)"
	fi
	umount -l /sys/kernel
	umount -l /run/ksys
	umount /lib/modules /usr/src
	timing_ "$(since_ "$k0") kheaders: a compile against the kernel's own archive"
	if [ -z "$why" ]; then
		pass_ kheaders "$want rows exact from the kernel's own archive (no BTF); reused; a change found; another release refused"
	else
		fail_ kheaders "${why#; }"
	fi
fi

# --- With the kernel's BTF: the BTF-typed and raw tracepoints ---------------
# BTF shown again.  auto now takes tp_btf, whose program this kernel's
# verifier must take (loads through a typed struct sock, and through the
# struct net it points to for -j), and raw_tracepoint, auto's fallback;
# both read the socket at offsets from BTF.  Each compiles once (no struct
# headers then: faster), and a JSON tp_btf tracer checks the fields.
t0=$(uptime_)
why=
# shellcheck disable=SC2034
tb_state='' tb_pid='' rt_state='' rt_pid='' fb_state='' fb_pid=''
if [ "$had_btf" != yes ]; then
	why="this Debian kernel has no BTF"
elif ! umount /sys/kernel/btf || [ ! -e /sys/kernel/btf/vmlinux ]; then
	why="cannot show BTF again"
else
	"$TOOL" --info > info.btf 2>&1
	show_ "info with BTF" info.btf
	grep -q '^attach method: *tp_btf (auto)' info.btf ||
		why="auto does not pick tp_btf: $(grep '^attach method' info.btf)"
	start_tracer_ tb tp_btf
	start_tracer_ rt raw_tracepoint
	start_json_ fb tp_btf
	: > expect
	"$WORKLOAD" -n 2 -c 10340 -s 7000 -H 20 --client-comm btf-cli \
		--server-comm btf-srv >> expect &&
		"$WORKLOAD" -6 -n 1 -C server -c 3000 -s 9000 -H 20 \
		--client-comm btf-cli --server-comm btf-srv >> expect ||
		why="$why; tcp_workload failed"
	fields_sessions_ $((FPORT + 4)) ||
		why="$why; workloads failed: $(cat fields.expect fields.normal 2> /dev/null)"
	want=$(wc -l < expect)
	for n in tb rt; do
		stop_when_ $n 100 "[ \"\$(grep -c ',btf-' $n.csv)\" -ge $want ]"
	done
	stop_when_ fb 100 "grep -q '\"lport\":$last,' fb.json"
	# The -s tracers saw the JSON check's sessions too: keep the workload's.
	for n in tb:tp_btf rt:raw_tracepoint; do
		eval "st=\$${n%%:*}_state"
		if [ "$st" != up ]; then
			why="$why; --attach ${n#*:}: tool $st: $(tool_error_ "${n%%:*}.err")"
			continue
		fi
		awk -F, 'NR == 1 || $2 ~ /^btf-/' "${n%%:*}.csv" > "${n%%:*}.rows"
		if ! awk -v lead=0 -f "$CHECK_ROWS" expect "${n%%:*}.rows" > "${n%%:*}.check" 2>&1; then
			show_ "${n#*:} mismatch" "${n%%:*}.check"
			why="$why; --attach ${n#*:}: $(head -n 1 "${n%%:*}.check")"
		fi
	done
	if [ "$fb_state" = up ]; then
		w=$(fields_why_ fb.json)
		[ -z "$w" ] || why="$why; --attach tp_btf -j: $w"
	else
		why="$why; --attach tp_btf -j: tool $fb_state: $(tool_error_ fb.err)"
	fi
fi
timing_ "$(since_ "$t0") btf: three compiles with BTF, tp_btf and raw_tracepoint"
if [ -z "$why" ]; then
	pass_ btf "BTF shown: auto picks tp_btf; tp_btf and raw_tracepoint rows exact, tp_btf -j fields exact"
else
	fail_ btf "${why#; }"
fi

sync
exit $failed
