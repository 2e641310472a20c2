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

struct xn_cap;

/* A block in an environment's view. */
struct exo_xn_ref {
	u64 parent;		/* EXO_XN_NO_PARENT for a root,
				 * EXO_XN_CAP_PARENT for a cap's top
				 */
	u32 type;
	struct xn_cap *cap;	/* held through it (it decides, not the acl),
				 * or NULL; the cap drops the entry first
				 */
};

/*
 * An EXO_CAP_XN cap: @grantee may use the subtree under @block, which is
 * in @grantor's view through its own rights for as long as the cap lives.
 * Everything is under exo_xn_lock; the envs are live while it is linked.
 */
struct xn_cap {
	u64 id;				/* immutable */
	u64 block;			/* immutable: the subtree's top */
	bool writable;			/* immutable: EXO_CAP_WRITE */
	bool used;			/* the grantee read through it */
	struct exo_env *grantor;	/* immutable */
	struct exo_env *grantee;	/* immutable */
	struct list_head grantor_node;	/* in grantor->xn.caps_out */
	struct list_head grantee_node;	/* in grantee->xn.caps_in */
};

/*
 * What taking caps back leaves to do once exo_xn_lock is dropped: the
 * grantees' mappings to zap (under their own mmap_lock) and the events.
 */
struct xn_cap_td {
	struct list_head zaps;		/* xn_cap_zap.node */
	struct list_head notices;	/* xn_cap_notice.node */
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
	u64 next_cap_id;		/* the last EXO_CAP_XN cap's id */
	u32 ncaps;			/* live EXO_CAP_XN caps, in all */
};

/* Everything in it is under exo_xn_lock. */
extern struct xn_state xn;

static inline bool xn_in_data(u64 block)
{
	return xn_image_in_data(&xn.layout, block);
}

/* xn.c */
extern uint exo_xn_caps_max;
void xn_unmap_block(struct exo_env *env, u64 block);
void xn_view_unlink(struct exo_env *env, u64 block,
		    struct exo_xn_ref *ref, u32 why);
void xn_view_drop(struct exo_env *env, u64 block,
		  struct exo_xn_ref *ref, u32 why, struct xn_cap_td *td);
int xn_view_add(struct exo_env *env, struct xn_buf *buf, u64 parent,
		struct xn_cap *cap);

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
void xn_map_put(struct xn_map *map);
bool xn_map_is_ours(struct vm_area_struct *vma, struct xn_map *map);

/* cap.c: EXO_CAP_XN */
void xn_cap_td_init(struct xn_cap_td *td);
void xn_cap_td_finish(struct xn_cap_td *td);
void xn_cap_remove(struct xn_cap *cap, struct xn_cap_td *td, bool notify);
void xn_caps_of_block_remove(struct exo_env *env, u64 block,
			     struct xn_cap_td *td);
bool xn_cap_is_top(struct exo_env *env, u64 block);
struct xn_cap *xn_cap_find_in(struct exo_env *env, u64 block);
int exo_xn_cap_grant(struct exo_env *env, struct exo_cap *req);
int exo_xn_cap_revoke(struct exo_env *env, u64 cap_id);
void exo_xn_debugfs_init(struct dentry *dir);

#endif /* EXO_XN_H */
