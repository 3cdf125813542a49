/* Command-line parsing: every value is checked before anything is loaded. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option_values.h"
#include "options.h"
#include "privileges.h"
#include "prog_cache.h"
#include "util.h"


/* PID_MAX_LIMIT on 64-bit kernels. */
#define PID_LIMIT 4194304UL

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
	OPT_CGROUP,
	OPT_MAP_ENTRIES,
	OPT_USER,
	OPT_OUTPUT,
	OPT_NETNS,
	OPT_FAILED,
	OPT_NO_FAILED,
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
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "map-entries", required_argument, NULL, OPT_MAP_ENTRIES },
	{ "user", required_argument, NULL, OPT_USER },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "pid", required_argument, NULL, 'p' },
	{ "uid", required_argument, NULL, 'u' },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "no-failed", no_argument, NULL, OPT_NO_FAILED },
	{ "localport", required_argument, NULL, 'L' },
	{ "remoteport", required_argument, NULL, 'D' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
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
	{ NULL, 0, NULL, 0 },
};

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
	case OPT_CGROUP:
		return parse_cgroup(arg, opts);
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
	case 'p':
		if (parse_ulong(arg, 1, PID_LIMIT, &opts->pid) < 0)
			return bad_argument("pid", arg,
					    "expected a process ID from 1 to 4194304");
		return 0;
	case 'u':
		opts->filter_uid = true;
		return parse_uid(arg, &opts->uid);
	case OPT_NETNS:
		return parse_netns(arg, &opts->netns);
	case OPT_FAILED:
	case OPT_NO_FAILED:
		if (opts->failed == (c == OPT_FAILED ? 0 : 1)) {
			error_msg("--failed and --no-failed exclude each other");
			return -EINVAL;
		}
		opts->failed = c == OPT_FAILED;
		return 0;
	case 'L':
		return parse_ports("localport", arg, &opts->lports);
	case 'D':
		return parse_ports("remoteport", arg, &opts->rports);
	case '4':
		opts->ipv4_only = true;
		return 0;
	case '6':
		opts->ipv6_only = true;
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
	}
	/* getopt_long has said what was wrong. */
	fprintf(stderr, "Try '%s --help' for more information.\n",
		PROGRAM_NAME);
	return -EINVAL;
}

/* Combinations that make no sense; each reported. */
static int check_combinations(const struct options *opts)
{
	if (opts->warm_cache && opts->no_cache) {
		error_msg("--warm-cache and --no-cache exclude each other");
		return -EINVAL;
	}
	if (opts->ipv4_only && opts->ipv6_only) {
		error_msg("-4/--ipv4 and -6/--ipv6 exclude each other");
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
	int c, err = 0;

	memset(opts, 0, sizeof(*opts));
	opts->attach = NULL;
	opts->perf_pages = 0;
	opts->cache_dir = DEFAULT_CACHE_DIR;
	opts->map_entries = DEFAULT_MAP_ENTRIES;
	opts->failed = -1;
	optind = 0;	/* a full rescan, so parsing can be repeated */
	while (!err && (c = getopt_long(argc, argv, "hVTtwsjeaqd:c:p:u:L:D:46",
					long_options, NULL)) != -1)
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
