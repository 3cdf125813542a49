/* Making untrusted bytes (process names) safe to print on one line. */
#include <stdio.h>

#include "escape.h"

static size_t escape(const char *in, size_t len, char *out, size_t out_size,
		     size_t max_width, unsigned char lowest_plain)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!out_size)
		return 0;
	for (size_t i = 0; i < len && in[i]; i++) {
		unsigned char c = (unsigned char)in[i];
		char token[4];
		size_t n = 0;

		if (c == '\\') {
			token[n++] = '\\';
			token[n++] = '\\';
		} else if (c >= lowest_plain && c <= 0x7e) {
			token[n++] = (char)c;
		} else {
			token[n++] = '\\';
			token[n++] = 'x';
			token[n++] = hex[c >> 4];
			token[n++] = hex[c & 0xf];
		}
		if (o + n > max_width || o + n >= out_size)
			break;
		for (size_t k = 0; k < n; k++)
			out[o++] = token[k];
	}
	out[o] = '\0';
	return o;
}

size_t escape_bytes(const char *in, size_t len, char *out, size_t out_size,
		    size_t max_width)
{
	return escape(in, len, out, out_size, max_width, 0x20);
}

size_t escape_column(const char *in, size_t len, char *out, size_t out_size,
		     size_t max_width)
{
	/*
	 * A space would split the name into several whitespace-separated
	 * fields, letting a process forge LADDR and LPORT; an empty name
	 * would remove the field.  "-" stands for an empty name.
	 */
	if (!len || !in[0])
		return escape("-", 1, out, out_size, max_width, 0x21);
	return escape(in, len, out, out_size, max_width, 0x21);
}
