/* tcp_loadgen's children: one side of every session of one client/server pair. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "tcp_loadgen.h"

#define CHUNK	65536

static unsigned char payload[CHUNK];

static void send_all(int fd, uint64_t n)
{
	ssize_t r;

	while (n) {
		/* MSG_NOSIGNAL: a broken peer should give a message, not SIGPIPE. */
		r = send(fd, payload, n < CHUNK ? n : CHUNK, MSG_NOSIGNAL);
		if (r < 0 && errno != EINTR)
			fail(errno, "send");
		n -= r > 0 ? (uint64_t)r : 0;
	}
}

/* Reads n bytes, then expects EOF if eof is set. */
static void recv_all(int fd, uint64_t n, int eof)
{
	static unsigned char buf[CHUNK];
	ssize_t r;

	while (n || eof) {
		r = read(fd, buf, n && n < CHUNK ? n : CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail(errno, "read");
		if (!r && n)
			fail(0, "peer closed with %llu bytes still to come",
			     (unsigned long long)n);
		if (!r)
			return;
		if (!n)
			fail(0, "unexpected data where EOF was expected");
		n -= (uint64_t)r;
	}
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
	s->t_close = now_ns();
	if (close(fd))
		fail(errno, "close");
	s->t_closed = now_ns();
}

static uint16_t port_of(const union addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

/* Opens session s: the client connects, the server accepts. */
static int open_session(const struct pair *p, int is_client, unsigned long l,
			struct side *s)
{
	socklen_t len = sizeof(s->peer);
	int fd;

	if (is_client) {
		s->peer = p->srv[l];
		fd = socket(s->peer.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			fail(errno, "socket");
		s->t_connect = now_ns();
		if (connect(fd, &s->peer.sa, sizeof(s->peer)))
			fail(errno, "connect");
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

void run_side(const struct config *cfg, const struct pair *p, int is_client,
	      int go_fd, struct side *sides)
{
	char name[COMM_LEN], c;
	unsigned long i, k;
	struct side *s;
	int fd;

	role = is_client ? "client" : "server";
	alarm(cfg->timeout);	/* pending alarms do not survive fork() */
	/* The tracers must see this name from the first socket on; read it back. */
	snprintf(name, sizeof(name), "tlg-%s-%lu", role, p->index);
	if (prctl(PR_SET_NAME, name, 0, 0, 0) || prctl(PR_GET_NAME, name, 0, 0, 0))
		fail(errno, "prctl");
	/* Released all at once, so the parent's clock covers every session. */
	if (is_client && read(go_fd, &c, 1) < 0)
		fail(errno, "read start pipe");
	for (i = p->index; i < cfg->sessions; i += cfg->workers) {
		k = i / cfg->workers;
		s = &sides[2 * i + !is_client];
		s->pid = (int32_t)getpid();
		memcpy(s->comm, name, sizeof(name));
		s->tx = payload_size(is_client ? &cfg->client : &cfg->server, k);
		s->rx = payload_size(is_client ? &cfg->server : &cfg->client, k);
		fd = open_session(p, is_client, session_listener(cfg, k), s);
		run_session(fd, is_client != server_closes(cfg, k), cfg->hold_ms, s);
		s->done = 1;
	}
	_exit(0);
}
