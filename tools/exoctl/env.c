// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl env and monitor: the "exo" generic-netlink family. env list and
 * show make their own GET_ENV dump (genl.c), so that they see every
 * attribute the kernel sends (libexo's list stops at struct exo_env_info).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netlink/attr.h>

#include "exoctl.h"

struct exoctl_env {
	uint64_t attr[EXO_ATTR_MAX + 1];
	bool has[EXO_ATTR_MAX + 1];
};

struct exoctl_env_dump {
	struct exoctl_env *envs;
	size_t count, room;
};

/* The u32/u64 attributes, in the order the text and JSON show them. */
static const struct {
	int attr;
	const char *name;
} exoctl_env_fields[] = {
	{ EXO_ATTR_ENV_ID, "id" },
	{ EXO_ATTR_ENV_OWNER_TGID, "tgid" },
	{ EXO_ATTR_ENV_OWNER_UID, "uid" },
	{ EXO_ATTR_ENV_CREATED_NS, "created_ns" },
	{ EXO_ATTR_ENV_EVENTS_POSTED, "events_posted" },
	{ EXO_ATTR_ENV_EVENTS_PENDING, "events_pending" },
	{ EXO_ATTR_ENV_EVENTS_LOST, "events_lost" },
	{ EXO_ATTR_ENV_FRAMES, "frames" },
	{ EXO_ATTR_ENV_SLOTS, "slots" },
	{ EXO_ATTR_ENV_FILTERS, "filters" },
	{ EXO_ATTR_ENV_BLOCKS, "blocks" },
	{ EXO_ATTR_ENV_NET_DELIVERED, "net_delivered" },
	{ EXO_ATTR_ENV_NET_DROPPED, "net_dropped" },
	{ EXO_ATTR_ENV_NET_TX, "net_tx" },
};

#define EXOCTL_NFIELDS (sizeof(exoctl_env_fields) / sizeof(exoctl_env_fields[0]))

static int exoctl_on_env(struct nlattr **attrs, void *arg)
{
	struct exoctl_env_dump *dump = arg;
	struct exoctl_env *env, *grown;
	size_t f;

	if (!attrs[EXO_ATTR_ENV_ID])
		return 0;
	if (dump->count == dump->room) {
		dump->room = dump->room ? dump->room * 2 : 16;
		grown = realloc(dump->envs, dump->room * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		dump->envs = grown;
	}
	env = &dump->envs[dump->count++];
	memset(env, 0, sizeof(*env));
	for (f = 0; f < EXOCTL_NFIELDS; f++) {
		struct nlattr *a = attrs[exoctl_env_fields[f].attr];

		if (!a)
			continue;
		env->has[exoctl_env_fields[f].attr] = true;
		env->attr[exoctl_env_fields[f].attr] =
			nla_len(a) == 4 ? nla_get_u32(a) : nla_get_u64(a);
	}
	return 0;
}

/* Sort by id: the kernel sends its list order, which is creation order. */
static int exoctl_env_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct exoctl_env *)a)->attr[EXO_ATTR_ENV_ID];
	uint64_t y = ((const struct exoctl_env *)b)->attr[EXO_ATTR_ENV_ID];

	return x < y ? -1 : x > y;
}

static int exoctl_dump_envs(struct exoctl_env_dump *dump)
{
	int ret = exoctl_genl_dump(EXO_CMD_GET_ENV, exoctl_on_env, dump);

	if (ret == -ENOENT)
		return exoctl_err("/dev/exo: module not loaded (no generic netlink family \"%s\")",
				  EXO_GENL_NAME);
	if (ret == -EPERM)
		return exoctl_err("environment dump: permission denied (needs CAP_NET_ADMIN)");
	if (ret)
		return exoctl_err("environment dump: %s", strerror(-ret));
	qsort(dump->envs, dump->count, sizeof(*dump->envs), exoctl_env_cmp);
	return 0;
}

static void exoctl_env_json(const struct exoctl_env *env)
{
	size_t f;

	json_open_obj(NULL);
	for (f = 0; f < EXOCTL_NFIELDS; f++)
		if (env->has[exoctl_env_fields[f].attr])
			json_u64(exoctl_env_fields[f].name,
				 env->attr[exoctl_env_fields[f].attr]);
	json_close_obj();
}

static uint64_t exoctl_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void exoctl_env_text(const struct exoctl_env *env)
{
	const uint64_t *a = env->attr;
	uint64_t now = exoctl_boottime_ns();
	uint64_t age = now > a[EXO_ATTR_ENV_CREATED_NS] ?
		       now - a[EXO_ATTR_ENV_CREATED_NS] : 0;

	printf("env %" PRIu64 "\n", a[EXO_ATTR_ENV_ID]);
	printf("\towner: tgid %" PRIu64 " uid %" PRIu64 "\n",
	       a[EXO_ATTR_ENV_OWNER_TGID], a[EXO_ATTR_ENV_OWNER_UID]);
	printf("\tage_ms: %" PRIu64 "\n", age / 1000000);
	printf("\tevents: posted %" PRIu64 " pending %" PRIu64 " lost %" PRIu64 "\n",
	       a[EXO_ATTR_ENV_EVENTS_POSTED], a[EXO_ATTR_ENV_EVENTS_PENDING],
	       a[EXO_ATTR_ENV_EVENTS_LOST]);
	printf("\tholds: frames %" PRIu64 " slots %" PRIu64 " filters %" PRIu64
	       " blocks %" PRIu64 "\n",
	       a[EXO_ATTR_ENV_FRAMES], a[EXO_ATTR_ENV_SLOTS],
	       a[EXO_ATTR_ENV_FILTERS], a[EXO_ATTR_ENV_BLOCKS]);
	printf("\tnet: delivered %" PRIu64 " dropped %" PRIu64 " tx %" PRIu64 "\n",
	       a[EXO_ATTR_ENV_NET_DELIVERED], a[EXO_ATTR_ENV_NET_DROPPED],
	       a[EXO_ATTR_ENV_NET_TX]);
}

static int exoctl_env_list(void)
{
	struct exoctl_env_dump dump = { 0 };
	size_t i;
	int ret;

	ret = exoctl_dump_envs(&dump);
	if (ret)
		goto out;
	if (exoctl_json) {
		json_open_arr(NULL);
		for (i = 0; i < dump.count; i++)
			exoctl_env_json(&dump.envs[i]);
		json_close_arr();
		json_end();
		goto out;
	}
	printf("%-6s %-8s %-6s %7s %6s %8s %7s %7s\n", "ENV", "TGID", "UID",
	       "FRAMES", "SLOTS", "FILTERS", "BLOCKS", "EVENTS");
	for (i = 0; i < dump.count; i++) {
		const uint64_t *a = dump.envs[i].attr;

		printf("%-6" PRIu64 " %-8" PRIu64 " %-6" PRIu64 " %7" PRIu64
		       " %6" PRIu64 " %8" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n",
		       a[EXO_ATTR_ENV_ID], a[EXO_ATTR_ENV_OWNER_TGID],
		       a[EXO_ATTR_ENV_OWNER_UID], a[EXO_ATTR_ENV_FRAMES],
		       a[EXO_ATTR_ENV_SLOTS], a[EXO_ATTR_ENV_FILTERS],
		       a[EXO_ATTR_ENV_BLOCKS], a[EXO_ATTR_ENV_EVENTS_POSTED]);
	}
out:
	free(dump.envs);
	return ret;
}

static int exoctl_env_show(const char *arg)
{
	struct exoctl_env_dump dump = { 0 };
	uint64_t id;
	size_t i;
	int ret;

	if (!exoctl_parse_u64(arg, UINT64_MAX, &id)) {
		exoctl_err("env show: \"%s\" is not an environment id", arg);
		return exoctl_usage();
	}
	ret = exoctl_dump_envs(&dump);
	if (ret)
		goto out;
	for (i = 0; i < dump.count; i++)
		if (dump.envs[i].attr[EXO_ATTR_ENV_ID] == id)
			break;
	if (i == dump.count) {
		ret = exoctl_err("env show: no environment %" PRIu64, id);
		goto out;
	}
	if (exoctl_json) {
		exoctl_env_json(&dump.envs[i]);
		json_end();
	} else {
		exoctl_env_text(&dump.envs[i]);
	}
out:
	free(dump.envs);
	return ret;
}

int exoctl_env(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "list"))
		return exoctl_env_list();
	if (argc == 2 && !strcmp(argv[0], "show"))
		return exoctl_env_show(argv[1]);
	exoctl_err("env: expected \"list\" or \"show ID\"");
	return exoctl_usage();
}

/* ---- monitor ------------------------------------------------------------- */

static volatile sig_atomic_t exoctl_stop;

static void exoctl_on_signal(int sig)
{
	(void)sig;
	exoctl_stop = 1;
}

/* SIGINT and SIGTERM end a stream cleanly, so that --json closes its array. */
void exoctl_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = exoctl_on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool exoctl_stopped(void)
{
	return exoctl_stop;
}

static void exoctl_event_print(const struct exo_event *ev)
{
	int d;

	if (exoctl_json) {
		json_open_obj(NULL);
		json_u64("env", ev->env_id);
		json_u64("seq", ev->seq);
		json_str("type", exo_event_name(ev->type));
		json_u64("code", ev->type);
		json_u64("time_ns", ev->time_ns);
		json_open_arr("data");
		for (d = 0; d < 4; d++)
			json_u64(NULL, ev->data[d]);
		json_close_arr();
		json_close_obj();
		fflush(stdout);
		return;
	}
	printf("[%5" PRIu64 ".%06" PRIu64 "] env %" PRIu64 " seq %" PRIu64
	       " %s (%#x) data %#" PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64 "\n",
	       (uint64_t)ev->time_ns / 1000000000,
	       (uint64_t)ev->time_ns / 1000 % 1000000,
	       (uint64_t)ev->env_id, (uint64_t)ev->seq,
	       exo_event_name(ev->type), ev->type,
	       (uint64_t)ev->data[0], (uint64_t)ev->data[1],
	       (uint64_t)ev->data[2], (uint64_t)ev->data[3]);
	fflush(stdout);
}

/* "-c N" of monitor and trace: N >= 1, or 0 when absent (no limit). */
int exoctl_parse_count(int argc, char **argv, uint64_t *count)
{
	*count = 0;
	if (argc == 0)
		return 0;
	if (argc == 2 && !strcmp(argv[0], "-c") &&
	    exoctl_parse_u64(argv[1], UINT64_MAX, count) && *count)
		return 0;
	exoctl_err("expected nothing or \"-c N\" with N >= 1");
	return exoctl_usage();
}

int exoctl_monitor(int argc, char **argv)
{
	struct exo_monitor *mon;
	struct exo_event ev;
	uint64_t count, seen = 0;
	int ret;

	ret = exoctl_parse_count(argc, argv, &count);
	if (ret)
		return ret;
	exo_set_print(NULL);
	mon = exo_monitor_open();
	if (!mon) {
		if (errno == ENOENT)
			return exoctl_err("/dev/exo: module not loaded (no generic netlink family \"%s\")",
					  EXO_GENL_NAME);
		return exoctl_err("monitor: %s", strerror(errno));
	}
	ret = exo_monitor_subscribe(mon);
	if (ret) {
		exo_monitor_close(mon);
		return exoctl_err("monitor: joining the event group: %s%s",
				  strerror(-ret),
				  ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	}
	/*
	 * Subscribed, and a signal ends the loop cleanly from here on: only
	 * now may a script make events, or stop us, and expect it to work.
	 */
	exoctl_catch_stop_signals();
	fprintf(stderr, "exoctl: monitoring exo events\n");
	if (exoctl_json)
		json_open_arr(NULL);
	ret = 0;
	while (!exoctl_stop && (!count || seen < count)) {
		/* A short timeout, so that a signal ends the loop promptly. */
		int got = exo_monitor_read(mon, &ev, 200);

		if (got == -ENOBUFS) {
			exoctl_err("monitor: the socket overran; events were lost");
			continue;
		}
		if (got < 0) {
			ret = exoctl_err("monitor: %s", strerror(-got));
			break;
		}
		if (got == 0)
			continue;
		exoctl_event_print(&ev);
		seen++;
	}
	if (exoctl_json) {
		json_close_arr();
		json_end();
	}
	exo_monitor_close(mon);
	return ret;
}
