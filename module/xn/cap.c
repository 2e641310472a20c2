// SPDX-License-Identifier: GPL-2.0
/*
 * EXO_CAP_XN: another environment may use one subtree of blocks the
 * grantor holds, read-only or read-write, until the grantor takes it back.
 *
 * The grantee enters at the top with XN_READ(parent EXO_XN_CAP_PARENT)
 * and reads down from there as usual; each entry it reads so carries the
 * cap (exo_xn_ref.cap), and the cap, not the acl UDFs, decides its access
 * (xn_allowed()). The owns checks always apply.
 *
 * Rules that keep revocation complete:
 *  - the top is in the grantor's view through its own rights for the
 *    cap's whole life: whatever takes it out (XN_RELEASE, XN_FREE, the
 *    close) takes the cap, so a freed and reused block is never reached;
 *  - a block held through a cap is never granted on (EPERM), nor does a
 *    cap's top become held through another cap (EBUSY): there is no chain
 *    to follow, and removing a cap only ever drops the grantee's entries.
 *
 * Removal runs under exo_xn_lock, but the grantee's mappings can only be
 * zapped under its own mmap_lock, which nests outside: the maps go into an
 * xn_cap_td that xn_cap_td_finish() zaps after the caller dropped its
 * locks, before its ioctl returns. In between, the entries are gone, so no
 * new mapping or access through the cap can begin.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include <linux/debugfs.h>
#include <linux/sched/mm.h>

#include "xn.h"

/* A grantee's mapping to zap: the map and its mm pinned (mmgrab). */
struct xn_cap_zap {
	struct xn_map *map;
	struct mm_struct *mm;
	struct list_head node;
};

/* An EXO_EVENT_XN_UNGRANTED to post, found again by id. */
struct xn_cap_notice {
	u64 env_id;
	u64 cap_id;
	struct list_head node;
};

void xn_cap_td_init(struct xn_cap_td *td)
{
	INIT_LIST_HEAD(&td->zaps);
	INIT_LIST_HEAD(&td->notices);
}

/* @env's cap for the top @block, or NULL. */
struct xn_cap *xn_cap_find_in(struct exo_env *env, u64 block)
{
	struct xn_cap *cap;

	lockdep_assert_held(&exo_xn_lock);
	list_for_each_entry(cap, &env->xn.caps_in, grantee_node)
		if (cap->block == block)
			return cap;
	return NULL;
}

/* Did @env grant a cap on @block? */
bool xn_cap_is_top(struct exo_env *env, u64 block)
{
	struct xn_cap *cap;

	lockdep_assert_held(&exo_xn_lock);
	list_for_each_entry(cap, &env->xn.caps_out, grantor_node)
		if (cap->block == block)
			return true;
	return false;
}

/* Queue @env's mappings of @block for xn_cap_td_finish(). */
static void xn_cap_zap_maps(struct exo_env *env, u64 block,
			    struct xn_cap_td *td)
{
	struct xn_cap_zap *zap;
	struct xn_map *map;

	lockdep_assert_held(&exo_xn_lock);
	list_for_each_entry(map, &env->xn.maps, env_node) {
		if (map->block != block)
			continue;
		/* NOFAIL: a mapping that outlives the cap is a leak. */
		zap = kmalloc(sizeof(*zap), GFP_KERNEL | __GFP_NOFAIL);
		kref_get(&map->ref);
		zap->map = map;
		zap->mm = map->vma->vm_mm;
		mmgrab(zap->mm);
		list_add_tail(&zap->node, &td->zaps);
	}
}

/*
 * Take @cap away: every entry the grantee holds through it leaves its
 * view now, its mappings of them into @td; @notify: tell a grantee that
 * used it.
 */
void xn_cap_remove(struct xn_cap *cap, struct xn_cap_td *td, bool notify)
{
	struct exo_env *grantee = cap->grantee;
	struct xn_cap_notice *notice;
	struct exo_xn_ref *ref;
	unsigned long block;

	lockdep_assert_held(&exo_xn_lock);
	xa_for_each(&grantee->xn.view, block, ref) {
		if (ref->cap != cap)
			continue;
		xn_cap_zap_maps(grantee, block, td);
		xn_view_unlink(grantee, block, ref, EXO_WHY_CALL);
	}
	list_del(&cap->grantor_node);
	list_del(&cap->grantee_node);
	cap->grantor->xn.ncaps_out--;
	xn.ncaps--;
	/* As for mem grants: a GRANT and REVOKE loop must not fill a queue. */
	if (notify && cap->used) {
		notice = kmalloc(sizeof(*notice), GFP_KERNEL | __GFP_NOFAIL);
		notice->env_id = grantee->id;
		notice->cap_id = cap->id;
		list_add_tail(&notice->node, &td->notices);
	}
	kfree(cap);
}

/* The caps @env granted on @block go with its hold of the block. */
void xn_caps_of_block_remove(struct exo_env *env, u64 block,
			     struct xn_cap_td *td)
{
	struct xn_cap *cap, *next;

	list_for_each_entry_safe(cap, next, &env->xn.caps_out, grantor_node)
		if (cap->block == block)
			xn_cap_remove(cap, td, true);
}

/*
 * Finish removals begun under exo_xn_lock. Call with no exo_xn_lock and
 * no mmap_lock held: a grantee may share the caller's mm.
 *
 * As mem's zaps (mem/teardown.c): the mm is pinned, never its address
 * space, and the read side of its mmap_lock is enough. A VMA still in the
 * tree still has its page tables; map->vma is cleared by .close under
 * exo_xn_lock before the VMA is freed.
 */
void xn_cap_td_finish(struct xn_cap_td *td)
{
	struct xn_cap_notice *notice, *nnext;
	struct xn_cap_zap *zap, *next;

	list_for_each_entry_safe(zap, next, &td->zaps, node) {
		struct vm_area_struct *vma;

		mmap_read_lock(zap->mm);
		mutex_lock(&exo_xn_lock);
		vma = zap->map->vma;
		if (vma && vma_lookup(zap->mm, vma->vm_start) == vma &&
		    xn_map_is_ours(vma, zap->map))
			exo_zap_range(vma, vma->vm_start, PAGE_SIZE);
		mutex_unlock(&exo_xn_lock);
		mmap_read_unlock(zap->mm);
		mmdrop(zap->mm);
		xn_map_put(zap->map);
		list_del(&zap->node);
		kfree(zap);
	}
	if (list_empty(&td->notices))
		return;
	/* After the zaps: the event means the mappings are gone. */
	mutex_lock(&exo_envs_lock);
	list_for_each_entry_safe(notice, nnext, &td->notices, node) {
		struct exo_env *grantee = exo_env_find_locked(notice->env_id);

		if (grantee)
			exo_event_post(grantee, EXO_EVENT_XN_UNGRANTED,
				       notice->cap_id, 0, 0, 0);
		list_del(&notice->node);
		kfree(notice);
	}
	mutex_unlock(&exo_envs_lock);
}

/*
 * GRANT: @req->first is the top, in the caller's view through its own
 * rights (else EPERM); @req->count 1. EXO_CAP_WRITE needs the caller
 * allowed to write the whole top block itself: a cap never gives more.
 */
int exo_xn_cap_grant(struct exo_env *env, struct exo_cap *req)
{
	bool writable = req->rights & EXO_CAP_WRITE;
	struct exo_env *grantee;
	struct exo_xn_ref *ref;
	struct xn_cap *cap;
	int ret;

	if (req->count != 1)
		return -EINVAL;
	cap = kzalloc(sizeof(*cap), GFP_KERNEL_ACCOUNT);
	if (!cap)
		return -ENOMEM;

	/* The grantee is linked before its teardown can start. */
	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_xn_lock);
	ret = -EPERM;
	if (!xn_in_data(req->first))
		goto unlock;
	ref = xa_load(&env->xn.view, req->first);
	if (!ref || ref->cap || !xn_buf_find(req->first))
		goto unlock;
	if (writable &&
	    !xn_allowed(req->first, ref, EXO_UDF_ACCESS_WRITE, 0, XN_BS))
		goto unlock;
	ret = -EDQUOT;
	if (env->xn.ncaps_out >= READ_ONCE(exo_xn_caps_max))
		goto unlock;
	ret = -ESRCH;
	grantee = exo_env_find_locked(req->grantee);
	if (!grantee)
		goto unlock;

	cap->id = ++xn.next_cap_id;
	cap->block = req->first;
	cap->writable = writable;
	cap->grantor = env;
	cap->grantee = grantee;
	list_add_tail(&cap->grantor_node, &env->xn.caps_out);
	list_add_tail(&cap->grantee_node, &grantee->xn.caps_in);
	env->xn.ncaps_out++;
	xn.ncaps++;
	req->cap_id = cap->id;
	cap = NULL;
	ret = 0;
unlock:
	mutex_unlock(&exo_xn_lock);
	mutex_unlock(&exo_envs_lock);
	kfree(cap);
	return ret;
}

/* REVOKE: only the grantor names its caps; the grantee's hold is gone. */
int exo_xn_cap_revoke(struct exo_env *env, u64 cap_id)
{
	struct xn_cap *cap;
	struct xn_cap_td td;
	int ret = -ENOENT;

	xn_cap_td_init(&td);
	mutex_lock(&exo_xn_lock);
	list_for_each_entry(cap, &env->xn.caps_out, grantor_node) {
		if (cap->id == cap_id) {
			xn_cap_remove(cap, &td, true);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&exo_xn_lock);
	xn_cap_td_finish(&td);
	return ret;
}

/* xn_caps: live caps in all, for tests that every path gives them back. */
void exo_xn_debugfs_init(struct dentry *dir)
{
	debugfs_create_u32("xn_caps", 0400, dir, &xn.ncaps);
}
