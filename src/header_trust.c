/*
 * Whether kernel headers can only have been changed by root.  They steer
 * what root loads into the kernel (include/linux/kconfig.h is included
 * into every program), so a tree that another user could write is a way
 * into the kernel for that user.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header_trust.h"
#include "posix_acl.h"
#include "util.h"

/* Links followed in one path, as the kernel's own limit. */
#define MAX_LINKS 40

/*
 * A root-owned sticky directory (/tmp) that others can write is fine on
 * the way to something else: none but root can rename or remove what root
 * owns in it, and the next component must be root's.  As the last
 * component it is not, since anyone could add a header to it.
 */
static bool sticky_parent(const struct stat *st, bool parent)
{
	return parent && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) &&
	       st->st_uid == 0;
}

int header_inode_trusted(const char *path, const struct stat *st,
			 bool parent, struct header_trust_problem *why)
{
	const char *what = NULL;

	if (st->st_uid != 0)
		what = "is not owned by root";
	else if (sticky_parent(st, parent) || S_ISLNK(st->st_mode))
		what = NULL;
	else if ((st->st_mode & S_IWGRP) && st->st_gid != 0)
		what = "is writable by its group";
	else if (st->st_mode & S_IWOTH)
		what = "is writable by everyone";
	else {
		/*
		 * With an ACL the group bits are only its mask, so gid 0's
		 * exemption above says nothing: the entries decide.
		 */
		int acl = posix_acl_lets_others_write(path,
						      S_ISDIR(st->st_mode),
						      &what);

		if (acl < 0)
			what = "has an ACL that cannot be read";
		else if (!acl)
			what = NULL;
	}
	if (!what)
		return 0;
	snprintf(why->path, sizeof(why->path), "%s", path);
	why->what = what;
	why->uid = st->st_uid;
	return -EPERM;
}

/*
 * Walks PATH one component at a time from "/", judging each directory,
 * link and the file itself.  A link restarts the walk from "/" at its
 * target with the rest of the path appended, so every link target on the
 * way is judged too; at most MAX_LINKS links, then -ELOOP.
 */
int header_path_trusted(const char *path, struct header_trust_problem *why)
{
	char todo[PATH_MAX], done[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	int links = 0;

	if (path[0] != '/')
		return -EINVAL;
	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	if (lstat("/", &st) < 0)
		return -errno;
	if (header_inode_trusted("/", &st, path[strspn(path, "/")] != '\0',
				 why) < 0)
		return -EPERM;
	done[0] = '\0';
	for (char *p = todo;;) {
		char *slash, *last, target[PATH_MAX];
		size_t len, dlen = strlen(done);
		bool looked = false;
		ssize_t n;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			last = strrchr(done, '/');
			if (last)
				*last = '\0';
		} else if (!(len == 1 && p[0] == '.')) {
			if (dlen + 1 + len >= sizeof(done))
				return -ENAMETOOLONG;
			done[dlen] = '/';
			memcpy(done + dlen + 1, p, len);
			done[dlen + 1 + len] = '\0';
			if (lstat(done, &st) < 0)
				return -errno;
			if (header_inode_trusted(done, &st,
						 p[len + strspn(p + len, "/")]
						 != '\0', why) < 0)
				return -EPERM;
			looked = true;
		}
		p += len;
		if (!looked || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(done, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (++links > MAX_LINKS)
			return -ELOOP;
		/* A relative target starts from the link's directory. */
		done[dlen] = '\0';
		if (snprintf(tmp, sizeof(tmp), "%s/%s%s",
			     target[0] == '/' ? "" : done, target, p) >=
		    (int)sizeof(tmp))
			return -ENAMETOOLONG;
		strcpy(todo, tmp);
		done[0] = '\0';
		p = todo;
	}
}

int header_trust_verdict(int err, const struct header_trust_problem *why,
			 bool allowed)
{
	char what[PATH_MAX + 96];

	if (!err)
		return 0;
	if (err == -EPERM && why->uid)
		snprintf(what, sizeof(what), "%s %s (uid %u)", why->path,
			 why->what, (unsigned int)why->uid);
	else if (err == -EPERM)
		snprintf(what, sizeof(what), "%s %s", why->path, why->what);
	else
		snprintf(what, sizeof(what), "their path cannot be checked: "
			 "%s", strerror(-err));
	if (allowed) {
		warning_msg("using kernel headers that someone other than "
			    "root may have changed (--allow-untrusted-headers)"
			    ": %s", what);
		return 0;
	}
	error_msg("refusing the kernel headers: %s, so someone other than "
		  "root could change what is loaded into the kernel; make "
		  "them root's, or pass --allow-untrusted-headers", what);
	return err == -EPERM ? -EPERM : err;
}
