/* Test helper: renames a file away the moment a reader closes it. */
/*
 * Usage: rename_on_read FILE AWAY SECONDS
 * Watches FILE with inotify, prints "watching" once the watch is set,
 * and when any process closes FILE after reading it, renames it to AWAY
 * at once, waits SECONDS and renames it back: the attack on a check that
 * looks at what a compile read only after the compile.  Exits 0 after
 * putting the file back, 2 when no one read FILE within a minute, 1 on an
 * error.  Written in C because a shell's fork and exec lose the race.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define PROG "rename_on_read"
#define WAIT_MS 60000

int main(int argc, char **argv)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd pfd;
	int fd, n;

	if (argc != 4) {
		fprintf(stderr, "usage: %s FILE AWAY SECONDS\n", PROG);
		return 1;
	}
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_add_watch(fd, argv[1], IN_CLOSE_NOWRITE) < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], strerror(errno));
		return 1;
	}
	printf("watching\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	n = poll(&pfd, 1, WAIT_MS);
	if (n <= 0)
		return n == 0 ? 2 : 1;
	if (read(fd, buf, sizeof(buf)) <= 0 || rename(argv[1], argv[2]) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, strerror(errno));
		return 1;
	}
	sleep((unsigned int)atoi(argv[3]));
	if (rename(argv[2], argv[1]) < 0) {
		fprintf(stderr, "%s: putting %s back: %s\n", PROG, argv[1],
			strerror(errno));
		return 1;
	}
	return 0;
}
