// SPDX-License-Identifier: GPL-2.0
/*
 * Environments: creation, ownership, teardown and the debugfs status file.
 *
 * An environment belongs to the thread group that opened /dev/exo. Another
 * process holding the same file (by fork or SCM_RIGHTS) cannot use it: the
 * bindings name resources that are the opener's alone.
 */
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/ktime.h>

#include "binding.h"
#include "exo.h"

/* Protects exo_envs: creation, teardown, debugfs and netlink walks. */
DEFINE_MUTEX(exo_envs_lock);
LIST_HEAD(exo_envs);
atomic_t exo_envs_live = ATOMIC_INIT(0);
atomic64_t exo_envs_created = ATOMIC64_INIT(0);

static u64 exo_next_env_id;		/* under exo_envs_lock */

static uint exo_envs_per_user = 1024;
module_param_named(envs_per_user, exo_envs_per_user, uint, 0644);
MODULE_PARM_DESC(envs_per_user,
		 "Environments one uid may have open at once; open fails with EMFILE past it (default 1024)");

static u32 exo_envs_of_uid_locked(kuid_t uid)
{
	struct exo_env *env;
	u32 n = 0;

	lockdep_assert_held(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node)
		n += uid_eq(env->owner_uid, uid);
	return n;
}

static struct dentry *exo_debugfs_dir;

/* Tear down every binding of @env, which is in no list, and free it. */
static void exo_env_free(struct exo_env *env)
{
	exo_bindings_env_destroy(env);
	put_pid(env->owner);
	mutex_destroy(&env->read_lock);
	kvfree(env);
}

struct exo_env *exo_env_create(void)
{
	struct exo_env *env;
	int ret;

	env = kvzalloc(struct_size(env, event_slots, exo_event_queue_len),
		       GFP_KERNEL_ACCOUNT);
	if (!env)
		return ERR_PTR(-ENOMEM);

	env->owner = get_pid(task_tgid(current));
	env->owner_uid = current_uid();
	env->created_ns = ktime_get_boottime_ns();
	mutex_init(&env->read_lock);
	init_waitqueue_head(&env->event_wait);
	spin_lock_init(&env->event_lock);
	exo_evring_init(&env->events, env->event_slots, exo_event_queue_len);
	ret = exo_bindings_env_init(env);
	if (ret) {
		put_pid(env->owner);
		kvfree(env);
		return ERR_PTR(ret);
	}

	/* Ids are given under the lock so that the list stays in id order,
	 * which netlink dumps rely on to resume.
	 */
	mutex_lock(&exo_envs_lock);
	if (exo_envs_of_uid_locked(env->owner_uid) >=
	    READ_ONCE(exo_envs_per_user)) {
		mutex_unlock(&exo_envs_lock);
		exo_env_free(env);
		return ERR_PTR(-EMFILE);
	}
	env->id = ++exo_next_env_id;
	list_add_tail(&env->node, &exo_envs);
	atomic_inc(&exo_envs_live);
	atomic64_inc(&exo_envs_created);
	mutex_unlock(&exo_envs_lock);
	return env;
}

/* Called on the last close of the environment's file. */
void exo_env_destroy(struct exo_env *env)
{
	mutex_lock(&exo_envs_lock);
	list_del(&env->node);
	atomic_dec(&exo_envs_live);
	mutex_unlock(&exo_envs_lock);
	exo_env_free(env);
}

/* The live environment with id @id, or NULL; needs exo_envs_lock. */
struct exo_env *exo_env_find_locked(u64 id)
{
	struct exo_env *env;

	lockdep_assert_held(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node)
		if (env->id == id)
			return env;
	return NULL;
}

bool exo_env_is_owner(const struct exo_env *env)
{
	return task_tgid(current) == env->owner;
}

/* Fill @info from @env as the calling process sees it. */
void exo_env_snapshot(struct exo_env *env, struct exo_env_info *info)
{
	memset(info, 0, sizeof(*info));
	info->env_id = env->id;
	info->created_ns = env->created_ns;
	info->owner_tgid = pid_vnr(env->owner);
	info->owner_uid = from_kuid_munged(current_user_ns(), env->owner_uid);
	info->frames = atomic64_read(&env->frames);
	info->slots = atomic64_read(&env->slots);
	info->filters = atomic64_read(&env->filters);
	info->blocks = atomic64_read(&env->blocks);

	spin_lock_irq(&env->event_lock);
	info->events_posted = env->events.posted;
	info->events_read = env->events.consumed;
	info->events_lost = env->events.lost;
	info->events_pending = exo_evring_pending(&env->events);
	spin_unlock_irq(&env->event_lock);
}

static int exo_status_show(struct seq_file *m, void *unused)
{
	struct exo_env_info info;
	struct exo_env *env;

	seq_printf(m, "api_version: %u\n", EXO_API_VERSION);
	seq_printf(m, "event_queue_len: %u\n", exo_event_queue_len);
	seq_printf(m, "envs_created: %lld\n", atomic64_read(&exo_envs_created));
	seq_printf(m, "envs_live: %d\n", atomic_read(&exo_envs_live));

	mutex_lock(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node) {
		exo_env_snapshot(env, &info);
		seq_printf(m,
			   "env %llu tgid %d uid %u age_ms %llu pending %u posted %llu lost %llu frames %llu slots %llu filters %llu blocks %llu\n",
			   info.env_id, pid_nr(env->owner),
			   from_kuid(&init_user_ns, env->owner_uid),
			   (ktime_get_boottime_ns() - env->created_ns) / NSEC_PER_MSEC,
			   info.events_pending, info.events_posted,
			   info.events_lost, info.frames, info.slots,
			   info.filters, info.blocks);
	}
	mutex_unlock(&exo_envs_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exo_status);

int exo_debugfs_init(void)
{
	/* debugfs is a debugging aid: the module works without it. */
	exo_debugfs_dir = debugfs_create_dir("exo", NULL);
	debugfs_create_file("status", 0400, exo_debugfs_dir, NULL,
			    &exo_status_fops);
	exo_bindings_debugfs_init(exo_debugfs_dir);
	return 0;
}

void exo_debugfs_exit(void)
{
	debugfs_remove_recursive(exo_debugfs_dir);
}
