/*
 * Compiling the BPF text with libbcc in a short-lived child process.
 *
 * The tool runs for hours; linking libbcc would keep LLVM's ~100 MiB in it
 * for nothing after the first second.  So the tool never links libbcc: a
 * forked child dlopen()s it, compiles, writes a bpf_image to a pipe and
 * exits.  The parent loads the image with the small libbcc_bpf.
 */
#define _GNU_SOURCE
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile_child.h"
#include "util.h"

#define MAX_IMAGE_SIZE (4u << 20)

/* The part of libbcc's C API (bcc_common.h) the child uses. */
struct libbcc {
	void *(*create)(const char *, unsigned int, const char *[], int, bool,
			const char *);
	void (*destroy)(void *);
	char *(*license)(void *);
	unsigned int (*kern_version)(void *);
	void *(*function_start)(void *, const char *);
	size_t (*function_size)(void *, const char *);
	size_t (*num_tables)(void *);
	const char *(*table_name)(void *, size_t);
	int (*table_fd_id)(void *, size_t);
	int (*table_type_id)(void *, size_t);
	size_t (*table_key_size_id)(void *, size_t);
	size_t (*table_leaf_size_id)(void *, size_t);
	size_t (*table_max_entries_id)(void *, size_t);
	int (*table_flags_id)(void *, size_t);
};

static int resolve(void *lib, const char *name, void *fnp)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		fprintf(stderr, "%s: %s has no %s\n", PROGRAM_NAME,
			LIBBCC_SONAME, name);
		return -1;
	}
	memcpy(fnp, &sym, sizeof(sym));
	return 0;
}

static int open_libbcc(struct libbcc *bcc)
{
	void *lib = dlopen(LIBBCC_SONAME, RTLD_LAZY | RTLD_LOCAL);

	if (!lib) {
		fprintf(stderr, "%s: cannot load the BPF compiler: %s "
			"(install libbpfcc)\n", PROGRAM_NAME, dlerror());
		return -1;
	}
	return resolve(lib, "bpf_module_create_c_from_string", &bcc->create) |
	       resolve(lib, "bpf_module_destroy", &bcc->destroy) |
	       resolve(lib, "bpf_module_license", &bcc->license) |
	       resolve(lib, "bpf_module_kern_version", &bcc->kern_version) |
	       resolve(lib, "bpf_function_start", &bcc->function_start) |
	       resolve(lib, "bpf_function_size", &bcc->function_size) |
	       resolve(lib, "bpf_num_tables", &bcc->num_tables) |
	       resolve(lib, "bpf_table_name", &bcc->table_name) |
	       resolve(lib, "bpf_table_fd_id", &bcc->table_fd_id) |
	       resolve(lib, "bpf_table_type_id", &bcc->table_type_id) |
	       resolve(lib, "bpf_table_key_size_id", &bcc->table_key_size_id) |
	       resolve(lib, "bpf_table_leaf_size_id",
		       &bcc->table_leaf_size_id) |
	       resolve(lib, "bpf_table_max_entries_id",
		       &bcc->table_max_entries_id) |
	       resolve(lib, "bpf_table_flags_id", &bcc->table_flags_id);
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

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
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

/* Replaces the environment with child_environment plus the headers. */
static int set_child_environment(const char *kernel_source)
{
	if (clearenv() != 0)
		return -1;
	for (const char *const *e = child_environment; *e; e++)
		if (putenv((char *)*e) != 0)
			return -1;
	/* libbcc finds headers only through this variable or uname -r. */
	return setenv("BCC_KERNEL_SOURCE", kernel_source, 1);
}

static void __attribute__((noreturn))
child_main(int out, const char *text, const char *const *argv, int argc,
	   const char *kernel_source, const char *func,
	   unsigned int prog_type)
{
	struct libbcc bcc;
	struct bpf_image img;
	void *mod, *buf;
	size_t len;

	ksym_lookup_enable();
	/* Before dlopen(): LLVM's initialisers may read it too. */
	if (set_child_environment(kernel_source) < 0 || open_libbcc(&bcc) < 0)
		_exit(2);
	mod = bcc.create(text, 0, (const char **)argv, argc, true, NULL);
	if (!mod)
		_exit(1);
	if (image_from_module(&bcc, mod, func, prog_type, &img) < 0 ||
	    bpf_image_serialize(&img, &buf, &len) < 0 ||
	    write_all(out, buf, len) < 0)
		_exit(2);
	/* No cleanup: exiting is the cheapest way to free the compiler. */
	_exit(0);
}

static ssize_t read_image(int fd, char **out)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			if (cap >= MAX_IMAGE_SIZE) {
				free(buf);
				return -EFBIG;
			}
			bigger = realloc(buf, cap * 2);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	return (ssize_t)len;
}

/*
 * What the compiler read comes back as clang's own dependency list
 * (-MD -MF), written to a memfd: no file name anyone else could reach.
 */
#define MAX_DEPS_SIZE (4u << 20)

static int read_deps(int fd, char **deps, size_t *deps_len)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size > MAX_DEPS_SIZE)
		return -EBADMSG;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return -EIO;
	}
	*deps = buf;
	*deps_len = (size_t)st.st_size;
	return 0;
}

int compile_in_child(const char *text, const char *const *argv, int argc,
		     const char *kernel_source, const char *func,
		     unsigned int prog_type, struct bpf_image *img,
		     char **deps, size_t *deps_len)
{
	int pipefd[2], status, err, deps_fd;
	const char **full = xcalloc((size_t)argc + 4, sizeof(*full));
	char *buf = NULL, *deps_path;
	ssize_t len;
	pid_t pid;

	*deps = NULL;
	*deps_len = 0;
	deps_fd = memfd_create("tcplife-bcc-deps", MFD_CLOEXEC);
	if (deps_fd < 0) {
		free(full);
		return -errno;
	}
	deps_path = xasprintf("/proc/self/fd/%d", deps_fd);
	for (int i = 0; i < argc; i++)
		full[i] = argv[i];
	full[argc] = "-MD";
	full[argc + 1] = "-MF";
	full[argc + 2] = deps_path;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err = -errno;
		goto out_deps;
	}
	fflush(NULL);	/* the child must not repeat buffered output */
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		goto out_deps;
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_main(pipefd[1], text, full, argc + 3, kernel_source,
			   func, prog_type);
	}
	close(pipefd[1]);
	len = read_image(pipefd[0], &buf);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			free(buf);
			goto out_deps;
		}
	}

	if (WIFSIGNALED(status)) {
		error_msg("the BPF compiler was killed by signal %d (%s)",
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
		err = -EINTR;
	} else if (WEXITSTATUS(status) == 1) {
		error_msg("compiling the BPF program against the headers in "
			  "%s failed (see the compiler's messages above); "
			  "try --kernel-headers with headers for this kernel",
			  kernel_source);
		err = -EINVAL;
	} else if (WEXITSTATUS(status) != 0) {
		err = -EIO;	/* the child said why */
	} else if (len < 0) {
		error_msg("reading the compiled program failed: %s",
			  strerror((int)-len));
		err = (int)len;
	} else {
		err = bpf_image_parse(buf, (size_t)len, img);
		if (err)
			error_msg("internal error: the compiler returned a "
				  "malformed program image");
	}
	free(buf);
	/* Without a list, the caller cannot cache or check the headers. */
	if (!err && read_deps(deps_fd, deps, deps_len) < 0)
		*deps = NULL;
out_deps:
	close(deps_fd);
	free(deps_path);
	free(full);
	return err;
}
