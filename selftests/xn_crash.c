// SPDX-License-Identifier: GPL-2.0
/*
 * XN's crash test, in two boots on the same disk image (scripts/check.sh,
 * scripts/guest/crash.sh), with exo.ko loaded with disk=/dev/vda:
 *
 *   xn_crash storm   installs a type and a root, then allocates, writes,
 *                    frees and syncs data blocks forever; every data block
 *                    it writes starts with its own block number. The guest
 *                    is powered off under it (sysrq o).
 *   xn_crash verify  after the reboot: the type and the root are still
 *                    there (persistence across a VM reboot), XN_CHECK finds
 *                    no block owned twice, no pointer to a free block and no
 *                    owns fault, and every data block the root points to
 *                    was written (starts with its own number): no on-disk
 *                    pointer to an uninitialised block.
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

static int storm(struct exo *exo)
{
	struct exo_udf_builder o, a;
	__u64 slot[ENTRIES] = { 0 }, root = 0, n = 0, zero = 0, b;
	struct exo_xn_info info;
	struct exo_xn_mod m;
	__u32 type;
	int no = crash_owns(&o), na, i;

	exo_udf_init(&a);
	exo_udf_ret(&a, 1);
	na = exo_udf_finish(&a);
	if (exo_xn_type_install(exo, "crash node", o.insns, no, a.insns, na,
				&type) ||
	    exo_xn_root_install(exo, "crash", type, &root) ||
	    exo_xn_read(exo, root, EXO_XN_NO_PARENT, type, NULL)) {
		perror("xn_crash: setup");
		return 1;
	}
	m.len = 8;
	for (;;) {
		i = n % ENTRIES;
		m.offset = ENTRY(i);
		if (slot[i]) {
			m.data = (__u64)(unsigned long)&zero;
			if (!exo_xn_free(exo, root, slot[i], EXO_XN_TYPE_DATA,
					 &m, 1))
				slot[i] = 0;
		}
		memset(&info, 0, sizeof(info));
		info.hint = (n * 7919) % 4096;
		if (exo_xn_info(exo, &info) || !info.hint)
			info.hint = 0;
		b = info.hint;
		m.data = (__u64)(unsigned long)&b;
		if (b && !slot[i] &&
		    !exo_xn_alloc(exo, root, b, EXO_XN_TYPE_DATA, &m, 1)) {
			slot[i] = b;
			exo_xn_write(exo, b, 0, &b, sizeof(b));
			exo_xn_write(exo, b, 8, "crash-storm", 12);
			exo_xn_release(exo, b);
		}
		if (n % 7 == 3)
			exo_xn_sync(exo, NULL);
		if (n == 50) {
			printf("EXO-CRASH-STORM running\n");
			fflush(stdout);
		}
		n++;
	}
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

	if (!exo || argc != 2) {
		fprintf(stderr, "usage: xn_crash storm|verify (exo.ko loaded)\n");
		return 2;
	}
	if (!strcmp(argv[1], "storm"))
		return storm(exo);
	if (!strcmp(argv[1], "verify"))
		return verify(exo);
	return 2;
}
