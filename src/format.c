/*
 * Turning session events into rows.  The default, -w and -s layouts and the
 * -T/-t columns match bcc's tcplife.py, so scripts written for it work.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "escape.h"
#include "format.h"
#include "tcplife_event.h"

#define NSEC_PER_SEC 1000000000LL

void row_format_init(struct row_format *rf)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	rf->mono_to_real_ns = (real.tv_sec - mono.tv_sec) * NSEC_PER_SEC +
			      (real.tv_nsec - mono.tv_nsec);
	rf->have_first = false;
}

/*
 * Wall-clock nanoseconds for a CLOCK_MONOTONIC time; false when a corrupt
 * or extreme timestamp would overflow (the row then shows a placeholder).
 */
static bool mono_to_real(const struct row_format *rf, uint64_t mono_ns,
			 int64_t *real_ns)
{
	if (mono_ns > (uint64_t)INT64_MAX)
		return false;
	return !__builtin_add_overflow((int64_t)mono_ns, rf->mono_to_real_ns,
				       real_ns) && *real_ns >= 0;
}

static void print_time_columns_header(const struct row_format *rf, FILE *out)
{
	if (rf->time)
		fprintf(out, rf->csv ? "%s," : "%-8s ", "TIME");
	if (rf->timestamp)
		fprintf(out, rf->csv ? "%s," : "%-9s ", "TIME(s)");
}

void row_print_header(const struct row_format *rf, FILE *out)
{
	if (rf->json)
		return;		/* JSON Lines: objects only */
	print_time_columns_header(rf, out);
	if (rf->csv)
		fputs("PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n",
		      out);
	else if (rf->wide)
		fprintf(out, "%-5s %-16s %-2s %-39s %-5s %-39s %-5s %6s %6s %s\n",
			"PID", "COMM", "IP", "LADDR", "LPORT", "RADDR",
			"RPORT", "TX_KB", "RX_KB", "MS");
	else
		fprintf(out, "%-5s %-10s %-15s %-5s %-15s %-5s %5s %5s %s\n",
			"PID", "COMM", "LADDR", "LPORT", "RADDR", "RPORT",
			"TX_KB", "RX_KB", "MS");
}

static void print_time_columns(struct row_format *rf,
			       const struct tcplife_event *ev, FILE *out)
{
	if (rf->time) {
		int64_t real_ns;
		time_t secs;
		struct tm tm;
		char hms[16] = "??:??:??";

		if (mono_to_real(rf, ev->end_ns, &real_ns)) {
			secs = (time_t)(real_ns / NSEC_PER_SEC);
			if (localtime_r(&secs, &tm))
				strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		}
		fprintf(out, rf->csv ? "%s," : "%-8s ", hms);
	}
	if (rf->timestamp) {
		double secs;

		if (!rf->have_first) {
			rf->first_end_ns = ev->end_ns;
			rf->have_first = true;
		}
		/* Events from different CPUs may arrive slightly out of order. */
		secs = ev->end_ns >= rf->first_end_ns ?
			(double)(ev->end_ns - rf->first_end_ns) / 1e9 :
			-(double)(rf->first_end_ns - ev->end_ns) / 1e9;
		fprintf(out, rf->csv ? "%.6f," : "%-9.6f ", secs);
	}
}

static void format_addr(const struct tcplife_event *ev, const __u8 *addr,
			char *buf, size_t size)
{
	int af = ev->family == TCPLIFE_AF_INET ? AF_INET :
		 ev->family == TCPLIFE_AF_INET6 ? AF_INET6 : -1;

	if (af < 0 || !inet_ntop(af, addr, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

static const char *ip_version(const struct tcplife_event *ev)
{
	if (ev->family == TCPLIFE_AF_INET)
		return "4";
	if (ev->family == TCPLIFE_AF_INET6)
		return "6";
	return "?";
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

/* RFC 3339 in UTC with microseconds, from a CLOCK_MONOTONIC time. */
static void format_rfc3339(const struct row_format *rf, uint64_t mono_ns,
			   char *buf, size_t size)
{
	int64_t real_ns = 0;
	time_t secs;
	struct tm tm;
	size_t n;

	if (!mono_to_real(rf, mono_ns, &real_ns) ||
	    (secs = (time_t)(real_ns / NSEC_PER_SEC),
	     !gmtime_r(&secs, &tm))) {
		snprintf(buf, size, "1970-01-01T00:00:00.000000Z");
		return;
	}
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06lldZ",
		 (long long)(real_ns % NSEC_PER_SEC) / 1000);
}

/*
 * One JSON object per line (RFC 8259).  COMM is the same escaped text as
 * in the other layouts, so it holds only printable ASCII; of that, only
 * backslash and double quote need escaping again for JSON.
 */
static void print_json(const struct row_format *rf,
		       const struct tcplife_event *ev, const char *comm,
		       const char *laddr, const char *raddr, FILE *out)
{
	bool known = !(ev->flags & TCPLIFE_F_NO_START);
	char start[40], end[40];

	format_rfc3339(rf, ev->end_ns, end, sizeof(end));
	fputs("{\"start_time\":", out);
	if (known) {
		format_rfc3339(rf, ev->end_ns - ev->span_ns, start,
			       sizeof(start));
		fprintf(out, "\"%s\"", start);
	} else {
		fputs("null", out);
	}
	fprintf(out, ",\"end_time\":\"%s\",\"duration_us\":", end);
	if (known)
		fprintf(out, "%llu", (unsigned long long)(ev->span_ns / 1000));
	else
		fputs("null", out);
	fprintf(out, ",\"open_before_trace\":%s,\"pid\":%u,\"comm\":\"",
		known ? "false" : "true", ev->pid);
	for (const char *c = comm; *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', out);
		fputc(*c, out);
	}
	fprintf(out, "\",\"family\":%s,\"laddr\":\"%s\",\"lport\":%u,"
		"\"raddr\":\"%s\",\"rport\":%u,\"tx_bytes\":%llu,"
		"\"rx_bytes\":%llu}\n", ip_version(ev), laddr, ev->lport, raddr,
		ev->rport, (unsigned long long)ev->tx_bytes,
		(unsigned long long)ev->rx_bytes);
}

/*
 * MS for a session opened before tracing: only a lower bound, the time
 * since tracing began, written ">N.NN" so nobody mistakes it for a span.
 */
static void format_ms(const struct row_format *rf,
		      const struct tcplife_event *ev, char *buf, size_t size)
{
	if (!(ev->flags & TCPLIFE_F_NO_START)) {
		snprintf(buf, size, "%.2f", (double)ev->span_ns / 1e6);
		return;
	}
	snprintf(buf, size, ">%.2f", ev->end_ns > rf->attach_ns ?
		 (double)(ev->end_ns - rf->attach_ns) / 1e6 : 0.0);
}

int row_print_event(struct row_format *rf, const void *data, size_t size,
		    FILE *out)
{
	struct tcplife_event ev;
	char laddr[INET6_ADDRSTRLEN], raddr[INET6_ADDRSTRLEN];
	char comm[ESCAPED_COMM_SIZE], ms[32];
	unsigned long long tx_kb, rx_kb;

	/* Samples are padded to 8 bytes, so longer is fine; shorter is not. */
	if (size < sizeof(ev))
		return -EINVAL;
	memcpy(&ev, data, sizeof(ev));

	format_addr(&ev, ev.laddr, laddr, sizeof(laddr));
	format_addr(&ev, ev.raddr, raddr, sizeof(raddr));
	escape_bytes(ev.comm, sizeof(ev.comm), comm, sizeof(comm),
		     rf->csv || rf->json ? sizeof(comm) : rf->wide ? 16 : 10);
	if (rf->json) {
		print_json(rf, &ev, comm, laddr, raddr, out);
		return 0;
	}
	tx_kb = (unsigned long long)(ev.tx_bytes / 1024);
	rx_kb = (unsigned long long)(ev.rx_bytes / 1024);
	format_ms(rf, &ev, ms, sizeof(ms));

	print_time_columns(rf, &ev, out);
	if (rf->csv) {
		fprintf(out, "%u,", ev.pid);
		print_csv_field(comm, out);
		fprintf(out, ",%s,%s,%u,%s,%u,%llu,%llu,%s\n", ip_version(&ev),
			laddr, ev.lport, raddr, ev.rport, tx_kb, rx_kb, ms);
	} else if (rf->wide) {
		fprintf(out, "%-5u %-16s %-2s %-39s %-5u %-39s %-5u %6llu %6llu %s\n",
			ev.pid, comm, ip_version(&ev), laddr, ev.lport, raddr,
			ev.rport, tx_kb, rx_kb, ms);
	} else {
		fprintf(out, "%-5u %-10s %-15s %-5u %-15s %-5u %5llu %5llu %s\n",
			ev.pid, comm, laddr, ev.lport, raddr, ev.rport, tx_kb,
			rx_kb, ms);
	}
	return 0;
}
