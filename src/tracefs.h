/* Making sure tracefs is reachable while the tracepoint is set up. */
#ifndef TCPLIFE_TRACEFS_H
#define TCPLIFE_TRACEFS_H

#include <stdbool.h>

#define TRACEFS_DIR "/sys/kernel/tracing"
#define DEBUGFS_TRACING_DIR "/sys/kernel/debug/tracing"

struct tracefs {
	const char *dir;	/* where events/ is found, or NULL */
	bool mounted_here;	/* we mounted it and should unmount it */
};

/* Finds tracefs without changing anything; dir is NULL when absent. */
void tracefs_probe(struct tracefs *tfs);

/* Finds tracefs, mounting it at TRACEFS_DIR when needed; -errno. */
int tracefs_ensure(struct tracefs *tfs);

/* Unmounts it again if tracefs_ensure mounted it. */
void tracefs_release(struct tracefs *tfs);

/* Whether events/CATEGORY/NAME/format exists. */
bool tracefs_has_event(const struct tracefs *tfs, const char *category,
		       const char *name);

/* Whether kprobes can be created (kprobe PMU or kprobe_events). */
bool tracefs_has_kprobes(const struct tracefs *tfs);

#endif
