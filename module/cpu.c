// SPDX-License-Identifier: GPL-2.0
/*
 * CPU binding: Aegis-style time slots. Each managed CPU has a vector of
 * nslots slots of quantum_us each, repeating from a common epoch. A libOS
 * books slots by position, binds one thread per CPU to them, and gets a
 * wake upcall (its WAIT returns) when a turn of its slots begins and an
 * exit upcall (a signal) when it ends. A turn is a run of contiguous slots
 * of one environment. A thread that does not yield within grace_us of the
 * end of its turn costs its environment an excess; max_excess of them run
 * the abort protocol.
 *
 * Who runs each slot is decided by a policy behind struct exo_sched_ops
 * (cpu.h, sched_*.c), shaped like sched_ext's ops.
 *
 * Contexts. Slot boundaries and grace deadlines are one hrtimer per vector,
 * pinned to its CPU and run in hardirq context: it decides, under the
 * vector's spinlock, and wakes waiters. What may sleep - changing the bound
 * thread's scheduling policy, sending the exit signal, posting events, the
 * abort - runs in a kthread worker per vector that is itself SCHED_FIFO at
 * a higher priority than any bound thread, so that a spinning bound thread
 * cannot starve it.
 *
 * Locking, outermost first: exo_envs_lock (a mutex; YIELD_TO and REVOKE
 * look environments up with it), env->cpu.bind_lock and revoke_lock
 * (mutexes), vec->lock (spinlock, irqsave; never two at once), then
 * env->cpu.page_lock. The worker takes vec->lock only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/sched/types.h>

#include "binding.h"
#include "compat.h"
#include "cpu.h"
#include "uapi_copy.h"

static char *exo_cpus_param = "";
module_param_named(cpus, exo_cpus_param, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs exo manages, a cpulist below 64 (default: every online CPU but 0)");

static uint exo_nslots = 64;
module_param_named(nslots, exo_nslots, uint, 0444);
MODULE_PARM_DESC(nslots, "Slots in each CPU's vector, 1..256 (default 64)");

static uint exo_quantum_us = 15625;
module_param_named(quantum_us, exo_quantum_us, uint, 0444);
MODULE_PARM_DESC(quantum_us, "Length of a slot in us, 1000..1000000 (default 15625)");

static uint exo_grace_us = 5000;
module_param_named(grace_us, exo_grace_us, uint, 0444);
MODULE_PARM_DESC(grace_us,
		 "Time to yield after a turn ends, in us, 1..quantum_us (default 5000)");

static uint exo_max_excess = 3;
module_param_named(max_excess, exo_max_excess, uint, 0444);
MODULE_PARM_DESC(max_excess, "Excesses that run the abort protocol, >= 1 (default 3)");

static uint exo_env_slots;
module_param_named(env_slots, exo_env_slots, uint, 0644);
MODULE_PARM_DESC(env_slots,
		 "Most slots one environment may book on one CPU (default 0: nslots - 1, so that every turn ends)");

static char *exo_policy_param = "vector";
module_param_named(policy, exo_policy_param, charp, 0444);
MODULE_PARM_DESC(policy, "Slot scheduling policy: vector or vector-share (default vector)");

#define EXO_QUANTUM_US_MIN	1000
#define EXO_QUANTUM_US_MAX	1000000
#define EXO_CPU_REVOKE_MS_MAX	60000
#define EXO_SIGNAL_MIN		32	/* the kernel's SIGRTMIN */

/* The policies; a new one is a new file and one line here. */
static const struct exo_sched_ops *const exo_sched_policies[] = {
	&exo_sched_vector,
	&exo_sched_vector_share,
};

static const struct exo_sched_ops *exo_ops;	/* immutable after init */
static struct exo_cpu_vec *exo_vecs;		/* immutable after init */
static u32 exo_nvecs;
static u64 exo_cpus_mask;			/* bit n: CPU n is managed */
static u64 exo_epoch_ns;
static u64 exo_quantum_ns;
static u64 exo_grace_ns;
static atomic64_t exo_cpu_revoke_ids = ATOMIC64_INIT(0);

static u64 exo_seat_token(const struct exo_cpu_seat *seat)
{
	return (u64)(uintptr_t)seat;
}

static struct exo_cpu_vec *exo_vec_of(u32 cpu)
{
	u32 i;

	for (i = 0; i < exo_nvecs; i++)
		if (exo_vecs[i].cpu == cpu)
			return &exo_vecs[i];
	return NULL;
}

/* The seat of the calling thread, if it is bound; only it may change that. */
static struct exo_cpu_seat *exo_my_seat(struct exo_env *env)
{
	u32 i;

	for (i = 0; i < exo_nvecs; i++)
		if (READ_ONCE(env->cpu.seats[i].task) == current)
			return &env->cpu.seats[i];
	return NULL;
}

/*
 * Whether the calling thread is bound on any vector, in any environment:
 * a thread bound in two would run in both environments' turns.
 */
static bool exo_current_bound_anywhere(void)
{
	struct exo_cpu_seat *seat;
	bool found = false;
	u32 i;

	for (i = 0; i < exo_nvecs && !found; i++) {
		struct exo_cpu_vec *vec = &exo_vecs[i];

		spin_lock_irq(&vec->lock);
		list_for_each_entry(seat, &vec->bound, bound_node) {
			if (seat->task == current) {
				found = true;
				break;
			}
		}
		spin_unlock_irq(&vec->lock);
	}
	return found;
}

/* A bound thread that exited without unbinding owes nothing any more. */
static bool exo_seat_live(const struct exo_cpu_seat *seat)
{
	return seat->task && !(seat->task->flags & PF_EXITING);
}

static void exo_vec_kick(struct exo_cpu_vec *vec)
{
	kthread_queue_work(vec->worker, &vec->work);
}

/* ---- the slot page ------------------------------------------------------- */

static void exo_page_write_begin(struct exo_env_cpu *c)
{
	WRITE_ONCE(c->page->seq, c->page->seq + 1);
	smp_wmb();	/* seq odd before the fields change */
}

static void exo_page_write_end(struct exo_env_cpu *c)
{
	smp_wmb();	/* fields written before seq is even again */
	WRITE_ONCE(c->page->seq, c->page->seq + 1);
}

static void exo_page_turn(struct exo_cpu_seat *seat, bool running, u32 slot,
			  u64 deadline)
{
	struct exo_env_cpu *c = &seat->env->cpu;
	struct exo_cpu_page_cpu *pc = &c->page->cpus[seat->vec->index];
	unsigned long flags;

	spin_lock_irqsave(&c->page_lock, flags);
	exo_page_write_begin(c);
	WRITE_ONCE(pc->running, running);
	if (running) {
		WRITE_ONCE(pc->slot, slot);
		WRITE_ONCE(pc->deadline_ns, deadline);
		WRITE_ONCE(pc->turns, pc->turns + 1);
	}
	exo_page_write_end(c);
	spin_unlock_irqrestore(&c->page_lock, flags);
}

static void exo_page_counts(struct exo_env *env)
{
	struct exo_env_cpu *c = &env->cpu;
	unsigned long flags;

	spin_lock_irqsave(&c->page_lock, flags);
	exo_page_write_begin(c);
	WRITE_ONCE(c->page->excess, atomic_read(&c->excess));
	WRITE_ONCE(c->page->slots, atomic64_read(&env->slots));
	exo_page_write_end(c);
	spin_unlock_irqrestore(&c->page_lock, flags);
}

/* ---- turns: the decisions, under vec->lock in any context ---------------- */

static void exo_turn_begin(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat,
			   u32 slot, u32 nslots, u64 start, u64 end, u32 reason,
			   u64 donor)
{
	lockdep_assert_held(&vec->lock);
	vec->runner = seat;
	vec->turn_end = end;
	vec->turn_reason = reason;
	if (vec->grace_seat == seat)
		vec->grace_seat = NULL;
	seat->owes_yield = false;
	if (exo_seat_live(seat)) {
		if (seat->wake_seq != seat->claimed_seq)
			seat->missed++;
		seat->wake_seq++;
		seat->wake = (struct exo_cpu_wake) {
			.reason = reason,
			.cpu = vec->cpu,
			.slot = slot,
			.nslots = nslots,
			.start_ns = start,
			.end_ns = end,
			.donor = donor,
			.seq = seat->wake_seq,
		};
		wake_up(&seat->wq);
	}
	exo_page_turn(seat, true, slot, end);
	if (exo_ops->slot_begin)
		exo_ops->slot_begin(vec, seat);
}

/*
 * End the running turn at @when. A turn that ran out of time (@timed) gets
 * the exit upcall; if it was the seat's own slots, it also owes a yield by
 * @when + grace. A donated or shared turn ends when someone else decided:
 * charging it would let one environment get another aborted.
 */
static void exo_turn_end(struct exo_cpu_vec *vec, u64 when, bool timed)
{
	struct exo_cpu_seat *seat = vec->runner;

	lockdep_assert_held(&vec->lock);
	if (!seat)
		return;
	vec->runner = NULL;
	exo_page_turn(seat, false, 0, 0);
	if (timed && exo_seat_live(seat)) {
		if (vec->turn_reason == EXO_CPU_WAKE_SLOT) {
			seat->owes_yield = true;
			vec->grace_seat = seat;
			vec->grace_deadline = when + exo_grace_ns;
		}
		if (seat->signal)
			seat->signal_pending = true;
	}
	if (exo_ops->slot_end)
		exo_ops->slot_end(vec, seat);
}

/* Give @seat the slot @slot that begins at @start: its own, or shared. */
static void exo_turn_begin_slot(struct exo_cpu_vec *vec,
				struct exo_cpu_seat *seat, u32 slot, u64 start)
{
	struct exo_cpu_seat *owner = exo_slot_owner(vec, slot);
	u32 run = 1;

	if (seat == owner)
		run = exo_slotvec_run(&vec->slots, slot, exo_seat_token(seat));
	exo_turn_begin(vec, seat, slot, run, start, start + run * exo_quantum_ns,
		       seat == owner ? EXO_CPU_WAKE_SLOT : EXO_CPU_WAKE_SHARED, 0);
}

/* Slot number @k begins. */
static void exo_vec_boundary(struct exo_cpu_vec *vec, u64 k)
{
	u64 start = exo_slot_start(k, exo_epoch_ns, exo_quantum_ns);
	u32 slot = k % vec->slots.nslots;
	struct exo_cpu_seat *next;

	lockdep_assert_held(&vec->lock);
	vec->k = k;
	next = exo_ops->pick(vec, slot, exo_slot_owner(vec, slot));
	if (next && next == vec->runner) {
		/* The same environment's next slot: the turn goes on. */
		vec->turn_end = max(vec->turn_end, start + exo_quantum_ns);
		/* A donated turn that runs into the seat's own slot owes. */
		if (exo_slot_owner(vec, slot) == next)
			vec->turn_reason = EXO_CPU_WAKE_SLOT;
		return;
	}
	exo_turn_end(vec, start, true);
	if (next)
		exo_turn_begin_slot(vec, next, slot, start);
}

/* @seat gives up its running turn, to @to or back to the policy. */
static void exo_turn_yield(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat,
			   struct exo_cpu_seat *to)
{
	u64 now = ktime_get_ns();
	u64 end = exo_slot_start(vec->k + 1, exo_epoch_ns, exo_quantum_ns);
	struct exo_cpu_seat *next;

	lockdep_assert_held(&vec->lock);
	exo_turn_end(vec, now, false);
	next = exo_ops->yield(vec, seat, to);
	if (next && now < end)
		exo_turn_begin(vec, next, vec->k % vec->slots.nslots, 1, now,
			       end, next == to ? EXO_CPU_WAKE_DONATED :
			       EXO_CPU_WAKE_SHARED, next == to ? seat->env->id : 0);
}

/* The seat answered its exit upcall, or never needs to. */
static void exo_seat_answered(struct exo_cpu_vec *vec,
			      struct exo_cpu_seat *seat)
{
	lockdep_assert_held(&vec->lock);
	seat->owes_yield = false;
	if (vec->grace_seat == seat)
		vec->grace_seat = NULL;
}

static bool exo_vec_needs_worker(struct exo_cpu_vec *vec);

static enum hrtimer_restart exo_vec_timer(struct hrtimer *timer)
{
	struct exo_cpu_vec *vec = container_of(timer, struct exo_cpu_vec,
					       timer);
	u64 now = ktime_get_ns(), k, next;
	bool kick = false;

	spin_lock(&vec->lock);
	if (vec->grace_seat && now >= vec->grace_deadline) {
		struct exo_cpu_seat *seat = vec->grace_seat;

		vec->grace_seat = NULL;
		if (seat->owes_yield) {
			seat->owes_yield = false;
			seat->excess_pending++;
			kick = true;
		}
	}
	k = exo_slot_number(now, exo_epoch_ns, exo_quantum_ns);
	if (k != vec->k)
		exo_vec_boundary(vec, k);
	if (exo_ops->tick)
		exo_ops->tick(vec);
	kick = kick || exo_vec_needs_worker(vec);
	next = exo_slot_start(vec->k + 1, exo_epoch_ns, exo_quantum_ns);
	if (vec->grace_seat && vec->grace_deadline < next)
		next = vec->grace_deadline;
	spin_unlock(&vec->lock);

	if (kick)
		exo_vec_kick(vec);
	hrtimer_set_expires(timer, ns_to_ktime(next));
	return HRTIMER_RESTART;
}

/* ---- the worker: what may sleep ------------------------------------------ */

static void exo_task_set_policy(struct task_struct *task, u8 fifo)
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
 * that spins could keep it from yielding and get it charged.
 */
static u8 exo_seat_want_fifo(struct exo_cpu_vec *vec,
			     struct exo_cpu_seat *seat)
{
	lockdep_assert_held(&vec->lock);
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
static void exo_cpu_abort(struct exo_env *env, u32 reason);

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

static void exo_seat_sync_policy(struct exo_cpu_seat *seat)
{
	struct exo_cpu_vec *vec = seat->vec;
	struct task_struct *task;
	bool moved;
	u8 want;

	mutex_lock(&seat->policy_lock);
	spin_lock_irq(&vec->lock);
	task = seat->task;
	want = exo_seat_want_fifo(vec, seat);
	if (!task || want == seat->fifo) {
		spin_unlock_irq(&vec->lock);
		mutex_unlock(&seat->policy_lock);
		return;
	}
	moved = want && !exo_task_pinned(task, vec->cpu);
	if (!moved)
		seat->fifo = want;
	get_task_struct(task);
	spin_unlock_irq(&vec->lock);
	if (!moved)
		exo_task_set_policy(task, want);
	put_task_struct(task);
	mutex_unlock(&seat->policy_lock);
	/* Never raised off its CPU: the abort protocol takes its slots. */
	if (moved)
		exo_cpu_abort(seat->env, EXO_CPU_ABORT_MOVED);
}

/*
 * Whether the worker has something to do. A thread waiting for the turn
 * that just began raises itself when it wakes.
 */
static bool exo_vec_needs_worker(struct exo_cpu_vec *vec)
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

static void exo_vec_kick_if_needed(struct exo_cpu_vec *vec)
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
static void exo_vec_work(struct kthread_work *work)
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
		exo_seat_sync_policy(found);
		if (sig)
			send_sig(sig, task, 1);
		put_task_struct(task);
		while (excess--)
			exo_cpu_excess(found->env, vec);
	}
}

/* Free every slot of @seat; a turn of it running ends. Returns how many. */
static u32 exo_seat_release(struct exo_cpu_seat *seat)
{
	struct exo_cpu_vec *vec = seat->vec;
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&vec->lock, flags);
	n = exo_slotvec_release(&vec->slots, exo_seat_token(seat));
	if (vec->runner == seat)
		exo_turn_end(vec, ktime_get_ns(), false);
	exo_seat_answered(vec, seat);
	spin_unlock_irqrestore(&vec->lock, flags);
	atomic64_sub(n, &seat->env->slots);
	exo_vec_kick(vec);
	return n;
}

/* The abort protocol: every slot goes, the event says so, the libOS dies. */
static void exo_cpu_abort(struct exo_env *env, u32 reason)
{
	u32 i, taken = 0;

	if (atomic_xchg(&env->cpu.aborted, 1))
		return;
	for (i = 0; i < exo_nvecs; i++)
		taken += exo_seat_release(&env->cpu.seats[i]);
	exo_page_counts(env);
	exo_event_post(env, EXO_EVENT_CPU_ABORT, taken, reason, 0, 0);
	kill_pid(env->owner, SIGKILL, 1);
}

/* ---- ioctls ---------------------------------------------------------------- */

#define EXO_CPU_INFO_MINSZ	offsetofend(struct exo_cpu_info, policy)
#define EXO_CPU_SLOTS_MINSZ	offsetofend(struct exo_cpu_slots, mask)
#define EXO_CPU_QUERY_MINSZ	offsetofend(struct exo_cpu_query, mine)
#define EXO_CPU_BIND_MINSZ	offsetofend(struct exo_cpu_bind, signal)
#define EXO_CPU_WAKE_MINSZ	offsetofend(struct exo_cpu_wake, seq)
#define EXO_CPU_YIELD_MINSZ	offsetofend(struct exo_cpu_yield, target)
#define EXO_CPU_REVOKE_MINSZ	offsetofend(struct exo_cpu_revoke, env_id)

static long exo_cpu_info_ioctl(struct exo_env *env, void __user *uarg)
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

static long exo_cpu_book_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_slots req;
	struct exo_cpu_seat *seat;
	struct exo_cpu_vec *vec;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_SLOTS_MINSZ, uarg);
	if (ret)
		return ret;
	vec = exo_cpu_slots_parse(&req);
	if (IS_ERR(vec))
		return PTR_ERR(vec);
	/* The named slots go back out first: a booking is not taken back. */
	ret = exo_copy_result(uarg, &req, sizeof(req), req.argsz);
	if (ret)
		return ret;
	seat = &env->cpu.seats[vec->index];

	spin_lock_irq(&vec->lock);
	/*
	 * Under the vector's lock: the abort sets aborted before it takes
	 * this lock to release our slots, so nothing booked here survives it.
	 */
	if (atomic_read(&env->cpu.aborted))
		ret = -EPERM;
	else if (exo_slotvec_count(&vec->slots, exo_seat_token(seat)) +
		 exo_slots_weight(req.mask) > exo_env_slots_max())
		ret = -ENOSPC;
	else
		ret = exo_slotvec_book(&vec->slots, exo_seat_token(seat),
				       req.mask);
	spin_unlock_irq(&vec->lock);
	if (ret)
		return ret;
	atomic64_add(exo_slots_weight(req.mask), &env->slots);
	exo_page_counts(env);
	return 0;
}

static long exo_cpu_free_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_cpu_slots req;
	struct exo_cpu_seat *seat;
	struct exo_cpu_vec *vec;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CPU_SLOTS_MINSZ, uarg);
	if (ret)
		return ret;
	vec = exo_cpu_slots_parse(&req);
	if (IS_ERR(vec))
		return PTR_ERR(vec);
	ret = exo_copy_result(uarg, &req, sizeof(req), req.argsz);
	if (ret)
		return ret;
	seat = &env->cpu.seats[vec->index];

	spin_lock_irq(&vec->lock);
	ret = exo_slotvec_free(&vec->slots, exo_seat_token(seat), req.mask);
	/* A turn of the slots just freed ends; a donated one does not. */
	if (!ret && vec->runner == seat &&
	    vec->turn_reason == EXO_CPU_WAKE_SLOT &&
	    exo_slot_owner(vec, vec->k % vec->slots.nslots) != seat)
		exo_turn_end(vec, ktime_get_ns(), false);
	spin_unlock_irq(&vec->lock);
	if (ret)
		return ret;
	atomic64_sub(exo_slots_weight(req.mask), &env->slots);
	exo_page_counts(env);
	exo_vec_kick(vec);
	return 0;
}

static long exo_cpu_query_ioctl(struct exo_env *env, void __user *uarg)
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

/*
 * Take @seat's thread off the vector. With @restore, a thread that lives on
 * gets back SCHED_NORMAL and its CPUs. Needs env->cpu.bind_lock.
 */
static void exo_seat_unbind(struct exo_cpu_seat *seat, bool restore)
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

static long exo_cpu_bind_ioctl(struct exo_env *env, void __user *uarg)
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
	ret = -EBUSY;
	if (seat->task || exo_current_bound_anywhere())
		goto out;
	cpumask_copy(seat->saved_mask, current->cpus_ptr);
	ret = set_cpus_allowed_ptr(current, cpumask_of(vec->cpu));
	if (ret)
		goto out;

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

static long exo_cpu_unbind_ioctl(struct exo_env *env, void __user *uarg)
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
static struct exo_cpu_seat *exo_target_seat(struct exo_cpu_vec *vec, u64 id)
{
	struct exo_env *target;

	lockdep_assert_held(&exo_envs_lock);
	target = exo_env_find_locked(id);
	return target ? &target->cpu.seats[vec->index] : NULL;
}

static long exo_cpu_wait_ioctl(struct exo_env *env, void __user *uarg)
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
		exo_seat_sync_policy(seat);
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
	left = wait_event_interruptible_timeout(seat->wq,
						READ_ONCE(seat->wake_seq) != seen,
						timeout);

	spin_lock_irq(&vec->lock);
	seat->waiting = false;
	woken = seat->wake_seq != seen;
	if (woken)
		exo_seat_claim(seat, &req);
	spin_unlock_irq(&vec->lock);
	exo_seat_sync_policy(seat);
	if (!woken)
		return left < 0 ? -EINTR : -ETIMEDOUT;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

static long exo_cpu_yield_ioctl(struct exo_env *env, void __user *uarg)
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
	exo_seat_sync_policy(seat);
	exo_vec_kick_if_needed(vec);
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

/* The deadline of a revocation passed. */
static void exo_cpu_revoke_deadline(struct work_struct *work)
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

static long exo_cpu_revoke_ioctl(struct exo_env *env, void __user *uarg)
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
		exo_event_post(target, EXO_EVENT_CPU_REVOKE, req.count,
			       deadline, c->revoke_id, 0);
	}
	mutex_unlock(&target->cpu.revoke_lock);
out:
	mutex_unlock(&exo_envs_lock);
	return ret;
}

static long exo_cpu_ioctl(struct exo_env *env, unsigned int cmd,
			  void __user *uarg)
{
	switch (cmd) {
	case EXO_IOC_CPU_INFO:
		return exo_cpu_info_ioctl(env, uarg);
	case EXO_IOC_CPU_BOOK:
		return exo_cpu_book_ioctl(env, uarg);
	case EXO_IOC_CPU_FREE:
		return exo_cpu_free_ioctl(env, uarg);
	case EXO_IOC_CPU_QUERY:
		return exo_cpu_query_ioctl(env, uarg);
	case EXO_IOC_CPU_BIND:
		return exo_cpu_bind_ioctl(env, uarg);
	case EXO_IOC_CPU_UNBIND:
		return exo_cpu_unbind_ioctl(env, uarg);
	case EXO_IOC_CPU_WAIT:
		return exo_cpu_wait_ioctl(env, uarg);
	case EXO_IOC_CPU_YIELD:
		return exo_cpu_yield_ioctl(env, uarg);
	case EXO_IOC_CPU_REVOKE:
		return exo_cpu_revoke_ioctl(env, uarg);
	default:
		return -ENOTTY;
	}
}

/* The slot page: one page, read-only, never inherited. */
static int exo_cpu_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	exo_vm_flags_clear(vma, VM_MAYWRITE);
	exo_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, virt_to_page(env->cpu.page));
}

/* ---- environments ---------------------------------------------------------- */

static void exo_cpu_env_destroy(struct exo_env *env);

static int exo_cpu_env_init(struct exo_env *env)
{
	struct exo_env_cpu *c = &env->cpu;
	u32 i;

	mutex_init(&c->bind_lock);
	mutex_init(&c->revoke_lock);
	spin_lock_init(&c->page_lock);
	INIT_DELAYED_WORK(&c->revoke_work, exo_cpu_revoke_deadline);
	c->page = (struct exo_cpu_page *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!c->page)
		return -ENOMEM;
	c->seats = kcalloc(max(exo_nvecs, 1U), sizeof(*c->seats), GFP_KERNEL);
	if (!c->seats)
		goto err;
	c->page->ncpus = exo_nvecs;
	for (i = 0; i < exo_nvecs; i++) {
		struct exo_cpu_seat *seat = &c->seats[i];

		seat->env = env;
		seat->vec = &exo_vecs[i];
		INIT_LIST_HEAD(&seat->bound_node);
		init_waitqueue_head(&seat->wq);
		mutex_init(&seat->policy_lock);
		if (!zalloc_cpumask_var(&seat->saved_mask, GFP_KERNEL))
			goto err;
		c->page->cpus[i].cpu = exo_vecs[i].cpu;
	}
	return 0;

err:
	exo_cpu_env_destroy(env);
	return -ENOMEM;
}

/* The last close: the slots go back and a bound thread that lives is let go. */
static void exo_cpu_env_destroy(struct exo_env *env)
{
	struct exo_env_cpu *c = &env->cpu;
	u32 i;

	mutex_lock(&c->revoke_lock);
	c->dead = true;
	c->revoke_pending = false;
	mutex_unlock(&c->revoke_lock);
	cancel_delayed_work_sync(&c->revoke_work);

	for (i = 0; c->seats && i < exo_nvecs; i++) {
		struct exo_cpu_seat *seat = &c->seats[i];

		if (!seat->env)
			break;
		mutex_lock(&c->bind_lock);
		exo_seat_unbind(seat, true);
		mutex_unlock(&c->bind_lock);
		exo_seat_release(seat);
		/* No worker may still hold this environment. */
		kthread_flush_work(&seat->vec->work);
		free_cpumask_var(seat->saved_mask);
		mutex_destroy(&seat->policy_lock);
	}
	kfree(c->seats);
	c->seats = NULL;
	free_page((unsigned long)c->page);
	c->page = NULL;
	mutex_destroy(&c->bind_lock);
	mutex_destroy(&c->revoke_lock);
}

/* ---- debugfs and the module ------------------------------------------------ */

static int exo_cpu_show(struct seq_file *m, void *unused)
{
	u32 i, s, booked = 0, bound = 0;

	/* Totals first: tests read them as counters that must return to 0. */
	for (i = 0; i < exo_nvecs; i++) {
		struct exo_cpu_vec *vec = &exo_vecs[i];
		struct exo_cpu_seat *seat;

		spin_lock_irq(&vec->lock);
		booked += vec->slots.nslots - exo_slotvec_count(&vec->slots, 0);
		list_for_each_entry(seat, &vec->bound, bound_node)
			bound++;
		spin_unlock_irq(&vec->lock);
	}
	seq_printf(m, "booked: %u\nbound: %u\n", booked, bound);
	seq_printf(m, "policy: %s\nnslots: %u\nquantum_ns: %llu\ngrace_ns: %llu\nmax_excess: %u\n",
		   exo_ops->name, exo_nslots, exo_quantum_ns, exo_grace_ns,
		   exo_max_excess);
	for (i = 0; i < exo_nvecs; i++) {
		struct exo_cpu_vec *vec = &exo_vecs[i];
		struct exo_cpu_seat *seat;

		spin_lock_irq(&vec->lock);
		seq_printf(m, "cpu %u slot %llu runner %llu\n", vec->cpu,
			   vec->k % vec->slots.nslots,
			   vec->runner ? vec->runner->env->id : 0);
		for (s = 0; s < vec->slots.nslots; s++) {
			seat = exo_slot_owner(vec, s);
			if (seat)
				seq_printf(m, "cpu %u slot %u env %llu excess %d\n",
					   vec->cpu, s, seat->env->id,
					   atomic_read(&seat->env->cpu.excess));
		}
		list_for_each_entry(seat, &vec->bound, bound_node)
			seq_printf(m, "cpu %u bound env %llu tid %d signal %d\n",
				   vec->cpu, seat->env->id,
				   task_pid_nr(seat->task), seat->signal);
		spin_unlock_irq(&vec->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exo_cpu);

static void exo_cpu_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("cpu", 0400, dir, NULL, &exo_cpu_fops);
}

static int exo_cpu_parse_params(struct cpumask *mask)
{
	u32 i;

	exo_ops = NULL;
	for (i = 0; i < ARRAY_SIZE(exo_sched_policies); i++)
		if (exo_policy_param &&
		    !strcmp(exo_policy_param, exo_sched_policies[i]->name))
			exo_ops = exo_sched_policies[i];
	if (!exo_ops) {
		pr_err("policy=%s is not a known policy\n",
		       exo_policy_param ?: "");
		return -EINVAL;
	}
	if (!exo_nslots || exo_nslots > EXO_CPU_SLOTS_MAX ||
	    exo_quantum_us < EXO_QUANTUM_US_MIN ||
	    exo_quantum_us > EXO_QUANTUM_US_MAX || !exo_grace_us ||
	    exo_grace_us > exo_quantum_us || !exo_max_excess) {
		pr_err("need nslots 1..%u, quantum_us %u..%u, grace_us 1..quantum_us, max_excess >= 1\n",
		       EXO_CPU_SLOTS_MAX, EXO_QUANTUM_US_MIN, EXO_QUANTUM_US_MAX);
		return -EINVAL;
	}
	if (!exo_cpus_param || !*exo_cpus_param) {
		cpumask_copy(mask, cpu_online_mask);
		cpumask_clear_cpu(0, mask);
	} else if (cpulist_parse(exo_cpus_param, mask) ||
		   !cpumask_subset(mask, cpu_online_mask)) {
		pr_err("cpus=%s is not a list of online CPUs\n", exo_cpus_param);
		return -EINVAL;
	}
	for_each_cpu(i, mask) {
		if (i >= EXO_CPU_PAGE_CPUS) {
			pr_err("cpus: CPU %u is past the %u the slot page shows\n",
			       i, EXO_CPU_PAGE_CPUS);
			return -EINVAL;
		}
	}
	return 0;
}

static void exo_vec_timer_start(void *arg)
{
	struct exo_cpu_vec *vec = arg;
	u64 next = exo_slot_start(vec->k + 1, exo_epoch_ns, exo_quantum_ns);

	hrtimer_start(&vec->timer, ns_to_ktime(next),
		      HRTIMER_MODE_ABS_PINNED_HARD);
}

static int exo_cpu_init(void)
{
	cpumask_var_t mask;
	u32 cpu, i = 0;
	int ret;

	/* CPU hotplug is not followed: a managed CPU must stay online. */
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = exo_cpu_parse_params(mask);
	if (ret)
		goto out;
	exo_quantum_ns = (u64)exo_quantum_us * NSEC_PER_USEC;
	exo_grace_ns = (u64)exo_grace_us * NSEC_PER_USEC;
	exo_nvecs = cpumask_weight(mask);
	exo_cpus_mask = 0;
	exo_vecs = kcalloc(max(exo_nvecs, 1U), sizeof(*exo_vecs), GFP_KERNEL);
	ret = -ENOMEM;
	if (!exo_vecs)
		goto out;
	exo_epoch_ns = ktime_get_ns();
	for_each_cpu(cpu, mask) {
		struct exo_cpu_vec *vec = &exo_vecs[i];

		vec->cpu = cpu;
		vec->index = i;
		spin_lock_init(&vec->lock);
		exo_slotvec_init(&vec->slots, exo_nslots);
		INIT_LIST_HEAD(&vec->bound);
		hrtimer_init(&vec->timer, CLOCK_MONOTONIC,
			     HRTIMER_MODE_ABS_PINNED_HARD);
		vec->timer.function = exo_vec_timer;
		kthread_init_work(&vec->work, exo_vec_work);
		vec->worker = kthread_create_worker_on_cpu(cpu, 0, "exo_cpu/%u",
							   cpu);
		if (IS_ERR(vec->worker)) {
			ret = PTR_ERR(vec->worker);
			vec->worker = NULL;
			exo_nvecs = i;
			goto err;
		}
		/* Above every bound thread (sched_set_fifo_low's 1). */
		sched_set_fifo(vec->worker->task);
		exo_cpus_mask |= BIT_ULL(cpu);
		i++;
	}
	for (i = 0; i < exo_nvecs; i++) {
		exo_vecs[i].k = exo_slot_number(ktime_get_ns(), exo_epoch_ns,
						exo_quantum_ns);
		smp_call_function_single(exo_vecs[i].cpu, exo_vec_timer_start,
					 &exo_vecs[i], 1);
	}
	ret = 0;
	pr_info("cpu: %u CPUs, %u slots of %u us, policy %s\n", exo_nvecs,
		exo_nslots, exo_quantum_us, exo_ops->name);
	goto out;

err:
	for (i = 0; i < exo_nvecs; i++)
		kthread_destroy_worker(exo_vecs[i].worker);
	kfree(exo_vecs);
	exo_vecs = NULL;
	exo_nvecs = 0;
out:
	free_cpumask_var(mask);
	return ret;
}

static void exo_cpu_exit(void)
{
	u32 i;

	for (i = 0; i < exo_nvecs; i++) {
		hrtimer_cancel(&exo_vecs[i].timer);
		kthread_destroy_worker(exo_vecs[i].worker);
	}
	kfree(exo_vecs);
	exo_vecs = NULL;
	exo_nvecs = 0;
}

const struct exo_binding_ops exo_cpu_ops = {
	.name		= "cpu",
	.feature	= EXO_FEATURE_CPU,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_CPU_INFO),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_CPU_INFO) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_BOOK) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_FREE) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_QUERY) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_BIND) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_UNBIND) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_WAIT) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_YIELD) |
			  EXO_IOCTL_BIT(EXO_NR_CPU_REVOKE),
	.mmap_window	= EXO_MMAP_CPU >> EXO_MMAP_SHIFT,
	.init		= exo_cpu_init,
	.exit		= exo_cpu_exit,
	.env_init	= exo_cpu_env_init,
	.env_destroy	= exo_cpu_env_destroy,
	.ioctl		= exo_cpu_ioctl,
	.mmap		= exo_cpu_mmap,
	.debugfs_init	= exo_cpu_debugfs_init,
};
