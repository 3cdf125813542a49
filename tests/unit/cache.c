/*
 * Unit test: the program cache on a temporary directory: what it keys on,
 * what it writes, and every entry it must refuse.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "btf_offsets.h"
#include "offsets_cache.h"
#include "prog_cache.h"
#include "sha256.h"
#include "unit.h"

static struct bpf_insn insns[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static void sample(struct bpf_image *img)
{
	memset(img, 0, sizeof(*img));
	img->prog_type = BPF_PROG_TYPE_TRACEPOINT;
	strcpy(img->license, "GPL");
	strcpy(img->func_name, "entry");
	img->insns = insns;
	img->insn_bytes = sizeof(insns);
}

static void key_of(const char *text, const char *cflag,
		   struct prog_cache_key *key)
{
	const char *flags[] = { cflag };
	struct prog_cache_input in = {
		.text = text, .cflags = flags, .ncflags = 1,
		.headers_source = "/nonexistent/src",
		.headers_build = "/nonexistent/build",
		.headers_release = "6.1.0-test",
	};

	prog_cache_key(&in, key);
}

/* The one .img entry in DIR, into PATH; 0 when there is exactly one. */
static int only_entry(const char *dir, char *path, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".img") && ++n == 1 &&
		    snprintf(path, size, "%s/%s", dir, de->d_name) >= (int)size)
			n = 2;
	closedir(d);
	return n == 1 ? 0 : -1;
}

/*
 * The manifest of one header, HEADER: ownership is not what this test is
 * about (it may run as any user), so lookups accept any owner.
 */
static struct header_manifest manifest;
static char header[PATH_MAX];

static void make_manifest(void)
{
	char deps[PATH_MAX + 16];
	int n;

	unit_write(unit_tmpdir(), "kconfig.h", "/* a header */\n");
	snprintf(header, sizeof(header), "%s/kconfig.h", unit_tmpdir());
	n = snprintf(deps, sizeof(deps), "main.o: /virtual/main.c \\\n %s\n",
		     header);
	CHECK(manifest_from_deps(deps, (size_t)n, "/", &manifest) == 0 &&
	      manifest.n == 1, "the dependency list did not parse");
}

static int lookup_ok(const char *dir, const struct prog_cache_key *key)
{
	struct bpf_image img;
	int err = prog_cache_lookup(dir, key, true, &img);

	if (err)
		return 0;
	err = img.insn_bytes == sizeof(insns) &&
	      !memcmp(img.insns, insns, sizeof(insns));
	bpf_image_free(&img);
	return err;
}

static void check_keys(void)
{
	struct prog_cache_key a, b;

	key_of("text", "-DX=1", &a);
	key_of("text", "-DX=1", &b);
	CHECK(!memcmp(&a, &b, sizeof(a)), "same input, different keys");
	key_of("text", "-DX=2", &b);
	CHECK(memcmp(&a, &b, sizeof(a)), "a cflag does not change the key");
	key_of("text ", "-DX=1", &b);
	CHECK(memcmp(&a, &b, sizeof(a)), "the text does not change the key");
	/* Length-prefixed fields: moving a byte across them changes it. */
	key_of("text-", "DX=1", &b);
	CHECK(memcmp(&a, &b, sizeof(a)), "field boundaries do not count");
}

static void check_store_lookup(const char *dir)
{
	struct prog_cache_key key, other;
	struct bpf_image img;
	char entry[PATH_MAX], real[PATH_MAX];
	struct stat st;
	int fd;

	sample(&img);
	key_of("text", "-DX=1", &key);
	key_of("text", "-DX=2", &other);
	CHECK(prog_cache_lookup(dir, &key, true, &img) == -ENOENT,
	      "a lookup in a missing directory found something");
	CHECK(prog_cache_store(dir, &key, &manifest, &img) == 0, "store failed");
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	      "cache directory mode %o, expected 700", st.st_mode & 0777);
	CHECK(only_entry(dir, entry, sizeof(entry)) == 0, "not one entry");
	CHECK(stat(entry, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "entry mode %o, expected 600", st.st_mode & 0777);
	CHECK(lookup_ok(dir, &key), "the stored image was not found");
	CHECK(!lookup_ok(dir, &other), "another key found the image");

	/* Each kind of doubt makes the entry a miss. */
	chmod(entry, 0644);
	CHECK(!lookup_ok(dir, &key), "an entry readable by others was used");
	chmod(entry, 0600);
	CHECK(lookup_ok(dir, &key), "restored entry not found");

	fd = open(entry, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "\377", 1, 100) == 1, "cannot corrupt");
	if (fd >= 0)
		close(fd);
	CHECK(!lookup_ok(dir, &key), "a corrupt entry was used");
	CHECK(prog_cache_store(dir, &key, &manifest, &img) == 0, "rewrite failed");
	CHECK(lookup_ok(dir, &key), "the rewritten entry was not used");

	CHECK(snprintf(real, sizeof(real), "%s.real", dir) < (int)sizeof(real) &&
	      rename(entry, real) == 0 && symlink(real, entry) == 0,
	      "cannot make a symlinked entry");
	CHECK(!lookup_ok(dir, &key), "a symlinked entry was used");
	unlink(entry);
	CHECK(prog_cache_store(dir, &key, &manifest, &img) == 0, "store failed");

	chmod(dir, 0755);
	CHECK(!lookup_ok(dir, &key), "a directory open to others was used");
	CHECK(prog_cache_store(dir, &key, &manifest, &img) == -EPERM,
	      "stored into a directory open to others");
	chmod(dir, 0700);
	CHECK(lookup_ok(dir, &key), "the entry is gone");

	/* A header edited since the compile: the image is not used. */
	unit_write(unit_tmpdir(), "kconfig.h", "/* an edited header */\n");
	CHECK(!lookup_ok(dir, &key), "an image outlived an edited header");
	CHECK(prog_cache_lookup(dir, &key, true, &img) == -ESTALE,
	      "an edited header is not reported as stale");
}

/*
 * Rewrites the offsets entry with AT..AT+LEN set to BYTE and a valid
 * digest: as another build would have written it, for this very boot.
 */
static int forge_offsets(const char *path, size_t at, size_t len, int byte)
{
	unsigned char e[1024];
	int fd = open(path, O_RDWR);
	ssize_t n = fd < 0 ? -1 : pread(fd, e, sizeof(e), 0);
	int err = -1;

	if (n > SHA256_DIGEST_SIZE &&
	    at + len <= (size_t)n - SHA256_DIGEST_SIZE) {
		memset(e + at, byte, len);
		sha256(e, (size_t)n - SHA256_DIGEST_SIZE,
		       e + n - SHA256_DIGEST_SIZE);
		err = pwrite(fd, e, (size_t)n, 0) == n ? 0 : -1;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * An entry of the same size but another format version, field count or
 * field table (magic at 0, version at 8, count at 12, layout tag at 16):
 * refused, even with a digest that matches.
 */
static void check_offsets_format(const char *dir,
				 const struct counter_offsets *off)
{
	static const struct { size_t at, len; int byte; const char *what; }
	forged[] = {
		{ 0, 8, 'x', "another magic" },
		{ 8, 1, 1, "format version 1" },
		{ 12, 1, NR_KERNEL_OFFSETS - 1, "another field count" },
		{ 16, 32, 0, "another field table" },
	};
	/* The lookup is asked for the same BTF targets. */
	struct counter_offsets got = *off;
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/btf-offsets", dir) >=
	    (int)sizeof(path))
		return;
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		CHECK(offsets_cache_store(dir, off) == 0 &&
		      offsets_cache_lookup(dir, &got) == 0,
		      "offsets store before forging");
		CHECK(forge_offsets(path, 0, 0, 0) == 0 &&
		      offsets_cache_lookup(dir, &got) == 0,
		      "a rewritten entry with nothing changed is refused");
		CHECK(forge_offsets(path, forged[i].at, forged[i].len,
				    forged[i].byte) == 0, "cannot forge");
		CHECK(offsets_cache_lookup(dir, &got) < 0,
		      "offsets used from an entry with %s", forged[i].what);
	}
}

static void check_offsets(const char *dir)
{
	struct counter_offsets off = {
		.off = { 1752, 1824, 2200, 1680, 284, 48, 176, 12 },
		.btf_target = { "btf_trace_x" },
		.btf_id = { 91357, -1, -1, -1 },
	}, got = { .btf_target = { "btf_trace_x" } };
	char path[PATH_MAX];
	int fd;

	CHECK(offsets_cache_lookup(dir, &got) < 0, "offsets found in "
	      "an empty cache");
	CHECK(offsets_cache_store(dir, &off) == 0, "offsets store");
	CHECK(offsets_cache_lookup(dir, &got) == 0 &&
	      !memcmp(got.off, off.off, sizeof(off.off)) &&
	      !memcmp(got.btf_id, off.btf_id, sizeof(off.btf_id)),
	      "offsets did not come back");
	fd = -1;
	if (snprintf(path, sizeof(path), "%s/btf-offsets", dir) <
	    (int)sizeof(path))
		fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "\1", 1, 40) == 1, "cannot corrupt");
	if (fd >= 0)
		close(fd);
	CHECK(offsets_cache_lookup(dir, &got) < 0, "corrupt offsets used");
	check_offsets_format(dir, &off);
}

int main(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/cache", unit_tmpdir());
	check_keys();
	make_manifest();
	check_store_lookup(dir);
	check_offsets(dir);
	manifest_free(&manifest);
	return unit_finish();
}
