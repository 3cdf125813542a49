/*
 * The sessions still open when tracing stops: the entries left in the
 * BPF program's per-socket map that began while it ran.  They have no
 * row because they had not closed; -v says how many, so that a reader
 * comparing rows with another record knows which sessions to expect
 * without one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <bcc/libbpf.h>

#include "open_sessions.h"
#include "tcplife_event.h"

int open_sessions_count(int socks_fd, uint64_t *count)
{
	uint64_t key, next;
	struct sock_state st;
	void *prev = NULL;

	*count = 0;
	if (socks_fd < 0)
		return -EBADF;
	/* Read after the detach: no entry is added or removed meanwhile. */
	while (bpf_get_next_key(socks_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_lookup_elem(socks_fd, &key, &st) == 0 &&
		    (st.flags & SOCK_STARTED))
			(*count)++;
	}
	return errno == ENOENT ? 0 : -errno;
}
