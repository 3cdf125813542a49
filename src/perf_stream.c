/* Per-CPU perf buffers: the stream of events from the BPF program. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <bcc/perf_reader.h>
#include <linux/bpf.h>

#include "perf_stream.h"
#include "tcplife_event.h"
#include "util.h"

/*
 * Default perf buffer: 8 MiB in all, at least 64 pages (tcplife.py's
 * size) per CPU.  Two load generators saturating a 2-core machine (21,000
 * sessions/s) starve the reader for up to ~0.75 s: 2 MiB lost 8% of the
 * events, 8 MiB none.  More CPUs share the load.
 */
#define PERF_BUFFER_BUDGET_BYTES (8u << 20)
#define MIN_PERF_BYTES (256u << 10)

/* Ring bytes per sample: perf's header, the raw size, the event; 8-aligned. */
#define SAMPLE_BYTES ((8 + 4 + sizeof(struct tcplife_event) + 7) / 8 * 8)

/* A small ring (--perf-pages) must wake the reader before it fills. */
static int wakeup_for(int pages, int wakeup_events)
{
	long most = (long)pages * sysconf(_SC_PAGESIZE) / (8 * SAMPLE_BYTES);

	if (most < 1)
		most = 1;
	return wakeup_events < most ? wakeup_events : (int)most;
}

struct perf_cpu {
	struct perf_reader *reader;
	struct perf_stream *stream;
};

/* libbcc gives both callbacks the same cookie: the CPU's buffer. */
static void on_raw(void *cookie, void *raw, int size)
{
	struct perf_cpu *pc = cookie;

	pc->stream->on_sample(pc->stream->ctx, raw, size);
}

/*
 * The ring's LOST records arrive late (with the next event that fits), so
 * losses are reported from the BPF program's own count instead; this only
 * keeps libbcc from printing its own message.
 */
static void on_lost(void *cookie, uint64_t lost)
{
	(void)cookie;
	(void)lost;
}

/*
 * One CPU's buffer.  Without bpf_open_perf_buffer_opts (libbcc before
 * 0.2x) every sample wakes the reader: the same rows for more CPU.
 */
static struct perf_reader *open_cpu_buffer(struct perf_cpu *pc, int cpu,
					   int pages, int wakeup_events)
{
#ifdef HAVE_PERF_BUFFER_OPTS
	struct bcc_perf_buffer_opts opts = {
		.pid = -1,
		.cpu = cpu,
		.wakeup_events = wakeup_events,
	};

	return bpf_open_perf_buffer_opts(on_raw, on_lost, pc, pages, &opts);
#else
	(void)wakeup_events;
	return bpf_open_perf_buffer(on_raw, on_lost, pc, -1, cpu, pages);
#endif
}

int perf_stream_open(struct perf_stream *ps, int map_fd, int pages,
		     int wakeup_events, perf_sample_fn fn, void *ctx)
{
	int *cpus = NULL;
	int n = cpu_list_read("/sys/devices/system/cpu/online", &cpus);

	memset(ps, 0, sizeof(*ps));
	if (n < 0)
		return n;
	ps->on_sample = fn;
	ps->ctx = ctx;
	if (pages <= 0) {
		/* In bytes: 64 KiB pages must not make it 16 times larger. */
		long page = sysconf(_SC_PAGESIZE);

		pages = 1;
		while ((long)pages * page < (long)MIN_PERF_BYTES ||
		       (long)pages * 2 * page * n <= (long)PERF_BUFFER_BUDGET_BYTES)
			pages *= 2;
	}
	ps->pages = pages;
	wakeup_events = wakeup_for(pages, wakeup_events);
	ps->cpus = xcalloc((size_t)n, sizeof(*ps->cpus));
	ps->pollfds = xcalloc((size_t)n, sizeof(*ps->pollfds));
	for (int i = 0; i < n; i++) {
		struct perf_cpu *pc = &ps->cpus[i];
		int fd, key = cpus[i];

		pc->stream = ps;
		pc->reader = open_cpu_buffer(pc, cpus[i], pages, wakeup_events);
		ps->ncpus = i + 1;
		if (!pc->reader)
			goto fail;
		fd = perf_reader_fd(pc->reader);
		if (bpf_update_elem(map_fd, &key, &fd, BPF_ANY) < 0)
			goto fail;
	}
	free(cpus);
	return 0;
fail:
	n = errno ? -errno : -EINVAL;
	free(cpus);
	perf_stream_close(ps);
	return n;
}

int perf_stream_poll(struct perf_stream *ps, int timeout_ms,
		     const sigset_t *sigmask)
{
	struct pollfd *fds = ps->pollfds;
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long)(timeout_ms % 1000) * 1000000L,
	};
	int ready;

	for (int i = 0; i < ps->ncpus; i++) {
		fds[i].fd = perf_reader_fd(ps->cpus[i].reader);
		fds[i].events = POLLIN;
	}
	ready = ppoll(fds, (nfds_t)ps->ncpus, &ts, sigmask);
	if (ready < 0)
		return errno == EINTR ? -EINTR : -errno;
	/*
	 * Read every buffer, not only the ready ones: a buffer that has not
	 * reached its wakeup threshold still holds events worth printing.
	 */
	perf_stream_drain(ps);
	return ready;
}

void perf_stream_drain(struct perf_stream *ps)
{
	for (int i = 0; i < ps->ncpus; i++)
		perf_reader_event_read(ps->cpus[i].reader);
}

void perf_stream_close(struct perf_stream *ps)
{
	for (int i = 0; i < ps->ncpus; i++)
		if (ps->cpus[i].reader)
			perf_reader_free(ps->cpus[i].reader);
	free(ps->cpus);
	free(ps->pollfds);
	ps->cpus = NULL;
	ps->pollfds = NULL;
	ps->ncpus = 0;
}
