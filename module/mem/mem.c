// SPDX-License-Identifier: GPL-2.0
/*
 * Memory binding: a pool of named physical frames that environments
 * allocate, map where they choose, share through grants, and give back when
 * asked, or lose to the abort protocol when they don't.
 *
 * This file holds the binding's parameters, its ioctl dispatch with
 * INFO/ALLOC/FREE, and an environment's memory state; mem.h has the locking
 * rules and the files that do the rest:
 *   pool.c      the frames, their zeroing, and memory pressure
 *   map.c       regions (mmap, faults) and MAP/UNMAP
 *   grant.c     grants: capabilities to map another's frames
 *   teardown.c  taking frames away: unbinding, zapping, retiring
 *   revoke.c    revocation and the abort protocol
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "mem.h"

uint exo_pool_mb = 64;
module_param_named(pool_mb, exo_pool_mb, uint, 0444);
MODULE_PARM_DESC(pool_mb, "Physical frames reserved at load, in MiB, 1..4096 (default 64)");

uint exo_colours;
module_param_named(colours, exo_colours, uint, 0444);
MODULE_PARM_DESC(colours,
		 "Cache colours, a power of two up to 4096; 0 derives it from the last-level cache (default 0)");

uint exo_mem_reserve = 8;
module_param_named(mem_reserve, exo_mem_reserve, uint, 0444);
MODULE_PARM_DESC(mem_reserve, "Frames of each environment that revocation never takes (default 8)");

uint exo_mem_quota = 4096;
module_param_named(mem_quota, exo_mem_quota, uint, 0444);
MODULE_PARM_DESC(mem_quota, "Most frames one environment may hold, >= 1 (default 4096)");

uint exo_pool_min_mb = 8;
module_param_named(pool_min_mb, exo_pool_min_mb, uint, 0644);
MODULE_PARM_DESC(pool_min_mb,
		 "Free frames, in MiB, the pool keeps under memory pressure; the rest go back to the kernel until needed (default 8)");

uint exo_revoke_ms = 1000;
module_param_named(revoke_ms, exo_revoke_ms, uint, 0444);
MODULE_PARM_DESC(revoke_ms,
		 "Deadline of revocations that memory pressure starts, in ms, 1..60000 (default 1000)");

/*
 * Kernel memory an environment makes the module allocate is charged to its
 * memory cgroup and capped here: region page tables, bindings, grants.
 */
uint exo_region_pages_max = 1U << 20;
module_param_named(region_pages_max, exo_region_pages_max, uint, 0644);
MODULE_PARM_DESC(region_pages_max,
		 "Pages of /dev/exo address space one environment may mmap in all (default 1048576: 4 GiB)");

uint exo_mapped_max = 1U << 18;
module_param_named(mapped_max, exo_mapped_max, uint, 0644);
MODULE_PARM_DESC(mapped_max,
		 "Pages one environment may have bound in its regions, aliases counted (default 262144)");

uint exo_grants_max = 1024;
module_param_named(grants_max, exo_grants_max, uint, 0644);
MODULE_PARM_DESC(grants_max, "Grants one environment may have outstanding (default 1024)");

uint exo_fault_timeout_ms = 3000;
module_param_named(fault_timeout_ms, exo_fault_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fault_timeout_ms,
		 "How long a fault of an upcall region waits for the libOS before SIGBUS, in ms, 1..60000 (default 3000)");

static long exo_mem_info_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_info info;
	int ret;

	ret = exo_copy_args(&info, sizeof(info), EXO_MEM_INFO_MINSZ, uarg);
	if (ret)
		return ret;
	if (info.flags || info.reserved)
		return -EINVAL;

	mutex_lock(&exo_mem_lock);
	info.pool_frames = exo_pool.nframes;
	info.free_frames = exo_pool.nfree;
	info.colours = exo_pool.ncolours;
	info.reserve_frames = exo_mem_reserve;
	info.quota_frames = exo_mem_quota;
	info.held_frames = env->mem.nheld;
	info.mapped_pages = env->mem.nmapped;
	info.revoke_owed = env->mem.revoke_pending &&
			   env->mem.nheld > env->mem.revoke_keep ?
			   env->mem.nheld - env->mem.revoke_keep : 0;
	info.revoke_deadline_ns = env->mem.revoke_pending ?
				  env->mem.revoke_deadline_ns : 0;
	info.repossessed = env->mem.repo_count;
	mutex_unlock(&exo_mem_lock);
	return exo_copy_result(uarg, &info, sizeof(info), info.argsz);
}

/* Pick @count frames for an allocation; all or nothing. */
static int exo_pick_frames(const struct exo_mem_alloc *req,
			   struct exo_mem_frame *names,
			   struct exo_frame **frames)
{
	u32 i, c, got = 0;

	lockdep_assert_held(&exo_mem_lock);
	if (req->flags & EXO_MEM_ALLOC_INDEX) {
		for (i = 0; i < req->count; i++) {
			struct exo_frame *frame = &exo_pool.frames[names[i].index];

			if (frame->owner || frame->releasing)
				return -EBUSY;
			if (frame->zeroing)
				return -EAGAIN;	/* the caller waits and retries */
			if (!frame->page && exo_frame_refill_locked(frame))
				return -ENOMEM;
			if (frame->dirty) {
				list_del(&frame->node);
				exo_pool.ndirty--;
				clear_highpage(frame->page);
				exo_frame_make_clean(frame);
			}
		}
		for (i = 0; i < req->count; i++) {
			frames[i] = &exo_pool.frames[names[i].index];
			list_del(&frames[i]->node);
			exo_pool.nclean[frames[i]->colour]--;
		}
		return 0;
	}

	if (req->flags & EXO_MEM_ALLOC_COLOUR) {
		/* Dirty or absent frames may be of this colour: retry. */
		if (exo_pool.nclean[req->colour] < req->count)
			return exo_pool.ndirty || exo_pool.nzeroing ||
			       exo_pool.nabsent ? -EAGAIN : -ENOSPC;
		for (i = 0; i < req->count; i++)
			frames[i] = exo_take_clean(req->colour);
		return 0;
	}

	if (exo_pool.nfree < req->count)
		return -ENOSPC;
	if (exo_pool_nclean() < req->count)
		return -EAGAIN;		/* short by frames not yet zeroed or back */
	/* Round-robin over colours, so "any" frames spread over the cache. */
	for (c = exo_pool.next_colour; got < req->count; c++) {
		struct exo_frame *frame;

		frame = exo_take_clean(c & (exo_pool.ncolours - 1));
		if (frame)
			frames[got++] = frame;
	}
	exo_pool.next_colour = c & (exo_pool.ncolours - 1);
	return 0;
}

static long exo_mem_alloc_ioctl(struct exo_env *env, void __user *uarg)
{
	const u32 known = EXO_MEM_ALLOC_INDEX | EXO_MEM_ALLOC_COLOUR |
			  EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE;
	struct exo_mem_frame __user *unames;
	struct exo_region *region = NULL;
	struct exo_mem_frame *names;
	struct exo_frame **frames;
	struct exo_mem_alloc req;
	bool map, admin;
	u32 i, pgoff = 0;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_ALLOC_MINSZ, uarg);
	if (ret)
		return ret;
	map = req.flags & EXO_MEM_ALLOC_MAP;
	if ((req.flags & ~known) ||
	    ((req.flags & EXO_MEM_ALLOC_INDEX) &&
	     (req.flags & EXO_MEM_ALLOC_COLOUR)) ||
	    ((req.flags & EXO_MEM_PROT_WRITE) && !map) ||
	    (!map && req.addr) ||
	    (!(req.flags & EXO_MEM_ALLOC_COLOUR) && req.colour) ||
	    !req.count || req.count > EXO_MEM_BATCH_MAX)
		return -EINVAL;
	if ((req.flags & EXO_MEM_ALLOC_COLOUR) &&
	    req.colour >= exo_pool.ncolours)
		return -EINVAL;

	unames = u64_to_user_ptr(req.frames);
	names = kvcalloc(req.count, sizeof(*names), GFP_KERNEL);
	frames = kvcalloc(req.count, sizeof(*frames), GFP_KERNEL);
	if (!names || !frames) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = -EFAULT;
	if (req.flags & EXO_MEM_ALLOC_INDEX &&
	    copy_from_user(names, unames, req.count * sizeof(*names)))
		goto out_free;
	/* The names go back there: fail now rather than after committing. */
	if (copy_to_user(unames, names, req.count * sizeof(*names)))
		goto out_free;
	if (req.flags & EXO_MEM_ALLOC_INDEX) {
		ret = -EINVAL;
		for (i = 0; i < req.count; i++) {
			u32 j;

			if (names[i].index >= exo_pool.nframes)
				goto out_free;
			/* Batches are small: a quadratic duplicate check is fine. */
			for (j = 0; j < i; j++)
				if (names[j].index == names[i].index)
					goto out_free;
		}
	}

retry:
	if (map)
		mmap_read_lock(current->mm);
	mutex_lock(&exo_mem_lock);
	ret = -EINVAL;
	if (map) {
		region = exo_region_find(env, req.addr, req.count, &pgoff);
		if (!region)
			goto out_unlock;
		for (i = 0; i < req.count; i++)
			if (region->pages[pgoff + i])
				goto out_unlock;
	}
	ret = -EDQUOT;
	if (env->mem.nheld + req.count > exo_mem_quota)
		goto out_unlock;
	ret = exo_pick_frames(&req, names, frames);
	if (ret == -EAGAIN) {
		/*
		 * Frames we need are dirty, being zeroed or absent: zero a
		 * batch ourselves (lock dropped) or get pages back for some,
		 * or wait for whoever is zeroing.
		 */
		if (map)
			mmap_read_unlock(current->mm);
		if (exo_zero_some_locked(req.count) ||
		    exo_pool_refill_locked(req.count)) {
			mutex_unlock(&exo_mem_lock);
		} else if (exo_pool.nabsent && !exo_pool.ndirty &&
			   !exo_pool.nzeroing) {
			/* Absent frames, and the kernel has no page for them. */
			mutex_unlock(&exo_mem_lock);
			ret = -ENOMEM;
			goto out_free;
		} else {
			mutex_unlock(&exo_mem_lock);
			flush_work(&exo_zero_work);
			cond_resched();
		}
		/* A killed caller must not loop here against a busy pool. */
		ret = -EINTR;
		if (fatal_signal_pending(current))
			goto out_free;
		goto retry;
	}
	if (ret)
		goto out_unlock;
	for (i = 0; i < req.count; i++)
		exo_frame_give(env, frames[i]);
	if (map) {
		ret = exo_bind_locked(env, region, pgoff, frames, NULL,
				      req.count,
				      req.flags & EXO_MEM_PROT_WRITE);
		if (ret) {
			struct exo_teardown td;

			/* Never mapped, never granted: nothing to zap. */
			exo_teardown_init(&td);
			for (i = 0; i < req.count; i++)
				exo_frame_release(frames[i], &td,
						  EXO_WHY_UNDO);
			exo_frames_retire_locked(&td);
			goto out_unlock;
		}
	}
	mutex_unlock(&exo_mem_lock);
	if (map)
		mmap_read_unlock(current->mm);

	admin = capable(CAP_SYS_ADMIN);
	for (i = 0; i < req.count; i++) {
		names[i].index = frames[i]->index;
		names[i].colour = frames[i]->colour;
		names[i].node = frames[i]->nid;
		names[i].pfn = admin ? page_to_pfn(frames[i]->page) : 0;
	}
	ret = 0;
	if (copy_to_user(unames, names, req.count * sizeof(*names))) {
		struct exo_teardown td;

		/* Unmapped under us since the check: give them all back. */
		exo_teardown_init(&td);
		mutex_lock(&exo_mem_lock);
		for (i = 0; i < req.count; i++)
			if (frames[i]->owner == env)
				exo_frame_release(frames[i], &td,
						  EXO_WHY_UNDO);
		mutex_unlock(&exo_mem_lock);
		exo_teardown_finish(&td);
		ret = -EFAULT;
	}
	goto out_free;

out_unlock:
	mutex_unlock(&exo_mem_lock);
	if (map)
		mmap_read_unlock(current->mm);
out_free:
	kvfree(names);
	kvfree(frames);
	return ret;
}

/* Copy in @count frame indexes, in range and distinct. */
u32 *exo_copy_indexes(u64 uptr, u32 count)
{
	u32 *indexes, i, j;

	if (!count || count > EXO_MEM_BATCH_MAX)
		return ERR_PTR(-EINVAL);
	indexes = kvcalloc(count, sizeof(*indexes), GFP_KERNEL);
	if (!indexes)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(indexes, u64_to_user_ptr(uptr),
			   count * sizeof(*indexes))) {
		kvfree(indexes);
		return ERR_PTR(-EFAULT);
	}
	for (i = 0; i < count; i++) {
		if (indexes[i] >= exo_pool.nframes)
			goto err_inval;
		for (j = 0; j < i; j++)
			if (indexes[j] == indexes[i])
				goto err_inval;
	}
	return indexes;

err_inval:
	kvfree(indexes);
	return ERR_PTR(-EINVAL);
}

static long exo_mem_free_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_batch req;
	struct exo_teardown td;
	u32 *indexes, i;
	int ret;

	exo_teardown_init(&td);
	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_BATCH_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.reserved || req.addr)
		return -EINVAL;
	indexes = exo_copy_indexes(req.indexes, req.count);
	if (IS_ERR(indexes))
		return PTR_ERR(indexes);

	mutex_lock(&exo_mem_lock);
	ret = -EPERM;
	for (i = 0; i < req.count; i++)
		if (exo_pool.frames[indexes[i]].owner != env)
			goto out_unlock;
	for (i = 0; i < req.count; i++)
		exo_frame_release(&exo_pool.frames[indexes[i]], &td,
				  EXO_WHY_CALL);
	exo_revoke_check_met(env);
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	kvfree(indexes);
	return ret;
}

static long exo_mem_ioctl(struct exo_env *env, unsigned int cmd,
			  void __user *uarg)
{
	switch (cmd) {
	case EXO_IOC_MEM_INFO:
		return exo_mem_info_ioctl(env, uarg);
	case EXO_IOC_MEM_ALLOC:
		return exo_mem_alloc_ioctl(env, uarg);
	case EXO_IOC_MEM_FREE:
		return exo_mem_free_ioctl(env, uarg);
	case EXO_IOC_MEM_MAP:
		return exo_mem_map_ioctl(env, uarg);
	case EXO_IOC_MEM_UNMAP:
		return exo_mem_unmap_ioctl(env, uarg);
	case EXO_IOC_MEM_GRANT:
		return exo_mem_grant_ioctl(env, uarg);
	case EXO_IOC_MEM_UNGRANT:
		return exo_mem_ungrant_ioctl(env, uarg);
	case EXO_IOC_MEM_REVOKE:
		return exo_mem_revoke_ioctl(env, uarg);
	case EXO_IOC_MEM_REPOSSESSED:
		return exo_mem_repossessed_ioctl(env, uarg);
	case EXO_IOC_MEM_REGION_SET:
		return exo_mem_region_set_ioctl(env, uarg);
	case EXO_IOC_MEM_FAULT_RESOLVE:
		return exo_mem_fault_resolve_ioctl(env, uarg);
	default:
		return -ENOTTY;
	}
}

/* ---- environments, debugfs, module -------------------------------------- */

static int exo_mem_env_init(struct exo_env *env)
{
	struct exo_env_mem *mem = &env->mem;

	INIT_LIST_HEAD(&mem->held);
	INIT_LIST_HEAD(&mem->regions);
	INIT_LIST_HEAD(&mem->grants_out);
	INIT_LIST_HEAD(&mem->grants_in);
	INIT_DELAYED_WORK(&mem->revoke_work, exo_revoke_abort);
	mutex_init(&mem->repo_read_lock);
	mem->repossessed = kvcalloc(EXO_REPO_LEN, sizeof(u32), GFP_KERNEL);
	return mem->repossessed ? 0 : -ENOMEM;
}

/*
 * The last close: the owner's regions are gone with its mm or its munmap
 * (each VMA holds the file), so what is left is frames and grants.
 */
static void exo_mem_env_destroy(struct exo_env *env)
{
	struct exo_env_mem *mem = &env->mem;
	struct exo_frame *frame, *next_frame;
	struct exo_grant *grant, *next_grant;
	struct exo_teardown td;

	exo_teardown_init(&td);
	mutex_lock(&exo_mem_lock);
	mem->dead = true;
	mem->revoke_pending = false;
	mutex_unlock(&exo_mem_lock);
	cancel_delayed_work_sync(&mem->revoke_work);

	mutex_lock(&exo_mem_lock);
	list_for_each_entry_safe(grant, next_grant, &mem->grants_in,
				 grantee_node)
		exo_grant_remove(grant, &td, false);
	list_for_each_entry_safe(frame, next_frame, &mem->held, node)
		exo_frame_release(frame, &td, EXO_WHY_CLOSE);
	WARN_ON(!list_empty(&mem->grants_out));
	WARN_ON(!list_empty(&mem->regions));
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	kvfree(mem->repossessed);
}

static int exo_mem_init(void)
{
	int ret;

	if (!exo_mem_quota || !exo_revoke_ms ||
	    exo_revoke_ms > EXO_REVOKE_MS_MAX) {
		pr_err("mem_quota must be >= 1 and revoke_ms 1..%u\n",
		       EXO_REVOKE_MS_MAX);
		return -EINVAL;
	}
	exo_binding_cache = KMEM_CACHE(exo_binding, SLAB_ACCOUNT);
	if (!exo_binding_cache)
		return -ENOMEM;
	ret = exo_pool_create();
	if (ret)
		goto err_pool;
	exo_shrinker = exo_shrinker_create(exo_shrink_count, exo_shrink_scan,
					   "exo-mem");
	if (!exo_shrinker) {
		ret = -ENOMEM;
		goto err_pool;
	}
	return 0;

err_pool:
	exo_pool_destroy();
	kmem_cache_destroy(exo_binding_cache);
	return ret;
}

static void exo_mem_exit(void)
{
	exo_shrinker_destroy(exo_shrinker);
	WRITE_ONCE(exo_mem_hold, 0);	/* no worker waits past unload */
	flush_work(&exo_zero_work);
	exo_pool_destroy();
	kmem_cache_destroy(exo_binding_cache);
}

const struct exo_binding_ops exo_mem_ops = {
	.name		= "mem",
	.feature	= EXO_FEATURE_MEM,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_MEM_INFO),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_MEM_INFO) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_ALLOC) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_FREE) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_MAP) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_UNMAP) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_GRANT) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_UNGRANT) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_REVOKE) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_REPOSSESSED) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_REGION_SET) |
			  EXO_IOCTL_BIT(EXO_NR_MEM_FAULT_RESOLVE),
	.mmap_window	= EXO_MMAP_MEM >> EXO_MMAP_SHIFT,
	.init		= exo_mem_init,
	.exit		= exo_mem_exit,
	.env_init	= exo_mem_env_init,
	.env_destroy	= exo_mem_env_destroy,
	.ioctl		= exo_mem_ioctl,
	.cap_kind	= EXO_CAP_MEM,
	.cap_grant	= exo_mem_cap_grant,
	.cap_revoke	= exo_mem_cap_revoke,
	.mmap		= exo_mem_mmap,
	.debugfs_init	= exo_mem_debugfs_init,
};
