/*
 * Health records: what went missing, as JSON objects of their own type in
 * the --output stream.  Session rows have no "type" key, so one key tells
 * the two apart, and a new counter is one more field.
 */
#include <inttypes.h>

#include "format_time.h"
#include "health.h"

void health_print(const struct row_format *rf, uint64_t now_ns,
		  const struct health_field *f, size_t n, FILE *out)
{
	char time[40];

	format_rfc3339(rf, now_ns, time, sizeof(time));
	fprintf(out, "{\"type\":\"health\",\"time\":\"%s\"", time);
	for (size_t i = 0; i < n; i++)
		fprintf(out, ",\"%s\":%" PRIu64, f[i].key, f[i].value);
	fputs("}\n", out);
}
