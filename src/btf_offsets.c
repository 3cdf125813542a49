/*
 * Offsets of struct tcp_sock's byte counters, read from kernel BTF, so the
 * BPF program never needs the struct from headers that may not match.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_offsets.h"

/*
 * Finds member NAME in struct/union TYPE_ID, looking inside anonymous
 * members too (tcp_sock groups fields in anonymous structs on some
 * kernels).  Returns the byte offset, or -ENOENT.
 */
static long member_offset(const struct btf *btf, __u32 type_id,
			  const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	__u16 n;

	if (!t || depth > 8 || !(btf_is_struct(t) || btf_is_union(t)))
		return -ENOENT;
	m = btf_members(t);
	n = btf_vlen(t);
	for (__u16 i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 bits = btf_member_bit_offset(t, i);

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			/* A u64 counter: never a bitfield, always aligned. */
			if (btf_member_bitfield_size(t, i) || bits % 8)
				return -EINVAL;
			if (btf__resolve_size(btf, m->type) != 8)
				return -EINVAL;
			return bits / 8;
		} else {
			long inner = member_offset(btf,
						   btf__resolve_type(btf, m->type),
						   name, depth + 1);

			if (inner >= 0)
				return inner + bits / 8;
		}
	}
	return -ENOENT;
}

int btf_counter_offsets(const char *path, struct counter_offsets *off)
{
	struct btf *btf;
	__s32 id;
	int err = 0;

	if (access(path, R_OK) < 0)
		return -errno;
	btf = btf__parse(path, NULL);
	if (!btf)
		return errno ? -errno : -EINVAL;
	id = btf__find_by_name_kind(btf, "tcp_sock", BTF_KIND_STRUCT);
	if (id < 0) {
		err = -ESRCH;
		goto out;
	}
	off->rx = member_offset(btf, id, "bytes_received", 0);
	off->tx = member_offset(btf, id, "bytes_acked", 0);
	if (off->rx < 0 || off->tx < 0)
		err = -ESRCH;
out:
	btf__free(btf);
	return err;
}
