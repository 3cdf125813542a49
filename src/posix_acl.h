/* Whether an inode's POSIX ACLs let anyone but root write to it. */
#ifndef TCPLIFE_POSIX_ACL_H
#define TCPLIFE_POSIX_ACL_H

#include <stdbool.h>

/*
 * Whether PATH (not followed if a link) has an access ACL, or for a
 * directory (DIR) a default ACL, whose entries let anyone but root write:
 * a named user other than uid 0, the owning group, a named group (gid 0
 * included: with an ACL, the group write bit ls shows is only the mask)
 * or others, within the ACL's mask.  Returns 1 with *WHAT saying which
 * ("has an ACL entry that lets ... write"), 0 when none does or there is
 * no ACL, or -errno when the ACL cannot be read or does not parse.
 */
int posix_acl_lets_others_write(const char *path, bool dir, const char **what);

#endif
