/* The cache of compiled programs that makes warm starts cheap. */
#ifndef TCPLIFE_PROG_CACHE_H
#define TCPLIFE_PROG_CACHE_H

#include <stdint.h>

#include <stdbool.h>

#include "bpf_image.h"
#include "header_manifest.h"
#include "sha256.h"

#define DEFAULT_CACHE_DIR "/var/cache/tcplife-bcc"

struct prog_cache_key {
	uint8_t digest[SHA256_DIGEST_SIZE];
};

struct prog_cache_input {
	const char *text;		/* the BPF program */
	const char *const *cflags;
	int ncflags;
	const char *headers_source;	/* kernel headers in use */
	const char *headers_build;
	const char *headers_release;
	const char *tracepoint_format;	/* path of the format file, or NULL */
	const char *const *environment;	/* the compiler's, NULL-terminated */
};

/*
 * Hashes everything that can change the compiled bytes: the text and
 * cflags (filters, offsets, attach method), the kernel release and build,
 * the tracepoint's format file, the headers' identity, and libbcc's
 * version and file.
 */
void prog_cache_key(const struct prog_cache_input *in,
		    struct prog_cache_key *key);

/*
 * Reads the image for KEY from DIR, provided every header its compile
 * read (the stored manifest) still has the identity it had then and,
 * unless ANY_HEADERS, can only have been changed by root.  Returns 0,
 * -ENOENT when there is none, -ESTALE when a header changed, or another
 * -errno when the entry or directory is not trustworthy (wrong owner or
 * mode, a symlink, a bad hash): the caller then recompiles.
 */
int prog_cache_lookup(const char *dir, const struct prog_cache_key *key,
		      bool any_headers, struct bpf_image *img);

/*
 * Stores IMG under KEY with the manifest M of the headers its compile
 * read, creating DIR (0700) if needed.  Returns -errno.
 */
int prog_cache_store(const char *dir, const struct prog_cache_key *key,
		     const struct header_manifest *m,
		     const struct bpf_image *img);

#endif
