/* Diagnostics and small helpers shared by every part of tcplife-bcc. */
#ifndef TCPLIFE_UTIL_H
#define TCPLIFE_UTIL_H

#include <stddef.h>

#define PROGRAM_NAME "tcplife-bcc"

enum exit_status {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	/* environment, kernel or I/O failure */
	EXIT_USAGE = 2,		/* bad command line */
};

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

/* "tcplife-bcc: MESSAGE" on stderr. */
void error_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warning_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);

/*
 * "tcplife-bcc: note: MESSAGE" on stderr: information, not a problem;
 * silenced by notes_silence() (-q).
 */
void note_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
void notes_silence(void);

/* error_msg, then exit with STATUS. */
void die(int status, const char *fmt, ...) PRINTF_LIKE(2, 3)
	__attribute__((noreturn));

void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Reads a whole small file into a NUL-terminated buffer; -errno on error. */
int read_small_file(const char *path, char *buf, size_t size);

/* DIR/NAME into OUT; -ENAMETOOLONG when it does not fit. */
int path_join(char *out, size_t size, const char *dir, const char *name);

/*
 * A CPU list file such as /sys/devices/system/cpu/online ("0-3,6,8-9")
 * into a malloc()ed array; returns how many, or -errno.
 */
int cpu_list_read(const char *path, int **list);

/*
 * For a forked remainder: closes every descriptor but KEEP and stderr, so
 * it holds nothing of the tool's (programs, perf events, the log).
 */
void close_fds_but(int keep);

int path_is_dir(const char *path);
int path_is_file(const char *path);

#endif
