/* Every directory of the kernel headers' include path, judged. */
#ifndef TCPLIFE_HEADER_TREE_H
#define TCPLIFE_HEADER_TREE_H

#include "header_trust.h"
#include "kheaders.h"

/*
 * Judges, before anything is compiled, every directory and link (and any
 * other non-regular file) under the include directories of KH (include/
 * and arch/ARCH/include/ of the source and build trees), following links
 * (each judged on its whole way by header_path_trusted) into what they
 * point at.  Once this holds, no one but root can rename, replace or add
 * anything clang may read, so the check of the files it did read, made
 * afterwards, cannot be raced.  Returns 0, -EPERM with *WHY filled in,
 * -ELOOP for a tree too deep, -E2BIG for one of too many directories, or
 * another -errno.
 */
int header_tree_trusted(const struct kheaders *kh,
			struct header_trust_problem *why);

#endif
