/* Test helper: runs a known loopback TCP workload and prints what a tracer must report. */
/*
 * Usage: tcp_workload [-6] [-n COUNT] [-c CLIENT_BYTES] [-s SERVER_BYTES]
 *        [-C client|server] [-H HOLD_MS] [-P PORT] [--client-comm NAME]
 *        [--server-comm NAME] [--pid-file FILE] [--start-fd FD]
 *        [--client-port PORT]
 * A client and a server process run COUNT sessions over loopback; the
 * closer waits HOLD_MS before close().  --pid-file gets "client=P server=P"
 * as soon as both exist; with --start-fd the client waits for one byte
 * before its first connect().  --client-port binds the client's sockets to
 * PORT (one session at a time reuses it).  Then, per session, stdout gets:
 * session=N side=client|server pid=P comm=ESC family=4|6 laddr=A lport=N
 * raddr=A rport=N tx=N rx=N ms_min=X ms_max=X closer=yes|no
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG		"tcp_workload"
#define COMM_LEN	16		/* TASK_COMM_LEN, NUL included */
#define CHUNK		65536

enum {
	OPT_CLIENT_COMM = 256, OPT_SERVER_COMM, OPT_START_FD, OPT_PID_FILE,
	OPT_CLIENT_PORT,
};

struct config {
	int ipv6, server_closes, start_fd;
	unsigned long count, hold_ms, port, client_port;
	unsigned long long client_bytes, server_bytes;
	const char *client_comm, *server_comm;
	const char *pid_file;
};

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* One per session and child; far below PIPE_BUF, so each write is atomic. */
struct report {
	uint32_t session;
	int32_t pid, family;
	uint16_t lport, rport;
	char comm[COMM_LEN];
	char laddr[INET6_ADDRSTRLEN], raddr[INET6_ADDRSTRLEN];
	uint64_t tx, rx;
	uint64_t t_connect;	/* client only: just before connect() */
	uint64_t t_open;	/* just after connect()/accept() returned */
	uint64_t t_close;	/* just before close() */
	uint64_t t_closed;	/* just after close() returned */
};

static const char *side;	/* "client"/"server" in children, for messages */
static unsigned char pattern[CHUNK + 256];

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", PROG, side ? side : "", side ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	/* Children must not flush stdio buffers inherited from the parent. */
	if (side)
		_exit(1);
	exit(1);
}

__attribute__((noreturn))
static void bad_arg(const char *opt, const char *val)
{
	fprintf(stderr, "%s: invalid --%s argument: '%s'\n", PROG, opt, val);
	exit(2);
}

static unsigned long long parse_num(const char *opt, const char *s,
				    unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	/* strtoull would silently accept a sign or leading blanks. */
	if (s[0] < '0' || s[0] > '9')
		bad_arg(opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		bad_arg(opt, s);
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail(errno, "clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* read() that only returns data or EOF; every caller treats errors as fatal. */
static size_t xread(int fd, void *buf, size_t len, const char *what)
{
	ssize_t r;

	while ((r = read(fd, buf, len)) < 0)
		if (errno != EINTR)
			fail(errno, "%s", what);
	return (size_t)r;
}

/* Payload byte at stream offset i is (i & 0xff), so the receiver can check it. */
static void send_payload(int fd, uint64_t n)
{
	uint64_t off = 0;
	ssize_t r;

	while (off < n) {
		/* MSG_NOSIGNAL: a broken peer should give a message, not SIGPIPE. */
		r = send(fd, pattern + (off & 0xff), n - off < CHUNK ? n - off : CHUNK,
			 MSG_NOSIGNAL);
		if (r < 0 && errno != EINTR)
			fail(errno, "send");
		off += r > 0 ? (uint64_t)r : 0;
	}
}

static void recv_payload(int fd, uint64_t n)
{
	static unsigned char buf[CHUNK];
	uint64_t off = 0;
	size_t r, i;

	while (off < n) {
		r = xread(fd, buf, n - off < CHUNK ? n - off : CHUNK, "read");
		if (!r)
			fail(0, "peer closed after %llu of %llu bytes",
			     (unsigned long long)off, (unsigned long long)n);
		for (i = 0; i < r; i++, off++)
			if (buf[i] != (unsigned char)off)
				fail(0, "corrupt payload at offset %llu", (unsigned long long)off);
	}
}

/* Returns the address family as the output prints it: 4 or 6. */
static int endpoint(int fd, int peer, char *text, uint16_t *port)
{
	union addr a;
	socklen_t len = sizeof(a);

	if ((peer ? getpeername : getsockname)(fd, &a.sa, &len))
		fail(errno, peer ? "getpeername" : "getsockname");
	*port = ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port : a.in.sin_port);
	if (!inet_ntop(a.sa.sa_family, a.sa.sa_family == AF_INET6 ?
		       (void *)&a.in6.sin6_addr : (void *)&a.in.sin_addr,
		       text, INET6_ADDRSTRLEN))
		fail(errno, "inet_ntop");
	return a.sa.sa_family == AF_INET6 ? 6 : 4;
}

/*
 * Both sides run this on a connected socket.  The closer sends first and
 * receives last, so once it has read everything the peer has too; it then
 * holds and closes.  The other side waits for EOF, so it never closes first.
 */
static void run_session(const struct config *cfg, int fd, int closer,
			uint64_t tx, uint64_t rx, struct report *rep)
{
	struct timespec hold = { cfg->hold_ms / 1000, (long)(cfg->hold_ms % 1000) * 1000000 };
	char c;

	rep->family = endpoint(fd, 0, rep->laddr, &rep->lport);
	endpoint(fd, 1, rep->raddr, &rep->rport);
	if (closer) {
		send_payload(fd, tx);
		recv_payload(fd, rx);
		while (nanosleep(&hold, &hold) && errno == EINTR)
			;
	} else {
		recv_payload(fd, rx);
		send_payload(fd, tx);
		if (xread(fd, &c, 1, "read"))
			fail(0, "unexpected data where EOF was expected");
	}
	rep->tx = tx;
	rep->rx = rx;
	rep->t_close = now_ns();
	if (close(fd))
		fail(errno, "close");
	rep->t_closed = now_ns();
}

/* The client's own port, on the server's (loopback) address. */
static void bind_client(int fd, const union addr *srv, uint16_t port)
{
	union addr a = *srv;
	int one = 1;

	if (a.sa.sa_family == AF_INET6)
		a.in6.sin6_port = htons(port);
	else
		a.in.sin_port = htons(port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &a.sa, sizeof(a)))
		fail(errno, "binding the client to port %u", port);
}

__attribute__((noreturn))
static void child(const struct config *cfg, int is_client, int lfd,
		  const union addr *srv, int out, unsigned int secs)
{
	struct report rep;
	unsigned long i;
	int fd;

	side = is_client ? "client" : "server";
	memset(&rep, 0, sizeof(rep));
	/*
	 * The comm must be in place before the tracer can see any socket.  Read
	 * it back so the expectation is exactly what the kernel stored.
	 */
	if (prctl(PR_SET_NAME, is_client ? cfg->client_comm : cfg->server_comm, 0, 0, 0) ||
	    prctl(PR_GET_NAME, rep.comm, 0, 0, 0))
		fail(errno, "prctl");
	alarm(secs);	/* pending alarms do not survive fork() */
	rep.pid = (int32_t)getpid();
	/*
	 * Only the client waits for the start byte: the processes already
	 * exist, so a test can learn their PIDs (--pid-file) before any
	 * session begins.
	 */
	if (is_client && cfg->start_fd >= 0) {
		char b;

		if (!xread(cfg->start_fd, &b, 1, "read --start-fd"))
			fail(0, "--start-fd %d closed before the start byte", cfg->start_fd);
		alarm(secs);
	}
	for (i = 0; i < cfg->count; i++) {
		rep.session = (uint32_t)i;
		if (is_client) {
			fd = socket(srv->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				fail(errno, "socket");
			if (cfg->client_port)
				bind_client(fd, srv, (uint16_t)cfg->client_port);
			rep.t_connect = now_ns();
			if (connect(fd, &srv->sa, sizeof(*srv)))
				fail(errno, "connect");
		} else {
			while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
				if (errno != EINTR)
					fail(errno, "accept");
		}
		rep.t_open = now_ns();
		run_session(cfg, fd, is_client != cfg->server_closes,
			    is_client ? cfg->client_bytes : cfg->server_bytes,
			    is_client ? cfg->server_bytes : cfg->client_bytes, &rep);
		if (write(out, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
			fail(errno, "report pipe write");
	}
	_exit(0);
}

/* Rounded so the bounds only widen: down for ms_min, up for ms_max. */
static void print_line(unsigned long session, const char *name, int closer,
		       const struct report *rep, uint64_t max_ns)
{
	uint64_t lo = (rep->t_close - rep->t_open) / 1000, hi = (max_ns + 999) / 1000;
	unsigned char c;
	int i;

	printf("session=%lu side=%s pid=%d comm=", session, name, (int)rep->pid);
	for (i = 0; i < COMM_LEN - 1 && rep->comm[i]; i++) {
		c = (unsigned char)rep->comm[i];
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c >= 0x20 && c <= 0x7e)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf(" family=%d laddr=%s lport=%u raddr=%s rport=%u tx=%llu rx=%llu"
	       " ms_min=%llu.%03llu ms_max=%llu.%03llu closer=%s\n",
	       (int)rep->family, rep->laddr, rep->lport, rep->raddr, rep->rport,
	       (unsigned long long)rep->tx, (unsigned long long)rep->rx,
	       (unsigned long long)(lo / 1000), (unsigned long long)(lo % 1000),
	       (unsigned long long)(hi / 1000), (unsigned long long)(hi % 1000),
	       closer ? "yes" : "no");
}

static void parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "ipv6", no_argument, NULL, '6' },
		{ "count", required_argument, NULL, 'n' },
		{ "client-bytes", required_argument, NULL, 'c' },
		{ "server-bytes", required_argument, NULL, 's' },
		{ "closer", required_argument, NULL, 'C' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'P' },
		{ "client-comm", required_argument, NULL, OPT_CLIENT_COMM },
		{ "server-comm", required_argument, NULL, OPT_SERVER_COMM },
		{ "start-fd", required_argument, NULL, OPT_START_FD },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "client-port", required_argument, NULL, OPT_CLIENT_PORT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* The caps keep the report arrays and the safety alarm arithmetic sane. */
	while ((c = getopt_long(argc, argv, "6n:c:s:C:H:P:", opts, NULL)) != -1) {
		if (c == '6')
			cfg->ipv6 = 1;
		else if (c == 'n')
			cfg->count = parse_num("count", optarg, 1, 1000000);
		else if (c == 'c')
			cfg->client_bytes = parse_num("client-bytes", optarg, 0, UINT64_MAX);
		else if (c == 's')
			cfg->server_bytes = parse_num("server-bytes", optarg, 0, UINT64_MAX);
		else if (c == 'C' && (!strcmp(optarg, "client") || !strcmp(optarg, "server")))
			cfg->server_closes = optarg[0] == 's';
		else if (c == 'C')
			bad_arg("closer", optarg);
		else if (c == 'H')
			cfg->hold_ms = parse_num("hold-ms", optarg, 0, 3600000);
		else if (c == 'P')
			cfg->port = parse_num("port", optarg, 0, 65535);
		else if (c == OPT_CLIENT_COMM)
			cfg->client_comm = optarg;
		else if (c == OPT_SERVER_COMM)
			cfg->server_comm = optarg;
		else if (c == OPT_START_FD)
			cfg->start_fd = (int)parse_num("start-fd", optarg, 0, 0x7fffffff);
		else if (c == OPT_PID_FILE)
			cfg->pid_file = optarg;
		else if (c == OPT_CLIENT_PORT)
			cfg->client_port = parse_num("client-port", optarg, 1, 65535);
		else
			exit(2);
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument: '%s'\n", PROG, argv[optind]);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.count = 1, .client_bytes = 5000, .server_bytes = 3000,
		.hold_ms = 100, .start_fd = -1,
		.client_comm = "tlw-client", .server_comm = "tlw-server",
	};
	union addr srv;
	socklen_t len = sizeof(srv);
	struct report *reps[2], *c, *s;
	pid_t pids[2];
	int fds[2], p[2], lfd, one = 1, ok = 1, st, k;
	unsigned long i;
	unsigned int secs;
	uint64_t end;

	parse_args(argc, argv, &cfg);
	/* Generous but bounded; the holds alone take count * hold_ms. */
	secs = (unsigned int)(60 + ((unsigned long long)cfg.count * cfg.hold_ms + 999) / 1000);
	alarm(secs);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)i;

	memset(&srv, 0, sizeof(srv));
	if (cfg.ipv6) {
		srv.in6.sin6_family = AF_INET6;
		srv.in6.sin6_addr = in6addr_loopback;
		srv.in6.sin6_port = htons((uint16_t)cfg.port);
	} else {
		srv.in.sin_family = AF_INET;
		srv.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		srv.in.sin_port = htons((uint16_t)cfg.port);
	}
	/* getsockname: the client connects to whatever port the kernel gave us. */
	lfd = socket(srv.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, &srv.sa, sizeof(srv)) || listen(lfd, 16) ||
	    getsockname(lfd, &srv.sa, &len))
		fail(errno, "listening socket on %s port %lu", cfg.ipv6 ? "::1" : "127.0.0.1",
		     cfg.port);

	reps[0] = calloc(cfg.count, sizeof(struct report));
	reps[1] = calloc(cfg.count, sizeof(struct report));
	if (!reps[0] || !reps[1])
		fail(errno, "calloc");
	/* Server (k = 1) first, so the client never inherits its pipe's write end. */
	for (k = 1; k >= 0; k--) {
		if (pipe2(p, O_CLOEXEC))
			fail(errno, "pipe");
		pids[k] = fork();
		if (pids[k] < 0)
			fail(errno, "fork");
		if (pids[k] == 0) {
			close(p[0]);
			/* Server-only fds: without them a dead server shows up as refused connects. */
			if (k == 0) {
				close(lfd);
				close(fds[1]);
			}
			child(&cfg, k == 0, lfd, &srv, p[1], secs);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	close(lfd);
	if (cfg.pid_file) {
		FILE *pf = fopen(cfg.pid_file, "w");

		if (!pf || fprintf(pf, "client=%d server=%d\n", (int)pids[0], (int)pids[1]) < 0 ||
		    fclose(pf))
			fail(errno, "%s", cfg.pid_file);
	}
	/*
	 * Neither child can get further ahead of the other than the listen
	 * backlog allows, a few KiB of reports where a pipe holds 64, so reading
	 * both in lockstep cannot stall them.  A missing report means a child
	 * died: stop the other too, as it may be stuck in accept() or read().
	 */
	for (i = 0; i < cfg.count && ok; i++)
		for (k = 0; k < 2 && ok; k++)
			ok = xread(fds[k], &reps[k][i], sizeof(struct report), "report pipe read") ==
			     sizeof(struct report) && reps[k][i].session == i;
	if (!ok) {
		kill(pids[0], SIGTERM);
		kill(pids[1], SIGTERM);
	}
	for (k = 0; k < 2; k++) {
		while (waitpid(pids[k], &st, 0) < 0)
			if (errno != EINTR)
				fail(errno, "waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		fprintf(stderr, "%s: %s child %s %d\n", PROG, k ? "server" : "client",
			WIFSIGNALED(st) ? "killed by signal" : "exited with status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		ok = 0;
	}
	if (!ok)
		fail(0, "workload failed: missing or bogus child reports");

	for (i = 0; i < cfg.count; i++) {
		c = &reps[0][i];
		s = &reps[1][i];
		if (c->lport != s->rport || c->rport != s->lport ||
		    strcmp(c->laddr, s->raddr) || strcmp(c->raddr, s->laddr))
			fail(0, "session %lu: client and server disagree on endpoints", i + 1);
		/* The session is over only once both sides have closed. */
		end = c->t_closed > s->t_closed ? c->t_closed : s->t_closed;
		print_line(i + 1, "client", !cfg.server_closes, c, end - c->t_connect);
		print_line(i + 1, "server", cfg.server_closes, s, end - c->t_connect);
	}
	free(reps[0]);
	free(reps[1]);
	if (fflush(stdout) || ferror(stdout))
		fail(errno, "stdout");
	return 0;
}
