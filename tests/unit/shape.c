/* Unit test: the -D flags the options select, from the command line on. */
#include <string.h>

#include "options.h"
#include "program_shape.h"
#include "unit.h"

/* The shape's flags for ARGV, joined by spaces; "" for none. */
static const char *flags_of(char *buf, size_t size, char **argv)
{
	const char *flags[PROGRAM_SHAPE_MAX_FLAGS];
	struct program_shape shape;
	struct options o;
	int argc = 0, n;

	while (argv[argc])
		argc++;
	buf[0] = '\0';
	if (options_parse(argc, argv, &o) != OPTIONS_RUN)
		return "(usage error)";
	program_shape_from_options(&o, &shape);
	n = program_shape_flags(&shape, flags);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, "%s%s", i ? " " : "", flags[i]);
	}
	options_free(&o);
	return buf;
}

#define EXPECT(want, ...)						\
	do {								\
		char *argv_[] = { "tcplife-bcc", __VA_ARGS__, NULL };	\
		char buf_[512];						\
		const char *got_ = flags_of(buf_, sizeof(buf_), argv_);	\
									\
		CHECK(!strcmp(got_, want), "%s: '%s', expected '%s'",	\
		      argv_[1] ? argv_[1] : "", got_, want);		\
	} while (0)

int main(void)
{
	EXPECT("", "-s");
	EXPECT("-DTCPLIFE_SESSION_FIELDS", "-e");
	EXPECT("-DTCPLIFE_SESSION_FIELDS", "-j");
	EXPECT("-DTCPLIFE_REPORT_UNBORN", "-a");
	/* --interval: opens announced, keyed by the session's namespace. */
	EXPECT("-DTCPLIFE_SESSION_FIELDS -DTCPLIFE_INTERIM",
	       "--interval", "5");
	EXPECT("-DTCPLIFE_SESSION_FIELDS -DTCPLIFE_INTERIM "
	       "-DTCPLIFE_REPORT_UNBORN", "-a", "--interval", "1");
	/*
	 * No filter changes the program: all are compiled in and the
	 * config map says which were given, with their values.
	 */
	EXPECT("", "-p", "1");
	EXPECT("", "-p", "4194304");
	EXPECT("", "-u", "0");
	EXPECT("", "--netns", "7");
	EXPECT("", "-4");
	EXPECT("", "-6");
	EXPECT("", "--failed");
	EXPECT("", "--no-failed");
	EXPECT("", "--role", "server");
	EXPECT("", "-D", "22", "-L", "80");
	EXPECT("-DTCPLIFE_SESSION_FIELDS", "-e", "-u", "0", "--netns", "7");
	EXPECT("-DTCPLIFE_SESSION_FIELDS -DTCPLIFE_REPORT_UNBORN",
	       "-a", "--failed", "-4", "-u", "0", "-p", "9", "-j");
	/* Excluding each other stays a usage error. */
	EXPECT("(usage error)", "-4", "-6");
	EXPECT("(usage error)", "--failed", "--no-failed");
	return unit_finish();
}
