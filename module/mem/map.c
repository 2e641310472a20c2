// SPDX-License-Identifier: GPL-2.0
/*
 * Regions: an mmap() of /dev/exo is address space whose pages the libOS
 * binds to frames it holds (or is granted), with MAP and UNMAP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "mem.h"

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
	if (exo_fault_wants_upcall(region, binding,
				   vmf->flags & FAULT_FLAG_WRITE))
		return exo_fault_upcall(vmf, region, pgoff,
					vmf->flags & FAULT_FLAG_WRITE);
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
	/*
	 * NOPAGE too: the PTE must not be made writable, and the fault
	 * lock is gone; the retry sees what the libOS bound there.
	 */
	if (exo_fault_wants_upcall(region, binding, true)) {
		ret = exo_fault_upcall(vmf, region, pgoff, true);
		return ret & VM_FAULT_RETRY ? ret | VM_FAULT_NOPAGE : ret;
	}
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
	/* Its waiters retry and find no VMA: SIGSEGV. */
	exo_faults_end_locked(region, 0, region->npages, EXO_FAULT_FAILED);
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

const struct vm_operations_struct exo_vm_ops = {
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
	INIT_LIST_HEAD(&region->faults);
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
struct exo_region *exo_region_find(struct exo_env *env, u64 addr,
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

/*
 * Bind frames[i] at page pgoff + i of @region, all or nothing, and insert
 * the PTEs now so that the first touch does not fault.
 */
int exo_bind_locked(struct exo_env *env, struct exo_region *region,
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
	/* Threads waiting on these pages retry and find their frames. */
	exo_faults_end_locked(region, pgoff, count, EXO_FAULT_RESOLVED);
	return 0;

err_unbind:
	while (i--)
		exo_binding_remove(region->pages[pgoff + i], NULL);
	return -ENOMEM;
}

long exo_mem_map_ioctl(struct exo_env *env, void __user *uarg)
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

long exo_mem_unmap_ioctl(struct exo_env *env, void __user *uarg)
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
