/*
 * Making sure tracefs is reachable while the tracepoint is set up: libbcc
 * reads the tracepoint's format file to build TRACEPOINT_PROBE's argument
 * struct, and its id to attach.  Fresh machines often have it unmounted.
 *
 * When it is, the tool mounts it in a mount namespace of its own: other
 * processes never see the mount, so no other run can have it unmounted
 * under it (or unmount it under another), and it vanishes with the tool,
 * even one killed by SIGKILL.  The tool never unmounts anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
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
	/*
	 * Slave, not private: mounts made outside still reach us, ours
	 * never leave.  Once unshared, the namespace is ours alone (the
	 * compile child inherits it), so a failed mount leaves nothing.
	 */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount("tracefs", TRACEFS_DIR, "tracefs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	if (!has_events(TRACEFS_DIR))
		return -ENOENT;
	tfs->dir = TRACEFS_DIR;
	tfs->mounted_here = true;
	return 0;
}

void tracefs_release(struct tracefs *tfs)
{
	/*
	 * Nothing to unmount: a mount of ours is in our own namespace and
	 * goes with it.  Attached perf events do not need the mount.
	 */
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
