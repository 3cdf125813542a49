/*
 * What this host offers the tool: kernel release, BTF, kernel headers,
 * tracefs and attach points, and the decisions that follow from them.
 */
#ifndef TCPLIFE_HOST_H
#define TCPLIFE_HOST_H

#include <stdbool.h>
#include <sys/utsname.h>

#include "attach.h"
#include "btf_offsets.h"
#include "kfeatures.h"
#include "kheaders.h"
#include "kheaders_archive.h"
#include "tracefs.h"

/* What a run asks of the host: the options that steer it, nothing more. */
struct host_request {
	const struct attach_method *attach;	/* --attach; NULL: auto */
	const char *kernel_headers;	/* --kernel-headers; NULL: search */
	const char *cache_dir;		/* where the header archive goes */
	bool offsets_cache;		/* per-boot offsets cached (no --no-cache) */
	/* A run, not --info or --ebpf: the header archive may be made. */
	bool may_extract;
	bool allow_header_mismatch;
	bool allow_untrusted_headers;
	unsigned int filters_on;	/* bit N: filters.c's Nth filter */
	const char *user;		/* --user, for --info */
};

struct host {
	struct host_request rq;		/* what host_discover was asked */
	struct utsname uts;
	int btf_err;			/* 0 when offsets came from BTF */
	struct counter_offsets offsets;
	int headers_err;		/* 0 when kh is valid */
	struct kheaders kh;
	/* The kernel's own archive, looked at when nothing is installed. */
	struct kheaders_archive archive;
	bool headers_match;		/* kh.release == uts.release */
	struct tracefs tfs;
	/* Chosen by host_choose_attach; NULL: none available. */
	const struct attach_method *method;
	struct kfeatures kf;		/* the running kernel's BPF helpers */
};

/*
 * Looks at BTF and headers for RQ, which later calls go by.  A run as
 * root (RQ->may_extract) may also load the kheaders module and extract
 * the kernel's own header archive into the cache; otherwise nothing is
 * changed.
 */
void host_discover(struct host *h, const struct host_request *rq);

/*
 * Resolves the method asked for into h->method, finding tracefs (and
 * mounting it when MAY_MOUNT and the method needs it): every user of the
 * method asks here.
 * Returns 0, or -errno when tracefs could not be mounted.
 */
int host_choose_attach(struct host *h, bool may_mount);

/*
 * For a run: host_choose_attach, mounting tracefs when needed, then
 * whether the method chosen can be attached here.  Prints why not.
 * Returns 0 or -errno.
 */
int host_attach_method(struct host *h);

/*
 * Checks, for the method host_choose_attach chose, that the discovered
 * host can give correct results, printing a message for each problem.
 * Returns 0 or -errno.
 */
int host_check_headers(struct host *h);

/*
 * Refuses filters that need a BPF helper the running kernel lacks, naming
 * the option and the first kernel with it.  Returns 0 or -EOPNOTSUPP.
 */
int host_check_features(const struct host *h);

/* The counter offsets to compile in, or NULL to use the headers'. */
const struct counter_offsets *host_offsets(const struct host *h);

/* --kernel-headers as given, or the variable that named the headers. */
const char *host_headers_named(const struct host *h);

/* Prints --info's report on stdout. */
void host_print_info(struct host *h);

void host_free(struct host *h);

#endif
