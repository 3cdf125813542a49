/* Paths of cgroup v2 ids, for -e and JSON rows, found by walking cgroup2. */
#ifndef TCPLIFE_CGROUP_PATHS_H
#define TCPLIFE_CGROUP_PATHS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct cgroup_paths {
	char *root;		/* the cgroup2 mount; NULL: none */
	struct cgroup_path *entries;	/* sorted by id */
	size_t count, size;
	time_t scanned;		/* CLOCK_MONOTONIC seconds of the last walk */
};

/* Finds the cgroup2 mount; the walk waits until an id is asked for. */
void cgroup_paths_init(struct cgroup_paths *cp);

/*
 * The path of cgroup ID below the cgroup2 mount ("/" for its root), or
 * NULL when it is unknown (removed, or no cgroup2 mounted).  An unknown id
 * makes it walk the hierarchy again, at most once a second.  ARG is the
 * struct cgroup_paths, so that this fits struct row_format.
 */
const char *cgroup_paths_lookup(void *arg, uint64_t id);

void cgroup_paths_free(struct cgroup_paths *cp);

#endif
