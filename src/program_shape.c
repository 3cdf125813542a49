/* The options' part of the program's -D flags: pure, and unit-tested. */
#include <string.h>

#include "filters.h"
#include "options.h"
#include "program_shape.h"

void program_shape_from_options(const struct options *opts,
				struct program_shape *shape)
{
	const struct filter *f;

	memset(shape, 0, sizeof(*shape));
	shape->filters_on = opts->filters_on;
	/* Only runs that show or filter on them pay for reading them. */
	shape->session_fields = opts->json || opts->extended;
	for (unsigned int i = 0; (f = filter_nth(i)); i++)
		if ((opts->filters_on & (1u << i)) && f->session_fields)
			shape->session_fields = true;
	/* Interim records key sessions by namespace, a session field. */
	if (opts->interval)
		shape->session_fields = shape->interim = true;
	shape->report_unborn = opts->all;
	shape->map_entries = opts->map_entries;
}

static int add_once(const char **flags, int n, const char *flag)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(flags[i], flag))
			return n;
	if (n < PROGRAM_SHAPE_MAX_FLAGS)
		flags[n++] = flag;
	return n;
}

int program_shape_flags(const struct program_shape *shape,
			const char *flags[PROGRAM_SHAPE_MAX_FLAGS])
{
	const struct filter *f;
	int n = 0;

	/*
	 * Which filters are compiled in; their values go into the config
	 * map, so the program does not change with them.
	 */
	for (unsigned int i = 0; (f = filter_nth(i)); i++)
		if (shape->filters_on & (1u << i))
			n = add_once(flags, n, f->cflag);
	if (shape->session_fields)
		n = add_once(flags, n, "-DTCPLIFE_SESSION_FIELDS");
	if (shape->interim)
		n = add_once(flags, n, "-DTCPLIFE_INTERIM");
	if (shape->report_unborn)
		n = add_once(flags, n, "-DTCPLIFE_REPORT_UNBORN");
	return n;
}
