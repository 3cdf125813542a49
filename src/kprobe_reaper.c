/*
 * The privileged remainder of a run with a legacy kprobe.  Kernels before
 * 4.17 create a kprobe only as an entry in kprobe_events, which outlives
 * the process unless removed, and removing it needs root.  A child forked
 * once attached keeps uid 0 and nothing else, and waits for the tool to
 * end, however it ends (SIGKILL included: its pipe closes), to remove the
 * entry; the tool itself then leaves root like any other run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "kprobe_reaper.h"
#include "privileges.h"
#include "tracefs.h"
#include "util.h"

/*
 * libbcc names the entry EVENT_bcc_PID after the process that created it,
 * and its own bpf_detach_kprobe() looks for the caller's PID: that is the
 * tool's, not this child's, so the entry is removed here.  Returns 0 when
 * it is gone, -EBUSY while still in use.
 */
static int remove_entry(const char *event, pid_t owner)
{
	static const char *const files[] = {
		TRACEFS_DIR "/kprobe_events",
		DEBUGFS_TRACING_DIR "/kprobe_events",
	};
	char cmd[160];
	int n, err = -ENOENT;

	n = snprintf(cmd, sizeof(cmd), "-:kprobes/%s_bcc_%d", event,
		     (int)owner);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd < 0)
			continue;
		err = write(fd, cmd, (size_t)n) == n ? 0 : -errno;
		close(fd);
		/* No such entry there: it is gone, or in the other file. */
		if (err != -ENOENT)
			return err;
	}
	return err == -ENOENT ? 0 : err;
}

__attribute__((noreturn)) static void reap(int fd, const char *event,
					   pid_t owner)
{
	int err = 0;
	char c;

	/* Above all the kprobe's perf event, which pins the entry. */
	close_fds_but(fd);
	/* A Ctrl-C for the tool must not end its cleanup too. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	/* uid 0 owns kprobe_events; no capability is needed to write it. */
	if (privileges_drop(NULL) < 0)
		_exit(1);
	while (read(fd, &c, 1) != 0 && errno == EINTR)
		;
	/*
	 * An exiting process closes its descriptors in no set order: the
	 * perf event may still be held for a moment after the pipe closed.
	 */
	for (int tries = 0; tries < 100; tries++) {
		err = remove_entry(event, owner);
		if (err != -EBUSY)
			break;
		usleep(20000);
	}
	_exit(err ? 1 : 0);
}

int kprobe_reaper_start(const char *event)
{
	pid_t owner = getpid(), pid;
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0)
		reap(pipefd[0], event, owner);
	/* The write end stays open, unused, until the tool exits. */
	close(pipefd[0]);
	return 0;
}
