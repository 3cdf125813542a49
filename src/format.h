/* Turning session events into rows: the only place that formats output. */
#ifndef TCPLIFE_FORMAT_H
#define TCPLIFE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcplife_event.h"

struct row_format {
	bool time;		/* -T: HH:MM:SS of the close */
	bool timestamp;		/* -t: seconds since the first row */
	bool wide;		/* -w */
	bool csv;		/* -s */
	bool json;		/* -j */
	bool extended;		/* -e: role, end, RTT, owner... (JSON: always) */
	/* The path of a cgroup v2 id, or NULL; may be NULL itself. */
	const char *(*cgroup_path)(void *arg, uint64_t id);
	void *cgroup_arg;
	uint64_t attach_ns;	/* CLOCK_MONOTONIC when tracing began */
	int64_t mono_to_real_ns; /* CLOCK_REALTIME minus CLOCK_MONOTONIC */
	uint64_t first_end_ns;
	bool have_first;
	bool typed;		/* --interval: records carry a type */
};

/*
 * What a typed record (--interval, see interim.h) has besides its event.
 * The event then holds the reading: end_ns its time, span_ns the duration
 * so far, the counters so far.
 */
struct record_extra {
	const char *type;	/* JSON "type": interim, close, open_at_start */
	const char *marker;	/* the text layouts' TYPE column */
	uint64_t session_id;	/* the same in every record of a session */
	uint64_t tx_delta, rx_delta;	/* since its previous record */
	bool closed;		/* the close: end_time and end_reason apply */
	bool owner_known;	/* pid and comm are the owner's */
};

/* Captures the clock offset; call once before events arrive. */
void row_format_init(struct row_format *rf);

void row_print_header(const struct row_format *rf, FILE *out);

/*
 * Prints one row for the raw perf sample DATA of SIZE bytes.  Returns 0,
 * or -EINVAL when the sample is too short to be an event (nothing printed).
 */
int row_print_event(struct row_format *rf, const void *data, size_t size,
		    FILE *out);

/* Prints a typed record: EV as the session stands, with X. */
void row_print_record(struct row_format *rf, const struct tcplife_event *ev,
		      const struct record_extra *x, FILE *out);

#endif
