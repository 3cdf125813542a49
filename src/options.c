/* Command-line parsing: every value is checked before anything is loaded. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"
#include "option_values.h"
#include "options.h"
#include "privileges.h"
#include "prog_cache.h"
#include "util.h"


/* The letters of the options that are not filters (see filters.c). */
#define OWN_SHORT_OPTIONS "hVTtwsjeaqvd:c:"

enum long_only_option {
	OPT_EBPF = 0x100,
	OPT_INFO,
	OPT_KERNEL_HEADERS,
	OPT_ALLOW_HEADER_MISMATCH,
	OPT_ALLOW_UNTRUSTED_HEADERS,
	OPT_ATTACH,
	OPT_PERF_PAGES,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
	OPT_WARM_CACHE,
	OPT_MAP_ENTRIES,
	OPT_USER,
	OPT_OUTPUT,
	OPT_INTERVAL,
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "wide", no_argument, NULL, 'w' },
	{ "csv", no_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "extended", no_argument, NULL, 'e' },
	{ "all", no_argument, NULL, 'a' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'c' },
	{ "map-entries", required_argument, NULL, OPT_MAP_ENTRIES },
	{ "user", required_argument, NULL, OPT_USER },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "ebpf", no_argument, NULL, OPT_EBPF },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "kernel-headers", required_argument, NULL, OPT_KERNEL_HEADERS },
	{ "allow-header-mismatch", no_argument, NULL,
	  OPT_ALLOW_HEADER_MISMATCH },
	{ "allow-untrusted-headers", no_argument, NULL,
	  OPT_ALLOW_UNTRUSTED_HEADERS },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "perf-pages", required_argument, NULL, OPT_PERF_PAGES },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "warm-cache", no_argument, NULL, OPT_WARM_CACHE },
};

#define NR_OWN (sizeof(long_options) / sizeof(long_options[0]))
#define MAX_FILTERS 32	/* bits of options.filters_on */

/* A filter's option, from the filter table; -EINVAL for an unknown one. */
static int handle_filter(int c, char *arg, struct options *opts)
{
	unsigned int n;
	const struct filter *f = filter_by_option_value(c, &n);
	int err;

	if (!f) {
		/* getopt_long has said what was wrong. */
		fprintf(stderr, "Try '%s --help' for more information.\n",
			PROGRAM_NAME);
		return -EINVAL;
	}
	err = f->parse(arg, opts);
	if (!err) {
		opts->filters_on |= 1u << n;
		/* The program tests only the filters whose bit is set. */
		opts->filter.mask |= f->mask;
	}
	return err;
}

/*
 * getopt_long's table and letters: the options above, then the filters'.
 * LONGS has room for NR_OWN + MAX_FILTERS + 1 entries, SHORTS for 64.
 */
static void option_tables(struct option *longs, char *shorts, size_t size)
{
	size_t n = NR_OWN, len = strlen(OWN_SHORT_OPTIONS);
	const struct filter *f;

	memcpy(longs, long_options, sizeof(long_options));
	memcpy(shorts, OWN_SHORT_OPTIONS, len + 1);
	for (unsigned int i = 0; (f = filter_nth(i)) && i < MAX_FILTERS; i++) {
		longs[n].name = f->name;
		longs[n].has_arg = f->arg ? required_argument : no_argument;
		longs[n].flag = NULL;
		longs[n].val = filter_option_value(i);
		n++;
		if (f->short_opt && len + 3 < size) {
			shorts[len++] = (char)f->short_opt;
			if (f->arg)
				shorts[len++] = ':';
			shorts[len] = '\0';
		}
	}
	memset(&longs[n], 0, sizeof(longs[n]));
}

/* One option; returns 0, -EINVAL after reporting, or 1 for --help/-V. */
static int handle_option(int c, char *arg, struct options *opts)
{
	switch (c) {
	case 'h':
		print_help();
		return 1;
	case 'V':
		print_version();
		return 1;
	case 'T':
		opts->time = true;
		return 0;
	case 't':
		opts->timestamp = true;
		return 0;
	case 'w':
		opts->wide = true;
		return 0;
	case 's':
		opts->csv = true;
		return 0;
	case 'j':
		opts->json = true;
		return 0;
	case 'e':
		opts->extended = true;
		return 0;
	case 'a':
		opts->all = true;
		return 0;
	case 'q':
		opts->quiet = true;
		return 0;
	case 'v':
		opts->verbose = true;
		return 0;
	case 'd':
		/* A year is far more than anyone means; bounds the math. */
		if (parse_ulong(arg, 1, 31536000, &opts->duration) < 0)
			return bad_argument("duration", arg,
					    "expected seconds from 1 to 31536000");
		return 0;
	case 'c':
		if (parse_ulong(arg, 1, ULONG_MAX, &opts->count) < 0)
			return bad_argument("count", arg,
					    "expected a number of sessions, 1 or more");
		return 0;
	case OPT_USER:
		if (!*arg || privileges_check_user(arg) < 0)
			return bad_argument("user", arg,
					    "expected an existing user name");
		opts->user = arg;
		return 0;
	case OPT_OUTPUT:
		if (!*arg)
			return bad_argument("output", arg, "expected a file");
		opts->output = arg;
		return 0;
	case OPT_INTERVAL:
		/* A day: longer gaps make interim records pointless. */
		if (parse_ulong(arg, 1, 86400, &opts->interval) < 0)
			return bad_argument("interval", arg,
					    "expected seconds from 1 to 86400");
		return 0;
	case OPT_MAP_ENTRIES:
		/* The kernel caps hash maps far above this anyway. */
		if (parse_ulong(arg, 1, 16777216, &opts->map_entries) < 0)
			return bad_argument("map-entries", arg,
					    "expected a number from 1 to 16777216");
		return 0;
	case OPT_EBPF:
		opts->print_ebpf = true;
		return 0;
	case OPT_INFO:
		opts->print_info = true;
		return 0;
	case OPT_KERNEL_HEADERS:
		if (!*arg)
			return bad_argument("kernel-headers", arg,
					    "expected a directory");
		opts->kernel_headers = arg;
		return 0;
	case OPT_ALLOW_HEADER_MISMATCH:
		opts->allow_header_mismatch = true;
		return 0;
	case OPT_ALLOW_UNTRUSTED_HEADERS:
		opts->allow_untrusted_headers = true;
		return 0;
	case OPT_ATTACH:
		return parse_attach(arg, &opts->attach);
	case OPT_CACHE_DIR:
		if (arg[0] != '/')
			return bad_argument("cache-dir", arg,
					    "expected an absolute path");
		opts->cache_dir = arg;
		return 0;
	case OPT_NO_CACHE:
		opts->no_cache = true;
		return 0;
	case OPT_WARM_CACHE:
		opts->warm_cache = true;
		return 0;
	case OPT_PERF_PAGES:
		return parse_perf_pages(arg, &opts->perf_pages);
	default:
		return handle_filter(c, arg, opts);
	}
}

/* Combinations that make no sense; each reported. */
static int check_combinations(const struct options *opts)
{
	if (opts->warm_cache && opts->no_cache) {
		error_msg("--warm-cache and --no-cache exclude each other");
		return -EINVAL;
	}
	/* -w with -s is CSV, as in tcplife.py; JSON has no columns at all. */
	if (opts->json && (opts->csv || opts->wide)) {
		error_msg("-j/--json excludes -s/--csv and -w/--wide");
		return -EINVAL;
	}
	if (opts->json && (opts->time || opts->timestamp)) {
		error_msg("-j/--json has its own times; -T and -t do not apply");
		return -EINVAL;
	}
	return 0;
}

enum options_result options_parse(int argc, char **argv, struct options *opts)
{
	struct option longs[NR_OWN + MAX_FILTERS + 1];
	char shorts[64];
	int c, err = 0;

	memset(opts, 0, sizeof(*opts));
	opts->attach = NULL;
	opts->perf_pages = 0;
	opts->cache_dir = DEFAULT_CACHE_DIR;
	opts->map_entries = DEFAULT_MAP_ENTRIES;
	option_tables(longs, shorts, sizeof(shorts));
	optind = 0;	/* a full rescan, so parsing can be repeated */
	while (!err && (c = getopt_long(argc, argv, shorts, longs,
					NULL)) != -1)
		err = handle_option(c, optarg, opts);
	if (err > 0) {
		options_free(opts);
		return OPTIONS_EXIT;
	}
	if (!err && optind < argc) {
		error_msg("unexpected argument: '%s' (see --help)",
			  argv[optind]);
		err = -EINVAL;
	}
	if (!err)
		err = check_combinations(opts);
	if (err) {
		options_free(opts);
		return OPTIONS_USAGE_ERROR;
	}
	return OPTIONS_RUN;
}

void options_free(struct options *opts)
{
	free(opts->lports);
	free(opts->rports);
	opts->lports = opts->rports = NULL;
}
