/*
 * The headers a compile really read, with their identity: what a cached
 * program depends on, checked on every lookup (as ccache's direct mode).
 */
#ifndef TCPLIFE_HEADER_MANIFEST_H
#define TCPLIFE_HEADER_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "header_trust.h"

struct manifest_file {
	char *path;		/* absolute, as the compiler named it */
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct header_manifest {
	struct manifest_file *files;
	size_t n;
};

/*
 * Builds the manifest from a make-style dependency list (clang's -MD
 * output): every file but libbcc's in-memory /virtual/ ones, relative
 * names taken from BASE (the compiler's directory), each stat()ed.
 * Returns 0, or -EBADMSG for a list that does not parse, or -errno.
 */
int manifest_from_deps(const char *deps, size_t len, const char *base,
		       struct header_manifest *m);

/* 0 when every file still has its recorded identity, else -ESTALE. */
int manifest_unchanged(const struct header_manifest *m);

/*
 * 0 when only root can have changed any file (header_path_trusted), else
 * the first problem in *WHY and -EPERM (or another -errno).
 */
int manifest_trusted(const struct header_manifest *m,
		     struct header_trust_problem *why);

/* A text form, one file a line; -EINVAL for a path holding a newline. */
int manifest_serialize(const struct header_manifest *m, char **buf,
		       size_t *len);
int manifest_parse(const char *buf, size_t len, struct header_manifest *m);

void manifest_free(struct header_manifest *m);

#endif
