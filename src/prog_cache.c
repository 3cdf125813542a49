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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>


#include "header_manifest.h"
#include "libbcc_version.h"
#include "prog_cache.h"
#include "util.h"

#define MAX_ENTRY_SIZE (4u << 20)
#define KEY_FORMAT "tcplife-bcc cache key 2"
#define POSSIBLE_CPUS_FILE "/sys/devices/system/cpu/possible"

static void hash_string(struct sha256 *ctx, const char *label, const char *s)
{
	/* Length-prefixed, so no two different inputs hash the same way. */
	size_t len = s ? strlen(s) : (size_t)-1;

	sha256_update(ctx, label, strlen(label) + 1);
	sha256_update(ctx, &len, sizeof(len));
	if (s)
		sha256_update(ctx, s, len);
}

static void hash_file(struct sha256 *ctx, const char *label, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	hash_string(ctx, label, path);
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

	hash_string(ctx, label, path && realpath(path, real) ? real : path);
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
	hash_string(&ctx, "format", KEY_FORMAT);
	hash_string(&ctx, "text", in->text);
	for (int i = 0; i < in->ncflags; i++)
		hash_string(&ctx, "cflag", in->cflags[i]);
	if (uname(&un) == 0) {
		hash_string(&ctx, "release", un.release);
		hash_string(&ctx, "build", un.version);
		hash_string(&ctx, "machine", un.machine);
	}
	hash_file(&ctx, "tracepoint format", in->tracepoint_format);
	hash_string(&ctx, "headers source", in->headers_source);
	hash_string(&ctx, "headers build", in->headers_build);
	hash_string(&ctx, "headers release", in->headers_release);
	if (in->headers_build &&
	    path_join(path, sizeof(path), in->headers_build,
		      "include/generated/autoconf.h") == 0)
		hash_stat(&ctx, "autoconf.h", path);
	for (const char *const *e = in->environment; e && *e; e++)
		hash_string(&ctx, "environment", *e);
	/* BPF_PERF_OUTPUT's map has one entry per possible CPU. */
	hash_file(&ctx, "possible cpus", POSSIBLE_CPUS_FILE);
	hash_string(&ctx, "libbcc version", LIBBCC_VERSION);
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

/* Open DIR, insisting it is ours alone; returns an fd or -errno. */
static int open_private_dir(const char *dir, int create)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/*
 * Reads entry NAME of private DIR into a malloc'd buffer, insisting on a
 * regular file owned by us, closed to others, of MIN..MAX bytes.
 */
static int read_private_entry(const char *dir, const char *name, size_t min,
			      size_t max, char **buf, size_t *len)
{
	struct stat st;
	int dfd, fd, err = 0;

	dfd = open_private_dir(dir, 0);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK: a FIFO planted here must not hang the lookup. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_size < (off_t)min || st.st_size > (off_t)max) {
		err = -EPERM;
		goto out;
	}
	*buf = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!*buf) {
		err = -ENOMEM;
		goto out;
	}
	*len = (size_t)st.st_size;
	if (pread(fd, *buf, *len, 0) != (ssize_t)*len) {
		free(*buf);
		*buf = NULL;
		err = -EIO;
	}
out:
	close(fd);
	return err;
}

#define TMP_PREFIX ".tmp."
/* A writer takes milliseconds; older temporary files are leftovers. */
#define TMP_MAX_AGE_S 60

/*
 * Removes temporary files that a killed writer left behind: those of a
 * process that no longer exists, and any older than TMP_MAX_AGE_S (its
 * PID may have been reused).
 */
static void remove_stale_temps(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t now = time(NULL);

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *end;
		long pid;

		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			continue;
		pid = strtol(de->d_name + strlen(TMP_PREFIX), &end, 10);
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (*end || pid <= 0 || pid > INT_MAX ||
		    (kill((pid_t)pid, 0) < 0 && errno == ESRCH) ||
		    now - st.st_mtime > TMP_MAX_AGE_S)
			unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* Writes entry NAME of private DIR aside and renames it into place. */
static int write_private_entry(const char *dir, const char *name,
			       const void *buf, size_t len)
{
	char tmp[64];
	int dfd, fd, err = 0;

	dfd = open_private_dir(dir, 1);
	if (dfd < 0)
		return dfd;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%d", (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) < 0)
		err = errno ? -errno : -EIO;
	close(fd);
	/* Readers never see half an entry: rename is atomic. */
	if (!err && renameat(dfd, tmp, dfd, name) < 0)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return err;
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
	hash_string(&ctx, "format", KEY_FORMAT);
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
	int err, dfd;

	dfd = open_private_dir(dir, 0);
	if (dfd >= 0) {
		remove_stale_temps(dfd);
		close(dfd);
	}
	deps_name(key, name, sizeof(name));
	err = read_private_entry(dir, name, SHA256_DIGEST_SIZE + 1,
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
	err = read_private_entry(dir, name, 1, MAX_ENTRY_SIZE, &buf, &len);
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
	err = write_private_entry(dir, name, buf, len);
	free(buf);
	/* The image first: a manifest never names a missing image for long. */
	if (!err) {
		entry = xcalloc(dlen + SHA256_DIGEST_SIZE, 1);
		memcpy(entry, deps, dlen);
		sha256(deps, dlen, (uint8_t *)entry + dlen);
		deps_name(key, name, sizeof(name));
		err = write_private_entry(dir, name, entry,
					  dlen + SHA256_DIGEST_SIZE);
		free(entry);
	}
	free(deps);
	return err;
}

#define OFFSETS_ENTRY "btf-offsets"
/* Which program wrote an entry, and in which form (1.2's had neither). */
#define OFFSETS_MAGIC "tcplbtfo"
#define OFFSETS_VERSION 2

struct offsets_entry {
	char magic[8];			/* OFFSETS_MAGIC, no NUL */
	uint32_t version;		/* OFFSETS_VERSION */
	uint32_t count;			/* NR_KERNEL_OFFSETS */
	uint8_t layout[SHA256_DIGEST_SIZE];	/* kernel_offsets_layout */
	uint8_t boot[SHA256_DIGEST_SIZE];	/* boot_id, release, build */
	int64_t off[NR_KERNEL_OFFSETS];
	int64_t btf_id[MAX_BTF_TARGETS];
	uint8_t digest[SHA256_DIGEST_SIZE];	/* of the fields above */
};

static int this_boot(const struct counter_offsets *off,
		     uint8_t digest[SHA256_DIGEST_SIZE])
{
	char boot_id[64];
	struct utsname un;
	struct sha256 ctx;
	int err = read_small_file("/proc/sys/kernel/random/boot_id", boot_id,
				  sizeof(boot_id));

	if (err < 0 || !*boot_id || uname(&un) < 0)
		return err < 0 ? err : -ENOENT;
	sha256_init(&ctx);
	hash_string(&ctx, "boot_id", boot_id);
	hash_string(&ctx, "release", un.release);
	hash_string(&ctx, "build", un.version);
	/* The attach methods' BTF types, whose ids the entry holds. */
	for (int i = 0; i < MAX_BTF_TARGETS; i++)
		hash_string(&ctx, "btf_target",
			    off->btf_target[i] ? off->btf_target[i] : "");
	sha256_final(&ctx, digest);
	return 0;
}

int prog_cache_offsets_lookup(const char *dir, struct counter_offsets *off)
{
	struct offsets_entry e;
	uint8_t boot[SHA256_DIGEST_SIZE], digest[SHA256_DIGEST_SIZE];
	uint8_t layout[SHA256_DIGEST_SIZE];
	char *buf = NULL;
	size_t len;
	int err;

	if (this_boot(off, boot) < 0)
		return -ENOENT;
	err = read_private_entry(dir, OFFSETS_ENTRY, sizeof(e), sizeof(e),
				 &buf, &len);
	if (err)
		return err;
	memcpy(&e, buf, sizeof(e));
	free(buf);
	sha256(&e, offsetof(struct offsets_entry, digest), digest);
	kernel_offsets_layout(layout);
	/*
	 * Another release's entry, even of this very size, says nothing
	 * about this build's fields: offsets in another order would be
	 * trusted until the next boot.
	 */
	if (memcmp(digest, e.digest, sizeof(digest)) ||
	    memcmp(e.magic, OFFSETS_MAGIC, sizeof(e.magic)) ||
	    e.version != OFFSETS_VERSION || e.count != NR_KERNEL_OFFSETS ||
	    memcmp(layout, e.layout, sizeof(layout)) ||
	    memcmp(boot, e.boot, sizeof(boot)))
		return -ESTALE;
	for (int i = 0; i < NR_KERNEL_OFFSETS; i++) {
		/*
		 * Only fields the table says may be first in their struct
		 * can be at offset 0; the raw tracepoint's may be missing.
		 */
		if (e.off[i] < (kernel_offset_raw_tp(i) ? -1 : 0) ||
		    (e.off[i] == 0 && !kernel_offset_zero_ok(i)))
			return -ESTALE;
		off->off[i] = (long)e.off[i];
	}
	for (int i = 0; i < MAX_BTF_TARGETS; i++) {
		if (e.btf_id[i] == 0 || e.btf_id[i] < -1)
			return -ESTALE;
		off->btf_id[i] = (long)e.btf_id[i];
	}
	return 0;
}

int prog_cache_offsets_store(const char *dir,
			     const struct counter_offsets *off)
{
	struct offsets_entry e;

	memset(&e, 0, sizeof(e));
	if (this_boot(off, e.boot) < 0)
		return -ENOENT;
	memcpy(e.magic, OFFSETS_MAGIC, sizeof(e.magic));
	e.version = OFFSETS_VERSION;
	e.count = NR_KERNEL_OFFSETS;
	kernel_offsets_layout(e.layout);
	for (int i = 0; i < NR_KERNEL_OFFSETS; i++)
		e.off[i] = off->off[i];
	for (int i = 0; i < MAX_BTF_TARGETS; i++)
		e.btf_id[i] = off->btf_id[i];
	sha256(&e, offsetof(struct offsets_entry, digest), e.digest);
	return write_private_entry(dir, OFFSETS_ENTRY, &e, sizeof(e));
}
