/* Attaching the loaded program to the kernel, and detaching it. */
#ifndef TCPLIFE_ATTACH_H
#define TCPLIFE_ATTACH_H

#include <stdbool.h>

#include "options.h"
#include "tracefs.h"

struct attachment {
	int fd;				/* perf event holding the program */
	enum attach_method method;
	char kprobe_event[64];		/* name libbcc registered, if any */
	bool kprobe_legacy;		/* via kprobe_events: needs cleanup */
};

/*
 * Resolves ATTACH_AUTO: the tracepoint when the kernel has it, else the
 * kprobe.  Returns the method, or ATTACH_AUTO when neither is available.
 */
enum attach_method attach_resolve(enum attach_method wanted,
				  const struct tracefs *tfs);

int attach_program(int prog_fd, enum attach_method method,
		   struct attachment *att);
void detach_program(struct attachment *att);

#endif
