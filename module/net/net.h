/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network binding's internals, shared by the files of module/net/;
 * net.c says how the hook works and what each lock protects.
 */
#ifndef EXO_NET_H
#define EXO_NET_H

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
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/route.h>
#include <net/sock.h>

#include "../binding.h"
#include "../compat.h"
#include "../core/ash.h"
#include "../core/filter.h"
#include "../exo.h"
#include "../exo_trace.h"
#include "../uapi_copy.h"

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

/* A verified handler, as the hook runs it; freed after a grace period. */
struct exo_net_ash {
	struct rcu_head rcu;
	u32 len;
	struct exo_ash_insn insns[];
};

/* One filter bound by one environment on one device, and its ring. */
struct exo_net_binding {
	u32 id;				/* immutable */
	struct exo_env *env;		/* immutable; see exo_net_env_destroy() */
	struct exo_filter filter;	/* immutable, canonical */
	bool reads_l4;			/* immutable: filter reads past IPv4's header */
	bool per_segment;		/* immutable: reads what GSO segments differ in */
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
	/* The handler: written under exo_net_lock, read by the hook under RCU. */
	struct exo_net_ash __rcu *ash;
	atomic64_t ash_replied;
	atomic64_t ash_dropped;
	atomic64_t ash_faults;
	atomic64_t ash_refused;
	/* EXO_CAP_NET caps on the ring (cap.c), under exo_net_lock; RCU. */
	struct list_head caps;
	u32 ncaps;
};

/* What the hook reads: the merged filters and who owns each. */
struct exo_net_table {
	struct rcu_work free_work;
	struct exo_fdec *dec;
	u32 n;
	bool split_gso;		/* some filter reads per-segment fields */
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

/* net.c: parameters */
extern uint exo_ring_slots_max;
extern uint exo_slot_size_max;
extern uint exo_net_ring_mb_max;
extern uint exo_net_bindings_max;
extern uint exo_net_shapes_max;
extern char exo_netdevs[256];

/* net.c: the shared state */
extern struct mutex exo_net_lock;
extern struct list_head exo_net_devs;		/* exo_net_lock */
extern struct idr exo_net_ids;			/* exo_net_lock */
extern u32 exo_net_nbindings;			/* exo_net_lock: ids in exo_net_ids */
extern struct workqueue_struct *exo_net_wq;	/* frees tables and bindings */

/* device.c */
extern struct notifier_block exo_net_notifier;

/* net.c */
void exo_net_env_destroy(struct exo_env *env);

/* table.c */
void exo_net_binding_put(struct exo_net_binding *b);
struct exo_net_table *exo_net_table_build(struct exo_net_dev *nd,
					  struct exo_net_binding *extra);
void exo_net_table_publish(struct exo_net_dev *nd, struct exo_net_table *t);

/* hook.c */
void exo_net_deliver(struct exo_net_binding *b, struct sk_buff *skb,
		     int mac_off, u32 flen);
bool exo_net_later_fragment(const u8 *hdr, u32 hlen);
unsigned int exo_net_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);

/* device.c */
struct exo_net_dev *exo_net_dev_get(struct net_device *dev);
void exo_net_dev_put(struct exo_net_dev *nd);
void exo_net_remove(struct exo_net_binding *b, u32 why);
bool exo_net_dev_is_port(struct net_device *dev);
void exo_net_port_found(void);
void exo_net_device_debugfs_init(struct dentry *dir);
void exo_net_device_exit(void);

/* bind.c */
struct exo_net_binding *exo_net_lookup(struct exo_env *env, u32 id,
				       int *err);
long exo_net_bind_ioctl(struct exo_env *env, void __user *uarg);
long exo_net_unbind_ioctl(struct exo_env *env, void __user *uarg);

/* tx.c */
long exo_net_tx_ioctl(struct exo_env *env, void __user *uarg);
int exo_net_xmit(struct net_device *dev, struct sk_buff *skb);
bool exo_net_tx_vouches(const struct exo_net_binding *own,
			struct net_device *dev, const u8 *frame,
			const u8 *swapped, u32 len);

/* ash.c */
long exo_net_ash_set_ioctl(struct exo_env *env, void __user *uarg);
bool exo_net_ash_handle(struct exo_net_binding *b, struct sk_buff *skb,
			int mac_off, u32 flen);

/* cap.c */
int exo_net_cap_grant(struct exo_env *env, struct exo_cap *req);
int exo_net_cap_revoke(struct exo_env *env, u64 cap_id);
int exo_net_cap_mmap(struct exo_env *env, struct exo_net_binding *b,
		     struct vm_area_struct *vma);
void exo_net_caps_drop_binding(struct exo_net_binding *b);
void exo_net_caps_drop_grantee(struct exo_env *env);
void exo_net_caps_wake(struct exo_net_binding *b);
bool exo_net_caps_pending(struct exo_env *env);

/* ring.c */
int exo_net_mmap(struct exo_env *env, struct vm_area_struct *vma);
__poll_t exo_net_poll(struct exo_env *env);

#endif /* EXO_NET_H */
