/*
 * Turning session events into rows.  The default, -w and -s layouts and the
 * -T/-t columns match bcc's tcplife.py, so scripts written for it work.
 *
 * Every column of every layout is one row of the columns[] table: header,
 * width per text layout, JSON key and the function that prints its value.
 * A new field is a new row there, and nothing else in this file.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "format.h"
#include "format_time.h"
#include "tcplife_event.h"

enum layout {
	LAYOUT_DEFAULT,
	LAYOUT_WIDE,		/* -w */
	LAYOUT_CSV,		/* -s */
	LAYOUT_JSON,		/* -j */
};

#define IN_DEFAULT (1u << LAYOUT_DEFAULT)
#define IN_WIDE (1u << LAYOUT_WIDE)
#define IN_CSV (1u << LAYOUT_CSV)
#define IN_JSON (1u << LAYOUT_JSON)
#define IN_TEXT (IN_DEFAULT | IN_WIDE | IN_CSV)
#define IN_ALL (IN_TEXT | IN_JSON)

/* What else, besides its layout, a column needs to be printed. */
enum column_when {
	WHEN_ALWAYS,
	WHEN_TIME,		/* -T */
	WHEN_TIMESTAMP,		/* -t */
};

/* How a value goes into JSON: quoted and escaped, or as it is. */
enum value_kind {
	VALUE_STRING,
	VALUE_LITERAL,		/* a number, true, false or null */
};

struct row_ctx {
	struct row_format *rf;
	const struct tcplife_event *ev;
	enum layout layout;
	size_t width;		/* the column's width; 0: unbounded */
};

/* Value printers; each writes the column's text for one event into BUF. */
typedef enum value_kind (*value_fn)(struct row_ctx *c, char *buf,
				    size_t size);

struct column {
	const char *header;	/* in text and CSV layouts */
	const char *json_key;
	/*
	 * printf field widths in the default and -w layouts, negative for
	 * left-aligned.  The last column of a row is never padded.
	 */
	signed char width[2];
	unsigned char layouts;	/* IN_* */
	unsigned char when;	/* enum column_when */
	value_fn print;
};

static bool known_start(const struct tcplife_event *ev)
{
	return !(ev->flags & TCPLIFE_F_NO_START);
}

static enum value_kind literal(char *buf, size_t size, const char *text)
{
	snprintf(buf, size, "%s", text);
	return VALUE_LITERAL;
}

static enum value_kind print_u64(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return VALUE_LITERAL;
}

static enum value_kind val_time(struct row_ctx *c, char *buf, size_t size)
{
	format_hms(c->rf, c->ev->end_ns, buf, size);
	return VALUE_STRING;
}

static enum value_kind val_timestamp(struct row_ctx *c, char *buf,
				     size_t size)
{
	format_since_first(c->rf, c->ev->end_ns, buf, size);
	return VALUE_LITERAL;
}

static enum value_kind val_start_time(struct row_ctx *c, char *buf,
				      size_t size)
{
	if (!known_start(c->ev))
		return literal(buf, size, "null");
	format_rfc3339(c->rf, c->ev->end_ns - c->ev->span_ns, buf, size);
	return VALUE_STRING;
}

static enum value_kind val_end_time(struct row_ctx *c, char *buf, size_t size)
{
	format_rfc3339(c->rf, c->ev->end_ns, buf, size);
	return VALUE_STRING;
}

static enum value_kind val_duration_us(struct row_ctx *c, char *buf,
				       size_t size)
{
	if (!known_start(c->ev))
		return literal(buf, size, "null");
	return print_u64(buf, size, c->ev->span_ns / 1000);
}

static enum value_kind val_open_before(struct row_ctx *c, char *buf,
				       size_t size)
{
	return literal(buf, size, known_start(c->ev) ? "false" : "true");
}

static enum value_kind val_pid(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->pid);
}

/* Escaped, and cut at the column so an escape is never split. */
static enum value_kind val_comm(struct row_ctx *c, char *buf, size_t size)
{
	/* Whitespace-separated layouts: a space would forge columns. */
	if (c->layout == LAYOUT_DEFAULT || c->layout == LAYOUT_WIDE)
		escape_column(c->ev->comm, sizeof(c->ev->comm), buf, size,
			      c->width ? c->width : size);
	else
		escape_bytes(c->ev->comm, sizeof(c->ev->comm), buf, size,
			     c->width ? c->width : size);
	return VALUE_STRING;
}

static enum value_kind val_family(struct row_ctx *c, char *buf, size_t size)
{
	if (c->ev->family == TCPLIFE_AF_INET)
		return literal(buf, size, "4");
	if (c->ev->family == TCPLIFE_AF_INET6)
		return literal(buf, size, "6");
	/* "?" is no JSON value. */
	return literal(buf, size, c->layout == LAYOUT_JSON ? "null" : "?");
}

static enum value_kind print_addr(const struct tcplife_event *ev,
				  const __u8 *addr, char *buf, size_t size)
{
	int af = ev->family == TCPLIFE_AF_INET ? AF_INET :
		 ev->family == TCPLIFE_AF_INET6 ? AF_INET6 : -1;

	if (af < 0 || !inet_ntop(af, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return VALUE_STRING;
}

static enum value_kind val_laddr(struct row_ctx *c, char *buf, size_t size)
{
	return print_addr(c->ev, c->ev->laddr, buf, size);
}

static enum value_kind val_raddr(struct row_ctx *c, char *buf, size_t size)
{
	return print_addr(c->ev, c->ev->raddr, buf, size);
}

static enum value_kind val_lport(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->lport);
}

static enum value_kind val_rport(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->rport);
}

static enum value_kind val_tx_kb(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->tx_bytes / 1024);
}

static enum value_kind val_rx_kb(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->rx_bytes / 1024);
}

static enum value_kind val_tx_bytes(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->tx_bytes);
}

static enum value_kind val_rx_bytes(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->rx_bytes);
}

static enum value_kind val_ms(struct row_ctx *c, char *buf, size_t size)
{
	format_ms(c->rf, c->ev, buf, size);
	return VALUE_LITERAL;
}

/*
 * In output order; JSON's order is the man page's schema.  The widths are
 * the default and -w layouts' (negative: left-aligned; 0: not in it).
 */
#define COL(header, key, w_default, w_wide, layouts, when, fn) \
	{ header, key, { w_default, w_wide }, layouts, when, fn }
static const struct column columns[] = {
	COL("TIME", NULL, -8, -8, IN_TEXT, WHEN_TIME, val_time),
	COL("TIME(s)", NULL, -9, -9, IN_TEXT, WHEN_TIMESTAMP, val_timestamp),
	COL(NULL, "start_time", 0, 0, IN_JSON, 0, val_start_time),
	COL(NULL, "end_time", 0, 0, IN_JSON, 0, val_end_time),
	COL(NULL, "duration_us", 0, 0, IN_JSON, 0, val_duration_us),
	COL(NULL, "open_before_trace", 0, 0, IN_JSON, 0, val_open_before),
	COL("PID", "pid", -5, -5, IN_ALL, 0, val_pid),
	COL("COMM", "comm", -10, -16, IN_ALL, 0, val_comm),
	COL("IP", "family", 0, -2, IN_ALL & ~IN_DEFAULT, 0, val_family),
	COL("LADDR", "laddr", -15, -39, IN_ALL, 0, val_laddr),
	COL("LPORT", "lport", -5, -5, IN_ALL, 0, val_lport),
	COL("RADDR", "raddr", -15, -39, IN_ALL, 0, val_raddr),
	COL("RPORT", "rport", -5, -5, IN_ALL, 0, val_rport),
	COL("TX_KB", NULL, 5, 6, IN_TEXT, 0, val_tx_kb),
	COL("RX_KB", NULL, 5, 6, IN_TEXT, 0, val_rx_kb),
	COL(NULL, "tx_bytes", 0, 0, IN_JSON, 0, val_tx_bytes),
	COL(NULL, "rx_bytes", 0, 0, IN_JSON, 0, val_rx_bytes),
	COL("MS", NULL, -8, -8, IN_TEXT, 0, val_ms),
};

#define NR_COLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Room for the longest value: an escaped COMM. */
#define VALUE_SIZE 256

static enum layout layout_of(const struct row_format *rf)
{
	return rf->json ? LAYOUT_JSON : rf->csv ? LAYOUT_CSV :
	       rf->wide ? LAYOUT_WIDE : LAYOUT_DEFAULT;
}

static bool column_shown(const struct row_format *rf, enum layout layout,
			 const struct column *col)
{
	if (!(col->layouts & (1u << layout)))
		return false;
	switch (col->when) {
	case WHEN_TIME:
		return rf->time;
	case WHEN_TIMESTAMP:
		return rf->timestamp;
	}
	return true;
}

/* The index of the last column shown, which is never padded. */
static size_t last_column(const struct row_format *rf, enum layout layout)
{
	size_t last = 0;

	for (size_t i = 0; i < NR_COLUMNS; i++)
		if (column_shown(rf, layout, &columns[i]))
			last = i;
	return last;
}

/* RFC 4180: quote a field holding a comma, quote or line break. */
static void print_csv_field(const char *s, FILE *out)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/*
 * RFC 8259 string.  Values are escaped text already (printable ASCII), so
 * this is a backstop for anything else that reaches it.
 */
static void print_json_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == '"')
			fputc('\\', out);
		if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* One cell of a text or CSV row (or header) after the previous one. */
static void print_cell(enum layout layout, const struct column *col,
		       bool first, bool last, const char *text, FILE *out)
{
	if (layout == LAYOUT_CSV) {
		if (!first)
			fputc(',', out);
		print_csv_field(text, out);
		return;
	}
	if (!first)
		fputc(' ', out);
	fprintf(out, "%*s", last ? 0 : col->width[layout], text);
}

void row_print_header(const struct row_format *rf, FILE *out)
{
	enum layout layout = layout_of(rf);
	size_t last = last_column(rf, layout);
	bool first = true;

	if (layout == LAYOUT_JSON)
		return;		/* JSON Lines: objects only */
	for (size_t i = 0; i < NR_COLUMNS; i++) {
		if (!column_shown(rf, layout, &columns[i]))
			continue;
		print_cell(layout, &columns[i], first, i == last,
			   columns[i].header, out);
		first = false;
	}
	fputc('\n', out);
}

int row_print_event(struct row_format *rf, const void *data, size_t size,
		    FILE *out)
{
	struct tcplife_event ev;
	struct row_ctx c = { .rf = rf, .ev = &ev, .layout = layout_of(rf) };
	size_t last = last_column(rf, c.layout);
	bool first = true;
	char value[VALUE_SIZE];

	/* Samples are padded to 8 bytes, so longer is fine; shorter is not. */
	if (size < sizeof(ev))
		return -EINVAL;
	memcpy(&ev, data, sizeof(ev));

	for (size_t i = 0; i < NR_COLUMNS; i++) {
		const struct column *col = &columns[i];
		enum value_kind kind;
		int w;

		if (!column_shown(rf, c.layout, col))
			continue;
		w = c.layout <= LAYOUT_WIDE ? col->width[c.layout] : 0;
		c.width = (size_t)(w < 0 ? -w : w);
		kind = col->print(&c, value, sizeof(value));
		if (c.layout != LAYOUT_JSON) {
			print_cell(c.layout, col, first, i == last, value, out);
		} else {
			fprintf(out, "%s\"%s\":", first ? "{" : ",",
				col->json_key);
			if (kind == VALUE_STRING)
				print_json_string(value, out);
			else
				fputs(value, out);
		}
		first = false;
	}
	fputs(c.layout == LAYOUT_JSON ? "}\n" : "\n", out);
	return 0;
}
