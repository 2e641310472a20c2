// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * The UDF builder: write XN's owns and acl functions as calls, with named
 * forward labels, instead of hex. It does no system call, so host tests and
 * tools use it as well. The first error sticks and exo_udf_finish()
 * reports it; every call before that is a no-op once it is set.
 */
#include <string.h>

#include "internal.h"

static int udf_put(struct exo_udf_builder *b, __u8 code, __u8 dst, __u8 src,
		   __u8 aux, __s32 imm)
{
	struct exo_udf_insn *in;

	if (b->err)
		return -b->err;
	if (b->len >= EXO_UDF_MAX_INSNS) {
		b->err = E2BIG;
		return -E2BIG;
	}
	in = &b->insns[b->len];
	in->code = code;
	in->dst = dst;
	in->src = src;
	in->aux = aux;
	in->imm = imm;
	return (int)b->len++;
}

static int udf_is_x(__u8 code)
{
	return (code >= EXO_UDF_ADD_X && code <= EXO_UDF_SHR_X) ||
	       (code >= EXO_UDF_JEQ_X && code <= EXO_UDF_JSET_X);
}

LIBEXO_EXPORT void exo_udf_init(struct exo_udf_builder *b)
{
	memset(b, 0, sizeof(*b));
}

LIBEXO_EXPORT int exo_udf_insn(struct exo_udf_builder *b, __u8 code,
			       __u8 dst, __u8 src, __u8 aux, __s32 imm)
{
	return udf_put(b, code, dst, src, aux, imm);
}

LIBEXO_EXPORT int exo_udf_ldi(struct exo_udf_builder *b, __u8 dst, __s32 imm)
{
	return udf_put(b, EXO_UDF_LDI, dst, 0, 0, imm);
}

LIBEXO_EXPORT int exo_udf_mov(struct exo_udf_builder *b, __u8 dst, __u8 src)
{
	return udf_put(b, EXO_UDF_MOV, dst, src, 0, 0);
}

LIBEXO_EXPORT int exo_udf_alu(struct exo_udf_builder *b, __u8 code, __u8 dst,
			      __s32 operand)
{
	if (udf_is_x(code))
		return udf_put(b, code, dst, (__u8)operand, 0, 0);
	return udf_put(b, code, dst, 0, 0, operand);
}

LIBEXO_EXPORT int exo_udf_load(struct exo_udf_builder *b, unsigned int size,
			       __u8 dst, int index_reg, __s32 offset)
{
	__u8 code;

	switch (size) {
	case 1:
		code = EXO_UDF_LDB_K;
		break;
	case 2:
		code = EXO_UDF_LDH_K;
		break;
	case 4:
		code = EXO_UDF_LDW_K;
		break;
	case 8:
		code = EXO_UDF_LDD_K;
		break;
	default:
		if (!b->err)
			b->err = EINVAL;
		return -EINVAL;
	}
	if (index_reg < 0)
		return udf_put(b, code, dst, 0, 0, offset);
	return udf_put(b, code + 4, dst, (__u8)index_reg, 0, offset);
}

LIBEXO_EXPORT int exo_udf_input(struct exo_udf_builder *b, __u8 dst,
				__s32 input)
{
	return udf_put(b, EXO_UDF_LDIN, dst, 0, 0, input);
}

LIBEXO_EXPORT int exo_udf_label(struct exo_udf_builder *b)
{
	if (b->err)
		return -b->err;
	if (b->nlabels >= EXO_UDF_BUILDER_LABELS) {
		b->err = ENOSPC;
		return -ENOSPC;
	}
	b->label_pc[b->nlabels] = -1;
	return (int)b->nlabels++;
}

LIBEXO_EXPORT int exo_udf_bind(struct exo_udf_builder *b, int label)
{
	if (b->err)
		return -b->err;
	if (label < 0 || (unsigned int)label >= b->nlabels ||
	    b->label_pc[label] >= 0) {
		b->err = EINVAL;
		return -EINVAL;
	}
	b->label_pc[label] = (int)b->len;
	return 0;
}

static int udf_jump(struct exo_udf_builder *b, __u8 code, __u8 dst, __u8 src,
		    __s32 imm, int label)
{
	int pc;

	if (!b->err && (label < 0 || (unsigned int)label >= b->nlabels))
		b->err = EINVAL;
	if (!b->err && b->nfix >= EXO_UDF_MAX_INSNS)
		b->err = ENOSPC;
	pc = udf_put(b, code, dst, src, 0, imm);
	if (pc < 0)
		return pc;
	b->fix_pc[b->nfix] = (__u16)pc;
	b->fix_label[b->nfix] = (__u16)label;
	b->nfix++;
	return pc;
}

LIBEXO_EXPORT int exo_udf_jmp(struct exo_udf_builder *b, int label)
{
	return udf_jump(b, EXO_UDF_JA, 0, 0, 0, label);
}

LIBEXO_EXPORT int exo_udf_jmp_if(struct exo_udf_builder *b, __u8 code,
				 __u8 reg, __s32 operand, int label)
{
	if (udf_is_x(code))
		return udf_jump(b, code, reg, (__u8)operand, 0, label);
	return udf_jump(b, code, reg, 0, operand, label);
}

LIBEXO_EXPORT int exo_udf_loop(struct exo_udf_builder *b, __u8 counter,
			       int bound_reg, __s32 max)
{
	if (bound_reg < 0)
		return udf_put(b, EXO_UDF_LOOP, counter, 0, 0, max);
	return udf_put(b, EXO_UDF_LOOP_X, counter, (__u8)bound_reg, 0, max);
}

LIBEXO_EXPORT int exo_udf_endloop(struct exo_udf_builder *b)
{
	return udf_put(b, EXO_UDF_ENDLOOP, 0, 0, 0, 0);
}

LIBEXO_EXPORT int exo_udf_emit(struct exo_udf_builder *b, __u8 start,
			       __u8 count, __u8 type)
{
	return udf_put(b, EXO_UDF_EMIT, start, count, type, 0);
}

LIBEXO_EXPORT int exo_udf_ret(struct exo_udf_builder *b, __s32 value)
{
	return udf_put(b, EXO_UDF_RET_K, 0, 0, 0, value);
}

LIBEXO_EXPORT int exo_udf_ret_reg(struct exo_udf_builder *b, __u8 reg)
{
	return udf_put(b, EXO_UDF_RET_X, reg, 0, 0, 0);
}

LIBEXO_EXPORT int exo_udf_finish(struct exo_udf_builder *b)
{
	__u32 i;

	if (b->err)
		return -b->err;
	for (i = 0; i < b->nfix; i++) {
		struct exo_udf_insn *in = &b->insns[b->fix_pc[i]];
		int to = b->label_pc[b->fix_label[i]];
		int skip = to - (int)b->fix_pc[i] - 1;

		/* Unbound or backward labels are the verifier's to refuse. */
		if (to < 0) {
			b->err = EINVAL;
			return -EINVAL;
		}
		if (in->code == EXO_UDF_JA) {
			in->imm = skip;
		} else if (skip < 0 || skip > 255) {
			b->err = ERANGE;
			return -ERANGE;
		} else {
			in->aux = (__u8)skip;
		}
	}
	b->nfix = 0;
	return (int)b->len;
}
