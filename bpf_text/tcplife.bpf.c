/*
 * tcplife-bcc's BPF program, in BCC's C dialect: one event per TCP session
 * that closes, with its lifespan, byte counters and owning task.
 *
 * User space specialises it with -D cflags rather than by editing the text:
 *   TCPLIFE_ATTACH_KPROBE       attach to tcp_set_state() instead of the
 *                               sock:inet_sock_set_state tracepoint
 *   TCPLIFE_ATTACH_TP_BTF       attach to inet_sock_set_state as a
 *                               BTF-typed tracepoint (tp_btf), reading the
 *                               socket's fields with plain loads
 *   TCPLIFE_ATTACH_RAW_TP       attach to the raw inet_sock_set_state
 *                               tracepoint, reading them with the helper;
 *                               for both, TCPLIFE_SK_*_OFFSET give the
 *                               offsets of struct sock's fields, from BTF
 *   TCPLIFE_RX_OFFSET, _TX_OFFSET, _RETRANS_OFFSET, _SRTT_OFFSET,
 *   TCPLIFE_SK_ERR_OFFSET, _SK_NET_OFFSET, _NET_INUM_OFFSET
 *                               byte offsets of tcp_sock.bytes_received,
 *                               .bytes_acked, .total_retrans, .srtt_us,
 *                               sock.sk_err, .__sk_common.skc_net and
 *                               net.ns.inum, taken from kernel BTF; when
 *                               absent, the kernel headers' layout is used
 *   TCPLIFE_NO_PROBE_READ_KERNEL
 *                               Linux before 5.5: read kernel memory with
 *                               bpf_probe_read, the only helper there was
 *   TCPLIFE_UAPI_COMPAT         definitions of the opaque uapi structs the
 *                               kernel headers need but libbcc's copy of
 *                               <linux/bpf.h> lacks (6.2+ headers)
 *   TCPLIFE_MAP_ENTRIES         capacity of the per-socket map
 *   TCPLIFE_UNTRACKED_ENTRIES   capacity of the untracked-session map
 *   TCPLIFE_PORT_WORDS          64-bit words in each port bitmap
 *   FILTER_PID, FILTER_FAMILY   keep only this PID / address family
 *   FILTER_UID, FILTER_NETNS    keep only this owner uid / namespace inode
 *   FILTER_FAILED               1: only sessions whose handshake never
 *                               completed; 0: only the others
 *   TCPLIFE_SESSION_FIELDS      also capture the owner's uid and cgroup,
 *                               and at the close the namespace, retransmits,
 *                               RTT and socket error: for -e, JSON, -u and
 *                               --netns only, so other runs do not pay
 *   FILTER_LPORT, FILTER_RPORT  keep only ports set in the bitmap maps,
 *                               which user space fills before attaching
 *   FILTER_CGROUP_ID, FILTER_CGROUP_LEVEL
 *                               keep only sessions whose owner is in this
 *                               cgroup v2 directory (at this depth) or below
 *   TCPLIFE_REPORT_UNBORN       also report sessions opened before tracing
 *   TCPLIFE_INTERIM             --interval: also send an event, flagged
 *                               TCPLIFE_F_OPEN, when a session becomes
 *                               established, so user space knows the
 *                               sessions it reads counters for
 */
#if defined(TCPLIFE_ATTACH_KPROBE) || !defined(TCPLIFE_RX_OFFSET) || \
	!defined(TCPLIFE_TX_OFFSET)
#ifdef TCPLIFE_UAPI_COMPAT
/*
 * Opaque structs of the kernel's uapi <linux/bpf.h> missing from libbcc's
 * own copy, which hides the kernel's; newer <linux/bpf.h> needs them.
 */
TCPLIFE_UAPI_COMPAT
#endif
/* These paths read kernel structs, so they need the headers anyway. */
#include <uapi/asm-generic/errno-base.h>
#include <uapi/linux/in.h>
#include <net/tcp_states.h>
#include <net/sock.h>
#include <linux/tcp.h>
#ifndef TCPLIFE_RX_OFFSET
#define TCPLIFE_RX_OFFSET offsetof(struct tcp_sock, bytes_received)
#define TCPLIFE_TX_OFFSET offsetof(struct tcp_sock, bytes_acked)
#define TCPLIFE_RETRANS_OFFSET offsetof(struct tcp_sock, total_retrans)
#define TCPLIFE_SRTT_OFFSET offsetof(struct tcp_sock, srtt_us)
#define TCPLIFE_SK_ERR_OFFSET offsetof(struct sock, sk_err)
#define TCPLIFE_SK_NET_OFFSET offsetof(struct sock, __sk_common.skc_net)
#define TCPLIFE_NET_INUM_OFFSET offsetof(struct net, ns.inum)
#endif
#else
/*
 * The common path (tracepoint, offsets from BTF) includes no kernel header
 * of its own: clang then spends about half as long.  These values are
 * kernel ABI and have never changed.
 */
#define ENOENT 2
#define E2BIG 7
#define IPPROTO_TCP 6
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT = 2,
	TCP_SYN_RECV = 3,
	TCP_FIN_WAIT1 = 4,
	TCP_CLOSE = 7,
	TCP_LAST_ACK = 9,
	TCP_LISTEN = 10,
};
#endif
#if !defined(TCPLIFE_MAP_ENTRIES) || !defined(TCPLIFE_PORT_WORDS) || \
	!defined(TCPLIFE_UNTRACKED_ENTRIES)
/* Defined once, in user space's map_sizes.h, and always passed in. */
#error "TCPLIFE_MAP_ENTRIES, TCPLIFE_UNTRACKED_ENTRIES and TCPLIFE_PORT_WORDS must be passed with -D"
#endif
#ifdef TCPLIFE_NO_PROBE_READ_KERNEL
#define tcplife_read_kernel bpf_probe_read
#else
#define tcplife_read_kernel bpf_probe_read_kernel
#endif

/*
 * Reads a member of struct sock proper, or of the struct net it points to.
 * Under tp_btf the socket argument is typed by BTF, so the verifier allows
 * a plain load (a fault reads as zero) and no helper is called: that is
 * most of what tp_btf saves over the raw tracepoint, whose argument is a
 * bare number.  The members of inet_sock and tcp_sock lie beyond struct
 * sock, where a typed pointer may not reach, so they always take the
 * helper (tcplife_read_kernel).
 */
#ifdef TCPLIFE_ATTACH_TP_BTF
#define KERNEL_LOAD(dst, addr) ((dst) = *(__typeof__(dst) *)(addr))
#else
#define KERNEL_LOAD(dst, addr) \
	tcplife_read_kernel(&(dst), sizeof(dst), (void *)(addr))
#endif

/*
 * What is known of a socket from its first state change to its close, held
 * in one map entry so that a state change costs one lookup or update.
 */
struct sock_state {
	u64 start_ns;		/* with SOCK_STARTED: the handshake began */
	u64 cgroup_id;		/* with SOCK_OWNED: the owning task, */
	u32 pid;		/* captured while it was current */
	u32 uid;
	u32 flags;
	char comm[TCPLIFE_COMM_LEN];
};
#define SOCK_STARTED 0x1
#define SOCK_OWNED 0x2
#define SOCK_IN_CGROUP 0x4	/* owner was inside FILTER_CGROUP_ID */
#define SOCK_CLIENT 0x8		/* SYN_SENT seen: it connected */
#define SOCK_SERVER 0x10	/* SYN_RECV seen: it was accepted */

/*
 * Whether the current task is in the cgroup or below: its ancestor at the
 * cgroup's depth is the cgroup itself.
 */
static __always_inline u32 current_in_cgroup(void)
{
#ifdef FILTER_CGROUP_ID
	return bpf_get_current_ancestor_cgroup_id(FILTER_CGROUP_LEVEL) ==
	       FILTER_CGROUP_ID;
#else
	return 1;
#endif
}

/* Keyed by the struct sock address, which is unique while the socket lives. */
BPF_HASH(socks, u64, struct sock_state, TCPLIFE_MAP_ENTRIES);
BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(drops, u64, TCPLIFE_NR_DROPS);

/*
 * Sockets whose state could not be stored (socks full), so that each such
 * session is counted once, at its close and after the filters, and rows
 * plus reported losses equal the sessions.  Sized in map_sizes.h; should
 * this map fill too, the socket is counted at once, unfiltered (an
 * overcount, never a silent loss).
 */
BPF_HASH(untracked, u64, u8, TCPLIFE_UNTRACKED_ENTRIES);

#ifdef FILTER_LPORT
BPF_ARRAY(lport_bitmap, u64, TCPLIFE_PORT_WORDS);
#endif
#ifdef FILTER_RPORT
BPF_ARRAY(rport_bitmap, u64, TCPLIFE_PORT_WORDS);
#endif

static __always_inline void count_drop(u32 kind)
{
	u64 *count = drops.lookup(&kind);

	if (count)
		(*count)++;	/* per-CPU: no other writer */
}

/* The session's start could not be stored: remember to count it. */
static __always_inline void mark_untracked(u64 skp)
{
	u8 one = 1;

	if (untracked.update(&skp, &one) < 0)
		count_drop(TCPLIFE_DROP_BIRTH_FULL);
}

/* bpf_get_current_cgroup_id() came in 4.18; the kprobe path serves older. */
static __always_inline u64 current_cgroup(void)
{
#if defined(TCPLIFE_ATTACH_KPROBE) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(4, 18, 0)
	return 0;
#else
	return bpf_get_current_cgroup_id();
#endif
}

static __always_inline void record_owner(struct sock_state *st)
{
	st->pid = bpf_get_current_pid_tgid() >> 32;
#ifdef TCPLIFE_SESSION_FIELDS
	st->uid = (u32)bpf_get_current_uid_gid();
	st->cgroup_id = current_cgroup();
#endif
	bpf_get_current_comm(&st->comm, sizeof(st->comm));
	st->flags |= SOCK_OWNED;
	if (current_in_cgroup())
		st->flags |= SOCK_IN_CGROUP;
}

/*
 * Handles every state change but the final one.
 *
 * SYN_SENT and SYN_RECV begin a socket's life as a session, so whatever is
 * stored for that address then is stale (its CLOSE was missed, e.g. a run
 * the kernel skipped) and is replaced: otherwise a new socket at a reused
 * address would inherit an old start and owner.  ESTABLISHED only records
 * a start if the handshake was not seen.
 *
 * SYN_SENT, FIN_WAIT1 and LAST_ACK are only ever entered from a system call
 * of the owning task (connect, close/shutdown), so the current task there is
 * the owner; the final CLOSE often runs in softirq context, where it is not.
 * The first owner recorded wins.
 *
 * An accepted socket is born in SYN_RECV without a call to tcp_set_state(),
 * so the kprobe first sees it going from SYN_RECV to ESTABLISHED: OLDSTATE
 * tells it is a server's.
 */
static __always_inline void note_state(u64 skp, int oldstate, int newstate)
{
	struct sock_state fresh = {}, *st;

	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV) {
		fresh.start_ns = bpf_ktime_get_ns();
		fresh.flags = SOCK_STARTED | (newstate == TCP_SYN_SENT ?
					      SOCK_CLIENT : SOCK_SERVER);
		if (newstate == TCP_SYN_SENT)
			record_owner(&fresh);
		if (socks.update(&skp, &fresh) == -E2BIG)
			mark_untracked(skp);
	} else if (newstate == TCP_ESTABLISHED) {
		st = socks.lookup(&skp);
		if (st) {
			if (!(st->flags & SOCK_STARTED)) {
				st->start_ns = bpf_ktime_get_ns();
				st->flags |= SOCK_STARTED;
			}
			return;
		}
		fresh.start_ns = bpf_ktime_get_ns();
		fresh.flags = SOCK_STARTED |
			      (oldstate == TCP_SYN_RECV ? SOCK_SERVER : 0);
		if (socks.insert(&skp, &fresh) == -E2BIG)
			mark_untracked(skp);
	} else if (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK) {
		st = socks.lookup(&skp);
		if (st) {
			if (!(st->flags & SOCK_OWNED))
				record_owner(st);
			return;
		}
		/*
		 * Not tracked: opened before we attached, or the map was
		 * full at its start.  Only the latter (counted at the close,
		 * where the owner lets the filters apply) and -a's rows need
		 * the owner.  A guessed owner is counted once, for a row.
		 */
#ifndef TCPLIFE_REPORT_UNBORN
		if (!untracked.lookup(&skp))
			return;
#endif
		record_owner(&fresh);
		if (socks.insert(&skp, &fresh) == -E2BIG &&
		    !untracked.lookup(&skp))
			count_drop(TCPLIFE_DROP_OWNER_FULL);
	}
}

/* What finish_session decided. */
#define SESSION_SKIP 0		/* not a session we report */
#define SESSION_ROW 1		/* send the event */
#define SESSION_UNTRACKED 2	/* ours but its start was not stored: count */

/*
 * At the close: forget the socket, and fill the parts of the event that do
 * not depend on how we attached.
 */
static __always_inline int finish_session(u64 skp, int oldstate,
					  struct tcplife_event *ev)
{
	struct sock_state st = {}, *found = socks.lookup(&skp);
	int verdict = SESSION_ROW;
	u64 now;

	if (found) {
		st = *found;
		socks.delete(&skp);
	}
	/* Only a socket with no start can be marked: one lookup per close. */
	if (!(st.flags & SOCK_STARTED) && untracked.delete(&skp) == 0) {
#ifdef TCPLIFE_REPORT_UNBORN
		/* Still a row, with its span unknown. */
		ev->flags |= TCPLIFE_F_NO_START;
#else
		verdict = SESSION_UNTRACKED;
#endif
	} else if (!(st.flags & SOCK_STARTED)) {
#ifdef TCPLIFE_REPORT_UNBORN
		/* Opened before we attached; a listener is no session. */
		if (oldstate == TCP_LISTEN || oldstate == TCP_CLOSE)
			return SESSION_SKIP;
		ev->flags |= TCPLIFE_F_NO_START;
#else
		/* Opened before we attached: no lifespan to report. */
		return SESSION_SKIP;
#endif
	}
	now = bpf_ktime_get_ns();
	ev->end_ns = now;
	if (st.flags & SOCK_STARTED)
		ev->span_ns = now - st.start_ns;
	ev->last_state = oldstate;
#ifdef FILTER_FAILED
	if ((oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV) !=
	    FILTER_FAILED)
		return SESSION_SKIP;
#endif

	if (st.flags & SOCK_CLIENT)
		ev->role = TCPLIFE_ROLE_CLIENT;
	else if (st.flags & SOCK_SERVER)
		ev->role = TCPLIFE_ROLE_SERVER;
	if (st.flags & SOCK_OWNED) {
		ev->pid = st.pid;
		ev->uid = st.uid;
		ev->cgroup_id = st.cgroup_id;
		__builtin_memcpy(ev->comm, st.comm, sizeof(ev->comm));
		ev->flags |= TCPLIFE_F_TASK_CACHED;
	} else if (verdict == SESSION_UNTRACKED) {
		/* Owner unknown: the filters below cannot exclude it. */
		return verdict;
	} else {
		/* The same guess for all four: the task current now. */
		ev->pid = bpf_get_current_pid_tgid() >> 32;
#ifdef TCPLIFE_SESSION_FIELDS
		ev->uid = (u32)bpf_get_current_uid_gid();
		ev->cgroup_id = current_cgroup();
#endif
		bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
		/*
		 * The current task here may be whoever the softirq
		 * interrupted, so it says nothing about the owner's cgroup.
		 */
	}
#ifdef FILTER_PID
	if (ev->pid != FILTER_PID)
		return SESSION_SKIP;
#endif
#ifdef FILTER_UID
	if (ev->uid != FILTER_UID)
		return SESSION_SKIP;
#endif
#ifdef FILTER_CGROUP_ID
	if (!(st.flags & SOCK_IN_CGROUP))
		return SESSION_SKIP;
#endif
	return verdict;
}

#ifdef TCPLIFE_INTERIM
/*
 * An established session, announced to user space (--interval), which
 * then reads its counters through socket diagnostics while it lives.  The
 * owner filters apply when the owner is known; an accepted socket's owner
 * is not known before its close, so with an owner filter it is not
 * announced and only its close is reported.
 */
static __always_inline int open_session(u64 skp, struct tcplife_event *ev)
{
	struct sock_state *st = socks.lookup(&skp);
	u64 now = bpf_ktime_get_ns();

	if (!st)
		return SESSION_SKIP;	/* not tracked: the map was full */
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->flags = TCPLIFE_F_OPEN;
	ev->end_ns = now;
	ev->span_ns = now - st->start_ns;
	ev->last_state = TCP_ESTABLISHED;
	if (st->flags & SOCK_CLIENT)
		ev->role = TCPLIFE_ROLE_CLIENT;
	else if (st->flags & SOCK_SERVER)
		ev->role = TCPLIFE_ROLE_SERVER;
	if (st->flags & SOCK_OWNED) {
		ev->pid = st->pid;
		ev->uid = st->uid;
		ev->cgroup_id = st->cgroup_id;
		__builtin_memcpy(ev->comm, st->comm, sizeof(ev->comm));
		ev->flags |= TCPLIFE_F_TASK_CACHED;
	} else {
#if defined(FILTER_PID) || defined(FILTER_UID) || defined(FILTER_CGROUP_ID)
		return SESSION_SKIP;
#endif
	}
#ifdef FILTER_FAILED
	if (FILTER_FAILED)
		return SESSION_SKIP;	/* established: never a failed one */
#endif
#ifdef FILTER_PID
	if (ev->pid != FILTER_PID)
		return SESSION_SKIP;
#endif
#ifdef FILTER_UID
	if (ev->uid != FILTER_UID)
		return SESSION_SKIP;
#endif
#ifdef FILTER_CGROUP_ID
	if (!(st->flags & SOCK_IN_CGROUP))
		return SESSION_SKIP;
#endif
	return SESSION_ROW;
}
#endif

/* Port filters; the bitmaps hold one bit per port number. */
static __always_inline int ports_wanted(u16 lport, u16 rport)
{
#ifdef FILTER_LPORT
	u32 lword = lport >> 6;
	u64 *lbits = lport_bitmap.lookup(&lword);

	if (!lbits || !((*lbits >> (lport & 63)) & 1))
		return 0;
#endif
#ifdef FILTER_RPORT
	u32 rword = rport >> 6;
	u64 *rbits = rport_bitmap.lookup(&rword);

	if (!rbits || !((*rbits >> (rport & 63)) & 1))
		return 0;
#endif
	return 1;
}

#ifdef TCPLIFE_SESSION_FIELDS
/*
 * The fields read at the close besides the byte counters; 0 when the
 * namespace filter rejects the socket.  sk_err is read in the run that
 * sees the close: the kernel sets it before closing on a reset or a
 * timeout, and only the owner's next system call clears it.
 */
static __always_inline int read_session_fields(u64 skp,
					       struct tcplife_event *ev)
{
	u64 net = 0;
	u32 srtt = 0;
	int err = 0;

	KERNEL_LOAD(net, skp + TCPLIFE_SK_NET_OFFSET);
	KERNEL_LOAD(ev->netns, net + TCPLIFE_NET_INUM_OFFSET);
#ifdef FILTER_NETNS
	if (ev->netns != FILTER_NETNS)
		return 0;
#endif
	tcplife_read_kernel(&ev->retrans, sizeof(ev->retrans),
			    (void *)(skp + TCPLIFE_RETRANS_OFFSET));
	tcplife_read_kernel(&srtt, sizeof(srtt),
			    (void *)(skp + TCPLIFE_SRTT_OFFSET));
	ev->srtt_us = srtt >> 3;	/* the kernel keeps 8 times the RTT */
	KERNEL_LOAD(err, skp + TCPLIFE_SK_ERR_OFFSET);
	ev->sk_err = err;
	return 1;
}
#endif

/*
 * The end of every path: the family, port and namespace filters, the
 * counters read as late as possible, and the event sent (or its loss
 * counted).
 */
static __always_inline void submit_session(void *ctx, u64 skp,
					   struct tcplife_event *ev, int verdict)
{
	int err;

#ifdef FILTER_FAMILY
	if (ev->family != FILTER_FAMILY)
		return;
#endif
	if (!ports_wanted(ev->lport, ev->rport))
		return;
#ifdef TCPLIFE_SESSION_FIELDS
	if (!read_session_fields(skp, ev))
		return;
#endif
	if (verdict == SESSION_UNTRACKED) {
		count_drop(TCPLIFE_DROP_BIRTH_FULL);
		return;
	}
	tcplife_read_kernel(&ev->rx_bytes, sizeof(ev->rx_bytes),
			    (void *)(skp + TCPLIFE_RX_OFFSET));
	tcplife_read_kernel(&ev->tx_bytes, sizeof(ev->tx_bytes),
			    (void *)(skp + TCPLIFE_TX_OFFSET));
	err = events.perf_submit(ctx, ev, sizeof(*ev));
	/*
	 * No buffer for this CPU: it came online after user space opened
	 * one per online CPU (and, privileges dropped, it cannot open more).
	 */
	if (err == -ENOENT || err == -E2BIG)
		count_drop(TCPLIFE_DROP_NO_BUFFER);
	else if (err < 0)
		count_drop(TCPLIFE_DROP_PERF_FULL);
}

/*
 * What every entry does first with a state change: note it, or at the
 * close decide about the session and fill EV's method-independent part.
 * EV is zeroed only here, on the close path: at the top of an entry the
 * zeroing would run for every state change, most of which send nothing.
 * The entry then adds the endpoints, as it reads them, and submits.
 */
static __always_inline int session_change(u64 skp, int oldstate,
					  int newstate,
					  struct tcplife_event *ev)
{
	if (newstate != TCP_CLOSE) {
		note_state(skp, oldstate, newstate);
#ifdef TCPLIFE_INTERIM
		if (newstate == TCP_ESTABLISHED)
			return open_session(skp, ev);
#endif
		return SESSION_SKIP;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	return finish_session(skp, oldstate, ev);
}

#if defined(TCPLIFE_ATTACH_RAW_TP) || defined(TCPLIFE_ATTACH_TP_BTF)

/*
 * Both entries get the socket itself and read its fields at offsets from
 * kernel BTF (see KERNEL_LOAD).
 */
#define SK_FIELD(field) (skp + TCPLIFE_SK_##field##_OFFSET)

/* An IPv6 address of struct sock: two loads, or one helper call. */
static __always_inline void sock_load_in6(u8 *dst, u64 addr)
{
#ifdef TCPLIFE_ATTACH_TP_BTF
	u64 half[2];

	KERNEL_LOAD(half[0], addr);
	KERNEL_LOAD(half[1], addr + 8);
	__builtin_memcpy(dst, half, 16);
#else
	tcplife_read_kernel(dst, 16, (void *)addr);
#endif
}

/* TP_PROTO(const struct sock *sk, const int oldstate, const int newstate) */
static __always_inline int on_sock_state(void *ctx, u64 skp, int oldstate,
					 int newstate)
{
	struct tcplife_event ev;
	u16 protocol = 0, sport = 0, dport = 0;
	u32 daddr = 0;
	int verdict;

	KERNEL_LOAD(protocol, SK_FIELD(PROTOCOL));
	if (protocol != IPPROTO_TCP)
		return 0;
	verdict = session_change(skp, oldstate, newstate, &ev);
	if (verdict == SESSION_SKIP)
		return 0;

	KERNEL_LOAD(ev.family, SK_FIELD(FAMILY));
	KERNEL_LOAD(dport, SK_FIELD(DPORT));
	/* inet_sock's: the tracepoint's own sources. */
	tcplife_read_kernel(&sport, sizeof(sport), (void *)SK_FIELD(SPORT));
	/* Network byte order; the event has the host's. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	ev.lport = __builtin_bswap16(sport);
	ev.rport = __builtin_bswap16(dport);
#else
	ev.lport = sport;
	ev.rport = dport;
#endif
	if (ev.family == TCPLIFE_AF_INET) {
		tcplife_read_kernel(ev.laddr, 4, (void *)SK_FIELD(SADDR));
		KERNEL_LOAD(daddr, SK_FIELD(DADDR));
		__builtin_memcpy(ev.raddr, &daddr, 4);
	} else {
		sock_load_in6(ev.laddr, SK_FIELD(V6_SADDR));
		sock_load_in6(ev.raddr, SK_FIELD(V6_DADDR));
	}
	submit_session(ctx, skp, &ev, verdict);
	return 0;
}

#ifdef TCPLIFE_ATTACH_TP_BTF
/*
 * A BTF-typed tracepoint (tp_btf): user space loads it as a tracing
 * program bound to the tracepoint's BTF type.  Its context is the
 * arguments, one u64 each.
 */
int tp_btf__inet_sock_set_state(u64 *ctx)
{
	return on_sock_state(ctx, ctx[0], (int)ctx[1], (int)ctx[2]);
}
#else
RAW_TRACEPOINT_PROBE(inet_sock_set_state)
{
	return on_sock_state(ctx, ctx->args[0], (int)ctx->args[1],
			     (int)ctx->args[2]);
}
#endif

#elif !defined(TCPLIFE_ATTACH_KPROBE)

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
	u64 skp = (u64)args->skaddr;
	struct tcplife_event ev;
	int verdict;

	if (args->protocol != IPPROTO_TCP)
		return 0;
	verdict = session_change(skp, args->oldstate, args->newstate, &ev);
	if (verdict == SESSION_SKIP)
		return 0;

	ev.family = args->family;
	ev.lport = args->sport;
	ev.rport = args->dport;
	if (ev.family == TCPLIFE_AF_INET) {
		__builtin_memcpy(ev.laddr, args->saddr, 4);
		__builtin_memcpy(ev.raddr, args->daddr, 4);
	} else {
		__builtin_memcpy(ev.laddr, args->saddr_v6, 16);
		__builtin_memcpy(ev.raddr, args->daddr_v6, 16);
	}
	submit_session(args, skp, &ev, verdict);
	return 0;
}

#else /* TCPLIFE_ATTACH_KPROBE: kernels before 4.16 have no tracepoint */

int on_tcp_set_state(struct pt_regs *ctx, struct sock *sk, int state)
{
	struct tcplife_event ev;
	u64 skp = (u64)sk;
	int verdict;
	/* Not changed yet at tcp_set_state()'s entry: the old state. */
	int oldstate = sk->__sk_common.skc_state;

	verdict = session_change(skp, oldstate, state, &ev);
	if (verdict == SESSION_SKIP)
		return 0;

	/*
	 * Each sk-> read is its own statement: BCC turns them into
	 * bpf_probe_read() calls, but not inside a macro's arguments.
	 */
	u16 dport = sk->__sk_common.skc_dport;

	ev.family = sk->__sk_common.skc_family;
	ev.lport = sk->__sk_common.skc_num;
	ev.rport = ntohs(dport);
	if (ev.family == TCPLIFE_AF_INET) {
		tcplife_read_kernel(ev.laddr, 4,
				    &sk->__sk_common.skc_rcv_saddr);
		tcplife_read_kernel(ev.raddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		tcplife_read_kernel(ev.laddr, 16,
				    &sk->__sk_common.skc_v6_rcv_saddr);
		tcplife_read_kernel(ev.raddr, 16,
				    &sk->__sk_common.skc_v6_daddr);
	}
	submit_session(ctx, skp, &ev, verdict);
	return 0;
}

#endif
