// SPDX-License-Identifier: GPL-2.0
/*
 * Taking frames away from an environment: bindings unlinked under
 * exo_mem_lock, PTEs zapped after it is dropped, and only then the frames
 * retired to the dirty list, so no one still reaches a frame another
 * environment has been given.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "mem.h"

/* ---- zapping ------------------------------------------------------------ */

void exo_region_release(struct kref *ref)
{
	struct exo_region *region = container_of(ref, struct exo_region, ref);

	exo_faults_free(region);
	mmdrop(region->mm);
	kvfree(region);
}

/* Unlink a binding; queue its PTE for removal if @zaps is given. */
void exo_binding_remove(struct exo_binding *binding,
			struct list_head *zaps)
{
	struct exo_region *region = binding->region;
	struct exo_zap *zap;

	lockdep_assert_held(&exo_mem_lock);
	list_del(&binding->frame_node);
	region->pages[binding->pgoff] = NULL;
	if (region->env)
		region->env->mem.nmapped--;
	zap = zaps && !list_empty(zaps) ?
	      list_last_entry(zaps, struct exo_zap, node) : NULL;
	if (zap && zap->region == region &&
	    zap->pgoff + zap->npages == binding->pgoff) {
		/* Batches bind runs of pages: zap them as one range. */
		zap->npages++;
	} else if (zaps) {
		/* GFP_NOFAIL: a PTE that outlives its binding is a leak. */
		zap = kmalloc(sizeof(*zap), GFP_KERNEL | __GFP_NOFAIL);
		zap->region = region;
		zap->pgoff = binding->pgoff;
		zap->npages = 1;
		kref_get(&region->ref);
		list_add_tail(&zap->node, zaps);
	}
	kmem_cache_free(exo_binding_cache, binding);
}

static void exo_frame_unbind_all(struct exo_frame *frame,
				 struct list_head *zaps)
{
	struct exo_binding *binding, *next;

	list_for_each_entry_safe(binding, next, &frame->bindings, frame_node)
		exo_binding_remove(binding, zaps);
}

/*
 * Remove queued PTEs; call without exo_mem_lock.
 *
 * A zap holds the region's mm_struct (its mmgrab()), never its address
 * space: no mmget(), so a dying owner's exit_mm() always drops the last
 * mm_users and closes its VMAs, and so their files and its environments,
 * before its parent can reap it. Had the zap dropped that last reference,
 * the teardown would run in the zapper, or from delayed_fput() in a worker,
 * after the reap. mmap_lock for read is enough, as for the OOM reaper:
 * exit_mmap() frees page tables and closes VMAs only under the write side,
 * so a VMA still in the tree still has its page tables.
 */
static void exo_zap_run(struct list_head *zaps)
{
	struct exo_zap *zap, *next;

	list_for_each_entry_safe(zap, next, zaps, node) {
		struct exo_region *region = zap->region;
		struct vm_area_struct *vma;

		exo_mem_hold_point(EXO_HOLD_ZAP, &exo_mem_held_zap);
		mmap_read_lock(region->mm);
		/*
		 * munmap() detaches the VMA under the write lock but may tear
		 * it down (and call .close) under the read side, beside us;
		 * exit_mmap() empties the tree: zap only a VMA still in it.
		 */
		vma = vma_lookup(region->mm, region->start);
		if (vma && vma == READ_ONCE(region->vma) &&
		    vma->vm_ops == &exo_vm_ops &&
		    vma->vm_private_data == region)
			zap_vma_ptes(vma, region->start +
				     ((unsigned long)zap->pgoff << PAGE_SHIFT),
				     (unsigned long)zap->npages << PAGE_SHIFT);
		mmap_read_unlock(region->mm);
		kref_put(&region->ref, exo_region_release);
		list_del(&zap->node);
		kfree(zap);
	}
}

/*
 * Take @frame from its owner, for @why (EXO_WHY_*): its bindings and
 * grants go into @td.
 */
void exo_frame_release(struct exo_frame *frame, struct exo_teardown *td,
		       u32 why)
{
	struct exo_env *env = frame->owner;

	lockdep_assert_held(&exo_mem_lock);
	trace_exo_unbind(env->id, EXO_TRACE_MEM, -1, frame->index, 1, why);
	exo_frame_ungrant(env, frame, td);
	exo_frame_unbind_all(frame, &td->zaps);
	list_del(&frame->node);
	env->mem.nheld--;
	atomic64_set(&env->frames, env->mem.nheld);
	frame->owner = NULL;
	frame->releasing = true;
	list_add_tail(&frame->node, &td->frames);
}

/* The frames of @td are unreachable now: queue them for zeroing. */
void exo_frames_retire_locked(struct exo_teardown *td)
{
	struct exo_frame *frame, *next;

	lockdep_assert_held(&exo_mem_lock);
	list_for_each_entry_safe(frame, next, &td->frames, node) {
		list_move_tail(&frame->node, &exo_pool.dirty);
		frame->releasing = false;
		frame->dirty = true;
		exo_pool.ndirty++;
		exo_pool.nfree++;
	}
}

/* Finish a teardown begun under exo_mem_lock; call without it. */
void exo_teardown_finish(struct exo_teardown *td)
{
	struct exo_notice *notice, *next;

	exo_zap_run(&td->zaps);
	if (!list_empty(&td->frames)) {
		mutex_lock(&exo_mem_lock);
		exo_frames_retire_locked(td);
		mutex_unlock(&exo_mem_lock);
		queue_work(system_unbound_wq, &exo_zero_work);
	}
	if (list_empty(&td->notices))
		return;
	/* The grantee may have gone meanwhile: find it again by id. */
	mutex_lock(&exo_envs_lock);
	list_for_each_entry_safe(notice, next, &td->notices, node) {
		struct exo_env *grantee = exo_env_find_locked(notice->env_id);

		if (grantee)
			exo_event_post(grantee, EXO_EVENT_MEM_UNGRANTED,
				       notice->grant_id, 0, 0, 0);
		list_del(&notice->node);
		kfree(notice);
	}
	mutex_unlock(&exo_envs_lock);
}
