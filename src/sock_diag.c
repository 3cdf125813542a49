/*
 * Reading open TCP sockets and their counters through NETLINK_SOCK_DIAG,
 * as ss -ti does: it needs no BTF and no headers, and works unprivileged
 * on a socket made before privileges were dropped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "sock_diag.h"
#include "tcplife_event.h"
#include "util.h"

/* Namespaces covered at most: each costs a socket and a dump per pass. */
#define MAX_NAMESPACES 4096

/* The states of a live session, as bits of idiag_states. */
#define LIVE_STATES ((1u << 1) | (1u << 4) | (1u << 5) | (1u << 8) | \
		     (1u << 9) | (1u << 11))

static int ns_inode(const char *path, uint32_t *inode)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*inode = (uint32_t)st.st_ino;
	return 0;
}

bool sock_diag_covers(const struct sock_diag *d, uint32_t netns)
{
	for (size_t i = 0; i < d->nns; i++)
		if (d->ns[i].netns == netns)
			return true;
	return false;
}

static int open_here(struct sock_diag *d, uint32_t netns)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);

	/*
	 * A dump answers at once; a reply that never comes must not hold
	 * up a pass, let alone the stop.
	 */
	struct timeval limit = { .tv_sec = 5 };

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	d->ns[d->nns].fd = fd;
	d->ns[d->nns].netns = netns;
	d->nns++;
	return 0;
}

/* Enters the namespace at PATH, opens a socket there and comes back. */
static void open_in(struct sock_diag *d, const char *path, int home_fd,
		    uint32_t only)
{
	uint32_t netns = 0;
	int fd;

	if (ns_inode(path, &netns) < 0 || sock_diag_covers(d, netns) ||
	    (only && netns != only))
		return;
	if (d->nns == MAX_NAMESPACES) {
		d->missed++;
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		d->missed++;
	} else {
		if (open_here(d, netns) < 0)
			d->missed++;
		if (setns(home_fd, CLONE_NEWNET) < 0)
			die(EXIT_RUNTIME, "cannot return to the tool's network "
			    "namespace: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

/* Every namespace that a process or a /run/netns name holds. */
static void open_others(struct sock_diag *d, int home_fd, uint32_t only)
{
	static const char *const dirs[] = { "/proc", "/run/netns" };
	char path[300];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *dir = opendir(dirs[i]);
		struct dirent *de;

		while (dir && (de = readdir(dir))) {
			bool proc = i == 0;

			if (de->d_name[0] == '.' ||
			    (proc && (de->d_name[0] < '0' || de->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path), proc ? "%s/%s/ns/net" :
				 "%s/%s", dirs[i], de->d_name);
			open_in(d, path, home_fd, only);
		}
		if (dir)
			closedir(dir);
	}
}

/* Allocates D's table and finds this process's namespace. */
static int start_table(struct sock_diag *d, uint32_t *home)
{
	memset(d, 0, sizeof(*d));
	d->ns = xcalloc(MAX_NAMESPACES, sizeof(*d->ns));
	return ns_inode("/proc/self/ns/net", home);
}

int sock_diag_open_home(struct sock_diag *d)
{
	uint32_t home;
	int err = start_table(d, &home);

	if (!err)
		err = open_here(d, home);
	return err ? err : 1;
}

int sock_diag_open(struct sock_diag *d, uint32_t only_netns)
{
	uint32_t home;
	int err, home_fd;

	err = start_table(d, &home);
	if (err)
		return err;
	if (!only_netns || only_netns == home) {
		err = open_here(d, home);
		if (err)
			return err;
	}
	home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_fd < 0)
		return d->nns ? (int)d->nns : -errno;
	open_others(d, home_fd, only_netns);
	close(home_fd);
	return (int)d->nns;
}

static void fill_entry(struct diag_entry *e, const struct inet_diag_msg *m,
		       uint32_t netns)
{
	memset(e, 0, sizeof(*e));
	e->netns = netns;
	e->family = m->idiag_family == AF_INET ? TCPLIFE_AF_INET :
		    TCPLIFE_AF_INET6;
	e->lport = ntohs(m->id.idiag_sport);
	e->rport = ntohs(m->id.idiag_dport);
	memcpy(e->laddr, m->id.idiag_src, e->family == TCPLIFE_AF_INET ?
	       4 : 16);
	memcpy(e->raddr, m->id.idiag_dst, e->family == TCPLIFE_AF_INET ?
	       4 : 16);
	e->state = m->idiag_state;
	e->uid = m->idiag_uid;
	e->inode = m->idiag_inode;
	e->cookie = (uint64_t)m->id.idiag_cookie[0] |
		    (uint64_t)m->id.idiag_cookie[1] << 32;
}

/* tcp_info may be shorter (an older kernel) or longer than ours. */
static void fill_info(struct diag_entry *e, const void *data, size_t len)
{
	struct tcp_info ti;

	if (len < offsetof(struct tcp_info, tcpi_bytes_received) +
		  sizeof(ti.tcpi_bytes_received))
		return;		/* no byte counters: before Linux 4.2 */
	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, data, len < sizeof(ti) ? len : sizeof(ti));
	e->have_info = true;
	e->tx_bytes = ti.tcpi_bytes_acked;
	e->rx_bytes = ti.tcpi_bytes_received;
	e->retrans = ti.tcpi_total_retrans;
	e->srtt_us = ti.tcpi_rtt;
}

/* One message of a dump; returns 1 at its end, 0 to go on, or -errno. */
static int parse_msg(const struct nlmsghdr *h, uint32_t netns, diag_fn fn,
		     void *ctx)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	struct diag_entry e;
	struct rtattr *a;
	int len;

	if (h->nlmsg_type == NLMSG_DONE)
		return 1;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = NLMSG_DATA(h);

		return err->error ? err->error : -EIO;
	}
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	fill_entry(&e, m, netns);
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (struct rtattr *)(m + 1); RTA_OK(a, len);
	     a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_INFO)
			fill_info(&e, RTA_DATA(a), RTA_PAYLOAD(a));
	fn(ctx, &e);
	return 0;
}

/* Reused by every dump: the kernel sends at most a page or so at once. */
static char dump_buffer[1 << 16] __attribute__((aligned(8)));

static int dump_family(int fd, uint32_t netns, int family, diag_fn fn,
		       void *ctx)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req = {
		.h = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.r = {
			.sdiag_family = (uint8_t)family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_ext = 1u << (INET_DIAG_INFO - 1),
			.idiag_states = LIVE_STATES,
		},
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, dump_buffer, sizeof(dump_buffer), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)dump_buffer;
		int left = (int)n, r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			r = parse_msg(h, netns, fn, ctx);
			if (r)
				return r < 0 ? r : 0;
		}
	}
}

int sock_diag_dump(struct sock_diag *d, diag_fn fn, void *ctx)
{
	int first = 0;

	for (size_t i = 0; i < d->nns; i++) {
		int err = dump_family(d->ns[i].fd, d->ns[i].netns, AF_INET,
				      fn, ctx);

		if (!err)
			err = dump_family(d->ns[i].fd, d->ns[i].netns,
					  AF_INET6, fn, ctx);
		if (err && !first)
			first = err;
	}
	return first;
}

void sock_diag_close(struct sock_diag *d)
{
	for (size_t i = 0; i < d->nns; i++)
		close(d->ns[i].fd);
	free(d->ns);
	d->ns = NULL;
	d->nns = 0;
}
