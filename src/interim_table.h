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
	bool owner_tried;	/* /proc was asked once */
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
 * /proc (each asked once: unprivileged, only our own processes can be
 * read).  CGROUP_ROOT: the cgroup2 mount, or NULL.
 */
void interim_resolve_owners(struct interim *im, const char *cgroup_root);

/* Whether PID is in the cgroup v2 directory of id WITHIN or below it. */
bool interim_in_cgroup(uint32_t pid, const char *cgroup_root,
		       uint64_t within);

#endif
