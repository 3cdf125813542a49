/* Runs a command as a child of a small process, to report its true peak RSS. */
/*
 * Usage: maxrss_run REPORT COMMAND [ARG]...
 *
 * REPORT gets "pid=P" as soon as COMMAND runs, then "status=S maxrss_kib=K"
 * when it has ended; maxrss_run exits with COMMAND's status.
 *
 * Why: a process's peak RSS (ru_maxrss) counts its memory from before
 * exec() too, so a tool started straight from the Python harness would
 * report at least the harness's size.  Forked from this small program it
 * reports its own, and its helper processes' (wait4 includes the children
 * it reaped).  SIGINT and SIGTERM sent here are passed on to COMMAND.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "maxrss_run"

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	FILE *report;
	int status;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s REPORT COMMAND [ARG]...\n", PROG);
		return 2;
	}
	report = fopen(argv[1], "w");
	if (!report) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], strerror(errno));
		return 1;
	}
	/* Handlers, unlike ignored signals, are reset by exec in the child. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "%s: fork: %s\n", PROG, strerror(errno));
		return 1;
	}
	if (child == 0) {
		fclose(report);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[2], strerror(errno));
		_exit(127);
	}
	fprintf(report, "pid=%d\n", (int)child);
	fflush(report);
	while ((pid = wait4(child, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	if (pid < 0) {
		fprintf(stderr, "%s: wait4: %s\n", PROG, strerror(errno));
		return 1;
	}
	fprintf(report, "status=%d maxrss_kib=%ld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status),
		ru.ru_maxrss);
	if (fclose(report)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[1], strerror(errno));
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
