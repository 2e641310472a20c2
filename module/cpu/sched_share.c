// SPDX-License-Identifier: GPL-2.0
/*
 * Policy "vector-share": booked slots run their owners, as in "vector"; a
 * slot nobody booked, or the yielded rest of one, goes round robin to the
 * environments whose bound thread asked for best-effort time
 * (EXO_CPU_BIND_SHARE) and is waiting for it.
 */
#include "cpu.h"

static struct exo_cpu_seat *exo_share_next(struct exo_cpu_vec *vec,
					   struct exo_cpu_seat *skip)
{
	struct exo_cpu_seat *seat;
	u32 n = 0, pick;

	list_for_each_entry(seat, &vec->bound, bound_node)
		n += seat->share && seat->waiting && seat != skip;
	if (!n)
		return NULL;
	pick = vec->share_rr++ % n;
	list_for_each_entry(seat, &vec->bound, bound_node) {
		if (!seat->share || !seat->waiting || seat == skip)
			continue;
		if (!pick--)
			return seat;
	}
	return NULL;
}

static struct exo_cpu_seat *exo_share_pick(struct exo_cpu_vec *vec, u32 slot,
					   struct exo_cpu_seat *owner)
{
	return owner ?: exo_share_next(vec, NULL);
}

static struct exo_cpu_seat *exo_share_yield(struct exo_cpu_vec *vec,
					    struct exo_cpu_seat *from,
					    struct exo_cpu_seat *to)
{
	return to ?: exo_share_next(vec, from);
}

const struct exo_sched_ops exo_sched_vector_share = {
	.name	= "vector-share",
	.pick	= exo_share_pick,
	.yield	= exo_share_yield,
};
