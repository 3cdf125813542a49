#!/bin/sh
# Installs what `make check-vm` and `make check-vm-all` need on Debian 12, as root: qemu, busybox-static, cpio, debootstrap, matching 6.1 headers.
#
# The kernel image itself is not installed: check-vm.sh downloads it into
# its cache and unpacks it there, so this host's boot setup is untouched.
set -eu
export DEBIAN_FRONTEND=noninteractive
. "$(dirname "$0")/common.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "tests/vm/install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi
apt-get update -q
# busybox-static, not busybox: the initramfs has no libc to link against.
# kmod is not needed: module dependencies are read from the .ko files.
# debootstrap: the 5.10 guest's Debian 11 root; xz-utils and zstd unpack
# compressed kernel modules (6.12) for the initramfs.
apt-get install -y -q --no-install-recommends \
	qemu-system-x86 busybox-static cpio gzip coreutils util-linux \
	debootstrap xz-utils zstd

# Headers the guest kernel exactly matches.  Usually those already
# installed for the tool's own build (linux-headers-amd64) qualify.
if pick=$(vm_pick_release_); then
	echo "tests/vm/install-deps.sh: guest kernel will be $pick (headers installed)"
	exit 0
fi
pick=$(vm_pick_archive_release_) || {
	echo "tests/vm/install-deps.sh: the archive has no linux-image-6.1.0-N-amd64" \
		"with linux-headers at the same version; run apt-get update?" >&2
	exit 1
}
set -- $pick
echo "tests/vm/install-deps.sh: installing linux-headers-$1=$2 for the guest kernel"
apt-get install -y -q --no-install-recommends "linux-headers-$1=$2"
