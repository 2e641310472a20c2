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

/*
 * Make a grant of frames [@first, @first + @count) of @env's to @grantee_id,
 * its id in *@id: for EXO_IOC_MEM_GRANT and EXO_IOC_CAP_GRANT alike.
 */
static int exo_mem_grant_make(struct exo_env *env, bool write, u64 first,
			      u64 count, u64 grantee_id, u64 *id)
{
	struct exo_grant *grant;
	struct exo_env *grantee;
	u32 i;
	int ret;

	if (!count || count > EXO_MEM_BATCH_MAX ||
	    first >= exo_pool.nframes || count > exo_pool.nframes - first ||
	    grantee_id == env->id)
		return -EINVAL;
	grant = kzalloc(sizeof(*grant), GFP_KERNEL_ACCOUNT);
	if (!grant)
		return -ENOMEM;

	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_mem_lock);
	ret = -EDQUOT;
	if (env->mem.ngrants >= READ_ONCE(exo_grants_max))
		goto out_unlock;
	ret = -EPERM;
	for (i = 0; i < count; i++)
		if (exo_pool.frames[first + i].owner != env)
			goto out_unlock;
	ret = -ESRCH;
	grantee = exo_env_find_locked(grantee_id);
	if (!grantee || grantee->mem.dead)
		goto out_unlock;

	grant->id = ++exo_pool.next_grant_id;
	grant->grantor = env;
	grant->grantee = grantee;
	grant->first = first;
	grant->count = count;
	grant->writable = write;
	list_add_tail(&grant->grantor_node, &env->mem.grants_out);
	list_add_tail(&grant->grantee_node, &grantee->mem.grants_in);
	env->mem.ngrants++;
	*id = grant->id;
	grant = NULL;
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mutex_unlock(&exo_envs_lock);
	kfree(grant);
	return ret;
}

/* Revoke @env's grant @id: the grantee's mappings through it go at once. */
static int exo_mem_ungrant_id(struct exo_env *env, u64 id)
{
	struct exo_teardown td;
	struct exo_grant *grant;
	int ret = -ENOENT;

	exo_teardown_init(&td);
	mutex_lock(&exo_mem_lock);
	list_for_each_entry(grant, &env->mem.grants_out, grantor_node) {
		if (grant->id == id) {
			exo_grant_remove(grant, &td, true);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	return ret;
}

long exo_mem_grant_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_grant req;
	u64 id;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_GRANT_MINSZ, uarg);
	if (ret)
		return ret;
	if ((req.flags & ~EXO_MEM_GRANT_WRITE) || req.grant_id)
		return -EINVAL;
	if (!req.count || req.count > EXO_MEM_BATCH_MAX ||
	    req.first >= exo_pool.nframes ||
	    req.count > exo_pool.nframes - req.first || req.grantee == env->id)
		return -EINVAL;
	/* The id goes back there: fail before the grant exists, not after. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	ret = exo_mem_grant_make(env, req.flags & EXO_MEM_GRANT_WRITE,
				 req.first, req.count, req.grantee, &id);
	if (ret)
		return ret;
	req.grant_id = id;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

long exo_mem_ungrant_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_grant req;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_GRANT_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.first || req.count || req.grantee)
		return -EINVAL;
	return exo_mem_ungrant_id(env, req.grant_id);
}

/* ---- EXO_CAP_MEM: the same grants through the capability ioctls --------- */

int exo_mem_cap_grant(struct exo_env *env, struct exo_cap *req)
{
	return exo_mem_grant_make(env, req->rights & EXO_CAP_WRITE, req->first,
				  req->count, req->grantee, &req->cap_id);
}

int exo_mem_cap_revoke(struct exo_env *env, u64 cap_id)
{
	return exo_mem_ungrant_id(env, cap_id);
}
