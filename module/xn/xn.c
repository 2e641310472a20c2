// SPDX-License-Identifier: GPL-2.0
/*
 * XN: a disk shared by library file systems, each block's owner decided by
 * the libFS's own verified owns UDF (module/core/udf.c), never by a format
 * the kernel knows.
 *
 * On the disk (4 KiB blocks, little-endian, version 2: module/core/xn_image.h,
 * whose decoders check every block at load; a corrupt image is refused
 * with -EUCLEAN and one "corrupt image" line saying why):
 *   block 0                  superblock
 *   1 .. F                   free map, one bit per block, set = allocated
 *   F+1 .. F+TYPES_MAX       type catalogue, one block per type
 *   next                     root catalogue
 *   data_start ..            blocks for libFSes
 *
 * In memory there is one buffer cache, the registry: struct xn_buf per
 * cached block. Each environment has its own view of it (exo_env_xn.view),
 * the blocks it read or allocated and the parent each came through; an
 * operation on a block needs the block in the caller's view. A block held
 * by an environment is one in its view (ENV_INFO's blocks): allocations
 * themselves belong to the libFS's tree on the disk, not to a process, so
 * closing or killing an environment drops its view and nothing else.
 *
 * Ordering on the disk (see XN_SYNC in the UAPI): a new block is written
 * before the free map marks it allocated, and both before any old block
 * pointing to it; a freed block stays allocated in the free map until the
 * parent that forgot it is on the disk. Installs write the catalogue last;
 * a root's removal writes it first, then frees the root block.
 *
 * This file holds the parameters, the state, an environment's view, the
 * ioctl dispatch and loading the disk; the rest is in
 *   disk.c      block I/O and the buffer cache
 *   owns.c      running a type's owns and acl UDFs on a block
 *   catalog.c   INFO and the type and root catalogues, install and remove
 *   registry.c  READ, RELEASE, ALLOC, FREE, WRITE_META and WRITE
 *   sync.c      XN_SYNC: the dirty cache written in ordering stages
 *   check.c     XN_CHECK: every root's tree against the free map
 *   map.c       mmap() of cached blocks
 *   cap.c       EXO_CAP_XN: a subtree shared with another environment
 *
 * Locking: exo_xn_lock protects everything in module/xn/ and every
 * environment's view. It nests inside mmap_lock (exo_xn_mmap()), so no
 * user memory is touched while it is held: arguments are copied in before
 * and results out after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

static char *exo_xn_disk = "";
module_param_named(disk, exo_xn_disk, charp, 0444);
MODULE_PARM_DESC(disk, "Block device XN uses (e.g. /dev/vda); unset: a RAM disk of disk_mb");

uint exo_xn_catalogue_per_user = 4;
module_param_named(catalogue_per_user, exo_xn_catalogue_per_user, uint, 0644);
MODULE_PARM_DESC(catalogue_per_user,
		 "Type and root catalogue entries one uid without CAP_SYS_ADMIN may install, in all (default 4)");

/*
 * Cached blocks are kernel pages: bounded in all, and per environment by
 * what its view may pin.
 */
uint exo_xn_cache_max = 16384;
module_param_named(cache_max, exo_xn_cache_max, uint, 0644);
MODULE_PARM_DESC(cache_max,
		 "Blocks the XN buffer cache holds before it writes back and drops unheld ones; ENOBUFS if all are held (default 16384: 64 MiB)");

static uint exo_xn_view_max = 8192;
module_param_named(view_max, exo_xn_view_max, uint, 0644);
MODULE_PARM_DESC(view_max,
		 "Blocks one environment may hold in its registry, read or allocated (default 8192); EDQUOT past it");

/*
 * Test only: the crash test's replay must notice a missing flush. 1..4
 * skips that XN_SYNC stage's closing flush; 0 (the default) skips none.
 */
uint exo_xn_debug_skip_flush;
module_param_named(xn_debug_skip_flush, exo_xn_debug_skip_flush, uint, 0644);
MODULE_PARM_DESC(xn_debug_skip_flush,
		 "TEST ONLY, breaks crash safety: skip the flush ending XN_SYNC stage 1..4 (default 0: none)");

/* Each cap pins its grantor's and its grantee's env: bounded per grantor. */
uint exo_xn_caps_max = 64;
module_param_named(xn_caps_max, exo_xn_caps_max, uint, 0644);
MODULE_PARM_DESC(xn_caps_max,
		 "EXO_CAP_XN caps one environment may have granted and not revoked (default 64); EDQUOT past it");

static uint exo_xn_disk_mb = 16;
module_param_named(disk_mb, exo_xn_disk_mb, uint, 0444);
MODULE_PARM_DESC(disk_mb, "Size of the RAM disk without disk=, in MiB, 1..1024 (default 16)");

/* Protects all of XN; see the Locking paragraph above. */
DEFINE_MUTEX(exo_xn_lock);

/* Everything below is under exo_xn_lock. */
struct xn_state xn;

/* ---- environments -------------------------------------------------------- */

static int exo_xn_env_init(struct exo_env *env)
{
	xa_init(&env->xn.view);
	INIT_LIST_HEAD(&env->xn.maps);
	INIT_LIST_HEAD(&env->xn.caps_out);
	INIT_LIST_HEAD(&env->xn.caps_in);
	return 0;
}

/*
 * A block that leaves @env's view leaves its address space too: a
 * read-write mapping kept after XN_RELEASE or XN_FREE would write a cached
 * block the environment no longer holds. Callers hold the mmap_lock of the
 * environment's mm, which made every one of its maps.
 */
void xn_unmap_block(struct exo_env *env, u64 block)
{
	struct xn_map *map;

	lockdep_assert_held(&exo_xn_lock);
	list_for_each_entry(map, &env->xn.maps, env_node) {
		if (map->block != block)
			continue;
		mmap_assert_locked(map->vma->vm_mm);
		exo_zap_range(map->vma, map->vma->vm_start, PAGE_SIZE);
	}
}

/*
 * @block leaves @env's view, for @why (EXO_WHY_*), its mappings left to
 * the caller: xn_view_drop(), or a cap's removal for a grantee's.
 */
void xn_view_unlink(struct exo_env *env, u64 block,
		    struct exo_xn_ref *ref, u32 why)
{
	struct xn_buf *buf = xn_buf_find(block);

	lockdep_assert_held(&exo_xn_lock);
	trace_exo_unbind(env->id, EXO_TRACE_XN, -1, block, 1, why);
	xa_erase(&env->xn.view, block);
	kfree(ref);
	atomic64_dec(&env->blocks);
	if (buf && !WARN_ON_ONCE(!buf->refs)) {
		buf->refs--;
		xn_buf_maybe_drop(buf);
	}
}

/*
 * @block leaves @env's view and address space, for @why. The caps @env
 * granted on it go too, their grantees' part of the work into @td
 * (xn_cap_td_finish() once the locks are dropped).
 */
void xn_view_drop(struct exo_env *env, u64 block,
		  struct exo_xn_ref *ref, u32 why, struct xn_cap_td *td)
{
	/* A block held through a cap is never a cap's top: see grant. */
	if (!ref->cap)
		xn_caps_of_block_remove(env, block, td);
	xn_unmap_block(env, block);
	xn_view_unlink(env, block, ref, why);
}

static void exo_xn_env_destroy(struct exo_env *env)
{
	struct xn_cap *cap, *next;
	struct exo_xn_ref *ref;
	struct xn_cap_td td;
	unsigned long block;

	xn_cap_td_init(&td);
	mutex_lock(&exo_xn_lock);
	/* Every mapping held the file: the last close comes after them. */
	WARN_ON(!list_empty(&env->xn.maps));
	/* Granted to it: nobody is left to tell. */
	list_for_each_entry_safe(cap, next, &env->xn.caps_in, grantee_node)
		xn_cap_remove(cap, &td, false);
	/* Granted by it: each goes with its top block. */
	xa_for_each(&env->xn.view, block, ref)
		xn_view_drop(env, block, ref, EXO_WHY_CLOSE, &td);
	WARN_ON(!list_empty(&env->xn.caps_out));
	mutex_unlock(&exo_xn_lock);
	xa_destroy(&env->xn.view);
	/* Other environments' mappings through its caps. */
	xn_cap_td_finish(&td);
}

/* Put @buf in @env's view, through @parent, and @cap if not NULL. */
int xn_view_add(struct exo_env *env, struct xn_buf *buf, u64 parent,
		struct xn_cap *cap)
{
	struct exo_xn_ref *ref = xa_load(&env->xn.view, buf->block);
	int ret;

	if (ref) {
		/* A cap's top stays held by the grantor's own rights. */
		if (cap && !ref->cap && xn_cap_is_top(env, buf->block))
			return -EBUSY;
		ref->parent = parent;
		ref->type = buf->type;
		ref->cap = cap;
		return 0;
	}
	/* Each entry pins a cached page. */
	if (atomic64_read(&env->blocks) >= READ_ONCE(exo_xn_view_max))
		return -EDQUOT;
	ref = kzalloc(sizeof(*ref), GFP_KERNEL_ACCOUNT);
	if (!ref)
		return -ENOMEM;
	ref->parent = parent;
	ref->type = buf->type;
	ref->cap = cap;
	ret = xa_err(xa_store(&env->xn.view, buf->block, ref,
			      GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(ref);
		return ret;
	}
	buf->refs++;
	atomic64_inc(&env->blocks);
	trace_exo_bind(env->id, EXO_TRACE_XN, -1, buf->block, 1, EXO_WHY_CALL);
	return 0;
}

static long exo_xn_ioctl(struct exo_env *env, unsigned int cmd,
			 void __user *uarg)
{
	switch (cmd) {
	case EXO_IOC_XN_INFO:
		return xn_info_ioctl(env, uarg);
	case EXO_IOC_XN_TYPE_INSTALL:
		return xn_type_install_ioctl(uarg);
	case EXO_IOC_XN_TYPE_LOOKUP:
		return xn_type_lookup_ioctl(uarg);
	case EXO_IOC_XN_ROOT_INSTALL:
		return xn_root_install_ioctl(uarg);
	case EXO_IOC_XN_ROOT_LOOKUP:
		return xn_root_lookup_ioctl(uarg);
	case EXO_IOC_XN_READ:
		return xn_read_ioctl(env, uarg);
	case EXO_IOC_XN_RELEASE:
		return xn_release_ioctl(env, uarg);
	case EXO_IOC_XN_ALLOC:
	case EXO_IOC_XN_FREE:
	case EXO_IOC_XN_WRITE_META:
		return xn_modify(env, cmd, uarg);
	case EXO_IOC_XN_WRITE:
		return xn_write_ioctl(env, uarg);
	case EXO_IOC_XN_SYNC:
		return xn_sync_ioctl(uarg);
	case EXO_IOC_XN_CHECK:
		return xn_check_ioctl(uarg);
	case EXO_IOC_XN_TYPE_REMOVE:
		return xn_type_remove_ioctl(uarg);
	case EXO_IOC_XN_ROOT_REMOVE:
		return xn_root_remove_ioctl(uarg);
	default:
		return -ENOTTY;
	}
}

/* ---- load and unload ----------------------------------------------------- */

static int xn_format(void)
{
	const struct xn_image_layout *l = &xn.layout;
	u32 id;
	int ret;

	bitmap_zero(xn.alloc, l->freemap_blocks * XN_BITS_PER_BLOCK);
	bitmap_set(xn.alloc, 0, l->data_start);
	/* Past the end counts as allocated, so that nothing finds it free. */
	bitmap_set(xn.alloc, l->nblocks,
		   l->freemap_blocks * XN_BITS_PER_BLOCK - l->nblocks);
	ret = xn_write_freemap(xn.alloc);
	for (id = 1; !ret && id <= EXO_XN_TYPES_MAX; id++)
		ret = xn_write_type(id);
	if (!ret)
		ret = xn_write_roots();
	/* The superblock last: a half-formatted disk is formatted again. */
	if (!ret)
		ret = xn_write_super();
	return ret;
}

/*
 * Read block 0 of a device of @dev_blocks blocks and set the layout from
 * it. XN_IMAGE_BLANK for a device never formatted (the layout is then the
 * device's), -EUCLEAN for anything but a sound version 2 superblock.
 */
static int xn_attach(u64 dev_blocks, u8 *scratch)
{
	struct xn_image_layout l;
	struct xn_image_err err;
	int ret;

	xn.layout.nblocks = dev_blocks;	/* for xn_io()'s bound */
	ret = xn_read_bytes(0, scratch, XN_BS);
	if (ret)
		return ret;
	ret = xn_image_super_decode(scratch, dev_blocks, &l, &err);
	if (ret == XN_IMAGE_BLANK)
		xn_image_layout(dev_blocks, &l);
	else if (ret)
		pr_err("corrupt image: %s\n", err.msg);
	else if (l.nblocks < dev_blocks)
		pr_info("image of %llu blocks on a device of %llu: using %llu\n",
			l.nblocks, dev_blocks, l.nblocks);
	if (ret >= 0)
		xn.layout = l;
	return ret;
}

/* Load everything past the superblock, checking each block as it comes. */
static int xn_load(u8 *scratch)
{
	const struct xn_image_layout *l = &xn.layout;
	struct xn_image_err err;
	u64 b, types_in_use = 0;
	u32 id, i;
	int ret;

	for (b = 0; b < l->freemap_blocks; b++) {
		u32 *words = (u32 *)scratch;

		ret = xn_read_bytes(l->freemap_start + b, scratch, XN_BS);
		if (ret)
			return ret;
		ret = xn_image_freemap_check(scratch, b, l, &err);
		if (ret)
			goto corrupt;
		le32_to_cpu_array(words, XN_BS / sizeof(u32));
		bitmap_from_arr32(xn.alloc + b * (XN_BS / sizeof(*xn.alloc)),
				  words, XN_BITS_PER_BLOCK);
	}
	for (id = 1; id <= EXO_XN_TYPES_MAX; id++) {
		ret = xn_read_bytes(l->types_start + id - 1, scratch, XN_BS);
		if (ret)
			return ret;
		ret = xn_image_type_decode(scratch, id, &xn.types[id], &err);
		if (ret)
			goto corrupt;
		if (!xn.types[id].in_use)
			continue;
		types_in_use |= BIT_ULL(id);
		xn.ntypes++;
	}
	ret = xn_read_bytes(l->roots_block, scratch, XN_BS);
	if (ret)
		return ret;
	ret = xn_image_roots_decode(scratch, l, types_in_use, xn.roots, &err);
	if (ret)
		goto corrupt;
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++) {
		if (!xn.roots[i].in_use)
			continue;
		if (!test_bit(xn.roots[i].block, xn.alloc)) {
			snprintf(err.msg, sizeof(err.msg),
				 "root %u: block %llu is free in the free map", i,
				 xn.roots[i].block);
			ret = -EUCLEAN;
			goto corrupt;
		}
		xn.nroots++;
	}
	pr_info("loaded %llu blocks, %u types, %u roots\n", l->nblocks,
		xn.ntypes, xn.nroots);
	return 0;

corrupt:
	pr_err("corrupt image: %s\n", err.msg);
	return ret;
}

static int exo_xn_init(void)
{
	u64 nblocks;
	u8 *scratch = NULL;
	int ret = -ENOMEM;

	BUILD_BUG_ON(sizeof(struct xn_image_super) > XN_BS);
	BUILD_BUG_ON(sizeof(struct xn_image_type) > XN_BS);
	BUILD_BUG_ON(sizeof(struct xn_image_root) * EXO_XN_ROOTS_MAX != XN_BS);
	xa_init(&xn.cache);
	INIT_LIST_HEAD(&xn.fresh_list);
	INIT_LIST_HEAD(&xn.pending_frees);
	if (exo_xn_disk && *exo_xn_disk) {
		ret = exo_bdev_open(&xn.bdev, exo_xn_disk, &xn);
		if (ret) {
			pr_err("cannot open disk=%s: %d\n", exo_xn_disk, ret);
			return ret;
		}
		nblocks = bdev_nr_sectors(xn.bdev.bdev) / XN_SECTORS;
	} else {
		if (!exo_xn_disk_mb || exo_xn_disk_mb > 1024) {
			pr_err("disk_mb=%u is outside 1..1024\n", exo_xn_disk_mb);
			return -EINVAL;
		}
		nblocks = (u64)exo_xn_disk_mb * (SZ_1M / XN_BS);
		xn.ram = vzalloc(nblocks * XN_BS);
		if (!xn.ram)
			return -ENOMEM;
	}
	nblocks = min_t(u64, nblocks, XN_MAX_BLOCKS);
	scratch = kmalloc(XN_BS, GFP_KERNEL);
	if (!scratch)
		goto err_disk;
	mutex_lock(&exo_xn_lock);
	ret = xn_attach(nblocks, scratch);
	mutex_unlock(&exo_xn_lock);
	if (ret < 0)
		goto err_disk;
	if (xn.layout.data_start + 1 >= xn.layout.nblocks) {
		pr_err("disk of %llu blocks is too small\n", xn.layout.nblocks);
		ret = -ENOSPC;
		goto err_disk;
	}
	xn.alloc = kvzalloc(xn.layout.freemap_blocks * XN_BS, GFP_KERNEL);
	xn.types = vzalloc(sizeof(*xn.types) * (EXO_XN_TYPES_MAX + 1));
	xn.roots = kcalloc(XN_ROOTS_PER_BLOCK, sizeof(*xn.roots), GFP_KERNEL);
	xn.before = kvcalloc(EXO_UDF_MAX_OWNED, sizeof(*xn.before), GFP_KERNEL);
	xn.after = kvcalloc(EXO_UDF_MAX_OWNED, sizeof(*xn.after), GFP_KERNEL);
	xn.copy = kmalloc(XN_BS, GFP_KERNEL);
	if (!xn.alloc || !xn.types || !xn.roots || !xn.before || !xn.after ||
	    !xn.copy) {
		ret = -ENOMEM;
		goto err_mem;
	}
	mutex_lock(&exo_xn_lock);
	if (ret == XN_IMAGE_BLANK) {
		pr_info("formatting %llu blocks\n", xn.layout.nblocks);
		ret = xn_format();
	} else {
		ret = xn_load(scratch);
	}
	if (!ret)
		xn.nfree = xn.layout.nblocks -
			   bitmap_weight(xn.alloc, xn.layout.nblocks);
	mutex_unlock(&exo_xn_lock);
	if (ret) {
		pr_err("cannot load the disk: %d\n", ret);
		goto err_mem;
	}
	kfree(scratch);
	return 0;

err_mem:
	kfree(xn.copy);
	kvfree(xn.after);
	kvfree(xn.before);
	kfree(xn.roots);
	vfree(xn.types);
	kvfree(xn.alloc);
err_disk:
	kfree(scratch);
	if (xn.bdev.bdev)
		exo_bdev_close(&xn.bdev, &xn);
	vfree(xn.ram);
	memset(&xn, 0, sizeof(xn));
	return ret;
}

static void exo_xn_exit(void)
{
	struct xn_buf *buf;
	unsigned long block;
	u64 written;
	int ret;

	/* Every environment is gone: whatever is dirty has no holder. */
	mutex_lock(&exo_xn_lock);
	ret = xn_sync_locked(&written);
	if (ret)
		pr_err("final sync failed: %d\n", ret);
	xa_for_each(&xn.cache, block, buf)
		xn_buf_drop(buf);
	mutex_unlock(&exo_xn_lock);
	xa_destroy(&xn.cache);
	kfree(xn.copy);
	kvfree(xn.after);
	kvfree(xn.before);
	kfree(xn.roots);
	vfree(xn.types);
	kvfree(xn.alloc);
	if (xn.bdev.bdev)
		exo_bdev_close(&xn.bdev, &xn);
	vfree(xn.ram);
}

const struct exo_binding_ops exo_xn_ops = {
	.name		= "xn",
	.feature	= EXO_FEATURE_XN,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_XN_INFO),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_XN_INFO) |
			  EXO_IOCTL_BIT(EXO_NR_XN_TYPE_INSTALL) |
			  EXO_IOCTL_BIT(EXO_NR_XN_TYPE_LOOKUP) |
			  EXO_IOCTL_BIT(EXO_NR_XN_ROOT_INSTALL) |
			  EXO_IOCTL_BIT(EXO_NR_XN_ROOT_LOOKUP) |
			  EXO_IOCTL_BIT(EXO_NR_XN_READ) |
			  EXO_IOCTL_BIT(EXO_NR_XN_RELEASE) |
			  EXO_IOCTL_BIT(EXO_NR_XN_ALLOC) |
			  EXO_IOCTL_BIT(EXO_NR_XN_FREE) |
			  EXO_IOCTL_BIT(EXO_NR_XN_WRITE_META) |
			  EXO_IOCTL_BIT(EXO_NR_XN_WRITE) |
			  EXO_IOCTL_BIT(EXO_NR_XN_SYNC) |
			  EXO_IOCTL_BIT(EXO_NR_XN_CHECK) |
			  EXO_IOCTL_BIT(EXO_NR_XN_TYPE_REMOVE) |
			  EXO_IOCTL_BIT(EXO_NR_XN_ROOT_REMOVE),
	.mmap_window	= EXO_MMAP_XN >> EXO_MMAP_SHIFT,
	.init		= exo_xn_init,
	.exit		= exo_xn_exit,
	.env_init	= exo_xn_env_init,
	.env_destroy	= exo_xn_env_destroy,
	.ioctl		= exo_xn_ioctl,
	.mmap		= exo_xn_mmap,
	.debugfs_init	= exo_xn_debugfs_init,
	.cap_kind	= EXO_CAP_XN,
	.cap_grant	= exo_xn_cap_grant,
	.cap_revoke	= exo_xn_cap_revoke,
};
