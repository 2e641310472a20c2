/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels exo builds against (Debian's 6.1 and
 * 6.12), kept here so that the rest of the module reads as one version.
 */
#ifndef EXO_COMPAT_H
#define EXO_COMPAT_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/shrinker.h>
#include <net/genetlink.h>

/*
 * Newer kernels (6.7, and Debian's 6.1 by backport) let a multicast group
 * demand CAP_NET_ADMIN of its members. Elsewhere any user may join;
 * EXO_FEATURE_NETLINK_PRIVATE tells libOSes which promise this build makes.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define EXO_GENL_MCGRP_ADMIN_ONLY	.flags = GENL_MCAST_CAP_NET_ADMIN,
#define EXO_GENL_MCGRP_RESTRICTED	1
#else
#define EXO_GENL_MCGRP_ADMIN_ONLY
#define EXO_GENL_MCGRP_RESTRICTED	0
#endif

/* Segmentation moved out of netdevice.h into net/gso.h in 6.5. */
#ifdef EXO_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* The largest buddy order: inclusive MAX_PAGE_ORDER since 6.8. */
#ifdef MAX_PAGE_ORDER
#define EXO_MAX_ORDER	MAX_PAGE_ORDER
#else
#define EXO_MAX_ORDER	(MAX_ORDER - 1)
#endif

/*
 * The EXO_HAVE_* feature flags come from probes of the kernel's headers in
 * module/Kbuild: API differences are detected, not guessed from versions.
 */

/*
 * Remove the PTEs of [addr, addr + size) in @vma, pages or PFNs alike
 * (zap_vma_ptes() does only VM_PFNMAP). 6.1 exports zap_page_range(),
 * later kernels zap_page_range_single().
 */
static inline void exo_zap_range(struct vm_area_struct *vma,
				 unsigned long addr, unsigned long size)
{
#ifdef EXO_HAVE_ZAP_PAGE_RANGE
	zap_page_range(vma, addr, size);
#else
	zap_page_range_single(vma, addr, size, NULL);
#endif
}

/*
 * Drop the lock a fault runs under before it sleeps: mmap_lock, or since
 * 6.4 possibly only the VMA's own lock (FAULT_FLAG_VMA_LOCK).
 */
static inline void exo_release_fault_lock(struct vm_fault *vmf)
{
#ifdef EXO_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/* vm_flags became read-only behind helpers in 6.3. */
#ifdef EXO_HAVE_VM_FLAGS_SET
static inline void exo_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void exo_vm_flags_clear(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#else
static inline void exo_vm_flags_set(struct vm_area_struct *vma,
				    vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void exo_vm_flags_clear(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* Shrinkers are allocated by the core since 6.7; before, embedded. */
#ifdef EXO_HAVE_SHRINKER_ALLOC
static inline struct shrinker *
exo_shrinker_create(unsigned long (*count)(struct shrinker *,
					   struct shrink_control *),
		    unsigned long (*scan)(struct shrinker *,
					  struct shrink_control *),
		    const char *name)
{
	struct shrinker *shrinker = shrinker_alloc(0, "%s", name);

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void exo_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
static inline struct shrinker *
exo_shrinker_create(unsigned long (*count)(struct shrinker *,
					   struct shrink_control *),
		    unsigned long (*scan)(struct shrinker *,
					  struct shrink_control *),
		    const char *name)
{
	struct shrinker *shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);

	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
	if (register_shrinker(shrinker, "%s", name)) {
		kfree(shrinker);
		return NULL;
	}
	return shrinker;
}

static inline void exo_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
	kfree(shrinker);
}
#endif

/*
 * Opening a block device by path for exclusive read-write use: a struct
 * file since 6.9 (bdev_file_open_by_path), a bare block_device before.
 */
struct exo_bdev {
	struct block_device *bdev;
#ifdef EXO_HAVE_BDEV_FILE_OPEN
	struct file *file;
#endif
};

#ifdef EXO_HAVE_BDEV_FILE_OPEN
static inline int exo_bdev_open(struct exo_bdev *b, const char *path,
				void *holder)
{
	struct file *file = bdev_file_open_by_path(path, BLK_OPEN_READ |
						   BLK_OPEN_WRITE, holder,
						   NULL);

	if (IS_ERR(file))
		return PTR_ERR(file);
	b->file = file;
	b->bdev = file_bdev(file);
	return 0;
}

static inline void exo_bdev_close(struct exo_bdev *b, void *holder)
{
	fput(b->file);
	b->file = NULL;
	b->bdev = NULL;
}
#else
#define EXO_BDEV_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

static inline int exo_bdev_open(struct exo_bdev *b, const char *path,
				void *holder)
{
	struct block_device *bdev = blkdev_get_by_path(path, EXO_BDEV_MODE,
						       holder);

	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->bdev = bdev;
	return 0;
}

static inline void exo_bdev_close(struct exo_bdev *b, void *holder)
{
	blkdev_put(b->bdev, EXO_BDEV_MODE);
	b->bdev = NULL;
}
#endif

#endif /* EXO_COMPAT_H */
