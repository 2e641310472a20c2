// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/udf.c. The input is a kind, a program
 * and a block. The verifier must never crash on any program; one it accepts
 * must then run to a return (or a defined fault: a register load outside
 * the block, too many blocks emitted) within EXO_UDF_MAX_STEPS, give the
 * same answer twice, and emit no more than EXO_UDF_MAX_OWNED blocks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/udf.h"

static struct exo_udf_owned owned[EXO_UDF_MAX_OWNED];
static struct exo_udf_owned owned2[EXO_UDF_MAX_OWNED];

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_udf: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exo_udf_insn prog[EXO_UDF_MAX_INSNS + 1];
	static uint8_t block[EXO_UDF_BLOCK_SIZE];
	struct exo_udf_ctx a, b;
	uint32_t kind, len, i, bad_pc = ~0U;
	int ra, rb;

	if (size < 1)
		return 0;
	kind = (data[0] & 1) ? EXO_UDF_OWNS : EXO_UDF_ACL;
	data++;
	size--;
	len = size / sizeof(prog[0]);
	if (len > EXO_UDF_MAX_INSNS + 1)
		len = EXO_UDF_MAX_INSNS + 1;
	memcpy(prog, data, len * sizeof(prog[0]));
	data += len * sizeof(prog[0]);
	size -= len * sizeof(prog[0]);

	if (exo_udf_verify(prog, len, kind, &bad_pc)) {
		if (bad_pc > len)
			fail("rejection names no instruction");
		return 0;
	}
	if (len > EXO_UDF_MAX_INSNS)
		fail("accepted an over-long program");

	memset(block, 0, sizeof(block));
	for (i = 0; i < size && i < sizeof(block); i++)
		block[i] = data[i];
	memset(&a, 0, sizeof(a));
	a.block = block;
	for (i = 0; i < EXO_UDF_NINPUTS; i++)
		a.in[i] = 0x1000u * i + len;
	b = a;
	a.owned = owned;
	b.owned = owned2;
	ra = exo_udf_run(prog, len, &a);
	rb = exo_udf_run(prog, len, &b);
	if (ra != 0 && ra != -EFAULT && ra != -E2BIG)
		fail("accepted program ended without a return");
	if (a.steps > EXO_UDF_MAX_STEPS)
		fail("ran past the static bound");
	if (a.nowned > EXO_UDF_MAX_OWNED)
		fail("emitted past the limit");
	if (kind == EXO_UDF_ACL && a.nowned)
		fail("acl UDF emitted");
	if (ra != rb || a.result != b.result || a.steps != b.steps ||
	    a.nowned != b.nowned ||
	    memcmp(owned, owned2, a.nowned * sizeof(owned[0])))
		fail("two runs differ");
	return 0;
}
