/*
 * Whether the running kernel has the BPF helpers the filters given need:
 * refused before anything is compiled, naming the helper and its release.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>

#include "filters.h"
#include "host.h"
#include "util.h"

int host_check_features(const struct host *h)
{
	const struct filter *filter;

	/* What each filter given needs, from the filter table. */
	for (unsigned int i = 0; (filter = filter_nth(i)); i++) {
		const struct kfeature *f;

		if (!(h->rq.filters_on & (1u << i)) || filter->kfeature < 0 ||
		    kfeature_usable(&h->kf, filter->kfeature))
			continue;
		f = &h->kf.f[filter->kfeature];
		error_msg("%s needs the BPF helper %s (Linux %s and later), "
			  "which this kernel (%s) lacks", f->used_by,
			  f->helper, f->since, h->uts.release);
		return -EOPNOTSUPP;
	}
	return 0;
}
