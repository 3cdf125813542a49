/* The privileged remainder that opens --output's file for a tool that left root. */
#ifndef TCPLIFE_LOG_OPENER_H
#define TCPLIFE_LOG_OPENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "logfile.h"

struct log_opener {
	pid_t pid;	/* 0: none started */
	int sock;
};

#define LOG_OPENER_INIT { .pid = 0, .sock = -1 }

/*
 * Forks the opener of PATH for the account UID:GID.  Call it as root,
 * before anything is loaded (the child keeps no descriptor but its
 * socket and stderr).  Returns 0 or -errno.
 */
int log_opener_start(struct log_opener *lo, const char *path, uid_t uid,
		     gid_t gid);

/* Has the opener open the path; returns as logfile_open(). */
int log_opener_open(struct log_opener *lo, bool *empty, char *why,
		    size_t size);

/* Ends the opener (it ends by itself too when this process does). */
void log_opener_stop(struct log_opener *lo);

#endif
