/*
 * The values of the formatter's columns: one function per column, writing
 * its text for one event.
 */
#ifndef TCPLIFE_FORMAT_VALUES_H
#define TCPLIFE_FORMAT_VALUES_H

#include <stddef.h>

#include "format.h"
#include "tcplife_event.h"

enum layout {
	LAYOUT_DEFAULT,
	LAYOUT_WIDE,		/* -w */
	LAYOUT_CSV,		/* -s */
	LAYOUT_JSON,		/* -j */
};

/* Masks of layouts, for TCPLIFE_COLUMNS (tcplife_fields.h). */
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
	WHEN_EXTENDED,		/* -e, or JSON */
	WHEN_TYPED,		/* --interval */
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
	unsigned int member_off, member_size;	/* for plain numbers */
	const struct record_extra *x;	/* a typed record's; else NULL */
};

/* Value printers; each writes the column's text for one event into BUF. */
typedef enum value_kind (*value_fn)(struct row_ctx *c, char *buf,
				    size_t size);

enum value_kind val_time(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_timestamp(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_start_time(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_end_time(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_duration_us(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_open_before(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_comm(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_family(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_laddr(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_raddr(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_tx_kb(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_rx_kb(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_ms(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_role(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_failed(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_end(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_errno(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_cgroup(struct row_ctx *c, char *buf, size_t size);

/* Typed records' columns (--interval), in format_record.c. */
enum value_kind val_type(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_session_id(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_record_time(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_tx_delta(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_rx_delta(struct row_ctx *c, char *buf, size_t size);
enum value_kind val_pid(struct row_ctx *c, char *buf, size_t size);

#endif
