/*
 * The in-kernel filters, in one table: each one's option, parser, bit in
 * the config map's mask, kernel needs and --help lines.
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
	/* Its TCPLIFE_FILTER_* bit in the config map's mask. */
	unsigned int mask;
	/* The kfeatures.h helper (KF_*) its test calls, or -1. */
	int kfeature;
	/*
	 * With KFEATURE: the -D flag that compiles the test in, given
	 * whenever the kernel has the helper, so that the program still
	 * loads on kernels without it; the options never change it.
	 */
	const char *kernel_cflag;
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
