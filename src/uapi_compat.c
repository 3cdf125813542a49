/*
 * libbcc force-includes its own copy of the uapi <linux/bpf.h>, whose
 * include guard then hides the kernel's.  Kernel headers since 6.2 take
 * sizeof() of opaque structs added to the uapi header later (bpf_rb_node,
 * bpf_refcount, bpf_wq, ...) in include/linux/bpf.h, which <net/sock.h>
 * pulls in: against them, a libbcc with an older copy (Debian 12's 0.26
 * and 6.12 headers) fails to compile any program that reads struct sock.
 * The opaque structs, only __uN members, can safely be taken from the
 * kernel's own header; the program defines the ones libbcc lacks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi_compat.h"
#include "util.h"

#define MAX_FILE_SIZE (16u << 20)

/* A whole file, NUL-terminated; NULL if unreadable or too large. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (n + 1 >= cap) {
			char *bigger;

			cap = cap ? cap * 2 : 1u << 20;
			bigger = cap > MAX_FILE_SIZE ? NULL : realloc(buf, cap);
			if (!bigger) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = bigger;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Whether the library's text holds "struct NAME {" (its copy defines it). */
static int defined_in(const char *lib, size_t lib_len, const char *name)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "struct %s {", name);
	return memmem(lib, lib_len, needle, strlen(needle)) != NULL;
}

/*
 * Appends "struct NAME { MEMBERS } ATTR;" for the definition starting at
 * *P (a "struct bpf_NAME {" line) when all its members are __uN fields;
 * moves *P past it either way.
 */
static void take_struct(const char **p, const char *lib, size_t lib_len,
			const regex_t *member, char **out)
{
	const char *line = *p, *end;
	char name[96], body[1024] = "", attr[64] = "", *more;
	int ok = sscanf(line, "struct %95[a-z0-9_] {", name) == 1;

	for (line = strchr(line, '\n'); line; line = strchr(line, '\n')) {
		char text[256];
		size_t len;

		line++;
		end = strchr(line, '\n');
		len = end ? (size_t)(end - line) : strlen(line);
		if (len >= sizeof(text)) {
			ok = 0;
			continue;
		}
		memcpy(text, line, len);
		text[len] = '\0';
		if (text[0] == '}') {
			if (strcmp(text, "};") &&
			    sscanf(text, "} __attribute__((aligned(%63[0-9])"
				   "));", attr) != 1)
				ok = 0;
			break;
		}
		if (regexec(member, text, 0, NULL, 0) ||
		    strlen(body) + len + 2 >= sizeof(body))
			ok = 0;
		else
			strcat(strcat(body, " "), text + 1);
	}
	*p = line ? line : "";
	if (!ok || defined_in(lib, lib_len, name))
		return;
	more = xasprintf("%s%sstruct %s {%s }%s%s%s;", *out ? *out : "",
			 *out ? " " : "", name, body,
			 *attr ? " __attribute__((aligned(" : "", attr,
			 *attr ? ")))" : "");
	free(*out);
	*out = more;
}

char *uapi_compat_defs(const char *source_dir, const char *libbcc_path)
{
	char path[PATH_MAX], *uapi, *lib, *out = NULL;
	size_t uapi_len, lib_len;
	regex_t member;

	if (path_join(path, sizeof(path), source_dir,
		      "include/uapi/linux/bpf.h") < 0 ||
	    !(uapi = slurp(path, &uapi_len)))
		return NULL;
	lib = slurp(libbcc_path, &lib_len);
	if (!lib || regcomp(&member, "^\t__u(8|16|32|64) [A-Za-z_][A-Za-z0-9_]*"
			    "(\\[[0-9]+\\])?;$", REG_EXTENDED | REG_NOSUB)) {
		free(lib);
		free(uapi);
		return NULL;
	}
	for (const char *p = uapi; (p = strstr(p, "\nstruct bpf_"));) {
		const char *eol = strchr(++p, '\n');

		/* A definition's first line: "struct bpf_NAME {". */
		if (eol && eol - p > 2 && eol[-1] == '{' && eol[-2] == ' ')
			take_struct(&p, lib, lib_len, &member, &out);
	}
	regfree(&member);
	free(lib);
	free(uapi);
	return out;
}
