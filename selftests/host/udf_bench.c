// SPDX-License-Identifier: GPL-2.0
/*
 * Host-native speed of the UDF interpreter (module/core/udf.c), against
 * the same work compiled to native code: the owns function of an indirect
 * block of 1,024 u32 pointers, every one set, which is the largest owns
 * set a libFS block produces in practice. Prints ns per run and per
 * interpreted instruction, and the ratio interpreter / native. Not a test:
 * it asserts nothing about time. `make bench-host` runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <exo/exo.h>
#include "../../module/core/udf.h"

#define RUNS	2000

static struct exo_udf_owned owned[EXO_UDF_MAX_OWNED];
static unsigned char block[EXO_UDF_BLOCK_SIZE];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The same function, by hand. */
static __attribute__((noinline)) unsigned int native(const unsigned char *b,
						     struct exo_udf_owned *o)
{
	unsigned int i, n = 0;
	__u32 p;

	for (i = 0; i < 1024; i++) {
		memcpy(&p, b + 4 * i, 4);
		if (!p)
			continue;
		o[n].block = p;
		o[n].type = EXO_XN_TYPE_DATA;
		o[n].pad = 0;
		n++;
	}
	return n;
}

int main(void)
{
	struct exo_udf_builder b;
	struct exo_udf_ctx ctx = { .block = block, .owned = owned };
	double t0, interp, nat;
	unsigned int i, sink = 0;
	int next, len;

	exo_udf_init(&b);
	next = exo_udf_label(&b);
	exo_udf_ldi(&b, 1, 1);
	exo_udf_ldi(&b, 2, EXO_XN_TYPE_DATA);
	exo_udf_loop(&b, 5, -1, 1024);
	exo_udf_mov(&b, 6, 5);
	exo_udf_alu(&b, EXO_UDF_SHL_K, 6, 2);
	exo_udf_load(&b, 4, 4, 6, 0);
	exo_udf_jmp_if(&b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_emit(&b, 4, 1, 2);
	exo_udf_bind(&b, next);
	exo_udf_endloop(&b);
	exo_udf_ret(&b, 0);
	len = exo_udf_finish(&b);
	if (len < 0 || exo_udf_verify(b.insns, len, EXO_UDF_OWNS, NULL))
		return 1;
	for (i = 0; i < 1024; i++) {
		__u32 p = 5000 + i;

		memcpy(block + 4 * i, &p, 4);
	}
	t0 = now_ns();
	for (i = 0; i < RUNS; i++) {
		if (exo_udf_run(b.insns, len, &ctx))
			return 1;
		sink += ctx.nowned;
	}
	interp = (now_ns() - t0) / RUNS;
	t0 = now_ns();
	for (i = 0; i < RUNS; i++)
		sink += native(block, owned);
	nat = (now_ns() - t0) / RUNS;
	printf("udf_owns_1024: interpreter %.0f ns/run (%u insns, %.2f ns/insn), native %.0f ns/run, ratio %.1fx (sink %u)\n",
	       interp, ctx.steps, interp / ctx.steps, nat, interp / nat, sink);
	return 0;
}
