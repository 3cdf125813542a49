/*
 * Test harness for the row formatter: builds events from text lines and
 * prints them through the same code the tool uses, so layouts and escaping
 * can be checked without a kernel.
 *
 * Usage: format_events [-T] [-t] [-w] [-s] [-j] [-e] [-y TYPE] < events
 * Each input line: PID COMM_HEX FAMILY LADDR LPORT RADDR RPORT TX RX SPAN_NS
 * END_NS [SIZE] [+KEY=N,...].  FAMILY is 4, 6 or a raw number; COMM_HEX is
 * the name's bytes in hex ("-" for empty); SIZE, if given, is the sample
 * size to pretend the kernel delivered.  END_NS is taken as wall-clock
 * time.  The "+" list sets the other fields: role, state (the state the
 * close came from), err, retrans, srtt, minrtt, hs (handshake_us), uid,
 * netns, cgid; cgroup id 77 is "/test/a b", any other has no path.  -y
 * prints each as a typed record (--interval) of TYPE (interim, close or
 * open_at_start), its session_id the line number, its deltas half its
 * counters, its owner unknown when its PID is 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "tcplife_event.h"

static int parse_hex(const char *hex, char *out, size_t size)
{
	size_t n = 0;

	if (!strcmp(hex, "-"))
		return 0;
	for (; hex[0] && hex[1] && n < size; hex += 2) {
		unsigned int byte;

		if (sscanf(hex, "%2x", &byte) != 1)
			return -1;
		out[n++] = (char)byte;
	}
	return 0;
}

static int parse_addr(unsigned int family, const char *text, __u8 *out)
{
	if (family == TCPLIFE_AF_INET)
		return inet_pton(AF_INET, text, out) == 1 ? 0 : -1;
	if (family == TCPLIFE_AF_INET6)
		return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
	return 0;
}

static const char *test_cgroup_path(void *arg, uint64_t id)
{
	(void)arg;
	return id == 77 ? "/test/a b" : NULL;
}

/* "+role=1,state=2,...": the fields the default layouts do not show. */
static int parse_extra(const char *list, struct tcplife_event *ev)
{
	char key[16];
	unsigned long long v;
	int n;

	while (sscanf(list, "%15[a-z]=%llu%n", key, &v, &n) == 2) {
		if (!strcmp(key, "role")) ev->role = (__u8)v;
		else if (!strcmp(key, "state")) ev->last_state = (__u8)v;
		else if (!strcmp(key, "err")) ev->sk_err = (__u16)v;
		else if (!strcmp(key, "retrans")) ev->retrans = (__u32)v;
		else if (!strcmp(key, "srtt")) ev->srtt_us = (__u32)v;
		else if (!strcmp(key, "minrtt")) ev->min_rtt_us = (__u32)v;
		else if (!strcmp(key, "hs")) ev->handshake_us = (__u32)v;
		else if (!strcmp(key, "uid")) ev->uid = (__u32)v;
		else if (!strcmp(key, "netns")) ev->netns = (__u32)v;
		else if (!strcmp(key, "cgid")) ev->cgroup_id = v;
		else return -1;
		list += n;
		if (*list != ',')
			return *list == '\n' || !*list ? 0 : -1;
		list++;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct row_format rf;
	char line[1024];
	const char *type = NULL;
	uint64_t lineno = 0;
	int c;

	memset(&rf, 0, sizeof(rf));
	while ((c = getopt(argc, argv, "Ttwsjey:")) != -1) {
		switch (c) {
		case 'T': rf.time = true; break;
		case 't': rf.timestamp = true; break;
		case 'w': rf.wide = true; break;
		case 's': rf.csv = true; break;
		case 'j': rf.json = true; break;
		case 'e': rf.extended = true; break;
		case 'y': type = optarg; rf.typed = true; break;
		default: return 2;
		}
	}
	row_format_init(&rf);
	rf.cgroup_path = test_cgroup_path;
	rf.mono_to_real_ns = 0;
	row_print_header(&rf, stdout);
	while (fgets(line, sizeof(line), stdin)) {
		struct tcplife_event ev;
		char comm[64], laddr[64], raddr[64];
		unsigned int family, lport, rport, pid;
		unsigned long long tx, rx, span, end, size = sizeof(ev);
		int fields;

		memset(&ev, 0, sizeof(ev));
		fields = sscanf(line, "%u %63s %u %63s %u %63s %u %llu %llu %llu %llu %llu",
				&pid, comm, &family, laddr, &lport, raddr,
				&rport, &tx, &rx, &span, &end, &size);
		if (fields < 11) {
			fprintf(stderr, "format_events: bad line: %s", line);
			return 1;
		}
		ev.pid = pid;
		ev.family = family == 4 ? TCPLIFE_AF_INET :
			    family == 6 ? TCPLIFE_AF_INET6 : (__u16)family;
		if (parse_hex(comm, ev.comm, sizeof(ev.comm)) < 0 ||
		    parse_addr(ev.family, laddr, ev.laddr) < 0 ||
		    parse_addr(ev.family, raddr, ev.raddr) < 0) {
			fprintf(stderr, "format_events: bad field: %s", line);
			return 1;
		}
		if (strstr(line, " +") &&
		    parse_extra(strstr(line, " +") + 2, &ev) < 0) {
			fprintf(stderr, "format_events: bad + list: %s", line);
			return 1;
		}
		ev.lport = (__u16)lport;
		ev.rport = (__u16)rport;
		ev.tx_bytes = tx;
		ev.rx_bytes = rx;
		ev.span_ns = span;
		ev.end_ns = end;
		{
			/* Oversized samples carry trailing junk, as padding would. */
			unsigned char buf[512];

			memset(buf, 0xa5, sizeof(buf));
			memcpy(buf, &ev, sizeof(ev));
			if (size > sizeof(buf))
				size = sizeof(buf);
			if (type) {
				struct record_extra x = {
					.type = type,
					.marker = strcmp(type, "open_at_start") ?
						  type : "open",
					.session_id = ++lineno,
					.tx_delta = ev.tx_bytes / 2,
					.rx_delta = ev.rx_bytes / 2,
					.closed = !strcmp(type, "close"),
					.owner_known = ev.pid != 0,
				};

				row_print_record(&rf, &ev, &x, stdout);
			} else if (row_print_event(&rf, buf, (size_t)size, stdout) < 0)
				printf("(rejected)\n");
		}
	}
	return 0;
}
