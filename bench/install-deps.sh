#!/bin/sh
# Installs what bench/compare.py needs on Debian 12, as root: the reference
# tools, kernel headers for tcplife-bpfcc, Python 3 and gnuplot.
set -eu
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get needs it)" >&2
	exit 1
fi
apt-get update -q
# bpfcc-tools: tcplife-bpfcc; libbpf-tools: the CO-RE tcplife.
apt-get install -y -q --no-install-recommends \
	bpfcc-tools python3-bpfcc libbpf-tools \
	python3 gnuplot-nox util-linux coreutils
# tcplife-bpfcc compiles against headers: the running kernel's when Debian
# has them, else Debian's current ones (the comparison then shows what
# that does to its numbers).
release=$(uname -r)
arch=$(dpkg --print-architecture)
if ! apt-get install -y -q --no-install-recommends "linux-headers-$release" 2>/dev/null; then
	apt-get install -y -q --no-install-recommends "linux-headers-$arch"
fi
