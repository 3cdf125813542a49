/*
 * Test harness for the image checks: serialises small programs with each
 * kind of 64-bit immediate load and prints whether bpf_image_parse, the
 * reader of every cache entry and compiler output, accepts them.
 *
 * Usage: image_check; prints one "NAME accepted|rejected" line per case.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "bpf_image.h"

#define TABLE_FD 7

struct image_case {
	const char *name;
	unsigned char src_reg;	/* of the ld_imm64 */
	int imm;		/* its first half's immediate */
	int hi_imm;		/* its second half's */
	int truncated;		/* ld_imm64 is the last instruction */
};

static const struct image_case cases[] = {
	{ "constant", 0, 42, 0, 0 },
	{ "map_fd", BPF_PSEUDO_MAP_FD, TABLE_FD, 0, 0 },
	{ "map_fd_unknown", BPF_PSEUDO_MAP_FD, 3, 0, 0 },
	{ "map_fd_offset", BPF_PSEUDO_MAP_FD, TABLE_FD, 8, 0 },
	{ "map_value", 2, TABLE_FD, 0, 0 },
	{ "btf_id", 3, 1, 0, 0 },
	{ "func", 4, 1, 0, 0 },
	{ "map_idx", 5, 0, 0, 0 },
	{ "map_idx_value", 6, 0, 0, 0 },
	{ "truncated", 0, 42, 0, 1 },
};

static int try_case(const struct image_case *c)
{
	struct bpf_insn insns[4];
	struct bpf_image img, parsed;
	size_t n = 0, len;
	void *buf;
	int err;

	memset(&img, 0, sizeof(img));
	memset(insns, 0, sizeof(insns));
	img.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	strcpy(img.license, "GPL");
	strcpy(img.func_name, "f");
	img.ntables = 1;
	strcpy(img.tables[0].name, "events");
	img.tables[0].fd = TABLE_FD;
	if (!c->truncated) {
		insns[n].code = BPF_ALU64 | BPF_MOV | BPF_K;	/* r0 = 0 */
		n++;
	}
	insns[n].code = BPF_LD | BPF_IMM | BPF_DW;
	insns[n].dst_reg = 1;
	insns[n].src_reg = c->src_reg;
	insns[n].imm = c->imm;
	n++;
	if (!c->truncated) {
		insns[n++].imm = c->hi_imm;
		insns[n++].code = BPF_JMP | BPF_EXIT;
	}
	img.insns = insns;
	img.insn_bytes = (uint32_t)(n * sizeof(insns[0]));
	err = bpf_image_serialize(&img, &buf, &len);
	if (err)
		return err;
	err = bpf_image_parse(buf, len, &parsed);
	free(buf);
	if (!err)
		bpf_image_free(&parsed);
	return err;
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = try_case(&cases[i]);

		if (err && err != -EBADMSG) {
			fprintf(stderr, "image_check: %s: %s\n", cases[i].name,
				strerror(-err));
			return 1;
		}
		printf("%s %s\n", cases[i].name, err ? "rejected" : "accepted");
	}
	return 0;
}
