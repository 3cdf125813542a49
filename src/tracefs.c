/*
 * Making sure tracefs is reachable while the tracepoint is set up: libbcc
 * reads the tracepoint's format file to build TRACEPOINT_PROBE's argument
 * struct, and its id to attach.  Fresh machines often have it unmounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>

#include "tracefs.h"
#include "util.h"

static bool has_events(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events", dir);
	return path_is_dir(path);
}

void tracefs_probe(struct tracefs *tfs)
{
	tfs->mounted_here = false;
	if (has_events(TRACEFS_DIR))
		tfs->dir = TRACEFS_DIR;
	else if (has_events(DEBUGFS_TRACING_DIR))
		tfs->dir = DEBUGFS_TRACING_DIR;
	else
		tfs->dir = NULL;
}

int tracefs_ensure(struct tracefs *tfs)
{
	tracefs_probe(tfs);
	if (tfs->dir)
		return 0;
	if (mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL) < 0)
		return -errno;
	if (!has_events(TRACEFS_DIR)) {
		umount2(TRACEFS_DIR, MNT_DETACH);
		return -ENOENT;
	}
	tfs->dir = TRACEFS_DIR;
	tfs->mounted_here = true;
	return 0;
}

void tracefs_release(struct tracefs *tfs)
{
	/* Attached perf events keep working: they do not need the mount. */
	if (tfs->mounted_here)
		umount2(TRACEFS_DIR, MNT_DETACH);
	tfs->mounted_here = false;
}

bool tracefs_has_event(const struct tracefs *tfs, const char *category,
		       const char *name)
{
	char path[PATH_MAX];

	if (!tfs->dir)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tfs->dir,
		 category, name);
	return path_is_file(path);
}

bool tracefs_has_kprobes(const struct tracefs *tfs)
{
	char path[PATH_MAX];

	if (path_is_dir("/sys/bus/event_source/devices/kprobe"))
		return true;
	if (!tfs->dir)
		return false;
	snprintf(path, sizeof(path), "%s/kprobe_events", tfs->dir);
	return path_is_file(path);
}
