/*
 * The ways of attaching the BPF program to the kernel: one table, from
 * which --attach, --help, --info, the compile and the attach all read.
 */
#ifndef TCPLIFE_ATTACH_H
#define TCPLIFE_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf_image.h"
#include "btf_offsets.h"
#include "tracefs.h"

struct attachment;

struct attach_method {
	const char *name;		/* --attach value */
	const char *target;		/* what it attaches to, for messages */
	/*
	 * Whether this kernel offers it; TFS has been probed, BTF holds the
	 * offsets read from kernel BTF (NULL without BTF).
	 */
	bool (*available)(const struct tracefs *tfs,
			  const struct counter_offsets *btf);
	const char *unavailable;	/* why not, when it is not */
	unsigned int prog_type;		/* BPF_PROG_TYPE_* */
	/*
	 * For a program bound at load to a BTF type: that type (a typedef
	 * in vmlinux BTF, whose id is read with the offsets and cached with
	 * them) and its BPF_TRACE_* attach type; NULL and 0 for the others.
	 */
	const char *btf_target;
	unsigned int btf_attach_type;
	const char *cflag;		/* selects the entry in the text, or NULL */
	const char *func;		/* that entry's function name */
	/*
	 * Whether the entry reads kernel structs itself (through the
	 * headers' layouts, which BTF offsets cannot stand in for).
	 */
	bool reads_structs;
	/* Whether it reads struct sock at offsets from BTF (-D flags). */
	bool sock_offsets;
	/*
	 * Whether it needs tracefs mounted to be checked or attached; a
	 * method that needs none spares the mount (and CAP_SYS_ADMIN).
	 */
	bool needs_tracefs;
	/* File under tracefs whose content shapes the compiled program. */
	const char *format_file;
	int (*attach)(int prog_fd, struct attachment *att);
	void (*detach)(struct attachment *att);
};

struct attachment {
	int fd;				/* perf event holding the program */
	const struct attach_method *method;
	char event[64];			/* name registered for it, if any */
	bool outlives_us;		/* via kprobe_events: needs root at exit */
};

/* The method called NAME, or NULL. */
const struct attach_method *attach_method_by_name(const char *name);

/* The Nth method in order of preference, or NULL past the last. */
const struct attach_method *attach_method_nth(unsigned int n);

/* "FIRST, tracepoint or kprobe": every name, for --help and errors. */
void attach_methods_list(char *buf, size_t size, const char *first);

/*
 * The method for this run: WANTED itself when given (NULL is auto), else
 * the first in the table the kernel offers.  When tracefs could not be
 * looked at (tfs->dir NULL), auto means the first method.  Returns NULL
 * when auto finds none.  The one place a method is chosen.
 */
const struct attach_method *attach_resolve(const struct attach_method *wanted,
					   const struct tracefs *tfs,
					   const struct counter_offsets *btf);

/*
 * Whether METHOD (NULL: auto found none) can be attached here; prints why
 * not.  Returns 0 or -ENOENT.
 */
int attach_check(const struct attach_method *method,
		 const struct tracefs *tfs, const struct counter_offsets *btf);

/*
 * Under auto, the method to try when the kernel refused FAILED's program:
 * the next one offered with the same needs (headers' layouts or not), so
 * that what was checked for FAILED holds; NULL when there is none.
 */
const struct attach_method *attach_fallback(const struct attach_method *failed,
					    const struct tracefs *tfs,
					    const struct counter_offsets *btf);

/* Names the methods' BTF targets in OFF, before it is read or looked up. */
void attach_btf_targets(struct counter_offsets *off);

/*
 * What METHOD's program is bound to at load, from BTF's type ids: zero
 * (not bound) but for a BTF-typed method.
 */
void attach_load_target(const struct attach_method *method,
			const struct counter_offsets *btf,
			struct bpf_image_target *target);

int attach_program(int prog_fd, const struct attach_method *method,
		   struct attachment *att);
void detach_program(struct attachment *att);

#endif
