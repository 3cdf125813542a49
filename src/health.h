/*
 * Health records: what went missing, as JSON objects of their own type in
 * the --output stream, so a central store sees gaps and not silence.
 */
#ifndef TCPLIFE_HEALTH_H
#define TCPLIFE_HEALTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"

/* One counter of a record: "KEY":VALUE. */
struct health_field {
	const char *key;
	uint64_t value;
};

/*
 * {"type":"health","time":"RFC 3339 of NOW_NS","KEY":VALUE,...} and a
 * newline on OUT; NOW_NS is CLOCK_MONOTONIC, as events' times.
 */
void health_print(const struct row_format *rf, uint64_t now_ns,
		  const struct health_field *f, size_t n, FILE *out);

#endif
