/*
 * The sessions left in the per-socket map when tracing stops: still open,
 * or closed without the program ever running for their close.
 */
#ifndef TCPLIFE_OPEN_SESSIONS_H
#define TCPLIFE_OPEN_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock_diag.h"

/* One entry of the map as the stop found it (open_sessions.c). */
struct open_entry;

struct open_sessions {
	struct sock_diag diag;	/* the tool's own network namespace */
	bool diag_open;
	struct open_entry *snap;	/* the map, read while attached */
	size_t n, cap;
	bool snapped;
};

/* What the stop found, for the accounts line and the loss report. */
struct open_counts {
	uint64_t open;		/* begun while tracing, not closed */
	/*
	 * Of those: established sessions whose socket was gone while its
	 * entry stayed, so the program never ran for its close (a run the
	 * kernel skipped without counting it).  A loss.
	 */
	uint64_t unseen;
	/*
	 * Of those: entries that could not be checked (not established, in
	 * another network namespace, or no socket diagnostics).
	 */
	uint64_t unchecked;
};

/*
 * Opens the socket diagnostics while the tool may still do so; on failure
 * the stop counts the open sessions without checking them.
 */
void open_sessions_init(struct open_sessions *os);

/*
 * While still attached: reads the map (SOCKS_FD, of MAP_ENTRIES entries),
 * then the sockets that exist.  A close the program runs for deletes its
 * entry before the kernel unhashes the socket, so an entry read before
 * the dump whose socket the dump does not show, and which is still there
 * (the same start) after the detach, had its close missed.
 */
void open_sessions_snapshot(struct open_sessions *os, int socks_fd,
			    unsigned long map_entries);

/*
 * After the detach: counts what is left in SOCKS_FD (of MAP_ENTRIES
 * entries) into C.  Returns 0,
 * or -errno when the map cannot be read.
 */
int open_sessions_count(struct open_sessions *os, int socks_fd,
			unsigned long map_entries, struct open_counts *c);

void open_sessions_free(struct open_sessions *os);

#endif
