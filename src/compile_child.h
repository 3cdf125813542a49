/* Compiling the BPF text with libbcc in a short-lived child process. */
#ifndef TCPLIFE_COMPILE_CHILD_H
#define TCPLIFE_COMPILE_CHILD_H

#include "bpf_image.h"

/*
 * Compiles TEXT with ARGV (ARGC compiler flags) against the headers in
 * KERNEL_SOURCE, and returns function FUNC as an image of PROG_TYPE.  The
 * compiler (libbcc, clang, LLVM: over 100 MiB) only ever lives in a forked
 * child that exits afterwards, with compile_child_environment() as its
 * whole environment.  Its diagnostics go to stderr.  *DEPS gets the
 * compiler's make-style list of the files it read (malloc'd, *DEPS_LEN
 * bytes), or NULL when it gave none.  Returns 0 or
 * -errno, with a message printed.
 */
/*
 * The environment the compiler runs with (NULL-terminated "NAME=value"
 * strings), besides BCC_KERNEL_SOURCE=KERNEL_SOURCE: fixed, not the
 * caller's, so the cache key can cover it.
 */
const char *const *compile_child_environment(void);

int compile_in_child(const char *text, const char *const *argv, int argc,
		     const char *kernel_source, const char *func,
		     unsigned int prog_type, struct bpf_image *img,
		     char **deps, size_t *deps_len);

/*
 * In the compile child only: answer libbcc's kernel-symbol existence checks
 * by a short scan (src/ksym_lookup.c) instead of its full symbol table.
 */
void ksym_lookup_enable(void);

#endif
