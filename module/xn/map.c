// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of cached blocks: metadata read-only, data read-write where the
 * parent's acl allows it; a mapping goes with RELEASE, FREE or the view.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* ---- mmap ---------------------------------------------------------------- */

static void xn_map_release(struct kref *ref)
{
	kfree(container_of(ref, struct xn_map, ref));
}

void xn_map_put(struct xn_map *map)
{
	kref_put(&map->ref, xn_map_release);
}

static void xn_vm_open(struct vm_area_struct *vma)
{
	struct xn_map *map = vma->vm_private_data;

	kref_get(&map->ref);
}

static void xn_vm_close(struct vm_area_struct *vma)
{
	struct xn_map *map = vma->vm_private_data;

	mutex_lock(&exo_xn_lock);
	if (map->vma == vma) {
		list_del(&map->env_node);
		map->vma = NULL;
	}
	mutex_unlock(&exo_xn_lock);
	kref_put(&map->ref, xn_map_release);
}

/* Unmapped by XN_RELEASE or XN_FREE: the block is not the caller's. */
static vm_fault_t xn_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static int xn_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct xn_vm_ops = {
	.open	= xn_vm_open,
	.close	= xn_vm_close,
	.fault	= xn_vm_fault,
	.mremap	= xn_vm_mremap,
};

/* Is @vma the one @map was made for? Under @vma's mmap_lock. */
bool xn_map_is_ours(struct vm_area_struct *vma, struct xn_map *map)
{
	return vma->vm_ops == &xn_vm_ops && vma->vm_private_data == map;
}

/*
 * One block per mapping, at window offset block * 4 KiB, for as long as
 * the block is in the caller's view: XN_RELEASE and XN_FREE unmap it.
 */
int exo_xn_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	u64 block = vma->vm_pgoff;
	struct exo_xn_ref *ref;
	struct xn_map *map;
	struct xn_buf *buf;
	int ret;

	if (vma_pages(vma) != 1 || PAGE_SIZE != XN_BS ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	kref_init(&map->ref);
	map->block = block;
	mutex_lock(&exo_xn_lock);
	ret = -ENOENT;
	ref = xa_load(&env->xn.view, block);
	buf = ref ? xn_buf_find(block) : NULL;
	if (!buf)
		goto unlock;
	if (buf->type != EXO_XN_TYPE_DATA ||
	    !xn_allowed(block, ref, EXO_UDF_ACCESS_WRITE, 0, XN_BS)) {
		ret = -EACCES;
		if (vma->vm_flags & VM_WRITE)
			goto unlock;
		exo_vm_flags_clear(vma, VM_MAYWRITE);
	}
	exo_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	ret = vm_insert_page(vma, vma->vm_start, buf->page);
	if (ret)
		goto unlock;
	if (vma->vm_flags & VM_WRITE)
		buf->mapped_rw = true;
	map->vma = vma;
	list_add_tail(&map->env_node, &env->xn.maps);
	vma->vm_private_data = map;
	vma->vm_ops = &xn_vm_ops;
	map = NULL;
unlock:
	mutex_unlock(&exo_xn_lock);
	kfree(map);
	return ret;
}
