/* How a session ended, told from what the BPF program saw at its close. */
#ifndef TCPLIFE_SESSION_END_H
#define TCPLIFE_SESSION_END_H

#include <stdbool.h>

#include "tcplife_event.h"

enum session_end {
	END_NORMAL,		/* FIN exchange */
	END_RESET,		/* RST received, or sent by an abortive close */
	END_REFUSED,		/* connect() answered by RST */
	END_TIMEOUT,		/* connect or retransmission timeout */
	END_ERROR,		/* another socket error: see sk_err */
	END_ABORTED,		/* closed before the handshake ended, no error */
};

enum session_end session_end(const struct tcplife_event *ev);
const char *session_end_name(enum session_end end);

/* The handshake never completed: a failed connect (or accept). */
bool session_failed(const struct tcplife_event *ev);

#endif
