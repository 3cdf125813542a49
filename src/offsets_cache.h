/* The per-boot cache of the offsets and type ids read from kernel BTF. */
#ifndef TCPLIFE_OFFSETS_CACHE_H
#define TCPLIFE_OFFSETS_CACHE_H

#include "btf_offsets.h"

/*
 * Kernel BTF cannot change while the system runs, so the counter offsets
 * and BTF type ids read from it are cached per boot (keyed by boot_id,
 * release and build, and OFF's btf_target names): parsing 5 MiB of BTF
 * costs more than everything else in a warm start.  An entry also
 * carries a format version and this build's field table tag
 * (kernel_offsets_layout): another release's is never trusted.
 * Returns 0, or -errno when there is no trustworthy entry for this boot.
 */
int offsets_cache_lookup(const char *dir, struct counter_offsets *off);
int offsets_cache_store(const char *dir, const struct counter_offsets *off);

#endif
