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
#define ICMP_TYPE	(IP4 + 20)
#define ICMP_CSUM	(IP4 + 22)

/*
 * The tests both ready programs start with, at @p: plain IPv4 (IHL 5) of
 * protocol @proto, not a fragment (MF or an offset: the libOS's to
 * reassemble), else a jump to @last. Returns the instructions written.
 */
static __u32 ash_ip4_prelude(struct exo_ash_insn *p, __u32 last, __u8 proto)
{
	__u32 n = 0;

#define J(code, imm) exo_ash_insn(code, 0, 0, last - n - 1, 0, imm)
	p[n++] = exo_ash_insn(EXO_ASH_LDH, 0, 0, ETH_TYPE, 0, 0);
	p[n] = J(EXO_ASH_JNE, 0x0800), n++;
	p[n++] = exo_ash_insn(EXO_ASH_LDB, 0, 0, IP4, 0, 0);
	p[n] = J(EXO_ASH_JNE, 0x45), n++;
	p[n++] = exo_ash_insn(EXO_ASH_LDB, 0, 0, IP4_PROTO, 0, 0);
	p[n] = J(EXO_ASH_JNE, proto), n++;
	p[n++] = exo_ash_insn(EXO_ASH_LDH, 0, 0, IP4_FRAG, 0, 0);
	p[n] = J(EXO_ASH_JSET, 0x3fff), n++;
#undef J
	return n;
}

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
	n = ash_ip4_prelude(p, LAST, 17);
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

LIBEXO_EXPORT int exo_ash_icmp_echo(struct exo_ash_insn *prog, __u32 room)
{
	enum { LAST = EXO_ASH_ICMP_ECHO_LEN - 1 };
	struct exo_ash_insn p[EXO_ASH_ICMP_ECHO_LEN];
	__u32 n = 0;

	if (!prog)
		return exo_err(EINVAL);
	if (room < EXO_ASH_ICMP_ECHO_LEN)
		return exo_err(ENOSPC);
	n = ash_ip4_prelude(p, LAST, 1);
	p[n++] = exo_ash_insn(EXO_ASH_LDB, 0, 0, ICMP_TYPE, 0, 0);
	p[n] = exo_ash_insn(EXO_ASH_JNE, 0, 0, LAST - n - 1, 0, 8), n++;
	p[n++] = exo_ash_insn(EXO_ASH_COPYALL, 0, 0, 0, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_SWAP, 0, 6, 0, 6, 0);
	p[n++] = exo_ash_insn(EXO_ASH_SWAP, 0, 4, IP4_SRC, IP4_DST, 0);
	/* Type 0, echo reply; identifier, sequence and data as they came. */
	p[n++] = exo_ash_insn(EXO_ASH_LDI, 1, 0, 0, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_STB, 1, 0, ICMP_TYPE, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_LDI, 1, 0, 0, 0, 64);
	p[n++] = exo_ash_insn(EXO_ASH_STB, 1, 0, IP4_TTL, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_CSUM_IP4, 0, 0, IP4, 0, 0);
	p[n++] = exo_ash_insn(EXO_ASH_CSUM, 0, 0, ICMP_CSUM, ICMP_TYPE, 0);
	p[n++] = exo_ash_insn(EXO_ASH_RET, 0, 0, 0, 0, EXO_ASH_REPLIED);
	p[n++] = exo_ash_insn(EXO_ASH_RET, 0, 0, 0, 0, EXO_ASH_DELIVER);
	memcpy(prog, p, sizeof(p));
	return (int)n;
}
