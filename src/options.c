/* Command-line parsing: every value is checked before anything is loaded. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "privileges.h"
#include "prog_cache.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#define CGROUP2_ROOT "/sys/fs/cgroup"
#define CGROUP2_HYBRID_ROOT "/sys/fs/cgroup/unified"

/* PID_MAX_LIMIT on 64-bit kernels. */
#define PID_LIMIT 4194304UL

enum long_only_option {
	OPT_EBPF = 0x100,
	OPT_INFO,
	OPT_KERNEL_HEADERS,
	OPT_ALLOW_HEADER_MISMATCH,
	OPT_ATTACH,
	OPT_PERF_PAGES,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
	OPT_CGROUP,
	OPT_MAP_ENTRIES,
	OPT_USER,
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "wide", no_argument, NULL, 'w' },
	{ "csv", no_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "all", no_argument, NULL, 'a' },
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "map-entries", required_argument, NULL, OPT_MAP_ENTRIES },
	{ "user", required_argument, NULL, OPT_USER },
	{ "pid", required_argument, NULL, 'p' },
	{ "localport", required_argument, NULL, 'L' },
	{ "remoteport", required_argument, NULL, 'D' },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "ebpf", no_argument, NULL, OPT_EBPF },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "kernel-headers", required_argument, NULL, OPT_KERNEL_HEADERS },
	{ "allow-header-mismatch", no_argument, NULL,
	  OPT_ALLOW_HEADER_MISMATCH },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "perf-pages", required_argument, NULL, OPT_PERF_PAGES },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ NULL, 0, NULL, 0 },
};

static void print_help(void)
{
	fputs(
"Usage: " PROGRAM_NAME " [OPTION]...\n"
"Trace TCP sessions: print one row per session that closes, with its process,\n"
"addresses, ports, kilobytes sent and received, and lifespan.\n"
"\n"
"Output:\n"
"  -T, --time             include a TIME column (HH:MM:SS of the close)\n"
"  -t, --timestamp        include a TIME(s) column (seconds since the first row)\n"
"  -w, --wide             wide columns (fits IPv6 addresses)\n"
"  -s, --csv              comma-separated values\n"
"  -j, --json             JSON Lines: one object per session, exact values\n"
"  -a, --all              also sessions opened before tracing started\n"
"                         (their duration is only a lower bound)\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -c, --count N          stop after N sessions\n"
"\n"
"Filters (applied in the kernel):\n"
"  -p, --pid PID          only sessions of this process\n"
"  -L, --localport PORTS  only these local ports (e.g. 80,443,8000-8080)\n"
"  -D, --remoteport PORTS only these remote ports\n"
"  -4, --ipv4             only IPv4 sessions\n"
"  -6, --ipv6             only IPv6 sessions\n"
"      --cgroup DIR       only sessions of tasks in this cgroup v2 directory\n"
"                         or below it\n"
"\n"
"Setup:\n"
"      --kernel-headers DIR   kernel headers to compile against\n"
"      --allow-header-mismatch\n"
"                         without BTF, accept headers of another kernel\n"
"                         release (byte counts may then be wrong)\n"
"      --attach METHOD    auto (default), tracepoint or kprobe\n"
"      --perf-pages N     perf buffer pages per CPU, a power of 2 (default 64)\n"
"      --map-entries N    sessions tracked at once (default 10240)\n"
"      --cache-dir DIR    where compiled programs are cached\n"
"                         (default " DEFAULT_CACHE_DIR ")\n"
"      --no-cache         always compile; neither read nor write the cache\n"
"      --user USER        once attached, run as USER (capabilities are\n"
"                         dropped once attached in any case)\n"
"      --info             print what was found on this host and exit\n"
"      --ebpf             print the BPF program and its cflags and exit\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          output version information and exit\n"
"\n"
"Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n"
"See tcplife-bcc(8) for the fields and how PID/COMM are attributed.\n",
	stdout);
}

static void print_version(void)
{
	printf("%s %s\n", PROGRAM_NAME, PACKAGE_VERSION);
}

/* Reports a bad value; callers then return -EINVAL. */
static int bad_argument(const char *option, const char *value,
			const char *hint)
{
	error_msg("invalid --%s argument: '%s'%s%s", option, value,
		  hint ? ": " : "", hint ? hint : "");
	return -EINVAL;
}

/* Whole decimal numbers only: no sign, no spaces, no trailing junk. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static void port_set_add(struct port_set *set, unsigned long first,
			 unsigned long last)
{
	for (unsigned long p = first; p <= last; p++) {
		uint64_t bit = UINT64_C(1) << (p & 63);

		if (!(set->bits[p >> 6] & bit)) {
			set->bits[p >> 6] |= bit;
			set->count++;
		}
	}
}

/* "80,443,8000-8080"; adds to *SET, allocating it on first use. */
static int parse_ports(const char *option, const char *arg,
		       struct port_set **set)
{
	static const char hint[] =
		"expected ports 1-65535 or ranges such as 8000-8080, "
		"separated by commas";
	char *copy, *save = NULL, *item;
	int err = 0;

	/* strtok_r would skip empty items ("80,,81"), which we refuse. */
	if (!*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,"))
		return bad_argument(option, arg, hint);
	if (!*set)
		*set = xcalloc(1, sizeof(**set));
	copy = xstrdup(arg);
	for (item = strtok_r(copy, ",", &save); item && !err;
	     item = strtok_r(NULL, ",", &save)) {
		unsigned long first, last;
		char *dash = strchr(item, '-');

		if (dash)
			*dash = '\0';
		if (parse_ulong(item, 1, 65535, &first) < 0) {
			err = bad_argument(option, arg, hint);
			break;
		}
		last = first;
		if (dash && (parse_ulong(dash + 1, 1, 65535, &last) < 0 ||
			     last < first)) {
			err = bad_argument(option, arg, hint);
			break;
		}
		port_set_add(*set, first, last);
	}
	free(copy);
	return err;
}

/*
 * A cgroup v2 directory, as a path or relative to /sys/fs/cgroup.  The BPF
 * program needs its id (the directory's inode number on cgroup2) and its
 * depth below the hierarchy's root.
 */
static int parse_cgroup(const char *arg, struct options *opts)
{
	static const char hint[] = "expected a cgroup v2 directory, such as "
				   "/sys/fs/cgroup/system.slice";
	char path[PATH_MAX], real[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	unsigned int level = 0;

	if (!*arg)
		return bad_argument("cgroup", arg, hint);
	/* Relative names: the unified mount, or its hybrid-mode place. */
	if (arg[0] == '/' || path_is_dir(arg))
		snprintf(path, sizeof(path), "%s", arg);
	else if (path_join(path, sizeof(path), CGROUP2_ROOT, arg) < 0 ||
		 (!path_is_dir(path) &&
		  path_join(path, sizeof(path), CGROUP2_HYBRID_ROOT, arg) < 0))
		return bad_argument("cgroup", arg, hint);
	if (!realpath(path, real) || stat(real, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || statfs(real, &sfs) < 0 ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC)
		return bad_argument("cgroup", arg, hint);
	/* Depth: how many parents are still on the same cgroup2 mount. */
	for (char *slash = strrchr(real, '/'); slash && slash != real;
	     slash = strrchr(real, '/')) {
		*slash = '\0';
		if (statfs(real, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
			break;
		level++;
	}
	opts->cgroup_path = arg;
	opts->cgroup_id = (uint64_t)st.st_ino;
	opts->cgroup_level = level;
	return 0;
}

static int parse_attach(const char *arg, enum attach_method *method)
{
	if (!strcmp(arg, "auto"))
		*method = ATTACH_AUTO;
	else if (!strcmp(arg, "tracepoint"))
		*method = ATTACH_TRACEPOINT;
	else if (!strcmp(arg, "kprobe"))
		*method = ATTACH_KPROBE;
	else
		return bad_argument("attach", arg,
				    "expected auto, tracepoint or kprobe");
	return 0;
}

const char *attach_method_name(enum attach_method method)
{
	switch (method) {
	case ATTACH_TRACEPOINT:
		return "tracepoint";
	case ATTACH_KPROBE:
		return "kprobe";
	case ATTACH_AUTO:
		break;
	}
	return "auto";
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
	case 'a':
		opts->all = true;
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
	case OPT_PERF_PAGES:
		/* The kernel wants a power of two; 64 Ki pages is 256 MiB. */
		if (parse_ulong(arg, 1, 65536, &opts->perf_pages) < 0 ||
		    (opts->perf_pages & (opts->perf_pages - 1)))
			return bad_argument("perf-pages", arg,
					    "expected a power of 2 from 1 to 65536");
		return 0;
	}
	/* getopt_long has said what was wrong. */
	fprintf(stderr, "Try '%s --help' for more information.\n",
		PROGRAM_NAME);
	return -EINVAL;
}

/* Combinations that make no sense; each reported. */
static int check_combinations(const struct options *opts)
{
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
	opts->attach = ATTACH_AUTO;
	opts->perf_pages = DEFAULT_PERF_PAGES;
	opts->cache_dir = DEFAULT_CACHE_DIR;
	opts->map_entries = DEFAULT_MAP_ENTRIES;
	optind = 0;	/* a full rescan, so parsing can be repeated */
	while (!err && (c = getopt_long(argc, argv, "hVTtwsjad:c:p:L:D:46",
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
