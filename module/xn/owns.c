// SPDX-License-Identifier: GPL-2.0
/*
 * Running a type's UDFs (module/core/udf.c) on a block: owns() says which
 * blocks it claims, acl() who may do what to them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* ---- running UDFs -------------------------------------------------------- */

bool xn_type_valid(u32 type)
{
	return type == EXO_XN_TYPE_DATA ||
	       (type <= EXO_XN_TYPES_MAX && xn.types[type].in_use);
}

/*
 * owns(@data) of type @type, sorted, into @set. Data blocks own nothing.
 * Returns the count, or -EPERM if the UDF faulted or returned non-zero.
 */
int xn_owns(u32 type, u64 self, const u8 *data,
	    struct exo_udf_owned *set)
{
	struct exo_udf_ctx ctx = {
		.block = data,
		.owned = set,
	};
	const struct xn_image_type_mem *t;

	if (type == EXO_XN_TYPE_DATA)
		return 0;
	t = &xn.types[type];
	ctx.in[EXO_UDF_IN_SELF] = self;
	if (exo_udf_run(t->owns, t->owns_len, &ctx) || ctx.result)
		return -EPERM;
	exo_udf_owned_sort(set, ctx.nowned);
	return ctx.nowned;
}

/*
 * Does the acl of @type, on @data (block @self), let the caller at @len
 * bytes from @offset of @block? See EXO_UDF_IN_OFFSET for the ranges.
 */
bool xn_acl(u32 type, u64 self, const u8 *data, u64 block, u32 access,
	    u32 offset, u32 len)
{
	struct exo_udf_ctx ctx = { .block = data };
	const struct xn_image_type_mem *t;

	if (type == EXO_XN_TYPE_DATA)
		return false;
	t = &xn.types[type];
	ctx.in[EXO_UDF_IN_SELF] = self;
	ctx.in[EXO_UDF_IN_UID] = from_kuid(&init_user_ns, current_fsuid());
	ctx.in[EXO_UDF_IN_GID] = from_kgid(&init_user_ns, current_fsgid());
	ctx.in[EXO_UDF_IN_BLOCK] = block;
	ctx.in[EXO_UDF_IN_ACCESS] = access;
	ctx.in[EXO_UDF_IN_OFFSET] = offset;
	ctx.in[EXO_UDF_IN_LEN] = len;
	return !exo_udf_run(t->acl, t->acl_len, &ctx) && ctx.result;
}

/*
 * May the caller have @access to @len bytes from @offset of block @block of
 * its view (@ref)? The acl of the block's parent decides for data blocks
 * and for reading; a metadata block's own acl decides who may change it
 * (IN_BLOCK == IN_SELF), and a root's own acl decides everything about it.
 * A block held through an EXO_CAP_XN cap has the cap's rights instead.
 */
bool xn_allowed(u64 block, const struct exo_xn_ref *ref, u32 access,
		u32 offset, u32 len)
{
	struct xn_buf *buf = xn_buf_find(block), *parent;

	if (!buf)
		return false;
	if (ref->cap)
		return access == EXO_UDF_ACCESS_READ || ref->cap->writable;
	if (ref->parent == EXO_XN_NO_PARENT ||
	    (access == EXO_UDF_ACCESS_WRITE && ref->type != EXO_XN_TYPE_DATA))
		return xn_acl(ref->type, block, xn_buf_data(buf), block,
			      access, offset, len);
	parent = xn_buf_find(ref->parent);
	if (!parent)
		return false;
	return xn_acl(parent->type, parent->block, xn_buf_data(parent), block,
		      access, offset, len);
}
