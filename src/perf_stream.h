/* Per-CPU perf buffers: the stream of events from the BPF program. */
#ifndef TCPLIFE_PERF_STREAM_H
#define TCPLIFE_PERF_STREAM_H

#include <signal.h>
#include <stdint.h>

typedef void (*perf_sample_fn)(void *ctx, const void *data, int size);

struct perf_cpu;
struct pollfd;

struct perf_stream {
	struct perf_cpu *cpus;
	struct pollfd *pollfds;
	int ncpus;
	int pages;		/* per CPU, as opened */
	perf_sample_fn on_sample;
	void *ctx;
};

/*
 * Opens one buffer of PAGES pages (0: the default size) per online CPU
 * into MAP_FD; the kernel
 * wakes the reader every WAKEUP_EVENTS samples, or more often when an
 * eighth of a small buffer holds fewer.  Returns 0 or -errno.
 */
int perf_stream_open(struct perf_stream *ps, int map_fd, int pages,
		     int wakeup_events, perf_sample_fn fn, void *ctx);

/*
 * Waits up to TIMEOUT_MS for events with SIGMASK installed (so blocked
 * signals can interrupt the wait), then reads every buffer.  Returns the
 * number of buffers that were ready, 0 on timeout, -EINTR on a signal.
 */
int perf_stream_poll(struct perf_stream *ps, int timeout_ms,
		     const sigset_t *sigmask);

/* Reads whatever is left in every buffer. */
void perf_stream_drain(struct perf_stream *ps);

void perf_stream_close(struct perf_stream *ps);

#endif
