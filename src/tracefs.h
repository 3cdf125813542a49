/* Making sure tracefs is reachable while the tracepoint is set up. */
#ifndef TCPLIFE_TRACEFS_H
#define TCPLIFE_TRACEFS_H

#include <stdbool.h>

#define TRACEFS_DIR "/sys/kernel/tracing"
#define DEBUGFS_TRACING_DIR "/sys/kernel/debug/tracing"

struct tracefs {
	const char *dir;	/* where events/ is found, or NULL */
	bool mounted_here;	/* we mounted it, in our own mount namespace */
};

/* Where libbcc needs tracefs, and how a user mounts it there. */
const char *tracefs_libbcc_dir(void);
const char *tracefs_mount_command(void);

/* Finds tracefs without changing anything; dir is NULL when absent. */
void tracefs_probe(struct tracefs *tfs);

/*
 * Finds tracefs where libbcc looks for it; when absent there, moves the
 * process into a mount namespace of its own and mounts it there (nosuid,
 * nodev, noexec; with debugfs for libbcc before 0.26), so no other
 * process sees or depends on that mount.  Returns 0 or -errno.
 */
int tracefs_ensure(struct tracefs *tfs);

/* Forgets it; never unmounts (the private mount goes with the process). */
void tracefs_release(struct tracefs *tfs);

/* Whether events/CATEGORY/NAME/format exists. */
bool tracefs_has_event(const struct tracefs *tfs, const char *category,
		       const char *name);

/* Whether kprobes can be created (kprobe PMU or kprobe_events). */
bool tracefs_has_kprobes(const struct tracefs *tfs);

#endif
