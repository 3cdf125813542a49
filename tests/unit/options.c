/* Unit test: option values as parsed, not only as refused. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "option_values.h"
#include "options.h"
#include "unit.h"

static int has_port(const struct port_set *set, unsigned int port)
{
	return (set->bits[port >> 6] >> (port & 63)) & 1;
}

static void check_ulong(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "1x", "0x10", "11", "99999999999999999999999",
	};
	unsigned long v = 42;

	CHECK(parse_ulong("7", 1, 10, &v) == 0 && v == 7, "7: %lu", v);
	CHECK(parse_ulong("10", 1, 10, &v) == 0 && v == 10, "max: %lu", v);
	CHECK(parse_ulong("007", 1, 10, &v) == 0 && v == 7, "leading zeros");
	CHECK(parse_ulong("0", 1, 10, &v) < 0, "below min accepted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		CHECK(parse_ulong(bad[i], 1, 10, &v) < 0 && v == 42,
		      "'%s' accepted or changed the value", bad[i]);
	}
}

static void check_ports(void)
{
	struct port_set *set = NULL;

	CHECK(parse_ports("localport", "80,443,8000-8003", &set) == 0 && set,
	      "a port list was refused");
	if (!set)
		return;
	CHECK(set->count == 6, "%u ports, expected 6", set->count);
	CHECK(has_port(set, 80) && has_port(set, 443) && has_port(set, 8000) &&
	      has_port(set, 8003), "a listed port is missing");
	CHECK(!has_port(set, 81) && !has_port(set, 8004) && !has_port(set, 0),
	      "an unlisted port is set");
	/* A second -L adds to the set; overlaps are counted once. */
	CHECK(parse_ports("localport", "8003-8005,1,65535", &set) == 0,
	      "a second list was refused");
	CHECK(set->count == 10 && has_port(set, 1) && has_port(set, 65535),
	      "after adding: %u ports", set->count);
	CHECK(parse_ports("localport", "90-80", &set) == -EINVAL &&
	      parse_ports("localport", "80,,81", &set) == -EINVAL &&
	      parse_ports("localport", "65536", &set) == -EINVAL,
	      "a bad list was accepted");
	CHECK(set->count == 10, "a refused list changed the set");
	free(set);
}

static void check_attach(void)
{
	const struct attach_method *m = attach_method_nth(0), *got = m;
	char list[200];

	CHECK(parse_attach("auto", &got) == 0 && got == NULL, "auto is not NULL");
	for (unsigned int i = 0; (m = attach_method_nth(i)); i++) {
		CHECK(parse_attach(m->name, &got) == 0 && got == m,
		      "--attach %s did not give its method", m->name);
		CHECK(m->func && m->target && m->available && m->attach &&
		      m->detach && m->unavailable, "%s: incomplete entry",
		      m->name);
	}
	CHECK(parse_attach("TRACEPOINT", &got) == -EINVAL, "case folded");
	attach_methods_list(list, sizeof(list), "auto");
	CHECK(!strncmp(list, "auto, ", 6), "list: '%s'", list);
	for (unsigned int i = 0; (m = attach_method_nth(i)); i++)
		CHECK(strstr(list, m->name), "list '%s' lacks %s", list, m->name);
}

static int parse(struct options *o, const char *a, const char *b,
		 const char *c)
{
	char *argv[] = { "tcplife-bcc", (char *)a, (char *)b, (char *)c, NULL };
	int argc = 1 + (a != NULL) + (b != NULL) + (c != NULL);

	return (int)options_parse(argc, argv, o);
}

static void check_parse(void)
{
	struct options o;

	CHECK(parse(&o, NULL, NULL, NULL) == OPTIONS_RUN && !o.attach &&
	      o.map_entries == DEFAULT_MAP_ENTRIES && !o.perf_pages &&
	      !strcmp(o.cache_dir, "/var/cache/tcplife-bcc") && !o.quiet,
	      "defaults");
	options_free(&o);
	CHECK(parse(&o, "-q", "--attach=kprobe", "--perf-pages=64") ==
	      OPTIONS_RUN && o.quiet && o.attach == attach_method_by_name("kprobe") &&
	      o.perf_pages == 64, "-q --attach=kprobe --perf-pages=64");
	options_free(&o);
	CHECK(parse(&o, "-d", "5", "-c3") == OPTIONS_RUN && o.duration == 5 &&
	      o.count == 3, "-d 5 -c3");
	options_free(&o);
	CHECK(parse(&o, "--perf-pages=3", NULL, NULL) == OPTIONS_USAGE_ERROR,
	      "a perf page count not a power of 2");
	CHECK(parse(&o, "-4", "-6", NULL) == OPTIONS_USAGE_ERROR, "-4 -6");
	CHECK(parse(&o, "--cache-dir", "rel", NULL) == OPTIONS_USAGE_ERROR,
	      "a relative --cache-dir");
	/* Parsing twice gives the same (getopt is reset each time). */
	CHECK(parse(&o, "-p", "4242", NULL) == OPTIONS_RUN && o.filter.pid == 4242 &&
	      parse(&o, "-p", "4243", NULL) == OPTIONS_RUN && o.filter.pid == 4243,
	      "a second parse");
	options_free(&o);
}

int main(void)
{
	check_ulong();
	check_ports();
	check_attach();
	check_parse();
	return unit_finish();
}
