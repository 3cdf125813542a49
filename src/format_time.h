/* The times and durations in rows: clocks converted and printed. */
#ifndef TCPLIFE_FORMAT_TIME_H
#define TCPLIFE_FORMAT_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "tcplife_event.h"

/* -T: HH:MM:SS local time of MONO_NS, or "??:??:??" when out of range. */
void format_hms(const struct row_format *rf, uint64_t mono_ns, char *buf,
		size_t size);

/* -t: seconds since the first row's close, with microseconds. */
void format_since_first(struct row_format *rf, uint64_t mono_ns, char *buf,
			size_t size);

/* RFC 3339 in UTC with microseconds, from a CLOCK_MONOTONIC time. */
void format_rfc3339(const struct row_format *rf, uint64_t mono_ns, char *buf,
		    size_t size);

/* MS: the lifespan, or ">N.NN" for a session opened before tracing. */
void format_ms(const struct row_format *rf, const struct tcplife_event *ev,
	       char *buf, size_t size);

#endif
