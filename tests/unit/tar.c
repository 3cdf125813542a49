/*
 * Unit test: unpacking the kernel's header archive (tar_extract.c) into a
 * plain tree, refusing what would reach outside it, and the manifest that
 * shows a change made afterwards (tree_manifest.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tar_extract.h"
#include "tree_manifest.h"
#include "unit.h"

static char stream[1 << 16];
static size_t used;

/* Appends a ustar member; TYPE '0' file, '5' dir, '2' link, 'L' long name. */
static void member(const char *name, char type, const char *data,
		   const char *link)
{
	char *h = stream + used;
	size_t len = data ? strlen(data) : 0;
	unsigned int sum = 0;

	memset(h, 0, 512);
	strncpy(h, name, 100);
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf(h + 124, 12, "%011o", (unsigned int)len);
	memcpy(h + 136, "00000000000", 11);
	h[156] = type;
	if (link)
		strncpy(h + 157, link, 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	used += 512;
	if (len) {
		memset(stream + used, 0, (len + 511) / 512 * 512);
		memcpy(stream + used, data, len);
		used += (len + 511) / 512 * 512;
	}
}

static void finish(void)
{
	memset(stream + used, 0, 1024);
	used += 1024;
}

/* Unpacks the stream into a new directory NAME; the result's error. */
static int unpack(const char *name, struct tar_result *r, int *dir_fd)
{
	char path[PATH_MAX];
	int pipefd[2], err;

	snprintf(path, sizeof(path), "%s/%s", unit_tmpdir(), name);
	if (mkdir(path, 0755) < 0 || pipe(pipefd) < 0)
		abort();
	*dir_fd = open(path, O_RDONLY | O_DIRECTORY);
	/* A pipe holds 64 KiB: enough for these streams, written at once. */
	if (write(pipefd[1], stream, used) != (ssize_t)used)
		abort();
	close(pipefd[1]);
	err = tar_extract(pipefd[0], *dir_fd, r);
	close(pipefd[0]);
	used = 0;
	return err;
}

static int refused(const char *name, const char *why)
{
	struct tar_result r;
	int fd, err = unpack(name, &r, &fd);

	CHECK(strstr(r.why, why), "%s: why '%s', expected '%s'", name, r.why,
	      why);
	close(fd);
	return err;
}

static void good_tree(void)
{
	char longname[200], buf[64];
	struct tar_result r;
	struct stat st;
	int fd, f, err;
	ssize_t n;

	memset(longname, 'd', 120);
	strcpy(longname + 120, "/x.h");
	member("./", '5', NULL, NULL);
	member("./include/", '5', NULL, NULL);
	member("./include/a.h", '0', "#define A 1\n", NULL);
	member("./include/b.h", '2', NULL, "a.h");
	member("././LongLink", 'L', longname, NULL);
	member("truncated-by-ustar", '0', "long\n", NULL);
	member("PaxHeaders/x", 'x', "22 path=include/pax.h\n", NULL);
	member("not-this-name", '0', "pax\n", NULL);
	finish();
	err = unpack("good", &r, &fd);
	CHECK(err == 0, "good tree: %d (%s)", err, r.why);
	CHECK(r.files == 3 && r.dirs == 1 && r.links == 1,
	      "good tree: %zu files, %zu dirs, %zu links", r.files, r.dirs,
	      r.links);
	f = openat(fd, "include/b.h", O_RDONLY);
	n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;
	CHECK(n == 12 && !memcmp(buf, "#define A 1\n", 12),
	      "the in-tree link does not lead to a.h");
	if (f >= 0)
		close(f);
	CHECK(fstatat(fd, longname, &st, 0) == 0 && st.st_size == 5,
	      "the GNU long name was not used");
	CHECK(fstatat(fd, "include/pax.h", &st, 0) == 0 && st.st_size == 4,
	      "the pax path was not used");
	CHECK(fstatat(fd, "include/a.h", &st, 0) == 0 &&
	      (st.st_mode & 07777) == 0644,
	      "a.h mode %o", (unsigned int)st.st_mode);
	close(fd);
}

static void manifest(void)
{
	char path[PATH_MAX], where[256], *a, *b;
	size_t alen, blen;
	int fd, f;

	snprintf(path, sizeof(path), "%s/good", unit_tmpdir());
	fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || tree_manifest_build(fd, &a, &alen) < 0)
		abort();
	CHECK(tree_manifest_build(fd, &b, &blen) == 0 &&
	      tree_manifest_compare(a, alen, b, blen, where, sizeof(where)) == 0,
	      "the same tree gives another manifest");
	free(b);
	f = openat(fd, "include/a.h", O_WRONLY | O_APPEND);
	if (f < 0 || write(f, "x", 1) != 1)
		abort();
	close(f);
	CHECK(tree_manifest_build(fd, &b, &blen) == 0 &&
	      tree_manifest_compare(a, alen, b, blen, where, sizeof(where)) ==
	      -ESTALE && !strcmp(where, "include/a.h"),
	      "a changed header: '%s'", where);
	free(b);
	free(a);
	close(fd);
}

int main(void)
{
	umask(022);
	good_tree();
	manifest();

	member("/etc/evil.h", '0', "x", NULL);
	finish();
	CHECK(refused("absolute", "absolute name") == -EPERM, "absolute");
	member("include/../../evil.h", '0', "x", NULL);
	finish();
	CHECK(refused("dotdot", "name with ..") == -EPERM, "dotdot");
	member("include/out.h", '2', NULL, "../../etc/passwd");
	finish();
	CHECK(refused("linkout", "link leading out") == -EPERM, "link out");
	member("include/abs.h", '2', NULL, "/etc/passwd");
	finish();
	CHECK(refused("linkabs", "link leading out") == -EPERM, "link abs");
	member("include/a.h", '0', "x", NULL);
	member("include/h.h", '1', NULL, "include/a.h");
	finish();
	CHECK(refused("hard", "hard link") == -EPERM, "hard link");
	member("include/fifo", '6', NULL, NULL);
	finish();
	CHECK(refused("fifo", "not a file") == -EPERM, "fifo");
	member("include/a.h", '0', "x", NULL);
	member("include/a.h", '0', "y", NULL);
	finish();
	CHECK(refused("dup", "duplicate name") == -EPERM, "duplicate");
	/* A link to a directory, then a file under its name: no write via it. */
	member("include/l", '2', NULL, "sub");
	member("include/sub/", '5', NULL, NULL);
	member("include/l/x.h", '0', "x", NULL);
	finish();
	CHECK(refused("through", "cannot create link") == -EPERM, "through");
	member("include/a.h", '0', "x", NULL);
	CHECK(refused("short", "ends in the middle") == -EBADMSG, "truncated");
	member("include/a.h", '0', "x", NULL);
	stream[148] = '7';
	finish();
	CHECK(refused("checksum", "not a tar header") == -EBADMSG, "checksum");
	return unit_finish();
}
