/* The values of the formatter's columns, one function per column. */
#define _GNU_SOURCE
#include <config.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "format_time.h"
#include "format_values.h"
#include "session_end.h"

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

enum value_kind val_time(struct row_ctx *c, char *buf, size_t size)
{
	format_hms(c->rf, c->ev->end_ns, buf, size);
	return VALUE_STRING;
}

enum value_kind val_timestamp(struct row_ctx *c, char *buf, size_t size)
{
	format_since_first(c->rf, c->ev->end_ns, buf, size);
	return VALUE_LITERAL;
}

enum value_kind val_start_time(struct row_ctx *c, char *buf, size_t size)
{
	if (!known_start(c->ev))
		return literal(buf, size, "null");
	format_rfc3339(c->rf, c->ev->end_ns - c->ev->span_ns, buf, size);
	return VALUE_STRING;
}

enum value_kind val_end_time(struct row_ctx *c, char *buf, size_t size)
{
	if (c->x && !c->x->closed)
		return literal(buf, size, "null");	/* still open */
	format_rfc3339(c->rf, c->ev->end_ns, buf, size);
	return VALUE_STRING;
}

enum value_kind val_duration_us(struct row_ctx *c, char *buf, size_t size)
{
	if (!known_start(c->ev))
		return literal(buf, size, "null");
	return print_u64(buf, size, c->ev->span_ns / 1000);
}

enum value_kind val_open_before(struct row_ctx *c, char *buf, size_t size)
{
	return literal(buf, size, known_start(c->ev) ? "false" : "true");
}

/* Whitespace-separated layouts: a space would forge columns. */
static bool spaced_layout(const struct row_ctx *c)
{
	return c->layout == LAYOUT_DEFAULT || c->layout == LAYOUT_WIDE;
}

/* Escaped, and cut at the column so an escape is never split. */
enum value_kind val_comm(struct row_ctx *c, char *buf, size_t size)
{
	if (c->x && !c->x->owner_known)
		return literal(buf, size, c->layout == LAYOUT_JSON ? "null" :
			       c->layout == LAYOUT_CSV ? "" : "-");
	if (spaced_layout(c))
		escape_column(c->ev->comm, sizeof(c->ev->comm), buf, size,
			      c->width ? c->width : size);
	else
		escape_bytes(c->ev->comm, sizeof(c->ev->comm), buf, size,
			     c->width ? c->width : size);
	return VALUE_STRING;
}

enum value_kind val_family(struct row_ctx *c, char *buf, size_t size)
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

enum value_kind val_laddr(struct row_ctx *c, char *buf, size_t size)
{
	return print_addr(c->ev, c->ev->laddr, buf, size);
}

enum value_kind val_raddr(struct row_ctx *c, char *buf, size_t size)
{
	return print_addr(c->ev, c->ev->raddr, buf, size);
}

enum value_kind val_tx_kb(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->tx_bytes / 1024);
}

enum value_kind val_rx_kb(struct row_ctx *c, char *buf, size_t size)
{
	return print_u64(buf, size, c->ev->rx_bytes / 1024);
}

enum value_kind val_ms(struct row_ctx *c, char *buf, size_t size)
{
	format_ms(c->rf, c->ev, buf, size);
	return VALUE_LITERAL;
}

/* Text "-" where JSON has null. */
static enum value_kind none(const struct row_ctx *c, char *buf, size_t size)
{
	return literal(buf, size, c->layout == LAYOUT_JSON ? "null" : "-");
}

static enum value_kind string(char *buf, size_t size, const char *text)
{
	snprintf(buf, size, "%s", text);
	return VALUE_STRING;
}

enum value_kind val_role(struct row_ctx *c, char *buf, size_t size)
{
	if (c->ev->role == TCPLIFE_ROLE_CLIENT)
		return string(buf, size, "client");
	if (c->ev->role == TCPLIFE_ROLE_SERVER)
		return string(buf, size, "server");
	return none(c, buf, size);
}

enum value_kind val_failed(struct row_ctx *c, char *buf, size_t size)
{
	return literal(buf, size, session_failed(c->ev) ? "true" : "false");
}

enum value_kind val_end(struct row_ctx *c, char *buf, size_t size)
{
	if (c->x && !c->x->closed)
		return none(c, buf, size);
	return string(buf, size, session_end_name(session_end(c->ev)));
}

/* JSON: the number or null; text: its name, such as ECONNREFUSED. */
enum value_kind val_errno(struct row_ctx *c, char *buf, size_t size)
{
	const char *name = NULL;

	if (!c->ev->sk_err)
		return none(c, buf, size);
#ifdef HAVE_STRERRORNAME_NP
	if (c->layout != LAYOUT_JSON)
		name = strerrorname_np(c->ev->sk_err);
#endif
	if (name)
		return literal(buf, size, name);
	return print_u64(buf, size, c->ev->sk_err);
}

/* Escaped like COMM: a directory name may hold any byte but '/'. */
enum value_kind val_cgroup(struct row_ctx *c, char *buf, size_t size)
{
	const char *path = c->rf->cgroup_path ?
		c->rf->cgroup_path(c->rf->cgroup_arg, c->ev->cgroup_id) : NULL;

	if (!path)
		return none(c, buf, size);
	if (spaced_layout(c))
		escape_column(path, strlen(path), buf, size, size);
	else
		escape_bytes(path, strlen(path), buf, size, size);
	return VALUE_STRING;
}
