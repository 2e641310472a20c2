// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl xn show and check: EXO_IOC_XN_INFO for the disk's totals, the
 * EXO_CMD_GET_XN dump for the catalogues' entries, EXO_IOC_XN_CHECK.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "exoctl.h"

struct exoctl_xn_entry {
	uint32_t kind, id, uid, owns_len, acl_len, type;
	uint64_t block;
	char name[EXO_XN_NAME_MAX];
};

struct exoctl_xn_catalogue {
	struct exoctl_xn_entry *e;
	size_t n, room;
};

static uint32_t exoctl_attr_u32(struct nlattr **attrs, int attr)
{
	return attrs[attr] && nla_len(attrs[attr]) >= 4 ?
	       nla_get_u32(attrs[attr]) : 0;
}

static int exoctl_on_xn(struct nlattr **attrs, void *arg)
{
	struct exoctl_xn_catalogue *cat = arg;
	struct exoctl_xn_entry *e;

	if (!attrs[EXO_ATTR_XN_KIND] || !attrs[EXO_ATTR_XN_ID])
		return 0;
	if (cat->n == cat->room) {
		struct exoctl_xn_entry *grown;

		cat->room = cat->room ? cat->room * 2 : 16;
		grown = realloc(cat->e, cat->room * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		cat->e = grown;
	}
	e = &cat->e[cat->n++];
	memset(e, 0, sizeof(*e));
	e->kind = exoctl_attr_u32(attrs, EXO_ATTR_XN_KIND);
	e->id = exoctl_attr_u32(attrs, EXO_ATTR_XN_ID);
	e->uid = exoctl_attr_u32(attrs, EXO_ATTR_XN_OWNER_UID);
	e->owns_len = exoctl_attr_u32(attrs, EXO_ATTR_XN_OWNS_LEN);
	e->acl_len = exoctl_attr_u32(attrs, EXO_ATTR_XN_ACL_LEN);
	e->type = exoctl_attr_u32(attrs, EXO_ATTR_XN_TYPE);
	if (attrs[EXO_ATTR_XN_BLOCK] && nla_len(attrs[EXO_ATTR_XN_BLOCK]) >= 8)
		e->block = nla_get_u64(attrs[EXO_ATTR_XN_BLOCK]);
	if (attrs[EXO_ATTR_XN_NAME])
		nla_strlcpy(e->name, attrs[EXO_ATTR_XN_NAME], sizeof(e->name));
	return 0;
}

static void exoctl_xn_entries_json(const struct exoctl_xn_catalogue *cat,
				   uint32_t kind, const char *key)
{
	size_t i;

	json_open_arr(key);
	for (i = 0; i < cat->n; i++) {
		const struct exoctl_xn_entry *e = &cat->e[i];

		if (e->kind != kind)
			continue;
		json_open_obj(NULL);
		json_u64(kind == EXO_XN_KIND_TYPE ? "id" : "slot", e->id);
		json_str("name", e->name);
		json_u64("uid", e->uid);
		if (kind == EXO_XN_KIND_TYPE) {
			json_u64("owns_len", e->owns_len);
			json_u64("acl_len", e->acl_len);
		} else {
			json_u64("type", e->type);
			json_u64("block", e->block);
		}
		json_close_obj();
	}
	json_close_arr();
}

static void exoctl_xn_entries_text(const struct exoctl_xn_catalogue *cat)
{
	size_t i;

	for (i = 0; i < cat->n; i++) {
		const struct exoctl_xn_entry *e = &cat->e[i];

		if (e->kind == EXO_XN_KIND_TYPE)
			printf("\ttype %u \"%s\" uid %u owns %u acl %u\n", e->id,
			       e->name, e->uid, e->owns_len, e->acl_len);
		else if (e->kind == EXO_XN_KIND_ROOT)
			printf("\troot %u \"%s\" uid %u type %u block %llu\n",
			       e->id, e->name, e->uid, e->type,
			       (unsigned long long)e->block);
	}
}

static int exoctl_xn_show(void)
{
	struct exo_xn_info xi = { .argsz = sizeof(xi) };
	struct exoctl_xn_catalogue cat = { 0 };
	struct exo *exo;
	bool listed;
	int ret;

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_xn_info(exo, &xi);
	exo_close(exo);
	if (ret)
		return exoctl_err("xn show: EXO_IOC_XN_INFO: %s", strerror(-ret));
	/* An older exo.ko has no GET_XN: its catalogues are counts only. */
	ret = exoctl_genl_dump(EXO_CMD_GET_XN, exoctl_on_xn, &cat);
	if (ret && ret != -EOPNOTSUPP) {
		free(cat.e);
		if (ret == -EPERM)
			return exoctl_err("xn show: catalogue dump: permission denied (needs CAP_NET_ADMIN)");
		return exoctl_err("xn show: catalogue dump: %s", strerror(-ret));
	}
	listed = !ret;
	if (exoctl_json) {
		json_open_obj(NULL);
		json_u64("blocks", xi.nblocks);
		json_u64("data_start", xi.data_start);
		json_u64("free", xi.free_blocks);
		json_u64("types", xi.types);
		json_u64("roots", xi.roots);
		json_u64("cached", xi.cached);
		json_u64("dirty", xi.dirty);
		json_bool("detail", listed);
		if (listed) {
			exoctl_xn_entries_json(&cat, EXO_XN_KIND_TYPE, "type_list");
			exoctl_xn_entries_json(&cat, EXO_XN_KIND_ROOT, "root_list");
		}
		json_close_obj();
		json_end();
		free(cat.e);
		return 0;
	}
	printf("disk: blocks %llu data_start %llu free %llu\n",
	       (unsigned long long)xi.nblocks,
	       (unsigned long long)xi.data_start,
	       (unsigned long long)xi.free_blocks);
	printf("cache: cached %u dirty %u\n", xi.cached, xi.dirty);
	printf("catalogues: types %u roots %u\n", xi.types, xi.roots);
	if (listed)
		exoctl_xn_entries_text(&cat);
	else
		printf("(entries: this exo.ko cannot list them)\n");
	free(cat.e);
	return 0;
}

static int exoctl_xn_check(void)
{
	struct exo_xn_sync report = { .argsz = sizeof(report) };
	struct exo *exo;
	uint64_t problems;
	int ret;

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_xn_check(exo, &report);
	exo_close(exo);
	if (ret == -EPERM)
		return exoctl_err("xn check: permission denied (needs CAP_SYS_ADMIN)");
	if (ret)
		return exoctl_err("xn check: %s", strerror(-ret));
	problems = report.owned_twice + report.free_pointed +
		   report.unreachable + report.faulted;
	if (exoctl_json) {
		json_open_obj(NULL);
		json_bool("clean", !problems);
		json_u64("reachable", report.written);
		json_u64("owned_twice", report.owned_twice);
		json_u64("free_pointed", report.free_pointed);
		json_u64("unreachable", report.unreachable);
		json_u64("faulted", report.faulted);
		json_close_obj();
		json_end();
	} else {
		printf("reachable %llu owned_twice %llu free_pointed %llu unreachable %llu faulted %llu\n",
		       (unsigned long long)report.written,
		       (unsigned long long)report.owned_twice,
		       (unsigned long long)report.free_pointed,
		       (unsigned long long)report.unreachable,
		       (unsigned long long)report.faulted);
		printf("%s\n", problems ? "inconsistent" : "clean");
	}
	/* As fsck: a disk with problems is a failure a script can test. */
	return problems ? 1 : 0;
}

int exoctl_xn(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "show"))
		return exoctl_xn_show();
	if (argc == 1 && !strcmp(argv[0], "check"))
		return exoctl_xn_check();
	exoctl_err("xn: expected \"show\" or \"check\"");
	return exoctl_usage();
}
