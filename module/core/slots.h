/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slot vector of one CPU: who holds each slot, and the arithmetic of
 * booking patterns and slot times. Owners are opaque non-zero tokens; 0 is
 * a free slot. No locking: the user serialises every call.
 */
#ifndef EXO_CORE_SLOTS_H
#define EXO_CORE_SLOTS_H

#include "core.h"
#include "../../uapi/linux/exo.h"

struct exo_slotvec {
	u32 nslots;				/* 1..EXO_CPU_SLOTS_MAX */
	u64 owner[EXO_CPU_SLOTS_MAX];		/* token, 0 when free */
};

void exo_slotvec_init(struct exo_slotvec *vec, u32 nslots);

/* The mask of @start + i * @stride, i < @count; 0 or -EINVAL. */
int exo_slots_from_pattern(u32 nslots, u32 start, u32 count, u32 stride,
			   u64 *mask);
/* 0 if @mask names at least one slot and none at or past @nslots. */
int exo_slots_check_mask(u32 nslots, const u64 *mask);
u32 exo_slots_weight(const u64 *mask);

static inline bool exo_slots_test(const u64 *mask, u32 slot)
{
	return mask[slot / 64] >> (slot % 64) & 1;
}

/* Give every slot of @mask to @owner, or none: -EEXIST if one is held. */
int exo_slotvec_book(struct exo_slotvec *vec, u64 owner, const u64 *mask);
/* Free every slot of @mask, or none: -EPERM if one is not @owner's. */
int exo_slotvec_free(struct exo_slotvec *vec, u64 owner, const u64 *mask);
/* Free every slot of @owner; returns how many. */
u32 exo_slotvec_release(struct exo_slotvec *vec, u64 owner);
void exo_slotvec_query(const struct exo_slotvec *vec, u64 owner, u64 *free_mask,
		       u64 *mine_mask);
u32 exo_slotvec_count(const struct exo_slotvec *vec, u64 owner);

/* Slots from @slot on (cyclically) that @owner holds in a row, at most nslots. */
u32 exo_slotvec_run(const struct exo_slotvec *vec, u32 slot, u64 owner);

/*
 * Time: slot k (counted from the epoch) starts at epoch + k * quantum and
 * is slot k % nslots of the vector.
 */
static inline u64 exo_slot_number(u64 now, u64 epoch, u64 quantum)
{
	return now < epoch ? 0 : (now - epoch) / quantum;
}

static inline u64 exo_slot_start(u64 k, u64 epoch, u64 quantum)
{
	return epoch + k * quantum;
}

#endif /* EXO_CORE_SLOTS_H */
