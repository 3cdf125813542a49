/*
 * The compile child: loads libbcc, compiles one request, sends the image.
 *
 * The tool runs for hours; linking libbcc would keep LLVM's ~100 MiB in it
 * for nothing after the first second.  So the tool never links libbcc: a
 * forked child dlopen()s it, compiles, writes a bpf_image to a pipe and
 * exits.  The parent (src/compiler.c) loads the image with the small
 * libbcc_bpf.  The child loads libbcc before it reads its request, so that
 * the parent can fork it early and do its own setup meanwhile.
 */
#define _GNU_SOURCE
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bcc/bcc_common.h>

#include "compile_child.h"
#include "fdio.h"
#include "util.h"

/*
 * The part of libbcc's C API the child uses: a field name and the function
 * it is resolved from.  Each pointer has the type of libbcc's own
 * declaration, so the compiler checks every call against the installed
 * libbcc (configure checked that each is declared).
 */
#define LIBBCC_FUNCTIONS(X) \
	X(create, bpf_module_create_c_from_string) \
	X(destroy, bpf_module_destroy) \
	X(license, bpf_module_license) \
	X(kern_version, bpf_module_kern_version) \
	X(function_start, bpf_function_start) \
	X(function_size, bpf_function_size) \
	X(num_tables, bpf_num_tables) \
	X(table_name, bpf_table_name) \
	X(table_fd_id, bpf_table_fd_id) \
	X(table_type_id, bpf_table_type_id) \
	X(table_key_size_id, bpf_table_key_size_id) \
	X(table_leaf_size_id, bpf_table_leaf_size_id) \
	X(table_max_entries_id, bpf_table_max_entries_id) \
	X(table_flags_id, bpf_table_flags_id)

#define LIBBCC_FIELD(field, fn) __typeof__(&fn) field;
struct libbcc {
	LIBBCC_FUNCTIONS(LIBBCC_FIELD)
};

/* Why libbcc is unusable; printed only if a compile is asked for. */
static char load_error[512];

static int resolve(void *lib, const char *name, void *fnp)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		snprintf(load_error, sizeof(load_error), "%s has no %s",
			 LIBBCC_SONAME, name);
		return -1;
	}
	memcpy(fnp, &sym, sizeof(sym));
	return 0;
}

static int open_libbcc(struct libbcc *bcc)
{
	/* Lazy: most of the 5,700 PLT slots of libbcc, clang and LLVM are
	 * never called here. */
	void *lib = dlopen(LIBBCC_SONAME, RTLD_LAZY | RTLD_LOCAL);
	int err = 0;

	if (!lib) {
		snprintf(load_error, sizeof(load_error), "cannot load the BPF "
			 "compiler: %s (install libbpfcc)", dlerror());
		return -1;
	}
#define LIBBCC_RESOLVE(field, fn) err |= resolve(lib, #fn, &bcc->field);
	LIBBCC_FUNCTIONS(LIBBCC_RESOLVE)
#undef LIBBCC_RESOLVE
	return err;
}

static int image_from_module(const struct libbcc *bcc, void *mod,
			     const char *func, unsigned int prog_type,
			     struct bpf_image *img)
{
	void *insns = bcc->function_start(mod, func);
	size_t size = bcc->function_size(mod, func);
	size_t n = bcc->num_tables(mod);

	memset(img, 0, sizeof(*img));
	if (!insns || !size || size > BPF_IMAGE_MAX_INSN_BYTES ||
	    n > BPF_IMAGE_MAX_TABLES) {
		fprintf(stderr, "%s: internal error: no usable %s in the "
			"compiled program\n", PROGRAM_NAME, func);
		return -1;
	}
	img->prog_type = prog_type;
	img->kern_version = bcc->kern_version(mod);
	snprintf(img->license, sizeof(img->license), "%s",
		 bcc->license(mod) ? bcc->license(mod) : "GPL");
	snprintf(img->func_name, sizeof(img->func_name), "%s", func);
	img->insns = insns;
	img->insn_bytes = (uint32_t)size;
	img->ntables = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct bpf_image_table *t = &img->tables[i];

		snprintf(t->name, sizeof(t->name), "%s",
			 bcc->table_name(mod, i));
		t->type = (uint32_t)bcc->table_type_id(mod, i);
		t->key_size = (uint32_t)bcc->table_key_size_id(mod, i);
		t->value_size = (uint32_t)bcc->table_leaf_size_id(mod, i);
		t->max_entries = (uint32_t)bcc->table_max_entries_id(mod, i);
		t->flags = (uint32_t)bcc->table_flags_id(mod, i);
		t->fd = bcc->table_fd_id(mod, i);
	}
	return 0;
}

/*
 * The request, as compiler.c writes it: the program type (native unsigned
 * int), then NUL-terminated strings: text, kernel source, function, cflags.
 */
struct request {
	unsigned int prog_type;
	const char *text, *kernel_source, *func;
	const char *argv[COMPILE_MAX_CFLAGS];
	int argc;
};

static int parse_request(char *buf, size_t len, struct request *rq)
{
	const char **fields[] = { &rq->text, &rq->kernel_source, &rq->func };
	char *p = buf + sizeof(rq->prog_type), *end = buf + len;

	if (len <= sizeof(rq->prog_type) || end[-1] != '\0')
		return -1;
	memcpy(&rq->prog_type, buf, sizeof(rq->prog_type));
	rq->argc = 0;
	for (size_t i = 0; p < end; i++, p += strlen(p) + 1) {
		if (i < 3)
			*fields[i] = p;
		else if (rq->argc < COMPILE_MAX_CFLAGS)
			rq->argv[rq->argc++] = p;
		else
			return -1;
	}
	return rq->func ? 0 : -1;
}

/*
 * The compiler's whole environment.  Nothing of the caller's reaches it:
 * ARCH, CPATH, C_INCLUDE_PATH or BCC_* would change what is compiled
 * without changing the cache key (and, under sudo, let a user steer what
 * root loads).  The cache key hashes this list instead.
 */
static const char *const child_environment[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	NULL,
};

const char *const *compile_child_environment(void)
{
	return child_environment;
}

/* Replaces the environment with child_environment. */
static int set_child_environment(void)
{
	if (clearenv() != 0)
		return -1;
	for (const char *const *e = child_environment; *e; e++)
		if (putenv((char *)*e) != 0)
			return -1;
	return 0;
}

/*
 * The parent may have moved into a mount namespace of its own, to mount
 * tracefs, after it forked this child: libbcc reads the tracepoint's
 * format file, so the child follows it there.  Whoever could unshare the
 * namespace can enter it.
 */
static int join_parent_mounts(void)
{
	char path[64];
	struct stat mine, theirs;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)getppid());
	if (stat("/proc/self/ns/mnt", &mine) < 0 || stat(path, &theirs) < 0)
		return -errno;
	if (mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNS) < 0)
		err = -errno;
	close(fd);
	return err;
}

void compile_child_main(int request_fd, int image_fd)
{
	struct request rq = { .func = NULL };
	bool loaded;
	struct libbcc bcc;
	struct bpf_image img;
	void *mod, *buf;
	char *req;
	ssize_t reqlen;
	size_t len;
	int err;

	ksym_lookup_enable();
	/* Before dlopen(): LLVM's initialisers may read it too. */
	if (set_child_environment() < 0)
		_exit(2);
	loaded = open_libbcc(&bcc) == 0;
	reqlen = read_all(request_fd, &req, COMPILE_MAX_REQUEST);
	if (reqlen <= 0)	/* the parent found the program elsewhere */
		_exit(0);
	if (!loaded) {
		fprintf(stderr, "%s: %s\n", PROGRAM_NAME, load_error);
		_exit(2);
	}
	if (parse_request(req, (size_t)reqlen, &rq) < 0) {
		fprintf(stderr, "%s: internal error: a malformed compile "
			"request\n", PROGRAM_NAME);
		_exit(2);
	}
	err = join_parent_mounts();
	if (err < 0) {
		fprintf(stderr, "%s: the compiler cannot enter the tool's "
			"mount namespace (where tracefs is): %s\n",
			PROGRAM_NAME, strerror(-err));
		_exit(2);
	}
	/*
	 * libbcc finds headers only through this variable or uname -r, and
	 * reads it when it compiles, not when it is loaded.
	 */
	if (setenv("BCC_KERNEL_SOURCE", rq.kernel_source, 1) < 0)
		_exit(2);
	mod = bcc.create(rq.text, 0, rq.argv, rq.argc, true, NULL);
	if (!mod)
		_exit(1);
	if (image_from_module(&bcc, mod, rq.func, rq.prog_type, &img) < 0 ||
	    bpf_image_serialize(&img, &buf, &len) < 0 ||
	    write_all(image_fd, buf, len) < 0)
		_exit(2);
	/*
	 * The parent takes the image at end of file: closing now spares it
	 * the wait for this exit, which unmaps over 100 MiB.  No other
	 * cleanup: exiting is the cheapest way to free the compiler.
	 */
	close(image_fd);
	_exit(0);
}
