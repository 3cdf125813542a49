# Shared by install-deps.sh and check-vm.sh: which Debian kernels the guests boot.
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

# Prints "RELEASE VERSION" of Debian 12's 6.12 kernel for the 6.12 guest:
# the newest one already cached with its headers (reruns download nothing),
# else the newest in the archive (bookworm-security) whose image and both
# header packages exist at the same version.
vm_pick_612_release_() {
	for d in $(ls -d "$VM_CACHE"/6.12.*+deb12-amd64_* 2> /dev/null | sort -r -V); do
		rel=${d##*/}
		ver=${rel#*_}
		rel=${rel%%_*}
		[ -s "$d/vmlinuz" ] &&
			[ -e "$d/headers/usr/src/linux-headers-$rel/include/generated/autoconf.h" ] ||
			continue
		echo "$rel $ver"
		return 0
	done
	for name in $(apt-cache pkgnames linux-image-6.12. |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' | sort -r -V); do
		rel=${name#linux-image-}
		ver=$(apt-cache policy "$name" | awk '$1 == "Candidate:" { print $2 }')
		[ -n "$ver" ] && [ "$ver" != "(none)" ] || continue
		apt-cache show "linux-headers-$rel=$ver" > /dev/null 2>&1 &&
			apt-cache show "linux-headers-${rel%-amd64}-common=$ver" \
				> /dev/null 2>&1 || continue
		echo "$rel $ver"
		return 0
	done
	return 1
}
