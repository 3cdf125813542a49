/*
 * Parsing and checking option values: numbers, port lists, cgroups.  Each
 * bad value is reported in one form, "invalid --OPTION argument: 'VALUE'",
 * with what was expected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "attach.h"
#include "option_values.h"
#include "util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#define NETNS_RUN_DIR "/run/netns"
#define CGROUP2_ROOT "/sys/fs/cgroup"
#define CGROUP2_HYBRID_ROOT "/sys/fs/cgroup/unified"

/* Reports a bad value; callers then return -EINVAL. */
int bad_argument(const char *option, const char *value,
			const char *hint)
{
	error_msg("invalid --%s argument: '%s'%s%s", option, value,
		  hint ? ": " : "", hint ? hint : "");
	return -EINVAL;
}

/* Whole decimal numbers only: no sign, no spaces, no trailing junk. */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static unsigned long perf_pages_max(void)
{
	long page = sysconf(_SC_PAGESIZE), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long max = 1;

	if (page <= 0)
		page = 4096;
	if (cpus <= 0)
		cpus = 1;
	while (max * 2 * (unsigned long)page * (unsigned long)cpus <=
	       PERF_MAX_TOTAL_BYTES)
		max *= 2;
	return max;
}

int parse_perf_pages(const char *arg, unsigned long *pages)
{
	unsigned long max = perf_pages_max();
	char hint[160];

	/* The kernel wants a power of two. */
	if (parse_ulong(arg, 1, max, pages) == 0 && !(*pages & (*pages - 1)))
		return 0;
	snprintf(hint, sizeof(hint), "expected a power of 2 from 1 to %lu "
		 "(at most %u MiB of buffers on this host's %ld CPUs)", max,
		 PERF_MAX_TOTAL_BYTES >> 20, sysconf(_SC_NPROCESSORS_ONLN));
	return bad_argument("perf-pages", arg, hint);
}

static void port_set_add(struct port_set *set, unsigned long first,
			 unsigned long last)
{
	for (unsigned long p = first; p <= last; p++) {
		uint64_t bit = UINT64_C(1) << (p & 63);

		if (!(set->bits[p >> 6] & bit)) {
			set->bits[p >> 6] |= bit;
			set->count++;
		}
	}
}

/* "80,443,8000-8080"; adds to *SET, allocating it on first use. */
int parse_ports(const char *option, const char *arg,
		       struct port_set **set)
{
	static const char hint[] =
		"expected ports 1-65535 or ranges such as 8000-8080, "
		"separated by commas";
	char *copy, *save = NULL, *item;
	int err = 0;

	/* strtok_r would skip empty items ("80,,81"), which we refuse. */
	if (!*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,"))
		return bad_argument(option, arg, hint);
	if (!*set)
		*set = xcalloc(1, sizeof(**set));
	copy = xstrdup(arg);
	for (item = strtok_r(copy, ",", &save); item && !err;
	     item = strtok_r(NULL, ",", &save)) {
		unsigned long first, last;
		char *dash = strchr(item, '-');

		if (dash)
			*dash = '\0';
		if (parse_ulong(item, 1, 65535, &first) < 0) {
			err = bad_argument(option, arg, hint);
			break;
		}
		last = first;
		if (dash && (parse_ulong(dash + 1, 1, 65535, &last) < 0 ||
			     last < first)) {
			err = bad_argument(option, arg, hint);
			break;
		}
		port_set_add(*set, first, last);
	}
	free(copy);
	return err;
}

/*
 * A cgroup v2 directory, as a path or relative to /sys/fs/cgroup.  The BPF
 * program needs its id (the directory's inode number on cgroup2) and its
 * depth below the hierarchy's root.
 */
int parse_cgroup(const char *arg, struct options *opts)
{
	static const char hint[] = "expected a cgroup v2 directory, such as "
				   "/sys/fs/cgroup/system.slice";
	char path[PATH_MAX], real[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	unsigned int level = 0;

	if (!*arg)
		return bad_argument("cgroup", arg, hint);
	/* Relative names: the unified mount, or its hybrid-mode place. */
	if (arg[0] == '/' || path_is_dir(arg))
		snprintf(path, sizeof(path), "%s", arg);
	else if (path_join(path, sizeof(path), CGROUP2_ROOT, arg) < 0 ||
		 (!path_is_dir(path) &&
		  path_join(path, sizeof(path), CGROUP2_HYBRID_ROOT, arg) < 0))
		return bad_argument("cgroup", arg, hint);
	if (!realpath(path, real) || stat(real, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || statfs(real, &sfs) < 0 ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC)
		return bad_argument("cgroup", arg, hint);
	/* Depth: how many parents are still on the same cgroup2 mount. */
	for (char *slash = strrchr(real, '/'); slash && slash != real;
	     slash = strrchr(real, '/')) {
		*slash = '\0';
		if (statfs(real, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
			break;
		level++;
	}
	opts->cgroup_path = arg;
	opts->filter.cgroup_id = (uint64_t)st.st_ino;
	opts->filter.cgroup_level = level;
	return 0;
}

int parse_uid(const char *arg, uint32_t *uid)
{
	unsigned long v;
	struct passwd *pw;

	/* (uid_t)-1 means "no user" to the kernel; nobody owns a socket so. */
	if (parse_ulong(arg, 0, UINT32_MAX - 1, &v) == 0) {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = *arg ? getpwnam(arg) : NULL;
	if (!pw)
		return bad_argument("uid", arg,
				    "expected a user ID or an existing user name");
	*uid = (uint32_t)pw->pw_uid;
	return 0;
}

/* Whether PATH is a network namespace file, such as /proc/PID/ns/net. */
static bool is_netns_file(const char *path, struct stat *st)
{
	struct statfs sfs;
	int fd, type;

	if (stat(path, st) < 0 || statfs(path, &sfs) < 0 ||
	    sfs.f_type != NSFS_MAGIC)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	type = ioctl(fd, NS_GET_NSTYPE);
	close(fd);
	return type == CLONE_NEWNET;
}

int parse_netns(const char *arg, uint32_t *inode)
{
	static const char hint[] = "expected a network namespace inode, a "
				   "file such as /proc/PID/ns/net or "
				   "/run/netns/NAME, or a NAME in /run/netns";
	char path[PATH_MAX];
	unsigned long v;
	struct stat st;

	if (parse_ulong(arg, 1, UINT32_MAX, &v) == 0) {
		*inode = (uint32_t)v;
		return 0;
	}
	if (!*arg)
		return bad_argument("netns", arg, hint);
	if (strchr(arg, '/'))
		snprintf(path, sizeof(path), "%s", arg);
	else if (path_join(path, sizeof(path), NETNS_RUN_DIR, arg) < 0)
		return bad_argument("netns", arg, hint);
	if (!is_netns_file(path, &st) || st.st_ino > UINT32_MAX)
		return bad_argument("netns", arg, hint);
	*inode = (uint32_t)st.st_ino;
	return 0;
}

int parse_attach(const char *arg, const struct attach_method **method)
{
	if (!strcmp(arg, "auto")) {
		*method = NULL;
		return 0;
	}
	*method = attach_method_by_name(arg);
	if (!*method) {
		char list[200], hint[220];

		attach_methods_list(list, sizeof(list), "auto");
		snprintf(hint, sizeof(hint), "expected %s", list);
		return bad_argument("attach", arg, hint);
	}
	return 0;
}
