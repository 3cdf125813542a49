/*
 * Reporting what the kernel side could not deliver.  The BPF program
 * counts failed perf_submit() calls and full maps in a per-CPU array; the
 * perf ring's own LOST records only arrive with a later event, so a loss at
 * the end of a burst would otherwise never be reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>

#include <bcc/libbpf.h>

#include "drops.h"
#include "util.h"

static void report(unsigned int kind, int cpu, uint64_t n)
{
	switch (kind) {
	case TCPLIFE_DROP_PERF_FULL:
		error_msg("lost %" PRIu64 " events on CPU %d (perf buffer "
			  "full; raise --perf-pages)", n, cpu);
		break;
	case TCPLIFE_DROP_BIRTH_FULL:
		error_msg("lost %" PRIu64 " sessions on CPU %d (session map "
			  "full: not tracked)", n, cpu);
		break;
	case TCPLIFE_DROP_NO_BUFFER:
		error_msg("lost %" PRIu64 " events on CPU %d (no perf buffer "
			  "there: the CPU came online after the start)", n,
			  cpu);
		break;
	default:
		error_msg("%" PRIu64 " sessions on CPU %d have no recorded "
			  "owner (map full): PID/COMM are the closing task's",
			  n, cpu);
	}
}

static const char *const total_what[TCPLIFE_NR_DROPS] = {
	[TCPLIFE_DROP_PERF_FULL] = "events in total (perf buffers overflowed)",
	[TCPLIFE_DROP_BIRTH_FULL] = "sessions in total not tracked (session "
				    "map full)",
	[TCPLIFE_DROP_OWNER_FULL] = "owners in total (session map full)",
	[TCPLIFE_DROP_NO_BUFFER] = "events in total (CPUs that came online "
				   "after the start have no perf buffer)",
};

int drops_open(struct drops *d, int map_fd)
{
	int *cpus = NULL;
	int n = cpu_list_read("/sys/devices/system/cpu/possible", &cpus);

	/* A per-CPU map holds a value for each possible CPU, in order. */
	free(cpus);
	d->map_fd = map_fd;
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	d->ncpus = n;
	d->seen = xcalloc((size_t)n * TCPLIFE_NR_DROPS, sizeof(*d->seen));
	d->values = xcalloc((size_t)n, sizeof(*d->values));
	for (int k = 0; k < TCPLIFE_NR_DROPS; k++)
		d->total[k] = 0;
	return 0;
}

bool drops_poll(struct drops *d)
{
	bool any = false;

	for (__u32 kind = 0; kind < TCPLIFE_NR_DROPS; kind++) {
		d->interval[kind] = 0;
		if (bpf_lookup_elem(d->map_fd, &kind, d->values) < 0) {
			/* Losses we cannot count must not look like none. */
			if (!d->read_failed)
				error_msg("cannot read the loss counters: %s; "
					  "losses may go unreported",
					  strerror(errno));
			d->read_failed = true;
			continue;
		}
		for (int cpu = 0; cpu < d->ncpus; cpu++) {
			uint64_t *seen = &d->seen[kind * (unsigned)d->ncpus +
						  (unsigned)cpu];
			uint64_t delta = d->values[cpu] - *seen;

			if (!delta)
				continue;
			*seen = d->values[cpu];
			d->total[kind] += delta;
			d->interval[kind] += delta;
			any = true;
			report(kind, cpu, delta);
		}
	}
	return any;
}

/* Health record keys; a new counter only needs its name here. */
static const char *const health_key[TCPLIFE_NR_DROPS] = {
	[TCPLIFE_DROP_PERF_FULL] = "lost_events",
	[TCPLIFE_DROP_BIRTH_FULL] = "untracked_sessions",
	[TCPLIFE_DROP_OWNER_FULL] = "unowned_sessions",
	[TCPLIFE_DROP_NO_BUFFER] = "lost_events_no_buffer",
};

size_t drops_health_fields(const struct drops *d, struct health_field *f)
{
	for (int k = 0; k < TCPLIFE_NR_DROPS; k++) {
		f[k].key = health_key[k];
		f[k].value = d->interval[k];
	}
	return TCPLIFE_NR_DROPS;
}

uint64_t drops_report_totals(struct drops *d)
{
	drops_poll(d);
	for (int k = 0; k < TCPLIFE_NR_DROPS; k++)
		if (d->total[k])
			error_msg("lost %" PRIu64 " %s", d->total[k],
				  total_what[k]);
	return d->total[TCPLIFE_DROP_PERF_FULL] +
	       d->total[TCPLIFE_DROP_NO_BUFFER];
}

void drops_close(struct drops *d)
{
	free(d->seen);
	free(d->values);
	d->seen = d->values = NULL;
}
