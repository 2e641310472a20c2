// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl net show: packet filters and ring counters. The limits come from
 * EXO_IOC_NET_INFO; every environment's filters (as the kernel keeps them,
 * adjacent atoms merged) from the EXO_CMD_GET_NET dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

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
	struct exoctl_filter *filters;	/* of every environment */
	size_t n, room;
};

static uint64_t exoctl_nla_num(struct nlattr **attrs, int attr)
{
	if (!attrs[attr])
		return 0;
	return nla_len(attrs[attr]) >= 8 ? nla_get_u64(attrs[attr]) :
	       nla_len(attrs[attr]) >= 4 ? nla_get_u32(attrs[attr]) : 0;
}

static int exoctl_on_net(struct nlattr **attrs, void *arg)
{
	struct exoctl_net *net = arg;
	struct exoctl_filter *f;
	struct nlattr *atom;
	int rem;

	if (!attrs[EXO_ATTR_NET_BINDING])
		return 0;
	if (net->n == net->room) {
		struct exoctl_filter *grown;

		net->room = net->room ? net->room * 2 : 8;
		grown = realloc(net->filters, net->room * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		net->filters = grown;
	}
	f = &net->filters[net->n++];
	memset(f, 0, sizeof(*f));
	if (attrs[EXO_ATTR_NET_DEV])
		nla_strlcpy(f->dev, attrs[EXO_ATTR_NET_DEV], sizeof(f->dev));
	f->ifindex = exoctl_nla_num(attrs, EXO_ATTR_NET_IFINDEX);
	f->id = exoctl_nla_num(attrs, EXO_ATTR_NET_BINDING);
	f->env = exoctl_nla_num(attrs, EXO_ATTR_ENV_ID);
	f->slots = exoctl_nla_num(attrs, EXO_ATTR_NET_RING_SLOTS);
	f->slot_size = exoctl_nla_num(attrs, EXO_ATTR_NET_SLOT_SIZE);
	f->matched = exoctl_nla_num(attrs, EXO_ATTR_NET_MATCHED);
	f->delivered = exoctl_nla_num(attrs, EXO_ATTR_NET_DELIVERED);
	f->dropped = exoctl_nla_num(attrs, EXO_ATTR_NET_DROPPED);
	f->tx = exoctl_nla_num(attrs, EXO_ATTR_NET_TX);
	if (!attrs[EXO_ATTR_NET_FILTER])
		return 0;
	nla_for_each_nested(atom, attrs[EXO_ATTR_NET_FILTER], rem) {
		struct exo_net_atom a;

		if (nla_type(atom) != EXO_ATTR_NET_ATOM ||
		    nla_len(atom) < (int)sizeof(a) || f->natoms == EXO_NET_ATOMS_MAX)
			continue;
		memcpy(&a, nla_data(atom), sizeof(a));
		f->atoms[f->natoms].off = a.offset;
		f->atoms[f->natoms].end = a.offset + a.width;
		f->atoms[f->natoms].mask = a.mask;
		f->atoms[f->natoms].value = a.value;
		f->natoms++;
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
		printf("(filters: this exo.ko has no EXO_CMD_GET_NET)\n");
		return;
	}
	printf("bindings: %zu\n", net->n);
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
		json_u64("bindings", net->n);
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
	ret = exoctl_show_dump("net show: filter dump", EXO_CMD_GET_NET,
			       exoctl_on_net, &net);
	if (ret < 0) {
		free(net.filters);
		return 1;
	}
	detail = ret;
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
