/*
 * The cost of one --interval pass: opens loopback connections for N
 * sessions (default 10,000: a session is one end, as the tool has a row
 * per end, so 5,000 connections), puts them in the session table as the
 * BPF program's announcements would, and times passes of the real code
 * over them, printing the figures.
 *
 * Usage: interim_pass [-n SESSIONS] [-p PASSES] [-b BUDGET_MS] [-u USER]
 * Exits 1 when a pass's CPU time (user + system: the kernel's dump is
 * most of it; with the owner finder's, which the first pass asks for the
 * accepted ends' owners) exceeds BUDGET_MS (default 50).  Needs no BPF
 * and no root; as root, -u USER starts the owner finder and then drops
 * to USER, as the tool does, and without -u root reads /proc itself.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interim_table.h"
#include "output.h"
#include "perf_stream.h"
#include "privileges.h"

/* No BPF here: nothing to read from perf buffers. */
void perf_stream_drain(struct perf_stream *ps)
{
	(void)ps;
}

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* This process's user CPU time so far, in ms: the kernel's dump is not. */
static double user_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec * 1e3 +
	       (double)ru.ru_utime.tv_usec / 1e3;
}

static uint64_t mono_ns(void)
{
	return (uint64_t)(clock_ms(CLOCK_MONOTONIC) * 1e6);
}

static void fail(const char *what)
{
	fprintf(stderr, "interim_pass: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * The accepted ends live in a child: one process may not hold 20,000.
 * It ends when END_FD reads end of file (we are done, or gone): once we
 * drop to -u's account, we may no longer signal it.
 */
static pid_t serve(int lfd, unsigned long n, int ready_fd, const int *end)
{
	pid_t pid = fork();

	if (pid < 0)
		fail("fork");
	if (pid)
		return pid;
	for (unsigned long i = 0; i < n; i++)
		if (accept(lfd, NULL, NULL) < 0)
			fail("accept");
	if (write(ready_fd, "x", 1) != 1)
		fail("write");
	close(end[1]);
	while (read(end[0], &n, sizeof(n)) > 0)
		;
	_exit(0);
}

static void count_entry(void *ctx, const struct diag_entry *e)
{
	(void)e;
	(*(unsigned long *)ctx)++;
}

static void announce(struct interim *im, uint32_t netns,
		     const struct sockaddr_in *l, const struct sockaddr_in *r,
		     bool owned)
{
	struct tcplife_event ev;
	struct session *s;

	memset(&ev, 0, sizeof(ev));
	ev.netns = netns;
	ev.family = TCPLIFE_AF_INET;
	ev.lport = ntohs(l->sin_port);
	ev.rport = ntohs(r->sin_port);
	memcpy(ev.laddr, &l->sin_addr, 4);
	memcpy(ev.raddr, &r->sin_addr, 4);
	ev.end_ns = mono_ns();
	ev.role = owned ? TCPLIFE_ROLE_CLIENT : TCPLIFE_ROLE_SERVER;
	if (owned) {
		ev.pid = (uint32_t)getpid();
		memcpy(ev.comm, "interim_pass", 13);
		ev.flags = TCPLIFE_F_TASK_CACHED;
	}
	s = interim_add(im, &ev);
	if (!s)
		fail("table full");
	s->owner_known = owned;
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, passes = 3, budget = 50;
	const char *user = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct output o = OUTPUT_INIT;
	struct perf_stream ps = { .ncpus = 0 };
	struct interim im;
	struct rlimit rl;
	struct stat st;
	double worst = 0;
	unsigned long dumped = 0;
	int opt, lfd, pipefd[2], endfd[2];
	char c;
	pid_t child;

	while ((opt = getopt(argc, argv, "n:p:b:u:")) != -1) {
		switch (opt) {
		case 'u': user = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'p': passes = strtoul(optarg, NULL, 10); break;
		case 'b': budget = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (stat("/proc/self/ns/net", &st) < 0)
		fail("/proc/self/ns/net");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) < 0 ||
	    pipe(pipefd) < 0 || pipe(endfd) < 0)
		fail("listen");
	n = (n + 1) / 2;	/* connections */
	child = serve(lfd, n, pipefd[1], endfd);
	close(endfd[0]);
	if (interim_init(&im, 1, 2 * n + 1, 0) < 0)
		return 2;
	for (unsigned long i = 0; i < n; i++) {
		struct sockaddr_in me;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		len = sizeof(me);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
				      sizeof(sa)) < 0 ||
		    getsockname(fd, (struct sockaddr *)&me, &len) < 0)
			fail("connect");
		announce(&im, (uint32_t)st.st_ino, &me, &sa, true);
		announce(&im, (uint32_t)st.st_ino, &sa, &me, false);
	}
	if (read(pipefd[0], &c, 1) != 1)
		fail("the accepting child");
	if (user) {
		struct passwd *pw = getpwnam(user);

		if (!pw)
			fail(user);
		interim_finder_start(&im, pw->pw_uid, pw->pw_gid);
		if (privileges_drop(user) < 0)
			fail("dropping privileges");
	}

	o.rf.json = o.rf.typed = true;
	row_format_init(&o.rf);
	o.stream = fopen("/dev/null", "w");
	if (!o.stream)
		fail("/dev/null");
	/* As the tool's output (output_init): buffered, no stdio locks. */
	setvbuf(o.stream, NULL, _IOFBF, 1 << 16);
	__fsetlocking(o.stream, FSETLOCKING_BYCALLER);
	printf("sessions traced: %zu (%lu connections, both ends), "
	       "namespaces read: %zu\n", im.used, n, im.diag.nns);
	for (unsigned long p = 1; p <= passes; p++) {
		double cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
		double wall = clock_ms(CLOCK_MONOTONIC), usr = user_ms();
		uint64_t before = im.records, finder = im.finder.cpu_ns;
		uint64_t asked = im.owner_asked, found = im.owner_found;

		interim_pass(&im, &ps, &o, mono_ns());
		cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu +
		      (double)(im.finder.cpu_ns - finder) / 1e6;
		wall = clock_ms(CLOCK_MONOTONIC) - wall;
		usr = user_ms() - usr;
		printf("pass %lu: %.1f ms CPU (%.1f user), %.1f ms wall, %llu "
		       "interim records", p, cpu, usr, wall,
		       (unsigned long long)(im.records - before));
		if (im.owner_asked != asked || im.owner_found != found ||
		    im.finder.cpu_ns != finder)
			printf(", owners: %llu new asked, %llu found (%s, "
			       "%.1f ms CPU of it)",
			       (unsigned long long)(im.owner_asked - asked),
			       (unsigned long long)(im.owner_found - found),
			       im.finder.pid ? "the finder" : "in-process",
			       (double)(im.finder.cpu_ns - finder) / 1e6);
		printf("\n");
		if (cpu > worst)
			worst = cpu;
	}
	{
		/* The kernel's part alone: the same read, nothing matched. */
		double cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID);

		sock_diag_dump(&im.diag, count_entry, &dumped);
		printf("the read alone: %.1f ms CPU for %lu sockets\n",
		       clock_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu, dumped);
	}
	close(endfd[1]);
	waitpid(child, NULL, 0);
	fclose(o.stream);
	interim_free(&im);
	printf("worst pass: %.1f ms CPU, budget %lu ms: %s\n", worst, budget,
	       worst <= (double)budget ? "ok" : "OVER");
	return worst <= (double)budget ? 0 : 1;
}
