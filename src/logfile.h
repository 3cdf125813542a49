/* The --output file: reached without links, created 0640, checked once open. */
#ifndef TCPLIFE_LOGFILE_H
#define TCPLIFE_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for a refusal's reason, NUL included. */
#define LOGFILE_WHY_MAX 112

/*
 * Opens PATH for appending, creating it with mode 0640 when missing.  No
 * symbolic link is followed, in the directories either (-ELOOP), and a
 * FIFO nobody reads is refused (-ENXIO).  Once open, the file must be a
 * regular file with one link, owned by root or OWNER (the uid the tool
 * runs as), writable by nobody else, in a directory that nobody else may
 * write unless it is sticky and the file is OWNER's; a character device
 * of root's passes too.  Otherwise -EPERM, with the reason in WHY (SIZE
 * bytes; WHY is "" for every other error).  Returns the descriptor, with
 * *EMPTY telling whether the file holds nothing yet (so a header belongs
 * at its top); or -errno.
 */
int logfile_open(const char *path, uid_t owner, bool *empty, char *why,
		 size_t size);

#endif
