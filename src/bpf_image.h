/*
 * A compiled BPF program, independent of the process that compiled it:
 * instructions plus the maps they refer to.  Produced by the compile child
 * or read from the cache; loaded by the long-running process.
 */
#ifndef TCPLIFE_BPF_IMAGE_H
#define TCPLIFE_BPF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BPF_IMAGE_MAX_TABLES 16
#define BPF_IMAGE_NAME_LEN 64
#define BPF_IMAGE_MAX_INSN_BYTES (1u << 20)

struct bpf_image_table {
	char name[BPF_IMAGE_NAME_LEN];
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	int32_t fd;		/* the number the instructions use for it */
};

struct bpf_image {
	uint32_t prog_type;
	uint32_t kern_version;
	char license[BPF_IMAGE_NAME_LEN];
	char func_name[BPF_IMAGE_NAME_LEN];
	uint32_t ntables;
	struct bpf_image_table tables[BPF_IMAGE_MAX_TABLES];
	uint32_t insn_bytes;
	void *insns;
};

/*
 * Serialises IMG into a malloc'd buffer ending with a SHA-256 of what
 * precedes it.  Returns 0 or -errno.
 */
int bpf_image_serialize(const struct bpf_image *img, void **buf, size_t *len);

/*
 * Parses a buffer from bpf_image_serialize, checking its format, bounds and
 * hash.  Returns 0, or -EBADMSG for anything that does not add up.
 */
int bpf_image_parse(const void *buf, size_t len, struct bpf_image *img);

struct bpf_insn;

/*
 * Points every map reference in INSNS (COUNT instructions: ld_imm64 with a
 * pseudo map fd, as compiled) at NEW_FDS[i], the map of img->tables[i].
 * Returns 0, or -EBADMSG for a reference to no table or a cut ld_imm64.
 */
int bpf_image_relocate(struct bpf_insn *insns, size_t count,
		       const struct bpf_image *img, const int *new_fds);

/*
 * Checks that every 64-bit immediate load in IMG is a constant or a
 * reference to one of its tables (BPF_PSEUDO_MAP_FD), and well formed.
 * bpf_image_parse and bpf_image_load call it.  Returns 0 or -EBADMSG.
 */
int bpf_image_check_insns(const struct bpf_image *img);

/*
 * What a program bound to a kernel BTF type at load (a tp_btf program) is
 * bound to: it depends on the running kernel, so it is not in the image.
 */
struct bpf_image_target {
	uint32_t expected_attach_type;	/* BPF_TRACE_RAW_TP, ... */
	uint32_t attach_btf_id;		/* in vmlinux BTF; 0: not bound */
};

/* Why the kernel did not take the program itself (not its maps). */
struct bpf_load_refusal {
	bool refused;		/* BPF_PROG_LOAD failed */
	int err;		/* with this -errno */
	char log_tail[1024];	/* the verifier's last lines, if it spoke */
	char reason[256];	/* the one of them that says why, or "" */
};

/* "loading the BPF program failed: ...", and the verifier's lines. */
void bpf_load_refusal_print(const struct bpf_load_refusal *why);

/*
 * Creates the image's maps, points the instructions at them and loads the
 * program (bound to TARGET when it names a type, else TARGET may be
 * NULL); the kernel verifier checks it as always.  On success *PROG_FD
 * and MAP_FDS[i], the map of img->tables[i], are open and the caller's; on
 * failure nothing stays open.  Should the kernel refuse the program, WHY
 * says so and nothing is printed (the caller may try another), or with
 * WHY NULL the refusal is printed.  Other failures are always printed.
 * Returns 0 or -errno.
 */
int bpf_image_load(const struct bpf_image *img,
		   const struct bpf_image_target *target, int *prog_fd,
		   int map_fds[BPF_IMAGE_MAX_TABLES],
		   struct bpf_load_refusal *why);

void bpf_image_free(struct bpf_image *img);

#endif
