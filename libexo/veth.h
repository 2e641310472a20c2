/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * A veth pair with its far end in a network namespace of its own: a tiny
 * link to test a libOS on, in a guest with no network device. Shared by
 * samples (udp_echo, exo-bench) and selftests (exo_net_util.h), which both
 * sit above libexo; not installed, not part of libexo's API. rtnetlink by
 * hand, so that nothing beyond libc is needed.
 *
 * The near end stays in the caller's namespace, the far end ("peer") goes
 * to a new one. Threads of the caller keep the caller's namespace;
 * veth_peer_socket() and veth_peer_run() reach into the peer's.
 */
#ifndef LIBEXO_VETH_H
#define LIBEXO_VETH_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct veth_lab {
	int self_ns;		/* the caller's network namespace */
	int peer_ns;		/* the far end's */
	int ifindex;		/* the near end, in the caller's namespace */
	char name[IFNAMSIZ];	/* the near end */
	char peer[IFNAMSIZ];	/* the far end */
};

struct veth_msg {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[512];
};

/* On the whole message, not its header, so that the compiler sees its size. */
static inline struct rtattr *veth_attr(struct veth_msg *m, int type,
				       const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)m +
					       NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static inline void veth_nest_end(struct nlmsghdr *nh, struct rtattr *rta)
{
	rta->rta_len = (char *)nh + nh->nlmsg_len - (char *)rta;
}

/* Send one request and wait for its ack: 0 or -errno. */
static inline int veth_talk(struct nlmsghdr *nh)
{
	char buf[4096];
	struct nlmsghdr *r;
	int s, ret = -EIO;
	ssize_t n;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(s, nh, nh->nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(s, buf, sizeof(buf), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	r = (struct nlmsghdr *)buf;
	if (NLMSG_OK(r, (unsigned int)n) && r->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
out:
	close(s);
	return ret;
}

static inline void veth_msg_init(struct veth_msg *m, int type, int flags,
				 size_t body)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(body);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = flags;
}

static inline int veth_link_up(const char *name)
{
	struct veth_msg m;

	veth_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	m.ifi.ifi_index = if_nametoindex(name);
	if (!m.ifi.ifi_index)
		return -ENODEV;
	m.ifi.ifi_flags = IFF_UP;
	m.ifi.ifi_change = IFF_UP;
	return veth_talk(&m.nh);
}

static inline int veth_link_del(const char *name)
{
	struct veth_msg m;

	veth_msg_init(&m, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	m.ifi.ifi_index = if_nametoindex(name);
	if (!m.ifi.ifi_index)
		return -ENODEV;
	return veth_talk(&m.nh);
}

static inline int veth_addr_add(const char *name, const char *ip, int prefix)
{
	struct veth_msg m;
	struct in_addr a;

	if (inet_pton(AF_INET, ip, &a) != 1)
		return -EINVAL;
	veth_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(struct ifaddrmsg));
	m.ifa.ifa_family = AF_INET;
	m.ifa.ifa_prefixlen = prefix;
	m.ifa.ifa_index = if_nametoindex(name);
	if (!m.ifa.ifa_index)
		return -ENODEV;
	veth_attr(&m, IFA_LOCAL, &a, 4);
	veth_attr(&m, IFA_ADDRESS, &a, 4);
	return veth_talk(&m.nh);
}

/* Run @fn(@arg) in the peer's namespace: its result, or -errno. */
static inline int veth_in_peer(struct veth_lab *lab, int (*fn)(void *), void *arg)
{
	int ret;

	if (setns(lab->peer_ns, CLONE_NEWNET))
		return -errno;
	ret = fn(arg);
	if (setns(lab->self_ns, CLONE_NEWNET) && !ret)
		ret = -errno;
	return ret;
}

struct veth_peer_cfg {
	const char *name;
	const char *ip;
	int prefix;
};

static inline int veth_peer_setup(void *arg)
{
	struct veth_peer_cfg *cfg = arg;
	int ret;

	ret = veth_link_up("lo");
	if (!ret)
		ret = veth_link_up(cfg->name);
	if (!ret && cfg->ip)
		ret = veth_addr_add(cfg->name, cfg->ip, cfg->prefix);
	return ret;
}

/*
 * Create @name (here, address @ip/@prefix if @ip) and @peer (in a new
 * namespace, address @peer_ip/@prefix), both up. 0 or -errno.
 */
static inline int veth_lab_setup(struct veth_lab *lab, const char *name,
				 const char *peer, const char *ip,
				 const char *peer_ip, int prefix)
{
	struct veth_peer_cfg cfg = { peer, peer_ip, prefix };
	struct rtattr *linkinfo, *data, *peerinfo;
	struct ifinfomsg peer_ifi;
	struct veth_msg m;
	int ret;

	memset(lab, 0, sizeof(*lab));
	lab->self_ns = lab->peer_ns = -1;
	snprintf(lab->name, sizeof(lab->name), "%s", name);
	snprintf(lab->peer, sizeof(lab->peer), "%s", peer);
	lab->self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lab->self_ns < 0)
		return -errno;
	if (unshare(CLONE_NEWNET))
		return -errno;
	lab->peer_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(lab->self_ns, CLONE_NEWNET) || lab->peer_ns < 0)
		return -errno;
	veth_link_del(name);	/* a leftover of an earlier run */

	veth_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		      sizeof(struct ifinfomsg));
	veth_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	linkinfo = veth_attr(&m, IFLA_LINKINFO, NULL, 0);
	veth_attr(&m, IFLA_INFO_KIND, "veth", 4);
	data = veth_attr(&m, IFLA_INFO_DATA, NULL, 0);
	peerinfo = veth_attr(&m, VETH_INFO_PEER, NULL, 0);
	memset(&peer_ifi, 0, sizeof(peer_ifi));
	/* The peer's ifinfomsg sits in front of its attributes. */
	memcpy(RTA_DATA(peerinfo), &peer_ifi, sizeof(peer_ifi));
	m.nh.nlmsg_len += NLMSG_ALIGN(sizeof(peer_ifi));
	veth_attr(&m, IFLA_IFNAME, peer, strlen(peer) + 1);
	veth_attr(&m, IFLA_NET_NS_FD, &lab->peer_ns, 4);
	veth_nest_end(&m.nh, peerinfo);
	veth_nest_end(&m.nh, data);
	veth_nest_end(&m.nh, linkinfo);
	ret = veth_talk(&m.nh);
	if (ret)
		return ret;
	lab->ifindex = if_nametoindex(name);
	ret = veth_link_up(name);
	if (!ret && ip)
		ret = veth_addr_add(name, ip, prefix);
	if (!ret)
		ret = veth_in_peer(lab, veth_peer_setup, &cfg);
	return ret;
}

static inline void veth_lab_teardown(struct veth_lab *lab)
{
	if (lab->name[0])
		veth_link_del(lab->name);
	if (lab->peer_ns >= 0)
		close(lab->peer_ns);
	if (lab->self_ns >= 0)
		close(lab->self_ns);
	lab->peer_ns = lab->self_ns = -1;
}

/* A socket that lives in the peer's namespace: the fd, or -errno. */
static inline int veth_peer_socket(struct veth_lab *lab, int domain, int type,
				   int proto)
{
	int s, err;

	if (setns(lab->peer_ns, CLONE_NEWNET))
		return -errno;
	s = socket(domain, type | SOCK_CLOEXEC, proto);
	err = errno;
	if (setns(lab->self_ns, CLONE_NEWNET)) {
		if (s >= 0)
			close(s);
		return -errno;
	}
	return s < 0 ? -err : s;
}

/* Run @argv in the peer's namespace and wait: its exit status, or -1. */
static inline int veth_peer_run(struct veth_lab *lab, char *const argv[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setns(lab->peer_ns, CLONE_NEWNET))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* LIBEXO_VETH_H */
