/*
 * Unit test: which POSIX ACLs let someone other than root write, read
 * back from the extended attributes the kernel stores them in.  The ACLs
 * are set as raw xattrs, so neither setfacl nor root is needed.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "posix_acl.h"
#include "unit.h"

#define USER_OBJ 0x01
#define USER 0x02
#define GROUP_OBJ 0x04
#define GROUP 0x08
#define MASK 0x10
#define OTHER 0x20
#define NOBODY 65534

struct ent {
	uint16_t tag, perm;
	uint32_t id;
};

/* Sets ENTS (in the kernel's order) as PATH's NAME ACL; -errno on error. */
static int set_acl(const char *path, const char *name, const struct ent *ents,
		   size_t n)
{
	unsigned char buf[4 + 16 * 8];
	uint32_t version = htole32(2);

	memcpy(buf, &version, 4);
	for (size_t i = 0; i < n; i++) {
		struct ent e = {
			htole16(ents[i].tag), htole16(ents[i].perm),
			htole32(ents[i].id),
		};

		memcpy(buf + 4 + i * 8, &e, 8);
	}
	return setxattr(path, name, buf, 4 + n * 8, 0) < 0 ? -errno : 0;
}

#define ACCESS "system.posix_acl_access"
#define DEFAULT "system.posix_acl_default"

static const struct {
	const char *what;
	struct ent ents[6];
	size_t n;
	int want;			/* posix_acl_lets_others_write() */
} cases[] = {
	{ "user:nobody:rw-, mask rw-",
	  { { USER_OBJ, 6, 0 }, { USER, 6, NOBODY }, { GROUP_OBJ, 4, 0 },
	    { MASK, 6, 0 }, { OTHER, 4, 0 } }, 5, 1 },
	{ "user:nobody:rw-, but mask r--",
	  { { USER_OBJ, 6, 0 }, { USER, 6, NOBODY }, { GROUP_OBJ, 4, 0 },
	    { MASK, 4, 0 }, { OTHER, 4, 0 } }, 5, 0 },
	{ "user:root:rw-",
	  { { USER_OBJ, 6, 0 }, { USER, 6, 0 }, { GROUP_OBJ, 4, 0 },
	    { MASK, 6, 0 }, { OTHER, 4, 0 } }, 5, 0 },
	{ "group::rw- (gid 0 has no exemption in an ACL)",
	  { { USER_OBJ, 6, 0 }, { USER, 4, NOBODY }, { GROUP_OBJ, 6, 0 },
	    { MASK, 6, 0 }, { OTHER, 4, 0 } }, 5, 1 },
	{ "group:root:rw-",
	  { { USER_OBJ, 6, 0 }, { GROUP_OBJ, 4, 0 }, { GROUP, 6, 0 },
	    { MASK, 6, 0 }, { OTHER, 4, 0 } }, 5, 1 },
	{ "user:nobody:r--, other::rw-",
	  { { USER_OBJ, 6, 0 }, { USER, 4, NOBODY }, { GROUP_OBJ, 4, 0 },
	    { MASK, 4, 0 }, { OTHER, 6, 0 } }, 5, 1 },
};

int main(void)
{
	const char *tmp = unit_tmpdir();
	char file[PATH_MAX], dir[PATH_MAX];
	const char *what = NULL;
	int err;

	unit_write(tmp, "f", "x");
	snprintf(file, sizeof(file), "%s/f", tmp);
	snprintf(dir, sizeof(dir), "%s/d", tmp);
	CHECK(mkdir(dir, 0755) == 0, "mkdir %s", dir);
	CHECK(posix_acl_lets_others_write(file, false, &what) == 0,
	      "a file without an ACL");
	err = set_acl(file, ACCESS, cases[0].ents, cases[0].n);
	if (err == -EOPNOTSUPP) {
		fprintf(stderr, "SKIP: no POSIX ACLs in %s\n", tmp);
		unit_finish();
		return 77;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got;

		err = set_acl(file, ACCESS, cases[i].ents, cases[i].n);
		CHECK(err == 0, "setting %s: %s", cases[i].what, strerror(-err));
		got = posix_acl_lets_others_write(file, false, &what);
		CHECK(got == cases[i].want, "%s: %d, expected %d",
		      cases[i].what, got, cases[i].want);
	}
	/* A directory's default ACL: what is created in it. */
	CHECK(posix_acl_lets_others_write(dir, true, &what) == 0,
	      "a directory without an ACL");
	err = set_acl(dir, DEFAULT, cases[0].ents, cases[0].n);
	CHECK(err == 0, "setting a default ACL: %s", strerror(-err));
	CHECK(posix_acl_lets_others_write(dir, true, &what) == 1 &&
	      strstr(what, "default ACL"), "a default ACL letting nobody write");
	err = set_acl(dir, DEFAULT, cases[1].ents, cases[1].n);
	CHECK(err == 0 && posix_acl_lets_others_write(dir, true, &what) == 0,
	      "a default ACL whose mask takes write away");
	return unit_finish();
}
