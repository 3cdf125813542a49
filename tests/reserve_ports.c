/* Test helper: holds a block of consecutive TCP ports for one test. */
/*
 * Usage: reserve_ports [COUNT (10)]
 * Prints the first port of COUNT consecutive ports, then holds them until
 * it is killed or its parent dies (an hour at most).
 *
 * The first port comes from bind(0), so it is free whatever
 * net.ipv4.ip_local_port_range holds; the rest are bound explicitly, and
 * a block that cannot be had whole is given back and another tried.  The
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

/* Fills FDS with COUNT sockets on consecutive ports; returns the first. */
static int reserve(int *fds, unsigned int count)
{
	for (int t = 0; t < TRIES; t++) {
		unsigned int base, got, n = 1;

		fds[0] = bind_port(0, &base);
		if (fds[0] < 0) {
			perror(PROG ": bind");
			return -1;
		}
		while (n < count && base + n <= 65535 &&
		       (fds[n] = bind_port(base + n, &got)) >= 0)
			n++;
		if (n == count)
			return (int)base;
		while (n--)
			close(fds[n]);
	}
	fprintf(stderr, "%s: no %u consecutive free ports in %d tries\n", PROG,
		count, TRIES);
	return -1;
}

int main(int argc, char **argv)
{
	int fds[MAX_COUNT], base;
	unsigned long count = 10;

	if (argc > 2 || (argc == 2 && ((count = strtoul(argv[1], NULL, 10)) < 1 ||
					 count > MAX_COUNT))) {
		fprintf(stderr, "usage: %s [COUNT (1-%d)]\n", PROG, MAX_COUNT);
		return 2;
	}
	/* Never outlive the test that asked. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	alarm(3600);
	base = reserve(fds, (unsigned int)count);
	if (base < 0)
		return 1;
	printf("%d\n", base);
	if (fflush(stdout) != 0)
		return 1;
	for (;;)
		pause();
}
