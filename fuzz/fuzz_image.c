/*
 * libFuzzer harness for the program image parser and relocator: what the
 * cache hands back is read from a file, so every byte of it is input.
 *
 * Input: one byte of mode, then the image.  With mode bit 0 set the input
 * is sealed here (its SHA-256 appended), so the checks behind the hash are
 * reached; otherwise it is parsed exactly as given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "bpf_image.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[BPF_IMAGE_MAX_TABLES];
	struct bpf_image img;
	uint8_t *buf;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	buf = malloc(len + SHA256_DIGEST_SIZE + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	if (data[0] & 1) {
		sha256(buf, len, buf + len);
		len += SHA256_DIGEST_SIZE;
	}
	if (bpf_image_parse(buf, len, &img) == 0) {
		for (int i = 0; i < BPF_IMAGE_MAX_TABLES; i++)
			fds[i] = 100 + i;
		/* The parser bounds the instructions: relocating them must
		 * stay inside what it returned. */
		bpf_image_relocate(img.insns, img.insn_bytes /
				   sizeof(struct bpf_insn), &img, fds);
		bpf_image_free(&img);
	}
	free(buf);
	return 0;
}
