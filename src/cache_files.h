/* The cache directory's files, private to us, and the hashing that names them. */
#ifndef TCPLIFE_CACHE_FILES_H
#define TCPLIFE_CACHE_FILES_H

#include <stddef.h>

#include "sha256.h"

/* Hashes LABEL and S (NULL allowed) so no two inputs hash alike. */
void cache_hash_string(struct sha256 *ctx, const char *label, const char *s);

/*
 * Reads entry NAME of the private directory DIR into a malloc'd buffer,
 * insisting on a regular file owned by us, closed to others, of MIN..MAX
 * bytes.  Returns 0 or -errno (-EPERM when it is not trustworthy).
 */
int cache_read_entry(const char *dir, const char *name, size_t min,
		     size_t max, char **buf, size_t *len);

/*
 * Removes the temporary files that a killed writer left in DIR: those of
 * a process that no longer exists, and any a minute old.
 */
void cache_remove_stale_temps(const char *dir);

/*
 * Writes entry NAME of DIR (created 0700 if need be) aside and renames it
 * into place, so readers never see half of it.  Returns 0 or -errno.
 */
int cache_write_entry(const char *dir, const char *name, const void *buf,
		      size_t len);

#endif
