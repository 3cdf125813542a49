/*
 * What the options change in the compiled program, apart from the host:
 * a small struct for the layers below options, and its -D flags.
 */
#ifndef TCPLIFE_PROGRAM_SHAPE_H
#define TCPLIFE_PROGRAM_SHAPE_H

#include <stdbool.h>

struct options;

struct program_shape {
	bool session_fields;	/* shown (-e, -j) */
	bool interim;		/* --interval: opens are reported too */
	bool report_unborn;	/* -a */
	unsigned long map_entries;	/* --map-entries */
};

/* The shape OPTS select. */
void program_shape_from_options(const struct options *opts,
				struct program_shape *shape);

/* At most this many flags come from a shape. */
#define PROGRAM_SHAPE_MAX_FLAGS 16

/*
 * The -D flags for SHAPE's session fields, --interval and -a, in a fixed
 * order, each once (no filter has one: see filters.c): static strings in
 * FLAGS.
 * Returns how many.  Pure, so it is unit-tested (tests/unit/shape.c).
 */
int program_shape_flags(const struct program_shape *shape,
			const char *flags[PROGRAM_SHAPE_MAX_FLAGS]);

#endif
