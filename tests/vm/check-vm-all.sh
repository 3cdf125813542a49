#!/bin/sh
# make check-vm-all: the check-vm guests on Debian's 6.1, 6.12 and (with a Debian 11 root) 5.10 kernels, then the systemd service guest, in turn.
#
# One guest at a time: each is a single-vCPU TCG machine, and two would
# only slow each other down.  Every PASS/FAIL line carries the guest's
# kernel release (check-vm.sh prints it); this ends with the guests' times
# and "N passed, N failed" over all checks of all guests.  A guest that
# fails before its checks run (a framework error) counts as one failure.
#
# Usage: check-vm-all.sh TARBALL (make dist's, built in the 5.10 guest's
# root).  TCPLIFE_VM_GUESTS picks a subset, e.g. "6.1 5.10"; "service" is
# check-vm-service.sh (the package's unit under systemd as PID 1).
set -u

here=$(cd "$(dirname "$0")" && pwd)
tarball=${1:-}
guests=${TCPLIFE_VM_GUESTS:-6.1 6.12 5.10 service}
: "${abs_top_builddir:=$(cd "$here/../.." && pwd)}"
log_dir=$abs_top_builddir/tests
now_() { date +%s; }

passed=0
failed=0
skipped=0
times=
for g in $guests; do
	log=$log_dir/check-vm-$g.log
	t0=$(now_)
	{
		if [ "$g" = service ]; then
			sh "$here/check-vm-service.sh"
		else
			sh "$here/check-vm.sh" "$g" "$tarball"
		fi
		echo $? > "$log.status"
	} 2>&1 | tee "$log"
	st=$(cat "$log.status")
	rm -f "$log.status"
	secs=$(($(now_) - t0))
	p=$(grep -c '^check-vm [^ ]*: PASS: ' "$log")
	f=$(grep -c '^check-vm [^ ]*: FAIL: ' "$log")
	if [ "$st" -eq 77 ]; then
		skipped=$((skipped + 1))
	elif [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "check-vm-all: FAIL: guest $g: exit status $st before its checks ran"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	rel=$(sed -n 's/^check-vm \([^ :]*\): guest kernel: .*/\1/p' "$log" | head -n 1)
	times="$times
  guest $g (${rel:-release unknown}): $p passed, $f failed, $secs s"
done
echo "check-vm-all: guests, one after the other:$times"
[ "$skipped" -eq 0 ] || echo "check-vm-all: $skipped guests skipped (qemu cannot run here)"
echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
	exit 1
fi
[ "$passed" -ne 0 ] || exit 77
exit 0
