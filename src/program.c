/*
 * Specialising, compiling and loading the embedded BPF program with
 * libbcc's C API.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/bpf.h>

#include "compile_child.h"
#include "filters.h"
#include "header_manifest.h"
#include "header_tree.h"
#include "prog_cache.h"
#include "program.h"
#include "uapi_compat.h"
#include "util.h"

/* The maps user space needs, by the names the BPF text gives them. */
static const struct map_role {
	const char *name;
	size_t fd_offset;	/* of its descriptor in struct loaded_program */
	bool required;		/* else the program may lack it */
} map_roles[] = {
	{ "events", offsetof(struct loaded_program, events_fd), true },
	{ "drops", offsetof(struct loaded_program, drops_fd), true },
	{ "socks", offsetof(struct loaded_program, socks_fd), true },
	{ "config", offsetof(struct loaded_program, config_fd), true },
	{ "lport_bitmap", offsetof(struct loaded_program, lport_fd), true },
	{ "rport_bitmap", offsetof(struct loaded_program, rport_fd), true },
};

#define NR_ROLES (sizeof(map_roles) / sizeof(map_roles[0]))

static int *role_fd(struct loaded_program *lp, const struct map_role *r)
{
	return (int *)((char *)lp + r->fd_offset);
}

void loaded_program_close(struct loaded_program *lp)
{
	if (lp->prog_fd >= 0)
		close(lp->prog_fd);
	lp->prog_fd = -1;
	for (size_t i = 0; i < NR_ROLES; i++) {
		int *fd = role_fd(lp, &map_roles[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/*
 * Loads IMG and keeps the descriptors of the maps with a role; the program
 * holds its own references to every map it uses.
 */
static int load_image(const struct bpf_image *img,
		      const struct bpf_image_target *target,
		      struct bpf_load_refusal *why, struct loaded_program *lp)
{
	int fds[BPF_IMAGE_MAX_TABLES];
	int err = 0;

	for (size_t i = 0; i < NR_ROLES; i++)
		*role_fd(lp, &map_roles[i]) = -1;
	err = bpf_image_load(img, target, &lp->prog_fd, fds, why);
	if (err)
		return err;
	for (size_t r = 0; r < NR_ROLES && !err; r++) {
		int *fd = role_fd(lp, &map_roles[r]);

		for (uint32_t i = 0; i < img->ntables; i++)
			if (!strcmp(img->tables[i].name, map_roles[r].name))
				/* Above 0-2, so it is never taken for stdio. */
				*fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (*fd < 0 && map_roles[r].required) {
			error_msg("internal error: the program has no %s map",
				  map_roles[r].name);
			err = -ENOENT;
		}
	}
	for (uint32_t i = 0; i < img->ntables; i++)
		close(fds[i]);
	if (err)
		loaded_program_close(lp);
	return err;
}

static void add_flag(struct program_cflags *cf, char *flag)
{
	if (cf->count >= PROGRAM_MAX_CFLAGS)
		die(EXIT_RUNTIME, "internal error: too many cflags");
	cf->flag[cf->count++] = flag;
}

/*
 * A text that reads no kernel struct (a tracepoint, offsets from BTF)
 * includes no kernel header of its own; libbcc's helpers.h still includes
 * <linux/log2.h> and <asm/page.h>, and uses them only in macros this text
 * never expands (ring buffers, stack traces).  Defining their include
 * guards skips them and what they pull in (bitops, page tables): a
 * quarter of the compile, which clang parses three times.  A guard named
 * otherwise on some release only means the header is parsed.
 */
static void skip_unused_headers(struct program_cflags *cf)
{
	const char *arch = kheaders_arch();

	add_flag(cf, xstrdup("-D_LINUX_LOG2_H"));
	if (!strcmp(arch, "x86"))
		add_flag(cf, xstrdup("-D_ASM_X86_PAGE_H"));
	else if (!strcmp(arch, "arm64"))
		add_flag(cf, xstrdup("-D__ASM_PAGE_H"));
}

void program_cflags_build(struct program_cflags *cf,
			  const struct program_shape *shape,
			  const struct counter_offsets *offsets,
			  const struct attach_method *method,
			  const struct kfeatures *kf,
			  const char *headers_source)
{
	const char *shape_flags[PROGRAM_SHAPE_MAX_FLAGS];
	const struct filter *filter;
	char *uapi = NULL;
	int nshape;

	memset(cf, 0, sizeof(*cf));
	/* Only these paths include kernel headers (see the BPF text). */
	if (headers_source && (method->reads_structs || !offsets))
		uapi = uapi_compat_defs(headers_source,
					LIBBCC_LIBDIR "/" LIBBCC_SONAME);
	if (uapi) {
		add_flag(cf, xasprintf("-DTCPLIFE_UAPI_COMPAT=%s", uapi));
		free(uapi);
	}
	if (method->cflag)
		add_flag(cf, xstrdup(method->cflag));
	if (!kfeature_usable(kf, KF_PROBE_READ_KERNEL))
		add_flag(cf, xstrdup("-DTCPLIFE_NO_PROBE_READ_KERNEL"));
	/*
	 * A filter whose test calls a helper is compiled in wherever the
	 * kernel has it: the kernel decides, never the options.
	 */
	for (unsigned int i = 0; (filter = filter_nth(i)); i++)
		if (filter->kernel_cflag &&
		    kfeature_usable(kf, filter->kfeature))
			add_flag(cf, xstrdup(filter->kernel_cflag));
	for (int i = 0; offsets && i < NR_KERNEL_OFFSETS; i++)
		/* struct sock's own fields: for the raw tracepoint only. */
		if (!kernel_offset_raw_tp(i) || method->sock_offsets)
			add_flag(cf, xasprintf("-D%s=%ld",
					       kernel_offset_macro(i),
					       offsets->off[i]));
	if (offsets && !method->reads_structs)
		skip_unused_headers(cf);
	nshape = program_shape_flags(shape, shape_flags);
	for (int i = 0; i < nshape; i++)
		add_flag(cf, xstrdup(shape_flags[i]));
	cf->map_entries = shape->map_entries;
	cf->untracked_entries = UNTRACKED_ENTRIES(shape->map_entries);
	add_flag(cf, xasprintf("-DTCPLIFE_MAP_ENTRIES=%lu", cf->map_entries));
	add_flag(cf, xasprintf("-DTCPLIFE_UNTRACKED_ENTRIES=%lu",
			       cf->untracked_entries));
	add_flag(cf, xasprintf("-DTCPLIFE_PORT_WORDS=%u", PORT_BITMAP_WORDS));
}

void program_cflags_free(struct program_cflags *cf)
{
	for (int i = 0; i < cf->count; i++)
		free(cf->flag[i]);
	cf->count = 0;
}

void program_print(const char *text, const struct program_cflags *cf,
		   const struct tcplife_config *cfg)
{
	printf("/* cflags:");
	for (int i = 0; i < cf->count; i++)
		printf(" %s", cf->flag[i]);
	printf(" config:");
#define PRINT_MEMBER(type, name) \
	printf(" %s=%llu", #name, (unsigned long long)cfg->name);
	TCPLIFE_CONFIG_MEMBERS(PRINT_MEMBER)
#undef PRINT_MEMBER
	printf(" */\n%s", text);
}

/*
 * Split header layouts need the build tree's generated headers on the
 * include path; libbcc itself only searches BCC_KERNEL_SOURCE.  Appended
 * after libbcc's own -I flags, so the source tree still wins.
 */
static int add_build_includes(const struct kheaders *kh, const char **argv,
			      int argc, char **owned, int *nowned)
{
	static const char *const subdirs[] = {
		"arch/%s/include/generated/uapi",
		"arch/%s/include/generated",
		"include",
		"include/generated/uapi",
	};

	if (!strcmp(kh->source_dir, kh->build_dir))
		return argc;
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char *sub = xasprintf(subdirs[i], kheaders_arch());

		owned[*nowned] = xasprintf("-I%s/%s", kh->build_dir, sub);
		argv[argc++] = owned[(*nowned)++];
		free(sub);
	}
	return argc;
}

/*
 * Before a compile: no directory clang looks in, nor link it may follow,
 * may be changed by anyone but root (or the user said otherwise), so
 * that what it reads stays where the check after the compile finds it.
 */
static int check_include_path(const struct kheaders *kh, bool any_headers)
{
	struct header_trust_problem why;

	/* The files read are still checked, and warned about, afterwards. */
	if (any_headers)
		return 0;
	return header_trust_verdict(header_tree_trusted(kh, &why), &why,
				    false);
}

/*
 * After it: every header the compile read must be root's alone (or the
 * user said otherwise); M gets their manifest.  A list that is missing or
 * names a file that is gone can no longer vouch for what was compiled,
 * so that is refused too: the program is not used, let alone cached.
 */
static int check_headers_read(const char *deps, size_t len,
			      const struct kheaders *kh, bool any_headers,
			      struct header_manifest *m)
{
	struct header_trust_problem why;
	int err = -ENODATA;

	memset(m, 0, sizeof(*m));
	if (deps)
		err = manifest_from_deps(deps, len, kh->source_dir, m);
	if (err && any_headers) {
		warning_msg("the compiler's list of the headers it read is "
			    "missing or cannot be checked (%s): using the "
			    "program anyway (--allow-untrusted-headers), "
			    "without caching it", strerror(-err));
		return 0;
	}
	if (err) {
		error_msg("refusing the compiled program: the compiler's list "
			  "of the headers it read is missing or cannot be "
			  "checked (%s), so someone other than root may have "
			  "changed what it read; pass "
			  "--allow-untrusted-headers to use it anyway",
			  strerror(-err));
		return -EPERM;
	}
	return header_trust_verdict(manifest_trusted(m, &why), &why,
				    any_headers);
}

/*
 * Maps sized at run time.  The compile child builds them with one entry
 * (libbcc creates every map it compiles), and the image gets their real
 * size before it is stored or loaded: a 16M-entry map is allocated once,
 * not also in the child.
 */
static const struct sized_map {
	const char *name;
	const char *macro;
	size_t entries_offset;	/* in struct program_cflags */
} sized_maps[] = {
	{ "socks", "TCPLIFE_MAP_ENTRIES",
	  offsetof(struct program_cflags, map_entries) },
	{ "untracked", "TCPLIFE_UNTRACKED_ENTRIES",
	  offsetof(struct program_cflags, untracked_entries) },
};

#define NR_SIZED (sizeof(sized_maps) / sizeof(sized_maps[0]))

/* ARGV for the compile child: the sized maps' -D flags say 1. */
static void child_cflags(const char **argv, int argc, const char **out,
			 char **owned, int *nowned)
{
	for (int i = 0; i < argc; i++) {
		out[i] = argv[i];
		for (size_t m = 0; m < NR_SIZED; m++) {
			size_t len = strlen(sized_maps[m].macro);

			if (strncmp(argv[i], "-D", 2) ||
			    strncmp(argv[i] + 2, sized_maps[m].macro, len) ||
			    argv[i][2 + len] != '=')
				continue;
			owned[*nowned] = xasprintf("-D%s=1",
						   sized_maps[m].macro);
			out[i] = owned[(*nowned)++];
		}
	}
}

static void size_maps(struct bpf_image *img, const struct program_cflags *cf)
{
	for (uint32_t i = 0; i < img->ntables; i++) {
		for (size_t m = 0; m < NR_SIZED; m++) {
			unsigned long n;

			if (strcmp(img->tables[i].name, sized_maps[m].name))
				continue;
			memcpy(&n, (const char *)cf +
			       sized_maps[m].entries_offset, sizeof(n));
			img->tables[i].max_entries = (uint32_t)n;
		}
	}
}

/*
 * A cache that cannot be written only costs the next start, unless
 * storing is the point (--warm-cache): then a program without a header
 * manifest, or one the cache refused, is an error.
 */
static int store(const struct program_cache_opts *cache,
		 const struct prog_cache_key *key,
		 const struct header_manifest *m, struct bpf_image *img)
{
	int err = m->n ? prog_cache_store(cache->dir, key, m, img) : -ENODATA;

	if (!err || !cache->must_store)
		return 0;
	error_msg("cannot store the compiled program in %s: %s", cache->dir,
		  m->n ? strerror(-err) : "no list of the headers it read");
	bpf_image_free(img);
	return err;
}

int program_build(const char *text, const struct program_cflags *cf,
		  const struct kheaders *kh, const struct attach_method *method,
		  const char *tracefs_dir, const struct program_cache_opts *cache,
		  struct bpf_image *img, bool *from_cache)
{
	const char *argv[PROGRAM_MAX_CFLAGS + 8];
	const char *cargv[PROGRAM_MAX_CFLAGS + 8];
	char *owned[8 + NR_SIZED], *format = NULL;
	int argc = 0, nowned = 0, err = 0;
	struct prog_cache_key key;

	*from_cache = false;
	for (int i = 0; i < cf->count; i++)
		argv[argc++] = cf->flag[i];
	argc = add_build_includes(kh, argv, argc, owned, &nowned);
	/*
	 * libbcc compiles with -g for the BTF it would load with the
	 * program; the image is loaded without BTF, so the debug info only
	 * cost time (the instructions are the same).  Last -g* wins.
	 */
	argv[argc++] = "-g0";

	if (cache->dir) {
		struct prog_cache_input in = {
			.text = text,
			.cflags = argv,
			.ncflags = argc,
			.headers_source = kh->source_dir,
			.headers_build = kh->build_dir,
			.headers_release = kh->release,
			.environment = compile_child_environment(),
		};

		if (method->format_file && tracefs_dir) {
			format = xasprintf("%s/%s", tracefs_dir,
					   method->format_file);
			in.tracepoint_format = format;
		}
		prog_cache_key(&in, &key);
		*from_cache = prog_cache_lookup(cache->dir, &key,
						cache->any_headers, img) == 0;
	}
	if (!*from_cache) {
		struct header_manifest m;
		char *deps;
		size_t dlen;

		err = check_include_path(kh, cache->any_headers);
		if (err)
			goto out;
		child_cflags(argv, argc, cargv, owned, &nowned);
		err = compiler_compile(cache->compiler, text, cargv, argc,
				       kh->source_dir, method->func,
				       method->prog_type, img, &deps, &dlen);
		if (err)
			goto out;
		size_maps(img, cf);
		err = check_headers_read(deps, dlen, kh, cache->any_headers,
					 &m);
		free(deps);
		if (err) {
			manifest_free(&m);
			bpf_image_free(img);
			goto out;
		}
		/*
		 * Only with a manifest: an entry that cannot be checked
		 * against its headers is never stored.
		 */
		if (cache->dir)
			err = store(cache, &key, &m, img);
		manifest_free(&m);
	}
out:
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	free(format);
	return err;
}

int program_load(const char *text, const struct program_cflags *cf,
		 const struct kheaders *kh, const struct attach_method *method,
		 const char *tracefs_dir, const struct program_cache_opts *cache,
		 const struct bpf_image_target *target,
		 struct bpf_load_refusal *why, struct loaded_program *lp)
{
	struct bpf_image img;
	bool from_cache;
	int err;

	if (why)
		memset(why, 0, sizeof(*why));
	err = program_build(text, cf, kh, method, tracefs_dir, cache, &img,
			    &from_cache);
	if (err)
		return err;
	err = load_image(&img, target, why, lp);
	bpf_image_free(&img);
	return err;
}

int program_set_config(int map_fd, const struct tcplife_config *cfg)
{
	__u32 zero = 0;

	return bpf_update_elem(map_fd, &zero, (void *)cfg, BPF_ANY) < 0 ?
	       -errno : 0;
}

int program_set_ports(int map_fd, const struct port_set *set)
{
	for (__u32 i = 0; i < PORT_BITMAP_WORDS; i++) {
		__u64 word = set->bits[i];

		if (!word)
			continue;
		if (bpf_update_elem(map_fd, &i, &word, BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}
