/*
 * --interval: the session table (a fixed pool, so memory is bounded and
 * an overflow is counted), and the records printed from it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "interim_table.h"
#include "output.h"
#include "util.h"

static void ignore_entry(void *ctx, const struct diag_entry *e)
{
	(void)ctx;
	(void)e;
}

int interim_init(struct interim *im, unsigned long interval_s, size_t cap,
		 uint32_t only_netns)
{
	int n;

	memset(im, 0, sizeof(*im));
	im->cap = cap;
	im->nbuckets = 1;
	while (im->nbuckets < cap * 2)
		im->nbuckets *= 2;
	im->pool = xcalloc(cap, sizeof(*im->pool));
	im->buckets = xcalloc(im->nbuckets, sizeof(*im->buckets));
	for (size_t i = 0; i < im->nbuckets; i++)
		im->buckets[i] = -1;
	for (size_t i = 0; i < cap; i++)
		im->pool[i].next = i + 1 < cap ? (int32_t)(i + 1) : -1;
	im->free_head = cap ? 0 : -1;
	im->interval_ns = (uint64_t)interval_s * 1000000000ULL;
	n = sock_diag_open(&im->diag, only_netns);
	if (n < 0) {
		error_msg("cannot open a socket diagnostics socket: %s",
			  strerror(-n));
		return n;
	}
	im->diag_open = true;
	/*
	 * A first read while still root, so that a kernel whose TCP socket
	 * diagnostics are a module (tcp_diag) loads it, and so that a kernel
	 * without them ends the tool now rather than every pass failing.
	 */
	n = sock_diag_dump(&im->diag, ignore_entry, NULL);
	if (n < 0) {
		error_msg("--interval needs the kernel's socket diagnostics for "
			  "TCP (inet_diag and tcp_diag, CONFIG_INET_TCP_DIAG): "
			  "%s", strerror(-n));
		return n;
	}
	if (im->diag.missed)
		warning_msg("--interval: %zu network namespaces cannot be read "
			    "(their sessions get no interim records)",
			    im->diag.missed);
	return 0;
}

/* FNV-1a over the key: namespace, family, ports, addresses. */
static size_t key_hash(const struct interim *im,
		       const struct tcplife_event *ev)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *parts[] = {
		(const void *)&ev->netns, (const void *)&ev->family,
		(const void *)&ev->lport, (const void *)&ev->rport,
		ev->laddr, ev->raddr,
	};
	const size_t sizes[] = { 4, 2, 2, 2, 16, 16 };

	for (size_t p = 0; p < 6; p++)
		for (size_t i = 0; i < sizes[p]; i++)
			h = (h ^ parts[p][i]) * 1099511628211ULL;
	return (size_t)(h & (im->nbuckets - 1));
}

static bool same_key(const struct tcplife_event *a,
		     const struct tcplife_event *b)
{
	return a->netns == b->netns && a->family == b->family &&
	       a->lport == b->lport && a->rport == b->rport &&
	       !memcmp(a->laddr, b->laddr, sizeof(a->laddr)) &&
	       !memcmp(a->raddr, b->raddr, sizeof(a->raddr));
}

struct session *interim_find(struct interim *im,
			     const struct tcplife_event *ev)
{
	int32_t i = im->buckets[key_hash(im, ev)];

	for (; i >= 0; i = im->pool[i].next)
		if (same_key(&im->pool[i].ev, ev))
			return &im->pool[i];
	return NULL;
}

struct session *interim_add(struct interim *im,
			    const struct tcplife_event *ev)
{
	size_t b = key_hash(im, ev);
	struct session *s;
	int32_t i = im->free_head;

	if (i < 0) {
		im->count[IC_OVERFLOW]++;
		return NULL;
	}
	s = &im->pool[i];
	im->free_head = s->next;
	memset(s, 0, sizeof(*s));
	s->ev = *ev;
	s->used = true;
	s->id = ++im->next_id;
	s->next = im->buckets[b];
	im->buckets[b] = i;
	im->used++;
	return s;
}

void interim_remove(struct interim *im, struct session *s)
{
	int32_t idx = (int32_t)(s - im->pool), *link;

	for (link = &im->buckets[key_hash(im, &s->ev)]; *link >= 0;
	     link = &im->pool[*link].next) {
		if (*link == idx) {
			*link = s->next;
			break;
		}
	}
	s->used = false;
	s->next = im->free_head;
	im->free_head = idx;
	im->used--;
}

void interim_apply_reading(struct session *s, const struct diag_entry *r,
			   uint64_t now_ns)
{
	uint64_t start = s->ev.end_ns - s->ev.span_ns;

	s->ev.end_ns = now_ns;
	s->ev.span_ns = s->ev.flags & TCPLIFE_F_NO_START ? 0 : now_ns - start;
	s->ev.tx_bytes = r->tx_bytes;
	s->ev.rx_bytes = r->rx_bytes;
	s->ev.retrans = r->retrans;
	s->ev.srtt_us = r->srtt_us;
	if (!s->cookie)
		s->cookie = r->cookie;
}

/* Counters only grow; a smaller one is a bug, printed as a 0 delta. */
static uint64_t delta(uint64_t now, uint64_t *reported)
{
	uint64_t d = now > *reported ? now - *reported : 0;

	*reported += d;
	return d;
}

void interim_print(struct interim *im, struct session *s, const char *type,
		   const char *marker, struct output *o)
{
	struct record_extra x = {
		.type = type,
		.marker = marker,
		.session_id = s->id,
		.closed = false,
		.owner_known = s->owner_known,
	};

	x.tx_delta = delta(s->ev.tx_bytes, &s->tx_reported);
	x.rx_delta = delta(s->ev.rx_bytes, &s->rx_reported);
	row_print_record(&o->rf, &s->ev, &x, o->stream);
	im->records++;
}

/*
 * Says at once, for the first few namespaces, that one made after the
 * start has sessions --interval cannot read; the count goes on in health
 * records and at the end.
 */
static void note_uncovered(struct interim *im, uint32_t netns)
{
	size_t n = sizeof(im->uncovered_ns) / sizeof(im->uncovered_ns[0]);

	for (size_t i = 0; i < im->nuncovered_ns; i++)
		if (im->uncovered_ns[i] == netns)
			return;
	if (im->nuncovered_ns == n)
		return;
	im->uncovered_ns[im->nuncovered_ns++] = netns;
	warning_msg("--interval: network namespace %u was made after the "
		    "start: its sessions get no interim records, only their "
		    "close (counted as interim_uncovered)%s", netns,
		    im->nuncovered_ns == n ? "; no more namespaces are named" :
		    "");
}

/*
 * An announced session.  One already at its key is the same socket if a
 * pass read it after this open (the open was still queued); otherwise its
 * close was never seen (lost, or filtered out) and the new one replaces it.
 */
static void take_open(struct interim *im, const struct tcplife_event *ev)
{
	struct session *s = interim_find(im, ev);

	if (s && s->seen_gen && ev->end_ns <= s->ev.end_ns) {
		/* Listed by -a while its open was queued: its start is known. */
		s->ev.flags &= ~TCPLIFE_F_NO_START;
		s->ev.span_ns = s->ev.end_ns - (ev->end_ns - ev->span_ns);
		s->ev.role = ev->role;
		if (!(ev->flags & TCPLIFE_F_TASK_CACHED))
			return;
		s->ev.pid = ev->pid;
		memcpy(s->ev.comm, ev->comm, sizeof(s->ev.comm));
		s->ev.uid = ev->uid;
		s->ev.cgroup_id = ev->cgroup_id;
		s->owner_known = true;
		return;
	}
	if (s) {
		im->count[IC_REPLACED]++;
		interim_remove(im, s);
	}
	if (im->diag_open && !sock_diag_covers(&im->diag, ev->netns)) {
		im->count[IC_UNCOVERED]++;
		note_uncovered(im, ev->netns);
		return;
	}
	s = interim_add(im, ev);
	if (s)
		s->owner_known = ev->flags & TCPLIFE_F_TASK_CACHED;
}

/*
 * A close.  A reading of this pass that is still pending was of this
 * socket only if it closed after the reading began; then it is printed
 * first, so no interim record ever follows the close.
 */
bool interim_event(struct interim *im, const struct tcplife_event *ev,
		   struct output *o)
{
	struct session *s;
	struct record_extra x = {
		.type = "close", .marker = "close", .closed = true,
		.owner_known = true,
	};

	if (ev->flags & TCPLIFE_F_OPEN) {
		take_open(im, ev);
		return false;
	}
	s = interim_find(im, ev);
	if (s && s->pending) {
		s->pending = false;
		if (ev->end_ns >= im->pass_ns) {
			interim_apply_reading(s, &s->reading, im->pass_ns);
			interim_print(im, s, "interim", "interim", o);
		} else {
			im->count[IC_DISCARDED]++;
		}
	}
	if (s && s->listed) {
		/* Closed before its open_at_start record was printed. */
		interim_print(im, s, "open_at_start", "open", o);
		s->listed = false;
	}
	x.session_id = s ? s->id : ++im->next_id;
	x.tx_delta = s ? delta(ev->tx_bytes, &s->tx_reported) : ev->tx_bytes;
	x.rx_delta = s ? delta(ev->rx_bytes, &s->rx_reported) : ev->rx_bytes;
	if (s)
		interim_remove(im, s);
	row_print_record(&o->rf, ev, &x, o->stream);
	return true;
}

void interim_free(struct interim *im)
{
	interim_finder_stop(im);
	if (im->diag_open)
		sock_diag_close(&im->diag);
	im->diag_open = false;
	free(im->pool);
	free(im->buckets);
	im->pool = NULL;
	im->buckets = NULL;
}
