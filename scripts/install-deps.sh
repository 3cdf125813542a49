#!/bin/sh
# Installs what tcplife-bcc needs to build, run and test on Debian 12, as
# root: the test suite also fuzzes (clang's libFuzzer) and compares with
# the reference tools (bpfcc-tools, libbpf-tools, python3, gnuplot).  Kernel headers: the running kernel's package when Debian has one,
# otherwise Debian's current headers (used with kernel BTF; see doc/design.md).
set -eu
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi
apt-get update -q
apt-get install -y -q --no-install-recommends \
	gcc make autoconf automake pkg-config \
	libbpfcc-dev libbpf-dev \
	mandoc groff-base man-db bsdextrautils util-linux procps strace iproute2 jq bpftool \
	xz-utils tar cpio \
	clang libclang-rt-14-dev \
	python3 gnuplot-nox bpfcc-tools python3-bpfcc libbpf-tools bpftrace postgresql \
	ca-certificates \
	systemd logrotate rsyslog acl lintian
# xz-utils: the tool decompresses the kernel's own header archive with
# xz; tar and cpio make one for kheaders_archive.test.
# systemd brings systemd-analyze (service_unit.test); without systemd-sysv it
# does not become init.  logrotate and rsyslog run the service recipes
# (logrotate.test, rsyslog.test); the tests start private rsyslogd
# instances and touch no system configuration.  acl's setfacl gives
# header_acl.test its trees; lintian checks the package
# (scripts/build-deb.sh).
if ! apt-get install -y -q --no-install-recommends "linux-headers-$(uname -r)" 2>/dev/null; then
	echo "install-deps.sh: Debian has no linux-headers-$(uname -r);" \
		"installing linux-headers-amd64 (fine when the kernel has BTF)" >&2
	apt-get install -y -q --no-install-recommends linux-headers-amd64
fi
