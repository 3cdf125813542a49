/* Reading open TCP sockets and their counters through NETLINK_SOCK_DIAG. */
#ifndef TCPLIFE_SOCK_DIAG_H
#define TCPLIFE_SOCK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One open TCP socket, as the kernel's socket diagnostics describe it. */
struct diag_entry {
	uint32_t netns;		/* inode of the namespace it was read in */
	uint16_t family;	/* TCPLIFE_AF_INET or TCPLIFE_AF_INET6 */
	uint16_t lport, rport;	/* host byte order */
	uint8_t laddr[16], raddr[16];	/* as the event's */
	uint8_t state;		/* TCP_* */
	uint32_t uid;		/* the socket's owner (its file's) */
	uint32_t inode;		/* of its file; 0 before accept() */
	uint64_t cookie;	/* the kernel's socket cookie */
	bool have_info;		/* the counters below were given */
	uint64_t tx_bytes;	/* tcpi_bytes_acked */
	uint64_t rx_bytes;	/* tcpi_bytes_received */
	uint32_t retrans;	/* tcpi_total_retrans */
	uint32_t srtt_us;	/* tcpi_rtt */
};

/* A diagnostics socket in each network namespace covered. */
struct sock_diag {
	struct diag_ns {
		int fd;
		uint32_t netns;
	} *ns;
	size_t nns;
	size_t missed;		/* namespaces seen but not opened */
};

/*
 * Opens one socket in this process's namespace and, when ONLY_NETNS is 0
 * and we may setns(), one in every other namespace that a process or
 * /run/netns holds now; with ONLY_NETNS, only in that one.  A namespace
 * created later is not covered (a netlink socket reads the namespace it
 * was made in).  Call before privileges are dropped.  Returns how many
 * namespaces are covered, or -errno.
 */
int sock_diag_open(struct sock_diag *d, uint32_t only_netns);

/*
 * Opens one socket in this process's namespace only.  Returns 1, or
 * -errno.
 */
int sock_diag_open_home(struct sock_diag *d);

/* Whether NETNS is one of the covered namespaces. */
bool sock_diag_covers(const struct sock_diag *d, uint32_t netns);

typedef void (*diag_fn)(void *ctx, const struct diag_entry *e);

/*
 * Calls FN for every TCP socket that is a live session (established or
 * closing, not listening, in a handshake or in TIME_WAIT) in every
 * covered namespace.  Returns 0, or the first -errno (the other
 * namespaces are still read).
 */
int sock_diag_dump(struct sock_diag *d, diag_fn fn, void *ctx);

void sock_diag_close(struct sock_diag *d);

#endif
