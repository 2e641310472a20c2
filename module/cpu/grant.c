// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities of kind EXO_CAP_CPU: a run of one's slots whose turns go to
 * another environment's bound thread, and what happens to the cap when its
 * slots, either environment or the CPU go.
 *
 * A cap lives on one vector and is linked under that vector's lock only:
 * in vec->caps[] of each of its slots (what the hrtimer reads), in the
 * grantor's seat (caps_out) and the grantee's (caps_in). Either seat's
 * teardown unlinks it under the same lock before the seat goes, so a cap
 * never names a seat that is gone. The grantee is told that a cap died
 * after the lock is dropped, found again by id under exo_envs_lock, since
 * netlink may not run under a lock the hrtimer takes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "cpu.h"

static atomic64_t exo_cpu_cap_ids = ATOMIC64_INIT(0);

/* Slots [first, first + count) of @cap's. */
static bool exo_cap_has(const struct exo_cpu_cap *cap, u32 slot)
{
	return slot >= cap->first && slot - cap->first < cap->count;
}

/*
 * The slots of @cap changed hands (it was made or dropped): a turn running
 * in one that is not the slot's new runner's ends now, as FREE ends one.
 */
static void exo_cap_slots_changed(struct exo_cpu_vec *vec,
				  struct exo_cpu_cap *cap)
{
	u32 slot = vec->k % vec->slots.nslots;

	lockdep_assert_held(&vec->lock);
	if (vec->runner && exo_cap_has(cap, slot) &&
	    vec->runner != exo_slot_runner(vec, slot))
		exo_turn_end(vec, ktime_get_ns(), false);
}

/* Unlink @cap and put it on @dead, to tell the grantee if @notify. */
static void exo_cap_drop(struct exo_cpu_vec *vec, struct exo_cpu_cap *cap,
			 bool notify, struct list_head *dead)
{
	u32 i;

	lockdep_assert_held(&vec->lock);
	for (i = 0; i < cap->count; i++)
		vec->caps[cap->first + i] = NULL;
	list_del(&cap->grantee_node);
	list_del(&cap->grantor_node);
	/* Only a grantee that took it up: a GRANT loop must not flood it. */
	cap->notify = notify && cap->used;
	list_add_tail(&cap->grantor_node, dead);
	exo_cap_slots_changed(vec, cap);
}

/*
 * Drop the caps of @seat's: those it granted that cover a slot of @mask
 * (all of them if @mask is NULL), the grantee told; and if @mask is NULL,
 * those it was granted too, nobody told.
 */
void exo_seat_drop_caps(struct exo_cpu_seat *seat, const u64 *mask,
			struct list_head *dead)
{
	struct exo_cpu_vec *vec = seat->vec;
	struct exo_cpu_cap *cap, *next;
	u32 i;

	lockdep_assert_held(&vec->lock);
	list_for_each_entry_safe(cap, next, &seat->caps_out, grantor_node) {
		for (i = 0; mask && i < cap->count; i++)
			if (exo_slots_test(mask, cap->first + i))
				break;
		if (!mask || i < cap->count)
			exo_cap_drop(vec, cap, true, dead);
	}
	if (mask)
		return;
	list_for_each_entry_safe(cap, next, &seat->caps_in, grantee_node)
		exo_cap_drop(vec, cap, false, dead);
}

/* Every cap on @vec, for a CPU going offline. */
void exo_vec_drop_caps(struct exo_cpu_vec *vec, struct list_head *dead)
{
	u32 s;

	lockdep_assert_held(&vec->lock);
	for (s = 0; s < vec->slots.nslots; s++)
		if (vec->caps[s])
			exo_cap_drop(vec, vec->caps[s], true, dead);
}

/* Slots of @seat's vector granted to it. */
u32 exo_seat_granted(struct exo_cpu_seat *seat)
{
	struct exo_cpu_cap *cap;
	u32 n = 0;

	lockdep_assert_held(&seat->vec->lock);
	list_for_each_entry(cap, &seat->caps_in, grantee_node)
		n += cap->count;
	return n;
}

/*
 * Tell the grantees of the dropped caps on @dead and free them. Takes
 * exo_envs_lock: not from the vector's worker, which hotplug flushes
 * holding it (exo_caps_finish_later() is for there).
 */
void exo_caps_finish(struct list_head *dead)
{
	struct exo_cpu_cap *cap, *next;

	if (list_empty(dead))
		return;
	mutex_lock(&exo_envs_lock);
	list_for_each_entry_safe(cap, next, dead, grantor_node) {
		struct exo_env *grantee = NULL;

		if (cap->notify)
			grantee = exo_env_find_locked(cap->grantee_id);
		if (grantee)
			exo_event_post(grantee, EXO_EVENT_CPU_UNGRANTED, cap->id,
				       EXO_CAP_CPU_SLOT(cap->cpu, cap->first),
				       cap->count, 0);
		list_del(&cap->grantor_node);
		kfree(cap);
	}
	mutex_unlock(&exo_envs_lock);
}

/* Dropped caps whose grantees are yet to be told, under exo_caps_later_lock. */
static LIST_HEAD(exo_caps_later);
static DEFINE_SPINLOCK(exo_caps_later_lock);

static void exo_caps_later_work(struct work_struct *work)
{
	LIST_HEAD(dead);

	spin_lock(&exo_caps_later_lock);
	list_splice_init(&exo_caps_later, &dead);
	spin_unlock(&exo_caps_later_lock);
	exo_caps_finish(&dead);
}

static DECLARE_WORK(exo_caps_later_job, exo_caps_later_work);

/* exo_caps_finish() from a work item: for any context but hardirq. */
void exo_caps_finish_later(struct list_head *dead)
{
	if (list_empty(dead))
		return;
	spin_lock(&exo_caps_later_lock);
	list_splice_tail_init(dead, &exo_caps_later);
	spin_unlock(&exo_caps_later_lock);
	schedule_work(&exo_caps_later_job);
}

/* Module unload: every environment is gone; post what is left. */
void exo_caps_exit(void)
{
	flush_work(&exo_caps_later_job);
}

/*
 * EXO_IOC_CAP_GRANT of kind EXO_CAP_CPU; cap.c checked the shared fields.
 * All or nothing: every check is made under the vector's lock, where the
 * cap is then linked, so a failure leaves no trace.
 */
int exo_cpu_cap_grant(struct exo_env *env, struct exo_cap *req)
{
	u64 cpu = req->first / EXO_CPU_SLOTS_MAX;
	u32 slot = req->first % EXO_CPU_SLOTS_MAX, i;
	struct exo_cpu_seat *seat, *to;
	struct exo_cpu_cap *cap;
	struct exo_cpu_vec *vec;
	struct exo_env *grantee;
	int ret;

	if (req->rights != EXO_CAP_READ || cpu >= EXO_CPU_PAGE_CPUS)
		return -EINVAL;
	vec = exo_vec_of(cpu);
	if (!vec || slot >= exo_nslots || !req->count ||
	    req->count > exo_nslots - slot)
		return -EINVAL;
	cap = kzalloc(sizeof(*cap), GFP_KERNEL_ACCOUNT);
	if (!cap)
		return -ENOMEM;
	seat = &env->cpu.seats[vec->index];

	/* Held from the lookup to the link: the grantee's teardown waits. */
	mutex_lock(&exo_envs_lock);
	grantee = exo_env_find_locked(req->grantee);
	to = grantee ? &grantee->cpu.seats[vec->index] : NULL;
	spin_lock_irq(&vec->lock);
	/* Both aborts set aborted before they take this lock to drop caps. */
	ret = -EPERM;
	if (atomic_read(&env->cpu.aborted))
		goto out_unlock;
	ret = -ENODEV;
	if (vec->offline)
		goto out_unlock;
	ret = -EPERM;
	for (i = 0; i < req->count; i++)
		if (exo_slot_owner(vec, slot + i) != seat)
			goto out_unlock;
	ret = -ESRCH;
	if (!to || atomic_read(&grantee->cpu.aborted))
		goto out_unlock;
	ret = -EEXIST;
	for (i = 0; i < req->count; i++)
		if (vec->caps[slot + i])
			goto out_unlock;
	ret = -ENOSPC;
	if (exo_slotvec_count(&vec->slots, exo_seat_token(to)) +
	    exo_seat_granted(to) + req->count > exo_env_turns_max())
		goto out_unlock;

	cap->id = atomic64_inc_return(&exo_cpu_cap_ids);
	cap->grantor = seat;
	cap->grantee = to;
	cap->grantee_id = grantee->id;
	cap->cpu = vec->cpu;
	cap->first = slot;
	cap->count = req->count;
	list_add_tail(&cap->grantor_node, &seat->caps_out);
	list_add_tail(&cap->grantee_node, &to->caps_in);
	for (i = 0; i < cap->count; i++)
		vec->caps[slot + i] = cap;
	exo_cap_slots_changed(vec, cap);
	req->cap_id = cap->id;
	cap = NULL;
	ret = 0;
out_unlock:
	spin_unlock_irq(&vec->lock);
	mutex_unlock(&exo_envs_lock);
	kfree(cap);
	if (!ret)
		exo_vec_kick(vec);
	return ret;
}

/* EXO_IOC_CAP_REVOKE of kind EXO_CAP_CPU: only the grantor's ids mean anything. */
int exo_cpu_cap_revoke(struct exo_env *env, u64 cap_id)
{
	struct exo_cpu_vec *vec = NULL;
	struct exo_cpu_cap *cap;
	LIST_HEAD(dead);
	u32 i;

	for (i = 0; i < exo_nvecs && list_empty(&dead); i++) {
		struct exo_cpu_seat *seat = &env->cpu.seats[i];

		vec = seat->vec;
		spin_lock_irq(&vec->lock);
		list_for_each_entry(cap, &seat->caps_out, grantor_node) {
			if (cap->id == cap_id) {
				exo_cap_drop(vec, cap, true, &dead);
				break;
			}
		}
		spin_unlock_irq(&vec->lock);
	}
	if (list_empty(&dead))
		return -ENOENT;
	/* The grantee's thread leaves SCHED_FIFO with the turn. */
	exo_vec_kick(vec);
	exo_caps_finish(&dead);
	return 0;
}
