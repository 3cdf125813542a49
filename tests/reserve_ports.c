/* Test helper: holds a block of consecutive TCP ports for one test. */
/*
 * Usage: reserve_ports [COUNT (10) [FIRST]]
 * Prints the first port of COUNT consecutive ports, then holds them until
 * it is killed or its parent dies (an hour at most).  With FIRST, exactly
 * FIRST..FIRST+COUNT-1 are held, or it fails: a test in a network
 * namespace of its own holds there the block its parent reserved on the
 * host (tests/init.sh), so that its own connect()s cannot take them.
 *
 * Every port is bound, so it is free whatever net.ipv4.ip_local_port_range
 * holds, and a block is only taken once a server could also bind each of
 * its ports on 127.0.0.1 and ::1 (a client's TIME_WAIT there would stop
 * it); a block that cannot be had whole is given back and another tried.  The
 * sockets are bound to 127.0.0.77 and never listen: the kernel then picks
 * none of these ports for a connect(), no other reserve_ports can take
 * them (no SO_REUSEADDR), yet a test's server can still bind and listen on
 * 127.0.0.1 or ::1 at any of them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "reserve_ports"
#define RESERVE_ADDR "127.0.0.77"
#define MAX_COUNT 64
#define TRIES 1000

static int bind_port(unsigned int port, unsigned int *got)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, RESERVE_ADDR, &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	*got = ntohs(a.sin_port);
	return fd;
}

/*
 * Whether a server could bind PORT on 127.0.0.1 and ::1 now, as the
 * workload's do (SO_REUSEADDR).  A connection made before we reserved it
 * may still hold the port there (a session of another test or program
 * that got it as its ephemeral port): then the block is not taken.
 */
static int loopback_free(unsigned int port)
{
	static const int families[] = { AF_INET, AF_INET6 };
	int one = 1;

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct sockaddr_storage ss;
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		int fd = socket(families[i], SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

		if (fd < 0)
			return 0;
		memset(&ss, 0, sizeof(ss));
		if (families[i] == AF_INET) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons((uint16_t)port);
			a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		} else {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons((uint16_t)port);
			a6->sin6_addr = in6addr_loopback;
		}
		ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) == 0 &&
		     bind(fd, (struct sockaddr *)&ss, sizeof(ss)) == 0;
		close(fd);
		if (!ok)
			return 0;
	}
	return 1;
}

static int block_free(unsigned int base, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		if (!loopback_free(base + i))
			return 0;
	return 1;
}

/* Fills FDS with COUNT sockets on consecutive ports; returns the first. */
static int reserve(int *fds, unsigned int count)
{
	for (int t = 0; t < TRIES; t++) {
		unsigned int base, got, n = 1;

		/*
		 * bind(0) first; but its neighbours are where connect()s take
		 * their ports, and under load they are full of client
		 * TIME_WAITs that block a server's bind: then random blocks
		 * anywhere above 1024.
		 */
		fds[0] = bind_port(t < TRIES / 10 ? 0 :
				   1024 + (unsigned int)random() %
				   (65536 - 1024 - count), &base);
		if (fds[0] < 0 && t >= TRIES / 10)
			continue;
		if (fds[0] < 0) {
			perror(PROG ": bind");
			return -1;
		}
		while (n < count && base + n <= 65535 &&
		       (fds[n] = bind_port(base + n, &got)) >= 0)
			n++;
		/* Checked once all are held: no connect() can take them now. */
		if (n == count && block_free(base, count))
			return (int)base;
		while (n--)
			close(fds[n]);
	}
	fprintf(stderr, "%s: no %u consecutive free ports in %d tries\n", PROG,
		count, TRIES);
	return -1;
}

/* Holds exactly FIRST..FIRST+COUNT-1; returns FIRST, or -1. */
static int reserve_at(int *fds, unsigned int count, unsigned int first)
{
	unsigned int got, n = 0;

	while (n < count && (fds[n] = bind_port(first + n, &got)) >= 0)
		n++;
	if (n == count && block_free(first, count))
		return (int)first;
	fprintf(stderr, "%s: ports %u-%u are not free\n", PROG, first,
		first + count - 1);
	while (n--)
		close(fds[n]);
	return -1;
}

int main(int argc, char **argv)
{
	int fds[MAX_COUNT], base;
	unsigned long count = 10, first = 0;
	char *end;

	if (argc > 1) {
		count = strtoul(argv[1], &end, 10);
		if (*end || count < 1 || count > MAX_COUNT)
			argc = 99;
	}
	if (argc == 3) {
		first = strtoul(argv[2], &end, 10);
		if (*end || first < 1 || first + count - 1 > 65535)
			argc = 99;
	}
	if (argc > 3) {
		fprintf(stderr, "usage: %s [COUNT (1-%d) [FIRST]]\n", PROG,
			MAX_COUNT);
		return 2;
	}
	/* Never outlive the test that asked. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm(3600);
	srandom((unsigned int)getpid());
	base = first ? reserve_at(fds, (unsigned int)count,
				  (unsigned int)first) :
		       reserve(fds, (unsigned int)count);
	if (base < 0)
		return 1;
	printf("%d\n", base);
	if (fflush(stdout) != 0)
		return 1;
	for (;;)
		pause();
}
