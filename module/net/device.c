// SPDX-License-Identifier: GPL-2.0
/*
 * Devices: one exo_net_dev per bound device, which holds the hook while it
 * has bindings, and the notifier that revokes bindings when a device goes
 * down, goes away or becomes another's port.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

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

struct exo_net_dev *exo_net_dev_get(struct net_device *dev)
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
void exo_net_dev_put(struct exo_net_dev *nd)
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
void exo_net_remove(struct exo_net_binding *b)
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
bool exo_net_dev_is_port(struct net_device *dev)
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

struct notifier_block exo_net_notifier = {
	.notifier_call = exo_net_notify,
};
