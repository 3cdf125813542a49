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
 *   TCPLIFE_<ID>_OFFSET         byte offsets of the kernel members in
 *                               tcplife_fields.h's TCPLIFE_TCP_FIELDS (and,
 *                               for the two above, _SOCK_FIELDS), taken
 *                               from kernel BTF; when absent, the kernel
 *                               headers' layout is used
 *   TCPLIFE_NO_PROBE_READ_KERNEL
 *                               Linux before 5.5: read kernel memory with
 *                               bpf_probe_read, the only helper there was
 *   TCPLIFE_UAPI_COMPAT         definitions of the opaque uapi structs the
 *                               kernel headers need but libbcc's copy of
 *                               <linux/bpf.h> lacks (6.2+ headers)
 *   TCPLIFE_MAP_ENTRIES         capacity of the per-socket map
 *   TCPLIFE_UNTRACKED_ENTRIES   capacity of the untracked-session map
 *   TCPLIFE_PORT_WORDS          64-bit words in each port bitmap
 *   TCPLIFE_SESSION_FIELDS      also capture the owner's uid and cgroup and
 *                               the handshake's time, and at the close the
 *                               namespace, retransmits, RTTs and socket
 *                               error: for -e and JSON only, so other runs
 *                               do not pay (the -u and --netns filters
 *                               read what they need when given)
 *   TCPLIFE_FILTER_CGROUP_OK    the kernel has the helper --cgroup needs
 *                               (bpf_get_current_ancestor_cgroup_id): its
 *                               test is compiled in; a flag of the kernel,
 *                               not of the options
 *   TCPLIFE_REPORT_UNBORN       also report sessions opened before tracing
 *   TCPLIFE_INTERIM             --interval: also send an event, flagged
 *                               TCPLIFE_F_OPEN, when a session becomes
 *                               established, so user space knows the
 *                               sessions it reads counters for
 *
 * The filters (-p, -u, -L, -D, -4, -6, --netns, --failed, --role,
 * --cgroup) are not -D flags: every one is compiled in, and the config
 * map's entry (struct tcplife_config), which user space fills before
 * attaching, says which were given (its mask) and their values, so one
 * compiled and cached program serves every filter and value.
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
/* No offsets from BTF: the headers' layout of the field table's members. */
enum {
#define HEADERS_OFFSET(id, type, path, size, zero_ok) \
	TCPLIFE_##id##_OFFSET = offsetof(struct type, path),
	TCPLIFE_TCP_FIELDS(HEADERS_OFFSET)
#undef HEADERS_OFFSET
};
#endif
#else
/*
 * The common path (tracepoint, offsets from BTF) includes no kernel header
 * of its own: clang then spends about half as long.  These values are
 * kernel ABI and have never changed.
 */
#define ENOENT 2
#define E2BIG 7
#define EEXIST 17
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

/* struct sock_state, the per-socket entry, is in tcplife_event.h. */

/* Keyed by the struct sock address, which is unique while the socket lives. */
BPF_HASH(socks, u64, struct sock_state, TCPLIFE_MAP_ENTRIES);
BPF_ARRAY(config, struct tcplife_config, 1);

/*
 * The filters: which were given, and their values.  An array's entry
 * always exists, so the lookup cannot fail; the check only satisfies the
 * verifier.  The kernel inlines an array lookup: no helper call.
 */
static __always_inline struct tcplife_config *filter_config(void)
{
	u32 zero = 0;

	return config.lookup(&zero);
}
BPF_PERF_OUTPUT(events);
BPF_PERCPU_ARRAY(drops, u64, TCPLIFE_NR_COUNTS);

/*
 * Sockets whose state could not be stored (socks full), so that each such
 * session is counted once, at its close and after the filters, and rows
 * plus reported losses equal the sessions.  Sized in map_sizes.h; should
 * this map fill too, the socket is counted at once, unfiltered (an
 * overcount, never a silent loss).
 */
BPF_HASH(untracked, u64, u8, TCPLIFE_UNTRACKED_ENTRIES);

/* The port filters' ports, one bit per port number. */
BPF_ARRAY(lport_bitmap, u64, TCPLIFE_PORT_WORDS);
BPF_ARRAY(rport_bitmap, u64, TCPLIFE_PORT_WORDS);

/* A loss, or what became of a close (TCPLIFE_OUT_*). */
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

/*
 * What the owner filters need of the owner, taken while it is current:
 * its uid, when only -u asks for it, and whether it is in --cgroup's
 * cgroup or below (its ancestor at the cgroup's depth is the cgroup
 * itself).
 */
static __always_inline void note_owner_filters(struct sock_state *st)
{
	struct tcplife_config *cfg = filter_config();

	if (!cfg)
		return;
#ifndef TCPLIFE_SESSION_FIELDS
	if (cfg->mask & TCPLIFE_FILTER_UID)
		st->uid = (u32)bpf_get_current_uid_gid();
#endif
#ifdef TCPLIFE_FILTER_CGROUP_OK
	if ((cfg->mask & TCPLIFE_FILTER_CGROUP) &&
	    bpf_get_current_ancestor_cgroup_id(cfg->cgroup_level) ==
	    cfg->cgroup_id)
		st->flags |= SOCK_IN_CGROUP;
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
	note_owner_filters(st);
}

/*
 * Where an established session lives: enough for user space to find its
 * socket through the kernel's socket diagnostics at the stop, and so to
 * tell a session still open from one whose close the program never ran
 * for.  Once per session, on ESTABLISHED, and before SKP is used as a map
 * key: Linux 6.1's verifier forgets the type of a pointer whose stack slot
 * a helper has read, and would then refuse tp_btf's plain loads.
 */
struct endpoints {
	u32 portpair;		/* sock_state.portpair */
	u32 netns;
};

static __always_inline void read_endpoints(u64 skp, struct endpoints *ep)
{
	u64 net = 0;

#ifdef TCPLIFE_ATTACH_TP_BTF
	KERNEL_LOAD(ep->portpair, skp + TCPLIFE_SK_PORTPAIR_OFFSET);
	KERNEL_LOAD(net, skp + TCPLIFE_SK_NET_OFFSET);
#else
	/*
	 * Both lie in struct sock_common, the namespace pointer 36 bytes
	 * after the ports in every kernel since 4.x: one helper call for the
	 * two where the span is that short (and the halves of the pointer
	 * are where a little-endian machine puts them), as a helper call
	 * costs more than the bytes it copies.  All constants: one branch
	 * is compiled.
	 */
	u64 span[8] = {};
	const unsigned int gap = TCPLIFE_SK_NET_OFFSET -
				 TCPLIFE_SK_PORTPAIR_OFFSET;

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
	    TCPLIFE_SK_NET_OFFSET > TCPLIFE_SK_PORTPAIR_OFFSET &&
	    gap % 8 == 4 && gap + 8 <= sizeof(span)) {
		tcplife_read_kernel(span, gap + 8, (void *)(skp +
				    TCPLIFE_SK_PORTPAIR_OFFSET));
		ep->portpair = (u32)span[0];
		net = span[gap / 8 + 1] << 32 | span[gap / 8] >> 32;
	} else {
		tcplife_read_kernel(&ep->portpair, sizeof(ep->portpair),
				    (void *)(skp + TCPLIFE_SK_PORTPAIR_OFFSET));
		tcplife_read_kernel(&net, sizeof(net),
				    (void *)(skp + TCPLIFE_SK_NET_OFFSET));
	}
#endif
	KERNEL_LOAD(ep->netns, net + TCPLIFE_NET_INUM_OFFSET);
}

/* Whether a socket leaving OLDSTATE was born in a change we see. */
static __always_inline int born_at_handshake(int oldstate)
{
#ifdef TCPLIFE_ATTACH_KPROBE
	/* tcp_set_state() never sees the move into SYN_RECV. */
	return oldstate == TCP_SYN_SENT;
#else
	return oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV;
#endif
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
	int err;

	if (newstate == TCP_SYN_SENT || newstate == TCP_SYN_RECV) {
		fresh.start_ns = bpf_ktime_get_ns();
		fresh.flags = SOCK_STARTED | (newstate == TCP_SYN_SENT ?
					      SOCK_CLIENT : SOCK_SERVER);
		if (newstate == TCP_SYN_SENT)
			record_owner(&fresh);
		err = socks.insert(&skp, &fresh);
		if (err == -EEXIST) {
			/*
			 * The last socket at this address closed without
			 * our seeing it: a session lost, counted here, as
			 * the insert that found it costs no more than the
			 * update it replaces.
			 */
			count_drop(TCPLIFE_DROP_MISSED_CLOSE);
			err = socks.update(&skp, &fresh);
		}
		if (err == -E2BIG)
			mark_untracked(skp);
	} else if (newstate == TCP_ESTABLISHED) {
		struct endpoints ep;

		read_endpoints(skp, &ep);
		st = socks.lookup(&skp);
		if (st) {
			st->portpair = ep.portpair;
			st->netns = ep.netns;
			if (!(st->flags & SOCK_STARTED)) {
				st->start_ns = bpf_ktime_get_ns();
				st->flags |= SOCK_STARTED;
			}
#ifdef TCPLIFE_SESSION_FIELDS
			/* Rounded up: 0 stays "not seen". */
			else
				st->handshake_us = (bpf_ktime_get_ns() -
						    st->start_ns + 999) / 1000;
#endif
			return;
		}
		fresh.start_ns = bpf_ktime_get_ns();
		fresh.flags = SOCK_STARTED |
			      (oldstate == TCP_SYN_RECV ? SOCK_SERVER : 0);
		fresh.portpair = ep.portpair;
		fresh.netns = ep.netns;
		/*
		 * A handshake state we saw (every method sees SYN_SENT; the
		 * tracepoints also see SYN_RECV) already counted or marked
		 * a session it could not store: doing it again here would
		 * count it twice.  Only a birth first seen here is marked.
		 */
		if (socks.insert(&skp, &fresh) == -E2BIG &&
		    !born_at_handshake(oldstate))
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

/*
 * The filters on the session's end, role and owner, for a close and for
 * an open alike: whether the session passes those of MASK (cfg->mask, or
 * less of it).  ST_FLAGS are its sock_state's.  Only the bits given are
 * tested, so a run without filters pays one test of the mask.
 */
#define TCPLIFE_OWNER_FILTERS \
	(TCPLIFE_FILTER_PID | TCPLIFE_FILTER_UID | TCPLIFE_FILTER_CGROUP)

static __always_inline int session_wanted(const struct tcplife_config *cfg,
					  u32 mask,
					  const struct tcplife_event *ev,
					  u32 st_flags)
{
	if (!mask)
		return 1;
	if ((mask & TCPLIFE_FILTER_FAILED) &&
	    (ev->last_state == TCP_SYN_SENT ||
	     ev->last_state == TCP_SYN_RECV) != cfg->failed)
		return 0;
	if ((mask & TCPLIFE_FILTER_ROLE) && ev->role != cfg->role)
		return 0;
	if ((mask & TCPLIFE_FILTER_PID) && ev->pid != cfg->pid)
		return 0;
	if ((mask & TCPLIFE_FILTER_UID) && ev->uid != cfg->uid)
		return 0;
	if ((mask & TCPLIFE_FILTER_CGROUP) && !(st_flags & SOCK_IN_CGROUP))
		return 0;
	return 1;
}

/* What finish_session decided. */
#define SESSION_SKIP 0		/* nothing to send (and already counted) */
#define SESSION_ROW 1		/* send the event */
#define SESSION_UNTRACKED 2	/* ours but its start was not stored: count */
#define SESSION_FILTERED 3	/* a filter left it out */
#define SESSION_NOT_OURS 4	/* no session began while tracing */

/*
 * At the close: forget the socket, and fill the parts of the event that do
 * not depend on how we attached.
 */
static __always_inline int finish_session(u64 skp, int oldstate,
					  const struct tcplife_config *cfg,
					  struct tcplife_event *ev)
{
	struct sock_state st = {}, *found = socks.lookup(&skp);
	u32 mask = cfg->mask;
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
			return SESSION_NOT_OURS;
		ev->flags |= TCPLIFE_F_NO_START;
#else
		/*
		 * Opened before we attached, a listener, or a start that
		 * fitted in no map (counted then): no lifespan to report.
		 */
		return SESSION_NOT_OURS;
#endif
	}
	now = bpf_ktime_get_ns();
	ev->end_ns = now;
	if (st.flags & SOCK_STARTED)
		ev->span_ns = now - st.start_ns;
	ev->handshake_us = st.handshake_us;
	ev->last_state = oldstate;
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
		/* Owner unknown: the owner filters cannot exclude it. */
		mask &= ~TCPLIFE_OWNER_FILTERS;
	} else {
		/* The same guess for all four: the task current now. */
		ev->pid = bpf_get_current_pid_tgid() >> 32;
#ifdef TCPLIFE_SESSION_FIELDS
		ev->uid = (u32)bpf_get_current_uid_gid();
		ev->cgroup_id = current_cgroup();
#else
		if (mask & TCPLIFE_FILTER_UID)
			ev->uid = (u32)bpf_get_current_uid_gid();
#endif
		bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
		/*
		 * The current task here may be whoever the softirq
		 * interrupted, so it says nothing about the owner's cgroup
		 * (SOCK_IN_CGROUP stays unset).
		 */
	}
	if (!session_wanted(cfg, mask, ev, st.flags))
		return SESSION_FILTERED;
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
static __always_inline int open_session(u64 skp,
					const struct tcplife_config *cfg,
					struct tcplife_event *ev)
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
	} else if (cfg->mask & TCPLIFE_OWNER_FILTERS) {
		return SESSION_SKIP;	/* unknown yet: left to its close */
	}
	/* Established, so --failed leaves it out and --no-failed keeps it. */
	if (!session_wanted(cfg, cfg->mask, ev, st->flags))
		return SESSION_SKIP;
	return SESSION_ROW;
}
#endif

/*
 * Whether PORT's bit is set in the remote or local port filter's bitmap
 * (BCC takes no map as an argument, nor in a macro).
 */
static __always_inline int port_set(int remote, u16 port)
{
	u32 word = port >> 6;
	u64 *bits = remote ? rport_bitmap.lookup(&word) :
			     lport_bitmap.lookup(&word);

	return bits && ((*bits >> (port & 63)) & 1);
}

/*
 * The namespace's inode, from the socket's struct net, for --netns.
 * Through the helper even under tp_btf, as note_endpoints() does: where
 * clang spills NET to the stack, Linux 6.1's verifier reloads it as a
 * number that a plain load may not follow.
 */
static __always_inline void read_netns(u64 skp, struct tcplife_event *ev)
{
	u64 net = 0;

	tcplife_read_kernel(&net, sizeof(net),
			    (void *)(skp + TCPLIFE_SK_NET_OFFSET));
	tcplife_read_kernel(&ev->netns, sizeof(ev->netns),
			    (void *)(net + TCPLIFE_NET_INUM_OFFSET));
}

/*
 * The filters on the endpoints and the namespace, at the end of every
 * path: whether the session passes those given.
 */
static __always_inline int endpoints_wanted(const struct tcplife_config *cfg,
					    u64 skp, struct tcplife_event *ev)
{
	u32 mask = cfg->mask;

	if (!mask)
		return 1;
	if ((mask & TCPLIFE_FILTER_FAMILY) && ev->family != cfg->family)
		return 0;
	if ((mask & TCPLIFE_FILTER_LPORT) && !port_set(0, ev->lport))
		return 0;
	if ((mask & TCPLIFE_FILTER_RPORT) && !port_set(1, ev->rport))
		return 0;
	if (mask & TCPLIFE_FILTER_NETNS) {
		read_netns(skp, ev);
		if (ev->netns != cfg->netns)
			return 0;
	}
	return 1;
}

#ifdef TCPLIFE_SESSION_FIELDS
/*
 * The fields read at the close besides the byte counters.  sk_err is read
 * in the run that sees the close: the kernel sets it before closing on a
 * reset or a timeout, and only the owner's next system call clears it.
 */
static __always_inline void read_session_fields(u64 skp,
						struct tcplife_event *ev)
{
	u64 net = 0;
	u32 srtt = 0;
	int err = 0;

	KERNEL_LOAD(net, skp + TCPLIFE_SK_NET_OFFSET);
	KERNEL_LOAD(ev->netns, net + TCPLIFE_NET_INUM_OFFSET);
#define COPY_FIELD(id, member, unset) \
	tcplife_read_kernel(&ev->member, sizeof(ev->member), \
			    (void *)(skp + TCPLIFE_##id##_OFFSET)); \
	if (ev->member == (__typeof__(ev->member))(unset)) \
		ev->member = 0;
	TCPLIFE_COPIED_FIELDS(COPY_FIELD)
#undef COPY_FIELD
	tcplife_read_kernel(&srtt, sizeof(srtt),
			    (void *)(skp + TCPLIFE_SRTT_OFFSET));
	ev->srtt_us = srtt >> 3;	/* the kernel keeps 8 times the RTT */
	KERNEL_LOAD(err, skp + TCPLIFE_SK_ERR_OFFSET);
	ev->sk_err = err;
}
#endif

/*
 * The two byte counters lie a few words apart in struct tcp_sock (48 bytes
 * in 6.1, 72 in 6.18): where the span is that short, one helper call reads
 * both, as a call costs more than the bytes it copies.  The offsets are
 * constants, so only one branch is compiled.
 */
static __always_inline void read_byte_counters(u64 skp,
					       struct tcplife_event *ev)
{
	u64 span[12];
	const long gap = (long)TCPLIFE_TX_OFFSET - (long)TCPLIFE_RX_OFFSET;

	if (gap > 0 && gap % 8 == 0 && gap + 8 <= (long)sizeof(span)) {
		tcplife_read_kernel(span, gap + 8,
				    (void *)(skp + TCPLIFE_RX_OFFSET));
		ev->rx_bytes = span[0];
		ev->tx_bytes = span[gap / 8];
	} else if (gap < 0 && -gap % 8 == 0 && 8 - gap <= (long)sizeof(span)) {
		tcplife_read_kernel(span, 8 - gap,
				    (void *)(skp + TCPLIFE_TX_OFFSET));
		ev->tx_bytes = span[0];
		ev->rx_bytes = span[-gap / 8];
	} else {
		tcplife_read_kernel(&ev->rx_bytes, sizeof(ev->rx_bytes),
				    (void *)(skp + TCPLIFE_RX_OFFSET));
		tcplife_read_kernel(&ev->tx_bytes, sizeof(ev->tx_bytes),
				    (void *)(skp + TCPLIFE_TX_OFFSET));
	}
}

/*
 * The end of every path: the family, port and namespace filters, the
 * counters read as late as possible, and the event sent (or its loss
 * counted).
 */
static __always_inline void submit_session(void *ctx, u64 skp,
					   const struct tcplife_config *cfg,
					   struct tcplife_event *ev, int verdict)
{
	int err;

	if (!endpoints_wanted(cfg, skp, ev))
		goto filtered;
#ifdef TCPLIFE_SESSION_FIELDS
	read_session_fields(skp, ev);
#endif
	if (verdict == SESSION_UNTRACKED) {
		count_drop(TCPLIFE_OUT_UNTRACKED);
		count_drop(TCPLIFE_DROP_BIRTH_FULL);
		return;
	}
	read_byte_counters(skp, ev);
	err = events.perf_submit(ctx, ev, sizeof(*ev));
#ifdef TCPLIFE_INTERIM
	/*
	 * An open is no close: it stays out of the closes' accounting, and
	 * a lost one leaves the session to its close alone (user space
	 * counts it as uncovered).
	 */
	if (ev->flags & TCPLIFE_F_OPEN)
		return;
#endif
	/*
	 * No buffer for this CPU: it came online after user space opened
	 * one per online CPU (and, privileges dropped, it cannot open more).
	 */
	if (err == -ENOENT || err == -E2BIG)
		count_drop(TCPLIFE_DROP_NO_BUFFER);
	else if (err < 0)
		count_drop(TCPLIFE_DROP_PERF_FULL);
	else
		count_drop(TCPLIFE_OUT_ROWS);
	return;
filtered:
#ifdef TCPLIFE_INTERIM
	if (ev->flags & TCPLIFE_F_OPEN)
		return;
#endif
	count_drop(TCPLIFE_OUT_FILTERED);
}

/*
 * What every entry does first with a state change: note it, or at the
 * close decide about the session and fill EV's method-independent part.
 * EV is zeroed only here, on the close path: at the top of an entry the
 * zeroing would run for every state change, most of which send nothing.
 * The entry then adds the endpoints, as it reads them, and submits with
 * *CFG, the filters, looked up once here for the whole close.
 */
static __always_inline int session_change(u64 skp, int oldstate,
					  int newstate,
					  struct tcplife_event *ev,
					  struct tcplife_config **cfg)
{
	int verdict;

	if (newstate != TCP_CLOSE) {
		note_state(skp, oldstate, newstate);
#ifdef TCPLIFE_INTERIM
		if (newstate == TCP_ESTABLISHED) {
			*cfg = filter_config();
			if (!*cfg)
				return SESSION_SKIP;
			return open_session(skp, *cfg, ev);
		}
#endif
		return SESSION_SKIP;
	}
	/*
	 * Every close handled ends in exactly one TCPLIFE_OUT_* count or
	 * loss, so that user space can check they add up.
	 */
	count_drop(TCPLIFE_OUT_CLOSES);
	*cfg = filter_config();
	if (!*cfg) {
		count_drop(TCPLIFE_OUT_FILTERED);	/* never: see above */
		return SESSION_SKIP;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	verdict = finish_session(skp, oldstate, *cfg, ev);
	if (verdict == SESSION_FILTERED) {
		count_drop(TCPLIFE_OUT_FILTERED);
		return SESSION_SKIP;
	}
	if (verdict == SESSION_NOT_OURS) {
		count_drop(TCPLIFE_OUT_NOT_OURS);
		return SESSION_SKIP;
	}
	return verdict;
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
	struct tcplife_config *cfg = NULL;
	struct tcplife_event ev;
	u16 protocol = 0, sport = 0, dport = 0;
	u32 daddr = 0;
	int verdict;

	KERNEL_LOAD(protocol, SK_FIELD(PROTOCOL));
	if (protocol != IPPROTO_TCP)
		return 0;
	verdict = session_change(skp, oldstate, newstate, &ev, &cfg);
	if (verdict == SESSION_SKIP || !cfg)
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
	submit_session(ctx, skp, cfg, &ev, verdict);
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
	struct tcplife_config *cfg = NULL;
	struct tcplife_event ev;
	int verdict;

	if (args->protocol != IPPROTO_TCP)
		return 0;
	verdict = session_change(skp, args->oldstate, args->newstate, &ev,
				 &cfg);
	if (verdict == SESSION_SKIP || !cfg)
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
	submit_session(args, skp, cfg, &ev, verdict);
	return 0;
}

#else /* TCPLIFE_ATTACH_KPROBE: kernels before 4.16 have no tracepoint */

int on_tcp_set_state(struct pt_regs *ctx, struct sock *sk, int state)
{
	struct tcplife_config *cfg = NULL;
	struct tcplife_event ev;
	u64 skp = (u64)sk;
	int verdict;
	/* Not changed yet at tcp_set_state()'s entry: the old state. */
	int oldstate = sk->__sk_common.skc_state;

	verdict = session_change(skp, oldstate, state, &ev, &cfg);
	if (verdict == SESSION_SKIP || !cfg)
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
	submit_session(ctx, skp, cfg, &ev, verdict);
	return 0;
}

#endif
