/* The session table behind interim records: shared by the interim files. */
#ifndef TCPLIFE_INTERIM_TABLE_H
#define TCPLIFE_INTERIM_TABLE_H

#include "interim.h"

struct session {
	struct tcplife_event ev;	/* identity, and the last reading */
	uint64_t id;
	uint64_t cookie;	/* from the first reading; 0: none yet */
	uint64_t tx_reported, rx_reported;	/* sum of printed deltas */
	uint64_t seen_gen;	/* the pass that last read it */
	struct diag_entry reading;	/* this pass's, while pending */
	bool pending;
	bool used;
	bool owner_known;
	bool listed;		/* open_at_start, not printed yet */
	bool owner_tried;	/* /proc was read for it: no more */
	bool owner_asked;	/* the owner scan has been asked for it */
	uint64_t owner_wraps;	/* the scan's wraps when first asked */
	int32_t next;		/* hash chain, or the free list */
};

/* CLOCK_MONOTONIC now, in nanoseconds. */
uint64_t interim_now_ns(void);

/* A diag entry's key, in the event's form, to look it up with. */
void interim_entry_key(const struct diag_entry *e, struct tcplife_event *k);

/* The session at EV's key (namespace, family, addresses, ports), or NULL. */
struct session *interim_find(struct interim *im,
			     const struct tcplife_event *ev);

/* A new session for EV; NULL (and counted) when the table is full. */
struct session *interim_add(struct interim *im,
			    const struct tcplife_event *ev);

void interim_remove(struct interim *im, struct session *s);

/* The reading R into S's event: counters, time, duration so far. */
void interim_apply_reading(struct session *s, const struct diag_entry *r,
			   uint64_t now_ns);

/* Prints S as it stands as a record of TYPE (MARKER in text). */
void interim_print(struct interim *im, struct session *s, const char *type,
		   const char *marker, struct output *o);

/*
 * Owners of the sessions read in this pass whose owner is not known, from
 * /proc, in one scan (each session asked once): through the owner finder
 * when it runs, else by this process (unprivileged, only processes of its
 * own account can be read).  CGROUP_ROOT: the cgroup2 mount, or NULL.
 */
void interim_resolve_owners(struct interim *im, const char *cgroup_root,
			    size_t budget);

/*
 * The descriptor links a pass reads at most (each costs the kernel a few
 * microseconds): a pass stays within its CPU budget however many
 * descriptors the machine holds, and the scan goes on from where it
 * stopped at the next pass.  Unbounded: SIZE_MAX.
 */
#define OWNER_LINKS_PER_PASS 1024

/* A socket inode whose holder is looked for. */
struct owner_query {
	uint32_t inode;
	uint32_t pid;		/* found: 0 if not */
	uint32_t slot;		/* its session's index in the pool */
};

/* Sorts Q by inode, as interim_owner_scan() needs it. */
void interim_owner_sort(struct owner_query *q, size_t n);

/*
 * Reads /proc/PID/fd of the processes this one may read, from cursor C
 * on, at most BUDGET links, filling the pid of each of Q (sorted by
 * inode); C then says where to go on, and counts the ends of the list
 * reached.  Returns how many were found.
 */
size_t interim_owner_scan(struct owner_query *q, size_t n,
			  struct owner_cursor *c, size_t budget);

/*
 * Has the owner finder (interim_finder.c) scan for Q, sorted by inode,
 * with its own cursor, whose wraps it copies into im->owner_cursor.
 * Returns 0, or -errno when there is no finder or it is gone (Q is then
 * left as it was).
 */
int interim_finder_ask(struct interim *im, struct owner_query *q, size_t n,
		       size_t budget);

void interim_finder_stop(struct interim *im);

/* Whether PID is in the cgroup v2 directory of id WITHIN or below it. */
bool interim_in_cgroup(uint32_t pid, const char *cgroup_root,
		       uint64_t within);

#endif
