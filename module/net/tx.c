// SPDX-License-Identifier: GPL-2.0
/*
 * TX: a frame is sent only if one of the sender's own bindings vouches for
 * it, from the device's own addresses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

/*
 * Send the Ethernet frame that fills @skb on @dev, consuming @skb: 0 (also
 * for congestion, which still sent it) or -errno. Once: dev_queue_xmit()'s
 * result is read into a variable, since net_xmit_errno() and
 * net_xmit_eval() read their argument twice.
 */
int exo_net_xmit(struct net_device *dev, struct sk_buff *skb)
{
	int ret;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	ret = dev_queue_xmit(skb);
	return ret > 0 ? net_xmit_errno(ret) : ret;
}

/* Whether @addr (network order) is one of @dev's own IPv4 addresses. */
static bool exo_net_dev_has_addr(struct net_device *dev, __be32 addr)
{
	const struct in_ifaddr *ifa;
	struct in_device *in_dev;
	bool found = false;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(dev);
	if (in_dev)
		in_dev_for_each_ifa_rcu(ifa, in_dev)
			if (ifa->ifa_local == addr) {
				found = true;
				break;
			}
	rcu_read_unlock();
	return found;
}

/*
 * Whether @addr is one of @dev's own IPv6 addresses (strict: on @dev
 * itself, whatever its scope); a tentative one (still in DAD) is not yet.
 */
static bool exo_net_dev_has_addr6(struct net_device *dev,
				  const struct in6_addr *addr)
{
	if (!IS_ENABLED(CONFIG_IPV6))
		return false;
	return ipv6_chk_addr(dev_net(dev), addr, dev, 1) > 0;
}

/* Whether @f pins the 16 bytes at @off. */
static bool exo_net_pins_in6(const struct exo_filter *f, u32 off)
{
	u64 half;

	return exo_filter_pinned(f, off, 8, &half) &&
	       exo_filter_pinned(f, off + 8, 8, &half);
}

/*
 * May @own's filter vouch for @frame (@len bytes, @swapped its swap, both
 * cut to the window) sent on @dev? The swapped frame must match it, so the
 * frame comes from where the filter receives; and, since a filter need not
 * pin an address (a port filter takes the port on all of them), an IPv4
 * or IPv6 source or ARP sender address the filter does not pin must be
 * one of the device's own. A filter that reads past the IPv4 header says nothing
 * about a later fragment, whose bytes there are payload.
 */
bool exo_net_tx_vouches(const struct exo_net_binding *own,
			struct net_device *dev, const u8 *frame,
			const u8 *swapped, u32 len)
{
	u32 type = frame[12] << 8 | frame[13], src_off;
	__be32 src;
	u64 pinned;

	if (!exo_filter_match(&own->filter, swapped, len))
		return false;
	if (type == ETH_P_IP) {
		if (len < ETH_HLEN + sizeof(struct iphdr))
			return false;
		if (own->reads_l4 && exo_net_later_fragment(frame, len))
			return false;
		src_off = ETH_HLEN + 12;
	} else if (type == ETH_P_IPV6) {
		struct in6_addr src6;

		if (len < ETH_HLEN + sizeof(struct ipv6hdr))
			return false;
		/* The source swapped to the destination: pinned there, matched. */
		if (exo_net_pins_in6(&own->filter, ETH_HLEN + 24))
			return true;
		memcpy(&src6, frame + ETH_HLEN + 8, sizeof(src6));
		return exo_net_dev_has_addr6(dev, &src6);
	} else if (type == ETH_P_ARP) {
		/* Sender hardware and protocol address: ours, as the source. */
		if (len < ETH_HLEN + 28 ||
		    !ether_addr_equal(frame + ETH_HLEN + 8, dev->dev_addr))
			return false;
		src_off = ETH_HLEN + 14;
	} else {
		return true;
	}
	/* The source swapped to the destination: pinned there, matched. */
	if (exo_filter_pinned(&own->filter, src_off + (type == ETH_P_IP ? 4 : 10),
			      4, &pinned))
		return true;
	memcpy(&src, frame + src_off, sizeof(src));
	return exo_net_dev_has_addr(dev, src);
}

long exo_net_tx_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_binding *b, *own;
	struct net_device *dev = NULL;
	struct exo_net_tx req;
	struct sk_buff *skb;
	u8 swapped[EXO_NET_WINDOW];
	bool allowed = false;
	u32 wlen;
	u8 *frame;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_NET_TX_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	if (req.len < ETH_HLEN || req.len > ETH_HLEN + 65535)
		return -EINVAL;
	frame = memdup_user(u64_to_user_ptr(req.frame), req.len);
	if (IS_ERR(frame))
		return PTR_ERR(frame);
	wlen = min_t(u32, req.len, EXO_NET_WINDOW);
	memcpy(swapped, frame, wlen);
	exo_frame_swap(swapped, wlen);

	mutex_lock(&exo_net_lock);
	b = exo_net_lookup(env, req.binding_id, &ret);
	if (b && !b->nd)
		ret = -ENETDOWN;
	if (b && b->nd) {
		dev = b->nd->dev;
		/* No filter owns a MAC: every frame leaves from the device's. */
		if (ether_addr_equal(frame + ETH_ALEN, dev->dev_addr))
			list_for_each_entry(own, &env->net.bindings, env_node)
				if (own->nd == b->nd &&
				    exo_net_tx_vouches(own, dev, frame, swapped,
						       wlen)) {
					allowed = true;
					break;
				}
		if (allowed) {
			dev_hold(dev);
			kref_get(&b->ref);
		} else {
			atomic64_inc(&b->tx_refused);
		}
		ret = allowed ? 0 : -EPERM;
	}
	mutex_unlock(&exo_net_lock);
	if (ret)
		goto out;

	ret = -EINVAL;
	if (req.len > dev->mtu + dev->hard_header_len)
		goto out_dev;
	ret = -ENOMEM;
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + req.len, GFP_KERNEL);
	if (!skb)
		goto out_dev;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_put_data(skb, frame, req.len);
	ret = exo_net_xmit(dev, skb);
	if (!ret)
		atomic64_inc(&b->tx);
out_dev:
	exo_net_binding_put(b);
	dev_put(dev);
out:
	kfree(frame);
	return ret;
}
