// SPDX-License-Identifier: GPL-2.0
/*
 * Slots: the CPU binding's INFO, booking and freeing slots, QUERY of a
 * vector's owners, and the admin's REVOKE with its deadline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

long exo_cpu_info_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_info info;
	struct exo_cpu_vec *vec;
	struct exo_cpu_seat *seat;
	u64 token;
	int ret;

	ret = exo_copy_args(&info, sizeof(info), EXO_CPU_INFO_MINSZ, uarg);
	if (ret)
		return ret;
	if (info.flags || info.reserved)
		return -EINVAL;
	vec = exo_vec_of(info.cpu);
	if (!vec)
		return -EINVAL;
	seat = &env->cpu.seats[vec->index];
	token = exo_seat_token(seat);

	info.nslots = exo_nslots;
	info.quantum_ns = exo_quantum_ns;
	info.epoch_ns = exo_epoch_ns;
	info.grace_ns = exo_grace_ns;
	info.max_excess = exo_max_excess;
	info.ncpus = exo_nvecs;
	info.cpus = exo_cpus_mask;
	info.excess = atomic_read(&env->cpu.excess);
	memset(info.policy, 0, sizeof(info.policy));
	strscpy(info.policy, exo_ops->name, sizeof(info.policy));
	spin_lock_irq(&vec->lock);
	info.free_slots = exo_slotvec_count(&vec->slots, 0);
	info.my_slots = exo_slotvec_count(&vec->slots, token);
	spin_unlock_irq(&vec->lock);
	info.online = exo_cpus_online();
	return exo_copy_result(uarg, &info, sizeof(info), info.argsz);
}

/* A vector an environment books whole has a turn that never ends. */
static u32 exo_env_slots_max(void)
{
	u32 cap = READ_ONCE(exo_env_slots);

	if (!cap)
		return max(exo_nslots - 1, 1U);
	return min(cap, exo_nslots);
}

/*
 * Slots that may be one environment's turns on one CPU, held and granted
 * (EXO_CAP_CPU) together: never the whole vector unless env_slots says so.
 * Grants do not count against env_slots itself, or anyone could fill an
 * environment's quota by granting it slots it never asked for.
 */
u32 exo_env_turns_max(void)
{
	return max(exo_env_slots_max(), exo_nslots - 1);
}

/* Parse a BOOK or FREE request into req->mask; its vector, or an error. */
static struct exo_cpu_vec *exo_cpu_slots_parse(struct exo_cpu_slots *req)
{
	struct exo_cpu_vec *vec = exo_vec_of(req->cpu);
	u32 w;

	if (!vec)
		return ERR_PTR(-EINVAL);
	if (req->flags == EXO_CPU_SLOTS_PATTERN) {
		for (w = 0; w < EXO_CPU_MASK_WORDS; w++)
			if (req->mask[w])
				return ERR_PTR(-EINVAL);
		if (exo_slots_from_pattern(exo_nslots, req->start, req->count,
					   req->stride, req->mask))
			return ERR_PTR(-EINVAL);
	} else if (req->flags == EXO_CPU_SLOTS_MASK) {
		if (req->start || req->count || req->stride ||
		    exo_slots_check_mask(exo_nslots, req->mask))
			return ERR_PTR(-EINVAL);
	} else {
		return ERR_PTR(-EINVAL);
	}
	return vec;
}

/*
 * The slots BOOK and FREE name, copied in and checked, and copied back out
 * before anything changes: a booking is not taken back for an EFAULT.
 */
static struct exo_cpu_vec *exo_cpu_slots_copy(struct exo_cpu_slots *req,
					      void __user *uarg)
{
	struct exo_cpu_vec *vec;
	int ret;

	ret = exo_copy_args(req, sizeof(*req), EXO_CPU_SLOTS_MINSZ, uarg);
	if (ret)
		return ERR_PTR(ret);
	vec = exo_cpu_slots_parse(req);
	if (IS_ERR(vec))
		return vec;
	ret = exo_copy_result(uarg, req, sizeof(*req), req->argsz);
	return ret ? ERR_PTR(ret) : vec;
}

/*
 * Test hook (debugfs "cpu_hold", root only): while it is non-zero, CPU_BOOK
 * waits, counted in "held_book", just before it takes the vector's lock,
 * so that a test can run an abort inside a booking without timing.
 */
u32 exo_cpu_hold;			/* READ_ONCE, written by debugfs */
atomic_t exo_cpu_held_book;

static void exo_cpu_hold_point(void)
{
	if (likely(!READ_ONCE(exo_cpu_hold)))
		return;
	atomic_inc(&exo_cpu_held_book);
	while (READ_ONCE(exo_cpu_hold))
		msleep(20);
	atomic_dec(&exo_cpu_held_book);
}

/* The lowest slot of @mask, the index its trace events name. */
static u32 exo_slots_first(const u64 *mask)
{
	u32 w;

	for (w = 0; w < EXO_CPU_MASK_WORDS; w++)
		if (mask[w])
			return w * 64 + __ffs64(mask[w]);
	return 0;
}

long exo_cpu_book_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_slots req;
	struct exo_cpu_seat *seat;
	struct exo_cpu_vec *vec;
	int ret;

	vec = exo_cpu_slots_copy(&req, uarg);
	if (IS_ERR(vec))
		return PTR_ERR(vec);
	seat = &env->cpu.seats[vec->index];
	exo_cpu_hold_point();

	spin_lock_irq(&vec->lock);
	/*
	 * Under the vector's lock: the abort sets aborted before it takes
	 * this lock to release our slots, so nothing booked here survives it.
	 */
	if (atomic_read(&env->cpu.aborted))
		ret = -EPERM;
	else if (vec->offline)
		ret = -ENODEV;
	else if (exo_slotvec_count(&vec->slots, exo_seat_token(seat)) +
		 exo_slots_weight(req.mask) > exo_env_slots_max() ||
		 exo_slotvec_count(&vec->slots, exo_seat_token(seat)) +
		 exo_seat_granted(seat) + exo_slots_weight(req.mask) >
		 exo_env_turns_max())
		ret = -ENOSPC;
	else
		ret = exo_slotvec_book(&vec->slots, exo_seat_token(seat),
				       req.mask);
	spin_unlock_irq(&vec->lock);
	if (ret)
		return ret;
	atomic64_add(exo_slots_weight(req.mask), &env->slots);
	trace_exo_bind(env->id, EXO_TRACE_CPU, vec->cpu,
		       exo_slots_first(req.mask), exo_slots_weight(req.mask),
		       EXO_WHY_CALL);
	exo_page_counts(env);
	return 0;
}

long exo_cpu_free_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_slots req;
	struct exo_cpu_seat *seat;
	struct exo_cpu_vec *vec;
	LIST_HEAD(dead);
	int ret;

	vec = exo_cpu_slots_copy(&req, uarg);
	if (IS_ERR(vec))
		return PTR_ERR(vec);
	seat = &env->cpu.seats[vec->index];

	spin_lock_irq(&vec->lock);
	ret = exo_slotvec_free(&vec->slots, exo_seat_token(seat), req.mask);
	/* Caps on them die, and a grantee's turn in them ends. */
	if (!ret)
		exo_seat_drop_caps(seat, req.mask, &dead);
	/* A turn of the slots just freed ends; a donated one does not. */
	if (!ret && vec->runner == seat &&
	    exo_turn_of_slots(vec->turn_reason) &&
	    exo_slot_runner(vec, vec->k % vec->slots.nslots) != seat)
		exo_turn_end(vec, ktime_get_ns(), false);
	spin_unlock_irq(&vec->lock);
	if (ret)
		return ret;
	exo_caps_finish(&dead);
	atomic64_sub(exo_slots_weight(req.mask), &env->slots);
	trace_exo_unbind(env->id, EXO_TRACE_CPU, vec->cpu,
			 exo_slots_first(req.mask), exo_slots_weight(req.mask),
			 EXO_WHY_CALL);
	exo_page_counts(env);
	exo_vec_kick(vec);
	return 0;
}

long exo_cpu_query_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_query req;
	struct exo_cpu_vec *vec;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_QUERY_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	vec = exo_vec_of(req.cpu);
	if (!vec)
		return -EINVAL;
	spin_lock_irq(&vec->lock);
	exo_slotvec_query(&vec->slots,
			  exo_seat_token(&env->cpu.seats[vec->index]),
			  req.free, req.mine);
	spin_unlock_irq(&vec->lock);
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

/* The deadline of a revocation passed. */
void exo_cpu_revoke_deadline(struct work_struct *work)
{
	struct exo_env_cpu *c = container_of(to_delayed_work(work),
					     struct exo_env_cpu, revoke_work);
	struct exo_env *env = container_of(c, struct exo_env, cpu);
	bool abort;

	mutex_lock(&c->revoke_lock);
	abort = c->revoke_pending && !c->dead &&
		atomic64_read(&env->slots) > c->revoke_keep;
	c->revoke_pending = false;
	mutex_unlock(&c->revoke_lock);
	if (abort)
		exo_cpu_abort(env, EXO_CPU_ABORT_REVOKE);
}

long exo_cpu_revoke_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_revoke req;
	struct exo_env *target;
	u64 held, deadline;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_REVOKE_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || !req.count || !req.deadline_ms ||
	    req.deadline_ms > EXO_CPU_REVOKE_MS_MAX)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	mutex_lock(&exo_envs_lock);
	target = exo_env_find_locked(req.env_id);
	if (!target) {
		ret = -ESRCH;
		goto out;
	}
	mutex_lock(&target->cpu.revoke_lock);
	held = atomic64_read(&target->slots);
	if (target->cpu.revoke_pending) {
		ret = -EBUSY;
	} else if (req.count > held) {
		ret = -EINVAL;
	} else {
		struct exo_env_cpu *c = &target->cpu;

		c->revoke_pending = true;
		c->revoke_keep = held - req.count;
		c->revoke_id = atomic64_inc_return(&exo_cpu_revoke_ids);
		deadline = ktime_get_boottime_ns() +
			   (u64)req.deadline_ms * NSEC_PER_MSEC;
		schedule_delayed_work(&c->revoke_work,
				      msecs_to_jiffies(req.deadline_ms));
		trace_exo_revoke(target->id, EXO_TRACE_CPU, req.count,
				 c->revoke_id, EXO_WHY_ADMIN);
		exo_event_post(target, EXO_EVENT_CPU_REVOKE, req.count,
			       deadline, c->revoke_id, 0);
	}
	mutex_unlock(&target->cpu.revoke_lock);
out:
	mutex_unlock(&exo_envs_lock);
	return ret;
}
