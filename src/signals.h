/* Stop requests: SIGINT, SIGTERM and SIGHUP end tracing cleanly. */
#ifndef TCPLIFE_SIGNALS_H
#define TCPLIFE_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/*
 * Blocks the stop signals (so setup is never cut in half) and ignores
 * SIGPIPE.  *WAIT_MASK receives the mask to install while waiting for events,
 * under which a stop signal interrupts the wait.
 */
void signals_setup(sigset_t *wait_mask);

/* The stop signal received, or 0. */
int signals_stop_requested(void);

#endif
