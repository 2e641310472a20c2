/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ASH: the verifier and the interpreter of the in-kernel packet handler
 * bytecode described in uapi/linux/exo.h (struct exo_ash_insn). Pure
 * functions of their arguments: no locks, no allocation, no clock.
 */
#ifndef EXO_CORE_ASH_H
#define EXO_CORE_ASH_H

#include "core.h"
#include "../../uapi/linux/exo.h"

/* What a run reads and what it produces. */
struct exo_ash_ctx {
	const u8 *frame;	/* the received frame, read only */
	u32 flen;		/* its bytes */
	u8 *tx;			/* EXO_ASH_TX_MAX bytes of scratch */
	u32 txlen;		/* out: bytes of the reply filled */
	u32 steps;		/* out: instructions executed */
};

/*
 * Check @prog of @len instructions. Returns 0, or -EINVAL and the index
 * of the first bad instruction in *@bad_pc (@len for a whole-program
 * fault) if @bad_pc is not NULL.
 */
int exo_ash_verify(const struct exo_ash_insn *prog, u32 len, u32 *bad_pc);

/*
 * Run a verified program on @ctx. Returns its verdict (EXO_ASH_DELIVER,
 * _DROP or _REPLIED), -EFAULT for a read past the frame or a write past
 * what the reply holds, or -ELOOP past @len steps (the verifier makes
 * that impossible).
 */
int exo_ash_run(const struct exo_ash_insn *prog, u32 len,
		struct exo_ash_ctx *ctx);

#endif /* EXO_CORE_ASH_H */
