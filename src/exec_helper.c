/*
 * Running a system program (xz, modprobe) safely.  It is executed by a
 * fixed absolute path, never through a shell or $PATH, with a fixed
 * argument list and environment, so nothing the caller's environment or
 * a file name holds can change what runs as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_helper.h"
#include "privileges.h"

static char *const environment[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL,
};

/*
 * The helper runs as the account the tool itself would run as (its own,
 * or an id no one else uses), never as nobody, whose other processes
 * could trace it.
 */
static int drop_for_helper(void)
{
	struct run_as ra;

	privileges_plan(NULL, &ra);
	return privileges_drop_to(&ra);
}

/* Descriptors 0-2 as asked, every other one closed. */
static int set_descriptors(int in, int out)
{
	int null = open("/dev/null", O_RDWR);
	struct rlimit rl;
	int max = 1024;

	if (null < 0 || dup2(in >= 0 ? in : null, STDIN_FILENO) < 0 ||
	    dup2(out >= 0 ? out : null, STDOUT_FILENO) < 0 ||
	    dup2(null, STDERR_FILENO) < 0)
		return -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (int)rl.rlim_cur;
	for (int fd = STDERR_FILENO + 1; fd < max; fd++)
		close(fd);
	return 0;
}

pid_t exec_helper_start(const char *const *paths, char *const *argv, int in,
			int out, bool unprivileged)
{
	const char *path = NULL;
	sigset_t none;
	pid_t pid;

	for (; *paths && !path; paths++)
		if (access(*paths, X_OK) == 0)
			path = *paths;
	if (!path)
		return -ENOENT;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid)
		return pid;
	/* The tool may block or ignore them; the program should not. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (set_descriptors(in, out) < 0 ||
	    (unprivileged && drop_for_helper() < 0))
		_exit(126);
	execve(path, argv, environment);
	_exit(127);
}

int exec_helper_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}
