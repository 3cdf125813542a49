/*
 * How a session ended, told from the state the close came from and the
 * socket's error at that moment (sock.sk_err), both read by the BPF
 * program in the same run that saw the close.  This is done here rather
 * than in the kernel because errno numbers differ between architectures
 * and user space's <errno.h> has this one's.
 *
 * The kernel sets sk_err before it closes the socket when the peer resets
 * it (ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, else ECONNRESET) and
 * when a timer gives up (ETIMEDOUT, or an ICMP error seen meanwhile).  An
 * abortive close of our own (SO_LINGER 0, unread data) goes to CLOSE
 * straight from a synchronised state, sending a RST, with sk_err still 0.
 * An orderly close comes from FIN_WAIT2, CLOSING, LAST_ACK or TIME_WAIT.
 */
#include <errno.h>
#include <netinet/tcp.h>

#include "session_end.h"

bool session_failed(const struct tcplife_event *ev)
{
	return ev->last_state == TCP_SYN_SENT || ev->last_state == TCP_SYN_RECV;
}

enum session_end session_end(const struct tcplife_event *ev)
{
	switch (ev->sk_err) {
	case 0:
		break;
	case ECONNREFUSED:
		return END_REFUSED;
	case ETIMEDOUT:
		return END_TIMEOUT;
	case ECONNRESET:
	case EPIPE:
		return END_RESET;
	default:
		return END_ERROR;
	}
	if (session_failed(ev))
		return END_ABORTED;
	switch (ev->last_state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
		return END_RESET;
	}
	return END_NORMAL;
}

const char *session_end_name(enum session_end end)
{
	static const char *const names[] = {
		[END_NORMAL] = "normal",
		[END_RESET] = "reset",
		[END_REFUSED] = "refused",
		[END_TIMEOUT] = "timeout",
		[END_ERROR] = "error",
		[END_ABORTED] = "aborted",
	};

	return names[end];
}
