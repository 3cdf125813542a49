/*
 * Owners of sockets the BPF program could not attribute (accepted ones,
 * before their close; those open at the start), found through /proc: the
 * process holding a file of the socket's inode.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interim_table.h"
#include "util.h"

struct wanted {
	uint32_t inode;
	uint32_t pid;		/* found: 0 if not */
	struct session *s;
};

static int by_inode(const void *a, const void *b)
{
	const struct wanted *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

/* The socket inode a /proc/PID/fd/N link names, or 0. */
static uint32_t socket_inode(int dirfd, const char *name)
{
	char link[64];
	unsigned long ino;
	ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);

	if (n < 9)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "socket:[%lu]", &ino) != 1)
		return 0;
	return (uint32_t)ino;
}

static void scan_process(const char *pid_name, struct wanted *w, size_t n)
{
	char path[300];
	struct dirent *de;
	DIR *dir;
	uint32_t pid = (uint32_t)strtoul(pid_name, NULL, 10);

	snprintf(path, sizeof(path), "/proc/%s/fd", pid_name);
	dir = opendir(path);
	if (!dir)
		return;		/* gone, or not ours to read */
	while ((de = readdir(dir))) {
		struct wanted key, *hit;

		if (de->d_name[0] == '.')
			continue;
		key.inode = socket_inode(dirfd(dir), de->d_name);
		if (!key.inode)
			continue;
		hit = bsearch(&key, w, n, sizeof(*w), by_inode);
		if (hit && !hit->pid)
			hit->pid = pid;
	}
	closedir(dir);
}

/*
 * The cgroup v2 id of PID (the inode of its cgroup's directory), and
 * whether that directory is WITHIN's or below it; 0 if unknown.
 */
static uint64_t cgroup_of(uint32_t pid, const char *root, uint64_t within,
			  bool *inside)
{
	char path[4200], line[4096];
	struct stat st;
	FILE *f;
	uint64_t id = 0;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", pid);
	f = root ? fopen(path, "re") : NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, sizeof(path), "%s%s", root, line + 3);
		if (stat(path, &st) == 0)
			id = st.st_ino;
		/* WITHIN is the directory itself or one of its ancestors. */
		for (size_t rl = strlen(root); within && !*inside;) {
			char *slash;

			*inside = stat(path, &st) == 0 &&
				  (uint64_t)st.st_ino == within;
			slash = strrchr(path, '/');
			if (!slash || (size_t)(slash - path) < rl)
				break;
			*slash = '\0';
		}
	}
	fclose(f);
	return id;
}

bool interim_in_cgroup(uint32_t pid, const char *root, uint64_t within)
{
	bool inside = false;

	cgroup_of(pid, root, within, &inside);
	return inside;
}

static void fill_owner(struct session *s, uint32_t pid, const char *root)
{
	char path[64], comm[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	n = read_small_file(path, comm, sizeof(comm));
	if (n < 0)
		return;		/* it has just exited */
	comm[strcspn(comm, "\n")] = '\0';
	memset(s->ev.comm, 0, sizeof(s->ev.comm));
	memcpy(s->ev.comm, comm, strnlen(comm, sizeof(s->ev.comm) - 1));
	s->ev.pid = pid;
	s->ev.cgroup_id = cgroup_of(pid, root, 0, &(bool){ false });
	s->owner_known = true;
}

void interim_resolve_owners(struct interim *im, const char *cgroup_root)
{
	struct wanted *w = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *proc;

	for (size_t i = 0; i < im->cap; i++) {
		struct session *s = &im->pool[i];

		if (!s->used || s->owner_known || s->owner_tried ||
		    !(s->pending || s->listed) || !s->reading.inode)
			continue;
		if (!w)
			w = xcalloc(im->used, sizeof(*w));
		s->owner_tried = true;
		w[n].inode = s->reading.inode;
		w[n].s = s;
		n++;
	}
	if (!n)
		return;
	qsort(w, n, sizeof(*w), by_inode);
	proc = opendir("/proc");
	while (proc && (de = readdir(proc)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			scan_process(de->d_name, w, n);
	if (proc)
		closedir(proc);
	for (size_t i = 0; i < n; i++)
		if (w[i].pid)
			fill_owner(w[i].s, w[i].pid, cgroup_root);
	free(w);
}
