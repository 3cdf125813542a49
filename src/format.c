/*
 * Turning session events into rows.  The default, -w and -s layouts and the
 * -T/-t columns match bcc's tcplife.py, so scripts written for it work.
 *
 * Every column of every layout is one entry of TCPLIFE_COLUMNS in
 * tcplife_fields.h: header, width per text layout, JSON key and the
 * function that prints its value (for a plain number, just the event
 * member).  A new column is an entry there, and nothing in this file.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "format.h"
#include "format_values.h"
#include "tcplife_event.h"
#include "tcplife_fields.h"

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
	/* For val_number: which unsigned event member to print. */
	unsigned short member_off;
	unsigned char member_size;
};

/* A member of the event, printed as an unsigned decimal. */
static enum value_kind val_number(struct row_ctx *c, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)c->ev + c->member_off;
	uint64_t v = 0;
	uint32_t v32;
	uint16_t v16;

	if (c->member_size == sizeof(v)) {
		memcpy(&v, p, sizeof(v));
	} else if (c->member_size == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		v = v32;
	} else {
		memcpy(&v16, p, sizeof(v16));
		v = v16;
	}
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return VALUE_LITERAL;
}

/* The columns, from the field table (tcplife_fields.h). */
#define COL(header, key, w_default, w_wide, layouts, when, fn) \
	{ header, key, { w_default, w_wide }, layouts, when, fn, 0, 0 },
#define NUM(header, key, w_default, w_wide, layouts, when, member) \
	{ header, key, { w_default, w_wide }, layouts, when, val_number, \
	  offsetof(struct tcplife_event, member), \
	  sizeof(((struct tcplife_event *)0)->member) },
static const struct column columns[] = {
	TCPLIFE_COLUMNS(COL, NUM)
};
#undef COL
#undef NUM

#define NR_COLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Room for the longest value: an escaped cgroup path. */
#define VALUE_SIZE 8192

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
	case WHEN_EXTENDED:
		return rf->extended || layout == LAYOUT_JSON;
	case WHEN_TYPED:
		return rf->typed;
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

/*
 * Whether a spreadsheet would take cell S for a formula: it starts with
 * '=', '+', '-' or '@' (or a tab or CR, which some strip first), as a
 * process named "=HYPERLINK(...)" does.  A plain number such as -1, and
 * a lone "-" (no value), are left as they are.
 */
static bool csv_formula(const char *s)
{
	const char *p = s + 1;

	if (!*s || !strchr("=+-@\t\r", *s))
		return false;
	if (*s != '-' && *s != '+')
		return true;
	if (!*p && *s == '-')
		return false;
	p += strspn(p, "0123456789");
	if (p == s + 1)
		return true;
	if (*p == '.' && p[1]) {
		size_t n = strspn(p + 1, "0123456789");

		if (!n)
			return true;
		p += 1 + n;
	}
	return *p != '\0';
}

/*
 * RFC 4180: quote a field holding a comma, quote or line break.  As
 * OWASP advises against CSV injection, a cell a spreadsheet would
 * evaluate gets a leading single quote (shown as text), and quotes.
 */
static void print_csv_field(const char *s, FILE *out)
{
	bool formula = csv_formula(s);

	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
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

static void print_row(struct row_format *rf, const struct tcplife_event *ev,
		      const struct record_extra *x, FILE *out)
{
	struct row_ctx c = {
		.rf = rf, .ev = ev, .layout = layout_of(rf), .x = x,
	};
	size_t last = last_column(rf, c.layout);
	bool first = true;
	char value[VALUE_SIZE];

	for (size_t i = 0; i < NR_COLUMNS; i++) {
		const struct column *col = &columns[i];
		enum value_kind kind;
		int w;

		if (!column_shown(rf, c.layout, col))
			continue;
		w = c.layout <= LAYOUT_WIDE ? col->width[c.layout] : 0;
		c.width = (size_t)(w < 0 ? -w : w);
		c.member_off = col->member_off;
		c.member_size = col->member_size;
		kind = col->print(&c, value, sizeof(value));
		if (c.layout != LAYOUT_JSON) {
			print_cell(c.layout, col, first, i == last, value, out);
		} else {
			fputs(first ? "{\"" : ",\"", out);
			fputs(col->json_key, out);
			fputs("\":", out);
			if (kind == VALUE_STRING)
				print_json_string(value, out);
			else
				fputs(value, out);
		}
		first = false;
	}
	fputs(c.layout == LAYOUT_JSON ? "}\n" : "\n", out);
}

int row_print_event(struct row_format *rf, const void *data, size_t size,
		    FILE *out)
{
	struct tcplife_event ev;

	/* Samples are padded to 8 bytes, so longer is fine; shorter is not. */
	if (size < sizeof(ev))
		return -EINVAL;
	memcpy(&ev, data, sizeof(ev));
	print_row(rf, &ev, NULL, out);
	return 0;
}

void row_print_record(struct row_format *rf, const struct tcplife_event *ev,
		      const struct record_extra *x, FILE *out)
{
	print_row(rf, ev, x, out);
}
