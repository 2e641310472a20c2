// SPDX-License-Identifier: GPL-2.0
/*
 * The vector's worker: a SCHED_FIFO kthread that does what the hrtimer may
 * not (set a bound thread's policy and pin, signal its exit, charge excess
 * and run the abort protocol).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

/* ---- the worker: what may sleep ------------------------------------------ */

void exo_task_set_policy(struct task_struct *task, u8 fifo)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		/* A child forked during a slot must not keep SCHED_FIFO. */
		.sched_flags = SCHED_FLAG_RESET_ON_FORK,
	};

	if (task->flags & PF_EXITING)
		return;
	if (fifo) {
		attr.sched_policy = SCHED_FIFO;
		attr.sched_priority = fifo;
	} else {
		attr.sched_policy = SCHED_NORMAL;
	}
	/* It fails only for a task that is going away: nothing to undo. */
	sched_setattr_nocheck(task, &attr);
}

/* The SCHED_FIFO priorities of bound threads, all below the worker's. */
#define EXO_PRIO_TURN	1	/* its turn runs */
#define EXO_PRIO_GRACE	2	/* it owes a yield: above the next turn */

/*
 * The SCHED_FIFO priority @seat's thread should have, 0 for SCHED_NORMAL:
 * EXO_PRIO_TURN while its turn runs, and, if it already is FIFO, while it
 * sleeps in WAIT, where it uses no CPU. So a thread that waits for its
 * next turn is not demoted and raised again: it wakes with the policy it
 * needs. Whatever wakes it other than a turn brings it back through
 * exo_seat_sync_policy() before user space. In its grace window a thread
 * that owes a yield runs above the next turn's thread, or a next owner
 * that spins could keep it from yielding and get it charged. On a CPU
 * going down it stays SCHED_NORMAL until exo's teardown unbinds it.
 */
static u8 exo_seat_want_fifo(struct exo_cpu_vec *vec,
			     struct exo_cpu_seat *seat)
{
	lockdep_assert_held(&vec->lock);
	if (exo_vec_going_down(vec))
		return 0;
	if (seat->owes_yield && vec->grace_seat == seat && !seat->waiting)
		return EXO_PRIO_GRACE;
	if (vec->runner == seat || (seat->waiting && seat->fifo))
		return EXO_PRIO_TURN;
	return 0;
}

/*
 * Make @seat's thread SCHED_FIFO if its turn runs, SCHED_NORMAL if not.
 * The worker and the thread itself (in WAIT and YIELD, so that a wake
 * needs no trip through the worker) both call it; policy_lock makes the
 * last caller apply what the vector says now, never a stale decision.
 */

/*
 * Whether @task may still run only on @cpu. BIND pinned it, but
 * sched_setaffinity() or a cpuset move can take it elsewhere, where
 * SCHED_FIFO would let it take another environment's slots or compete
 * with host tasks at real-time priority.
 */
static bool exo_task_pinned(struct task_struct *task, int cpu)
{
	return cpumask_equal(READ_ONCE(task->cpus_ptr), cpumask_of(cpu));
}

/* Whether @task has a real-time policy of its own (PI boosts do not count). */
bool exo_task_realtime(struct task_struct *task)
{
	unsigned int policy = READ_ONCE(task->policy);

	return policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_DEADLINE;
}

/*
 * Whether @task no longer has the policy exo gave it (@fifo: its SCHED_FIFO
 * priority, 0 for none): sched_setscheduler() or sched_setattr(), by the
 * thread or by another process, made it real-time on its own terms. Under
 * policy_lock, so exo's own change is never half seen.
 */
static bool exo_task_policy_changed(struct task_struct *task, u8 fifo)
{
	if (task->flags & PF_EXITING)
		return false;
	if (!fifo)
		return exo_task_realtime(task);
	return READ_ONCE(task->policy) != SCHED_FIFO ||
	       READ_ONCE(task->rt_priority) != fifo;
}

void exo_seat_sync_policy(struct exo_cpu_seat *seat, bool turn_claimed)
{
	struct exo_cpu_vec *vec = seat->vec;
	struct task_struct *task;
	bool moved, changed, hotplug;
	u8 want;

	mutex_lock(&seat->policy_lock);
	spin_lock_irq(&vec->lock);
	task = seat->task;
	want = exo_seat_want_fifo(vec, seat);
	if (!task) {
		spin_unlock_irq(&vec->lock);
		mutex_unlock(&seat->policy_lock);
		return;
	}
	changed = exo_task_policy_changed(task, seat->fifo);
	/* The kernel moves threads off a CPU going down: no abort for that. */
	hotplug = exo_vec_going_down(vec);
	/*
	 * Raised, or to be (a thread waiting at FIFO wakes at FIFO), or back
	 * from WAIT with a turn (@turn_claimed), even one it reached only
	 * after it was over: a thread off its CPU then has escaped.
	 */
	moved = (want || seat->fifo || turn_claimed) &&
		!exo_task_pinned(task, vec->cpu);
	if (want == seat->fifo && !changed && !moved) {
		spin_unlock_irq(&vec->lock);
		mutex_unlock(&seat->policy_lock);
		return;
	}
	/*
	 * Never real-time off its CPU, nor but by exo: it is demoted now,
	 * and the abort protocol takes its slots.
	 */
	if (moved || changed)
		want = 0;
	seat->fifo = want;
	get_task_struct(task);
	spin_unlock_irq(&vec->lock);
	exo_task_set_policy(task, want);
	put_task_struct(task);
	mutex_unlock(&seat->policy_lock);
	if (changed)
		exo_cpu_abort(seat->env, EXO_CPU_ABORT_POLICY);
	else if (moved && !hotplug)
		exo_cpu_abort(seat->env, EXO_CPU_ABORT_MOVED);
}

/*
 * Whether the worker has something to do. A thread waiting for the turn
 * that just began raises itself when it wakes.
 */
bool exo_vec_needs_worker(struct exo_cpu_vec *vec)
{
	struct exo_cpu_seat *seat;

	lockdep_assert_held(&vec->lock);
	list_for_each_entry(seat, &vec->bound, bound_node) {
		u8 want = exo_seat_want_fifo(vec, seat);

		if (seat->signal_pending || seat->excess_pending)
			return true;
		if (want != seat->fifo && !(want && seat->waiting))
			return true;
	}
	return false;
}

void exo_vec_kick_if_needed(struct exo_cpu_vec *vec)
{
	bool kick;

	spin_lock_irq(&vec->lock);
	kick = exo_vec_needs_worker(vec);
	spin_unlock_irq(&vec->lock);
	if (kick)
		exo_vec_kick(vec);
}

static void exo_cpu_excess(struct exo_env *env, struct exo_cpu_vec *vec)
{
	int n = atomic_inc_return(&env->cpu.excess);

	exo_page_counts(env);
	trace_exo_slot_excess(env->id, vec->cpu, n, exo_max_excess);
	exo_event_post(env, EXO_EVENT_CPU_EXCESS, n, exo_max_excess, vec->cpu,
		       0);
	if (n >= exo_max_excess)
		exo_cpu_abort(env, EXO_CPU_ABORT_EXCESS);
}

/*
 * Bring each bound thread's scheduling policy in line with the vector, and
 * deliver exit upcalls and excesses, one seat at a time so that nothing
 * that sleeps runs under the lock.
 */
void exo_vec_work(struct kthread_work *work)
{
	struct exo_cpu_vec *vec = container_of(work, struct exo_cpu_vec, work);

	for (;;) {
		struct exo_cpu_seat *seat, *found = NULL;
		struct task_struct *task = NULL;
		u32 excess = 0;
		int sig = 0;

		spin_lock_irq(&vec->lock);
		list_for_each_entry(seat, &vec->bound, bound_node) {
			u8 want = exo_seat_want_fifo(vec, seat);

			if (want == seat->fifo && !seat->signal_pending &&
			    !seat->excess_pending)
				continue;
			if (seat->signal_pending) {
				seat->signal_pending = false;
				sig = seat->signal;
			}
			excess = seat->excess_pending;
			seat->excess_pending = 0;
			task = seat->task;
			get_task_struct(task);
			found = seat;
			break;
		}
		spin_unlock_irq(&vec->lock);
		if (!found)
			return;
		/* The seat lives: its destroy flushes this work after unbinding. */
		exo_seat_sync_policy(found, false);
		if (sig)
			send_sig(sig, task, 1);
		put_task_struct(task);
		while (excess--)
			exo_cpu_excess(found->env, vec);
	}
}

/* @seat's lowest slot, or 0 if it has none: for the unbind event. */
static u32 exo_seat_first_slot(struct exo_cpu_seat *seat)
{
	struct exo_cpu_vec *vec = seat->vec;
	u64 token = exo_seat_token(seat);
	u32 i;

	lockdep_assert_held(&vec->lock);
	for (i = 0; i < vec->slots.nslots; i++)
		if (vec->slots.owner[i] == token)
			return i;
	return 0;
}

/*
 * Free every slot of @seat, for @why (EXO_WHY_*), and drop every cap it
 * granted or was granted there; a turn of it running ends. Returns how
 * many slots.
 */
u32 exo_seat_release(struct exo_cpu_seat *seat, u32 why)
{
	struct exo_cpu_vec *vec = seat->vec;
	unsigned long flags;
	u32 n, first = 0;
	LIST_HEAD(dead);

	spin_lock_irqsave(&vec->lock, flags);
	/* The scan costs nothing unless someone listens. */
	if (trace_exo_unbind_enabled())
		first = exo_seat_first_slot(seat);
	n = exo_slotvec_release(&vec->slots, exo_seat_token(seat));
	exo_seat_drop_caps(seat, NULL, &dead);
	if (vec->runner == seat)
		exo_turn_end(vec, ktime_get_ns(), false);
	exo_seat_answered(vec, seat);
	spin_unlock_irqrestore(&vec->lock, flags);
	/* The worker runs the abort, and hotplug flushes it under exo_envs_lock. */
	exo_caps_finish_later(&dead);
	atomic64_sub(n, &seat->env->slots);
	if (n)
		trace_exo_unbind(seat->env->id, EXO_TRACE_CPU, vec->cpu, first,
				 n, why);
	exo_vec_kick(vec);
	return n;
}

static const char *const exo_cpu_abort_why[] = {
	[EXO_CPU_ABORT_EXCESS]	= "ran past its turns",
	[EXO_CPU_ABORT_REVOKE]	= "kept revoked slots",
	[EXO_CPU_ABORT_MOVED]	= "its bound thread left its CPU",
	[EXO_CPU_ABORT_POLICY]	= "its bound thread was made real-time",
};

/* The trace reason of an EXO_CPU_ABORT_* reason. */
static const u32 exo_cpu_abort_trace_why[] = {
	[EXO_CPU_ABORT_EXCESS]	= EXO_WHY_EXCESS,
	[EXO_CPU_ABORT_REVOKE]	= EXO_WHY_DEADLINE,
	[EXO_CPU_ABORT_MOVED]	= EXO_WHY_MOVED,
	[EXO_CPU_ABORT_POLICY]	= EXO_WHY_POLICY,
};

/* The abort protocol: every slot goes, the event says so, the libOS dies. */
void exo_cpu_abort(struct exo_env *env, u32 reason)
{
	u32 why = reason < ARRAY_SIZE(exo_cpu_abort_trace_why) ?
		  exo_cpu_abort_trace_why[reason] : EXO_WHY_CALL;
	u32 i, taken = 0;

	/*
	 * The kill goes first, and from every caller: a thread of the libOS
	 * that finds the abort under way (the worker still releasing its
	 * seats) must not get back to user space alive, holding a turn.
	 */
	kill_pid(env->owner, SIGKILL, 1);
	if (atomic_xchg(&env->cpu.aborted, 1))
		return;
	/* The libOS is killed: say why where its user will look. */
	pr_notice_ratelimited("environment %llu (pid %d) aborted: %s\n",
			      env->id, pid_nr(env->owner),
			      reason < ARRAY_SIZE(exo_cpu_abort_why) &&
			      exo_cpu_abort_why[reason] ?
			      exo_cpu_abort_why[reason] : "?");
	for (i = 0; i < exo_nvecs; i++)
		taken += exo_seat_release(&env->cpu.seats[i], why);
	exo_page_counts(env);
	/* No revocation id: a CPU abort may have none, and it is not ours. */
	trace_exo_abort(env->id, EXO_TRACE_CPU, taken, 0, why);
	exo_event_post(env, EXO_EVENT_CPU_ABORT, taken, reason, 0, 0);
}
