#!/bin/sh
# make check-vm: boots a Debian kernel under qemu (TCG) with BTF hidden and runs tests/vm/guest-checks.sh in it.
#
# This host has BTF and no headers for its own kernel, so the root tests
# never take the path tcplife-bcc exists for.  The guest does: a real
# kernel, its exactly matching Debian headers, no BTF, and kprobes.
#
# Usage: check-vm.sh [GUEST [TARBALL]], GUEST one of
#   6.1   Debian 12's kernel; the guest's root is this host's (read-only),
#         with the tool and headers installed here (the default);
#   6.12  Debian 12's 6.12 from bookworm-security, this host's root, its
#         headers unpacked into the cache and mounted over /usr/src and
#         /lib/modules in the guest;
#   5.10  Debian 11's kernel booted with a Debian 11 root (bullseye-root.sh)
#         in which the tool is built from TARBALL (make dist) with Debian
#         11's own gcc, libbcc and libbpf.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (only when qemu
# cannot run at all; TCPLIFE_VM_REQUIRE=1 turns that into a failure, for
# CI), 99 framework error.
# Environment: TCPLIFE_VM_CACHE (default /var/cache/tcplife-bcc-vm),
# TCPLIFE_VM_RELEASE (the 6.1 guest's, e.g. 6.1.0-56-amd64),
# TCPLIFE_VM_TIMEOUT (seconds the guest may run, default 1290 for 6.1, 1530
# for 6.12, 2010 for 5.10),
# TCPLIFE_VM_KEEP=1 (keep the work dir), TCPLIFE_VM_QEMU (the qemu binary,
# default qemu-system-x86_64).
set -u

ME_=check-vm
GUEST=${1:-6.1}
TARBALL=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
: "${abs_top_srcdir:=$(cd "$here/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
. "$here/common.sh"

TOOL=$abs_top_builddir/tcplife-bcc
WORKLOAD=$abs_top_builddir/tests/tcp_workload
CHECK_ROWS=$abs_top_srcdir/tests/check_rows.awk
GUEST_SCRIPT=$here/guest-checks.sh
INIT_SCRIPT=$here/initramfs-init
TIMEOUT=${TCPLIFE_VM_TIMEOUT:-}
QEMU=${TCPLIFE_VM_QEMU:-qemu-system-x86_64}
# What the initramfs must load to reach the 9p root; their dependencies
# are found from the modules themselves.
ROOT_MODULES="virtio_pci 9pnet_virtio 9p"
CHECKS="guest info tracepoint kprobe sigkill fields second interim refusal btf"

now_() { date +%s.%N; }
since_() { awk -v a="$1" -v b="$(now_)" 'BEGIN { printf "%.1f", b - a }'; }

WORK=$abs_top_builddir/tests/check-vm-$GUEST.dir
VM_KEPT="console log, results and qemu output"
# --- Can qemu run here at all? (the only reason to skip) -------------------
vm_start_

rm -rf "$WORK"
mkdir -p "$WORK/share" || framework_failure_ "cannot create $WORK"

# --- What the guest runs: this build, or one made in the guest's root ------
# Seconds for one compile+attach in the guest, and for the whole guest:
# one took 91-108 s for 6.1, up to 173 s with 6.12's larger headers and
# 184 s with Debian 11's libbcc 0.18 and LLVM 11, on a busy host.
case $GUEST in
6.1) GUEST_ROOT=/ ATTACH_TIMEOUT=240 ;;
6.12) GUEST_ROOT=/ ATTACH_TIMEOUT=360 ;;
5.10) GUEST_ROOT='' ATTACH_TIMEOUT=480 ;;
*) framework_failure_ "unknown guest '$GUEST' (6.1, 6.12 or 5.10)" ;;
esac
# Five compiles without BTF (--interval's kprobe one of them) and three
# with it (those take about half as long: no struct headers); 6.1 also
# compiles against the kernel's own header archive.
case $GUEST in
6.1) CHECKS="$CHECKS kheaders" COMPILES=5 ;;
*) COMPILES=4 ;;
esac
: "${TIMEOUT:=$((COMPILES * ATTACH_TIMEOUT + 90))}"
if [ "$GUEST_ROOT" = / ]; then
	for f in "$TOOL" "$WORKLOAD"; do
		[ -x "$f" ] || framework_failure_ "$f is not built (make check-vm builds it)"
	done
	case "$abs_top_builddir$abs_top_srcdir" in
	*"'"* | *" "*) framework_failure_ "paths with quotes or blanks are not supported" ;;
	esac
fi
# The static one: the initramfs has no libc.
[ -n "$(vm_installed_version_ busybox-static)" ] ||
	framework_failure_ "busybox-static is not installed (run tests/vm/install-deps.sh)"
command -v cpio > /dev/null || framework_failure_ "cpio is missing (run tests/vm/install-deps.sh)"

t_prepare=$(now_)
fetched=cached
HEADERS_ROOT=
case $GUEST in
6.1)
	pick=$(vm_pick_release_) ||
		framework_failure_ "no installed linux-headers-6.1.0-N-amd64 with a" \
			"linux-image of the same version (run tests/vm/install-deps.sh)"
	;;
6.12)
	pick=$(vm_pick_612_release_) ||
		framework_failure_ "no linux-image-6.12.*+deb12-amd64 with headers of the" \
			"same version cached or in the archive (bookworm-security; apt-get update?)"
	;;
5.10)
	[ -s "$TARBALL" ] || framework_failure_ "the 5.10 guest needs make dist's tarball (make check-vm-all)"
	pick=$(sh "$here/bullseye-root.sh" | tail -n 1) ||
		framework_failure_ "cannot make the Debian 11 root (tests/vm/bullseye-root.sh)"
	set -- $pick
	GUEST_ROOT=$1
	shift
	pick="$*"
	;;
esac
set -- $pick
REL=$1 VER=$2
ME_="check-vm $REL"
CACHE=$(vm_cache_dir_ "$REL" "$VER")
mkdir -p "$CACHE" || framework_failure_ "cannot create $CACHE (set TCPLIFE_VM_CACHE)"
STAGE=$(mktemp -d "$CACHE/stage.XXXXXX") || framework_failure_ "cannot write to $CACHE"

# apt's _apt user cannot write into root's cache directory.
sandbox=
[ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
# fetch_deb_ PACKAGE DEST: downloads PACKAGE=$VER once into DEST.
fetch_deb_() {
	[ ! -s "$2" ] || return 0
	fetched=downloaded
	# shellcheck disable=SC2086
	(cd "$STAGE" && apt-get -q $sandbox download "$1=$VER") ||
		framework_failure_ "apt-get download $1=$VER failed"
	set -- "$STAGE/$1"_*.deb "$1" "$2"
	[ "$(dpkg-deb -f "$1" Package Version | tr '\n' ' ')" = \
		"Package: $2 Version: $VER " ] ||
		framework_failure_ "$1 is not $2 $VER"
	mv "$1" "$3" || framework_failure_ "cannot store $3"
}

case $GUEST in
6.1)
	say_ "guest kernel: linux-image-$REL $VER, headers $(readlink -f "/lib/modules/$REL/build")"
	;;
6.12)
	# Unpacked, not installed: installing them here would change which
	# headers the host's own tests find nearest to its kernel.
	HEADERS_ROOT=$CACHE/headers
	if [ ! -e "$HEADERS_ROOT/usr/src/linux-headers-$REL/include/generated/autoconf.h" ]; then
		common=$(echo "$REL" | sed 's/-amd64$/-common/')
		fetch_deb_ "linux-headers-$REL" "$CACHE/linux-headers.deb"
		fetch_deb_ "linux-headers-$common" "$CACHE/linux-headers-common.deb"
		rm -rf "$HEADERS_ROOT"
		mkdir -p "$STAGE/headers" &&
			dpkg -x "$CACHE/linux-headers.deb" "$STAGE/headers" &&
			dpkg -x "$CACHE/linux-headers-common.deb" "$STAGE/headers" &&
			mv "$STAGE/headers" "$HEADERS_ROOT" ||
			framework_failure_ "cannot unpack the $REL headers"
		rm -f "$CACHE/linux-headers.deb" "$CACHE/linux-headers-common.deb"
	fi
	say_ "guest kernel: linux-image-$REL $VER, headers unpacked in $HEADERS_ROOT"
	;;
5.10)
	# Built afresh each run from the tarball, inside the Debian 11 root.
	t_build=$(now_)
	sh "$here/build-in-root.sh" "$GUEST_ROOT" "$TARBALL" > "$WORK/build.log" 2>&1 || {
		tail -n 30 "$WORK/build.log" | sed 's/^/  build: /'
		fail_ "building $(basename "$TARBALL") in the Debian 11 root failed"
	}
	t_build=$(since_ "$t_build")
	src=$(sed -n 's/^built: //p' "$WORK/build.log")
	sed -n 's/^  \(libbcc\|libbpf\|compiler\).*/  build: &/p' "$WORK/build.log"
	say_ "tool built in the Debian 11 root in $t_build s: $src"
	TOOL=$GUEST_ROOT$src/tcplife-bcc
	WORKLOAD=$GUEST_ROOT$src/tests/tcp_workload
	CHECK_ROWS=$GUEST_ROOT$src/tests/check_rows.awk
	GUEST_SCRIPT=$GUEST_ROOT$src/tests/vm/guest-checks.sh
	[ -e "$GUEST_ROOT/linux-image.deb" ] || framework_failure_ "$GUEST_ROOT has no linux-image.deb"
	[ -s "$CACHE/linux-image.deb" ] || ln "$GUEST_ROOT/linux-image.deb" "$CACHE/linux-image.deb" ||
		cp "$GUEST_ROOT/linux-image.deb" "$CACHE/linux-image.deb" ||
		framework_failure_ "cannot keep the 5.10 kernel in $CACHE"
	say_ "guest kernel: linux-image-$REL $VER with the Debian 11 root $GUEST_ROOT"
	;;
esac

# --- The kernel, fetched once per release and version ----------------------
deb=$CACHE/linux-image.deb
fetch_deb_ "linux-image-$REL" "$deb"
unpacked=
unpack_() {
	[ -z "$unpacked" ] || return 0
	dpkg -x "$deb" "$STAGE/image" || framework_failure_ "dpkg -x $deb failed"
	unpacked=$STAGE/image
}
if [ ! -s "$CACHE/vmlinuz" ]; then
	unpack_
	cp "$unpacked/boot/vmlinuz-$REL" "$CACHE/vmlinuz.tmp" &&
		mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz" ||
		framework_failure_ "no boot/vmlinuz-$REL in $deb"
fi

# Socket diagnostics for TCP (--interval) are modules in Debian's kernels,
# and the guest has no /lib/modules tree to load them from: they go to the
# guest through the share, which it loads them from.
diagdir=$CACHE/diag-modules
if [ ! -e "$diagdir/done" ]; then
	unpack_
	mkdir -p "$diagdir" || framework_failure_ "cannot create $diagdir"
	for m in inet_diag tcp_diag; do
		ko=$(find "$unpacked/lib/modules/$REL/kernel" -name "$m.ko*" | head -n 1)
		case $ko in
		'') continue ;;		# built into the kernel
		*.ko.xz) xz -dc "$ko" ;;
		*.ko.zst) zstd -dc "$ko" ;;
		*.ko.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac > "$diagdir/$m.ko" || framework_failure_ "cannot copy $ko"
	done
	touch "$diagdir/done"
fi

# --- The initramfs, rebuilt only when its inputs change --------------------
key=$(cat "$INIT_SCRIPT" /bin/busybox | cksum | cut -d' ' -f1)
initrd=$CACHE/initramfs-$key-$(echo "$ROOT_MODULES" | tr ' ' '+').cpio.gz
built=cached
if [ ! -s "$initrd" ]; then
	built=built
	unpack_
	vm_initramfs_ "$unpacked/lib/modules/$REL/kernel" "$ROOT_MODULES" \
		"$INIT_SCRIPT" "$initrd"
	# Images built from older inputs will not be used again.
	# (check-vm-service.sh's, initramfs-systemd-*, are not ours.)
	for old in "$CACHE"/initramfs-[0-9]*.cpio.gz; do
		[ "$old" = "$initrd" ] || rm -f "$old"
	done
	say_ "initramfs modules, in load order: $(tr '\n' ' ' < "$STAGE/root/modules/order")"
fi
rm -rf "$STAGE"
STAGE=
t_prepare=$(since_ "$t_prepare")
say_ "kernel $fetched, initramfs $built: $initrd"

# --- The kernel's own header archive, as CONFIG_IKHEADERS packs it --------
# Debian's kernels are built without it.  For the 6.1 guest, its headers
# (installed here) are packed the way the kernel packs them: the .h files
# of include/ and arch/x86/include/, source and generated together; and a
# second time labelled with another release, which must be refused.
KHEADERS_OWN= KHEADERS_OTHER=
if [ "$GUEST" = 6.1 ]; then
	kstage=$WORK/kheaders-stage
	pack_() {
		tar --owner=0 --group=0 --numeric-owner --sort=name -C "$kstage" \
			-cf - . | xz -1 -T2 > "$WORK/share/$1"
	}
	mkdir "$kstage" || framework_failure_ "cannot create $kstage"
	for d in "/lib/modules/$REL/source" "/lib/modules/$REL/build"; do
		(cd "$(readlink -f "$d")" && find include arch/x86/include -name '*.h' |
			cpio --quiet -pdu "$kstage") ||
			framework_failure_ "cannot copy the headers of $d"
	done
	pack_ kheaders-own.tar.xz &&
		echo "#define UTS_RELEASE \"$REL-relabelled\"" > "$kstage/include/generated/utsrelease.h" &&
		pack_ kheaders-other.tar.xz && rm -rf "$kstage" ||
		framework_failure_ "cannot pack the $REL headers as the kernel would"
	KHEADERS_OWN=/tmp/vm-out/kheaders-own.tar.xz
	KHEADERS_OTHER=/tmp/vm-out/kheaders-other.tar.xz
	say_ "the kernel's own header archive, made: $(du -h "$WORK/share/kheaders-own.tar.xz" | cut -f1)"
fi

# --- Boot ------------------------------------------------------------------
# The guest mounts tmpfs over these host directories; what the host has
# there is still visible at /run/host in the guest (see initramfs-init).
# A root other than the host's holds the tool itself, at paths of its own.
guest_path_() {
	if [ "$GUEST_ROOT" != / ]; then
		echo "${1#"$GUEST_ROOT"}"
		return
	fi
	p=$(readlink -f "$1")
	case $p in
	/tmp/* | /run/* | /var/tmp/* | /root/*) echo "/run/host$p" ;;
	*) echo "$p" ;;
	esac
}
mkdir -p "$WORK/share/modules" && cp "$diagdir"/*.ko "$WORK/share/modules/" 2> /dev/null
cat > "$WORK/share/env" <<EOF
TOOL='$(guest_path_ "$TOOL")'
WORKLOAD='$(guest_path_ "$WORKLOAD")'
CHECK_ROWS='$(guest_path_ "$CHECK_ROWS")'
VM_GUEST_SCRIPT='$(guest_path_ "$GUEST_SCRIPT")'
VM_RELEASE='$REL'
VM_DEB_VERSION='$VER'
VM_HEADERS_ROOT='$HEADERS_ROOT'
VM_ATTACH_TIMEOUT=$ATTACH_TIMEOUT
VM_KHEADERS_OWN='$KHEADERS_OWN'
VM_KHEADERS_OTHER='$KHEADERS_OTHER'
VM_OUT=/tmp/vm-out
export TOOL WORKLOAD CHECK_ROWS VM_RELEASE VM_DEB_VERSION VM_HEADERS_ROOT
export VM_ATTACH_TIMEOUT VM_KHEADERS_OWN VM_KHEADERS_OTHER VM_OUT
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C
EOF

say_ "booting under TCG (timeout ${TIMEOUT} s); the two BPF compiles take 1-4 minutes each"
t_qemu=$(now_)
# -accel tcg: KVM hangs inside this project's VMs.  multidevs=remap: the
# host's root spans several filesystems whose inode numbers would clash.
# -no-reboot: a guest panic ends qemu instead of looping.  One vCPU: the
# compiles run one after the other, and each took 57-67 s with one vCPU but
# 81 s with two (multi-threaded TCG costs more than it gains here).
# -cpu max: clang ran 70 s on it, 85-104 s on the plainer qemu64.
timeout -k 10 "$TIMEOUT" "$QEMU" -accel tcg -machine pc -cpu max -smp 1 -m 2048 \
	-nodefaults -no-user-config -display none -no-reboot -monitor none \
	-serial "file:$WORK/console.log" \
	-kernel "$CACHE/vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1" \
	-virtfs "local,path=$GUEST_ROOT,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$WORK/share,mount_tag=vmout,security_model=none,multidevs=remap" \
	> "$WORK/qemu.out" 2>&1 &
QEMU_PID=$!
wait "$QEMU_PID"
qemu_status=$?
QEMU_PID=
t_qemu=$(since_ "$t_qemu")

sed 's/\r$//; s/^/  console: /' "$WORK/console.log"
[ ! -s "$WORK/qemu.out" ] || sed 's/^/  qemu: /' "$WORK/qemu.out"
not_run="not run (see the console log above)"
if [ "$qemu_status" -eq 124 ] || [ "$qemu_status" -eq 137 ]; then
	say_ "qemu did not finish within $TIMEOUT s and was killed"
	not_run="not reached in $TIMEOUT s (TCPLIFE_VM_TIMEOUT)"
fi

# --- Report ----------------------------------------------------------------
results=$WORK/share/results
[ -f "$results" ] || : > "$results"
echo "$ME_: phase timings"
printf '  %-52s %7s s (%s)\n' "prepare: kernel $fetched, initramfs $built" "$t_prepare" "host"
printf '  %-52s %7s s\n' "qemu, start to exit" "$t_qemu"
awk '$1 == "time" { s = $2; $1 = $2 = ""; sub(/^ +/, ""); printf "    %-50s %7s s\n", $0, s }' "$results"

vm_report_ "$results" "$not_run"
awk '$1 == "check" && $3 == "FAIL" && $2 !~ /^(guest|info|tracepoint|kprobe|sigkill|fields|second|interim|refusal|kheaders|btf)$/' "$results" |
	while read -r _ c _ why; do echo "$ME_: FAIL: $c: $why"; done
status=$(cat "$WORK/share/status" 2> /dev/null)
say_ "$passed passed, $failed failed (guest script status: ${status:-none})"
[ "$failed" -eq 0 ] && [ "$status" = 0 ] || exit 1
exit 0
