/*
 * The program as an image to load: from the cache, or compiled in the
 * compile child after the include path is checked, its headers checked
 * after, and then stored.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compile_child.h"
#include "header_manifest.h"
#include "header_tree.h"
#include "prog_cache.h"
#include "program.h"
#include "util.h"

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
