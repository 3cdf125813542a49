/*
 * Walks the kernel headers' include directories before a compile: the
 * checks of the files clang read come after it has read them, so they
 * only hold if nobody but root could have renamed or replaced anything
 * on the way.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <search.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "header_tree.h"
#include "util.h"

/* Deeper than any kernel tree (include/ is at most ~6 levels). */
#define MAX_DEPTH 32
/*
 * A kernel's include directories hold a few thousand directories at most;
 * a link to / must not make a start walk the whole file system.
 */
#define MAX_DIRS 65536

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct walk {
	void *seen;		/* tsearch() tree of struct dir_id */
	size_t ndirs;
	struct header_trust_problem *why;
};

static int cmp_id(const void *a, const void *b)
{
	const struct dir_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/* Whether the directory ST was walked already (reached by another link). */
static int seen_before(struct walk *w, const struct stat *st)
{
	struct dir_id *id = xcalloc(1, sizeof(*id));
	void *node;

	id->dev = st->st_dev;
	id->ino = st->st_ino;
	node = tsearch(id, &w->seen, cmp_id);
	if (!node) {
		free(id);
		return -ENOMEM;
	}
	if (*(struct dir_id **)node != id) {
		free(id);
		return 1;
	}
	return ++w->ndirs > MAX_DIRS ? -E2BIG : 0;
}

static int visit(struct walk *w, const char *path, int depth);

static int walk_dir(struct walk *w, const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (errno = 0, de = readdir(d))) {
		char sub[PATH_MAX];

		/*
		 * Regular files are judged after the compile, from its list
		 * of what it read: with every directory root's alone, no one
		 * else can rename or replace them in between, and skipping
		 * them takes the walk from ~110 ms to a few on Debian's trees.
		 */
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    de->d_type == DT_REG)
			continue;
		err = path_join(sub, sizeof(sub), path, de->d_name);
		if (!err)
			err = visit(w, sub, depth + 1);
	}
	if (!err && errno)
		err = -errno;
	closedir(d);
	return err;
}

static int visit(struct walk *w, const char *path, int depth)
{
	struct stat st;
	int err;

	if (depth > MAX_DEPTH)
		return -ELOOP;
	if (lstat(path, &st) < 0)
		return -errno;
	err = header_inode_trusted(path, &st, false, w->why);
	if (err)
		return err;
	if (S_ISLNK(st.st_mode)) {
		/* The link's target and every directory on its way. */
		err = header_path_trusted(path, w->why);
		if (err)
			return err;
		if (stat(path, &st) < 0)
			return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	err = seen_before(w, &st);
	if (err)
		return err < 0 ? err : 0;
	return walk_dir(w, path, depth);
}

int header_tree_trusted(const struct kheaders *kh,
			struct header_trust_problem *why)
{
	const char *trees[] = { kh->source_dir, kh->build_dir };
	const char *subdirs[] = { "include", "arch/%s/include" };
	struct walk w = { .seen = NULL, .ndirs = 0, .why = why };
	int err = 0;

	for (size_t t = 0; !err && t < 2; t++) {
		if (t == 1 && !strcmp(trees[0], trees[1]))
			break;
		for (size_t s = 0; !err && s < 2; s++) {
			char *sub = xasprintf(subdirs[s], kheaders_arch());
			char *dir = xasprintf("%s/%s", trees[t], sub);
			struct stat st;

			/* Absent: clang reads nothing, only root adds it. */
			if (lstat(dir, &st) == 0 || errno != ENOENT)
				err = visit(&w, dir, 0);
			free(dir);
			free(sub);
		}
	}
	tdestroy(w.seen, free);
	return err;
}
