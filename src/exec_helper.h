/* Running a system program (xz, modprobe) safely: no shell, fixed argv and environment. */
#ifndef TCPLIFE_EXEC_HELPER_H
#define TCPLIFE_EXEC_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Starts the first of PATHS (absolute, NULL-terminated) that exists with
 * ARGV, standard input from IN and output to OUT (-1: /dev/null for
 * either), standard error to /dev/null and no other descriptor, and an
 * environment of PATH and LC_ALL=C only.  UNPRIVILEGED runs it as an
 * unprivileged user with no capability (privileges_drop).  Returns its
 * PID, or -ENOENT when none of PATHS exists, or another -errno.
 */
pid_t exec_helper_start(const char *const *paths, char *const *argv, int in,
			int out, bool unprivileged);

/* Waits for PID: 0 when it exited with status 0, else -ECHILD. */
int exec_helper_wait(pid_t pid);

#endif
