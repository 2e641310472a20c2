// SPDX-License-Identifier: GPL-2.0
/*
 * The submission ring: one mapped SQ/CQ pair per environment and a doorbell
 * ioctl that runs a batch of the bindings' own ioctls for one crossing
 * (uapi/linux/exo.h, section 8).
 *
 * The ring's memory is shared with user space, which may rewrite any of it
 * at any time, from another thread or a child it let share the mapping.
 * So the kernel keeps its own sq_head and cq_tail and only writes them out,
 * reads the caller's sq_tail and cq_head once per doorbell and checks them
 * before anything runs, and copies each SQE field once into a local before
 * looking at it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../binding.h"
#include "../compat.h"
#include "../exo.h"
#include "../uapi_copy.h"

#define EXO_RING_SETUP_MINSZ	offsetofend(struct exo_ring_setup, reserved)
#define EXO_RING_ENTER_MINSZ	offsetofend(struct exo_ring_enter, reserved)

/* The SQ starts after the header, on a cache line of its own. */
#define EXO_RING_SQ_OFF		64

struct exo_ring {
	void *mem;			/* immutable: the mapped area, vmalloc */
	u32 size;			/* immutable: its bytes, page-rounded */
	u32 sq_entries;			/* immutable */
	u32 cq_entries;			/* immutable */
	u32 cq_off;			/* immutable */

	struct mutex lock;		/* serialises RING_ENTER */
	u32 sq_head;			/* the truth of hdr->sq_head; lock */
	u32 cq_tail;			/* the truth of hdr->cq_tail; lock */
	u32 cq_overflow;		/* the truth of hdr->cq_overflow; lock */
};

static struct exo_ring_hdr *exo_ring_hdr(struct exo_ring *r)
{
	return r->mem;
}

static struct exo_ring_sqe *exo_ring_sqe(struct exo_ring *r, u32 i)
{
	struct exo_ring_sqe *sq = r->mem + EXO_RING_SQ_OFF;

	return &sq[i & (r->sq_entries - 1)];
}

static struct exo_ring_cqe *exo_ring_cqe(struct exo_ring *r, u32 i)
{
	struct exo_ring_cqe *cq = r->mem + r->cq_off;

	return &cq[i & (r->cq_entries - 1)];
}

static long exo_ring_setup(struct exo_env *env, void __user *uarg)
{
	struct exo_ring_setup s;
	struct exo_ring_hdr *hdr;
	struct exo_ring *r;
	size_t size;
	long ret;

	ret = exo_copy_args(&s, sizeof(s), EXO_RING_SETUP_MINSZ, uarg);
	if (ret)
		return ret;
	if (s.flags || s.reserved)
		return -EINVAL;
	if (!s.cq_entries)
		s.cq_entries = 2 * s.sq_entries;
	if (!s.sq_entries || s.sq_entries > EXO_RING_MAX_ENTRIES ||
	    !is_power_of_2(s.sq_entries) || s.cq_entries < s.sq_entries ||
	    s.cq_entries > EXO_RING_MAX_CQ || !is_power_of_2(s.cq_entries))
		return -EINVAL;

	mutex_lock(&env->ring.setup_lock);
	ret = -EEXIST;
	if (env->ring.ring)
		goto out;
	ret = -ENOMEM;
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		goto out;
	r->sq_entries = s.sq_entries;
	r->cq_entries = s.cq_entries;
	r->cq_off = EXO_RING_SQ_OFF + s.sq_entries * sizeof(struct exo_ring_sqe);
	size = PAGE_ALIGN(r->cq_off + s.cq_entries * sizeof(struct exo_ring_cqe));
	r->size = size;
	r->mem = __vmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!r->mem) {
		kfree(r);
		goto out;
	}
	mutex_init(&r->lock);
	hdr = exo_ring_hdr(r);
	hdr->sq_entries = r->sq_entries;
	hdr->cq_entries = r->cq_entries;

	s.ring_size = r->size;
	s.sq_off = EXO_RING_SQ_OFF;
	s.cq_off = r->cq_off;
	ret = exo_copy_result(uarg, &s, sizeof(s), s.argsz);
	if (ret) {
		vfree(r->mem);
		kfree(r);
		goto out;
	}
	/* Published whole: ENTER and mmap read it without setup_lock. */
	smp_store_release(&env->ring.ring, r);
out:
	mutex_unlock(&env->ring.setup_lock);
	return ret;
}

/*
 * What may go through the ring: ioctls that do a bounded amount of work
 * and never wait on another party. NOP is the core's; the ring serves it.
 */
static bool exo_ring_allowed(u32 cmd)
{
	switch (cmd) {
	case EXO_IOC_MEM_ALLOC:
	case EXO_IOC_MEM_FREE:
	case EXO_IOC_MEM_MAP:
	case EXO_IOC_MEM_UNMAP:
	case EXO_IOC_NET_TX:
	case EXO_IOC_XN_ALLOC:
	case EXO_IOC_XN_FREE:
	case EXO_IOC_XN_WRITE:
		return true;
	}
	return false;
}

static s32 exo_ring_run(struct exo_env *env, const struct exo_ring_sqe *sqe)
{
	const struct exo_binding_ops *b;
	long ret;

	if (sqe->flags || sqe->reserved)
		return -EINVAL;
	if (sqe->cmd == EXO_IOC_NOP)
		return sqe->arg ? -EINVAL : 0;
	if (!exo_ring_allowed(sqe->cmd))
		return -EOPNOTSUPP;
	b = exo_binding_of_ioctl(_IOC_NR(sqe->cmd));
	if (WARN_ON_ONCE(!b))
		return -EOPNOTSUPP;
	ret = b->ioctl(env, sqe->cmd, u64_to_user_ptr(sqe->arg));
	return clamp_t(long, ret, S32_MIN, S32_MAX);
}

static void exo_ring_post(struct exo_ring *r, u32 cq_head, u64 user_data,
			  s32 result)
{
	struct exo_ring_cqe *cqe;

	lockdep_assert_held(&r->lock);
	if (r->cq_tail - cq_head >= r->cq_entries) {
		r->cq_overflow++;
		WRITE_ONCE(exo_ring_hdr(r)->cq_overflow, r->cq_overflow);
		return;
	}
	cqe = exo_ring_cqe(r, r->cq_tail);
	WRITE_ONCE(cqe->user_data, user_data);
	WRITE_ONCE(cqe->result, result);
	WRITE_ONCE(cqe->flags, 0);
	r->cq_tail++;
	/* The CQE before the tail that shows it. */
	smp_store_release(&exo_ring_hdr(r)->cq_tail, r->cq_tail);
}

static long exo_ring_enter(struct exo_env *env, void __user *uarg)
{
	struct exo_ring_enter e;
	struct exo_ring *r;
	struct exo_ring_hdr *hdr;
	u32 sq_tail, cq_head, queued, n, ready, i;
	long ret;

	ret = exo_copy_args(&e, sizeof(e), EXO_RING_ENTER_MINSZ, uarg);
	if (ret)
		return ret;
	if (e.flags || e.reserved)
		return -EINVAL;
	/* Pairs with RING_SETUP's release: the ring is whole. */
	r = smp_load_acquire(&env->ring.ring);
	if (!r)
		return -ENXIO;
	if (e.to_submit > r->sq_entries || e.min_complete > r->cq_entries)
		return -EINVAL;

	hdr = exo_ring_hdr(r);
	mutex_lock(&r->lock);
	/* The caller's indexes, once each; SQEs are read after the tail. */
	sq_tail = smp_load_acquire(&hdr->sq_tail);
	/* The caller read the CQEs before it moved cq_head past them. */
	cq_head = smp_load_acquire(&hdr->cq_head);
	queued = sq_tail - r->sq_head;
	ready = r->cq_tail - cq_head;
	ret = -EINVAL;
	if (queued > r->sq_entries || ready > r->cq_entries)
		goto out;
	n = min(queued, e.to_submit);
	ret = -EAGAIN;
	if (min(ready + n, r->cq_entries) < e.min_complete)
		goto out;

	for (i = 0; i < n; i++) {
		struct exo_ring_sqe *src = exo_ring_sqe(r, r->sq_head);
		struct exo_ring_sqe sqe;

		if (i && fatal_signal_pending(current))
			break;
		sqe.cmd = READ_ONCE(src->cmd);
		sqe.flags = READ_ONCE(src->flags);
		sqe.arg = READ_ONCE(src->arg);
		sqe.user_data = READ_ONCE(src->user_data);
		sqe.reserved = READ_ONCE(src->reserved);
		r->sq_head++;
		exo_ring_post(r, cq_head, sqe.user_data, exo_ring_run(env, &sqe));
		cond_resched();
	}
	/* Done with those SQEs: the caller may reuse them. */
	smp_store_release(&hdr->sq_head, r->sq_head);

	e.submitted = i;
	e.cq_ready = r->cq_tail - cq_head;
	e.cq_overflow = r->cq_overflow;
	ret = 0;
out:
	mutex_unlock(&r->lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &e, sizeof(e), e.argsz);
}

static long exo_ring_ioctl(struct exo_env *env, unsigned int cmd,
			   void __user *uarg)
{
	switch (cmd) {
	case EXO_IOC_RING_SETUP:
		return exo_ring_setup(env, uarg);
	case EXO_IOC_RING_ENTER:
		return exo_ring_enter(env, uarg);
	}
	return -ENOTTY;
}

/*
 * The VMA keeps /dev/exo's file, so the ring outlives every mapping of it:
 * it goes at the environment's teardown, after the last munmap.
 */
static int exo_ring_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	unsigned long off;
	struct exo_ring *r;
	int ret;

	/* Pairs with RING_SETUP's release; never setup_lock under mmap_lock. */
	r = smp_load_acquire(&env->ring.ring);
	if (!r || vma->vm_pgoff || vma->vm_end - vma->vm_start != r->size ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	exo_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	/* A charged __vmalloc() area is not VM_USERMAP: page by page. */
	for (off = 0; off < r->size; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(r->mem + off));
		if (ret)
			return ret;
	}
	return 0;
}

static int exo_ring_init(void)
{
	return 0;
}

static void exo_ring_exit(void)
{
}

static int exo_ring_env_init(struct exo_env *env)
{
	mutex_init(&env->ring.setup_lock);
	env->ring.ring = NULL;
	return 0;
}

static void exo_ring_env_destroy(struct exo_env *env)
{
	struct exo_ring *r = env->ring.ring;

	if (!r)
		return;
	vfree(r->mem);
	mutex_destroy(&r->lock);
	kfree(r);
	env->ring.ring = NULL;
}

const struct exo_binding_ops exo_ring_ops = {
	.name		= "ring",
	.feature	= EXO_FEATURE_RING,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_RING_SETUP),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_RING_SETUP) |
			  EXO_IOCTL_BIT(EXO_NR_RING_ENTER),
	.mmap_window	= EXO_MMAP_RING >> EXO_MMAP_SHIFT,
	.init		= exo_ring_init,
	.exit		= exo_ring_exit,
	.env_init	= exo_ring_env_init,
	.env_destroy	= exo_ring_env_destroy,
	.ioctl		= exo_ring_ioctl,
	.mmap		= exo_ring_mmap,
};
