/*
 * tcplife-bcc: trace TCP session lifespans with a BPF program that libbcc
 * compiles at run time against the local kernel headers.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "bpf_text.h"
#include "drops.h"
#include "host.h"
#include "interim.h"
#include "kprobe_reaper.h"
#include "open_sessions.h"
#include "load.h"
#include "option_requests.h"
#include "output.h"
#include "perf_stream.h"
#include "privileges.h"
#include "program.h"
#include "signals.h"
#include "util.h"

/*
 * A wakeup per sample would cost a context switch and a write(2) per row
 * under load; instead the kernel wakes us every WAKEUP_EVENTS samples and
 * the poll timeout bounds how late a quiet trickle of rows can be.  Each
 * wakeup is also a self-IPI raised inside the BPF program's run (costly in
 * a VM): at 16 it was a third of the program's time per event.
 */
#define WAKEUP_EVENTS 64
#define POLL_TIMEOUT_MS 250

/* --ebpf: what would be compiled here, without loading; no root needed. */
static int print_ebpf(const struct options *opts,
		      const struct host_request *rq)
{
	struct program_cflags cf;
	struct program_shape shape;
	struct host h;

	/* BTF, headers (for the uapi structs) and helpers, as a run sees. */
	host_discover(&h, rq);
	host_choose_attach(&h, false);
	if (!h.method)		/* what auto would have wanted */
		h.method = attach_method_nth(0);
	program_shape_from_options(opts, &shape);
	program_cflags_build(&cf, &shape, host_offsets(&h), h.method, &h.kf,
			     h.headers_err ? NULL : h.kh.source_dir);
	program_print(tcplife_bpf_text, &cf, &opts->filter);
	program_cflags_free(&cf);
	host_free(&h);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static int print_info(const struct host_request *rq)
{
	struct host h;

	host_discover(&h, rq);
	host_print_info(&h);
	host_free(&h);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Losses are reported on stderr, and with --output as health records. */
static void poll_drops(struct drops *drops, struct output *out)
{
	struct health_field f[DROPS_HEALTH_FIELDS];

	drops->rows_received = out->received;
	if (drops_poll(drops) && out->path)
		health_print(&out->rf, monotonic_ns(), f,
			     drops_health_fields(drops, f), out->stream);
}

/* Closes found lost at the stop: on stderr, and as a last health record. */
static void report_unseen(const struct drops *drops, struct output *out)
{
	struct health_field f = { "closes_unseen", drops->unseen_at_exit };

	if (!drops->unseen_at_exit)
		return;
	drops_report_unseen(drops);
	if (out->path && !output_done(out)) {
		health_print(&out->rf, monotonic_ns(), &f, 1, out->stream);
		output_flush(out);
	}
}

/*
 * Reads and prints events until a stop signal, a write error, -c's count
 * or -d's deadline (0: none).
 */
static int trace_loop(struct perf_stream *ps, struct output *out,
		      struct drops *drops, struct interim *im,
		      const sigset_t *wait_mask, uint64_t deadline_ns)
{
	for (;;) {
		int timeout = POLL_TIMEOUT_MS, ready, flushed;

		if (deadline_ns) {
			uint64_t now = monotonic_ns();

			if (now >= deadline_ns)
				return 0;
			if (deadline_ns - now < POLL_TIMEOUT_MS * 1000000ULL)
				timeout = (int)((deadline_ns - now) / 1000000) + 1;
		}
		flushed = im ? interim_tick(im, ps, out, &timeout) : 0;
		if (flushed)
			return flushed > 0 ? 0 : flushed;
		ready = perf_stream_poll(ps, timeout, wait_mask);
		flushed = output_flush(out);
		if (!flushed && signals_take_reopen())
			flushed = output_reopen(out);
		poll_drops(drops, out);
		if (flushed)
			return flushed > 0 ? 0 : flushed;
		if (signals_stop_requested() || output_done(out))
			return 0;
		if (ready < 0 && ready != -EINTR) {
			error_msg("waiting for events failed: %s",
				  strerror(-ready));
			return ready;
		}
	}
}

/* Why root keeps uid 0, when it does. */
static void report_run_as(const struct run_as *ra)
{
	switch (ra->stays) {
	case RUN_AS_SWITCHES:
		break;
	case RUN_AS_NO_ACCOUNT:
		note_msg("staying uid 0 (with no capability) once attached: "
			 "there is no %s account to run as (create it with "
			 "'adduser --system --group %s', or name one with "
			 "--user)", PRIVILEGES_SYSTEM_USER,
			 PRIVILEGES_SYSTEM_USER);
		break;
	case RUN_AS_UNUSED_ID:
		/* No uid here: tests compare notes, and the id varies. */
		note_msg("running as a uid no account names and no other "
			 "process uses once attached: there is no %s account "
			 "(create it with 'adduser --system --group %s', or "
			 "name one with --user)", PRIVILEGES_SYSTEM_USER,
			 PRIVILEGES_SYSTEM_USER);
		break;
	case RUN_AS_NO_SETUID:
		warning_msg("staying uid 0: running as %s needs CAP_SETUID "
			    "and CAP_SETGID", PRIVILEGES_SYSTEM_USER);
		break;
	}
}

/*
 * Everything that needs privileges is done: the program is attached and
 * the buffers are mapped.  Root also leaves uid 0, which even without a
 * capability owns /etc and most of the system.  A legacy kprobe (an entry
 * in kprobe_events, kernels before 4.17) must be removed with root once
 * the tool ends: a forked remainder keeps uid 0 for that alone.
 */
static int drop_privileges(const struct run_as *ra, struct attachment *att)
{
	int err;

	if (att->outlives_us) {
		err = kprobe_reaper_start(att->event);
		if (err) {
			error_msg("cannot start the process that removes the "
				  "kprobe at exit: %s", strerror(-err));
			return err;
		}
		att->event[0] = '\0';	/* the remainder's now */
	}
	report_run_as(ra);
	err = privileges_drop_to(ra);
	if (err)
		error_msg("dropping privileges%s%s failed: %s",
			  ra->user ? " to user " : "", ra->user ? ra->user : "",
			  strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct host_request host_rq;
	struct output_request out_rq;
	struct host host;
	struct program_cflags cf = { .count = 0 };
	struct program_shape shape;
	struct load_request request;
	struct loaded_program lp = LOADED_PROGRAM_INIT;
	struct compiler cc = COMPILER_INIT;
	struct program_cache_opts cache = { .compiler = &cc };
	struct attachment att = { .fd = -1 };
	struct perf_stream ps = { .ncpus = 0 };
	struct drops drops = { .seen = NULL, .values = NULL, .read_failed = false };
	struct output out = OUTPUT_INIT;
	struct run_as run_as;
	struct interim interim = { .pool = NULL };
	struct interim *im = NULL;
	uint64_t attach_ns;
	struct open_sessions open_at_stop = { .snap = NULL };
	struct open_counts left;
	sigset_t wait_mask;
	int err, status = EXIT_RUNTIME;

	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_EXIT:
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
	case OPTIONS_USAGE_ERROR:
		return EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}
	if (opts.quiet)
		notes_silence();
	host_request_from_options(&opts, &host_rq);
	output_request_from_options(&opts, &out_rq);
	if (opts.print_ebpf || opts.print_info) {
		status = opts.print_ebpf ? print_ebpf(&opts, &host_rq) :
			 print_info(&host_rq);
		options_free(&opts);
		return status;
	}

	signals_setup(&wait_mask);
	if (!privileges_can_trace()) {
		error_msg("tracing needs root, or the CAP_BPF and CAP_PERFMON "
			  "capabilities: run it with sudo");
		goto cleanup;
	}
	privileges_plan(opts.user, &run_as);
	/* A path that cannot be written fails before the slow part. */
	if (!opts.warm_cache && output_init(&out, &out_rq, &run_as) < 0)
		goto cleanup;
	/*
	 * Without the cache a compile is certain: fork the compile child now,
	 * so that it loads libbcc on the other CPU while this process reads
	 * BTF, finds headers and mounts tracefs.
	 */
	if (opts.no_cache)
		compiler_start(&cc);	/* on failure, retried when needed */
	host_discover(&host, &host_rq);
	if (host_attach_method(&host) < 0 || host_check_headers(&host) < 0 ||
	    host_check_features(&host) < 0)
		goto cleanup_host;

	program_shape_from_options(&opts, &shape);
	program_cflags_build(&cf, &shape, host_offsets(&host), host.method,
			     &host.kf, host.kh.source_dir);
	cache.dir = opts.no_cache ? NULL : opts.cache_dir;
	cache.any_headers = opts.allow_untrusted_headers;
	cache.must_store = opts.warm_cache;
	if (opts.warm_cache) {
		status = load_warm_cache(&cf, &host, &cache) < 0 ?
			 EXIT_RUNTIME : EXIT_OK;
		goto cleanup_host;
	}
	request.shape = &shape;
	request.method_forced = opts.attach != NULL;
	request.filter = &opts.filter;
	request.lports = opts.lports;
	request.rports = opts.rports;
	if (load_program(&host, &request, &cf, &cache, &lp) < 0)
		goto cleanup_host;

	err = drops_open(&drops, lp.drops_fd, lp.prog_fd);
	if (err) {
		error_msg("cannot count possible CPUs: %s", strerror(-err));
		goto cleanup_host;
	}
	err = perf_stream_open(&ps, lp.events_fd, (int)opts.perf_pages,
			       WAKEUP_EVENTS, output_sample, &out);
	if (err) {
		/* libbcc reports mmap()'s EPERM only as EINVAL. */
		error_msg("opening the perf buffers failed: %s (mapping them "
			  "needs CAP_IPC_LOCK or a RLIMIT_MEMLOCK above their "
			  "size)", strerror(-err));
		goto cleanup_host;
	}
	/* Once privileges are dropped, no buffer can be added. */
	if (ps.ncpus < drops.ncpus)
		warning_msg("%d of %d possible CPUs are offline: should they "
			    "come online, their sessions are lost (and "
			    "reported as such)", drops.ncpus - ps.ncpus,
			    drops.ncpus);
	err = attach_program(lp.prog_fd, host.method, &att);
	if (err) {
		error_msg("attaching to %s failed: %s", host.method->target,
			  strerror(-err));
		goto cleanup_host;
	}
	tracefs_release(&host.tfs);
	/* Diagnostics sockets of other namespaces need setns(): now. */
	if (opts.interval) {
		im = &interim;
		if (interim_init(im, opts.interval, opts.map_entries,
				 opts.filter.netns) < 0)
			goto cleanup_host;
		out.interim = im;
		interim_finder_start(im, run_as.uid, run_as.gid);
		if (opts.all) {	/* /proc tells owners while we are root */
			struct interim_start_filter sf = {
				.config = &opts.filter,
				.lports = opts.lports, .rports = opts.rports,
			};

			interim_read_open_at_start(im, &sf, out.cgroups.root);
		}
	}
	open_sessions_init(&open_at_stop);
	if (drop_privileges(&run_as, &att) < 0)
		goto cleanup_host;

	attach_ns = monotonic_ns();
	err = output_start(&out, attach_ns);
	if (im) {
		interim_print_open_at_start(im, &out);
		interim_start(im, attach_ns);
		if (err == 0)
			err = output_flush(&out);
	}
	compiler_stop(&cc);	/* it has finished exiting by now */
	if (err == 0)
		err = trace_loop(&ps, &out, &drops, im, &wait_mask,
				 opts.duration ? attach_ns +
				 opts.duration * 1000000000ULL : 0);
	status = err < 0 ? EXIT_RUNTIME : EXIT_OK;

	/*
	 * --interval: a last pass while still attached, so the bytes of the
	 * sessions still open are accounted up to the stop.
	 */
	if (im && err == 0 && !output_done(&out) &&
	    interim_pass(im, &ps, &out, monotonic_ns()) < 0)
		status = EXIT_RUNTIME;
	open_sessions_snapshot(&open_at_stop, lp.socks_fd, cf.map_entries);
	/* Detach first, then print what was already in the buffers. */
	detach_program(&att);
	perf_stream_drain(&ps);
	poll_drops(&drops, &out);
	if (im)
		interim_poll_health(im, &out);
	err = output_flush(&out);
	if (err < 0)
		status = EXIT_RUNTIME;
	drops_report_totals(&drops);
	drops.rows_received = out.received;
	if (open_sessions_count(&open_at_stop, lp.socks_fd, cf.map_entries,
				&left) == 0) {
		drops.open_at_exit = (int64_t)left.open;
		drops.unseen_at_exit = left.unseen;
		drops.unchecked_at_exit = left.unchecked;
		report_unseen(&drops, &out);
	}
	drops_report_accounts(&drops, opts.verbose);
	output_report(&out);
	if (im)
		interim_report(im);

cleanup_host:
	compiler_stop(&cc);
	detach_program(&att);
	perf_stream_close(&ps);
	drops_close(&drops);
	open_sessions_free(&open_at_stop);
	loaded_program_close(&lp);
	program_cflags_free(&cf);
	tracefs_release(&host.tfs);
	host_free(&host);
cleanup:
	if (im)
		interim_free(im);
	output_free(&out);
	options_free(&opts);
	return status;
}
