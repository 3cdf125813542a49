#!/bin/sh
# Makes (once) and caches a Debian 11 root for the 5.10 guest: debootstrap, then its own gcc, libbcc, libbpf and kernel.
#
# The 5.10 guest boots this root over 9p instead of the host's, so that the
# tool is built and run with what a Debian 11 host has: gcc 10, libbcc
# 0.18, libbpf 0.3, LLVM 11, and Debian 11's kernel with its exactly
# matching headers.  A finished root is marked with a stamp naming the
# package list; a second run finds the stamp and downloads nothing.
#
# Usage: bullseye-root.sh   prints "ROOT RELEASE VERSION" on the last line.
# Environment: TCPLIFE_VM_CACHE (default /var/cache/tcplife-bcc-vm),
# TCPLIFE_VM_MIRROR (default http://deb.debian.org/debian).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

ME_=bullseye-root
MIRROR=${TCPLIFE_VM_MIRROR:-http://deb.debian.org/debian}
ROOT=$VM_CACHE/bullseye
# What the tool's build and the guest checks need; linux-headers-amd64
# pulls in the headers of the current 5.10 ABI, whose image is fetched
# separately (never installed: the root is not booted from its /boot).
# jq and setpriv (util-linux) for the guest's session fields check.
PACKAGES="gcc make autoconf automake pkg-config libbpfcc-dev libbpf-dev
	linux-headers-amd64 diffutils gawk jq"
STAMP=$ROOT/.tcplife-bcc-root

say_() { printf '%s: %s\n' "$ME_" "$*" >&2; }
die_() { say_ "$*"; exit 99; }

[ "$(id -u)" -eq 0 ] || die_ "run as root (debootstrap and chroot need it)"

want_stamp=$(echo "$MIRROR bullseye $PACKAGES" | tr -s ' \t\n' ' ' | cksum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(sed -n 1p "$STAMP")" = "$want_stamp" ]; then
	say_ "cached: $ROOT"
	sed -n 2p "$STAMP"
	exit 0
fi

command -v debootstrap > /dev/null ||
	die_ "debootstrap is not installed (tests/vm/install-deps.sh installs it)"
mkdir -p "$VM_CACHE" || die_ "cannot create $VM_CACHE"

# A half-made root from an interrupted run is started afresh.
stage=$ROOT.stage
mounted=
cleanup_() {
	for m in $mounted; do umount "$m" 2> /dev/null; done
}
trap cleanup_ EXIT
trap 'exit 99' INT TERM HUP
# Never delete through a mount an interrupted run left behind.
for d in "$stage" "$ROOT"; do
	awk -v d="$d/" 'index($2, d) == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m"; done
done
rm -rf --one-file-system "$stage" "$ROOT" || die_ "cannot remove an old $ROOT"

say_ "debootstrap bullseye into $stage"
# minbase: no init system, no services; only what apt and dpkg need.
debootstrap --variant=minbase bullseye "$stage" "$MIRROR" > "$stage.log" 2>&1 || {
	tail -n 20 "$stage.log" >&2
	die_ "debootstrap bullseye failed (log: $stage.log)"
}
rm -f "$stage.log"

# Maintainer scripts want /proc; nothing in the root may start services.
mount -t proc proc "$stage/proc" || die_ "cannot mount proc in $stage"
mounted="$stage/proc"
printf '#!/bin/sh\nexit 101\n' > "$stage/usr/sbin/policy-rc.d"
chmod 755 "$stage/usr/sbin/policy-rc.d"
in_root_() {
	chroot "$stage" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"
}
say_ "installing:" $PACKAGES
# shellcheck disable=SC2086
in_root_ apt-get install -y -q --no-install-recommends $PACKAGES > "$stage/apt.log" 2>&1 || {
	tail -n 20 "$stage/apt.log" >&2
	die_ "apt-get install in the bullseye root failed"
}

# The kernel whose headers were installed, at the very same version.
rel=$(in_root_ dpkg-query -W -f='${Depends}\n' linux-headers-amd64 |
	sed -n 's/^linux-headers-\(5\.10\.[^ ,]*-amd64\).*/\1/p')
[ -n "$rel" ] || die_ "cannot tell which 5.10 headers linux-headers-amd64 installed"
ver=$(in_root_ dpkg-query -W -f='${Version}' "linux-headers-$rel")
# Inside the root: its links are absolute.
in_root_ test -e "/lib/modules/$rel/build/include/generated/autoconf.h" ||
	die_ "linux-headers-$rel has no include/generated/autoconf.h"
in_root_ sh -c "cd /var/cache/apt/archives && apt-get -q download linux-image-$rel=$ver" \
	>> "$stage/apt.log" 2>&1 || die_ "apt-get download linux-image-$rel=$ver failed"
deb=$(ls "$stage"/var/cache/apt/archives/linux-image-"$rel"_*.deb 2> /dev/null | head -n 1)
[ -n "$deb" ] || die_ "linux-image-$rel was not downloaded"
mv "$deb" "$stage/linux-image.deb" || die_ "cannot keep $deb"
in_root_ apt-get clean
rm -f "$stage/apt.log"

umount "$stage/proc" && mounted= || die_ "cannot unmount $stage/proc"
mv "$stage" "$ROOT" || die_ "cannot rename $stage to $ROOT"
printf '%s\n%s\n' "$want_stamp" "$ROOT $rel $ver" > "$STAMP"
say_ "made $ROOT: libbcc $(chroot "$ROOT" dpkg-query -W -f='${Version}' libbpfcc-dev)," \
	"libbpf $(chroot "$ROOT" dpkg-query -W -f='${Version}' libbpf-dev), kernel $rel $ver"
echo "$ROOT $rel $ver"
