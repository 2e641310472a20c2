// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/slots.c. The input picks a vector length
 * and a sequence of bookings, frees and releases by three owners, by
 * pattern and by mask; the target replays each against a naive model and
 * checks the core's promises:
 *  - a pattern is accepted exactly when every slot it names is in the
 *    vector, and names exactly those slots;
 *  - booking and freeing are all or nothing, with EEXIST and EPERM;
 *  - queries, counts and runs agree with the model exactly, slot by slot
 *    and owner by owner.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/slots.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_slots: %s\n", what);
	abort();
}

static struct exo_slotvec vec;
static u64 model[EXO_CPU_SLOTS_MAX];

/* The naive pattern: 0 and the mask, or -EINVAL. */
static int naive_pattern(u32 n, u32 start, u32 count, u32 stride, u64 *mask)
{
	u64 i;

	memset(mask, 0, EXO_CPU_MASK_WORDS * sizeof(*mask));
	if (!count || !stride)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		u64 s = start + i * stride;

		if (s >= n)
			return -EINVAL;
		mask[s / 64] |= (u64)1 << (s % 64);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u64 mask[EXO_CPU_MASK_WORDS], want[EXO_CPU_MASK_WORDS];
	u64 free_mask[EXO_CPU_MASK_WORDS], mine[EXO_CPU_MASK_WORDS];
	size_t i;
	u32 n, s;
	u64 o;

	if (size < 1)
		return 0;
	n = 1 + data[0] % EXO_CPU_SLOTS_MAX;
	exo_slotvec_init(&vec, n);
	memset(model, 0, sizeof(model));

	for (i = 1; i + 5 <= size; i += 5) {
		u32 op = data[i] % 5, start = data[i + 2], count = data[i + 3] % 70;
		u32 stride = data[i + 4];
		u64 owner = 1 + data[i + 1] % 3;
		int ret, nret, conflict = 0;

		if (op == 4) {
			u32 got = exo_slotvec_release(&vec, owner), had = 0;

			for (s = 0; s < n; s++)
				if (model[s] == owner) {
					model[s] = 0;
					had++;
				}
			if (got != had)
				fail("release count");
			continue;
		}
		if (op < 2) {
			ret = exo_slots_from_pattern(n, start, count, stride, mask);
			nret = naive_pattern(n, start, count, stride, want);
			if (ret != nret)
				fail("pattern accepted differently");
			if (ret)
				continue;
			if (memcmp(mask, want, sizeof(mask)))
				fail("pattern names other slots");
		} else {
			memset(mask, 0, sizeof(mask));
			mask[0] = (u64)start << (stride % 57) | count;
			mask[stride % EXO_CPU_MASK_WORDS] |= (u64)stride << 56;
			if (exo_slots_check_mask(n, mask))
				continue;
		}
		if (op % 2 == 0) {
			for (s = 0; s < n; s++)
				conflict |= exo_slots_test(mask, s) && model[s];
			ret = exo_slotvec_book(&vec, owner, mask);
			if (ret != (conflict ? -EEXIST : 0))
				fail("book result");
			for (s = 0; !ret && s < n; s++)
				if (exo_slots_test(mask, s))
					model[s] = owner;
		} else {
			for (s = 0; s < n; s++)
				conflict |= exo_slots_test(mask, s) &&
					    model[s] != owner;
			ret = exo_slotvec_free(&vec, owner, mask);
			if (ret != (conflict ? -EPERM : 0))
				fail("free result");
			for (s = 0; !ret && s < n; s++)
				if (exo_slots_test(mask, s))
					model[s] = 0;
		}
		for (s = 0; s < n; s++)
			if (vec.owner[s] != model[s])
				fail("owner differs from the model");
		exo_slotvec_query(&vec, owner, free_mask, mine);
		for (s = 0; s < n; s++) {
			if (exo_slots_test(free_mask, s) != !model[s])
				fail("query free");
			if (exo_slots_test(mine, s) != (model[s] == owner))
				fail("query mine");
		}
		for (o = 0; o <= 3; o++) {
			u32 want_count = 0, want_run = 0;

			for (s = 0; s < n; s++)
				want_count += model[s] == o;
			if (exo_slotvec_count(&vec, o) != want_count)
				fail("count differs from the model");
			/* The run from the slot this step named, cyclically. */
			while (o && start < n && want_run < n &&
			       model[(start + want_run) % n] == o)
				want_run++;
			if (exo_slotvec_run(&vec, start, o) != want_run)
				fail("run differs from the model");
		}
	}
	return 0;
}
