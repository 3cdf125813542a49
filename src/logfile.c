/*
 * The --output file: appended to, created with mode 0640, and opened again
 * by name when logrotate has renamed it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"

int logfile_open(const char *path, bool *empty)
{
	struct stat st;
	int fd;

	/* Twice at most: the file may vanish between the two opens. */
	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
			  O_CLOEXEC | O_NOCTTY, 0640);
		if (fd >= 0) {
			/* 0640 whatever the umask: the group may read it. */
			if (fchmod(fd, 0640) < 0) {
				int err = -errno;

				close(fd);
				return err;
			}
			*empty = true;
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
		/*
		 * Root opens the path, and the directory may belong to the
		 * account the tool runs as later: a link planted there must
		 * not steer root's writes (ELOOP), nor a FIFO without a
		 * reader hang the start (ENXIO).
		 */
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY |
			  O_NOFOLLOW | O_NONBLOCK);
		if (fd >= 0)
			break;
		if (errno != ENOENT)
			return -errno;
	}
	if (fd < 0)
		return -ENOENT;
	if (fcntl(fd, F_SETFL, O_APPEND) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* A device or a pipe starts empty every time, as stdout does. */
	*empty = fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		 st.st_size == 0;
	return fd;
}
