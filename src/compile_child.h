/* Compiling the BPF text with libbcc in a short-lived child process. */
#ifndef TCPLIFE_COMPILE_CHILD_H
#define TCPLIFE_COMPILE_CHILD_H

#include <sys/types.h>

#include "bpf_image.h"

#define COMPILE_MAX_CFLAGS 64
#define COMPILE_MAX_REQUEST (1u << 20)
#define COMPILE_MAX_IMAGE (4u << 20)

/*
 * A compile child.  The compiler (libbcc, clang, LLVM: over 100 MiB) only
 * ever lives in it, and it exits once it has sent its one image.
 */
struct compiler {
	pid_t pid;		/* 0: not started */
	int request_fd;		/* -1 once the request is sent */
	int image_fd;
	int deps_fd;		/* a memfd for clang's dependency list */
};

#define COMPILER_INIT { 0, -1, -1, -1 }

/*
 * Forks the child, which starts loading libbcc at once: called as early as
 * it is known that a compile will be needed, the ~40 ms of loading overlap
 * with the parent's own setup.  Returns 0 or -errno.
 */
int compiler_start(struct compiler *c);

/*
 * Compiles TEXT with ARGV (ARGC compiler flags) against the headers in
 * KERNEL_SOURCE, and returns function FUNC as an image of PROG_TYPE,
 * starting the child first if needed.  The child runs with
 * compile_child_environment() as its whole environment.  Its diagnostics
 * go to stderr.  *DEPS gets the compiler's make-style list of the files
 * it read (malloc'd, *DEPS_LEN bytes), or NULL when it gave none.
 * Returns 0 or -errno, with a message printed.
 */
int compiler_compile(struct compiler *c, const char *text,
		     const char *const *argv, int argc,
		     const char *kernel_source, const char *func,
		     unsigned int prog_type, struct bpf_image *img,
		     char **deps, size_t *deps_len);

/*
 * The environment the compiler runs with (NULL-terminated "NAME=value"
 * strings), besides BCC_KERNEL_SOURCE=KERNEL_SOURCE: fixed, not the
 * caller's, so the cache key can cover it.
 */
const char *const *compile_child_environment(void);

/*
 * Reaps the child: waits for it to finish exiting after a compile, or
 * kills it if no compile was asked for.
 */
void compiler_stop(struct compiler *c);

/* The child's side: loads libbcc, reads a request, writes an image. */
void compile_child_main(int request_fd, int image_fd)
	__attribute__((noreturn));

/*
 * In the compile child only: answer libbcc's kernel-symbol existence checks
 * by a short scan (src/ksym_lookup.c) instead of its full symbol table.
 */
void ksym_lookup_enable(void);

#endif
