// SPDX-License-Identifier: GPL-2.0
/*
 * XN_CHECK: walk every root's tree with its owns() and check it against the
 * free map: no block claimed twice, none claimed and free, none leaked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* ---- the check ----------------------------------------------------------- */

struct xn_walk {
	u64 block;
	u32 type;
};

static int xn_check_locked(struct exo_xn_sync *r)
{
	const struct xn_image_layout *l = &xn.layout;
	unsigned long *disk_map;
	struct xn_walk *queue;
	u32 head = 0, tail = 0, i;
	u8 *seen, *data;
	u64 b;
	int ret = -ENOMEM, n;

	lockdep_assert_held(&exo_xn_lock);
	disk_map = kvzalloc(l->freemap_blocks * XN_BS, GFP_KERNEL);
	seen = kvzalloc(l->nblocks, GFP_KERNEL);
	queue = kvcalloc(l->nblocks, sizeof(*queue), GFP_KERNEL);
	data = kmalloc(XN_BS, GFP_KERNEL);
	if (!disk_map || !seen || !queue || !data)
		goto out;
	for (b = 0; b < l->freemap_blocks; b++) {
		ret = xn_read_bytes(l->freemap_start + b,
				    (u8 *)disk_map + b * XN_BS, XN_BS);
		if (ret)
			goto out;
	}
	for (i = 0; i < XN_ROOTS_PER_BLOCK; i++) {
		struct xn_image_root_mem *root = &xn.roots[i];

		if (!root->in_use || root->block >= l->nblocks)
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

			if (c >= l->nblocks) {
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
	for (b = l->data_start; b < l->nblocks; b++)
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

long xn_check_ioctl(void __user *uarg)
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
