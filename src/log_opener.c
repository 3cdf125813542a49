/*
 * The privileged remainder that opens the --output file for a tool that
 * leaves uid 0, as nginx's master reopens logs for its workers.  Forked
 * before anything is loaded, it keeps uid 0 with CAP_SETUID and
 * CAP_SETGID alone, and opens the one path it was given whenever the tool
 * asks (at the start and after each SIGUSR1), handing the descriptor over
 * a socket.  It opens as the run-as account first (setfsuid), so files in
 * the account's directory are the account's even when root lacks
 * CAP_DAC_OVERRIDE, and as root in a directory only root may write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log_opener.h"
#include "privileges.h"
#include "util.h"

struct reply {
	int err;
	int empty;
	char why[LOGFILE_WHY_MAX];
};

/* With the account's fs ids, then, on EACCES, with root's. */
static int open_as(const char *path, uid_t uid, gid_t gid, struct reply *r)
{
	bool empty = false;
	int fd;

	setfsgid(gid);
	setfsuid(uid);
	if ((uid_t)setfsuid((uid_t)-1) != uid)
		fd = -EPERM;
	else
		fd = logfile_open(path, uid, &empty, r->why, sizeof(r->why));
	setfsuid(geteuid());
	setfsgid(getegid());
	if (fd == -EACCES)
		fd = logfile_open(path, uid, &empty, r->why, sizeof(r->why));
	r->err = fd < 0 ? fd : 0;
	r->empty = empty;
	return fd;
}

static int send_reply(int sock, const struct reply *r, int fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(control, 0, sizeof(control));
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

__attribute__((noreturn)) static void serve(int sock, const char *path,
					    uid_t uid, gid_t gid)
{
	char c;

	close_fds_but(sock);
	/* The tool's Ctrl-C or SIGTERM ends it; this ends when it does. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	if (privileges_keep_setid() < 0)
		_exit(1);
	for (;;) {
		struct reply r;
		ssize_t n = read(sock, &c, 1);
		int fd;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		fd = open_as(path, uid, gid, &r);
		if (send_reply(sock, &r, fd) < 0)
			_exit(1);
		if (fd >= 0)
			close(fd);
	}
}

int log_opener_start(struct log_opener *lo, const char *path, uid_t uid,
		     gid_t gid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* Rows not yet written must not be written twice by the child. */
	fflush(NULL);
	lo->pid = fork();
	if (lo->pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (lo->pid == 0)
		serve(sv[1], path, uid, gid);
	close(sv[1]);
	lo->sock = sv[0];
	return 0;
}

int log_opener_open(struct log_opener *lo, bool *empty, char *why,
		    size_t size)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct reply r;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;
	ssize_t n;
	int fd = -1;

	why[0] = '\0';
	/* MSG_NOSIGNAL: an opener that is gone is an error, not SIGPIPE. */
	if (send(lo->sock, "o", 1, MSG_NOSIGNAL) != 1)
		return -errno;
	do
		n = recvmsg(lo->sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(r))
		return -EPIPE;	/* the opener is gone */
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (r.err < 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		r.why[sizeof(r.why) - 1] = '\0';
		snprintf(why, size, "%s", r.why);
		return r.err < 0 ? r.err : -EPROTO;
	}
	*empty = r.empty;
	return fd;
}

void log_opener_stop(struct log_opener *lo)
{
	if (lo->pid <= 0)
		return;
	close(lo->sock);
	waitpid(lo->pid, NULL, 0);
	lo->pid = 0;
	lo->sock = -1;
}
