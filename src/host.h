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
#include "options.h"
#include "tracefs.h"

struct host {
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
 * Looks at BTF and headers.  A run (not --info or --ebpf) as root may
 * also load the kheaders module and extract the kernel's own header
 * archive into the cache; otherwise nothing is changed.
 */
void host_discover(struct host *h, const struct options *opts);

/*
 * Resolves opts->attach into h->method, finding tracefs (and mounting it
 * when MAY_MOUNT and the method needs it): every user of the method asks
 * here.
 * Returns 0, or -errno when tracefs could not be mounted.
 */
int host_choose_attach(struct host *h, const struct options *opts,
		       bool may_mount);

/*
 * Checks, for the method host_choose_attach chose, that the discovered host can give correct results with OPTS,
 * printing a message for each problem.  Returns 0 or -errno.
 */
int host_check_headers(struct host *h, const struct options *opts);

/*
 * Refuses options that need a BPF helper the running kernel lacks, naming
 * the option and the first kernel with it.  Returns 0 or -EOPNOTSUPP.
 */
int host_check_features(const struct host *h, const struct options *opts);

/* The counter offsets to compile in, or NULL to use the headers'. */
const struct counter_offsets *host_offsets(const struct host *h);

/* Prints --info's report on stdout. */
void host_print_info(struct host *h, const struct options *opts);

void host_free(struct host *h);

#endif
