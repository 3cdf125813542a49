/* Finding the kernel headers libbcc compiles the BPF program against. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kheaders.h"
#include "util.h"

#define MODULES_DIR "/lib/modules"
#define USR_SRC_DIR "/usr/src"

static int has_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	return path_join(path, sizeof(path), dir, rel) == 0 &&
	       path_is_file(path);
}

static int is_source_tree(const char *dir)
{
	return has_file(dir, "include/linux/kconfig.h");
}

static int is_build_tree(const char *dir)
{
	return has_file(dir, "include/generated/autoconf.h");
}

/*
 * Debian's build directory has a one-line Makefile,
 * "include /usr/src/linux-headers-R-common/Makefile", naming its source half.
 */
static char *source_from_makefile(const char *build_dir)
{
	char path[PATH_MAX], buf[4096], *line, *save = NULL;

	if (path_join(path, sizeof(path), build_dir, "Makefile") < 0 ||
	    read_small_file(path, buf, sizeof(buf)) < 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *target, *slash;

		if (strncmp(line, "include ", 8))
			continue;
		target = line + 8;
		while (*target == ' ' || *target == '\t')
			target++;
		slash = strrchr(target, '/');
		if (!slash || strcmp(slash, "/Makefile"))
			continue;
		*slash = '\0';
		if (is_source_tree(target))
			return xstrdup(target);
	}
	return NULL;
}

/* UTS_RELEASE from the generated header, as the kernel build wrote it. */
static char *read_release(const char *build_dir)
{
	char path[PATH_MAX], buf[512], *start, *end;

	if (path_join(path, sizeof(path), build_dir,
		      "include/generated/utsrelease.h") == 0 &&
	    read_small_file(path, buf, sizeof(buf)) == 0 &&
	    (start = strstr(buf, "UTS_RELEASE \"")) &&
	    (end = strchr(start + 13, '"'))) {
		*end = '\0';
		return xstrdup(start + 13);
	}
	if (path_join(path, sizeof(path), build_dir,
		      "include/config/kernel.release") == 0 &&
	    read_small_file(path, buf, sizeof(buf)) == 0 && *buf) {
		buf[strcspn(buf, "\n")] = '\0';
		return xstrdup(buf);
	}
	return NULL;
}

/*
 * DEPTH counts the build links followed: a /lib/modules/RELEASE directory
 * has one, and a build link that leads to another such directory (or back
 * to itself: build -> .) is a loop, reported as -ELOOP instead of
 * recursing until the stack overflows.
 */
static int resolve(const char *dir, struct kheaders *kh, int depth)
{
	char sub[PATH_MAX], real[PATH_MAX];

	memset(kh, 0, sizeof(*kh));
	if (!realpath(dir, real))
		return -errno;

	/* A /lib/modules/RELEASE directory: follow its build/source links. */
	if (!is_build_tree(real) && !is_source_tree(real) &&
	    path_join(sub, sizeof(sub), real, "build") == 0 &&
	    path_is_dir(sub)) {
		int err = depth ? -ELOOP : resolve(sub, kh, depth + 1);
		char src[PATH_MAX], src_real[PATH_MAX], build_real[PATH_MAX];

		if (err != -ENOTDIR)
			return err;
		/* A build tree whose Makefile does not name its source. */
		if (path_join(src, sizeof(src), real, "source") < 0 ||
		    !is_source_tree(src) || !realpath(src, src_real) ||
		    !realpath(sub, build_real) || !is_build_tree(build_real))
			return -ENOTDIR;
		kh->source_dir = xstrdup(src_real);
		kh->build_dir = xstrdup(build_real);
		kh->release = read_release(build_real);
		return 0;
	}

	if (is_source_tree(real) && is_build_tree(real)) {
		kh->source_dir = xstrdup(real);
		kh->build_dir = xstrdup(real);
	} else if (is_build_tree(real)) {
		kh->source_dir = source_from_makefile(real);
		if (!kh->source_dir)
			return -ENOTDIR;
		kh->build_dir = xstrdup(real);
	} else {
		return -ENOTDIR;
	}
	kh->release = read_release(kh->build_dir);
	return 0;
}

int kheaders_resolve(const char *dir, struct kheaders *kh)
{
	int err = resolve(dir, kh, 0);
	char cwd[PATH_MAX];

	/* Its links are judged too (header_trust.c), so keep them. */
	if (!err)
		kh->entry = dir[0] == '/' || !getcwd(cwd, sizeof(cwd)) ?
			    xstrdup(dir) : xasprintf("%s/%s", cwd, dir);
	return err;
}

/* Orders releases by their leading numbers: "6.1.0-56-amd64" is 6.1.0. */
static long release_rank(const char *release)
{
	long part[3] = { 0, 0, 0 };
	const char *p = release;

	for (int i = 0; i < 3 && isdigit((unsigned char)*p); i++) {
		part[i] = strtol(p, (char **)&p, 10);
		if (*p == '.')
			p++;
	}
	if (part[2] > 255)
		part[2] = 255;
	return part[0] * 65536 + part[1] * 256 + part[2];
}

struct nearest {
	long target;
	long best_distance;
	struct kheaders best;
	int found;
};

static void consider(struct nearest *n, const char *dir)
{
	struct kheaders kh;
	long distance;

	if (kheaders_resolve(dir, &kh) < 0)
		return;
	if (!kh.release) {
		kheaders_free(&kh);
		return;
	}
	distance = labs(release_rank(kh.release) - n->target);
	/* On a tie prefer the newer headers: closer to a newer kernel. */
	if (!n->found || distance < n->best_distance ||
	    (distance == n->best_distance &&
	     strverscmp(kh.release, n->best.release) > 0)) {
		kheaders_free(&n->best);
		n->best = kh;
		n->best_distance = distance;
		n->found = 1;
	} else {
		kheaders_free(&kh);
	}
}

static void scan_dir(struct nearest *n, const char *parent, const char *prefix)
{
	DIR *d = opendir(parent);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.' ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		if (path_join(path, sizeof(path), parent, de->d_name) == 0)
			consider(n, path);
	}
	closedir(d);
}

static int find_nearest(const char *running_release, struct kheaders *kh)
{
	struct nearest n;

	memset(&n, 0, sizeof(n));
	n.target = release_rank(running_release);
	scan_dir(&n, MODULES_DIR, "");
	scan_dir(&n, USR_SRC_DIR, "linux-headers-");
	if (!n.found)
		return -ENOENT;
	*kh = n.best;
	kh->origin = KHEADERS_NEAREST;
	return 0;
}

int kheaders_find(const char *explicit_dir, const char *running_release,
		  bool allow_nearest, struct kheaders *kh)
{
	const char *env = getenv("BCC_KERNEL_SOURCE");
	char path[PATH_MAX];
	int err;

	if (explicit_dir || (env && *env)) {
		err = kheaders_resolve(explicit_dir ? explicit_dir : env, kh);
		kh->origin = explicit_dir ? KHEADERS_OPTION : KHEADERS_ENV;
		if (err == -ELOOP)
			return err;
		return err < 0 ? -ENOTDIR : 0;
	}
	if (path_join(path, sizeof(path), MODULES_DIR, running_release) == 0 &&
	    kheaders_resolve(path, kh) == 0) {
		kh->origin = KHEADERS_RUNNING;
		return 0;
	}
	if (!allow_nearest)
		return -ENOENT;
	return find_nearest(running_release, kh);
}

void kheaders_free(struct kheaders *kh)
{
	free(kh->source_dir);
	free(kh->build_dir);
	free(kh->release);
	free(kh->entry);
	kh->source_dir = kh->build_dir = kh->release = kh->entry = NULL;
}

const char *kheaders_origin_name(enum kheaders_origin origin)
{
	switch (origin) {
	case KHEADERS_OPTION:
		return "--kernel-headers";
	case KHEADERS_ENV:
		return "BCC_KERNEL_SOURCE";
	case KHEADERS_RUNNING:
		return "running kernel's";
	case KHEADERS_ARCHIVE:
		return "the kernel's own archive";
	case KHEADERS_NEAREST:
		break;
	}
	return "nearest installed release";
}

const char *kheaders_arch(void)
{
	static struct utsname un;

	if (uname(&un) < 0)
		return "x86";
	if (!strcmp(un.machine, "x86_64") || !strncmp(un.machine, "i", 1))
		return "x86";
	if (!strcmp(un.machine, "aarch64"))
		return "arm64";
	if (!strncmp(un.machine, "arm", 3))
		return "arm";
	if (!strncmp(un.machine, "ppc", 3))
		return "powerpc";
	if (!strcmp(un.machine, "s390x"))
		return "s390";
	if (!strncmp(un.machine, "riscv", 5))
		return "riscv";
	return un.machine;
}
