/* Test helper: TCP sessions that end in known ways, each printing how it ended. */
/*
 * Usage:
 *   tcp_ends refused ADDR PORT      connect() to a port nobody listens on
 *   tcp_ends abort ADDR PORT        a session whose client closes with
 *                                   SO_LINGER 0 (a RST) while the server
 *                                   still reads
 *   tcp_ends connect ADDR PORT      a connect() expected to fail (timeout)
 *   tcp_ends serve ADDR PORT        accept one session, read to EOF, close;
 *                                   prints "listening" once it can connect
 *   tcp_ends send ADDR PORT N M     send N bytes, print "paused", wait for a
 *                                   line on stdin, send M more, shut down,
 *                                   read to EOF, close
 * Each side that closes prints one line:
 *   side=client|server pid=P uid=U lport=N rport=N end=E errno=N|-
 *   retrans=N|- srtt_us=N|-
 * where end and errno are what the system calls said (the client's own
 * RST carries no errno), and retrans and srtt_us are TCP_INFO's
 * tcpi_total_retrans and tcpi_rtt, read after the close state was reached,
 * so they are the kernel's final values.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "tcp_ends"

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	exit(1);
}

static void parse_addr(const char *text, const char *port, union addr *a,
		       socklen_t *len)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	memset(a, 0, sizeof(*a));
	if (*end || !p || p > 65535)
		fail(0, "bad port '%s'", port);
	if (inet_pton(AF_INET, text, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons((uint16_t)p);
		*len = sizeof(a->in);
	} else if (inet_pton(AF_INET6, text, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons((uint16_t)p);
		*len = sizeof(a->in6);
	} else {
		fail(0, "bad address '%s'", text);
	}
}

static unsigned int port_of(int fd, int peer)
{
	union addr a;
	socklen_t len = sizeof(a);

	if ((peer ? getpeername : getsockname)(fd, &a.sa, &len))
		fail(errno, peer ? "getpeername" : "getsockname");
	return ntohs(a.sa.sa_family == AF_INET6 ? a.in6.sin6_port :
		     a.in.sin_port);
}

/* A socket bound to an ephemeral port, so its port is known even if connect() fails. */
static int client_socket(const union addr *to)
{
	union addr local;
	int fd = socket(to->sa.sa_family, SOCK_STREAM, 0);

	if (fd < 0)
		fail(errno, "socket");
	memset(&local, 0, sizeof(local));
	local.sa.sa_family = to->sa.sa_family;
	if (bind(fd, &local.sa, to->sa.sa_family == AF_INET6 ?
		 sizeof(local.in6) : sizeof(local.in)))
		fail(errno, "bind");
	return fd;
}

static int listener(const union addr *a, socklen_t len)
{
	int one = 1, fd = socket(a->sa.sa_family, SOCK_STREAM, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) ||
	    bind(fd, &a->sa, len) || listen(fd, 8))
		fail(errno, "listen");
	return fd;
}

static void report(const char *side, int fd, unsigned int lport,
		   unsigned int rport, const char *end, int err, int info)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	char errbuf[16] = "-", retrans[16] = "-", rtt[16] = "-";

	if (err)
		snprintf(errbuf, sizeof(errbuf), "%d", err);
	if (info) {
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			fail(errno, "TCP_INFO");
		snprintf(retrans, sizeof(retrans), "%u", ti.tcpi_total_retrans);
		snprintf(rtt, sizeof(rtt), "%u", ti.tcpi_rtt);
	}
	printf("side=%s pid=%d uid=%u lport=%u rport=%u end=%s errno=%s "
	       "retrans=%s srtt_us=%s\n", side, (int)getpid(),
	       (unsigned int)getuid(), lport, rport, end, errbuf, retrans,
	       rtt);
	fflush(stdout);
}

/*
 * A connect() that must fail: how it failed is the row's truth.  It is
 * non-blocking because a blocking connect() that fails resets the socket
 * (tcp_disconnect), and TCP_INFO would then show zeros, not the counts the
 * session closed with.
 */
static void failed_connect(const union addr *to, socklen_t len)
{
	int fd = client_socket(to), err = 0;
	unsigned int lport = port_of(fd, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t elen = sizeof(err);

	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    (connect(fd, &to->sa, len) && errno != EINPROGRESS))
		fail(errno, "connect");
	if (poll(&pfd, 1, 60000) != 1)
		fail(errno, "no answer to connect() within 60 s");
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		fail(errno, "SO_ERROR");
	if (!err)
		fail(0, "connect() succeeded");
	report("client", fd, lport, ntohs(to->in.sin_port),
	       err == ECONNREFUSED ? "refused" :
	       err == ETIMEDOUT ? "timeout" : "error", err, 1);
	close(fd);
}

static void abort_session(const union addr *a, socklen_t len)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd = listener(a, len), cfd = client_socket(a), sfd;
	unsigned int cport;
	char buf[64];
	ssize_t r;

	if (connect(cfd, &a->sa, len) || (sfd = accept(lfd, NULL, NULL)) < 0)
		fail(errno, "connect/accept");
	if (write(cfd, "hello", 5) != 5 || read(sfd, buf, 5) != 5)
		fail(errno, "write/read");
	/* The client's own abortive close: a RST, and no error for it. */
	if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		fail(errno, "SO_LINGER");
	cport = port_of(cfd, 0);
	report("client", cfd, cport, port_of(cfd, 1), "reset", 0, 1);
	close(cfd);
	/* The server learns of it from read(): ECONNRESET. */
	r = read(sfd, buf, sizeof(buf));
	if (r >= 0)
		fail(0, "read() returned %zd after the peer's RST", r);
	report("server", sfd, port_of(sfd, 0), cport, "reset", errno, 0);
	close(sfd);
	close(lfd);
}

static void serve(const union addr *a, socklen_t len)
{
	static char buf[65536];
	int lfd = listener(a, len), fd;
	unsigned int lport, rport;
	ssize_t r;

	printf("listening\n");
	fflush(stdout);
	if ((fd = accept(lfd, NULL, NULL)) < 0)
		fail(errno, "accept");
	lport = port_of(fd, 0);
	rport = port_of(fd, 1);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	if (r < 0)
		fail(errno, "read");
	report("server", fd, lport, rport, "normal", 0, 0);
	close(fd);
	close(lfd);
}

static void send_bytes(int fd, size_t n)
{
	static const char buf[65536];

	while (n) {
		ssize_t w = write(fd, buf, n < sizeof(buf) ? n : sizeof(buf));

		if (w < 0)
			fail(errno, "write");
		n -= (size_t)w;
	}
}

static void send_session(const union addr *to, socklen_t len, size_t first,
			 size_t rest)
{
	int fd = client_socket(to);
	char line[64], c;

	if (connect(fd, &to->sa, len))
		fail(errno, "connect");
	send_bytes(fd, first);
	printf("paused lport=%u\n", port_of(fd, 0));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		fail(0, "no go-ahead on stdin");
	send_bytes(fd, rest);
	if (shutdown(fd, SHUT_WR))
		fail(errno, "shutdown");
	/* EOF: the server read everything and closed; we are closed too. */
	if (read(fd, &c, 1) != 0)
		fail(errno, "expected EOF");
	report("client", fd, port_of(fd, 0), ntohs(to->in.sin_port), "normal",
	       0, 1);
	close(fd);
}

int main(int argc, char **argv)
{
	union addr a;
	socklen_t len;

	if (argc < 4)
		fail(0, "usage: %s MODE ADDR PORT [N M]", PROG);
	parse_addr(argv[2], argv[3], &a, &len);
	if (!strcmp(argv[1], "refused") || !strcmp(argv[1], "connect"))
		failed_connect(&a, len);
	else if (!strcmp(argv[1], "abort"))
		abort_session(&a, len);
	else if (!strcmp(argv[1], "serve"))
		serve(&a, len);
	else if (!strcmp(argv[1], "send") && argc == 6)
		send_session(&a, len, strtoul(argv[4], NULL, 10),
			     strtoul(argv[5], NULL, 10));
	else
		fail(0, "unknown mode '%s'", argv[1]);
	return 0;
}
