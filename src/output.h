/* Where rows go: stdout or the --output file, flushed once per batch. */
#ifndef TCPLIFE_OUTPUT_H
#define TCPLIFE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroup_paths.h"
#include "log_opener.h"
#include "format.h"
#include "tcplife_event.h"
#include "privileges.h"

struct interim;

/* What output_init needs from the options: the layout, -c and --output. */
struct output_request {
	bool time;		/* -T */
	bool timestamp;		/* -t */
	bool wide;		/* -w */
	bool csv;		/* -s */
	bool json;		/* -j */
	bool extended;		/* -e */
	bool typed;		/* --interval: records carry a type */
	unsigned long limit;	/* -c: stop after this many rows; 0: none */
	const char *path;	/* --output; NULL: stdout */
};

struct output {
	struct row_format rf;
	FILE *stream;		/* stdout, or the --output file */
	const char *path;	/* --output; NULL: stdout */
	uid_t owner;		/* who may own it besides root */
	struct log_opener opener;	/* when leaving root: who opens it */
	char why[LOGFILE_WHY_MAX];	/* the last open's failure */
	bool header_due;	/* the file was empty when opened */
	uint64_t rows;
	uint64_t received;	/* well-formed samples, printed or not */
	uint64_t malformed;	/* samples too short to be events */
	/*
	 * The first write error's errno (EPIPE: the reader left), kept: the
	 * stream's error flag stays set, but errno is soon someone else's.
	 */
	int write_errno;
	uint64_t limit;		/* -c: stop after this many rows; 0: none */
	/* A batch's events, printed in close order when it is flushed. */
	struct tcplife_event *pending;
	size_t npending;
	struct cgroup_paths cgroups;	/* for rows that show cgroup paths */
	struct interim *interim;	/* --interval: events go through it */
};

/* Safe to output_free() before output_init(). */
#define OUTPUT_INIT { .pending = NULL, .npending = 0, .stream = NULL, \
		      .opener = LOG_OPENER_INIT }

/* Whether -c's number of rows has been printed. */
#define output_done(o) ((o)->limit && (o)->rows >= (o)->limit)

/*
 * Sets up RQ's row format and opens its file, if any (appended to,
 * created 0640), for a tool that runs as RA once attached: when it leaves
 * root for an account, a remainder that keeps root opens the file now
 * and after each rotation (log_opener.h).  Returns 0, or -errno after
 * reporting it.
 */
int output_init(struct output *o, const struct output_request *rq,
		const struct run_as *ra);

/* perf_sample_fn: queues one event for the next flush. */
void output_sample(void *ctx, const void *data, int size);

/*
 * Tracing began at ATTACH_NS (CLOCK_MONOTONIC): prints the header at once,
 * since it tells readers the tool is attached.  Returns as output_flush.
 */
int output_start(struct output *o, uint64_t attach_ns);

/* Reports, on stderr, samples that could not be printed. */
void output_report(const struct output *o);

void output_free(struct output *o);

/*
 * Prints the batch's rows in order of their close (per-CPU buffers are
 * read one after another, so arrival order is not time order), then
 * flushes them.  Returns 0; 1 when the reader went away
 * (EPIPE: a quiet, successful end); -errno on another write error, which
 * has been reported.
 */
int output_flush(struct output *o);

/*
 * SIGUSR1: flushes, then opens --output's path again, so rows go to a new
 * file once logrotate has renamed the old one.  A failed open is reported
 * and the old file kept.  Returns output_flush()'s result.
 */
int output_reopen(struct output *o);

#endif
