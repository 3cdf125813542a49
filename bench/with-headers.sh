#!/bin/sh
# Runs a command that wants /lib/modules/$(uname -r)/{build,source} (as
# libbcc's Python tools do) against another release's installed headers,
# in a private mount namespace, so nothing changes on the system.
#
# Usage: with-headers.sh /lib/modules/RELEASE COMMAND [ARG]...
# The namespace keeps the caller's PID (unshare and sh both exec), so the
# caller can measure COMMAND as its own child.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: with-headers.sh /lib/modules/RELEASE COMMAND [ARG]..." >&2
	exit 2
fi
if [ -z "${WITH_HEADERS_PRIVATE:-}" ]; then
	WITH_HEADERS_PRIVATE=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
unset WITH_HEADERS_PRIVATE
dir=$1
shift
# Resolve first: the symlinks live under /lib/modules, which is about to be hidden.
build=$(readlink -f "$dir/build")
source=$(readlink -f "$dir/source" 2>/dev/null || :)
[ -e "$build/include/generated/autoconf.h" ] || {
	echo "with-headers.sh: no configured headers in $dir/build" >&2
	exit 1
}
release=$(uname -r)
mount -t tmpfs -o mode=0755,size=1m tcplife-compare /lib/modules
mkdir "/lib/modules/$release"
ln -s "$build" "/lib/modules/$release/build"
# Debian splits its headers: build/ has the generated files, source/ the rest.
if [ -n "$source" ] && [ "$source" != "$build" ]; then
	ln -s "$source" "/lib/modules/$release/source"
fi
exec "$@"
