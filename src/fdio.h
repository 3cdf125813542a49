/* Whole-buffer reads and writes on pipes, retried across EINTR. */
#ifndef TCPLIFE_FDIO_H
#define TCPLIFE_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Writes all of BUF; 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Reads FD to end of file into a new buffer (*OUT, to free) of at most MAX
 * bytes.  Returns the length, or -errno (-EFBIG past MAX).
 */
ssize_t read_all(int fd, char **out, size_t max);

#endif
