/* The unit tests' few helpers: checks that count failures, and temp dirs. */
#ifndef TCPLIFE_UNIT_H
#define TCPLIFE_UNIT_H

#include <stdio.h>

extern int unit_failures;

/* Reports and counts a failed check; the test goes on to the next one. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: FAIL: ", __FILE__,	\
				__LINE__);				\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			unit_failures++;				\
		}							\
	} while (0)

/* A fresh directory under $TMPDIR (or /tmp), removed by unit_finish(). */
const char *unit_tmpdir(void);

/* Creates DIR/REL (and its parents) holding TEXT. */
void unit_write(const char *dir, const char *rel, const char *text);

/* Makes DIR/REL a symbolic link to TARGET. */
void unit_link(const char *dir, const char *rel, const char *target);

/* Removes the temporary directory; the exit status: 0, or 1 on failures. */
int unit_finish(void);

#endif
