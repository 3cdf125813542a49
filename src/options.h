/* Command-line options of tcplife-bcc. */
#ifndef TCPLIFE_OPTIONS_H
#define TCPLIFE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "port_set.h"
#include "tcplife_event.h"

struct attach_method;

struct options {
	bool time;		/* -T */
	bool timestamp;		/* -t */
	bool wide;		/* -w */
	bool csv;		/* -s */
	bool json;		/* -j */
	bool extended;		/* -e: role, end, RTT, owner columns */
	bool all;		/* -a: also sessions opened before tracing */
	bool quiet;		/* -q: no notes */
	bool verbose;		/* -v: what became of every close, at exit */
	unsigned long duration;	/* -d, seconds; 0: until stopped */
	unsigned long count;	/* -c, rows; 0: unlimited */
	unsigned long map_entries;
	/* The filters given: bit N for filters.c's Nth entry. */
	unsigned int filters_on;
	/* Their values, for the program's config map. */
	struct tcplife_config filter;
	const char *cgroup_path;	/* --cgroup, as given */
	struct port_set *lports;	/* NULL: any */
	struct port_set *rports;
	bool print_ebpf;
	bool print_info;
	const char *kernel_headers;
	bool allow_header_mismatch;
	bool allow_untrusted_headers;
	const struct attach_method *attach;	/* NULL: auto */
	unsigned long perf_pages;	/* per CPU, a power of two; 0: auto */
	const char *cache_dir;
	bool no_cache;
	bool warm_cache;	/* --warm-cache: compile into the cache, exit */
	const char *user;	/* --user: run as this account once attached */
	const char *output;	/* --output: append rows here, not stdout */
	unsigned long interval;	/* --interval, seconds; 0: closes only */
};


enum options_result {
	OPTIONS_RUN,		/* OPTS is filled in: go on */
	OPTIONS_EXIT,		/* --help or --version was printed */
	OPTIONS_USAGE_ERROR,	/* reported on stderr */
};

/*
 * Fills OPTS from the command line, checking every value before anything
 * is loaded.  Never exits, so it can be fuzzed; main() decides.
 */
enum options_result options_parse(int argc, char **argv,
				  struct options *opts);
void options_free(struct options *opts);

#endif
