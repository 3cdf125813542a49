/*
 * Reads POSIX ACLs straight from their extended attributes, as the kernel
 * stores them, so that header trust needs no libacl: a tree whose mode
 * bits look like root's alone can still give another user write access
 * through an ACL entry, which ls shows only as a '+'.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/xattr.h>
#include <endian.h>

#include "posix_acl.h"

/* The kernel's xattr form: a version word, then 8-byte entries. */
#define ACL_XATTR_VERSION 2
#define TAG_USER_OBJ 0x01
#define TAG_USER 0x02
#define TAG_GROUP_OBJ 0x04
#define TAG_GROUP 0x08
#define TAG_MASK 0x10
#define TAG_OTHER 0x20
#define PERM_WRITE 0x02

/* Far more entries than any file system allows in one ACL. */
#define MAX_ENTRIES 1024

static const char user_writes[] =
	"has an ACL entry that lets a user other than root write";
static const char group_writes[] = "has an ACL entry that lets a group write";
static const char others_write[] = "has an ACL entry that lets everyone write";
static const char default_writes[] =
	"has a default ACL that lets others write what is created in it";

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
};

/* 1 when the ACL in BUF (LEN bytes) lets anyone but root write. */
static int judge_acl(const unsigned char *buf, size_t len, const char **what)
{
	uint32_t version;
	uint16_t mask = 0xffff;
	size_t n;

	if (len < sizeof(version) ||
	    (len - sizeof(version)) % sizeof(struct acl_entry))
		return -EBADMSG;
	memcpy(&version, buf, sizeof(version));
	if (le32toh(version) != ACL_XATTR_VERSION)
		return -EBADMSG;
	n = (len - sizeof(version)) / sizeof(struct acl_entry);
	/* The mask limits every entry of the group class: find it first. */
	for (size_t i = 0; i < n; i++) {
		struct acl_entry e;

		memcpy(&e, buf + sizeof(version) + i * sizeof(e), sizeof(e));
		if (le16toh(e.tag) == TAG_MASK)
			mask = le16toh(e.perm);
	}
	for (size_t i = 0; i < n; i++) {
		struct acl_entry e;
		uint16_t perm;

		memcpy(&e, buf + sizeof(version) + i * sizeof(e), sizeof(e));
		perm = le16toh(e.perm);
		switch (le16toh(e.tag)) {
		case TAG_USER_OBJ:	/* the owner, judged by the caller */
		case TAG_MASK:
			break;
		case TAG_USER:
			if ((perm & mask & PERM_WRITE) && le32toh(e.id) != 0) {
				*what = user_writes;
				return 1;
			}
			break;
		case TAG_GROUP_OBJ:
		case TAG_GROUP:
			if (perm & mask & PERM_WRITE) {
				*what = group_writes;
				return 1;
			}
			break;
		case TAG_OTHER:
			if (perm & PERM_WRITE) {
				*what = others_write;
				return 1;
			}
			break;
		default:
			return -EBADMSG;
		}
	}
	return 0;
}

static int check_one(const char *path, const char *name, const char **what)
{
	unsigned char buf[sizeof(uint32_t) +
			  MAX_ENTRIES * sizeof(struct acl_entry)];
	ssize_t len = lgetxattr(path, name, buf, sizeof(buf));

	if (len < 0)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -errno;
	return judge_acl(buf, (size_t)len, what);
}

int posix_acl_lets_others_write(const char *path, bool dir, const char **what)
{
	int ret = check_one(path, "system.posix_acl_access", what);

	if (ret == 0 && dir) {
		ret = check_one(path, "system.posix_acl_default", what);
		if (ret == 1)
			*what = default_writes;
	}
	return ret;
}
