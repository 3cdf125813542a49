/* Unpacking a tar stream of header files, refusing anything but a plain tree. */
#ifndef TCPLIFE_TAR_EXTRACT_H
#define TCPLIFE_TAR_EXTRACT_H

#include <stddef.h>

struct tar_result {
	size_t files, dirs, links;
	char why[256];		/* what was refused, on -EPERM or -EBADMSG */
};

/*
 * Reads a tar stream (ustar, GNU long names, pax path records) from IN_FD
 * and recreates it under the directory DIR_FD, which should be empty:
 * directories (0755) and regular files (0644) only, owned by the caller,
 * and symbolic links whose targets stay inside the tree, made once every
 * file is written so that nothing is ever written through one.  Absolute
 * names, ".." components, hard links, devices, FIFOs, duplicate names and
 * archives past a few hundred MiB are refused.  Returns 0, -EPERM for a
 * refused member, -EBADMSG for a malformed stream (R->why says which), or
 * another -errno.
 */
int tar_extract(int in_fd, int dir_fd, struct tar_result *r);

#endif
