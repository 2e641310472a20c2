// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug. A managed CPU that goes offline takes its vector's slots
 * and bound threads from every environment, visibly: each one that lost
 * something gets EXO_EVENT_CPU_OFFLINE, and nobody is aborted for it. When
 * the CPU comes back its vector starts again, empty.
 *
 * Both callbacks run on the CPU itself, in the hotplug thread, with the
 * hotplug lock held for writing. Going down, exo's state is torn down
 * after the scheduler deactivated the CPU and began pushing threads off
 * it; from then on exo_vec_going_down() holds, so that no turn begins, no
 * thread is raised to SCHED_FIFO and nobody is charged or aborted for a
 * move the kernel made.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpuhotplug.h>

#include "cpu.h"

static int exo_cpuhp_state;	/* the dynamic state, or 0 before init */

/*
 * Take @env's slots and thread on @vec, and tell it. Returns whether it
 * lost anything. Needs exo_envs_lock, which keeps @env alive.
 */
static bool exo_env_lose_vec(struct exo_env *env, struct exo_cpu_vec *vec)
{
	struct exo_cpu_seat *seat = &env->cpu.seats[vec->index];
	bool bound;
	u32 taken;

	lockdep_assert_held(&exo_envs_lock);
	mutex_lock(&env->cpu.bind_lock);
	bound = seat->task;
	exo_seat_unbind(seat, true);
	mutex_unlock(&env->cpu.bind_lock);
	taken = exo_seat_release(seat, EXO_WHY_OFFLINE);
	exo_page_offline(seat, true);
	if (taken || bound) {
		exo_page_counts(env);
		exo_event_post(env, EXO_EVENT_CPU_OFFLINE, vec->cpu, taken,
			       bound, 0);
	}
	/* A thread asleep in WAIT wakes unbound, to ENODEV, the record posted. */
	wake_up(&seat->wq);
	return taken || bound;
}

static int exo_cpu_going_offline(unsigned int cpu)
{
	struct exo_cpu_vec *vec = exo_vec_of(cpu);
	struct exo_env *env;
	LIST_HEAD(dead);
	u32 envs = 0;

	if (!vec)
		return 0;
	spin_lock_irq(&vec->lock);
	WRITE_ONCE(vec->offline, true);
	exo_turn_end(vec, ktime_get_ns(), false);
	vec->grace_seat = NULL;
	/* Caps go first, their grantees told; offline, no new one is made. */
	exo_vec_drop_caps(vec, &dead);
	spin_unlock_irq(&vec->lock);
	hrtimer_cancel(&vec->timer);
	exo_caps_finish(&dead);

	mutex_lock(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node)
		envs += exo_env_lose_vec(env, vec);
	mutex_unlock(&exo_envs_lock);
	pr_info("cpu: CPU %u went offline: %u environments lost their slots or threads there\n",
		cpu, envs);
	return 0;
}

static int exo_cpu_came_online(unsigned int cpu)
{
	struct exo_cpu_vec *vec = exo_vec_of(cpu);
	struct exo_env *env;
	bool was_offline;

	if (!vec)
		return 0;
	/* The scheduler let the worker run anywhere while the CPU was away. */
	set_cpus_allowed_ptr(vec->worker->task, cpumask_of(cpu));
	spin_lock_irq(&vec->lock);
	was_offline = vec->offline;
	WRITE_ONCE(vec->offline, false);
	vec->k = exo_slot_number(ktime_get_ns(), exo_epoch_ns, exo_quantum_ns);
	spin_unlock_irq(&vec->lock);
	if (!was_offline)
		return 0;
	/* Pinned to this CPU, which runs the callback. */
	exo_vec_timer_start(vec);

	mutex_lock(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node)
		exo_page_offline(&env->cpu.seats[vec->index], false);
	mutex_unlock(&exo_envs_lock);
	pr_info("cpu: CPU %u is back online, its slots free\n", cpu);
	return 0;
}

/* Needs cpus_read_lock, so that no managed CPU goes between init and this. */
int exo_cpu_hotplug_init(void)
{
	int ret;

	if (!exo_nvecs)
		return 0;
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "exo/cpu:online",
						   exo_cpu_came_online,
						   exo_cpu_going_offline);
	if (ret < 0) {
		pr_err("cpu: cannot follow CPU hotplug (%d)\n", ret);
		return ret;
	}
	exo_cpuhp_state = ret;
	return 0;
}

void exo_cpu_hotplug_exit(void)
{
	if (exo_cpuhp_state > 0)
		cpuhp_remove_state_nocalls(exo_cpuhp_state);
	exo_cpuhp_state = 0;
}
