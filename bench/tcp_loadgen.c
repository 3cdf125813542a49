/* bench/compare.py's load generator: loopback TCP sessions and their ground truth. */
/*
 * Usage: tcp_loadgen [-n SESSIONS] [-j WORKERS] [-f 4|6|both]
 *        [-c BYTES[,BYTES...]] [-s BYTES[,BYTES...]] [-C client|server|mixed]
 *        [-H HOLD_MS] [-o RECORD]
 *
 * WORKERS pairs of processes, one client and one server each, run SESSIONS
 * sessions in total over loopback, all pairs at once, so that a few pairs
 * saturate a small machine.  Session i goes to pair i % WORKERS; within a
 * pair, its k-th session (k = i / WORKERS) uses
 *   family    4 or 6 alternately (-f both),
 *   closer    client for k % 4 < 2, else server (-C mixed),
 *   payloads  entry (k / 4) % count of each list,
 * so every combination occurs once there are enough sessions.  A server
 * listens on a new port for every SESSIONS_PER_PORT sessions of a family,
 * so that no two sessions share a 4-tuple.
 *
 * stdout gets one line: sessions=N workers=N seconds=S conn_per_s=R.
 * RECORD gets a tab-separated table with a header line and one line per
 * session side: what a tracer must report for it.  ms_min and ms_max bound
 * the session's lifespan as a tracer measures it.
 *
 * Defaults: -n 1000 -j 2 -f both -c 5000 -s 3000 -C client -H 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "tcp_loadgen.h"

const char *role;

void fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", PROG, role ? role : "", role ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	/* Children must not flush stdio buffers inherited from the parent. */
	if (role)
		_exit(1);
	exit(1);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail(errno, "clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int session_family(const struct config *cfg, unsigned long k)
{
	return cfg->family ? cfg->family : k % 2 ? 6 : 4;
}

int server_closes(const struct config *cfg, unsigned long k)
{
	return cfg->closer == CLOSER_SERVER ||
	       (cfg->closer == CLOSER_MIXED && k % 4 >= 2);
}

uint64_t payload_size(const struct sizes *sz, unsigned long k)
{
	return sz->bytes[(k / 4) % sz->count];
}

/* Index into struct pair's listeners for a pair's k-th session. */
unsigned long session_listener(const struct config *cfg, unsigned long k)
{
	unsigned long nth = cfg->family ? k : k / 2;	/* in its family */

	return 2 * (nth / SESSIONS_PER_PORT) + (session_family(cfg, k) == 6);
}

__attribute__((noreturn))
static void bad_arg(const char *opt, const char *val)
{
	fprintf(stderr, "%s: invalid --%s argument: '%s'\n", PROG, opt, val);
	exit(2);
}

/* strtoul alone would accept a sign, blanks, or nothing at all. */
static int scan_num(const char *s, const char **endp, unsigned long min,
		    unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	*endp = end;
	return errno || *v < min || *v > max ? -1 : 0;
}

static unsigned long parse_num(const char *opt, const char *arg,
			       unsigned long min, unsigned long max)
{
	unsigned long v;
	const char *end;

	if (scan_num(arg, &end, min, max, &v) || *end)
		bad_arg(opt, arg);
	return v;
}

/* A comma-separated list of byte counts. */
static void parse_sizes(const char *opt, const char *arg, struct sizes *sz)
{
	const char *p = arg;
	unsigned long v;

	for (sz->count = 0; sz->count < MAX_SIZES; p++) {
		/* A GiB per session is plenty, and keeps the totals far from overflow. */
		if (scan_num(p, &p, 0, 1UL << 30, &v))
			break;
		sz->bytes[sz->count++] = v;
		if (!*p)
			return;
		if (*p != ',')
			break;
	}
	bad_arg(opt, arg);
}

static int listener(int family, union addr *a)
{
	socklen_t len = sizeof(*a);
	int fd;

	memset(a, 0, sizeof(*a));
	a->sa.sa_family = (sa_family_t)(family == 6 ? AF_INET6 : AF_INET);
	if (family == 6)
		a->in6.sin6_addr = in6addr_loopback;
	else
		a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Port 0: every pair and every run gets fresh 4-tuples. */
	fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, &a->sa, sizeof(*a)) || listen(fd, 128) ||
	    getsockname(fd, &a->sa, &len))
		fail(errno, "listening socket on %s", family == 6 ? "::1" : "127.0.0.1");
	return fd;
}

static void parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "sessions", required_argument, NULL, 'n' },
		{ "workers", required_argument, NULL, 'j' },
		{ "family", required_argument, NULL, 'f' },
		{ "client-bytes", required_argument, NULL, 'c' },
		{ "server-bytes", required_argument, NULL, 's' },
		{ "closer", required_argument, NULL, 'C' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "record", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:j:f:c:s:C:H:o:", opts, NULL)) != -1) {
		if (c == 'n')
			cfg->sessions = parse_num("sessions", optarg, 1, 1000000);
		else if (c == 'j')
			cfg->workers = parse_num("workers", optarg, 1, MAX_WORKERS);
		else if (c == 'f' && !strcmp(optarg, "both"))
			cfg->family = 0;
		else if (c == 'f' && (!strcmp(optarg, "4") || !strcmp(optarg, "6")))
			cfg->family = optarg[0] - '0';
		else if (c == 'f')
			bad_arg("family", optarg);
		else if (c == 'c')
			parse_sizes("client-bytes", optarg, &cfg->client);
		else if (c == 's')
			parse_sizes("server-bytes", optarg, &cfg->server);
		else if (c == 'C' && !strcmp(optarg, "client"))
			cfg->closer = CLOSER_CLIENT;
		else if (c == 'C' && !strcmp(optarg, "server"))
			cfg->closer = CLOSER_SERVER;
		else if (c == 'C' && !strcmp(optarg, "mixed"))
			cfg->closer = CLOSER_MIXED;
		else if (c == 'C')
			bad_arg("closer", optarg);
		else if (c == 'H')
			cfg->hold_ms = parse_num("hold-ms", optarg, 0, 60000);
		else if (c == 'o')
			cfg->record = optarg;
		else
			exit(2);
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: '%s'\n", PROG, argv[optind]);
		exit(2);
	}
	if (cfg->workers > cfg->sessions)
		cfg->workers = cfg->sessions;
}

static void close_listeners(const struct pair *p, unsigned long n)
{
	unsigned long l;

	for (l = 0; l < n; l++)
		if (p->lfd[l] >= 0)
			close(p->lfd[l]);
}

/* Every pair gets as many listening sockets as its sessions need. */
static unsigned long open_listeners(const struct config *cfg, struct pair *pairs)
{
	unsigned long n, w, l;

	n = session_listener(cfg, (cfg->sessions - 1) / cfg->workers) / 2 * 2 + 2;
	for (w = 0; w < cfg->workers; w++) {
		pairs[w].index = w;
		pairs[w].lfd = calloc(n, sizeof(*pairs[w].lfd));
		pairs[w].srv = calloc(n, sizeof(*pairs[w].srv));
		if (!pairs[w].lfd || !pairs[w].srv)
			fail(errno, "calloc");
		for (l = 0; l < n; l++)
			pairs[w].lfd[l] = cfg->family == (l % 2 ? 4 : 6) ? -1 :
					  listener(l % 2 ? 6 : 4, &pairs[w].srv[l]);
	}
	return n;
}

/* Forks both processes of every pair; pids[2 * w] is pair w's client. */
static void start_pairs(const struct config *cfg, const int *go, struct side *sides,
			pid_t *pids)
{
	static struct pair pairs[MAX_WORKERS];
	unsigned long w, x, n = open_listeners(cfg, pairs);
	pid_t *pid;
	int k;

	for (w = 0; w < cfg->workers; w++) {
		/* The server first, so no client ever waits on a missing one. */
		for (k = 1; k >= 0; k--) {
			pid = &pids[2 * w + (unsigned long)k];
			*pid = fork();
			if (*pid < 0)
				fail(errno, "fork");
			if (*pid)
				continue;
			/*
			 * Only a pair's server may hold its listening sockets:
			 * otherwise a dead server would leave clients waiting in
			 * connect() instead of failing.
			 */
			for (x = 0; x < cfg->workers; x++)
				if (k == 0 || x != w)
					close_listeners(&pairs[x], n);
			/* The clients' start signal is EOF: nobody else may hold the write end. */
			close(go[1]);
			run_side(cfg, &pairs[w], k == 0, go[0], sides);
		}
	}
	for (w = 0; w < cfg->workers; w++)
		close_listeners(&pairs[w], n);
}

/* Waits for every child; once one fails, stops the rest, which may be stuck. */
static int wait_pairs(const struct config *cfg, pid_t *pids)
{
	unsigned long n = 2 * cfg->workers, left = n, x;
	int st, ok = 1;
	pid_t pid;

	while (left) {
		pid = wait(&st);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			fail(errno, "wait");
		left--;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (WIFSIGNALED(st) && !ok)
			continue;	/* one we stopped */
		fprintf(stderr, "%s: child %d %s %d\n", PROG, (int)pid,
			WIFSIGNALED(st) ? "killed by signal" : "exited with status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		if (ok)
			for (x = 0; x < n; x++)
				if (pids[x] != pid)
					kill(pids[x], SIGTERM);
		ok = 0;
	}
	return ok;
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.sessions = 1000, .workers = 2, .family = 0, .closer = CLOSER_CLIENT,
		.client = { 1, { 5000 } }, .server = { 1, { 3000 } },
	};
	static pid_t pids[2 * MAX_WORKERS];
	struct side *sides;
	uint64_t start, end = 0;
	unsigned long i;
	int go[2];
	double secs;

	parse_args(argc, argv, &cfg);
	/* Nobody waits forever: a generous bound on the whole run. */
	cfg.timeout = (unsigned int)(120 + cfg.sessions / 100 +
				     cfg.sessions / cfg.workers * cfg.hold_ms / 1000);
	alarm(cfg.timeout);
	sides = mmap(NULL, 2 * cfg.sessions * sizeof(*sides), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sides == MAP_FAILED)
		fail(errno, "mmap");
	if (pipe(go))
		fail(errno, "pipe");
	start_pairs(&cfg, go, sides, pids);
	close(go[0]);
	/* Closing the write end wakes every client at once, with EOF. */
	start = now_ns();
	close(go[1]);
	if (!wait_pairs(&cfg, pids))
		fail(0, "workload failed");

	for (i = 0; i < 2 * cfg.sessions; i++) {
		if (!sides[i].done)
			fail(0, "session %lu has no %s record", i / 2 + 1,
			     i % 2 ? "server" : "client");
		if (sides[i].t_closed > end)
			end = sides[i].t_closed;
	}
	if (cfg.record)
		write_record(&cfg, sides);
	secs = (double)(end - start) / 1e9;
	printf("sessions=%lu workers=%lu seconds=%.6f conn_per_s=%.1f\n", cfg.sessions,
	       cfg.workers, secs, secs > 0 ? (double)cfg.sessions / secs : 0.0);
	if (fflush(stdout) || ferror(stdout))
		fail(errno, "stdout");
	return 0;
}
