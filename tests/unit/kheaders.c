/*
 * Unit test: finding kernel headers, on fake trees: whole and split
 * layouts, /lib/modules-style links, symlinks and loops.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kheaders.h"
#include "unit.h"

static char root[PATH_MAX];

static void source_half(const char *rel)
{
	unit_write(root, rel, "");
	/* rel is DIR/include/linux/kconfig.h; DIR gets a Makefile too. */
}

static void build_half(const char *dir, const char *release,
		       const char *source_makefile)
{
	char rel[PATH_MAX], text[PATH_MAX + 32];

	snprintf(rel, sizeof(rel), "%s/include/generated/autoconf.h", dir);
	unit_write(root, rel, "#define CONFIG_X86 1\n");
	if (release) {
		snprintf(rel, sizeof(rel), "%s/include/generated/utsrelease.h",
			 dir);
		snprintf(text, sizeof(text), "#define UTS_RELEASE \"%s\"\n",
			 release);
		unit_write(root, rel, text);
	}
	if (source_makefile) {
		snprintf(rel, sizeof(rel), "%s/Makefile", dir);
		if (snprintf(text, sizeof(text), "# generated\ninclude "
			     "%s/Makefile\n", source_makefile) >= (int)sizeof(text))
			abort();
		unit_write(root, rel, text);
	}
}

static char *at(const char *rel)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];

	if (snprintf(p, PATH_MAX, "%s/%s", root, rel) >= PATH_MAX)
		abort();
	return p;
}

/* Resolving DIR gives SOURCE and BUILD (under root) and RELEASE. */
static void expect(const char *dir, const char *source, const char *build,
		   const char *release)
{
	struct kheaders kh;
	int err = kheaders_resolve(at(dir), &kh);

	CHECK(err == 0, "%s: %s", dir, strerror(-err));
	if (err)
		return;
	CHECK(!strcmp(kh.source_dir, at(source)), "%s: source %s, expected %s",
	      dir, kh.source_dir, at(source));
	CHECK(!strcmp(kh.build_dir, at(build)), "%s: build %s, expected %s",
	      dir, kh.build_dir, at(build));
	CHECK(release ? kh.release && !strcmp(kh.release, release) :
	      !kh.release, "%s: release %s, expected %s", dir,
	      kh.release ? kh.release : "none", release ? release : "none");
	kheaders_free(&kh);
}

static void refuse(const char *dir, const char *why)
{
	struct kheaders kh;
	int err = kheaders_resolve(at(dir), &kh);

	CHECK(err < 0, "%s (%s) was accepted", dir, why);
	if (!err)
		kheaders_free(&kh);
}

int main(void)
{
	struct kheaders kh;
	char *real = realpath(unit_tmpdir(), NULL);

	if (!real)
		return 99;
	snprintf(root, sizeof(root), "%s", real);
	free(real);

	/* An ordinary build tree: both halves in one directory. */
	source_half("whole/include/linux/kconfig.h");
	build_half("whole", "6.1.0-whole", NULL);
	expect("whole", "whole", "whole", "6.1.0-whole");

	/* Debian's split layout: the build half's Makefile names the source. */
	source_half("common/include/linux/kconfig.h");
	unit_write(root, "common/Makefile", "# the real one\n");
	build_half("amd64", "6.1.0-split", at("common"));
	expect("amd64", "common", "amd64", "6.1.0-split");

	/* /lib/modules/RELEASE: build and source links, relative ones too. */
	unit_link(root, "modules/6.1.0-split/build", "../../amd64");
	expect("modules/6.1.0-split", "common", "amd64", "6.1.0-split");

	/* A build half that does not name its source: the source link. */
	build_half("bare", "6.1.0-bare", NULL);
	unit_link(root, "modules/6.1.0-bare/build", at("bare"));
	unit_link(root, "modules/6.1.0-bare/source", at("common"));
	expect("modules/6.1.0-bare", "common", "bare", "6.1.0-bare");
	refuse("bare", "a build half without its source");

	/* The release from include/config/kernel.release when no utsrelease.h. */
	source_half("old/include/linux/kconfig.h");
	build_half("old", NULL, NULL);
	unit_write(root, "old/include/config/kernel.release", "4.19.0-old\n");
	expect("old", "old", "old", "4.19.0-old");
	source_half("norel/include/linux/kconfig.h");
	build_half("norel", NULL, NULL);
	expect("norel", "norel", "norel", NULL);

	/* A symlink to a tree is the tree, named by its real path. */
	unit_link(root, "alias", "whole");
	expect("alias", "whole", "whole", "6.1.0-whole");

	/* What is not headers, and loops. */
	unit_write(root, "empty/README", "nothing\n");
	refuse("empty", "no headers");
	refuse("missing", "does not exist");
	build_half("dangling", "6.1.0-dangling", at("gone"));
	refuse("dangling", "its Makefile names a missing source");
	unit_link(root, "loop-a", "loop-b");
	unit_link(root, "loop-b", "loop-a");
	refuse("loop-a", "a symlink loop");
	unit_link(root, "modules/6.1.0-loop/build", "../6.1.0-loop/build");
	refuse("modules/6.1.0-loop", "a build link to itself");

	/* kheaders_find: an explicit directory is used or refused, never
	 * replaced by another. */
	CHECK(kheaders_find(at("amd64"), "6.18.0-none", true, &kh) == 0 &&
	      kh.origin == KHEADERS_OPTION && !strcmp(kh.build_dir, at("amd64")),
	      "--kernel-headers DIR not used as given");
	kheaders_free(&kh);
	CHECK(kheaders_find(at("empty"), "6.18.0-none", true, &kh) == -ENOTDIR,
	      "--kernel-headers of a non-headers directory not refused");
	kheaders_free(&kh);
	return unit_finish();
}
