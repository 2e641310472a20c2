// SPDX-License-Identifier: GPL-2.0
/*
 * Turns: the slot page an environment reads its turns from, and the
 * decisions at slot boundaries and grace deadlines, made in the vector's
 * hrtimer under vec->lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

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

void exo_page_counts(struct exo_env *env)
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

/* Show @seat's environment whether the seat's CPU is offline. */
void exo_page_offline(struct exo_cpu_seat *seat, bool offline)
{
	struct exo_env_cpu *c = &seat->env->cpu;
	struct exo_cpu_page_cpu *pc = &c->page->cpus[seat->vec->index];
	unsigned long flags;

	spin_lock_irqsave(&c->page_lock, flags);
	exo_page_write_begin(c);
	WRITE_ONCE(pc->offline, offline);
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
		trace_exo_slot_wake(seat->env->id, vec->cpu, slot, nslots,
				    reason, donor);
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
 * the exit upcall; if it was the seat's own slots, or granted ones whose
 * wake it took, it also owes a yield by @when + grace. A donated or
 * shared turn ends when someone else decided, and a granted one nobody
 * took was imposed: charging them would let one environment get another
 * aborted.
 */
void exo_turn_end(struct exo_cpu_vec *vec, u64 when, bool timed)
{
	struct exo_cpu_seat *seat = vec->runner;

	lockdep_assert_held(&vec->lock);
	if (!seat)
		return;
	vec->runner = NULL;
	exo_page_turn(seat, false, 0, 0);
	if (timed && exo_seat_live(seat)) {
		/* A grant is not asked for: only a granted turn taken owes. */
		bool owed = vec->turn_reason == EXO_CPU_WAKE_SLOT ||
			    (vec->turn_reason == EXO_CPU_WAKE_GRANTED &&
			     seat->claimed_seq == seat->wake_seq);

		trace_exo_slot_exit(seat->env->id, vec->cpu, seat->signal,
				    owed);
		if (owed) {
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

/* Slots from @slot on (cyclically) that are @seat's turn in a row. */
static u32 exo_vec_run(struct exo_cpu_vec *vec, u32 slot,
		       struct exo_cpu_seat *seat)
{
	u32 n = vec->slots.nslots, i = 0;

	while (i < n && exo_slot_runner(vec, (slot + i) % n) == seat)
		i++;
	return i;
}

/* @seat's turn goes through @cap: the grantee will be told when it dies. */
static void exo_cap_take(struct exo_cpu_cap *cap, struct exo_cpu_seat *seat)
{
	if (cap && exo_seat_live(seat))
		cap->used = true;
}

/*
 * Give @seat the slot @slot that begins at @start: its own, granted to it
 * (the grantor named as donor), or shared.
 */
static void exo_turn_begin_slot(struct exo_cpu_vec *vec,
				struct exo_cpu_seat *seat, u32 slot, u64 start)
{
	struct exo_cpu_cap *cap = vec->caps[slot];
	u32 run = 1, reason = EXO_CPU_WAKE_SHARED;
	u64 donor = 0;

	if (seat == exo_slot_runner(vec, slot)) {
		run = exo_vec_run(vec, slot, seat);
		reason = EXO_CPU_WAKE_SLOT;
		if (cap) {
			reason = EXO_CPU_WAKE_GRANTED;
			donor = cap->grantor->env->id;
			exo_cap_take(cap, seat);
		}
	}
	exo_turn_begin(vec, seat, slot, run, start, start + run * exo_quantum_ns,
		       reason, donor);
}

/* Slot number @k begins. */
static void exo_vec_boundary(struct exo_cpu_vec *vec, u64 k)
{
	u64 start = exo_slot_start(k, exo_epoch_ns, exo_quantum_ns);
	u32 slot = k % vec->slots.nslots;
	struct exo_cpu_seat *next;

	lockdep_assert_held(&vec->lock);
	vec->k = k;
	/*
	 * Between deactivation and exo's teardown nothing more begins, and a
	 * turn the scheduler is pushing off the CPU owes nothing.
	 */
	if (exo_vec_going_down(vec)) {
		exo_turn_end(vec, start, false);
		return;
	}
	next = exo_ops->pick(vec, slot, exo_slot_runner(vec, slot));
	if (next && next == vec->runner) {
		/* The same environment's next slot: the turn goes on. */
		vec->turn_end = max(vec->turn_end, start + exo_quantum_ns);
		/* A donated turn running into its own or granted slot owes. */
		if (exo_slot_runner(vec, slot) == next) {
			exo_cap_take(vec->caps[slot], next);
			if (!vec->caps[slot])
				vec->turn_reason = EXO_CPU_WAKE_SLOT;
			else if (vec->turn_reason != EXO_CPU_WAKE_SLOT)
				vec->turn_reason = EXO_CPU_WAKE_GRANTED;
		}
		return;
	}
	exo_turn_end(vec, start, true);
	if (next)
		exo_turn_begin_slot(vec, next, slot, start);
}

/* @seat gives up its running turn, to @to or back to the policy. */
void exo_turn_yield(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat,
		    struct exo_cpu_seat *to)
{
	u64 now = ktime_get_ns();
	u64 end = exo_slot_start(vec->k + 1, exo_epoch_ns, exo_quantum_ns);
	struct exo_cpu_seat *next;

	lockdep_assert_held(&vec->lock);
	exo_turn_end(vec, now, false);
	next = exo_vec_going_down(vec) ? NULL : exo_ops->yield(vec, seat, to);
	if (next && now < end)
		exo_turn_begin(vec, next, vec->k % vec->slots.nslots, 1, now,
			       end, next == to ? EXO_CPU_WAKE_DONATED :
			       EXO_CPU_WAKE_SHARED, next == to ? seat->env->id : 0);
}

/* The seat answered its exit upcall, or never needs to. */
void exo_seat_answered(struct exo_cpu_vec *vec,
		       struct exo_cpu_seat *seat)
{
	lockdep_assert_held(&vec->lock);
	seat->owes_yield = false;
	if (vec->grace_seat == seat)
		vec->grace_seat = NULL;
}

enum hrtimer_restart exo_vec_timer(struct hrtimer *timer)
{
	struct exo_cpu_vec *vec = container_of(timer, struct exo_cpu_vec,
					       timer);
	u64 now = ktime_get_ns(), k, next;
	bool kick = false;

	spin_lock(&vec->lock);
	if (vec->grace_seat && now >= vec->grace_deadline) {
		struct exo_cpu_seat *seat = vec->grace_seat;

		vec->grace_seat = NULL;
		/* A thread pushed off a CPU going down could not answer. */
		if (seat->owes_yield && !exo_vec_going_down(vec)) {
			seat->excess_pending++;
			kick = true;
		}
		seat->owes_yield = false;
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
