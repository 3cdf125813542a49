/*
 * Reporting what the kernel side could not deliver.  The BPF program
 * counts failed perf_submit() calls and full maps in a per-CPU array; the
 * perf ring's own LOST records only arrive with a later event, so a loss at
 * the end of a burst would otherwise never be reported.
 *
 * Some losses happen before the program runs at all: the kernel skips a
 * run when another BPF program is already running on that CPU (a
 * tracepoint's guard is per CPU, shared by every such program) and only
 * counts it, in the program's recursion_misses (Linux 5.12 and later).
 * Each skipped run may be a session's close, so they are reported too.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
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
	case TCPLIFE_DROP_MISSED_CLOSE:
		error_msg("lost %" PRIu64 " sessions on CPU %d (a new session "
			  "found the last one's entry at its address: its "
			  "close never reached the program)", n, cpu);
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
	[TCPLIFE_DROP_MISSED_CLOSE] = "sessions in total whose close never "
				      "reached the program",
};

/*
 * Runs the kernel skipped, from the program's info (Linux 5.12+); false
 * if unknown.  libbcc's bpf_obj_get_info, so that no libbpf is needed;
 * built against uapi headers older than 5.12, the count is not read.
 */
static bool read_skipped(int prog_fd, uint64_t *skipped)
{
#ifdef HAVE_STRUCT_BPF_PROG_INFO_RECURSION_MISSES
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (prog_fd < 0 || bpf_obj_get_info(prog_fd, &info, &len) < 0 ||
	    len < offsetof(struct bpf_prog_info, recursion_misses) +
		  sizeof(info.recursion_misses))
		return false;
	*skipped = info.recursion_misses;
	return true;
#else
	(void)prog_fd;
	(void)skipped;
	return false;
#endif
}

static bool poll_skipped(struct drops *d)
{
	uint64_t now, delta;

	d->skipped_interval = 0;
	if (!read_skipped(d->prog_fd, &now) || now == d->skipped_seen)
		return false;
	delta = now - d->skipped_seen;
	d->skipped_seen = now;
	d->skipped_total += delta;
	d->skipped_interval = delta;
	error_msg("the kernel skipped %" PRIu64 " runs of the BPF program "
		  "(another BPF program was running on the same CPU): up to "
		  "%" PRIu64 " sessions may be missing", delta, delta);
	return true;
}

int drops_open(struct drops *d, int map_fd, int prog_fd)
{
	int *cpus = NULL;
	int n = cpu_list_read("/sys/devices/system/cpu/possible", &cpus);

	/* A per-CPU map holds a value for each possible CPU, in order. */
	free(cpus);
	d->map_fd = map_fd;
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	d->ncpus = n;
	d->seen = xcalloc((size_t)n * TCPLIFE_NR_COUNTS, sizeof(*d->seen));
	d->values = xcalloc((size_t)n, sizeof(*d->values));
	for (int k = 0; k < TCPLIFE_NR_COUNTS; k++)
		d->total[k] = d->interval[k] = 0;
	d->rows_received = d->rows_received_seen = 0;
	d->open_at_exit = -1;
	/* Runs skipped before we attached are none of ours to report. */
	d->prog_fd = prog_fd;
	d->skipped_seen = d->skipped_total = d->skipped_interval = 0;
	d->skipped_known = read_skipped(prog_fd, &d->skipped_seen);
	if (!d->skipped_known)
		note_msg("this kernel does not count the runs it skips "
			 "(recursion_misses, Linux 5.12): sessions lost that "
			 "way cannot be reported");
	return 0;
}

bool drops_poll(struct drops *d)
{
	bool any = d->skipped_known && poll_skipped(d);

	for (__u32 kind = 0; kind < TCPLIFE_NR_COUNTS; kind++) {
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
			if (kind >= TCPLIFE_NR_DROPS)
				continue;	/* an outcome, no loss */
			any = true;
			report(kind, cpu, delta);
		}
	}
	return any;
}

/* Health record keys; a new counter only needs its name here. */
static const char *const health_key[TCPLIFE_NR_COUNTS] = {
	[TCPLIFE_DROP_PERF_FULL] = "lost_events",
	[TCPLIFE_DROP_BIRTH_FULL] = "untracked_sessions",
	[TCPLIFE_DROP_OWNER_FULL] = "unowned_sessions",
	[TCPLIFE_DROP_NO_BUFFER] = "lost_events_no_buffer",
	[TCPLIFE_DROP_MISSED_CLOSE] = "missed_closes",
	[TCPLIFE_OUT_CLOSES] = "closes",
	[TCPLIFE_OUT_ROWS] = "rows_sent",
	[TCPLIFE_OUT_FILTERED] = "filtered",
	[TCPLIFE_OUT_NOT_OURS] = "not_ours",
	[TCPLIFE_OUT_UNTRACKED] = "untracked_closes",
};

size_t drops_health_fields(struct drops *d, struct health_field *f)
{
	size_t n = 0;

	for (int k = 0; k < TCPLIFE_NR_COUNTS; k++) {
		f[n].key = health_key[k];
		f[n++].value = d->interval[k];
	}
	f[n].key = "rows_received";
	f[n++].value = d->rows_received - d->rows_received_seen;
	d->rows_received_seen = d->rows_received;
	f[n].key = "skipped_runs";
	f[n++].value = d->skipped_interval;
	return n;
}

/*
 * Every close the program handled ends in one outcome, and every row it
 * sent must have arrived: a difference is a loss nothing else counted.
 */
static bool accounts_add_up(const struct drops *d)
{
	const uint64_t *t = d->total;

	return t[TCPLIFE_OUT_CLOSES] ==
	       t[TCPLIFE_OUT_ROWS] + t[TCPLIFE_OUT_FILTERED] +
	       t[TCPLIFE_OUT_NOT_OURS] + t[TCPLIFE_OUT_UNTRACKED] +
	       t[TCPLIFE_DROP_PERF_FULL] + t[TCPLIFE_DROP_NO_BUFFER] &&
	       t[TCPLIFE_OUT_ROWS] == d->rows_received;
}

void drops_report_accounts(const struct drops *d, bool verbose)
{
	const uint64_t *t = d->total;
	bool ok = accounts_add_up(d);
	char line[768], open_at_exit[24] = "?";

	if (ok && !verbose)
		return;
	if (d->open_at_exit >= 0)
		snprintf(open_at_exit, sizeof(open_at_exit), "%" PRId64,
			 d->open_at_exit);
	snprintf(line, sizeof(line), "%" PRIu64 " closes = %" PRIu64
		 " rows + %" PRIu64 " filtered + %" PRIu64 " not ours + %"
		 PRIu64 " untracked + %" PRIu64 " perf full + %" PRIu64
		 " no buffer; %" PRIu64 " rows sent, %" PRIu64 " received; %"
		 PRIu64 " missed closes, %" PRIu64 " skipped runs, %" PRIu64
		 " closes never seen; %s begun while tracing still open (%"
		 PRIu64 " unchecked)",
		 t[TCPLIFE_OUT_CLOSES], t[TCPLIFE_OUT_ROWS],
		 t[TCPLIFE_OUT_FILTERED], t[TCPLIFE_OUT_NOT_OURS],
		 t[TCPLIFE_OUT_UNTRACKED], t[TCPLIFE_DROP_PERF_FULL],
		 t[TCPLIFE_DROP_NO_BUFFER], t[TCPLIFE_OUT_ROWS],
		 d->rows_received, t[TCPLIFE_DROP_MISSED_CLOSE],
		 d->skipped_total, d->unseen_at_exit, open_at_exit,
		 d->unchecked_at_exit);
	if (ok)
		note_msg("accounts: %s", line);
	else
		error_msg("accounts do not add up: %s", line);
}

void drops_report_unseen(const struct drops *d)
{
	if (d->unseen_at_exit)
		error_msg("lost %" PRIu64 " sessions in total whose close the "
			  "program never ran for (found at the stop: their "
			  "sockets were gone, their entries left)",
			  d->unseen_at_exit);
}

uint64_t drops_report_totals(struct drops *d)
{
	drops_poll(d);
	for (int k = 0; k < TCPLIFE_NR_DROPS; k++)
		if (d->total[k])
			error_msg("lost %" PRIu64 " %s", d->total[k],
				  total_what[k]);
	if (d->skipped_total)
		error_msg("the kernel skipped %" PRIu64 " runs in total: up "
			  "to %" PRIu64 " sessions may be missing",
			  d->skipped_total, d->skipped_total);
	return d->total[TCPLIFE_DROP_PERF_FULL] +
	       d->total[TCPLIFE_DROP_NO_BUFFER];
}

void drops_close(struct drops *d)
{
	free(d->seen);
	free(d->values);
	d->seen = d->values = NULL;
}
