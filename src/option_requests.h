/*
 * The options translated, once, into the small requests the layers below
 * take, so that none of those layers sees struct options.
 */
#ifndef TCPLIFE_OPTION_REQUESTS_H
#define TCPLIFE_OPTION_REQUESTS_H

#include "host.h"
#include "options.h"
#include "output.h"

/* What OPTS ask of the host: discovery, attach method, checks, --info. */
void host_request_from_options(const struct options *opts,
			       struct host_request *rq);

/* The layout, -c and --output OPTS give the output. */
void output_request_from_options(const struct options *opts,
				 struct output_request *rq);

#endif
