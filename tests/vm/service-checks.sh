#!/bin/sh
# Runs in the check-vm-service guest, as a systemd unit: the tcplife-bcc package's service checked where systemd is PID 1.
#
# Boot 1: install the .deb, enable --now, exact rows for known sessions,
# logrotate -f with the package's snippet amid sessions (no row lost or
# doubled), restart and stop leaving no program loaded, a journal without
# warnings.  Boot 2: the enabled service started at boot from the cached
# program, without compiling, and traces exactly.  Results go to
# /vm-out/results as "check NAME PASS|FAIL detail" lines.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
OUT=/vm-out
LOG=/var/log/tcplife-bcc/sessions.jsonl
CACHE=/var/cache/tcplife-bcc
# Kept on the host's share: what the first boot saw, for the second.
STATE=$OUT/state
WORKLOAD=$VM_WORKLOAD
BOOT=$(cat $OUT/boot)

say() { echo "service-checks: boot $BOOT: $*"; }
result() {
	echo "check $1 $2 ${3-}" >> $OUT/results
	say "$2: $1 ${3-}"
}
pass() { result "$1" PASS "${2-}"; }
fail() { result "$1" FAIL "${2-}"; }
check() { if [ "$2" = ok ]; then pass "$1" "${3-}"; else fail "$1" "$2"; fi; }

# rows_ PORT FILE...: "lport rport pid comm tx rx" of each session row with
# PORT at either end.
rows_() {
	port=$1
	shift
	cat "$@" 2> /dev/null | jq -r --argjson p "$port" \
		'select(.lport == $p or .rport == $p) |
		 [.lport, .rport, .pid, .comm, .tx_bytes, .rx_bytes] | @tsv'
}
# wait_rows_ PORT N FILE...: up to 120 s (TCG) for N rows with PORT.
wait_rows_() {
	p=$1 n=$2
	shift 2
	i=0
	while [ "$(rows_ "$p" "$@" | wc -l)" -lt "$n" ]; do
		i=$((i + 1))
		[ $i -le 240 ] || return 1
		sleep 0.5
	done
}
# exact_ EXPECT ROWS: each session side the workload reported has exactly
# one row, with its process and byte counts; and there is no other row.
exact_() {
	awk '
	FNR == NR {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
		k = r["lport"] " " r["rport"]
		want[k] = r["pid"] " " r["comm"] " " r["tx_seq"] " " r["rx_seq_min"] " " r["rx_seq_max"]
		n++
		next
	}
	{
		k = $1 " " $2
		if (!(k in want)) { print "unexpected row: " $0; bad = 1; next }
		if (seen[k]++) { print "second row: " $0; bad = 1; next }
		split(want[k], w, " ")
		if ($3 != w[1] || $4 != w[2] || $5 != w[3] || $6 < w[4] || $6 > w[5]) {
			print "row " $0 " expected " want[k]; bad = 1
		}
	}
	END {
		for (k in want) if (!(k in seen)) { print "no row for " k; bad = 1 }
		exit bad
	}' "$1" "$2" | head -n 5 | tr '\n' ';'
}
# attached_ PORT: probe sessions on PORT until the service writes a row.
attached_() {
	i=0
	until [ "$(rows_ "$1" "$LOG" | wc -l)" -gt 0 ]; do
		i=$((i + 1))
		[ $i -le 120 ] || return 1
		"$WORKLOAD" -n 1 -H 0 -P "$1" > /dev/null || return 1
		sleep 1
	done
}
# progs_ PID: ids of the BPF programs process PID holds.
progs_() {
	sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2> /dev/null | sort -u | tr '\n' ' '
}
# cache_ls_: the cached program images with inode and mtime: a compile
# would store one anew.
cache_ls_() {
	find $CACHE -name '*.img' -printf '%f %i %T@\n' 2> /dev/null | sort
}
warnings_() {
	journalctl -b -u tcplife-bcc -p warning -q --no-pager 2>&1 | head -n 5 | tr '\n' ';'
}

if [ "$BOOT" = 1 ]; then
	mkdir -p $STATE
	# The host's own cache and logs (the lower layer) are hidden: the
	# guest starts as a machine that never had the package.
	rm -rf $CACHE /var/log/tcplife-bcc
	echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
	t=$(date +%s)
	if dpkg -i $OUT/tcplife-bcc_*.deb > $OUT/dpkg.log 2>&1; then
		pass install "dpkg -i in $(($(date +%s) - t)) s (postinst warmed the cache: $(cache_ls_ | wc -l) image)"
	else
		fail install "$(tail -n 3 $OUT/dpkg.log | tr '\n' ';')"
	fi
	cache_ls_ > $STATE/cache.postinst

	if [ -n "${VM_DIAG:-}" ]; then
		{
			sysctl kernel.perf_event_paranoid
			for caps in -all,+bpf,+perfmon,+ipc_lock,+setuid,+setgid \
				-all,+bpf,+perfmon,+ipc_lock,+setuid,+setgid,+sys_admin; do
				echo "== $caps"
				setpriv --bounding-set=$caps --inh-caps=-all tcplife-bcc -j -d 2 2>&1 | tail -n 3
			done
		} > $OUT/diag.log 2>&1
	fi
	t=$(date +%s)
	systemctl enable --now tcplife-bcc > $OUT/enable.log 2>&1 ||
		fail rows "systemctl enable --now: $(cat $OUT/enable.log)"
	if attached_ 7109; then
		cache_ls_ > $STATE/cache.started
		if [ -s $STATE/cache.postinst ] && cmp -s $STATE/cache.postinst $STATE/cache.started; then
			pass first-start-cached "attached $(($(date +%s) - t)) s after enable --now; cache unchanged"
		else
			fail first-start-cached "the cache changed: $(cat $STATE/cache.postinst) -> $(cat $STATE/cache.started)"
		fi
	else
		fail first-start-cached "not attached: $(journalctl -u tcplife-bcc -p info -q --no-pager 2>&1 | grep -v systemd | tail -n 3 | tr '\n' ';')"
		journalctl -u tcplife-bcc --no-pager > $OUT/journal.1.log 2>&1
		exit 0
	fi
	echo "$(stat -c '%U:%G %a' $LOG)" > $STATE/log-mode

	# Known sessions, both sides of each.
	"$WORKLOAD" -n 20 -H 0 -P 7100 > $STATE/expect.rows
	if wait_rows_ 7100 40 $LOG; then
		rows_ 7100 $LOG > $STATE/got.rows
		why=$(exact_ $STATE/expect.rows $STATE/got.rows)
		check rows "${why:-ok}" "40 rows (20 sessions, both sides) exact; $LOG is $(cat $STATE/log-mode)"
	else
		fail rows "$(rows_ 7100 $LOG | wc -l) rows of 40"
	fi

	# The package's snippet, forced, amid sessions, then more sessions.
	"$WORKLOAD" -n 60 -H 20 -P 7200 > $STATE/expect.rotate &
	wl=$!
	wait_rows_ 7200 10 $LOG
	logrotate -f /etc/logrotate.d/tcplife-bcc > $OUT/logrotate.log 2>&1
	lr=$?
	wait $wl
	"$WORKLOAD" -n 10 -H 0 -P 7200 >> $STATE/expect.rotate
	wait_rows_ 7200 140 $LOG.1 $LOG
	rows_ 7200 $LOG.1 $LOG > $STATE/got.rotate
	why=$(exact_ $STATE/expect.rotate $STATE/got.rotate)
	before=$(rows_ 7200 $LOG.1 | wc -l) after=$(rows_ 7200 $LOG | wc -l)
	if [ $lr -ne 0 ]; then
		fail rotate "logrotate -f: $(cat $OUT/logrotate.log | tr '\n' ';')"
	elif [ "$before" -eq 0 ] || [ "$after" -eq 0 ]; then
		fail rotate "rows $before before, $after after: the rotation missed the sessions"
	else
		check rotate "${why:-ok}" "140 rows: $before in $LOG.1, $after in $LOG ($(stat -c '%U:%G %a' $LOG)), none lost or doubled"
	fi

	# Restart, then stop: each time, the programs are gone.
	pid=$(systemctl show -p MainPID --value tcplife-bcc)
	old=$(progs_ "$pid")
	systemctl restart tcplife-bcc
	attached_ 7109
	pid2=$(systemctl show -p MainPID --value tcplife-bcc)
	new=$(progs_ "$pid2")
	left=
	for id in $old; do
		bpftool prog show id "$id" > /dev/null 2>&1 && left="$left $id"
	done
	if [ -z "$old" ] || [ -z "$new" ]; then
		fail restart "programs before '$old', after '$new'"
	else
		why=ok
		[ -z "$left" ] || why="still loaded after the restart:$left"
		check restart "$why" "programs ${old% } replaced by ${new% }"
	fi
	systemctl stop tcplife-bcc
	left=
	for id in $new; do
		bpftool prog show id "$id" > /dev/null 2>&1 && left="$left $id"
	done
	ours=$(bpftool prog show 2> /dev/null | grep -c 'inet_so')
	procs=$(pgrep -x tcplife-bcc | wc -l)
	if [ -n "$left" ] || [ "$ours" -ne 0 ] || [ "$procs" -ne 0 ]; then
		fail stop "left: programs$left, $ours named inet_so*, $procs processes"
	else
		pass stop "no program, link or process left (bpftool prog show)"
	fi
	w=$(warnings_)
	check journal "${w:-ok}" "journalctl -u tcplife-bcc -p warning: empty"

	# Enabled: the second boot starts it; the cache is what it must use.
	cache_ls_ > $STATE/cache.boot1
	journalctl -u tcplife-bcc --no-pager > $OUT/journal.1.log 2>&1
	sync
else
	if attached_ 7109; then
		pass second-boot-attached "started at boot ($(systemctl show -p ActiveEnterTimestamp --value tcplife-bcc))"
	else
		fail second-boot-attached "$(systemctl status tcplife-bcc 2>&1 | tail -n 5 | tr '\n' ';')"
	fi
	cache_ls_ > $STATE/cache.boot2
	if [ -s $STATE/cache.boot1 ] && cmp -s $STATE/cache.boot1 $STATE/cache.boot2; then
		pass second-boot-cached "the program came from the cache: no image stored anew"
	else
		fail second-boot-cached "$(cat $STATE/cache.boot1 | tr '\n' ';') -> $(cat $STATE/cache.boot2 | tr '\n' ';')"
	fi
	"$WORKLOAD" -n 5 -H 0 -P 7300 > $STATE/expect.boot2
	if wait_rows_ 7300 10 $LOG; then
		rows_ 7300 $LOG > $STATE/got.boot2
		why=$(exact_ $STATE/expect.boot2 $STATE/got.boot2)
		check second-boot-rows "${why:-ok}" "10 rows exact"
	else
		fail second-boot-rows "$(rows_ 7300 $LOG | wc -l) rows of 10"
	fi
	w=$(warnings_)
	check second-boot-journal "${w:-ok}" "journalctl -b -u tcplife-bcc -p warning: empty"
	journalctl -b -u tcplife-bcc --no-pager > $OUT/journal.2.log 2>&1
fi
exit 0
