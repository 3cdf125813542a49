/* Finding the kernel headers libbcc compiles the BPF program against. */
#ifndef TCPLIFE_KHEADERS_H
#define TCPLIFE_KHEADERS_H

#include <stdbool.h>

enum kheaders_origin {
	KHEADERS_OPTION,	/* --kernel-headers */
	KHEADERS_ENV,		/* $BCC_KERNEL_SOURCE */
	KHEADERS_RUNNING,	/* /lib/modules/$(uname -r) */
	KHEADERS_ARCHIVE,	/* the kernel's own, kheaders_archive.c */
	KHEADERS_NEAREST,	/* another release's headers */
};

struct kheaders {
	/*
	 * Debian and others split a header package in two: the source tree
	 * (include/linux/kconfig.h, ...) and the build tree with the
	 * generated files (include/generated/autoconf.h, ...).  Both are the
	 * same directory for an ordinary kernel build tree.
	 */
	char *source_dir;
	char *build_dir;
	char *release;		/* UTS_RELEASE of the headers, or NULL */
	char *entry;		/* the directory as named, made absolute */
	enum kheaders_origin origin;
};

/*
 * Finds headers: EXPLICIT_DIR when given, else $BCC_KERNEL_SOURCE, else the
 * running release's, else (when ALLOW_NEAREST) the installed release nearest
 * to RUNNING_RELEASE.  Returns 0, or -ENOENT with nothing found, or -ENOTDIR
 * when an explicitly named directory holds no usable headers, or -ELOOP
 * when its links go round in a circle.
 */
int kheaders_find(const char *explicit_dir, const char *running_release,
		  bool allow_nearest, struct kheaders *kh);

/* Resolves one candidate directory; exported for --info and tests. */
int kheaders_resolve(const char *dir, struct kheaders *kh);

void kheaders_free(struct kheaders *kh);

const char *kheaders_origin_name(enum kheaders_origin origin);

/* "x86" for x86_64 and so on: the kernel's name for the architecture. */
const char *kheaders_arch(void);

#endif
