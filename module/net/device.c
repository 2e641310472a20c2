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

/*
 * Take @b off its device, for @why (EXO_WHY_*): frames go back to the
 * host stack at once.
 */
static void exo_net_detach(struct exo_net_binding *b, u32 why)
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
	trace_exo_unbind(b->env->id, EXO_TRACE_NET, -1, b->id, 1, why);
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

/*
 * Detach and forget @b entirely, for @why: its id is free, its env no
 * longer has it.
 */
void exo_net_remove(struct exo_net_binding *b, u32 why)
{
	lockdep_assert_held(&exo_net_lock);
	exo_net_caps_drop_binding(b);
	exo_net_detach(b, why);
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
		exo_net_detach(b, EXO_WHY_OFFLINE);
	} while (!last);
}

/*
 * An rx_handler can be attached without an upper device being linked, so
 * without the CHANGEUPPER that tells us. The hook checks for one on every
 * frame, passes the frame and asks for this sweep, which takes the
 * bindings off every device that became a port, visibly.
 */
static void exo_net_port_sweep(struct work_struct *work)
{
	struct exo_net_dev *nd, *next;

	rtnl_lock();
	mutex_lock(&exo_net_lock);
	list_for_each_entry_safe(nd, next, &exo_net_devs, node)
		if (exo_net_dev_is_port(nd->dev))
			exo_net_revoke_dev(nd, EXO_NET_DOWN_PORT);
	mutex_unlock(&exo_net_lock);
	rtnl_unlock();
}

static DECLARE_WORK(exo_net_port_work, exo_net_port_sweep);

/* From the hook: its device has an rx_handler now. */
void exo_net_port_found(void)
{
	queue_work(exo_net_wq, &exo_net_port_work);
}

/*
 * Test support (debugfs net_rx_handler): a pass-through rx_handler that
 * can be put on a device without linking any upper device, which no
 * in-tree driver does but any module could. Under RTNL.
 */
static struct net_device *exo_net_test_rx_dev;

static rx_handler_result_t exo_net_test_rx(struct sk_buff **pskb)
{
	return RX_HANDLER_PASS;
}

static void exo_net_test_rx_detach(void)
{
	ASSERT_RTNL();
	if (!exo_net_test_rx_dev)
		return;
	netdev_rx_handler_unregister(exo_net_test_rx_dev);
	dev_put(exo_net_test_rx_dev);
	exo_net_test_rx_dev = NULL;
}

static int exo_net_test_rx_get(void *data, u64 *val)
{
	rtnl_lock();
	*val = exo_net_test_rx_dev ? exo_net_test_rx_dev->ifindex : 0;
	rtnl_unlock();
	return 0;
}

/* Write an ifindex (in the writer's namespace) to attach, 0 to detach. */
static int exo_net_test_rx_set(void *data, u64 val)
{
	struct net_device *dev;
	int ret = 0;

	if (val > INT_MAX)
		return -EINVAL;
	rtnl_lock();
	exo_net_test_rx_detach();
	if (val) {
		dev = __dev_get_by_index(current->nsproxy->net_ns, val);
		ret = dev ? netdev_rx_handler_register(dev, exo_net_test_rx,
						       NULL) : -ENODEV;
		if (!ret) {
			dev_hold(dev);
			exo_net_test_rx_dev = dev;
		}
	}
	rtnl_unlock();
	return ret;
}

DEFINE_DEBUGFS_ATTRIBUTE(exo_net_test_rx_fops, exo_net_test_rx_get,
			 exo_net_test_rx_set, "%llu\n");

void exo_net_device_debugfs_init(struct dentry *dir)
{
	debugfs_create_file_unsafe("net_rx_handler", 0600, dir, NULL,
				   &exo_net_test_rx_fops);
}

void exo_net_device_exit(void)
{
	rtnl_lock();
	exo_net_test_rx_detach();
	rtnl_unlock();
	flush_work(&exo_net_port_work);
}

static int exo_net_notify(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct exo_net_dev *nd;
	u64 why;

	switch (event) {
	case NETDEV_UNREGISTER:
		if (dev == exo_net_test_rx_dev)
			exo_net_test_rx_detach();
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
