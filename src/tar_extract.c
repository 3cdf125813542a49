/*
 * Unpacking a tar stream of header files, refusing anything but a plain
 * tree.  Its own reader rather than tar(1): GNU tar, busybox and toybox
 * differ in what they refuse (absolute names, "..", links leading out,
 * owners) and in the options that would make them refuse it; here the
 * rules are the tool's, and every name is created relative to a directory
 * descriptor, one component at a time, never following a link.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tar_extract.h"
#include "util.h"

#define BLOCK 512
#define MAX_NAME 4096
#define MAX_MEMBERS 200000
#define MAX_BYTES (768u << 20)
#define MAX_PAX 65536

struct pending_link {
	char *path, *target;
};

struct reader {
	int fd;
	int dir_fd;
	struct tar_result *r;
	size_t bytes;
	char long_name[MAX_NAME], long_link[MAX_NAME];
	struct pending_link *links;
	size_t nlinks;
};

static int refuse(struct reader *rd, int err, const char *what,
		  const char *name)
{
	snprintf(rd->r->why, sizeof(rd->r->why), "%s%s%.200s", what,
		 name ? ": " : "", name ? name : "");
	return err;
}

/* Exactly LEN bytes, or -EBADMSG at a premature end of the stream. */
static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EBADMSG;
		got += (size_t)n;
	}
	return 0;
}

static long long octal(const unsigned char *p, size_t len)
{
	long long v = 0;
	size_t i = 0;

	while (i < len && p[i] == ' ')
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (p[i] - '0');
	/* Base-256 sizes (over 8 GiB) or garbage: no header file is that. */
	return i < len && p[i] && p[i] != ' ' ? -1 : v;
}

static bool checksum_ok(const unsigned char *h)
{
	long long want = octal(h + 148, 8), sum = 0;

	for (int i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return want == sum;
}

/* A member's data, padded to whole blocks, into BUF as a string. */
static int read_data(struct reader *rd, long long size, char *buf, size_t max)
{
	char block[BLOCK];

	for (long long done = 0; done < size; done += BLOCK) {
		size_t n = size - done < BLOCK ? (size_t)(size - done) : BLOCK;
		int err = read_full(rd->fd, block, BLOCK);

		if (err)
			return err;
		if ((size_t)done + n < max)
			memcpy(buf + done, block, n);
	}
	buf[(size_t)size < max ? (size_t)size : max - 1] = '\0';
	return 0;
}

/* The pax records "LEN path=VALUE\n" and "LEN linkpath=VALUE\n". */
static void pax_names(struct reader *rd, char *rec, size_t len)
{
	for (size_t off = 0; off < len;) {
		char *end, *eq;
		long n = strtol(rec + off, &end, 10);

		if (n <= 0 || off + (size_t)n > len || *end != ' ')
			return;
		rec[off + (size_t)n - 1] = '\0';
		eq = strchr(end + 1, '=');
		if (eq && !strncmp(end + 1, "path=", 5))
			snprintf(rd->long_name, MAX_NAME, "%s", eq + 1);
		else if (eq && !strncmp(end + 1, "linkpath=", 9))
			snprintf(rd->long_link, MAX_NAME, "%s", eq + 1);
		off += (size_t)n;
	}
}

/*
 * NAME made relative and plain: "./" and "." dropped; -EPERM for an
 * absolute name or a ".." component.  An empty result is the root.
 */
static int clean_name(struct reader *rd, const char *name, char *out)
{
	size_t o = 0;

	if (name[0] == '/')
		return refuse(rd, -EPERM, "absolute name", name);
	for (const char *p = name; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2))
			return refuse(rd, -EPERM, "name with ..", name);
		if (len && !(len == 1 && *p == '.')) {
			if (o + len + 2 > MAX_NAME)
				return refuse(rd, -EPERM, "name too long", name);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len + strspn(p + len, "/");
	}
	out[o] = '\0';
	return 0;
}

/*
 * The directory holding PATH's last component, made as needed, opened
 * without following links; *LAST points into PATH.  Returns an fd or
 * -errno.
 */
static int open_parent(int root, char *path, const char **last)
{
	char *p = path, *slash;
	int fd = dup(root);

	if (fd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
			next = -errno;
		else if ((next = openat(fd, p, O_RDONLY | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC)) < 0)
			next = -errno;
		*slash = '/';
		close(fd);
		if (next < 0)
			return next;
		fd = next;
		p = slash + 1;
	}
	*last = p;
	return fd;
}

static int write_file(struct reader *rd, char *path, long long size)
{
	char buf[64 * BLOCK];
	const char *last;
	int dfd = open_parent(rd->dir_fd, path, &last), fd, err = 0;

	if (dfd < 0)
		return refuse(rd, dfd, "cannot create the directory of", path);
	fd = openat(dfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	close(dfd);
	if (fd < 0)
		return refuse(rd, errno == EEXIST ? -EPERM : -errno,
			      errno == EEXIST ? "duplicate name" :
			      "cannot create", path);
	for (long long done = 0; !err && done < size;) {
		size_t want = size - done < (long long)sizeof(buf) ?
			      (size_t)(size - done) : sizeof(buf);
		size_t padded = (want + BLOCK - 1) / BLOCK * BLOCK;

		err = read_full(rd->fd, buf, padded);
		if (!err && write(fd, buf, want) != (ssize_t)want)
			err = errno ? -errno : -EIO;
		done += (long long)want;
	}
	close(fd);
	rd->r->files++;
	return err;
}

static int make_dir(struct reader *rd, char *path)
{
	const char *last;
	struct stat st;
	int dfd = open_parent(rd->dir_fd, path, &last), err = 0;

	if (dfd < 0)
		return refuse(rd, dfd, "cannot create the directory of", path);
	if (mkdirat(dfd, last, 0755) < 0 &&
	    (errno != EEXIST ||
	     fstatat(dfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	     !S_ISDIR(st.st_mode)))
		err = refuse(rd, -EPERM, "cannot create directory", path);
	close(dfd);
	rd->r->dirs++;
	return err;
}

/* Whether TARGET, read from the directory of PATH, stays in the tree. */
static bool link_inside(const char *path, const char *target)
{
	int depth = 0;

	if (!*target || target[0] == '/')
		return false;
	for (const char *p = path; (p = strchr(p, '/')); p++)
		depth++;
	for (const char *p = target; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2))
			depth--;
		else if (len && !(len == 1 && *p == '.'))
			depth++;
		if (depth < 0)
			return false;
		p += len + strspn(p + len, "/");
	}
	return true;
}

static int make_links(struct reader *rd)
{
	int err = 0;

	for (size_t i = 0; !err && i < rd->nlinks; i++) {
		struct pending_link *l = &rd->links[i];
		const char *last;
		int dfd = open_parent(rd->dir_fd, l->path, &last);

		if (dfd < 0)
			return refuse(rd, dfd, "cannot create the directory of",
				      l->path);
		if (symlinkat(l->target, dfd, last) < 0)
			err = refuse(rd, errno == EEXIST ? -EPERM : -errno,
				     "cannot create link", l->path);
		close(dfd);
		rd->r->links += !err;
	}
	return err;
}

static void free_links(struct reader *rd)
{
	for (size_t i = 0; i < rd->nlinks; i++) {
		free(rd->links[i].path);
		free(rd->links[i].target);
	}
	free(rd->links);
}

static int member(struct reader *rd, const unsigned char *h, long long size)
{
	char raw[MAX_NAME], path[MAX_NAME], target[MAX_NAME];
	char type = (char)h[156];
	int err;

	if (rd->long_name[0])
		snprintf(raw, sizeof(raw), "%s", rd->long_name);
	else if (!memcmp(h + 257, "ustar\0", 6) && h[345])
		snprintf(raw, sizeof(raw), "%.155s/%.100s", h + 345, h);
	else
		snprintf(raw, sizeof(raw), "%.100s", h);
	if (rd->long_link[0])
		snprintf(target, sizeof(target), "%s", rd->long_link);
	else
		snprintf(target, sizeof(target), "%.100s", h + 157);
	rd->long_name[0] = rd->long_link[0] = '\0';
	err = clean_name(rd, raw, path);
	if (err)
		return err;
	if (type == '5')
		return path[0] ? make_dir(rd, path) : 0;
	if (!path[0])
		return refuse(rd, -EPERM, "a member without a name", raw);
	if (type == '0' || type == '\0')
		return write_file(rd, path, size);
	if (type != '2')
		return refuse(rd, -EPERM, type == '1' ? "hard link" :
			      "not a file, directory or link", path);
	if (!link_inside(path, target))
		return refuse(rd, -EPERM, "link leading out of the tree", path);
	rd->links = realloc(rd->links, (rd->nlinks + 1) * sizeof(*rd->links));
	if (!rd->links)
		die(EXIT_RUNTIME, "out of memory");
	rd->links[rd->nlinks].path = xstrdup(path);
	rd->links[rd->nlinks++].target = xstrdup(target);
	return 0;
}

int tar_extract(int in_fd, int dir_fd, struct tar_result *r)
{
	struct reader rd = { .fd = in_fd, .dir_fd = dir_fd, .r = r };
	unsigned char h[BLOCK];
	size_t members = 0;
	int err = 0;

	memset(r, 0, sizeof(*r));
	while (!err && !(err = read_full(in_fd, h, BLOCK))) {
		static const unsigned char zero[BLOCK];
		long long size = octal(h + 124, 12);
		char type = (char)h[156];

		if (!memcmp(h, zero, BLOCK))
			break;	/* the end; what follows is padding */
		if (!checksum_ok(h) || size < 0)
			err = refuse(&rd, -EBADMSG, "not a tar header", NULL);
		else if (++members > MAX_MEMBERS ||
			 (unsigned long long)size > MAX_BYTES - rd.bytes)
			err = refuse(&rd, -EPERM, "archive too large", NULL);
		else if ((type == 'L' || type == 'K') && size >= MAX_NAME)
			err = refuse(&rd, -EPERM, "name too long", NULL);
		else if ((type == 'x' || type == 'g') && size > MAX_PAX)
			err = refuse(&rd, -EPERM, "pax header too long", NULL);
		else if (type == 'L' || type == 'K')
			err = read_data(&rd, size, type == 'L' ? rd.long_name :
					rd.long_link, MAX_NAME);
		else if (type == 'x' || type == 'g') {
			char *rec = xcalloc((size_t)size + 1, 1);

			err = read_data(&rd, size, rec, (size_t)size + 1);
			if (!err && type == 'x')
				pax_names(&rd, rec, (size_t)size);
			free(rec);
		} else {
			err = member(&rd, h, size);
			rd.bytes += (size_t)size;
		}
	}
	if (err == -EBADMSG && !r->why[0])
		refuse(&rd, err, "the archive ends in the middle", NULL);
	if (!err)
		err = make_links(&rd);
	free_links(&rd);
	return err;
}
