// SPDX-License-Identifier: GPL-2.0
/*
 * ASH, in-kernel packet handlers (EXO_IOC_NET_ASH_SET): on a veth whose far
 * end lives in a namespace of its own, DROP and DELIVER do what they say; a
 * handler that reads past the frame faults and the frame goes to the ring;
 * a handler that can reply is EOPNOTSUPP (this kernel does not send from
 * the hook yet); the verifier's refusals are EINVAL with the bad
 * instruction; a second
 * environment cannot attach a handler to a binding it does not hold; kill
 * -9 takes the handler away with the binding.
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

TEST_F(ash, replying_handlers_are_eopnotsupp)
{
	struct exo_ash_insn p[EXO_ASH_UDP_ECHO_LEN];
	struct exo_ash_insn drop = RET(DROP);
	struct exo_net_stats st;
	int n;

	/* The echo verifies, but this kernel does not send replies yet. */
	n = exo_ash_udp_echo(p, EXO_ASH_UDP_ECHO_LEN);
	ASSERT_EQ(EXO_ASH_UDP_ECHO_LEN, n);
	EXPECT_EQ(-EINVAL, exo_net_ash_set(NULL, self->id, p, n, NULL));
	ASSERT_EQ(0, ash_set(self->fd, self->id, &drop, 1, NULL));
	EXPECT_EQ(EOPNOTSUPP, ash_set(self->fd, self->id, p, n, NULL));
	/* Refused, the binding keeps the handler it had. */
	ASSERT_EQ(0, send_peer(self, "kept"));
	ASSERT_TRUE(WAIT_STATS(self->fd, self->id, st, st.ash_dropped == 1));
	EXPECT_EQ(0, st.delivered);
	EXPECT_EQ(0, st.ash_replied);
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
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_ASH_SET, &a));
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
