/*
 * The cache of compiled programs that makes warm starts cheap.
 *
 * An entry is loaded into the kernel by root, so it must be as trustworthy
 * as the compiler's own output: the directory must be a real directory
 * owned by us and closed to everyone else, entries are opened without
 * following links and must be regular files owned by us with no group or
 * other access, and every entry carries a SHA-256 of its content.  On any
 * doubt the entry is ignored and the program recompiled; the verifier
 * still checks every load.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>


#include "header_manifest.h"
#include "libbcc_version.h"
#include "cache_files.h"
#include "prog_cache.h"
#include "util.h"

#define MAX_ENTRY_SIZE (4u << 20)
#define KEY_FORMAT "tcplife-bcc cache key 2"
#define POSSIBLE_CPUS_FILE "/sys/devices/system/cpu/possible"

static void hash_file(struct sha256 *ctx, const char *label, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	cache_hash_string(ctx, label, path);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(ctx, buf, (size_t)n);
	close(fd);
}

/* Identity without reading a large file: where it is, size and mtime. */
static void hash_stat(struct sha256 *ctx, const char *label, const char *path)
{
	struct stat st;
	char real[PATH_MAX];

	cache_hash_string(ctx, label, path && realpath(path, real) ? real : path);
	if (path && stat(path, &st) == 0) {
		sha256_update(ctx, &st.st_size, sizeof(st.st_size));
		sha256_update(ctx, &st.st_mtim, sizeof(st.st_mtim));
		sha256_update(ctx, &st.st_ino, sizeof(st.st_ino));
	}
}

void prog_cache_key(const struct prog_cache_input *in,
		    struct prog_cache_key *key)
{
	struct sha256 ctx;
	struct utsname un;
	char path[PATH_MAX];

	sha256_init(&ctx);
	cache_hash_string(&ctx, "format", KEY_FORMAT);
	cache_hash_string(&ctx, "text", in->text);
	for (int i = 0; i < in->ncflags; i++)
		cache_hash_string(&ctx, "cflag", in->cflags[i]);
	if (uname(&un) == 0) {
		cache_hash_string(&ctx, "release", un.release);
		cache_hash_string(&ctx, "build", un.version);
		cache_hash_string(&ctx, "machine", un.machine);
	}
	hash_file(&ctx, "tracepoint format", in->tracepoint_format);
	cache_hash_string(&ctx, "headers source", in->headers_source);
	cache_hash_string(&ctx, "headers build", in->headers_build);
	cache_hash_string(&ctx, "headers release", in->headers_release);
	if (in->headers_build &&
	    path_join(path, sizeof(path), in->headers_build,
		      "include/generated/autoconf.h") == 0)
		hash_stat(&ctx, "autoconf.h", path);
	for (const char *const *e = in->environment; e && *e; e++)
		cache_hash_string(&ctx, "environment", *e);
	/* BPF_PERF_OUTPUT's map has one entry per possible CPU. */
	hash_file(&ctx, "possible cpus", POSSIBLE_CPUS_FILE);
	cache_hash_string(&ctx, "libbcc version", LIBBCC_VERSION);
	if (path_join(path, sizeof(path), LIBBCC_LIBDIR, LIBBCC_SONAME) == 0)
		hash_stat(&ctx, "libbcc file", path);
	sha256_final(&ctx, key->digest);
}

static void entry_name(const struct prog_cache_key *key, char *name,
		       size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < SHA256_DIGEST_SIZE && o + 3 < size; i++) {
		name[o++] = hex[key->digest[i] >> 4];
		name[o++] = hex[key->digest[i] & 0xf];
	}
	snprintf(name + o, size - o, ".img");
}

/*
 * A compile is stored as two entries: KEY.deps, the manifest of the
 * headers it read, followed by its SHA-256; and the image, named by a
 * SHA-256 of KEY and that manifest, so an image is only ever found
 * through the manifest it was compiled with.
 */
static void image_key(const struct prog_cache_key *key, const char *deps,
		      size_t len, struct prog_cache_key *out)
{
	struct sha256 ctx;

	sha256_init(&ctx);
	cache_hash_string(&ctx, "format", KEY_FORMAT);
	sha256_update(&ctx, key->digest, sizeof(key->digest));
	sha256_update(&ctx, &len, sizeof(len));
	sha256_update(&ctx, deps, len);
	sha256_final(&ctx, out->digest);
}

static void deps_name(const struct prog_cache_key *key, char *name,
		      size_t size)
{
	entry_name(key, name, size);
	snprintf(name + 2 * SHA256_DIGEST_SIZE, size - 2 * SHA256_DIGEST_SIZE,
		 ".deps");
}

int prog_cache_lookup(const char *dir, const struct prog_cache_key *key,
		      bool any_headers, struct bpf_image *img)
{
	char name[2 * SHA256_DIGEST_SIZE + 8], *buf = NULL;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct header_trust_problem why;
	struct header_manifest m;
	struct prog_cache_key ikey;
	size_t len;
	int err;

	cache_remove_stale_temps(dir);
	deps_name(key, name, sizeof(name));
	err = cache_read_entry(dir, name, SHA256_DIGEST_SIZE + 1,
			       MAX_ENTRY_SIZE, &buf, &len);
	if (err)
		return err;
	len -= SHA256_DIGEST_SIZE;
	sha256(buf, len, digest);
	err = memcmp(digest, buf + len, sizeof(digest)) ? -EBADMSG :
	      manifest_parse(buf, len, &m);
	if (!err) {
		/* Any header edited, replaced or no longer root's: recompile. */
		err = manifest_unchanged(&m);
		if (!err && !any_headers)
			err = manifest_trusted(&m, &why);
		manifest_free(&m);
	}
	if (!err)
		image_key(key, buf, len, &ikey);
	free(buf);
	if (err)
		return err;
	entry_name(&ikey, name, sizeof(name));
	err = cache_read_entry(dir, name, 1, MAX_ENTRY_SIZE, &buf, &len);
	if (err)
		return err;
	err = bpf_image_parse(buf, len, img);
	free(buf);
	return err;
}

int prog_cache_store(const char *dir, const struct prog_cache_key *key,
		     const struct header_manifest *m,
		     const struct bpf_image *img)
{
	char name[2 * SHA256_DIGEST_SIZE + 8], *deps = NULL, *entry;
	struct prog_cache_key ikey;
	size_t len, dlen;
	void *buf;
	int err;

	err = manifest_serialize(m, &deps, &dlen);
	if (err)
		return err;
	err = bpf_image_serialize(img, &buf, &len);
	if (err) {
		free(deps);
		return err;
	}
	image_key(key, deps, dlen, &ikey);
	entry_name(&ikey, name, sizeof(name));
	err = cache_write_entry(dir, name, buf, len);
	free(buf);
	/* The image first: a manifest never names a missing image for long. */
	if (!err) {
		entry = xcalloc(dlen + SHA256_DIGEST_SIZE, 1);
		memcpy(entry, deps, dlen);
		sha256(deps, dlen, (uint8_t *)entry + dlen);
		deps_name(key, name, sizeof(name));
		err = cache_write_entry(dir, name, entry,
					  dlen + SHA256_DIGEST_SIZE);
		free(entry);
	}
	free(deps);
	return err;
}
