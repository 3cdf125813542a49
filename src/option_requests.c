/*
 * The options translated into the small requests the layers below take:
 * the one place that knows which option steers which layer.
 */
#include <string.h>

#include "option_requests.h"

void host_request_from_options(const struct options *opts,
			       struct host_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->attach = opts->attach;
	rq->kernel_headers = opts->kernel_headers;
	/* The header archive is extracted there even with --no-cache. */
	rq->cache_dir = opts->cache_dir;
	rq->offsets_cache = !opts->no_cache;
	rq->may_extract = !opts->print_info && !opts->print_ebpf;
	rq->allow_header_mismatch = opts->allow_header_mismatch;
	rq->allow_untrusted_headers = opts->allow_untrusted_headers;
	rq->filters_on = opts->filters_on;
	rq->user = opts->user;
}

void output_request_from_options(const struct options *opts,
				 struct output_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->time = opts->time;
	rq->timestamp = opts->timestamp;
	rq->wide = opts->wide;
	rq->csv = opts->csv;
	rq->json = opts->json;
	rq->extended = opts->extended;
	rq->typed = opts->interval != 0;
	rq->limit = opts->count;
	rq->path = opts->output;
}
