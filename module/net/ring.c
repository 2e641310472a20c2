// SPDX-License-Identifier: GPL-2.0
/*
 * Receive rings: the mapping of a binding's ring into the libOS, and poll
 * on the frames waiting in them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

/* ---- mmap and poll ------------------------------------------------------ */

static void exo_net_vm_open(struct vm_area_struct *vma)
{
	struct exo_net_binding *b = vma->vm_private_data;

	kref_get(&b->ref);
}

static void exo_net_vm_close(struct vm_area_struct *vma)
{
	exo_net_binding_put(vma->vm_private_data);
}

static const struct vm_operations_struct exo_net_vm_ops = {
	.open	= exo_net_vm_open,
	.close	= exo_net_vm_close,
};

/* What a ring's VMA points at instead of /dev/exo; it pins the module. */
static const struct file_operations exo_net_ring_fops = {
	.owner	= THIS_MODULE,
};

/*
 * Map the ring's pages one by one: a charged __vmalloc() area is not
 * VM_USERMAP, which remap_vmalloc_range() wants, but its pages are
 * ordinary ones that vm_insert_page() takes a reference on.
 */
static int exo_net_ring_insert(struct vm_area_struct *vma, void *ring,
			       unsigned long len)
{
	unsigned long off;
	int ret;

	exo_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(ring + off));
		if (ret)
			return ret;
	}
	return 0;
}

/* @vma->vm_pgoff is relative to EXO_MMAP_NET. */
int exo_net_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	unsigned long per_ring = 1UL << (EXO_NET_RING_SHIFT - PAGE_SHIFT);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct exo_net_binding *b;
	struct file *file;
	int ret;

	if (vma->vm_pgoff & (per_ring - 1))
		return -EINVAL;
	mutex_lock(&exo_net_lock);
	b = idr_find(&exo_net_ids, vma->vm_pgoff / per_ring);
	ret = -EINVAL;
	if (!b || len > PAGE_ALIGN(b->ring_len))
		goto out;
	if (b->env != env) {
		ret = exo_net_cap_mmap(env, b, vma);
		goto out;
	}
	vma->vm_pgoff = 0;
	ret = exo_net_ring_insert(vma, b->ring, len);
	if (ret)
		goto out;
	/*
	 * The mapping must not keep the environment's file open: close(2)
	 * unbinds at once even with rings mapped, and the ring's memory
	 * lives on (the VMA's reference) until munmap.
	 */
	file = anon_inode_getfile("[exo_net_ring]", &exo_net_ring_fops, NULL,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	vma_set_file(vma, file);
	fput(file);
	exo_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND);
	vma->vm_private_data = b;
	vma->vm_ops = &exo_net_vm_ops;
	kref_get(&b->ref);
out:
	mutex_unlock(&exo_net_lock);
	return ret;
}

/*
 * EPOLLRDBAND while one of @env's rings, or one granted to it, holds
 * frames. Not EPOLLIN: that means an event record is there for read(2),
 * which would block.
 */
__poll_t exo_net_poll(struct exo_env *env)
{
	struct exo_net_binding *b;
	__poll_t mask = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(b, &env->net.bindings, env_node)
		/* Pairs with the release in exo_net_deliver(). */
		if (READ_ONCE(b->ring->consumer) != smp_load_acquire(&b->ring->producer)) {
			mask = EPOLLRDBAND;
			break;
		}
	if (!mask && exo_net_caps_pending(env))
		mask = EPOLLRDBAND;
	rcu_read_unlock();
	return mask;
}
