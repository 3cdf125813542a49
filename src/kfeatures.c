/*
 * Which BPF helpers the running kernel offers.  Kernels gain helpers over
 * the years (bpf_probe_read_kernel in 5.5, bpf_get_current_ancestor_cgroup_id
 * for tracing programs in 5.14: Debian's 5.10 refuses it, its 6.1 takes
 * it), and distributions backport them, so each is tried rather than
 * inferred from the release: a program calling only that helper is loaded,
 * next to one calling nothing; when only the first is refused, the helper
 * is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "kfeatures.h"
#include "test_hooks.h"
#include "privileges.h"

/* Helper numbers are kernel ABI; older uapi headers may lack the names. */
#define HELPER_PROBE_READ_KERNEL 113
#define HELPER_GET_CURRENT_ANCESTOR_CGROUP_ID 123

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })
#define MOV_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD_IMM(d, i)	INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define CALL(h)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, h)
#define EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/*
 * Before Linux 5.11 every BPF object is charged to its user's locked
 * memory, against RLIMIT_MEMLOCK (64 KiB by default on those kernels): a
 * tracer already running as root holds megabytes of it, so a second
 * one's probes would fail with EPERM.  The limit is raised as libbcc and
 * bpf_image.c do, to the hard limit when it cannot be lifted.
 */
static int raise_memlock(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
		return 0;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
		return -EPERM;
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_MEMLOCK, &rl) < 0 ? -errno : 0;
}

static long prog_load(union bpf_attr *attr)
{
	return syscall(__NR_bpf, BPF_PROG_LOAD, attr, sizeof(*attr));
}

/* 0 when the kernel accepts the program, else -errno. */
static int try_load(const struct bpf_insn *insns, unsigned int n)
{
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	/* A tracepoint program (4.7+): unlike kprobes, no kernel version. */
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = n;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	fd = prog_load(&attr);
	if (fd < 0 && errno == EPERM && raise_memlock() == 0)
		fd = prog_load(&attr);
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static bool pretended_missing(const char *helper)
{
	const char *list = test_hook("MISSING_HELPERS");
	size_t len = strlen(helper);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += !!*p)
		if (!strncmp(p, helper, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

void kfeatures_probe(struct kfeatures *kf)
{
	static const struct bpf_insn nothing[] = { MOV_IMM(0, 0), EXIT() };
	static const struct bpf_insn read_kernel[] = {
		MOV_REG(1, 10), ADD_IMM(1, -8), MOV_IMM(2, 8), MOV_IMM(3, 0),
		CALL(HELPER_PROBE_READ_KERNEL), MOV_IMM(0, 0), EXIT(),
	};
	static const struct bpf_insn ancestor[] = {
		MOV_IMM(1, 0), CALL(HELPER_GET_CURRENT_ANCESTOR_CGROUP_ID),
		MOV_IMM(0, 0), EXIT(),
	};
	static const struct {
		const struct bpf_insn *insns;
		unsigned int n;
	} progs[KF_COUNT] = {
		[KF_PROBE_READ_KERNEL] = { read_kernel, 7 },
		[KF_ANCESTOR_CGROUP_ID] = { ancestor, 4 },
	};
	int base = try_load(nothing, 2);

	kf->f[KF_PROBE_READ_KERNEL] = (struct kfeature){
		"bpf_probe_read_kernel", "5.5", "the program",
		"bpf_probe_read instead", KFEATURE_UNKNOWN, 0,
	};
	kf->f[KF_ANCESTOR_CGROUP_ID] = (struct kfeature){
		"bpf_get_current_ancestor_cgroup_id", "5.14", "--cgroup",
		"--cgroup refused", KFEATURE_UNKNOWN, 0,
	};
	for (int i = 0; i < KF_COUNT; i++) {
		struct kfeature *f = &kf->f[i];
		int err;

		if (pretended_missing(f->helper)) {
			f->state = KFEATURE_MISSING;
			continue;
		}
		/*
		 * Without the privileges to trace, not trying is expected;
		 * with them, a program doing nothing refused is a failure to
		 * report as such.
		 */
		err = base ? base : try_load(progs[i].insns, progs[i].n);
		if (base && !privileges_can_trace())
			continue;
		/* The verifier says EINVAL for an unknown helper. */
		f->state = !err ? KFEATURE_PRESENT :
			   err == -EINVAL && !base ? KFEATURE_MISSING :
			   KFEATURE_FAILED;
		f->err = err;
	}
}

bool kfeature_usable(const struct kfeatures *kf, int id)
{
	return kf->f[id].state != KFEATURE_MISSING;
}
