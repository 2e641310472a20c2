// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libexo's network binding: one wrapper per EXO_IOC_NET_* ioctl, then
 * rings (a binding and its mapped receive ring: peek, release, send), then
 * a small libOS UDP/IP on top of them: it answers ARP for its address and
 * ICMP echo requests, checks and fills IPv4 and UDP checksums, and sends and
 * receives UDP datagrams, so that the other end of the link sees a host.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

static __u64 net_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* ---- raw wrappers, one per ioctl --------------------------------------- */

LIBEXO_EXPORT int exo_net_info(struct exo *exo, struct exo_net_info *info)
{
	if (!exo || !info)
		return exo_err(EINVAL);
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return exo_ioctl(exo, EXO_IOC_NET_INFO, info);
}

LIBEXO_EXPORT int exo_net_bind(struct exo *exo, struct exo_net_bind *bind)
{
	if (!exo || !bind)
		return exo_err(EINVAL);
	bind->argsz = sizeof(*bind);
	return exo_ioctl(exo, EXO_IOC_NET_BIND, bind);
}

LIBEXO_EXPORT int exo_net_unbind(struct exo *exo, __u32 binding_id)
{
	struct exo_net_unbind arg = { .argsz = sizeof(arg),
				      .binding_id = binding_id };

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_NET_UNBIND, &arg);
}

LIBEXO_EXPORT int exo_net_tx(struct exo *exo, __u32 binding_id,
			     const void *frame, __u32 len)
{
	struct exo_net_tx arg = { .argsz = sizeof(arg), .binding_id = binding_id,
				  .len = len, .frame = net_ptr(frame) };

	if (!exo || !frame)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_NET_TX, &arg);
}

LIBEXO_EXPORT int exo_net_stats(struct exo *exo, __u32 binding_id,
				struct exo_net_stats *stats)
{
	if (!exo || !stats)
		return exo_err(EINVAL);
	memset(stats, 0, sizeof(*stats));
	stats->argsz = sizeof(*stats);
	stats->binding_id = binding_id;
	return exo_ioctl(exo, EXO_IOC_NET_STATS, stats);
}

LIBEXO_EXPORT int exo_net_ash_set(struct exo *exo, __u32 binding_id,
				  const struct exo_ash_insn *prog, __u32 len,
				  __u32 *bad_pc)
{
	struct exo_net_ash_set arg;
	int ret;

	if (!exo || (len && !prog))
		return exo_err(EINVAL);
	memset(&arg, 0, sizeof(arg));
	arg.argsz = sizeof(arg);
	arg.binding_id = binding_id;
	arg.len = len;
	arg.prog = (__u64)(uintptr_t)prog;
	ret = exo_ioctl(exo, EXO_IOC_NET_ASH_SET, &arg);
	if (ret == -EINVAL && bad_pc)
		*bad_pc = arg.bad_pc;
	return ret;
}

/* ---- rings ------------------------------------------------------------- */

struct exo_ring {
	struct exo *exo;
	__u32 id;
	__u32 slots;
	__u32 slot_size;
	size_t len;
	struct exo_net_ring *hdr;	/* the mapping */
	unsigned char *data;		/* slot 0 */
	bool attached;			/* another's, through a cap */
	bool tap;			/* read-only: @cursor, not @consumer */
	__u32 cursor;
};

LIBEXO_EXPORT struct exo_ring *exo_ring_create(struct exo *exo, __u32 flags,
					       __u32 ifindex,
					       const struct exo_net_atom *atoms,
					       __u32 natoms, __u32 slots,
					       __u32 slot_size)
{
	struct exo_net_bind bind;
	struct exo_ring *ring;
	void *map;
	int err;

	if (!exo || !atoms || natoms > EXO_NET_ATOMS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	memset(&bind, 0, sizeof(bind));
	bind.flags = flags;
	bind.ifindex = ifindex;
	bind.natoms = natoms;
	bind.ring_slots = slots;
	bind.slot_size = slot_size;
	memcpy(bind.atoms, atoms, natoms * sizeof(*atoms));
	if (exo_net_bind(exo, &bind))
		return NULL;
	map = mmap(NULL, bind.ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   exo->fd, (off_t)bind.ring_offset);
	ring = calloc(1, sizeof(*ring));
	if (map == MAP_FAILED || !ring) {
		err = map == MAP_FAILED ? errno : ENOMEM;
		if (map != MAP_FAILED)
			munmap(map, bind.ring_len);
		free(ring);
		exo_net_unbind(exo, bind.binding_id);
		errno = err;
		return NULL;
	}
	ring->exo = exo;
	ring->id = bind.binding_id;
	ring->slots = slots;
	ring->slot_size = slot_size;
	ring->len = bind.ring_len;
	ring->hdr = map;
	ring->data = (unsigned char *)map + ring->hdr->data_offset;
	return ring;
}

LIBEXO_EXPORT struct exo_ring *exo_ring_attach(struct exo *exo,
					       __u32 binding_id, bool writable)
{
	off_t off = (off_t)(EXO_MMAP_NET +
			    ((__u64)binding_id << EXO_NET_RING_SHIFT));
	long page = sysconf(_SC_PAGESIZE);
	struct exo_net_ring hdr;
	struct exo_ring *ring;
	size_t len;
	void *map;
	int err;

	if (!exo || !binding_id)
		return exo_err_ptr(EINVAL);
	/* The header says how long the ring is; the owner may write it too. */
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, exo->fd, off);
	if (map == MAP_FAILED)
		return NULL;
	memcpy(&hdr, map, sizeof(hdr));
	munmap(map, page);
	if (!hdr.slots || (hdr.slots & (hdr.slots - 1)) ||
	    hdr.slot_size <= sizeof(struct exo_net_slot) ||
	    hdr.data_offset < sizeof(hdr) ||
	    (__u64)hdr.slots * hdr.slot_size + hdr.data_offset >
	    (1ULL << EXO_NET_RING_SHIFT))
		return exo_err_ptr(EBADMSG);
	len = hdr.data_offset + (size_t)hdr.slots * hdr.slot_size;
	len = (len + page - 1) & ~(size_t)(page - 1);
	map = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		   MAP_SHARED, exo->fd, off);
	if (map == MAP_FAILED)
		return NULL;
	ring = calloc(1, sizeof(*ring));
	if (!ring) {
		err = errno;
		munmap(map, len);
		return exo_err_ptr(err);
	}
	ring->exo = exo;
	ring->id = binding_id;
	ring->slots = hdr.slots;
	ring->slot_size = hdr.slot_size;
	ring->len = len;
	ring->hdr = map;
	ring->data = (unsigned char *)map + hdr.data_offset;
	ring->attached = true;
	ring->tap = !writable;
	ring->cursor = __atomic_load_n(&ring->hdr->consumer, __ATOMIC_RELAXED);
	return ring;
}

LIBEXO_EXPORT void exo_ring_destroy(struct exo_ring *ring)
{
	if (!ring)
		return;
	if (!ring->attached)
		exo_net_unbind(ring->exo, ring->id);
	munmap(ring->hdr, ring->len);
	free(ring);
}

LIBEXO_EXPORT __u32 exo_ring_id(const struct exo_ring *ring)
{
	return ring ? ring->id : 0;
}

LIBEXO_EXPORT const struct exo_net_ring *exo_ring_header(const struct exo_ring *ring)
{
	return ring ? ring->hdr : NULL;
}

LIBEXO_EXPORT int exo_ring_peek(struct exo_ring *ring,
				const struct exo_net_slot **slot,
				const void **frame)
{
	__u32 cons, prod;
	struct exo_net_slot *s;

	if (!ring || !slot || !frame)
		return exo_err(EINVAL);
	cons = ring->tap ? ring->cursor : ring->hdr->consumer;
	prod = __atomic_load_n(&ring->hdr->producer, __ATOMIC_ACQUIRE);
	if (cons == prod)
		return 0;
	s = (struct exo_net_slot *)(ring->data +
				    (size_t)(cons & (ring->slots - 1)) * ring->slot_size);
	/* Only a ring another environment also writes can hold this. */
	if (s->caplen > ring->slot_size - sizeof(*s))
		return exo_err(EBADMSG);
	*slot = s;
	*frame = s + 1;
	return 1;
}

LIBEXO_EXPORT void exo_ring_release(struct exo_ring *ring)
{
	if (!ring)
		return;
	if (ring->tap) {
		ring->cursor++;
		return;
	}
	/* The slot is read before the kernel may reuse it. */
	__atomic_store_n(&ring->hdr->consumer, ring->hdr->consumer + 1,
			 __ATOMIC_RELEASE);
}

LIBEXO_EXPORT int exo_ring_send(struct exo_ring *ring, const void *frame,
				__u32 len)
{
	if (!ring)
		return exo_err(EINVAL);
	return exo_net_tx(ring->exo, ring->id, frame, len);
}

LIBEXO_EXPORT int exo_ring_wait(struct exo *exo, int timeout_ms)
{
	struct pollfd pfd;
	int ret;

	if (!exo)
		return exo_err(EINVAL);
	pfd.fd = exo->fd;
	pfd.events = POLLRDBAND;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return exo_err(errno);
	return ret > 0 && (pfd.revents & POLLRDBAND);
}

/* ---- a libOS UDP/IP ------------------------------------------------------ */

#define ETH_HDR		14
#define IP_HDR		20
#define UDP_HDR		8
#define ARP_LEN		28
#define ARP_CACHE	16
#define UDPIP_SLOTS	256
#define UDPIP_SLOT	2048
#define UDPIP_MTU	1500

struct arp_entry {
	__u32 ip;			/* network order; 0: empty */
	__u8 mac[6];
};

struct exo_udpip {
	struct exo *exo;
	__u32 ifindex;
	__u32 ip;			/* network order */
	__u8 mac[6];
	struct exo_ring *arp;		/* ARP for our address */
	struct exo_ring *ipv4;		/* IPv4 to our address */
	struct arp_entry cache[ARP_CACHE];
	unsigned int cache_next;
	__u16 ip_id;
	struct exo_udpip_stats stats;
};

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The Internet checksum of @len bytes, folded, plus @sum. */
static __u16 inet_csum(const __u8 *p, size_t len, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __u32 udp_pseudo(const __u8 *ip, __u16 udp_len)
{
	return get16(ip + 12) + get16(ip + 14) + get16(ip + 16) + get16(ip + 18) +
	       17 + udp_len;
}

LIBEXO_EXPORT struct exo_net_atom exo_net_atom(__u16 offset, __u8 width,
					       __u64 mask, __u64 value)
{
	struct exo_net_atom a;

	memset(&a, 0, sizeof(a));
	a.offset = offset;
	a.width = width;
	a.mask = mask;
	a.value = value;
	return a;
}

static int dev_mac(__u32 ifindex, __u8 *mac)
{
	struct ifreq ifr;
	int s, ret = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return ret;
}

LIBEXO_EXPORT struct exo_udpip *exo_udpip_create(struct exo *exo,
						 const struct exo_udpip_opts *opts)
{
	static const __u8 zero[6];
	struct exo_net_atom atoms[2];
	struct exo_udpip *u;
	int err;

	if (!exo || !opts || !exo_opts_valid(opts, sizeof(*opts), opts->sz) ||
	    !opts->ifindex || !opts->ip) {
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		errno = ENOMEM;
		return NULL;
	}
	u->exo = exo;
	u->ifindex = opts->ifindex;
	u->ip = opts->ip;
	memcpy(u->mac, opts->mac, 6);
	if (!memcmp(u->mac, zero, 6)) {
		err = dev_mac(u->ifindex, u->mac);
		if (err)
			goto fail;
	}
	/* ARP whose target is us, and IPv4 whose destination is us. */
	atoms[0] = exo_net_atom(12, 2, 0xffff, 0x0806);
	atoms[1] = exo_net_atom(38, 4, 0xffffffff, ntohl(u->ip));
	u->arp = exo_ring_create(exo, opts->bind_flags, u->ifindex, atoms, 2,
				 UDPIP_SLOTS / 4, 128);
	if (!u->arp) {
		err = -errno;
		goto fail;
	}
	atoms[0] = exo_net_atom(12, 2, 0xffff, 0x0800);
	atoms[1] = exo_net_atom(30, 4, 0xffffffff, ntohl(u->ip));
	u->ipv4 = exo_ring_create(exo, opts->bind_flags, u->ifindex, atoms, 2,
				  UDPIP_SLOTS, UDPIP_SLOT);
	if (!u->ipv4) {
		err = -errno;
		goto fail;
	}
	return u;
fail:
	exo_ring_destroy(u->arp);
	free(u);
	errno = -err;
	return NULL;
}

LIBEXO_EXPORT void exo_udpip_destroy(struct exo_udpip *u)
{
	if (!u)
		return;
	exo_ring_destroy(u->ipv4);
	exo_ring_destroy(u->arp);
	free(u);
}

LIBEXO_EXPORT int exo_udpip_stats(const struct exo_udpip *u,
				  struct exo_udpip_stats *stats)
{
	if (!u || !stats)
		return exo_err(EINVAL);
	*stats = u->stats;
	return 0;
}

static void arp_learn(struct exo_udpip *u, __u32 ip, const __u8 *mac)
{
	unsigned int i;

	if (!ip || (mac[0] & 1))
		return;
	for (i = 0; i < ARP_CACHE; i++)
		if (u->cache[i].ip == ip) {
			memcpy(u->cache[i].mac, mac, 6);
			return;
		}
	u->cache[u->cache_next].ip = ip;
	memcpy(u->cache[u->cache_next].mac, mac, 6);
	u->cache_next = (u->cache_next + 1) % ARP_CACHE;
}

static const __u8 *arp_lookup(const struct exo_udpip *u, __u32 ip)
{
	unsigned int i;

	for (i = 0; i < ARP_CACHE; i++)
		if (u->cache[i].ip == ip)
			return u->cache[i].mac;
	return NULL;
}

static void eth_fill(__u8 *f, const __u8 *dst, const __u8 *src, __u16 type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
}

static int arp_send(struct exo_udpip *u, __u16 op, const __u8 *tha, __u32 tip)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	__u8 f[ETH_HDR + ARP_LEN];

	memset(f, 0, sizeof(f));
	eth_fill(f, op == 1 ? bcast : tha, u->mac, 0x0806);
	put16(f + 14, 1);		/* Ethernet */
	put16(f + 16, 0x0800);		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, u->mac, 6);
	memcpy(f + 28, &u->ip, 4);
	if (op == 2)
		memcpy(f + 32, tha, 6);
	memcpy(f + 38, &tip, 4);
	return exo_ring_send(u->arp, f, sizeof(f));
}

static void arp_input(struct exo_udpip *u, const __u8 *f, __u32 len)
{
	__u32 sip, tip;

	if (len < ETH_HDR + ARP_LEN || get16(f + 14) != 1 ||
	    get16(f + 16) != 0x0800 || f[18] != 6 || f[19] != 4)
		return;
	memcpy(&sip, f + 28, 4);
	memcpy(&tip, f + 38, 4);
	arp_learn(u, sip, f + 22);
	if (get16(f + 20) == 1 && tip == u->ip && !arp_send(u, 2, f + 22, sip))
		u->stats.arp_replies++;
}

/* Fill an IPv4 header at @ip for @payload bytes of @proto to @dst. */
static void ip_fill(struct exo_udpip *u, __u8 *ip, __u8 proto, __u32 dst,
		    __u16 payload)
{
	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	put16(ip + 2, IP_HDR + payload);
	put16(ip + 4, u->ip_id++);
	put16(ip + 6, 0x4000);		/* don't fragment */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &u->ip, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, inet_csum(ip, IP_HDR, 0));
}

static void icmp_input(struct exo_udpip *u, const __u8 *f, __u32 len)
{
	__u8 out[ETH_HDR + UDPIP_MTU];
	const __u8 *ip = f + ETH_HDR, *icmp = ip + IP_HDR;
	__u16 icmp_len = get16(ip + 2) - IP_HDR;
	__u32 src;

	if (icmp_len < 8 || icmp[0] != 8 || inet_csum(icmp, icmp_len, 0))
		return;
	memcpy(&src, ip + 12, 4);
	eth_fill(out, f + 6, u->mac, 0x0800);
	ip_fill(u, out + ETH_HDR, 1, src, icmp_len);
	memcpy(out + ETH_HDR + IP_HDR, icmp, icmp_len);
	out[ETH_HDR + IP_HDR] = 0;	/* echo reply */
	put16(out + ETH_HDR + IP_HDR + 2, 0);
	put16(out + ETH_HDR + IP_HDR + 2,
	      inet_csum(out + ETH_HDR + IP_HDR, icmp_len, 0));
	(void)len;
	if (!exo_ring_send(u->ipv4, out, ETH_HDR + IP_HDR + icmp_len))
		u->stats.echo_replies++;
}

/*
 * One IPv4 frame: answer ICMP echo, hand a UDP datagram to the caller
 * (returns its length and fills @buf and @meta), drop anything else.
 */
static int ipv4_input(struct exo_udpip *u, const __u8 *f, __u32 len,
		      void *buf, size_t buflen, struct exo_udp_meta *meta)
{
	const __u8 *ip = f + ETH_HDR, *udp;
	__u16 tot, ulen, csum;
	__u32 src;

	if (len < ETH_HDR + IP_HDR || ip[0] != 0x45 || inet_csum(ip, IP_HDR, 0) ||
	    (get16(ip + 6) & 0x3fff)) {
		u->stats.bad++;
		return 0;
	}
	tot = get16(ip + 2);
	if (tot < IP_HDR || tot > len - ETH_HDR) {
		u->stats.bad++;
		return 0;
	}
	memcpy(&src, ip + 12, 4);
	arp_learn(u, src, f + 6);
	if (ip[9] == 1) {
		icmp_input(u, f, len);
		return 0;
	}
	if (ip[9] != 17 || tot < IP_HDR + UDP_HDR) {
		u->stats.other++;
		return 0;
	}
	udp = ip + IP_HDR;
	ulen = get16(udp + 4);
	csum = get16(udp + 6);
	if (ulen < UDP_HDR || ulen > tot - IP_HDR ||
	    (csum && inet_csum(udp, ulen, udp_pseudo(ip, ulen)))) {
		u->stats.bad++;
		return 0;
	}
	meta->peer_ip = src;
	meta->local_ip = u->ip;
	meta->peer_port = get16(udp);
	meta->local_port = get16(udp + 2);
	ulen -= UDP_HDR;
	if (ulen > buflen)
		ulen = buflen;
	memcpy(buf, udp + UDP_HDR, ulen);
	u->stats.udp_in++;
	return ulen ? ulen : -1;	/* -1: an empty datagram */
}

/* Serve what is waiting; a UDP datagram stops it (its length, or -1). */
static int udpip_service(struct exo_udpip *u, void *buf, size_t buflen,
			 struct exo_udp_meta *meta)
{
	const struct exo_net_slot *slot;
	const void *frame;
	int got;

	while (exo_ring_peek(u->arp, &slot, &frame) == 1) {
		arp_input(u, frame, slot->caplen);
		exo_ring_release(u->arp);
	}
	while (exo_ring_peek(u->ipv4, &slot, &frame) == 1) {
		got = ipv4_input(u, frame, slot->caplen, buf, buflen, meta);
		exo_ring_release(u->ipv4);
		if (got)
			return got;
	}
	return 0;
}

LIBEXO_EXPORT int exo_udpip_poll(struct exo_udpip *u, int timeout_ms)
{
	struct exo_udp_meta meta;
	char scratch[1];
	int ret;

	if (!u)
		return exo_err(EINVAL);
	ret = exo_ring_wait(u->exo, timeout_ms);
	if (ret < 0)
		return ret;
	/* Only ARP and ICMP: a datagram met here is counted and lost. */
	while (udpip_service(u, scratch, 0, &meta))
		u->stats.udp_dropped++;
	return 0;
}

LIBEXO_EXPORT int exo_udpip_recv(struct exo_udpip *u, void *buf, size_t len,
				 struct exo_udp_meta *meta, int timeout_ms)
{
	long long deadline = exo_deadline(timeout_ms);
	int got, ret;

	if (!u || (!buf && len) || !meta)
		return exo_err(EINVAL);
	for (;;) {
		got = udpip_service(u, buf, len, meta);
		if (got)
			return got < 0 ? 0 : got;
		ret = exo_ring_wait(u->exo, exo_ms_left(deadline));
		if (ret < 0)
			return ret;
		if (!ret && !exo_ms_left(deadline))
			return exo_err(ETIMEDOUT);
	}
}

LIBEXO_EXPORT int exo_udpip_send(struct exo_udpip *u,
				 const struct exo_udp_meta *to,
				 const void *buf, size_t len)
{
	__u8 f[ETH_HDR + UDPIP_MTU];
	const __u8 *mac;
	__u8 *udp;
	int tries;

	if (!u || !to || (!buf && len) || len > UDPIP_MTU - IP_HDR - UDP_HDR)
		return exo_err(EINVAL);
	mac = arp_lookup(u, to->peer_ip);
	for (tries = 0; !mac && tries < 3; tries++) {
		int ret = arp_send(u, 1, NULL, to->peer_ip);

		if (ret)
			return ret;
		exo_udpip_poll(u, 300);
		mac = arp_lookup(u, to->peer_ip);
	}
	if (!mac)
		return exo_err(EHOSTUNREACH);
	eth_fill(f, mac, u->mac, 0x0800);
	ip_fill(u, f + ETH_HDR, 17, to->peer_ip, UDP_HDR + len);
	udp = f + ETH_HDR + IP_HDR;
	put16(udp, to->local_port);
	put16(udp + 2, to->peer_port);
	put16(udp + 4, UDP_HDR + len);
	put16(udp + 6, 0);
	memcpy(udp + UDP_HDR, buf, len);
	put16(udp + 6, inet_csum(udp, UDP_HDR + len,
				 udp_pseudo(f + ETH_HDR, UDP_HDR + len)));
	if (!get16(udp + 6))
		put16(udp + 6, 0xffff);
	if (exo_ring_send(u->ipv4, f, ETH_HDR + IP_HDR + UDP_HDR + len))
		return -errno;
	u->stats.udp_out++;
	return 0;
}
