/*
 * Paths of cgroup v2 ids.  The BPF program records bpf_get_current_cgroup_id(),
 * which is the inode number of the cgroup's directory on cgroup2, so a
 * walk of the mount maps ids to paths.  Walks are cached and repeated only
 * for an unknown id, at most once a second: a cgroup removed since the
 * session closed stays unknown rather than costing a walk per row.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_paths.h"
#include "util.h"

/* Deeper than any real hierarchy; bounds the open directories. */
#define MAX_DEPTH 32

struct cgroup_path {
	uint64_t id;
	char *path;
};

void cgroup_paths_init(struct cgroup_paths *cp)
{
	char line[PATH_MAX + 256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	memset(cp, 0, sizeof(*cp));
	if (!f)
		return;
	/* Mount points with spaces are escaped (\040); cgroup2's are not. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %4095s %63s", dir, type) == 2 &&
		    !strcmp(type, "cgroup2")) {
			cp->root = xstrdup(dir);
			break;
		}
	fclose(f);
}

static void add_entry(struct cgroup_paths *cp, uint64_t id, const char *path)
{
	if (cp->count == cp->size) {
		cp->size = cp->size ? cp->size * 2 : 64;
		cp->entries = realloc(cp->entries,
				      cp->size * sizeof(*cp->entries));
		if (!cp->entries)
			die(EXIT_RUNTIME, "out of memory");
	}
	cp->entries[cp->count].id = id;
	cp->entries[cp->count++].path = xstrdup(path);
}

/* Records directory FD (PATH below the root) and everything below it. */
static void walk(struct cgroup_paths *cp, int fd, char *path, size_t len,
		 int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (fstat(fd, &st) == 0)
		add_entry(cp, (uint64_t)st.st_ino, len ? path : "/");
	if (depth >= MAX_DEPTH || !(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		int sub;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, "..") || len + 1 + n >= PATH_MAX)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		walk(cp, sub, path, len + 1 + n, depth + 1);
		path[len] = '\0';
	}
	closedir(d);
}

static int by_id(const void *a, const void *b)
{
	const struct cgroup_path *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void clear(struct cgroup_paths *cp)
{
	for (size_t i = 0; i < cp->count; i++)
		free(cp->entries[i].path);
	cp->count = 0;
}

static void rescan(struct cgroup_paths *cp)
{
	char path[PATH_MAX] = "";
	int fd;

	clear(cp);
	fd = open(cp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		walk(cp, fd, path, 0, 0);
	if (cp->count)
		qsort(cp->entries, cp->count, sizeof(*cp->entries), by_id);
}

static const char *find(const struct cgroup_paths *cp, uint64_t id)
{
	struct cgroup_path key = { .id = id }, *e;

	if (!cp->count)
		return NULL;
	e = bsearch(&key, cp->entries, cp->count, sizeof(*cp->entries), by_id);
	return e ? e->path : NULL;
}

const char *cgroup_paths_lookup(void *arg, uint64_t id)
{
	struct cgroup_paths *cp = arg;
	struct timespec now;
	const char *path;

	if (!cp->root || !id)
		return NULL;
	path = find(cp, id);
	if (path)
		return path;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (cp->scanned && now.tv_sec - cp->scanned < 1)
		return NULL;
	/* Never 0, so that the first walk is always done. */
	cp->scanned = now.tv_sec ? now.tv_sec : 1;
	rescan(cp);
	return find(cp, id);
}

void cgroup_paths_free(struct cgroup_paths *cp)
{
	clear(cp);
	free(cp->entries);
	free(cp->root);
	memset(cp, 0, sizeof(*cp));
}
