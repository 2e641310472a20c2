// SPDX-License-Identifier: GPL-2.0
/*
 * XN's catalogues: INFO, the types (each with its verified owns and acl
 * UDFs) and the roots, each installed born owning nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

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

long xn_type_install_ioctl(void __user *uarg)
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

long xn_type_lookup_ioctl(void __user *uarg)
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

struct xn_root_disk *xn_root_of_block(u64 block)
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

long xn_root_lookup_ioctl(void __user *uarg)
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
