/*
 * Whether the headers found can give correct results: found at all,
 * changeable only by root, and for the running kernel wherever the
 * program reads struct layouts from them.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "header_trust.h"
#include "host.h"
#include "util.h"

/* Why there are no offsets from BTF, for messages. */
static const char *no_btf_reason(const struct host *h)
{
	return h->btf_err == -ENOTSUP ?
	       "this build has no libbpf to read kernel BTF" :
	       "the kernel has no BTF";
}

/* Whether the program will read kernel structs through the headers. */
static bool needs_header_layouts(const struct host *h)
{
	return h->btf_err != 0 || (h->method && h->method->reads_structs);
}

/*
 * The trees, before anything is compiled: the files the compile reads are
 * checked again one by one afterwards (program_build.c).
 */
static int check_tree_trusted(const struct kheaders *kh, bool any_owner)
{
	char *dirs[] = {
		xstrdup(kh->source_dir), xstrdup(kh->build_dir),
		xstrdup(kh->entry ? kh->entry : kh->build_dir),
		/* A /lib/modules/RELEASE directory's links. */
		xasprintf("%s/build", kh->entry ? kh->entry : kh->build_dir),
		xasprintf("%s/source", kh->entry ? kh->entry : kh->build_dir),
	};
	struct header_trust_problem why;
	int err = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int e = i < 3 || access(dirs[i], F_OK) == 0 ?
			header_path_trusted(dirs[i], &why) : 0;

		if (!err)
			err = header_trust_verdict(e, &why, any_owner);
		free(dirs[i]);
	}
	return err;
}

/* What became of the kernel's own header archive, if it was looked at. */
static void report_archive(const struct host *h)
{
	const struct kheaders_archive *a = &h->archive;

	if (a->changed && a->state == KARCHIVE_EXTRACTED)
		warning_msg("the headers extracted from %s into %s were changed "
			    "after the extraction (%s): extracted them again",
			    KHEADERS_ARCHIVE_PATH, a->dir, a->changed);
	if (a->state == KARCHIVE_REFUSED)
		warning_msg("refusing the kernel's header archive %s: it is "
			    "for %s but the running kernel is %s",
			    KHEADERS_ARCHIVE_PATH, a->release, h->uts.release);
	else if (a->state == KARCHIVE_FAILED)
		warning_msg("cannot use the kernel's header archive %s: %s",
			    KHEADERS_ARCHIVE_PATH, a->why);
	else if (h->headers_err == 0 && h->kh.origin == KHEADERS_ARCHIVE)
		note_msg("no kernel headers installed for %s; using the "
			 "kernel's own from %s, %s %s%s", h->uts.release,
			 KHEADERS_ARCHIVE_PATH,
			 a->state == KARCHIVE_EXTRACTED ? "extracted now into" :
			 "extracted earlier into", a->dir, a->loaded_module ?
			 " (the kheaders module was loaded for it and "
			 "unloaded again)" : "");
}

int host_check_headers(struct host *h)
{
	const char *hrel;

	if (h->headers_err == -ELOOP) {
		error_msg("the links in %s go round in a circle: %s",
			  host_headers_named(h), strerror(ELOOP));
		return -ELOOP;
	}
	if (h->headers_err == -ENOTDIR) {
		error_msg("%s is not a kernel headers directory: expected "
			  "include/linux/kconfig.h, a build tree with "
			  "include/generated/autoconf.h, or a /lib/modules/"
			  "RELEASE directory", host_headers_named(h));
		return -ENOTDIR;
	}
	report_archive(h);
	if (h->headers_err) {
		error_msg("no kernel headers found for %s%s%s%s: install "
			  "linux-headers-%s, or pass --kernel-headers DIR",
			  h->uts.release, h->btf_err ? " (and " : "",
			  h->btf_err ? no_btf_reason(h) : "",
			  h->btf_err ? ")" : "", h->uts.release);
		return -ENOENT;
	}
	if (check_tree_trusted(&h->kh, h->rq.allow_untrusted_headers) < 0)
		return -EPERM;
	hrel = h->kh.release ? h->kh.release : "an unknown release";
	if (!h->headers_match && needs_header_layouts(h)) {
		if (!h->rq.allow_header_mismatch) {
			error_msg("the headers in %s are for %s but the "
				  "running kernel is %s, and %s: byte counts "
				  "would be wrong; install linux-headers-%s "
				  "or pass --kernel-headers DIR (or "
				  "--allow-header-mismatch to run anyway)",
				  h->kh.build_dir, hrel, h->uts.release,
				  h->btf_err ? no_btf_reason(h) :
					       "the program reads struct sock "
					       "from headers",
				  h->uts.release);
			return -EPERM;
		}
		warning_msg("compiling against headers for %s on %s: "
			    "struct layouts are unverified, so TX_KB/RX_KB "
			    "(and, with kprobes, addresses) may be wrong",
			    hrel, h->uts.release);
	} else if (h->kh.origin == KHEADERS_NEAREST) {
		note_msg("no kernel headers for %s; using %s's from "
			 "%s (byte counter offsets come from BTF)",
			 h->uts.release, hrel, h->kh.build_dir);
	}
	return 0;
}
