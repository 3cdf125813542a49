/*
 * The parent's side of the compile child: forking it, sending it the
 * program, reading back the image, and reaping it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile_child.h"
#include "fdio.h"
#include "util.h"

/*
 * What the compiler read comes back as clang's own dependency list
 * (-MD -MF), written to a memfd the child inherits: no file name anyone
 * else could reach.
 */
#define MAX_DEPS_SIZE (4u << 20)

static int read_deps(int fd, char **deps, size_t *deps_len)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size > MAX_DEPS_SIZE)
		return -EBADMSG;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return -EIO;
	}
	*deps = buf;
	*deps_len = (size_t)st.st_size;
	return 0;
}

int compiler_start(struct compiler *c)
{
	int request[2], image[2], err;
	pid_t pid;

	c->deps_fd = memfd_create("tcplife-bcc-deps", MFD_CLOEXEC);
	if (c->deps_fd < 0)
		return -errno;
	if (pipe2(request, O_CLOEXEC) < 0) {
		err = -errno;
		goto close_deps;
	}
	if (pipe2(image, O_CLOEXEC) < 0) {
		err = -errno;
		goto close_request;
	}
	fflush(NULL);	/* the child must not repeat buffered output */
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(image[0]);
		close(image[1]);
		goto close_request;
	}
	if (pid == 0) {
		close(request[1]);
		close(image[0]);
		compile_child_main(request[0], image[1]);
	}
	close(request[0]);
	close(image[1]);
	c->pid = pid;
	c->request_fd = request[1];
	c->image_fd = image[0];
	return 0;
close_request:
	close(request[0]);
	close(request[1]);
close_deps:
	close(c->deps_fd);
	c->deps_fd = -1;
	return err;
}

/* The format compile_child.c parses: see struct request there. */
static int send_request(int fd, const char *text, const char *const *argv,
			int argc, const char *kernel_source, const char *func,
			unsigned int prog_type, int deps_fd)
{
	const char *head[] = { text, kernel_source, func };
	char deps_path[64];
	const char *tail[] = { "-MD", "-MF", deps_path };
	int err = write_all(fd, &prog_type, sizeof(prog_type));

	/* The child has the memfd under the same number. */
	snprintf(deps_path, sizeof(deps_path), "/proc/self/fd/%d", deps_fd);
	for (int i = 0; !err && i < 3; i++)
		err = write_all(fd, head[i], strlen(head[i]) + 1);
	for (int i = 0; !err && i < argc; i++)
		err = write_all(fd, argv[i], strlen(argv[i]) + 1);
	for (int i = 0; !err && i < 3; i++)
		err = write_all(fd, tail[i], strlen(tail[i]) + 1);
	return err;
}

static void reap(struct compiler *c, int *status)
{
	while (waitpid(c->pid, status, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}

/* Why the child sent no usable image, from how it ended. */
static int child_failure(struct compiler *c, const char *kernel_source)
{
	int status = 0;

	reap(c, &status);
	if (WIFSIGNALED(status)) {
		error_msg("the BPF compiler was killed by signal %d (%s)",
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
		return -EINTR;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		error_msg("compiling the BPF program against the headers in "
			  "%s failed (see the compiler's messages above); "
			  "try --kernel-headers with headers for this kernel",
			  kernel_source);
		return -EINVAL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return -EIO;	/* the child said why */
	return 0;
}

int compiler_compile(struct compiler *c, const char *text,
		     const char *const *argv, int argc,
		     const char *kernel_source, const char *func,
		     unsigned int prog_type, struct bpf_image *img,
		     char **deps, size_t *deps_len)
{
	char *buf = NULL;
	ssize_t len;
	int err;

	*deps = NULL;
	*deps_len = 0;
	if (argc + 3 > COMPILE_MAX_CFLAGS)
		return -E2BIG;
	/*
	 * One compile per child: another (auto's fallback) gets a new one,
	 * whether the last one's child is still exiting or already reaped.
	 */
	if (c->request_fd < 0 && (c->pid || c->deps_fd >= 0))
		compiler_stop(c);
	if (!c->pid && (err = compiler_start(c)) < 0)
		return err;
	err = send_request(c->request_fd, text, argv, argc, kernel_source,
			   func, prog_type, c->deps_fd);
	close(c->request_fd);
	c->request_fd = -1;
	len = read_all(c->image_fd, &buf, COMPILE_MAX_IMAGE);
	close(c->image_fd);
	c->image_fd = -1;
	/*
	 * An image that parses is a success: the child may still be exiting,
	 * but it wrote the dependency list before the image.  Without a list
	 * the caller cannot cache or check the headers.
	 */
	if (len > 0 && bpf_image_parse(buf, (size_t)len, img) == 0) {
		free(buf);
		if (read_deps(c->deps_fd, deps, deps_len) < 0)
			*deps = NULL;
		return 0;
	}
	free(buf);
	err = child_failure(c, kernel_source);
	if (err)
		return err;
	if (len < 0) {
		error_msg("reading the compiled program failed: %s",
			  strerror((int)-len));
		return (int)len;
	}
	error_msg("internal error: the compiler returned a malformed "
		  "program image");
	return -EBADMSG;
}

void compiler_stop(struct compiler *c)
{
	int status;

	if (c->pid) {
		if (c->request_fd >= 0)	/* never asked: no need to wait */
			kill(c->pid, SIGKILL);
		reap(c, &status);
	}
	if (c->request_fd >= 0)
		close(c->request_fd);
	if (c->image_fd >= 0)
		close(c->image_fd);
	if (c->deps_fd >= 0)
		close(c->deps_fd);
	c->request_fd = c->image_fd = c->deps_fd = -1;
}
