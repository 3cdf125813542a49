/* Hashing and unpacking the kernel's header archive (xz-compressed tar). */
#ifndef TCPLIFE_KHEADERS_UNPACK_H
#define TCPLIFE_KHEADERS_UNPACK_H

#include <stddef.h>

/* The SHA-256 of the file ARCHIVE, in hex.  Returns 0 or -errno. */
int kheaders_archive_sha256(const char *archive, char hex[65]);

/*
 * Decompresses ARCHIVE with xz, run by absolute path as an unprivileged
 * child (exec_helper.c), and unpacks the tar stream into DIR_FD
 * (tar_extract.c).  Returns 0, or -errno with WHY (SIZE bytes) saying what
 * failed.
 */
int kheaders_unpack(const char *archive, int dir_fd, char *why, size_t size);

#endif
