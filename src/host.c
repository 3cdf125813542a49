/*
 * What this host offers the tool, and the rules for trusting it: byte
 * counters come from BTF when the kernel has it, otherwise from headers
 * that must belong to the running kernel.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "attach.h"
#include "header_trust.h"
#include "filters.h"
#include "host.h"
#include "libbcc_version.h"
#include "offsets_cache.h"
#include "privileges.h"
#include "prog_cache.h"
#include "util.h"

/* From the per-boot cache when possible: parsing BTF takes ~45 ms. */
static int host_btf_offsets(const struct options *opts,
			    struct counter_offsets *off)
{
	bool cache = !opts->no_cache && opts->cache_dir && geteuid() == 0;
	int err;

	attach_btf_targets(off);
	if (access(VMLINUX_BTF_PATH, R_OK) < 0)
		return -errno;
	/* Not even cached offsets: this build cannot vouch for them. */
	if (!btf_offsets_built)
		return -ENOTSUP;
	if (cache && offsets_cache_lookup(opts->cache_dir, off) == 0)
		return 0;
	err = btf_counter_offsets(VMLINUX_BTF_PATH, off);
	if (!err && cache)
		offsets_cache_store(opts->cache_dir, off);
	return err;
}

void host_discover(struct host *h, const struct options *opts)
{
	memset(h, 0, sizeof(*h));
	uname(&h->uts);
	h->btf_err = host_btf_offsets(opts, &h->offsets);
	h->headers_err = kheaders_find(opts->kernel_headers, h->uts.release,
				       false, &h->kh);
	/* The kernel's own next: made with it, so exactly its headers. */
	if (h->headers_err == -ENOENT)
		h->headers_err = kheaders_archive_use(opts->cache_dir,
						      h->uts.release,
						      !opts->print_info &&
						      !opts->print_ebpf,
						      &h->archive, &h->kh);
	/* Headers of another release are only safe when BTF gives layouts. */
	if (h->headers_err == -ENOENT && h->btf_err == 0)
		h->headers_err = kheaders_find(NULL, h->uts.release, true,
					       &h->kh);
	h->headers_match = h->headers_err == 0 && h->kh.release &&
			   !strcmp(h->kh.release, h->uts.release);
	kfeatures_probe(&h->kf);
}

int host_check_features(const struct host *h, const struct options *opts)
{
	const struct filter *filter;

	/* What each filter given needs, from the filter table. */
	for (unsigned int i = 0; (filter = filter_nth(i)); i++) {
		const struct kfeature *f;

		if (!(opts->filters_on & (1u << i)) || filter->kfeature < 0 ||
		    kfeature_usable(&h->kf, filter->kfeature))
			continue;
		f = &h->kf.f[filter->kfeature];
		error_msg("%s needs the BPF helper %s (Linux %s and later), "
			  "which this kernel (%s) lacks", f->used_by,
			  f->helper, f->since, h->uts.release);
		return -EOPNOTSUPP;
	}
	return 0;
}

const struct counter_offsets *host_offsets(const struct host *h)
{
	return h->btf_err == 0 ? &h->offsets : NULL;
}

/* Why there are no offsets from BTF, for messages. */
static const char *no_btf_reason(const struct host *h)
{
	return h->btf_err == -ENOTSUP ?
	       "this build has no libbpf to read kernel BTF" :
	       "the kernel has no BTF";
}

int host_choose_attach(struct host *h, const struct options *opts,
		       bool may_mount)
{
	int err;

	tracefs_probe(&h->tfs);
	h->method = attach_resolve(opts->attach, &h->tfs, host_offsets(h));
	/*
	 * A method that needs no tracefs (bound by BTF type or by name):
	 * then nothing is mounted, and no mount namespace made (no
	 * CAP_SYS_ADMIN needed).
	 */
	if (!may_mount || (h->method && !h->method->needs_tracefs))
		return 0;
	err = tracefs_ensure(&h->tfs);
	/* Where the events could not be seen, auto may now choose otherwise. */
	if (!err)
		h->method = attach_resolve(opts->attach, &h->tfs,
					   host_offsets(h));
	return err;
}

/* Whether the program will read kernel structs through the headers. */
static bool needs_header_layouts(const struct host *h)
{
	return h->btf_err != 0 || (h->method && h->method->reads_structs);
}

/*
 * The trees, before anything is compiled: the files the compile reads are
 * checked again one by one afterwards (program.c).
 */
static int check_tree_trusted(const struct kheaders *kh,
			      const struct options *opts)
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
			err = header_trust_verdict(e, &why,
						   opts->allow_untrusted_headers);
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

int host_check_headers(struct host *h, const struct options *opts)
{
	const char *hrel;

	if (h->headers_err == -ELOOP) {
		error_msg("the links in %s go round in a circle: %s",
			  opts->kernel_headers ? opts->kernel_headers :
			  "$BCC_KERNEL_SOURCE", strerror(ELOOP));
		return -ELOOP;
	}
	if (h->headers_err == -ENOTDIR) {
		error_msg("%s is not a kernel headers directory: expected "
			  "include/linux/kconfig.h, a build tree with "
			  "include/generated/autoconf.h, or a /lib/modules/"
			  "RELEASE directory",
			  opts->kernel_headers ? opts->kernel_headers :
			  "$BCC_KERNEL_SOURCE");
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
	if (check_tree_trusted(&h->kh, opts) < 0)
		return -EPERM;
	hrel = h->kh.release ? h->kh.release : "an unknown release";
	if (!h->headers_match && needs_header_layouts(h)) {
		if (!opts->allow_header_mismatch) {
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

/* --info's line on the kernel's own header archive, when it has one. */
static void print_archive_info(const struct host *h)
{
	const struct kheaders_archive *a = &h->archive;

	if (a->state == KARCHIVE_REUSED || a->state == KARCHIVE_EXTRACTED)
		printf("  from archive:    %s, SHA-256 %.16s..., unchanged "
		       "since its extraction\n", KHEADERS_ARCHIVE_PATH,
		       a->sha256);
	else if (a->state == KARCHIVE_REFUSED)
		printf("  kernel archive:  %s refused: for %s, not %s\n",
		       KHEADERS_ARCHIVE_PATH, a->release, h->uts.release);
	else if (a->state == KARCHIVE_FAILED)
		printf("  kernel archive:  %s unusable: %s\n",
		       KHEADERS_ARCHIVE_PATH, a->why);
}

static bool has_privileges(void)
{
	/* A cheap proxy for --info; the real check happens when loading. */
	return geteuid() == 0;
}

/* Who the tool is once attached: where --output's files come from. */
static void print_run_as(const struct options *opts)
{
	struct run_as ra;

	privileges_plan(opts->user, &ra);
	if (ra.user)
		printf("once attached:     %s (uid %u), no capability\n",
		       ra.user, (unsigned)ra.uid);
	else if (ra.stays == RUN_AS_UNUSED_ID)
		printf("once attached:     uid %u, unused (no %s account), no "
		       "capability\n", (unsigned)ra.uid,
		       PRIVILEGES_SYSTEM_USER);
	else if (ra.stays == RUN_AS_NO_ACCOUNT)
		printf("once attached:     uid 0, no capability (no %s "
		       "account)\n", PRIVILEGES_SYSTEM_USER);
	else
		printf("once attached:     uid %u, no capability\n",
		       (unsigned)ra.uid);
}

void host_print_info(struct host *h, const struct options *opts)
{
	const struct attach_method *m;
	bool mountable, mounted;

	printf("kernel release:    %s\n", h->uts.release);
	if (h->btf_err == 0)
		printf("kernel BTF:        %s (present)\n", VMLINUX_BTF_PATH);
	else if (h->btf_err == -ENOTSUP)
		printf("kernel BTF:        %s (present, unused: built without "
		       "libbpf)\n", VMLINUX_BTF_PATH);
	else if (h->btf_err == -ENOENT)
		printf("kernel BTF:        none (%s)\n", strerror(-h->btf_err));
	else	/* e.g. BTF kinds newer than this libbpf */
		printf("kernel BTF:        %s (present, unreadable: %s)\n",
		       VMLINUX_BTF_PATH, strerror(-h->btf_err));
	if (h->headers_err == 0) {
		printf("kernel headers:    %s (%s, release %s%s)\n",
		       h->kh.build_dir, kheaders_origin_name(h->kh.origin),
		       h->kh.release ? h->kh.release : "unknown",
		       h->headers_match ? ", matches" : ", does not match");
		if (strcmp(h->kh.source_dir, h->kh.build_dir))
			printf("  source half:     %s\n", h->kh.source_dir);
	} else if (h->archive.state == KARCHIVE_UNEXTRACTED) {
		printf("kernel headers:    none installed; a run extracts %s "
		       "into %s\n", KHEADERS_ARCHIVE_PATH, h->archive.dir);
	} else if (h->headers_err == -ENOTDIR || h->headers_err == -ELOOP) {
		printf("kernel headers:    %s is not a headers directory%s\n",
		       opts->kernel_headers ? opts->kernel_headers :
		       "$BCC_KERNEL_SOURCE", h->headers_err == -ELOOP ?
		       " (its links go round in a circle)" : "");
	} else {
		printf("kernel headers:    none found (install "
		       "linux-headers-%s)\n", h->uts.release);
	}
	print_archive_info(h);
	if (h->btf_err == 0)
		printf("tcp_sock offsets:  bytes_received %ld, bytes_acked "
		       "%ld (from BTF)\n", h->offsets.off[KOFF_RX],
		       h->offsets.off[KOFF_TX]);
	else
		printf("tcp_sock offsets:  from the kernel headers' struct "
		       "tcp_sock%s\n", btf_offsets_built ? "" :
		       " (BTF offsets unavailable: built without libbpf)");

	tracefs_probe(&h->tfs);
	/* libbcc before 0.26 needs it under debugfs (tracefs.c). */
	mountable = (!h->tfs.dir || strcmp(h->tfs.dir, tracefs_libbcc_dir())) &&
		    has_privileges();
	/* Mounted for this report whatever the method, so all can be seen. */
	mounted = mountable && tracefs_ensure(&h->tfs) == 0;
	host_choose_attach(h, opts, false);
	if (mounted && h->method && !h->method->needs_tracefs)
		printf("tracefs:           not mounted (not needed by %s; the "
		       "methods that need it mount it at %s in the tool's "
		       "own mount namespace)\n", h->method->name,
		       tracefs_libbcc_dir());
	else if (mounted)
		printf("tracefs:           not mounted (will be mounted at %s "
		       "in the tool's own mount namespace)\n",
		       tracefs_libbcc_dir());
	else if (h->tfs.dir)
		printf("tracefs:           %s\n", h->tfs.dir);
	else
		printf("tracefs:           not mounted (needs root to "
		       "mount)\n");
	for (unsigned int i = 0; (m = attach_method_nth(i)); i++) {
		char label[32];

		snprintf(label, sizeof(label), "%s:", m->name);
		printf("%-19s%s %s\n", label, m->target,
		       !h->tfs.dir && m->needs_tracefs ? "unknown" :
		       m->available(&h->tfs, host_offsets(h)) ? "available" :
		       "unavailable");
	}
	printf("attach method:     %s%s\n",
	       h->method ? h->method->name : "none available",
	       opts->attach ? "" :
	       h->tfs.dir || (h->method && !h->method->needs_tracefs) ?
	       " (auto)" : " (auto, assumed: tracefs unreadable)");
	tracefs_release(&h->tfs);
	for (int i = 0; i < KF_COUNT; i++) {
		const struct kfeature *f = &h->kf.f[i];
		char failed[96];

		snprintf(failed, sizeof(failed), "probe failed (%s), assumed "
			 "present", strerror(-f->err));
		printf("%-19s%s: %s (Linux %s and later; without it: %s)\n",
		       i ? "" : "BPF helpers:", f->helper,
		       f->state == KFEATURE_PRESENT ? "present" :
		       f->state == KFEATURE_MISSING ? "missing" :
		       f->state == KFEATURE_FAILED ? failed :
		       "not probed (needs root)", f->since, f->without);
	}
	printf("libbcc:            %s\n", LIBBCC_VERSION);
	printf("privileges:        %s\n", has_privileges() ? "root" :
	       "not root (tracing needs root or CAP_BPF+CAP_PERFMON)");
	print_run_as(opts);
}

void host_free(struct host *h)
{
	kheaders_archive_free(&h->archive);
	kheaders_free(&h->kh);
}
