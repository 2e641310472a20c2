// SPDX-License-Identifier: GPL-2.0
/*
 * EXO_CAP_NET: another environment may map one binding's receive ring,
 * read-only (a tap that keeps its own cursor) or read-write (it consumes
 * frames as the owner does), until the owner revokes the cap or the
 * binding goes.
 *
 * A grantee's mapping is filled on fault and keeps the grantee's own
 * /dev/exo file, at the ring's absolute mmap offset: revocation is then one
 * unmap_mapping_range() over that offset. It may also zap another
 * grantee's PTEs of the same ring; those fault back in while their cap
 * lives. The owner's own mapping is on an anonymous file and is untouched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

/* One cap: all fields under exo_net_lock; the two lists are RCU too. */
struct exo_net_cap {
	u64 id;
	struct exo_net_binding *b;	/* what it names; removed before b */
	struct exo_env *grantee;
	bool writable;
	struct address_space *mapping;	/* the grantee's, once it mapped */
	struct list_head binding_node;	/* b->caps, RCU: the hook wakes */
	struct list_head grantee_node;	/* grantee->net.caps_in, RCU: poll */
	struct rcu_head rcu;
};

static u64 exo_net_next_cap_id;		/* exo_net_lock */

/* The ring's first page as the grantee's mapping of /dev/exo sees it. */
static pgoff_t exo_net_ring_pgoff(const struct exo_net_binding *b)
{
	return (EXO_MMAP_NET >> PAGE_SHIFT) +
	       ((pgoff_t)b->id << (EXO_NET_RING_SHIFT - PAGE_SHIFT));
}

/* @env's live cap on @b, or NULL. */
static struct exo_net_cap *exo_net_cap_held(struct exo_env *env,
					    struct exo_net_binding *b)
{
	struct exo_net_cap *cap;

	lockdep_assert_held(&exo_net_lock);
	list_for_each_entry(cap, &env->net.caps_in, grantee_node)
		if (cap->b == b)
			return cap;
	return NULL;
}

/* Drop @cap: the grantee's PTEs go, and a grantee that mapped is told. */
static void exo_net_cap_remove(struct exo_net_cap *cap, bool notify)
{
	struct exo_net_binding *b = cap->b;

	lockdep_assert_held(&exo_net_lock);
	list_del_rcu(&cap->binding_node);
	list_del_rcu(&cap->grantee_node);
	b->ncaps--;
	/* Faults check the cap under exo_net_lock: none refills after this. */
	if (cap->mapping)
		unmap_mapping_range(cap->mapping,
				    (loff_t)exo_net_ring_pgoff(b) << PAGE_SHIFT,
				    PAGE_ALIGN(b->ring_len), 1);
	if (notify && cap->mapping)
		exo_event_post(cap->grantee, EXO_EVENT_NET_UNGRANTED, cap->id,
			       b->id, 0, 0);
	kfree_rcu(cap, rcu);
}

/* @b is going: every cap on it goes first, each grantee told. */
void exo_net_caps_drop_binding(struct exo_net_binding *b)
{
	struct exo_net_cap *cap, *next;

	lockdep_assert_held(&exo_net_lock);
	list_for_each_entry_safe(cap, next, &b->caps, binding_node)
		exo_net_cap_remove(cap, true);
}

/* @env is closing: the caps it was granted go, untold. */
void exo_net_caps_drop_grantee(struct exo_env *env)
{
	struct exo_net_cap *cap, *next;

	lockdep_assert_held(&exo_net_lock);
	list_for_each_entry_safe(cap, next, &env->net.caps_in, grantee_node)
		exo_net_cap_remove(cap, false);
}

/* Wake every grantee of @b that polls; in the hook, under RCU. */
void exo_net_caps_wake(struct exo_net_binding *b)
{
	struct exo_net_cap *cap;

	list_for_each_entry_rcu(cap, &b->caps, binding_node)
		if (wq_has_sleeper(&cap->grantee->event_wait))
			wake_up_interruptible_poll(&cap->grantee->event_wait,
						   EPOLLRDBAND);
}

/* EPOLLRDBAND while a ring @env was granted holds frames it did not take. */
bool exo_net_caps_pending(struct exo_env *env)
{
	struct exo_net_cap *cap;

	list_for_each_entry_rcu(cap, &env->net.caps_in, grantee_node) {
		struct exo_net_ring *ring = cap->b->ring;
		u32 cons = READ_ONCE(ring->consumer);

		/* Pairs with the release in exo_net_deliver(). */
		if (cons != smp_load_acquire(&ring->producer))
			return true;
	}
	return false;
}

int exo_net_cap_grant(struct exo_env *env, struct exo_cap *req)
{
	struct exo_net_binding *b;
	struct exo_net_cap *cap;
	struct exo_env *grantee;
	int ret;

	if (req->count != 1 || !req->first || req->first > EXO_NET_ID_MAX)
		return -EINVAL;
	cap = kzalloc(sizeof(*cap), GFP_KERNEL_ACCOUNT);
	if (!cap)
		return -ENOMEM;

	/* exo_envs_lock first: a grantee found here is not yet closing. */
	mutex_lock(&exo_envs_lock);
	mutex_lock(&exo_net_lock);
	b = idr_find(&exo_net_ids, req->first);
	ret = -EPERM;
	if (!b || b->env != env)
		goto out_unlock;
	ret = -ESRCH;
	grantee = exo_env_find_locked(req->grantee);
	if (!grantee)
		goto out_unlock;
	ret = -EEXIST;
	if (exo_net_cap_held(grantee, b))
		goto out_unlock;
	ret = -EDQUOT;
	if (b->ncaps >= EXO_NET_CAPS_MAX)
		goto out_unlock;

	cap->id = ++exo_net_next_cap_id;
	cap->b = b;
	cap->grantee = grantee;
	cap->writable = req->rights & EXO_CAP_WRITE;
	list_add_tail_rcu(&cap->binding_node, &b->caps);
	list_add_tail_rcu(&cap->grantee_node, &grantee->net.caps_in);
	b->ncaps++;
	req->cap_id = cap->id;
	cap = NULL;
	ret = 0;
out_unlock:
	mutex_unlock(&exo_net_lock);
	mutex_unlock(&exo_envs_lock);
	kfree(cap);
	return ret;
}

int exo_net_cap_revoke(struct exo_env *env, u64 cap_id)
{
	struct exo_net_binding *b;
	struct exo_net_cap *cap;
	int ret = -ENOENT;

	mutex_lock(&exo_net_lock);
	list_for_each_entry(b, &env->net.bindings, env_node)
		list_for_each_entry(cap, &b->caps, binding_node)
			if (cap->id == cap_id) {
				exo_net_cap_remove(cap, true);
				ret = 0;
				goto out;
			}
out:
	mutex_unlock(&exo_net_lock);
	return ret;
}

/* ---- the grantee's mapping ---------------------------------------------- */

static void exo_net_cap_vm_open(struct vm_area_struct *vma)
{
	struct exo_net_binding *b = vma->vm_private_data;

	kref_get(&b->ref);
}

static void exo_net_cap_vm_close(struct vm_area_struct *vma)
{
	exo_net_binding_put(vma->vm_private_data);
}

/* A page of the ring, while the faulting environment still holds its cap. */
static vm_fault_t exo_net_cap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct exo_net_binding *b = vma->vm_private_data;
	struct exo_env *env = vma->vm_file->private_data;
	pgoff_t page = vmf->pgoff - exo_net_ring_pgoff(b);
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&exo_net_lock);
	if (page < PAGE_ALIGN(b->ring_len) >> PAGE_SHIFT &&
	    exo_net_cap_held(env, b)) {
		void *addr = (void *)b->ring + (page << PAGE_SHIFT);

		ret = vmf_insert_pfn(vma, vmf->address & PAGE_MASK,
				     page_to_pfn(vmalloc_to_page(addr)));
	}
	mutex_unlock(&exo_net_lock);
	return ret;
}

static const struct vm_operations_struct exo_net_cap_vm_ops = {
	.open	= exo_net_cap_vm_open,
	.close	= exo_net_cap_vm_close,
	.fault	= exo_net_cap_fault,
};

/*
 * mmap() of another environment's ring @b by @env: only through a cap,
 * only MAP_SHARED, and read-write only with EXO_CAP_WRITE.
 */
int exo_net_cap_mmap(struct exo_env *env, struct exo_net_binding *b,
		     struct vm_area_struct *vma)
{
	struct exo_net_cap *cap;

	lockdep_assert_held(&exo_net_lock);
	cap = exo_net_cap_held(env, b);
	if (!cap)
		return -EPERM;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if ((vma->vm_flags & VM_WRITE) && !cap->writable)
		return -EACCES;
	if (!cap->writable)
		exo_vm_flags_clear(vma, VM_MAYWRITE);
	exo_vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP);
	vma->vm_pgoff = exo_net_ring_pgoff(b);
	vma->vm_private_data = b;
	vma->vm_ops = &exo_net_cap_vm_ops;
	kref_get(&b->ref);
	cap->mapping = vma->vm_file->f_mapping;
	return 0;
}
