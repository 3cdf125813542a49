/*
 * Signals: SIGINT, SIGTERM and SIGHUP end tracing cleanly; SIGUSR1 asks
 * for the --output file to be reopened, as after a log rotation.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "signals.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reopen_pending;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_reopen(int sig)
{
	(void)sig;
	reopen_pending = 1;
}

void signals_setup(sigset_t *wait_mask)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* EPIPE from write() instead */

	sigemptyset(&block);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		/*
		 * Keep an inherited SIG_IGN for SIGINT and SIGHUP, as nohup
		 * and shells' background jobs expect; SIGTERM always stops.
		 */
		if (sigaction(stops[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN && stops[i] != SIGTERM)
			continue;
		sigaction(stops[i], &sa, NULL);
		sigaddset(&block, stops[i]);
	}
	/* Never fatal: logrotate may signal before the file is even open. */
	sa.sa_handler = on_reopen;
	sigaction(SIGUSR1, &sa, NULL);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, wait_mask);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigdelset(wait_mask, stops[i]);
	sigdelset(wait_mask, SIGUSR1);
}

int signals_stop_requested(void)
{
	return stop_signal;
}

bool signals_take_reopen(void)
{
	bool pending = reopen_pending;

	reopen_pending = 0;
	return pending;
}
