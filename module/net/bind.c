// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a filter: which devices and destinations it may claim (the
 * policy), the overlap check across environments, BIND and UNBIND.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

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

/*
 * Take UDP or TCP port @port of @family for good: a kernel socket bound to
 * the wildcard address, in *@port_sock. IPv6 only for IPv6 (IPV6_V6ONLY):
 * an IPv6 filter takes no IPv4 frame, so the IPv4 port stays the host's.
 * -EADDRINUSE if a host socket holds it (a dual-stack one included).
 */
static int exo_net_hold_port(struct net *net, int family, u64 proto, u64 port,
			     struct socket **port_sock)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM, len, ret;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct socket *sock;

	ret = sock_create_kern(net, family, type, proto, &sock);
	if (ret)
		return ret;
	if (family == AF_INET6) {
		ret = ip6_sock_set_v6only(sock->sk);
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	}
	if (!ret)
		ret = kernel_bind(sock, (struct sockaddr *)&ss, len);
	if (ret) {
		sock_release(sock);
		return ret;
	}
	*port_sock = sock;
	return 0;
}

/*
 * The 16 bytes at @off, if @f pins them all, in *@addr. exo_filter_pinned
 * tells at most 8 at a time.
 */
static bool exo_net_pinned_in6(const struct exo_filter *f, u32 off,
			       struct in6_addr *addr)
{
	u64 hi, lo;

	if (!exo_filter_pinned(f, off, 8, &hi) ||
	    !exo_filter_pinned(f, off + 8, 8, &lo))
		return false;
	addr->s6_addr32[0] = htonl(hi >> 32);
	addr->s6_addr32[1] = htonl((u32)hi);
	addr->s6_addr32[2] = htonl(lo >> 32);
	addr->s6_addr32[3] = htonl((u32)lo);
	return true;
}

/*
 * Whether the host takes IPv6 traffic to @addr: multicast, which it
 * listens to (NDP, MLD), and its own addresses on any device of @net,
 * link-local ones and those still tentative (DAD) included.
 */
static bool exo_net_host_addr6(struct net *net, const struct in6_addr *addr)
{
	if (ipv6_addr_is_multicast(addr))
		return true;
	return ipv6_chk_addr_and_flags(net, addr, NULL, false, 0, 0) > 0;
}

/*
 * May @f take frames the host stack of @net uses? Not if it pins an IPv4
 * UDP or TCP destination port (no IPv4 options), or an IPv6 one (Next
 * Header UDP or TCP, so the port sits right after the fixed header), that
 * no host socket holds: it then takes the port, in *@port_sock, so that
 * none can bind it later. Nor if it pins an IPv4 or IPv6 destination or
 * ARP target address that is not @net's own. 0 if safe; -EADDRINUSE if
 * not, or if it is IPv6 and the kernel has none.
 */
static int exo_net_host_check(struct net *net, const struct exo_filter *f,
			      struct socket **port_sock)
{
	u64 type, vhl, proto, port, addr;
	struct in6_addr addr6;

	*port_sock = NULL;
	if (!exo_filter_pinned(f, 12, 2, &type))
		return -EADDRINUSE;
	if (type == ETH_P_IP && exo_filter_pinned(f, 14, 1, &vhl) && vhl == 0x45 &&
	    exo_filter_pinned(f, 23, 1, &proto) &&
	    (proto == IPPROTO_UDP || proto == IPPROTO_TCP) &&
	    exo_filter_pinned(f, 36, 2, &port))
		return exo_net_hold_port(net, AF_INET, proto, port, port_sock);
	if (type == ETH_P_IP && exo_filter_pinned(f, 30, 4, &addr))
		return exo_net_host_addr(net, addr) ? -EADDRINUSE : 0;
	if (type == ETH_P_ARP && exo_filter_pinned(f, 38, 4, &addr))
		return exo_net_host_addr(net, addr) ? -EADDRINUSE : 0;
	if (type != ETH_P_IPV6 || !IS_ENABLED(CONFIG_IPV6))
		return -EADDRINUSE;
	if (exo_filter_pinned(f, ETH_HLEN + 6, 1, &proto) &&
	    (proto == IPPROTO_UDP || proto == IPPROTO_TCP) &&
	    exo_filter_pinned(f, ETH_HLEN + sizeof(struct ipv6hdr) + 2, 2, &port))
		return exo_net_hold_port(net, AF_INET6, proto, port, port_sock);
	if (exo_net_pinned_in6(f, ETH_HLEN + 24, &addr6))
		return exo_net_host_addr6(net, &addr6) ? -EADDRINUSE : 0;
	return -EADDRINUSE;
}

/* ---- ioctls ------------------------------------------------------------- */

struct exo_net_binding *exo_net_lookup(struct exo_env *env, u32 id,
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
	INIT_LIST_HEAD(&b->caps);
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

long exo_net_bind_ioctl(struct exo_env *env, void __user *uarg)
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
	b->per_segment = exo_filter_reads_per_segment(&b->filter);
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
	trace_exo_bind(env->id, EXO_TRACE_NET, -1, b->id, 1, EXO_WHY_CALL);
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
			exo_net_remove(b, EXO_WHY_UNDO);
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

long exo_net_unbind_ioctl(struct exo_env *env, void __user *uarg)
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
		exo_net_remove(b, EXO_WHY_CALL);
	mutex_unlock(&exo_net_lock);
	return b ? 0 : ret;
}
