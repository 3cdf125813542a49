/*
 * --interval: the table of open sessions, and the interim, close and
 * open_at_start records printed from it.
 *
 * The BPF program announces each established session (TCPLIFE_F_OPEN) with
 * its identity: addresses, ports and network namespace, owner, role and
 * start.  Every interval a pass reads every live TCP socket through socket
 * diagnostics (sock_diag.h) and matches it by that key; the socket cookie
 * seen at the first match must stay the same, so a later socket at the
 * same addresses is never taken for the first.  The close record carries
 * what the interim records did not: for every session, the deltas of its
 * records add up to its final totals.
 */
#ifndef TCPLIFE_INTERIM_H
#define TCPLIFE_INTERIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "health.h"
#include "sock_diag.h"
#include "tcplife_event.h"

struct session;
struct output;

/* Where the scan of /proc for owners goes on from. */
#define OWNER_HINTS 8
struct owner_cursor {
	uint32_t pid, fd;
	uint64_t wraps;		/* times it reached the end of /proc */
	struct owner_hint {	/* recent owners, read first */
		uint32_t pid, fd;	/* and where to go on in it */
		bool cycled;	/* read to its end since the last wrap */
	} hints[OWNER_HINTS];
	unsigned int next_hint;
};
struct perf_stream;

/* Counters of what interim records could not cover; never silent. */
enum interim_counter {
	IC_OVERFLOW,	/* sessions not tracked: the table was full */
	IC_VANISHED,	/* gone from the kernel with no close seen */
	IC_REPLACED,	/* a new session at an old one's key, no close seen */
	IC_DISCARDED,	/* readings dropped as another socket's */
	IC_READ_ERRORS,	/* diagnostics dumps that failed */
	IC_UNCOVERED,	/* sessions in namespaces no diag socket reads */
	NR_INTERIM_COUNTERS,
};

struct interim {
	struct session *pool;	/* CAP entries, bounded for good */
	int32_t *buckets;
	size_t cap, nbuckets, used;
	int32_t free_head;
	uint64_t next_id;
	uint64_t interval_ns, next_pass_ns;
	uint64_t pass_ns;	/* when the current pass read: 0 if none */
	uint64_t pass_gen;
	struct sock_diag diag;
	bool diag_open;
	uint64_t count[NR_INTERIM_COUNTERS];
	uint64_t reported[NR_INTERIM_COUNTERS];	/* in health records */
	uint64_t records;	/* interim and open_at_start records printed */
	struct {
		int pid;	/* the owner finder; 0: none */
		int sock;
		uint64_t cpu_ns;	/* its CPU time, summed */
	} finder;
	uint32_t uncovered_ns[16];	/* named on stderr so far */
	size_t nuncovered_ns;
	struct owner_cursor owner_cursor;	/* when this process scans */
	uint64_t owner_asked, owner_found;	/* accepted sockets' owners */
};

/*
 * Sets up a table of CAP sessions and opens the diagnostics sockets (call
 * before privileges are dropped).  ONLY_NETNS: --netns, or 0.  Returns 0
 * or -errno after reporting it.
 */
int interim_init(struct interim *im, unsigned long interval_s, size_t cap,
		 uint32_t only_netns);

/*
 * Forks the owner finder: a process that keeps CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH alone, as UID:GID, to read other accounts'
 * /proc/PID/fd once the tool has dropped its privileges.  Call after
 * interim_init(), before the drop.  Without CAP_SYS_PTRACE none is
 * started, and owners are looked for among our own processes only.
 */
void interim_finder_start(struct interim *im, unsigned int uid,
			  unsigned int gid);

/*
 * -a: reads the sessions open now into the table, owners from /proc
 * (call while still privileged); interim_print_open_at_start prints them.
 */
struct port_set;
struct interim_start_filter {
	const struct tcplife_config *config;	/* the config map's values */
	const struct port_set *lports, *rports;	/* NULL: any port */
};
void interim_read_open_at_start(struct interim *im,
				const struct interim_start_filter *filter,
				const char *cgroup_root);
void interim_print_open_at_start(struct interim *im, struct output *o);

/*
 * An event of the BPF program, in close order: an open is taken into the
 * table (returns false), a close printed as a close record (returns true).
 */
bool interim_event(struct interim *im, const struct tcplife_event *ev,
		   struct output *o);

/* Tracing began at ATTACH_NS: the first pass is one interval later. */
void interim_start(struct interim *im, uint64_t attach_ns);

/*
 * For the main loop: a pass if one is due, then *TIMEOUT_MS lowered to
 * the time until the next.  Returns as interim_pass().
 */
int interim_tick(struct interim *im, struct perf_stream *ps,
		 struct output *o, int *timeout_ms);

/*
 * One pass: closes so far are printed, the sockets read, then the closes
 * that came meanwhile, then an interim record per session still open.
 * Returns as output_flush().
 */
int interim_pass(struct interim *im, struct perf_stream *ps,
		 struct output *o, uint64_t now_ns);

/* New counts since the last call, as health fields; returns how many. */
size_t interim_health_fields(struct interim *im, struct health_field *f);

/* With --output, those as a health record. */
void interim_poll_health(struct interim *im, struct output *o);

/* Reports the totals on stderr, if any. */
void interim_report(const struct interim *im);

void interim_free(struct interim *im);

#endif
