/* Checking that we may trace, and giving up every privilege once attached. */
#ifndef TCPLIFE_PRIVILEGES_H
#define TCPLIFE_PRIVILEGES_H

#include <stdbool.h>

/* The account the Debian package creates for the tool to run as. */
#define PRIVILEGES_SYSTEM_USER "tcplife-bcc"

/* CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON, are effective. */
bool privileges_can_trace(void);

/*
 * The account to leave root for when --user is not given: tcplife-bcc if
 * it exists, else nobody; NULL when not running as root (nothing to
 * leave) or neither exists.
 */
const char *privileges_default_user(void);

/* CAP_SETUID and CAP_SETGID are effective: another account can be taken. */
bool privileges_can_switch_user(void);

/*
 * Gives up every capability for good (effective, permitted, inheritable,
 * ambient, and the bounding set when CAP_SETPCAP allows) and sets
 * no_new_privs, after switching to USER when not NULL.  Descriptors
 * already open keep working.  Returns 0 or -errno.
 */
int privileges_drop(const char *user);

/* Whether USER names an account; for checking --user before setup. */
int privileges_check_user(const char *user);

#endif
