/*
 * The sessions still open when tracing stops, and the ones whose close the
 * program never saw: the entries left in its per-socket map, checked
 * against the sockets the kernel's socket diagnostics show.  Without this
 * a close the kernel did not run the program for (and did not count as
 * skipped) would leave no trace at all; see open_sessions.h for why the
 * check cannot take a session still open for a lost one.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bcc/libbpf.h>

#include "open_sessions.h"
#include "tcplife_event.h"
#include "util.h"

/* Socket states that a live full socket of a session can be in. */
#define TCP_TIME_WAIT_STATE 6
#define TCP_NEW_SYN_RECV_STATE 12

struct open_entry {
	uint64_t key;		/* the socket's address: the map's key */
	uint64_t start_ns;	/* tells a reused address from the same one */
	uint32_t netns;
	uint16_t lport, rport;
	bool seen;		/* the dump showed a socket like it */
};

void open_sessions_init(struct open_sessions *os)
{
	memset(os, 0, sizeof(*os));
	/* Only the own namespace: no setns() and no /proc walk at start. */
	os->diag_open = sock_diag_open_home(&os->diag) > 0;
}

/* sock_state.portpair holds the kernel's bytes of skc_portpair. */
static void decode_ports(uint32_t portpair, uint16_t *lport, uint16_t *rport)
{
	uint8_t b[4];
	uint16_t num;

	memcpy(b, &portpair, sizeof(b));
	*rport = (uint16_t)(b[0] << 8 | b[1]);	/* network order */
	memcpy(&num, b + 2, sizeof(num));	/* the host's order */
	*lport = num;
}

static int by_endpoints(const void *a, const void *b)
{
	const struct open_entry *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	return 0;
}

/*
 * Marks every snapshot entry with E's ports in E's namespace as seen.  The
 * addresses are not compared: two sockets with the same ports and other
 * addresses then both count as open, which can only under-count losses.
 */
static void mark_seen(void *ctx, const struct diag_entry *e)
{
	struct open_sessions *os = ctx;
	struct open_entry want = {
		.netns = e->netns, .lport = e->lport, .rport = e->rport,
	};
	size_t lo = 0, hi = os->n;

	/* TIME_WAIT is what is left after a close: not the socket. */
	if (e->state == TCP_TIME_WAIT_STATE ||
	    e->state == TCP_NEW_SYN_RECV_STATE)
		return;
	while (lo < hi) {		/* the first entry not below WANT */
		size_t mid = lo + (hi - lo) / 2;

		if (by_endpoints(&os->snap[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < os->n && !by_endpoints(&os->snap[lo], &want); lo++)
		os->snap[lo].seen = true;
}

typedef void (*entry_fn)(void *ctx, uint64_t key,
			 const struct sock_state *st);

#if HAVE_DECL_BPF_LOOKUP_BATCH
/* Entries per batch: a hash bucket never holds nearly as many. */
#define WALK_BATCH 512

/*
 * The kernel's batch lookup (Linux 5.6 and later) walks the buckets, and
 * sees each entry once however the map changes meanwhile.  Returns 0,
 * -EOPNOTSUPP when the kernel has no batch lookup, or -errno.
 */
static int walk_batches(int socks_fd, entry_fn fn, void *ctx)
{
	static uint64_t keys[WALK_BATCH];
	static struct sock_state values[WALK_BATCH];
	uint32_t in = 0, out = 0, count;
	bool first = true;

	for (;;) {
		int err;

		count = WALK_BATCH;
		err = bpf_lookup_batch(socks_fd, first ? NULL : &in, &out,
				       keys, values, &count);
		if (err && errno != ENOENT)
			return first && (errno == EINVAL || errno == ENOTSUP ||
					 errno == 524 /* ENOTSUPP */) ?
			       -EOPNOTSUPP : -errno;
		for (uint32_t i = 0; i < count; i++)
			fn(ctx, keys[i], &values[i]);
		if (err)
			return 0;	/* ENOENT: that was the last batch */
		in = out;
		first = false;
	}
}
#endif

/*
 * Calls FN for every entry of the socks map (SOCKS_FD, of MAP_ENTRIES
 * entries).  While the program runs, entries come and go; a walk by
 * bpf_get_next_key() goes back to the first key whenever the one it stands
 * on is deleted, and with many sessions open and others churning it may
 * never reach the end.  So the kernel's batch lookup walks it where there
 * is one, and the key walk is bounded.  Returns 0, or -errno (the walk is
 * then partial).
 */
static int walk_socks(int socks_fd, unsigned long map_entries, entry_fn fn,
		      void *ctx)
{
	unsigned long steps = 0, max_steps = 4 * map_entries + 4096;
	uint64_t key, next;
	struct sock_state st;
	void *prev = NULL;

#if HAVE_DECL_BPF_LOOKUP_BATCH
	int err = walk_batches(socks_fd, fn, ctx);

	if (err != -EOPNOTSUPP)
		return err;
#endif
	while (bpf_get_next_key(socks_fd, prev, &next) == 0) {
		if (++steps > max_steps)
			return -EAGAIN;
		key = next;
		prev = &key;
		if (bpf_lookup_elem(socks_fd, &key, &st) == 0)
			fn(ctx, key, &st);
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Keeps an established entry of a namespace the dump covers. */
static void snap_entry(void *ctx, uint64_t key, const struct sock_state *st)
{
	struct open_sessions *os = ctx;

	if (!(st->flags & SOCK_STARTED) || !st->portpair ||
	    !sock_diag_covers(&os->diag, st->netns))
		return;
	if (os->n == os->cap) {
		os->cap = os->cap ? os->cap * 2 : 256;
		os->snap = xreallocarray(os->snap, os->cap, sizeof(*os->snap));
	}
	os->snap[os->n] = (struct open_entry){
		.key = key, .start_ns = st->start_ns, .netns = st->netns,
	};
	decode_ports(st->portpair, &os->snap[os->n].lport,
		     &os->snap[os->n].rport);
	os->n++;
}

void open_sessions_snapshot(struct open_sessions *os, int socks_fd,
			    unsigned long map_entries)
{
	if (socks_fd < 0 || !os->diag_open)
		return;
	/* A walk cut short, or a failed dump, checks nothing. */
	if (walk_socks(socks_fd, map_entries, snap_entry, os) < 0) {
		os->n = 0;
		return;
	}
	/* qsort() and bsearch() may not be handed a null array. */
	if (os->n)
		qsort(os->snap, os->n, sizeof(*os->snap), by_endpoints);
	os->snapped = sock_diag_dump(&os->diag, mark_seen, os) == 0;
}

static int by_key(const void *a, const void *b)
{
	const struct open_entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

struct count_ctx {
	const struct open_sessions *os;
	struct open_counts *c;
};

static void count_entry(void *ctx, uint64_t key, const struct sock_state *st)
{
	struct count_ctx *cc = ctx;
	const struct open_sessions *os = cc->os;
	struct open_entry want = { .key = key }, *e = NULL;

	if (!(st->flags & SOCK_STARTED))
		return;
	cc->c->open++;
	if (os->snapped && os->n)
		e = bsearch(&want, os->snap, os->n, sizeof(*os->snap), by_key);
	if (!e)
		cc->c->unchecked++;	/* not in the snapshot: unknown */
	else if (!e->seen && e->start_ns == st->start_ns)
		cc->c->unseen++;
}

int open_sessions_count(struct open_sessions *os, int socks_fd,
			unsigned long map_entries, struct open_counts *c)
{
	struct count_ctx cc = { .os = os, .c = c };
	int err;

	memset(c, 0, sizeof(*c));
	if (socks_fd < 0)
		return -EBADF;
	if (os->snapped && os->n)
		qsort(os->snap, os->n, sizeof(*os->snap), by_key);
	/* After the detach: no entry is added or removed meanwhile. */
	err = walk_socks(socks_fd, map_entries, count_entry, &cc);
	if (err)
		return err;
	c->open -= c->unseen;
	return 0;
}

void open_sessions_free(struct open_sessions *os)
{
	sock_diag_close(&os->diag);	/* also after a failed open */
	free(os->snap);
	memset(os, 0, sizeof(*os));
}
