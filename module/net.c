// SPDX-License-Identifier: GPL-2.0
/*
 * Network binding: DPF-style packet filters bound to a device, classified
 * at ingress through one merged decision structure per device, delivered
 * into receive rings the libOS maps, and a checked transmit path.
 *
 * The hook. It is a netfilter NF_NETDEV_INGRESS hook on the bound device,
 * registered while the device has bindings. Of the three ways to see a
 * device's frames first it is the one that composes: an rx_handler is
 * exclusive (a bridge, bond, macvlan or team port already has one, and
 * then we could not bind at all, or they could not), and a dev_add_pack
 * tap sees a clone of each frame, so it cannot keep the frame from the
 * host stack. Ingress hooks stack by priority with nftables' ingress
 * chains, and the hook may steal the frame.
 *
 * What the hook must not take, since it runs before VLAN and rx_handler
 * processing: frames tagged for a VLAN (the VLAN device's own hook gets
 * them next, untagged), and anything on a device that is another's port
 * (bridge, bond, macvlan lower: binding there is refused, and a device
 * that becomes one loses its bindings). Overlap is checked across every
 * device, so that no topology lets two environments claim one frame.
 *
 * Locking. exo_net_lock (a mutex) protects exo_net_devs, every device's
 * bindings and table updates, the id table exo_net_ids, and every
 * environment's exo_env_net. The netdevice notifier runs under RTNL, and
 * NET_BIND takes RTNL first too (no device becomes a port while a bind
 * checks it), so the order is rtnl_lock -> exo_net_lock -> netfilter's
 * hook mutex (inside nf_register_net_hook()). The packet path takes no mutex: it reads the
 * device's table under RCU (the hook runs in an RCU read-side section) and
 * takes only its binding's ring lock. Tables are replaced with
 * rcu_assign_pointer() and freed after a grace period (queue_rcu_work),
 * and so are bindings: a table holds a reference on every binding it names.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/idr.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/in.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/route.h>
#include <net/sock.h>

#include "compat.h"
#include "binding.h"
#include "exo.h"
#include "uapi_copy.h"
#include "core/filter.h"

static char exo_netdevs[256];
module_param_string(netdevs, exo_netdevs, sizeof(exo_netdevs), 0644);
MODULE_PARM_DESC(netdevs,
		 "Comma-separated device names on which any environment may bind filters without CAP_NET_ADMIN (default none)");

static uint exo_ring_slots_max = 4096;
module_param_named(net_ring_slots_max, exo_ring_slots_max, uint, 0444);
MODULE_PARM_DESC(net_ring_slots_max,
		 "Most slots in one receive ring, a power of two, 2..65536 (default 4096)");

static uint exo_slot_size_max = 4096;
module_param_named(net_slot_size_max, exo_slot_size_max, uint, 0444);
MODULE_PARM_DESC(net_slot_size_max,
		 "Largest receive ring slot in bytes, a power of two, 64..65536 (default 4096)");

static uint exo_net_ring_mb_max = 128;
module_param_named(net_ring_mb_max, exo_net_ring_mb_max, uint, 0644);
MODULE_PARM_DESC(net_ring_mb_max,
		 "MiB of RX rings one environment's bindings may hold in all; NET_BIND fails with EDQUOT past it (default 128)");

static uint exo_net_bindings_max = 64;
module_param_named(net_bindings_max, exo_net_bindings_max, uint, 0444);
MODULE_PARM_DESC(net_bindings_max,
		 "Most filter bindings one environment may hold, 1..4095 (default 64)");

static uint exo_net_shapes_max = 32;
module_param_named(net_shapes_max, exo_net_shapes_max, uint, 0444);
MODULE_PARM_DESC(net_shapes_max,
		 "Most distinct filter shapes in one device's decision structure: bounds the per-frame cost, 1..1024 (default 32)");

#define EXO_NET_SLOTS_LIMIT	65536
#define EXO_NET_SLOT_MIN	64
#define EXO_NET_SLOT_LIMIT	65536
#define EXO_NET_ID_MAX		((1 << (EXO_MMAP_SHIFT - EXO_NET_RING_SHIFT)) - 1)
#define EXO_NET_SHAPES_LIMIT	1024
#define EXO_NET_RING_HDR	PAGE_SIZE

#define EXO_NET_INFO_MINSZ	offsetofend(struct exo_net_info, reserved)
#define EXO_NET_BIND_MINSZ	offsetofend(struct exo_net_bind, atoms)
#define EXO_NET_UNBIND_MINSZ	offsetofend(struct exo_net_unbind, reserved)
#define EXO_NET_TX_MINSZ	offsetofend(struct exo_net_tx, frame)
#define EXO_NET_STATS_MINSZ	offsetofend(struct exo_net_stats, tx_refused)

struct exo_net_dev;

/* One filter bound by one environment on one device, and its ring. */
struct exo_net_binding {
	u32 id;				/* immutable */
	struct exo_env *env;		/* immutable; see exo_net_env_destroy() */
	struct exo_filter filter;	/* immutable, canonical */
	bool reads_l4;			/* immutable: filter reads past IPv4's header */
	int ifindex;			/* immutable */
	struct exo_net_dev *nd;		/* exo_net_lock; NULL once detached */
	bool unbound;			/* READ_ONCE: the hook passes its frames */
	struct list_head env_node;	/* env->net.bindings, exo_net_lock; RCU */
	struct list_head dev_node;	/* nd->bindings, bind order, exo_net_lock */
	struct socket *port_sock;	/* exo_net_lock: the held host port */
	struct kref ref;		/* the id table, each table, each VMA */
	struct rcu_work free_work;
	/* The ring: exo_net_ring header page, then the slots. */
	struct exo_net_ring *ring;	/* immutable, vmalloc'ed, charged */
	size_t ring_len;		/* immutable */
	u32 slots;			/* immutable */
	u32 slot_size;			/* immutable */
	spinlock_t lock;		/* producer and the receive counters */
	u32 producer;
	u64 matched;
	u64 delivered;
	u64 dropped;
	u64 gso_segmented;		/* GSO/GRO frames split into matched */
	atomic64_t tx;
	atomic64_t tx_refused;
};

/* What the hook reads: the merged filters and who owns each. */
struct exo_net_table {
	struct rcu_work free_work;
	struct exo_fdec *dec;
	u32 n;
	struct exo_net_binding *bindings[];	/* by filter index, bind order */
};

/* A device with bindings: its hook and its published table. */
struct exo_net_dev {
	struct net_device *dev;		/* held while we are registered */
	struct nf_hook_ops ops;
	struct exo_net_table __rcu *table;	/* writes under exo_net_lock */
	struct list_head bindings;	/* exo_net_binding.dev_node */
	u32 nbindings;
	struct list_head node;		/* exo_net_devs */
};

static DEFINE_MUTEX(exo_net_lock);
static LIST_HEAD(exo_net_devs);		/* exo_net_lock */
static DEFINE_IDR(exo_net_ids);		/* exo_net_lock */
static u32 exo_net_nbindings;		/* exo_net_lock: ids in exo_net_ids */
static struct workqueue_struct *exo_net_wq;

/* ---- bindings and tables, freed after a grace period ------------------ */

static void exo_net_binding_free(struct work_struct *work)
{
	struct exo_net_binding *b =
		container_of(to_rcu_work(work), struct exo_net_binding, free_work);

	vfree(b->ring);
	kfree(b);
}

static void exo_net_binding_release(struct kref *ref)
{
	struct exo_net_binding *b = container_of(ref, struct exo_net_binding, ref);

	INIT_RCU_WORK(&b->free_work, exo_net_binding_free);
	queue_rcu_work(exo_net_wq, &b->free_work);
}

static void exo_net_binding_put(struct exo_net_binding *b)
{
	kref_put(&b->ref, exo_net_binding_release);
}

static void exo_net_table_free(struct work_struct *work)
{
	struct exo_net_table *t =
		container_of(to_rcu_work(work), struct exo_net_table, free_work);
	u32 i;

	for (i = 0; i < t->n; i++)
		exo_net_binding_put(t->bindings[i]);
	exo_fdec_free(t->dec);
	kvfree(t);
}

static void exo_net_table_retire(struct exo_net_table *t)
{
	if (!t)
		return;
	INIT_RCU_WORK(&t->free_work, exo_net_table_free);
	queue_rcu_work(exo_net_wq, &t->free_work);
}

/*
 * A table of @nd's bindings plus @extra (may be NULL) last, in bind order,
 * which is the order of priority among overlapping filters of one
 * environment. ERR_PTR(-ENOSPC) past net_shapes_max shapes.
 */
static struct exo_net_table *exo_net_table_build(struct exo_net_dev *nd,
						 struct exo_net_binding *extra)
{
	const struct exo_filter **filters;
	struct exo_net_binding *b;
	struct exo_net_table *t;
	u32 n = 0, i;
	int err;

	lockdep_assert_held(&exo_net_lock);
	t = kvzalloc(struct_size(t, bindings, nd->nbindings + 1), GFP_KERNEL);
	filters = kvcalloc(nd->nbindings + 1, sizeof(*filters), GFP_KERNEL);
	if (!t || !filters) {
		err = -ENOMEM;
		goto fail;
	}
	list_for_each_entry(b, &nd->bindings, dev_node)
		t->bindings[n++] = b;
	if (extra)
		t->bindings[n++] = extra;
	for (i = 0; i < n; i++)
		filters[i] = &t->bindings[i]->filter;
	if (exo_fdec_count_shapes(filters, n) > exo_net_shapes_max) {
		err = -ENOSPC;
		goto fail;
	}
	t->dec = exo_fdec_build(filters, n, &err);
	if (!t->dec)
		goto fail;
	t->n = n;
	for (i = 0; i < n; i++)
		kref_get(&t->bindings[i]->ref);
	kvfree(filters);
	return t;
fail:
	kvfree(filters);
	kvfree(t);
	return ERR_PTR(err);
}

static void exo_net_table_publish(struct exo_net_dev *nd, struct exo_net_table *t)
{
	struct exo_net_table *old;

	old = rcu_replace_pointer(nd->table, t, lockdep_is_held(&exo_net_lock));
	exo_net_table_retire(old);
}

/* ---- the packet path ---------------------------------------------------- */

/* A frame @b's filter claimed that could not be delivered. */
static void exo_net_count_drop(struct exo_net_binding *b)
{
	spin_lock_bh(&b->lock);
	b->matched++;
	b->dropped++;
	WRITE_ONCE(b->ring->dropped, b->dropped);
	spin_unlock_bh(&b->lock);
}

static void exo_net_deliver(struct exo_net_binding *b, struct sk_buff *skb,
			    int mac_off, u32 flen)
{
	struct exo_net_ring *ring = b->ring;
	struct exo_net_slot *slot;
	u32 cons, cap;
	bool wake;

	spin_lock_bh(&b->lock);
	b->matched++;
	cons = READ_ONCE(ring->consumer);
	/* A consumer ahead of us or too far behind reads as a full ring. */
	if (b->producer - cons >= b->slots) {
		b->dropped++;
		WRITE_ONCE(ring->dropped, b->dropped);
		spin_unlock_bh(&b->lock);
		return;
	}
	slot = (void *)ring + EXO_NET_RING_HDR +
	       (size_t)(b->producer & (b->slots - 1)) * b->slot_size;
	cap = min_t(u32, flen, b->slot_size - sizeof(*slot));
	if (skb_copy_bits(skb, mac_off, slot + 1, cap)) {
		spin_unlock_bh(&b->lock);
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
}

/* IPv4 with a non-zero fragment offset: what sits past its header is payload. */
static bool exo_net_later_fragment(const u8 *hdr, u32 hlen)
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
 * A GSO or GRO frame that @b's filter matched, several wire frames in one:
 * split it in software (full checksums, no offload features) and classify
 * each wire frame on its own, since fields like lengths differ. Segments
 * no binding claims go back to the stack through netif_rx(), as plain
 * frames that come through this hook again and pass. Frames with no
 * checksum state at all are not ours to split (the core would WARN): the
 * host stack takes them as they are.
 */
static unsigned int exo_net_steal_gso(const struct exo_net_table *t,
				      struct exo_net_binding *b,
				      struct sk_buff *skb, int mac_off)
{
	struct exo_net_binding *owner;
	struct sk_buff *segs, *seg, *next;

	if (skb->ip_summed == CHECKSUM_NONE)
		return NF_ACCEPT;
	/*
	 * Splitting writes headers and may take the frag list apart: not in
	 * what a packet tap's clone still shares.
	 */
	if (skb_unclone(skb, GFP_ATOMIC)) {
		exo_net_count_drop(b);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	/* Segmentation starts at the MAC header, as on the way out. */
	__skb_push(skb, -mac_off);
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		exo_net_count_drop(b);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	spin_lock_bh(&b->lock);
	b->gso_segmented++;
	spin_unlock_bh(&b->lock);
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		owner = exo_net_classify(t, seg, 0, seg->len);
		if (owner) {
			exo_net_deliver(owner, seg, 0, seg->len);
			consume_skb(seg);
		} else {
			seg->protocol = eth_type_trans(seg, seg->dev);
			netif_rx(seg);
		}
	}
	return NF_STOLEN;
}

static unsigned int exo_net_hook(void *priv, struct sk_buff *skb,
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
	 * A tagged frame belongs to the VLAN device of its tag (whose own
	 * hook sees it untagged next), or to no one: never to the lower
	 * device's filters.
	 */
	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol))
		return NF_ACCEPT;
	mac_off = skb_mac_offset(skb);
	if (mac_off > 0 || skb->len + (u32)(-mac_off) < ETH_HLEN)
		return NF_ACCEPT;
	flen = skb->len - mac_off;
	b = exo_net_classify(t, skb, mac_off, flen);
	if (!b)
		return NF_ACCEPT;
	if (skb_is_gso(skb))
		return exo_net_steal_gso(t, b, skb, mac_off);
	/*
	 * A frame from a local sender (veth) may carry only a partial
	 * checksum; the libOS must see what the wire would carry.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL || !skb_checksum_help(skb))
		exo_net_deliver(b, skb, mac_off, flen);
	else
		exo_net_count_drop(b);
	/* Ours now, delivered or counted as dropped: not the host's. */
	consume_skb(skb);
	return NF_STOLEN;
}

/* ---- devices ------------------------------------------------------------ */

static struct exo_net_dev *exo_net_dev_find(struct net_device *dev)
{
	struct exo_net_dev *nd;

	lockdep_assert_held(&exo_net_lock);
	list_for_each_entry(nd, &exo_net_devs, node)
		if (nd->dev == dev)
			return nd;
	return NULL;
}

static struct exo_net_dev *exo_net_dev_get(struct net_device *dev)
{
	struct exo_net_dev *nd;
	int ret;

	lockdep_assert_held(&exo_net_lock);
	nd = exo_net_dev_find(dev);
	if (nd)
		return nd;
	nd = kzalloc(sizeof(*nd), GFP_KERNEL);
	if (!nd)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&nd->bindings);
	nd->dev = dev;
	nd->ops.hook = exo_net_hook;
	nd->ops.priv = nd;
	nd->ops.pf = NFPROTO_NETDEV;
	nd->ops.hooknum = NF_NETDEV_INGRESS;
	nd->ops.dev = dev;
	/* After nftables ingress chains of negative priority: admin first. */
	nd->ops.priority = 0;
	ret = nf_register_net_hook(dev_net(dev), &nd->ops);
	if (ret) {
		kfree(nd);
		return ERR_PTR(ret);
	}
	dev_hold(dev);
	list_add_tail(&nd->node, &exo_net_devs);
	return nd;
}

/* Drop @nd once its last binding is gone. */
static void exo_net_dev_put(struct exo_net_dev *nd)
{
	lockdep_assert_held(&exo_net_lock);
	if (nd->nbindings)
		return;
	/* Waits for every hook in flight. */
	nf_unregister_net_hook(dev_net(nd->dev), &nd->ops);
	exo_net_table_publish(nd, NULL);
	list_del(&nd->node);
	dev_put(nd->dev);
	kfree(nd);
}

/* Take @b off its device: frames go back to the host stack at once. */
static void exo_net_detach(struct exo_net_binding *b)
{
	struct exo_net_dev *nd = b->nd;
	struct exo_net_table *t;

	lockdep_assert_held(&exo_net_lock);
	if (!nd)
		return;
	WRITE_ONCE(b->unbound, true);
	list_del(&b->dev_node);
	nd->nbindings--;
	b->nd = NULL;
	atomic64_dec(&b->env->filters);
	if (b->port_sock) {
		sock_release(b->port_sock);
		b->port_sock = NULL;
	}
	if (!nd->nbindings) {
		exo_net_dev_put(nd);
		return;
	}
	/* On failure the old table stays; it passes this binding's frames. */
	t = exo_net_table_build(nd, NULL);
	if (!IS_ERR(t))
		exo_net_table_publish(nd, t);
}

/* Detach and forget @b entirely: its id is free, its env no longer has it. */
static void exo_net_remove(struct exo_net_binding *b)
{
	lockdep_assert_held(&exo_net_lock);
	exo_net_detach(b);
	idr_remove(&exo_net_ids, b->id);
	exo_net_nbindings--;
	list_del_rcu(&b->env_node);
	b->env->net.nbindings--;
	b->env->net.ring_bytes -= PAGE_ALIGN(b->ring_len);
	exo_net_binding_put(b);
}

/*
 * A device whose frames another device takes from it: a bridge, bond or
 * team port (it has a master), a macvlan's or ipvlan's lower device, or
 * any other rx_handler. Our hook runs before the rx_handler, so a filter
 * here would take the upper device's traffic.
 */
static bool exo_net_dev_is_port(struct net_device *dev)
{
	ASSERT_RTNL();
	return netdev_master_upper_dev_get(dev) || netdev_is_rx_handler_busy(dev);
}

/* Take every binding off @nd, telling each owner why (EXO_NET_DOWN_*). */
static void exo_net_revoke_dev(struct exo_net_dev *nd, u64 why)
{
	struct exo_net_binding *b;
	bool last;

	lockdep_assert_held(&exo_net_lock);
	/* Not list_for_each_entry_safe(): the last detach frees nd itself. */
	if (list_empty(&nd->bindings))
		return;
	do {
		b = list_first_entry(&nd->bindings, struct exo_net_binding,
				     dev_node);
		last = list_is_singular(&nd->bindings);
		exo_event_post(b->env, EXO_EVENT_NET_DOWN, b->id, b->ifindex,
			       why, 0);
		exo_net_detach(b);
	} while (!last);
}

static int exo_net_notify(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct exo_net_dev *nd;
	u64 why;

	switch (event) {
	case NETDEV_UNREGISTER:
		why = EXO_NET_DOWN_GONE;
		break;
	case NETDEV_CHANGEUPPER:
		/* Enslaved, or a macvlan's lower now: its frames are not its own. */
		if (!exo_net_dev_is_port(dev))
			return NOTIFY_DONE;
		why = EXO_NET_DOWN_PORT;
		break;
	default:
		return NOTIFY_DONE;
	}
	mutex_lock(&exo_net_lock);
	nd = exo_net_dev_find(dev);
	if (nd)
		exo_net_revoke_dev(nd, why);
	mutex_unlock(&exo_net_lock);
	return NOTIFY_DONE;
}

static struct notifier_block exo_net_notifier = {
	.notifier_call = exo_net_notify,
};

/* ---- policy ------------------------------------------------------------- */

static bool exo_net_dev_listed(const struct net_device *dev)
{
	char *list, *cur, *name;
	bool found = false;

	kernel_param_lock(THIS_MODULE);
	list = kstrdup(exo_netdevs, GFP_KERNEL);
	kernel_param_unlock(THIS_MODULE);
	if (!list)
		return false;
	cur = list;
	while ((name = strsep(&cur, ",")) && !found) {
		name = strim(name);
		found = *name && !strcmp(name, dev->name);
	}
	kfree(list);
	return found;
}

/*
 * May @f take frames the host stack of @net uses? Not if it pins an IPv4
 * UDP or TCP destination port that no host socket holds (it then takes the
 * port, in *@port_sock, so that none can bind it later), nor if it pins an
 * IPv4 destination or ARP target address that is not one of @net's own.
 * 0 if safe; -EADDRINUSE if not.
 */
/*
 * Whether the host takes IPv4 traffic to @addr: its own addresses, and
 * broadcast (limited and subnet-directed) and multicast, which the host
 * stack listens to as well (DHCP, mDNS, IGMP, OSPF).
 */
static bool exo_net_host_addr(struct net *net, u32 addr)
{
	switch (inet_addr_type(net, htonl(addr))) {
	case RTN_LOCAL:
	case RTN_BROADCAST:
	case RTN_MULTICAST:
		return true;
	default:
		return false;
	}
}

static int exo_net_host_check(struct net *net, const struct exo_filter *f,
			      struct socket **port_sock)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	u64 type, vhl, proto, port, addr;
	struct socket *sock;
	int ret;

	*port_sock = NULL;
	if (!exo_filter_pinned(f, 12, 2, &type))
		return -EADDRINUSE;
	if (type == ETH_P_IP && exo_filter_pinned(f, 14, 1, &vhl) && vhl == 0x45 &&
	    exo_filter_pinned(f, 23, 1, &proto) &&
	    (proto == IPPROTO_UDP || proto == IPPROTO_TCP) &&
	    exo_filter_pinned(f, 36, 2, &port)) {
		ret = sock_create_kern(net, PF_INET,
				       proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM,
				       proto, &sock);
		if (ret)
			return ret;
		sin.sin_port = htons(port);
		ret = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
		if (ret) {
			sock_release(sock);
			return ret == -EADDRINUSE ? -EADDRINUSE : ret;
		}
		*port_sock = sock;
		return 0;
	}
	if (type == ETH_P_IP && exo_filter_pinned(f, 30, 4, &addr))
		return exo_net_host_addr(net, addr) ? -EADDRINUSE : 0;
	if (type == ETH_P_ARP && exo_filter_pinned(f, 38, 4, &addr))
		return exo_net_host_addr(net, addr) ? -EADDRINUSE : 0;
	return -EADDRINUSE;
}

/* ---- ioctls ------------------------------------------------------------- */

static struct exo_net_binding *exo_net_lookup(struct exo_env *env, u32 id,
					      int *err)
{
	struct exo_net_binding *b;

	lockdep_assert_held(&exo_net_lock);
	b = id ? idr_find(&exo_net_ids, id) : NULL;
	if (!b) {
		*err = -ENOENT;
		return NULL;
	}
	if (b->env != env) {
		*err = -EPERM;
		return NULL;
	}
	return b;
}

static long exo_net_info_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_info info;
	u32 argsz;
	int ret;

	ret = exo_copy_args(&info, sizeof(info), EXO_NET_INFO_MINSZ, uarg);
	if (ret)
		return ret;
	if (info.flags || info.reserved)
		return -EINVAL;
	argsz = info.argsz;
	memset(&info, 0, sizeof(info));
	info.argsz = argsz;
	info.atoms_max = EXO_NET_ATOMS_MAX;
	info.window = EXO_NET_WINDOW;
	info.ring_slots_max = exo_ring_slots_max;
	info.slot_size_max = exo_slot_size_max;
	info.bindings_max = exo_net_bindings_max;
	info.shapes_max = exo_net_shapes_max;
	mutex_lock(&exo_net_lock);
	info.bindings = env->net.nbindings;
	mutex_unlock(&exo_net_lock);
	return exo_copy_result(uarg, &info, sizeof(info), argsz);
}

static struct exo_net_binding *exo_net_binding_alloc(const struct exo_net_bind *req)
{
	struct exo_net_binding *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	b->slots = req->ring_slots;
	b->slot_size = req->slot_size;
	b->ring_len = EXO_NET_RING_HDR + (size_t)b->slots * b->slot_size;
	/* Charged to the caller's memory cgroup, whoever maps it later. */
	b->ring = __vmalloc(PAGE_ALIGN(b->ring_len),
			    GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!b->ring) {
		kfree(b);
		return NULL;
	}
	b->ring->slots = b->slots;
	b->ring->slot_size = b->slot_size;
	b->ring->data_offset = EXO_NET_RING_HDR;
	kref_init(&b->ref);
	spin_lock_init(&b->lock);
	INIT_LIST_HEAD(&b->dev_node);
	return b;
}

/*
 * Whether @f overlaps a filter of another environment on any device. Not
 * only on the same one: a frame can reach the hooks of several devices
 * (a bridge and a port, a macvlan and its lower, a tc redirect), and
 * which ones changes with the host's configuration at any time; the check
 * over every binding holds whatever the topology.
 */
static bool exo_net_overlaps_other(const struct exo_env *env,
				   const struct exo_filter *f)
{
	struct exo_net_binding *other;
	struct exo_net_dev *nd;

	lockdep_assert_held(&exo_net_lock);
	list_for_each_entry(nd, &exo_net_devs, node)
		list_for_each_entry(other, &nd->bindings, dev_node)
			if (other->env != env &&
			    exo_filter_overlap(&other->filter, f))
				return true;
	return false;
}

static long exo_net_bind_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_bind req;
	struct exo_net_binding *b;
	struct exo_net_table *t;
	struct net_device *dev;
	struct exo_net_dev *nd;
	struct socket *port_sock = NULL;
	bool admin;
	int ret, id;

	ret = exo_copy_args(&req, sizeof(req), EXO_NET_BIND_MINSZ, uarg);
	if (ret)
		return ret;
	if ((req.flags & ~EXO_NET_BIND_HOST) || req.reserved)
		return -EINVAL;
	if (req.ring_slots < 2 || req.ring_slots > exo_ring_slots_max ||
	    !is_power_of_2(req.ring_slots) ||
	    req.slot_size < EXO_NET_SLOT_MIN || req.slot_size > exo_slot_size_max ||
	    !is_power_of_2(req.slot_size))
		return -EINVAL;
	b = exo_net_binding_alloc(&req);
	if (!b)
		return -ENOMEM;
	ret = exo_filter_canon(req.atoms, req.natoms, &b->filter);
	if (ret)
		goto out_free;
	b->reads_l4 = exo_filter_reads_from(&b->filter,
					    ETH_HLEN + sizeof(struct iphdr));
	dev = dev_get_by_index(current->nsproxy->net_ns, req.ifindex);
	if (!dev) {
		ret = -ENODEV;
		goto out_free;
	}
	admin = capable(CAP_NET_ADMIN);
	ret = -EPERM;
	if (!admin && !exo_net_dev_listed(dev))
		goto out_dev;
	if ((req.flags & EXO_NET_BIND_HOST) && !admin)
		goto out_dev;

	/* RTNL: the device cannot become a port while we look. */
	rtnl_lock();
	mutex_lock(&exo_net_lock);
	ret = -ENODEV;
	/* A device being unregistered would never be let go. */
	if (dev->reg_state != NETREG_REGISTERED)
		goto out_unlock;
	ret = -ENOSPC;
	if (env->net.nbindings >= exo_net_bindings_max)
		goto out_unlock;
	ret = -EDQUOT;
	if (env->net.ring_bytes + PAGE_ALIGN(b->ring_len) >
	    ((u64)READ_ONCE(exo_net_ring_mb_max) << 20))
		goto out_unlock;
	ret = -EBUSY;
	if (exo_net_dev_is_port(dev))
		goto out_unlock;
	ret = -EEXIST;
	if (exo_net_overlaps_other(env, &b->filter))
		goto out_unlock;
	/* After the overlap check, so that a conflict reads as EEXIST. */
	ret = exo_net_host_check(dev_net(dev), &b->filter, &port_sock);
	if (ret == -EADDRINUSE && (req.flags & EXO_NET_BIND_HOST))
		ret = 0;
	if (ret)
		goto out_unlock;
	id = idr_alloc(&exo_net_ids, b, 1, EXO_NET_ID_MAX + 1, GFP_KERNEL);
	if (id < 0) {
		ret = id == -ENOSPC ? -ENOSPC : id;
		goto out_unlock;
	}
	b->id = id;
	b->env = env;
	b->ifindex = dev->ifindex;
	nd = exo_net_dev_get(dev);
	if (IS_ERR(nd)) {
		ret = PTR_ERR(nd);
		goto out_idr;
	}
	/* Bind order is priority order: the new binding goes last. */
	t = exo_net_table_build(nd, b);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		exo_net_dev_put(nd);
		goto out_idr;
	}
	list_add_tail(&b->dev_node, &nd->bindings);
	nd->nbindings++;
	b->nd = nd;
	b->port_sock = port_sock;
	list_add_tail_rcu(&b->env_node, &env->net.bindings);
	env->net.nbindings++;
	env->net.ring_bytes += PAGE_ALIGN(b->ring_len);
	exo_net_nbindings++;
	atomic64_inc(&env->filters);
	exo_net_table_publish(nd, t);
	req.binding_id = b->id;
	req.ring_offset = EXO_MMAP_NET + ((u64)b->id << EXO_NET_RING_SHIFT);
	req.ring_len = b->ring_len;
	/*
	 * Ours until the result is out: another thread may unbind the id
	 * meanwhile, and without this reference b could be freed and its
	 * memory and id handed to another environment's new binding.
	 */
	kref_get(&b->ref);
	mutex_unlock(&exo_net_lock);
	rtnl_unlock();
	dev_put(dev);

	ret = exo_copy_result(uarg, &req, sizeof(req), req.argsz);
	if (ret) {
		/* Undo, so that an EFAULT leaves nothing bound (unless another
		 * thread already unbound it: then the id is not b's).
		 */
		mutex_lock(&exo_net_lock);
		if (idr_find(&exo_net_ids, req.binding_id) == b)
			exo_net_remove(b);
		mutex_unlock(&exo_net_lock);
	}
	exo_net_binding_put(b);
	return ret;

out_idr:
	idr_remove(&exo_net_ids, b->id);
out_unlock:
	mutex_unlock(&exo_net_lock);
	rtnl_unlock();
out_dev:
	if (port_sock)
		sock_release(port_sock);
	dev_put(dev);
out_free:
	vfree(b->ring);
	kfree(b);
	return ret;
}

static long exo_net_unbind_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_unbind req;
	struct exo_net_binding *b;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_NET_UNBIND_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	mutex_lock(&exo_net_lock);
	b = exo_net_lookup(env, req.binding_id, &ret);
	if (b)
		exo_net_remove(b);
	mutex_unlock(&exo_net_lock);
	return b ? 0 : ret;
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
 * May @own's filter vouch for @frame (@len bytes, @swapped its swap, both
 * cut to the window) sent on @dev? The swapped frame must match it, so the
 * frame comes from where the filter receives; and, since a filter need not
 * pin an address (a port filter takes the port on all of them), an IPv4
 * source or ARP sender address the filter does not pin must be one of the
 * device's own. A filter that reads past the IPv4 header says nothing
 * about a later fragment, whose bytes there are payload.
 */
static bool exo_net_tx_vouches(const struct exo_net_binding *own,
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

static long exo_net_tx_ioctl(struct exo_env *env, void __user *uarg)
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
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth_hdr(skb)->h_proto;
	ret = dev_queue_xmit(skb);
	ret = ret > 0 ? net_xmit_errno(ret) : ret;
	if (!ret)
		atomic64_inc(&b->tx);
out_dev:
	exo_net_binding_put(b);
	dev_put(dev);
out:
	kfree(frame);
	return ret;
}

static long exo_net_stats_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_net_stats st;
	struct exo_net_binding *b;
	u32 argsz;
	int ret;

	ret = exo_copy_args(&st, sizeof(st), EXO_NET_STATS_MINSZ, uarg);
	if (ret)
		return ret;
	if (st.flags)
		return -EINVAL;
	mutex_lock(&exo_net_lock);
	b = exo_net_lookup(env, st.binding_id, &ret);
	if (b) {
		st.ifindex = b->nd ? b->ifindex : 0;
		spin_lock_bh(&b->lock);
		st.matched = b->matched;
		st.delivered = b->delivered;
		st.dropped = b->dropped;
		st.gso = b->gso_segmented;
		spin_unlock_bh(&b->lock);
		st.tx = atomic64_read(&b->tx);
		st.tx_refused = atomic64_read(&b->tx_refused);
	}
	mutex_unlock(&exo_net_lock);
	if (!b)
		return ret;
	argsz = st.argsz;
	return exo_copy_result(uarg, &st, sizeof(st), argsz);
}

static long exo_net_ioctl(struct exo_env *env, unsigned int cmd,
			  void __user *uarg)
{
	switch (cmd) {
	case EXO_IOC_NET_INFO:
		return exo_net_info_ioctl(env, uarg);
	case EXO_IOC_NET_BIND:
		return exo_net_bind_ioctl(env, uarg);
	case EXO_IOC_NET_UNBIND:
		return exo_net_unbind_ioctl(env, uarg);
	case EXO_IOC_NET_TX:
		return exo_net_tx_ioctl(env, uarg);
	case EXO_IOC_NET_STATS:
		return exo_net_stats_ioctl(env, uarg);
	default:
		return -ENOTTY;
	}
}

/* ---- mmap and poll ------------------------------------------------------ */

static void exo_net_vm_open(struct vm_area_struct *vma)
{
	struct exo_net_binding *b = vma->vm_private_data;

	kref_get(&b->ref);
}

static void exo_net_vm_close(struct vm_area_struct *vma)
{
	exo_net_binding_put(vma->vm_private_data);
}

static const struct vm_operations_struct exo_net_vm_ops = {
	.open	= exo_net_vm_open,
	.close	= exo_net_vm_close,
};

/* What a ring's VMA points at instead of /dev/exo; it pins the module. */
static const struct file_operations exo_net_ring_fops = {
	.owner	= THIS_MODULE,
};

/*
 * Map the ring's pages one by one: a charged __vmalloc() area is not
 * VM_USERMAP, which remap_vmalloc_range() wants, but its pages are
 * ordinary ones that vm_insert_page() takes a reference on.
 */
static int exo_net_ring_insert(struct vm_area_struct *vma, void *ring,
			       unsigned long len)
{
	unsigned long off;
	int ret;

	exo_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	for (off = 0; off < len; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(ring + off));
		if (ret)
			return ret;
	}
	return 0;
}

/* @vma->vm_pgoff is relative to EXO_MMAP_NET. */
static int exo_net_mmap(struct exo_env *env, struct vm_area_struct *vma)
{
	unsigned long per_ring = 1UL << (EXO_NET_RING_SHIFT - PAGE_SHIFT);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct exo_net_binding *b;
	struct file *file;
	int ret;

	if (vma->vm_pgoff & (per_ring - 1))
		return -EINVAL;
	mutex_lock(&exo_net_lock);
	b = idr_find(&exo_net_ids, vma->vm_pgoff / per_ring);
	ret = -EINVAL;
	if (!b || len > PAGE_ALIGN(b->ring_len))
		goto out;
	ret = -EPERM;
	if (b->env != env)
		goto out;
	vma->vm_pgoff = 0;
	ret = exo_net_ring_insert(vma, b->ring, len);
	if (ret)
		goto out;
	/*
	 * The mapping must not keep the environment's file open: close(2)
	 * unbinds at once even with rings mapped, and the ring's memory
	 * lives on (the VMA's reference) until munmap.
	 */
	file = anon_inode_getfile("[exo_net_ring]", &exo_net_ring_fops, NULL,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto out;
	}
	vma_set_file(vma, file);
	fput(file);
	exo_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND);
	vma->vm_private_data = b;
	vma->vm_ops = &exo_net_vm_ops;
	kref_get(&b->ref);
out:
	mutex_unlock(&exo_net_lock);
	return ret;
}

/*
 * EPOLLRDBAND while one of @env's rings holds frames. Not EPOLLIN: that
 * means an event record is there for read(2), which would block.
 */
static __poll_t exo_net_poll(struct exo_env *env)
{
	struct exo_net_binding *b;
	__poll_t mask = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(b, &env->net.bindings, env_node)
		/* Pairs with the release in exo_net_deliver(). */
		if (READ_ONCE(b->ring->consumer) != smp_load_acquire(&b->ring->producer)) {
			mask = EPOLLRDBAND;
			break;
		}
	rcu_read_unlock();
	return mask;
}

/* ---- environments and the module ---------------------------------------- */

/* Sums of @env's bindings' counters, for an EXO_CMD_GET_ENV reply. */
static int exo_net_genl_fill_env(struct exo_env *env, struct sk_buff *skb)
{
	u64 delivered = 0, dropped = 0, tx = 0;
	struct exo_net_binding *b;

	rcu_read_lock();
	list_for_each_entry_rcu(b, &env->net.bindings, env_node) {
		spin_lock_bh(&b->lock);
		delivered += b->delivered;
		dropped += b->dropped;
		spin_unlock_bh(&b->lock);
		tx += atomic64_read(&b->tx);
	}
	rcu_read_unlock();

	if (nla_put_u64_64bit(skb, EXO_ATTR_ENV_NET_DELIVERED, delivered,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_NET_DROPPED, dropped,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_NET_TX, tx, EXO_ATTR_PAD))
		return -EMSGSIZE;
	return 0;
}

static int exo_net_env_init(struct exo_env *env)
{
	INIT_LIST_HEAD(&env->net.bindings);
	env->net.nbindings = 0;
	return 0;
}

/* Close or kill -9: every filter goes, and frames reach the host again. */
static void exo_net_env_destroy(struct exo_env *env)
{
	struct exo_net_binding *b, *tmp;
	bool had;

	mutex_lock(&exo_net_lock);
	had = !list_empty(&env->net.bindings);
	list_for_each_entry_safe(b, tmp, &env->net.bindings, env_node)
		exo_net_remove(b);
	mutex_unlock(&exo_net_lock);
	/* No hook may still be waking this environment once it is freed. */
	if (had)
		synchronize_rcu();
}

static int exo_net_show(struct seq_file *m, void *unused)
{
	struct exo_fdec_shape_info si;
	struct exo_net_binding *b;
	struct exo_net_table *t;
	struct exo_net_dev *nd;
	u32 s, a;

	mutex_lock(&exo_net_lock);
	/* "key: value" lines first, for tools and the kill-storm test. */
	seq_printf(m, "bindings: %u\n", exo_net_nbindings);
	list_for_each_entry(nd, &exo_net_devs, node) {
		seq_printf(m, "dev %s ifindex %d bindings %u\n", nd->dev->name,
			   nd->dev->ifindex, nd->nbindings);
		list_for_each_entry(b, &nd->bindings, dev_node) {
			seq_printf(m, "  binding %u env %llu slots %u slot_size %u matched %llu delivered %llu dropped %llu tx %lld\n",
				   b->id, b->env->id, b->slots, b->slot_size,
				   b->matched, b->delivered, b->dropped,
				   atomic64_read(&b->tx));
			for (a = 0; a < b->filter.natoms; a++)
				seq_printf(m, "    [%u..%u) & %#llx == %#llx\n",
					   b->filter.atoms[a].off,
					   b->filter.atoms[a].off + b->filter.atoms[a].len,
					   b->filter.atoms[a].mask,
					   b->filter.atoms[a].value);
		}
		t = rcu_dereference_protected(nd->table,
					      lockdep_is_held(&exo_net_lock));
		if (!t)
			continue;
		seq_printf(m, "  table: %u filters, %u shapes\n", t->n,
			   exo_fdec_nshapes(t->dec));
		for (s = 0; s < exo_fdec_nshapes(t->dec); s++) {
			exo_fdec_shape_info(t->dec, s, &si);
			seq_printf(m, "    shape %u: %u entries, %u buckets, frames >= %u:",
				   s, si.entries, si.buckets, si.need);
			for (a = 0; a < si.natoms; a++)
				seq_printf(m, " [%u..%u)&%#llx", si.keys[a].off,
					   si.keys[a].off + si.keys[a].len,
					   si.keys[a].mask);
			seq_putc(m, '\n');
		}
	}
	mutex_unlock(&exo_net_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exo_net);

static void exo_net_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("net", 0400, dir, NULL, &exo_net_fops);
}

static int exo_net_init(void)
{
	int ret;

	if (exo_ring_slots_max < 2 || exo_ring_slots_max > EXO_NET_SLOTS_LIMIT ||
	    !is_power_of_2(exo_ring_slots_max) ||
	    exo_slot_size_max < EXO_NET_SLOT_MIN ||
	    exo_slot_size_max > EXO_NET_SLOT_LIMIT ||
	    !is_power_of_2(exo_slot_size_max) ||
	    !exo_net_bindings_max || exo_net_bindings_max > EXO_NET_ID_MAX ||
	    !exo_net_shapes_max || exo_net_shapes_max > EXO_NET_SHAPES_LIMIT) {
		pr_err("net_ring_slots_max, net_slot_size_max, net_bindings_max or net_shapes_max out of range\n");
		return -EINVAL;
	}
	exo_net_wq = alloc_workqueue("exo_net", 0, 0);
	if (!exo_net_wq)
		return -ENOMEM;
	ret = register_netdevice_notifier(&exo_net_notifier);
	if (ret)
		destroy_workqueue(exo_net_wq);
	return ret;
}

static void exo_net_exit(void)
{
	unregister_netdevice_notifier(&exo_net_notifier);
	/* Every environment is gone; let the deferred frees run. */
	rcu_barrier();
	destroy_workqueue(exo_net_wq);
	idr_destroy(&exo_net_ids);
}

const struct exo_binding_ops exo_net_ops = {
	.name		= "net",
	.feature	= EXO_FEATURE_NET,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_NET_INFO),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_NET_INFO) |
			  EXO_IOCTL_BIT(EXO_NR_NET_BIND) |
			  EXO_IOCTL_BIT(EXO_NR_NET_UNBIND) |
			  EXO_IOCTL_BIT(EXO_NR_NET_TX) |
			  EXO_IOCTL_BIT(EXO_NR_NET_STATS),
	.mmap_window	= EXO_MMAP_NET >> EXO_MMAP_SHIFT,
	.init		= exo_net_init,
	.exit		= exo_net_exit,
	.env_init	= exo_net_env_init,
	.env_destroy	= exo_net_env_destroy,
	.ioctl		= exo_net_ioctl,
	.mmap		= exo_net_mmap,
	.poll		= exo_net_poll,
	.debugfs_init	= exo_net_debugfs_init,
	.genl_fill_env	= exo_net_genl_fill_env,
};
