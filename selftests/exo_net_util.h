/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the network binding's selftests (net_test, isolation_test):
 * raw NET ioctls, filters, and a veth lab with the far end in a namespace
 * of its own. Include after exo_test_util.h.
 */
#ifndef EXO_NET_UTIL_H
#define EXO_NET_UTIL_H

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../libexo/veth.h"
#include <exo/exo.h>

#define NET_LAB_DEV	"exot0"
#define NET_LAB_PEER	"exot0p"
#define NET_HOST_IP	"10.77.0.1"	/* the near end's host address */
#define NET_PEER_IP	"10.77.0.2"	/* the far end */
#define NET_LIBOS_IP	0x0a4d0003	/* 10.77.0.3: no host has it */
/* Devices stacked on the near end by some tests; the fixture removes them. */
#define NET_LAB_VLAN	"exot0.5"	/* VLAN 5 over NET_LAB_DEV */
#define NET_LAB_VID	5
#define NET_LAB_BRIDGE	"exob0"
#define NET_LAB_MACVLAN	"exom0"

/* IPv4 (no options), UDP, destination port @port: host-safe if the port is free. */
static inline __u32 net_udp_port_atoms(struct exo_net_atom *a, __u16 port)
{
	a[0] = exo_net_atom(12, 2, 0xffff, 0x0800);
	a[1] = exo_net_atom(14, 1, 0xff, 0x45);
	a[2] = exo_net_atom(23, 1, 0xff, 17);
	a[3] = exo_net_atom(36, 2, 0xffff, port);
	return 4;
}

/* IPv4 to @ip (host order): host-safe if no host has the address. */
static inline __u32 net_ip_dst_atoms(struct exo_net_atom *a, __u32 ip)
{
	a[0] = exo_net_atom(12, 2, 0xffff, 0x0800);
	a[1] = exo_net_atom(30, 4, 0xffffffff, ip);
	return 2;
}

static inline void net_bind_init(struct exo_net_bind *b, int ifindex,
				 const struct exo_net_atom *atoms, __u32 natoms)
{
	memset(b, 0, sizeof(*b));
	b->argsz = sizeof(*b);
	b->ifindex = ifindex;
	b->natoms = natoms;
	b->ring_slots = 16;
	b->slot_size = 2048;
	memcpy(b->atoms, atoms, natoms * sizeof(*atoms));
}

/* Bind: 0 or errno; the binding id in *@id. */
static inline int net_bind(int fd, int ifindex, const struct exo_net_atom *atoms,
			   __u32 natoms, __u32 flags, __u32 *id)
{
	struct exo_net_bind b;
	int err;

	net_bind_init(&b, ifindex, atoms, natoms);
	b.flags = flags;
	err = exo_ioc(fd, EXO_IOC_NET_BIND, &b);
	if (!err && id)
		*id = b.binding_id;
	return err;
}

static inline int net_unbind(int fd, __u32 id)
{
	struct exo_net_unbind u = { .argsz = sizeof(u), .binding_id = id };

	return exo_ioc(fd, EXO_IOC_NET_UNBIND, &u);
}

static inline int net_stats(int fd, __u32 id, struct exo_net_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->argsz = sizeof(*st);
	st->binding_id = id;
	return exo_ioc(fd, EXO_IOC_NET_STATS, st);
}

static inline int net_tx(int fd, __u32 id, const void *frame, __u32 len)
{
	struct exo_net_tx t = { .argsz = sizeof(t), .binding_id = id,
				.len = len, .frame = (__u64)(unsigned long)frame };

	return exo_ioc(fd, EXO_IOC_NET_TX, &t);
}

static inline __u64 net_ring_offset(__u32 id)
{
	return EXO_MMAP_NET + ((__u64)id << EXO_NET_RING_SHIFT);
}

/* Map binding @id's ring of @len bytes on @fd: the address, or NULL (errno). */
static inline struct exo_net_ring *net_ring_map(int fd, __u32 id, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)net_ring_offset(id));

	return p == MAP_FAILED ? NULL : p;
}

/* Wait (bounded) until binding @id has matched @n frames; 0 or ETIMEDOUT. */
static inline int net_wait_matched(int fd, __u32 id, __u64 n)
{
	struct exo_net_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		if (net_stats(fd, id, &st))
			return EIO;
		if (st.matched >= n)
			return 0;
		usleep(10000);
	}
	return ETIMEDOUT;
}

/* Send @len bytes from the far end to @ip:@port with UDP socket @s. */
static inline int net_peer_send(int s, const char *ip, __u16 port,
				const void *buf, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &to.sin_addr);
	return sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)len ? 0 : errno;
}

/* A host UDP socket bound to @ip:@port in the caller's namespace, or -errno. */
static inline int net_host_udp(const char *ip, __u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		int err = errno;

		close(s);
		return -err;
	}
	return s;
}

/* Receive on @s within @timeout_ms: bytes, or -errno (-ETIMEDOUT). */
static inline ssize_t net_recv_within(int s, void *buf, size_t len, int timeout_ms)
{
	int rev = exo_poll1(s, POLLIN, timeout_ms);
	ssize_t got;

	if (rev < 0)
		return rev;
	if (!(rev & POLLIN))
		return -ETIMEDOUT;
	got = recv(s, buf, len, MSG_DONTWAIT);
	return got < 0 ? -errno : got;
}

/*
 * Create device @name of @kind ("vlan", "bridge", "macvlan"), over device
 * @link if not 0, with VLAN id @vid if not 0. 0 or -errno; -EOPNOTSUPP if
 * the kernel has no such kind.
 */
static inline int net_link_add(const char *name, const char *kind, int link,
			       __u16 vid)
{
	struct rtattr *linkinfo, *data;
	struct veth_msg m;

	veth_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(struct ifinfomsg));
	veth_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	if (link)
		veth_attr(&m, IFLA_LINK, &link, sizeof(link));
	linkinfo = veth_attr(&m, IFLA_LINKINFO, NULL, 0);
	veth_attr(&m, IFLA_INFO_KIND, kind, strlen(kind));
	if (vid) {
		data = veth_attr(&m, IFLA_INFO_DATA, NULL, 0);
		veth_attr(&m, IFLA_VLAN_ID, &vid, sizeof(vid));
		veth_nest_end(&m.nh, data);
	}
	veth_nest_end(&m.nh, linkinfo);
	return veth_talk(&m.nh);
}

/* Enslave @name to device @master (0: release it). 0 or -errno. */
static inline int net_link_set_master(const char *name, int master)
{
	struct veth_msg m;

	veth_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	m.ifi.ifi_index = if_nametoindex(name);
	if (!m.ifi.ifi_index)
		return -ENODEV;
	veth_attr(&m, IFLA_MASTER, &master, sizeof(master));
	return veth_talk(&m.nh);
}

/* The Ethernet address of @name in the caller's namespace: 0 or -errno. */
static inline int net_dev_mac(const char *name, unsigned char *mac)
{
	struct ifreq ifr;
	int s, ret = 0;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (s >= 0)
		close(s);
	return ret;
}

struct net_raw_frame {
	const char *dev;
	const void *frame;
	size_t len;
};

/* Send one whole Ethernet frame, as it is, out of a device here. */
static inline int net_raw_send_here(void *arg)
{
	const struct net_raw_frame *r = arg;
	struct sockaddr_ll sll;
	int s, ret = 0;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(r->dev);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, r->frame, ETH_ALEN);
	if (!sll.sll_ifindex)
		return -ENODEV;
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sendto(s, r->frame, r->len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != (ssize_t)r->len)
		ret = -errno;
	close(s);
	return ret;
}

/* Send a hand-built frame from the far end, towards the near end. */
static inline int net_peer_raw_send(struct veth_lab *lab, const void *frame,
				    size_t len)
{
	struct net_raw_frame r = { lab->peer, frame, len };

	return veth_in_peer(lab, net_raw_send_here, &r);
}

/* IPv6 on the lab, added by net_lab_up6(): a ULA prefix, no DAD. */
#define NET_HOST_IP6	"fd77::1"
#define NET_PEER_IP6	"fd77::2"
#define NET_LIBOS_IP6	"fd77::3"	/* no host has it */

/* IPv6 (Next Header UDP: no extension header), destination port @port. */
static inline __u32 net_udp6_port_atoms(struct exo_net_atom *a, __u16 port)
{
	a[0] = exo_net_atom(12, 2, 0xffff, 0x86dd);
	a[1] = exo_net_atom(20, 1, 0xff, 17);
	a[2] = exo_net_atom(56, 2, 0xffff, port);
	return 3;
}

static inline __u64 net_be64(const unsigned char *p)
{
	__u64 x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

/* IPv6 to @ip (text): host-safe if no host has the address. */
static inline __u32 net_ip6_dst_atoms(struct exo_net_atom *a, const char *ip)
{
	unsigned char addr[16] = { 0 };

	inet_pton(AF_INET6, ip, addr);
	a[0] = exo_net_atom(12, 2, 0xffff, 0x86dd);
	a[1] = exo_net_atom(38, 8, ~0ULL, net_be64(addr));
	a[2] = exo_net_atom(46, 8, ~0ULL, net_be64(addr + 8));
	return 3;
}

/* Add IPv6 @ip/@prefix to @name, usable at once (no DAD). 0 or -errno. */
static inline int net_addr6_add(const char *name, const char *ip, int prefix)
{
	struct in6_addr a;
	struct veth_msg m;

	if (inet_pton(AF_INET6, ip, &a) != 1)
		return -EINVAL;
	veth_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(struct ifaddrmsg));
	m.ifa.ifa_family = AF_INET6;
	m.ifa.ifa_prefixlen = prefix;
	m.ifa.ifa_flags = IFA_F_NODAD;
	m.ifa.ifa_index = if_nametoindex(name);
	if (!m.ifa.ifa_index)
		return -ENODEV;
	veth_attr(&m, IFA_LOCAL, &a, sizeof(a));
	veth_attr(&m, IFA_ADDRESS, &a, sizeof(a));
	return veth_talk(&m.nh);
}

static inline int net_peer_addr6_add(void *arg)
{
	return net_addr6_add(NET_LAB_PEER, arg, 64);
}

/*
 * IPv6 addresses on both ends of the lab: 0, -EAFNOSUPPORT if the kernel
 * has no IPv6, or -errno.
 */
static inline int net_lab_up6(struct veth_lab *lab)
{
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	if (s < 0)
		return -errno;
	close(s);
	ret = net_addr6_add(NET_LAB_DEV, NET_HOST_IP6, 64);
	if (!ret)
		ret = veth_in_peer(lab, net_peer_addr6_add, (void *)NET_PEER_IP6);
	return ret;
}

/*
 * A host UDP socket bound to [@ip]:@port ("::" for any), IPv6 only if
 * @v6only, or -errno.
 */
static inline int net_host_udp6(const char *ip, __u16 port, int v6only)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a))) {
		int err = errno;

		close(s);
		return -err;
	}
	return s;
}

/* Send @len bytes from the far end to [@ip]:@port with UDP/IPv6 socket @s. */
static inline int net_peer_send6(int s, const char *ip, __u16 port,
				 const void *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };

	inet_pton(AF_INET6, ip, &to.sin6_addr);
	return sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)len ? 0 : errno;
}

static inline int net_lab_up(struct veth_lab *lab)
{
	return veth_lab_setup(lab, NET_LAB_DEV, NET_LAB_PEER, NET_HOST_IP,
			      NET_PEER_IP, 24);
}

#endif /* EXO_NET_UTIL_H */
