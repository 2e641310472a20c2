// SPDX-License-Identifier: GPL-2.0
/* The slot vector's arithmetic; see slots.h. */
#include "slots.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

void exo_slotvec_init(struct exo_slotvec *vec, u32 nslots)
{
	memset(vec, 0, sizeof(*vec));
	vec->nslots = nslots;
}

int exo_slots_from_pattern(u32 nslots, u32 start, u32 count, u32 stride,
			   u64 *mask)
{
	u32 i;

	if (!count || !stride || start >= nslots)
		return -EINVAL;
	/* The last slot, start + (count - 1) * stride, without overflow. */
	if ((u64)(count - 1) * stride >= (u64)(nslots - start))
		return -EINVAL;
	memset(mask, 0, EXO_CPU_MASK_WORDS * sizeof(*mask));
	for (i = 0; i < count; i++) {
		u32 s = start + i * stride;

		mask[s / 64] |= (u64)1 << (s % 64);
	}
	return 0;
}

int exo_slots_check_mask(u32 nslots, const u64 *mask)
{
	u64 any = 0;
	u32 w;

	for (w = 0; w < EXO_CPU_MASK_WORDS; w++) {
		u64 valid;

		if (w * 64 >= nslots)
			valid = 0;
		else if (nslots - w * 64 >= 64)
			valid = ~(u64)0;
		else
			valid = ((u64)1 << (nslots - w * 64)) - 1;
		if (mask[w] & ~valid)
			return -EINVAL;
		any |= mask[w];
	}
	return any ? 0 : -EINVAL;
}

u32 exo_slots_weight(const u64 *mask)
{
	u32 w, n = 0;

	for (w = 0; w < EXO_CPU_MASK_WORDS; w++) {
		u64 m = mask[w];

		while (m) {
			m &= m - 1;
			n++;
		}
	}
	return n;
}

int exo_slotvec_book(struct exo_slotvec *vec, u64 owner, const u64 *mask)
{
	u32 s;

	for (s = 0; s < vec->nslots; s++)
		if (exo_slots_test(mask, s) && vec->owner[s])
			return -EEXIST;
	for (s = 0; s < vec->nslots; s++)
		if (exo_slots_test(mask, s))
			vec->owner[s] = owner;
	return 0;
}

int exo_slotvec_free(struct exo_slotvec *vec, u64 owner, const u64 *mask)
{
	u32 s;

	for (s = 0; s < vec->nslots; s++)
		if (exo_slots_test(mask, s) && vec->owner[s] != owner)
			return -EPERM;
	for (s = 0; s < vec->nslots; s++)
		if (exo_slots_test(mask, s))
			vec->owner[s] = 0;
	return 0;
}

u32 exo_slotvec_release(struct exo_slotvec *vec, u64 owner)
{
	u32 s, n = 0;

	for (s = 0; s < vec->nslots; s++) {
		if (vec->owner[s] == owner) {
			vec->owner[s] = 0;
			n++;
		}
	}
	return n;
}

void exo_slotvec_query(const struct exo_slotvec *vec, u64 owner, u64 *free_mask,
		       u64 *mine_mask)
{
	u32 s;

	memset(free_mask, 0, EXO_CPU_MASK_WORDS * sizeof(*free_mask));
	memset(mine_mask, 0, EXO_CPU_MASK_WORDS * sizeof(*mine_mask));
	for (s = 0; s < vec->nslots; s++) {
		u64 bit = (u64)1 << (s % 64);

		if (!vec->owner[s])
			free_mask[s / 64] |= bit;
		else if (owner && vec->owner[s] == owner)
			mine_mask[s / 64] |= bit;
	}
}

u32 exo_slotvec_count(const struct exo_slotvec *vec, u64 owner)
{
	u32 s, n = 0;

	for (s = 0; s < vec->nslots; s++)
		n += vec->owner[s] == owner;
	return n;
}

u32 exo_slotvec_run(const struct exo_slotvec *vec, u32 slot, u64 owner)
{
	u32 n = 0;

	if (!owner || slot >= vec->nslots)
		return 0;
	while (n < vec->nslots && vec->owner[(slot + n) % vec->nslots] == owner)
		n++;
	return n;
}
