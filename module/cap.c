// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities: EXO_IOC_CAP_GRANT and EXO_IOC_CAP_REVOKE, one shape for
 * every kind of resource. This file checks what all kinds share and hands
 * the rest to the binding that serves the kind (its cap_grant and
 * cap_revoke in binding.h); a kind no binding serves yet is -EOPNOTSUPP.
 * The capabilities themselves, their ids and their lifetime belong to the
 * binding, so that a cap is checked where the resource is used.
 */
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "binding.h"
#include "exo.h"
#include "uapi_copy.h"

#define EXO_CAP_MINSZ		offsetofend(struct exo_cap, cap_id)
#define EXO_CAP_RIGHTS		(EXO_CAP_READ | EXO_CAP_WRITE)

static bool exo_cap_kind_known(u32 kind)
{
	return kind >= EXO_CAP_MEM && kind <= EXO_CAP_XN;
}

long exo_cap_grant_ioctl(struct exo_env *env, void __user *uarg)
{
	const struct exo_binding_ops *binding;
	struct exo_cap req;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CAP_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || !exo_cap_kind_known(req.kind) || req.cap_id ||
	    !(req.rights & EXO_CAP_READ) || (req.rights & ~EXO_CAP_RIGHTS) ||
	    req.grantee == env->id)
		return -EINVAL;
	binding = exo_binding_of_cap(req.kind);
	if (!binding)
		return -EOPNOTSUPP;
	/* The id goes back there: fail before the cap exists, not after. */
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	ret = binding->cap_grant(env, &req);
	if (ret)
		return ret;
	/* Checked writable above; a racing munmap still leaves a valid cap. */
	return exo_copy_result(uarg, &req, sizeof(req), req.argsz);
}

long exo_cap_revoke_ioctl(struct exo_env *env, void __user *uarg)
{
	const struct exo_binding_ops *binding;
	struct exo_cap req;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_CAP_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || !exo_cap_kind_known(req.kind) || req.rights ||
	    req.first || req.count || req.grantee)
		return -EINVAL;
	binding = exo_binding_of_cap(req.kind);
	if (!binding)
		return -EOPNOTSUPP;
	return binding->cap_revoke(env, req.cap_id);
}
