/* The session fields, each described once; everything else derives from it. */
#ifndef TCPLIFE_FIELDS_H
#define TCPLIFE_FIELDS_H

/*
 * X-macro lists, shared by user space (the BTF lookup, the formatter, the
 * help) and by the BPF text, in which this file is embedded ahead of
 * tcplife_event.h.  Only token lists live here: each reader defines X for
 * what it needs, so nothing in this file costs the BPF compile more than
 * parsing these lines.
 *
 * Kernel members read at byte offsets.  With kernel BTF user space finds
 * each one and passes it as -DTCPLIFE_<ID>_OFFSET=N; without, the BPF
 * text takes offsetof(struct STRUCT, PATH) from the kernel headers.
 *
 *   X(ID, STRUCT, PATH, SIZE, ZERO_OK)
 *     PATH     dotted member path; "name[N]" steps into an array element
 *     SIZE     the member's size in bytes, checked against BTF
 *     ZERO_OK  1 when offset 0 is a real place for it (a struct's first
 *              member); for the others a cached 0 means a bad cache entry
 *
 * TCPLIFE_TCP_FIELDS are read by every attach method.
 */
#define TCPLIFE_TCP_FIELDS(X)						\
	X(RX, tcp_sock, bytes_received, 8, 0)				\
	X(TX, tcp_sock, bytes_acked, 8, 0)				\
	X(RETRANS, tcp_sock, total_retrans, 4, 0)			\
	X(SRTT, tcp_sock, srtt_us, 4, 0)				\
	X(MIN_RTT, tcp_sock, rtt_min.s[0].v, 4, 0)			\
	X(SK_ERR, sock, sk_err, 4, 0)					\
	X(SK_NET, sock, __sk_common.skc_net, 8, 0)			\
	X(SK_PORTPAIR, sock, __sk_common.skc_portpair, 4, 0)		\
	X(NET_INUM, net, ns.inum, 4, 1)

/*
 * What the tracepoint reports, read by the raw and BTF-typed tracepoint
 * entries from the socket itself, where the tracepoint takes it: the
 * local port and IPv4 address from inet_sock (skc_num is already 0 when a
 * socket that did not bind() closes).  struct sock is inet_sock's first
 * member, so all of these may lie at offset 0.  They have no headers
 * fallback: BTF lacking one (before Linux 5.6 sk_protocol was a bitfield)
 * only rules those methods out.
 */
#define TCPLIFE_SOCK_FIELDS(X)						\
	X(SK_PROTOCOL, sock, sk_protocol, 2, 1)				\
	X(SK_FAMILY, sock, __sk_common.skc_family, 2, 1)		\
	X(SK_SPORT, inet_sock, inet_sport, 2, 1)			\
	X(SK_DPORT, sock, __sk_common.skc_dport, 2, 1)			\
	X(SK_SADDR, inet_sock, inet_saddr, 4, 1)			\
	X(SK_DADDR, sock, __sk_common.skc_daddr, 4, 1)			\
	X(SK_V6_SADDR, sock, __sk_common.skc_v6_rcv_saddr, 16, 1)	\
	X(SK_V6_DADDR, sock, __sk_common.skc_v6_daddr, 16, 1)

/*
 * TCP fields copied as they are into an event member of the same size,
 * at the close, when the session fields are read (-e, JSON, -u, --netns):
 *   X(ID, MEMBER, UNSET)
 * UNSET is the value by which the kernel says it has none yet; the event
 * then carries 0.  A field needing more than a copy (srtt_us is kept
 * times 8, the namespace is behind a pointer) is read by name in the BPF
 * text.
 */
#define TCPLIFE_COPIED_FIELDS(X)					\
	X(RETRANS, retrans, 0)						\
	X(MIN_RTT, min_rtt_us, 0xffffffff)

/*
 * The output columns, in output order; JSON's order is the man page's
 * schema, and tests/fields.test holds the man page to this list.
 *   COL(HEADER, JSON_KEY, W_DEFAULT, W_WIDE, LAYOUTS, WHEN, PRINT)
 *   NUM(HEADER, JSON_KEY, W_DEFAULT, W_WIDE, LAYOUTS, WHEN, MEMBER)
 * HEADER is the text and CSV header (NULL: JSON only), JSON_KEY NULL for
 * text only.  Widths are the default and -w layouts' printf widths:
 * negative is left-aligned, 0 not in that layout; the last column shown
 * is never padded.  LAYOUTS is a mask of IN_*, WHEN one of WHEN_* (0:
 * always; WHEN_EXTENDED: with -e, and always in JSON; WHEN_TYPED: with
 * --interval, whose records carry a type).  PRINT is the
 * value's printer in format_values.c; NUM prints the unsigned event
 * MEMBER as a decimal.
 */
#define TCPLIFE_COLUMNS(COL, NUM)					\
	COL("TYPE", "type", -7, -7, IN_ALL, WHEN_TYPED, val_type)	\
	COL(NULL, "session_id", 0, 0, IN_JSON, WHEN_TYPED, val_session_id) \
	COL(NULL, "time", 0, 0, IN_JSON, WHEN_TYPED, val_record_time)	\
	COL("TIME", NULL, -8, -8, IN_TEXT, WHEN_TIME, val_time)		\
	COL("TIME(s)", NULL, -9, -9, IN_TEXT, WHEN_TIMESTAMP,		\
	    val_timestamp)						\
	COL(NULL, "start_time", 0, 0, IN_JSON, 0, val_start_time)	\
	COL(NULL, "end_time", 0, 0, IN_JSON, 0, val_end_time)		\
	COL(NULL, "duration_us", 0, 0, IN_JSON, 0, val_duration_us)	\
	COL(NULL, "open_before_trace", 0, 0, IN_JSON, 0, val_open_before) \
	COL("PID", "pid", -5, -5, IN_ALL, 0, val_pid)			\
	COL("COMM", "comm", -10, -16, IN_ALL, 0, val_comm)		\
	COL("IP", "family", 0, -2, IN_ALL & ~IN_DEFAULT, 0, val_family)	\
	COL("LADDR", "laddr", -15, -39, IN_ALL, 0, val_laddr)		\
	NUM("LPORT", "lport", -5, -5, IN_ALL, 0, lport)			\
	COL("RADDR", "raddr", -15, -39, IN_ALL, 0, val_raddr)		\
	NUM("RPORT", "rport", -5, -5, IN_ALL, 0, rport)			\
	COL("TX_KB", NULL, 5, 6, IN_TEXT, 0, val_tx_kb)			\
	COL("RX_KB", NULL, 5, 6, IN_TEXT, 0, val_rx_kb)			\
	NUM(NULL, "tx_bytes", 0, 0, IN_JSON, 0, tx_bytes)		\
	NUM(NULL, "rx_bytes", 0, 0, IN_JSON, 0, rx_bytes)		\
	COL(NULL, "tx_delta", 0, 0, IN_JSON, WHEN_TYPED, val_tx_delta)	\
	COL(NULL, "rx_delta", 0, 0, IN_JSON, WHEN_TYPED, val_rx_delta)	\
	COL("MS", NULL, -8, -8, IN_TEXT, 0, val_ms)			\
	COL("ROLE", "role", -6, -6, IN_ALL, WHEN_EXTENDED, val_role)	\
	COL(NULL, "failed", 0, 0, IN_JSON, 0, val_failed)		\
	COL("END", "end_reason", -7, -7, IN_ALL, WHEN_EXTENDED, val_end) \
	COL("ERRNO", "errno", -12, -12, IN_ALL, WHEN_EXTENDED, val_errno) \
	NUM("RETRANS", "retransmits", 7, 7, IN_ALL, WHEN_EXTENDED, retrans) \
	NUM("SRTT_US", "srtt_us", 8, 8, IN_ALL, WHEN_EXTENDED, srtt_us)	\
	NUM("MIN_RTT_US", "min_rtt_us", 10, 10, IN_ALL, WHEN_EXTENDED,	\
	    min_rtt_us)							\
	NUM("HANDSHAKE_US", "handshake_us", 12, 12, IN_ALL, WHEN_EXTENDED, \
	    handshake_us)						\
	NUM("UID", "uid", 6, 6, IN_ALL, WHEN_EXTENDED, uid)		\
	NUM("NETNS", "netns", 10, 10, IN_ALL, WHEN_EXTENDED, netns)	\
	NUM(NULL, "cgroup_id", 0, 0, IN_JSON, 0, cgroup_id)		\
	COL("CGROUP", "cgroup", -8, -8, IN_ALL, WHEN_EXTENDED, val_cgroup)

#endif
