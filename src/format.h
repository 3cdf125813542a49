/* Turning session events into rows: the only place that formats output. */
#ifndef TCPLIFE_FORMAT_H
#define TCPLIFE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
