/*
 * The in-kernel filters, one entry each: the option and its parser, its
 * bit in the config map's mask, what it needs from the kernel and its
 * --help lines.  The options, --help (which tests/filters.test reads to
 * drive each filter) and the kernel checks all read this table.  Every
 * filter is compiled into the one program; which were given and their
 * values go into the config map (struct tcplife_config), so neither a
 * filter nor a value means a new compile.  A new filter is an entry
 * here, its bit and value in tcplife_event.h and its test in the BPF
 * text.
 */
#include <errno.h>
#include <string.h>

#include "filters.h"
#include "kfeatures.h"
#include "option_values.h"
#include "options.h"
#include "util.h"

/* PID_MAX_LIMIT on 64-bit kernels. */
#define PID_LIMIT 4194304UL

static int parse_pid(const char *arg, struct options *opts)
{
	unsigned long pid;

	if (parse_ulong(arg, 1, PID_LIMIT, &pid) < 0)
		return bad_argument("pid", arg,
				    "expected a process ID from 1 to 4194304");
	opts->filter.pid = (uint32_t)pid;
	return 0;
}

static int parse_user(const char *arg, struct options *opts)
{
	return parse_uid(arg, &opts->filter.uid);
}

static int parse_lports(const char *arg, struct options *opts)
{
	return parse_ports("localport", arg, &opts->lports);
}

static int parse_rports(const char *arg, struct options *opts)
{
	return parse_ports("remoteport", arg, &opts->rports);
}

/* -4 and -6 share the config's family, so the second one sees the first. */
static int set_family(struct options *opts, uint16_t family)
{
	if (opts->filter.family && opts->filter.family != family) {
		error_msg("-4/--ipv4 and -6/--ipv6 exclude each other");
		return -EINVAL;
	}
	opts->filter.family = family;
	return 0;
}

static int parse_ipv4(const char *arg, struct options *opts)
{
	(void)arg;
	return set_family(opts, TCPLIFE_AF_INET);
}

static int parse_ipv6(const char *arg, struct options *opts)
{
	(void)arg;
	return set_family(opts, TCPLIFE_AF_INET6);
}

static int parse_ns(const char *arg, struct options *opts)
{
	return parse_netns(arg, &opts->filter.netns);
}



/* --failed and --no-failed: one says 1, the other 0. */
static int set_failed(struct options *opts, uint8_t value, const char *other)
{
	if (filter_given(opts, other)) {
		error_msg("--failed and --no-failed exclude each other");
		return -EINVAL;
	}
	opts->filter.failed = value;
	return 0;
}

static int parse_failed(const char *arg, struct options *opts)
{
	(void)arg;
	return set_failed(opts, 1, "no-failed");
}

static int parse_no_failed(const char *arg, struct options *opts)
{
	(void)arg;
	return set_failed(opts, 0, "failed");
}

static int parse_role(const char *arg, struct options *opts)
{
	if (!strcmp(arg, "client"))
		opts->filter.role = TCPLIFE_ROLE_CLIENT;
	else if (!strcmp(arg, "server"))
		opts->filter.role = TCPLIFE_ROLE_SERVER;
	else
		return bad_argument("role", arg, "expected client or server");
	return 0;
}

static int parse_cgroup_dir(const char *arg, struct options *opts)
{
	return parse_cgroup(arg, opts);
}

/* In --help's order. */
static const struct filter filters[] = {
	{ "pid", 'p', "PID", "only sessions of this process",
	  parse_pid, TCPLIFE_FILTER_PID, -1, NULL },
	{ "uid", 'u', "UID", "only sessions of this user (ID or name)",
	  parse_user, TCPLIFE_FILTER_UID, -1, NULL },
	{ "localport", 'L', "PORTS",
	  "only these local ports (e.g. 80,443,8000-8080)",
	  parse_lports, TCPLIFE_FILTER_LPORT, -1, NULL },
	{ "remoteport", 'D', "PORTS", "only these remote ports",
	  parse_rports, TCPLIFE_FILTER_RPORT, -1, NULL },
	{ "ipv4", '4', NULL, "only IPv4 sessions",
	  parse_ipv4, TCPLIFE_FILTER_FAMILY, -1, NULL },
	{ "ipv6", '6', NULL, "only IPv6 sessions",
	  parse_ipv6, TCPLIFE_FILTER_FAMILY, -1, NULL },
	{ "netns", 0, "NS", "only sockets in this network namespace: an "
	  "inode,\n/proc/PID/ns/net, /run/netns/NAME or NAME",
	  parse_ns, TCPLIFE_FILTER_NETNS, -1, NULL },
	{ "failed", 0, NULL, "only sessions whose handshake never completed",
	  parse_failed, TCPLIFE_FILTER_FAILED, -1, NULL },
	{ "no-failed", 0, NULL, "leave those out",
	  parse_no_failed, TCPLIFE_FILTER_FAILED, -1, NULL },
	{ "role", 0, "ROLE", "only sessions this host connected (client) or\n"
	  "accepted (server)",
	  parse_role, TCPLIFE_FILTER_ROLE, -1, NULL },
	/*
	 * Its helper came late (5.14 for tracing programs) and a program
	 * calling a helper the kernel lacks does not load, so its test is
	 * compiled in on kernels that have it, whatever the options.
	 */
	{ "cgroup", 0, "DIR", "only sessions of tasks in this cgroup v2 "
	  "directory\nor below it",
	  parse_cgroup_dir, TCPLIFE_FILTER_CGROUP, KF_ANCESTOR_CGROUP_ID,
	  "-DTCPLIFE_FILTER_CGROUP_OK" },
};

#define NR_FILTERS (sizeof(filters) / sizeof(filters[0]))

bool filter_given(const struct options *opts, const char *name)
{
	for (size_t i = 0; i < NR_FILTERS; i++)
		if (!strcmp(filters[i].name, name))
			return opts->filters_on & (1u << i);
	return false;
}

/* Long-only options get values above every letter and options.c's own. */
#define FILTER_OPTION_BASE 0x200

const struct filter *filter_nth(unsigned int n)
{
	return n < NR_FILTERS ? &filters[n] : NULL;
}

int filter_option_value(unsigned int n)
{
	return filters[n].short_opt ? filters[n].short_opt :
	       FILTER_OPTION_BASE + (int)n;
}

const struct filter *filter_by_option_value(int val, unsigned int *n)
{
	for (unsigned int i = 0; i < NR_FILTERS; i++) {
		if (filter_option_value(i) == val) {
			*n = i;
			return &filters[i];
		}
	}
	return NULL;
}

/* Where the help text starts. */
#define HELP_COLUMN 25

void filters_print_help(FILE *out)
{
	for (size_t i = 0; i < NR_FILTERS; i++) {
		const struct filter *f = &filters[i];
		char left[64];
		const char *text = f->help;
		size_t len;

		if (f->short_opt)
			snprintf(left, sizeof(left), "  -%c, --%s%s%s",
				 f->short_opt, f->name, f->arg ? " " : "",
				 f->arg ? f->arg : "");
		else
			snprintf(left, sizeof(left), "      --%s%s%s", f->name,
				 f->arg ? " " : "", f->arg ? f->arg : "");
		fprintf(out, "%-*s ", HELP_COLUMN - 1, left);
		for (;;) {
			len = strcspn(text, "\n");
			fprintf(out, "%.*s\n", (int)len, text);
			if (!text[len])
				break;
			text += len + 1;
			fprintf(out, "%*s", HELP_COLUMN, "");
		}
	}
}
