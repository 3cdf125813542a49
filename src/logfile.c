/*
 * The --output file: reached without following any symbolic link,
 * appended to, created with mode 0640, and accepted only when nobody but
 * root and the account the tool runs as can have written it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfile.h"

/*
 * An fd on PATH's directory, reached from / (or the working directory)
 * one component at a time with O_PATH|O_NOFOLLOW: a link anywhere on the
 * way is refused (-ELOOP), not followed.  *NAME is then the last component.
 */
static int walk_to_parent(const char *path, char *buf, size_t size,
			  const char **name)
{
	char *comp, *slash;
	int dirfd, next;

	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	comp = buf;
	dirfd = open(*comp == '/' ? "/" : ".",
		     O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	while ((slash = strchr(comp, '/'))) {
		struct stat st;

		*slash = '\0';
		if (*comp) {
			next = openat(dirfd, comp, O_PATH | O_NOFOLLOW |
				      O_CLOEXEC);
			close(dirfd);
			if (next < 0)
				return -errno;
			if (fstat(next, &st) < 0) {
				int err = -errno;

				close(next);
				return err;
			}
			if (!S_ISDIR(st.st_mode)) {
				close(next);
				return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
			}
			dirfd = next;
		}
		comp = slash + 1;
	}
	if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..")) {
		close(dirfd);
		return -EISDIR;
	}
	*name = comp;
	return dirfd;
}

/* Whoever owns a directory, or may write in it, can replace its files. */
static bool others_may_write(const struct stat *st, uid_t owner)
{
	if (st->st_uid != 0 && st->st_uid != owner)
		return true;
	return (st->st_mode & S_IWOTH) ||
	       ((st->st_mode & S_IWGRP) && st->st_gid != 0);
}

static void dir_refusal(const struct stat *dir, char *why, size_t size)
{
	snprintf(why, size, "its directory can be written by others "
		 "(owner uid %u, mode %04o)", (unsigned)dir->st_uid,
		 (unsigned)(dir->st_mode & 07777));
}

/*
 * What the file must be once open.  A device only root can make (mknod
 * needs CAP_MKNOD): /dev/null or /dev/full are fine whatever their mode.
 * A directory others may write is sticky by now, so the file must be
 * OWNER's: nobody else can then rename or remove it.
 */
static int check_file(const struct stat *st, const struct stat *dir,
		      uid_t owner, char *why, size_t size)
{
	if (S_ISCHR(st->st_mode) && st->st_uid == 0)
		return 0;
	if (!S_ISREG(st->st_mode))
		snprintf(why, size, "not a regular file");
	else if (st->st_nlink != 1)
		snprintf(why, size, "it has %lu links, expected 1",
			 (unsigned long)st->st_nlink);
	else if (st->st_uid != 0 && st->st_uid != owner)
		snprintf(why, size, "owned by uid %u, not by root or uid %u",
			 (unsigned)st->st_uid, (unsigned)owner);
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		snprintf(why, size, "writable by others (mode %04o)",
			 (unsigned)(st->st_mode & 07777));
	else if (others_may_write(dir, owner) && st->st_uid != owner)
		dir_refusal(dir, why, size);
	else
		return 0;
	return -EPERM;
}

/* O_EXCL first, so that only a file made here is given mode 0640. */
static int open_in(int dirfd, const char *name, bool *created)
{
	int fd;

	/* Twice at most: the file may vanish between the two opens. */
	for (int tries = 0; tries < 2; tries++) {
		fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT |
			    O_EXCL | O_CLOEXEC | O_NOCTTY, 0640);
		if (fd >= 0) {
			*created = true;
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
		/* A FIFO without a reader must not hang the start (ENXIO). */
		fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC |
			    O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
		if (fd >= 0) {
			*created = false;
			return fd;
		}
		if (errno != ENOENT)
			return -errno;
	}
	return -ENOENT;
}

int logfile_open(const char *path, uid_t owner, bool *empty, char *why,
		 size_t size)
{
	char buf[PATH_MAX];
	const char *name = NULL;
	struct stat st, dir;
	bool created = false;
	int dirfd, fd, err;

	why[0] = '\0';
	dirfd = walk_to_parent(path, buf, sizeof(buf), &name);
	if (dirfd < 0)
		return dirfd;
	/* Refused before anything is created in it. */
	if (fstat(dirfd, &dir) < 0) {
		err = -errno;
		close(dirfd);
		return err;
	}
	if (others_may_write(&dir, owner) && !(dir.st_mode & S_ISVTX)) {
		close(dirfd);
		dir_refusal(&dir, why, size);
		return -EPERM;
	}
	fd = open_in(dirfd, name, &created);
	/*
	 * Refused by the file's mode: if it is not ours to write anyway,
	 * say why rather than "Permission denied".
	 */
	if (fd == -EACCES &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (err = check_file(&st, &dir, owner, why, size)) < 0)
		fd = err;
	close(dirfd);
	if (fd < 0)
		return fd;
	err = fstat(fd, &st) < 0 ? -errno : 0;
	if (!err)
		err = check_file(&st, &dir, owner, why, size);
	/* 0640 whatever the umask: the group may read it. */
	if (!err && created && fchmod(fd, 0640) < 0)
		err = -errno;
	if (!err && fcntl(fd, F_SETFL, O_APPEND) < 0)
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	/* A device starts empty every time, as stdout does. */
	*empty = !S_ISREG(st.st_mode) || st.st_size == 0;
	return fd;
}
