/*
 * Where rows go: stdout or the --output file, fully buffered and flushed
 * once per batch of events, so a reader sees rows within a poll interval
 * without a write(2) per row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interim.h"
#include "log_opener.h"
#include "logfile.h"
#include "output.h"
#include "privileges.h"
#include "util.h"

static char stream_buffer[1 << 16];

/*
 * Through the opener when the tool will leave root for an account: it
 * opens now and after every rotation, whoever owns the directory.
 * Otherwise the tool opens the file itself, as who it is and stays.
 */
static int open_log(struct output *o, bool *empty)
{
	char why[LOGFILE_WHY_MAX];
	int fd;

	if (o->opener.pid > 0)
		fd = log_opener_open(&o->opener, empty, why, sizeof(why));
	else
		fd = logfile_open(o->path, o->owner, empty, why, sizeof(why));
	if (fd < 0 && why[0]) {
		snprintf(o->why, sizeof(o->why), "%s", why);
		return fd;
	}
	if (fd < 0)
		snprintf(o->why, sizeof(o->why), "%s", strerror(-fd));
	return fd;
}

int output_init(struct output *o, const struct output_request *rq,
		const struct run_as *ra)
{
	bool empty = true;

	memset(o, 0, sizeof(*o));
	o->opener.sock = -1;
	row_format_init(&o->rf);
	o->rf.time = rq->time;
	o->rf.timestamp = rq->timestamp;
	o->rf.wide = rq->wide;
	o->rf.csv = rq->csv;
	o->rf.json = rq->json;
	o->rf.extended = rq->extended;
	o->rf.typed = rq->typed;
	if (rq->extended || rq->json || rq->typed) {
		cgroup_paths_init(&o->cgroups);
		o->rf.cgroup_path = cgroup_paths_lookup;
		o->rf.cgroup_arg = &o->cgroups;
	}
	o->limit = rq->limit;
	o->stream = stdout;
	if (rq->path) {
		int fd, err;

		o->path = rq->path;
		o->owner = ra->uid;
		if ((ra->user || ra->anonymous) &&
		    privileges_can_switch_user()) {
			err = log_opener_start(&o->opener, o->path, ra->uid,
					       ra->gid);
			if (err) {
				error_msg("cannot start the process that opens "
					  "%s: %s", o->path, strerror(-err));
				o->stream = NULL;
				return err;
			}
		}
		fd = open_log(o, &empty);
		if (fd < 0 || !(o->stream = fdopen(fd, "a"))) {
			err = fd < 0 ? fd : -errno;
			if (fd >= 0) {
				close(fd);
				snprintf(o->why, sizeof(o->why), "%s",
					 strerror(-err));
			}
			o->stream = NULL;
			error_msg("cannot open %s: %s", o->path, o->why);
			return err;
		}
	}
	setvbuf(o->stream, stream_buffer, _IOFBF, sizeof(stream_buffer));
	/* One thread writes it: no lock per character of a row. */
	__fsetlocking(o->stream, FSETLOCKING_BYCALLER);
	o->header_due = empty;
	return 0;
}

/* The column header, unless -j or the file already had rows. */
static void print_header(struct output *o)
{
	if (o->header_due)
		row_print_header(&o->rf, o->stream);
	o->header_due = false;
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
		if (o->interim) {
			/* Opens print nothing; only closes are rows for -c. */
			if (interim_event(o->interim, &o->pending[i], o))
				o->rows++;
			continue;
		}
		row_print_event(&o->rf, &o->pending[i], sizeof(o->pending[i]),
				o->stream);
		o->rows++;
	}
	o->npending = 0;
}

void output_sample(void *ctx, const void *data, int size)
{
	struct output *o = ctx;
	uint16_t flags;

	/* Samples are padded to 8 bytes, so longer is fine; shorter is not. */
	if (size < (int)sizeof(*o->pending)) {
		o->malformed++;
		return;
	}
	memcpy(&flags, (const char *)data +
	       offsetof(struct tcplife_event, flags), sizeof(flags));
	/* --interval's opens are no rows: the kernel counts closes only. */
	if (!(flags & TCPLIFE_F_OPEN))
		o->received++;
	if (!o->pending)
		o->pending = xcalloc(MAX_PENDING, sizeof(*o->pending));
	if (o->npending == MAX_PENDING)
		print_pending(o);
	memcpy(&o->pending[o->npending++], data, sizeof(*o->pending));
}

int output_start(struct output *o, uint64_t attach_ns)
{
	o->rf.attach_ns = attach_ns;
	print_header(o);
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
	if (o->stream && o->stream != stdout)
		fclose(o->stream);
	o->stream = NULL;
	log_opener_stop(&o->opener);
	cgroup_paths_free(&o->cgroups);
}

int output_flush(struct output *o)
{
	if (!o->write_errno) {
		errno = 0;
		print_pending(o);
		if (fflush(o->stream) == 0 && !ferror(o->stream))
			return 0;
		o->write_errno = errno ? errno : EIO;
		if (o->write_errno != EPIPE)
			error_msg("writing %s failed: %s",
				  o->path ? o->path : "output",
				  strerror(o->write_errno));
	}
	return o->write_errno == EPIPE ? 1 : -o->write_errno;
}

int output_reopen(struct output *o)
{
	bool empty;
	int fd, err;

	if (!o->path)
		return 0;
	/* Every row so far goes to the old file, none is written twice. */
	err = output_flush(o);
	if (err)
		return err;
	fd = open_log(o, &empty);
	if (fd < 0) {
		warning_msg("reopening %s failed: %s; rows still go to the "
			    "file open before", o->path, o->why);
		return 0;
	}
	/* The stream, its buffer and its mode stay; only the file changes. */
	if (dup2(fd, fileno(o->stream)) < 0) {
		err = -errno;
		close(fd);
		error_msg("reopening %s failed: %s", o->path, strerror(-err));
		return err;
	}
	close(fd);
	o->header_due = empty;
	print_header(o);
	return 0;
}
