/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory binding's internals, shared by the files of module/mem/.
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
#ifndef EXO_MEM_H
#define EXO_MEM_H

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

#include "../binding.h"
#include "../compat.h"
#include "../exo.h"
#include "../exo_trace.h"
#include "../uapi_copy.h"

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
	struct mm_struct *mm;			/* immutable, mmgrab()ed; zaps never mmget() */
	struct vm_area_struct *vma;		/* NULL once closed */
	unsigned long start;			/* immutable */
	u32 npages;				/* immutable */
	u32 flags;				/* EXO_REGION_* */
	struct list_head faults;		/* struct exo_fault.region_node */
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

enum exo_fault_state {
	EXO_FAULT_PENDING,			/* the thread waits for the libOS */
	EXO_FAULT_RESOLVED,			/* the page is bound: retry */
	EXO_FAULT_FAILED,			/* its retry gets SIGBUS */
};

/*
 * A fault of an upcall region, posted to the libOS. The faulting thread
 * owns it while it waits; a FAILED one stays on the region's list for
 * that thread's retry of the fault, which turns it into SIGBUS, or until
 * the region is released.
 */
struct exo_fault {
	u64 id;					/* immutable: the event's data[0] */
	struct exo_region *region;		/* immutable */
	struct task_struct *task;		/* immutable, held */
	u32 pgoff;				/* immutable */
	bool write;				/* immutable */
	bool readonly;				/* immutable: the page was bound */
	enum exo_fault_state state;
	struct completion done;			/* once state leaves PENDING */
	struct list_head region_node;		/* in region->faults */
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

static inline void exo_teardown_init(struct exo_teardown *td)
{
	INIT_LIST_HEAD(&td->zaps);
	INIT_LIST_HEAD(&td->frames);
	INIT_LIST_HEAD(&td->notices);
}

#define EXO_MEM_INFO_MINSZ	offsetofend(struct exo_mem_info, reserved)
#define EXO_MEM_ALLOC_MINSZ	offsetofend(struct exo_mem_alloc, addr)
#define EXO_MEM_BATCH_MINSZ	offsetofend(struct exo_mem_batch, addr)
#define EXO_MEM_UNMAP_MINSZ	offsetofend(struct exo_mem_unmap, addr)
#define EXO_MEM_GRANT_MINSZ	offsetofend(struct exo_mem_grant, grant_id)
#define EXO_MEM_REVOKE_MINSZ	offsetofend(struct exo_mem_revoke, env_id)
#define EXO_MEM_REPO_MINSZ	offsetofend(struct exo_mem_repossessed, indexes)
#define EXO_MEM_REGION_MINSZ	offsetofend(struct exo_mem_region, addr)
#define EXO_MEM_RESOLVE_MINSZ	offsetofend(struct exo_mem_fault_resolve, reserved)

/* mem.c: module parameters */
extern uint exo_pool_mb;
extern uint exo_colours;
extern uint exo_mem_reserve;
extern uint exo_mem_quota;
extern uint exo_pool_min_mb;
extern uint exo_revoke_ms;
extern uint exo_region_pages_max;
extern uint exo_mapped_max;
extern uint exo_grants_max;
extern uint exo_fault_timeout_ms;

/* pool.c: the shared state, under exo_mem_lock where not immutable */
extern struct mutex exo_mem_lock;

struct exo_mem_pool {
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
};

extern struct exo_mem_pool exo_pool;
extern struct kmem_cache *exo_binding_cache;	/* struct exo_binding */
extern struct shrinker *exo_shrinker;
extern struct work_struct exo_zero_work;	/* zeroes the dirty list */

/* map.c */
extern const struct vm_operations_struct exo_vm_ops;

/* pool.c: the test hook that holds a worker at a point (debugfs "hold") */
#define EXO_HOLD_ZERO	BIT(0)	/* zeroing, after it dropped exo_mem_lock */
#define EXO_HOLD_REVOKE	BIT(1)	/* revoke worker, before it takes the lock */
#define EXO_HOLD_ZAP	BIT(2)	/* a zap with its region's mm in hand */
extern u32 exo_mem_hold;
extern atomic_t exo_mem_held_revoke;
extern atomic_t exo_mem_held_zap;
void exo_mem_hold_point(u32 bit, atomic_t *held);

/* mem.c */
u32 *exo_copy_indexes(u64 uptr, u32 count);

/* pool.c */
void exo_frame_make_clean(struct exo_frame *frame);
int exo_pool_create(void);
void exo_pool_destroy(void);
u32 exo_zero_some_locked(u32 max);
u32 exo_pool_nclean(void);
struct exo_frame *exo_take_clean(u32 colour);
int exo_frame_refill_locked(struct exo_frame *frame);
u32 exo_pool_refill_locked(u32 want);
void exo_frame_give(struct exo_env *env, struct exo_frame *frame);
unsigned long exo_shrink_count(struct shrinker *shrinker,
			       struct shrink_control *sc);
unsigned long exo_shrink_scan(struct shrinker *shrinker,
			      struct shrink_control *sc);
void exo_mem_debugfs_init(struct dentry *dir);

/* teardown.c */
void exo_region_release(struct kref *ref);
void exo_binding_remove(struct exo_binding *binding,
			struct list_head *zaps);
void exo_frame_release(struct exo_frame *frame, struct exo_teardown *td,
		       u32 why);
void exo_frames_retire_locked(struct exo_teardown *td);
void exo_teardown_finish(struct exo_teardown *td);

/* map.c */
int exo_mem_mmap(struct exo_env *env, struct vm_area_struct *vma);
struct exo_region *exo_region_find(struct exo_env *env, u64 addr,
				   u32 count, u32 *pgoff);
int exo_bind_locked(struct exo_env *env, struct exo_region *region,
		    u32 pgoff, struct exo_frame **frames,
		    struct exo_grant **grants, u32 count, bool writable);
long exo_mem_map_ioctl(struct exo_env *env, void __user *uarg);
long exo_mem_unmap_ioctl(struct exo_env *env, void __user *uarg);

/* fault.c */
/* An unbound page, or a write to a read-only one, of an upcall region. */
static inline bool exo_fault_wants_upcall(const struct exo_region *region,
					  const struct exo_binding *binding,
					  bool write)
{
	return (region->flags & EXO_REGION_FAULT_UPCALL) && region->env &&
	       (!binding || (write && !binding->writable));
}

vm_fault_t exo_fault_upcall(struct vm_fault *vmf, struct exo_region *region,
			    u32 pgoff, bool write);
void exo_faults_end_locked(struct exo_region *region, u32 pgoff, u32 count,
			   enum exo_fault_state state);
void exo_faults_free(struct exo_region *region);
long exo_mem_region_set_ioctl(struct exo_env *env, void __user *uarg);
long exo_mem_fault_resolve_ioctl(struct exo_env *env, void __user *uarg);

/* grant.c */
void exo_grant_remove(struct exo_grant *grant, struct exo_teardown *td,
		      bool notify);
void exo_frame_ungrant(struct exo_env *env, struct exo_frame *frame,
		       struct exo_teardown *td);
bool exo_frame_granted(struct exo_env *env, struct exo_frame *frame,
		       bool write, struct exo_grant **grant_out);
long exo_mem_grant_ioctl(struct exo_env *env, void __user *uarg);
long exo_mem_ungrant_ioctl(struct exo_env *env, void __user *uarg);
int exo_mem_cap_grant(struct exo_env *env, struct exo_cap *req);
int exo_mem_cap_revoke(struct exo_env *env, u64 cap_id);

/* revoke.c */
void exo_revoke_check_met(struct exo_env *env);
u32 exo_revoke_request_locked(struct exo_env *env, u32 count,
			      u32 deadline_ms, u32 why);
void exo_revoke_abort(struct work_struct *work);
long exo_mem_revoke_ioctl(struct exo_env *env, void __user *uarg);
long exo_mem_repossessed_ioctl(struct exo_env *env, void __user *uarg);

#endif /* EXO_MEM_H */
