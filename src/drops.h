/* Reporting what the kernel side could not deliver: nothing is lost silently. */
#ifndef TCPLIFE_DROPS_H
#define TCPLIFE_DROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "health.h"
#include "tcplife_event.h"

struct drops {
	int map_fd;		/* BPF_PERCPU_ARRAY(drops, ...) */
	int ncpus;		/* possible CPUs: the per-CPU value count */
	uint64_t *seen;		/* [kind * ncpus + cpu], already reported */
	uint64_t *values;	/* scratch for one lookup */
	uint64_t total[TCPLIFE_NR_COUNTS];	/* losses, then outcomes */
	uint64_t interval[TCPLIFE_NR_COUNTS];	/* the last poll's, all CPUs */
	uint64_t rows_received;	/* events user space got, set by the caller */
	uint64_t rows_received_seen;	/* as of the last health record */
	int64_t open_at_exit;	/* sessions begun, not closed; -1: unknown */
	/*
	 * Sessions whose close the program never ran for, found at the stop
	 * (open_sessions.h), and entries that could not be checked.
	 */
	uint64_t unseen_at_exit, unchecked_at_exit;
	bool read_failed;	/* reported once */
	int prog_fd;		/* for recursion_misses */
	bool skipped_known;	/* the kernel counts skipped runs */
	uint64_t skipped_seen, skipped_total, skipped_interval;
};

/* MAP_FD: the drops map; PROG_FD: the program, for its skipped runs. */
int drops_open(struct drops *d, int map_fd, int prog_fd);

/*
 * Reports, per CPU, drops that happened since the last call; returns
 * whether there were any.
 */
bool drops_poll(struct drops *d);

/*
 * The last poll's counts as health record fields, into F (room for
 * DROPS_HEALTH_FIELDS); returns how many.
 */
#define DROPS_HEALTH_FIELDS (TCPLIFE_NR_COUNTS + 2)
size_t drops_health_fields(struct drops *d, struct health_field *f);

/*
 * One line on stderr with what became of every close, when it does not
 * add up (an error) or when VERBOSE (a note).  Call after
 * drops_report_totals(), with rows_received set.
 */
void drops_report_accounts(const struct drops *d, bool verbose);

/*
 * Reports the sessions found lost at the stop (unseen_at_exit), if any.
 * Call after drops_report_totals().
 */
void drops_report_unseen(const struct drops *d);

/* Reports the totals, if any; returns the number of lost events. */
uint64_t drops_report_totals(struct drops *d);

void drops_close(struct drops *d);

#endif
