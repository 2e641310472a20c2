// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/udf.c, XN's UDF verifier and interpreter, with
 * programs written through libexo's builder: each verifier check on both
 * sides of its limit, the run-time faults, and the owns-set arithmetic.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include <exo/exo.h>
#include "../../module/core/udf.h"

#define TYPE_DATA	0
#define TYPE_IND	7

static int verify(struct exo_udf_builder *b, __u32 kind)
{
	int len = exo_udf_finish(b);

	if (len < 0)
		return len;
	return exo_udf_verify(b->insns, (__u32)len, kind, NULL);
}

/*
 * The inode of the tests: 12 direct pointers (u64) at 0, an indirect
 * pointer at 96, a mode word at 104 and the owner's uid at 108.
 */
static void build_inode_owns(struct exo_udf_builder *b)
{
	int skip[13], i;

	exo_udf_init(b);
	exo_udf_ldi(b, 1, 1);		/* count */
	exo_udf_ldi(b, 2, TYPE_DATA);
	exo_udf_ldi(b, 3, TYPE_IND);
	for (i = 0; i < 12; i++) {
		skip[i] = exo_udf_label(b);
		exo_udf_load(b, 8, 4, -1, i * 8);
		exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, skip[i]);
		exo_udf_emit(b, 4, 1, 2);
		exo_udf_bind(b, skip[i]);
	}
	skip[12] = exo_udf_label(b);
	exo_udf_load(b, 8, 4, -1, 96);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, skip[12]);
	exo_udf_emit(b, 4, 1, 3);
	exo_udf_bind(b, skip[12]);
	exo_udf_ret(b, 0);
}

/* The indirect block: 512 u64 pointers, via the loop. */
static void build_indirect_owns(struct exo_udf_builder *b)
{
	int next;

	exo_udf_init(b);
	next = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_ldi(b, 2, TYPE_DATA);
	exo_udf_loop(b, 5, -1, 512);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 3);
	exo_udf_load(b, 8, 4, 6, 0);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
}

/* Allow when uid matches the owner, or the mode grants "other" read. */
static void build_inode_acl(struct exo_udf_builder *b)
{
	int allow, deny;

	exo_udf_init(b);
	allow = exo_udf_label(b);
	deny = exo_udf_label(b);
	exo_udf_input(b, 1, EXO_UDF_IN_UID);
	exo_udf_load(b, 4, 2, -1, 108);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_input(b, 3, EXO_UDF_IN_ACCESS);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 3, EXO_UDF_ACCESS_WRITE, deny);
	exo_udf_load(b, 4, 4, -1, 104);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 4, 04, allow);
	exo_udf_bind(b, deny);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, allow);
	exo_udf_ret(b, 1);
}

static void put64(__u8 *blk, unsigned int off, __u64 v)
{
	memcpy(blk + off, &v, sizeof(v));
}

static void put32(__u8 *blk, unsigned int off, __u32 v)
{
	memcpy(blk + off, &v, sizeof(v));
}

static int run(struct exo_udf_builder *b, const __u8 *blk,
	       struct exo_udf_ctx *ctx, struct exo_udf_owned *owned)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->block = blk;
	ctx->owned = owned;
	return exo_udf_run(b->insns, b->len, ctx);
}

FIXTURE(udf) {
	struct exo_udf_builder b;
	__u8 blk[EXO_UDF_BLOCK_SIZE];
	struct exo_udf_owned owned[EXO_UDF_MAX_OWNED];
	struct exo_udf_ctx ctx;
};

FIXTURE_SETUP(udf)
{
	exo_udf_init(&self->b);
	memset(self->blk, 0, sizeof(self->blk));
}

FIXTURE_TEARDOWN(udf)
{
}

TEST_F(udf, inode_owns_emits_pointers)
{
	build_inode_owns(&self->b);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_OWNS));
	put64(self->blk, 0, 100);
	put64(self->blk, 88, 111);
	put64(self->blk, 96, 200);
	ASSERT_EQ(0, run(&self->b, self->blk, &self->ctx, self->owned));
	ASSERT_EQ(3U, self->ctx.nowned);
	EXPECT_EQ(100U, self->owned[0].block);
	EXPECT_EQ((__u32)TYPE_DATA, self->owned[0].type);
	EXPECT_EQ(111U, self->owned[1].block);
	EXPECT_EQ(200U, self->owned[2].block);
	EXPECT_EQ((__u32)TYPE_IND, self->owned[2].type);
	/* An owns UDF may not read the caller. */
	exo_udf_init(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_UID);
	exo_udf_ret_reg(&self->b, 1);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_OWNS));
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
}

TEST_F(udf, indirect_loop_is_deterministic)
{
	struct exo_udf_ctx again;
	__u32 i;

	build_indirect_owns(&self->b);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_OWNS));
	for (i = 0; i < 512; i += 3)
		put64(self->blk, i * 8, 1000 + i);
	ASSERT_EQ(0, run(&self->b, self->blk, &self->ctx, self->owned));
	EXPECT_EQ(171U, self->ctx.nowned);
	EXPECT_EQ(1000U + 510, self->owned[170].block);
	again = self->ctx;
	ASSERT_EQ(0, run(&self->b, self->blk, &self->ctx, self->owned));
	EXPECT_EQ(again.nowned, self->ctx.nowned);
	EXPECT_EQ(again.steps, self->ctx.steps);
}

TEST_F(udf, acl_reads_uid_and_access)
{
	build_inode_acl(&self->b);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	/* EMIT is not allowed in an acl UDF. */
	put32(self->blk, 108, 1000);
	put32(self->blk, 104, 0600);
	ASSERT_EQ(0, run(&self->b, self->blk, &self->ctx, self->owned));
	EXPECT_EQ(0U, self->ctx.result);	/* uid 0 != 1000, not world */
	self->ctx.in[EXO_UDF_IN_UID] = 1000;
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	self->ctx.in[EXO_UDF_IN_UID] = 1000;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(1U, self->ctx.result);
	put32(self->blk, 104, 0644);
	self->ctx.in[EXO_UDF_IN_UID] = 5;
	self->ctx.in[EXO_UDF_IN_ACCESS] = EXO_UDF_ACCESS_READ;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(1U, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_ACCESS] = EXO_UDF_ACCESS_WRITE;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(0U, self->ctx.result);
}

/*
 * The range inputs: an acl reads IN_OFFSET (5) and IN_LEN (6), the last
 * input; 7 is past it. An owns UDF reads neither (only IN_SELF).
 */
TEST_F(udf, acl_reads_offset_and_len)
{
	int deny;

	EXPECT_EQ(5, EXO_UDF_IN_OFFSET);
	EXPECT_EQ(6, EXO_UDF_IN_LEN);
	EXPECT_EQ(7, EXO_UDF_NINPUTS);
	/* Allow only a range inside bytes 8..63: offset >= 8, end <= 64. */
	deny = exo_udf_label(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_OFFSET);
	exo_udf_input(&self->b, 2, EXO_UDF_IN_LEN);
	exo_udf_jmp_if(&self->b, EXO_UDF_JLT_K, 1, 8, deny);
	exo_udf_alu(&self->b, EXO_UDF_ADD_X, 2, 1);
	exo_udf_jmp_if(&self->b, EXO_UDF_JGT_K, 2, 64, deny);
	exo_udf_ret(&self->b, 1);
	exo_udf_bind(&self->b, deny);
	exo_udf_ret(&self->b, 0);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_OWNS));
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	self->ctx.in[EXO_UDF_IN_OFFSET] = 8;
	self->ctx.in[EXO_UDF_IN_LEN] = 56;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(1U, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_LEN] = 57;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(0U, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_OFFSET] = 7;
	self->ctx.in[EXO_UDF_IN_LEN] = 4;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(0U, self->ctx.result);

	/* LDIN 6 is the last input an acl may read, 7 is refused. */
	exo_udf_init(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_LEN);
	exo_udf_ret_reg(&self->b, 1);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_OWNS));
	self->b.insns[0].imm = EXO_UDF_IN_OFFSET;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 2, EXO_UDF_ACL, NULL));
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_OWNS,
					  NULL));
	self->b.insns[0].imm = 7;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_ACL, NULL));
	/* Owns still reads IN_SELF. */
	self->b.insns[0].imm = EXO_UDF_IN_SELF;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 2, EXO_UDF_OWNS, NULL));
}

TEST_F(udf, emit_rejected_in_acl)
{
	exo_udf_ldi(&self->b, 1, 1);
	exo_udf_emit(&self->b, 1, 1, 1);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_OWNS));
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
}

TEST_F(udf, length_limit)
{
	int i;

	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 0, EXO_UDF_ACL, NULL));
	for (i = 0; i < EXO_UDF_MAX_INSNS - 1; i++)
		exo_udf_ldi(&self->b, 0, i);
	exo_udf_ret(&self->b, 0);
	ASSERT_EQ(EXO_UDF_MAX_INSNS, exo_udf_finish(&self->b));
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, EXO_UDF_MAX_INSNS,
				    EXO_UDF_ACL, NULL));
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, EXO_UDF_MAX_INSNS + 1,
					  EXO_UDF_ACL, NULL));
	/* The builder refuses to grow past the limit too. */
	EXPECT_EQ(-E2BIG, exo_udf_ret(&self->b, 0));
	EXPECT_EQ(-E2BIG, exo_udf_finish(&self->b));
}

TEST_F(udf, unknown_opcode)
{
	static const __u8 bad[] = { 0x00, 0x03, 0x29, 0x38, 0x43, 0x51, 0x62, 0xff };
	unsigned int i;
	__u32 pc;

	for (i = 0; i < sizeof(bad); i++) {
		exo_udf_init(&self->b);
		exo_udf_insn(&self->b, bad[i], 0, 0, 0, 0);
		exo_udf_ret(&self->b, 0);
		pc = 99;
		EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_OWNS,
						  &pc)) {
			TH_LOG("opcode %#x accepted", bad[i]);
		}
		EXPECT_EQ(0U, pc);
	}
}

TEST_F(udf, operand_checks)
{
	/* A register past r15. */
	exo_udf_ldi(&self->b, EXO_UDF_NREGS, 1);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	exo_udf_init(&self->b);
	exo_udf_ldi(&self->b, EXO_UDF_NREGS - 1, 1);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	/* Shifts 63 and 64. */
	exo_udf_init(&self->b);
	exo_udf_ldi(&self->b, 1, 1);
	exo_udf_alu(&self->b, EXO_UDF_SHL_K, 1, 63);
	exo_udf_ret_reg(&self->b, 1);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	self->b.insns[1].imm = 64;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	/* A non-zero field an instruction does not use. */
	self->b.insns[1].imm = 1;
	self->b.insns[1].aux = 1;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	/* Inputs: the last one and one past it. */
	exo_udf_init(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_NINPUTS - 1);
	exo_udf_ret_reg(&self->b, 1);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	self->b.insns[0].imm = EXO_UDF_NINPUTS;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_ACL, NULL));
}

TEST_F(udf, constant_load_bounds)
{
	static const struct { unsigned int size; int last; } c[] = {
		{ 1, 4095 }, { 2, 4094 }, { 4, 4092 }, { 8, 4088 },
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		exo_udf_init(&self->b);
		exo_udf_load(&self->b, c[i].size, 1, -1, c[i].last);
		exo_udf_ret_reg(&self->b, 1);
		EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
		self->b.insns[0].imm = c[i].last + 1;
		EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_ACL,
						  NULL));
		self->b.insns[0].imm = -1;
		EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 2, EXO_UDF_ACL,
						  NULL));
	}
}

TEST_F(udf, register_load_faults_outside_block)
{
	self->blk[4095] = 0x5a;
	exo_udf_input(&self->b, 1, EXO_UDF_IN_BLOCK);
	exo_udf_load(&self->b, 1, 2, 1, 0);
	exo_udf_ret_reg(&self->b, 2);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	self->ctx.in[EXO_UDF_IN_BLOCK] = 4095;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(0x5aU, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_BLOCK] = 4096;
	EXPECT_EQ(-EFAULT, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	/* Wrap-around is outside too. */
	self->ctx.in[EXO_UDF_IN_BLOCK] = ~0ULL;
	EXPECT_EQ(-EFAULT, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	/* A dword at 4088 fits, at 4089 it does not. */
	self->b.insns[1].code = EXO_UDF_LDD_X;
	self->ctx.in[EXO_UDF_IN_BLOCK] = 4088;
	EXPECT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	self->ctx.in[EXO_UDF_IN_BLOCK] = 4089;
	EXPECT_EQ(-EFAULT, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
}

TEST_F(udf, backward_and_wild_jumps)
{
	/* JA -1: backward. */
	exo_udf_ldi(&self->b, 1, 0);
	exo_udf_insn(&self->b, EXO_UDF_JA, 0, 0, 0, -1);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	/* JA 0 is a no-op; JA to the last is fine, past it is not. */
	self->b.insns[1].imm = 0;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	self->b.insns[1].imm = 1;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	/* A backward label the builder cannot express forward. */
	exo_udf_init(&self->b);
	{
		int top = exo_udf_label(&self->b);

		exo_udf_bind(&self->b, top);
		exo_udf_ldi(&self->b, 1, 0);
		exo_udf_jmp(&self->b, top);
		exo_udf_ret(&self->b, 0);
		EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	}
	/* A conditional jump landing one past the end. */
	exo_udf_init(&self->b);
	exo_udf_ldi(&self->b, 1, 0);
	exo_udf_insn(&self->b, EXO_UDF_JEQ_K, 1, 0, 1, 0);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	self->b.insns[1].aux = 0;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
}

TEST_F(udf, loop_structure)
{
	int inside;

	/* Iterations: 1 and 1024 pass, 0 and 1025 do not. */
	exo_udf_loop(&self->b, 1, -1, 1);
	exo_udf_endloop(&self->b);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	self->b.insns[0].imm = EXO_UDF_LOOP_MAX;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	self->b.insns[0].imm = EXO_UDF_LOOP_MAX + 1;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	self->b.insns[0].imm = 0;
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 3, EXO_UDF_ACL, NULL));
	/* Nested, unclosed, and a stray ENDLOOP. */
	exo_udf_init(&self->b);
	exo_udf_loop(&self->b, 1, -1, 2);
	exo_udf_loop(&self->b, 2, -1, 2);
	exo_udf_endloop(&self->b);
	exo_udf_endloop(&self->b);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	exo_udf_init(&self->b);
	exo_udf_loop(&self->b, 1, -1, 2);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	exo_udf_init(&self->b);
	exo_udf_endloop(&self->b);
	exo_udf_ret(&self->b, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	/* Jumping into a body from outside. */
	exo_udf_init(&self->b);
	inside = exo_udf_label(&self->b);
	exo_udf_ldi(&self->b, 3, 0);
	exo_udf_jmp(&self->b, inside);
	exo_udf_loop(&self->b, 1, -1, 2);
	exo_udf_bind(&self->b, inside);
	exo_udf_alu(&self->b, EXO_UDF_ADD_K, 3, 1);
	exo_udf_endloop(&self->b);
	exo_udf_ret_reg(&self->b, 3);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
}

TEST_F(udf, loop_break_continue_and_zero_passes)
{
	int brk, cont;

	/* Sum counters below 5 of at most 10 passes, break at 7. */
	brk = exo_udf_label(&self->b);
	cont = exo_udf_label(&self->b);
	exo_udf_ldi(&self->b, 2, 0);
	exo_udf_input(&self->b, 4, EXO_UDF_IN_BLOCK);
	exo_udf_loop(&self->b, 1, 4, 10);
	exo_udf_jmp_if(&self->b, EXO_UDF_JEQ_K, 1, 7, brk);
	exo_udf_jmp_if(&self->b, EXO_UDF_JGE_K, 1, 5, cont);
	exo_udf_alu(&self->b, EXO_UDF_ADD_X, 2, 1);
	exo_udf_bind(&self->b, cont);
	exo_udf_endloop(&self->b);
	exo_udf_bind(&self->b, brk);
	exo_udf_ret_reg(&self->b, 2);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	self->ctx.in[EXO_UDF_IN_BLOCK] = 100;	/* capped at 10 */
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(10U, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_BLOCK] = 3;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(3U, self->ctx.result);
	self->ctx.in[EXO_UDF_IN_BLOCK] = 0;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ(0U, self->ctx.result);
}

TEST_F(udf, missing_return)
{
	exo_udf_ldi(&self->b, 1, 0);
	exo_udf_ldi(&self->b, 2, 0);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	exo_udf_ret(&self->b, 1);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
}

TEST_F(udf, read_before_write)
{
	int skip;

	exo_udf_ret_reg(&self->b, 3);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	/* Written on one path only. */
	exo_udf_init(&self->b);
	skip = exo_udf_label(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_UID);
	exo_udf_jmp_if(&self->b, EXO_UDF_JEQ_K, 1, 0, skip);
	exo_udf_ldi(&self->b, 3, 1);
	exo_udf_bind(&self->b, skip);
	exo_udf_ret_reg(&self->b, 3);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	/* Written on both: fine. */
	exo_udf_init(&self->b);
	skip = exo_udf_label(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_UID);
	exo_udf_ldi(&self->b, 3, 0);
	exo_udf_jmp_if(&self->b, EXO_UDF_JEQ_K, 1, 0, skip);
	exo_udf_ldi(&self->b, 3, 1);
	exo_udf_bind(&self->b, skip);
	exo_udf_ret_reg(&self->b, 3);
	EXPECT_EQ(0, verify(&self->b, EXO_UDF_ACL));
	/* Written only inside a loop that may run no time. */
	exo_udf_init(&self->b);
	exo_udf_input(&self->b, 1, EXO_UDF_IN_UID);
	exo_udf_loop(&self->b, 2, 1, 4);
	exo_udf_ldi(&self->b, 3, 1);
	exo_udf_endloop(&self->b);
	exo_udf_ret_reg(&self->b, 3);
	EXPECT_EQ(-EINVAL, verify(&self->b, EXO_UDF_ACL));
	/* The same with a constant bound always runs once. */
	self->b.insns[1].code = EXO_UDF_LOOP;
	self->b.insns[1].src = 0;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 5, EXO_UDF_ACL, NULL));
}

TEST_F(udf, static_step_bound)
{
	int i;

	/* 16 in the body times 1024 is the bound exactly; one more is not. */
	exo_udf_ldi(&self->b, 1, 0);
	exo_udf_loop(&self->b, 2, -1, EXO_UDF_LOOP_MAX);
	for (i = 0; i < 15; i++)
		exo_udf_alu(&self->b, EXO_UDF_ADD_K, 1, 1);
	exo_udf_endloop(&self->b);
	exo_udf_ret_reg(&self->b, 1);
	ASSERT_EQ(19, exo_udf_finish(&self->b));
	/* 1 + 1 + 16 * 1024 + 1 > 16384: one loop of 1024 x 16 is too many. */
	EXPECT_EQ(-EINVAL, exo_udf_verify(self->b.insns, 19, EXO_UDF_ACL, NULL));
	/* 16 * 1023 + 3 fits. */
	self->b.insns[1].imm = 1023;
	EXPECT_EQ(0, exo_udf_verify(self->b.insns, 19, EXO_UDF_ACL, NULL));
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, 19, &self->ctx));
	EXPECT_EQ(15U * 1023, self->ctx.result);
	EXPECT_LE(self->ctx.steps, (__u32)EXO_UDF_MAX_STEPS);
}

TEST_F(udf, emit_limit)
{
	exo_udf_ldi(&self->b, 1, 10);
	exo_udf_input(&self->b, 2, EXO_UDF_IN_SELF);
	exo_udf_ldi(&self->b, 3, 0);
	exo_udf_emit(&self->b, 1, 2, 3);
	exo_udf_ret(&self->b, 0);
	ASSERT_EQ(0, verify(&self->b, EXO_UDF_OWNS));
	memset(&self->ctx, 0, sizeof(self->ctx));
	self->ctx.block = self->blk;
	self->ctx.owned = self->owned;
	self->ctx.in[EXO_UDF_IN_SELF] = EXO_UDF_MAX_OWNED;
	ASSERT_EQ(0, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
	EXPECT_EQ((__u32)EXO_UDF_MAX_OWNED, self->ctx.nowned);
	self->ctx.in[EXO_UDF_IN_SELF] = EXO_UDF_MAX_OWNED + 1;
	EXPECT_EQ(-E2BIG, exo_udf_run(self->b.insns, self->b.len, &self->ctx));
}

TEST(owned_set_arithmetic)
{
	struct exo_udf_owned a[3] = { { 9, 1, 0 }, { 4, 0, 0 }, { 7, 0, 0 } };
	struct exo_udf_owned b[4] = { { 7, 0, 0 }, { 5, 2, 0 }, { 9, 1, 0 },
				      { 4, 0, 0 } };
	struct exo_udf_owned x = { 5, 2, 0 }, wrong = { 5, 1, 0 };

	exo_udf_owned_sort(a, 3);
	exo_udf_owned_sort(b, 4);
	EXPECT_EQ(4U, a[0].block);
	EXPECT_EQ(9U, a[2].block);
	EXPECT_TRUE(exo_udf_owned_plus(a, 3, b, 4, &x));
	EXPECT_FALSE(exo_udf_owned_plus(a, 3, b, 4, &wrong));
	EXPECT_FALSE(exo_udf_owned_plus(a, 3, b, 4, NULL));
	EXPECT_TRUE(exo_udf_owned_plus(a, 3, a, 3, NULL));
	EXPECT_FALSE(exo_udf_owned_plus(a, 3, a, 3, &x));
	EXPECT_EQ(1U, exo_udf_owned_count(b, 4, 5, NULL));
	EXPECT_EQ(0U, exo_udf_owned_count(b, 4, 6, NULL));
	/* A duplicate is two claims. */
	b[1] = b[0];
	exo_udf_owned_sort(b, 4);
	EXPECT_EQ(2U, exo_udf_owned_count(b, 4, 4, NULL));
	EXPECT_FALSE(exo_udf_owned_plus(a, 3, b, 4, &x));
}

TEST_HARNESS_MAIN
