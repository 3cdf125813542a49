/*
 * The options translated, once, into the small requests the layers below
 * take, so that none of those layers sees struct options.
 */
#ifndef TCPLIFE_OPTION_REQUESTS_H
#define TCPLIFE_OPTION_REQUESTS_H

#include "host.h"
#include "options.h"

/* What OPTS ask of the host: discovery, attach method, checks, --info. */
void host_request_from_options(const struct options *opts,
			       struct host_request *rq);

#endif
