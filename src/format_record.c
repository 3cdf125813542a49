/*
 * The columns only typed records have (--interval): their type, session
 * id, time of reading and deltas; and PID, which an interim record of a
 * session whose owner is not known yet leaves empty.
 */
#include <stdio.h>

#include "format_time.h"
#include "format_values.h"

static enum value_kind number(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return VALUE_LITERAL;
}

/* A plain row (no --interval) is a close all the same. */
enum value_kind val_type(struct row_ctx *c, char *buf, size_t size)
{
	const char *name = !c->x ? "close" :
			   c->layout == LAYOUT_JSON ? c->x->type : c->x->marker;

	snprintf(buf, size, "%s", name);
	return VALUE_STRING;
}

enum value_kind val_session_id(struct row_ctx *c, char *buf, size_t size)
{
	return number(buf, size, c->x ? c->x->session_id : 0);
}

/* A pass prints thousands of records of one time: convert it once. */
enum value_kind val_record_time(struct row_ctx *c, char *buf, size_t size)
{
	static uint64_t last_ns;
	static char last[40];

	if (c->ev->end_ns != last_ns || !last[0]) {
		format_rfc3339(c->rf, c->ev->end_ns, last, sizeof(last));
		last_ns = c->ev->end_ns;
	}
	snprintf(buf, size, "%s", last);
	return VALUE_STRING;
}

enum value_kind val_tx_delta(struct row_ctx *c, char *buf, size_t size)
{
	return number(buf, size, c->x ? c->x->tx_delta : c->ev->tx_bytes);
}

enum value_kind val_rx_delta(struct row_ctx *c, char *buf, size_t size)
{
	return number(buf, size, c->x ? c->x->rx_delta : c->ev->rx_bytes);
}

enum value_kind val_pid(struct row_ctx *c, char *buf, size_t size)
{
	if (c->x && !c->x->owner_known) {
		snprintf(buf, size, "%s", c->layout == LAYOUT_JSON ? "null" :
			 c->layout == LAYOUT_CSV ? "" : "-");
		return VALUE_LITERAL;
	}
	return number(buf, size, c->ev->pid);
}
