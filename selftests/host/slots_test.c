// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/slots.c, the slot vector exo.ko runs unchanged:
 * patterns and masks at both sides of their limits, all-or-nothing booking
 * and freeing, queries, runs of contiguous slots and slot times.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "../../module/core/slots.h"

#define A 0xa1
#define B 0xb2

static void mask_of(u64 *mask, const u32 *slots, int n)
{
	memset(mask, 0, EXO_CPU_MASK_WORDS * sizeof(*mask));
	while (n--)
		mask[slots[n] / 64] |= (u64)1 << (slots[n] % 64);
}

TEST(pattern_contiguous_and_strided)
{
	u64 mask[EXO_CPU_MASK_WORDS];

	ASSERT_EQ(0, exo_slots_from_pattern(64, 4, 3, 1, mask));
	ASSERT_EQ(0x70ULL, mask[0]);
	ASSERT_EQ(0, exo_slots_from_pattern(64, 0, 4, 16, mask));
	ASSERT_EQ(1ULL | 1ULL << 16 | 1ULL << 32 | 1ULL << 48, mask[0]);
	ASSERT_EQ(4U, exo_slots_weight(mask));
	/* A pattern across words of a long vector. */
	ASSERT_EQ(0, exo_slots_from_pattern(256, 63, 2, 130, mask));
	ASSERT_TRUE(exo_slots_test(mask, 63));
	ASSERT_TRUE(exo_slots_test(mask, 193));
	ASSERT_EQ(2U, exo_slots_weight(mask));
}

TEST(pattern_limits)
{
	u64 mask[EXO_CPU_MASK_WORDS];

	/* The last slot is nslots - 1: fits; one further does not. */
	ASSERT_EQ(0, exo_slots_from_pattern(64, 60, 4, 1, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 61, 4, 1, mask));
	ASSERT_EQ(0, exo_slots_from_pattern(64, 63, 1, 1, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 64, 1, 1, mask));
	ASSERT_EQ(0, exo_slots_from_pattern(64, 0, 64, 1, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 0, 65, 1, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 0, 0, 1, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 0, 2, 0, mask));
	/* No overflow of (count - 1) * stride. */
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 0, 0x80000001U,
						  0xffffffffU, mask));
	ASSERT_EQ(-EINVAL, exo_slots_from_pattern(64, 1, 2, 0xffffffffU, mask));
}

TEST(mask_limits)
{
	u64 mask[EXO_CPU_MASK_WORDS] = { 0 };

	ASSERT_EQ(-EINVAL, exo_slots_check_mask(64, mask));
	mask[0] = 1ULL << 63;
	ASSERT_EQ(0, exo_slots_check_mask(64, mask));
	ASSERT_EQ(-EINVAL, exo_slots_check_mask(63, mask));
	mask[0] = 0;
	mask[1] = 1;
	ASSERT_EQ(-EINVAL, exo_slots_check_mask(64, mask));
	ASSERT_EQ(0, exo_slots_check_mask(65, mask));
	mask[1] = 0;
	mask[3] = 1ULL << 63;
	ASSERT_EQ(0, exo_slots_check_mask(256, mask));
	ASSERT_EQ(-EINVAL, exo_slots_check_mask(255, mask));
}

TEST(book_all_or_nothing)
{
	static struct exo_slotvec vec;
	u64 mask[EXO_CPU_MASK_WORDS], free_mask[EXO_CPU_MASK_WORDS];
	u64 mine[EXO_CPU_MASK_WORDS];
	const u32 a_slots[] = { 1, 2, 3 };
	const u32 b_slots[] = { 0, 3, 5 };

	exo_slotvec_init(&vec, 64);
	mask_of(mask, a_slots, 3);
	ASSERT_EQ(0, exo_slotvec_book(&vec, A, mask));
	/* B overlaps at slot 3: EEXIST and nothing of B's is booked. */
	mask_of(mask, b_slots, 3);
	ASSERT_EQ(-EEXIST, exo_slotvec_book(&vec, B, mask));
	ASSERT_EQ(0U, exo_slotvec_count(&vec, B));
	ASSERT_EQ(0ULL, vec.owner[0]);
	ASSERT_EQ(0ULL, vec.owner[5]);
	/* Booking one's own slot again is a conflict too. */
	mask_of(mask, a_slots, 1);
	ASSERT_EQ(-EEXIST, exo_slotvec_book(&vec, A, mask));

	exo_slotvec_query(&vec, A, free_mask, mine);
	ASSERT_EQ(0xeULL, mine[0]);
	ASSERT_EQ(~0xeULL, free_mask[0]);
	ASSERT_EQ(0ULL, mine[1]);
	exo_slotvec_query(&vec, B, free_mask, mine);
	ASSERT_EQ(0ULL, mine[0]);
}

TEST(free_only_ones_own)
{
	static struct exo_slotvec vec;
	u64 mask[EXO_CPU_MASK_WORDS];
	const u32 a_slots[] = { 1, 2 };
	const u32 mixed[] = { 2, 9 };

	exo_slotvec_init(&vec, 16);
	mask_of(mask, a_slots, 2);
	ASSERT_EQ(0, exo_slotvec_book(&vec, A, mask));
	ASSERT_EQ(-EPERM, exo_slotvec_free(&vec, B, mask));
	ASSERT_EQ(2U, exo_slotvec_count(&vec, A));
	/* A free slot in the mask: nothing is freed. */
	mask_of(mask, mixed, 2);
	ASSERT_EQ(-EPERM, exo_slotvec_free(&vec, A, mask));
	ASSERT_EQ(A, vec.owner[2]);
	mask_of(mask, a_slots, 2);
	ASSERT_EQ(0, exo_slotvec_free(&vec, A, mask));
	ASSERT_EQ(0U, exo_slotvec_count(&vec, A));
}

TEST(release_and_runs)
{
	static struct exo_slotvec vec;
	u64 mask[EXO_CPU_MASK_WORDS];
	const u32 wrap[] = { 0, 1, 6, 7 };

	exo_slotvec_init(&vec, 8);
	mask_of(mask, wrap, 4);
	ASSERT_EQ(0, exo_slotvec_book(&vec, A, mask));
	/* 6, 7, then 0, 1 of the next round: one run of four. */
	ASSERT_EQ(4U, exo_slotvec_run(&vec, 6, A));
	ASSERT_EQ(2U, exo_slotvec_run(&vec, 0, A));
	ASSERT_EQ(0U, exo_slotvec_run(&vec, 3, A));
	ASSERT_EQ(0U, exo_slotvec_run(&vec, 8, A));
	ASSERT_EQ(4U, exo_slotvec_release(&vec, A));
	ASSERT_EQ(0U, exo_slotvec_release(&vec, A));
	/* A vector wholly one owner's: the run stops at one round. */
	ASSERT_EQ(0, exo_slots_from_pattern(8, 0, 8, 1, mask));
	ASSERT_EQ(0, exo_slotvec_book(&vec, B, mask));
	ASSERT_EQ(8U, exo_slotvec_run(&vec, 3, B));
}

TEST(slot_times)
{
	const u64 epoch = 1000, q = 250;

	ASSERT_EQ(0ULL, exo_slot_number(0, epoch, q));
	ASSERT_EQ(0ULL, exo_slot_number(1249, epoch, q));
	ASSERT_EQ(1ULL, exo_slot_number(1250, epoch, q));
	ASSERT_EQ(1250ULL, exo_slot_start(1, epoch, q));
	ASSERT_EQ(epoch + 64 * q, exo_slot_start(64, epoch, q));
}

TEST_HARNESS_MAIN
