// SPDX-License-Identifier: GPL-2.0
/*
 * YIELD: give the rest of a turn back to the vector, or to another
 * environment (a directed yield, donated or shared).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

long exo_cpu_yield_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_seat *seat, *to = NULL;
	struct exo_cpu_yield req;
	struct exo_cpu_vec *vec;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_YIELD_MINSZ, uarg);
	if (ret)
		return ret;
	if ((req.flags & ~EXO_CPU_YIELD_TO) || req.reserved || req.ended)
		return -EINVAL;
	if (!(req.flags & EXO_CPU_YIELD_TO) && req.target)
		return -EINVAL;
	if ((req.flags & EXO_CPU_YIELD_TO) && req.target == env->id)
		return -EINVAL;
	seat = exo_my_seat(env);
	if (!seat)
		return -EINVAL;
	vec = seat->vec;

	/* The target cannot go away while exo_envs_lock is held. */
	if (req.flags & EXO_CPU_YIELD_TO) {
		mutex_lock(&exo_envs_lock);
		to = exo_target_seat(vec, req.target);
		if (!to) {
			ret = -ESRCH;
			goto out;
		}
	}
	spin_lock_irq(&vec->lock);
	if (to && vec->runner != seat)
		ret = -ENOENT;
	else if (to && (!to->task || !to->waiting))
		ret = -EAGAIN;
	if (!ret) {
		req.ended = vec->runner == seat;
		if (req.ended)
			exo_turn_yield(vec, seat, to);
		exo_seat_answered(vec, seat);
	}
	spin_unlock_irq(&vec->lock);
out:
	if (req.flags & EXO_CPU_YIELD_TO)
		mutex_unlock(&exo_envs_lock);
	if (ret)
		return ret;
	exo_seat_sync_policy(seat, false);
	exo_vec_kick_if_needed(vec);
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}
