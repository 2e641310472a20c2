// SPDX-License-Identifier: GPL-2.0
/*
 * Memory binding: a pool of named physical frames that environments
 * allocate, map where they choose, share through grants, and give back when
 * asked, or lose to the abort protocol when they don't.
 *
 * Locking. exo_mem_lock (a mutex) protects the pool, every frame's owner and
 * bindings, every region's page table, every grant, and every environment's
 * exo_env_mem. The page-fault path takes it under mmap_lock, so the order is
 * mmap_lock -> exo_mem_lock, and exo_envs_lock -> exo_mem_lock where an
 * environment is looked up by id. PTEs of other mms are never zapped under
 * exo_mem_lock: the bindings are unlinked under it first, so no fault can
 * put them back, then zapped after it is dropped with only that mm's
 * mmap_lock held (struct exo_zap).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/processor.h>

#include "compat.h"
#include "exo.h"

static uint exo_pool_mb = 64;
module_param_named(pool_mb, exo_pool_mb, uint, 0444);
MODULE_PARM_DESC(pool_mb, "Physical frames reserved at load, in MiB, 1..4096 (default 64)");

static uint exo_colours;
module_param_named(colours, exo_colours, uint, 0444);
MODULE_PARM_DESC(colours,
		 "Cache colours, a power of two up to 4096; 0 derives it from the last-level cache (default 0)");

static uint exo_mem_reserve = 8;
module_param_named(mem_reserve, exo_mem_reserve, uint, 0444);
MODULE_PARM_DESC(mem_reserve, "Frames of each environment that revocation never takes (default 8)");

static uint exo_mem_quota = 4096;
module_param_named(mem_quota, exo_mem_quota, uint, 0444);
MODULE_PARM_DESC(mem_quota, "Most frames one environment may hold, >= 1 (default 4096)");

static uint exo_pool_min_mb = 8;
module_param_named(pool_min_mb, exo_pool_min_mb, uint, 0644);
MODULE_PARM_DESC(pool_min_mb,
		 "Free frames, in MiB, the pool keeps under memory pressure; the rest go back to the kernel until needed (default 8)");

static uint exo_revoke_ms = 1000;
module_param_named(revoke_ms, exo_revoke_ms, uint, 0444);
MODULE_PARM_DESC(revoke_ms,
		 "Deadline of revocations that memory pressure starts, in ms, 1..60000 (default 1000)");

/*
 * Kernel memory an environment makes the module allocate is charged to its
 * memory cgroup and capped here: region page tables, bindings, grants.
 */
static uint exo_region_pages_max = 1U << 20;
module_param_named(region_pages_max, exo_region_pages_max, uint, 0644);
MODULE_PARM_DESC(region_pages_max,
		 "Pages of /dev/exo address space one environment may mmap in all (default 1048576: 4 GiB)");

static uint exo_mapped_max = 1U << 18;
module_param_named(mapped_max, exo_mapped_max, uint, 0644);
MODULE_PARM_DESC(mapped_max,
		 "Pages one environment may have bound in its regions, aliases counted (default 262144)");

static uint exo_grants_max = 1024;
module_param_named(grants_max, exo_grants_max, uint, 0644);
MODULE_PARM_DESC(grants_max, "Grants one environment may have outstanding (default 1024)");

#define EXO_POOL_MB_MAX		4096
#define EXO_COLOURS_MAX		4096
#define EXO_COLOURS_FALLBACK	64
#define EXO_REGION_MAX_PAGES	BIT(18)		/* 1 GiB of address space */
#define EXO_REVOKE_MS_MAX	60000
#define EXO_REPO_LEN		1024		/* repossession vector entries */

/*
 * A frame's name is its index, for good. While free it may give its page
 * back to the kernel under memory pressure (page NULL, on the absent list)
 * and get a new one, of its own colour and node, when it is next wanted.
 */
struct exo_frame {
	struct page *page;			/* NULL while absent */
	u32 index;				/* immutable: the frame's name */
	u16 colour;				/* of page; set when it is given */
	u16 nid;				/* of page; set when it is given */
	struct exo_env *owner;			/* NULL unless held */
	bool releasing;				/* taken from its owner, PTEs not yet gone */
	bool dirty;				/* freed, not yet zeroed */
	bool zeroing;				/* off every list, being zeroed */
	struct list_head node;			/* free, dirty, owner's held or a teardown */
	struct list_head bindings;		/* exo_binding.frame_node */
};

/* One page of a region bound to a frame. */
struct exo_binding {
	struct exo_region *region;
	struct exo_frame *frame;
	struct exo_grant *grant;		/* the capability used, or NULL */
	struct list_head frame_node;		/* in frame->bindings */
	u32 pgoff;
	bool writable;
};

/* An mmap() of /dev/exo: address space whose pages the libOS binds. */
struct exo_region {
	struct kref ref;			/* each VMA's (copies too), each zap's */
	struct exo_env *env;			/* immutable; NULL once closed */
	struct mm_struct *mm;			/* immutable, mmgrab()ed */
	struct vm_area_struct *vma;		/* NULL once closed */
	unsigned long start;			/* immutable */
	u32 npages;				/* immutable */
	struct list_head env_node;		/* in env->mem.regions */
	struct exo_binding *pages[];		/* NULL where unbound */
};

/* A capability: @grantee may map frames [first, first + count) of @grantor. */
struct exo_grant {
	u64 id;
	struct exo_env *grantor;
	struct exo_env *grantee;
	u32 first;
	u32 count;
	bool writable;
	bool used;				/* the grantee has mapped through it */
	struct list_head grantor_node;		/* in grantor->mem.grants_out */
	struct list_head grantee_node;		/* in grantee->mem.grants_in */
};

/* A PTE range to remove once exo_mem_lock is dropped. */
struct exo_zap {
	struct exo_region *region;		/* holds a reference */
	u32 pgoff;
	u32 npages;
	struct list_head node;
};

/*
 * What taking frames away leaves to do after exo_mem_lock is dropped: zap
 * their PTEs in every mm, and only then let the frames be zeroed and
 * handed out again, so that no one can still reach a frame another
 * environment has been given.
 */
struct exo_teardown {
	struct list_head zaps;			/* struct exo_zap */
	struct list_head frames;		/* exo_frame.node, releasing */
	struct list_head notices;		/* struct exo_notice */
};

/* An EXO_EVENT_MEM_UNGRANTED to post once the grantee's PTEs are gone. */
struct exo_notice {
	u64 env_id;
	u64 grant_id;
	struct list_head node;
};

static void exo_teardown_init(struct exo_teardown *td)
{
	INIT_LIST_HEAD(&td->zaps);
	INIT_LIST_HEAD(&td->frames);
	INIT_LIST_HEAD(&td->notices);
}

/* Protects everything in this file; see the comment at the top. */
DEFINE_MUTEX(exo_mem_lock);

static struct {
	struct exo_frame *frames;		/* immutable array */
	u32 nframes;				/* immutable */
	u32 ncolours;				/* immutable, a power of two */
	u32 nfree;				/* clean, dirty, zeroing, absent */
	u32 nabsent;				/* on the absent list */
	struct list_head absent;		/* free, their pages given back */
	u32 ndirty;				/* on the dirty list */
	u32 nzeroing;				/* zeroed with the lock dropped */
	u32 next_colour;			/* where "any" starts looking */
	struct list_head *clean;		/* per colour: zeroed, free */
	u32 *nclean;				/* per colour */
	struct list_head dirty;			/* freed, waiting for zeroing */
	u64 next_grant_id;
	u64 next_revoke_id;
} exo_pool;

static struct kmem_cache *exo_binding_cache;
static struct shrinker *exo_shrinker;
static void exo_zero_dirty_work(struct work_struct *work);
static DECLARE_WORK(exo_zero_work, exo_zero_dirty_work);

/*
 * Test hook (debugfs "hold", root only): a worker whose bit is set waits at
 * its hold point, counted in "held_*", until the bit is cleared, so that a
 * test can order it against an ioctl without timing.
 */
#define EXO_HOLD_ZERO	BIT(0)	/* zeroing, after it dropped exo_mem_lock */
#define EXO_HOLD_REVOKE	BIT(1)	/* revoke worker, before it takes the lock */
static u32 exo_mem_hold;		/* READ_ONCE, written by debugfs */
static atomic_t exo_mem_held_zero, exo_mem_held_revoke;

static void exo_mem_hold_point(u32 bit, atomic_t *held)
{
	if (likely(!(READ_ONCE(exo_mem_hold) & bit)))
		return;
	atomic_inc(held);
	while (READ_ONCE(exo_mem_hold) & bit)
		msleep(20);
	atomic_dec(held);
}

/* ---- the pool ----------------------------------------------------------- */

/*
 * Colours are the page-number bits that index the last-level cache: one
 * cache way holds sets * line bytes, i.e. that many pages of distinct
 * colour. CPUID leaf 4 (Intel) or 0x8000001d (AMD) describes the caches.
 */
static u32 exo_llc_colours(void)
{
	u32 leaf = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_HYGON ?
		   0x8000001d : 4;
	u32 eax, ebx, ecx, edx, best_level = 0, way_bytes = 0;
	int i;

	if (boot_cpu_data.cpuid_level < 4 && leaf == 4)
		return 0;
	for (i = 0; i < 8; i++) {
		u32 type, level, line, parts, sets;

		cpuid_count(leaf, i, &eax, &ebx, &ecx, &edx);
		type = eax & 0x1f;
		if (!type)
			break;
		level = (eax >> 5) & 0x7;
		line = (ebx & 0xfff) + 1;
		parts = ((ebx >> 12) & 0x3ff) + 1;
		sets = ecx + 1;
		if (type != 2 && level > best_level) {	/* data or unified */
			best_level = level;
			way_bytes = line * parts * sets;
		}
	}
	return way_bytes >= PAGE_SIZE ? way_bytes / PAGE_SIZE : 0;
}

static int exo_pool_colours(void)
{
	u32 colours = exo_colours;

	if (!colours) {
		colours = exo_llc_colours();
		if (!colours)
			colours = EXO_COLOURS_FALLBACK;
		colours = min_t(u32, rounddown_pow_of_two(colours),
				EXO_COLOURS_MAX);
	} else if (!is_power_of_2(colours) || colours > EXO_COLOURS_MAX) {
		pr_err("colours=%u must be a power of two up to %u\n", colours,
		       EXO_COLOURS_MAX);
		return -EINVAL;
	}
	exo_pool.ncolours = colours;
	return 0;
}

static void exo_frame_make_clean(struct exo_frame *frame)
{
	frame->dirty = false;
	list_add_tail(&frame->node, &exo_pool.clean[frame->colour]);
	exo_pool.nclean[frame->colour]++;
}

static void exo_frame_set_page(struct exo_frame *frame, struct page *page)
{
	frame->page = page;
	frame->colour = page_to_pfn(page) & (exo_pool.ncolours - 1);
	frame->nid = page_to_nid(page);
}

static int exo_pool_create(void)
{
	u32 want, got = 0, i;
	unsigned int order;
	int ret;

	if (!exo_pool_mb || exo_pool_mb > EXO_POOL_MB_MAX) {
		pr_err("pool_mb=%u is outside 1..%u\n", exo_pool_mb,
		       EXO_POOL_MB_MAX);
		return -EINVAL;
	}
	ret = exo_pool_colours();
	if (ret)
		return ret;

	want = exo_pool_mb << (20 - PAGE_SHIFT);
	exo_pool.frames = vzalloc(array_size(want, sizeof(*exo_pool.frames)));
	exo_pool.clean = kcalloc(exo_pool.ncolours, sizeof(*exo_pool.clean),
				 GFP_KERNEL);
	exo_pool.nclean = kcalloc(exo_pool.ncolours, sizeof(*exo_pool.nclean),
				  GFP_KERNEL);
	if (!exo_pool.frames || !exo_pool.clean || !exo_pool.nclean)
		goto err_nomem;
	for (i = 0; i < exo_pool.ncolours; i++)
		INIT_LIST_HEAD(&exo_pool.clean[i]);
	INIT_LIST_HEAD(&exo_pool.dirty);
	INIT_LIST_HEAD(&exo_pool.absent);

	/* High-order chunks first, split into independent 4 KiB frames. */
	order = min_t(unsigned int, EXO_MAX_ORDER, ilog2(want));
	while (got < want) {
		struct page *page;
		u32 n;

		if ((1U << order) > want - got) {
			order = ilog2(want - got);
			continue;
		}
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
				   __GFP_NORETRY, order);
		if (!page) {
			if (!order)
				goto err_nomem;
			order--;
			continue;
		}
		split_page(page, order);
		for (n = 0; n < (1U << order); n++, got++) {
			struct exo_frame *frame = &exo_pool.frames[got];

			frame->index = got;
			INIT_LIST_HEAD(&frame->bindings);
			exo_frame_set_page(frame, page + n);
			exo_frame_make_clean(frame);
		}
		exo_pool.nframes = got;
	}
	exo_pool.nfree = exo_pool.nframes;
	return 0;

err_nomem:
	pr_err("cannot reserve a %u MiB pool (got %u frames)\n", exo_pool_mb,
	       got);
	return -ENOMEM;
}

static void exo_pool_destroy(void)
{
	u32 i;

	for (i = 0; i < exo_pool.nframes; i++)
		if (exo_pool.frames[i].page)
			__free_page(exo_pool.frames[i].page);
	vfree(exo_pool.frames);
	kfree(exo_pool.clean);
	kfree(exo_pool.nclean);
}

/*
 * Zero up to @max dirty frames with exo_mem_lock dropped, so that a pool
 * full of freed frames never holds every environment up behind one
 * caller. Called and returns with the lock held; returns frames zeroed.
 */
static u32 exo_zero_some_locked(u32 max)
{
	struct exo_frame *frame, *next;
	LIST_HEAD(batch);
	u32 n = 0;

	lockdep_assert_held(&exo_mem_lock);
	while (n < max && !list_empty(&exo_pool.dirty)) {
		frame = list_first_entry(&exo_pool.dirty, struct exo_frame,
					 node);
		list_move_tail(&frame->node, &batch);
		frame->zeroing = true;
		exo_pool.ndirty--;
		n++;
	}
	if (!n)
		return 0;
	exo_pool.nzeroing += n;
	mutex_unlock(&exo_mem_lock);
	exo_mem_hold_point(EXO_HOLD_ZERO, &exo_mem_held_zero);
	list_for_each_entry(frame, &batch, node)
		clear_highpage(frame->page);
	mutex_lock(&exo_mem_lock);
	list_for_each_entry_safe(frame, next, &batch, node) {
		list_del(&frame->node);
		frame->zeroing = false;
		exo_frame_make_clean(frame);
	}
	exo_pool.nzeroing -= n;
	return n;
}

/* Freed frames are zeroed here, off the allocation path. */
static void exo_zero_dirty_work(struct work_struct *work)
{
	mutex_lock(&exo_mem_lock);
	while (exo_zero_some_locked(16))
		;
	mutex_unlock(&exo_mem_lock);
}

/* Clean frames, ready to hand out. */
static u32 exo_pool_nclean(void)
{
	return exo_pool.nfree - exo_pool.ndirty - exo_pool.nzeroing -
	       exo_pool.nabsent;
}

static struct exo_frame *exo_take_clean(u32 colour)
{
	struct exo_frame *frame;

	frame = list_first_entry_or_null(&exo_pool.clean[colour],
					 struct exo_frame, node);
	if (frame) {
		list_del(&frame->node);
		exo_pool.nclean[colour]--;
	}
	return frame;
}

/*
 * A new zeroed page for an absent frame, which becomes clean. Tries a few
 * pages for one of the frame's own colour, so that a colour's frames stay
 * that colour's; takes any after that.
 */
static int exo_frame_refill_locked(struct exo_frame *frame)
{
	const gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN;
	struct page *page, *spare[4];
	int n = 0;

	lockdep_assert_held(&exo_mem_lock);
	for (;;) {
		page = alloc_page(gfp);
		if (!page)
			break;
		if ((page_to_pfn(page) & (exo_pool.ncolours - 1)) ==
		    frame->colour || n == ARRAY_SIZE(spare))
			break;
		spare[n++] = page;
	}
	while (n--)
		__free_page(spare[n]);
	if (!page)
		return -ENOMEM;
	list_del(&frame->node);
	exo_pool.nabsent--;
	exo_frame_set_page(frame, page);
	exo_frame_make_clean(frame);
	return 0;
}

/* Up to @want absent frames made clean again; returns how many. */
static u32 exo_pool_refill_locked(u32 want)
{
	u32 n = 0;

	while (n < want && !list_empty(&exo_pool.absent) &&
	       !exo_frame_refill_locked(list_first_entry(&exo_pool.absent,
							  struct exo_frame,
							  node)))
		n++;
	return n;
}

static void exo_frame_give(struct exo_env *env, struct exo_frame *frame)
{
	frame->owner = env;
	list_add_tail(&frame->node, &env->mem.held);
	env->mem.nheld++;
	exo_pool.nfree--;
	atomic64_set(&env->frames, env->mem.nheld);
}

/* ---- zapping ------------------------------------------------------------ */

static void exo_region_release(struct kref *ref)
{
	struct exo_region *region = container_of(ref, struct exo_region, ref);

	mmdrop(region->mm);
	kvfree(region);
}

/* Unlink a binding; queue its PTE for removal if @zaps is given. */
static void exo_binding_remove(struct exo_binding *binding,
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

static const struct vm_operations_struct exo_vm_ops;

/* Remove queued PTEs; call without exo_mem_lock. */
static void exo_zap_run(struct list_head *zaps)
{
	struct exo_zap *zap, *next;

	list_for_each_entry_safe(zap, next, zaps, node) {
		struct exo_region *region = zap->region;

		if (mmget_not_zero(region->mm)) {
			struct vm_area_struct *vma;

			mmap_read_lock(region->mm);
			/*
			 * munmap() detaches the VMA under the write lock but
			 * may tear it down (and call .close) under the read
			 * side, beside us: zap only a VMA still in the tree.
			 */
			vma = vma_lookup(region->mm, region->start);
			if (vma && vma == READ_ONCE(region->vma) &&
			    vma->vm_ops == &exo_vm_ops &&
			    vma->vm_private_data == region)
				zap_vma_ptes(vma, region->start +
					     ((unsigned long)zap->pgoff << PAGE_SHIFT),
					     (unsigned long)zap->npages << PAGE_SHIFT);
			mmap_read_unlock(region->mm);
			mmput(region->mm);
		}
		kref_put(&region->ref, exo_region_release);
		list_del(&zap->node);
		kfree(zap);
	}
}

/* ---- grants ------------------------------------------------------------- */

static void exo_grant_remove(struct exo_grant *grant, struct exo_teardown *td,
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
static void exo_frame_ungrant(struct exo_env *env, struct exo_frame *frame,
			      struct exo_teardown *td)
{
	struct exo_grant *grant, *next;

	list_for_each_entry_safe(grant, next, &env->mem.grants_out,
				 grantor_node)
		if (frame->index >= grant->first &&
		    frame->index - grant->first < grant->count)
			exo_grant_remove(grant, td, true);
}

/* Take @frame from its owner: its bindings and grants go into @td. */
static void exo_frame_release(struct exo_frame *frame, struct exo_teardown *td)
{
	struct exo_env *env = frame->owner;

	lockdep_assert_held(&exo_mem_lock);
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
static void exo_frames_retire_locked(struct exo_teardown *td)
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
static void exo_teardown_finish(struct exo_teardown *td)
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

/* ---- regions: mmap and faults ------------------------------------------ */

/*
 * A binding's PTE never grants more than the VMA's own protection. x86 has
 * no write-only PTE, so a write-only VMA reads like the kernel's own: a
 * PROT_NONE PTE there would fault forever, since insert leaves it alone.
 */
static pgprot_t exo_binding_prot(struct vm_area_struct *vma, bool writable)
{
	vm_flags_t flags = VM_SHARED;

	if (vma->vm_flags & (VM_READ | VM_WRITE))
		flags |= VM_READ;

	if (writable)
		flags |= vma->vm_flags & VM_WRITE;
	return vm_get_page_prot(flags);
}

static vm_fault_t exo_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct exo_region *region = vma->vm_private_data;
	struct exo_binding *binding;
	vm_fault_t ret;
	u32 pgoff;

	pgoff = (vmf->address - vma->vm_start) >> PAGE_SHIFT;
	mutex_lock(&exo_mem_lock);
	binding = pgoff < region->npages ? region->pages[pgoff] : NULL;
	if (!binding)
		ret = VM_FAULT_SIGBUS;
	else if ((vmf->flags & FAULT_FLAG_WRITE) && !binding->writable)
		ret = VM_FAULT_SIGSEGV;
	else
		ret = vmf_insert_pfn_prot(vma, vmf->address & PAGE_MASK,
					  page_to_pfn(binding->frame->page),
					  exo_binding_prot(vma, binding->writable));
	mutex_unlock(&exo_mem_lock);
	return ret;
}

/* A write to a present read-only PTE: allowed only for writable bindings. */
static vm_fault_t exo_vm_pfn_mkwrite(struct vm_fault *vmf)
{
	struct exo_region *region = vmf->vma->vm_private_data;
	struct exo_binding *binding;
	vm_fault_t ret;
	u32 pgoff;

	pgoff = (vmf->address - vmf->vma->vm_start) >> PAGE_SHIFT;
	mutex_lock(&exo_mem_lock);
	binding = pgoff < region->npages ? region->pages[pgoff] : NULL;
	ret = binding && binding->writable ? 0 : VM_FAULT_SIGSEGV;
	mutex_unlock(&exo_mem_lock);
	return ret;
}

/*
 * The kernel copies a VMA behind our back (mremap()'s copy_vma(), which is
 * then unmapped when .mremap refuses, or freed on its ENOMEM path): the
 * copy holds a reference of its own and its .close drops only that. The
 * region lives with the VMA it was made for.
 */
static void exo_vm_open(struct vm_area_struct *vma)
{
	struct exo_region *region = vma->vm_private_data;

	kref_get(&region->ref);
}

static void exo_vm_close(struct vm_area_struct *vma)
{
	struct exo_region *region = vma->vm_private_data;
	u32 i;

	mutex_lock(&exo_mem_lock);
	if (region->vma != vma) {
		mutex_unlock(&exo_mem_lock);
		kref_put(&region->ref, exo_region_release);
		return;
	}
	/* The VMA is going away with its PTEs: nothing to zap. */
	for (i = 0; i < region->npages; i++)
		if (region->pages[i])
			exo_binding_remove(region->pages[i], NULL);
	list_del(&region->env_node);
	region->env->mem.region_pages -= region->npages;
	region->vma = NULL;
	region->env = NULL;
	mutex_unlock(&exo_mem_lock);
	kref_put(&region->ref, exo_region_release);
}

/* A region is one VMA for life: no splitting, no moving. */
static int exo_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static int exo_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct exo_vm_ops = {
	.fault		= exo_vm_fault,
	.pfn_mkwrite	= exo_vm_pfn_mkwrite,
	.open		= exo_vm_open,
	.close		= exo_vm_close,
	.may_split	= exo_vm_may_split,
	.mremap		= exo_vm_mremap,
};

int exo_mem_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	unsigned long npages = vma_pages(vma);
	struct exo_region *region;

	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED) ||
	    npages > EXO_REGION_MAX_PAGES)
		return -EINVAL;

	region = kvzalloc(struct_size(region, pages, npages),
			  GFP_KERNEL_ACCOUNT);
	if (!region)
		return -ENOMEM;
	kref_init(&region->ref);
	region->env = env;
	region->mm = vma->vm_mm;
	mmgrab(region->mm);
	region->vma = vma;
	region->start = vma->vm_start;
	region->npages = npages;

	mutex_lock(&exo_mem_lock);
	if (env->mem.region_pages + npages > READ_ONCE(exo_region_pages_max)) {
		mutex_unlock(&exo_mem_lock);
		mmdrop(region->mm);
		kvfree(region);
		return -ENOMEM;
	}
	env->mem.region_pages += npages;
	list_add_tail(&region->env_node, &env->mem.regions);
	mutex_unlock(&exo_mem_lock);

	/* Not inherited by fork(): the child is not the environment. */
	exo_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_DONTCOPY);
	vma->vm_private_data = region;
	vma->vm_ops = &exo_vm_ops;
	return 0;
}

/*
 * The caller's region holding [addr, addr + count pages), with its first
 * page offset in @pgoff. Needs mmap_lock and exo_mem_lock.
 */
static struct exo_region *exo_region_find(struct exo_env *env, u64 addr,
					  u32 count, u32 *pgoff)
{
	struct vm_area_struct *vma;
	struct exo_region *region;

	if (!addr || addr & ~PAGE_MASK || addr > TASK_SIZE)
		return NULL;
	vma = find_vma(current->mm, addr);
	if (!vma || vma->vm_start > addr || vma->vm_ops != &exo_vm_ops)
		return NULL;
	region = vma->vm_private_data;
	if (region->env != env)
		return NULL;
	*pgoff = (addr - vma->vm_start) >> PAGE_SHIFT;
	if (count > region->npages - *pgoff)
		return NULL;
	return region;
}

/* ---- ioctls ------------------------------------------------------------- */

static bool exo_frame_granted(struct exo_env *env, struct exo_frame *frame,
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
 * Bind frames[i] at page pgoff + i of @region, all or nothing, and insert
 * the PTEs now so that the first touch does not fault.
 */
static int exo_bind_locked(struct exo_env *env, struct exo_region *region,
			   u32 pgoff, struct exo_frame **frames,
			   struct exo_grant **grants, u32 count, bool writable)
{
	struct vm_area_struct *vma = region->vma;
	u32 i;

	for (i = 0; i < count; i++)
		if (region->pages[pgoff + i])
			return -EINVAL;
	if (env->mem.nmapped + count > READ_ONCE(exo_mapped_max))
		return -EDQUOT;

	for (i = 0; i < count; i++) {
		struct exo_binding *binding;

		binding = kmem_cache_alloc(exo_binding_cache, GFP_KERNEL_ACCOUNT);
		if (!binding)
			goto err_unbind;
		binding->region = region;
		binding->frame = frames[i];
		binding->grant = grants ? grants[i] : NULL;
		binding->pgoff = pgoff + i;
		binding->writable = writable;
		list_add_tail(&binding->frame_node, &frames[i]->bindings);
		region->pages[pgoff + i] = binding;
		env->mem.nmapped++;
	}
	for (i = 0; grants && i < count; i++)
		if (grants[i])
			grants[i]->used = true;
	/*
	 * A page unbound by another thread's FREE or UNGRANT may still have
	 * its old PTE until that call's zap runs; we hold this mm's mmap_lock,
	 * so clear the range here rather than keep a stale translation.
	 */
	zap_vma_ptes(vma, vma->vm_start + ((unsigned long)pgoff << PAGE_SHIFT),
		     (unsigned long)count << PAGE_SHIFT);
	/* PROT_NONE: no PTE now; a fault after mprotect() fills them in. */
	for (i = 0; i < count && (vma->vm_flags & (VM_READ | VM_WRITE)); i++) {
		unsigned long addr = vma->vm_start +
				     ((unsigned long)(pgoff + i) << PAGE_SHIFT);

		/* Best effort: a page left out is filled in by its fault. */
		vmf_insert_pfn_prot(vma, addr, page_to_pfn(frames[i]->page),
				    exo_binding_prot(vma, writable));
	}
	return 0;

err_unbind:
	while (i--)
		exo_binding_remove(region->pages[pgoff + i], NULL);
	return -ENOMEM;
}

#define EXO_MEM_INFO_MINSZ	offsetofend(struct exo_mem_info, reserved)
#define EXO_MEM_ALLOC_MINSZ	offsetofend(struct exo_mem_alloc, addr)
#define EXO_MEM_BATCH_MINSZ	offsetofend(struct exo_mem_batch, addr)
#define EXO_MEM_UNMAP_MINSZ	offsetofend(struct exo_mem_unmap, addr)
#define EXO_MEM_GRANT_MINSZ	offsetofend(struct exo_mem_grant, grant_id)
#define EXO_MEM_REVOKE_MINSZ	offsetofend(struct exo_mem_revoke, env_id)
#define EXO_MEM_REPO_MINSZ	offsetofend(struct exo_mem_repossessed, indexes)

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
				exo_frame_release(frames[i], &td);
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
				exo_frame_release(frames[i], &td);
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
static u32 *exo_copy_indexes(u64 uptr, u32 count)
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

/* A revocation is over as soon as the environment holds what it may keep. */
static void exo_revoke_check_met(struct exo_env *env)
{
	struct exo_env_mem *mem = &env->mem;

	lockdep_assert_held(&exo_mem_lock);
	if (mem->revoke_pending && mem->nheld <= mem->revoke_keep) {
		mem->revoke_pending = false;
		/* A worker already running sees !revoke_pending and leaves. */
		cancel_delayed_work(&mem->revoke_work);
	}
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
		exo_frame_release(&exo_pool.frames[indexes[i]], &td);
	exo_revoke_check_met(env);
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	kvfree(indexes);
	return ret;
}

static long exo_mem_map_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_grant **grants = NULL;
	struct exo_frame **frames = NULL;
	struct exo_region *region;
	struct exo_mem_batch req;
	u32 *indexes, i, pgoff;
	bool write;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_BATCH_MINSZ, uarg);
	if (ret)
		return ret;
	if ((req.flags & ~EXO_MEM_PROT_WRITE) || req.reserved)
		return -EINVAL;
	write = req.flags & EXO_MEM_PROT_WRITE;
	indexes = exo_copy_indexes(req.indexes, req.count);
	if (IS_ERR(indexes))
		return PTR_ERR(indexes);
	frames = kvcalloc(req.count, sizeof(*frames), GFP_KERNEL);
	grants = kvcalloc(req.count, sizeof(*grants), GFP_KERNEL);
	if (!frames || !grants) {
		ret = -ENOMEM;
		goto out_free;
	}

	mmap_read_lock(current->mm);
	mutex_lock(&exo_mem_lock);
	ret = -EINVAL;
	region = exo_region_find(env, req.addr, req.count, &pgoff);
	if (!region)
		goto out_unlock;
	ret = -EPERM;
	for (i = 0; i < req.count; i++) {
		frames[i] = &exo_pool.frames[indexes[i]];
		if (frames[i]->owner == env)
			continue;
		if (!frames[i]->owner ||
		    !exo_frame_granted(env, frames[i], write, &grants[i]))
			goto out_unlock;
	}
	ret = exo_bind_locked(env, region, pgoff, frames, grants, req.count,
			      write);
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mmap_read_unlock(current->mm);
out_free:
	kvfree(grants);
	kvfree(frames);
	kvfree(indexes);
	return ret;
}

static long exo_mem_unmap_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_region *region;
	struct exo_mem_unmap req;
	u32 i, pgoff;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_UNMAP_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.reserved || !req.count ||
	    req.count > EXO_MEM_BATCH_MAX)
		return -EINVAL;

	mmap_read_lock(current->mm);
	mutex_lock(&exo_mem_lock);
	ret = -EINVAL;
	region = exo_region_find(env, req.addr, req.count, &pgoff);
	if (!region)
		goto out_unlock;
	for (i = 0; i < req.count; i++)
		if (!region->pages[pgoff + i])
			goto out_unlock;
	for (i = 0; i < req.count; i++)
		exo_binding_remove(region->pages[pgoff + i], NULL);
	/* Our own mm, whose mmap_lock we hold: zap in place. */
	zap_vma_ptes(region->vma, req.addr,
		     (unsigned long)req.count << PAGE_SHIFT);
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mmap_read_unlock(current->mm);
	return ret;
}

static long exo_mem_grant_ioctl(struct exo_env *env, void __user *uarg)
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

static long exo_mem_ungrant_ioctl(struct exo_env *env, void __user *uarg)
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

/* ---- revocation and the abort protocol --------------------------------- */

/* Ask @env for @count frames by @deadline_ms; returns what was asked. */
static u32 exo_revoke_request_locked(struct exo_env *env, u32 count,
				     u32 deadline_ms)
{
	struct exo_env_mem *mem = &env->mem;
	u32 spare;

	lockdep_assert_held(&exo_mem_lock);
	spare = mem->nheld > exo_mem_reserve ? mem->nheld - exo_mem_reserve : 0;
	count = min(count, spare);
	if (!count || mem->dead)
		return 0;
	mem->revoke_pending = true;
	mem->revoke_keep = mem->nheld - count;
	mem->revoke_id = ++exo_pool.next_revoke_id;
	mem->revoke_deadline_ns = ktime_get_boottime_ns() +
				  (u64)deadline_ms * NSEC_PER_MSEC;
	/* A timer left from an earlier request must not keep its time. */
	mod_delayed_work(system_wq, &mem->revoke_work,
			 msecs_to_jiffies(deadline_ms) + 1);
	exo_event_post(env, EXO_EVENT_MEM_REVOKE, count,
		       mem->revoke_deadline_ns, mem->revoke_id, 0);
	return count;
}

static void exo_repossessed_push(struct exo_env_mem *mem, u32 index)
{
	if (mem->repo_count == EXO_REPO_LEN) {
		mem->repo_lost++;
		return;
	}
	mem->repossessed[(mem->repo_head + mem->repo_count) % EXO_REPO_LEN] =
		index;
	mem->repo_count++;
}

/* The deadline passed: take by force what is still owed. */
static void exo_revoke_abort(struct work_struct *work)
{
	struct exo_env_mem *mem = container_of(to_delayed_work(work),
					       struct exo_env_mem,
					       revoke_work);
	struct exo_env *env = container_of(mem, struct exo_env, mem);
	u32 owed, floor, taken = 0;
	struct exo_teardown td;
	u64 revoke_id, now;

	exo_teardown_init(&td);
	exo_mem_hold_point(EXO_HOLD_REVOKE, &exo_mem_held_revoke);
	mutex_lock(&exo_mem_lock);
	if (!mem->revoke_pending || mem->dead) {
		mutex_unlock(&exo_mem_lock);
		return;
	}
	/*
	 * A run that waited for the lock while the request it was for was
	 * met, and a new one made, must not take under the new deadline.
	 */
	now = ktime_get_boottime_ns();
	if (now < mem->revoke_deadline_ns) {
		mod_delayed_work(system_wq, &mem->revoke_work,
				 nsecs_to_jiffies(mem->revoke_deadline_ns -
						  now) + 1);
		mutex_unlock(&exo_mem_lock);
		return;
	}
	mem->revoke_pending = false;
	revoke_id = mem->revoke_id;
	floor = max(mem->revoke_keep, exo_mem_reserve);
	owed = mem->nheld > floor ? mem->nheld - floor : 0;
	/* The kernel's choice: the most recently allocated frames. */
	while (taken < owed) {
		struct exo_frame *frame = list_last_entry(&mem->held,
							  struct exo_frame,
							  node);

		exo_repossessed_push(mem, frame->index);
		exo_frame_release(frame, &td);
		taken++;
	}
	mutex_unlock(&exo_mem_lock);
	/* The event says the frames are gone: make it true first. */
	exo_teardown_finish(&td);
	if (taken)
		exo_event_post(env, EXO_EVENT_MEM_ABORT, taken, 0, revoke_id,
			       0);
}

static long exo_mem_revoke_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_revoke req;
	struct exo_env *target;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_REVOKE_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || !req.count || !req.deadline_ms ||
	    req.deadline_ms > EXO_REVOKE_MS_MAX)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* A request cannot be taken back: make sure the answer can land. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;

	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_mem_lock);
	target = exo_env_find_locked(req.env_id);
	if (!target)
		ret = -ESRCH;
	else if (target->mem.revoke_pending)
		ret = -EBUSY;
	else
		req.count = exo_revoke_request_locked(target, req.count,
						      req.deadline_ms);
	mutex_unlock(&exo_mem_lock);
	mutex_unlock(&exo_envs_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

static long exo_mem_repossessed_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_repossessed req;
	struct exo_env_mem *mem = &env->mem;
	u32 *indexes, n, i;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_REPO_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.lost || !req.count ||
	    req.count > EXO_MEM_BATCH_MAX)
		return -EINVAL;
	/* Entries leave the vector only if the count can reach the caller. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	indexes = kvcalloc(req.count, sizeof(*indexes), GFP_KERNEL);
	if (!indexes)
		return -ENOMEM;

	/*
	 * Two readers must not both copy the same head entries and both
	 * drop them: the count would underflow. Pushes only append.
	 */
	mutex_lock(&mem->repo_read_lock);
	mutex_lock(&exo_mem_lock);
	n = min(req.count, mem->repo_count);
	for (i = 0; i < n; i++)
		indexes[i] = mem->repossessed[(mem->repo_head + i) %
					      EXO_REPO_LEN];
	mutex_unlock(&exo_mem_lock);

	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(req.indexes), indexes,
			 n * sizeof(*indexes)))
		goto out;
	/* Only entries that reached the caller leave the vector. */
	mutex_lock(&exo_mem_lock);
	mem->repo_head = (mem->repo_head + n) % EXO_REPO_LEN;
	mem->repo_count -= n;
	req.count = n;
	req.lost = mem->repo_lost;
	mem->repo_lost = 0;
	mutex_unlock(&exo_mem_lock);
	ret = exo_copy_result(uarg, &req, sizeof(req), req.argsz);
out:
	mutex_unlock(&mem->repo_read_lock);
	kvfree(indexes);
	return ret;
}

long exo_mem_ioctl(struct exo_env *env, unsigned int cmd, void __user *uarg)
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
	default:
		return -ENOTTY;
	}
}

/* ---- memory pressure ------------------------------------------------------ */

/* Free frames the pool may give back now: beyond pool_min_mb, not zeroing. */
static u32 exo_pool_returnable_locked(void)
{
	u32 keep = min_t(u64, (u64)READ_ONCE(exo_pool_min_mb) <<
			       (20 - PAGE_SHIFT), U32_MAX);
	u32 present = exo_pool.nfree - exo_pool.nabsent - exo_pool.nzeroing;

	lockdep_assert_held(&exo_mem_lock);
	return present > keep ? present - keep : 0;
}

/* Give the page of a free frame, dirty or clean, back to the kernel. */
static void exo_frame_return_locked(struct exo_frame *frame)
{
	lockdep_assert_held(&exo_mem_lock);
	list_del(&frame->node);
	if (frame->dirty) {
		frame->dirty = false;
		exo_pool.ndirty--;
	} else {
		exo_pool.nclean[frame->colour]--;
	}
	__free_page(frame->page);
	frame->page = NULL;
	list_add_tail(&frame->node, &exo_pool.absent);
	exo_pool.nabsent++;
}

/* Up to @want free frames' pages back to the kernel: dirty ones first. */
static u32 exo_pool_return_locked(u32 want)
{
	u32 n = 0, c, empty = 0;

	want = min(want, exo_pool_returnable_locked());
	while (n < want && !list_empty(&exo_pool.dirty)) {
		exo_frame_return_locked(list_first_entry(&exo_pool.dirty,
							 struct exo_frame,
							 node));
		n++;
	}
	/* Then clean ones, a colour at a time, so that colours stay even. */
	for (c = exo_pool.next_colour; n < want && empty < exo_pool.ncolours;
	     c = (c + 1) & (exo_pool.ncolours - 1)) {
		struct list_head *clean = &exo_pool.clean[c];

		if (list_empty(clean)) {
			empty++;
			continue;
		}
		empty = 0;
		exo_frame_return_locked(list_last_entry(clean,
							struct exo_frame,
							node));
		n++;
	}
	return n;
}

static u32 exo_env_revocable(struct exo_env *env)
{
	if (env->mem.revoke_pending || env->mem.dead ||
	    env->mem.nheld <= exo_mem_reserve)
		return 0;
	return env->mem.nheld - exo_mem_reserve;
}

/* Reclaim may call us holding anything: only ever trylock. */
static unsigned long exo_shrink_count(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	unsigned long count = 0;
	struct exo_env *env;

	if (!mutex_trylock(&exo_envs_lock))
		return 0;
	if (mutex_trylock(&exo_mem_lock)) {
		count = exo_pool_returnable_locked();
		list_for_each_entry(env, &exo_envs, node)
			count += exo_env_revocable(env);
		mutex_unlock(&exo_mem_lock);
	}
	mutex_unlock(&exo_envs_lock);
	return count;
}

/*
 * Free frames beyond pool_min_mb go straight back to the kernel: that is
 * what reclaim gains now. The rest of the pressure becomes visible
 * revocation: each environment is asked for its share and has revoke_ms
 * to choose; what it gives back is returned by a later scan.
 */
static unsigned long exo_shrink_scan(struct shrinker *shrinker,
				     struct shrink_control *sc)
{
	unsigned long want = sc->nr_to_scan, freed = 0;
	struct exo_env *env;

	if (!mutex_trylock(&exo_envs_lock))
		return SHRINK_STOP;
	if (mutex_trylock(&exo_mem_lock)) {
		freed = exo_pool_return_locked(min_t(unsigned long, want,
						     U32_MAX));
		want -= freed;
		list_for_each_entry(env, &exo_envs, node) {
			u32 ask = min_t(unsigned long, want,
					exo_env_revocable(env));

			if (!want)
				break;
			if (!ask)
				continue;
			want -= exo_revoke_request_locked(env, ask,
							  exo_revoke_ms);
		}
		mutex_unlock(&exo_mem_lock);
	}
	mutex_unlock(&exo_envs_lock);
	return freed ? freed : SHRINK_STOP;
}

/* ---- environments, debugfs, module -------------------------------------- */

int exo_mem_env_init(struct exo_env *env)
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
void exo_mem_env_destroy(struct exo_env *env)
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
		exo_frame_release(frame, &td);
	WARN_ON(!list_empty(&mem->grants_out));
	WARN_ON(!list_empty(&mem->regions));
	mutex_unlock(&exo_mem_lock);
	exo_teardown_finish(&td);
	kvfree(mem->repossessed);
}

static int exo_pool_show(struct seq_file *m, void *unused)
{
	u32 i;

	mutex_lock(&exo_mem_lock);
	seq_printf(m, "frames: %u\nfree: %u\nabsent: %u\ncolours: %u\nreserve: %u\nquota: %u\n",
		   exo_pool.nframes, exo_pool.nfree, exo_pool.nabsent,
		   exo_pool.ncolours, exo_mem_reserve, exo_mem_quota);
	for (i = 0; i < exo_pool.ncolours; i++)
		seq_printf(m, "colour %u clean %u\n", i, exo_pool.nclean[i]);
	for (i = 0; i < exo_pool.nframes; i++) {
		struct exo_frame *frame = &exo_pool.frames[i];
		struct exo_binding *binding;
		u32 mappings = 0;

		if (!frame->owner)
			continue;
		list_for_each_entry(binding, &frame->bindings, frame_node)
			mappings++;
		seq_printf(m, "frame %u colour %u node %u env %llu mappings %u\n",
			   i, frame->colour, frame->nid, frame->owner->id,
			   mappings);
	}
	mutex_unlock(&exo_mem_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exo_pool);

void exo_mem_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("pool", 0400, dir, NULL, &exo_pool_fops);
	debugfs_create_u32("hold", 0600, dir, &exo_mem_hold);
	debugfs_create_atomic_t("held_zero", 0400, dir, &exo_mem_held_zero);
	debugfs_create_atomic_t("held_revoke", 0400, dir,
				&exo_mem_held_revoke);
}

int exo_mem_init(void)
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

void exo_mem_exit(void)
{
	exo_shrinker_destroy(exo_shrinker);
	WRITE_ONCE(exo_mem_hold, 0);	/* no worker waits past unload */
	flush_work(&exo_zero_work);
	exo_pool_destroy();
	kmem_cache_destroy(exo_binding_cache);
}
