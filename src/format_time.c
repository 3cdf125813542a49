/* The times and durations in rows: clocks converted and printed. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "format_time.h"

#define NSEC_PER_SEC 1000000000LL

void row_format_init(struct row_format *rf)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	rf->mono_to_real_ns = (real.tv_sec - mono.tv_sec) * NSEC_PER_SEC +
			      (real.tv_nsec - mono.tv_nsec);
	rf->have_first = false;
}

/*
 * Wall-clock nanoseconds for a CLOCK_MONOTONIC time; false when a corrupt
 * or extreme timestamp would overflow (the row then shows a placeholder).
 */
static bool mono_to_real(const struct row_format *rf, uint64_t mono_ns,
			 int64_t *real_ns)
{
	if (mono_ns > (uint64_t)INT64_MAX)
		return false;
	return !__builtin_add_overflow((int64_t)mono_ns, rf->mono_to_real_ns,
				       real_ns) && *real_ns >= 0;
}

void format_hms(const struct row_format *rf, uint64_t mono_ns, char *buf,
		size_t size)
{
	int64_t real_ns;
	time_t secs;
	struct tm tm;

	snprintf(buf, size, "??:??:??");
	if (mono_to_real(rf, mono_ns, &real_ns)) {
		secs = (time_t)(real_ns / NSEC_PER_SEC);
		if (localtime_r(&secs, &tm))
			strftime(buf, size, "%H:%M:%S", &tm);
	}
}

void format_since_first(struct row_format *rf, uint64_t mono_ns, char *buf,
			size_t size)
{
	double secs;

	if (!rf->have_first) {
		rf->first_end_ns = mono_ns;
		rf->have_first = true;
	}
	/* Events from different CPUs may arrive slightly out of order. */
	secs = mono_ns >= rf->first_end_ns ?
		(double)(mono_ns - rf->first_end_ns) / 1e9 :
		-(double)(rf->first_end_ns - mono_ns) / 1e9;
	snprintf(buf, size, "%.6f", secs);
}

void format_rfc3339(const struct row_format *rf, uint64_t mono_ns, char *buf,
		    size_t size)
{
	int64_t real_ns = 0;
	time_t secs;
	struct tm tm;
	size_t n;

	if (!mono_to_real(rf, mono_ns, &real_ns) ||
	    (secs = (time_t)(real_ns / NSEC_PER_SEC),
	     !gmtime_r(&secs, &tm))) {
		snprintf(buf, size, "1970-01-01T00:00:00.000000Z");
		return;
	}
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06lldZ",
		 (long long)(real_ns % NSEC_PER_SEC) / 1000);
}

/*
 * MS for a session opened before tracing: only a lower bound, the time
 * since tracing began, written ">N.NN" so nobody mistakes it for a span.
 */
void format_ms(const struct row_format *rf, const struct tcplife_event *ev,
	       char *buf, size_t size)
{
	if (!(ev->flags & TCPLIFE_F_NO_START)) {
		snprintf(buf, size, "%.2f", (double)ev->span_ns / 1e6);
		return;
	}
	snprintf(buf, size, ">%.2f", ev->end_ns > rf->attach_ns ?
		 (double)(ev->end_ns - rf->attach_ns) / 1e6 : 0.0);
}
