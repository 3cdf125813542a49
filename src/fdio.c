/* Whole-buffer reads and writes on pipes, retried across EINTR. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdio.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_all(int fd, char **out, size_t max)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			err = -EFBIG;
			if (cap >= max)
				goto fail;
			err = -ENOMEM;
			bigger = realloc(buf, cap * 2);
			if (!bigger)
				goto fail;
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	return (ssize_t)len;
fail:
	free(buf);
	return err;
}
