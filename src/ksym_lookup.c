/*
 * The one kernel-symbol question libbcc asks per compile, answered without
 * loading all of /proc/kallsyms.
 *
 * At the end of every compile libbcc asks its kernel symbol cache whether
 * bpf_probe_read_kernel exists (to pick the probe-read helpers), and, if
 * the text uses them, bpf_probe_read_user.  The cache answers by reading
 * every one of the 120,000-odd symbols into a sorted vector and a hash
 * table: a third of a compiling start.  The executable exports the three
 * symbol-cache entry points (see src/exported.sym), so the libbcc the
 * compile child loads binds to these: kernel caches are still created by
 * libbcc, but for those two names a lookup scans /proc/kallsyms with the
 * rules libbcc applies (root only, no null or user addresses, no data
 * symbols) and stops at the first match.  Only whether the symbol exists
 * matters to libbcc there.  Every other call goes to libbcc unchanged.
 */
#define _GNU_SOURCE
#include <config.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile_child.h"
#include "util.h"

/* libbcc ignores addresses below this (x86-64: user space). */
#ifdef __x86_64__
#define KERNEL_SPACE_START 0x00ffffffffffffffULL
#else
#define KERNEL_SPACE_START 0ULL
#endif
#define MAX_KERNEL_CACHES 4

struct bcc_symbol_option;

void *bcc_symcache_new(int pid, struct bcc_symbol_option *option);
void bcc_free_symcache(void *symcache, int pid);
int bcc_symcache_resolve_name(void *resolver, const char *module,
			      const char *name, uint64_t *addr);

static bool fast_lookups;
static void *kernel_caches[MAX_KERNEL_CACHES];

void ksym_lookup_enable(void)
{
	fast_lookups = true;
}

/*
 * libbcc's own definition.  Not RTLD_NEXT: libbcc is loaded RTLD_LOCAL,
 * outside the global scope RTLD_NEXT searches (Debian 11's 0.18 calls
 * these through its PLT and found nothing); a lookup through its own
 * handle starts with libbcc itself.
 */
static void *next_symbol(const char *name)
{
	void *lib = dlopen(LIBBCC_SONAME, RTLD_LAZY | RTLD_NOLOAD);
	void *sym = lib ? dlsym(lib, name) : NULL;

	if (!sym) {
		fprintf(stderr, "%s: libbcc has no %s\n", PROGRAM_NAME, name);
		_exit(2);
	}
	return sym;
}

static void **kernel_cache_slot(const void *cache)
{
	for (int i = 0; i < MAX_KERNEL_CACHES; i++)
		if (kernel_caches[i] == cache)
			return &kernel_caches[i];
	return NULL;
}

void *bcc_symcache_new(int pid, struct bcc_symbol_option *option)
{
	void *(*real)(int, struct bcc_symbol_option *);
	void *cache, **slot;

	*(void **)&real = next_symbol("bcc_symcache_new");
	cache = real(pid, option);
	if (cache && pid < 0 && (slot = kernel_cache_slot(NULL)))
		*slot = cache;
	return cache;
}

void bcc_free_symcache(void *symcache, int pid)
{
	void (*real)(void *, int);
	void **slot = symcache ? kernel_cache_slot(symcache) : NULL;

	if (slot)
		*slot = NULL;
	*(void **)&real = next_symbol("bcc_free_symcache");
	real(symcache, pid);
}

/* libbcc's reading of a /proc/kallsyms line: "ADDR TYPE NAME [MODULE]". */
static bool line_defines(const char *line, const char *name, uint64_t *addr)
{
	char *p;
	unsigned long long a = strtoull(line, &p, 16);
	size_t len = strlen(name);

	if (a == 0 || a == ULLONG_MAX || a < KERNEL_SPACE_START || *p != ' ')
		return false;
	if (!p[1] || strchr("bBdDrR", p[1]) || p[2] != ' ')
		return false;
	p += 3;
	if (strncmp(p, name, len) ||
	    (p[len] != '\0' && p[len] != ' ' && p[len] != '\t' &&
	     p[len] != '\n'))
		return false;
	*addr = a;
	return true;
}

static int scan_kallsyms(const char *name, uint64_t *addr)
{
	char line[2048];
	int found = -1;
	FILE *f;

	if (geteuid() != 0)	/* libbcc: only root sees addresses */
		return -1;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -1;
	/*
	 * stdio would read 1 KiB at a time (the file's st_blksize), and the
	 * kernel seeks its symbol iterator again at every read: 64 KiB reads
	 * take a fifth of the time.
	 */
	setvbuf(f, NULL, _IOFBF, 64 * 1024);
	while (found < 0 && fgets(line, sizeof(line), f))
		if (line_defines(line, name, addr))
			found = 0;
	fclose(f);
	return found;
}

int bcc_symcache_resolve_name(void *resolver, const char *module,
			      const char *name, uint64_t *addr)
{
	int (*real)(void *, const char *, const char *, uint64_t *);

	if (fast_lookups && resolver && name && kernel_cache_slot(resolver) &&
	    (!strcmp(name, "bpf_probe_read_kernel") ||
	     !strcmp(name, "bpf_probe_read_user")))
		return scan_kallsyms(name, addr);
	*(void **)&real = next_symbol("bcc_symcache_resolve_name");
	return real(resolver, module, name, addr);
}
