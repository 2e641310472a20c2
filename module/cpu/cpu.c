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
 * This file holds the parameters, the vectors, the ioctl dispatch, an
 * environment's CPU state and the module's setup; the rest is in
 *   turn.c     the slot page and the turns, decided in the vector's hrtimer
 *   worker.c   what may sleep: policy changes, signals, excess and abort
 *   slots.c    INFO, BOOK, FREE, QUERY and REVOKE
 *   thread.c   BIND, UNBIND and WAIT: a thread and its wake upcalls
 *   yield.c    YIELD, to the vector or directed to another environment
 *   grant.c    EXO_CAP_CPU: one's slots whose turns go to another
 *   hotplug.c  a managed CPU going offline and coming back
 *
 * Contexts. Slot boundaries and grace deadlines are one hrtimer per vector,
 * pinned to its CPU and run in hardirq context: it decides, under the
 * vector's spinlock, and wakes waiters. What may sleep - changing the bound
 * thread's scheduling policy, sending the exit signal, posting events, the
 * abort - runs in a kthread worker per vector that is itself SCHED_FIFO at
 * a higher priority than any bound thread, so that a spinning bound thread
 * cannot starve it.
 *
 * Locking, outermost first: exo_envs_lock (a mutex; YIELD_TO, REVOKE and
 * CAP_GRANT look environments up with it), env->cpu.bind_lock and
 * revoke_lock (mutexes), vec->lock (spinlock, irqsave; never two at once),
 * then env->cpu.page_lock. The worker takes vec->lock only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>

#include "cpu.h"

static char *exo_cpus_param = "";
module_param_named(cpus, exo_cpus_param, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPUs exo manages, a cpulist below 64 (default: every online CPU but 0)");

uint exo_nslots = 64;
module_param_named(nslots, exo_nslots, uint, 0444);
MODULE_PARM_DESC(nslots, "Slots in each CPU's vector, 1..256 (default 64)");

static uint exo_quantum_us = 15625;
module_param_named(quantum_us, exo_quantum_us, uint, 0444);
MODULE_PARM_DESC(quantum_us, "Length of a slot in us, 1000..1000000 (default 15625)");

static uint exo_grace_us = 5000;
module_param_named(grace_us, exo_grace_us, uint, 0444);
MODULE_PARM_DESC(grace_us,
		 "Time to yield after a turn ends, in us, 1..quantum_us (default 5000)");

uint exo_max_excess = 3;
module_param_named(max_excess, exo_max_excess, uint, 0444);
MODULE_PARM_DESC(max_excess, "Excesses that run the abort protocol, >= 1 (default 3)");

uint exo_env_slots;
module_param_named(env_slots, exo_env_slots, uint, 0644);
MODULE_PARM_DESC(env_slots,
		 "Most slots one environment may book on one CPU (default 0: nslots - 1, so that every turn ends)");

static char *exo_policy_param = "vector";
module_param_named(policy, exo_policy_param, charp, 0444);
MODULE_PARM_DESC(policy, "Slot scheduling policy: vector or vector-share (default vector)");

/* The policies; a new one is a new file and one line here. */
static const struct exo_sched_ops *const exo_sched_policies[] = {
	&exo_sched_vector,
	&exo_sched_vector_share,
};

const struct exo_sched_ops *exo_ops;	/* immutable after init */
static struct exo_cpu_vec *exo_vecs;		/* immutable after init */
u32 exo_nvecs;
u64 exo_cpus_mask;			/* bit n: CPU n is managed */
u64 exo_epoch_ns;
u64 exo_quantum_ns;
u64 exo_grace_ns;
atomic64_t exo_cpu_revoke_ids = ATOMIC64_INIT(0);

u64 exo_seat_token(const struct exo_cpu_seat *seat)
{
	return (u64)(uintptr_t)seat;
}

struct exo_cpu_vec *exo_vec_of(u32 cpu)
{
	u32 i;

	for (i = 0; i < exo_nvecs; i++)
		if (exo_vecs[i].cpu == cpu)
			return &exo_vecs[i];
	return NULL;
}

/* The seat of the calling thread, if it is bound; only it may change that. */
struct exo_cpu_seat *exo_my_seat(struct exo_env *env)
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
bool exo_current_bound_anywhere(void)
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
bool exo_seat_live(const struct exo_cpu_seat *seat)
{
	return seat->task && !(seat->task->flags & PF_EXITING);
}

/* Bit n: managed CPU n is online; a snapshot, as hotplug may change it. */
u64 exo_cpus_online(void)
{
	u64 online = 0;
	u32 i;

	for (i = 0; i < exo_nvecs; i++)
		if (!READ_ONCE(exo_vecs[i].offline))
			online |= BIT_ULL(exo_vecs[i].cpu);
	return online;
}

void exo_vec_kick(struct exo_cpu_vec *vec)
{
	kthread_queue_work(vec->worker, &vec->work);
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
		INIT_LIST_HEAD(&seat->caps_out);
		INIT_LIST_HEAD(&seat->caps_in);
		init_waitqueue_head(&seat->wq);
		mutex_init(&seat->policy_lock);
		if (!zalloc_cpumask_var(&seat->saved_mask, GFP_KERNEL))
			goto err;
		c->page->cpus[i].cpu = exo_vecs[i].cpu;
		c->page->cpus[i].offline = READ_ONCE(exo_vecs[i].offline);
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
		exo_seat_release(seat, EXO_WHY_CLOSE);
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

/* ---- generic netlink: EXO_CMD_GET_CPU ------------------------------------ */

static int exo_cpu_genl_put_vec(struct sk_buff *skb,
				struct netlink_callback *cb,
				struct exo_cpu_vec *vec)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_CPU);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_CPU_ID, vec->cpu) ||
	    nla_put_u32(skb, EXO_ATTR_CPU_NOW_SLOT,
			(u32)(vec->k % vec->slots.nslots)) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_CPU_RUNNER,
			      vec->runner ? vec->runner->env->id : 0,
			      EXO_ATTR_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int exo_cpu_genl_put_slot(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 struct exo_cpu_vec *vec, u32 slot,
				 struct exo_cpu_seat *seat)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_CPU);
	int excess = atomic_read(&seat->env->cpu.excess);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_CPU_ID, vec->cpu) ||
	    nla_put_u32(skb, EXO_ATTR_CPU_SLOT, slot) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, seat->env->id,
			      EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_CPU_EXCESS, max(excess, 0))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int exo_cpu_genl_put_bound(struct sk_buff *skb,
				  struct netlink_callback *cb,
				  struct exo_cpu_vec *vec,
				  struct exo_cpu_seat *seat)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_CPU);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_CPU_ID, vec->cpu) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, seat->env->id,
			      EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_CPU_TID, task_pid_nr(seat->task))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * One vector's messages from position *@pos on: 0 is the vector, 1..nslots
 * its slots, then its bound threads. *@pos is left at the first one not
 * sent, so that a dump cut by a full skb goes on there.
 */
static int exo_cpu_genl_fill_vec(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 struct exo_cpu_vec *vec, unsigned long *pos)
{
	u32 nslots = vec->slots.nslots;
	struct exo_cpu_seat *seat;
	unsigned long j = nslots + 1;
	int ret;

	lockdep_assert_held(&vec->lock);
	for (; *pos <= nslots; (*pos)++) {
		if (*pos == 0) {
			ret = exo_cpu_genl_put_vec(skb, cb, vec);
		} else {
			seat = exo_slot_owner(vec, *pos - 1);
			if (!seat)
				continue;
			ret = exo_cpu_genl_put_slot(skb, cb, vec, *pos - 1, seat);
		}
		if (ret)
			return ret;
	}
	list_for_each_entry(seat, &vec->bound, bound_node) {
		if (j++ < *pos)
			continue;
		ret = exo_cpu_genl_put_bound(skb, cb, vec, seat);
		if (ret)
			return ret;
		(*pos)++;
	}
	return 0;
}

/* cb->args[0]: the vector; cb->args[1]: the position inside it. */
int exo_cpu_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	int ret = 0;

	for (; cb->args[0] < exo_nvecs; cb->args[0]++, cb->args[1] = 0) {
		struct exo_cpu_vec *vec = &exo_vecs[cb->args[0]];

		spin_lock_irq(&vec->lock);
		ret = exo_cpu_genl_fill_vec(skb, cb, vec, &cb->args[1]);
		spin_unlock_irq(&vec->lock);
		if (ret)
			break;
	}
	/* A full skb ends this round; the dump goes on in the next. */
	return ret == -EMSGSIZE ? skb->len : ret ? ret : skb->len;
}

static void exo_cpu_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("cpu", 0400, dir, NULL, &exo_cpu_fops);
	debugfs_create_u32("cpu_hold", 0600, dir, &exo_cpu_hold);
	debugfs_create_atomic_t("held_book", 0400, dir, &exo_cpu_held_book);
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

void exo_vec_timer_start(void *arg)
{
	struct exo_cpu_vec *vec = arg;
	u64 next = exo_slot_start(vec->k + 1, exo_epoch_ns, exo_quantum_ns);

	hrtimer_start(&vec->timer, ns_to_ktime(next),
		      HRTIMER_MODE_ABS_PINNED_HARD);
}

/* Under cpus_read_lock: no managed CPU may come or go until it follows. */
static int exo_cpu_init_locked(void)
{
	cpumask_var_t mask;
	u32 cpu, i = 0;
	int ret;

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
	ret = exo_cpu_hotplug_init();
	if (ret)
		goto err;
	pr_info("cpu: %u CPUs, %u slots of %u us, policy %s\n", exo_nvecs,
		exo_nslots, exo_quantum_us, exo_ops->name);
	goto out;

err:
	for (i = 0; i < exo_nvecs; i++) {
		hrtimer_cancel(&exo_vecs[i].timer);
		kthread_destroy_worker(exo_vecs[i].worker);
	}
	kfree(exo_vecs);
	exo_vecs = NULL;
	exo_nvecs = 0;
out:
	free_cpumask_var(mask);
	return ret;
}

static int exo_cpu_init(void)
{
	int ret;

	cpus_read_lock();
	ret = exo_cpu_init_locked();
	cpus_read_unlock();
	return ret;
}

static void exo_cpu_exit(void)
{
	u32 i;

	exo_cpu_hotplug_exit();
	exo_caps_exit();
	WRITE_ONCE(exo_cpu_hold, 0);	/* no booking waits past unload */
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
	.cap_kind	= EXO_CAP_CPU,
	.cap_grant	= exo_cpu_cap_grant,
	.cap_revoke	= exo_cpu_cap_revoke,
};
