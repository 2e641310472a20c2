// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl mem show and revoke mem. The pool's totals come from
 * EXO_IOC_MEM_INFO, its map (clean frames per colour, who holds which
 * frame) from the EXO_CMD_GET_MEM dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>

#include "exoctl.h"

struct exoctl_frame {
	uint64_t index, colour, node, env, mappings;
};

struct exoctl_pool {
	uint64_t *clean;	/* per colour */
	uint64_t ncolours;
	struct exoctl_frame *frames;	/* held frames */
	size_t nframes, room;
};

static uint32_t exoctl_nla_u32(struct nlattr **attrs, int attr)
{
	return attrs[attr] && nla_len(attrs[attr]) >= 4 ?
	       nla_get_u32(attrs[attr]) : 0;
}

static int exoctl_on_pool(struct nlattr **attrs, void *arg)
{
	struct exoctl_pool *pool = arg;
	struct exoctl_frame fr;
	uint64_t colour = exoctl_nla_u32(attrs, EXO_ATTR_MEM_COLOUR);

	if (!attrs[EXO_ATTR_MEM_COLOUR])
		return 0;
	if (!attrs[EXO_ATTR_MEM_FRAME]) {	/* a colour's message */
		if (colour < pool->ncolours)
			pool->clean[colour] = exoctl_nla_u32(attrs, EXO_ATTR_MEM_CLEAN);
		return 0;
	}
	fr.index = exoctl_nla_u32(attrs, EXO_ATTR_MEM_FRAME);
	fr.colour = colour;
	fr.node = exoctl_nla_u32(attrs, EXO_ATTR_MEM_NODE);
	fr.mappings = exoctl_nla_u32(attrs, EXO_ATTR_MEM_MAPPINGS);
	fr.env = attrs[EXO_ATTR_ENV_ID] && nla_len(attrs[EXO_ATTR_ENV_ID]) >= 8 ?
		 nla_get_u64(attrs[EXO_ATTR_ENV_ID]) : 0;
	if (pool->nframes == pool->room) {
		struct exoctl_frame *grown;

		pool->room = pool->room ? pool->room * 2 : 64;
		grown = realloc(pool->frames, pool->room * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		pool->frames = grown;
	}
	pool->frames[pool->nframes++] = fr;
	return 0;
}

/* By colour, then owner, then index: the order the map is printed in. */
static int exoctl_frame_cmp(const void *a, const void *b)
{
	const struct exoctl_frame *x = a, *y = b;

	if (x->colour != y->colour)
		return x->colour < y->colour ? -1 : 1;
	if (x->env != y->env)
		return x->env < y->env ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void exoctl_mem_text(const struct exo_mem_info *mi,
			    const struct exoctl_pool *pool, bool detail)
{
	size_t i = 0, j;
	uint64_t c;

	printf("pool: frames %u free %u colours %u reserve %u quota %u\n",
	       mi->pool_frames, mi->free_frames, mi->colours,
	       mi->reserve_frames, mi->quota_frames);
	if (!detail) {
		printf("(per-frame map: this exo.ko has no EXO_CMD_GET_MEM)\n");
		return;
	}
	for (c = 0; c < pool->ncolours; c++) {
		size_t held = 0;

		for (j = i; j < pool->nframes && pool->frames[j].colour == c; j++)
			held++;
		printf("colour %" PRIu64 ": clean %" PRIu64 " held %zu\n", c,
		       pool->clean[c], held);
		while (i < j) {
			uint64_t env = pool->frames[i].env;

			printf("\tenv %" PRIu64 ":", env);
			for (; i < j && pool->frames[i].env == env; i++)
				printf(" %" PRIu64 "%s", pool->frames[i].index,
				       pool->frames[i].mappings ? "*" : "");
			putchar('\n');
		}
	}
	printf("(* mapped)\n");
}

static void exoctl_mem_json(const struct exo_mem_info *mi,
			    const struct exoctl_pool *pool, bool detail)
{
	size_t i = 0;
	uint64_t c;

	json_open_obj(NULL);
	json_u64("frames", mi->pool_frames);
	json_u64("free", mi->free_frames);
	json_u64("colours", mi->colours);
	json_u64("reserve", mi->reserve_frames);
	json_u64("quota", mi->quota_frames);
	json_bool("detail", detail);
	if (detail) {
		json_open_arr("by_colour");
		for (c = 0; c < pool->ncolours; c++) {
			json_open_obj(NULL);
			json_u64("colour", c);
			json_u64("clean", pool->clean[c]);
			json_open_arr("held");
			for (; i < pool->nframes && pool->frames[i].colour == c; i++) {
				json_open_obj(NULL);
				json_u64("frame", pool->frames[i].index);
				json_u64("env", pool->frames[i].env);
				json_u64("node", pool->frames[i].node);
				json_u64("mappings", pool->frames[i].mappings);
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

static int exoctl_mem_show(void)
{
	struct exo_mem_info mi = { .argsz = sizeof(mi) };
	struct exoctl_pool pool = { 0 };
	struct exo *exo;
	bool detail;
	int ret;

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_mem_info(exo, &mi);
	exo_close(exo);
	if (ret)
		return exoctl_err("mem show: EXO_IOC_MEM_INFO: %s", strerror(-ret));

	pool.ncolours = mi.colours;
	pool.clean = calloc(mi.colours ? mi.colours : 1, sizeof(*pool.clean));
	if (!pool.clean)
		return exoctl_err("out of memory");
	ret = exoctl_show_dump("mem show: pool dump", EXO_CMD_GET_MEM,
			       exoctl_on_pool, &pool);
	if (ret < 0) {
		ret = 1;
		goto out;
	}
	detail = ret;
	qsort(pool.frames, pool.nframes, sizeof(*pool.frames), exoctl_frame_cmp);
	if (exoctl_json)
		exoctl_mem_json(&mi, &pool, detail);
	else
		exoctl_mem_text(&mi, &pool, detail);
	ret = 0;
out:
	free(pool.clean);
	free(pool.frames);
	return ret;
}

int exoctl_mem(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "show"))
		return exoctl_mem_show();
	exoctl_err("mem: expected \"show\"");
	return exoctl_usage();
}

/* ---- revoke mem ENV N --deadline MS ------------------------------------- */

int exoctl_revoke(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	uint64_t env, count, deadline = 0;
	bool have_deadline = false, have_object = false;
	struct exo *exo;
	__u32 asked = 0;
	int i, npos = 0, ret;

	/* "mem" first among the words; --deadline may come anywhere. */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--deadline") || !strcmp(argv[i], "-d")) {
			if (i + 1 == argc ||
			    !exoctl_parse_u64(argv[++i], 60000, &deadline) ||
			    !deadline) {
				exoctl_err("revoke: --deadline takes 1..60000 ms");
				return exoctl_usage();
			}
			have_deadline = true;
		} else if (!have_object) {
			if (strcmp(argv[i], "mem")) {
				exoctl_err("revoke: only \"mem\" can be revoked from here");
				return exoctl_usage();
			}
			have_object = true;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			exoctl_err("revoke: unexpected \"%s\"", argv[i]);
			return exoctl_usage();
		}
	}
	if (npos != 2 || !have_deadline) {
		exoctl_err("revoke: expected \"mem ENV N --deadline MS\"");
		return exoctl_usage();
	}
	if (!exoctl_parse_u64(pos[0], UINT64_MAX, &env)) {
		exoctl_err("revoke: \"%s\" is not an environment id", pos[0]);
		return exoctl_usage();
	}
	if (!exoctl_parse_u64(pos[1], UINT32_MAX, &count) || !count) {
		exoctl_err("revoke: \"%s\" is not a frame count >= 1", pos[1]);
		return exoctl_usage();
	}

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_mem_revoke(exo, env, (__u32)count, (__u32)deadline, &asked);
	exo_close(exo);
	switch (ret) {
	case 0:
		break;
	case -EPERM:
		return exoctl_err("revoke mem: permission denied (needs CAP_SYS_ADMIN)");
	case -ESRCH:
		return exoctl_err("revoke mem: no environment %" PRIu64, env);
	case -EBUSY:
		return exoctl_err("revoke mem: a revocation is already pending in environment %" PRIu64,
				  env);
	default:
		return exoctl_err("revoke mem: %s", strerror(-ret));
	}
	if (exoctl_json) {
		json_open_obj(NULL);
		json_u64("env", env);
		json_u64("requested", count);
		json_u64("asked", asked);
		json_u64("deadline_ms", deadline);
		json_close_obj();
		json_end();
	} else if (asked) {
		printf("env %" PRIu64 ": asked for %u frames within %" PRIu64 " ms\n",
		       env, asked, deadline);
	} else {
		printf("env %" PRIu64 ": nothing to ask for beyond its reserve; no request sent\n",
		       env);
	}
	return 0;
}
