/* tcp_loadgen's record: what a tracer must report for each session side. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "tcp_loadgen.h"

static void print_addr(FILE *f, const union addr *a)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->sa.sa_family, a->sa.sa_family == AF_INET6 ?
		       (const void *)&a->in6.sin6_addr : (const void *)&a->in.sin_addr,
		       text, sizeof(text)))
		fail(errno, "inet_ntop");
	fprintf(f, "\t%s", text);
}

/* Rounded so the bounds only widen: down for ms_min, up for ms_max. */
static void print_side(FILE *f, unsigned long i, const char *name, const char *closer,
		       const struct side *s, uint64_t max_ns)
{
	uint64_t lo = (s->t_close - s->t_open) / 1000, hi = (max_ns + 999) / 1000;

	fprintf(f, "%lu\t%s\t%s\t%d\t%s\t%d", i + 1, name, closer, (int)s->pid, s->comm,
		s->local.sa.sa_family == AF_INET6 ? 6 : 4);
	print_addr(f, &s->local);
	fprintf(f, "\t%u", s->lport);
	print_addr(f, &s->peer);
	fprintf(f, "\t%u\t%llu\t%llu\t%llu.%03llu\t%llu.%03llu\n", s->rport,
		(unsigned long long)s->tx, (unsigned long long)s->rx,
		(unsigned long long)(lo / 1000), (unsigned long long)(lo % 1000),
		(unsigned long long)(hi / 1000), (unsigned long long)(hi % 1000));
}

/*
 * A tracer measures a session side from its first handshake state to its
 * close: never less than the side's own connect()/accept() to close(),
 * never more than the client's connect() to the later of the two closes.
 */
void write_record(const struct config *cfg, const struct side *sides)
{
	const struct side *c, *s;
	const char *closer;
	unsigned long i;
	uint64_t end;
	FILE *f;

	f = fopen(cfg->record, "w");
	if (!f)
		fail(errno, "%s", cfg->record);
	fputs("session\tside\tcloser\tpid\tcomm\tip\tladdr\tlport\traddr\trport"
	      "\ttx\trx\tms_min\tms_max\n", f);
	for (i = 0; i < cfg->sessions; i++) {
		c = &sides[2 * i];
		s = &sides[2 * i + 1];
		if (c->lport != s->rport || c->rport != s->lport)
			fail(0, "session %lu: client and server disagree on ports", i + 1);
		closer = server_closes(cfg, i / cfg->workers) ? "server" : "client";
		end = c->t_closed > s->t_closed ? c->t_closed : s->t_closed;
		print_side(f, i, "client", closer, c, end - c->t_connect);
		print_side(f, i, "server", closer, s, end - c->t_connect);
	}
	if (fclose(f))
		fail(errno, "%s", cfg->record);
}
