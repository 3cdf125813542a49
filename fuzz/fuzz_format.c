/*
 * libFuzzer harness for the event decoder and row formatter: perf samples
 * of any size and content, in every output layout.
 *
 * Input: one byte of layout flags, then the raw sample as the kernel would
 * deliver it (short, oversized, unknown family, unterminated or hostile
 * COMM, extreme counters and timestamps all reachable).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct row_format rf;
	uint8_t flags;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink || size < 1)
		return 0;
	flags = data[0];
	memset(&rf, 0, sizeof(rf));
	row_format_init(&rf);
	rf.time = flags & 1;
	rf.timestamp = flags & 2;
	rf.wide = flags & 4;
	rf.csv = flags & 8;
	rf.json = flags & 16;
	/* Extreme clock offsets and attach times come from the input too. */
	if (flags & 32)
		rf.mono_to_real_ns = (int64_t)0x7fffffffffffffffLL;
	if (flags & 64)
		rf.attach_ns = UINT64_MAX;
	/* Two rows, so -t's "first row" state is exercised as well. */
	row_print_event(&rf, data + 1, size - 1, sink);
	row_print_event(&rf, data + 1, size - 1, sink);
	return 0;
}
