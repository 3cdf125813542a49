/* Which BPF helpers the running kernel offers, found by trying them. */
#ifndef TCPLIFE_KFEATURES_H
#define TCPLIFE_KFEATURES_H

#include <stdbool.h>

enum kfeature_state {
	KFEATURE_UNKNOWN,	/* not probed (no privileges): assumed there */
	KFEATURE_PRESENT,
	KFEATURE_MISSING,
	KFEATURE_FAILED,	/* probed, but not even a bare program loads */
};

/* A helper the program or an option uses, with its first kernel. */
struct kfeature {
	const char *helper;	/* e.g. "bpf_probe_read_kernel" */
	const char *since;	/* e.g. "5.5" */
	const char *used_by;	/* what needs it, for messages */
	const char *without;	/* what the tool does on a kernel without */
	enum kfeature_state state;
	int err;		/* -errno of the probe, for KFEATURE_FAILED */
};

enum {
	KF_PROBE_READ_KERNEL,
	KF_ANCESTOR_CGROUP_ID,
	KF_COUNT,
};

struct kfeatures {
	struct kfeature f[KF_COUNT];
};

/*
 * Probes each helper with a BPF_PROG_LOAD (needs CAP_BPF or root; without
 * them every state is KFEATURE_UNKNOWN; with them, a load refused for
 * another reason than the verifier's EINVAL is KFEATURE_FAILED, with its
 * error).  In the test build only, TCPLIFE_TEST_MISSING_HELPERS, a
 * comma-separated list of helper names, makes those count as missing: the
 * tests use it to take the paths of older kernels.
 */
void kfeatures_probe(struct kfeatures *kf);

/*
 * Whether a helper may be used: present, or unknown or failed (the load
 * will tell).
 */
bool kfeature_usable(const struct kfeatures *kf, int id);

#endif
