// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl cpu show: the slot vector of each managed CPU. Geometry and free
 * counts come from EXO_IOC_CPU_INFO; who holds which slot, and which
 * threads are bound, from the EXO_CMD_GET_CPU dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

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

static uint64_t exoctl_nla_num(struct nlattr **attrs, int attr)
{
	if (!attrs[attr])
		return 0;
	return nla_len(attrs[attr]) >= 8 ? nla_get_u64(attrs[attr]) :
	       nla_len(attrs[attr]) >= 4 ? nla_get_u32(attrs[attr]) : 0;
}

static int exoctl_on_cpu(struct nlattr **attrs, void *arg)
{
	struct exoctl_cpus *all = arg;
	uint64_t cpu = exoctl_nla_num(attrs, EXO_ATTR_CPU_ID);
	uint64_t slot = exoctl_nla_num(attrs, EXO_ATTR_CPU_SLOT);
	struct exoctl_cpu *c;

	if (!attrs[EXO_ATTR_CPU_ID] || cpu >= EXOCTL_CPUS)
		return 0;
	c = &all->cpu[cpu];
	if (attrs[EXO_ATTR_CPU_TID]) {			/* a bound thread */
		if (c->nbound < 8) {
			c->bound_env[c->nbound] = exoctl_nla_num(attrs, EXO_ATTR_ENV_ID);
			c->bound_tid[c->nbound] = exoctl_nla_num(attrs, EXO_ATTR_CPU_TID);
			c->nbound++;
		}
	} else if (attrs[EXO_ATTR_CPU_SLOT]) {		/* a booked slot */
		if (slot < EXO_CPU_SLOTS_MAX) {
			c->owner[slot] = exoctl_nla_num(attrs, EXO_ATTR_ENV_ID);
			c->excess[slot] = exoctl_nla_num(attrs, EXO_ATTR_CPU_EXCESS);
		}
	} else {					/* the vector */
		c->now_slot = exoctl_nla_num(attrs, EXO_ATTR_CPU_NOW_SLOT);
		c->runner = exoctl_nla_num(attrs, EXO_ATTR_CPU_RUNNER);
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
		printf("(slot owners: this exo.ko has no EXO_CMD_GET_CPU)\n");
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
	ret = exoctl_show_dump("cpu show: slot dump", EXO_CMD_GET_CPU,
			       exoctl_on_cpu, all);
	if (ret < 0) {
		free(all);
		return 1;
	}
	detail = ret;
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
