/*
 * --interval's passes: every live TCP socket read through socket
 * diagnostics, matched to the table, and an interim record printed for
 * each session still open; and the counts of what the records could not
 * cover.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "interim_table.h"
#include "output.h"
#include "perf_stream.h"
#include "util.h"

uint64_t interim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void interim_poll_health(struct interim *im, struct output *o)
{
	struct health_field f[NR_INTERIM_COUNTERS];
	size_t n = interim_health_fields(im, f);

	if (n && o->path)
		health_print(&o->rf, interim_now_ns(), f, n, o->stream);
}

int interim_tick(struct interim *im, struct perf_stream *ps,
		 struct output *o, int *timeout_ms)
{
	uint64_t now = interim_now_ns();
	int err = 0, wait;

	if (now >= im->next_pass_ns) {
		err = interim_pass(im, ps, o, now);
		interim_poll_health(im, o);
		now = interim_now_ns();
	}
	wait = now >= im->next_pass_ns ? 0 :
	       (int)((im->next_pass_ns - now) / 1000000) + 1;
	if (wait < *timeout_ms)
		*timeout_ms = wait;
	return err;
}

void interim_entry_key(const struct diag_entry *e, struct tcplife_event *k)
{
	memset(k, 0, sizeof(*k));
	k->netns = e->netns;
	k->family = e->family;
	k->lport = e->lport;
	k->rport = e->rport;
	memcpy(k->laddr, e->laddr, sizeof(k->laddr));
	memcpy(k->raddr, e->raddr, sizeof(k->raddr));
}

/*
 * A live socket: the reading of the session at its key, unless the cookie
 * says it is a later socket at the same addresses.
 */
static void on_entry(void *ctx, const struct diag_entry *e)
{
	struct interim *im = ctx;
	struct tcplife_event key;
	struct session *s;

	if (!e->have_info)
		return;
	interim_entry_key(e, &key);
	s = interim_find(im, &key);
	if (!s)
		return;		/* not a traced session */
	if (s->cookie && s->cookie != e->cookie) {
		im->count[IC_DISCARDED]++;
		return;
	}
	s->reading = *e;
	s->pending = true;
	s->seen_gen = im->pass_gen;
	if (!s->owner_known)
		s->ev.uid = e->uid;	/* the socket file's owner */
}

int interim_pass(struct interim *im, struct perf_stream *ps,
		 struct output *o, uint64_t now)
{
	int err, dump_err;

	/* Sessions opened or closed so far are known before the read. */
	perf_stream_drain(ps);
	err = output_flush(o);
	if (err)
		return err;
	im->pass_gen++;
	im->pass_ns = interim_now_ns();
	dump_err = sock_diag_dump(&im->diag, on_entry, im);
	if (dump_err)
		im->count[IC_READ_ERRORS]++;
	/* Closes that raced the read: see interim_event(). */
	perf_stream_drain(ps);
	err = output_flush(o);
	interim_resolve_owners(im, o->cgroups.root, OWNER_LINKS_PER_PASS);
	for (size_t i = 0; !err && i < im->cap; i++) {
		struct session *s = &im->pool[i];

		if (!s->used)
			continue;
		if (s->pending) {
			s->pending = false;
			interim_apply_reading(s, &s->reading, im->pass_ns);
			interim_print(im, s, "interim", "interim", o);
		} else if (!dump_err && s->seen_gen != im->pass_gen &&
			   s->ev.end_ns < im->pass_ns) {
			/* Not in the kernel, yet no close came. */
			im->count[IC_VANISHED]++;
			interim_remove(im, s);
		}
	}
	im->pass_ns = 0;
	im->next_pass_ns += im->interval_ns;
	if (im->next_pass_ns <= now)	/* fell behind: no catching up */
		im->next_pass_ns = now + im->interval_ns;
	return err ? err : output_flush(o);
}

void interim_start(struct interim *im, uint64_t attach_ns)
{
	im->next_pass_ns = attach_ns + im->interval_ns;
}

static const char *const counter_keys[NR_INTERIM_COUNTERS] = {
	[IC_OVERFLOW] = "interim_overflow",
	[IC_VANISHED] = "interim_vanished",
	[IC_REPLACED] = "interim_replaced",
	[IC_DISCARDED] = "interim_discarded",
	[IC_READ_ERRORS] = "interim_read_errors",
	[IC_UNCOVERED] = "interim_uncovered",
};

size_t interim_health_fields(struct interim *im, struct health_field *f)
{
	size_t n = 0;

	for (int i = 0; i < NR_INTERIM_COUNTERS; i++) {
		if (im->count[i] == im->reported[i])
			continue;
		f[n].key = counter_keys[i];
		f[n].value = im->count[i] - im->reported[i];
		im->reported[i] = im->count[i];
		n++;
	}
	return n;
}

void interim_report(const struct interim *im)
{
	static const char *const what[NR_INTERIM_COUNTERS] = {
		[IC_OVERFLOW] = "sessions got no interim records: the table "
				"of open sessions (--map-entries) was full",
		[IC_VANISHED] = "sessions left the kernel without a close "
				"record (filtered at the close, or lost)",
		[IC_REPLACED] = "sessions were replaced by a new one at the "
				"same addresses before their close was seen",
		[IC_DISCARDED] = "readings were dropped as another socket's",
		[IC_READ_ERRORS] = "socket diagnostics reads failed",
		[IC_UNCOVERED] = "sessions were in network namespaces made "
				 "after the start, which --interval cannot "
				 "read",
	};

	for (int i = 0; i < NR_INTERIM_COUNTERS; i++)
		if (im->count[i])
			warning_msg("--interval: %" PRIu64 " %s", im->count[i],
				    what[i]);
}
