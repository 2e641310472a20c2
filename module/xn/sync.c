// SPDX-License-Identifier: GPL-2.0
/*
 * XN_SYNC: the dirty cache to the disk in ordering stages (new blocks, the
 * free map, the rest, then the frees their parents no longer name).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* End stage @stage with a flush, unless @ret already failed it. */
static int xn_stage_end(unsigned int stage, u64 written, int ret)
{
	if (!ret)
		ret = xn_stage_flush(stage);
	trace_exo_xn_sync_stage(stage, written, ret);
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
			return xn_stage_end(1, *written, ret);
		(*written)++;
		list_del_init(&buf->fresh_node);
		buf->fresh = false;
		xn_buf_clean(buf);
	}
	ret = xn_stage_end(1, *written, 0);
	if (ret)
		return ret;
	/* 2: the free map with them allocated (freed ones still are). */
	ret = xn_stage_end(2, *written, xn_write_freemap(xn.alloc));
	if (ret)
		return ret;
	/* 3: every other dirty block, now pointing only at written ones. */
	xa_for_each(&xn.cache, block, buf) {
		if (!buf->dirty && !buf->mapped_rw)
			continue;
		ret = xn_io(buf->block, buf->page, true);
		if (ret)
			return xn_stage_end(3, *written, ret);
		(*written)++;
		xn_buf_clean(buf);
	}
	ret = xn_stage_end(3, *written, 0);
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
		ret = xn_stage_end(4, *written, xn_write_freemap(xn.alloc));
		if (ret)
			return ret;
	}
	/* What nobody holds any more leaves the cache. */
	xa_for_each(&xn.cache, block, buf)
		xn_buf_maybe_drop(buf);
	return 0;
}

int xn_sync_locked(u64 *written)
{
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	xn.staged = true;
	ret = xn_sync_stages(written);
	xn.staged = false;
	return ret;
}

void xn_report_clear(struct exo_xn_sync *r)
{
	r->written = 0;
	r->owned_twice = 0;
	r->free_pointed = 0;
	r->unreachable = 0;
	r->faulted = 0;
}

long xn_sync_ioctl(void __user *uarg)
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
