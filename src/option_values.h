/* Parsing and checking option values; shared by options.c and usage.c. */
#ifndef TCPLIFE_OPTION_VALUES_H
#define TCPLIFE_OPTION_VALUES_H

#include <stdint.h>

#include "options.h"

/* Reports "invalid --OPTION argument: 'VALUE': HINT"; returns -EINVAL. */
int bad_argument(const char *option, const char *value, const char *hint);

/* A whole decimal number in MIN..MAX: no sign, spaces or junk. */
int parse_ulong(const char *s, unsigned long min, unsigned long max,
		unsigned long *out);

/* "80,443,8000-8080" added to *SET (allocated on first use). */
int parse_ports(const char *option, const char *arg, struct port_set **set);

/*
 * --perf-pages: a power of 2 whose buffers, on every online CPU, take at
 * most PERF_MAX_TOTAL_BYTES; bounded in bytes, so 64 KiB pages cannot
 * overflow libbcc's int mmap size.
 */
int parse_perf_pages(const char *arg, unsigned long *pages);

/* Perf buffers, all CPUs together, never take more than this. */
#define PERF_MAX_TOTAL_BYTES (256u << 20)

/* A cgroup v2 directory: fills opts->cgroup_path and its id and level. */
int parse_cgroup(const char *arg, struct options *opts);

/* -u: a user ID or name. */
int parse_uid(const char *arg, uint32_t *uid);

/*
 * --netns: an inode number, a network namespace file (/proc/PID/ns/net,
 * /run/netns/NAME) or a name under /run/netns; sets *INODE.
 */
int parse_netns(const char *arg, uint32_t *inode);

/* --attach: a method from the table, or NULL for auto. */
int parse_attach(const char *arg, const struct attach_method **method);

void print_help(void);
void print_version(void);

#endif
