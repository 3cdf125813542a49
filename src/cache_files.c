/*
 * The cache directory's files: entries only we can have written, read and
 * written whole, and the hashing that names them.  Shared by the program
 * cache and the per-boot offsets cache.
 *
 * An entry is loaded into the kernel by root, so it must be as trustworthy
 * as the compiler's own output: the directory must be a real directory
 * owned by us and closed to everyone else, entries are opened without
 * following links and must be regular files owned by us with no group or
 * other access.
 */
#define _GNU_SOURCE
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_files.h"

static void remove_temps(int dfd);

void cache_hash_string(struct sha256 *ctx, const char *label, const char *s)
{
	/* Length-prefixed, so no two different inputs hash the same way. */
	size_t len = s ? strlen(s) : (size_t)-1;

	sha256_update(ctx, label, strlen(label) + 1);
	sha256_update(ctx, &len, sizeof(len));
	if (s)
		sha256_update(ctx, s, len);
}

/* Open DIR, insisting it is ours alone; returns an fd or -errno. */
static int open_private_dir(const char *dir, int create)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/*
 * Reads entry NAME of private DIR into a malloc'd buffer, insisting on a
 * regular file owned by us, closed to others, of MIN..MAX bytes.
 */
int cache_read_entry(const char *dir, const char *name, size_t min,
		     size_t max, char **buf, size_t *len)
{
	struct stat st;
	int dfd, fd, err = 0;

	dfd = open_private_dir(dir, 0);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK: a FIFO planted here must not hang the lookup. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_size < (off_t)min || st.st_size > (off_t)max) {
		err = -EPERM;
		goto out;
	}
	*buf = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	*len = (size_t)st.st_size;
	if (pread(fd, *buf, *len, 0) != (ssize_t)*len) {
		free(*buf);
		*buf = NULL;
		err = -EIO;
	}
out:
	close(fd);
	return err;
}

#define TMP_PREFIX ".tmp."
/* A writer takes milliseconds; older temporary files are leftovers. */
#define TMP_MAX_AGE_S 60

void cache_remove_stale_temps(const char *dir)
{
	int dfd = open_private_dir(dir, 0);

	if (dfd < 0)
		return;
	remove_temps(dfd);
	close(dfd);
}

/*
 * Removes temporary files that a killed writer left behind: those of a
 * process that no longer exists, and any older than TMP_MAX_AGE_S (its
 * PID may have been reused).
 */
static void remove_temps(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *end;
		long pid;

		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			continue;
		pid = strtol(de->d_name + strlen(TMP_PREFIX), &end, 10);
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (*end || pid <= 0 || pid > INT_MAX ||
		    (kill((pid_t)pid, 0) < 0 && errno == ESRCH) ||
		    now - st.st_mtime > TMP_MAX_AGE_S)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* Writes entry NAME of private DIR aside and renames it into place. */
int cache_write_entry(const char *dir, const char *name, const void *buf,
		      size_t len)
{
	char tmp[64];
	int dfd, fd, err = 0;

	dfd = open_private_dir(dir, 1);
	if (dfd < 0)
		return dfd;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%d", (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0)
		err = errno ? -errno : -EIO;
	close(fd);
	/* Readers never see half an entry: rename is atomic. */
	if (!err && renameat(dfd, tmp, dfd, name) < 0)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return err;
}
