/* tcp_workload's children: one side of every session of one client/server pair. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>

#include "workload.h"

#define CHUNK	65536

/* Payload byte at stream offset i is (i & 0xff), so the receiver can check it. */
static unsigned char pattern[CHUNK + 256];

static void send_all(int fd, uint64_t n)
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

/* Reads n bytes, checking the pattern, then expects EOF if eof is set. */
static void recv_all(int fd, uint64_t n, int eof)
{
	static unsigned char buf[CHUNK];
	uint64_t off = 0;
	ssize_t r;

	while (off < n || eof) {
		r = read(fd, buf, off < n && n - off < CHUNK ? n - off : CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail(errno, "read");
		if (!r && off < n)
			fail(0, "peer closed after %llu of %llu bytes",
			     (unsigned long long)off, (unsigned long long)n);
		if (!r)
			return;
		if (off == n)
			fail(0, "unexpected data where EOF was expected");
		for (ssize_t i = 0; i < r; i++, off++)
			if (buf[i] != (unsigned char)off)
				fail(0, "corrupt payload at offset %llu",
				     (unsigned long long)off);
	}
}

/* The kernel's windowed minimum RTT in microseconds, as TCP_INFO says. */
static uint32_t min_rtt(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		fail(errno, "TCP_INFO");
	if (len < offsetof(struct tcp_info, tcpi_min_rtt) + sizeof(ti.tcpi_min_rtt))
		fail(0, "TCP_INFO has no tcpi_min_rtt (Linux 4.10 or later)");
	return ti.tcpi_min_rtt;
}

/*
 * The closer sends first and receives last, so once it has read everything
 * the peer has too; it then holds and closes.  The other side waits for EOF,
 * so it never closes first.
 */
static void run_session(int fd, int closer, unsigned long hold_ms, struct side *s)
{
	struct timespec hold = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000 };

	s->t_open = now_ns();
	if (closer) {
		send_all(fd, s->tx);
		recv_all(fd, s->rx, 0);
		while (hold_ms && nanosleep(&hold, &hold) && errno == EINTR)
			;
	} else {
		recv_all(fd, s->rx, 0);
		send_all(fd, s->tx);
		recv_all(fd, 0, 1);
	}
	s->min_rtt_close = min_rtt(fd);
	s->t_close = now_ns();
	if (close(fd))
		fail(errno, "close");
	s->t_closed = now_ns();
}

static uint16_t port_of(const union addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

/* The client's own port, on the server's (loopback) address. */
static void bind_client(int fd, const union addr *srv, unsigned long port)
{
	union addr a = *srv;
	int one = 1;

	if (a.sa.sa_family == AF_INET6)
		a.in6.sin6_port = htons((uint16_t)port);
	else
		a.in.sin_port = htons((uint16_t)port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, &a.sa, sizeof(a)))
		fail(errno, "binding the client to port %lu", port);
}

/* Opens session s: the client connects, the server accepts. */
static int open_session(const struct config *cfg, const struct pair *p,
			int is_client, unsigned long l, struct side *s)
{
	socklen_t len = sizeof(s->peer);
	int fd;

	if (is_client) {
		s->peer = p->srv[l];
		fd = socket(s->peer.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fail(errno, "socket");
		if (cfg->client_port)
			bind_client(fd, &s->peer, cfg->client_port);
		s->t_connect = now_ns();
		if (connect(fd, &s->peer.sa, sizeof(s->peer)))
			fail(errno, "connect");
		s->t_connected = now_ns();
		/* Its only RTT sample yet: the SYN's, inside the handshake. */
		s->min_rtt_open = min_rtt(fd);
		/* The server knows both ends already; only the client asks. */
		len = sizeof(s->local);
		if (getsockname(fd, &s->local.sa, &len))
			fail(errno, "getsockname");
	} else {
		s->local = p->srv[l];
		while ((fd = accept4(p->lfd[l], &s->peer.sa, &len, SOCK_CLOEXEC)) < 0)
			if (errno != EINTR)
				fail(errno, "accept");
	}
	s->lport = port_of(&s->local);
	s->rport = port_of(&s->peer);
	return fd;
}

/* The name tracers see, set before any socket exists; read back as stored. */
static void set_comm(const struct config *cfg, const struct pair *p,
		     int is_client, char *name)
{
	const char *base = is_client ? cfg->client_comm : cfg->server_comm;
	char want[64];

	/* Pairs are told apart by their names, but one pair keeps it as given. */
	if (cfg->workers > 1)
		snprintf(want, sizeof(want), "%.10s-%lu", base, p->index);
	else
		snprintf(want, sizeof(want), "%s", base);
	if (prctl(PR_SET_NAME, want, 0, 0, 0) || prctl(PR_GET_NAME, name, 0, 0, 0))
		fail(errno, "prctl");
}

static void wait_start(const struct config *cfg, int go_fd)
{
	char c;

	/* Released all at once, so the parent's clock covers every session. */
	if (read(go_fd, &c, 1) < 0)
		fail(errno, "read start pipe");
	if (cfg->start_fd >= 0) {
		ssize_t r;

		while ((r = read(cfg->start_fd, &c, 1)) < 0 && errno == EINTR)
			;
		if (r <= 0)
			fail(r ? errno : 0, "--start-fd %d closed before the start byte",
			     cfg->start_fd);
		alarm(cfg->timeout);
	}
}

void run_side(const struct config *cfg, const struct pair *p, int is_client,
	      int go_fd, struct side *sides)
{
	char name[COMM_LEN];
	unsigned long i, k;
	struct side *s;
	int fd;

	role = is_client ? "client" : "server";
	alarm(cfg->timeout);	/* pending alarms do not survive fork() */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)i;
	memset(name, 0, sizeof(name));
	set_comm(cfg, p, is_client, name);
	if (is_client)
		wait_start(cfg, go_fd);
	for (i = p->index; i < cfg->sessions; i += cfg->workers) {
		k = i / cfg->workers;
		s = &sides[2 * i + !is_client];
		s->pid = (int32_t)getpid();
		memcpy(s->comm, name, sizeof(name));
		s->tx = payload_size(is_client ? &cfg->client : &cfg->server, k);
		s->rx = payload_size(is_client ? &cfg->server : &cfg->client, k);
		fd = open_session(cfg, p, is_client, session_listener(cfg, k), s);
		run_session(fd, is_client != server_closes(cfg, k), cfg->hold_ms, s);
		s->done = 1;
	}
	_exit(0);
}
