/* What tcp_workload's files share: its configuration and per-session records. */
#ifndef TCP_WORKLOAD_H
#define TCP_WORKLOAD_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROG		"tcp_workload"
#define COMM_LEN	16		/* TASK_COMM_LEN, NUL included */
#define MAX_SIZES	16
#define MAX_WORKERS	256
/*
 * Connections to one server port before the next: few enough that the
 * kernel never hands a client a local port it used before for that port,
 * so every session has a 4-tuple of its own.
 */
#define SESSIONS_PER_PORT	2000

enum closer { CLOSER_CLIENT, CLOSER_SERVER, CLOSER_MIXED };

struct sizes {
	unsigned int count;
	uint64_t bytes[MAX_SIZES];
};

struct config {
	unsigned long sessions, workers, hold_ms;
	unsigned long port, client_port;	/* 0: any */
	unsigned int timeout;	/* seconds, for alarm() */
	int family;		/* 4, 6, or 0 for both */
	enum closer closer;
	struct sizes client, server;
	const char *client_comm, *server_comm;
	const char *record;	/* NULL: stdout */
	const char *pid_file;
	int start_fd;		/* -1: none */
};

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/*
 * One session side, written into shared memory by the child that owns it;
 * session i's client is at index 2 * i, its server at 2 * i + 1.
 */
struct side {
	int32_t pid;
	uint16_t lport, rport;
	union addr local, peer;
	char comm[COMM_LEN];
	uint64_t tx, rx;
	uint64_t t_connect;	/* client only: just before connect() */
	uint64_t t_connected;	/* client only: just after connect() */
	uint32_t min_rtt_open;	/* client only: tcpi_min_rtt then */
	uint64_t t_open;	/* just after connect()/accept() returned */
	uint64_t t_close;	/* just before close() */
	uint64_t t_closed;	/* just after close() returned */
	uint32_t min_rtt_close;	/* TCP_INFO's tcpi_min_rtt before close() */
	int done;
};

/*
 * A client/server pair: its number and its server's listening sockets,
 * 2 * port + (IPv6 ? 1 : 0) for each port, -1 for a family not used.
 */
struct pair {
	unsigned long index;
	int *lfd;
	union addr *srv;
};

/* Set in children, so their messages say which side failed. */
extern const char *role;

__attribute__((noreturn, format(printf, 2, 3)))
void fail(int err, const char *fmt, ...);
uint64_t now_ns(void);

/* How a pair's k-th session runs (see main.c's usage comment). */
int session_family(const struct config *cfg, unsigned long k);
int server_closes(const struct config *cfg, unsigned long k);
uint64_t payload_size(const struct sizes *sz, unsigned long k);
unsigned long session_listener(const struct config *cfg, unsigned long k);

/* options.c */
void parse_args(int argc, char **argv, struct config *cfg);

/* session.c */
__attribute__((noreturn))
void run_side(const struct config *cfg, const struct pair *p, int is_client,
	      int go_fd, struct side *sides);

/* record.c */
void write_record(const struct config *cfg, const struct side *sides);

#endif
