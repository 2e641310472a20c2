// SPDX-License-Identifier: GPL-2.0
/*
 * The UDF verifier and interpreter. The verifier's checks run in the order
 * uapi/linux/exo.h documents, each over the whole program before the next,
 * so that a program is rejected for the first class of fault it has.
 */
#include "udf.h"

#define UDF_NO_LOOP	0xff

/* What the verifier knows about one instruction. */
struct udf_pc_state {
	u16 init;	/* registers written on every path reaching here */
	u8 reached;	/* some path reaches here */
	u8 loop;	/* index of the LOOP whose body holds it, or UDF_NO_LOOP */
};

static bool udf_is_alu(u8 code)
{
	return code >= EXO_UDF_ADD_K && code <= EXO_UDF_SHR_X;
}

static bool udf_is_ld_k(u8 code)
{
	return code >= EXO_UDF_LDB_K && code <= EXO_UDF_LDD_K;
}

static bool udf_is_ld_x(u8 code)
{
	return code >= EXO_UDF_LDB_X && code <= EXO_UDF_LDD_X;
}

static bool udf_is_jcond(u8 code)
{
	return (code >= EXO_UDF_JEQ_K && code <= EXO_UDF_JSET_K) ||
	       (code >= EXO_UDF_JEQ_X && code <= EXO_UDF_JSET_X);
}

static bool udf_is_x_form(u8 code)
{
	return (code >= EXO_UDF_ADD_X && code <= EXO_UDF_SHR_X) ||
	       udf_is_ld_x(code) || code == EXO_UDF_MOV ||
	       (code >= EXO_UDF_JEQ_X && code <= EXO_UDF_JSET_X) ||
	       code == EXO_UDF_LOOP_X;
}

static u32 udf_load_size(u8 code)
{
	return 1U << ((code - EXO_UDF_LDB_K) & 3);
}

/* Step 2: the opcode allow-table. */
static bool udf_opcode_allowed(u8 code, u32 kind)
{
	if (code == EXO_UDF_EMIT)
		return kind == EXO_UDF_OWNS;
	return code == EXO_UDF_LDI || code == EXO_UDF_MOV || udf_is_alu(code) ||
	       udf_is_ld_k(code) || udf_is_ld_x(code) ||
	       code == EXO_UDF_LDIN || code == EXO_UDF_JA ||
	       udf_is_jcond(code) || code == EXO_UDF_LOOP ||
	       code == EXO_UDF_LOOP_X || code == EXO_UDF_ENDLOOP ||
	       code == EXO_UDF_RET_K || code == EXO_UDF_RET_X;
}

/* Step 3: the fields an instruction uses are sane, the others zero. */
static bool udf_operands_ok(const struct exo_udf_insn *in, u32 kind)
{
	u8 code = in->code;

	if (in->dst >= EXO_UDF_NREGS || in->src >= EXO_UDF_NREGS)
		return false;
	if (!udf_is_x_form(code) && code != EXO_UDF_EMIT && in->src)
		return false;
	if (!udf_is_jcond(code) && code != EXO_UDF_EMIT && in->aux)
		return false;

	if (code == EXO_UDF_SHL_K || code == EXO_UDF_SHR_K)
		return in->imm >= 0 && in->imm < 64;
	if (udf_is_ld_k(code))
		return in->imm >= 0 &&
		       (u32)in->imm + udf_load_size(code) <= EXO_UDF_BLOCK_SIZE;
	if (code == EXO_UDF_LDIN)
		return kind == EXO_UDF_OWNS ? in->imm == EXO_UDF_IN_SELF :
		       in->imm >= 0 && in->imm < EXO_UDF_NINPUTS;
	if (code == EXO_UDF_JA)
		return in->imm >= 0 && !in->dst;
	if (code == EXO_UDF_LOOP || code == EXO_UDF_LOOP_X)
		return in->imm >= 1 && in->imm <= EXO_UDF_LOOP_MAX;
	if (code == EXO_UDF_ENDLOOP)
		return !in->dst && !in->imm;
	if (code == EXO_UDF_EMIT)
		return in->aux < EXO_UDF_NREGS && !in->imm;
	if (code == EXO_UDF_RET_K)
		return !in->dst;
	if (code == EXO_UDF_MOV || udf_is_ld_x(code) || udf_is_jcond(code) ||
	    code == EXO_UDF_LDI || udf_is_alu(code))
		return true;
	/* RET_X: dst only. */
	return !in->imm;
}

/* Where a jump at @pc lands, or -1 if @in is not a jump. */
static long udf_jump_target(const struct exo_udf_insn *in, u32 pc)
{
	if (in->code == EXO_UDF_JA)
		return (long)pc + 1 + in->imm;
	if (udf_is_jcond(in->code))
		return (long)pc + 1 + in->aux;
	return -1;
}

/* Registers an instruction reads, as a mask. */
static u16 udf_reads(const struct exo_udf_insn *in)
{
	u8 code = in->code;
	u16 r = 0;

	if (udf_is_alu(code) || udf_is_jcond(code) || code == EXO_UDF_RET_X ||
	    code == EXO_UDF_EMIT)
		r |= 1U << in->dst;
	if (udf_is_x_form(code))
		r |= 1U << in->src;
	if (code == EXO_UDF_EMIT)
		r |= (1U << in->src) | (1U << in->aux);
	return r;
}

/* Registers an instruction writes, as a mask. */
static u16 udf_writes(const struct exo_udf_insn *in)
{
	u8 code = in->code;

	if (code == EXO_UDF_LDI || code == EXO_UDF_MOV || udf_is_alu(code) ||
	    udf_is_ld_k(code) || udf_is_ld_x(code) || code == EXO_UDF_LDIN ||
	    code == EXO_UDF_LOOP || code == EXO_UDF_LOOP_X)
		return 1U << in->dst;
	return 0;
}

static void udf_flow(struct udf_pc_state *st, u32 to, u16 init)
{
	if (st[to].reached) {
		st[to].init &= init;
	} else {
		st[to].reached = 1;
		st[to].init = init;
	}
}

static int udf_fail(u32 *bad_pc, u32 pc)
{
	if (bad_pc)
		*bad_pc = pc;
	return -EINVAL;
}

int exo_udf_verify(const struct exo_udf_insn *prog, u32 len, u32 kind,
		   u32 *bad_pc)
{
	struct udf_pc_state st[EXO_UDF_MAX_INSNS];
	u32 pc, open = UDF_NO_LOOP, steps = 0;

	/* 1: bounded length, and a kind we know. */
	if (!prog || !len || len > EXO_UDF_MAX_INSNS ||
	    (kind != EXO_UDF_OWNS && kind != EXO_UDF_ACL))
		return udf_fail(bad_pc, len);
	/* 2: opcode allow-table. */
	for (pc = 0; pc < len; pc++)
		if (!udf_opcode_allowed(prog[pc].code, kind))
			return udf_fail(bad_pc, pc);
	/* 3: operands. */
	for (pc = 0; pc < len; pc++)
		if (!udf_operands_ok(&prog[pc], kind))
			return udf_fail(bad_pc, pc);
	/* 4a: loop structure: closed, not nested; mark the bodies. */
	for (pc = 0; pc < len; pc++) {
		u8 code = prog[pc].code;

		st[pc].loop = open;
		if (code == EXO_UDF_LOOP || code == EXO_UDF_LOOP_X) {
			if (open != UDF_NO_LOOP)
				return udf_fail(bad_pc, pc);
			open = pc;
			st[pc].loop = UDF_NO_LOOP;
		} else if (code == EXO_UDF_ENDLOOP) {
			if (open == UDF_NO_LOOP)
				return udf_fail(bad_pc, pc);
			open = UDF_NO_LOOP;
		}
	}
	if (open != UDF_NO_LOOP)
		return udf_fail(bad_pc, open);
	/* 4b: jumps forward, in range, never into a body from outside it. */
	for (pc = 0; pc < len; pc++) {
		long to = udf_jump_target(&prog[pc], pc);

		if (to < 0)
			continue;
		if (to <= (long)pc || to >= (long)len)
			return udf_fail(bad_pc, pc);
		if (st[to].loop != UDF_NO_LOOP && st[to].loop != st[pc].loop)
			return udf_fail(bad_pc, pc);
	}
	/* 5: a mandatory return: every path ends at the last instruction. */
	if (prog[len - 1].code != EXO_UDF_RET_K &&
	    prog[len - 1].code != EXO_UDF_RET_X)
		return udf_fail(bad_pc, len - 1);
	/*
	 * 6: no read before write. Jumps only go forward, and a loop's back
	 * edge brings to its body nothing the first pass did not have, so
	 * one pass in order sees every path.
	 */
	for (pc = 0; pc < len; pc++)
		st[pc].reached = 0;
	st[0].reached = 1;
	st[0].init = 0;
	for (pc = 0; pc < len; pc++) {
		const struct exo_udf_insn *in = &prog[pc];
		long to = udf_jump_target(in, pc);
		u16 init;

		if (!st[pc].reached)
			continue;
		if (udf_reads(in) & ~st[pc].init)
			return udf_fail(bad_pc, pc);
		init = st[pc].init | udf_writes(in);
		if (in->code == EXO_UDF_RET_K || in->code == EXO_UDF_RET_X)
			continue;
		if (to >= 0)
			udf_flow(st, to, init);
		if (in->code != EXO_UDF_JA)
			udf_flow(st, pc + 1, init);
		/* LOOP_X may run its body no time at all: skip to its end. */
		if (in->code == EXO_UDF_LOOP_X) {
			u32 end = pc + 1;

			while (prog[end].code != EXO_UDF_ENDLOOP)
				end++;
			udf_flow(st, end + 1, init);
		}
	}
	/* 7: a static bound on executed instructions. */
	for (pc = 0; pc < len; pc++) {
		u8 l = st[pc].loop;

		steps += l == UDF_NO_LOOP ? 1 : (u32)prog[l].imm;
	}
	if (steps > EXO_UDF_MAX_STEPS)
		return udf_fail(bad_pc, len);
	return 0;
}

static bool udf_load(const u8 *block, u64 off, u32 size, u64 *out)
{
	u64 v = 0;
	u32 i;

	if (off > EXO_UDF_BLOCK_SIZE || size > EXO_UDF_BLOCK_SIZE - off)
		return false;
	for (i = 0; i < size; i++)
		v |= (u64)block[off + i] << (8 * i);
	*out = v;
	return true;
}

static u64 udf_alu(u8 op, u64 a, u64 b)
{
	switch (op & 7) {
	case 0:
		return a + b;
	case 1:
		return a - b;
	case 2:
		return a * b;
	case 3:
		return a & b;
	case 4:
		return a | b;
	case 5:
		return a ^ b;
	case 6:
		return a << (b & 63);
	default:
		return a >> (b & 63);
	}
}

static bool udf_cond(u8 op, u64 a, u64 b)
{
	switch (op & 7) {
	case 1:
		return a == b;
	case 2:
		return a != b;
	case 3:
		return a < b;
	case 4:
		return a <= b;
	case 5:
		return a > b;
	case 6:
		return a >= b;
	default:
		return a & b;
	}
}

int exo_udf_run(const struct exo_udf_insn *prog, u32 len,
		struct exo_udf_ctx *ctx)
{
	u64 r[EXO_UDF_NREGS] = { 0 };
	u32 pc = 0, loop_pc = 0, iter = 0, iters = 0;

	ctx->nowned = 0;
	ctx->steps = 0;
	ctx->result = 0;
	while (pc < len) {
		const struct exo_udf_insn *in = &prog[pc];
		u64 k = (u64)(s64)in->imm, b;

		if (++ctx->steps > EXO_UDF_MAX_STEPS)
			return -ELOOP;
		b = udf_is_x_form(in->code) ? r[in->src] : k;
		switch (in->code) {
		case EXO_UDF_LDI:
		case EXO_UDF_MOV:
			r[in->dst] = b;
			break;
		case EXO_UDF_ADD_K ... EXO_UDF_SHR_X:
			r[in->dst] = udf_alu(in->code, r[in->dst], b);
			break;
		case EXO_UDF_LDB_K ... EXO_UDF_LDD_K:
			if (!udf_load(ctx->block, k, udf_load_size(in->code),
				      &r[in->dst]))
				return -EFAULT;
			break;
		case EXO_UDF_LDB_X ... EXO_UDF_LDD_X:
			if (!udf_load(ctx->block, r[in->src] + k,
				      udf_load_size(in->code - 4), &r[in->dst]))
				return -EFAULT;
			break;
		case EXO_UDF_LDIN:
			r[in->dst] = ctx->in[in->imm];
			break;
		case EXO_UDF_JA:
			pc += in->imm;
			break;
		case EXO_UDF_JEQ_K ... EXO_UDF_JSET_K:
		case EXO_UDF_JEQ_X ... EXO_UDF_JSET_X:
			if (udf_cond(in->code, r[in->dst], b))
				pc += in->aux;
			break;
		case EXO_UDF_LOOP:
		case EXO_UDF_LOOP_X:
			iters = in->imm;
			if (in->code == EXO_UDF_LOOP_X && r[in->src] < iters)
				iters = r[in->src];
			loop_pc = pc;
			iter = 0;
			r[in->dst] = 0;
			if (!iters)
				while (prog[pc].code != EXO_UDF_ENDLOOP)
					pc++;
			break;
		case EXO_UDF_ENDLOOP:
			if (++iter < iters) {
				r[prog[loop_pc].dst] = iter;
				pc = loop_pc;
			}
			break;
		case EXO_UDF_EMIT: {
			u64 start = r[in->dst], count = r[in->src], i;

			if (count > EXO_UDF_MAX_OWNED - ctx->nowned)
				return -E2BIG;
			for (i = 0; i < count; i++) {
				ctx->owned[ctx->nowned].block = start + i;
				ctx->owned[ctx->nowned].type = (u32)r[in->aux];
				ctx->owned[ctx->nowned].pad = 0;
				ctx->nowned++;
			}
			break;
		}
		case EXO_UDF_RET_K:
			ctx->result = k;
			return 0;
		case EXO_UDF_RET_X:
			ctx->result = r[in->dst];
			return 0;
		default:
			return -EINVAL;
		}
		pc++;
	}
	/* The verifier makes the last instruction a return. */
	return -EINVAL;
}

static bool udf_owned_less(const struct exo_udf_owned *a,
			   const struct exo_udf_owned *b)
{
	return a->block < b->block || (a->block == b->block && a->type < b->type);
}

/* Heapsort: bounded time and no recursion, in both worlds. */
static void udf_sift(struct exo_udf_owned *set, u32 root, u32 n)
{
	for (;;) {
		u32 child = 2 * root + 1;
		struct exo_udf_owned tmp;

		if (child >= n)
			return;
		if (child + 1 < n && udf_owned_less(&set[child], &set[child + 1]))
			child++;
		if (!udf_owned_less(&set[root], &set[child]))
			return;
		tmp = set[root];
		set[root] = set[child];
		set[child] = tmp;
		root = child;
	}
}

void exo_udf_owned_sort(struct exo_udf_owned *set, u32 n)
{
	u32 i;

	for (i = n / 2; i-- > 0;)
		udf_sift(set, i, n);
	for (i = n; i-- > 1;) {
		struct exo_udf_owned tmp = set[0];

		set[0] = set[i];
		set[i] = tmp;
		udf_sift(set, 0, i);
	}
}

static bool udf_owned_eq(const struct exo_udf_owned *a,
			 const struct exo_udf_owned *b)
{
	return a->block == b->block && a->type == b->type;
}

bool exo_udf_owned_plus(const struct exo_udf_owned *small, u32 nsmall,
			const struct exo_udf_owned *big, u32 nbig,
			const struct exo_udf_owned *extra)
{
	u32 i = 0, j = 0;
	bool used = !extra;

	if (nbig != nsmall + (extra ? 1 : 0))
		return false;
	while (j < nbig) {
		if (i < nsmall && udf_owned_eq(&small[i], &big[j])) {
			i++;
			j++;
		} else if (!used && udf_owned_eq(extra, &big[j])) {
			used = true;
			j++;
		} else {
			return false;
		}
	}
	return i == nsmall && used;
}

u32 exo_udf_owned_count(const struct exo_udf_owned *set, u32 n, u64 block,
			u32 *type)
{
	u32 i, count = 0;

	for (i = 0; i < n; i++) {
		if (set[i].block != block)
			continue;
		if (type)
			*type = set[i].type;
		count++;
	}
	return count;
}
