// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/ash.c. The input is a program length, a
 * frame length, a program and the frame's bytes. The verifier must never
 * crash; a program it accepts must then run to a verdict or a defined
 * fault within one step per instruction, read the frame only inside its
 * length and write the reply only inside EXO_ASH_TX_MAX (both buffers are
 * allocated to their exact size, so ASan sees one byte past), give the
 * same answer twice, and never send a reply shorter than a header.
 * Rejections are counted and printed at exit, so a run that accepts
 * nothing shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/ash.h"

static unsigned long accepted, rejected;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_ash: %s\n", what);
	abort();
}

static void report(void)
{
	fprintf(stderr, "fuzz_ash: %lu accepted, %lu rejected\n", accepted,
		rejected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exo_ash_insn prog[EXO_ASH_MAX_INSNS + 1];
	static int registered;
	struct exo_ash_ctx a, b;
	uint32_t len, flen, bad_pc = ~0U;
	uint8_t *frame, *tx, *tx2;
	int ra, rb;

	if (!registered) {
		atexit(report);
		registered = 1;
	}
	if (size < 3)
		return 0;
	len = 1 + data[0] % (EXO_ASH_MAX_INSNS + 1);
	flen = (data[1] | (uint32_t)data[2] << 8) % (EXO_ASH_TX_MAX + 64);
	data += 3;
	size -= 3;
	if (len > size / sizeof(prog[0]))
		len = size / sizeof(prog[0]);
	if (!len)
		return 0;
	memcpy(prog, data, len * sizeof(prog[0]));
	data += len * sizeof(prog[0]);
	size -= len * sizeof(prog[0]);

	if (exo_ash_verify(prog, len, &bad_pc)) {
		rejected++;
		if (bad_pc > len)
			fail("rejection names no instruction");
		return 0;
	}
	accepted++;
	if (len > EXO_ASH_MAX_INSNS)
		fail("accepted an over-long program");
	if (prog[len - 1].code != EXO_ASH_RET)
		fail("accepted a program that does not end in RET");

	frame = malloc(flen ? flen : 1);
	tx = malloc(EXO_ASH_TX_MAX);
	tx2 = malloc(EXO_ASH_TX_MAX);
	if (!frame || !tx || !tx2)
		fail("out of memory");
	for (uint32_t i = 0; i < flen; i++)
		frame[i] = i < size ? data[i] : (uint8_t)(i * 7);
	memset(&a, 0, sizeof(a));
	a.frame = frame;
	a.flen = flen;
	a.tx = tx;
	b = a;
	b.tx = tx2;
	ra = exo_ash_run(prog, len, &a);
	rb = exo_ash_run(prog, len, &b);
	if (ra != EXO_ASH_DELIVER && ra != EXO_ASH_DROP &&
	    ra != EXO_ASH_REPLIED && ra != -EFAULT)
		fail("accepted program ended without a verdict");
	if (a.steps > len)
		fail("ran more steps than it has instructions");
	if (a.txlen > EXO_ASH_TX_MAX)
		fail("reply longer than its buffer");
	if (ra == EXO_ASH_REPLIED && a.txlen < 14)
		fail("replied with less than an Ethernet header");
	if (ra != rb || a.steps != b.steps || a.txlen != b.txlen ||
	    (ra == EXO_ASH_REPLIED && memcmp(tx, tx2, a.txlen)))
		fail("two runs differ");
	free(frame);
	free(tx);
	free(tx2);
	return 0;
}
