// SPDX-License-Identifier: GPL-2.0
/*
 * XN's crash test (scripts/check.sh, scripts/guest/crash.sh), with exo.ko
 * loaded on a real disk:
 *
 *   xn_crash setup   installs the test's type and root, and syncs.
 *   xn_crash storm [steps]
 *                    sets up if need be, then allocates, writes, frees and
 *                    syncs data blocks, for ever or for <steps> steps; every
 *                    data block it writes starts with its own block number,
 *                    and every call's result is checked (a failed call ends
 *                    it with status 1). The crash boot powers the guest off
 *                    under it (sysrq o); the replay boot logs its writes
 *                    (xn_log) and runs it for a bounded number of steps.
 *   xn_crash verify  after the reboot, or on each replayed image: the type
 *                    and the root are still there (persistence across a VM
 *                    reboot), XN_CHECK finds no block owned twice, no
 *                    pointer to a free block and no owns fault, and every
 *                    data block the root points to was written (starts
 *                    with its own number): no on-disk pointer to an
 *                    uninitialised block.
 *
 * verify prints kselftest TAP and a "# Totals:" line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/exo.h>

#define ENTRIES		16
#define ENTRY(i)	(8 * (i))

/* owns: 16 u64 pointers to data blocks at the start of the block. */
static int crash_owns(struct exo_udf_builder *b)
{
	int next;

	exo_udf_init(b);
	next = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_ldi(b, 2, EXO_XN_TYPE_DATA);
	exo_udf_loop(b, 5, -1, ENTRIES);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 3);
	exo_udf_load(b, 8, 4, 6, 0);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

/* The type and root of the test, installed if they are not there yet. */
static int setup(struct exo *exo, __u32 *type, __u64 *root)
{
	struct exo_udf_builder o, a;
	__u32 t2;
	int no, na;

	if (!exo_xn_type_lookup(exo, "crash node", NULL, type) &&
	    !exo_xn_root_lookup(exo, "crash", &t2, root) && t2 == *type)
		return 0;
	*root = 0;	/* any block */
	no = crash_owns(&o);
	exo_udf_init(&a);
	exo_udf_ret(&a, 1);
	na = exo_udf_finish(&a);
	if (exo_xn_type_install(exo, "crash node", o.insns, no, a.insns, na,
				type)) {
		perror("xn_crash: setup: type install");
		return 1;
	}
	if (exo_xn_root_install(exo, "crash", *type, root)) {
		perror("xn_crash: setup: root install");
		return 1;
	}
	if (exo_xn_sync(exo, NULL)) {
		perror("xn_crash: setup: sync");
		return 1;
	}
	return 0;
}

#define STORM_FAIL(what, blk) do {					\
	fprintf(stderr, "xn_crash: storm: %s of block %llu (step %llu): %s\n", \
		what, (unsigned long long)(blk),			\
		(unsigned long long)n, strerror(errno));		\
	return 1;							\
} while (0)

/*
 * Allocate, write, free and sync; every call's result is checked. @steps
 * bounds it (0: for ever, until the guest goes down under it).
 */
static int storm(struct exo *exo, __u64 steps)
{
	__u64 slot[ENTRIES] = { 0 }, root = 0, n = 0, zero = 0, b, nblocks;
	struct exo_xn_info info;
	struct exo_xn_mod m;
	__u32 type;
	int i;

	memset(&info, 0, sizeof(info));
	if (setup(exo, &type, &root) ||
	    exo_xn_read(exo, root, EXO_XN_NO_PARENT, type, NULL) ||
	    exo_xn_info(exo, &info)) {
		perror("xn_crash: storm setup");
		return 1;
	}
	nblocks = info.nblocks;
	m.len = 8;
	for (; !steps || n < steps; n++) {
		i = n % ENTRIES;
		m.offset = ENTRY(i);
		if (slot[i]) {
			m.data = (__u64)(unsigned long)&zero;
			if (exo_xn_free(exo, root, slot[i], EXO_XN_TYPE_DATA,
					&m, 1))
				STORM_FAIL("free", slot[i]);
			slot[i] = 0;
		}
		memset(&info, 0, sizeof(info));
		info.hint = (n * 7919) % nblocks;
		if (exo_xn_info(exo, &info))
			STORM_FAIL("info", info.hint);
		/* hint 0: no free block from there on; skip a step. */
		b = info.hint;
		m.data = (__u64)(unsigned long)&b;
		if (b) {
			if (exo_xn_alloc(exo, root, b, EXO_XN_TYPE_DATA, &m, 1))
				STORM_FAIL("alloc", b);
			slot[i] = b;
			if (exo_xn_write(exo, b, 0, &b, sizeof(b)) ||
			    exo_xn_write(exo, b, 8, "crash-storm", 12))
				STORM_FAIL("write", b);
			if (exo_xn_release(exo, b))
				STORM_FAIL("release", b);
		}
		if (n % 7 == 3 && exo_xn_sync(exo, NULL))
			STORM_FAIL("sync", 0);
		if (n == 50) {
			printf("EXO-CRASH-STORM running\n");
			fflush(stdout);
		}
	}
	if (exo_xn_sync(exo, NULL))
		STORM_FAIL("final sync", 0);
	printf("EXO-CRASH-STORM done: %llu steps\n", (unsigned long long)n);
	return 0;
}

static int tap_n, tap_fail;

static void tap(int ok, const char *name)
{
	printf("%sok %d xn.%s\n", ok ? "" : "not ", ++tap_n, name);
	if (!ok)
		tap_fail++;
}

static int verify(struct exo *exo)
{
	__u64 root = 0, b, bad = 0, seen = 0;
	struct exo_xn_sync r;
	const unsigned char *dir, *p;
	__u32 type = 0, t2 = 0;
	int i;

	printf("TAP version 13\n1..4\n");
	tap(!exo_xn_type_lookup(exo, "crash node", NULL, &type) &&
	    !exo_xn_root_lookup(exo, "crash", &t2, &root) && type == t2,
	    "crash_type_and_root_survive_reboot");
	tap(!exo_xn_check(exo, &r) && !r.owned_twice && !r.free_pointed &&
	    !r.faulted, "crash_check_no_double_owner_no_free_pointer");
	printf("# check: reachable %llu owned_twice %llu free_pointed %llu unreachable %llu faulted %llu\n",
	       (unsigned long long)r.written,
	       (unsigned long long)r.owned_twice,
	       (unsigned long long)r.free_pointed,
	       (unsigned long long)r.unreachable,
	       (unsigned long long)r.faulted);
	dir = NULL;
	if (!exo_xn_read(exo, root, EXO_XN_NO_PARENT, type, NULL))
		dir = exo_xn_map(exo, root, 0);
	tap(dir != NULL, "crash_root_readable");
	for (i = 0; dir && i < ENTRIES; i++) {
		memcpy(&b, dir + ENTRY(i), sizeof(b));
		if (!b)
			continue;
		seen++;
		p = NULL;
		if (!exo_xn_read(exo, b, root, EXO_XN_TYPE_DATA, NULL))
			p = exo_xn_map(exo, b, 0);
		if (!p || memcmp(p, &b, sizeof(b)) ||
		    memcmp(p + 8, "crash-storm", 12))
			bad++;
	}
	printf("# %llu data blocks pointed to, %llu not initialised\n",
	       (unsigned long long)seen, (unsigned long long)bad);
	tap(dir && !bad, "crash_no_pointer_to_uninitialised_block");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct exo *exo = exo_open(NULL);

	__u64 root;
	__u32 type;

	if (!exo || argc < 2 || argc > 3) {
		fprintf(stderr, "usage: xn_crash setup|storm [steps]|verify (exo.ko loaded)\n");
		return 2;
	}
	if (!strcmp(argv[1], "setup"))
		return setup(exo, &type, &root);
	if (!strcmp(argv[1], "storm"))
		return storm(exo, argc == 3 ? strtoull(argv[2], NULL, 0) : 0);
	if (!strcmp(argv[1], "verify"))
		return verify(exo);
	return 2;
}
