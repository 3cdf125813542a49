/* Checking that we may trace, and giving up every privilege once attached. */
#ifndef TCPLIFE_PRIVILEGES_H
#define TCPLIFE_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

/* The account the Debian package creates for the tool to run as. */
#define PRIVILEGES_SYSTEM_USER "tcplife-bcc"

/* CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON, are effective. */
bool privileges_can_trace(void);

/* Why root stays uid 0 once attached, when it does. */
enum run_as_stays {
	RUN_AS_SWITCHES,	/* it leaves, or was not root */
	RUN_AS_NO_ACCOUNT,	/* no account, and no free id could be found */
	RUN_AS_UNUSED_ID,	/* no account: an id no one else uses */
	RUN_AS_NO_SETUID,	/* CAP_SETUID or CAP_SETGID is missing */
};

/* The account the tool runs as once attached. */
struct run_as {
	const char *user;	/* the account to switch to; NULL: none */
	bool anonymous;		/* switch to uid/gid, which no account names */
	uid_t uid, gid;		/* its ids, or the current ones */
	enum run_as_stays stays;
};

/*
 * Where a run with --user USER (NULL: not given) ends up: USER; for root
 * without USER the tcplife-bcc account, or when it is missing an id in
 * PRIVILEGES_UNUSED_FIRST..LAST that no account names and no process
 * runs as (never nobody, which every nobody process shares), or uid 0
 * when none can be taken; anyone else stays who they are.
 */
#define PRIVILEGES_UNUSED_FIRST 61184	/* systemd's range for ids */
#define PRIVILEGES_UNUSED_LAST 65519	/* no account names */
void privileges_plan(const char *user, struct run_as *ra);

/*
 * For the log opener: keeps uid 0 and only CAP_SETUID and CAP_SETGID
 * (enough for setfsuid()), and sets no_new_privs.  Returns 0 or -errno.
 */
int privileges_keep_setid(void);

/* CAP_SETUID and CAP_SETGID are effective: another account can be taken. */
bool privileges_can_switch_user(void);

/*
 * Gives up every capability for good (effective, permitted, inheritable,
 * ambient, and the bounding set when CAP_SETPCAP allows) and sets
 * no_new_privs, after switching to USER when not NULL.  Descriptors
 * already open keep working.  Returns 0 or -errno.
 */
int privileges_drop(const char *user);

/* privileges_drop() for the account RA plans, named or not. */
int privileges_drop_to(const struct run_as *ra);

/* Whether USER names an account; for checking --user before setup. */
int privileges_check_user(const char *user);

#endif
