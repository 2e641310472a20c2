// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/udf.c. The input is a kind, a program
 * length, the five inputs (self, uid, gid, block, access), a program and a
 * block. The verifier must never crash on any program; one it accepts must
 * then run to a return (or a defined fault: a register load outside the
 * block, too many blocks emitted) within its own static bound (one step
 * per instruction, a loop body's times its count), give the same answer
 * twice, emit no more than EXO_UDF_MAX_OWNED blocks, and not depend on an
 * input it never loads.
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

/* Steps a verified program can take: a loop body runs at most imm times. */
static uint32_t static_bound(const struct exo_udf_insn *prog, uint32_t len)
{
	uint32_t pc, bound = 0, times = 1;

	for (pc = 0; pc < len; pc++) {
		bound += times;
		if (prog[pc].code == EXO_UDF_LOOP || prog[pc].code == EXO_UDF_LOOP_X)
			times = (uint32_t)prog[pc].imm;
		else if (prog[pc].code == EXO_UDF_ENDLOOP)
			times = 1;
	}
	return bound;
}

/* The inputs LDIN names anywhere in @prog, as a mask. */
static uint32_t inputs_loaded(const struct exo_udf_insn *prog, uint32_t len)
{
	uint32_t pc, mask = 0;

	for (pc = 0; pc < len; pc++)
		if (prog[pc].code == EXO_UDF_LDIN)
			mask |= 1u << prog[pc].imm;
	return mask;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exo_udf_insn prog[EXO_UDF_MAX_INSNS + 1];
	static uint8_t block[EXO_UDF_BLOCK_SIZE];
	struct exo_udf_ctx a, b;
	uint32_t kind, len, i, loaded, bad_pc = ~0U;
	int ra, rb;

	if (size < 2)
		return 0;
	kind = (data[0] & 1) ? EXO_UDF_OWNS : EXO_UDF_ACL;
	len = 1 + data[1] % (EXO_UDF_MAX_INSNS + 1);
	data += 2;
	size -= 2;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < EXO_UDF_NINPUTS && size >= 8; i++) {
		memcpy(&a.in[i], data, 8);
		data += 8;
		size -= 8;
	}
	if (len > size / sizeof(prog[0]))
		len = size / sizeof(prog[0]);
	if (!len)
		return 0;
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
	a.block = block;
	b = a;
	a.owned = owned;
	b.owned = owned2;
	ra = exo_udf_run(prog, len, &a);
	rb = exo_udf_run(prog, len, &b);
	if (ra != 0 && ra != -EFAULT && ra != -E2BIG)
		fail("accepted program ended without a return");
	if (a.steps > static_bound(prog, len))
		fail("ran past its own static bound");
	if (a.nowned > EXO_UDF_MAX_OWNED)
		fail("emitted past the limit");
	if (kind == EXO_UDF_ACL && a.nowned)
		fail("acl UDF emitted");
	if (ra != rb || a.result != b.result || a.steps != b.steps ||
	    a.nowned != b.nowned ||
	    memcmp(owned, owned2, a.nowned * sizeof(owned[0])))
		fail("two runs differ");
	/* Inputs it never loads cannot change what it does. */
	b.owned = owned2;
	loaded = inputs_loaded(prog, len);
	for (i = 0; i < EXO_UDF_NINPUTS; i++)
		if (!(loaded >> i & 1))
			b.in[i] = ~a.in[i] ^ (0x9e3779b97f4a7c15ull * (i + 1));
	rb = exo_udf_run(prog, len, &b);
	if (ra != rb || a.result != b.result || a.steps != b.steps ||
	    a.nowned != b.nowned ||
	    memcmp(owned, owned2, a.nowned * sizeof(owned[0])))
		fail("an input it never loads changed the run");
	return 0;
}
