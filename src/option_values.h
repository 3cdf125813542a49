/* Parsing and checking option values; shared by options.c and usage.c. */
#ifndef TCPLIFE_OPTION_VALUES_H
#define TCPLIFE_OPTION_VALUES_H

#include "options.h"

/* Reports "invalid --OPTION argument: 'VALUE': HINT"; returns -EINVAL. */
int bad_argument(const char *option, const char *value, const char *hint);

/* A whole decimal number in MIN..MAX: no sign, spaces or junk. */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* "80,443,8000-8080" added to *SET (allocated on first use). */
int parse_ports(const char *option, const char *arg, struct port_set **set);

/* A cgroup v2 directory: fills opts->cgroup_path, _id and _level. */
int parse_cgroup(const char *arg, struct options *opts);

/* --attach: a method from the table, or NULL for auto. */
int parse_attach(const char *arg, const struct attach_method **method);

void print_help(void);
void print_version(void);

#endif
