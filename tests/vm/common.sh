# Shared by install-deps.sh and check-vm.sh: which Debian 6.1 kernel the VM boots.
#
# The guest must compile against headers that exactly match its kernel, so
# the release is one whose linux-headers-R package is installed here and
# whose linux-image-R exists at the very same Debian version.  Nothing is
# hard-coded: Debian bumps the ABI number N in 6.1.0-N-amd64 every few
# months, and TCPLIFE_VM_RELEASE may name one explicitly.

VM_CACHE=${TCPLIFE_VM_CACHE:-/var/cache/tcplife-bcc-vm}

# The Debian version of an installed package, or nothing.
vm_installed_version_() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "ii" { print $2 }'
}

# Where one kernel's .deb, vmlinuz and initramfs images are kept.
vm_cache_dir_() {
	echo "$VM_CACHE/${1}_$2"
}

# Whether linux-image-RELEASE=VERSION is in the cache (so reruns work
# offline) or in the archive.
vm_have_image_() {
	[ -s "$(vm_cache_dir_ "$1" "$2")/vmlinuz" ] ||
		apt-cache show "linux-image-$1=$2" > /dev/null 2>&1
}

# Candidate releases with installed headers, newest first.
vm_installed_releases_() {
	if [ -n "${TCPLIFE_VM_RELEASE:-}" ]; then
		echo "$TCPLIFE_VM_RELEASE"
		return
	fi
	for d in /usr/src/linux-headers-6.1.0-*-amd64; do
		[ -e "$d/include/generated/autoconf.h" ] && echo "${d#/usr/src/linux-headers-}"
	done | sort -r -V
}

# Prints "RELEASE VERSION" for the first release whose headers are installed
# and whose kernel image of the same version can be had; fails otherwise.
vm_pick_release_() {
	for rel in $(vm_installed_releases_); do
		ver=$(vm_installed_version_ "linux-headers-$rel")
		[ -n "$ver" ] || continue
		[ -e "/lib/modules/$rel/build/include/generated/autoconf.h" ] || continue
		vm_have_image_ "$rel" "$ver" || continue
		echo "$rel $ver"
		return 0
	done
	return 1
}

# Prints "RELEASE VERSION" for the newest 6.1 release in the archive that has
# both an image and headers at the same version (what to install).
vm_pick_archive_release_() {
	if [ -n "${TCPLIFE_VM_RELEASE:-}" ]; then
		names="linux-headers-$TCPLIFE_VM_RELEASE"
	else
		names=$(apt-cache pkgnames linux-headers-6.1.0- |
			grep -E '^linux-headers-6\.1\.0-[0-9]+-amd64$' | sort -r -V)
	fi
	for name in $names; do
		rel=${name#linux-headers-}
		ver=$(apt-cache policy "$name" | awk '$1 == "Candidate:" { print $2 }')
		[ -n "$ver" ] && [ "$ver" != "(none)" ] || continue
		apt-cache show "linux-image-$rel=$ver" > /dev/null 2>&1 || continue
		echo "$rel $ver"
		return 0
	done
	return 1
}
