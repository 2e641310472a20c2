// SPDX-License-Identifier: GPL-2.0
/*
 * Revocation and the abort protocol: an environment is asked for frames
 * by a deadline, and loses them by force, recorded in its repossession
 * vector, if it has not given them back by then.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "mem.h"

/* A revocation is over as soon as the environment holds what it may keep. */
void exo_revoke_check_met(struct exo_env *env)
{
	struct exo_env_mem *mem = &env->mem;

	lockdep_assert_held(&exo_mem_lock);
	if (mem->revoke_pending && mem->nheld <= mem->revoke_keep) {
		mem->revoke_pending = false;
		/* A worker already running sees !revoke_pending and leaves. */
		cancel_delayed_work(&mem->revoke_work);
	}
}

/* ---- revocation and the abort protocol --------------------------------- */

/*
 * Ask @env for @count frames by @deadline_ms, for @why (EXO_WHY_ADMIN or
 * EXO_WHY_PRESSURE); returns what was asked.
 */
u32 exo_revoke_request_locked(struct exo_env *env, u32 count,
			      u32 deadline_ms, u32 why)
{
	struct exo_env_mem *mem = &env->mem;
	u32 spare;

	lockdep_assert_held(&exo_mem_lock);
	spare = mem->nheld > exo_mem_reserve ? mem->nheld - exo_mem_reserve : 0;
	count = min(count, spare);
	if (!count || mem->dead)
		return 0;
	mem->revoke_pending = true;
	mem->revoke_keep = mem->nheld - count;
	mem->revoke_id = ++exo_pool.next_revoke_id;
	mem->revoke_deadline_ns = ktime_get_boottime_ns() +
				  (u64)deadline_ms * NSEC_PER_MSEC;
	/* A timer left from an earlier request must not keep its time. */
	mod_delayed_work(system_wq, &mem->revoke_work,
			 msecs_to_jiffies(deadline_ms) + 1);
	trace_exo_revoke(env->id, EXO_TRACE_MEM, count, mem->revoke_id, why);
	exo_event_post(env, EXO_EVENT_MEM_REVOKE, count,
		       mem->revoke_deadline_ns, mem->revoke_id, 0);
	return count;
}

static void exo_repossessed_push(struct exo_env_mem *mem, u32 index)
{
	if (mem->repo_count == EXO_REPO_LEN) {
		mem->repo_lost++;
		return;
	}
	mem->repossessed[(mem->repo_head + mem->repo_count) % EXO_REPO_LEN] =
		index;
	mem->repo_count++;
}

/* The deadline passed: take by force what is still owed. */
void exo_revoke_abort(struct work_struct *work)
{
	struct exo_env_mem *mem = container_of(to_delayed_work(work),
					       struct exo_env_mem,
					       revoke_work);
	struct exo_env *env = container_of(mem, struct exo_env, mem);
	u32 owed, floor, taken = 0;
	struct exo_teardown td;
	u64 revoke_id, now;

	exo_teardown_init(&td);
	exo_mem_hold_point(EXO_HOLD_REVOKE, &exo_mem_held_revoke);
	mutex_lock(&exo_mem_lock);
	if (!mem->revoke_pending || mem->dead) {
		mutex_unlock(&exo_mem_lock);
		return;
	}
	/*
	 * A run that waited for the lock while the request it was for was
	 * met, and a new one made, must not take under the new deadline.
	 */
	now = ktime_get_boottime_ns();
	if (now < mem->revoke_deadline_ns) {
		mod_delayed_work(system_wq, &mem->revoke_work,
				 nsecs_to_jiffies(mem->revoke_deadline_ns -
						  now) + 1);
		mutex_unlock(&exo_mem_lock);
		return;
	}
	mem->revoke_pending = false;
	revoke_id = mem->revoke_id;
	floor = max(mem->revoke_keep, exo_mem_reserve);
	owed = mem->nheld > floor ? mem->nheld - floor : 0;
	/* The kernel's choice: the most recently allocated frames. */
	while (taken < owed) {
		struct exo_frame *frame = list_last_entry(&mem->held,
							  struct exo_frame,
							  node);

		exo_repossessed_push(mem, frame->index);
		exo_frame_release(frame, &td, EXO_WHY_DEADLINE);
		taken++;
	}
	mutex_unlock(&exo_mem_lock);
	/* The event says the frames are gone: make it true first. */
	exo_teardown_finish(&td);
	if (taken) {
		trace_exo_abort(env->id, EXO_TRACE_MEM, taken, revoke_id,
				EXO_WHY_DEADLINE);
		exo_event_post(env, EXO_EVENT_MEM_ABORT, taken, 0, revoke_id,
			       0);
	}
}

long exo_mem_revoke_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_revoke req;
	struct exo_env *target;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_REVOKE_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || !req.count || !req.deadline_ms ||
	    req.deadline_ms > EXO_REVOKE_MS_MAX)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* A request cannot be taken back: make sure the answer can land. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;

	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_mem_lock);
	target = exo_env_find_locked(req.env_id);
	if (!target)
		ret = -ESRCH;
	else if (target->mem.revoke_pending)
		ret = -EBUSY;
	else
		req.count = exo_revoke_request_locked(target, req.count,
						      req.deadline_ms,
						      EXO_WHY_ADMIN);
	mutex_unlock(&exo_mem_lock);
	mutex_unlock(&exo_envs_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

long exo_mem_repossessed_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_repossessed req;
	struct exo_env_mem *mem = &env->mem;
	u32 *indexes, n, i;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_REPO_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.lost || !req.count ||
	    req.count > EXO_MEM_BATCH_MAX)
		return -EINVAL;
	/* Entries leave the vector only if the count can reach the caller. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	indexes = kvcalloc(req.count, sizeof(*indexes), GFP_KERNEL);
	if (!indexes)
		return -ENOMEM;

	/*
	 * Two readers must not both copy the same head entries and both
	 * drop them: the count would underflow. Pushes only append.
	 */
	mutex_lock(&mem->repo_read_lock);
	mutex_lock(&exo_mem_lock);
	n = min(req.count, mem->repo_count);
	for (i = 0; i < n; i++)
		indexes[i] = mem->repossessed[(mem->repo_head + i) %
					      EXO_REPO_LEN];
	mutex_unlock(&exo_mem_lock);

	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(req.indexes), indexes,
			 n * sizeof(*indexes)))
		goto out;
	/* Only entries that reached the caller leave the vector. */
	mutex_lock(&exo_mem_lock);
	mem->repo_head = (mem->repo_head + n) % EXO_REPO_LEN;
	mem->repo_count -= n;
	req.count = n;
	req.lost = mem->repo_lost;
	mem->repo_lost = 0;
	mutex_unlock(&exo_mem_lock);
	ret = exo_copy_result(uarg, &req, sizeof(req), req.argsz);
out:
	mutex_unlock(&mem->repo_read_lock);
	kvfree(indexes);
	return ret;
}
