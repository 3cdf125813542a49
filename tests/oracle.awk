# Turns the kernel's record of sock:inet_sock_set_state (tracefs text, in
# time order: oracle.sh sets the global clock) into the TCP sessions that
# closed, one line each:
#   family laddr lport raddr rport role softirq
# role is client (born in SYN_SENT), server (born in SYN_RECV) or unknown
# (first seen ESTABLISHED); softirq is 1 when the close ran in softirq
# context (the trace's flags field has an "s").  A socket whose birth is
# not in the record (opened before it started) is no session here, as it
# is none of the tool's without -a.  Each socket is keyed by its own view
# of the 4-tuple; the kernel cannot reuse a tuple before its socket closed.
function field(name,    i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
/inet_sock_set_state:/ {
	if (field("protocol") != "IPPROTO_TCP")
		next
	fam = field("family") == "AF_INET6" ? 6 : 4
	if (fam == 4) {
		la = field("saddr"); ra = field("daddr")
	} else {
		la = field("saddrv6"); ra = field("daddrv6")
	}
	key = fam " " la " " field("sport") " " ra " " field("dport")
	st = field("newstate")
	if (st == "TCP_SYN_SENT" || st == "TCP_SYN_RECV") {
		open[key] = st == "TCP_SYN_SENT" ? "client" : "server"
	} else if (st == "TCP_ESTABLISHED" && !(key in open) &&
		   field("oldstate") != "TCP_LISTEN") {
		open[key] = "unknown"
	} else if (st == "TCP_CLOSE" && (key in open)) {
		# The flags field, e.g. "..s1.": s is softirq context.
		flags = ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /^\[[0-9]+\]$/) { flags = $(i + 1); break }
		print key, open[key], (flags ~ /s/ ? 1 : 0)
		delete open[key]
	}
}
