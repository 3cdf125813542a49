/*
 * What an extracted header tree looked like, to see any change made to it
 * later.  Only root can write the tree, so this guards against mistakes
 * and other root tools rather than users: an edited, added, removed or
 * replaced header would otherwise be compiled into programs silently.
 * Identities (inode, times) rather than content hashes: checking them on
 * every start costs a stat per file, not a read of 50 MiB.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "tree_manifest.h"
#include "util.h"

#define MAX_DEPTH 64
#define MAX_MANIFEST (64u << 20)

struct text {
	char *buf;
	size_t len, size;
};

static void append(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->size) {
		t->size = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->size);
		if (!t->buf)
			die(EXIT_RUNTIME, "out of memory");
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in DIR_FD but "." and "..", sorted; *N of them. */
static int list_dir(int dir_fd, char ***names, size_t *n)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		*names = realloc(*names, (*n + 1) * sizeof(**names));
		if (!*names)
			die(EXIT_RUNTIME, "out of memory");
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(*names, *n, sizeof(**names), by_name);
	return 0;
}

static int describe(int dir_fd, const char *name, const char *path,
		    struct text *t, struct stat *st)
{
	char line[512], target[4096] = "";

	if (strchr(path, '\n'))
		return -EINVAL;
	if (fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(dir_fd, name, target,
				       sizeof(target) - 1);

		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (strchr(target, '\n'))
			return -EINVAL;
	}
	snprintf(line, sizeof(line), "%o %u:%u %" PRId64 " %" PRIu64 " %"
		 PRId64 ".%09ld %" PRId64 ".%09ld ", (unsigned int)st->st_mode,
		 (unsigned int)st->st_uid, (unsigned int)st->st_gid,
		 (int64_t)st->st_size, (uint64_t)st->st_ino,
		 (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (int64_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
	append(t, line, strlen(line));
	append(t, target, strlen(target));
	append(t, " ", 1);
	append(t, path, strlen(path));
	append(t, "\n", 1);
	return 0;
}

static int walk(int dir_fd, const char *prefix, int depth, struct text *t)
{
	char **names;
	size_t n;
	int err = depth > MAX_DEPTH ? -ELOOP : list_dir(dir_fd, &names, &n);

	for (size_t i = 0; !err && i < n; i++) {
		char *path = *prefix ? xasprintf("%s/%s", prefix, names[i]) :
				       xstrdup(names[i]);
		struct stat st;
		int sub;

		err = describe(dir_fd, names[i], path, t, &st);
		if (!err && S_ISDIR(st.st_mode)) {
			sub = openat(dir_fd, names[i], O_RDONLY | O_DIRECTORY |
				     O_NOFOLLOW | O_CLOEXEC);
			err = sub < 0 ? -errno : walk(sub, path, depth + 1, t);
			if (sub >= 0)
				close(sub);
		}
		free(path);
	}
	for (size_t i = 0; i < n && depth <= MAX_DEPTH; i++)
		free(names[i]);
	if (depth <= MAX_DEPTH)
		free(names);
	return err;
}

int tree_manifest_build(int dir_fd, char **text, size_t *len)
{
	struct text t = { NULL, 0, 0 };
	struct stat st;
	int err;

	append(&t, "", 0);
	/* The top too: its mode and owner guard everything below. */
	err = describe(dir_fd, ".", ".", &t, &st);
	if (!err)
		err = walk(dir_fd, "", 0, &t);
	if (err) {
		free(t.buf);
		return err;
	}
	*text = t.buf;
	*len = t.len;
	return 0;
}

int tree_manifest_compare(const char *a, size_t alen, const char *b,
			  size_t blen, char *where, size_t size)
{
	size_t i = 0, start = 0;
	const char *line, *name, *end;

	if (alen == blen && !memcmp(a, b, alen))
		return 0;
	for (; i < alen && i < blen && a[i] == b[i]; i++)
		if (a[i] == '\n')
			start = i + 1;
	/* The name ends the line; from the shorter side past the end. */
	line = i < alen ? a + start : b + start;
	end = memchr(line, '\n', (size_t)((i < alen ? a + alen : b + blen) -
					  line));
	if (!end)
		end = line + strlen(line);
	name = line;
	for (const char *p = line; p < end; p++)
		if (*p == ' ')
			name = p + 1;
	snprintf(where, size, "%.*s", (int)(end - name), name);
	return -ESTALE;
}

int tree_manifest_save(int dir_fd, const char *name, const char *text,
		       size_t len)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL |
			O_NOFOLLOW | O_CLOEXEC, 0600), err = 0;

	if (fd < 0)
		return -errno;
	sha256(text, len, digest);
	if (write(fd, text, len) != (ssize_t)len ||
	    write(fd, digest, sizeof(digest)) != (ssize_t)sizeof(digest) ||
	    fsync(fd) < 0)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int tree_manifest_load(int dir_fd, const char *name, char **text,
		       size_t *len)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW |
			O_NONBLOCK | O_CLOEXEC), err = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) || st.st_size <= SHA256_DIGEST_SIZE ||
	    st.st_size > MAX_MANIFEST) {
		close(fd);
		return -EPERM;
	}
	*len = (size_t)st.st_size - SHA256_DIGEST_SIZE;
	*text = xcalloc((size_t)st.st_size, 1);
	if (pread(fd, *text, (size_t)st.st_size, 0) != st.st_size)
		err = -EIO;
	close(fd);
	if (!err) {
		sha256(*text, *len, digest);
		err = memcmp(digest, *text + *len, sizeof(digest)) ? -EBADMSG : 0;
	}
	if (err)
		free(*text);
	return err;
}
