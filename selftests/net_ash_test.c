// SPDX-License-Identifier: GPL-2.0
/*
 * ASH, in-kernel packet handlers (EXO_IOC_NET_ASH_SET): on a veth whose far
 * end lives in a namespace of its own, DROP and DELIVER do what they say; a
 * handler that reads past the frame faults and the frame goes to the ring;
 * the ready UDP echo is answered in the kernel, from the address and port
 * the far end sent to, and never reaches the ring, and so is ping by the
 * ready ICMP echo; a reply that would spoof its source, or one on
 * loopback, is refused and not sent; the verifier's refusals are EINVAL
 * with the bad instruction; a second environment cannot attach a handler
 * to a binding it does not hold, nor see my frames with a handler of its
 * own; kill -9 takes the handler away with the binding.
 */
#include <signal.h>

#include "exo_test_util.h"
#include "exo_net_util.h"
#include <exo/exo.h>

#define I(code, reg, len, off, off2, imm) \
	exo_ash_insn(EXO_ASH_##code, reg, len, off, off2, imm)
#define RET(v)	I(RET, 0, 0, 0, 0, EXO_ASH_##v)

FIXTURE(ash) {
	int fd;
	int peer;	/* a UDP socket in the far end's namespace */
	__u32 id;	/* a binding of UDP port ASH_PORT on the near end */
	struct exo_net_bind b;
	struct exo_net_ring *ring;
	struct veth_lab lab;
};

#define ASH_PORT	7301

static int ash_set(int fd, __u32 id, const struct exo_ash_insn *p, __u32 n,
		   __u32 *bad_pc)
{
	struct exo_net_ash_set a = { .argsz = sizeof(a), .binding_id = id,
				     .len = n, .prog = (__u64)(unsigned long)p };
	int err = exo_ioc(fd, EXO_IOC_NET_ASH_SET, &a);

	if (bad_pc)
		*bad_pc = a.bad_pc;
	return err;
}

FIXTURE_SETUP(ash)
{
	struct exo_net_atom a[4];
	int ret;

	self->fd = self->peer = -1;
	self->ring = NULL;
	self->lab.self_ns = self->lab.peer_ns = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ret = net_lab_up(&self->lab);
	ASSERT_EQ(0, ret) {
		TH_LOG("veth lab: %s", strerror(-ret));
	}
	net_bind_init(&self->b, self->lab.ifindex, a,
		      net_udp_port_atoms(a, ASH_PORT));
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_BIND, &self->b));
	self->id = self->b.binding_id;
	self->ring = net_ring_map(self->fd, self->id, self->b.ring_len);
	ASSERT_NE(NULL, self->ring);
	self->peer = veth_peer_socket(&self->lab, AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, self->peer);
}

FIXTURE_TEARDOWN(ash)
{
	if (self->ring)
		munmap(self->ring, self->b.ring_len);
	if (self->peer >= 0)
		close(self->peer);
	if (self->fd >= 0)
		close(self->fd);
	veth_lab_teardown(&self->lab);
}

/* Wait (bounded) until @pred holds of the binding's counters. */
#define WAIT_STATS(fd, id, st, pred) ({					\
	int _i, _ok = 0;						\
	for (_i = 0; _i < 500 && !_ok; _i++) {				\
		if (net_stats(fd, id, &(st)))				\
			break;						\
		_ok = (pred);						\
		if (!_ok)						\
			usleep(10000);					\
	}								\
	_ok;								\
})

static int send_peer(FIXTURE_DATA(ash) *self, const char *msg)
{
	return net_peer_send(self->peer, NET_HOST_IP, ASH_PORT, msg,
			     strlen(msg));
}

/* Receive on the far end's socket within 5 s; the sender's port in @port. */
static ssize_t recv_peer(FIXTURE_DATA(ash) *self, char *buf, size_t len,
			 struct sockaddr_in *from)
{
	socklen_t flen = sizeof(*from);
	int rev = exo_poll1(self->peer, POLLIN, 5000);

	if (rev <= 0 || !(rev & POLLIN))
		return -ETIMEDOUT;
	return recvfrom(self->peer, buf, len, MSG_DONTWAIT,
			(struct sockaddr *)from, &flen);
}

TEST_F(ash, udp_echo_is_answered_in_the_kernel)
{
	struct exo_ash_insn p[EXO_ASH_UDP_ECHO_LEN];
	struct exo_net_stats st;
	struct sockaddr_in from;
	char buf[64], ip[INET_ADDRSTRLEN];
	int n, i;

	n = exo_ash_udp_echo(p, EXO_ASH_UDP_ECHO_LEN);
	ASSERT_EQ(EXO_ASH_UDP_ECHO_LEN, n);
	EXPECT_EQ(-EINVAL, exo_net_ash_set(NULL, self->id, p, n, NULL));
	ASSERT_EQ(0, ash_set(self->fd, self->id, p, n, NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, send_peer(self, "ping"));
		ASSERT_EQ(4, recv_peer(self, buf, sizeof(buf), &from));
		EXPECT_EQ(0, memcmp(buf, "ping", 4));
		/* From the port and address the far end sent to. */
		EXPECT_EQ(ASH_PORT, ntohs(from.sin_port));
		inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
		EXPECT_STREQ(NET_HOST_IP, ip);
	}
	ASSERT_EQ(0, net_stats(self->fd, self->id, &st));
	EXPECT_EQ(3, st.ash_replied);
	EXPECT_EQ(3, st.matched);
	EXPECT_EQ(0, st.ash_refused);
	/* Answered in the kernel: nothing reached the ring. */
	EXPECT_EQ(0, st.delivered);
	EXPECT_EQ(0, self->ring->producer);
}

/*
 * A reply from an address the device does not have, or from another
 * MAC, is refused as EXO_IOC_NET_TX would refuse it, and not sent.
 */
TEST_F(ash, spoofed_replies_are_refused)
{
	/* Ports and MACs swapped, addresses not: "from" the far end. */
	struct exo_ash_insn from_peer_ip[4] = {
		I(COPYALL, 0, 0, 0, 0, 0),
		I(SWAP, 0, 6, 0, 6, 0),
		I(SWAP, 0, 2, 14 + 20, 14 + 22, 0),
		RET(REPLIED),
	};
	/* Ports and addresses swapped, MACs not: from the far end's MAC. */
	struct exo_ash_insn from_peer_mac[4] = {
		I(COPYALL, 0, 0, 0, 0, 0),
		I(SWAP, 0, 4, 14 + 12, 14 + 16, 0),
		I(SWAP, 0, 2, 14 + 20, 14 + 22, 0),
		RET(REPLIED),
	};
	struct exo_ash_insn echo[EXO_ASH_UDP_ECHO_LEN];
	struct exo_net_stats st;
	struct sockaddr_in from;
	char buf[64];

	ASSERT_EQ(0, ash_set(self->fd, self->id, from_peer_ip, 4, NULL));
	ASSERT_EQ(0, send_peer(self, "spoof"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_refused == 1));
	ASSERT_EQ(0, ash_set(self->fd, self->id, from_peer_mac, 4, NULL));
	ASSERT_EQ(0, send_peer(self, "spoof"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_refused == 2));
	EXPECT_EQ(0, st.ash_replied);
	EXPECT_EQ(0, st.delivered);
	/* Neither left: the first frame back is the honest echo after them. */
	ASSERT_EQ(EXO_ASH_UDP_ECHO_LEN,
		  exo_ash_udp_echo(echo, EXO_ASH_UDP_ECHO_LEN));
	ASSERT_EQ(0, ash_set(self->fd, self->id, echo, EXO_ASH_UDP_ECHO_LEN,
			     NULL));
	ASSERT_EQ(0, send_peer(self, "true"));
	ASSERT_EQ(4, recv_peer(self, buf, sizeof(buf), &from));
	EXPECT_EQ(0, memcmp(buf, "true", 4));
	ASSERT_EQ(0, net_stats(self->fd, self->id, &st));
	EXPECT_EQ(1, st.ash_replied);
	EXPECT_EQ(2, st.ash_refused);
}

/*
 * On loopback a reply would come straight back through the hook, where a
 * filter that matches both ways answers it forever: never sent there.
 */
TEST_F(ash, no_reply_is_sent_on_loopback)
{
	struct exo_ash_insn echo[EXO_ASH_UDP_ECHO_LEN];
	struct exo_net_stats st;
	struct exo_net_atom a[4];
	int s;
	__u32 id;

	ASSERT_EQ(0, net_bind(self->fd, 1, a,
			      net_udp_port_atoms(a, ASH_PORT + 20), 0, &id));
	ASSERT_EQ(EXO_ASH_UDP_ECHO_LEN,
		  exo_ash_udp_echo(echo, EXO_ASH_UDP_ECHO_LEN));
	ASSERT_EQ(0, ash_set(self->fd, id, echo, EXO_ASH_UDP_ECHO_LEN, NULL));
	s = net_host_udp("127.0.0.1", ASH_PORT + 21);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, net_peer_send(s, "127.0.0.1", ASH_PORT + 20, "loop", 4));
	ASSERT_TRUE(WAIT_STATS(self->fd, id, st, st.ash_refused == 1));
	EXPECT_EQ(0, st.ash_replied);
	EXPECT_EQ(1, st.matched);
	close(s);
}

/* Send one echo request from the far end; 0 or errno. */
static int ping_once(int raw, __u16 id, __u16 seq)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	__u8 msg[24] = { 8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff };
	__u32 sum = 0, i;

	memcpy(msg + 8, "exo-ash-ping-16b", 16);
	for (i = 0; i < sizeof(msg); i += 2)
		sum += msg[i] << 8 | msg[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	msg[2] = (__u8)(~sum >> 8);
	msg[3] = (__u8)~sum;
	inet_pton(AF_INET, NET_HOST_IP, &to.sin_addr);
	return sendto(raw, msg, sizeof(msg), 0, (struct sockaddr *)&to,
		      sizeof(to)) == sizeof(msg) ? 0 : errno;
}

/*
 * Ping, answered by exo_ash_icmp_echo() in the kernel: the far end gets a
 * correct echo reply, the host stack never sees the request.
 */
TEST_F(ash, ping_is_answered_in_the_kernel)
{
	struct exo_ash_insn echo[EXO_ASH_ICMP_ECHO_LEN];
	struct exo_net_stats st;
	struct exo_net_atom a[4];
	__u8 buf[128], *icmp;
	__u32 id, n, sum, i;
	int raw, seq, got;

	/* IPv4 ICMP to the host's address: EXO_NET_BIND_HOST (root). */
	n = net_ip_dst_atoms(a, 0x0a4d0001);
	a[n++] = exo_net_atom(23, 1, 0xff, 1);
	ASSERT_EQ(0, net_bind(self->fd, self->lab.ifindex, a, n,
			      EXO_NET_BIND_HOST, &id));
	ASSERT_EQ(EXO_ASH_ICMP_ECHO_LEN,
		  exo_ash_icmp_echo(echo, EXO_ASH_ICMP_ECHO_LEN));
	ASSERT_EQ(0, ash_set(self->fd, id, echo, EXO_ASH_ICMP_ECHO_LEN, NULL));
	raw = veth_peer_socket(&self->lab, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	ASSERT_LE(0, raw);
	for (seq = 1; seq <= 3; seq++) {
		ASSERT_EQ(0, ping_once(raw, 0x4153, seq));
		/* The first ICMP back from the host's address is our reply. */
		for (got = 0; !got;) {
			ssize_t len;

			ASSERT_LT(0, exo_poll1(raw, POLLIN, 5000) & POLLIN);
			len = recv(raw, buf, sizeof(buf), MSG_DONTWAIT);
			ASSERT_EQ(20 + 24, len);
			icmp = buf + 20;
			if (icmp[0] == 8)	/* our own request, looped */
				continue;
			got = 1;
			EXPECT_EQ(0, icmp[0]);
			EXPECT_EQ(0x4153, icmp[4] << 8 | icmp[5]);
			EXPECT_EQ(seq, icmp[6] << 8 | icmp[7]);
			EXPECT_EQ(0, memcmp(icmp + 8, "exo-ash-ping-16b", 16));
			EXPECT_EQ(64, buf[8]);
			for (sum = 0, i = 0; i < 24; i += 2)
				sum += icmp[i] << 8 | icmp[i + 1];
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			EXPECT_EQ(0xffff, sum);
		}
	}
	ASSERT_EQ(0, net_stats(self->fd, id, &st));
	EXPECT_EQ(3, st.ash_replied);
	EXPECT_EQ(0, st.ash_refused);
	EXPECT_EQ(0, st.delivered);
	close(raw);
}

TEST_F(ash, drop_and_deliver)
{
	struct exo_ash_insn drop = RET(DROP), deliver = RET(DELIVER);
	struct exo_net_stats st;

	ASSERT_EQ(0, ash_set(self->fd, self->id, &drop, 1, NULL));
	ASSERT_EQ(0, send_peer(self, "drop"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_dropped == 1));
	EXPECT_EQ(1, st.matched);
	EXPECT_EQ(0, st.delivered);
	EXPECT_EQ(0, self->ring->producer);
	ASSERT_EQ(0, ash_set(self->fd, self->id, &deliver, 1, NULL));
	ASSERT_EQ(0, send_peer(self, "deliver"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.delivered == 1));
	EXPECT_EQ(2, st.matched);
	EXPECT_EQ(1, st.ash_dropped);
	EXPECT_EQ(0, st.ash_replied);
	EXPECT_EQ(1, self->ring->producer);
}

TEST_F(ash, handler_cannot_read_beyond_the_frame)
{
	/* A 4-byte payload: 46 bytes on the wire, padded to 60 by nobody
	 * (veth carries the frame as sent). The last readable word is at 42.
	 */
	struct exo_ash_insn p[2] = { I(LDW, 0, 0, 42, 0, 0), RET(DROP) };
	struct exo_net_stats st;

	ASSERT_EQ(0, ash_set(self->fd, self->id, p, 2, NULL));
	ASSERT_EQ(0, send_peer(self, "abcd"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_dropped == 1));
	EXPECT_EQ(0, st.ash_faults);
	/* One byte further is past the frame: a fault, and the ring has it. */
	p[0].off = 43;
	ASSERT_EQ(0, ash_set(self->fd, self->id, p, 2, NULL));
	ASSERT_EQ(0, send_peer(self, "abcd"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_faults == 1));
	EXPECT_EQ(1, st.delivered);
	EXPECT_EQ(1, st.ash_dropped);
	/* A copy past the frame's end faults too. */
	p[0] = I(COPY, 0, 47, 0, 0, 0);
	ASSERT_EQ(0, ash_set(self->fd, self->id, p, 2, NULL));
	ASSERT_EQ(0, send_peer(self, "abcd"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_faults == 2));
	EXPECT_EQ(2, st.delivered);
	EXPECT_EQ(2, self->ring->producer);
}

TEST_F(ash, bad_handlers_are_einval)
{
	struct exo_ash_insn p[EXO_ASH_MAX_INSNS + 1];
	struct exo_net_ash_set a;
	__u32 i, bad = 0;

	for (i = 0; i <= EXO_ASH_MAX_INSNS; i++)
		p[i] = RET(DELIVER);
	EXPECT_EQ(0, ash_set(self->fd, self->id, p, EXO_ASH_MAX_INSNS, NULL));
	EXPECT_EQ(EINVAL, ash_set(self->fd, self->id, p,
				  EXO_ASH_MAX_INSNS + 1, NULL));
	/* A jump past the end (no backward jump can be written). */
	p[1] = I(JA, 0, 0, 1, 0, 0);
	EXPECT_EQ(EINVAL, ash_set(self->fd, self->id, p, 3, &bad));
	EXPECT_EQ(1, bad);
	p[1] = I(JA, 0, 0, 0, 0, 0);
	EXPECT_EQ(0, ash_set(self->fd, self->id, p, 3, NULL));
	p[1] = I(LDI, EXO_ASH_NREGS, 0, 0, 0, 1);
	EXPECT_EQ(EINVAL, ash_set(self->fd, self->id, p, 3, &bad));
	EXPECT_EQ(1, bad);
	p[1] = I(LDB, 0, 0, 0, 0, 0);
	p[2] = I(LDB, 0, 0, 0, 0, 0);
	EXPECT_EQ(EINVAL, ash_set(self->fd, self->id, p, 3, &bad));
	EXPECT_EQ(2, bad);
	p[2] = RET(DROP);
	EXPECT_EQ(EFAULT, ash_set(self->fd, self->id, (void *)8, 3, NULL));
	EXPECT_EQ(ENOENT, ash_set(self->fd, 0, p, 3, NULL));
	memset(&a, 0, sizeof(a));
	a.argsz = sizeof(a);
	a.binding_id = self->id;
	a.len = 3;
	a.prog = (__u64)(unsigned long)p;
	a.flags = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, &a));
	a.flags = 0;
	a.reserved = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, &a));
	a.reserved = 0;
	/* @bad_pc is out: 0 on success, whatever came in. */
	a.bad_pc = 77;
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, &a));
	EXPECT_EQ(0U, a.bad_pc);
}

/*
 * In/out: an argument the kernel could not write @bad_pc back to is EFAULT
 * before anything is done, attaching or removing (exo-fuzz found the
 * removal succeeding on a read-only page).
 */
TEST_F(ash, read_only_argument_is_efault)
{
	struct exo_ash_insn drop = RET(DROP);
	struct exo_net_ash_set *a;

	a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	a->argsz = sizeof(*a);
	a->binding_id = self->id;
	a->len = 1;
	a->prog = (__u64)(unsigned long)&drop;
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(EFAULT, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, a));
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ | PROT_WRITE));
	a->len = 0;
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ));
	EXPECT_EQ(EFAULT, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, a));
	/* Writable, both work. */
	ASSERT_EQ(0, mprotect(a, 4096, PROT_READ | PROT_WRITE));
	a->len = 1;
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, a));
	a->len = 0;
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, a));
	munmap(a, 4096);
}

TEST_F(ash, second_env_cannot_attach_to_my_binding)
{
	struct exo_ash_insn drop = RET(DROP);
	struct exo_net_stats st;
	int other = exo_raw_env();

	ASSERT_LE(0, other);
	EXPECT_EQ(EPERM, ash_set(other, self->id, &drop, 1, NULL));
	EXPECT_EQ(EPERM, ash_set(other, self->id, NULL, 0, NULL));
	close(other);
	/* Nothing attached: the frame reaches my ring. */
	ASSERT_EQ(0, send_peer(self, "mine"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.delivered == 1));
	EXPECT_EQ(0, st.ash_dropped);
}

/*
 * A hostile environment's handler sees only what its own filter claims: it
 * cannot bind over my port (EEXIST), and a catch-all DROP on a port of its
 * own never touches my frames, which reach my ring.
 */
TEST_F(ash, hostile_handler_never_sees_my_frames)
{
	struct exo_ash_insn drop = RET(DROP);
	struct exo_net_stats st, theirs;
	struct exo_net_atom a[4];
	int other = exo_raw_env();
	__u32 id;

	ASSERT_LE(0, other);
	EXPECT_EQ(EEXIST, net_bind(other, self->lab.ifindex, a,
				   net_udp_port_atoms(a, ASH_PORT), 0, &id));
	ASSERT_EQ(0, net_bind(other, self->lab.ifindex, a,
			      net_udp_port_atoms(a, ASH_PORT + 30), 0, &id));
	ASSERT_EQ(0, ash_set(other, id, &drop, 1, NULL));
	ASSERT_EQ(0, send_peer(self, "mine"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.delivered == 1));
	ASSERT_EQ(0, net_stats(other, id, &theirs));
	EXPECT_EQ(0, theirs.matched);
	EXPECT_EQ(0, theirs.ash_dropped);
	close(other);
}

TEST_F(ash, kill9_takes_the_handler_away)
{
	struct exo_ash_insn drop = RET(DROP);
	struct exo_net_atom a[4];
	int sync[2], host;
	char c, buf[16];
	pid_t pid;

	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = exo_raw_env();
		__u32 id;

		if (fd < 0 || net_bind(fd, self->lab.ifindex, a,
				       net_udp_port_atoms(a, ASH_PORT + 10),
				       0, &id) ||
		    ash_set(fd, id, &drop, 1, NULL))
			_exit(1);
		c = 'b';
		if (write(sync[1], &c, 1) != 1)
			_exit(2);
		/* Say when the handler has dropped the frame. */
		c = 'd';
		if (net_wait_matched(fd, id, 1) || write(sync[1], &c, 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(sync[1]);
	ASSERT_EQ(1, read(sync[0], &c, 1));
	ASSERT_EQ(0, net_peer_send(self->peer, NET_HOST_IP, ASH_PORT + 10,
				   "gone", 4));
	ASSERT_EQ(1, read(sync[0], &c, 1));
	ASSERT_EQ('d', c);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, exo_wait_child(pid));
	/* Gone with its binding: the port is the host's again. */
	host = net_host_udp(NET_HOST_IP, ASH_PORT + 10);
	ASSERT_LE(0, host);
	ASSERT_EQ(0, net_peer_send(self->peer, NET_HOST_IP, ASH_PORT + 10,
				   "host", 4));
	ASSERT_EQ(4, net_recv_within(host, buf, sizeof(buf), 5000));
	EXPECT_EQ(0, memcmp(buf, "host", 4));
	close(host);
	close(sync[0]);
}

TEST_HARNESS_MAIN
