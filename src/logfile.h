/* The --output file: appended to, created 0640, reopened after rotation. */
#ifndef TCPLIFE_LOGFILE_H
#define TCPLIFE_LOGFILE_H

#include <stdbool.h>

/*
 * Opens PATH for appending, creating it with mode 0640 when missing; a
 * symbolic link is refused (-ELOOP), and so is a FIFO nobody reads.
 * Returns the descriptor, with *EMPTY telling whether the file holds
 * nothing yet (so a header belongs at its top); or -errno.
 */
int logfile_open(const char *path, bool *empty);

#endif
