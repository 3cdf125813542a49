/*
 * -a with --interval: the sessions open at the start, read through socket
 * diagnostics while still root, kept by the filters the kernel applies,
 * and listed as open_at_start records before the first pass.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "interim_table.h"
#include "port_set.h"
#include "output.h"

/* Whether -a's list should hold E, by the filters the kernel applies. */
static bool wanted_at_start(const struct interim_start_filter *f,
			    const struct diag_entry *e)
{
	const struct tcplife_config *cfg = f->config;
	const struct port_set *l = f->lports, *r = f->rports;

	if (cfg->family && e->family != cfg->family)
		return false;
	if (l && !((l->bits[e->lport / 64] >> (e->lport % 64)) & 1))
		return false;
	if (r && !((r->bits[e->rport / 64] >> (e->rport % 64)) & 1))
		return false;
	if ((cfg->mask & TCPLIFE_FILTER_UID) && e->uid != cfg->uid)
		return false;
	/* Open before tracing: no handshake seen, so no role is known. */
	if (cfg->mask & TCPLIFE_FILTER_ROLE)
		return false;
	/* Established: not a failed one. */
	return !((cfg->mask & TCPLIFE_FILTER_FAILED) && cfg->failed);
}

struct start_ctx {
	struct interim *im;
	const struct interim_start_filter *filter;
};

static void on_start_entry(void *ctx, const struct diag_entry *e)
{
	struct start_ctx *sc = ctx;
	struct interim *im = sc->im;
	struct tcplife_event ev;
	struct session *s;

	if (!e->have_info || !wanted_at_start(sc->filter, e))
		return;
	interim_entry_key(e, &ev);
	if (interim_find(im, &ev))
		return;
	ev.flags = TCPLIFE_F_NO_START;
	ev.end_ns = im->pass_ns;
	ev.uid = e->uid;
	ev.tx_bytes = e->tx_bytes;
	ev.rx_bytes = e->rx_bytes;
	ev.retrans = e->retrans;
	ev.srtt_us = e->srtt_us;
	ev.last_state = e->state;
	s = interim_add(im, &ev);
	if (!s)
		return;
	s->reading = *e;
	s->cookie = e->cookie;
	s->seen_gen = im->pass_gen;
	s->listed = true;
}

void interim_read_open_at_start(struct interim *im,
				const struct interim_start_filter *filter,
				const char *cgroup_root)
{
	struct start_ctx sc = { .im = im, .filter = filter };
	const struct tcplife_config *cfg = filter->config;

	im->pass_gen++;
	im->pass_ns = interim_now_ns();
	if (sock_diag_dump(&im->diag, on_start_entry, &sc))
		im->count[IC_READ_ERRORS]++;
	interim_resolve_owners(im, cgroup_root, SIZE_MAX);
	/* -p and --cgroup need the owner, known only now. */
	for (size_t i = 0; i < im->cap; i++) {
		struct session *s = &im->pool[i];

		if (s->used && s->listed &&
		    (((cfg->mask & TCPLIFE_FILTER_PID) &&
		      s->ev.pid != cfg->pid) ||
		     ((cfg->mask & TCPLIFE_FILTER_CGROUP) &&
		      (!s->owner_known ||
		       !interim_in_cgroup(s->ev.pid, cgroup_root,
					  cfg->cgroup_id)))))
			interim_remove(im, s);
	}
	im->pass_ns = 0;
}

void interim_print_open_at_start(struct interim *im, struct output *o)
{
	for (size_t i = 0; i < im->cap; i++) {
		struct session *s = &im->pool[i];

		if (s->used && s->listed) {
			s->listed = false;
			interim_print(im, s, "open_at_start", "open", o);
		}
	}
}
