// SPDX-License-Identifier: GPL-2.0
/*
 * libexo's libOS layers, through their own API: the pager (exo_pager_*),
 * packet rings (exo_ring_*) and the small UDP/IP (exo_udpip_*). Bad input
 * comes first: frames the pager never handed out, a revocation policy
 * that names frames the pager does not hold, ring parameters the kernel
 * refuses, frames with bad IPv4 and UDP checksums, malformed ARP.
 *
 * The network tests use the veth lab of exo_net_util.h: plain and packet
 * sockets in the far end's namespace send, the libOS answers here.
 */
#include <net/if.h>
#include <linux/if_ether.h>
#include <sys/ioctl.h>

#include <exo/exo.h>

#include "exo_test_util.h"
#include "exo_net_util.h"

#define LIBOS_WAIT_MS		10000
#define LIBOS_DEADLINE_MS	300
#define LIBOS_BOGUS_FRAME	0x7fffffffU

/* ---- the pager ------------------------------------------------------------ */

/* What the callbacks saw. */
struct pager_log {
	unsigned int picks;
	__u32 victims[4];	/* what the policy returns, in order */
	int nvictims;		/* its return value */
	size_t want;		/* what it was asked for */
	size_t lost[3];		/* frames reported, by enum exo_pager_loss */
	__u32 lost_index[3][8];	/* the first of them, by reason */
};

static bool pager_was_lost(const struct pager_log *log, __u32 index)
{
	size_t why, i;

	for (why = 1; why < 3; why++)
		for (i = 0; i < log->lost[why] && i < 8; i++)
			if (log->lost_index[why][i] == index)
				return true;
	return false;
}

static int pager_bogus_pick(void *ctx, const struct exo_pager_frame_view *held,
			    size_t nheld, size_t want, __u32 *victims)
{
	struct pager_log *log = ctx;
	int i;

	(void)held;
	(void)nheld;
	log->picks++;
	log->want = want;
	/* It may claim more than it wrote; it never writes past @want. */
	for (i = 0; i < log->nvictims && (size_t)i < want && i < 4; i++)
		victims[i] = log->victims[i];
	return log->nvictims;
}

static void pager_lost(void *ctx, enum exo_pager_loss why, const __u32 *indexes,
		       size_t n)
{
	struct pager_log *log = ctx;
	size_t i;

	if (why < 1 || why > 2)
		return;
	for (i = 0; i < n; i++, log->lost[why]++)
		if (log->lost[why] < 8)
			log->lost_index[why][log->lost[why]] = indexes[i];
}

FIXTURE(pager) {
	struct exo *exo;
	struct exo_mem_info mi;
	struct pager_log log;
};

FIXTURE_SETUP(pager)
{
	self->exo = NULL;
	memset(&self->log, 0, sizeof(self->log));
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->exo = exo_open(NULL);
	ASSERT_NE(NULL, self->exo);
	ASSERT_EQ(0, exo_mem_info(self->exo, &self->mi));
}

FIXTURE_TEARDOWN(pager)
{
	exo_close(self->exo);
}

static struct exo_pager *pager_with(struct exo *exo, struct pager_log *log,
				    exo_pager_pick_fn pick)
{
	struct exo_pager_opts o = {
		.sz = sizeof(o), .batch = 1, .pick = pick, .lost = pager_lost,
		.ctx = log,
	};

	return exo_pager_create(exo, &o);
}

static struct exo_pager_stats pager_stats(struct exo_pager *p)
{
	struct exo_pager_stats st = { .sz = sizeof(st) };

	exo_pager_stats(p, &st);
	return st;
}

TEST_F(pager, bad_options_are_einval)
{
	struct exo_pager_opts o = { .sz = sizeof(o),
				    .batch = EXO_MEM_BATCH_MAX + 1 };

	errno = 0;
	EXPECT_EQ(NULL, exo_pager_create(self->exo, &o));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pager, frames_by_colour_come_back_cached)
{
	struct exo_mem_frame fr[3], again[3];
	__u32 idx[3], colour = self->mi.colours - 1;
	struct exo_pager_stats st;
	struct exo_pager *p;
	int i;

	p = pager_with(self->exo, &self->log, NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, exo_pager_alloc(p, colour, 3, fr));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(colour, fr[i].colour);
		idx[i] = fr[i].index;
	}
	st = pager_stats(p);
	EXPECT_EQ(3ULL, st.held);
	EXPECT_EQ(0ULL, st.cached);
	ASSERT_EQ(0, exo_pager_free(p, idx, 3));
	st = pager_stats(p);
	EXPECT_EQ(3ULL, st.held);
	EXPECT_EQ(3ULL, st.cached);
	/* Served from the cache: the kernel is not asked again. */
	ASSERT_EQ(0, exo_pager_alloc(p, colour, 3, again));
	EXPECT_EQ(st.kernel_allocs, pager_stats(p).kernel_allocs);
	EXPECT_EQ(0ULL, pager_stats(p).cached);
	/* Trim gives cached frames to the kernel, and they leave our books. */
	ASSERT_EQ(0, exo_pager_free(p, idx, 3));
	EXPECT_EQ(2, exo_pager_trim(p, 1));
	st = pager_stats(p);
	EXPECT_EQ(1ULL, st.held);
	EXPECT_EQ(1ULL, st.cached);
	ASSERT_EQ(0, exo_mem_info(self->exo, &self->mi));
	EXPECT_EQ(1U, self->mi.held_frames);
	exo_pager_destroy(p);
	ASSERT_EQ(0, exo_mem_info(self->exo, &self->mi));
	EXPECT_EQ(0U, self->mi.held_frames);
}

TEST_F(pager, bad_frees_and_colours_are_einval_and_change_nothing)
{
	struct exo_mem_frame fr[2];
	__u32 idx[2], bogus[2];
	struct exo_pager *p;

	p = pager_with(self->exo, &self->log, NULL);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, exo_pager_alloc(p, 0, 0, fr));
	EXPECT_EQ(-EINVAL, exo_pager_alloc(p, self->mi.colours, 1, fr));
	EXPECT_EQ(0ULL, pager_stats(p).held);
	ASSERT_EQ(0, exo_pager_alloc(p, EXO_ANY_COLOUR, 2, fr));
	idx[0] = fr[0].index;
	idx[1] = fr[1].index;
	/* All or nothing: one frame it never handed out spoils the batch. */
	bogus[0] = idx[0];
	bogus[1] = LIBOS_BOGUS_FRAME;
	EXPECT_EQ(-EINVAL, exo_pager_free(p, bogus, 2));
	/* A frame twice in one batch. */
	bogus[1] = idx[0];
	EXPECT_EQ(-EINVAL, exo_pager_free(p, bogus, 2));
	EXPECT_EQ(0ULL, pager_stats(p).cached);
	ASSERT_EQ(0, exo_pager_free(p, idx, 2));
	EXPECT_EQ(2ULL, pager_stats(p).cached);
	/* Freed already. */
	EXPECT_EQ(-EINVAL, exo_pager_free(p, idx, 1));
	EXPECT_EQ(2ULL, pager_stats(p).cached);
	exo_pager_destroy(p);
}

/* Revoke @count frames of the pager's environment, from another: 0 or -errno. */
static int pager_revoke(struct exo *exo, __u32 count)
{
	struct exo_env_info info;
	int admin, err;

	err = exo_env_info(exo, &info);
	if (err)
		return err;
	admin = exo_raw_env();
	if (admin < 0)
		return admin;
	err = exo_raw_mem_revoke(admin, info.env_id, &count, LIBOS_DEADLINE_MS);
	close(admin);
	return -err;
}

/* Serve until the pager has handled @events memory events: 0 or -errno. */
static int pager_serve_until(struct exo_pager *p, unsigned int events)
{
	unsigned int handled = 0;
	int i, ret;

	for (i = 0; i < 50 && handled < events; i++) {
		ret = exo_pager_serve(p, LIBOS_WAIT_MS / 50);
		if (ret < 0)
			return ret;
		handled += ret;
	}
	return handled == events ? 0 : -ETIMEDOUT;
}

/*
 * A policy that names a frame the pager does not hold, one frame twice,
 * and claims more than it wrote: the pager gives back only the one real
 * frame, and the abort protocol takes the rest of what was asked.
 */
TEST_F(pager, bogus_policy_picks_are_dropped_and_the_rest_repossessed)
{
	__u32 n = self->mi.reserve_frames + 4, i;
	struct exo_mem_frame *fr;
	struct exo_pager_stats st;
	struct exo_pager *p;

	if (geteuid())
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	fr = calloc(n, sizeof(*fr));
	ASSERT_NE(NULL, fr);
	p = pager_with(self->exo, &self->log, pager_bogus_pick);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, exo_pager_alloc(p, EXO_ANY_COLOUR, n, fr));
	self->log.victims[0] = LIBOS_BOGUS_FRAME;
	self->log.victims[1] = fr[1].index;
	self->log.victims[2] = fr[1].index;
	self->log.nvictims = 4;

	/* The request, then the abort after its deadline. */
	ASSERT_EQ(0, pager_revoke(self->exo, 3));
	ASSERT_EQ(0, pager_serve_until(p, 2));
	EXPECT_EQ(1U, self->log.picks);
	EXPECT_EQ(3U, self->log.want);
	st = pager_stats(p);
	EXPECT_EQ(1ULL, st.revocations);
	EXPECT_EQ(1ULL, st.revoked);
	EXPECT_EQ(1ULL, st.aborts);
	EXPECT_EQ(2ULL, st.repossessed);
	EXPECT_EQ((__u64)n - 3, st.held);
	EXPECT_EQ(1U, self->log.lost[EXO_PAGER_REVOKED]);
	EXPECT_EQ(fr[1].index, self->log.lost_index[EXO_PAGER_REVOKED][0]);
	EXPECT_EQ(2U, self->log.lost[EXO_PAGER_REPOSSESSED]);
	/* What the pager holds is what the kernel says this env holds. */
	ASSERT_EQ(0, exo_mem_info(self->exo, &self->mi));
	EXPECT_EQ(n - 3, self->mi.held_frames);
	/* The frames it still has free cleanly; the lost ones do not. */
	for (i = 0; i < n; i++)
		EXPECT_EQ(pager_was_lost(&self->log, fr[i].index) ? -EINVAL : 0,
			  exo_pager_free(p, &fr[i].index, 1));
	EXPECT_EQ((__u64)n - 3, pager_stats(p).cached);
	exo_pager_destroy(p);
	free(fr);
}

/* A policy that refuses (-errno) gives nothing: the abort takes it all. */
TEST_F(pager, refusing_policy_leaves_it_to_the_abort_protocol)
{
	__u32 n = self->mi.reserve_frames + 4;
	struct exo_mem_frame *fr;
	struct exo_pager_stats st;
	struct exo_pager *p;

	if (geteuid())
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	fr = calloc(n, sizeof(*fr));
	ASSERT_NE(NULL, fr);
	p = pager_with(self->exo, &self->log, pager_bogus_pick);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, exo_pager_alloc(p, EXO_ANY_COLOUR, n, fr));
	self->log.nvictims = -EINVAL;
	ASSERT_EQ(0, pager_revoke(self->exo, 3));
	/* The policy's refusal comes back from the request's serve. */
	EXPECT_EQ(-EINVAL, pager_serve_until(p, 1));
	EXPECT_EQ(1U, self->log.picks);
	ASSERT_EQ(0, pager_serve_until(p, 1));
	st = pager_stats(p);
	EXPECT_EQ(0ULL, st.revoked);
	EXPECT_EQ(3ULL, st.repossessed);
	EXPECT_EQ((__u64)n - 3, st.held);
	EXPECT_EQ(0U, self->log.lost[EXO_PAGER_REVOKED]);
	EXPECT_EQ(3U, self->log.lost[EXO_PAGER_REPOSSESSED]);
	exo_pager_destroy(p);
	free(fr);
}

/* ---- the network lab --------------------------------------------------------- */

#define LIBOS_PORT		7201
#define LIBOS_PEER_PORT		7202

FIXTURE(lab) {
	struct exo *exo;
	struct veth_lab lab;
	__u8 mac[6];		/* the near end's */
	__u8 peer_mac[6];
	int peer_ifindex;	/* in the peer's namespace */
};

FIXTURE_SETUP(lab)
{
	int ret;

	self->exo = NULL;
	self->lab.self_ns = self->lab.peer_ns = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (geteuid())
		SKIP(return, "the veth lab needs root");
	self->exo = exo_open(NULL);
	ASSERT_NE(NULL, self->exo);
	ret = net_lab_up(&self->lab);
	ASSERT_EQ(0, ret) {
		TH_LOG("veth lab: %s", strerror(-ret));
	}
	ASSERT_EQ(0, net_dev_mac(self->lab.name, self->mac));
	ASSERT_EQ(0, setns(self->lab.peer_ns, CLONE_NEWNET));
	self->peer_ifindex = if_nametoindex(self->lab.peer);
	ret = net_dev_mac(self->lab.peer, self->peer_mac);
	ASSERT_EQ(0, setns(self->lab.self_ns, CLONE_NEWNET));
	ASSERT_LT(0, self->peer_ifindex);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(lab)
{
	exo_close(self->exo);
	veth_lab_teardown(&self->lab);
}

/* A packet socket on the far end's device, or -errno. */
static int peer_packet_socket(FIXTURE_DATA(lab) *self)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = self->peer_ifindex,
	};
	int s = veth_peer_socket(&self->lab, AF_PACKET, SOCK_RAW,
				 htons(ETH_P_ALL));

	if (s < 0)
		return s;
	if (bind(s, (struct sockaddr *)&ll, sizeof(ll))) {
		int err = errno;

		close(s);
		return -err;
	}
	return s;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static __u16 csum_fold(const __u8 *p, size_t len, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Ethernet + IPv4 + UDP from the peer (10.77.0.2:LIBOS_PEER_PORT) to the
 * libOS (NET_LIBOS_IP:LIBOS_PORT), checksums right; returns its length.
 */
static size_t udp_frame(FIXTURE_DATA(lab) *self, __u8 *f, const char *payload)
{
	size_t plen = strlen(payload), ulen = 8 + plen;
	__u8 *ip = f + 14, *udp = ip + 20;
	__u32 src = htonl(0x0a4d0002), dst = htonl(NET_LIBOS_IP), sum;
	__u8 pseudo[12];

	memcpy(f, self->mac, 6);
	memcpy(f + 6, self->peer_mac, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, 20 + ulen);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, csum_fold(ip, 20, 0));
	put16(udp, LIBOS_PEER_PORT);
	put16(udp + 2, LIBOS_PORT);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	memcpy(udp + 8, payload, plen);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	put16(pseudo + 10, ulen);
	sum = (__u16)~csum_fold(pseudo, 12, 0);
	put16(udp + 6, csum_fold(udp, ulen, sum));
	return 14 + 20 + ulen;
}

/* An ARP request from the peer for @tip (host order); returns its length. */
static size_t arp_request(FIXTURE_DATA(lab) *self, __u8 *f, __u32 tip)
{
	__u32 sip = htonl(0x0a4d0002), t = htonl(tip);

	memset(f, 0, 42);
	memset(f, 0xff, 6);
	memcpy(f + 6, self->peer_mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, self->peer_mac, 6);
	memcpy(f + 28, &sip, 4);
	memcpy(f + 38, &t, 4);
	return 42;
}

static struct exo_udpip *libos_stack(struct exo *exo, int ifindex)
{
	struct exo_udpip_opts o = {
		.sz = sizeof(o), .ifindex = ifindex, .ip = htonl(NET_LIBOS_IP),
	};

	return exo_udpip_create(exo, &o);
}

static struct exo_udpip_stats udpip_stats(struct exo_udpip *u)
{
	struct exo_udpip_stats st;

	memset(&st, 0xff, sizeof(st));
	exo_udpip_stats(u, &st);
	return st;
}

TEST_F(lab, udp_roundtrip_resolves_and_answers)
{
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(LIBOS_PEER_PORT) };
	struct exo_udp_meta meta;
	struct exo_udpip *u;
	char buf[64];
	int s, n;

	u = libos_stack(self->exo, self->lab.ifindex);
	ASSERT_NE(NULL, u);
	s = veth_peer_socket(&self->lab, AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&peer, sizeof(peer)));
	/* The peer's kernel asks ARP first: the stack must answer it. */
	ASSERT_EQ(0, net_peer_send(s, "10.77.0.3", LIBOS_PORT, "ping", 4));
	n = exo_udpip_recv(u, buf, sizeof(buf), &meta, LIBOS_WAIT_MS);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(htonl(0x0a4d0002), meta.peer_ip);
	EXPECT_EQ(htonl(NET_LIBOS_IP), meta.local_ip);
	EXPECT_EQ(LIBOS_PEER_PORT, meta.peer_port);
	EXPECT_EQ(LIBOS_PORT, meta.local_port);
	ASSERT_EQ(0, exo_udpip_send(u, &meta, "pong", 4));
	n = net_recv_within(s, buf, sizeof(buf), LIBOS_WAIT_MS);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	EXPECT_LE(1ULL, udpip_stats(u).arp_replies);
	EXPECT_EQ(1ULL, udpip_stats(u).udp_in);
	EXPECT_EQ(1ULL, udpip_stats(u).udp_out);
	EXPECT_EQ(0ULL, udpip_stats(u).bad);
	close(s);
	exo_udpip_destroy(u);
}

/* Bad IPv4 and UDP checksums are counted and dropped; the good one lands. */
TEST_F(lab, bad_checksums_are_dropped_and_counted)
{
	struct exo_udp_meta meta;
	struct exo_udpip *u;
	__u8 f[128];
	char buf[64];
	size_t len;
	int s, n;

	u = libos_stack(self->exo, self->lab.ifindex);
	ASSERT_NE(NULL, u);
	s = peer_packet_socket(self);
	ASSERT_LE(0, s);
	len = udp_frame(self, f, "bad-udp");
	f[14 + 20 + 6] ^= 0x01;			/* the UDP checksum */
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	len = udp_frame(self, f, "bad-ip");
	f[14 + 10] ^= 0x01;			/* the IPv4 header checksum */
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	len = udp_frame(self, f, "good");
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	n = exo_udpip_recv(u, buf, sizeof(buf), &meta, LIBOS_WAIT_MS);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(buf, "good", 4));
	EXPECT_EQ(2ULL, udpip_stats(u).bad);
	EXPECT_EQ(1ULL, udpip_stats(u).udp_in);
	/* Nothing else is waiting. */
	EXPECT_EQ(-ETIMEDOUT, exo_udpip_recv(u, buf, sizeof(buf), &meta, 200));
	close(s);
	exo_udpip_destroy(u);
}

/* Exactly one ARP reply per well-formed request for our address. */
TEST_F(lab, arp_answers_only_well_formed_requests)
{
	struct exo_udpip *u;
	__u8 f[128], rx[256];
	int s, i, replies = 0;
	size_t len;

	u = libos_stack(self->exo, self->lab.ifindex);
	ASSERT_NE(NULL, u);
	s = peer_packet_socket(self);
	ASSERT_LE(0, s);
	/* Malformed: a 7-byte hardware address; then a reply, not a request. */
	len = arp_request(self, f, NET_LIBOS_IP);
	f[18] = 7;
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	len = arp_request(self, f, NET_LIBOS_IP);
	put16(f + 20, 2);
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	len = arp_request(self, f, NET_LIBOS_IP);
	ASSERT_EQ((ssize_t)len, send(s, f, len, 0));
	for (i = 0; i < 50 && udpip_stats(u).arp_replies < 1; i++)
		ASSERT_EQ(0, exo_udpip_poll(u, LIBOS_WAIT_MS / 50));
	EXPECT_EQ(1ULL, udpip_stats(u).arp_replies);
	/* One more poll: nothing further is answered. */
	ASSERT_EQ(0, exo_udpip_poll(u, 200));
	EXPECT_EQ(1ULL, udpip_stats(u).arp_replies);
	/* What the peer got: one reply, from our MAC, for our address. */
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t got;
		__u32 sip;

		if (exo_poll1(s, POLLIN, 500) <= 0)
			break;
		got = recvfrom(s, rx, sizeof(rx), MSG_DONTWAIT,
			       (struct sockaddr *)&from, &fl);
		if (got < 42 || from.sll_pkttype == PACKET_OUTGOING ||
		    rx[12] != 0x08 || rx[13] != 0x06 || rx[21] != 2)
			continue;
		memcpy(&sip, rx + 28, 4);
		if (sip != htonl(NET_LIBOS_IP))
			continue;
		replies++;
		EXPECT_EQ(0, memcmp(rx + 22, self->mac, 6));
		EXPECT_EQ(0, memcmp(rx + 32, self->peer_mac, 6));
		EXPECT_EQ(0, memcmp(rx, self->peer_mac, 6));
	}
	EXPECT_EQ(1, replies);
	close(s);
	exo_udpip_destroy(u);
}

TEST_F(lab, udpip_bad_options_fail)
{
	struct exo_udpip_opts o = { .sz = sizeof(o), .ifindex = 0,
				    .ip = htonl(NET_LIBOS_IP) };

	errno = 0;
	EXPECT_EQ(NULL, exo_udpip_create(self->exo, &o));
	EXPECT_NE(0, errno);
	EXPECT_EQ(-EINVAL, exo_udpip_poll(NULL, 0));
}

/* ---- rings ----------------------------------------------------------------- */

TEST_F(lab, ring_bad_parameters_are_refused)
{
	struct exo_net_atom a[4];
	__u32 n = net_udp_port_atoms(a, LIBOS_PORT);

	errno = 0;
	EXPECT_EQ(NULL, exo_ring_create(self->exo, 0, self->lab.ifindex, a, 0,
					16, 2048));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, exo_ring_create(self->exo, 0, self->lab.ifindex, a, n,
					3, 2048));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(NULL, exo_ring_create(self->exo, 1U << 31,
					self->lab.ifindex, a, n, 16, 2048));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0U, exo_ring_id(NULL));
	EXPECT_EQ(NULL, exo_ring_header(NULL));
}

TEST_F(lab, ring_delivers_in_order_and_counts_drops)
{
	const struct exo_net_slot *slot;
	const struct exo_net_ring *hdr;
	struct exo_net_atom a[4];
	struct exo_net_stats st;
	struct exo_ring *r;
	const void *frame;
	char buf[8];
	int s, i;

	r = exo_ring_create(self->exo, 0, self->lab.ifindex, a,
			    net_udp_port_atoms(a, LIBOS_PORT), 2, 2048);
	ASSERT_NE(NULL, r);
	ASSERT_NE(0U, exo_ring_id(r));
	hdr = exo_ring_header(r);
	ASSERT_NE(NULL, hdr);
	EXPECT_EQ(0, exo_ring_peek(r, &slot, &frame));
	s = veth_peer_socket(&self->lab, AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof(buf), "r-%d", i);
		ASSERT_EQ(0, net_peer_send(s, NET_HOST_IP, LIBOS_PORT, buf, 3));
	}
	ASSERT_EQ(0, net_wait_matched(exo_event_fd(self->exo), exo_ring_id(r), 5));
	ASSERT_EQ(1, exo_ring_wait(self->exo, LIBOS_WAIT_MS));
	/* Two slots: the first two are there, in order; three dropped. */
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "r-%d", i);
		ASSERT_EQ(1, exo_ring_peek(r, &slot, &frame));
		EXPECT_EQ(14U + 20 + 8 + 3, slot->caplen);
		EXPECT_EQ(0, memcmp((const char *)frame + 42, buf, 3));
		exo_ring_release(r);
	}
	EXPECT_EQ(0, exo_ring_peek(r, &slot, &frame));
	EXPECT_EQ(3ULL, hdr->dropped);
	EXPECT_EQ(hdr->producer, hdr->consumer);
	ASSERT_EQ(0, exo_net_stats(self->exo, exo_ring_id(r), &st));
	EXPECT_EQ(5ULL, st.matched);
	EXPECT_EQ(2ULL, st.delivered);
	EXPECT_EQ(3ULL, st.dropped);
	close(s);
	exo_ring_destroy(r);
}

/* Send only what the ring's own filter would receive, swapped. */
TEST_F(lab, ring_send_is_checked)
{
	struct exo_net_atom a[4];
	struct exo_ring *r;
	__u8 f[128];
	size_t len;

	r = exo_ring_create(self->exo, 0, self->lab.ifindex, a,
			    net_udp_port_atoms(a, LIBOS_PORT), 16, 2048);
	ASSERT_NE(NULL, r);
	/* From port LIBOS_PEER_PORT: swapped, it is not for our port. */
	len = udp_frame(self, f, "spoof");
	EXPECT_EQ(-EPERM, exo_ring_send(r, f, len));
	/*
	 * From our port: swapped, our filter would take it. The source must
	 * also be the device's own (its MAC, and with a port-only filter
	 * one of its addresses, NET_HOST_IP), as NET_TX checks.
	 */
	memcpy(f, self->peer_mac, 6);
	memcpy(f + 6, self->mac, 6);
	put16(f + 14 + 12, 0x0a4d);
	put16(f + 14 + 14, 0x0001);
	put16(f + 14 + 16, 0x0a4d);
	put16(f + 14 + 18, 0x0002);
	put16(f + 14 + 10, 0);
	put16(f + 14 + 10, csum_fold(f + 14, 20, 0));
	put16(f + 14 + 20, LIBOS_PORT);
	put16(f + 14 + 20 + 2, LIBOS_PEER_PORT);
	put16(f + 14 + 20 + 6, 0);	/* no UDP checksum: allowed on IPv4 */
	EXPECT_EQ(0, exo_ring_send(r, f, len));
	EXPECT_EQ(-EINVAL, exo_ring_send(r, f, 10));
	exo_ring_destroy(r);
}

TEST_HARNESS_MAIN
