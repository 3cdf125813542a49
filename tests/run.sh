#!/bin/sh
# Runs one test, bounded in time: the automake log compiler for every test.
# After TEST_TIMEOUT seconds (default 600) the test's whole process group
# gets SIGTERM (init.sh then cleans up), and SIGKILL 10 s later if it is
# still there; the test then fails with status 124 or 137.
: "${TEST_TIMEOUT:=600}"
if timeout --version > /dev/null 2>&1; then
	exec timeout -k 10 "$TEST_TIMEOUT" "$@"
fi
echo "${0##*/}: timeout(1) is missing: tests run unbounded" >&2
exec "$@"
