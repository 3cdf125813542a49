/* tcp_workload's command line: every value checked, as the tool does. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

enum {
	OPT_CLIENT_COMM = 256, OPT_SERVER_COMM, OPT_START_FD, OPT_PID_FILE,
	OPT_CLIENT_PORT,
};

__attribute__((noreturn))
static void bad_arg(const char *opt, const char *val)
{
	fprintf(stderr, "%s: invalid --%s argument: '%s'\n", PROG, opt, val);
	exit(2);
}

/* strtoull alone would accept a sign, blanks, or nothing at all. */
static int scan_num(const char *s, const char **endp, unsigned long long min,
		    unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	*endp = end;
	return errno || *v < min || *v > max ? -1 : 0;
}

static unsigned long parse_num(const char *opt, const char *arg,
			       unsigned long min, unsigned long max)
{
	unsigned long long v;
	const char *end;

	if (scan_num(arg, &end, min, max, &v) || *end)
		bad_arg(opt, arg);
	return (unsigned long)v;
}

/* A comma-separated list of byte counts. */
static void parse_sizes(const char *opt, const char *arg, struct sizes *sz)
{
	const char *p = arg;
	unsigned long long v;

	for (sz->count = 0; sz->count < MAX_SIZES; p++) {
		if (scan_num(p, &p, 0, UINT64_MAX, &v))
			break;
		sz->bytes[sz->count++] = v;
		if (!*p)
			return;
		if (*p != ',')
			break;
	}
	bad_arg(opt, arg);
}

static void parse_one(int c, const char *arg, struct config *cfg)
{
	if (c == '6')
		cfg->family = 6;
	else if (c == 'n')
		cfg->sessions = parse_num("count", arg, 1, 1000000);
	else if (c == 'j')
		cfg->workers = parse_num("workers", arg, 1, MAX_WORKERS);
	else if (c == 'f' && !strcmp(arg, "both"))
		cfg->family = 0;
	else if (c == 'f' && (!strcmp(arg, "4") || !strcmp(arg, "6")))
		cfg->family = arg[0] - '0';
	else if (c == 'f')
		bad_arg("family", arg);
	else if (c == 'c')
		parse_sizes("client-bytes", arg, &cfg->client);
	else if (c == 's')
		parse_sizes("server-bytes", arg, &cfg->server);
	else if (c == 'C' && !strcmp(arg, "client"))
		cfg->closer = CLOSER_CLIENT;
	else if (c == 'C' && !strcmp(arg, "server"))
		cfg->closer = CLOSER_SERVER;
	else if (c == 'C' && !strcmp(arg, "mixed"))
		cfg->closer = CLOSER_MIXED;
	else if (c == 'C')
		bad_arg("closer", arg);
	else if (c == 'H')
		cfg->hold_ms = parse_num("hold-ms", arg, 0, 3600000);
	else if (c == 'P')
		cfg->port = parse_num("port", arg, 0, 65535);
	else if (c == 'o')
		cfg->record = arg;
	else if (c == OPT_CLIENT_COMM)
		cfg->client_comm = arg;
	else if (c == OPT_SERVER_COMM)
		cfg->server_comm = arg;
	else if (c == OPT_START_FD)
		cfg->start_fd = (int)parse_num("start-fd", arg, 0, 0x7fffffff);
	else if (c == OPT_PID_FILE)
		cfg->pid_file = arg;
	else if (c == OPT_CLIENT_PORT)
		cfg->client_port = parse_num("client-port", arg, 1, 65535);
	else
		exit(2);
}

void parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "ipv6", no_argument, NULL, '6' },
		{ "count", required_argument, NULL, 'n' },
		{ "workers", required_argument, NULL, 'j' },
		{ "family", required_argument, NULL, 'f' },
		{ "client-bytes", required_argument, NULL, 'c' },
		{ "server-bytes", required_argument, NULL, 's' },
		{ "closer", required_argument, NULL, 'C' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'P' },
		{ "record", required_argument, NULL, 'o' },
		{ "client-comm", required_argument, NULL, OPT_CLIENT_COMM },
		{ "server-comm", required_argument, NULL, OPT_SERVER_COMM },
		{ "start-fd", required_argument, NULL, OPT_START_FD },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "client-port", required_argument, NULL, OPT_CLIENT_PORT },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long per_family;
	int c;

	while ((c = getopt_long(argc, argv, "6n:j:f:c:s:C:H:P:o:", opts,
				NULL)) != -1)
		parse_one(c, optarg, cfg);
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: '%s'\n", PROG, argv[optind]);
		exit(2);
	}
	if (cfg->workers > cfg->sessions)
		cfg->workers = cfg->sessions;
	/* A fixed port is one listener (per family): one pair, one port. */
	per_family = (cfg->sessions + (cfg->family ? 0 : 1)) / (cfg->family ? 1 : 2);
	if ((cfg->port || cfg->client_port) &&
	    (cfg->workers > 1 || per_family > SESSIONS_PER_PORT)) {
		fprintf(stderr, "%s: --port and --client-port need one worker and "
			"at most %d sessions per family\n", PROG, SESSIONS_PER_PORT);
		exit(2);
	}
}
