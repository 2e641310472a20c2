// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl net show: packet filters and ring counters. The limits come from
 * EXO_IOC_NET_INFO; every environment's filters (as the kernel keeps them,
 * adjacent atoms merged) only debugfs's "net" file lists today.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "exoctl.h"

struct exoctl_atom {
	unsigned int off, end;
	uint64_t mask, value;
};

struct exoctl_filter {
	char dev[32];
	uint64_t ifindex, id, env, slots, slot_size;
	uint64_t matched, delivered, dropped, tx;
	struct exoctl_atom atoms[EXO_NET_ATOMS_MAX];
	unsigned int natoms;
};

struct exoctl_net {
	struct exoctl_filter *filters;
	size_t n, room;
	char dev[32];
	uint64_t ifindex;
	uint64_t total;		/* "bindings: N", of every environment */
	bool oom;
};

static int exoctl_net_line(char *text, void *arg)
{
	struct exoctl_net *net = arg;
	struct exoctl_filter *f;
	struct exoctl_atom a;

	if (!strncmp(text, "bindings: ", 10)) {
		net->total = strtoull(text + 10, NULL, 10);
		return 0;
	}
	if (!strncmp(text, "dev ", 4)) {
		if (sscanf(text, "dev %31s", net->dev) != 1)
			net->dev[0] = '\0';
		if (!exoctl_field(text, "ifindex", &net->ifindex))
			net->ifindex = 0;
		return 0;
	}
	if (!strncmp(text, "  binding ", 10)) {
		if (net->n == net->room) {
			struct exoctl_filter *grown;

			net->room = net->room ? net->room * 2 : 8;
			grown = realloc(net->filters, net->room * sizeof(*grown));
			if (!grown) {
				net->oom = true;
				return -ENOMEM;
			}
			net->filters = grown;
		}
		f = &net->filters[net->n];
		memset(f, 0, sizeof(*f));
		snprintf(f->dev, sizeof(f->dev), "%s", net->dev);
		f->ifindex = net->ifindex;
		if (!exoctl_field(text, "binding", &f->id) ||
		    !exoctl_field(text, "env", &f->env) ||
		    !exoctl_field(text, "slots", &f->slots) ||
		    !exoctl_field(text, "slot_size", &f->slot_size) ||
		    !exoctl_field(text, "matched", &f->matched) ||
		    !exoctl_field(text, "delivered", &f->delivered) ||
		    !exoctl_field(text, "dropped", &f->dropped) ||
		    !exoctl_field(text, "tx", &f->tx))
			return 0;	/* a line we do not understand: skip it */
		net->n++;
		return 0;
	}
	/* "    [off..end) & mask == value": an atom of the last binding. */
	if (net->n && sscanf(text, " [%u..%u) & %" SCNx64 " == %" SCNx64,
			     &a.off, &a.end, &a.mask, &a.value) == 4) {
		f = &net->filters[net->n - 1];
		if (f->natoms < EXO_NET_ATOMS_MAX)
			f->atoms[f->natoms++] = a;
	}
	return 0;
}

static void exoctl_net_text(const struct exo_net_info *ni,
			    const struct exoctl_net *net, bool detail)
{
	const char *dev = NULL;
	size_t i;
	unsigned int a;

	printf("limits: bindings_max %u atoms_max %u ring_slots_max %u slot_size_max %u\n",
	       ni->bindings_max, ni->atoms_max, ni->ring_slots_max,
	       ni->slot_size_max);
	if (!detail) {
		printf("(filters: mount debugfs at /sys/kernel/debug)\n");
		return;
	}
	printf("bindings: %" PRIu64 "\n", net->total);
	for (i = 0; i < net->n; i++) {
		const struct exoctl_filter *f = &net->filters[i];

		if (!dev || strcmp(dev, f->dev)) {
			dev = f->dev;
			printf("dev %s ifindex %" PRIu64 "\n", f->dev, f->ifindex);
		}
		printf("\tbinding %" PRIu64 " env %" PRIu64 " ring %" PRIu64 "x%" PRIu64
		       " matched %" PRIu64 " delivered %" PRIu64 " dropped %" PRIu64
		       " tx %" PRIu64 "\n",
		       f->id, f->env, f->slots, f->slot_size, f->matched,
		       f->delivered, f->dropped, f->tx);
		printf("\t\tfilter");
		for (a = 0; a < f->natoms; a++)
			printf("%s [%u..%u) & %#" PRIx64 " == %#" PRIx64,
			       a ? " &&" : "", f->atoms[a].off, f->atoms[a].end,
			       f->atoms[a].mask, f->atoms[a].value);
		putchar('\n');
	}
}

static void exoctl_net_json(const struct exo_net_info *ni,
			    const struct exoctl_net *net, bool detail)
{
	size_t i;
	unsigned int a;

	json_open_obj(NULL);
	json_u64("bindings_max", ni->bindings_max);
	json_u64("atoms_max", ni->atoms_max);
	json_u64("ring_slots_max", ni->ring_slots_max);
	json_u64("slot_size_max", ni->slot_size_max);
	json_bool("detail", detail);
	if (detail) {
		json_u64("bindings", net->total);
		json_open_arr("filters");
		for (i = 0; i < net->n; i++) {
			const struct exoctl_filter *f = &net->filters[i];

			json_open_obj(NULL);
			json_str("dev", f->dev);
			json_u64("ifindex", f->ifindex);
			json_u64("binding", f->id);
			json_u64("env", f->env);
			json_u64("ring_slots", f->slots);
			json_u64("slot_size", f->slot_size);
			json_u64("matched", f->matched);
			json_u64("delivered", f->delivered);
			json_u64("dropped", f->dropped);
			json_u64("tx", f->tx);
			json_open_arr("atoms");
			for (a = 0; a < f->natoms; a++) {
				json_open_obj(NULL);
				json_u64("offset", f->atoms[a].off);
				json_u64("width", f->atoms[a].end - f->atoms[a].off);
				json_u64("mask", f->atoms[a].mask);
				json_u64("value", f->atoms[a].value);
				json_close_obj();
			}
			json_close_arr();
			json_close_obj();
		}
		json_close_arr();
	}
	json_close_obj();
	json_end();
}

static int exoctl_net_show(void)
{
	struct exo_net_info ni = { .argsz = sizeof(ni) };
	struct exoctl_net net = { 0 };
	struct exo *exo;
	bool detail;
	int ret;

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_net_info(exo, &ni);
	exo_close(exo);
	if (ret)
		return exoctl_err("net show: EXO_IOC_NET_INFO: %s", strerror(-ret));
	ret = exoctl_debugfs_lines("net", exoctl_net_line, &net);
	if (net.oom) {
		free(net.filters);
		return exoctl_err("out of memory");
	}
	detail = ret == 0;
	if (exoctl_json)
		exoctl_net_json(&ni, &net, detail);
	else
		exoctl_net_text(&ni, &net, detail);
	free(net.filters);
	return 0;
}

int exoctl_net(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "show"))
		return exoctl_net_show();
	exoctl_err("net: expected \"show\"");
	return exoctl_usage();
}
