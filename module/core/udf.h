/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XN's UDFs: the verifier and the interpreter of the bytecode described in
 * uapi/linux/exo.h (struct exo_udf_insn), and the owns-set arithmetic the
 * allocation protocol needs. Pure functions of their arguments: no locks,
 * no allocation, no clock.
 */
#ifndef EXO_CORE_UDF_H
#define EXO_CORE_UDF_H

#include "core.h"
#include "../../uapi/linux/exo.h"

/* One block claimed by an owns UDF. */
struct exo_udf_owned {
	u64 block;
	u32 type;
	u32 pad;
};

/* What a run reads and what it produces. */
struct exo_udf_ctx {
	const u8 *block;		/* EXO_UDF_BLOCK_SIZE bytes */
	u64 in[EXO_UDF_NINPUTS];	/* EXO_UDF_IN_* */
	struct exo_udf_owned *owned;	/* owns: room for EXO_UDF_MAX_OWNED */
	u32 nowned;			/* out: entries filled */
	u32 steps;			/* out: instructions executed */
	u64 result;			/* out: the returned value */
};

/*
 * Check @prog of @len instructions for @kind (EXO_UDF_OWNS or _ACL).
 * Returns 0, or -EINVAL and the index of the first bad instruction in
 * *@bad_pc (or @len for a whole-program fault) if @bad_pc is not NULL.
 */
int exo_udf_verify(const struct exo_udf_insn *prog, u32 len, u32 kind,
		   u32 *bad_pc);

/*
 * Run a verified program. Returns 0, -EFAULT for a load outside the
 * block, -E2BIG for more than EXO_UDF_MAX_OWNED blocks emitted, or
 * -ELOOP if the step bound is passed (the verifier makes that impossible).
 */
int exo_udf_run(const struct exo_udf_insn *prog, u32 len,
		struct exo_udf_ctx *ctx);

/* Sort an owns set by block, then type, so that sets compare by order. */
void exo_udf_owned_sort(struct exo_udf_owned *set, u32 n);

/*
 * With both sets sorted: true if @big is @small plus exactly one @extra
 * (as multisets), or, with @extra NULL, if they are equal.
 */
bool exo_udf_owned_plus(const struct exo_udf_owned *small, u32 nsmall,
			const struct exo_udf_owned *big, u32 nbig,
			const struct exo_udf_owned *extra);

/* How often @block appears in a sorted set, with its type in *@type. */
u32 exo_udf_owned_count(const struct exo_udf_owned *set, u32 n, u64 block,
			u32 *type);

#endif /* EXO_CORE_UDF_H */
