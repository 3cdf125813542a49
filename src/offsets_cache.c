/*
 * The per-boot cache of what kernel BTF says (field offsets, BTF type ids):
 * BTF cannot change while the system runs, and parsing its 5 MiB costs
 * more than everything else in a warm start.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cache_files.h"
#include "offsets_cache.h"
#include "util.h"

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
	cache_hash_string(&ctx, "boot_id", boot_id);
	cache_hash_string(&ctx, "release", un.release);
	cache_hash_string(&ctx, "build", un.version);
	/* The attach methods' BTF types, whose ids the entry holds. */
	for (int i = 0; i < MAX_BTF_TARGETS; i++)
		cache_hash_string(&ctx, "btf_target",
			    off->btf_target[i] ? off->btf_target[i] : "");
	sha256_final(&ctx, digest);
	return 0;
}

int offsets_cache_lookup(const char *dir, struct counter_offsets *off)
{
	struct offsets_entry e;
	uint8_t boot[SHA256_DIGEST_SIZE], digest[SHA256_DIGEST_SIZE];
	uint8_t layout[SHA256_DIGEST_SIZE];
	char *buf = NULL;
	size_t len;
	int err;

	if (this_boot(off, boot) < 0)
		return -ENOENT;
	err = cache_read_entry(dir, OFFSETS_ENTRY, sizeof(e), sizeof(e),
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

int offsets_cache_store(const char *dir, const struct counter_offsets *off)
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
	return cache_write_entry(dir, OFFSETS_ENTRY, &e, sizeof(e));
}
