/* Specialising, compiling and loading the embedded BPF program. */
#ifndef TCPLIFE_PROGRAM_H
#define TCPLIFE_PROGRAM_H

#include <stdbool.h>

#include "attach.h"
#include "bpf_image.h"
#include "btf_offsets.h"
#include "kfeatures.h"
#include "compile_child.h"
#include "kheaders.h"
#include "port_set.h"
#include "program_shape.h"
#include "tcplife_event.h"

#define PROGRAM_MAX_CFLAGS 48

/* The -D flags that turn the generic BPF text into this run's program. */
struct program_cflags {
	char *flag[PROGRAM_MAX_CFLAGS];
	int count;
	unsigned long map_entries;	/* TCPLIFE_MAP_ENTRIES */
	unsigned long untracked_entries; /* TCPLIFE_UNTRACKED_ENTRIES */
};

/*
 * SHAPE is what the options select (program_shape_from_options).
 * OFFSETS may be NULL: the program then takes the counters' layout from
 * the kernel headers.  METHOD is the resolved one (attach_resolve).  KF
 * says which helpers the kernel has.  HEADERS_SOURCE (may be NULL) is the
 * headers' source half, for the uapi structs libbcc's copy lacks.
 */
void program_cflags_build(struct program_cflags *cf,
			  const struct program_shape *shape,
			  const struct counter_offsets *offsets,
			  const struct attach_method *method,
			  const struct kfeatures *kf,
			  const char *headers_source);
void program_cflags_free(struct program_cflags *cf);

/* Descriptors of the loaded program and of the maps user space uses. */
struct loaded_program {
	int prog_fd;
	int events_fd;		/* BPF_PERF_OUTPUT(events) */
	int drops_fd;		/* BPF_PERCPU_ARRAY(drops) */
	int socks_fd;		/* BPF_HASH(socks): the sessions open */
	int config_fd;		/* BPF_ARRAY(config): the filters' values */
	int lport_fd;		/* BPF_ARRAY(lport_bitmap): -L's ports */
	int rport_fd;		/* BPF_ARRAY(rport_bitmap): -D's ports */
};

#define LOADED_PROGRAM_INIT { -1, -1, -1, -1, -1, -1, -1 }

void loaded_program_close(struct loaded_program *lp);

/*
 * Where compiled programs are cached (dir NULL disables the cache),
 * whether headers that others than root could change may be used, and
 * the compile child to use on a miss (started early, or here).
 */
struct program_cache_opts {
	const char *dir;
	bool any_headers;	/* --allow-untrusted-headers */
	bool must_store;	/* a program not stored is an error */
	struct compiler *compiler;
};

/*
 * Produces the program for this run as an image to load: from the cache,
 * or compiled against KH in the compile child and then stored in the
 * cache.  *FROM_CACHE says which.  Returns 0 or -errno, with a message.
 */
int program_build(const char *text, const struct program_cflags *cf,
		  const struct kheaders *kh, const struct attach_method *method,
		  const char *tracefs_dir, const struct program_cache_opts *cache,
		  struct bpf_image *img, bool *from_cache);

/*
 * program_build(), then loads the image (bound to TARGET, see
 * attach_load_target) and returns its descriptors.  On failure nothing
 * stays loaded and a message has been printed, except, when WHY is not
 * NULL, for the kernel's refusal of the program, which WHY describes
 * (see bpf_image_load); -errno.
 */
int program_load(const char *text, const struct program_cflags *cf,
		 const struct kheaders *kh, const struct attach_method *method,
		 const char *tracefs_dir, const struct program_cache_opts *cache,
		 const struct bpf_image_target *target,
		 struct bpf_load_refusal *why, struct loaded_program *lp);

/* Stores CFG in the config map, before attaching. */
int program_set_config(int map_fd, const struct tcplife_config *cfg);

/* Fills a port bitmap map from SET. */
int program_set_ports(int map_fd, const struct port_set *set);

/*
 * Prints the text exactly as compiled, preceded by its cflags and the
 * values the config map gets (CFG).
 */
void program_print(const char *text, const struct program_cflags *cf,
		   const struct tcplife_config *cfg);

#endif
