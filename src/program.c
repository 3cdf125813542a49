/*
 * Specialising, compiling and loading the embedded BPF program with
 * libbcc's C API.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <linux/bpf.h>

#include "program.h"
#include "util.h"

#define TRACEPOINT_FUNC "tracepoint__sock__inet_sock_set_state"
#define KPROBE_FUNC "on_tcp_set_state"

static void add_flag(struct program_cflags *cf, char *flag)
{
	if (cf->count >= PROGRAM_MAX_CFLAGS)
		die(EXIT_RUNTIME, "internal error: too many cflags");
	cf->flag[cf->count++] = flag;
}

void program_cflags_build(struct program_cflags *cf, const struct options *opts,
			  const struct counter_offsets *offsets,
			  enum attach_method method)
{
	memset(cf, 0, sizeof(*cf));
	if (method == ATTACH_KPROBE)
		add_flag(cf, xstrdup("-DTCPLIFE_ATTACH_KPROBE"));
	if (offsets) {
		add_flag(cf, xasprintf("-DTCPLIFE_RX_OFFSET=%ld", offsets->rx));
		add_flag(cf, xasprintf("-DTCPLIFE_TX_OFFSET=%ld", offsets->tx));
	}
	if (opts->pid)
		add_flag(cf, xasprintf("-DFILTER_PID=%lu", opts->pid));
	if (opts->ipv4_only)
		add_flag(cf, xstrdup("-DFILTER_FAMILY=TCPLIFE_AF_INET"));
	if (opts->ipv6_only)
		add_flag(cf, xstrdup("-DFILTER_FAMILY=TCPLIFE_AF_INET6"));
	if (opts->lports)
		add_flag(cf, xstrdup("-DFILTER_LPORT"));
	if (opts->rports)
		add_flag(cf, xstrdup("-DFILTER_RPORT"));
}

void program_cflags_free(struct program_cflags *cf)
{
	for (int i = 0; i < cf->count; i++)
		free(cf->flag[i]);
	cf->count = 0;
}

void program_print(const char *text, const struct program_cflags *cf)
{
	printf("/* cflags:");
	for (int i = 0; i < cf->count; i++)
		printf(" %s", cf->flag[i]);
	printf(" */\n%s", text);
}

/*
 * Split header layouts need the build tree's generated headers on the
 * include path; libbcc itself only searches BCC_KERNEL_SOURCE.  Appended
 * after libbcc's own -I flags, so the source tree still wins.
 */
static int add_build_includes(const struct kheaders *kh, const char **argv,
			      int argc, char **owned, int *nowned)
{
	static const char *const subdirs[] = {
		"arch/%s/include/generated/uapi",
		"arch/%s/include/generated",
		"include",
		"include/generated/uapi",
	};

	if (!strcmp(kh->source_dir, kh->build_dir))
		return argc;
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		char *sub = xasprintf(subdirs[i], kheaders_arch());

		owned[*nowned] = xasprintf("-I%s/%s", kh->build_dir, sub);
		argv[argc++] = owned[(*nowned)++];
		free(sub);
	}
	return argc;
}

static int dup_table_fd(void *mod, const char *name)
{
	int fd = bpf_table_fd(mod, name);

	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

int program_load(const char *text, const struct program_cflags *cf,
		 const struct kheaders *kh, enum attach_method method,
		 struct loaded_program *lp)
{
	const char *argv[PROGRAM_MAX_CFLAGS + 8];
	char *owned[8];
	int argc = 0, nowned = 0, err = 0;
	const char *func = method == ATTACH_KPROBE ? KPROBE_FUNC :
						     TRACEPOINT_FUNC;
	void *mod;
	void *insns;
	size_t size;

	lp->prog_fd = lp->events_fd = lp->drops_fd = -1;
	lp->lport_fd = lp->rport_fd = -1;
	for (int i = 0; i < cf->count; i++)
		argv[argc++] = cf->flag[i];
	argc = add_build_includes(kh, argv, argc, owned, &nowned);

	/* libbcc finds headers only through this variable or uname -r. */
	if (setenv("BCC_KERNEL_SOURCE", kh->source_dir, 1) < 0)
		return -errno;

	mod = bpf_module_create_c_from_string(text, 0, argv, argc, true, NULL);
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	if (!mod) {
		error_msg("compiling the BPF program against the headers in %s "
			  "failed (see the compiler's messages above); try "
			  "--kernel-headers with headers for this kernel",
			  kh->source_dir);
		return -EINVAL;
	}

	insns = bpf_function_start(mod, func);
	size = bpf_function_size(mod, func);
	if (!insns || !size) {
		error_msg("internal error: the compiled program has no %s",
			  func);
		err = -ENOENT;
		goto out;
	}
	lp->prog_fd = bcc_func_load(mod, method == ATTACH_KPROBE ?
					 BPF_PROG_TYPE_KPROBE :
					 BPF_PROG_TYPE_TRACEPOINT,
				    func, insns, (int)size,
				    bpf_module_license(mod),
				    bpf_module_kern_version(mod), 0, NULL, 0,
				    NULL, -1);
	if (lp->prog_fd < 0) {
		err = -errno;
		error_msg("loading the BPF program failed: %s",
			  strerror(errno));
		goto out;
	}
	lp->events_fd = dup_table_fd(mod, "events");
	lp->drops_fd = dup_table_fd(mod, "drops");
	if (lp->events_fd < 0 || lp->drops_fd < 0) {
		err = -ENOENT;
		error_msg("internal error: no events or drops map");
		goto out;
	}
	if (bpf_table_fd(mod, "lport_bitmap") >= 0)
		lp->lport_fd = dup_table_fd(mod, "lport_bitmap");
	if (bpf_table_fd(mod, "rport_bitmap") >= 0)
		lp->rport_fd = dup_table_fd(mod, "rport_bitmap");
out:
	/* The maps stay alive through the descriptors kept above. */
	bpf_module_destroy(mod);
	if (err)
		program_close(lp);
	return err;
}

int program_set_ports(int map_fd, const struct port_set *set)
{
	for (__u32 i = 0; i < PORT_BITMAP_WORDS; i++) {
		__u64 word = set->bits[i];

		if (!word)
			continue;
		if (bpf_update_elem(map_fd, &i, &word, BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

void program_close(struct loaded_program *lp)
{
	int *fds[] = { &lp->prog_fd, &lp->events_fd, &lp->drops_fd,
		       &lp->lport_fd, &lp->rport_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
