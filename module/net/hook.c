// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: the ingress hook classifies each frame against its
 * device's table under RCU and steals what a binding claims into its ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

/* ---- the packet path ---------------------------------------------------- */

/*
 * A frame @b's filter claimed that could not be delivered, for @why; @flen
 * is its length.
 */
static void exo_net_count_drop(struct exo_net_binding *b, u32 flen, u32 why)
{
	trace_exo_filter_match(b->env->id, b->id, b->ifindex, flen);
	trace_exo_filter_drop(b->env->id, b->id, b->ifindex, flen, why);
	spin_lock_bh(&b->lock);
	b->matched++;
	b->dropped++;
	WRITE_ONCE(b->ring->dropped, b->dropped);
	spin_unlock_bh(&b->lock);
}

void exo_net_deliver(struct exo_net_binding *b, struct sk_buff *skb,
		     int mac_off, u32 flen)
{
	struct exo_net_ring *ring = b->ring;
	struct exo_net_slot *slot;
	u32 cons, cap;
	bool wake;

	trace_exo_filter_match(b->env->id, b->id, b->ifindex, flen);
	spin_lock_bh(&b->lock);
	b->matched++;
	cons = READ_ONCE(ring->consumer);
	/* A consumer ahead of us or too far behind reads as a full ring. */
	if (b->producer - cons >= b->slots) {
		b->dropped++;
		WRITE_ONCE(ring->dropped, b->dropped);
		spin_unlock_bh(&b->lock);
		trace_exo_filter_drop(b->env->id, b->id, b->ifindex, flen,
				      EXO_WHY_RING_FULL);
		return;
	}
	slot = (void *)ring + EXO_NET_RING_HDR +
	       (size_t)(b->producer & (b->slots - 1)) * b->slot_size;
	cap = min_t(u32, flen, b->slot_size - sizeof(*slot));
	if (skb_copy_bits(skb, mac_off, slot + 1, cap)) {
		b->dropped++;
		WRITE_ONCE(ring->dropped, b->dropped);
		spin_unlock_bh(&b->lock);
		trace_exo_filter_drop(b->env->id, b->id, b->ifindex, flen,
				      EXO_WHY_COPY);
		return;
	}
	slot->len = flen;
	slot->caplen = cap;
	slot->time_ns = ktime_get_boottime_ns();
	b->producer++;
	b->delivered++;
	/* The slot is written before the libOS can see the new producer. */
	smp_store_release(&ring->producer, b->producer);
	wake = b->producer - cons == 1;
	spin_unlock_bh(&b->lock);
	if (wake && wq_has_sleeper(&b->env->event_wait))
		wake_up_interruptible_poll(&b->env->event_wait, EPOLLRDBAND);
	if (wake && !list_empty(&b->caps))
		exo_net_caps_wake(b);
}

/* IPv4 with a non-zero fragment offset: what sits past its header is payload. */
bool exo_net_later_fragment(const u8 *hdr, u32 hlen)
{
	return hlen >= ETH_HLEN + 8 && (hdr[12] << 8 | hdr[13]) == ETH_P_IP &&
	       ((hdr[ETH_HLEN + 6] << 8 | hdr[ETH_HLEN + 7]) & IP_OFFSET);
}

/*
 * The binding that claims the frame at @mac_off of @skb (its length @flen),
 * or NULL. A filter that reads past the IPv4 header never claims a later
 * fragment: its "ports" there are payload bytes.
 */
static struct exo_net_binding *exo_net_classify(const struct exo_net_table *t,
						const struct sk_buff *skb,
						int mac_off, u32 flen)
{
	struct exo_net_binding *b;
	u8 buf[EXO_NET_WINDOW];
	const u8 *hdr;
	u32 hlen, idx;

	hlen = min_t(u32, flen, EXO_NET_WINDOW);
	hdr = skb_header_pointer(skb, mac_off, hlen, buf);
	if (!hdr)
		return NULL;
	idx = exo_fdec_classify(t->dec, hdr, hlen);
	if (idx == EXO_FDEC_NONE)
		return NULL;
	b = t->bindings[idx];
	if (READ_ONCE(b->unbound))
		return NULL;
	if (b->reads_l4 && exo_net_later_fragment(hdr, hlen))
		return NULL;
	return b;
}

/*
 * A GSO or GRO frame, several wire frames in one, that @b's filter matched
 * (or, with @b NULL, that some filter of @t may match piece by piece: one
 * that reads lengths, ids or sequence numbers): split it in software (full
 * checksums, no offload features) and classify each wire frame on its own,
 * since those fields differ. Segments no binding claims go back to the
 * stack through netif_rx(), as plain frames that come through this hook
 * again and pass. Frames with no checksum state at all are not ours to
 * split (the core would WARN): the host stack takes them as they are.
 */
static unsigned int exo_net_split_gso(const struct exo_net_table *t,
				      struct exo_net_binding *b,
				      struct sk_buff *skb, int mac_off)
{
	struct exo_net_binding *owner;
	struct sk_buff *segs, *seg, *next;
	bool counted = false;

	if (skb->ip_summed == CHECKSUM_NONE)
		return NF_ACCEPT;
	/*
	 * Splitting writes headers and may take the frag list apart: not in
	 * what a packet tap's clone still shares.
	 */
	if (skb_unclone(skb, GFP_ATOMIC))
		goto fail;
	/* Segmentation starts at the MAC header, as on the way out. */
	__skb_push(skb, -mac_off);
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		__skb_pull(skb, -mac_off);
		goto fail;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		owner = exo_net_classify(t, seg, 0, seg->len);
		if (!owner) {
			seg->protocol = eth_type_trans(seg, seg->dev);
			netif_rx(seg);
			continue;
		}
		/* The frame split counts once, for its first claimant. */
		if (!counted) {
			b = b ?: owner;
			spin_lock_bh(&b->lock);
			b->gso_segmented++;
			spin_unlock_bh(&b->lock);
			counted = true;
		}
		if (!exo_net_ash_handle(owner, seg, 0, seg->len))
			exo_net_deliver(owner, seg, 0, seg->len);
		consume_skb(seg);
	}
	return NF_STOLEN;
fail:
	/* Not split: the host's if no filter claimed the frame as a whole. */
	if (!b)
		return NF_ACCEPT;
	exo_net_count_drop(b, skb->len - mac_off, EXO_WHY_SPLIT);
	kfree_skb(skb);
	return NF_STOLEN;
}

unsigned int exo_net_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct exo_net_dev *nd = priv;
	struct exo_net_binding *b;
	struct exo_net_table *t;
	int mac_off;
	u32 flen;

	t = rcu_dereference(nd->table);
	if (!t || !t->n || !skb_mac_header_was_set(skb))
		return NF_ACCEPT;
	/*
	 * A device with an rx_handler is another's port (one attached without
	 * CHANGEUPPER, or before it): its frames are not its own filters'.
	 */
	if (unlikely(rcu_access_pointer(nd->dev->rx_handler))) {
		exo_net_port_found();
		return NF_ACCEPT;
	}
	/*
	 * A tagged frame belongs to the VLAN device of its tag (whose own
	 * hook sees it untagged next), or to no one: never to the lower
	 * device's filters. A priority tag (VID 0) is the device's own
	 * untagged traffic, as the host stack takes it, unless a VLAN 0
	 * device claims it; the tag is already out of the frame's bytes.
	 */
	if (eth_type_vlan(skb->protocol))
		return NF_ACCEPT;
	if (skb_vlan_tag_present(skb) &&
	    (skb_vlan_tag_get_id(skb) ||
	     __vlan_find_dev_deep_rcu(skb->dev, skb->vlan_proto, 0)))
		return NF_ACCEPT;
	mac_off = skb_mac_offset(skb);
	if (mac_off > 0 || skb->len + (u32)(-mac_off) < ETH_HLEN)
		return NF_ACCEPT;
	flen = skb->len - mac_off;
	b = exo_net_classify(t, skb, mac_off, flen);
	if (skb_is_gso(skb) && (b || t->split_gso))
		return exo_net_split_gso(t, b, skb, mac_off);
	if (!b)
		return NF_ACCEPT;
	/*
	 * A frame from a local sender (veth) may carry only a partial
	 * checksum; the libOS must see what the wire would carry.
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		exo_net_count_drop(b, flen, EXO_WHY_CHECKSUM);
	/* The binding's handler first: it may answer or drop. */
	else if (!exo_net_ash_handle(b, skb, mac_off, flen))
		exo_net_deliver(b, skb, mac_off, flen);
	/* Ours now, delivered or counted as dropped: not the host's. */
	consume_skb(skb);
	return NF_STOLEN;
}
