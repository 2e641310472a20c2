// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * ASH handler programs: one-instruction builders and ready programs. No
 * system call, so host tests and fuzzers link it too.
 */
#include <string.h>

#include "internal.h"

LIBEXO_EXPORT struct exo_ash_insn exo_ash_insn(__u8 code, __u8 reg, __u16 len,
					       __u16 off, __u16 off2, __u32 imm)
{
	struct exo_ash_insn in;

	memset(&in, 0, sizeof(in));
	in.code = code;
	in.reg = reg;
	in.len = len;
	in.off = off;
	in.off2 = off2;
	in.imm = imm;
	return in;
}

/* Offsets in an untagged Ethernet + IPv4 (IHL 5) + UDP frame. */
#define ETH_TYPE	12
#define IP4		14
#define IP4_FRAG	(IP4 + 6)
#define IP4_TTL		(IP4 + 8)
#define IP4_PROTO	(IP4 + 9)
#define IP4_SRC		(IP4 + 12)
#define IP4_DST		(IP4 + 16)
#define UDP_SRC		(IP4 + 20)
#define UDP_DST		(IP4 + 22)
#define UDP_CSUM	(IP4 + 26)

LIBEXO_EXPORT int exo_ash_udp_echo(struct exo_ash_insn *prog, __u32 room)
{
	/* Every "not plain UDP over IPv4" test jumps to the last RET. */
	enum { LAST = EXO_ASH_UDP_ECHO_LEN - 1 };
	struct exo_ash_insn p[EXO_ASH_UDP_ECHO_LEN];
	__u32 n = 0;

	if (!prog)
		return exo_err(EINVAL);
	if (room < EXO_ASH_UDP_ECHO_LEN)
		return exo_err(ENOSPC);
#define J(code, imm) exo_ash_insn(code, 0, 0, LAST - n - 1, 0, imm)
	p[n++] = exo_ash_insn(EXO_ASH_LDH, 0, 0, ETH_TYPE, 0, 0);
	p[n] = J(EXO_ASH_JNE, 0x0800), n++;
	p[n++] = exo_ash_insn(EXO_ASH_LDB, 0, 0, IP4, 0, 0);
	p[n] = J(EXO_ASH_JNE, 0x45), n++;
	p[n++] = exo_ash_insn(EXO_ASH_LDB, 0, 0, IP4_PROTO, 0, 0);
	p[n] = J(EXO_ASH_JNE, 17), n++;
	/* A fragment (MF or an offset) is the libOS's to reassemble. */
	p[n++] = exo_ash_insn(EXO_ASH_LDH, 0, 0, IP4_FRAG, 0, 0);
	p[n] = J(EXO_ASH_JSET, 0x3fff), n++;
#undef J
	p[n++] = exo_ash_insn(EXO_ASH_COPYALL, 0, 0, 0, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_SWAP, 0, 6, 0, 6, 0);
	p[n++] = exo_ash_insn(EXO_ASH_SWAP, 0, 4, IP4_SRC, IP4_DST, 0);
	p[n++] = exo_ash_insn(EXO_ASH_SWAP, 0, 2, UDP_SRC, UDP_DST, 0);
	/* A zero UDP checksum over IPv4 means "none": the payload is unchanged. */
	p[n++] = exo_ash_insn(EXO_ASH_LDI, 1, 0, 0, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_STH, 1, 0, UDP_CSUM, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_LDI, 1, 0, 0, 0, 64);
	p[n++] = exo_ash_insn(EXO_ASH_STB, 1, 0, IP4_TTL, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_CSUM_IP4, 0, 0, IP4, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_RET, 0, 0, 0, 0, EXO_ASH_REPLIED);
	p[n++] = exo_ash_insn(EXO_ASH_RET, 0, 0, 0, 0, EXO_ASH_DELIVER);
	memcpy(prog, p, sizeof(p));
	return (int)n;
}
