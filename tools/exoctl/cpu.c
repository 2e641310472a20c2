// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl cpu show: the slot vector of each managed CPU. Geometry and free
 * counts come from EXO_IOC_CPU_INFO; who holds which slot from debugfs's
 * "cpu" file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exoctl.h"

#define EXOCTL_CPUS 64	/* struct exo_cpu_info's mask names 64 CPUs */

struct exoctl_cpu {
	struct exo_cpu_info info;
	uint64_t now_slot, runner;
	uint64_t owner[EXO_CPU_SLOTS_MAX];	/* env id, 0 for free */
	uint64_t excess[EXO_CPU_SLOTS_MAX];
	uint64_t bound_env[8], bound_tid[8];
	size_t nbound;
};

struct exoctl_cpus {
	struct exoctl_cpu cpu[EXOCTL_CPUS];
};

static int exoctl_cpu_line(char *text, void *arg)
{
	struct exoctl_cpus *all = arg;
	uint64_t cpu, slot, v;
	struct exoctl_cpu *c;

	if (strncmp(text, "cpu ", 4) || !exoctl_field(text, "cpu", &cpu) ||
	    cpu >= EXOCTL_CPUS)
		return 0;
	c = &all->cpu[cpu];
	if (strstr(text, " bound ")) {
		if (c->nbound < 8 && exoctl_field(text, "env", &v)) {
			c->bound_env[c->nbound] = v;
			exoctl_field(text, "tid", &c->bound_tid[c->nbound]);
			c->nbound++;
		}
		return 0;
	}
	if (!exoctl_field(text, "slot", &slot))
		return 0;
	if (exoctl_field(text, "runner", &v)) {
		c->now_slot = slot;
		c->runner = v;
	} else if (slot < EXO_CPU_SLOTS_MAX && exoctl_field(text, "env", &v)) {
		c->owner[slot] = v;
		exoctl_field(text, "excess", &c->excess[slot]);
	}
	return 0;
}

static void exoctl_cpu_text(const struct exoctl_cpus *all, uint64_t mask,
			    bool detail)
{
	const struct exo_cpu_info *g = NULL;
	unsigned int n, s;
	size_t b;

	for (n = 0; n < EXOCTL_CPUS; n++) {
		const struct exoctl_cpu *c = &all->cpu[n];
		bool done[EXO_CPU_SLOTS_MAX] = { 0 };

		if (!(mask >> n & 1))
			continue;
		if (!g) {
			g = &c->info;
			printf("policy %s nslots %u quantum_ns %llu grace_ns %llu max_excess %u\n",
			       g->policy, g->nslots,
			       (unsigned long long)g->quantum_ns,
			       (unsigned long long)g->grace_ns, g->max_excess);
		}
		printf("cpu %u: %s free %u of %u", n,
		       c->info.online >> n & 1 ? "online" : "offline",
		       c->info.free_slots, c->info.nslots);
		if (detail)
			printf(" now slot %" PRIu64 " runner env %" PRIu64,
			       c->now_slot, c->runner);
		putchar('\n');
		if (!detail)
			continue;
		/* The vector itself: '.' free, '#' booked. */
		printf("\tvector ");
		for (s = 0; s < c->info.nslots && s < EXO_CPU_SLOTS_MAX; s++)
			putchar(c->owner[s] ? '#' : '.');
		putchar('\n');
		for (s = 0; s < c->info.nslots && s < EXO_CPU_SLOTS_MAX; s++) {
			unsigned int t;

			if (!c->owner[s] || done[s])
				continue;
			printf("\tenv %" PRIu64 " excess %" PRIu64 ": slots",
			       c->owner[s], c->excess[s]);
			for (t = s; t < c->info.nslots && t < EXO_CPU_SLOTS_MAX; t++)
				if (c->owner[t] == c->owner[s]) {
					printf(" %u", t);
					done[t] = true;
				}
			putchar('\n');
		}
		for (b = 0; b < c->nbound; b++)
			printf("\tbound env %" PRIu64 " tid %" PRIu64 "\n",
			       c->bound_env[b], c->bound_tid[b]);
	}
	if (!detail)
		printf("(slot owners: mount debugfs at /sys/kernel/debug)\n");
}

static void exoctl_cpu_json(const struct exoctl_cpus *all, uint64_t mask,
			    bool detail)
{
	unsigned int n, s;
	size_t b;

	json_open_obj(NULL);
	json_bool("detail", detail);
	json_open_arr("cpus");
	for (n = 0; n < EXOCTL_CPUS; n++) {
		const struct exoctl_cpu *c = &all->cpu[n];

		if (!(mask >> n & 1))
			continue;
		json_open_obj(NULL);
		json_u64("cpu", n);
		json_bool("online", c->info.online >> n & 1);
		json_str("policy", c->info.policy);
		json_u64("nslots", c->info.nslots);
		json_u64("quantum_ns", c->info.quantum_ns);
		json_u64("grace_ns", c->info.grace_ns);
		json_u64("max_excess", c->info.max_excess);
		json_u64("free", c->info.free_slots);
		if (detail) {
			json_u64("now_slot", c->now_slot);
			json_u64("runner", c->runner);
			json_open_arr("slots");
			for (s = 0; s < c->info.nslots && s < EXO_CPU_SLOTS_MAX; s++) {
				if (!c->owner[s])
					continue;
				json_open_obj(NULL);
				json_u64("slot", s);
				json_u64("env", c->owner[s]);
				json_u64("excess", c->excess[s]);
				json_close_obj();
			}
			json_close_arr();
			json_open_arr("bound");
			for (b = 0; b < c->nbound; b++) {
				json_open_obj(NULL);
				json_u64("env", c->bound_env[b]);
				json_u64("tid", c->bound_tid[b]);
				json_close_obj();
			}
			json_close_arr();
		}
		json_close_obj();
	}
	json_close_arr();
	json_close_obj();
	json_end();
}

static int exoctl_cpu_show(void)
{
	struct exoctl_cpus *all;
	struct exo *exo;
	uint64_t mask = 0;
	unsigned int n;
	bool detail;
	int ret = 0;

	all = calloc(1, sizeof(*all));
	if (!all)
		return exoctl_err("out of memory");
	exo = exoctl_open();
	if (!exo) {
		free(all);
		return 1;
	}
	/* Any managed CPU's info names them all; find the first. */
	for (n = 0; n < EXOCTL_CPUS && !mask; n++) {
		all->cpu[n].info.argsz = sizeof(all->cpu[n].info);
		if (!exo_cpu_info(exo, n, &all->cpu[n].info))
			mask = all->cpu[n].info.cpus;
	}
	for (n = 0; n < EXOCTL_CPUS && !ret; n++) {
		if (!(mask >> n & 1))
			continue;
		all->cpu[n].info.argsz = sizeof(all->cpu[n].info);
		ret = exo_cpu_info(exo, n, &all->cpu[n].info);
	}
	exo_close(exo);
	if (!mask || ret) {
		free(all);
		return exoctl_err("cpu show: EXO_IOC_CPU_INFO: %s",
				  mask ? strerror(-ret) : "no managed CPU");
	}
	detail = exoctl_debugfs_lines("cpu", exoctl_cpu_line, all) == 0;
	if (exoctl_json)
		exoctl_cpu_json(all, mask, detail);
	else
		exoctl_cpu_text(all, mask, detail);
	free(all);
	return 0;
}

int exoctl_cpu(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "show"))
		return exoctl_cpu_show();
	exoctl_err("cpu: expected \"show\"");
	return exoctl_usage();
}
