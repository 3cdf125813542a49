/* --info: what this host offers the tool, printed on stdout. */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "host.h"
#include "libbcc_version.h"
#include "privileges.h"

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
static void print_run_as(const char *user)
{
	struct run_as ra;

	privileges_plan(user, &ra);
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

void host_print_info(struct host *h)
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
		       host_headers_named(h), h->headers_err == -ELOOP ?
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
	host_choose_attach(h, false);
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
	       h->rq.attach ? "" :
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
	print_run_as(h->rq.user);
}
