/*
 * The headers a compile really read, with their identity: what a cached
 * program depends on, checked on every lookup (as ccache's direct mode).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "header_manifest.h"
#include "util.h"

/* libbcc's own headers and the program text live only in memory. */
#define VIRTUAL_PREFIX "/virtual/"
#define MAX_FILES 65536

static void identity(const struct stat *st, struct manifest_file *f)
{
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->size = (uint64_t)st->st_size;
	f->mtime_s = (int64_t)st->st_mtim.tv_sec;
	f->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	f->ctime_s = (int64_t)st->st_ctim.tv_sec;
	f->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

static void append(struct header_manifest *m, const struct manifest_file *f)
{
	m->files = realloc(m->files, (m->n + 1) * sizeof(*m->files));
	if (!m->files)
		die(EXIT_RUNTIME, "out of memory");
	m->files[m->n++] = *f;
}

/* An empty manifest is as useless as a broken one. */
static int finish(struct header_manifest *m, int err)
{
	if (!err && !m->n)
		err = -EBADMSG;
	if (err)
		manifest_free(m);
	return err;
}

static int add_file(struct header_manifest *m, const char *name,
		    const char *base)
{
	struct manifest_file f;
	struct stat st;

	if (!strncmp(name, VIRTUAL_PREFIX, strlen(VIRTUAL_PREFIX)))
		return 0;
	f.path = name[0] == '/' ? xstrdup(name) :
				  xasprintf("%s/%s", base, name);
	for (size_t i = 0; i < m->n; i++) {
		if (!strcmp(m->files[i].path, f.path)) {
			free(f.path);
			return 0;
		}
	}
	if (stat(f.path, &st) < 0 || m->n >= MAX_FILES) {
		int err = m->n >= MAX_FILES ? -E2BIG : -errno;

		free(f.path);
		return err;
	}
	identity(&st, &f);
	append(m, &f);
	return 0;
}

int manifest_from_deps(const char *deps, size_t len, const char *base,
		       struct header_manifest *m)
{
	const char *p = memchr(deps, ':', len), *end = deps + len;
	char *tok = xcalloc(len + 1, 1);
	size_t t = 0;
	int err = 0;

	memset(m, 0, sizeof(*m));
	if (!p) {
		free(tok);
		return -EBADMSG;
	}
	/* "target: dep dep \<newline> dep", "\ " being a space in a name. */
	for (p++; !err && p <= end; p++) {
		bool sep = p == end || *p == ' ' || *p == '\t' || *p == '\n';

		if (p < end && *p == '\\' && p + 1 < end && p[1] == '\n') {
			sep = true;
			p++;
		} else if (p < end && *p == '\\' && p + 1 < end &&
			   (p[1] == ' ' || p[1] == '#')) {
			tok[t++] = *++p;
			continue;
		} else if (p < end && *p == '$' && p + 1 < end && p[1] == '$') {
			tok[t++] = *++p;
			continue;
		}
		if (!sep) {
			tok[t++] = *p;
			continue;
		}
		if (t) {
			tok[t] = '\0';
			err = add_file(m, tok, base);
			t = 0;
		}
	}
	free(tok);
	return finish(m, err);
}

int manifest_unchanged(const struct header_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct manifest_file now;
		struct stat st;

		if (stat(m->files[i].path, &st) < 0)
			return -ESTALE;
		identity(&st, &now);
		now.path = m->files[i].path;
		if (memcmp(&now.dev, &m->files[i].dev,
			   sizeof(now) - offsetof(struct manifest_file, dev)))
			return -ESTALE;
	}
	return 0;
}

int manifest_trusted(const struct header_manifest *m,
		     struct header_trust_problem *why)
{
	for (size_t i = 0; i < m->n; i++) {
		int err = header_path_trusted(m->files[i].path, why);

		if (err)
			return err;
	}
	return 0;
}

int manifest_serialize(const struct header_manifest *m, char **buf,
		       size_t *len)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		const struct manifest_file *x = &m->files[i];

		if (strchr(x->path, '\n')) {
			fclose(f);
			free(out);
			return -EINVAL;
		}
		fprintf(f, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64
			" %" PRId64 " %" PRId64 " %" PRId64 " %s\n", x->dev,
			x->ino, x->size, x->mtime_s, x->mtime_ns, x->ctime_s,
			x->ctime_ns, x->path);
	}
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	*buf = out;
	*len = size;
	return 0;
}

int manifest_parse(const char *buf, size_t len, struct header_manifest *m)
{
	char *copy = xcalloc(len + 1, 1), *line, *save = NULL;
	int err = 0;

	memset(m, 0, sizeof(*m));
	memcpy(copy, buf, len);
	if (memchr(buf, '\0', len) || !len || buf[len - 1] != '\n')
		err = -EBADMSG;
	for (line = err ? NULL : strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct manifest_file f;
		int pos = -1;

		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64
			   " %" SCNd64 " %" SCNd64 " %" SCNd64 " %n", &f.dev,
			   &f.ino, &f.size, &f.mtime_s, &f.mtime_ns,
			   &f.ctime_s, &f.ctime_ns, &pos) != 7 || pos < 0 ||
		    line[pos] != '/' || m->n >= MAX_FILES) {
			err = -EBADMSG;
			break;
		}
		f.path = xstrdup(line + pos);
		append(m, &f);
	}
	free(copy);
	return finish(m, err);
}

void manifest_free(struct header_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->files[i].path);
	free(m->files);
	m->files = NULL;
	m->n = 0;
}
