// SPDX-License-Identifier: GPL-2.0
/*
 * XN's catalogues: INFO, the types (each with its verified owns and acl
 * UDFs) and the roots, each installed born owning nothing, and removed by
 * whoever installed them once nothing uses them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include <net/genetlink.h>

#include "xn.h"

/* ---- ioctls: catalogues -------------------------------------------------- */

/*
 * Calls that change state and then write a result probe the result's
 * memory first, so that a read-only argument fails before anything
 * happened rather than after.
 */
int xn_probe_result(void __user *uarg, const void *karg, size_t ksize,
		    u32 argsz)
{
	return exo_copy_result(uarg, karg, ksize, argsz);
}

long xn_info_ioctl(struct exo_env *env, void __user *uarg)
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
	info.nblocks = xn.layout.nblocks;
	info.data_start = xn.layout.data_start;
	info.free_blocks = xn.nfree;
	next = max(info.hint, xn.layout.data_start);
	if (next < xn.layout.nblocks)
		next = find_next_zero_bit(xn.alloc, xn.layout.nblocks, next);
	info.hint = next < xn.layout.nblocks ? next : 0;
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

/*
 * Copy in a request that names a type or a root. No verb takes a flag or
 * the reserved field yet, and a name must be a string that fits.
 * TYPE_REMOVE, which may name its type by number, does its own checks.
 */
static int xn_named_args_check(u32 flags, u32 reserved, const char *name)
{
	return flags || reserved || !xn_name_ok(name) ? -EINVAL : 0;
}

static int xn_copy_type_args(struct exo_xn_type *arg, void __user *uarg)
{
	int ret = exo_copy_args(arg, sizeof(*arg), XN_TYPE_MINSZ, uarg);

	return ret ?: xn_named_args_check(arg->flags, arg->reserved, arg->name);
}

static int xn_copy_root_args(struct exo_xn_root *arg, void __user *uarg)
{
	int ret = exo_copy_args(arg, sizeof(*arg), XN_ROOT_MINSZ, uarg);

	return ret ?: xn_named_args_check(arg->flags, arg->reserved, arg->name);
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

long xn_type_install_ioctl(void __user *uarg)
{
	struct exo_xn_type arg;
	struct xn_image_type_mem *t;
	u32 id;
	int ret;

	ret = xn_copy_type_args(&arg, uarg);
	if (ret)
		return ret;
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

long xn_type_lookup_ioctl(void __user *uarg)
{
	struct exo_xn_type arg;
	struct xn_image_type_mem *t;
	u32 id;
	int ret;

	ret = xn_copy_type_args(&arg, uarg);
	if (ret)
		return ret;
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

static struct xn_image_root_mem *xn_root_find(const char *name)
{
	u32 i;

	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		if (xn.roots[i].in_use &&
		    !strncmp(xn.roots[i].name, name, EXO_XN_NAME_MAX))
			return &xn.roots[i];
	return NULL;
}

struct xn_image_root_mem *xn_root_of_block(u64 block)
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

bool xn_born_empty(u32 type, u64 self, struct exo_udf_owned *scratch)
{
	return xn_owns(type, self, xn_zeroes, scratch) == 0;
}

long xn_root_install_ioctl(void __user *uarg)
{
	struct xn_image_root_mem *slot = NULL;
	struct exo_xn_root arg;
	u32 i;
	int ret;

	ret = xn_copy_root_args(&arg, uarg);
	if (ret)
		return ret;
	ret = xn_probe_result(uarg, &arg, sizeof(arg), arg.argsz);
	if (ret)
		return ret;
	mutex_lock(&exo_xn_lock);
	ret = -EINVAL;
	if (arg.type_id == EXO_XN_TYPE_DATA || !xn_type_valid(arg.type_id))
		goto unlock;
	if (arg.block && !xn_in_data(arg.block))
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
		arg.block = find_next_zero_bit(xn.alloc, xn.layout.nblocks,
					       xn.layout.data_start);
		if (arg.block >= xn.layout.nblocks)
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

long xn_root_lookup_ioctl(void __user *uarg)
{
	struct xn_image_root_mem *root;
	struct exo_xn_root arg;
	int ret;

	ret = xn_copy_root_args(&arg, uarg);
	if (ret)
		return ret;
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

/* ---- removal -------------------------------------------------------------- */

/* May the caller remove an entry that @owner_uid installed? */
static bool xn_may_remove(u32 owner_uid)
{
	return owner_uid == from_kuid(&init_user_ns, current_fsuid()) ||
	       capable(CAP_SYS_ADMIN);
}

/*
 * Put a metadata block to visit in @seen (block -> its type, XA_MARK_0
 * while not yet visited). One seen already, or out of the disk, or of no
 * type whose owns() could run, is not walked (XN_CHECK counts those).
 */
static int xn_walk_add(struct xarray *seen, u64 block, u32 type)
{
	int ret;

	if (!xn_in_data(block) || type == EXO_XN_TYPE_DATA ||
	    !xn_type_valid(type))
		return 0;
	ret = xa_insert(seen, block, xa_mk_value(type), GFP_KERNEL_ACCOUNT);
	if (ret == -EBUSY)
		return 0;
	if (!ret)
		xa_set_mark(seen, block, XA_MARK_0);
	return ret;
}

/*
 * Does anything have type @type: a root, a cached block (a view holds
 * it), or a block that some root's tree claims with it? The caller wrote
 * the cache back, so the disk and the cache agree on every tree. -EBUSY
 * if so, or if an owns() on the way faulted (the tree is not known); 0 if
 * not; or -errno.
 */
static int xn_type_busy(u32 type)
{
	struct xarray seen;
	struct xn_buf *buf;
	unsigned long block;
	const u8 *src;
	void *entry;
	u8 *data;
	int ret = 0, n, j;
	u32 i;

	lockdep_assert_held(&exo_xn_lock);
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++)
		if (xn.roots[i].in_use && xn.roots[i].type == type)
			return -EBUSY;
	xa_for_each(&xn.cache, block, buf)
		if (buf->type == type)
			return -EBUSY;
	data = kmalloc(XN_BS, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	xa_init(&seen);
	for (i = 0; !ret && i < XN_ROOTS_PER_BLOCK; i++)
		if (xn.roots[i].in_use)
			ret = xn_walk_add(&seen, xn.roots[i].block,
					  xn.roots[i].type);
	block = 0;
	while (!ret && (entry = xa_find(&seen, &block, ULONG_MAX, XA_MARK_0))) {
		u32 t = xa_to_value(entry);

		xa_clear_mark(&seen, block, XA_MARK_0);
		buf = xn_buf_find(block);
		src = buf ? xn_buf_data(buf) : data;
		if (!buf) {
			ret = xn_read_bytes(block, data, XN_BS);
			if (ret)
				break;
		}
		n = xn_owns(t, block, src, xn.before);
		if (n < 0)
			ret = -EBUSY;
		for (j = 0; !ret && j < n; j++)
			ret = xn.before[j].type == type ? -EBUSY :
			      xn_walk_add(&seen, xn.before[j].block,
					  xn.before[j].type);
		block = 0;
	}
	xa_destroy(&seen);
	kfree(data);
	return ret;
}

long xn_type_remove_ioctl(void __user *uarg)
{
	struct xn_image_type_mem *old;
	struct exo_xn_type arg;
	u64 written;
	u32 id;
	int ret;

	ret = exo_copy_args(&arg, sizeof(arg), XN_TYPE_MINSZ, uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved || arg.owns_len || arg.acl_len ||
	    arg.owns || arg.acl || arg.type_id > EXO_XN_TYPES_MAX)
		return -EINVAL;
	/* By name, or by number; the data type has neither in the catalogue. */
	if (arg.name[0] ? !xn_name_ok(arg.name) :
	    arg.type_id == EXO_XN_TYPE_DATA)
		return -EINVAL;
	old = kmalloc(sizeof(*old), GFP_KERNEL);
	if (!old)
		return -ENOMEM;
	mutex_lock(&exo_xn_lock);
	id = arg.name[0] ? xn_type_find(arg.name) : arg.type_id;
	ret = -ENOENT;
	if (!id || !xn.types[id].in_use || (arg.type_id && arg.type_id != id))
		goto unlock;
	ret = -EPERM;
	if (!xn_may_remove(xn.types[id].owner_uid))
		goto unlock;
	ret = xn_sync_locked(&written);
	if (!ret)
		ret = xn_type_busy(id);
	if (ret)
		goto unlock;
	*old = xn.types[id];
	memset(&xn.types[id], 0, sizeof(xn.types[id]));
	ret = xn_write_type(id);
	if (ret) {
		xn.types[id] = *old;
		goto unlock;
	}
	xn.ntypes--;
unlock:
	mutex_unlock(&exo_xn_lock);
	kfree(old);
	return ret;
}

long xn_root_remove_ioctl(void __user *uarg)
{
	struct xn_pending_free *pf;
	struct xn_image_root_mem *root, old;
	struct exo_xn_root arg;
	struct xn_buf *buf;
	u64 written, block;
	const u8 *src;
	u8 *data;
	int ret;

	ret = xn_copy_root_args(&arg, uarg);
	if (ret)
		return ret;
	data = kmalloc(XN_BS, GFP_KERNEL);
	pf = kmalloc(sizeof(*pf), GFP_KERNEL);
	ret = -ENOMEM;
	if (!data || !pf)
		goto out;
	mutex_lock(&exo_xn_lock);
	root = xn_root_find(arg.name);
	ret = -ENOENT;
	if (!root || (arg.type_id && arg.type_id != root->type) ||
	    (arg.block && arg.block != root->block))
		goto unlock;
	ret = -EPERM;
	if (!xn_may_remove(root->owner_uid))
		goto unlock;
	ret = xn_sync_locked(&written);
	if (ret)
		goto unlock;
	/* Held by nobody (after the sync, a cached block is a held one)... */
	block = root->block;
	buf = xn_buf_find(block);
	ret = -EBUSY;
	if ((buf && buf->refs) || !xn_type_valid(root->type))
		goto unlock;
	src = buf ? xn_buf_data(buf) : data;
	if (!buf) {
		ret = xn_read_bytes(block, data, XN_BS);
		if (ret)
			goto unlock;
		ret = -EBUSY;
	}
	/* ... and owning nothing, as it was born. */
	if (xn_owns(root->type, block, src, xn.before))
		goto unlock;
	/* The catalogue, then the free map: see EXO_IOC_XN_ROOT_REMOVE. */
	old = *root;
	memset(root, 0, sizeof(*root));
	ret = xn_write_roots();
	if (ret) {
		*root = old;
		goto unlock;
	}
	xn.nroots--;
	if (buf)
		xn_buf_drop(buf);
	ret = 0;
	/* Only a catalogue read from a damaged disk names such a block. */
	if (!xn_in_data(block))
		goto unlock;
	clear_bit(block, xn.alloc);
	xn.nfree++;
	if (xn_write_freemap(xn.alloc)) {
		/* Nothing on the disk names it now: the next sync frees it. */
		set_bit(block, xn.alloc);
		xn.nfree--;
		pf->block = block;
		list_add_tail(&pf->node, &xn.pending_frees);
		pf = NULL;
	}
	ret = 0;
unlock:
	mutex_unlock(&exo_xn_lock);
out:
	kfree(pf);
	kfree(data);
	return ret;
}

/* ---- generic netlink: EXO_CMD_GET_XN ------------------------------------ */

static int xn_genl_put_name(struct sk_buff *skb, const char *name)
{
	char copy[EXO_XN_NAME_MAX];

	/* Checked at install and at load, but never trusted to end in NUL. */
	strscpy(copy, name, sizeof(copy));
	return nla_put_string(skb, EXO_ATTR_XN_NAME, copy);
}

static int xn_genl_fill_type(struct sk_buff *skb, struct netlink_callback *cb,
			     u32 id, const struct xn_image_type_mem *t)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_XN);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_XN_KIND, EXO_XN_KIND_TYPE) ||
	    nla_put_u32(skb, EXO_ATTR_XN_ID, id) ||
	    xn_genl_put_name(skb, t->name) ||
	    nla_put_u32(skb, EXO_ATTR_XN_OWNER_UID, t->owner_uid) ||
	    nla_put_u32(skb, EXO_ATTR_XN_OWNS_LEN, t->owns_len) ||
	    nla_put_u32(skb, EXO_ATTR_XN_ACL_LEN, t->acl_len)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int xn_genl_fill_root(struct sk_buff *skb, struct netlink_callback *cb,
			     u32 slot, const struct xn_image_root_mem *r)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_XN);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_XN_KIND, EXO_XN_KIND_ROOT) ||
	    nla_put_u32(skb, EXO_ATTR_XN_ID, slot) ||
	    xn_genl_put_name(skb, r->name) ||
	    nla_put_u32(skb, EXO_ATTR_XN_OWNER_UID, r->owner_uid) ||
	    nla_put_u32(skb, EXO_ATTR_XN_TYPE, r->type) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_XN_BLOCK, r->block, EXO_ATTR_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Types 1..EXO_XN_TYPES_MAX, then root slots, as one sequence of
 * positions; cb->args[0] is the next position to look at, so that a dump
 * cut by a full skb goes on where it stopped.
 */
int exo_xn_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long pos;
	int ret = 0;

	mutex_lock(&exo_xn_lock);
	if (!xn.types || !xn.roots) {		/* XN did not come up */
		mutex_unlock(&exo_xn_lock);
		return 0;
	}
	for (pos = cb->args[0];
	     pos < EXO_XN_TYPES_MAX + XN_ROOTS_PER_BLOCK; pos++) {
		if (pos < EXO_XN_TYPES_MAX) {
			u32 id = pos + 1;

			if (!xn.types[id].in_use)
				continue;
			ret = xn_genl_fill_type(skb, cb, id, &xn.types[id]);
		} else {
			u32 slot = pos - EXO_XN_TYPES_MAX;

			if (!xn.roots[slot].in_use)
				continue;
			ret = xn_genl_fill_root(skb, cb, slot, &xn.roots[slot]);
		}
		if (ret)
			break;
	}
	cb->args[0] = pos;
	mutex_unlock(&exo_xn_lock);
	/* A full skb ends this round; the dump goes on in the next. */
	return ret == -EMSGSIZE ? skb->len : ret ? ret : skb->len;
}
