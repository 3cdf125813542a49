/*
 * Where rows go: stdout, fully buffered and flushed once per batch of
 * events, so a pipe or file sees rows within a poll interval without a
 * write(2) per row.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "util.h"

static char stdout_buffer[1 << 16];

void output_init(struct output *o, const struct options *opts)
{
	memset(o, 0, sizeof(*o));
	setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
	row_format_init(&o->rf);
	o->rf.time = opts->time;
	o->rf.timestamp = opts->timestamp;
	o->rf.wide = opts->wide;
	o->rf.csv = opts->csv;
	o->rf.json = opts->json;
	o->limit = opts->count;
}

/*
 * Events are held until the batch ends, at most this many at a time, so a
 * burst costs bounded memory; ordering is then within each chunk.
 */
#define MAX_PENDING 4096

static int by_close_time(const void *a, const void *b)
{
	const struct tcplife_event *x = a, *y = b;

	return (x->end_ns > y->end_ns) - (x->end_ns < y->end_ns);
}

static void print_pending(struct output *o)
{
	/* qsort() may not be handed a null array, even an empty one. */
	if (!o->npending)
		return;
	qsort(o->pending, o->npending, sizeof(*o->pending), by_close_time);
	for (size_t i = 0; i < o->npending; i++) {
		/* Rows past -c's count are dropped on purpose, not lost. */
		if (output_done(o))
			break;
		row_print_event(&o->rf, &o->pending[i], sizeof(o->pending[i]),
				stdout);
		o->rows++;
	}
	o->npending = 0;
}

void output_sample(void *ctx, const void *data, int size)
{
	struct output *o = ctx;

	/* Samples are padded to 8 bytes, so longer is fine; shorter is not. */
	if (size < (int)sizeof(*o->pending)) {
		o->malformed++;
		return;
	}
	if (!o->pending)
		o->pending = xcalloc(MAX_PENDING, sizeof(*o->pending));
	if (o->npending == MAX_PENDING)
		print_pending(o);
	memcpy(&o->pending[o->npending++], data, sizeof(*o->pending));
}

int output_start(struct output *o, uint64_t attach_ns)
{
	o->rf.attach_ns = attach_ns;
	row_print_header(&o->rf, stdout);
	return output_flush(o);
}

void output_report(const struct output *o)
{
	if (o->malformed)
		error_msg("ignored %" PRIu64 " malformed events", o->malformed);
}

void output_free(struct output *o)
{
	free(o->pending);
	o->pending = NULL;
	o->npending = 0;
}

int output_flush(struct output *o)
{
	print_pending(o);
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno == EPIPE)
		return 1;
	error_msg("writing output failed: %s", strerror(errno));
	return -errno;
}
