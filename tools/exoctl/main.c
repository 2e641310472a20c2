// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl: look at and steer exo.ko from the shell, in the manner of ip(8)
 * and bpftool(8). "exoctl OBJECT COMMAND [ARGS]"; --json anywhere turns
 * any command's output into one JSON document on stdout.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exoctl.h"

bool exoctl_json;

static const char exoctl_usage_text[] =
	"usage: exoctl [--json] OBJECT COMMAND [ARGS]\n"
	"\n"
	"  exoctl env list                     live environments\n"
	"  exoctl env show ID                  one environment\n"
	"  exoctl mem show                     the frame pool, by colour\n"
	"  exoctl cpu show                     slot vectors, per CPU\n"
	"  exoctl net show                     packet filters and ring counters\n"
	"  exoctl xn show                      the XN disk and its catalogues\n"
	"  exoctl xn check                     walk the XN disk as fsck would\n"
	"  exoctl monitor [-c N]               events of every environment, live\n"
	"  exoctl revoke mem ENV N --deadline MS\n"
	"                                      ask ENV for N frames back\n"
	"  exoctl trace [-c N]                 stream the exo tracepoints\n"
	"\n"
	"  -j, --json   one JSON document on stdout\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 bad arguments.\n";

int exoctl_usage(void)
{
	fputs(exoctl_usage_text, stderr);
	return 2;
}

int exoctl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("exoctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

bool exoctl_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* libexo's own warnings would repeat ours; keep them off the terminal. */
static int exoctl_quiet(enum exo_print_level level, const char *fmt,
			va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

struct exo *exoctl_open(void)
{
	struct exo *exo;

	exo_set_print(exoctl_quiet);
	exo = exo_open(NULL);
	if (exo)
		return exo;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		exoctl_err("/dev/exo: module not loaded (modprobe exo)");
	else if (errno == EPROTONOSUPPORT)
		exoctl_err("/dev/exo: the module speaks another API version than this exoctl (%d)",
			   LIBEXO_API_VERSION);
	else
		exoctl_err("/dev/exo: %s", strerror(errno));
	return NULL;
}

/* ---- the JSON writer -------------------------------------------------- */

#define JSON_DEPTH_MAX 16
static int json_depth;
static bool json_need_comma[JSON_DEPTH_MAX];

static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);	/* bytes, not UTF-8: kept visible */
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_prefix(const char *key)
{
	if (json_depth > 0 && json_need_comma[json_depth - 1])
		putchar(',');
	if (json_depth > 0)
		json_need_comma[json_depth - 1] = true;
	if (key) {
		json_string(key);
		putchar(':');
	}
}

static void json_open(const char *key, char c)
{
	json_prefix(key);
	putchar(c);
	if (json_depth == JSON_DEPTH_MAX)
		abort();
	json_need_comma[json_depth++] = false;
}

static void json_close(char c)
{
	if (json_depth == 0)
		abort();
	json_depth--;
	putchar(c);
}

void json_open_obj(const char *key) { json_open(key, '{'); }
void json_close_obj(void) { json_close('}'); }
void json_open_arr(const char *key) { json_open(key, '['); }
void json_close_arr(void) { json_close(']'); }

void json_u64(const char *key, uint64_t v)
{
	json_prefix(key);
	printf("%" PRIu64, v);
}

void json_s64(const char *key, int64_t v)
{
	json_prefix(key);
	printf("%" PRId64, v);
}

void json_str(const char *key, const char *s)
{
	json_prefix(key);
	json_string(s);
}

void json_bool(const char *key, bool v)
{
	json_prefix(key);
	fputs(v ? "true" : "false", stdout);
}

void json_end(void)
{
	if (json_depth)
		abort();
	putchar('\n');
	fflush(stdout);
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} exoctl_objects[] = {
	{ "env", exoctl_env },
	{ "mem", exoctl_mem },
	{ "cpu", exoctl_cpu },
	{ "net", exoctl_net },
	{ "xn", exoctl_xn },
	{ "monitor", exoctl_monitor },
	{ "revoke", exoctl_revoke },
	{ "trace", exoctl_trace },
};

int main(int argc, char **argv)
{
	int i, n = 0;
	size_t o;

	/* The global options may come anywhere, as in bpftool. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			exoctl_json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "help")) {
			fputs(exoctl_usage_text, stdout);
			return 0;
		} else {
			argv[++n] = argv[i];
		}
	}
	argc = n + 1;
	argv[argc] = NULL;
	if (argc < 2)
		return exoctl_usage();

	for (o = 0; o < sizeof(exoctl_objects) / sizeof(exoctl_objects[0]); o++)
		if (!strcmp(argv[1], exoctl_objects[o].name))
			return exoctl_objects[o].run(argc - 2, argv + 2);
	exoctl_err("unknown object \"%s\"", argv[1]);
	return exoctl_usage();
}
