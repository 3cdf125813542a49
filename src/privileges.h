/* Checking that we may trace before doing any expensive work. */
#ifndef TCPLIFE_PRIVILEGES_H
#define TCPLIFE_PRIVILEGES_H

#include <stdbool.h>

/* CAP_SYS_ADMIN, or both CAP_BPF and CAP_PERFMON, are effective. */
bool privileges_can_trace(void);

#endif
