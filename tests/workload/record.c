/*
 * tcp_workload's record: what a tracer must report for each session side,
 * the one place where the byte counters' rule is written down.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "workload.h"

/*
 * What the kernel's counters (tcp_sock.bytes_acked, .bytes_received) hold
 * when the socket closes.  They count sequence space, in which a SYN and a
 * FIN take one byte each.  Every session ends with a FIN each way, so TX is
 * the payload + 1 on the accepting side and + 2 (its SYN too) on the
 * connecting side.  RX is the payload + 1, except on the side that closed
 * first, whose socket may be finished (when the ACK of its FIN arrives
 * alone) before the peer's FIN: there it is the payload + 0 or + 1.
 */
static void counters(const struct side *s, int is_client, int closer,
		     uint64_t *tx, uint64_t *rx_min, uint64_t *rx_max)
{
	*tx = s->tx + 1 + (is_client ? 1 : 0);
	*rx_max = s->rx + 1;
	*rx_min = closer ? s->rx : s->rx + 1;
}

static void print_addr(FILE *f, const char *key, const union addr *a)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->sa.sa_family, a->sa.sa_family == AF_INET6 ?
		       (const void *)&a->in6.sin6_addr : (const void *)&a->in.sin_addr,
		       text, sizeof(text)))
		fail(errno, "inet_ntop");
	fprintf(f, " %s=%s", key, text);
}

/* COMM with backslashes and unprintable bytes escaped as the tool does. */
static void print_comm(FILE *f, const char *comm)
{
	fputs(" comm=", f);
	for (int i = 0; i < COMM_LEN - 1 && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c == '\\')
			fputs("\\\\", f);
		else if (c >= 0x20 && c <= 0x7e)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

/*
 * The handshake a tracer times, from the first handshake state to
 * ESTABLISHED, in microseconds rounded up.  The client's lies inside its
 * connect(), and holds the SYN's round trip, which TCP_INFO gave as the
 * only RTT sample right after (a sample of 0 reads as a jiffy there, so
 * a value of a millisecond or more bounds nothing).  The server's socket
 * is born in SYN_RECV when the handshake's last ACK arrives, inside the
 * client's connect() to the server's accept() return.
 */
static void print_handshake(FILE *f, int is_client, const struct side *c,
			    const struct side *s)
{
	uint64_t lo = 1, hi;

	if (is_client) {
		hi = c->t_connected - c->t_connect;
		if (c->min_rtt_open < 1000 && c->min_rtt_open > 1)
			lo = c->min_rtt_open - 1;	/* truncated to us */
	} else {
		hi = s->t_open - c->t_connect;
	}
	fprintf(f, " handshake_min_us=%llu handshake_max_us=%llu",
		(unsigned long long)lo, (unsigned long long)(hi + 999) / 1000);
}

/* Rounded so the bounds only widen: down for ms_min, up for ms_max. */
static void print_side(FILE *f, unsigned long i, int is_client, int closer,
		       const struct side *s, uint64_t max_ns)
{
	uint64_t lo = (s->t_close - s->t_open) / 1000, hi = (max_ns + 999) / 1000;
	uint64_t tx, rx_min, rx_max;

	counters(s, is_client, closer, &tx, &rx_min, &rx_max);
	fprintf(f, "session=%lu side=%s pid=%d", i + 1,
		is_client ? "client" : "server", (int)s->pid);
	print_comm(f, s->comm);
	fprintf(f, " family=%d", s->local.sa.sa_family == AF_INET6 ? 6 : 4);
	print_addr(f, "laddr", &s->local);
	fprintf(f, " lport=%u", s->lport);
	print_addr(f, "raddr", &s->peer);
	fprintf(f, " rport=%u tx=%llu rx=%llu tx_seq=%llu rx_seq_min=%llu"
		" rx_seq_max=%llu ms_min=%llu.%03llu ms_max=%llu.%03llu closer=%s",
		s->rport, (unsigned long long)s->tx, (unsigned long long)s->rx,
		(unsigned long long)tx, (unsigned long long)rx_min,
		(unsigned long long)rx_max,
		(unsigned long long)(lo / 1000), (unsigned long long)(lo % 1000),
		(unsigned long long)(hi / 1000), (unsigned long long)(hi % 1000),
		closer ? "yes" : "no");
	/*
	 * The windowed minimum only falls (within minutes): at the close
	 * it is at most what TCP_INFO said just before; 0 for no sample.
	 */
	fprintf(f, " min_rtt_max_us=%u",
		s->min_rtt_close == UINT32_MAX ? 0 : s->min_rtt_close);
}

/*
 * A tracer measures a session side from its first handshake state to its
 * close: never less than the side's own connect()/accept() to close(),
 * never more than the client's connect() to the later of the two closes.
 */
void write_record(const struct config *cfg, const struct side *sides)
{
	const struct side *c, *s;
	unsigned long i;
	uint64_t end;
	int by_server;
	FILE *f = stdout;

	if (cfg->record && !(f = fopen(cfg->record, "w")))
		fail(errno, "%s", cfg->record);
	for (i = 0; i < cfg->sessions; i++) {
		c = &sides[2 * i];
		s = &sides[2 * i + 1];
		if (c->lport != s->rport || c->rport != s->lport)
			fail(0, "session %lu: client and server disagree on endpoints",
			     i + 1);
		by_server = server_closes(cfg, i / cfg->workers);
		end = c->t_closed > s->t_closed ? c->t_closed : s->t_closed;
		print_side(f, i, 1, !by_server, c, end - c->t_connect);
		print_handshake(f, 1, c, s);
		fputc('\n', f);
		print_side(f, i, 0, by_server, s, end - c->t_connect);
		print_handshake(f, 0, c, s);
		fputc('\n', f);
	}
	if (ferror(f) || (cfg->record && fclose(f)))
		fail(errno, "%s", cfg->record ? cfg->record : "stdout");
}
