/*
 * Signals: SIGINT, SIGTERM and SIGHUP end tracing cleanly; SIGUSR1 asks
 * for the --output file to be reopened, as after a log rotation.
 */
#ifndef TCPLIFE_SIGNALS_H
#define TCPLIFE_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/*
 * Blocks the stop signals and SIGUSR1 (so setup is never cut in half) and
 * ignores SIGPIPE.  *WAIT_MASK receives the mask to install while waiting
 * for events, under which any of them interrupts the wait.
 */
void signals_setup(sigset_t *wait_mask);

/* The stop signal received, or 0. */
int signals_stop_requested(void);

/* Whether SIGUSR1 came since the last call. */
bool signals_take_reopen(void);

#endif
