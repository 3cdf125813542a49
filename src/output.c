/*
 * Where rows go: stdout, fully buffered and flushed once per batch of
 * events, so a pipe or file sees rows within a poll interval without a
 * write(2) per row.
 */
#include <errno.h>
#include <stdio.h>
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

void output_sample(void *ctx, const void *data, int size)
{
	struct output *o = ctx;

	/* Rows past -c's count are dropped on purpose, not lost. */
	if (output_done(o))
		return;
	if (size < 0 || row_print_event(&o->rf, data, (size_t)size,
					stdout) < 0) {
		o->malformed++;
		return;
	}
	o->rows++;
}

int output_flush(struct output *o)
{
	(void)o;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (errno == EPIPE)
		return 1;
	error_msg("writing output failed: %s", strerror(errno));
	return -errno;
}
