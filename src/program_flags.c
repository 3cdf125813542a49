/*
 * The -D flags that turn the generic BPF text into this run's program,
 * and --ebpf's printout of both.
 */
#define _GNU_SOURCE
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters.h"
#include "program.h"
#include "uapi_compat.h"
#include "util.h"

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
