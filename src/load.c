/*
 * Loading the program: from the cache or a compile, with auto's fallback
 * when the kernel refuses it, and its filter maps filled before it is
 * attached; or, for --warm-cache, only building it.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <string.h>

#include "bpf_text.h"
#include "load.h"
#include "util.h"

/* The filters' values go into the program's maps before it attaches. */
static int fill_filters(const struct loaded_program *lp,
			const struct load_request *rq)
{
	int err;

	err = program_set_config(lp->config_fd, rq->filter);
	if (err) {
		error_msg("setting the filters failed: %s", strerror(-err));
		return err;
	}
	if (rq->lports && lp->lport_fd >= 0)
		err = program_set_ports(lp->lport_fd, rq->lports);
	if (!err && rq->rports && lp->rport_fd >= 0)
		err = program_set_ports(lp->rport_fd, rq->rports);
	if (err)
		error_msg("setting the port filter failed: %s", strerror(-err));
	return err;
}

int load_warm_cache(const struct program_cflags *cf, const struct host *h,
		    const struct program_cache_opts *cache)
{
	struct bpf_image img;
	bool from_cache;

	if (program_build(tcplife_bpf_text, cf, &h->kh, h->method, h->tfs.dir,
			  cache, &img, &from_cache) < 0)
		return -EIO;
	bpf_image_free(&img);
	note_msg("the program for %s is %s %s", h->uts.release,
		 from_cache ? "already cached in" : "now cached in",
		 cache->dir);
	return 0;
}

/*
 * Under auto, a program the kernel refuses is not the end: the next
 * method with the same needs is tried, with a warning that says why (a
 * BTF-typed program depends most on the age of the verifier).  Any other
 * failure ends it, as does --attach METHOD: that method or nothing.
 */
static int load_with_fallback(struct host *h, const struct load_request *rq,
			      struct program_cflags *cf,
			      const struct program_cache_opts *cache,
			      struct loaded_program *lp)
{
	const struct attach_method *next;
	struct bpf_image_target target;
	struct bpf_load_refusal why;
	int err;

	for (;;) {
		attach_load_target(h->method, host_offsets(h), &target);
		err = program_load(tcplife_bpf_text, cf, &h->kh, h->method,
				   h->tfs.dir, cache, &target,
				   rq->method_forced ? NULL : &why, lp);
		if (!err || rq->method_forced || !why.refused)
			return err;
		next = attach_fallback(h->method, &h->tfs, host_offsets(h));
		if (next && next->needs_tracefs && tracefs_ensure(&h->tfs) < 0)
			next = NULL;	/* no tracefs: the refusal stands */
		if (!next) {
			bpf_load_refusal_print(&why);
			return err;
		}
		warning_msg("the kernel refused the %s program (%s%s%s); "
			    "attaching with %s instead (--attach %s skips this "
			    "try)", h->method->name, strerror(-why.err),
			    why.reason[0] ? ": " : "", why.reason, next->name,
			    next->name);
		h->method = next;
		program_cflags_free(cf);
		program_cflags_build(cf, rq->shape, host_offsets(h), h->method,
				     &h->kf, h->kh.source_dir);
	}
}

int load_program(struct host *h, const struct load_request *rq,
		 struct program_cflags *cf,
		 const struct program_cache_opts *cache,
		 struct loaded_program *lp)
{
	int err = load_with_fallback(h, rq, cf, cache, lp);

	if (!err) {
		err = fill_filters(lp, rq);
		if (err)
			loaded_program_close(lp);
	}
	return err;
}
