#!/bin/sh
# make check-vm-service: the Debian package's service where systemd is PID 1, in a qemu guest booted twice.
#
# The guest is Debian 12's 6.1 kernel with this host's root (read-only,
# over 9p) under a writable overlay on a virtio disk, and systemd as
# init.  tests/vm/service-checks.sh runs in it as a unit: the first boot
# installs the .deb scripts/build-deb.sh built, enables and starts the
# service, drives known sessions, rotates with the package's logrotate
# snippet, restarts and stops it; the second boot finds the service
# started from the cached program.  Each check prints PASS or FAIL.
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (qemu cannot run at
# all; TCPLIFE_VM_REQUIRE=1 makes that a failure), 99 framework error.
# Environment: TCPLIFE_VM_CACHE, TCPLIFE_VM_RELEASE, TCPLIFE_VM_QEMU as
# for check-vm.sh; TCPLIFE_VM_DEB (a .deb to use instead of building
# one); TCPLIFE_VM_TIMEOUT (seconds per boot, default 420);
# TCPLIFE_VM_KEEP=1 (keep the work dir).
set -u

ME_=check-vm-service
here=$(cd "$(dirname "$0")" && pwd)
: "${abs_top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
. "$here/common.sh"

QEMU=${TCPLIFE_VM_QEMU:-qemu-system-x86_64}
TIMEOUT=${TCPLIFE_VM_TIMEOUT:-420}
INIT_SCRIPT=$here/initramfs-init-systemd
# The 9p root, the overlay's disk (ext4 on virtio-blk), the overlay.
ROOT_MODULES="virtio_pci 9pnet_virtio 9p virtio_blk ext4 crc32c_generic overlay"
CHECKS="install first-start-cached rows rotate restart stop journal second-boot-attached second-boot-cached second-boot-rows second-boot-journal"

now_() { date +%s; }

WORK=$abs_top_builddir/tests/check-vm-service.dir
VM_KEPT="console logs, results and the overlay's disk"
vm_start_
for c in cpio mkfs.ext4 dpkg-deb; do
	command -v $c > /dev/null || framework_failure_ "$c is missing (run tests/vm/install-deps.sh)"
done
[ -n "$(vm_installed_version_ busybox-static)" ] ||
	framework_failure_ "busybox-static is not installed (run tests/vm/install-deps.sh)"
[ -x /lib/systemd/systemd ] || framework_failure_ "systemd is not installed here"
WORKLOAD=$abs_top_builddir/tests/tcp_workload
[ -x "$WORKLOAD" ] || framework_failure_ "$WORKLOAD is not built"

rm -rf "$WORK"
mkdir -p "$WORK/share" || framework_failure_ "cannot create $WORK"
t0=$(now_)

# --- The kernel: the 6.1 guest's, whose headers are installed here --------
pick=$(vm_pick_release_) ||
	framework_failure_ "no installed linux-headers-6.1.0-N-amd64 with a linux-image" \
		"of the same version (run tests/vm/install-deps.sh)"
set -- $pick
REL=$1 VER=$2
ME_="check-vm service-$REL"
CACHE=$(vm_cache_dir_ "$REL" "$VER")
mkdir -p "$CACHE" && STAGE=$(mktemp -d "$CACHE/stage.XXXXXX") ||
	framework_failure_ "cannot write to $CACHE"
say_ "guest kernel: linux-image-$REL $VER, systemd $(dpkg-query -W -f='${Version}' systemd) as init"
deb=$CACHE/linux-image.deb
if [ ! -s "$deb" ]; then
	sandbox=
	[ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$STAGE" && apt-get -q $sandbox download "linux-image-$REL=$VER") &&
		mv "$STAGE"/linux-image-*.deb "$deb" ||
		framework_failure_ "apt-get download linux-image-$REL=$VER failed"
fi
[ -d "$STAGE/image" ] || dpkg -x "$deb" "$STAGE/image" || framework_failure_ "dpkg -x $deb"
[ -s "$CACHE/vmlinuz" ] || { cp "$STAGE/image/boot/vmlinuz-$REL" "$CACHE/vmlinuz.tmp" &&
	mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"; } || framework_failure_ "no vmlinuz in $deb"

# --- The initramfs: busybox, the modules above and their dependencies -----
key=$(cat "$INIT_SCRIPT" /bin/busybox | cksum | cut -d' ' -f1)
initrd=$CACHE/initramfs-systemd-$key.cpio.gz
if [ ! -s "$initrd" ]; then
	vm_initramfs_ "$STAGE/image/lib/modules/$REL/kernel" "$ROOT_MODULES" \
		"$INIT_SCRIPT" "$initrd"
	say_ "initramfs modules: $(tr '\n' ' ' < "$STAGE/root/modules/order")"
fi
rm -rf "$STAGE"
STAGE=

# --- The package -------------------------------------------------------------
if [ -n "${TCPLIFE_VM_DEB:-}" ]; then
	cp "$TCPLIFE_VM_DEB" "$WORK/share/" || framework_failure_ "cannot copy $TCPLIFE_VM_DEB"
else
	say_ "building the package (scripts/build-deb.sh --build-only)"
	bash "$abs_top_srcdir/scripts/build-deb.sh" --build-only "$WORK/share" \
		> "$WORK/build-deb.log" 2>&1 || {
		tail -n 30 "$WORK/build-deb.log" | sed 's/^/  build-deb: /'
		fail_ "scripts/build-deb.sh --build-only failed"
	}
	grep '^FAIL\|lintian:' "$WORK/build-deb.log" | sed 's/^/  build-deb: /'
fi
set -- "$WORK"/share/tcplife-bcc_*.deb
[ -s "$1" ] || framework_failure_ "no .deb in $WORK/share"
say_ "package: $(dpkg-deb -f "$1" Package Version | tr '\n' ' ')"

# The checks and the workload go on the share: the checkout may lie where
# the guest sees something else (a tmpfs over /tmp, say).
cp "$here/service-checks.sh" "$WORKLOAD" "$WORK/share/" ||
	framework_failure_ "cannot copy the checks to $WORK/share"

# --- The overlay's disk: the guest's changes to the host's root ------------
# Units that would only cost boot time under TCG (or touch logs the test
# reads) are masked; the checks run as a unit of their own and power the
# guest off.  mkfs.ext4 -d copies this tree into the image.
tree=$WORK/tree
sd=$tree/upper/etc/systemd/system
mkdir -p "$tree/work" "$sd/multi-user.target.wants" "$tree/upper/vm-out" ||
	framework_failure_ "cannot make $tree"
for u in postgresql.service getty@tty1.service serial-getty@ttyS0.service \
	rsyslog.service e2scrub_reap.service systemd-timesyncd.service \
	systemd-pstore.service apt-daily.timer apt-daily-upgrade.timer \
	dpkg-db-backup.timer e2scrub_all.timer fstrim.timer logrotate.timer \
	man-db.timer; do
	ln -s /dev/null "$sd/$u"
done
cat > "$sd/vm-service-checks.service" <<EOF
[Unit]
Description=check-vm-service: the tcplife-bcc service's checks
After=multi-user.target

[Service]
Type=oneshot
Environment=VM_WORKLOAD=/vm-out/tcp_workload VM_DIAG=${TCPLIFE_VM_DIAG:-}
ExecStart=/bin/sh /vm-out/service-checks.sh
ExecStopPost=/bin/systemctl poweroff --no-block
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
EOF
ln -s ../vm-service-checks.service "$sd/multi-user.target.wants/" ||
	framework_failure_ "cannot enable the checks"
mkfs.ext4 -q -F -L vm-overlay -d "$tree" "$WORK/overlay.img" 2G ||
	framework_failure_ "mkfs.ext4 failed"
rm -rf "$tree"

# --- Two boots -------------------------------------------------------------
boot_() {
	echo "$1" > "$WORK/share/boot"
	t=$(now_)
	# As check-vm.sh: TCG (KVM hangs here), one vCPU, -no-reboot.
	timeout -k 10 "$TIMEOUT" "$QEMU" -accel tcg -machine pc -cpu max -smp 1 -m 2048 \
		-nodefaults -no-user-config -display none -no-reboot -monitor none \
		-serial "file:$WORK/console.$1.log" \
		-kernel "$CACHE/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=3 panic=-1 systemd.unit=multi-user.target systemd.show_status=0" \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$WORK/share,mount_tag=vmout,security_model=none,multidevs=remap" \
		-drive "file=$WORK/overlay.img,if=virtio,format=raw" \
		> "$WORK/qemu.$1.out" 2>&1 &
	QEMU_PID=$!
	wait "$QEMU_PID"
	st=$?
	QEMU_PID=
	say_ "boot $1: qemu ran $(($(now_) - t)) s (status $st)"
	grep -a 'vm-init:\|service-checks' "$WORK/console.$1.log" | sed 's/\r$//; s/^/  console: /'
	[ "$st" -ne 124 ] && [ "$st" -ne 137 ] || say_ "boot $1 did not end within $TIMEOUT s"
}
boot_ 1
boot_ 2

# --- Report ------------------------------------------------------------------
results=$WORK/share/results
[ -f "$results" ] || : > "$results"
vm_report_ "$results" "not run (see $WORK/console.*.log)"
say_ "$passed passed, $failed failed in $(($(now_) - t0)) s"
[ "$failed" -eq 0 ] || exit 1
exit 0
