/* The options' part of the program's -D flags: pure, and unit-tested. */
#include <string.h>

#include "options.h"
#include "program_shape.h"

void program_shape_from_options(const struct options *opts,
				struct program_shape *shape)
{
	memset(shape, 0, sizeof(*shape));
	/*
	 * Only runs that show them pay for reading them; the filters (-u,
	 * --netns) read what they need when given, so that they do not
	 * change the program.
	 */
	shape->session_fields = opts->json || opts->extended;
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
	int n = 0;

	/*
	 * No filter is here: all are compiled in and the config map says
	 * which were given, so the program does not change with them.
	 */
	if (shape->session_fields)
		n = add_once(flags, n, "-DTCPLIFE_SESSION_FIELDS");
	if (shape->interim)
		n = add_once(flags, n, "-DTCPLIFE_INTERIM");
	if (shape->report_unborn)
		n = add_once(flags, n, "-DTCPLIFE_REPORT_UNBORN");
	return n;
}
