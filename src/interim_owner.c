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

static int by_inode(const void *a, const void *b)
{
	const struct owner_query *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

void interim_owner_sort(struct owner_query *q, size_t n)
{
	qsort(q, n, sizeof(*q), by_inode);
}

/*
 * The socket inode a /proc/PID/fd/N link names, or 0.  Parsed by hand:
 * a machine may hold tens of thousands of descriptors, each read here.
 */
static uint32_t socket_inode(int dirfd, const char *name)
{
	static const char prefix[] = "socket:[";
	char link[64];
	uint64_t ino = 0;
	ssize_t n = readlinkat(dirfd, name, link, sizeof(link) - 1);

	if (n < (ssize_t)sizeof(prefix) ||
	    memcmp(link, prefix, sizeof(prefix) - 1))
		return 0;
	for (ssize_t i = sizeof(prefix) - 1; i < n && link[i] != ']'; i++) {
		if (link[i] < '0' || link[i] > '9')
			return 0;
		ino = ino * 10 + (uint64_t)(link[i] - '0');
	}
	return (uint32_t)ino;
}

/*
 * Reads the links of PID's descriptors from the cursor's on, at most
 * *BUDGET of them; returns how many of Q it holds that were not found
 * yet.  Leaves the cursor at the first descriptor not read.
 */
static size_t scan_process(int proc_fd, uint32_t pid, struct owner_query *q,
			   size_t n, struct owner_cursor *c, size_t *budget,
			   bool *done)
{
	char path[32];
	struct dirent *de;
	DIR *dir;
	size_t found = 0;
	int fd;

	*done = true;
	snprintf(path, sizeof(path), "%u/fd", pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return 0;	/* gone, or not ours to read */
	}
	/* The kernel lists descriptors in increasing order. */
	while ((de = readdir(dir))) {
		struct owner_query key, *hit;
		uint32_t num;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		num = (uint32_t)strtoul(de->d_name, NULL, 10);
		if (num < c->fd)
			continue;
		if (!*budget) {
			c->fd = num;
			*done = false;
			break;
		}
		--*budget;
		key.inode = socket_inode(dirfd(dir), de->d_name);
		if (!key.inode)
			continue;
		hit = bsearch(&key, q, n, sizeof(*q), by_inode);
		if (hit && !hit->pid) {
			hit->pid = pid;
			found++;
		}
	}
	closedir(dir);
	return found;
}

/*
 * The processes that held the last owners found: a server's accepted
 * sockets are mostly its own, so new ones are found there at once rather
 * than when the round comes back to it.  At most SHARE of the budget: the
 * round goes on whatever they hold.
 */
static size_t scan_hints(int proc_fd, struct owner_query *q, size_t n,
			 struct owner_cursor *c, size_t *budget, size_t share)
{
	size_t found = 0, half = share, left = half;

	for (unsigned int i = 0; i < OWNER_HINTS && left && found < n; i++) {
		struct owner_hint *h = &c->hints[i];
		struct owner_cursor at = { .pid = h->pid, .fd = h->fd };
		bool done;

		if (!h->pid)
			continue;
		found += scan_process(proc_fd, h->pid, q, n, &at, &left,
				      &done);
		h->fd = done ? 0 : at.fd;	/* all read: again from 0 */
		h->cycled |= done;
	}
	*budget -= half - left;
	return found;
}

static bool is_hint(const struct owner_cursor *c, uint32_t pid)
{
	for (unsigned int h = 0; h < OWNER_HINTS; h++)
		if (c->hints[h].pid == pid)
			return true;
	return false;
}

/*
 * The round reached the end of /proc.  It skips the hints' processes, so
 * every process has been read since the last wrap only once each hint's
 * has been read to its end too; only then is it a wrap, after which a
 * session's owner not found is given up.
 */
static void count_wrap(struct owner_cursor *c)
{
	for (unsigned int h = 0; h < OWNER_HINTS; h++)
		if (c->hints[h].pid && !c->hints[h].cycled)
			return;
	for (unsigned int h = 0; h < OWNER_HINTS; h++)
		c->hints[h].cycled = false;
	c->wraps++;
}

/* Remembers the owners found, for scan_hints(). */
static void note_hints(const struct owner_query *q, size_t n,
		       struct owner_cursor *c)
{
	for (size_t i = 0; i < n; i++) {
		if (q[i].pid && !is_hint(c, q[i].pid)) {
			c->hints[c->next_hint].pid = q[i].pid;
			c->hints[c->next_hint].cycled = false;
			/* Where the round is in it, if there: read up to. */
			c->hints[c->next_hint].fd =
				q[i].pid == c->pid ? c->fd : 0;
			c->next_hint = (c->next_hint + 1) % OWNER_HINTS;
		}
	}
}

size_t interim_owner_scan(struct owner_query *q, size_t n,
			  struct owner_cursor *c, size_t budget)
{
	struct dirent *de;
	size_t found = 0;
	bool ended = false;
	DIR *proc;

	if (!n)
		return 0;
	proc = opendir("/proc");
	if (proc)
		found = scan_hints(dirfd(proc), q, n, c, &budget, budget / 2);
	/* Done once every inode asked for is found, or the budget spent. */
	while (proc && found < n && budget) {
		uint32_t pid;
		bool done;

		if (!(de = readdir(proc))) {
			ended = true;
			break;
		}
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		/* The kernel lists processes in increasing order too. */
		pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		if (pid < c->pid)
			continue;
		if (pid > c->pid) {
			c->pid = pid;
			c->fd = 0;
		}
		if (is_hint(c, pid)) {	/* scan_hints() reads it */
			c->pid = pid + 1;
			continue;
		}
		found += scan_process(dirfd(proc), pid, q, n, c, &budget,
				      &done);
		if (done) {
			c->pid = pid + 1;
			c->fd = 0;
		}
	}
	if (ended) {	/* the end of the list: from the start next */
		c->pid = 0;
		c->fd = 0;
		count_wrap(c);
	}
	/* What the round left unspent. */
	if (proc && found < n && budget)
		found += scan_hints(dirfd(proc), q, n, c, &budget, budget);
	if (proc)
		closedir(proc);
	note_hints(q, n, c);
	return found;
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

/* What a close would report of a process: read once per process. */
struct owner {
	uint32_t pid;
	bool known;
	char comm[TCPLIFE_COMM_LEN];
	uint32_t uid;
	uint64_t cgroup_id;
};

/* The real uid, as the program's bpf_get_current_uid_gid() gives it. */
static bool real_uid(uint32_t pid, uint32_t *uid)
{
	char path[64], buf[2048], *p;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nUid:");
	return p && sscanf(p + 5, "%u", uid) == 1;
}

static void read_owner(struct owner *w, uint32_t pid, const char *root)
{
	char path[64], comm[64];

	memset(w, 0, sizeof(*w));
	w->pid = pid;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	if (read_small_file(path, comm, sizeof(comm)) < 0 ||
	    !real_uid(pid, &w->uid))
		return;		/* it has just exited */
	comm[strcspn(comm, "\n")] = '\0';
	memcpy(w->comm, comm, strnlen(comm, sizeof(w->comm) - 1));
	w->cgroup_id = cgroup_of(pid, root, 0, &(bool){ false });
	w->known = true;
}

static void fill_owner(struct session *s, const struct owner *w)
{
	if (!w->known)
		return;
	memcpy(s->ev.comm, w->comm, sizeof(s->ev.comm));
	s->ev.pid = w->pid;
	s->ev.uid = w->uid;
	s->ev.cgroup_id = w->cgroup_id;
	s->owner_known = true;
}

static int by_pid(const void *a, const void *b)
{
	const struct owner_query *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

void interim_resolve_owners(struct interim *im, const char *cgroup_root,
			    size_t budget)
{
	struct owner_query *q = NULL;
	struct owner w = { .pid = 0 };
	size_t n = 0;

	for (size_t i = 0; i < im->cap; i++) {
		struct session *s = &im->pool[i];

		if (!s->used || s->owner_known || s->owner_tried ||
		    !(s->pending || s->listed) || !s->reading.inode)
			continue;
		if (!q)
			q = xcalloc(im->used, sizeof(*q));
		if (!s->owner_asked) {
			s->owner_asked = true;
			s->owner_wraps = im->owner_cursor.wraps;
			im->owner_asked++;
		}
		q[n].inode = s->reading.inode;
		q[n].slot = (uint32_t)i;
		n++;
	}
	if (!n)
		return;
	interim_owner_sort(q, n);
	if (interim_finder_ask(im, q, n, budget) < 0)	/* our own only */
		interim_owner_scan(q, n, &im->owner_cursor, budget);
	/* Each process's name, uid and cgroup read once, not per socket. */
	qsort(q, n, sizeof(*q), by_pid);
	for (size_t i = 0; i < n; i++) {
		struct session *s = &im->pool[q[i].slot];

		if (!q[i].pid) {
			/* Every process was read since it was first asked. */
			if (im->owner_cursor.wraps >= s->owner_wraps + 2)
				s->owner_tried = true;
			continue;
		}
		if (q[i].pid != w.pid)
			read_owner(&w, q[i].pid, cgroup_root);
		fill_owner(s, &w);
		im->owner_found += s->owner_known;
		s->owner_tried = true;
	}
	free(q);
}
