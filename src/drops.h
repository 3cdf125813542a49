/* Reporting what the kernel side could not deliver: nothing is lost silently. */
#ifndef TCPLIFE_DROPS_H
#define TCPLIFE_DROPS_H

#include <stdbool.h>
#include <stdint.h>

#include "tcplife_event.h"

struct drops {
	int map_fd;		/* BPF_PERCPU_ARRAY(drops, ...) */
	int ncpus;		/* possible CPUs: the per-CPU value count */
	uint64_t *seen;		/* [kind * ncpus + cpu], already reported */
	uint64_t *values;	/* scratch for one lookup */
	uint64_t total[TCPLIFE_NR_DROPS];
	bool read_failed;	/* reported once */
};

int drops_open(struct drops *d, int map_fd);

/* Reports, per CPU, drops that happened since the last call. */
void drops_poll(struct drops *d);

/* Reports the totals, if any; returns the number of lost events. */
uint64_t drops_report_totals(struct drops *d);

void drops_close(struct drops *d);

#endif
