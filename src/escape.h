/* Making untrusted bytes (process names) safe to print on one line. */
#ifndef TCPLIFE_ESCAPE_H
#define TCPLIFE_ESCAPE_H

#include <stddef.h>

/* Room for the longest escape of a 16-byte name, plus the NUL. */
#define ESCAPED_COMM_SIZE (16 * 4 + 1)

/*
 * Escapes IN (up to LEN bytes, stopping at a NUL) into OUT: bytes 0x20-0x7e
 * except backslash as they are, backslash as "\\", any other byte as "\xHH".
 * Stops before a token that would make the result longer than MAX_WIDTH
 * characters, so an escape is never cut in half.  Returns the length.
 */
size_t escape_bytes(const char *in, size_t len, char *out, size_t out_size,
		    size_t max_width);

/*
 * The same for a whitespace-separated column: a space is escaped too
 * ("\x20"), and an empty name is "-", so the row keeps its field count.
 */
size_t escape_column(const char *in, size_t len, char *out, size_t out_size,
		     size_t max_width);

#endif
