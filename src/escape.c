/* Making untrusted bytes (process names) safe to print on one line. */
#include <stdio.h>

#include "escape.h"

size_t escape_bytes(const char *in, size_t len, char *out, size_t out_size,
		    size_t max_width)
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
		} else if (c >= 0x20 && c <= 0x7e) {
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
