/*
 * libFuzzer harness for command-line parsing: the input is split at NUL
 * bytes into arguments after "tcplife-bcc", so any option, value, length
 * and combination (ports lists, ranges, numbers at their limits) is tried.
 * Run it with -close_fd_mask=3: error messages and --help are expected.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *args[MAX_ARGS + 2];
	struct options opts;
	int n = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	args[n++] = (char *)"tcplife-bcc";
	for (size_t start = 0; start <= size && n <= MAX_ARGS;) {
		size_t len = strlen(copy + start);

		args[n++] = copy + start;
		start += len + 1;
	}
	args[n] = NULL;
	if (options_parse(n, args, &opts) == OPTIONS_RUN)
		options_free(&opts);
	free(copy);
	return 0;
}
