/*
 * The in-kernel filters, in one table: each one's option, parser, -D
 * flag, kernel needs and --help lines.
 */
#ifndef TCPLIFE_FILTERS_H
#define TCPLIFE_FILTERS_H

#include <stdbool.h>
#include <stdio.h>

struct options;

struct filter {
	const char *name;	/* long option */
	int short_opt;		/* its letter, or 0 */
	const char *arg;	/* the argument's name in --help, or NULL */
	/*
	 * --help's text; each "\n" starts a line under the first, at the
	 * help column.
	 */
	const char *help;
	/*
	 * Stores ARG's value (NULL for an option without one) in OPTS,
	 * mostly in opts->filter, the config map's entry.  Returns 0, or
	 * -EINVAL after reporting.
	 */
	int (*parse)(const char *arg, struct options *opts);
	/*
	 * The -D flag that compiles the test in; its value comes from the
	 * config map, so one program serves every value.
	 */
	const char *cflag;
	/* Whether the test needs the session fields read (uid, netns). */
	bool session_fields;
	/* The kfeatures.h helper (KF_*) it needs, or -1. */
	int kfeature;
};

/* The Nth filter, or NULL past the last. */
const struct filter *filter_nth(unsigned int n);

/* getopt_long's value for filter N's option: its letter, or one above 0x200. */
int filter_option_value(unsigned int n);

/* The filter whose getopt_long value is VAL, or NULL. */
const struct filter *filter_by_option_value(int val, unsigned int *n);

/* Whether the filter called NAME was given (options.c keeps the bits). */
bool filter_given(const struct options *opts, const char *name);

/* Prints the filters' --help lines. */
void filters_print_help(FILE *out);

#endif
