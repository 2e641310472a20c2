// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/ash.c, the ASH verifier and interpreter: every
 * verifier check on both sides of its limit, the run-time bounds, and
 * libexo's UDP echo handler on a real frame.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include <exo/exo.h>
#include "../../module/core/ash.h"

#define I(code, reg, len, off, off2, imm) \
	exo_ash_insn(EXO_ASH_##code, reg, len, off, off2, imm)
#define RET(v)	I(RET, 0, 0, 0, 0, EXO_ASH_##v)

static int verify1(struct exo_ash_insn in)
{
	struct exo_ash_insn p[2] = { in, RET(DELIVER) };

	return exo_ash_verify(p, 2, NULL);
}

TEST(length_bounds)
{
	struct exo_ash_insn p[EXO_ASH_MAX_INSNS + 1];
	__u32 i, bad = 0;

	for (i = 0; i <= EXO_ASH_MAX_INSNS; i++)
		p[i] = RET(DROP);
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 0, &bad));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, exo_ash_verify(p, 1, NULL));
	EXPECT_EQ(0, exo_ash_verify(p, EXO_ASH_MAX_INSNS, NULL));
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, EXO_ASH_MAX_INSNS + 1, &bad));
	EXPECT_EQ(EXO_ASH_MAX_INSNS + 1, bad);
	EXPECT_EQ(-EINVAL, exo_ash_verify(NULL, 1, NULL));
}

TEST(opcodes)
{
	struct exo_ash_insn p[2] = { RET(DELIVER), RET(DELIVER) };
	__u32 bad = 99;
	int c, ok = 0;

	for (c = 0; c < 256; c++) {
		p[0] = RET(DELIVER);
		p[0].code = (__u8)c;
		if (!exo_ash_verify(p, 2, NULL))
			ok++;
	}
	p[0].code = 0x7f;
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 2, &bad));
	EXPECT_EQ(0, bad);
	p[0].code = 0;
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 2, &bad));
	/* With all-zero operands: the loads, LDLEN, LDI, JA, the jumps,
	 * COPYALL, the stores, CSUM_IP4, CSUM and RET; not COPY or SWAP (no
	 * length).
	 */
	EXPECT_EQ(17, ok);
}

TEST(registers)
{
	EXPECT_EQ(0, verify1(I(LDI, EXO_ASH_NREGS - 1, 0, 0, 0, 5)));
	EXPECT_EQ(-EINVAL, verify1(I(LDI, EXO_ASH_NREGS, 0, 0, 0, 5)));
	EXPECT_EQ(-EINVAL, verify1(I(LDI, 255, 0, 0, 0, 5)));
	/* An instruction with no register must name register 0. */
	EXPECT_EQ(-EINVAL, verify1(I(COPYALL, 1, 0, 0, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(RET, 1, 0, 0, 0, 0)));
}

TEST(operands)
{
	struct exo_ash_insn in;

	/* Loads and stores: inside the reply buffer's bound. */
	EXPECT_EQ(0, verify1(I(LDW, 0, 0, EXO_ASH_TX_MAX - 4, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(LDW, 0, 0, EXO_ASH_TX_MAX - 3, 0, 0)));
	EXPECT_EQ(0, verify1(I(STH, 0, 0, EXO_ASH_TX_MAX - 2, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(STH, 0, 0, EXO_ASH_TX_MAX - 1, 0, 0)));
	/* COPY: a length, both ends inside. */
	EXPECT_EQ(0, verify1(I(COPY, 0, EXO_ASH_TX_MAX, 0, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(COPY, 0, EXO_ASH_TX_MAX + 1, 0, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(COPY, 0, 0, 0, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(COPY, 0, 4, 0, EXO_ASH_TX_MAX - 3, 0)));
	/* SWAP: 1..SWAP_MAX, apart. */
	EXPECT_EQ(0, verify1(I(SWAP, 0, EXO_ASH_SWAP_MAX, 0, EXO_ASH_SWAP_MAX, 0)));
	EXPECT_EQ(-EINVAL,
		  verify1(I(SWAP, 0, EXO_ASH_SWAP_MAX + 1, 0, 32, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(SWAP, 0, 4, 0, 3, 0)));
	EXPECT_EQ(0, verify1(I(SWAP, 0, 4, 0, 4, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(SWAP, 0, 0, 0, 4, 0)));
	/* CSUM_IP4: room for a 20-byte header. */
	EXPECT_EQ(0, verify1(I(CSUM_IP4, 0, 0, EXO_ASH_TX_MAX - 20, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(CSUM_IP4, 0, 0, EXO_ASH_TX_MAX - 19, 0, 0)));
	/* CSUM: a 2-byte field inside the buffer, its range from at or before it. */
	EXPECT_EQ(0, verify1(I(CSUM, 0, 0, EXO_ASH_TX_MAX - 2, 0, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(CSUM, 0, 0, EXO_ASH_TX_MAX - 1, 0, 0)));
	EXPECT_EQ(0, verify1(I(CSUM, 0, 0, 36, 36, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(CSUM, 0, 0, 36, 37, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(CSUM, 0, 2, 36, 34, 0)));
	EXPECT_EQ(-EINVAL, verify1(I(CSUM, 0, 0, 36, 34, 1)));
	/* RET: three verdicts. */
	EXPECT_EQ(0, verify1(RET(REPLIED)));
	EXPECT_EQ(-EINVAL, verify1(I(RET, 0, 0, 0, 0, 3)));
	/* Unused fields are zero. */
	in = I(LDI, 0, 0, 0, 0, 1);
	in.pad = 1;
	EXPECT_EQ(-EINVAL, verify1(in));
	EXPECT_EQ(-EINVAL, verify1(I(LDI, 0, 1, 0, 0, 1)));
	EXPECT_EQ(-EINVAL, verify1(I(LDB, 0, 0, 0, 0, 1)));
	EXPECT_EQ(-EINVAL, verify1(I(COPYALL, 0, 0, 1, 0, 0)));
}

TEST(jumps)
{
	struct exo_ash_insn p[4] = {
		I(JA, 0, 0, 1, 0, 0), RET(DROP), RET(DELIVER), RET(DELIVER),
	};
	__u32 bad = 99;

	/* Forward and landing on the last instruction: fine. */
	p[0].off = 2;
	EXPECT_EQ(0, exo_ash_verify(p, 4, NULL));
	/* One past the end: refused. */
	p[0].off = 3;
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 4, &bad));
	EXPECT_EQ(0, bad);
	/* A back jump cannot be written: off is unsigned, and a wrap is past
	 * the end. */
	p[0].off = 0xffff;
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 4, NULL));
	p[1] = I(JEQ, 0, 0, 1, 0, 0);
	p[0] = RET(DELIVER);
	EXPECT_EQ(0, exo_ash_verify(p, 4, NULL));
	p[1].off = 2;
	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 4, &bad));
	EXPECT_EQ(1, bad);
}

TEST(last_is_ret)
{
	struct exo_ash_insn p[2] = { RET(DROP), I(LDI, 0, 0, 0, 0, 1) };
	__u32 bad = 99;

	EXPECT_EQ(-EINVAL, exo_ash_verify(p, 2, &bad));
	EXPECT_EQ(1, bad);
}

/* A 60-byte UDP/IPv4 frame from 10.0.0.2:4000 to 10.0.0.1:7, MACs a and b. */
static __u32 udp_frame(__u8 *f)
{
	static const __u8 hdr[42] = {
		0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0xa, 0x08, 0x00,
		0x45, 0, 0, 46, 0x12, 0x34, 0x40, 0, 17, 17, 0, 0,
		10, 0, 0, 2, 10, 0, 0, 1,
		0x0f, 0xa0, 0, 7, 0, 26, 0xab, 0xcd,
	};
	__u32 i;

	memset(f, 0, 60);
	memcpy(f, hdr, sizeof(hdr));
	for (i = 42; i < 60; i++)
		f[i] = (__u8)i;
	return 60;
}

static __u16 csum16(const __u8 *p, __u32 n)
{
	__u32 s = 0, i;

	for (i = 0; i < n; i += 2)
		s += (__u32)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

TEST(udp_echo)
{
	struct exo_ash_insn p[EXO_ASH_UDP_ECHO_LEN];
	static __u8 tx[EXO_ASH_TX_MAX];
	__u8 f[60];
	struct exo_ash_ctx ctx = { .frame = f, .tx = tx };
	int n;

	EXPECT_EQ(-ENOSPC, exo_ash_udp_echo(p, EXO_ASH_UDP_ECHO_LEN - 1));
	n = exo_ash_udp_echo(p, EXO_ASH_UDP_ECHO_LEN);
	ASSERT_EQ(EXO_ASH_UDP_ECHO_LEN, n);
	ASSERT_EQ(0, exo_ash_verify(p, n, NULL));
	ctx.flen = udp_frame(f);
	ASSERT_EQ(EXO_ASH_REPLIED, exo_ash_run(p, n, &ctx));
	EXPECT_EQ(60, ctx.txlen);
	EXPECT_LE(ctx.steps, (__u32)n);
	EXPECT_EQ(0, memcmp(tx, f + 6, 6));
	EXPECT_EQ(0, memcmp(tx + 6, f, 6));
	EXPECT_EQ(0, memcmp(tx + 26, f + 30, 4));
	EXPECT_EQ(0, memcmp(tx + 30, f + 26, 4));
	EXPECT_EQ(0, memcmp(tx + 34, f + 36, 2));
	EXPECT_EQ(0, memcmp(tx + 36, f + 34, 2));
	EXPECT_EQ(0, tx[40] | tx[41]);
	EXPECT_EQ(64, tx[22]);
	EXPECT_EQ(0xffff, csum16(tx + 14, 20));
	EXPECT_EQ(0, memcmp(tx + 42, f + 42, 18));
	/* Not UDP: delivered, no reply. */
	f[23] = 6;
	EXPECT_EQ(EXO_ASH_DELIVER, exo_ash_run(p, n, &ctx));
	f[23] = 17;
	/* A fragment: delivered. */
	f[20] = 0x20;
	EXPECT_EQ(EXO_ASH_DELIVER, exo_ash_run(p, n, &ctx));
	f[20] = 0x40;
	/* Cut short before the ports: the SWAP faults. */
	ctx.flen = 36;
	EXPECT_EQ(-EFAULT, exo_ash_run(p, n, &ctx));
}

TEST(frame_bounds)
{
	struct exo_ash_insn p[2] = { I(LDW, 0, 0, 56, 0, 0), RET(DROP) };
	static __u8 tx[EXO_ASH_TX_MAX];
	__u8 f[60] = { 0 };
	struct exo_ash_ctx ctx = { .frame = f, .flen = 60, .tx = tx };

	ASSERT_EQ(0, exo_ash_verify(p, 2, NULL));
	EXPECT_EQ(EXO_ASH_DROP, exo_ash_run(p, 2, &ctx));
	p[0].off = 57;
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 2, &ctx));
	/* COPY reads inside the frame too. */
	p[0] = I(COPY, 0, 60, 0, 0, 0);
	EXPECT_EQ(EXO_ASH_DROP, exo_ash_run(p, 2, &ctx));
	EXPECT_EQ(60, ctx.txlen);
	p[0] = I(COPY, 0, 61, 0, 0, 0);
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 2, &ctx));
	/* COPYALL of a frame larger than the reply buffer. */
	p[0] = I(COPYALL, 0, 0, 0, 0, 0);
	ctx.flen = EXO_ASH_TX_MAX + 1;
	{
		static __u8 big[EXO_ASH_TX_MAX + 1];

		ctx.frame = big;
		EXPECT_EQ(-EFAULT, exo_ash_run(p, 2, &ctx));
		ctx.flen = EXO_ASH_TX_MAX;
		EXPECT_EQ(EXO_ASH_DROP, exo_ash_run(p, 2, &ctx));
	}
}

TEST(reply_bounds)
{
	struct exo_ash_insn p[4];
	static __u8 tx[EXO_ASH_TX_MAX];
	__u8 f[60] = { 0 };
	struct exo_ash_ctx ctx = { .frame = f, .flen = 60, .tx = tx };
	__u32 i;

	/* A store right at the end of what is filled extends it... */
	p[0] = I(STW, 0, 0, 0, 0, 0);
	p[1] = I(STW, 0, 0, 4, 0, 0);
	p[2] = I(STH, 0, 0, 8, 0, 0);
	p[3] = RET(DROP);
	ASSERT_EQ(0, exo_ash_verify(p, 4, NULL));
	EXPECT_EQ(EXO_ASH_DROP, exo_ash_run(p, 4, &ctx));
	EXPECT_EQ(10, ctx.txlen);
	/* ...one past it would leave a stale byte: a fault. */
	p[2].off = 9;
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 4, &ctx));
	/* A reply shorter than an Ethernet header is not sent. */
	p[2].off = 8;
	p[3] = RET(REPLIED);
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 4, &ctx));
	/* SWAP and CSUM_IP4 only inside what is filled. */
	p[0] = I(COPY, 0, 14, 0, 0, 0);
	p[1] = I(SWAP, 0, 6, 0, 9, 0);
	p[2] = RET(REPLIED);
	ASSERT_EQ(0, exo_ash_verify(p, 3, NULL));
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 3, &ctx));
	p[1] = I(SWAP, 0, 6, 0, 6, 0);
	EXPECT_EQ(EXO_ASH_REPLIED, exo_ash_run(p, 3, &ctx));
	p[1] = I(CSUM_IP4, 0, 0, 0, 0, 0);
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 3, &ctx));
	/* An IHL below 5 is no header. */
	p[0] = I(COPYALL, 0, 0, 0, 0, 0);
	f[0] = 0x44;
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 3, &ctx));
	f[0] = 0x45;
	EXPECT_EQ(EXO_ASH_REPLIED, exo_ash_run(p, 3, &ctx));
	EXPECT_EQ(0xffff, csum16(tx, 20));
	/* CSUM: the field inside what is filled, an odd range padded. */
	p[0] = I(COPY, 0, 15, 0, 0, 0);
	p[1] = I(CSUM, 0, 0, 14, 2, 0);
	ASSERT_EQ(0, exo_ash_verify(p, 3, NULL));
	EXPECT_EQ(-EFAULT, exo_ash_run(p, 3, &ctx));
	p[1].off = 12;
	for (i = 0; i < 60; i++)
		f[i] = (__u8)(i * 7 + 1);
	EXPECT_EQ(EXO_ASH_REPLIED, exo_ash_run(p, 3, &ctx));
	EXPECT_EQ(15, ctx.txlen);
	tx[15] = 0;	/* the pad the sum counted */
	EXPECT_EQ(0xffff, csum16(tx + 2, 14));
}

/* A ping frame: 10.0.0.2 -> 10.0.0.1, echo request id 0x1234 seq 1. */
static __u32 icmp_frame(__u8 *f)
{
	static const __u8 hdr[] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 44, 0x12, 0x34, 0x40, 0, 17, 1, 0, 0,
		10, 0, 0, 2, 10, 0, 0, 1,
		8, 0, 0, 0, 0x12, 0x34, 0, 1,
	};
	__u32 i;

	memcpy(f, hdr, sizeof(hdr));
	for (i = sizeof(hdr); i < 58; i++)
		f[i] = (__u8)i;
	return 58;
}

TEST(icmp_echo)
{
	struct exo_ash_insn p[EXO_ASH_ICMP_ECHO_LEN];
	static __u8 tx[EXO_ASH_TX_MAX];
	__u8 f[58];
	struct exo_ash_ctx ctx = { .frame = f, .tx = tx };
	int n;

	EXPECT_EQ(-ENOSPC, exo_ash_icmp_echo(p, EXO_ASH_ICMP_ECHO_LEN - 1));
	EXPECT_EQ(-EINVAL, exo_ash_icmp_echo(NULL, EXO_ASH_ICMP_ECHO_LEN));
	n = exo_ash_icmp_echo(p, EXO_ASH_ICMP_ECHO_LEN);
	ASSERT_EQ(EXO_ASH_ICMP_ECHO_LEN, n);
	ASSERT_EQ(0, exo_ash_verify(p, n, NULL));
	ctx.flen = icmp_frame(f);
	ASSERT_EQ(EXO_ASH_REPLIED, exo_ash_run(p, n, &ctx));
	EXPECT_EQ(58, ctx.txlen);
	EXPECT_LE(ctx.steps, (__u32)n);
	EXPECT_EQ(0, memcmp(tx, f + 6, 6));
	EXPECT_EQ(0, memcmp(tx + 6, f, 6));
	EXPECT_EQ(0, memcmp(tx + 26, f + 30, 4));
	EXPECT_EQ(0, memcmp(tx + 30, f + 26, 4));
	EXPECT_EQ(0, tx[34]);		/* echo reply */
	EXPECT_EQ(64, tx[22]);
	EXPECT_EQ(0xffff, csum16(tx + 14, 20));
	EXPECT_EQ(0xffff, csum16(tx + 34, 24));
	/* Identifier, sequence and data as they came. */
	EXPECT_EQ(0, memcmp(tx + 38, f + 38, 20));
	/* An echo reply, or not ICMP at all: delivered. */
	f[34] = 0;
	EXPECT_EQ(EXO_ASH_DELIVER, exo_ash_run(p, n, &ctx));
	f[34] = 8;
	f[23] = 17;
	EXPECT_EQ(EXO_ASH_DELIVER, exo_ash_run(p, n, &ctx));
	f[23] = 1;
	/* A fragment: delivered. */
	f[21] = 0x10;
	EXPECT_EQ(EXO_ASH_DELIVER, exo_ash_run(p, n, &ctx));
	f[21] = 0;
	/* Cut short before the type: the load faults. */
	ctx.flen = 34;
	EXPECT_EQ(-EFAULT, exo_ash_run(p, n, &ctx));
}

TEST_HARNESS_MAIN
