#!/bin/bash
# Builds tcplife-bcc's .deb from this checkout, installs it, checks it, removes it.
#
# Usage (as root, from anywhere in a git checkout):
#   scripts/build-deb.sh [--keep]
#   scripts/build-deb.sh --build-only DIR
#
# The package is built with `dpkg-buildpackage -us -uc -b' in a scratch copy
# of the files git would commit (tracked and new, not ignored), so the work
# tree gains no build outputs.  The .deb is then installed with apt-get and
# its binary, manual, bash completion, systemd unit (not enabled, accepted
# by systemd-analyze verify), account, log directory and logrotate snippet
# are checked where a user would find them.
#
# What stays on the machine: the build tools and build dependencies (the
# project's own, which a developer's or CI's machine has anyway).  What does
# not: the package, which is purged at the end (its tcplife-bcc account
# stays, as Debian's system accounts do) unless it was installed
# before (the old version cannot be put back, so the new one stays) or
# --keep is given; and the scratch copy, unless --keep.
#
# lintian checks the .deb and the .changes; an error fails the build, and
# the tags debian/tcplife-bcc.lintian-overrides accepts are said there.
#
# --build-only DIR: builds and runs lintian, then copies the .deb to DIR
# without installing it here (check-vm-service installs it in a guest).
#
# Prints a PASS: or FAIL: line per check, then "N passed, N failed";
# exits 0 only when nothing failed.
set -u
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

keep=no
out=
case ${1-} in
--keep) keep=yes ;;
--build-only)
	out=${2-}
	[ -d "$out" ] || { echo "usage: $0 --build-only DIR (an existing directory)" >&2; exit 2; }
	out=$(cd "$out" && pwd)
	;;
'') ;;
*) echo "usage: $0 [--keep | --build-only DIR]" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
pkg=tcplife-bcc
passed=0
failed=0
work=
installed_here=no

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# A failed step that later ones need.
fatal() { fail "$@"; exit 1; }

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ]
}

finish() {
	if [ "$installed_here" = yes ] && [ "$keep" = no ]; then
		if dpkg --purge "$pkg" > "$work/purge.log" 2>&1 && ! is_installed &&
			[ ! -e "/usr/sbin/$pkg" ] && [ ! -e "/var/log/$pkg" ]; then
			pass "purged $pkg, which was not installed before"
		else
			fail "dpkg --purge $pkg: $(cat "$work/purge.log")"
		fi
	elif [ "$installed_here" = yes ]; then
		echo "note: --keep: $pkg stays installed"
	fi
	if [ -n "$work" ] && [ "$keep" = no ]; then
		rm -rf "$work"
	elif [ -n "$work" ]; then
		echo "note: --keep: build tree, log and .deb files in $work"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && echo "build-deb: PASS" || echo "build-deb: FAIL"
	[ "$failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" -eq 0 ] || fatal "run as root: apt-get and dpkg need it"
git -C "$top" rev-parse --is-inside-work-tree > /dev/null 2>&1 ||
	fatal "$top is not a git checkout: the copy to build is what git lists"
[ -f "$top/debian/control" ] || fatal "$top/debian/control is missing"
if is_installed; then
	echo "note: $pkg is installed already; the one built here replaces it and stays"
	was_installed=yes
else
	was_installed=no
fi
work=$(mktemp -d /tmp/tcplife-deb.XXXXXX) || fatal "mktemp failed"

# dpkg-dev has dpkg-buildpackage; man-db answers `man -w'.  devscripts is
# not needed and would pull in a hundred packages.
apt-get update -q > "$work/apt.log" 2>&1 &&
	apt-get install -y -q --no-install-recommends \
		dpkg-dev debhelper man-db lintian >> "$work/apt.log" 2>&1 ||
	fatal "installing the build tools: $(tail -5 "$work/apt.log")"
pass "build tools installed (dpkg-dev, debhelper, man-db, lintian)"

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) ||
	fatal "cannot read the version from debian/changelog"
upstream=${version%-*}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
src="$work/$pkg-$upstream"
mkdir "$src" || fatal "cannot make $src"

# Tracked files deleted in the work tree are not copied; configure,
# Makefile.in and the other generated files are ignored by git, and
# dh_autoreconf makes them afresh.
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -xf - -C "$src" ||
	fatal "copying the checkout to $src"
[ -e "$src/configure" ] && fatal "the copy has a configure script: is it ignored in .gitignore?"
pass "copied the checkout to $src ($(find "$src" -type f | wc -l) files)"

# Build-Depends come from debian/control itself, so they are listed once.
apt-get build-dep -y -q "$src" > "$work/build-dep.log" 2>&1 ||
	fatal "apt-get build-dep: $(tail -5 "$work/build-dep.log")"
pass "build dependencies installed (apt-get build-dep from debian/control)"

if (cd "$src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b"
else
	tail -40 "$work/build.log" | sed 's/^/  build: /'
	fatal "dpkg-buildpackage failed (log above)"
fi
deb="$work/${pkg}_${version}_${arch}.deb"
[ -f "$deb" ] || fatal "no ${deb##*/}; built: $(cd "$work" && echo *.deb)"
pass "built ${deb##*/}"

# Errors fail the build; warnings and the rest are shown.  Overrides
# live in debian/ with the reason for each.
changes="$work/${pkg}_${version}_${arch}.changes"
lintian --fail-on error --display-info "$changes" > "$work/lintian.log" 2>&1
lint_status=$?
sed 's/^/  lintian: /' "$work/lintian.log"
if [ "$lint_status" -eq 0 ]; then
	pass "lintian ${changes##*/} (.deb and .changes): no error"
else
	fail "lintian ${changes##*/}: status $lint_status (tags above)"
fi
if [ -n "$out" ]; then
	cp "$deb" "$out/" || fatal "cannot copy ${deb##*/} to $out"
	pass "${deb##*/} copied to $out (--build-only: not installed here)"
	exit 0
fi

echo "--- dpkg -c ${deb##*/}"
dpkg -c "$deb" | tee "$work/contents" | sed 's/^/  /'
for path in ./usr/sbin/$pkg ./usr/share/man/man8/$pkg.8.gz \
	./usr/share/bash-completion/completions/$pkg \
	./lib/systemd/system/$pkg.service ./etc/logrotate.d/$pkg; do
	if awk -v p="$path" '$6 == p { found = 1 } END { exit !found }' "$work/contents"; then
		pass "package contains $path"
	else
		fail "package lacks $path"
	fi
done
depends=$(dpkg-deb -f "$deb" Depends)
echo "--- Depends: $depends"
echo "--- Recommends: $(dpkg-deb -f "$deb" Recommends)"
case ", $depends," in
*", libbpfcc,"* | *", libbpfcc "*) pass "Depends names libbpfcc (for the dlopen()ed libbcc.so.0)" ;;
*) fail "Depends lacks libbpfcc" ;;
esac

# --no-install-recommends: the check is of this package; kernel headers
# are hundreds of megabytes and only matter when tracing.
apt-get install -y -q --no-install-recommends "$deb" > "$work/install.log" 2>&1 ||
	fatal "apt-get install ${deb##*/}: $(tail -5 "$work/install.log")"
[ "$was_installed" = yes ] || installed_here=yes
pass "apt-get install ${deb##*/}"

got=$("/usr/sbin/$pkg" --version 2>&1 | head -1)
if [ "$got" = "$pkg $upstream" ]; then
	pass "/usr/sbin/$pkg --version: $got"
else
	fail "/usr/sbin/$pkg --version printed '$got', expected '$pkg $upstream'"
fi

page=$(man -w "$pkg" 2>&1)
case $page in
/usr/share/man/man8/$pkg.8*) pass "man -w $pkg: $page" ;;
*) fail "man -w $pkg: $page" ;;
esac

# Where bash-completion loads completions from, and that the installed file,
# run against the installed binary, completes an option.
dir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null)
: "${dir:=/usr/share/bash-completion/completions}"
if [ -f "$dir/$pkg" ]; then
	pass "bash completion installed as $dir/$pkg"
else
	fail "no bash completion at $dir/$pkg"
fi
got=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c '
	. "$1" || exit 1
	f=$(complete -p tcplife-bcc | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
	COMP_WORDS=(tcplife-bcc --atta) COMP_CWORD=1
	"$f" tcplife-bcc --atta tcplife-bcc
	echo "${COMPREPLY[*]}"' bash "$dir/$pkg" 2>&1)
if [ "$got" = --attach ]; then
	pass "installed completion: 'tcplife-bcc --atta<Tab>' gives --attach"
else
	fail "installed completion: 'tcplife-bcc --atta<Tab>' gives '$got'"
fi
# The service: installed, not enabled; what it needs exists; systemd
# accepts the unit as installed (binary and man page in place).
unit=/lib/systemd/system/$pkg.service
if [ -e "/etc/systemd/system/multi-user.target.wants/$pkg.service" ]; then
	fail "$pkg.service was enabled by the installation"
else
	pass "$pkg.service installed, not enabled"
fi
if command -v systemd-analyze > /dev/null; then
	if got=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$got" ]; then
		pass "systemd-analyze verify $unit"
	else
		fail "systemd-analyze verify $unit: $got"
	fi
else
	echo "note: no systemd-analyze; $unit not verified"
fi
if getent passwd "$pkg" > /dev/null; then
	pass "account $pkg exists (for the tool to leave root for)"
else
	fail "postinst did not create the $pkg account"
fi
got=$(stat -c '%U:%G %a' "/var/log/$pkg" 2>&1)
if [ "$got" = "$pkg:adm 2750" ]; then
	pass "/var/log/$pkg is $got"
else
	fail "/var/log/$pkg is '$got', expected '$pkg:adm 2750'"
fi
if command -v logrotate > /dev/null; then
	if got=$(logrotate -d -s "$work/logrotate.state" "/etc/logrotate.d/$pkg" 2>&1) &&
		! printf '%s\n' "$got" | grep -qi '^error'; then
		pass "logrotate -d /etc/logrotate.d/$pkg"
	else
		fail "logrotate -d /etc/logrotate.d/$pkg: $(printf '%s\n' "$got" | grep -i error)"
	fi
fi
exit 0
