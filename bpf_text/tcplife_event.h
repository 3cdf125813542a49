/* The record a closed TCP session sends from the BPF program to user space. */
#ifndef TCPLIFE_EVENT_H
#define TCPLIFE_EVENT_H

/*
 * This header is compiled twice: by libbcc at run time, as part of the BPF
 * text (kernel headers provide the __u types there), and by the C compiler
 * for user space.  Keep it free of anything but fixed-size types.
 */
#ifndef __KERNEL__
#include <linux/types.h>
#endif

#define TCPLIFE_COMM_LEN 16

/* Values of tcplife_event.family; the kernel's AF_INET and AF_INET6. */
#define TCPLIFE_AF_INET 2
#define TCPLIFE_AF_INET6 10

/*
 * Indexes of the per-CPU "drops" array.  The first TCPLIFE_NR_DROPS are
 * losses: events the kernel side could not deliver, counted where they
 * happen so none goes unreported.  The rest count what the program did
 * with each close it handled, so that user space can check an identity:
 * closes = rows sent + filtered + not ours + untracked + perf full + no
 * buffer, and rows sent = rows received.
 */
#define TCPLIFE_DROP_PERF_FULL 0	/* perf buffer full: event lost */
#define TCPLIFE_DROP_BIRTH_FULL 1	/* session map full: not tracked */
#define TCPLIFE_DROP_OWNER_FULL 2	/* session map full: PID/COMM guessed */
#define TCPLIFE_DROP_NO_BUFFER 3	/* no perf buffer on that CPU: event lost */
#define TCPLIFE_DROP_MISSED_CLOSE 4	/* a new session found the last one's
					   entry at its address: that close
					   never reached the program */
#define TCPLIFE_NR_DROPS 5
#define TCPLIFE_OUT_CLOSES 5		/* TCP closes the program handled */
#define TCPLIFE_OUT_ROWS 6		/* events sent */
#define TCPLIFE_OUT_FILTERED 7		/* sessions the filters left out */
#define TCPLIFE_OUT_NOT_OURS 8		/* no session began while tracing:
					   opened before, or a listener */
#define TCPLIFE_OUT_UNTRACKED 9		/* closes of untracked sessions */
#define TCPLIFE_NR_COUNTS 10

/*
 * What is known of a socket from its first state change to its close, held
 * in one map entry ("socks", keyed by the struct sock address) so that a
 * state change costs one lookup or update.  User space reads the entries
 * left when it stops: sessions begun while tracing that had not closed.
 */
struct sock_state {
	__u64 start_ns;		/* with SOCK_STARTED: the handshake began */
	__u64 cgroup_id;	/* with SOCK_OWNED: the owning task, */
	__u32 pid;		/* captured while it was current */
	__u32 uid;
	__u32 flags;
	__u32 handshake_us;	/* first handshake state to ESTABLISHED */
	/*
	 * From ESTABLISHED on: the kernel's bytes of skc_portpair (the
	 * remote port in network order, then the local port in the host's)
	 * and the namespace, so that user space can tell, at the stop,
	 * whether an entry's socket still exists (open_sessions.c).  0:
	 * not established yet.
	 */
	__u32 portpair;
	__u32 netns;
	char comm[TCPLIFE_COMM_LEN];
};
#define SOCK_STARTED 0x1
#define SOCK_OWNED 0x2
#define SOCK_IN_CGROUP 0x4	/* owner was inside the --cgroup cgroup */
#define SOCK_CLIENT 0x8		/* SYN_SENT seen: it connected */
#define SOCK_SERVER 0x10	/* SYN_RECV seen: it was accepted */

/* tcplife_event.flags */
#define TCPLIFE_F_TASK_CACHED 0x1	/* pid/comm recorded in process context */
#define TCPLIFE_F_NO_START 0x2	/* opened before tracing: span unknown */
#define TCPLIFE_F_OPEN 0x4	/* not a close: the session is established */

/* tcplife_event.role: which handshake state the session was seen in */
#define TCPLIFE_ROLE_UNKNOWN 0	/* neither: open before tracing (-a) */
#define TCPLIFE_ROLE_CLIENT 1	/* SYN_SENT: it connected */
#define TCPLIFE_ROLE_SERVER 2	/* SYN_RECV: it was accepted */

/*
 * tcplife_config.mask: which filters were given, one bit each (filters.c's
 * table names the bit of each option).  Every filter is compiled in and
 * tests its bit, so the options never change the program.
 */
#define TCPLIFE_FILTER_PID 0x1
#define TCPLIFE_FILTER_UID 0x2
#define TCPLIFE_FILTER_LPORT 0x4
#define TCPLIFE_FILTER_RPORT 0x8
#define TCPLIFE_FILTER_FAMILY 0x10
#define TCPLIFE_FILTER_NETNS 0x20
#define TCPLIFE_FILTER_FAILED 0x40
#define TCPLIFE_FILTER_ROLE 0x80
#define TCPLIFE_FILTER_CGROUP 0x100

/*
 * The filters: which were given and their values, in the one entry of the
 * "config" array map that user space fills before attaching, so one
 * compiled (and cached) program serves every filter and value.  Listed
 * once, for the struct and --ebpf's printout; larger members first, so
 * the struct has no holes.
 */
#define TCPLIFE_CONFIG_MEMBERS(X)					\
	X(__u64, cgroup_id)	/* CGROUP: this cgroup v2 or below */	\
	X(__u32, cgroup_level)	/* its depth below the root */		\
	X(__u32, mask)		/* TCPLIFE_FILTER_* given */		\
	X(__u32, pid)		/* PID */				\
	X(__u32, uid)		/* UID */				\
	X(__u32, netns)		/* NETNS: namespace inode */		\
	X(__u16, family)	/* FAMILY: TCPLIFE_AF_* */		\
	X(__u8, failed)		/* FAILED: 1 only failed, 0 none */	\
	X(__u8, role)		/* ROLE: TCPLIFE_ROLE_* */

struct tcplife_config {
#define TCPLIFE_CONFIG_MEMBER(type, name) type name;
	TCPLIFE_CONFIG_MEMBERS(TCPLIFE_CONFIG_MEMBER)
#undef TCPLIFE_CONFIG_MEMBER
};

struct tcplife_event {
	__u64 end_ns;		/* bpf_ktime_get_ns() at the close */
	__u64 span_ns;		/* close minus first handshake state */
	__u64 rx_bytes;		/* tcp_sock.bytes_received */
	__u64 tx_bytes;		/* tcp_sock.bytes_acked */
	__u64 cgroup_id;	/* the owner's cgroup v2 id */
	__u32 pid;
	__u32 uid;		/* the owner's, captured with the PID */
	__u32 netns;		/* inode of the socket's network namespace */
	__u32 retrans;		/* tcp_sock.total_retrans at the close */
	__u32 srtt_us;		/* tcp_sock.srtt_us >> 3 at the close */
	__u32 min_rtt_us;	/* tcp_sock.rtt_min's windowed minimum */
	__u32 handshake_us;	/* SYN_SENT/SYN_RECV to ESTABLISHED; 0: unseen */
	__u16 family;
	__u16 lport;		/* host byte order */
	__u16 rport;		/* host byte order */
	__u16 flags;
	__u8 role;		/* TCPLIFE_ROLE_* */
	__u8 last_state;	/* the TCP state the close came from */
	__u16 sk_err;		/* sock.sk_err at the close: errno or 0 */
	__u8 laddr[16];		/* IPv4 uses the first 4 bytes */
	__u8 raddr[16];
	char comm[TCPLIFE_COMM_LEN];
};

#endif
