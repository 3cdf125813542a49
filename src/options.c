/* Command-line parsing: every value is checked before anything is loaded. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "prog_cache.h"
#include "util.h"

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
};

static const struct option long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "time", no_argument, NULL, 'T' },
	{ "timestamp", no_argument, NULL, 't' },
	{ "wide", no_argument, NULL, 'w' },
	{ "csv", no_argument, NULL, 's' },
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
"\n"
"Filters (applied in the kernel):\n"
"  -p, --pid PID          only sessions of this process\n"
"  -L, --localport PORTS  only these local ports (e.g. 80,443,8000-8080)\n"
"  -D, --remoteport PORTS only these remote ports\n"
"  -4, --ipv4             only IPv4 sessions\n"
"  -6, --ipv6             only IPv6 sessions\n"
"\n"
"Setup:\n"
"      --kernel-headers DIR   kernel headers to compile against\n"
"      --allow-header-mismatch\n"
"                         without BTF, accept headers of another kernel\n"
"                         release (byte counts may then be wrong)\n"
"      --attach METHOD    auto (default), tracepoint or kprobe\n"
"      --perf-pages N     perf buffer pages per CPU, a power of 2 (default 64)\n"
"      --cache-dir DIR    where compiled programs are cached\n"
"                         (default " DEFAULT_CACHE_DIR ")\n"
"      --no-cache         always compile; neither read nor write the cache\n"
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

static void __attribute__((noreturn))
bad_argument(const char *option, const char *value, const char *hint)
{
	die(EXIT_USAGE, "invalid --%s argument: '%s'%s%s", option, value,
	    hint ? ": " : "", hint ? hint : "");
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
static void parse_ports(const char *option, const char *arg,
			struct port_set **set)
{
	static const char hint[] =
		"expected ports 1-65535 or ranges such as 8000-8080, "
		"separated by commas";
	char *copy = xstrdup(arg), *save = NULL, *item;

	if (!*set)
		*set = xcalloc(1, sizeof(**set));
	if (!*arg || arg[strlen(arg) - 1] == ',')
		bad_argument(option, arg, hint);
	for (item = strtok_r(copy, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		unsigned long first, last;
		char *dash = strchr(item, '-');

		if (dash)
			*dash = '\0';
		if (parse_ulong(item, 1, 65535, &first) < 0)
			bad_argument(option, arg, hint);
		last = first;
		if (dash && (parse_ulong(dash + 1, 1, 65535, &last) < 0 ||
			     last < first))
			bad_argument(option, arg, hint);
		port_set_add(*set, first, last);
	}
	/* strtok_r skips empty items ("80,,81"), which we refuse. */
	if (strstr(arg, ",,") || arg[0] == ',')
		bad_argument(option, arg, hint);
	free(copy);
}

static enum attach_method parse_attach(const char *arg)
{
	if (!strcmp(arg, "auto"))
		return ATTACH_AUTO;
	if (!strcmp(arg, "tracepoint"))
		return ATTACH_TRACEPOINT;
	if (!strcmp(arg, "kprobe"))
		return ATTACH_KPROBE;
	bad_argument("attach", arg, "expected auto, tracepoint or kprobe");
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

void options_parse(int argc, char **argv, struct options *opts)
{
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->attach = ATTACH_AUTO;
	opts->perf_pages = DEFAULT_PERF_PAGES;
	opts->cache_dir = DEFAULT_CACHE_DIR;
	while ((c = getopt_long(argc, argv, "hVTtwsp:L:D:46", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help();
			exit(EXIT_OK);
		case 'V':
			print_version();
			exit(EXIT_OK);
		case 'T':
			opts->time = true;
			break;
		case 't':
			opts->timestamp = true;
			break;
		case 'w':
			opts->wide = true;
			break;
		case 's':
			opts->csv = true;
			break;
		case 'p':
			if (parse_ulong(optarg, 1, PID_LIMIT, &opts->pid) < 0)
				bad_argument("pid", optarg,
					     "expected a process ID from 1 to 4194304");
			break;
		case 'L':
			parse_ports("localport", optarg, &opts->lports);
			break;
		case 'D':
			parse_ports("remoteport", optarg, &opts->rports);
			break;
		case '4':
			opts->ipv4_only = true;
			break;
		case '6':
			opts->ipv6_only = true;
			break;
		case OPT_EBPF:
			opts->print_ebpf = true;
			break;
		case OPT_INFO:
			opts->print_info = true;
			break;
		case OPT_KERNEL_HEADERS:
			if (!*optarg)
				bad_argument("kernel-headers", optarg,
					     "expected a directory");
			opts->kernel_headers = optarg;
			break;
		case OPT_ALLOW_HEADER_MISMATCH:
			opts->allow_header_mismatch = true;
			break;
		case OPT_ATTACH:
			opts->attach = parse_attach(optarg);
			break;
		case OPT_CACHE_DIR:
			if (optarg[0] != '/')
				bad_argument("cache-dir", optarg,
					     "expected an absolute path");
			opts->cache_dir = optarg;
			break;
		case OPT_NO_CACHE:
			opts->no_cache = true;
			break;
		case OPT_PERF_PAGES:
			/* The kernel wants a power of two; 64 Ki pages is 256 MiB. */
			if (parse_ulong(optarg, 1, 65536, &opts->perf_pages) < 0 ||
			    (opts->perf_pages & (opts->perf_pages - 1)))
				bad_argument("perf-pages", optarg,
					     "expected a power of 2 from 1 to 65536");
			break;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
				PROGRAM_NAME);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		die(EXIT_USAGE, "unexpected argument: '%s' (see --help)",
		    argv[optind]);
	if (opts->ipv4_only && opts->ipv6_only)
		die(EXIT_USAGE, "-4/--ipv4 and -6/--ipv6 exclude each other");
}

void options_free(struct options *opts)
{
	free(opts->lports);
	free(opts->rports);
	opts->lports = opts->rports = NULL;
}
