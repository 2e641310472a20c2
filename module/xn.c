// SPDX-License-Identifier: GPL-2.0
/*
 * XN: a disk shared by library file systems, each block's owner decided by
 * the libFS's own verified owns UDF (module/core/udf.c), never by a format
 * the kernel knows.
 *
 * On the disk (4 KiB blocks, the host's byte order):
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
 * parent that forgot it is on the disk. Installs write the catalogue last.
 *
 * Locking: exo_xn_lock protects everything in this file and every
 * environment's view. It nests inside mmap_lock (exo_xn_mmap()), so no
 * user memory is touched while it is held: arguments are copied in before
 * and results out after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include <linux/bio.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "binding.h"
#include "exo.h"
#include "uapi_copy.h"
#include "core/udf.h"

static char *exo_xn_disk = "";
module_param_named(disk, exo_xn_disk, charp, 0444);
MODULE_PARM_DESC(disk, "Block device XN uses (e.g. /dev/vda); unset: a RAM disk of disk_mb");

static uint exo_xn_catalogue_per_user = 4;
module_param_named(catalogue_per_user, exo_xn_catalogue_per_user, uint, 0644);
MODULE_PARM_DESC(catalogue_per_user,
		 "Type and root catalogue entries one uid without CAP_SYS_ADMIN may install, in all (default 4)");

/*
 * Cached blocks are kernel pages: bounded in all, and per environment by
 * what its view may pin.
 */
static uint exo_xn_cache_max = 16384;
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
static uint exo_xn_debug_skip_flush;
module_param_named(xn_debug_skip_flush, exo_xn_debug_skip_flush, uint, 0644);
MODULE_PARM_DESC(xn_debug_skip_flush,
		 "TEST ONLY, breaks crash safety: skip the flush ending XN_SYNC stage 1..4 (default 0: none)");

static uint exo_xn_disk_mb = 16;
module_param_named(disk_mb, exo_xn_disk_mb, uint, 0444);
MODULE_PARM_DESC(disk_mb, "Size of the RAM disk without disk=, in MiB, 1..1024 (default 16)");

#define XN_BS			EXO_XN_BLOCK_SIZE
#define XN_SECTORS		(XN_BS >> SECTOR_SHIFT)
#define XN_MAGIC		0x314e584f5845ULL	/* "EXOXN1" */
#define XN_VERSION		1
#define XN_BITS_PER_BLOCK	(XN_BS * 8)
#define XN_MAX_BLOCKS		BIT_ULL(24)		/* 64 GiB */

struct xn_super_disk {
	u64 magic;
	u32 version;
	u32 block_size;
	u64 nblocks;
	u64 freemap_start;
	u64 freemap_blocks;
	u64 types_start;
	u64 roots_block;
	u64 data_start;
};

#define XN_UDF_BYTES	(EXO_UDF_MAX_INSNS * sizeof(struct exo_udf_insn))

struct xn_type_disk {
	u32 in_use;
	u32 owns_len;
	u32 acl_len;
	u32 owner_uid;		/* who installed it; 0 on older images */
	char name[EXO_XN_NAME_MAX];
	struct exo_udf_insn owns[EXO_UDF_MAX_INSNS];
	struct exo_udf_insn acl[EXO_UDF_MAX_INSNS];
};

struct xn_root_disk {
	char name[EXO_XN_NAME_MAX];
	u64 block;
	u32 type;
	u32 in_use;
	u32 owner_uid;		/* who installed it; 0 on older images */
	u8 pad[12];
};

#define XN_ROOTS_PER_BLOCK	(XN_BS / sizeof(struct xn_root_disk))

/* One cached block. */
struct xn_buf {
	u64 block;
	u32 type;
	u32 refs;		/* environments with it in their view */
	struct page *page;
	bool dirty;		/* the cache is newer than the disk */
	bool fresh;		/* allocated since the last sync: on fresh_list */
	bool mapped_rw;		/* may be written through a mapping */
	struct list_head fresh_node;
};

/* A block in an environment's view. */
struct exo_xn_ref {
	u64 parent;		/* EXO_XN_NO_PARENT for a root */
	u32 type;
};

/* A freed block waiting for its old parent's new version to be on disk. */
struct xn_pending_free {
	u64 block;
	struct list_head node;
};

static DEFINE_MUTEX(exo_xn_lock);

/* Everything below is under exo_xn_lock. */
static struct {
	struct exo_bdev bdev;		/* bdev.bdev NULL: the RAM disk */
	u8 *ram;
	u64 nblocks;
	u64 freemap_start;
	u64 freemap_blocks;
	u64 types_start;
	u64 roots_block;
	u64 data_start;
	unsigned long *alloc;		/* allocated, pending frees included */
	u64 nfree;
	struct xn_type_disk *types;	/* [EXO_XN_TYPES_MAX + 1], 0 unused */
	u32 ntypes;
	struct xn_root_disk *roots;	/* [XN_ROOTS_PER_BLOCK] */
	u32 nroots;
	struct xarray cache;		/* block -> struct xn_buf */
	u32 ncached;
	u32 ndirty;
	/*
	 * Inside XN_SYNC: writes go without FUA and each ordering stage ends
	 * with one cache flush (xn_flush()), rather than a flush per block.
	 */
	bool staged;
	struct list_head fresh_list;	/* xn_buf.fresh_node, oldest first */
	struct list_head pending_frees;	/* xn_pending_free.node */
	/* Scratch for the owns checks. */
	struct exo_udf_owned *before, *after;
	u8 *copy;			/* m' */
} xn;

/* ---- the disk ------------------------------------------------------------ */

static int xn_io(u64 block, struct page *page, bool write)
{
	struct bio *bio;
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	if (block >= xn.nblocks)
		return -EIO;
	if (!xn.bdev.bdev) {
		u8 *disk = xn.ram + block * XN_BS;

		if (write)
			memcpy_from_page(disk, page, 0, XN_BS);
		else
			memcpy_to_page(page, 0, disk, XN_BS);
		return 0;
	}
	bio = bio_alloc(xn.bdev.bdev, 1,
			!write ? REQ_OP_READ : xn.staged ?
			REQ_OP_WRITE | REQ_SYNC :
			REQ_OP_WRITE | REQ_SYNC | REQ_FUA, GFP_KERNEL);
	bio->bi_iter.bi_sector = block * XN_SECTORS;
	__bio_add_page(bio, page, XN_BS, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* Make every write so far durable: the end of an ordering stage. */
static int xn_flush(void)
{
	lockdep_assert_held(&exo_xn_lock);
	return xn.bdev.bdev ? blkdev_issue_flush(xn.bdev.bdev) : 0;
}

/* The flush ending XN_SYNC stage @stage, unless the test knob drops it. */
static int xn_stage_flush(unsigned int stage)
{
	if (READ_ONCE(exo_xn_debug_skip_flush) == stage)
		return 0;
	return xn_flush();
}

/* Write @len bytes at @buf (at most a block) as block @block. */
static int xn_write_bytes(u64 block, const void *buf, size_t len)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ret;

	if (!page)
		return -ENOMEM;
	memcpy_to_page(page, 0, buf, len);
	ret = xn_io(block, page, true);
	__free_page(page);
	return ret;
}

static int xn_read_bytes(u64 block, void *buf, size_t len)
{
	struct page *page = alloc_page(GFP_KERNEL);
	int ret;

	if (!page)
		return -ENOMEM;
	ret = xn_io(block, page, false);
	if (!ret)
		memcpy_from_page(buf, page, 0, len);
	__free_page(page);
	return ret;
}

/* Write the free map as @map says. */
static int xn_write_freemap(const unsigned long *map)
{
	u64 i;
	int ret;

	for (i = 0; i < xn.freemap_blocks; i++) {
		ret = xn_write_bytes(xn.freemap_start + i,
				     (const u8 *)map + i * XN_BS, XN_BS);
		if (ret)
			return ret;
	}
	return 0;
}

static int xn_write_type(u32 id)
{
	return xn_write_bytes(xn.types_start + id - 1, &xn.types[id],
			      sizeof(xn.types[id]));
}

static int xn_write_roots(void)
{
	return xn_write_bytes(xn.roots_block, xn.roots, XN_BS);
}

static bool xn_is_free(u64 block)
{
	return block >= xn.data_start && block < xn.nblocks &&
	       !test_bit(block, xn.alloc);
}

/* ---- the cache ----------------------------------------------------------- */

static struct xn_buf *xn_buf_find(u64 block)
{
	lockdep_assert_held(&exo_xn_lock);
	return xa_load(&xn.cache, block);
}

static void xn_buf_set_dirty(struct xn_buf *buf)
{
	if (!buf->dirty) {
		buf->dirty = true;
		xn.ndirty++;
	}
}

static void xn_buf_clean(struct xn_buf *buf)
{
	if (buf->dirty) {
		buf->dirty = false;
		xn.ndirty--;
	}
}

static void xn_buf_drop(struct xn_buf *buf)
{
	xa_erase(&xn.cache, buf->block);
	xn_buf_clean(buf);
	if (buf->fresh)
		list_del(&buf->fresh_node);
	__free_page(buf->page);
	kfree(buf);
	xn.ncached--;
}

/* A clean block nobody holds leaves the cache. */
static void xn_buf_maybe_drop(struct xn_buf *buf)
{
	if (buf->refs)
		return;
	if (buf->mapped_rw) {
		/* Keep what a mapping may have written for the next sync. */
		buf->mapped_rw = false;
		xn_buf_set_dirty(buf);
	}
	if (!buf->dirty && !buf->fresh)
		xn_buf_drop(buf);
}

/* The cached block @block, read from the disk if need be. */
static struct xn_buf *xn_buf_get(u64 block, u32 type, bool zero)
{
	struct xn_buf *buf = xn_buf_find(block);
	int ret;

	if (buf)
		return buf;
	/* Charged to whoever brings the block in, as the page cache is. */
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!buf->page) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}
	buf->block = block;
	buf->type = type;
	INIT_LIST_HEAD(&buf->fresh_node);
	ret = zero ? 0 : xn_io(block, buf->page, false);
	if (!ret)
		ret = xa_err(xa_store(&xn.cache, block, buf,
				      GFP_KERNEL_ACCOUNT));
	if (ret) {
		__free_page(buf->page);
		kfree(buf);
		return ERR_PTR(ret ? ret : -EIO);
	}
	xn.ncached++;
	return buf;
}

static u8 *xn_buf_data(struct xn_buf *buf)
{
	return page_address(buf->page);
}

/* ---- running UDFs -------------------------------------------------------- */

static bool xn_type_valid(u32 type)
{
	return type == EXO_XN_TYPE_DATA ||
	       (type <= EXO_XN_TYPES_MAX && xn.types[type].in_use);
}

/*
 * owns(@data) of type @type, sorted, into @set. Data blocks own nothing.
 * Returns the count, or -EPERM if the UDF faulted or returned non-zero.
 */
static int xn_owns(u32 type, u64 self, const u8 *data,
		   struct exo_udf_owned *set)
{
	struct exo_udf_ctx ctx = {
		.block = data,
		.owned = set,
	};
	const struct xn_type_disk *t;

	if (type == EXO_XN_TYPE_DATA)
		return 0;
	t = &xn.types[type];
	ctx.in[EXO_UDF_IN_SELF] = self;
	if (exo_udf_run(t->owns, t->owns_len, &ctx) || ctx.result)
		return -EPERM;
	exo_udf_owned_sort(set, ctx.nowned);
	return ctx.nowned;
}

/* Does the acl of @type, on @data (block @self), let the caller at @block? */
static bool xn_acl(u32 type, u64 self, const u8 *data, u64 block, u32 access)
{
	struct exo_udf_ctx ctx = { .block = data };
	const struct xn_type_disk *t;

	if (type == EXO_XN_TYPE_DATA)
		return false;
	t = &xn.types[type];
	ctx.in[EXO_UDF_IN_SELF] = self;
	ctx.in[EXO_UDF_IN_UID] = from_kuid(&init_user_ns, current_fsuid());
	ctx.in[EXO_UDF_IN_GID] = from_kgid(&init_user_ns, current_fsgid());
	ctx.in[EXO_UDF_IN_BLOCK] = block;
	ctx.in[EXO_UDF_IN_ACCESS] = access;
	return !exo_udf_run(t->acl, t->acl_len, &ctx) && ctx.result;
}

/*
 * May the caller have @access to block @block of its view (@ref)? The acl
 * of the block's parent decides for data blocks and for reading; a
 * metadata block's own acl decides who may change it (IN_BLOCK == IN_SELF),
 * and a root's own acl decides everything about it.
 */
static bool xn_allowed(u64 block, const struct exo_xn_ref *ref, u32 access)
{
	struct xn_buf *buf = xn_buf_find(block), *parent;

	if (!buf)
		return false;
	if (ref->parent == EXO_XN_NO_PARENT ||
	    (access == EXO_UDF_ACCESS_WRITE && ref->type != EXO_XN_TYPE_DATA))
		return xn_acl(ref->type, block, xn_buf_data(buf), block,
			      access);
	parent = xn_buf_find(ref->parent);
	if (!parent)
		return false;
	return xn_acl(parent->type, parent->block, xn_buf_data(parent), block,
		      access);
}

/* ---- environments -------------------------------------------------------- */

static int exo_xn_env_init(struct exo_env *env)
{
	xa_init(&env->xn.view);
	INIT_LIST_HEAD(&env->xn.maps);
	return 0;
}

/*
 * One mmap() of a cached block. The kernel may copy the VMA behind our
 * back (mremap()'s copy_vma()): the copy holds a reference of its own, and
 * only the VMA the map was made for is the environment's.
 */
struct xn_map {
	struct kref ref;			/* each VMA's, copies too */
	struct vm_area_struct *vma;		/* NULL once closed */
	u64 block;				/* immutable */
	struct list_head env_node;		/* in env->xn.maps while vma */
};

/*
 * A block that leaves @env's view leaves its address space too: a
 * read-write mapping kept after XN_RELEASE or XN_FREE would write a cached
 * block the environment no longer holds. Callers hold the mmap_lock of the
 * environment's mm, which made every one of its maps.
 */
static void xn_unmap_block(struct exo_env *env, u64 block)
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

static void xn_view_drop(struct exo_env *env, u64 block,
			 struct exo_xn_ref *ref)
{
	struct xn_buf *buf = xn_buf_find(block);

	lockdep_assert_held(&exo_xn_lock);
	xn_unmap_block(env, block);
	xa_erase(&env->xn.view, block);
	kfree(ref);
	atomic64_dec(&env->blocks);
	if (buf && !WARN_ON_ONCE(!buf->refs)) {
		buf->refs--;
		xn_buf_maybe_drop(buf);
	}
}

static void exo_xn_env_destroy(struct exo_env *env)
{
	struct exo_xn_ref *ref;
	unsigned long block;

	mutex_lock(&exo_xn_lock);
	/* Every mapping held the file: the last close comes after them. */
	WARN_ON(!list_empty(&env->xn.maps));
	xa_for_each(&env->xn.view, block, ref)
		xn_view_drop(env, block, ref);
	mutex_unlock(&exo_xn_lock);
	xa_destroy(&env->xn.view);
}

/* Put @buf in @env's view, through @parent. */
static int xn_view_add(struct exo_env *env, struct xn_buf *buf, u64 parent)
{
	struct exo_xn_ref *ref = xa_load(&env->xn.view, buf->block);
	int ret;

	if (ref) {
		ref->parent = parent;
		ref->type = buf->type;
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
	ret = xa_err(xa_store(&env->xn.view, buf->block, ref,
			      GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(ref);
		return ret;
	}
	buf->refs++;
	atomic64_inc(&env->blocks);
	return 0;
}

/* ---- ioctls: catalogues -------------------------------------------------- */

#define XN_INFO_MINSZ	offsetofend(struct exo_xn_info, reserved)
#define XN_TYPE_MINSZ	offsetofend(struct exo_xn_type, acl)
#define XN_ROOT_MINSZ	offsetofend(struct exo_xn_root, block)
#define XN_READ_MINSZ	offsetofend(struct exo_xn_read, writable)
#define XN_ALLOC_MINSZ	offsetofend(struct exo_xn_alloc, mods)
#define XN_WRITE_MINSZ	offsetofend(struct exo_xn_write, data)
#define XN_SYNC_MINSZ	offsetofend(struct exo_xn_sync, faulted)

/*
 * Calls that change state and then write a result probe the result's
 * memory first, so that a read-only argument fails before anything
 * happened rather than after.
 */
static int xn_probe_result(void __user *uarg, const void *karg, size_t ksize,
			   u32 argsz)
{
	return exo_copy_result(uarg, karg, ksize, argsz);
}

static long xn_info_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_info info;
	u64 next;
	int ret;

	ret = exo_copy_args(&info, sizeof(info), XN_INFO_MINSZ, uarg);
	if (ret)
		return ret;
	if (info.flags || info.reserved)
		return -EINVAL;
	mutex_lock(&exo_xn_lock);
	info.nblocks = xn.nblocks;
	info.data_start = xn.data_start;
	info.free_blocks = xn.nfree;
	next = max(info.hint, xn.data_start);
	next = next < xn.nblocks ? find_next_zero_bit(xn.alloc, xn.nblocks,
						      next) : xn.nblocks;
	info.hint = next < xn.nblocks ? next : 0;
	info.types = xn.ntypes;
	info.roots = xn.nroots;
	info.cached = xn.ncached;
	info.dirty = xn.ndirty;
	mutex_unlock(&exo_xn_lock);
	info.held = atomic64_read(&env->blocks);
	return exo_copy_result(uarg, &info, sizeof(info), info.argsz);
}

static bool xn_name_ok(const char *name)
{
	size_t len = strnlen(name, EXO_XN_NAME_MAX);

	return len && len < EXO_XN_NAME_MAX;
}

static int xn_copy_udf(struct exo_udf_insn *dst, u64 uptr, u32 len, u32 kind)
{
	if (!len || len > EXO_UDF_MAX_INSNS)
		return -EINVAL;
	if (copy_from_user(dst, u64_to_user_ptr(uptr), len * sizeof(*dst)))
		return -EFAULT;
	return exo_udf_verify(dst, len, kind, NULL) ? -EINVAL : 0;
}

static u32 xn_type_find(const char *name)
{
	u32 id;

	for (id = 1; id <= EXO_XN_TYPES_MAX; id++)
		if (xn.types[id].in_use &&
		    !strncmp(xn.types[id].name, name, EXO_XN_NAME_MAX))
			return id;
	return 0;
}

/*
 * The catalogues are small and shared by every user: one without
 * CAP_SYS_ADMIN may fill only catalogue_per_user entries of them.
 */
static int xn_catalogue_quota_check(void)
{
	u32 uid = from_kuid(&init_user_ns, current_fsuid()), n = 0, i;

	lockdep_assert_held(&exo_xn_lock);
	if (capable(CAP_SYS_ADMIN))
		return 0;
	for (i = 1; i <= EXO_XN_TYPES_MAX; i++)
		n += xn.types[i].in_use && xn.types[i].owner_uid == uid;
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		n += xn.roots[i].in_use && xn.roots[i].owner_uid == uid;
	return n >= READ_ONCE(exo_xn_catalogue_per_user) ? -EDQUOT : 0;
}

static long xn_type_install_ioctl(void __user *uarg)
{
	struct exo_xn_type arg;
	struct xn_type_disk *t;
	u32 id;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_TYPE_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || !xn_name_ok(arg.name))
		return -EINVAL;
	ret = xn_probe_result(uarg, &arg, sizeof(arg), arg.argsz);
	if (ret)
		return ret;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = xn_copy_udf(t->owns, arg.owns, arg.owns_len, EXO_UDF_OWNS);
	if (!ret)
		ret = xn_copy_udf(t->acl, arg.acl, arg.acl_len, EXO_UDF_ACL);
	if (ret)
		goto out;
	strscpy(t->name, arg.name, sizeof(t->name));
	t->owns_len = arg.owns_len;
	t->acl_len = arg.acl_len;
	t->in_use = 1;
	t->owner_uid = from_kuid(&init_user_ns, current_fsuid());

	mutex_lock(&exo_xn_lock);
	ret = -EEXIST;
	if (xn_type_find(t->name))
		goto unlock;
	ret = xn_catalogue_quota_check();
	if (ret)
		goto unlock;
	ret = -ENOSPC;
	for (id = 1; id <= EXO_XN_TYPES_MAX; id++)
		if (!xn.types[id].in_use)
			break;
	if (id > EXO_XN_TYPES_MAX)
		goto unlock;
	xn.types[id] = *t;
	ret = xn_write_type(id);
	if (ret) {
		memset(&xn.types[id], 0, sizeof(xn.types[id]));
		goto unlock;
	}
	xn.ntypes++;
	arg.type_id = id;
unlock:
	mutex_unlock(&exo_xn_lock);
	if (!ret)
		ret = exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
out:
	kfree(t);
	return ret;
}

static long xn_type_lookup_ioctl(void __user *uarg)
{
	struct exo_xn_type arg;
	struct xn_type_disk *t;
	u32 id;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_TYPE_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || !xn_name_ok(arg.name))
		return -EINVAL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	mutex_lock(&exo_xn_lock);
	id = xn_type_find(arg.name);
	if (id)
		*t = xn.types[id];
	mutex_unlock(&exo_xn_lock);
	ret = -ENOENT;
	if (!id)
		goto out;
	ret = -ENOSPC;
	if ((arg.owns && arg.owns_len < t->owns_len) ||
	    (arg.acl && arg.acl_len < t->acl_len))
		goto out;
	ret = -EFAULT;
	if (arg.owns && copy_to_user(u64_to_user_ptr(arg.owns), t->owns,
				     t->owns_len * sizeof(t->owns[0])))
		goto out;
	if (arg.acl && copy_to_user(u64_to_user_ptr(arg.acl), t->acl,
				    t->acl_len * sizeof(t->acl[0])))
		goto out;
	arg.type_id = id;
	arg.owns_len = t->owns_len;
	arg.acl_len = t->acl_len;
	ret = exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
out:
	kfree(t);
	return ret;
}

static struct xn_root_disk *xn_root_find(const char *name)
{
	u32 i;

	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		if (xn.roots[i].in_use &&
		    !strncmp(xn.roots[i].name, name, EXO_XN_NAME_MAX))
			return &xn.roots[i];
	return NULL;
}

static struct xn_root_disk *xn_root_of_block(u64 block)
{
	u32 i;

	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		if (xn.roots[i].in_use && xn.roots[i].block == block)
			return &xn.roots[i];
	return NULL;
}

/*
 * XN's invariant is that what a block owns changes only through the
 * checked ALLOC, FREE and WRITE_META. A root or a new metadata block
 * starts as zeroes, so its type's owns() must claim nothing there: an
 * owns() that ignores the block and emits a constant would otherwise
 * own, from birth, any block it names (another libFS's, or a free one).
 */
static const u8 xn_zeroes[XN_BS];

static bool xn_born_empty(u32 type, u64 self, struct exo_udf_owned *scratch)
{
	return xn_owns(type, self, xn_zeroes, scratch) == 0;
}

static long xn_root_install_ioctl(void __user *uarg)
{
	struct xn_root_disk *slot = NULL;
	struct exo_xn_root arg;
	u32 i;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_ROOT_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || !xn_name_ok(arg.name))
		return -EINVAL;
	ret = xn_probe_result(uarg, &arg, sizeof(arg), arg.argsz);
	if (ret)
		return ret;
	mutex_lock(&exo_xn_lock);
	ret = -EINVAL;
	if (arg.type_id == EXO_XN_TYPE_DATA || !xn_type_valid(arg.type_id))
		goto unlock;
	if (arg.block && (arg.block < xn.data_start || arg.block >= xn.nblocks))
		goto unlock;
	ret = -EEXIST;
	if (xn_root_find(arg.name))
		goto unlock;
	ret = xn_catalogue_quota_check();
	if (ret)
		goto unlock;
	ret = -ENOSPC;
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		if (!xn.roots[i].in_use) {
			slot = &xn.roots[i];
			break;
		}
	if (!slot)
		goto unlock;
	if (!arg.block) {
		arg.block = find_next_zero_bit(xn.alloc, xn.nblocks,
					       xn.data_start);
		if (arg.block >= xn.nblocks)
			goto unlock;
	}
	ret = -EBUSY;
	if (!xn_is_free(arg.block))
		goto unlock;
	/* The block, then the free map, then the catalogue entry. */
	ret = -EPERM;
	if (!xn_born_empty(arg.type_id, arg.block, xn.before))
		goto unlock;
	ret = xn_write_bytes(arg.block, xn_zeroes, XN_BS);
	if (ret)
		goto unlock;
	set_bit(arg.block, xn.alloc);
	xn.nfree--;
	ret = xn_write_freemap(xn.alloc);
	if (!ret) {
		strscpy(slot->name, arg.name, sizeof(slot->name));
		slot->block = arg.block;
		slot->type = arg.type_id;
		slot->owner_uid = from_kuid(&init_user_ns, current_fsuid());
		slot->in_use = 1;
		ret = xn_write_roots();
		if (ret)
			memset(slot, 0, sizeof(*slot));
	}
	if (ret) {
		clear_bit(arg.block, xn.alloc);
		xn.nfree++;
		goto unlock;
	}
	xn.nroots++;
unlock:
	mutex_unlock(&exo_xn_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
}

static long xn_root_lookup_ioctl(void __user *uarg)
{
	struct xn_root_disk *root;
	struct exo_xn_root arg;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_ROOT_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || !xn_name_ok(arg.name))
		return -EINVAL;
	mutex_lock(&exo_xn_lock);
	root = xn_root_find(arg.name);
	if (root) {
		arg.block = root->block;
		arg.type_id = root->type;
	}
	mutex_unlock(&exo_xn_lock);
	if (!root)
		return -ENOENT;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
}

/* ---- ioctls: the registry ------------------------------------------------ */

static int xn_sync_locked(u64 *written);

/*
 * Before a call that may bring a block into the cache: at cache_max, write
 * every dirty block back and drop the clean ones nobody holds. A cache
 * full of held blocks is ENOBUFS (each environment pins view_max at most).
 */
static int xn_cache_make_room_locked(void)
{
	struct xn_buf *buf;
	unsigned long block;
	u64 written = 0;
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	if (xn.ncached < READ_ONCE(exo_xn_cache_max))
		return 0;
	ret = xn_sync_locked(&written);
	if (ret)
		return ret;
	xa_for_each(&xn.cache, block, buf)
		if (!buf->refs && !buf->dirty && !buf->fresh &&
		    !buf->mapped_rw)
			xn_buf_drop(buf);
	return xn.ncached < READ_ONCE(exo_xn_cache_max) ? 0 : -ENOBUFS;
}

static long xn_read_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_ref *pref, tmp;
	struct xn_buf *parent, *buf;
	struct exo_xn_read arg;
	u32 type;
	int ret, n;

	ret = exo_copy_args(&arg, sizeof(arg), XN_READ_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.writable)
		return -EINVAL;
	ret = xn_probe_result(uarg, &arg, sizeof(arg), arg.argsz);
	if (ret)
		return ret;
	mutex_lock(&exo_xn_lock);
	ret = xn_cache_make_room_locked();
	if (ret)
		goto unlock;
	ret = -EINVAL;
	if (arg.block < xn.data_start || arg.block >= xn.nblocks ||
	    !xn_type_valid(arg.type_id))
		goto unlock;
	if (arg.parent == EXO_XN_NO_PARENT) {
		struct xn_root_disk *root = xn_root_of_block(arg.block);

		ret = -ENOENT;
		if (!root)
			goto unlock;
		ret = -EPERM;
		if (root->type != arg.type_id)
			goto unlock;
		buf = xn_buf_get(arg.block, arg.type_id, false);
		ret = PTR_ERR_OR_ZERO(buf);
		if (ret)
			goto unlock;
		ret = -EACCES;
		if (!xn_acl(arg.type_id, arg.block, xn_buf_data(buf), arg.block,
			    EXO_UDF_ACCESS_READ)) {
			xn_buf_maybe_drop(buf);
			goto unlock;
		}
	} else {
		ret = -ENOENT;
		pref = xa_load(&env->xn.view, arg.parent);
		parent = pref ? xn_buf_find(arg.parent) : NULL;
		if (!parent)
			goto unlock;
		/* Claimed exactly once, with that type. */
		ret = -EPERM;
		n = xn_owns(parent->type, parent->block, xn_buf_data(parent),
			    xn.before);
		if (n < 0 ||
		    exo_udf_owned_count(xn.before, n, arg.block, &type) != 1 ||
		    type != arg.type_id)
			goto unlock;
		ret = -EACCES;
		if (!xn_acl(parent->type, parent->block, xn_buf_data(parent),
			    arg.block, EXO_UDF_ACCESS_READ))
			goto unlock;
		buf = xn_buf_get(arg.block, arg.type_id, false);
		ret = PTR_ERR_OR_ZERO(buf);
		if (ret)
			goto unlock;
	}
	ret = -EPERM;
	if (buf->type != arg.type_id) {
		xn_buf_maybe_drop(buf);
		goto unlock;
	}
	ret = xn_view_add(env, buf, arg.parent);
	if (ret) {
		xn_buf_maybe_drop(buf);
		goto unlock;
	}
	tmp.parent = arg.parent;
	tmp.type = arg.type_id;
	arg.writable = xn_allowed(arg.block, &tmp, EXO_UDF_ACCESS_WRITE);
unlock:
	mutex_unlock(&exo_xn_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
}

static long xn_release_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_read arg;
	struct exo_xn_ref *ref;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_READ_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.parent || arg.type_id || arg.writable)
		return -EINVAL;
	/* Its mappings of the block go with it: see xn_unmap_block(). */
	mmap_read_lock(current->mm);
	mutex_lock(&exo_xn_lock);
	ref = xa_load(&env->xn.view, arg.block);
	if (ref)
		xn_view_drop(env, arg.block, ref);
	mutex_unlock(&exo_xn_lock);
	mmap_read_unlock(current->mm);
	return ref ? 0 : -ENOENT;
}

/*
 * Modifications, copied in before the lock as one patch: the bytes and a
 * mask of which bytes they replace, later ones over earlier ones.
 */
struct xn_patch {
	u8 bytes[XN_BS];
	unsigned long mask[BITS_TO_LONGS(XN_BS)];
};

static int xn_patch_copy(struct xn_patch *p, u64 umods, u32 nmods)
{
	struct exo_xn_mod mods[EXO_XN_MODS_MAX];
	u32 i;

	if (!nmods || nmods > EXO_XN_MODS_MAX)
		return -EINVAL;
	if (copy_from_user(mods, u64_to_user_ptr(umods),
			   nmods * sizeof(mods[0])))
		return -EFAULT;
	for (i = 0; i < nmods; i++) {
		if (!mods[i].len || mods[i].offset >= XN_BS ||
		    mods[i].len > XN_BS - mods[i].offset)
			return -EINVAL;
		if (copy_from_user(p->bytes + mods[i].offset,
				   u64_to_user_ptr(mods[i].data), mods[i].len))
			return -EFAULT;
		bitmap_set(p->mask, mods[i].offset, mods[i].len);
	}
	return 0;
}

static void xn_patch_apply(const struct xn_patch *p, u8 *dst)
{
	unsigned int i;

	for_each_set_bit(i, p->mask, XN_BS)
		dst[i] = p->bytes[i];
}

/* Drop a block that is being freed from every cache structure. */
static void xn_forget(struct xn_buf *buf, struct exo_env *env)
{
	u64 block = buf->block;	/* dropping the view may free @buf */
	struct exo_xn_ref *ref = xa_load(&env->xn.view, block);

	if (ref)
		xn_view_drop(env, block, ref);
	buf = xn_buf_find(block);
	if (buf)
		xn_buf_drop(buf);
}

static long xn_modify(struct exo_env *env, unsigned int cmd,
		      void __user *uarg)
{
	struct exo_udf_owned extra = { 0 };
	struct exo_xn_ref *mref;
	struct exo_xn_alloc arg;
	struct xn_buf *m, *b = NULL;
	struct xn_patch *patch;
	int ret, nbefore, nafter;
	u32 type;

	ret = exo_copy_args(&arg, sizeof(arg), XN_ALLOC_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	if (cmd == EXO_IOC_XN_WRITE_META && (arg.block || arg.type_id))
		return -EINVAL;
	patch = kzalloc(sizeof(*patch), GFP_KERNEL);
	if (!patch)
		return -ENOMEM;
	ret = xn_patch_copy(patch, arg.mods, arg.nmods);
	if (ret)
		goto out;

	/* FREE unmaps the block: see xn_unmap_block(). */
	mmap_read_lock(current->mm);
	mutex_lock(&exo_xn_lock);
	ret = cmd == EXO_IOC_XN_ALLOC ? xn_cache_make_room_locked() : 0;
	if (ret)
		goto unlock;
	ret = -EINVAL;
	if (cmd != EXO_IOC_XN_WRITE_META &&
	    (arg.block < xn.data_start || arg.block >= xn.nblocks ||
	     !xn_type_valid(arg.type_id)))
		goto unlock;
	/* A block that is its own parent: FREE would write into what
	 * xn_forget() just freed.
	 */
	if (cmd != EXO_IOC_XN_WRITE_META && arg.block == arg.parent)
		goto unlock;
	ret = -ENOENT;
	mref = xa_load(&env->xn.view, arg.parent);
	m = mref ? xn_buf_find(arg.parent) : NULL;
	if (!m)
		goto unlock;
	ret = -EPERM;
	if (m->type == EXO_XN_TYPE_DATA)
		goto unlock;
	ret = -EACCES;
	if (!xn_allowed(m->block, mref, EXO_UDF_ACCESS_WRITE))
		goto unlock;

	ret = -EPERM;
	nbefore = xn_owns(m->type, m->block, xn_buf_data(m), xn.before);
	if (nbefore < 0)
		goto unlock;
	extra.block = arg.block;
	extra.type = arg.type_id;
	if (cmd == EXO_IOC_XN_ALLOC) {
		/* b free, and not already claimed by m. */
		if (!xn_is_free(arg.block) ||
		    exo_udf_owned_count(xn.before, nbefore, arg.block, NULL))
			goto unlock;
	} else if (cmd == EXO_IOC_XN_FREE) {
		if (exo_udf_owned_count(xn.before, nbefore, arg.block,
					&type) != 1 || type != arg.type_id)
			goto unlock;
		/* b must claim nothing, and nobody else may hold it. */
		b = xn_buf_get(arg.block, arg.type_id, false);
		if (IS_ERR(b)) {
			ret = PTR_ERR(b);
			goto unlock;
		}
		nafter = xn_owns(arg.type_id, b->block, xn_buf_data(b),
				 xn.after);
		if (nafter) {
			xn_buf_maybe_drop(b);
			goto unlock;
		}
		ret = -EBUSY;
		if (b->refs > (xa_load(&env->xn.view, b->block) ? 1 : 0)) {
			xn_buf_maybe_drop(b);
			goto unlock;
		}
		ret = -EPERM;
	}

	/* m' = m with the modifications, checked before it replaces m. */
	memcpy(xn.copy, xn_buf_data(m), XN_BS);
	xn_patch_apply(patch, xn.copy);
	nafter = xn_owns(m->type, m->block, xn.copy, xn.after);
	if (nafter < 0)
		goto drop_b;
	if (cmd == EXO_IOC_XN_ALLOC &&
	    !exo_udf_owned_plus(xn.before, nbefore, xn.after, nafter, &extra))
		goto unlock;
	if (cmd == EXO_IOC_XN_FREE &&
	    !exo_udf_owned_plus(xn.after, nafter, xn.before, nbefore, &extra))
		goto drop_b;
	if (cmd == EXO_IOC_XN_WRITE_META &&
	    !exo_udf_owned_plus(xn.before, nbefore, xn.after, nafter, NULL))
		goto unlock;

	if (cmd == EXO_IOC_XN_ALLOC &&
	    !xn_born_empty(arg.type_id, arg.block, xn.before))
		goto unlock;

	if (cmd == EXO_IOC_XN_ALLOC) {
		/* A block from the cache of a freed, unsynced life goes. */
		b = xn_buf_find(arg.block);
		if (b)
			xn_buf_drop(b);
		b = xn_buf_get(arg.block, arg.type_id, true);
		if (IS_ERR(b)) {
			ret = PTR_ERR(b);
			goto unlock;
		}
		ret = xn_view_add(env, b, m->block);
		if (ret) {
			xn_buf_drop(b);
			goto unlock;
		}
		set_bit(arg.block, xn.alloc);
		xn.nfree--;
		b->fresh = true;
		list_add_tail(&b->fresh_node, &xn.fresh_list);
		xn_buf_set_dirty(b);
	} else if (cmd == EXO_IOC_XN_FREE) {
		bool fresh = b->fresh;
		struct xn_pending_free *pf = NULL;

		if (!fresh) {
			pf = kmalloc(sizeof(*pf), GFP_KERNEL);
			if (!pf) {
				ret = -ENOMEM;
				goto drop_b;
			}
		}
		xn_forget(b, env);
		if (fresh) {
			/* Never on the disk: nothing there points to it. */
			clear_bit(arg.block, xn.alloc);
			xn.nfree++;
		} else {
			pf->block = arg.block;
			list_add_tail(&pf->node, &xn.pending_frees);
		}
	}
	memcpy(xn_buf_data(m), xn.copy, XN_BS);
	xn_buf_set_dirty(m);
	ret = 0;
	goto unlock;
drop_b:
	if (cmd == EXO_IOC_XN_FREE && b)
		xn_buf_maybe_drop(b);
unlock:
	mutex_unlock(&exo_xn_lock);
	mmap_read_unlock(current->mm);
out:
	kfree(patch);
	return ret;
}

static long xn_write_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_write arg;
	struct exo_xn_ref *ref;
	struct xn_buf *buf;
	void *data;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_WRITE_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || !arg.len || arg.offset >= XN_BS ||
	    arg.len > XN_BS - arg.offset)
		return -EINVAL;
	data = memdup_user(u64_to_user_ptr(arg.data), arg.len);
	if (IS_ERR(data))
		return PTR_ERR(data);
	mutex_lock(&exo_xn_lock);
	ret = -ENOENT;
	ref = xa_load(&env->xn.view, arg.block);
	buf = ref ? xn_buf_find(arg.block) : NULL;
	if (!buf)
		goto unlock;
	ret = -EPERM;
	if (buf->type != EXO_XN_TYPE_DATA)
		goto unlock;
	ret = -EACCES;
	if (!xn_allowed(arg.block, ref, EXO_UDF_ACCESS_WRITE))
		goto unlock;
	memcpy(xn_buf_data(buf) + arg.offset, data, arg.len);
	xn_buf_set_dirty(buf);
	ret = 0;
unlock:
	mutex_unlock(&exo_xn_lock);
	kfree(data);
	return ret;
}

/* Write the dirty cache in the order the UAPI promises; blocks written. */
static int xn_sync_stages(u64 *written)
{
	struct xn_pending_free *pf, *pft;
	struct xn_buf *buf, *tmp;
	unsigned long block;
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	*written = 0;
	/* 1: new blocks, children (allocated later) before parents. */
	list_for_each_entry_safe_reverse(buf, tmp, &xn.fresh_list, fresh_node) {
		ret = xn_io(buf->block, buf->page, true);
		if (ret)
			return ret;
		(*written)++;
		list_del_init(&buf->fresh_node);
		buf->fresh = false;
		xn_buf_clean(buf);
	}
	ret = xn_stage_flush(1);
	if (ret)
		return ret;
	/* 2: the free map with them allocated (freed ones still are). */
	ret = xn_write_freemap(xn.alloc);
	if (!ret)
		ret = xn_stage_flush(2);
	if (ret)
		return ret;
	/* 3: every other dirty block, now pointing only at written ones. */
	xa_for_each(&xn.cache, block, buf) {
		if (!buf->dirty && !buf->mapped_rw)
			continue;
		ret = xn_io(buf->block, buf->page, true);
		if (ret)
			return ret;
		(*written)++;
		xn_buf_clean(buf);
	}
	ret = xn_stage_flush(3);
	if (ret)
		return ret;
	/* 4: freed blocks, forgotten on the disk now, become free. */
	if (!list_empty(&xn.pending_frees)) {
		list_for_each_entry_safe(pf, pft, &xn.pending_frees, node) {
			clear_bit(pf->block, xn.alloc);
			xn.nfree++;
			list_del(&pf->node);
			kfree(pf);
		}
		ret = xn_write_freemap(xn.alloc);
		if (!ret)
			ret = xn_stage_flush(4);
		if (ret)
			return ret;
	}
	/* What nobody holds any more leaves the cache. */
	xa_for_each(&xn.cache, block, buf)
		xn_buf_maybe_drop(buf);
	return 0;
}

static int xn_sync_locked(u64 *written)
{
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	xn.staged = true;
	ret = xn_sync_stages(written);
	xn.staged = false;
	return ret;
}

static void xn_report_clear(struct exo_xn_sync *r)
{
	r->written = 0;
	r->owned_twice = 0;
	r->free_pointed = 0;
	r->unreachable = 0;
	r->faulted = 0;
}

static long xn_sync_ioctl(void __user *uarg)
{
	struct exo_xn_sync arg;
	u64 written;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_SYNC_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	mutex_lock(&exo_xn_lock);
	ret = xn_sync_locked(&written);
	mutex_unlock(&exo_xn_lock);
	if (ret)
		return ret;
	xn_report_clear(&arg);
	arg.written = written;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
}

/* ---- the check ----------------------------------------------------------- */

struct xn_walk {
	u64 block;
	u32 type;
};

static int xn_check_locked(struct exo_xn_sync *r)
{
	unsigned long *disk_map;
	struct xn_walk *queue;
	u32 head = 0, tail = 0, i;
	u8 *seen, *data;
	u64 b;
	int ret = -ENOMEM, n;

	lockdep_assert_held(&exo_xn_lock);
	disk_map = kvzalloc(xn.freemap_blocks * XN_BS, GFP_KERNEL);
	seen = kvzalloc(xn.nblocks, GFP_KERNEL);
	queue = kvcalloc(xn.nblocks, sizeof(*queue), GFP_KERNEL);
	data = kmalloc(XN_BS, GFP_KERNEL);
	if (!disk_map || !seen || !queue || !data)
		goto out;
	for (b = 0; b < xn.freemap_blocks; b++) {
		ret = xn_read_bytes(xn.freemap_start + b,
				    (u8 *)disk_map + b * XN_BS, XN_BS);
		if (ret)
			goto out;
	}
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++) {
		struct xn_root_disk *root = &xn.roots[i];

		if (!root->in_use || root->block >= xn.nblocks)
			continue;
		if (seen[root->block]++) {
			r->owned_twice++;
			continue;
		}
		queue[tail].block = root->block;
		queue[tail++].type = root->type;
	}
	while (head < tail) {
		struct xn_walk w = queue[head++];

		r->written++;
		if (!test_bit(w.block, disk_map))
			r->free_pointed++;
		if (w.type == EXO_XN_TYPE_DATA)
			continue;
		if (!xn_type_valid(w.type)) {
			r->faulted++;
			continue;
		}
		ret = xn_read_bytes(w.block, data, XN_BS);
		if (ret)
			goto out;
		n = xn_owns(w.type, w.block, data, xn.before);
		if (n < 0) {
			r->faulted++;
			continue;
		}
		for (i = 0; i < (u32)n; i++) {
			u64 c = xn.before[i].block;

			if (c >= xn.nblocks) {
				r->faulted++;
				continue;
			}
			if (seen[c]++) {
				if (seen[c] == 2)
					r->owned_twice++;
				seen[c] = 2;
				continue;
			}
			queue[tail].block = c;
			queue[tail++].type = xn.before[i].type;
		}
	}
	for (b = xn.data_start; b < xn.nblocks; b++)
		if (test_bit(b, disk_map) && !seen[b])
			r->unreachable++;
	ret = 0;
out:
	kfree(data);
	kvfree(queue);
	kvfree(seen);
	kvfree(disk_map);
	return ret;
}

static long xn_check_ioctl(void __user *uarg)
{
	struct exo_xn_sync arg;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_SYNC_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	xn_report_clear(&arg);
	mutex_lock(&exo_xn_lock);
	ret = xn_check_locked(&arg);
	mutex_unlock(&exo_xn_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
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
	default:
		return -ENOTTY;
	}
}

/* ---- mmap ---------------------------------------------------------------- */

static void xn_map_release(struct kref *ref)
{
	kfree(container_of(ref, struct xn_map, ref));
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

/*
 * One block per mapping, at window offset block * 4 KiB, for as long as
 * the block is in the caller's view: XN_RELEASE and XN_FREE unmap it.
 */
static int exo_xn_mmap(struct exo_env *env, struct vm_area_struct *vma)
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
	    !xn_allowed(block, ref, EXO_UDF_ACCESS_WRITE)) {
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

/* ---- load and unload ----------------------------------------------------- */

static void xn_layout(u64 nblocks)
{
	xn.nblocks = nblocks;
	xn.freemap_start = 1;
	xn.freemap_blocks = DIV_ROUND_UP(nblocks, XN_BITS_PER_BLOCK);
	xn.types_start = xn.freemap_start + xn.freemap_blocks;
	xn.roots_block = xn.types_start + EXO_XN_TYPES_MAX;
	xn.data_start = xn.roots_block + 1;
}

static int xn_format(void)
{
	struct xn_super_disk sb = {
		.magic = XN_MAGIC,
		.version = XN_VERSION,
		.block_size = XN_BS,
		.nblocks = xn.nblocks,
		.freemap_start = xn.freemap_start,
		.freemap_blocks = xn.freemap_blocks,
		.types_start = xn.types_start,
		.roots_block = xn.roots_block,
		.data_start = xn.data_start,
	};
	u32 id;
	int ret;

	bitmap_zero(xn.alloc, xn.freemap_blocks * XN_BITS_PER_BLOCK);
	bitmap_set(xn.alloc, 0, xn.data_start);
	/* Past the end counts as allocated, so that nothing finds it free. */
	bitmap_set(xn.alloc, xn.nblocks,
		   xn.freemap_blocks * XN_BITS_PER_BLOCK - xn.nblocks);
	ret = xn_write_freemap(xn.alloc);
	for (id = 1; !ret && id <= EXO_XN_TYPES_MAX; id++)
		ret = xn_write_type(id);
	if (!ret)
		ret = xn_write_roots();
	/* The superblock last: a half-formatted disk is formatted again. */
	if (!ret)
		ret = xn_write_bytes(0, &sb, sizeof(sb));
	return ret;
}

static int xn_load(void)
{
	struct xn_super_disk sb;
	u32 id, i;
	u64 b;
	int ret;

	ret = xn_read_bytes(0, &sb, sizeof(sb));
	if (ret)
		return ret;
	if (sb.magic != XN_MAGIC || sb.version != XN_VERSION ||
	    sb.block_size != XN_BS || sb.nblocks != xn.nblocks ||
	    sb.data_start != xn.data_start) {
		pr_info("formatting %llu blocks\n", xn.nblocks);
		return xn_format();
	}
	for (b = 0; b < xn.freemap_blocks; b++) {
		ret = xn_read_bytes(xn.freemap_start + b,
				    (u8 *)xn.alloc + b * XN_BS, XN_BS);
		if (ret)
			return ret;
	}
	for (id = 1; id <= EXO_XN_TYPES_MAX; id++) {
		struct xn_type_disk *t = &xn.types[id];

		ret = xn_read_bytes(xn.types_start + id - 1, t, sizeof(*t));
		if (ret)
			return ret;
		if (!t->in_use)
			continue;
		/* Never run what the verifier would not pass today. */
		t->name[EXO_XN_NAME_MAX - 1] = 0;
		if (exo_udf_verify(t->owns, t->owns_len, EXO_UDF_OWNS, NULL) ||
		    exo_udf_verify(t->acl, t->acl_len, EXO_UDF_ACL, NULL)) {
			pr_warn("type %u (%s) fails verification: ignored\n",
				id, t->name);
			memset(t, 0, sizeof(*t));
			continue;
		}
		xn.ntypes++;
	}
	ret = xn_read_bytes(xn.roots_block, xn.roots, XN_BS);
	if (ret)
		return ret;
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++) {
		xn.roots[i].name[EXO_XN_NAME_MAX - 1] = 0;
		if (xn.roots[i].in_use)
			xn.nroots++;
	}
	pr_info("loaded %llu blocks, %u types, %u roots\n", xn.nblocks,
		xn.ntypes, xn.nroots);
	return 0;
}

static int exo_xn_init(void)
{
	u64 nblocks;
	int ret = -ENOMEM;

	BUILD_BUG_ON(sizeof(struct xn_type_disk) > XN_BS);
	BUILD_BUG_ON(sizeof(struct xn_root_disk) * EXO_XN_ROOTS_MAX != XN_BS);
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
	xn_layout(nblocks);
	ret = -ENOSPC;
	if (xn.data_start + 1 >= nblocks) {
		pr_err("disk of %llu blocks is too small\n", nblocks);
		goto err_disk;
	}
	ret = -ENOMEM;
	xn.alloc = kvzalloc(xn.freemap_blocks * XN_BS, GFP_KERNEL);
	xn.types = vzalloc(sizeof(*xn.types) * (EXO_XN_TYPES_MAX + 1));
	xn.roots = kzalloc(XN_BS, GFP_KERNEL);
	xn.before = kvcalloc(EXO_UDF_MAX_OWNED, sizeof(*xn.before), GFP_KERNEL);
	xn.after = kvcalloc(EXO_UDF_MAX_OWNED, sizeof(*xn.after), GFP_KERNEL);
	xn.copy = kmalloc(XN_BS, GFP_KERNEL);
	if (!xn.alloc || !xn.types || !xn.roots || !xn.before || !xn.after ||
	    !xn.copy)
		goto err_mem;
	mutex_lock(&exo_xn_lock);
	ret = xn_load();
	if (!ret)
		xn.nfree = xn.nblocks - bitmap_weight(xn.alloc, xn.nblocks);
	mutex_unlock(&exo_xn_lock);
	if (ret) {
		pr_err("cannot load the disk: %d\n", ret);
		goto err_mem;
	}
	return 0;

err_mem:
	kfree(xn.copy);
	kvfree(xn.after);
	kvfree(xn.before);
	kfree(xn.roots);
	vfree(xn.types);
	kvfree(xn.alloc);
err_disk:
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
			  EXO_IOCTL_BIT(EXO_NR_XN_CHECK),
	.mmap_window	= EXO_MMAP_XN >> EXO_MMAP_SHIFT,
	.init		= exo_xn_init,
	.exit		= exo_xn_exit,
	.env_init	= exo_xn_env_init,
	.env_destroy	= exo_xn_env_destroy,
	.ioctl		= exo_xn_ioctl,
	.mmap		= exo_xn_mmap,
};
