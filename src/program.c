/*
 * Loading the program's image and handing user space its maps: the
 * descriptors by role, the config and the port bitmaps.  Building the
 * image is program_build.c's, its flags program_flags.c's.
 */
#define _GNU_SOURCE
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bcc/libbpf.h>
#include <linux/bpf.h>

#include "program.h"
#include "util.h"

/* The maps user space needs, by the names the BPF text gives them. */
static const struct map_role {
	const char *name;
	size_t fd_offset;	/* of its descriptor in struct loaded_program */
	bool required;		/* else the program may lack it */
} map_roles[] = {
	{ "events", offsetof(struct loaded_program, events_fd), true },
	{ "drops", offsetof(struct loaded_program, drops_fd), true },
	{ "socks", offsetof(struct loaded_program, socks_fd), true },
	{ "config", offsetof(struct loaded_program, config_fd), true },
	{ "lport_bitmap", offsetof(struct loaded_program, lport_fd), true },
	{ "rport_bitmap", offsetof(struct loaded_program, rport_fd), true },
};

#define NR_ROLES (sizeof(map_roles) / sizeof(map_roles[0]))

static int *role_fd(struct loaded_program *lp, const struct map_role *r)
{
	return (int *)((char *)lp + r->fd_offset);
}

void loaded_program_close(struct loaded_program *lp)
{
	if (lp->prog_fd >= 0)
		close(lp->prog_fd);
	lp->prog_fd = -1;
	for (size_t i = 0; i < NR_ROLES; i++) {
		int *fd = role_fd(lp, &map_roles[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

/*
 * Loads IMG and keeps the descriptors of the maps with a role; the program
 * holds its own references to every map it uses.
 */
static int load_image(const struct bpf_image *img,
		      const struct bpf_image_target *target,
		      struct bpf_load_refusal *why, struct loaded_program *lp)
{
	int fds[BPF_IMAGE_MAX_TABLES];
	int err = 0;

	for (size_t i = 0; i < NR_ROLES; i++)
		*role_fd(lp, &map_roles[i]) = -1;
	err = bpf_image_load(img, target, &lp->prog_fd, fds, why);
	if (err)
		return err;
	for (size_t r = 0; r < NR_ROLES && !err; r++) {
		int *fd = role_fd(lp, &map_roles[r]);

		for (uint32_t i = 0; i < img->ntables; i++)
			if (!strcmp(img->tables[i].name, map_roles[r].name))
				/* Above 0-2, so it is never taken for stdio. */
				*fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
		if (*fd < 0 && map_roles[r].required) {
			error_msg("internal error: the program has no %s map",
				  map_roles[r].name);
			err = -ENOENT;
		}
	}
	for (uint32_t i = 0; i < img->ntables; i++)
		close(fds[i]);
	if (err)
		loaded_program_close(lp);
	return err;
}

int program_load(const char *text, const struct program_cflags *cf,
		 const struct kheaders *kh, const struct attach_method *method,
		 const char *tracefs_dir, const struct program_cache_opts *cache,
		 const struct bpf_image_target *target,
		 struct bpf_load_refusal *why, struct loaded_program *lp)
{
	struct bpf_image img;
	bool from_cache;
	int err;

	if (why)
		memset(why, 0, sizeof(*why));
	err = program_build(text, cf, kh, method, tracefs_dir, cache, &img,
			    &from_cache);
	if (err)
		return err;
	err = load_image(&img, target, why, lp);
	bpf_image_free(&img);
	return err;
}

int program_set_config(int map_fd, const struct tcplife_config *cfg)
{
	__u32 zero = 0;

	return bpf_update_elem(map_fd, &zero, (void *)cfg, BPF_ANY) < 0 ?
	       -errno : 0;
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
