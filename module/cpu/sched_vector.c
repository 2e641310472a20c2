// SPDX-License-Identifier: GPL-2.0
/*
 * Policy "vector": strict Aegis slots. A slot runs its owner and nobody
 * else; a yielded rest goes to a directed target or back to Linux, and so
 * do slots nobody booked.
 */
#include "cpu.h"

static struct exo_cpu_seat *exo_vector_pick(struct exo_cpu_vec *vec, u32 slot,
					    struct exo_cpu_seat *owner)
{
	return owner;
}

static struct exo_cpu_seat *exo_vector_yield(struct exo_cpu_vec *vec,
					     struct exo_cpu_seat *from,
					     struct exo_cpu_seat *to)
{
	return to;
}

const struct exo_sched_ops exo_sched_vector = {
	.name	= "vector",
	.pick	= exo_vector_pick,
	.yield	= exo_vector_yield,
};
