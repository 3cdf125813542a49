#!/bin/sh
# Installs what bench/compare.py needs on Debian 12, as root: the project's
# own install script already brings the reference tools (bpfcc-tools,
# libbpf-tools), kernel headers, Python 3 and gnuplot.
exec sh "$(dirname "$0")/../scripts/install-deps.sh" "$@"
