/*
 * The kernel's own headers, /sys/kernel/kheaders.tar.xz (CONFIG_IKHEADERS):
 * on Android, custom and embedded kernels often the only headers there
 * are.  libbcc's own fallback unpacks it under a predictable /tmp path;
 * here it goes into the tool's cache, root's alone, in a directory named
 * by the archive's SHA-256, with a manifest that shows any change made
 * after the extraction.  Unpacking it is kheaders_unpack.c's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_helper.h"
#include "kheaders_archive.h"
#include "kheaders_unpack.h"
#include "tree_manifest.h"
#include "util.h"

#define STAGE_PREFIX ".kheaders-"

static const char *const modprobe_paths[] = {
	"/sbin/modprobe", "/usr/sbin/modprobe", "/bin/modprobe",
	"/usr/bin/modprobe", NULL,
};

/*
 * Whether kheaders is a module of the running kernel, where kbuild puts
 * it: only then is modprobe worth a fork and exec at every start.
 */
static bool module_installed(const char *release)
{
	static const char *const suffixes[] = { "", ".xz", ".zst", ".gz" };

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *path = xasprintf("/lib/modules/%s/kernel/kernel/"
				       "kheaders.ko%s", release, suffixes[i]);
		bool found = access(path, F_OK) == 0;

		free(path);
		if (found)
			return true;
	}
	return false;
}

static int modprobe(char *const *argv)
{
	pid_t pid = exec_helper_start(modprobe_paths, argv, -1, -1, false);

	return pid < 0 ? pid : exec_helper_wait(pid);
}

/* Removes NAME under DIR_FD and all below it, following no link. */
static void remove_tree(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		unlinkat(dir_fd, name, 0);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			remove_tree(fd, de->d_name);
	closedir(d);
	unlinkat(dir_fd, name, AT_REMOVEDIR);
}

/* Stages that a killed start left behind: named after a gone PID. */
static void remove_stale_stages(int cache_fd)
{
	int fd = openat(cache_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		long pid = dot ? strtol(dot + 1, NULL, 10) : 0;

		if (!strncmp(de->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) &&
		    pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			remove_tree(cache_fd, de->d_name);
	}
	closedir(d);
}

/* The cache directory, created 0700; -EPERM unless root's alone. */
static int open_cache(const char *dir)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Headers in DIR/tree, refused unless of RELEASE. */
static int resolve_tree(struct kheaders_archive *ka, const char *dir,
			const char *release, struct kheaders *kh)
{
	char *tree = xasprintf("%s/tree", dir);
	int err = kheaders_resolve(tree, kh);

	free(tree);
	if (err || !kh->release) {
		kheaders_free(kh);
		snprintf(ka->why, sizeof(ka->why), "it holds no kernel headers "
			 "(include/generated/utsrelease.h)");
		return -ENOENT;
	}
	free(ka->release);
	ka->release = xstrdup(kh->release);
	if (strcmp(kh->release, release)) {
		kheaders_free(kh);
		ka->state = KARCHIVE_REFUSED;
		return -EPERM;
	}
	kh->origin = KHEADERS_ARCHIVE;
	return 0;
}

/*
 * An earlier extraction: 0 when unchanged since, -ENOENT when there is
 * none, -ESTALE (and ka->changed) when something in it changed.
 */
static int reuse(struct kheaders_archive *ka, const char *release,
		 struct kheaders *kh)
{
	char *old = NULL, *now = NULL, where[256];
	size_t olen = 0, nlen = 0;
	struct stat st;
	int fd, tree, err;

	fd = open(ka->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0) {
		ka->changed = xstrdup("its directory");
		return -ESTALE;
	}
	err = fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 077) ?
	      -EPERM : tree_manifest_load(fd, "manifest", &old, &olen);
	if (err) {
		close(fd);
		ka->changed = xstrdup(err == -EPERM ? "its directory" :
				      "its manifest");
		return -ESTALE;
	}
	tree = openat(fd, "tree", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		      O_CLOEXEC);
	close(fd);
	err = tree < 0 ? -errno : tree_manifest_build(tree, &now, &nlen);
	if (tree >= 0)
		close(tree);
	if (err) {
		free(old);
		ka->changed = xstrdup("tree");
		return -ESTALE;
	}
	err = tree_manifest_compare(old, olen, now, nlen, where,
				    sizeof(where));
	free(old);
	free(now);
	if (err) {
		ka->changed = xasprintf("tree/%s", where);
		return -ESTALE;
	}
	ka->state = KARCHIVE_REUSED;
	return resolve_tree(ka, ka->dir, release, kh);
}

static int extract(struct kheaders_archive *ka, const char *cache_dir,
		   const char *release, struct kheaders *kh)
{
	char *stage = xasprintf(STAGE_PREFIX "%s.%d", ka->sha256, (int)getpid());
	char *stage_path = xasprintf("%s/%s", cache_dir, stage);
	const char *final = strrchr(ka->dir, '/') + 1;
	int cache_fd = open_cache(cache_dir), stage_fd = -1, tree = -1, err;
	char *text = NULL;
	size_t len;

	err = cache_fd;
	if (cache_fd < 0) {
		snprintf(ka->why, sizeof(ka->why), "%s cannot hold it: %s",
			 cache_dir, cache_fd == -EPERM ? "not root's alone" :
			 strerror(-cache_fd));
		goto out;
	}
	remove_stale_stages(cache_fd);
	remove_tree(cache_fd, stage);
	if (mkdirat(cache_fd, stage, 0700) < 0 ||
	    (stage_fd = openat(cache_fd, stage, O_RDONLY | O_DIRECTORY |
			       O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = -errno;
		goto out;
	}
	if (mkdirat(stage_fd, "tree", 0755) < 0 ||
	    (tree = openat(stage_fd, "tree", O_RDONLY | O_DIRECTORY |
			   O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = -errno;
		goto out;
	}
	err = kheaders_unpack(KHEADERS_ARCHIVE_PATH, tree, ka->why,
			      sizeof(ka->why));
	if (!err) {
		err = resolve_tree(ka, stage_path, release, kh);
		kheaders_free(kh);
	}
	if (!err)
		err = tree_manifest_build(tree, &text, &len);
	if (!err)
		err = tree_manifest_save(stage_fd, "manifest", text, len);
	/*
	 * A tree found changed is replaced; one that another start has just
	 * put there is used instead of this one.
	 */
	if (!err && ka->changed)
		remove_tree(cache_fd, final);
	if (!err && renameat(cache_fd, stage, cache_fd, final) < 0)
		err = errno == EEXIST || errno == ENOTEMPTY ?
		      -EEXIST : -errno;
	if (err && !ka->why[0] && ka->state != KARCHIVE_REFUSED)
		snprintf(ka->why, sizeof(ka->why), "extracting it into %s "
			 "failed: %s", cache_dir, strerror(-err));
out:
	if (err && cache_fd >= 0)
		remove_tree(cache_fd, stage);
	free(text);
	if (tree >= 0)
		close(tree);
	if (stage_fd >= 0)
		close(stage_fd);
	if (cache_fd >= 0)
		close(cache_fd);
	free(stage);
	free(stage_path);
	if (err == -EEXIST)
		return reuse(ka, release, kh);
	if (err)
		return err;
	ka->state = KARCHIVE_EXTRACTED;
	return resolve_tree(ka, ka->dir, release, kh);
}

int kheaders_archive_use(const char *cache_dir, const char *running_release,
			 bool may_write, struct kheaders_archive *ka,
			 struct kheaders *kh)
{
	static char *const load[] = { "modprobe", "-q", "kheaders", NULL };
	static char *const unload[] = {
		"modprobe", "-q", "-r", "kheaders", NULL,
	};
	int err;

	memset(ka, 0, sizeof(*ka));
	memset(kh, 0, sizeof(*kh));
	/* Built as a module: only loaded, it offers the archive. */
	if (access(KHEADERS_ARCHIVE_PATH, F_OK) < 0) {
		if (!may_write || geteuid() != 0 ||
		    !module_installed(running_release) || modprobe(load) < 0 ||
		    access(KHEADERS_ARCHIVE_PATH, F_OK) < 0)
			return -ENOENT;
		ka->loaded_module = true;
	}
	/* Root's alone: the extraction is closed to everyone else. */
	if (geteuid() != 0) {
		ka->state = KARCHIVE_FAILED;
		snprintf(ka->why, sizeof(ka->why), "only root extracts it and "
			 "uses its extraction");
		return -ENOENT;
	}
	err = kheaders_archive_sha256(KHEADERS_ARCHIVE_PATH, ka->sha256);
	if (err) {
		snprintf(ka->why, sizeof(ka->why), "cannot read it: %s",
			 strerror(-err));
		ka->state = KARCHIVE_FAILED;
		goto out;
	}
	ka->dir = xasprintf("%s/kheaders-%s", cache_dir, ka->sha256);
	err = reuse(ka, running_release, kh);
	if ((err == -ENOENT || err == -ESTALE) && may_write)
		err = extract(ka, cache_dir, running_release, kh);
	else if (err == -ENOENT)
		ka->state = KARCHIVE_UNEXTRACTED;
	if (err && ka->state != KARCHIVE_REFUSED &&
	    ka->state != KARCHIVE_UNEXTRACTED)
		ka->state = KARCHIVE_FAILED;
	if (err && ka->state == KARCHIVE_FAILED && !ka->why[0])
		snprintf(ka->why, sizeof(ka->why), "its extraction in %s "
			 "changed (%s)", ka->dir, ka->changed);
out:
	if (ka->loaded_module)
		modprobe(unload);
	return err ? -ENOENT : 0;
}

void kheaders_archive_free(struct kheaders_archive *ka)
{
	free(ka->dir);
	free(ka->release);
	free(ka->changed);
	ka->dir = ka->release = ka->changed = NULL;
}
