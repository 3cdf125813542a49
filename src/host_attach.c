/*
 * The attach method for this host: the one asked for or auto's choice,
 * with tracefs made reachable only for the methods that need it.
 */
#define _GNU_SOURCE
#include <config.h>

#include <string.h>

#include "attach.h"
#include "host.h"
#include "util.h"

int host_choose_attach(struct host *h, bool may_mount)
{
	int err;

	tracefs_probe(&h->tfs);
	h->method = attach_resolve(h->rq.attach, &h->tfs, host_offsets(h));
	/*
	 * A method that needs no tracefs (bound by BTF type or by name):
	 * then nothing is mounted, and no mount namespace made (no
	 * CAP_SYS_ADMIN needed).
	 */
	if (!may_mount || (h->method && !h->method->needs_tracefs))
		return 0;
	err = tracefs_ensure(&h->tfs);
	/* Where the events could not be seen, auto may now choose otherwise. */
	if (!err)
		h->method = attach_resolve(h->rq.attach, &h->tfs,
					   host_offsets(h));
	return err;
}

int host_attach_method(struct host *h)
{
	int err = host_choose_attach(h, true);

	if (err) {
		error_msg("tracefs is not mounted and mounting it at %s failed: "
			  "%s; mount it with '%s'", tracefs_libbcc_dir(),
			  strerror(-err), tracefs_mount_command());
		return err;
	}
	return attach_check(h->method, &h->tfs, host_offsets(h));
}
