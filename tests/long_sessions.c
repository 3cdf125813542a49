/*
 * Long-lived loopback sessions at a known rate, for the --interval tests:
 * prints its own accounting of every byte, so the tool's interim records
 * can be checked against it.
 *
 * Usage: long_sessions -P PORT [-n SESSIONS] [-t TICKS] [-i TICK_MS]
 *                      [-b BYTES] [-R READY_FILE] [-W GO_FILE]
 *                      [-C TICK] [-x]
 * Opens SESSIONS connections to 127.0.0.1:PORT (it listens there itself),
 * each exchanging BYTES (default 1000) one way, BYTES / 2 back, at once;
 * then writes READY_FILE and waits for GO_FILE to exist, if given.  Then
 * every TICK_MS (default 100) for TICKS ticks (default 20), every client
 * sends BYTES and every server BYTES / 2 back, each read in full.  With
 * -C, session 0 closes after that many ticks; -x: sessions close at the
 * end in the server first.  Prints, all times CLOCK_REALTIME seconds:
 *   session I cport=P sport=PORT pid=PID
 *   tick T time=SECS c2s=N s2c=N      (cumulative per session after it)
 *   close I time=SECS c2s=N s2c=N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "long_sessions: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		buf += w;
		n -= (size_t)w;
	}
}

static void read_all(int fd, char *buf, size_t n)
{
	while (n) {
		ssize_t r = read(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read");
		n -= (size_t)r;
	}
}

/* Both directions of one exchange; small enough for the socket buffers. */
static void exchange(int c, int s, char *buf, size_t bytes)
{
	write_all(c, buf, bytes);
	read_all(s, buf, bytes);
	write_all(s, buf, bytes / 2);
	read_all(c, buf, bytes / 2);
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f || fclose(f))
		die(path);
}

int main(int argc, char **argv)
{
	unsigned long n = 1, ticks = 20, tick_ms = 100, bytes = 1000, port = 0;
	long close_at = -1;
	const char *ready = NULL, *go = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int opt, lfd, *cfd, *sfd, server_first = 0, one = 1;
	unsigned long long c2s, s2c;
	struct rlimit rl;
	char *buf;

	while ((opt = getopt(argc, argv, "P:n:t:i:b:R:W:C:x")) != -1) {
		switch (opt) {
		case 'P': port = strtoul(optarg, NULL, 10); break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 't': ticks = strtoul(optarg, NULL, 10); break;
		case 'i': tick_ms = strtoul(optarg, NULL, 10); break;
		case 'b': bytes = strtoul(optarg, NULL, 10); break;
		case 'R': ready = optarg; break;
		case 'W': go = optarg; break;
		case 'C': close_at = strtol(optarg, NULL, 10); break;
		case 'x': server_first = 1; break;
		default: return 2;
		}
	}
	if (!port || !n || !bytes || bytes > 65536)
		return 2;
	/* Two descriptors a session, in this one process. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	buf = calloc(1, bytes);
	cfd = calloc(n, sizeof(*cfd));
	sfd = calloc(n, sizeof(*sfd));
	if (!buf || !cfd || !sfd)
		die("calloc");
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				  sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 4096) < 0)
		die("listen");
	for (unsigned long i = 0; i < n; i++) {
		struct sockaddr_in me;
		socklen_t len = sizeof(me);

		cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (cfd[i] < 0 ||
		    connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect");
		sfd[i] = accept(lfd, NULL, NULL);
		if (sfd[i] < 0)
			die("accept");
		/* Every byte acknowledged at once: no delayed ACK to wait. */
		setsockopt(cfd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(sfd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (getsockname(cfd[i], (struct sockaddr *)&me, &len) < 0)
			die("getsockname");
		exchange(cfd[i], sfd[i], buf, bytes);
		printf("session %lu cport=%u sport=%lu pid=%d\n", i,
		       ntohs(me.sin_port), port, (int)getpid());
	}
	c2s = bytes;
	s2c = bytes / 2;
	printf("tick 0 time=%.6f c2s=%llu s2c=%llu\n", now_real(), c2s, s2c);
	fflush(stdout);
	if (ready)
		touch(ready);
	while (go && access(go, F_OK) < 0)
		usleep(10000);
	for (unsigned long t = 1; t <= ticks; t++) {
		struct timespec d = {
			.tv_sec = (time_t)(tick_ms / 1000),
			.tv_nsec = (long)(tick_ms % 1000) * 1000000L,
		};

		nanosleep(&d, NULL);
		for (unsigned long i = 0; i < n; i++)
			if (cfd[i] >= 0)
				exchange(cfd[i], sfd[i], buf, bytes);
		c2s += bytes;
		s2c += bytes / 2;
		printf("tick %lu time=%.6f c2s=%llu s2c=%llu\n", t, now_real(),
		       c2s, s2c);
		if ((long)t == close_at) {
			printf("close 0 time=%.6f c2s=%llu s2c=%llu\n",
			       now_real(), c2s, s2c);
			close(cfd[0]);
			close(sfd[0]);
			cfd[0] = sfd[0] = -1;
		}
		fflush(stdout);
	}
	for (unsigned long i = 0; i < n; i++) {
		if (cfd[i] < 0)
			continue;
		printf("close %lu time=%.6f c2s=%llu s2c=%llu\n", i,
		       now_real(), c2s, s2c);
		close(server_first ? sfd[i] : cfd[i]);
		close(server_first ? cfd[i] : sfd[i]);
	}
	free(buf);
	free(cfd);
	free(sfd);
	return fflush(stdout) == 0 ? 0 : 1;
}
