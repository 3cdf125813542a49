/* Loading the program, with auto's fallback, and filling its filter maps. */
#ifndef TCPLIFE_LOAD_H
#define TCPLIFE_LOAD_H

#include <stdbool.h>

#include "host.h"
#include "program.h"

/* What loading needs from the options. */
struct load_request {
	const struct program_shape *shape;
	bool method_forced;		/* --attach METHOD: no fallback */
	const struct tcplife_config *filter;	/* the config map's entry */
	const struct port_set *lports, *rports;	/* NULL: any */
};

/*
 * Builds (or finds in the cache) and loads the program for h->method,
 * falling back under auto (h->method and CF then change), and fills its
 * filter maps.  Returns 0 or -errno, with a message; nothing stays
 * loaded on failure.
 */
int load_program(struct host *h, const struct load_request *rq,
		 struct program_cflags *cf,
		 const struct program_cache_opts *cache,
		 struct loaded_program *lp);

/*
 * --warm-cache: the program CF selects, compiled and stored under the key
 * a start with the same options looks up, and nothing loaded.  Returns 0
 * or -errno, with a message.
 */
int load_warm_cache(const struct program_cflags *cf, const struct host *h,
		    const struct program_cache_opts *cache);

#endif
