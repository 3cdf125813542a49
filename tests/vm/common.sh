# Shared by install-deps.sh and the check-vm*.sh scripts: which Debian kernels the guests boot, and the host's side of a guest run.
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

# --- The host's side of a guest run (check-vm.sh, check-vm-service.sh) -----
# The scripts set ME_ (messages), QEMU (the binary), WORK (their work
# directory) and VM_KEPT (what a failed run leaves in WORK, for the
# message) before calling vm_start_.  Exit codes follow automake.

say_() { printf '%s: %s\n' "$ME_" "$*"; }
fail_() { say_ "FAIL: $*" >&2; exit 1; }
framework_failure_() { say_ "framework failure: $*" >&2; exit 99; }
# Only when qemu cannot run at all; TCPLIFE_VM_REQUIRE=1 (CI) fails then.
skip_() {
	[ "${TCPLIFE_VM_REQUIRE:-0}" != 1 ] ||
		fail_ "qemu cannot run, and TCPLIFE_VM_REQUIRE=1: $*"
	say_ "SKIP: $*" >&2
	exit 77
}

# At exit: no guest left running, no stage left in the cache, and WORK
# removed unless the run failed or TCPLIFE_VM_KEEP=1.
vm_cleanup_() {
	status=$?
	[ -z "$QEMU_PID" ] || kill -KILL "$QEMU_PID" 2> /dev/null
	[ -z "$STAGE" ] || rm -rf "$STAGE"
	if [ "$status" -eq 0 ] && [ "${TCPLIFE_VM_KEEP:-0}" != 1 ]; then
		rm -rf "$WORK"
	elif [ -d "$WORK" ]; then
		say_ "$VM_KEPT kept in $WORK"
	fi
	exit "$status"
}

# vm_start_: sets up the cleanup, then skips unless qemu can run TCG here.
vm_start_() {
	STAGE=
	QEMU_PID=
	trap vm_cleanup_ EXIT
	trap 'exit 99' INT TERM HUP
	command -v "$QEMU" > /dev/null ||
		skip_ "$QEMU is not installed (tests/vm/install-deps.sh installs it)"
	# An empty machine that quits at once: TCG starts, nothing else is
	# needed.
	probe=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
		timeout 60 "$QEMU" -accel tcg -machine none -nodefaults -display none \
			-qmp stdio 2>&1) ||
		skip_ "$QEMU -accel tcg cannot start: $probe"
}

# vm_report_ RESULTS NOT_RUN: a PASS or FAIL line for each check in
# $CHECKS, from the "check NAME PASS|FAIL WHY" lines the guest wrote to
# RESULTS; a check it did not write is a FAIL for NOT_RUN.  Sets passed
# and failed.
vm_report_() {
	passed=0
	failed=0
	for c in $CHECKS; do
		line=$(awk -v c="$c" '$1 == "check" && $2 == c' "$1" | head -n 1)
		case $line in
		"check $c PASS"*)
			passed=$((passed + 1))
			echo "$ME_: PASS: $c:${line#check "$c" PASS}"
			;;
		"check $c FAIL"*)
			failed=$((failed + 1))
			echo "$ME_: FAIL: $c:${line#check "$c" FAIL}"
			;;
		*)
			failed=$((failed + 1))
			echo "$ME_: FAIL: $c: $2"
			;;
		esac
	done
}

# vm_initramfs_ MODDIR MODULES INIT IMAGE: packs into IMAGE (a gzipped
# newc cpio) busybox, INIT as /init, and MODULES from MODDIR (an unpacked
# linux-image-$REL's lib/modules/$REL/kernel) with everything they depend
# on, uncompressed, listed in /modules/order in an order they load in.
# Works in $STAGE, where root/modules/order stays for the caller.
vm_initramfs_() {
	# Named now: the walk below reuses the positional parameters.
	vi_moddir=$1 vi_init=$3 vi_image=$4
	mkdir -p "$STAGE/deps" "$STAGE/root/bin" "$STAGE/root/modules" ||
		framework_failure_ "cannot populate $STAGE"
	# Each module's .modinfo says what it depends on ("depends=a,b");
	# reading it needs no kmod, which a minimal host may lack.
	queue=$2
	all=
	while [ -n "$queue" ]; do
		set -- $queue
		m=$1
		shift
		queue=$*
		case " $all " in *" $m "*) continue ;; esac
		alt=$(echo "$m" | tr _ -)
		ko=$(find "$vi_moddir" -name "$m.ko*" -o -name "$alt.ko*" | head -n 1)
		# Built into the kernel (virtio_pci in 6.12): nothing to load.
		if [ -z "$ko" ] && grep -q -e "/$m\.ko\$" -e "/$alt\.ko\$" \
			"$vi_moddir/../modules.builtin" 2> /dev/null; then
			continue
		fi
		[ -n "$ko" ] || framework_failure_ "module $m is not in linux-image-$REL"
		# 6.12's modules are compressed; busybox's insmod wants them plain.
		case $ko in
		*.ko.xz) xz -dc "$ko" ;;
		*.ko.zst) zstd -dc "$ko" ;;
		*.ko.gz) gzip -dc "$ko" ;;
		*) cat "$ko" ;;
		esac > "$STAGE/root/modules/$m.ko" || framework_failure_ "cannot copy $ko"
		tr '\0' '\n' < "$STAGE/root/modules/$m.ko" | sed -n 's/^depends=//p' |
			tr ',' ' ' > "$STAGE/deps/$m"
		all="$all $m"
		queue="$queue $(cat "$STAGE/deps/$m")"
	done
	# Load order: a module once everything it depends on is loaded.
	placed=
	: > "$STAGE/root/modules/order"
	while [ "$(echo $placed | wc -w)" -lt "$(echo $all | wc -w)" ]; do
		progress=
		for m in $all; do
			case " $placed " in *" $m "*) continue ;; esac
			ready=yes
			for d in $(cat "$STAGE/deps/$m"); do
				case " $placed " in *" $d "*) ;; *) ready= ;; esac
			done
			[ -n "$ready" ] || continue
			placed="$placed $m"
			echo "$m" >> "$STAGE/root/modules/order"
			progress=yes
		done
		[ -n "$progress" ] || framework_failure_ "module dependency cycle among$all"
	done
	cp /bin/busybox "$STAGE/root/bin/busybox" &&
		cp "$vi_init" "$STAGE/root/init" &&
		chmod 755 "$STAGE/root/init" ||
		framework_failure_ "cannot populate the initramfs"
	(cd "$STAGE/root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 > "$STAGE/initramfs.cpio.gz" &&
		mv "$STAGE/initramfs.cpio.gz" "$vi_image" ||
		framework_failure_ "cannot build $vi_image"
}
