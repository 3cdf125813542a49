#!/bin/sh
# Builds make dist's tarball inside the Debian 11 root, as a Debian 11 user would: ./configure && make.
#
# Usage: build-in-root.sh ROOT TARBALL.  The tree goes to ROOT/build/NAME
# (replaced on each run), which the guest sees as /build/NAME; the last
# line printed is "built: /build/NAME".  --enable-werror: the older gcc,
# libbcc and libbpf headers must not even warn.
set -u

ME_=build-in-root
die_() { printf '%s: %s\n' "$ME_" "$*" >&2; exit 1; }

[ $# -eq 2 ] || die_ "usage: build-in-root.sh ROOT TARBALL"
root=$1
tarball=$2
name=$(basename "$tarball" .tar.gz)
[ -x "$root/usr/bin/gcc" ] || die_ "$root has no gcc (made by bullseye-root.sh?)"

rm -rf --one-file-system "$root/build" &&
	mkdir -p "$root/build" &&
	tar -C "$root/build" -xzf "$tarball" ||
	die_ "cannot unpack $tarball into $root/build"
[ -x "$root/build/$name/configure" ] || die_ "$tarball has no $name/configure"

chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C HOME=/root \
	sh -c "cd '/build/$name' && ./configure --enable-werror &&
		make -j2 && make tests/tcp_workload tests/tcp_ends tests/long_sessions" ||
	die_ "configure or make failed in $root/build/$name"
echo "built: /build/$name"
