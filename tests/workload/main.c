/* Test and benchmark helper: loopback TCP sessions, and what a tracer must report for them. */
/*
 * Usage: tcp_workload [-n COUNT] [-j WORKERS] [-6 | -f 4|6|both]
 *        [-c BYTES[,BYTES...]] [-s BYTES[,BYTES...]] [-C client|server|mixed]
 *        [-H HOLD_MS] [-P PORT] [--client-port PORT] [-o RECORD]
 *        [--client-comm NAME] [--server-comm NAME] [--pid-file FILE]
 *        [--start-fd FD]
 *
 * WORKERS pairs of processes, one client and one server each, run COUNT
 * sessions over loopback, all pairs at once, so that a few pairs saturate
 * a small machine (the benchmark), or one pair runs a few known sessions
 * (the tests).  Session i goes to pair i % WORKERS; within a pair, its
 * k-th session (k = i / WORKERS) uses
 *   family    4 or 6 alternately (-f both),
 *   closer    client for k % 4 < 2, else server (-C mixed),
 *   payloads  entry (k / 4) % count of each list,
 * so every combination occurs once there are enough sessions.  The closer
 * holds the session HOLD_MS before close().  A server listens on port 0 (a
 * new one for every SESSIONS_PER_PORT sessions of a family, so that no two
 * sessions share a 4-tuple) or on PORT; --client-port binds the client too
 * (one session: its 4-tuple then waits in TIME_WAIT).  --pid-file gets
 * "client=P server=P" (the first pair) as soon as both exist; with
 * --start-fd the clients wait for one byte before their first connect().
 *
 * The record (stdout, or RECORD with -o, when stdout gets
 * "sessions=N workers=N seconds=S conn_per_s=R") has one line per session
 * side, what a tracer must report for it:
 *   session=N side=client|server pid=P comm=ESC family=4|6 laddr=A lport=N
 *   raddr=A rport=N tx=N rx=N tx_seq=N rx_seq_min=N rx_seq_max=N
 *   ms_min=X ms_max=X closer=yes|no
 * tx and rx are the payloads; tx_seq and rx_seq_* what the kernel's byte
 * counters hold at the close (record.c says why); ms_min and ms_max bound
 * the lifespan as a tracer measures it; closer: whether this side closed
 * first.
 *
 * Defaults: -n 1 -j 1 -f 4 -c 5000 -s 3000 -C client -H 100.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#include "workload.h"

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

static int listener(int family, unsigned long port, union addr *a)
{
	socklen_t len = sizeof(*a);
	int fd, one = 1;

	memset(a, 0, sizeof(*a));
	a->sa.sa_family = (sa_family_t)(family == 6 ? AF_INET6 : AF_INET);
	if (family == 6) {
		a->in6.sin6_addr = in6addr_loopback;
		a->in6.sin6_port = htons((uint16_t)port);
	} else {
		a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->in.sin_port = htons((uint16_t)port);
	}
	/* Port 0: every pair and every run gets fresh 4-tuples. */
	fd = socket(a->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &a->sa, sizeof(*a)) || listen(fd, 128) ||
	    getsockname(fd, &a->sa, &len))
		fail(errno, "listening socket on %s port %lu",
		     family == 6 ? "::1" : "127.0.0.1", port);
	return fd;
}

static void close_listeners(const struct pair *p, unsigned long n)
{
	for (unsigned long l = 0; l < n; l++)
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
					  listener(l % 2 ? 6 : 4, cfg->port,
						   &pairs[w].srv[l]);
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
		fprintf(stderr, "%s: %s %d %s %d\n", PROG, pid == pids[0] ?
			"client" : pid == pids[1] ? "server" : "child", (int)pid,
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

static void write_pid_file(const char *path, const pid_t *pids)
{
	FILE *pf = fopen(path, "w");

	if (!pf || fprintf(pf, "client=%d server=%d\n", (int)pids[0],
			   (int)pids[1]) < 0 || fclose(pf))
		fail(errno, "%s", path);
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.sessions = 1, .workers = 1, .family = 4, .closer = CLOSER_CLIENT,
		.client = { 1, { 5000 } }, .server = { 1, { 3000 } },
		.hold_ms = 100, .start_fd = -1,
		.client_comm = "tlw-client", .server_comm = "tlw-server",
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
				     (cfg.sessions + cfg.workers - 1) / cfg.workers *
				     cfg.hold_ms / 1000);
	alarm(cfg.timeout);
	sides = mmap(NULL, 2 * cfg.sessions * sizeof(*sides), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sides == MAP_FAILED)
		fail(errno, "mmap");
	if (pipe2(go, O_CLOEXEC))
		fail(errno, "pipe");
	start_pairs(&cfg, go, sides, pids);
	close(go[0]);
	if (cfg.pid_file)
		write_pid_file(cfg.pid_file, pids);
	/* Closing the write end wakes every client at once, with EOF. */
	start = now_ns();
	close(go[1]);
	if (!wait_pairs(&cfg, pids))
		fail(0, "workload failed: missing or bogus child reports");

	for (i = 0; i < 2 * cfg.sessions; i++) {
		if (!sides[i].done)
			fail(0, "session %lu has no %s record", i / 2 + 1,
			     i % 2 ? "server" : "client");
		if (sides[i].t_closed > end)
			end = sides[i].t_closed;
	}
	write_record(&cfg, sides);
	if (cfg.record) {
		secs = (double)(end - start) / 1e9;
		printf("sessions=%lu workers=%lu seconds=%.6f conn_per_s=%.1f\n",
		       cfg.sessions, cfg.workers, secs,
		       secs > 0 ? (double)cfg.sessions / secs : 0.0);
	}
	if (fflush(stdout) || ferror(stdout))
		fail(errno, "stdout");
	return 0;
}
