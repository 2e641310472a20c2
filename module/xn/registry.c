// SPDX-License-Identifier: GPL-2.0
/*
 * The registry's ioctls: READ a block into one's view, RELEASE it, and the
 * checked changes (ALLOC, FREE, WRITE_META) that keep owns() of every block
 * exactly what its parent's UDF says, and WRITE of data blocks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* ---- ioctls: the registry ------------------------------------------------ */

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

long xn_read_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_ref *pref, tmp;
	struct xn_buf *parent, *buf;
	struct xn_cap *cap = NULL;
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
	if (!xn_in_data(arg.block) || !xn_type_valid(arg.type_id))
		goto unlock;
	if (arg.parent == EXO_XN_NO_PARENT) {
		struct xn_image_root_mem *root = xn_root_of_block(arg.block);

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
			    EXO_UDF_ACCESS_READ, 0, XN_BS)) {
			xn_buf_maybe_drop(buf);
			goto unlock;
		}
	} else if (arg.parent == EXO_XN_CAP_PARENT) {
		/*
		 * The top of a granted subtree: the cap stands in for the
		 * parent and its acl. The grantor holds the block, so it is
		 * cached; the type is checked below, as for any block.
		 */
		ret = -EPERM;
		cap = xn_cap_find_in(env, arg.block);
		buf = cap ? xn_buf_find(arg.block) : NULL;
		if (!buf)
			goto unlock;
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
		/* Held through a cap: so is the child, and the cap decides. */
		cap = pref->cap;
		ret = -EACCES;
		if (!cap &&
		    !xn_acl(parent->type, parent->block, xn_buf_data(parent),
			    arg.block, EXO_UDF_ACCESS_READ, 0, XN_BS))
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
	ret = xn_view_add(env, buf, arg.parent, cap);
	if (ret) {
		xn_buf_maybe_drop(buf);
		goto unlock;
	}
	if (cap && arg.parent == EXO_XN_CAP_PARENT)
		cap->used = true;
	tmp.parent = arg.parent;
	tmp.type = arg.type_id;
	tmp.cap = cap;
	arg.writable = xn_allowed(arg.block, &tmp, EXO_UDF_ACCESS_WRITE, 0,
				  XN_BS);
unlock:
	mutex_unlock(&exo_xn_lock);
	if (ret)
		return ret;
	return exo_copy_result(uarg, &arg, sizeof(arg), arg.argsz);
}

long xn_release_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_xn_read arg;
	struct exo_xn_ref *ref;
	struct xn_cap_td td;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_READ_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.parent || arg.type_id || arg.writable)
		return -EINVAL;
	xn_cap_td_init(&td);
	/* Its mappings of the block go with it: see xn_unmap_block(). */
	mmap_read_lock(current->mm);
	mutex_lock(&exo_xn_lock);
	ref = xa_load(&env->xn.view, arg.block);
	if (ref)
		xn_view_drop(env, arg.block, ref, EXO_WHY_CALL, &td);
	mutex_unlock(&exo_xn_lock);
	mmap_read_unlock(current->mm);
	/* So do the caps granted on it, grantees' mappings and all. */
	xn_cap_td_finish(&td);
	return ref ? 0 : -ENOENT;
}

/*
 * Modifications, copied in before the lock as one patch: the bytes and a
 * mask of which bytes they replace, later ones over earlier ones, and each
 * modification's range as the caller gave it, for the acl.
 */
struct xn_patch {
	u8 bytes[XN_BS];
	unsigned long mask[BITS_TO_LONGS(XN_BS)];
	u32 n;
	u32 offset[EXO_XN_MODS_MAX];
	u32 len[EXO_XN_MODS_MAX];
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
		p->offset[i] = mods[i].offset;
		p->len[i] = mods[i].len;
	}
	p->n = nmods;
	return 0;
}

static void xn_patch_apply(const struct xn_patch *p, u8 *dst)
{
	unsigned int i;

	for_each_set_bit(i, p->mask, XN_BS)
		dst[i] = p->bytes[i];
}

/* May the caller write every modification of @p into m (its view @mref)? */
static bool xn_patch_allowed(const struct xn_patch *p, u64 m,
			     const struct exo_xn_ref *mref)
{
	u32 i;

	for (i = 0; i < p->n; i++)
		if (!xn_allowed(m, mref, EXO_UDF_ACCESS_WRITE, p->offset[i],
				p->len[i]))
			return false;
	return true;
}

/* Drop a block that is being freed from every cache structure. */
static void xn_forget(struct xn_buf *buf, struct exo_env *env,
		      struct xn_cap_td *td)
{
	u64 block = buf->block;	/* dropping the view may free @buf */
	struct exo_xn_ref *ref = xa_load(&env->xn.view, block);

	if (ref)
		xn_view_drop(env, block, ref, EXO_WHY_CALL, td);
	buf = xn_buf_find(block);
	if (buf)
		xn_buf_drop(buf);
}

long xn_modify(struct exo_env *env, unsigned int cmd,
	       void __user *uarg)
{
	struct exo_udf_owned extra = { 0 };
	struct exo_xn_ref *mref;
	struct exo_xn_alloc arg;
	struct xn_buf *m, *b = NULL;
	struct xn_patch *patch;
	struct xn_cap_td td;
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

	xn_cap_td_init(&td);
	/* FREE unmaps the block: see xn_unmap_block(). */
	mmap_read_lock(current->mm);
	mutex_lock(&exo_xn_lock);
	ret = cmd == EXO_IOC_XN_ALLOC ? xn_cache_make_room_locked() : 0;
	if (ret)
		goto unlock;
	ret = -EINVAL;
	if (cmd != EXO_IOC_XN_WRITE_META &&
	    (!xn_in_data(arg.block) || !xn_type_valid(arg.type_id)))
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
	if (!xn_patch_allowed(patch, m->block, mref))
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
		ret = xn_view_add(env, b, m->block, mref->cap);
		if (ret) {
			xn_buf_drop(b);
			goto unlock;
		}
		set_bit(arg.block, xn.alloc);
		xn.nfree--;
		b->fresh = true;
		list_add_tail(&b->fresh_node, &xn.fresh_list);
		xn_buf_set_dirty(b);
		trace_exo_xn_alloc(env->id, arg.block, m->block, arg.type_id);
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
		xn_forget(b, env, &td);
		if (fresh) {
			/* Never on the disk: nothing there points to it. */
			clear_bit(arg.block, xn.alloc);
			xn.nfree++;
		} else {
			pf->block = arg.block;
			list_add_tail(&pf->node, &xn.pending_frees);
		}
		trace_exo_xn_free(env->id, arg.block, m->block, arg.type_id);
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
	/* FREE of a cap's top block took the cap. */
	xn_cap_td_finish(&td);
out:
	kfree(patch);
	return ret;
}

long xn_write_ioctl(struct exo_env *env, void __user *uarg)
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
	if (!xn_allowed(arg.block, ref, EXO_UDF_ACCESS_WRITE, arg.offset,
			arg.len))
		goto unlock;
	memcpy(xn_buf_data(buf) + arg.offset, data, arg.len);
	xn_buf_set_dirty(buf);
	ret = 0;
unlock:
	mutex_unlock(&exo_xn_lock);
	kfree(data);
	return ret;
}
