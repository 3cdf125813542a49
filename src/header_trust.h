/* Whether kernel headers can only have been changed by root. */
#ifndef TCPLIFE_HEADER_TRUST_H
#define TCPLIFE_HEADER_TRUST_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The first thing found that someone other than root could change. */
struct header_trust_problem {
	char path[PATH_MAX];
	const char *what;	/* "is not owned by root", ... */
	uid_t uid;
};

/*
 * Whether the inode at PATH, whose lstat() is ST, can only be changed by
 * root: owned by root, writable by no group but root's nor by everyone,
 * and with no POSIX ACL entry letting anyone else write (a directory's
 * default ACL included).  PARENT says that PATH is a directory on the way
 * to something, where a sticky root-owned one (/tmp) is fine.  Returns 0,
 * or -EPERM with *WHY filled in, or another -errno.
 */
int header_inode_trusted(const char *path, const struct stat *st,
			 bool parent, struct header_trust_problem *why);

/*
 * Whether PATH (absolute) and every directory, link and link target on
 * the way to it are owned by root and not writable by anyone else (a
 * group other than root's, or everyone).  Returns 0; -EPERM with *WHY
 * filled in; -ELOOP for too many links; or another -errno.
 */
int header_path_trusted(const char *path, struct header_trust_problem *why);

/*
 * Reports ERR from header_path_trusted or manifest_trusted: an error, or
 * only a warning when ALLOWED (--allow-untrusted-headers).  Returns 0
 * when the headers may be used, else ERR.
 */
int header_trust_verdict(int err, const struct header_trust_problem *why,
			 bool allowed);

#endif
