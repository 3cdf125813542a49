/*
 * The ways of attaching the BPF program, in one table.  A new method is an
 * entry here, its entry point in bpf_text/tcplife.bpf.c and its paragraph
 * in the man page; --attach, --help, --info and the compile follow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/bpf.h>

#include "attach.h"
#include "test_hooks.h"
#include "util.h"

static long method_btf_id(const struct attach_method *m,
			  const struct counter_offsets *btf);

#define TP_CATEGORY "sock"
#define TP_NAME "inet_sock_set_state"
#define KPROBE_TARGET "tcp_set_state"

static bool tracepoint_available(const struct tracefs *tfs,
				 const struct counter_offsets *btf)
{
	(void)btf;
	return tracefs_has_event(tfs, TP_CATEGORY, TP_NAME);
}

/*
 * A BTF-typed tracepoint (tp_btf, Linux 5.5) is a raw tracepoint whose
 * program the verifier knows the argument types of, so it reads struct
 * sock with plain loads instead of helper calls: the cheapest per event.
 * It needs no tracefs: the tracepoint's BTF type proves it exists.
 */
static bool tp_btf_available(const struct tracefs *tfs,
			     const struct counter_offsets *btf)
{
	(void)tfs;
	return btf && kernel_offsets_raw_tp_ready(btf) &&
	       method_btf_id(attach_method_by_name("tp_btf"), btf) > 0;
}

/*
 * Bound to its tracepoint at load: the kernel takes no name here (the
 * call that attaches raw tracepoints, with none).
 */
static int tp_btf_attach(int prog_fd, struct attachment *att)
{
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
	fd = syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
	att->fd = (int)fd;
	return fd < 0 ? -errno : 0;
}

/*
 * A raw tracepoint runs its programs under a recursion guard of each
 * program's own, where a tracepoint's guard is per CPU and shared by every
 * tracing program: with another BPF tool attached, the kernel skips ours
 * whenever theirs is running on that CPU.  Its argument is the struct
 * sock itself, read at offsets from BTF (Linux 5.6 and later, where
 * sk_protocol is no bitfield).  Raw tracepoints exist since Linux 4.17.
 */
static bool raw_tracepoint_available(const struct tracefs *tfs,
				     const struct counter_offsets *btf)
{
	return btf && kernel_offsets_raw_tp_ready(btf) &&
	       (!tfs->dir || tracepoint_available(tfs, btf));
}

static int raw_tracepoint_attach(int prog_fd, struct attachment *att)
{
	att->fd = bpf_attach_raw_tracepoint(prog_fd, TP_NAME);
	return att->fd < 0 ? (errno ? -errno : -EINVAL) : 0;
}

static void fd_detach(struct attachment *att)
{
	if (att->fd > 0)
		close(att->fd);
}

static int tracepoint_attach(int prog_fd, struct attachment *att)
{
	att->fd = bpf_attach_tracepoint(prog_fd, TP_CATEGORY, TP_NAME);
	return att->fd < 0 ? (errno ? -errno : -EINVAL) : 0;
}

static void perf_event_detach(struct attachment *att)
{
	if (att->fd > 0)
		bpf_close_perf_event_fd(att->fd);
}

/*
 * Whether libbcc had to create the kprobe through kprobe_events (kernels
 * without the kprobe PMU): such an entry outlives us unless removed.
 */
static bool kprobe_listed(const char *event)
{
	static const char *const files[] = {
		TRACEFS_DIR "/kprobe_events",
		DEBUGFS_TRACING_DIR "/kprobe_events",
	};
	char buf[65536];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (read_small_file(files[i], buf, sizeof(buf)) == 0 &&
		    strstr(buf, event))
			return true;
	return false;
}

static int kprobe_attach(int prog_fd, struct attachment *att)
{
	/* Unique per process, so concurrent runs do not collide. */
	snprintf(att->event, sizeof(att->event),
		 "tcplife_bcc_%d_" KPROBE_TARGET, (int)getpid());
	att->fd = bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY, att->event,
				    KPROBE_TARGET, 0, 0);
	if (att->fd < 0) {
		int err = errno ? -errno : -EINVAL;

		att->event[0] = '\0';
		return err;
	}
	att->outlives_us = kprobe_listed(att->event);
	/*
	 * Made through the kprobe PMU (4.17+): the kprobe dies with its perf
	 * event, and there is no entry to remove.  libbcc's detach would
	 * still read kprobe_events to look for one, which fails once the
	 * tool has left root ("open(.../kprobe_events): Permission
	 * denied" at every exit), so it is not called.
	 */
	if (!att->outlives_us)
		att->event[0] = '\0';
	return 0;
}

/* Only a kprobe_events entry still ours (never left root) has a name. */
static void kprobe_detach(struct attachment *att)
{
	perf_event_detach(att);
	if (att->event[0])
		bpf_detach_kprobe(att->event);
}

static bool kprobe_available(const struct tracefs *tfs,
			     const struct counter_offsets *btf)
{
	(void)btf;
	return tracefs_has_kprobes(tfs);
}

/* In order of preference: auto takes the first the kernel offers. */
static const struct attach_method methods[] = {
	{
		.name = "tp_btf",
		.target = TP_NAME " (BTF-typed)",
		.available = tp_btf_available,
		.unavailable = "the BTF-typed tracepoint needs kernel BTF "
			       "describing struct sock and " TP_NAME
			       " (Linux 5.6 or later)",
		.prog_type = BPF_PROG_TYPE_TRACING,
		/* The typedef the kernel generates for each tracepoint. */
		.btf_target = "btf_trace_" TP_NAME,
		.btf_attach_type = BPF_TRACE_RAW_TP,
		.cflag = "-DTCPLIFE_ATTACH_TP_BTF",
		.func = "tp_btf__" TP_NAME,
		.reads_structs = false,
		.sock_offsets = true,
		.needs_tracefs = false,
		.format_file = NULL,
		.attach = tp_btf_attach,
		.detach = fd_detach,
	},
	{
		.name = "raw_tracepoint",
		.target = TP_NAME " (raw)",
		.available = raw_tracepoint_available,
		.unavailable = "the raw tracepoint needs " TP_CATEGORY ":"
			       TP_NAME " and kernel BTF describing struct sock "
			       "(Linux 5.6 or later)",
		.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT,
		.cflag = "-DTCPLIFE_ATTACH_RAW_TP",
		.func = "raw_tracepoint__" TP_NAME,
		.reads_structs = false,
		.sock_offsets = true,
		/*
		 * Attached by name: tracefs only confirms the tracepoint,
		 * which any kernel with BTF this complete has.
		 */
		.needs_tracefs = false,
		.format_file = NULL,
		.attach = raw_tracepoint_attach,
		.detach = fd_detach,
	},
	{
		.name = "tracepoint",
		.target = TP_CATEGORY ":" TP_NAME,
		.available = tracepoint_available,
		.unavailable = "the " TP_CATEGORY ":" TP_NAME " tracepoint "
			       "does not exist on this kernel (added in Linux "
			       "4.16)",
		.prog_type = BPF_PROG_TYPE_TRACEPOINT,
		.cflag = NULL,
		.func = "tracepoint__" TP_CATEGORY "__" TP_NAME,
		.reads_structs = false,
		.needs_tracefs = true,
		.format_file = "events/" TP_CATEGORY "/" TP_NAME "/format",
		.attach = tracepoint_attach,
		.detach = perf_event_detach,
	},
	{
		.name = "kprobe",
		.target = KPROBE_TARGET,
		.available = kprobe_available,
		.unavailable = "kprobes are not available on this kernel "
			       "(CONFIG_KPROBES is off)",
		.prog_type = BPF_PROG_TYPE_KPROBE,
		.cflag = "-DTCPLIFE_ATTACH_KPROBE",
		.func = "on_" KPROBE_TARGET,
		.reads_structs = true,
		/* Without the kprobe PMU, libbcc writes kprobe_events. */
		.needs_tracefs = true,
		.format_file = NULL,
		.attach = kprobe_attach,
		.detach = kprobe_detach,
	},
};

#define NR_METHODS (sizeof(methods) / sizeof(methods[0]))

const struct attach_method *attach_method_by_name(const char *name)
{
	for (size_t i = 0; i < NR_METHODS; i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}

const struct attach_method *attach_method_nth(unsigned int n)
{
	return n < NR_METHODS ? &methods[n] : NULL;
}

void attach_methods_list(char *buf, size_t size, const char *first)
{
	size_t len = (size_t)snprintf(buf, size, "%s", first);

	for (size_t i = 0; i < NR_METHODS && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i + 1 < NR_METHODS ? ", " : " or ",
					methods[i].name);
}

static bool offered(const struct attach_method *m, const struct tracefs *tfs,
		    const struct counter_offsets *btf)
{
	/* Those that need no tracefs judge for themselves (from BTF). */
	if (tfs->dir || !m->needs_tracefs)
		return m->available(tfs, btf);
	/*
	 * Unreadable tracefs (not root): assume a kernel from this decade,
	 * whose tracepoint exists.
	 */
	return m->available == tracepoint_available;
}

const struct attach_method *attach_resolve(const struct attach_method *wanted,
					   const struct tracefs *tfs,
					   const struct counter_offsets *btf)
{
	if (wanted)
		return wanted;
	for (size_t i = 0; i < NR_METHODS; i++)
		if (offered(&methods[i], tfs, btf))
			return &methods[i];
	return NULL;
}

int attach_check(const struct attach_method *method,
		 const struct tracefs *tfs, const struct counter_offsets *btf)
{
	char why[512] = "";
	size_t len = 0;

	if (method && method->available(tfs, btf))
		return 0;
	if (method) {
		error_msg("%s; use --attach auto", method->unavailable);
		return -ENOENT;
	}
	for (size_t i = 0; i < NR_METHODS && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
					i ? "; " : "", methods[i].unavailable);
	error_msg("nothing to attach to: %s", why);
	return -ENOENT;
}

const struct attach_method *attach_fallback(const struct attach_method *failed,
					    const struct tracefs *tfs,
					    const struct counter_offsets *btf)
{
	bool after = false;

	for (size_t i = 0; i < NR_METHODS; i++) {
		if (&methods[i] == failed)
			after = true;
		else if (after &&
			 methods[i].reads_structs == failed->reads_structs &&
			 offered(&methods[i], tfs, btf))
			return &methods[i];
	}
	return NULL;
}

/* Methods with a BTF target own the slots of counter_offsets in order. */
static long method_btf_id(const struct attach_method *m,
			  const struct counter_offsets *btf)
{
	int slot = 0;

	if (!m || !m->btf_target || !btf)
		return -1;
	for (const struct attach_method *p = methods; p < m; p++)
		slot += p->btf_target != NULL;
	return slot < MAX_BTF_TARGETS ? btf->btf_id[slot] : -1;
}

void attach_btf_targets(struct counter_offsets *off)
{
	int slot = 0;

	for (size_t i = 0; i < NR_METHODS && slot < MAX_BTF_TARGETS; i++)
		if (methods[i].btf_target)
			off->btf_target[slot++] = methods[i].btf_target;
}

void attach_load_target(const struct attach_method *method,
			const struct counter_offsets *btf,
			struct bpf_image_target *target)
{
	long id = method_btf_id(method, btf);
	const char *wrong;

	memset(target, 0, sizeof(*target));
	if (!method->btf_attach_type || id <= 0)
		return;
	target->expected_attach_type = method->btf_attach_type;
	target->attach_btf_id = (uint32_t)id;
	/*
	 * For tests (their build only): another BTF type id, which the
	 * kernel refuses as an older verifier might refuse the program
	 * (another tracepoint's: the verifier, with its log; no
	 * tracepoint's: before it).
	 */
	wrong = test_hook("WRONG_BTF_TARGET");
	if (wrong)
		target->attach_btf_id = (uint32_t)strtoul(wrong, NULL, 10);
}

int attach_program(int prog_fd, const struct attach_method *method,
		   struct attachment *att)
{
	memset(att, 0, sizeof(*att));
	att->method = method;
	return method->attach(prog_fd, att);
}

void detach_program(struct attachment *att)
{
	if (att->method && att->fd >= 0)
		att->method->detach(att);
	att->fd = -1;
	att->event[0] = '\0';
}
