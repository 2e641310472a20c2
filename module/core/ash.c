// SPDX-License-Identifier: GPL-2.0
/*
 * The ASH verifier and interpreter. Like the UDF verifier, each check runs
 * over the whole program before the next, in the order uapi/linux/exo.h
 * documents. Jumps only go forward, so a run takes at most @len steps;
 * frame reads are checked at run time against the frame's length, reply
 * writes against what the reply holds, so that no reply byte is stale.
 */
#include "ash.h"

static bool ash_is_ld(u8 code)
{
	return code >= EXO_ASH_LDB && code <= EXO_ASH_LDW;
}

static bool ash_is_st(u8 code)
{
	return code >= EXO_ASH_STB && code <= EXO_ASH_STW;
}

static bool ash_is_jcond(u8 code)
{
	return code >= EXO_ASH_JEQ && code <= EXO_ASH_JSET;
}

/* Bytes a load or a store moves. */
static u32 ash_size(u8 code)
{
	if (ash_is_ld(code))
		return code == EXO_ASH_LDW ? 4 : code - EXO_ASH_LDB + 1;
	return code == EXO_ASH_STW ? 4 : code - EXO_ASH_STB + 1;
}

/* Step 2: the opcode allow-table. */
static bool ash_opcode_allowed(u8 code)
{
	return ash_is_ld(code) || code == EXO_ASH_LDLEN || code == EXO_ASH_LDI ||
	       code == EXO_ASH_JA || ash_is_jcond(code) ||
	       code == EXO_ASH_COPY || code == EXO_ASH_COPYALL ||
	       ash_is_st(code) || code == EXO_ASH_SWAP ||
	       code == EXO_ASH_CSUM_IP4 || code == EXO_ASH_CSUM ||
	       code == EXO_ASH_RET;
}

/* Step 3: the fields an instruction uses are sane, the others zero. */
static bool ash_operands_ok(const struct exo_ash_insn *in)
{
	u8 code = in->code;
	bool uses_reg = ash_is_ld(code) || code == EXO_ASH_LDLEN ||
			code == EXO_ASH_LDI || ash_is_jcond(code) ||
			ash_is_st(code);

	if (in->pad || in->reg >= EXO_ASH_NREGS || (!uses_reg && in->reg))
		return false;
	if (ash_is_ld(code))
		return !in->len && !in->off2 && !in->imm &&
		       (u32)in->off + ash_size(code) <= EXO_ASH_TX_MAX;
	if (code == EXO_ASH_LDLEN || code == EXO_ASH_COPYALL)
		return !in->len && !in->off && !in->off2 && !in->imm;
	if (code == EXO_ASH_LDI)
		return !in->len && !in->off && !in->off2;
	if (code == EXO_ASH_JA)
		return !in->len && !in->off2 && !in->imm;
	if (ash_is_jcond(code))
		return !in->len && !in->off2;
	if (code == EXO_ASH_COPY)
		return !in->imm && in->len &&
		       (u32)in->off + in->len <= EXO_ASH_TX_MAX &&
		       (u32)in->off2 + in->len <= EXO_ASH_TX_MAX;
	if (ash_is_st(code))
		return !in->len && !in->off2 && !in->imm &&
		       (u32)in->off + ash_size(code) <= EXO_ASH_TX_MAX;
	if (code == EXO_ASH_SWAP) {
		u32 a = in->off, b = in->off2;

		return !in->imm && in->len && in->len <= EXO_ASH_SWAP_MAX &&
		       a + in->len <= EXO_ASH_TX_MAX &&
		       b + in->len <= EXO_ASH_TX_MAX &&
		       (a + in->len <= b || b + in->len <= a);
	}
	if (code == EXO_ASH_CSUM_IP4)
		return !in->len && !in->off2 && !in->imm &&
		       (u32)in->off + 20 <= EXO_ASH_TX_MAX;
	if (code == EXO_ASH_CSUM)
		return !in->len && !in->imm && in->off2 <= in->off &&
		       (u32)in->off + 2 <= EXO_ASH_TX_MAX;
	/* RET */
	return !in->len && !in->off && !in->off2 &&
	       (in->imm == EXO_ASH_DELIVER || in->imm == EXO_ASH_DROP ||
		in->imm == EXO_ASH_REPLIED);
}

static int ash_fail(u32 *bad_pc, u32 pc)
{
	if (bad_pc)
		*bad_pc = pc;
	return -EINVAL;
}

int exo_ash_verify(const struct exo_ash_insn *prog, u32 len, u32 *bad_pc)
{
	u32 pc;

	/* 1: bounded length. */
	if (!prog || !len || len > EXO_ASH_MAX_INSNS)
		return ash_fail(bad_pc, len);
	/* 2: opcode allow-table. */
	for (pc = 0; pc < len; pc++)
		if (!ash_opcode_allowed(prog[pc].code))
			return ash_fail(bad_pc, pc);
	/* 3: operands. */
	for (pc = 0; pc < len; pc++)
		if (!ash_operands_ok(&prog[pc]))
			return ash_fail(bad_pc, pc);
	/* 4: jumps forward (off is unsigned) and landing inside. */
	for (pc = 0; pc < len; pc++)
		if ((prog[pc].code == EXO_ASH_JA || ash_is_jcond(prog[pc].code)) &&
		    pc + 1 + (u32)prog[pc].off >= len)
			return ash_fail(bad_pc, pc);
	/* 5: the last instruction returns, so every path ends in a RET. */
	if (prog[len - 1].code != EXO_ASH_RET)
		return ash_fail(bad_pc, len - 1);
	return 0;
}

static u32 ash_load(const u8 *p, u32 size)
{
	u32 v = 0, i;

	for (i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

/* May the reply be written at [@off, @off + @n)? Extends it if so. */
static bool ash_reply_write(struct exo_ash_ctx *ctx, u32 off, u32 n)
{
	if (off > ctx->txlen || off + n > EXO_ASH_TX_MAX)
		return false;
	if (off + n > ctx->txlen)
		ctx->txlen = off + n;
	return true;
}

/*
 * The Internet checksum of @n bytes at @p whose 2-byte field at @at is
 * zeroed first (an odd last byte padded with zero), stored in that field.
 */
static void ash_csum_store(u8 *p, u32 n, u32 at)
{
	u32 sum = 0, i;

	p[at] = 0;
	p[at + 1] = 0;
	for (i = 0; i + 1 < n; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (u32)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	p[at] = (u8)(sum >> 8);
	p[at + 1] = (u8)sum;
}

int exo_ash_run(const struct exo_ash_insn *prog, u32 len,
		struct exo_ash_ctx *ctx)
{
	u32 reg[EXO_ASH_NREGS] = { 0 };
	u32 pc = 0, i, n, v;
	u8 tmp;

	ctx->txlen = 0;
	ctx->steps = 0;
	while (pc < len) {
		const struct exo_ash_insn *in = &prog[pc];
		bool jump = false;

		if (++ctx->steps > len)
			return -ELOOP;
		switch (in->code) {
		case EXO_ASH_LDB:
		case EXO_ASH_LDH:
		case EXO_ASH_LDW:
			n = ash_size(in->code);
			if ((u32)in->off + n > ctx->flen)
				return -EFAULT;
			reg[in->reg] = ash_load(ctx->frame + in->off, n);
			break;
		case EXO_ASH_LDLEN:
			reg[in->reg] = ctx->flen;
			break;
		case EXO_ASH_LDI:
			reg[in->reg] = in->imm;
			break;
		case EXO_ASH_JA:
			jump = true;
			break;
		case EXO_ASH_JEQ:
			jump = reg[in->reg] == in->imm;
			break;
		case EXO_ASH_JNE:
			jump = reg[in->reg] != in->imm;
			break;
		case EXO_ASH_JGT:
			jump = reg[in->reg] > in->imm;
			break;
		case EXO_ASH_JSET:
			jump = reg[in->reg] & in->imm;
			break;
		case EXO_ASH_COPY:
			if ((u32)in->off + in->len > ctx->flen ||
			    !ash_reply_write(ctx, in->off2, in->len))
				return -EFAULT;
			memcpy(ctx->tx + in->off2, ctx->frame + in->off, in->len);
			break;
		case EXO_ASH_COPYALL:
			if (ctx->flen > EXO_ASH_TX_MAX)
				return -EFAULT;
			memcpy(ctx->tx, ctx->frame, ctx->flen);
			ctx->txlen = ctx->flen;
			break;
		case EXO_ASH_STB:
		case EXO_ASH_STH:
		case EXO_ASH_STW:
			n = ash_size(in->code);
			if (!ash_reply_write(ctx, in->off, n))
				return -EFAULT;
			v = reg[in->reg];
			for (i = n; i > 0; i--, v >>= 8)
				ctx->tx[in->off + i - 1] = (u8)v;
			break;
		case EXO_ASH_SWAP:
			if ((u32)in->off + in->len > ctx->txlen ||
			    (u32)in->off2 + in->len > ctx->txlen)
				return -EFAULT;
			for (i = 0; i < in->len; i++) {
				tmp = ctx->tx[in->off + i];
				ctx->tx[in->off + i] = ctx->tx[in->off2 + i];
				ctx->tx[in->off2 + i] = tmp;
			}
			break;
		case EXO_ASH_CSUM_IP4:
			if ((u32)in->off + 20 > ctx->txlen)
				return -EFAULT;
			n = (ctx->tx[in->off] & 0xf) * 4;
			if (n < 20 || (u32)in->off + n > ctx->txlen)
				return -EFAULT;
			ash_csum_store(ctx->tx + in->off, n, 10);
			break;
		case EXO_ASH_CSUM:
			if ((u32)in->off + 2 > ctx->txlen)
				return -EFAULT;
			ash_csum_store(ctx->tx + in->off2, ctx->txlen - in->off2,
				       in->off - in->off2);
			break;
		case EXO_ASH_RET:
			if (in->imm == EXO_ASH_REPLIED && ctx->txlen < 14)
				return -EFAULT;
			return (int)in->imm;
		default:
			/* Not verified: refuse rather than guess. */
			return -EINVAL;
		}
		pc += jump ? 1 + (u32)in->off : 1;
	}
	/* Only an unverified program falls off its end. */
	return -EINVAL;
}
