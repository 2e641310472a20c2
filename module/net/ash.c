// SPDX-License-Identifier: GPL-2.0
/*
 * ASH: a binding's in-kernel handler. NET_ASH_SET verifies the program
 * (module/core/ash.c) and swaps it in under exo_net_lock; the hook runs it
 * under RCU on every frame the binding's filter claims, building the reply
 * in a fresh skb, with no lock. A reply leaves only if the binding's own filter
 * vouches for it, as EXO_IOC_NET_TX would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

#define EXO_NET_ASH_SET_MINSZ	offsetofend(struct exo_net_ash_set, reserved)

long exo_net_ash_set_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_ash *prog = NULL, *old;
	struct exo_net_binding *b;
	struct exo_net_ash_set req;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_NET_ASH_SET_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.reserved || req.len > EXO_ASH_MAX_INSNS)
		return -EINVAL;
	/* In/out: @bad_pc may go back, so a read-only struct fails first. */
	req.bad_pc = 0;
	if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
		return -EFAULT;
	if (req.len) {
		prog = kmalloc(struct_size(prog, insns, req.len),
			       GFP_KERNEL_ACCOUNT);
		if (!prog)
			return -ENOMEM;
		prog->len = req.len;
		if (copy_from_user(prog->insns, u64_to_user_ptr(req.prog),
				   array_size(req.len, sizeof(prog->insns[0])))) {
			kfree(prog);
			return -EFAULT;
		}
		ret = exo_ash_verify(prog->insns, prog->len, &req.bad_pc);
		if (ret) {
			kfree(prog);
			/* Where it failed is the answer; the binding is unchanged. */
			if (exo_copy_result(uarg, &req, sizeof(req), req.argsz))
				return -EFAULT;
			return ret;
		}
	}
	mutex_lock(&exo_net_lock);
	b = exo_net_lookup(env, req.binding_id, &ret);
	if (b) {
		old = rcu_replace_pointer(b->ash, prog,
					  lockdep_is_held(&exo_net_lock));
		prog = old;
	}
	mutex_unlock(&exo_net_lock);
	/* The replaced handler, or the new one refused: frames in flight may
	 * still run the former.
	 */
	if (prog)
		kfree_rcu(prog, rcu);
	return b ? 0 : ret;
}

/* Count a frame the handler kept from the ring, under the ring's lock. */
static void exo_net_ash_matched(struct exo_net_binding *b, u32 flen)
{
	trace_exo_filter_match(b->env->id, b->id, b->ifindex, flen);
	spin_lock_bh(&b->lock);
	b->matched++;
	spin_unlock_bh(&b->lock);
}

/*
 * Whether @b's own filter vouches for the @len-byte reply at @tx on @dev,
 * as EXO_IOC_NET_TX would have it.
 */
static bool exo_net_ash_vouched(struct exo_net_binding *b,
				struct net_device *dev, const u8 *tx, u32 len)
{
	u32 wlen = min_t(u32, len, EXO_NET_WINDOW);
	u8 swapped[EXO_NET_WINDOW];

	if (len > dev->mtu + dev->hard_header_len ||
	    !ether_addr_equal(tx + ETH_ALEN, dev->dev_addr))
		return false;
	memcpy(swapped, tx, wlen);
	exo_frame_swap(swapped, wlen);
	return exo_net_tx_vouches(b, dev, tx, swapped, wlen);
}

/*
 * Run @b's handler, if it has one, on the frame at @mac_off of @skb; true
 * if the handler kept it from the ring (dropped or answered). The caller
 * still owns @skb. Runs in the hook's RCU read-side section. The reply is
 * built in the data of a fresh skb, so no buffer is shared between runs.
 */
bool exo_net_ash_handle(struct exo_net_binding *b, struct sk_buff *skb,
			int mac_off, u32 flen)
{
	struct net_device *dev = skb->dev;
	const struct exo_net_ash *prog;
	struct sk_buff *reply;
	struct exo_ash_ctx ctx;
	int verdict;

	prog = rcu_dereference(b->ash);
	if (!prog)
		return false;
	/* The handler reads the frame as one run of bytes. */
	if (skb_headlen(skb) + (u32)(-mac_off) < flen && skb_linearize(skb))
		goto fault;
	reply = alloc_skb(LL_RESERVED_SPACE(dev) + EXO_ASH_TX_MAX, GFP_ATOMIC);
	if (!reply)
		goto fault;
	skb_reserve(reply, LL_RESERVED_SPACE(dev));
	ctx.frame = skb->data + mac_off;
	ctx.flen = flen;
	ctx.tx = reply->data;
	verdict = exo_ash_run(prog->insns, prog->len, &ctx);
	if (verdict < 0) {
		kfree_skb(reply);
		goto fault;
	}
	if (verdict == EXO_ASH_DELIVER) {
		kfree_skb(reply);
		return false;
	}
	exo_net_ash_matched(b, flen);
	if (verdict == EXO_ASH_DROP) {
		kfree_skb(reply);
		atomic64_inc(&b->ash_dropped);
		return true;
	}
	/*
	 * On loopback the reply comes straight back through this hook, where
	 * a filter that matches both ways would answer it forever.
	 */
	if ((dev->flags & IFF_LOOPBACK) ||
	    !exo_net_ash_vouched(b, dev, reply->data, ctx.txlen)) {
		kfree_skb(reply);
		atomic64_inc(&b->ash_refused);
		return true;
	}
	skb_put(reply, ctx.txlen);
	if (exo_net_xmit(dev, reply))
		atomic64_inc(&b->ash_refused);
	else
		atomic64_inc(&b->ash_replied);
	return true;
fault:
	/* The handler abstains and the libOS sees the frame. */
	atomic64_inc(&b->ash_faults);
	return false;
}
