/* What an extracted header tree looked like, to see any change made to it later. */
#ifndef TCPLIFE_TREE_MANIFEST_H
#define TCPLIFE_TREE_MANIFEST_H

#include <stddef.h>

/*
 * Walks the tree under DIR_FD without following links and describes every
 * entry on a line: type, mode, owner, size, inode, modification and change
 * times, link target, name; sorted, so the same tree always gives the same
 * text.  A write, chmod, chown, rename or new file changes the text (the
 * change time cannot be set back).  *TEXT is malloc()ed.  Returns 0 or
 * -errno (-EINVAL for a name holding a newline).
 */
int tree_manifest_build(int dir_fd, char **text, size_t *len);

/*
 * 0 when A and B are the same; else -ESTALE with the name on the first
 * line that differs in WHERE.
 */
int tree_manifest_compare(const char *a, size_t alen, const char *b,
			  size_t blen, char *where, size_t size);

/*
 * Saves TEXT as file NAME (0600, created, never replaced) of DIR_FD,
 * followed by its SHA-256; loads it back, insisting on a regular file of
 * root's closed to others, whose SHA-256 matches.  Return 0 or -errno
 * (-EPERM for a file that is not so, -EBADMSG for a wrong hash).
 */
int tree_manifest_save(int dir_fd, const char *name, const char *text,
		       size_t len);
int tree_manifest_load(int dir_fd, const char *name, char **text,
		       size_t *len);

#endif
