/*
 * What this host offers the tool: byte counters come from BTF when the
 * kernel has it, otherwise from headers that must belong to the running
 * kernel.  Discovery only; the checks and --info are in host_*.c.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "host.h"
#include "offsets_cache.h"

/* From the per-boot cache when possible: parsing BTF takes ~45 ms. */
static int host_btf_offsets(const struct host_request *rq,
			    struct counter_offsets *off)
{
	bool cache = rq->offsets_cache && rq->cache_dir && geteuid() == 0;
	int err;

	attach_btf_targets(off);
	if (access(VMLINUX_BTF_PATH, R_OK) < 0)
		return -errno;
	/* Not even cached offsets: this build cannot vouch for them. */
	if (!btf_offsets_built)
		return -ENOTSUP;
	if (cache && offsets_cache_lookup(rq->cache_dir, off) == 0)
		return 0;
	err = btf_counter_offsets(VMLINUX_BTF_PATH, off);
	if (!err && cache)
		offsets_cache_store(rq->cache_dir, off);
	return err;
}

void host_discover(struct host *h, const struct host_request *rq)
{
	memset(h, 0, sizeof(*h));
	h->rq = *rq;
	uname(&h->uts);
	h->btf_err = host_btf_offsets(rq, &h->offsets);
	h->headers_err = kheaders_find(rq->kernel_headers, h->uts.release,
				       false, &h->kh);
	/* The kernel's own next: made with it, so exactly its headers. */
	if (h->headers_err == -ENOENT)
		h->headers_err = kheaders_archive_use(rq->cache_dir,
						      h->uts.release,
						      rq->may_extract,
						      &h->archive, &h->kh);
	/* Headers of another release are only safe when BTF gives layouts. */
	if (h->headers_err == -ENOENT && h->btf_err == 0)
		h->headers_err = kheaders_find(NULL, h->uts.release, true,
					       &h->kh);
	h->headers_match = h->headers_err == 0 && h->kh.release &&
			   !strcmp(h->kh.release, h->uts.release);
	kfeatures_probe(&h->kf);
}

const struct counter_offsets *host_offsets(const struct host *h)
{
	return h->btf_err == 0 ? &h->offsets : NULL;
}

const char *host_headers_named(const struct host *h)
{
	return h->rq.kernel_headers ? h->rq.kernel_headers :
	       "$BCC_KERNEL_SOURCE";
}

void host_free(struct host *h)
{
	kheaders_archive_free(&h->archive);
	kheaders_free(&h->kh);
}
