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
 * that becomes one loses its bindings, also one that gets an rx_handler
 * without CHANGEUPPER, which the hook sees). Overlap is checked across every
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
 *
 * This file holds the parameters, the shared state, INFO, STATS and the
 * ioctl dispatch, an environment's network state and the module's setup;
 * the rest is in
 *   table.c    bindings and the per-device decision tables, freed after RCU
 *   hook.c     the packet path: classify, deliver, split GSO frames
 *   device.c   devices: the hook's registration, ports, the notifier
 *   bind.c     what a filter may claim, BIND and UNBIND
 *   tx.c       TX and its anti-spoof checks
 *   ash.c      in-kernel handlers: ASH_SET, and running them on a match
 *   ring.c     the receive rings' mmap, and poll
 *   cap.c      EXO_CAP_NET: another environment maps a ring through a cap
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jump_label.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "net.h"

char exo_netdevs[256];
module_param_string(netdevs, exo_netdevs, sizeof(exo_netdevs), 0644);
MODULE_PARM_DESC(netdevs,
		 "Comma-separated device names on which any environment may bind filters without CAP_NET_ADMIN (default none)");

uint exo_ring_slots_max = 4096;
module_param_named(net_ring_slots_max, exo_ring_slots_max, uint, 0444);
MODULE_PARM_DESC(net_ring_slots_max,
		 "Most slots in one receive ring, a power of two, 2..65536 (default 4096)");

uint exo_slot_size_max = 4096;
module_param_named(net_slot_size_max, exo_slot_size_max, uint, 0444);
MODULE_PARM_DESC(net_slot_size_max,
		 "Largest receive ring slot in bytes, a power of two, 64..65536 (default 4096)");

uint exo_net_ring_mb_max = 128;
module_param_named(net_ring_mb_max, exo_net_ring_mb_max, uint, 0644);
MODULE_PARM_DESC(net_ring_mb_max,
		 "MiB of RX rings one environment's bindings may hold in all; NET_BIND fails with EDQUOT past it (default 128)");

uint exo_net_bindings_max = 64;
module_param_named(net_bindings_max, exo_net_bindings_max, uint, 0444);
MODULE_PARM_DESC(net_bindings_max,
		 "Most filter bindings one environment may hold, 1..4095 (default 64)");

uint exo_net_shapes_max = 32;
module_param_named(net_shapes_max, exo_net_shapes_max, uint, 0444);
MODULE_PARM_DESC(net_shapes_max,
		 "Most distinct filter shapes in one device's decision structure: bounds the per-frame cost, 1..1024 (default 32)");

/* Protects what the Locking paragraph at the top says. */
DEFINE_MUTEX(exo_net_lock);
LIST_HEAD(exo_net_devs);		/* exo_net_lock */
DEFINE_IDR(exo_net_ids);		/* exo_net_lock */
u32 exo_net_nbindings;		/* exo_net_lock: ids in exo_net_ids */
struct workqueue_struct *exo_net_wq;

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
		st.ash_replied = atomic64_read(&b->ash_replied);
		st.ash_dropped = atomic64_read(&b->ash_dropped);
		st.ash_faults = atomic64_read(&b->ash_faults);
		st.ash_refused = atomic64_read(&b->ash_refused);
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
	case EXO_IOC_NET_ASH_SET:
		return exo_net_ash_set_ioctl(env, uarg);
	default:
		return -ENOTTY;
	}
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

/* ---- generic netlink: EXO_CMD_GET_NET ------------------------------------ */

static int exo_net_genl_put_filter(struct sk_buff *skb,
				   const struct exo_filter *filter)
{
	struct nlattr *nest = nla_nest_start(skb, EXO_ATTR_NET_FILTER);
	struct exo_net_atom atom;
	u32 a;

	if (!nest)
		return -EMSGSIZE;
	for (a = 0; a < filter->natoms; a++) {
		memset(&atom, 0, sizeof(atom));
		atom.offset = filter->atoms[a].off;
		atom.width = filter->atoms[a].len;
		atom.mask = filter->atoms[a].mask;
		atom.value = filter->atoms[a].value;
		if (nla_put(skb, EXO_ATTR_NET_ATOM, sizeof(atom), &atom)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int exo_net_genl_fill_binding(struct sk_buff *skb,
				     struct netlink_callback *cb,
				     struct exo_net_dev *nd,
				     struct exo_net_binding *b)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_NET);
	u64 matched, delivered, dropped;

	lockdep_assert_held(&exo_net_lock);
	if (!hdr)
		return -EMSGSIZE;
	spin_lock_bh(&b->lock);
	matched = b->matched;
	delivered = b->delivered;
	dropped = b->dropped;
	spin_unlock_bh(&b->lock);
	if (nla_put_u32(skb, EXO_ATTR_NET_BINDING, b->id) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, b->env->id, EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_NET_IFINDEX, nd->dev->ifindex) ||
	    nla_put_string(skb, EXO_ATTR_NET_DEV, nd->dev->name) ||
	    nla_put_u32(skb, EXO_ATTR_NET_RING_SLOTS, b->slots) ||
	    nla_put_u32(skb, EXO_ATTR_NET_SLOT_SIZE, b->slot_size) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_NET_MATCHED, matched, EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_NET_DELIVERED, delivered,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_NET_DROPPED, dropped, EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_NET_TX, atomic64_read(&b->tx),
			      EXO_ATTR_PAD) ||
	    exo_net_genl_put_filter(skb, &b->filter)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0]: bindings already sent, counted in walk order. */
int exo_net_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct exo_net_binding *b;
	struct exo_net_dev *nd;
	unsigned long pos = 0;
	int ret = 0;

	mutex_lock(&exo_net_lock);
	list_for_each_entry(nd, &exo_net_devs, node) {
		list_for_each_entry(b, &nd->bindings, dev_node) {
			if (pos++ < cb->args[0])
				continue;
			ret = exo_net_genl_fill_binding(skb, cb, nd, b);
			if (ret)
				goto out;
			cb->args[0] = pos;
		}
	}
out:
	mutex_unlock(&exo_net_lock);
	/* A full skb ends this round; the dump goes on in the next. */
	return ret == -EMSGSIZE ? skb->len : ret ? ret : skb->len;
}

static int exo_net_env_init(struct exo_env *env)
{
	INIT_LIST_HEAD(&env->net.bindings);
	INIT_LIST_HEAD(&env->net.caps_in);
	env->net.nbindings = 0;
	return 0;
}

/* Close or kill -9: every filter goes, and frames reach the host again. */
void exo_net_env_destroy(struct exo_env *env)
{
	struct exo_net_binding *b, *tmp;
	bool had;

	mutex_lock(&exo_net_lock);
	had = !list_empty(&env->net.bindings) || !list_empty(&env->net.caps_in);
	exo_net_caps_drop_grantee(env);
	list_for_each_entry_safe(b, tmp, &env->net.bindings, env_node)
		exo_net_remove(b, EXO_WHY_CLOSE);
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
			seq_printf(m, "  binding %u env %llu slots %u slot_size %u matched %llu delivered %llu dropped %llu tx %lld caps %u\n",
				   b->id, b->env->id, b->slots, b->slot_size,
				   b->matched, b->delivered, b->dropped,
				   atomic64_read(&b->tx), b->ncaps);
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
	exo_net_device_debugfs_init(dir);
}

/*
 * The ingress static keys, held while exo.ko is loaded, so that no bind's
 * hook takes one from 0 to 1 or back: binding then patches no kernel text.
 * A patch is a text_poke_bp() with IPIs to every CPU, and under QEMU's
 * multi-threaded TCG another vCPU has run such a patch's int3 after it
 * was done ("Oops: int3", and soft lockups, in __netif_receive_skb_core
 * at the ingress key's jump while a test bound and unbound filters).
 */
static void exo_net_keys_hold(void)
{
	net_inc_ingress_queue();
#ifdef CONFIG_JUMP_LABEL
	static_key_slow_inc(&nf_hooks_needed[NFPROTO_NETDEV][NF_NETDEV_INGRESS]);
#endif
}

static void exo_net_keys_release(void)
{
#ifdef CONFIG_JUMP_LABEL
	static_key_slow_dec(&nf_hooks_needed[NFPROTO_NETDEV][NF_NETDEV_INGRESS]);
#endif
	net_dec_ingress_queue();
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
	if (ret) {
		destroy_workqueue(exo_net_wq);
		return ret;
	}
	exo_net_keys_hold();
	return 0;
}

static void exo_net_exit(void)
{
	unregister_netdevice_notifier(&exo_net_notifier);
	exo_net_device_exit();
	/* Every environment is gone; let the deferred frees run. */
	rcu_barrier();
	destroy_workqueue(exo_net_wq);
	idr_destroy(&exo_net_ids);
	exo_net_keys_release();
}

const struct exo_binding_ops exo_net_ops = {
	.name		= "net",
	.feature	= EXO_FEATURE_NET,
	.ioctl_block	= EXO_IOCTL_BLOCK(EXO_NR_NET_INFO),
	.ioctls		= EXO_IOCTL_BIT(EXO_NR_NET_INFO) |
			  EXO_IOCTL_BIT(EXO_NR_NET_BIND) |
			  EXO_IOCTL_BIT(EXO_NR_NET_UNBIND) |
			  EXO_IOCTL_BIT(EXO_NR_NET_TX) |
			  EXO_IOCTL_BIT(EXO_NR_NET_STATS) |
			  EXO_IOCTL_BIT(EXO_NR_NET_ASH_SET),
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
	.cap_kind	= EXO_CAP_NET,
	.cap_grant	= exo_net_cap_grant,
	.cap_revoke	= exo_net_cap_revoke,
};
