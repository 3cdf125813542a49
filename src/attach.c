/* Attaching the loaded program to the kernel, and detaching it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>

#include "attach.h"
#include "util.h"

#define TP_CATEGORY "sock"
#define TP_NAME "inet_sock_set_state"
#define KPROBE_TARGET "tcp_set_state"

enum attach_method attach_resolve(enum attach_method wanted,
				  const struct tracefs *tfs)
{
	if (wanted != ATTACH_AUTO)
		return wanted;
	if (tracefs_has_event(tfs, TP_CATEGORY, TP_NAME))
		return ATTACH_TRACEPOINT;
	if (tracefs_has_kprobes(tfs))
		return ATTACH_KPROBE;
	return ATTACH_AUTO;
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

int attach_program(int prog_fd, enum attach_method method,
		   struct attachment *att)
{
	memset(att, 0, sizeof(*att));
	att->method = method;
	if (method == ATTACH_KPROBE) {
		/* Unique per process, so concurrent runs do not collide. */
		snprintf(att->kprobe_event, sizeof(att->kprobe_event),
			 "tcplife_bcc_%d_" KPROBE_TARGET, (int)getpid());
		att->fd = bpf_attach_kprobe(prog_fd, BPF_PROBE_ENTRY,
					    att->kprobe_event, KPROBE_TARGET,
					    0, 0);
	} else {
		att->fd = bpf_attach_tracepoint(prog_fd, TP_CATEGORY, TP_NAME);
	}
	if (att->fd < 0) {
		int err = errno ? -errno : -EINVAL;

		att->kprobe_event[0] = '\0';
		return err;
	}
	if (method == ATTACH_KPROBE)
		att->kprobe_legacy = kprobe_listed(att->kprobe_event);
	return 0;
}

void detach_program(struct attachment *att)
{
	if (att->fd >= 0 && att->fd != 0)
		bpf_close_perf_event_fd(att->fd);
	att->fd = -1;
	if (att->kprobe_event[0])
		bpf_detach_kprobe(att->kprobe_event);
	att->kprobe_event[0] = '\0';
}
