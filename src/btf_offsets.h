/* Offsets of the kernel struct fields the BPF program reads, from BTF. */
#ifndef TCPLIFE_BTF_OFFSETS_H
#define TCPLIFE_BTF_OFFSETS_H

#define VMLINUX_BTF_PATH "/sys/kernel/btf/vmlinux"

#include <stdbool.h>
#include <stdint.h>

/* Whether this build can read BTF at all (configure found libbpf). */
extern const bool btf_offsets_built;

/* The fields; btf_offsets.c's table says where each one is. */
enum kernel_offset {
	KOFF_RX,		/* tcp_sock.bytes_received */
	KOFF_TX,		/* tcp_sock.bytes_acked */
	KOFF_RETRANS,		/* tcp_sock.total_retrans */
	KOFF_SRTT,		/* tcp_sock.srtt_us */
	KOFF_SK_ERR,		/* sock.sk_err */
	KOFF_SK_NET,		/* sock.__sk_common.skc_net */
	KOFF_NET_INUM,		/* net.ns.inum */
	/*
	 * Read by the raw tracepoint only, whose argument is the socket;
	 * they come last (kernel_offset_raw_tp).
	 */
	KOFF_SK_PROTOCOL,	/* sock.sk_protocol */
	KOFF_SK_FAMILY,		/* sock.__sk_common.skc_family */
	KOFF_SK_SPORT,		/* inet_sock.inet_sport */
	KOFF_SK_DPORT,		/* sock.__sk_common.skc_dport */
	KOFF_SK_SADDR,		/* inet_sock.inet_saddr */
	KOFF_SK_DADDR,		/* sock.__sk_common.skc_daddr */
	KOFF_SK_V6_SADDR,	/* sock.__sk_common.skc_v6_rcv_saddr */
	KOFF_SK_V6_DADDR,	/* sock.__sk_common.skc_v6_daddr */
	NR_KERNEL_OFFSETS
};

/*
 * The BTF type a BTF-typed tracepoint program (tp_btf) is bound to at load:
 * the typedef the kernel generates for each tracepoint.
 */
#define TP_BTF_TYPE "btf_trace_inet_sock_set_state"

struct counter_offsets {
	long off[NR_KERNEL_OFFSETS];
	long tp_btf_id;		/* TP_BTF_TYPE's id in vmlinux BTF, or -1 */
};

/*
 * Reads every offset from the BTF at PATH (VMLINUX_BTF_PATH for the running
 * kernel).  Returns 0, -ENOENT when there is no BTF, -ENOTSUP when built
 * without libbpf, or another -errno when it cannot be read or lacks a
 * field.
 */
int btf_counter_offsets(const char *path, struct counter_offsets *off);

/* The -D name the BPF text knows offset I by, such as TCPLIFE_RX_OFFSET. */
const char *kernel_offset_macro(enum kernel_offset i);

/*
 * A digest of the field table (each field's struct, member path, size and
 * -D name, in order) and of TP_BTF_TYPE: offsets stored by a build with
 * another table, even one with as many fields, have another tag.
 */
void kernel_offsets_layout(uint8_t tag[32]);

/*
 * Whether offset I is only for the raw tracepoint: then -1 when BTF lacks
 * it (before Linux 5.6 sk_protocol was a bitfield), not an error.
 */
static inline int kernel_offset_raw_tp(enum kernel_offset i)
{
	return i >= KOFF_SK_PROTOCOL;
}

/* Whether OFF has every raw tracepoint offset. */
static inline int kernel_offsets_raw_tp_ready(const struct counter_offsets *off)
{
	for (int i = KOFF_SK_PROTOCOL; i < NR_KERNEL_OFFSETS; i++)
		if (off->off[i] < 0)
			return 0;
	return 1;
}

#endif
