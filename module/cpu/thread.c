// SPDX-License-Identifier: GPL-2.0
/*
 * Threads: BIND one thread per managed CPU to an environment's slots,
 * UNBIND it, and WAIT for the wake upcall of its next turn.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

/*
 * Take @seat's thread off the vector. With @restore, a thread that lives on
 * gets back SCHED_NORMAL and its CPUs. Needs env->cpu.bind_lock.
 */
void exo_seat_unbind(struct exo_cpu_seat *seat, bool restore)
{
	struct exo_cpu_vec *vec = seat->vec;
	struct task_struct *task;

	lockdep_assert_held(&seat->env->cpu.bind_lock);
	spin_lock_irq(&vec->lock);
	task = seat->task;
	if (task) {
		WRITE_ONCE(seat->task, NULL);
		list_del_init(&seat->bound_node);
	}
	seat->waiting = false;
	seat->signal_pending = false;
	seat->excess_pending = 0;
	seat->fifo = 0;
	exo_seat_answered(vec, seat);
	spin_unlock_irq(&vec->lock);
	if (!task)
		return;
	/* The worker may be changing this thread's policy: let it finish. */
	kthread_flush_work(&vec->work);
	if (restore && !(task->flags & PF_EXITING)) {
		exo_task_set_policy(task, 0);
		set_cpus_allowed_ptr(task, seat->saved_mask);
	}
	put_task_struct(task);
}

long exo_cpu_bind_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_bind req;
	struct exo_cpu_seat *seat;
	struct exo_cpu_vec *vec;
	bool runner;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_BIND_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags & ~EXO_CPU_BIND_SHARE)
		return -EINVAL;
	if (req.signal && (req.signal < EXO_SIGNAL_MIN || req.signal > _NSIG))
		return -EINVAL;
	vec = exo_vec_of(req.cpu);
	if (!vec)
		return -EINVAL;
	seat = &env->cpu.seats[vec->index];

	mutex_lock(&env->cpu.bind_lock);
	/* A bound thread that exited leaves its seat to the next one. */
	if (seat->task && (seat->task->flags & PF_EXITING))
		exo_seat_unbind(seat, false);
	/* A CPU going down after this check unbinds us under bind_lock. */
	ret = -ENODEV;
	if (exo_vec_going_down(vec))
		goto out;
	ret = -EBUSY;
	if (seat->task || exo_current_bound_anywhere())
		goto out;
	cpumask_copy(seat->saved_mask, current->cpus_ptr);
	ret = set_cpus_allowed_ptr(current, cpumask_of(vec->cpu));
	if (ret) {
		if (exo_vec_going_down(vec))
			ret = -ENODEV;
		goto out;
	}
	/* From here only exo makes it real-time (see exo_seat_sync_policy). */
	if (exo_task_realtime(current))
		exo_task_set_policy(current, 0);

	spin_lock_irq(&vec->lock);
	WRITE_ONCE(seat->task, get_task_struct(current));
	seat->signal = req.signal;
	seat->share = req.flags & EXO_CPU_BIND_SHARE;
	seat->fifo = 0;
	seat->claimed_seq = seat->wake_seq;
	seat->missed = 0;
	list_add_tail(&seat->bound_node, &vec->bound);
	runner = vec->runner == seat;
	spin_unlock_irq(&vec->lock);
	if (runner)
		exo_vec_kick(vec);
out:
	mutex_unlock(&env->cpu.bind_lock);
	return ret;
}

long exo_cpu_unbind_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_bind req;
	struct exo_cpu_seat *seat;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_BIND_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.cpu || req.signal)
		return -EINVAL;
	mutex_lock(&env->cpu.bind_lock);
	seat = exo_my_seat(env);
	if (seat)
		exo_seat_unbind(seat, true);
	mutex_unlock(&env->cpu.bind_lock);
	return seat ? 0 : -EINVAL;
}

/* The caller takes the wake record of @seat's latest turn. */
static void exo_seat_claim(struct exo_cpu_seat *seat, struct exo_cpu_wake *out)
{
	u32 argsz = out->argsz, timeout_ms = out->timeout_ms, flags = out->flags;
	u64 target = out->target;

	lockdep_assert_held(&seat->vec->lock);
	*out = seat->wake;
	out->argsz = argsz;
	out->flags = flags;
	out->timeout_ms = timeout_ms;
	out->target = target;
	out->missed = seat->missed;
	seat->missed = 0;
	seat->claimed_seq = seat->wake_seq;
}

/*
 * The seat of environment @id on @vec, or NULL. Needs exo_envs_lock, which
 * keeps it alive.
 */
struct exo_cpu_seat *exo_target_seat(struct exo_cpu_vec *vec, u64 id)
{
	struct exo_env *target;

	lockdep_assert_held(&exo_envs_lock);
	target = exo_env_find_locked(id);
	return target ? &target->cpu.seats[vec->index] : NULL;
}

long exo_cpu_wait_ioctl(struct exo_env *env, void __user *uarg)
{
	bool donate, woken;
	struct exo_cpu_seat *seat, *to = NULL;
	struct exo_cpu_wake req;
	struct exo_cpu_vec *vec;
	long timeout, left;
	u64 seen;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_WAKE_MINSZ, uarg);
	if (ret)
		return ret;
	donate = req.flags & EXO_CPU_WAIT_DONATE;
	if ((req.flags & ~EXO_CPU_WAIT_DONATE) || (!donate && req.target) ||
	    (donate && req.target == env->id))
		return -EINVAL;
	seat = exo_my_seat(env);
	if (!seat)
		return -EINVAL;
	vec = seat->vec;

	if (donate) {
		mutex_lock(&exo_envs_lock);
		to = exo_target_seat(vec, req.target);
		if (!to) {
			mutex_unlock(&exo_envs_lock);
			return -ESRCH;
		}
	}
	spin_lock_irq(&vec->lock);
	if (vec->runner == seat && seat->claimed_seq != seat->wake_seq) {
		/* The turn began before the caller got here: it is this one. */
		exo_seat_claim(seat, &req);
		spin_unlock_irq(&vec->lock);
		if (donate)
			mutex_unlock(&exo_envs_lock);
		exo_seat_sync_policy(seat, true);
		return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
	}
	if (to && vec->runner == seat && (!to->task || !to->waiting)) {
		spin_unlock_irq(&vec->lock);
		mutex_unlock(&exo_envs_lock);
		return -EAGAIN;
	}
	if (vec->runner == seat)
		exo_turn_yield(vec, seat, to);
	exo_seat_answered(vec, seat);
	seen = seat->wake_seq;
	seat->waiting = true;
	spin_unlock_irq(&vec->lock);
	if (donate)
		mutex_unlock(&exo_envs_lock);
	/* A FIFO thread sleeps FIFO; whatever wakes it syncs it below. */
	exo_vec_kick_if_needed(vec);

	timeout = req.timeout_ms ? msecs_to_jiffies(req.timeout_ms) :
		  MAX_SCHEDULE_TIMEOUT;
	/* A CPU going offline unbinds the thread and wakes it. */
	left = wait_event_interruptible_timeout(seat->wq,
						READ_ONCE(seat->wake_seq) != seen ||
						READ_ONCE(seat->task) != current,
						timeout);

	spin_lock_irq(&vec->lock);
	seat->waiting = false;
	woken = seat->wake_seq != seen;
	if (woken)
		exo_seat_claim(seat, &req);
	spin_unlock_irq(&vec->lock);
	exo_seat_sync_policy(seat, woken);
	if (!woken && READ_ONCE(seat->task) != current)
		return -ENODEV;
	if (!woken)
		return left < 0 ? -EINTR : -ETIMEDOUT;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}
