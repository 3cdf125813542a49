/*
 * The owner finder: a process forked before privileges are dropped that
 * keeps only what reading other accounts' /proc/PID/fd needs, so that
 * --interval can name the owner of an accepted socket, as ss -p does.
 *
 * Reading a descriptor's link in /proc/PID/fd needs ptrace read access
 * (CAP_SYS_PTRACE for another account's or a non-dumpable process), and
 * listing the directory needs CAP_DAC_READ_SEARCH; the tool itself keeps
 * no capability once attached, so it asks this process.  Its whole input
 * is a list of socket inode numbers; its answer, the pid holding each.
 * It holds no descriptor but its socket and stderr, and ends when the
 * tool closes that socket or ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interim_table.h"
#include "util.h"

/* More inodes than any table holds (--map-entries): a broken request. */
#define FINDER_MAX_QUERY (1u << 22)

static const uint32_t finder_caps =
	(1u << CAP_SYS_PTRACE) | (1u << CAP_DAC_READ_SEARCH);

/* The effective capabilities among the first 32; 0 if unknown. */
static uint32_t effective_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return data[0].effective;
}

/* Becomes UID:GID with the finder's capabilities alone; 0 or -errno. */
static int keep_finder_caps(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uint32_t keep = effective_caps() & finder_caps;

	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (cap >= 32 || !((keep >> cap) & 1))
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
			    errno == EPERM)
				break;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (uid != getuid() || gid != getgid()) {
		/* Not uid 0: it owns /etc and most of the system. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
		    setgroups(0, NULL) < 0 || setgid(gid) < 0 ||
		    setuid(uid) < 0)
			return -errno;
	}
	memset(caps, 0, sizeof(caps));
	caps[0].effective = caps[0].permitted = keep;
	if (syscall(SYS_capset, &hdr, caps) < 0)
		return -errno;
	/* The tool, same account, may neither trace nor signal-dump it. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Reads LEN bytes; 1 when done, 0 at end of file, or -errno. */
static int read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : (p == buf ? 0 : -EPIPE);
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/* MSG_NOSIGNAL: a peer that is gone is an error, not SIGPIPE. */
static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * A request: a count, a budget of links, then that many inodes.  The
 * answer: the CPU time spent, the scan's wraps so far, then the pids.
 */
__attribute__((noreturn)) static void serve(int sock, uid_t uid, gid_t gid)
{
	static const int quiet[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				     SIGUSR1, SIGPIPE };

	close_fds_but(sock);
	/* The tool's Ctrl-C or SIGTERM ends it; this ends when it does. */
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		signal(quiet[i], SIG_IGN);
	struct owner_cursor cursor = { .pid = 0 };

	if (keep_finder_caps(uid, gid) < 0)
		_exit(1);
	for (;;) {
		struct owner_query *q;
		uint32_t n, *inodes;
		uint64_t began, budget;
		int r = read_exact(sock, &n, sizeof(n));

		if (r <= 0 || n > FINDER_MAX_QUERY ||
		    read_exact(sock, &budget, sizeof(budget)) <= 0)
			_exit(r < 0 || n > FINDER_MAX_QUERY);
		inodes = xcalloc((size_t)n + 1, sizeof(*inodes));
		q = xcalloc((size_t)n + 1, sizeof(*q));
		if (read_exact(sock, inodes, n * sizeof(*inodes)) <= 0 && n)
			_exit(1);
		began = cpu_ns();
		for (uint32_t i = 0; i < n; i++) {
			q[i].inode = inodes[i];
			q[i].slot = i;
		}
		interim_owner_sort(q, n);
		interim_owner_scan(q, n, &cursor, (size_t)budget);
		for (uint32_t i = 0; i < n; i++)
			inodes[q[i].slot] = q[i].pid;
		began = cpu_ns() - began;
		if (send_all(sock, &began, sizeof(began)) < 0 ||
		    send_all(sock, &cursor.wraps, sizeof(cursor.wraps)) < 0 ||
		    send_all(sock, inodes, n * sizeof(*inodes)) < 0)
			_exit(1);
		free(inodes);
		free(q);
	}
}

void interim_finder_start(struct interim *im, unsigned int uid,
			  unsigned int gid)
{
	int sv[2], err;
	pid_t pid;

	im->finder.pid = 0;
	im->finder.sock = -1;
	if (!(effective_caps() & (1u << CAP_SYS_PTRACE))) {
		warning_msg("--interval: without CAP_SYS_PTRACE, the owners "
			    "of accepted sessions are looked for among the "
			    "tool's own account's processes only: the others' "
			    "interim records have a null pid and comm until "
			    "their close");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		err = errno;
		goto failed;
	}
	/* Rows not yet written must not be written twice by the child. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		goto failed;
	}
	if (pid == 0)
		serve(sv[1], (uid_t)uid, (gid_t)gid);
	close(sv[1]);
	im->finder.pid = pid;
	im->finder.sock = sv[0];
	return;
failed:
	warning_msg("--interval: cannot start the process that finds the "
		    "owners of accepted sessions (%s): their pid and comm "
		    "stay null until their close", strerror(err));
}

int interim_finder_ask(struct interim *im, struct owner_query *q, size_t n,
		       size_t budget)
{
	uint32_t count = (uint32_t)n, *buf;
	uint64_t cpu, wraps, links = budget;
	int err;

	if (!im->finder.pid)
		return -ESRCH;
	buf = xcalloc(n, sizeof(*buf));
	for (size_t i = 0; i < n; i++)
		buf[i] = q[i].inode;
	err = send_all(im->finder.sock, &count, sizeof(count));
	if (!err)
		err = send_all(im->finder.sock, &links, sizeof(links));
	if (!err)
		err = send_all(im->finder.sock, buf, n * sizeof(*buf));
	if (!err)
		err = read_exact(im->finder.sock, &cpu, sizeof(cpu));
	if (err == 1)
		err = read_exact(im->finder.sock, &wraps, sizeof(wraps));
	if (err == 1)
		err = read_exact(im->finder.sock, buf, n * sizeof(*buf));
	if (err != 1) {
		free(buf);
		warning_msg("--interval: the process that finds the owners of "
			    "accepted sessions is gone (%s): from now on only "
			    "the tool's own account's processes are read",
			    strerror(err ? -err : EPIPE));
		interim_finder_stop(im);
		return err ? err : -EPIPE;
	}
	for (size_t i = 0; i < n; i++)
		q[i].pid = buf[i];
	im->finder.cpu_ns += cpu;
	im->owner_cursor.wraps = wraps;
	free(buf);
	return 0;
}

void interim_finder_stop(struct interim *im)
{
	if (im->finder.pid <= 0)
		return;
	close(im->finder.sock);
	while (waitpid(im->finder.pid, NULL, 0) < 0 && errno == EINTR)
		;
	im->finder.pid = 0;
	im->finder.sock = -1;
}
