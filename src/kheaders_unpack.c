/*
 * Hashing and unpacking the kernel's header archive.  The only complex
 * parser of the archive's bytes, xz, runs in a child that has given up
 * root; what it writes is read by the tool's own tar reader, which
 * creates nothing but a plain tree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec_helper.h"
#include "kheaders_unpack.h"
#include "sha256.h"
#include "tar_extract.h"

int kheaders_archive_sha256(const char *archive, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t digest[SHA256_DIGEST_SIZE], buf[65536];
	int fd = open(archive, O_RDONLY | O_CLOEXEC);
	struct sha256 ctx;
	ssize_t n;

	if (fd < 0)
		return -errno;
	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&ctx, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -EIO;
	sha256_final(&ctx, digest);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* What follows the end of the tar stream: padding, up to 1 MiB read. */
static void drain(int fd)
{
	char buf[16384];
	ssize_t n;

	for (size_t total = 0; total < (1u << 20); total += (size_t)n) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return;
	}
}

int kheaders_unpack(const char *archive, int dir_fd, char *why, size_t size)
{
	static const char *const xz_paths[] = {
		"/usr/bin/xz", "/bin/xz", NULL,
	};
	static char *const xz_argv[] = { "xz", "-dc", NULL };
	struct tar_result r;
	int pipefd[2], in, err;
	pid_t pid;

	in = open(archive, O_RDONLY | O_CLOEXEC);
	if (in < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		err = -errno;
		goto out;
	}
	pid = exec_helper_start(xz_paths, xz_argv, in, pipefd[1], true);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		snprintf(why, size, "cannot run xz: %s",
			 pid == -ENOENT ? "not installed" : strerror(-pid));
		err = pid;
		goto out;
	}
	err = tar_extract(pipefd[0], dir_fd, &r);
	/*
	 * tar pads its stream to whole records past the end blocks: read
	 * to the end, or xz could still be writing them and die of SIGPIPE.
	 */
	if (!err)
		drain(pipefd[0]);
	close(pipefd[0]);
	if (exec_helper_wait(pid) < 0 && !err) {
		snprintf(why, size, "xz could not decompress it");
		err = -EBADMSG;
	} else if (err) {
		snprintf(why, size, "%s", r.why[0] ? r.why :
			 strerror(-err));
	}
out:
	if (in >= 0)
		close(in);
	return err;
}

