/* Offsets of struct tcp_sock's byte counters, read from kernel BTF. */
#ifndef TCPLIFE_BTF_OFFSETS_H
#define TCPLIFE_BTF_OFFSETS_H

#define VMLINUX_BTF_PATH "/sys/kernel/btf/vmlinux"

struct counter_offsets {
	long rx;	/* tcp_sock.bytes_received */
	long tx;	/* tcp_sock.bytes_acked */
};

/*
 * Reads both offsets from the BTF at PATH (VMLINUX_BTF_PATH for the running
 * kernel).  Returns 0, -ENOENT when there is no BTF, or another -errno when
 * it cannot be read or lacks the fields.
 */
int btf_counter_offsets(const char *path, struct counter_offsets *off);

#endif
