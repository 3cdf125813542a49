/* Offsets of the kernel struct fields the BPF program reads, from BTF. */
#ifndef TCPLIFE_BTF_OFFSETS_H
#define TCPLIFE_BTF_OFFSETS_H

#define VMLINUX_BTF_PATH "/sys/kernel/btf/vmlinux"

#include <stdbool.h>
#include <stdint.h>

#include "tcplife_fields.h"

/* Whether this build can read BTF at all (configure found libbpf). */
extern const bool btf_offsets_built;

/*
 * The kernel members the BPF program reads, from the field table
 * (tcplife_fields.h): KOFF_RX and so on, the raw tracepoint's last
 * (kernel_offset_raw_tp).
 */
enum kernel_offset {
#define KOFF_ENUM(id, type, path, size, zero_ok) KOFF_##id,
	TCPLIFE_TCP_FIELDS(KOFF_ENUM)
	TCPLIFE_SOCK_FIELDS(KOFF_ENUM)
#undef KOFF_ENUM
	NR_KERNEL_OFFSETS
};

/* The first of TCPLIFE_SOCK_FIELDS. */
#define KOFF_FIRST_SOCK KOFF_SK_PROTOCOL

/* How many attach methods may bind their program to a BTF type. */
#define MAX_BTF_TARGETS 4

/*
 * What is read from kernel BTF, and cached per boot: the field offsets,
 * and the ids of the BTF types that attach methods bind their programs
 * to at load.  The caller names those types first (attach_btf_targets);
 * which method owns which slot is attach.c's business.
 */
struct counter_offsets {
	long off[NR_KERNEL_OFFSETS];
	const char *btf_target[MAX_BTF_TARGETS];	/* typedefs; NULL */
	long btf_id[MAX_BTF_TARGETS];	/* their ids, or -1 where absent */
};

/*
 * Reads every offset, and the id of each of OFF's btf_target, from the
 * BTF at PATH (VMLINUX_BTF_PATH for the running
 * kernel).  Returns 0, -ENOENT when there is no BTF, -ENOTSUP when built
 * without libbpf, or another -errno when it cannot be read or lacks a
 * field.
 */
int btf_counter_offsets(const char *path, struct counter_offsets *off);

/* The -D name the BPF text knows offset I by, such as TCPLIFE_RX_OFFSET. */
static inline const char *kernel_offset_macro(enum kernel_offset i)
{
	static const char *const macros[NR_KERNEL_OFFSETS] = {
#define KOFF_MACRO(id, type, path, size, zero_ok) "TCPLIFE_" #id "_OFFSET",
		TCPLIFE_TCP_FIELDS(KOFF_MACRO)
		TCPLIFE_SOCK_FIELDS(KOFF_MACRO)
#undef KOFF_MACRO
	};

	return macros[i];
}

/* Whether 0 is a valid offset for I (see ZERO_OK in tcplife_fields.h). */
static inline bool kernel_offset_zero_ok(enum kernel_offset i)
{
	static const bool zero_ok[NR_KERNEL_OFFSETS] = {
#define KOFF_ZERO(id, type, path, size, zero) zero,
		TCPLIFE_TCP_FIELDS(KOFF_ZERO)
		TCPLIFE_SOCK_FIELDS(KOFF_ZERO)
#undef KOFF_ZERO
	};

	return zero_ok[i];
}

/*
 * A digest of the field table (each field's struct, member path, size and
 * -D name, in order): offsets stored by a build with another table, even
 * one with as many fields, have another tag.  (The BTF targets' names are
 * in the entry's boot key.)
 */
void kernel_offsets_layout(uint8_t tag[32]);

/*
 * Whether offset I is only for the raw tracepoint: then -1 when BTF lacks
 * it (before Linux 5.6 sk_protocol was a bitfield), not an error.
 */
static inline int kernel_offset_raw_tp(enum kernel_offset i)
{
	return i >= KOFF_FIRST_SOCK;
}

/* Whether OFF has every raw tracepoint offset. */
static inline int kernel_offsets_raw_tp_ready(const struct counter_offsets *off)
{
	for (int i = KOFF_FIRST_SOCK; i < NR_KERNEL_OFFSETS; i++)
		if (off->off[i] < 0)
			return 0;
	return 1;
}

#endif
