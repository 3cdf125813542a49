/* Command-line options of tcplife-bcc. */
#ifndef TCPLIFE_OPTIONS_H
#define TCPLIFE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "map_sizes.h"

struct attach_method;

/* One bit per port; the same layout as the BPF program's bitmap maps. */
struct port_set {
	uint64_t bits[PORT_BITMAP_WORDS];
	unsigned int count;
};

struct options {
	bool time;		/* -T */
	bool timestamp;		/* -t */
	bool wide;		/* -w */
	bool csv;		/* -s */
	bool json;		/* -j */
	bool extended;		/* -e: role, end, RTT, owner columns */
	bool all;		/* -a: also sessions opened before tracing */
	bool quiet;		/* -q: no notes */
	unsigned long duration;	/* -d, seconds; 0: until stopped */
	unsigned long count;	/* -c, rows; 0: unlimited */
	unsigned long map_entries;
	const char *cgroup_path;	/* --cgroup, resolved */
	uint64_t cgroup_id;
	unsigned int cgroup_level;
	bool ipv4_only;
	bool ipv6_only;
	unsigned long pid;	/* 0: any */
	bool filter_uid;
	uint32_t uid;		/* -u, with filter_uid */
	uint32_t netns;		/* --netns inode; 0: any */
	int failed;		/* --failed 1, --no-failed 0; -1: both */
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
