/* The unit tests' few helpers: checks that count failures, and temp dirs. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

int unit_failures;
static char tmpdir[PATH_MAX];

static void die_setup(const char *what, const char *path)
{
	fprintf(stderr, "unit: framework failure: %s %s: %s\n", what, path,
		strerror(errno));
	exit(99);	/* automake's hard error */
}

const char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/tcplife-unit.XXXXXX",
			 base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir))
			die_setup("mkdtemp", tmpdir);
	}
	return tmpdir;
}

static void make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			die_setup("mkdir", path);
		*p = '/';
	}
}

void unit_write(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	make_parents(path);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die_setup("writing", path);
}

void unit_link(const char *dir, const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	make_parents(path);
	if (symlink(target, path) < 0)
		die_setup("symlink", path);
}

int unit_finish(void)
{
	if (tmpdir[0]) {
		char cmd[PATH_MAX + 16];

		/* Kept when something failed, to look at. */
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (!unit_failures && system(cmd) != 0)
			fprintf(stderr, "unit: cannot remove %s\n", tmpdir);
		else if (unit_failures)
			fprintf(stderr, "unit: files kept in %s\n", tmpdir);
	}
	return unit_failures ? 1 : 0;
}
