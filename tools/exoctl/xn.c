// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl xn show and check: EXO_IOC_XN_INFO and EXO_IOC_XN_CHECK. The
 * catalogues are shown as counts: no interface lists their entries yet.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "exoctl.h"

static int exoctl_xn_show(void)
{
	struct exo_xn_info xi = { .argsz = sizeof(xi) };
	struct exo *exo;
	int ret;

	exo = exoctl_open();
	if (!exo)
		return 1;
	ret = exo_xn_info(exo, &xi);
	exo_close(exo);
	if (ret)
		return exoctl_err("xn show: EXO_IOC_XN_INFO: %s", strerror(-ret));
	if (exoctl_json) {
		json_open_obj(NULL);
		json_u64("blocks", xi.nblocks);
		json_u64("data_start", xi.data_start);
		json_u64("free", xi.free_blocks);
		json_u64("types", xi.types);
		json_u64("roots", xi.roots);
		json_u64("cached", xi.cached);
		json_u64("dirty", xi.dirty);
		json_close_obj();
		json_end();
		return 0;
	}
	printf("disk: blocks %llu data_start %llu free %llu\n",
	       (unsigned long long)xi.nblocks,
	       (unsigned long long)xi.data_start,
	       (unsigned long long)xi.free_blocks);
	printf("catalogues: types %u roots %u\n", xi.types, xi.roots);
	printf("cache: cached %u dirty %u\n", xi.cached, xi.dirty);
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
