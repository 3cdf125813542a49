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
 * Indexes of the per-CPU "drops" array: events the kernel side could not
 * deliver, counted where they happen so none goes unreported.
 */
#define TCPLIFE_DROP_PERF_FULL 0	/* perf buffer full: event lost */
#define TCPLIFE_DROP_BIRTH_FULL 1	/* session map full: not tracked */
#define TCPLIFE_DROP_OWNER_FULL 2	/* session map full: PID/COMM guessed */
#define TCPLIFE_DROP_NO_BUFFER 3	/* no perf buffer on that CPU: event lost */
#define TCPLIFE_NR_DROPS 4

/* tcplife_event.flags */
#define TCPLIFE_F_TASK_CACHED 0x1	/* pid/comm recorded in process context */
#define TCPLIFE_F_NO_START 0x2	/* opened before tracing: span unknown */
#define TCPLIFE_F_OPEN 0x4	/* not a close: the session is established */

/* tcplife_event.role: which handshake state the session was seen in */
#define TCPLIFE_ROLE_UNKNOWN 0	/* neither: open before tracing (-a) */
#define TCPLIFE_ROLE_CLIENT 1	/* SYN_SENT: it connected */
#define TCPLIFE_ROLE_SERVER 2	/* SYN_RECV: it was accepted */

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
