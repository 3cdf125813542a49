# wait_until_ SECONDS COMMAND...: runs COMMAND (a program or one of the
# caller's functions) every 0.1 s until it succeeds; returns 1 if it still
# has not after SECONDS (decimals allowed).  Every wait of the tests goes
# through here: none sleeps a guessed time, and none waits forever.
# Sourced by tests/init.sh and by the helper scripts that run outside a
# test too (tests/oracle.sh, run by make compare); WAIT_UNTIL_DEF_ holds
# the same definition as a string, for scripts run in private namespaces
# (in_private_mounts_).
WAIT_UNTIL_DEF_='wait_until_() {
	wu_end_=$(($(date +%s%3N) + $(echo "$1" | awk "{ printf \"%d\", \$1 * 1000 }")))
	shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$wu_end_" ] || return 1
		sleep 0.1
	done
}'
eval "$WAIT_UNTIL_DEF_"
