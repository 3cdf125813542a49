/*
 * Unit test: the image format (serialise, parse, every way a buffer can be
 * wrong) and the relocator; no kernel needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "bpf_image.h"
#include "sha256.h"
#include "unit.h"

/* ld_imm64 of map fd 7, an ordinary insn, ld_imm64 of fd 9, exit. */
static struct bpf_insn insns[] = {
	{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1,
	  .src_reg = BPF_PSEUDO_MAP_FD, .imm = 7 },
	{ .code = 0 },
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 7 },
	{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 2,
	  .src_reg = BPF_PSEUDO_MAP_FD, .imm = 9 },
	{ .code = 0 },
	/* A plain 64-bit constant that happens to equal a map fd. */
	{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 3, .imm = 9 },
	{ .code = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static void sample(struct bpf_image *img)
{
	memset(img, 0, sizeof(*img));
	img->prog_type = BPF_PROG_TYPE_TRACEPOINT;
	img->kern_version = 0x60100;
	strcpy(img->license, "GPL");
	strcpy(img->func_name, "entry");
	img->ntables = 2;
	strcpy(img->tables[0].name, "events");
	img->tables[0].type = BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	img->tables[0].key_size = 4;
	img->tables[0].value_size = 4;
	img->tables[0].max_entries = 2;
	img->tables[0].fd = 7;
	strcpy(img->tables[1].name, "drops");
	img->tables[1].type = BPF_MAP_TYPE_PERCPU_ARRAY;
	img->tables[1].key_size = 4;
	img->tables[1].value_size = 8;
	img->tables[1].max_entries = 3;
	img->tables[1].fd = 9;
	img->insns = insns;
	img->insn_bytes = sizeof(insns);
}

/* Re-seals a tampered buffer, so a check behind the hash is reached. */
static void reseal(char *buf, size_t len)
{
	sha256(buf, len - SHA256_DIGEST_SIZE, (uint8_t *)buf + len -
	       SHA256_DIGEST_SIZE);
}

static int parse_copy(const char *buf, size_t len)
{
	struct bpf_image img;
	int err = bpf_image_parse(buf, len, &img);

	if (!err)
		bpf_image_free(&img);
	return err;
}

static void check_round_trip(const char *buf, size_t len)
{
	struct bpf_image want, got;

	sample(&want);
	CHECK(bpf_image_parse(buf, len, &got) == 0, "a serialised image "
	      "does not parse");
	CHECK(got.prog_type == want.prog_type && got.kern_version ==
	      want.kern_version && !strcmp(got.license, "GPL") &&
	      !strcmp(got.func_name, "entry") && got.ntables == 2,
	      "header fields changed in the round trip");
	CHECK(!memcmp(got.tables, want.tables, sizeof(want.tables[0]) * 2),
	      "tables changed in the round trip");
	CHECK(got.insn_bytes == sizeof(insns) &&
	      !memcmp(got.insns, insns, sizeof(insns)),
	      "instructions changed in the round trip");
	bpf_image_free(&got);
}

static void check_rejects(const char *orig, size_t len)
{
	char *buf = malloc(len + 64);

	if (!buf)
		abort();
	/* Every single flipped byte: the hash catches it. */
	for (size_t i = 0; i < len; i++) {
		memcpy(buf, orig, len);
		buf[i] ^= 0x40;
		CHECK(parse_copy(buf, len) == -EBADMSG, "byte %zu flipped: "
		      "accepted", i);
	}
	for (size_t cut = 0; cut < len; cut += 7)
		CHECK(parse_copy(orig, cut) == -EBADMSG, "cut to %zu bytes: "
		      "accepted", cut);
	memcpy(buf, orig, len);
	memset(buf + len, 0, 8);
	CHECK(parse_copy(buf, len + 8) == -EBADMSG, "trailing bytes accepted");

	/* Sealed again, so only the structural checks can refuse these. */
	memcpy(buf, orig, len);
	buf[0] = 'X';
	reseal(buf, len);
	CHECK(parse_copy(buf, len) == -EBADMSG, "bad magic accepted");

	/* An unterminated table name (the first table's name starts after
	 * the fixed header, which ends with the two 64-byte strings). */
	memcpy(buf, orig, len);
	memset(buf + len - SHA256_DIGEST_SIZE - sizeof(insns) -
	       2 * sizeof(struct bpf_image_table), 'A', BPF_IMAGE_NAME_LEN);
	reseal(buf, len);
	CHECK(parse_copy(buf, len) == -EBADMSG, "unterminated table name "
	      "accepted");
	free(buf);
}

static void check_relocation(void)
{
	struct bpf_image img;
	struct bpf_insn copy[sizeof(insns) / sizeof(insns[0])];
	int fds[BPF_IMAGE_MAX_TABLES] = { 100, 200 };
	size_t n = sizeof(copy) / sizeof(copy[0]);

	sample(&img);
	memcpy(copy, insns, sizeof(insns));
	CHECK(bpf_image_relocate(copy, n, &img, fds) == 0, "relocation failed");
	CHECK(copy[0].imm == 100, "first map reference: %d, expected 100",
	      copy[0].imm);
	CHECK(copy[3].imm == 200, "second map reference: %d, expected 200",
	      copy[3].imm);
	CHECK(copy[2].imm == 7 && copy[5].imm == 9,
	      "something other than a map reference was rewritten");

	memcpy(copy, insns, sizeof(insns));
	copy[3].imm = 8;
	CHECK(bpf_image_relocate(copy, n, &img, fds) == -EBADMSG,
	      "a reference to no table was accepted");
	memcpy(copy, insns, sizeof(insns));
	CHECK(bpf_image_relocate(copy, 4, &img, fds) == -EBADMSG,
	      "an ld_imm64 cut in half was accepted");
}

int main(void)
{
	struct bpf_image img;
	void *buf;
	size_t len;

	sample(&img);
	CHECK(bpf_image_serialize(&img, &buf, &len) == 0, "serialise failed");
	check_round_trip(buf, len);
	check_rejects(buf, len);
	free(buf);

	img.ntables = BPF_IMAGE_MAX_TABLES + 1;
	CHECK(bpf_image_serialize(&img, &buf, &len) == -E2BIG,
	      "too many tables serialised");
	check_relocation();
	return unit_finish();
}
