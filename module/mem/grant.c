// SPDX-License-Identifier: GPL-2.0
/*
 * Grants: a capability for another environment to map a range of one's
 * frames, and what happens to it when a frame goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "mem.h"

/* ---- grants ------------------------------------------------------------- */

void exo_grant_remove(struct exo_grant *grant, struct exo_teardown *td,
		      bool notify)
{
	struct exo_notice *notice;
	u32 i;

	lockdep_assert_held(&exo_mem_lock);
	for (i = 0; i < grant->count; i++) {
		struct exo_frame *frame = &exo_pool.frames[grant->first + i];
		struct exo_binding *binding, *next;

		list_for_each_entry_safe(binding, next, &frame->bindings,
					 frame_node)
			if (binding->grant == grant)
				exo_binding_remove(binding, &td->zaps);
	}
	list_del(&grant->grantor_node);
	list_del(&grant->grantee_node);
	grant->grantor->mem.ngrants--;
	/*
	 * Only a grantee that took the grant up is told: a grantor looping
	 * GRANT and UNGRANT at an id must not fill that queue.
	 */
	if (notify && grant->used) {
		notice = kmalloc(sizeof(*notice), GFP_KERNEL | __GFP_NOFAIL);
		notice->env_id = grant->grantee->id;
		notice->grant_id = grant->id;
		list_add_tail(&notice->node, &td->notices);
	}
	kfree(grant);
}

/* Grants of @env's that cover @frame die with the frame. */
void exo_frame_ungrant(struct exo_env *env, struct exo_frame *frame,
		       struct exo_teardown *td)
{
	struct exo_grant *grant, *next;

	list_for_each_entry_safe(grant, next, &env->mem.grants_out,
				 grantor_node)
		if (frame->index >= grant->first &&
		    frame->index - grant->first < grant->count)
			exo_grant_remove(grant, td, true);
}

bool exo_frame_granted(struct exo_env *env, struct exo_frame *frame,
		       bool write, struct exo_grant **grant_out)
{
	struct exo_grant *grant;

	list_for_each_entry(grant, &env->mem.grants_in, grantee_node) {
		if (grant->grantor != frame->owner ||
		    frame->index < grant->first ||
		    frame->index - grant->first >= grant->count)
			continue;
		if (write && !grant->writable)
			continue;
		*grant_out = grant;
		return true;
	}
	return false;
}

long exo_mem_grant_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_grant req;
	struct exo_grant *grant;
	struct exo_env *grantee;
	u32 i;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_GRANT_MINSZ, uarg);
	if (ret)
		return ret;
	if ((req.flags & ~EXO_MEM_GRANT_WRITE) || req.grant_id ||
	    !req.count || req.count > EXO_MEM_BATCH_MAX ||
	    req.first >= exo_pool.nframes ||
	    req.count > exo_pool.nframes - req.first || req.grantee == env->id)
		return -EINVAL;
	/* The id goes back there: fail before the grant exists, not after. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	grant = kzalloc(sizeof(*grant), GFP_KERNEL_ACCOUNT);
	if (!grant)
		return -ENOMEM;

	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_mem_lock);
	ret = -EDQUOT;
	if (env->mem.ngrants >= READ_ONCE(exo_grants_max))
		goto out_unlock;
	ret = -EPERM;
	for (i = 0; i < req.count; i++)
		if (exo_pool.frames[req.first + i].owner != env)
			goto out_unlock;
	ret = -ESRCH;
	grantee = exo_env_find_locked(req.grantee);
	if (!grantee || grantee->mem.dead)
		goto out_unlock;

	grant->id = ++exo_pool.next_grant_id;
	grant->grantor = env;
	grant->grantee = grantee;
	grant->first = req.first;
	grant->count = req.count;
	grant->writable = req.flags & EXO_MEM_GRANT_WRITE;
	list_add_tail(&grant->grantor_node, &env->mem.grants_out);
	list_add_tail(&grant->grantee_node, &grantee->mem.grants_in);
	env->mem.ngrants++;
	req.grant_id = grant->id;
	grant = NULL;
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mutex_unlock(&exo_envs_lock);
	kfree(grant);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

long exo_mem_ungrant_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_grant req;
	struct exo_teardown td;
	struct exo_grant *grant;
	int ret;

	exo_teardown_init(&td);
	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_GRANT_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.first || req.count || req.grantee)
		return -EINVAL;

	ret = -ENOENT;
	mutex_lock(&exo_mem_lock);
	list_for_each_entry(grant, &env->mem.grants_out, grantor_node) {
		if (grant->id == req.grant_id) {
			exo_grant_remove(grant, &td, true);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	return ret;
}
