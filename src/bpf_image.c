/*
 * A compiled BPF program, independent of the process that compiled it.
 * Loading it needs only libbcc's small libbcc_bpf, never LLVM: the maps are
 * created here and the map references in the instructions (ld_imm64 with a
 * pseudo map fd) are pointed at them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/bpf.h>

#include "bpf_image.h"
#include "sha256.h"
#include "util.h"

#define IMAGE_MAGIC "tcplife-bcc image"
#define IMAGE_FORMAT 1

/* The fixed part of the serialised form; tables and instructions follow. */
struct image_header {
	char magic[24];
	uint32_t format;
	uint32_t header_size;	/* sizeof(struct image_header) */
	uint32_t table_size;	/* sizeof(struct bpf_image_table) */
	uint32_t prog_type;
	uint32_t kern_version;
	uint32_t ntables;
	uint32_t insn_bytes;
	uint32_t reserved;
	char license[BPF_IMAGE_NAME_LEN];
	char func_name[BPF_IMAGE_NAME_LEN];
};

int bpf_image_serialize(const struct bpf_image *img, void **buf, size_t *len)
{
	struct image_header h;
	size_t tables = img->ntables * sizeof(img->tables[0]);
	size_t body = sizeof(h) + tables + img->insn_bytes;
	char *p;

	if (img->ntables > BPF_IMAGE_MAX_TABLES ||
	    img->insn_bytes > BPF_IMAGE_MAX_INSN_BYTES)
		return -E2BIG;
	memset(&h, 0, sizeof(h));
	strcpy(h.magic, IMAGE_MAGIC);
	h.format = IMAGE_FORMAT;
	h.header_size = sizeof(h);
	h.table_size = sizeof(img->tables[0]);
	h.prog_type = img->prog_type;
	h.kern_version = img->kern_version;
	h.ntables = img->ntables;
	h.insn_bytes = img->insn_bytes;
	memcpy(h.license, img->license, sizeof(h.license));
	memcpy(h.func_name, img->func_name, sizeof(h.func_name));

	p = malloc(body + SHA256_DIGEST_SIZE);
	if (!p)
		return -ENOMEM;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), img->tables, tables);
	memcpy(p + sizeof(h) + tables, img->insns, img->insn_bytes);
	sha256(p, body, (uint8_t *)p + body);
	*buf = p;
	*len = body + SHA256_DIGEST_SIZE;
	return 0;
}

static int strings_terminated(const struct bpf_image *img)
{
	if (!memchr(img->license, 0, sizeof(img->license)) ||
	    !memchr(img->func_name, 0, sizeof(img->func_name)))
		return 0;
	for (uint32_t i = 0; i < img->ntables; i++)
		if (!memchr(img->tables[i].name, 0, sizeof(img->tables[i].name)))
			return 0;
	return 1;
}

static const struct bpf_image_table *table_by_fd(const struct bpf_image *img,
						 int32_t fd)
{
	for (uint32_t i = 0; i < img->ntables; i++)
		if (img->tables[i].fd == fd)
			return &img->tables[i];
	return NULL;
}

int bpf_image_check_insns(const struct bpf_image *img)
{
	const struct bpf_insn *insns = img->insns;
	size_t count = img->insn_bytes / sizeof(*insns);

	for (size_t i = 0; i < count; i++) {
		const struct bpf_insn *lo = &insns[i], *hi = &insns[i + 1];

		if (lo->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		/*
		 * The only 64-bit loads the program may carry are plain
		 * constants and references to its own maps.  Any other
		 * pseudo source (a map value, a BTF object, a function, an
		 * fd by index) would make the kernel resolve a number from
		 * the image against this process's descriptors or the
		 * kernel's objects: such an image is refused.
		 */
		if (i + 1 >= count || hi->code || hi->dst_reg ||
		    hi->src_reg || hi->off || lo->off)
			return -EBADMSG;
		if (lo->src_reg == BPF_PSEUDO_MAP_FD) {
			if (!table_by_fd(img, lo->imm) || hi->imm)
				return -EBADMSG;
		} else if (lo->src_reg) {
			return -EBADMSG;
		}
		i++;	/* the second half of the 16-byte instruction */
	}
	return 0;
}

int bpf_image_parse(const void *buf, size_t len, struct bpf_image *img)
{
	const char *p = buf;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct image_header h;
	size_t tables, body;

	memset(img, 0, sizeof(*img));
	if (len < sizeof(h) + SHA256_DIGEST_SIZE)
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (memcmp(h.magic, IMAGE_MAGIC, sizeof(IMAGE_MAGIC)) ||
	    h.format != IMAGE_FORMAT || h.header_size != sizeof(h) ||
	    h.table_size != sizeof(img->tables[0]) ||
	    h.ntables > BPF_IMAGE_MAX_TABLES ||
	    h.insn_bytes > BPF_IMAGE_MAX_INSN_BYTES || !h.insn_bytes ||
	    h.insn_bytes % sizeof(struct bpf_insn))
		return -EBADMSG;
	tables = h.ntables * sizeof(img->tables[0]);
	body = sizeof(h) + tables + h.insn_bytes;
	if (len != body + SHA256_DIGEST_SIZE)
		return -EBADMSG;
	sha256(p, body, digest);
	if (memcmp(digest, p + body, sizeof(digest)))
		return -EBADMSG;

	img->prog_type = h.prog_type;
	img->kern_version = h.kern_version;
	img->ntables = h.ntables;
	img->insn_bytes = h.insn_bytes;
	memcpy(img->license, h.license, sizeof(img->license));
	memcpy(img->func_name, h.func_name, sizeof(img->func_name));
	memcpy(img->tables, p + sizeof(h), tables);
	img->insns = malloc(h.insn_bytes);
	if (!img->insns)
		return -ENOMEM;
	memcpy(img->insns, p + sizeof(h) + tables, h.insn_bytes);
	if (!strings_terminated(img) || bpf_image_check_insns(img) < 0) {
		bpf_image_free(img);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Rewrites every map reference from the compiler's fds to NEW_FDS; the
 * image passed bpf_image_check_insns, which is checked again here.
 */
int bpf_image_relocate(struct bpf_insn *insns, size_t count,
		       const struct bpf_image *img, const int *new_fds)
{
	for (size_t i = 0; i < count; i++) {
		const struct bpf_image_table *t;

		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (i + 1 >= count)
			return -EBADMSG;
		if (insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
			t = table_by_fd(img, insns[i].imm);
			if (!t)
				return -EBADMSG;
			insns[i].imm = new_fds[t - img->tables];
		}
		i++;	/* the second half of the 16-byte instruction */
	}
	return 0;
}

static void close_maps(int *fds)
{
	for (uint32_t i = 0; i < BPF_IMAGE_MAX_TABLES; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/*
 * The last lines of LOG into WHY, and its reason: the last line but the
 * verifier's closing statistics ("processed N insns ...").
 */
static void keep_log_tail(const char *log, struct bpf_load_refusal *why)
{
	const char *tail = log + strlen(log);

	for (int lines = 0; tail > log && lines < 4; lines++)
		do
			tail--;
		while (tail > log && tail[-1] != '\n');
	snprintf(why->log_tail, sizeof(why->log_tail), "%s", tail);
	for (const char *line = tail; *line; line += strcspn(line, "\n"),
	     line += *line == '\n') {
		int len = (int)strcspn(line, "\n");

		if (len && strncmp(line, "processed ", 10))
			snprintf(why->reason, sizeof(why->reason), "%.*s",
				 len, line);
	}
}

/*
 * BPF_PROG_LOAD, tried again when it fails with EAGAIN: the verifier gives
 * up with EAGAIN when a signal is pending (the compile child's SIGCHLD,
 * say, which a traced process does not discard), as libbpf's loader also
 * allows for.
 */
static long prog_load(union bpf_attr *attr)
{
	long fd;
	int tries = 5;

	do
		fd = syscall(__NR_bpf, BPF_PROG_LOAD, attr, sizeof(*attr));
	while (fd < 0 && errno == EAGAIN && --tries > 0);
	return fd;
}

/* A log this large holds a whole 5.x verifier log of this program. */
#define VERIFIER_LOG_SIZE (16u << 20)

/*
 * libbcc's loader has no portable way to bind a program to a BTF type (its
 * signature for that changed between releases), so this one system call
 * is made here.  Before Linux 5.11 programs are charged to RLIMIT_MEMLOCK:
 * on EPERM the limit is raised, as libbcc does, and the load tried again.
 * A program the verifier rejects is loaded once more for its reasons.
 */
static int load_btf_bound(const struct bpf_image *img,
			  const struct bpf_insn *insns,
			  const struct bpf_image_target *target,
			  struct bpf_load_refusal *why)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	union bpf_attr attr;
	char *log;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = img->prog_type;
	attr.expected_attach_type = target->expected_attach_type;
	attr.attach_btf_id = target->attach_btf_id;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = img->insn_bytes / sizeof(*insns);
	attr.license = (uint64_t)(uintptr_t)img->license;
	attr.kern_version = img->kern_version;
	/* Up to 15 characters, all of them allowed in a program's name. */
	memcpy(attr.prog_name, img->func_name,
	       strnlen(img->func_name, sizeof(attr.prog_name) - 1));
	fd = prog_load(&attr);
	if (fd < 0 && errno == EPERM &&
	    setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0)
		fd = prog_load(&attr);
	if (fd >= 0 || errno != EACCES)
		return fd >= 0 ? (int)fd : -errno;
	log = malloc(VERIFIER_LOG_SIZE);
	if (!log)
		return -EACCES;
	log[0] = '\0';
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = VERIFIER_LOG_SIZE;
	attr.log_level = 1;
	fd = prog_load(&attr);
	if (fd < 0 && errno == ENOSPC)
		snprintf(why->log_tail, sizeof(why->log_tail),
			 "(the verifier's log is longer than %u MiB)\n",
			 VERIFIER_LOG_SIZE >> 20);
	else if (fd < 0)
		keep_log_tail(log, why);
	free(log);
	return fd >= 0 ? (int)fd : -EACCES;
}

void bpf_load_refusal_print(const struct bpf_load_refusal *why)
{
	error_msg("loading the BPF program failed: %s", strerror(-why->err));
	if (why->log_tail[0])
		fputs(why->log_tail, stderr);
}

int bpf_image_load(const struct bpf_image *img,
		   const struct bpf_image_target *target, int *prog_fd,
		   int fds[BPF_IMAGE_MAX_TABLES], struct bpf_load_refusal *why)
{
	struct bpf_load_refusal mine;
	struct bpf_insn *insns = NULL;
	int err = 0;

	if (!why)
		why = &mine;
	memset(why, 0, sizeof(*why));
	*prog_fd = -1;
	for (uint32_t i = 0; i < BPF_IMAGE_MAX_TABLES; i++)
		fds[i] = -1;
	for (uint32_t i = 0; i < img->ntables; i++) {
		const struct bpf_image_table *t = &img->tables[i];

		fds[i] = bcc_create_map(t->type, t->name, (int)t->key_size,
					(int)t->value_size,
					(int)t->max_entries, (int)t->flags);
		if (fds[i] < 0) {
			err = errno ? -errno : -EINVAL;
			error_msg("creating BPF map %s failed: %s", t->name,
				  strerror(-err));
			goto out;
		}
	}
	insns = malloc(img->insn_bytes);
	if (!insns) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(insns, img->insns, img->insn_bytes);
	err = bpf_image_check_insns(img);
	if (!err)
		err = bpf_image_relocate(insns,
					 img->insn_bytes / sizeof(*insns),
					 img, fds);
	if (err) {
		error_msg("the compiled program refers to an unknown map");
		goto out;
	}
	if (target && target->attach_btf_id) {
		*prog_fd = load_btf_bound(img, insns, target, why);
		errno = *prog_fd < 0 ? -*prog_fd : 0;
	} else {
		/* libbcc prints the verifier's log itself. */
		*prog_fd = bcc_prog_load(img->prog_type, img->func_name, insns,
					 (int)img->insn_bytes, img->license,
					 img->kern_version, 0, NULL, 0);
	}
	if (*prog_fd < 0) {
		err = errno ? -errno : -EINVAL;
		*prog_fd = -1;
		why->refused = true;
		why->err = err;
		if (why == &mine)
			bpf_load_refusal_print(why);
	}
out:
	free(insns);
	if (err)
		close_maps(fds);
	return err;
}

void bpf_image_free(struct bpf_image *img)
{
	free(img->insns);
	img->insns = NULL;
}
