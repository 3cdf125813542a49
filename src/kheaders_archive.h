/* The kernel's own headers (/sys/kernel/kheaders.tar.xz), extracted once into the cache. */
#ifndef TCPLIFE_KHEADERS_ARCHIVE_H
#define TCPLIFE_KHEADERS_ARCHIVE_H

#include <stdbool.h>

#include "kheaders.h"

#define KHEADERS_ARCHIVE_PATH "/sys/kernel/kheaders.tar.xz"

enum kheaders_archive_state {
	KARCHIVE_NONE,		/* no archive, nor a kheaders module to make one */
	KARCHIVE_UNEXTRACTED,	/* present, not extracted yet (--info) */
	KARCHIVE_EXTRACTED,	/* extracted by this start */
	KARCHIVE_REUSED,	/* an earlier start's extraction, unchanged */
	KARCHIVE_REFUSED,	/* it is not the running kernel's release */
	KARCHIVE_FAILED,	/* why says why */
};

struct kheaders_archive {
	enum kheaders_archive_state state;
	char sha256[65];	/* of the archive, hex */
	char *dir;		/* CACHE_DIR/kheaders-SHA256 */
	char *release;		/* the archive's UTS_RELEASE */
	/* A change found in an earlier extraction (then redone), or NULL. */
	char *changed;
	bool loaded_module;	/* this start loaded kheaders (and unloaded it) */
	char why[320];
};

/*
 * Headers from the running kernel itself (CONFIG_IKHEADERS).  When
 * MAY_WRITE (a run as root), the kheaders module is loaded if the archive
 * is missing (and unloaded again), and the archive extracted into
 * CACHE_DIR/kheaders-SHA256 unless an unchanged extraction is there;
 * otherwise only an existing extraction is used.  An archive of another
 * release than RUNNING_RELEASE is refused.  Returns 0 with KH filled in
 * (origin KHEADERS_ARCHIVE), or -ENOENT with KA->state saying why not.
 */
int kheaders_archive_use(const char *cache_dir, const char *running_release,
			 bool may_write, struct kheaders_archive *ka,
			 struct kheaders *kh);

void kheaders_archive_free(struct kheaders_archive *ka);

#endif
