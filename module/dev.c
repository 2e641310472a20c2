// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/exo: the misc device, its file operations and ioctl dispatch.
 *
 * Every open is an environment (env.c). The core serves ioctls 0 to 15 and
 * hands the rest, and each mmap window, to the binding that claims it in
 * the table of bindings.c. Ioctl arguments follow the argsz and flags rules
 * of uapi/linux/exo.h, which uapi_copy.c applies in one place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "binding.h"
#include "compat.h"
#include "exo.h"
#include "uapi_copy.h"

static ushort exo_dev_mode = 0600;
module_param_named(dev_mode, exo_dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode,
		 "Permissions of /dev/exo, owner root and group dev_group (default 0600)");

static uint exo_dev_group;
module_param_named(dev_group, exo_dev_group, uint, 0444);
MODULE_PARM_DESC(dev_group,
		 "Group whose members get dev_mode's group bits on /dev/exo (default 0)");

unsigned int exo_event_queue_len = 256;
module_param_named(event_queue_len, exo_event_queue_len, uint, 0444);
MODULE_PARM_DESC(event_queue_len,
		 "Event records each environment queues before overflow, 2..65536 (default 256)");

#define EXO_EVENT_QUEUE_MAX	65536

/*
 * dev_group cannot be put on the node through a misc device, so exo_open()
 * enforces dev_mode as if the node were root:dev_group, and the node itself
 * lets the group's bits through to everyone for exo_open() to sort out.
 */
static bool exo_may_open(const struct file *file)
{
	umode_t want = 0, shift;

	if (file->f_mode & FMODE_READ)
		want |= 04;
	if (file->f_mode & FMODE_WRITE)
		want |= 02;

	if (uid_eq(current_fsuid(), GLOBAL_ROOT_UID))
		shift = 6;
	else if (in_group_p(make_kgid(&init_user_ns, exo_dev_group)))
		shift = 3;
	else
		shift = 0;
	return ((exo_dev_mode >> shift) & want) == want;
}

static int exo_open(struct inode *inode, struct file *file)
{
	struct exo_env *env;

	if (!exo_may_open(file))
		return -EACCES;

	env = exo_env_create();
	if (IS_ERR(env))
		return PTR_ERR(env);
	file->private_data = env;
	return nonseekable_open(inode, file);
}

static int exo_release(struct inode *inode, struct file *file)
{
	exo_env_destroy(file->private_data);
	return 0;
}

#define EXO_API_MINSZ		offsetofend(struct exo_api, ioctls)
#define EXO_ENV_INFO_MINSZ	offsetofend(struct exo_env_info, blocks)
#define EXO_EVENT_RAISE_MINSZ	offsetofend(struct exo_event_raise, cookie)

/*
 * The core's own ioctls, numbered 0 to 15; each binding serves its own block
 * of 16 (binding.h).
 */
#define EXO_CORE_IOCTLS		(BIT_ULL(EXO_NR_API) | BIT_ULL(EXO_NR_ENV_INFO) | \
				 BIT_ULL(EXO_NR_NOP) | BIT_ULL(EXO_NR_EVENT_RAISE) | \
				 BIT_ULL(EXO_NR_CAP_GRANT) | \
				 BIT_ULL(EXO_NR_CAP_REVOKE))

/* ioctls numbered 0 to 63 (exo_api.ioctls) and 64 to 127 (ioctls_hi). */
static u64 exo_supported_ioctls(unsigned int first_nr)
{
	return exo_bindings_ioctls(first_nr) | (first_nr ? 0 : EXO_CORE_IOCTLS);
}

static long exo_ioctl_api(struct exo_env *env, void __user *uarg)
{
	struct exo_api api;
	u32 wanted;
	int ret;

	ret = exo_copy_args(&api, sizeof(api), EXO_API_MINSZ, uarg);
	if (ret)
		return ret;
	if (api.flags || api.reserved)
		return -EINVAL;

	wanted = api.api_version;
	api.api_version = EXO_API_VERSION;
	if (!wanted || wanted > EXO_API_VERSION) {
		/* Tell the caller what we speak so that it can say so. */
		api.features = 0;
		api.ioctls = 0;
		api.ioctls_hi = 0;
		ret = exo_copy_result(uarg, &api, sizeof(api), api.argsz);
		return ret ? ret : -EPROTONOSUPPORT;
	}

	api.features = EXO_FEATURE_EVENTS | EXO_FEATURE_NETLINK |
		       exo_bindings_features();
	if (EXO_GENL_MCGRP_RESTRICTED)
		api.features |= EXO_FEATURE_NETLINK_PRIVATE;
	api.ioctls = exo_supported_ioctls(0);
	api.ioctls_hi = exo_supported_ioctls(64);
	ret = exo_copy_result(uarg, &api, sizeof(api), api.argsz);
	if (ret)
		return ret;
	WRITE_ONCE(env->api_version, wanted);
	return 0;
}

static long exo_ioctl_env_info(struct exo_env *env, void __user *uarg)
{
	struct exo_env_info info;
	u32 argsz;
	int ret;

	ret = exo_copy_args(&info, sizeof(info), EXO_ENV_INFO_MINSZ, uarg);
	if (ret)
		return ret;
	if (info.flags || info.reserved)
		return -EINVAL;

	argsz = info.argsz;
	exo_env_snapshot(env, &info);
	info.argsz = argsz;
	return exo_copy_result(uarg, &info, sizeof(info), argsz);
}

static long exo_ioctl_nop(unsigned long arg)
{
	return arg ? -EINVAL : 0;
}

static long exo_ioctl_event_raise(struct exo_env *env, void __user *uarg)
{
	struct exo_event_raise raise;
	int ret;

	ret = exo_copy_args(&raise, sizeof(raise), EXO_EVENT_RAISE_MINSZ, uarg);
	if (ret)
		return ret;
	if (raise.flags)
		return -EINVAL;

	exo_event_post(env, EXO_EVENT_USER, raise.cookie, 0, 0, 0);
	return 0;
}

static bool exo_ioctl_known(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != EXO_IOC_MAGIC || _IOC_DIR(cmd) != _IOC_NONE ||
	    _IOC_SIZE(cmd))
		return false;
	if (!EXO_IOCTL_BLOCK(nr))
		return EXO_CORE_IOCTLS & BIT_ULL(nr);
	return !!exo_binding_of_ioctl(nr);
}

static long exo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct exo_env *env = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (!exo_ioctl_known(cmd))
		return -ENOTTY;
	if (!exo_env_is_owner(env))
		return -EPERM;
	if (cmd != EXO_IOC_API && !READ_ONCE(env->api_version))
		return -EPROTO;

	switch (cmd) {
	case EXO_IOC_API:
		return exo_ioctl_api(env, uarg);
	case EXO_IOC_ENV_INFO:
		return exo_ioctl_env_info(env, uarg);
	case EXO_IOC_NOP:
		return exo_ioctl_nop(arg);
	case EXO_IOC_EVENT_RAISE:
		return exo_ioctl_event_raise(env, uarg);
	case EXO_IOC_CAP_GRANT:
		return exo_cap_grant_ioctl(env, uarg);
	case EXO_IOC_CAP_REVOKE:
		return exo_cap_revoke_ioctl(env, uarg);
	}
	return exo_binding_of_ioctl(_IOC_NR(cmd))->ioctl(env, cmd, uarg);
}

static ssize_t exo_read(struct file *file, char __user *buf, size_t len,
			loff_t *ppos)
{
	struct exo_env *env = file->private_data;

	if (!exo_env_is_owner(env))
		return -EPERM;
	if (!READ_ONCE(env->api_version))
		return -EPROTO;
	return exo_event_read(env, buf, len, file->f_flags & O_NONBLOCK);
}

/*
 * Each binding maps its own window of the offset space (EXO_MMAP_*); a
 * binding sees vm_pgoff relative to its window.
 */
static int exo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct exo_env *env = file->private_data;
	unsigned long window = vma->vm_pgoff >> (EXO_MMAP_SHIFT - PAGE_SHIFT);
	const struct exo_binding_ops *binding;

	if (!exo_env_is_owner(env))
		return -EPERM;
	if (!READ_ONCE(env->api_version))
		return -EPROTO;
	binding = exo_binding_of_mmap(window);
	if (!binding)
		return -EINVAL;
	vma->vm_pgoff &= BIT(EXO_MMAP_SHIFT - PAGE_SHIFT) - 1;
	return binding->mmap(env, vma);
}

static __poll_t exo_poll(struct file *file, poll_table *wait)
{
	struct exo_env *env = file->private_data;

	if (!exo_env_is_owner(env))
		return EPOLLERR;
	/* Events, and frames waiting in the environment's rings. */
	return exo_event_poll(env, file, wait) | exo_bindings_poll(env);
}

static const struct file_operations exo_fops = {
	.owner		= THIS_MODULE,
	.open		= exo_open,
	.release	= exo_release,
	.read		= exo_read,
	.poll		= exo_poll,
	.mmap		= exo_mmap,
	.unlocked_ioctl	= exo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice exo_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "exo",
	.fops	= &exo_fops,
};

static int __init exo_init(void)
{
	int ret;

	if (exo_event_queue_len < EXO_EVRING_MIN_CAPACITY ||
	    exo_event_queue_len > EXO_EVENT_QUEUE_MAX) {
		pr_err("event_queue_len=%u is outside %u..%u\n",
		       exo_event_queue_len, EXO_EVRING_MIN_CAPACITY,
		       EXO_EVENT_QUEUE_MAX);
		return -EINVAL;
	}
	if (exo_dev_mode & ~0666) {
		pr_err("dev_mode=%#o may only hold read and write bits (0666)\n",
		       exo_dev_mode);
		return -EINVAL;
	}
	/* Group bits reach "other" on the node; exo_may_open() narrows them. */
	exo_misc.mode = exo_dev_mode | ((exo_dev_mode & 0060) >> 3);

	ret = exo_bindings_init();
	if (ret)
		return ret;
	ret = exo_genl_init();
	if (ret)
		goto err_bindings;
	ret = exo_debugfs_init();
	if (ret)
		goto err_genl;
	ret = misc_register(&exo_misc);
	if (ret)
		goto err_debugfs;

	pr_info("api %u ready: /dev/exo mode %#o group %u\n", EXO_API_VERSION,
		exo_dev_mode, exo_dev_group);
	return 0;

err_debugfs:
	exo_debugfs_exit();
err_genl:
	exo_genl_exit();
err_bindings:
	exo_bindings_exit();
	return ret;
}

static void __exit exo_exit(void)
{
	misc_deregister(&exo_misc);
	exo_debugfs_exit();
	exo_genl_exit();
	exo_bindings_exit();
}

module_init(exo_init);
module_exit(exo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The exo developers");
MODULE_DESCRIPTION("exo: exokernel-style resource bindings for Linux");
