/*
 * Offsets of the kernel struct fields the BPF program reads, from kernel
 * BTF, so the program never needs structs from headers that may not match.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "btf_offsets.h"
#include "sha256.h"

#ifdef HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

/* Where each field is: struct, member path, size, and its -D name. */
static const struct {
	const char *type;
	const char *path;	/* members separated by dots */
	unsigned int size;
	const char *macro;
} fields[NR_KERNEL_OFFSETS] = {
	[KOFF_RX] = { "tcp_sock", "bytes_received", 8, "TCPLIFE_RX_OFFSET" },
	[KOFF_TX] = { "tcp_sock", "bytes_acked", 8, "TCPLIFE_TX_OFFSET" },
	[KOFF_RETRANS] = { "tcp_sock", "total_retrans", 4,
			   "TCPLIFE_RETRANS_OFFSET" },
	[KOFF_SRTT] = { "tcp_sock", "srtt_us", 4, "TCPLIFE_SRTT_OFFSET" },
	[KOFF_SK_ERR] = { "sock", "sk_err", 4, "TCPLIFE_SK_ERR_OFFSET" },
	[KOFF_SK_NET] = { "sock", "__sk_common.skc_net", 8,
			  "TCPLIFE_SK_NET_OFFSET" },
	[KOFF_NET_INUM] = { "net", "ns.inum", 4, "TCPLIFE_NET_INUM_OFFSET" },
	/*
	 * What the tracepoint reports, taken where it takes it: the local
	 * port and IPv4 address from inet_sock (skc_num is already 0 when
	 * a socket that did not bind() closes).  struct sock is
	 * inet_sock's first member.
	 */
	[KOFF_SK_PROTOCOL] = { "sock", "sk_protocol", 2,
			       "TCPLIFE_SK_PROTOCOL_OFFSET" },
	[KOFF_SK_FAMILY] = { "sock", "__sk_common.skc_family", 2,
			     "TCPLIFE_SK_FAMILY_OFFSET" },
	[KOFF_SK_SPORT] = { "inet_sock", "inet_sport", 2,
			    "TCPLIFE_SK_SPORT_OFFSET" },
	[KOFF_SK_DPORT] = { "sock", "__sk_common.skc_dport", 2,
			    "TCPLIFE_SK_DPORT_OFFSET" },
	[KOFF_SK_SADDR] = { "inet_sock", "inet_saddr", 4,
			    "TCPLIFE_SK_SADDR_OFFSET" },
	[KOFF_SK_DADDR] = { "sock", "__sk_common.skc_daddr", 4,
			    "TCPLIFE_SK_DADDR_OFFSET" },
	[KOFF_SK_V6_SADDR] = { "sock", "__sk_common.skc_v6_rcv_saddr", 16,
			       "TCPLIFE_SK_V6_SADDR_OFFSET" },
	[KOFF_SK_V6_DADDR] = { "sock", "__sk_common.skc_v6_daddr", 16,
			       "TCPLIFE_SK_V6_DADDR_OFFSET" },
};

const char *kernel_offset_macro(enum kernel_offset i)
{
	return fields[i].macro;
}

void kernel_offsets_layout(uint8_t tag[SHA256_DIGEST_SIZE])
{
	struct sha256 ctx;

	sha256_init(&ctx);
	for (int i = 0; i < NR_KERNEL_OFFSETS; i++) {
		uint32_t size = fields[i].size;

		sha256_update(&ctx, fields[i].type, strlen(fields[i].type) + 1);
		sha256_update(&ctx, fields[i].path, strlen(fields[i].path) + 1);
		sha256_update(&ctx, &size, sizeof(size));
		sha256_update(&ctx, fields[i].macro,
			      strlen(fields[i].macro) + 1);
	}
	sha256_update(&ctx, TP_BTF_TYPE, sizeof(TP_BTF_TYPE));
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
		size_t len = strcspn(p, ".");
		long off = member_offset(btf, cur, p, len, 0, &member);
		int resolved;

		if (off < 0)
			return off;
		total += off;
		p += len + (p[len] == '.');
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
	/* Absent before Linux 5.5, which cannot load tp_btf programs. */
	off->tp_btf_id = btf__find_by_name_kind(btf, TP_BTF_TYPE,
						BTF_KIND_TYPEDEF);
	if (off->tp_btf_id <= 0)
		off->tp_btf_id = -1;
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
