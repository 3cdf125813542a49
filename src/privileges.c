/* Checking that we may trace, and giving up every privilege once attached. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privileges.h"

/* Older uapi headers lack the capabilities added in Linux 5.8. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool cap_effective(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return geteuid() == 0;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

bool privileges_can_trace(void)
{
	return cap_effective(CAP_SYS_ADMIN) ||
	       (cap_effective(CAP_BPF) && cap_effective(CAP_PERFMON));
}

int privileges_check_user(const char *user)
{
	return getpwnam(user) ? 0 : -ENOENT;
}

bool privileges_can_switch_user(void)
{
	return cap_effective(CAP_SETUID) && cap_effective(CAP_SETGID);
}

/* Whether a process runs as ID (its /proc directory belongs to it). */
static bool id_running(uid_t id)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	struct stat st;
	bool found = false;

	if (!proc)
		return true;	/* cannot tell: do not take it */
	while (!found && (de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		found = fstatat(dirfd(proc), de->d_name, &st, 0) == 0 &&
			(st.st_uid == id || st.st_gid == id);
	}
	closedir(proc);
	return found;
}

/*
 * An id, as uid and gid, that no account or group names and no process
 * runs as: the tool's alone, so no other process can signal it or write
 * what it creates.  From the top of the range down; 0 if none is free.
 */
static uid_t unused_id(void)
{
	for (uid_t id = PRIVILEGES_UNUSED_LAST; id >= PRIVILEGES_UNUSED_FIRST;
	     id--)
		if (!getpwuid(id) && !getgrgid((gid_t)id) && !id_running(id))
			return id;
	return 0;
}

/*
 * Root leaves uid 0 for --user, else for the package's account, else for
 * an id no one else uses.  Never nobody: it is shared with every other
 * process that runs as nobody, which could then signal the tool and write
 * the log files it creates.
 */
void privileges_plan(const char *user, struct run_as *ra)
{
	struct passwd *pw;

	memset(ra, 0, sizeof(*ra));
	ra->uid = geteuid();
	ra->gid = getegid();
	if (!user && ra->uid != 0)
		return;		/* only root has an account to leave */
	if (!user) {
		if (!privileges_can_switch_user()) {
			ra->stays = getpwnam(PRIVILEGES_SYSTEM_USER) ?
				    RUN_AS_NO_SETUID : RUN_AS_NO_ACCOUNT;
			return;
		}
		if (!getpwnam(PRIVILEGES_SYSTEM_USER)) {
			uid_t id = unused_id();

			if (!id) {
				ra->stays = RUN_AS_NO_ACCOUNT;
				return;
			}
			ra->stays = RUN_AS_UNUSED_ID;
			ra->anonymous = true;
			ra->uid = id;
			ra->gid = (gid_t)id;
			return;
		}
		user = PRIVILEGES_SYSTEM_USER;
	}
	pw = getpwnam(user);
	if (!pw)
		return;		/* vanished since --user was checked */
	ra->user = user;
	ra->uid = pw->pw_uid;
	ra->gid = pw->pw_gid;
}

int privileges_keep_setid(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uint32_t setid = (1U << CAP_SETUID) | (1U << CAP_SETGID);

	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap != CAP_SETUID && cap != CAP_SETGID &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EPERM)
			break;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(caps, 0, sizeof(caps));
	caps[0].effective = caps[0].permitted = setid;
	if (syscall(SYS_capset, &hdr, caps) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/*
 * The bounding set only limits what a later execve() could grant, and
 * no_new_privs with an empty permitted set already grants nothing.  So
 * without CAP_SETPCAP (a systemd CapabilityBoundingSet, setpriv) it is
 * kept as it is rather than failing: an EPERM stops the loop.
 */
static void drop_bounding_set(void)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EPERM)
			return;
}

static int drop_to_ids(const struct passwd *pw, uid_t uid, gid_t gid);

int privileges_drop(const char *user)
{
	struct passwd *pw = NULL;

	if (user && !(pw = getpwnam(user)))
		return -ENOENT;
	return drop_to_ids(pw, pw ? pw->pw_uid : 0, pw ? pw->pw_gid : 0);
}

int privileges_drop_to(const struct run_as *ra)
{
	if (ra->anonymous) {
		struct passwd anon = { .pw_uid = ra->uid, .pw_gid = ra->gid };

		return drop_to_ids(&anon, ra->uid, ra->gid);
	}
	return privileges_drop(ra->user);
}

/* PW NULL: keep the ids, drop the capabilities alone. */
static int drop_to_ids(const struct passwd *pw, uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];

	/* The bounding set while CAP_SETPCAP may still be ours; then the user. */
	drop_bounding_set();
	if (pw && (setgroups(0, NULL) < 0 || setgid(gid) < 0 ||
		   setuid(uid) < 0))
		return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(none, 0, sizeof(none));
	if (syscall(SYS_capset, &hdr, none) < 0)
		return -errno;
	/* Nothing executed from here on can regain what was dropped. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}
