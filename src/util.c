/* Diagnostics and small helpers shared by every part of tcplife-bcc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* syslog(3)'s levels, which the journal reads from a "<N>" line prefix. */
enum { LEVEL_ERR = 3, LEVEL_WARNING = 4, LEVEL_INFO = 6 };

/*
 * Whether stderr is the journal's stream (systemd sets JOURNAL_STREAM to
 * its device and inode): a service's errors and warnings then get their
 * priority, so that journalctl -p warning shows them.
 */
static bool stderr_is_journal(void)
{
	static int known = -1;
	unsigned long long dev, ino;
	const char *e;
	struct stat st;

	if (known < 0) {
		e = getenv("JOURNAL_STREAM");
		known = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
			fstat(STDERR_FILENO, &st) == 0 &&
			(unsigned long long)st.st_dev == dev &&
			(unsigned long long)st.st_ino == ino;
	}
	return known;
}

static void vmessage(int level, const char *prefix, const char *fmt,
		     va_list ap)
{
	/* Flush rows first, so a diagnostic never lands inside one. */
	fflush(stdout);
	if (stderr_is_journal())
		fprintf(stderr, "<%d>", level);
	fprintf(stderr, "%s: %s", PROGRAM_NAME, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(LEVEL_ERR, "", fmt, ap);
	va_end(ap);
}

void warning_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(LEVEL_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

static bool notes_silenced;

void notes_silence(void)
{
	notes_silenced = true;
}

void note_msg(const char *fmt, ...)
{
	va_list ap;

	if (notes_silenced)
		return;
	va_start(ap, fmt);
	vmessage(LEVEL_INFO, "note: ", fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(LEVEL_ERR, "", fmt, ap);
	va_end(ap);
	exit(status);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(EXIT_RUNTIME, "out of memory");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size ? size : 1);
	if (!p)
		die(EXIT_RUNTIME, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EXIT_RUNTIME, "out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_RUNTIME, "out of memory");
	return p;
}

int read_small_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return err;
}

int path_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int path_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int path_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cpu_list_read(const char *path, int **list)
{
	char buf[4096], *p = buf;
	int n = 0, cap = 64;
	int err = read_small_file(path, buf, sizeof(buf));

	if (err < 0)
		return err;
	*list = xcalloc((size_t)cap, sizeof(**list));
	while (*p && *p != '\n') {
		char *end;
		long first = strtol(p, &end, 10), last = first;

		if (end == p)
			break;
		if (*end == '-')
			last = strtol(end + 1, &end, 10);
		for (long c = first; c <= last; c++) {
			if (n == cap) {
				cap *= 2;
				*list = realloc(*list, (size_t)cap * sizeof(**list));
				if (!*list)
					die(EXIT_RUNTIME, "out of memory");
			}
			(*list)[n++] = (int)c;
		}
		p = *end == ',' ? end + 1 : end;
	}
	return n ? n : -ENOENT;
}

/* close_range() is younger than the kernels this runs on. */
void close_fds_but(int keep)
{
	struct rlimit rl;
	int max = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (int)rl.rlim_cur;
	for (int fd = 0; fd < max; fd++)
		if (fd != keep && fd != STDERR_FILENO)
			close(fd);
}
