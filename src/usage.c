/* The --help and --version texts. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "filters.h"
#include "format_values.h"
#include "option_values.h"
#include "prog_cache.h"
#include "util.h"

/* Where an option's help text starts, and the last column it may use. */
#define HELP_INDENT 25
#define HELP_WIDTH 78

/* Prints TEXT after LEN columns of a help line, wrapped between words. */
static void print_wrapped(size_t len, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, " ");

		if (len + 1 + n > HELP_WIDTH) {
			printf("\n%*s", HELP_INDENT, "");
			len = HELP_INDENT;
		} else {
			putchar(' ');
			len++;
		}
		printf("%.*s", (int)n, text);
		len += n;
		text += n + (text[n] == ' ');
	}
	putchar('\n');
}

/* -e's line names the columns it adds, from the field table. */
static void print_extended_help(void)
{
	static const struct {
		const char *header;
		unsigned int when;
	} cols[] = {
#define EXT_COL(header, key, wd, ww, layouts, when, x) { header, when },
		TCPLIFE_COLUMNS(EXT_COL, EXT_COL)
#undef EXT_COL
	};
	size_t n = sizeof(cols) / sizeof(cols[0]), last = 0, len = 0;
	const char *option = "  -e, --extended        ";
	char text[512] = "add";
	bool first = true;

	for (size_t i = 0; i < n; i++)
		if (cols[i].header && cols[i].when == WHEN_EXTENDED)
			last = i;
	for (size_t i = 0; i < n; i++) {
		if (!cols[i].header || cols[i].when != WHEN_EXTENDED)
			continue;
		len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "%s%s",
			 first ? " " : i == last ? " and " : ", ",
			 cols[i].header);
		first = false;
	}
	len = strlen(text);
	snprintf(text + len, sizeof(text) - len,
		 " columns (JSON always has them)");
	fputs(option, stdout);
	print_wrapped(strlen(option), text);
}

void print_help(void)
{
	char methods[200];

	fputs(
"Usage: " PROGRAM_NAME " [OPTION]...\n"
"Trace TCP sessions: print one row per session that closes, with its process,\n"
"addresses, ports, kilobytes sent and received, and lifespan.\n"
"\n"
"Output:\n"
"  -T, --time             include a TIME column (HH:MM:SS of the close)\n"
"  -t, --timestamp        include a TIME(s) column (seconds since the first row)\n"
"  -w, --wide             wide columns (fits IPv6 addresses)\n"
"  -s, --csv              comma-separated values\n"
"  -j, --json             JSON Lines: one object per session, exact values\n",
	stdout);
	print_extended_help();
	fputs(
"  -a, --all              also sessions opened before tracing started\n"
"                         (their duration is only a lower bound)\n"
"  -q, --quiet            no notes on stderr (warnings and errors stay)\n"
"  -v, --verbose          at exit, say what became of every close seen\n"
"  -d, --duration SECS    stop after SECS seconds\n"
"  -c, --count N          stop after N sessions\n"
"      --output FILE      append rows to FILE (created 0640), not stdout;\n"
"                         SIGUSR1 reopens it; with loss records\n"
"      --interval SECS    every SECS seconds, an interim record of each\n"
"                         session still open (bytes so far and since the\n"
"                         last); closes get type close; with -a, sessions\n"
"                         open at the start are listed first\n"
"\n"
"Filters (applied in the kernel):\n",
	stdout);
	filters_print_help(stdout);
	fputs(
"\n"
"Setup:\n"
"      --kernel-headers DIR   kernel headers to compile against\n"
"      --allow-header-mismatch\n"
"                         without BTF, accept headers of another kernel\n"
"                         release (byte counts may then be wrong)\n"
"      --allow-untrusted-headers\n"
"                         use kernel headers that others than root could\n"
"                         have changed (warns)\n",
	stdout);
	/* One line, which the bash completion reads the methods from. */
	attach_methods_list(methods, sizeof(methods), "auto");
	printf("      --attach METHOD    %s\n"
	       "                         (default auto: the first of them "
	       "this kernel offers)\n", methods);
	fputs(
"      --perf-pages N     perf buffer pages per CPU, a power of 2 (default:\n"
"                         8 MiB shared by all CPUs, at least 256 KiB each;\n"
"                         at most 256 MiB in all)\n"
"      --map-entries N    sessions tracked at once (default 10240)\n"
"      --cache-dir DIR    where compiled programs are cached\n"
"                         (default " DEFAULT_CACHE_DIR ")\n"
"      --no-cache         always compile; neither read nor write the cache\n"
"      --warm-cache       compile the program these options select into the\n"
"                         cache for the running kernel and exit, without\n"
"                         tracing (the next start with them loads it)\n"
"      --user USER        once attached, run as USER (root's default:\n"
"                         tcplife-bcc, else nobody; capabilities are\n"
"                         dropped once attached in any case)\n"
"      --info             print what was found on this host and exit\n"
"      --ebpf             print the BPF program and its cflags and exit\n"
"  -h, --help             display this help and exit\n"
"  -V, --version          output version information and exit\n"
"\n"
"Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n"
"See tcplife-bcc(8) for the fields and how PID/COMM are attributed.\n",
	stdout);
}

void print_version(void)
{
	printf("%s %s\n", PROGRAM_NAME, PACKAGE_VERSION);
}
