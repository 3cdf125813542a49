/*
 * Making sure tracefs is reachable while the tracepoint is set up: libbcc
 * reads the tracepoint's format file to build TRACEPOINT_PROBE's argument
 * struct, and its id to attach.  Fresh machines often have it unmounted.
 * libbcc before 0.26 looks only under debugfs (configure finds out), so
 * then it must be there, where mounting debugfs makes the kernel put it.
 *
 * When it is, the tool mounts it in a mount namespace of its own: other
 * processes never see the mount, so no other run can have it unmounted
 * under it (or unmount it under another), and it vanishes with the tool,
 * even one killed by SIGKILL.  The tool never unmounts anything.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "tracefs.h"
#include "util.h"

#define DEBUGFS_DIR "/sys/kernel/debug"
#define DEBUGFS_MAGIC 0x64626720

#ifdef LIBBCC_NEEDS_DEBUGFS_TRACING
/* Where libbcc reads tracefs, first. */
#define LIBBCC_TRACEFS_DIR DEBUGFS_TRACING_DIR
#define OTHER_TRACEFS_DIR TRACEFS_DIR
#else
#define LIBBCC_TRACEFS_DIR TRACEFS_DIR
#define OTHER_TRACEFS_DIR DEBUGFS_TRACING_DIR
#endif

static bool has_events(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events", dir);
	return path_is_dir(path);
}

const char *tracefs_libbcc_dir(void)
{
	return LIBBCC_TRACEFS_DIR;
}

const char *tracefs_mount_command(void)
{
	return !strcmp(LIBBCC_TRACEFS_DIR, DEBUGFS_TRACING_DIR) ?
	       "mount -t debugfs debugfs " DEBUGFS_DIR :
	       "mount -t tracefs tracefs " TRACEFS_DIR;
}

void tracefs_probe(struct tracefs *tfs)
{
	tfs->mounted_here = false;
	if (has_events(LIBBCC_TRACEFS_DIR))
		tfs->dir = LIBBCC_TRACEFS_DIR;
	else if (has_events(OTHER_TRACEFS_DIR))
		tfs->dir = OTHER_TRACEFS_DIR;
	else
		tfs->dir = NULL;
}

/*
 * Mounting debugfs brings tracefs along at debugfs/tracing (Linux 4.1
 * and later); tracefs is mounted there by hand only when debugfs is
 * already mounted without it.
 */
static int mount_for_libbcc(void)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct statfs st;

	if (!strcmp(LIBBCC_TRACEFS_DIR, DEBUGFS_TRACING_DIR) &&
	    (statfs(DEBUGFS_DIR, &st) < 0 || st.f_type != DEBUGFS_MAGIC))
		return mount("debugfs", DEBUGFS_DIR, "debugfs", flags, NULL);
	return mount("tracefs", LIBBCC_TRACEFS_DIR, "tracefs", flags, NULL);
}

int tracefs_ensure(struct tracefs *tfs)
{
	tracefs_probe(tfs);
	if (tfs->dir && !strcmp(tfs->dir, LIBBCC_TRACEFS_DIR))
		return 0;
	/*
	 * Slave, not private: mounts made outside still reach us, ours
	 * never leave.  Once unshared, the namespace is ours alone (the
	 * compile child inherits it), so a failed mount leaves nothing.
	 */
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	    mount_for_libbcc() < 0)
		return -errno;
	if (!has_events(LIBBCC_TRACEFS_DIR))
		return -ENOENT;
	tfs->dir = LIBBCC_TRACEFS_DIR;
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
