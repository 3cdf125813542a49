/* Checking that we may trace before doing any expensive work. */
#ifndef TCPLIFE_PRIVILEGES_H
#define TCPLIFE_PRIVILEGES_H

#include <stdbool.h>

/* CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON, are effective. */
bool privileges_can_trace(void);

/*
 * Gives up every capability for good (effective, permitted, inheritable,
 * ambient and the bounding set), after switching to USER when not NULL.
 * Descriptors already open keep working.  Returns 0 or -errno.
 */
int privileges_drop(const char *user);

/* Whether USER names an account; for checking --user before setup. */
int privileges_check_user(const char *user);

#endif
