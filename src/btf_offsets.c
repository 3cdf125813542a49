/*
 * Offsets of the kernel struct fields the BPF program reads, from kernel
 * BTF, so the program never needs structs from headers that may not match.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_offsets.h"
#include "sha256.h"

#ifdef HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

/* Where each field is, from the field table (tcplife_fields.h). */
static const struct {
	const char *type;
	const char *path;	/* members separated by dots */
	unsigned int size;
} fields[NR_KERNEL_OFFSETS] = {
#define FIELD(id, struct_name, member, bytes, zero) \
	[KOFF_##id] = { #struct_name, #member, bytes },
	TCPLIFE_TCP_FIELDS(FIELD)
	TCPLIFE_SOCK_FIELDS(FIELD)
#undef FIELD
};

void kernel_offsets_layout(uint8_t tag[SHA256_DIGEST_SIZE])
{
	struct sha256 ctx;

	sha256_init(&ctx);
	for (int i = 0; i < NR_KERNEL_OFFSETS; i++) {
		const char *macro = kernel_offset_macro(i);
		uint32_t size = fields[i].size;

		sha256_update(&ctx, fields[i].type, strlen(fields[i].type) + 1);
		sha256_update(&ctx, fields[i].path, strlen(fields[i].path) + 1);
		sha256_update(&ctx, &size, sizeof(size));
		sha256_update(&ctx, macro, strlen(macro) + 1);
	}
	sha256_final(&ctx, tag);
}

#ifdef HAVE_LIBBPF

const bool btf_offsets_built = true;

/*
 * Finds member NAME (LEN bytes) in struct/union TYPE_ID, looking inside
 * anonymous members too (tcp_sock groups fields in anonymous structs on
 * some kernels).  Returns the byte offset and sets *MEMBER_TYPE, or
 * -ENOENT; -EINVAL for a bitfield, which cannot be read by offset.
 */
static long member_offset(const struct btf *btf, __u32 type_id,
			  const char *name, size_t len, int depth,
			  __u32 *member_type)
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
			if (strlen(mname) != len || strncmp(mname, name, len))
				continue;
			if (btf_member_bitfield_size(t, i) || bits % 8)
				return -EINVAL;
			*member_type = m->type;
			return bits / 8;
		} else {
			long inner = member_offset(btf,
						   btf__resolve_type(btf, m->type),
						   name, len, depth + 1,
						   member_type);

			if (inner >= 0)
				return inner + bits / 8;
		}
	}
	return -ENOENT;
}

/*
 * "[N]" after a member of array type *MEMBER: adds element N's offset to
 * *TOTAL and makes *MEMBER the element type.  Returns the characters
 * consumed, or -errno.
 */
static int array_index(const struct btf *btf, const char *p, __u32 *member,
		       long *total)
{
	int resolved = btf__resolve_type(btf, *member);
	const struct btf_type *t;
	const struct btf_array *a;
	unsigned long n;
	char *end;
	__s64 elem;

	if (resolved < 0)
		return -ESRCH;
	t = btf__type_by_id(btf, (__u32)resolved);
	if (!t || !btf_is_array(t))
		return -EINVAL;
	a = btf_array(t);
	n = strtoul(p + 1, &end, 10);
	elem = btf__resolve_size(btf, a->type);
	if (end == p + 1 || *end != ']' || n >= a->nelems || elem <= 0)
		return -EINVAL;
	*total += (long)(n * (unsigned long)elem);
	*member = a->type;
	return (int)(end + 1 - p);
}

/* The offset of a dotted member PATH in TYPE, checking its SIZE. */
static long path_offset(const struct btf *btf, const char *type,
			const char *path, unsigned int size)
{
	__s32 id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	__u32 cur, member = 0;
	long total = 0;

	if (id < 0)
		return -ESRCH;
	cur = (__u32)id;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ".[");
		long off = member_offset(btf, cur, p, len, 0, &member);
		int resolved;

		if (off < 0)
			return off;
		total += off;
		p += len;
		if (*p == '[') {
			int used = array_index(btf, p, &member, &total);

			if (used < 0)
				return used;
			p += used;
		}
		p += *p == '.';
		resolved = btf__resolve_type(btf, member);
		if (resolved < 0)
			return -ESRCH;
		cur = (__u32)resolved;
	}
	/* A struct holding only a pointer (possible_net_t) reads as one. */
	if (btf__resolve_size(btf, member) != size)
		return -EINVAL;
	return total;
}

int btf_counter_offsets(const char *path, struct counter_offsets *off)
{
	struct btf *btf;
	int err = 0;

	if (access(path, R_OK) < 0)
		return -errno;
	btf = btf__parse(path, NULL);
	/* libbpf before 1.0 returns an error pointer, later ones NULL. */
	if (!btf || (unsigned long)btf >= (unsigned long)-4095L)
		return btf ? (int)(long)btf : errno ? -errno : -EINVAL;
	for (int i = 0; i < NR_KERNEL_OFFSETS; i++) {
		off->off[i] = path_offset(btf, fields[i].type, fields[i].path,
					  fields[i].size);
		if (off->off[i] < 0 && kernel_offset_raw_tp(i))
			off->off[i] = -1;
		else if (off->off[i] < 0)
			err = -ESRCH;
	}
	/* A tracepoint's typedef is absent before Linux 5.5. */
	for (int i = 0; i < MAX_BTF_TARGETS; i++) {
		off->btf_id[i] = off->btf_target[i] ?
				 btf__find_by_name_kind(btf,
							off->btf_target[i],
							BTF_KIND_TYPEDEF) : -1;
		if (off->btf_id[i] <= 0)
			off->btf_id[i] = -1;
	}
	btf__free(btf);
	return err;
}

#else /* !HAVE_LIBBPF */

const bool btf_offsets_built = false;

int btf_counter_offsets(const char *path, struct counter_offsets *off)
{
	(void)path;
	(void)off;
	return -ENOTSUP;
}

#endif
