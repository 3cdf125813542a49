/* The sessions still open when tracing stops, from the per-socket map. */
#ifndef TCPLIFE_OPEN_SESSIONS_H
#define TCPLIFE_OPEN_SESSIONS_H

#include <stdint.h>

/*
 * Counts the entries of SOCKS_FD (BPF_HASH(socks)) whose session began
 * while tracing.  Returns 0, or -errno when the map cannot be read.
 */
int open_sessions_count(int socks_fd, uint64_t *count);

#endif
