/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XN's internals, shared by the files of module/xn/; xn.c describes the
 * disk, the registry, the ordering rules and the lock.
 */
#ifndef EXO_XN_H
#define EXO_XN_H

#include <linux/bio.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../binding.h"
#include "../compat.h"
#include "../core/udf.h"
#include "../core/xn_image.h"
#include "../exo.h"
#include "../exo_trace.h"
#include "../uapi_copy.h"

#define XN_BS			EXO_XN_BLOCK_SIZE
#define XN_SECTORS		(XN_BS >> SECTOR_SHIFT)
#define XN_BITS_PER_BLOCK	XN_IMAGE_BITS_PER_BLOCK
#define XN_MAX_BLOCKS		XN_IMAGE_MAX_BLOCKS
#define XN_ROOTS_PER_BLOCK	EXO_XN_ROOTS_MAX

/*
 * The catalogues in memory are struct xn_image_type_mem and
 * xn_image_root_mem (module/core/xn_image.h), in CPU order; disk.c
 * encodes them at every write and xn.c decodes and checks them at load.
 */

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

#define XN_INFO_MINSZ	offsetofend(struct exo_xn_info, reserved)
#define XN_TYPE_MINSZ	offsetofend(struct exo_xn_type, acl)
#define XN_ROOT_MINSZ	offsetofend(struct exo_xn_root, block)
#define XN_READ_MINSZ	offsetofend(struct exo_xn_read, writable)
#define XN_ALLOC_MINSZ	offsetofend(struct exo_xn_alloc, mods)
#define XN_WRITE_MINSZ	offsetofend(struct exo_xn_write, data)
#define XN_SYNC_MINSZ	offsetofend(struct exo_xn_sync, faulted)

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

/* xn.c: parameters and the state */
extern uint exo_xn_catalogue_per_user;
extern uint exo_xn_cache_max;
extern uint exo_xn_debug_skip_flush;
extern struct mutex exo_xn_lock;

struct xn_state {
	struct exo_bdev bdev;		/* bdev.bdev NULL: the RAM disk */
	u8 *ram;
	/* Where everything is: set at load, the superblock writes it back. */
	struct xn_image_layout layout;
	unsigned long *alloc;		/* allocated, pending frees included */
	u64 nfree;
	struct xn_image_type_mem *types;	/* [EXO_XN_TYPES_MAX + 1], 0 unused */
	u32 ntypes;
	struct xn_image_root_mem *roots;	/* [XN_ROOTS_PER_BLOCK] */
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
};

/* Everything in it is under exo_xn_lock. */
extern struct xn_state xn;

static inline bool xn_in_data(u64 block)
{
	return xn_image_in_data(&xn.layout, block);
}

/* xn.c */
void xn_unmap_block(struct exo_env *env, u64 block);
void xn_view_drop(struct exo_env *env, u64 block,
		  struct exo_xn_ref *ref, u32 why);
int xn_view_add(struct exo_env *env, struct xn_buf *buf, u64 parent);

/* disk.c */
int xn_io(u64 block, struct page *page, bool write);
int xn_flush(void);
int xn_stage_flush(unsigned int stage);
int xn_write_bytes(u64 block, const void *buf, size_t len);
int xn_read_bytes(u64 block, void *buf, size_t len);
int xn_write_freemap(const unsigned long *map);
int xn_write_type(u32 id);
int xn_write_roots(void);
int xn_write_super(void);
bool xn_is_free(u64 block);
struct xn_buf *xn_buf_find(u64 block);
void xn_buf_set_dirty(struct xn_buf *buf);
void xn_buf_clean(struct xn_buf *buf);
void xn_buf_drop(struct xn_buf *buf);
void xn_buf_maybe_drop(struct xn_buf *buf);
struct xn_buf *xn_buf_get(u64 block, u32 type, bool zero);
u8 *xn_buf_data(struct xn_buf *buf);

/* owns.c */
bool xn_type_valid(u32 type);
int xn_owns(u32 type, u64 self, const u8 *data,
	    struct exo_udf_owned *set);
bool xn_acl(u32 type, u64 self, const u8 *data, u64 block, u32 access,
	    u32 offset, u32 len);
bool xn_allowed(u64 block, const struct exo_xn_ref *ref, u32 access,
		u32 offset, u32 len);

/* catalog.c */
int xn_probe_result(void __user *uarg, const void *karg, size_t ksize,
		    u32 argsz);
long xn_info_ioctl(struct exo_env *env, void __user *uarg);
long xn_type_install_ioctl(void __user *uarg);
long xn_type_lookup_ioctl(void __user *uarg);
struct xn_image_root_mem *xn_root_of_block(u64 block);
bool xn_born_empty(u32 type, u64 self, struct exo_udf_owned *scratch);
long xn_root_install_ioctl(void __user *uarg);
long xn_root_lookup_ioctl(void __user *uarg);
long xn_type_remove_ioctl(void __user *uarg);
long xn_root_remove_ioctl(void __user *uarg);

/* registry.c */
long xn_read_ioctl(struct exo_env *env, void __user *uarg);
long xn_release_ioctl(struct exo_env *env, void __user *uarg);
long xn_modify(struct exo_env *env, unsigned int cmd,
	       void __user *uarg);
long xn_write_ioctl(struct exo_env *env, void __user *uarg);

/* sync.c */
int xn_sync_locked(u64 *written);
void xn_report_clear(struct exo_xn_sync *r);
long xn_sync_ioctl(void __user *uarg);

/* check.c */
long xn_check_ioctl(void __user *uarg);

/* map.c */
int exo_xn_mmap(struct exo_env *env, struct vm_area_struct *vma);

#endif /* EXO_XN_H */
