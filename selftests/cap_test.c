// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities (EXO_IOC_CAP_GRANT and EXO_IOC_CAP_REVOKE): for each kind the
 * kernel serves, a cap held, granted (the grantee can use it), revoked (it
 * cannot, and was told), out of reach of a third environment, refused on bad
 * input on both sides of every limit, and dropped when either side is killed.
 * EXO_CAP_MEM (fixture mem, exo_mem_util.h's) and EXO_CAP_CPU (fixture
 * cap_cpu: slots whose turns go to the grantee's bound thread) are tested
 * here, EXO_CAP_NET in net_cap_test.c and EXO_CAP_XN in xn_cap_test.c.
 */
#include <signal.h>

#include "exo_mem_util.h"

/* The kill tests' peer steps. */
#define CAP_HOLD		1	/* map through the cap and hold it */

/*
 * The grantee: sends its id; gets (frame, cap id); maps the frame read-only
 * through the cap, fails to map it read-write or to revoke the cap; after
 * the grantor revoked, finds the page gone and the event queued.
 */
static int cap_grantee_child(int rx, int tx, void *arg)
{
	struct exo_event ev;
	struct mem_msg m;
	__u64 cap_id;
	__u32 x;
	void *r;
	int fd;

	(void)arg;
	r = mem_grantee_open(tx, 2, &fd);
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0);
	x = m.v[0];
	cap_id = m.v[1];

	/* Granted: a read mapping, not a write one. */
	EXO_CHILD_CHECK(10, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == 0);
	EXO_CHILD_CHECK(11, exo_pattern_check(MEM_PG(r, 0), 0x5151) == 0);
	EXO_CHILD_CHECK(12, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &x, 1,
					    MEM_PG(r, 1)) == EPERM);
	EXO_CHILD_CHECK(13, exo_probe_write(MEM_PG(r, 0), 1) == SIGSEGV);
	/* Not the grantee's to revoke, under either ioctl. */
	EXO_CHILD_CHECK(14, exo_raw_cap_revoke(fd, EXO_CAP_MEM, cap_id) == ENOENT);
	EXO_CHILD_CHECK(15, exo_raw_mem_ungrant(fd, cap_id) == ENOENT);
	/* Nor to pass on: it holds no frame. */
	EXO_CHILD_CHECK(16, exo_raw_cap_grant(fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				      m.v[2], NULL) == EPERM);
	EXO_CHILD_CHECK(17, mem_send(tx, 0, 0, 0) == 0);

	/* Revoked: the page went before the ioctl returned, then the event. */
	EXO_CHILD_CHECK(20, mem_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(21, exo_probe_read(MEM_PG(r, 0), NULL) == SIGBUS);
	EXO_CHILD_CHECK(22, exo_raw_event_wait(fd, MEM_WAIT_MS, &ev) == 0);
	EXO_CHILD_CHECK(23, ev.type == EXO_EVENT_MEM_UNGRANTED);
	EXO_CHILD_CHECK(24, ev.data[0] == cap_id);
	EXO_CHILD_CHECK(25, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == EPERM);
	EXO_CHILD_CHECK(26, exo_raw_event_wait(fd, 0, &ev) == ETIMEDOUT);
	return 0;
}

TEST_F(mem, cap_mem_held_granted_revoked)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 grantee, third_id, cap_id = 0;
	struct mem_msg m;
	void *r, *r3;
	int third;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, r, &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x5151));

	/* A third environment, hostile, with a region of its own. */
	third = exo_raw_env();
	ASSERT_LE(0, third);
	third_id = exo_raw_env_id(third);
	r3 = exo_raw_mem_region(third, 1);
	ASSERT_NE(NULL, r3);

	ASSERT_EQ(0, exo_peer_start(&peer, cap_grantee_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	grantee = m.v[0];
	ASSERT_NE(0U, grantee);

	/* Held: only the holder can grant it. */
	EXPECT_EQ(EPERM, exo_raw_cap_grant(third, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				   grantee, NULL));
	ASSERT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       grantee, &cap_id));
	EXPECT_NE(0U, cap_id);

	/* The third can neither use the cap nor revoke it. */
	EXPECT_EQ(EPERM, exo_raw_mem_map(third, 0, &x, 1, r3));
	EXPECT_EQ(SIGBUS, exo_probe_read(r3, NULL));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(third, EXO_CAP_MEM, cap_id));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(third, cap_id));

	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, third_id));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	if (exo_debugfs_mounted())
		EXPECT_EQ(2, mem_pool_mappings(x, NULL));

	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	/* Gone once revoked, under either ioctl. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(self->fd, cap_id));
	if (exo_debugfs_mounted())
		EXPECT_EQ(1, mem_pool_mappings(x, NULL));
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));

	/* The holder's own mapping is untouched; the third learnt nothing. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x5151));
	EXPECT_EQ(0U, mem_no_event(third, 0));
	EXPECT_EQ(0U, mem_no_event(self->fd, 0));
	close(third);
}

/* A write cap lets the grantee write what the holder reads. */
static int cap_writer_child(int rx, int tx, void *arg)
{
	struct mem_msg m;
	__u32 x;
	void *r;
	int fd;

	(void)arg;
	r = mem_grantee_open(tx, 1, &fd);
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0);
	x = m.v[0];
	EXO_CHILD_CHECK(5, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &x, 1, r) == 0);
	EXO_CHILD_CHECK(6, exo_pattern_fill(r, 0x6262) == 0);
	EXO_CHILD_CHECK(7, mem_send(tx, 0, 0, 0) == 0);
	EXO_CHILD_CHECK(8, mem_recv(rx, &m) == 0);
	return 0;
}

TEST_F(mem, cap_mem_write_right)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 cap_id = 0;
	struct mem_msg m;
	void *r;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, r, &x));
	ASSERT_EQ(0, exo_peer_start(&peer, cap_writer_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	ASSERT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM,
			       EXO_CAP_READ | EXO_CAP_WRITE, x, 1, m.v[0],
			       &cap_id));
	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, 0));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	EXPECT_EQ(0, exo_pattern_check(r, 0x6262));
	/* A cap is a grant: MEM_UNGRANT takes it back as well. */
	EXPECT_EQ(0, exo_raw_mem_ungrant(self->fd, cap_id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));
}

TEST_F(mem, cap_bad_input)
{
	struct exo_cap c;
	__u64 other, id = 0, id2 = 0;
	__u32 n = self->mi.pool_frames, x;
	int fd2;

	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &x));

	/* kind: 0 and past EXO_CAP_XN unknown; every kind between is served. */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, 0, EXO_CAP_READ, x, 1, other, NULL));
	/* CPU: its own checks answer (cap_cpu tests them). */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_CPU, EXO_CAP_READ,
				    0, 0, other, NULL));
	/* NET: binding 0 is no binding (net_cap_test has the rest). */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_NET, EXO_CAP_READ,
				    0, 1, other, NULL));
	/* XN: block 0 is no block of the caller's registry. */
	EXPECT_EQ(EPERM, exo_raw_cap_grant(self->fd, EXO_CAP_XN, EXO_CAP_READ,
				   0, 1, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_XN + 1, EXO_CAP_READ,
				    x, 1, other, NULL));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, 1));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_XN, 1));
	EXPECT_EQ(EINVAL, exo_raw_cap_revoke(self->fd, 0, 1));
	EXPECT_EQ(EINVAL, exo_raw_cap_revoke(self->fd, EXO_CAP_XN + 1, 1));

	/* rights: READ, READ|WRITE; not 0, WRITE alone, or unknown bits. */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, 0, x, 1, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_WRITE, x, 1,
				    other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ | 4,
				    x, 1, other, NULL));

	/* grantee: not the caller, and someone. */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				    self->id, NULL));
	EXPECT_EQ(ESRCH, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				   ~0ULL, NULL));

	/* count: 1..EXO_MEM_BATCH_MAX (a range of another's frames is EPERM). */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 0,
				    other, NULL));
	if (n >= EXO_MEM_BATCH_MAX + 1) {
		EXPECT_EQ(EPERM, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
					   0, EXO_MEM_BATCH_MAX, other, NULL));
		EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
					    0, EXO_MEM_BATCH_MAX + 1, other,
					    NULL));
	}
	/* first: the pool's last frame, not past it, not past 32 bits. */
	EXPECT_EQ(x == n - 1 ? 0 : EPERM,
		  exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n - 1, 1,
			    other, &id2));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n, 1,
				    other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n - 1,
				    2, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
				    x | (1ULL << 32), 1, other, NULL));
	if (x == n - 1)
		EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, id2));

	/* flags and a cap id set on GRANT. */
	memset(&c, 0, sizeof(c));
	c.argsz = sizeof(c);
	c.kind = EXO_CAP_MEM;
	c.rights = EXO_CAP_READ;
	c.first = x;
	c.count = 1;
	c.grantee = other;
	c.flags = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_GRANT, &c));
	c.flags = 0;
	c.cap_id = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_GRANT, &c));
	c.cap_id = 0;
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_CAP_GRANT, &c));
	id = c.cap_id;
	EXPECT_NE(0U, id);

	/* REVOKE: only kind and cap_id may be set. */
	c.flags = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.flags = 0;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.rights = 0;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.first = 0;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.count = 0;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.grantee = 0;
	/* The right id under another kind names nothing. */
	c.kind = EXO_CAP_CPU;
	EXPECT_EQ(ENOENT, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	c.kind = EXO_CAP_MEM;
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, id + 1000000));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, 0));
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	EXPECT_EQ(ENOENT, exo_ioc(self->fd, EXO_IOC_CAP_REVOKE, &c));
	close(fd2);
}

/* grants_max counts caps and grants alike: N granted, N + 1 refused. */
TEST_F(mem, cap_mem_grants_max)
{
	__u64 other, ids[3] = { 0 };
	__u32 x;
	int fd2;

	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &x));
	ASSERT_EQ(0, exo_kmod_param_set("grants_max", 2));
	ASSERT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[0]));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, x, 1, other, &ids[1]));
	EXPECT_EQ(EDQUOT, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				    other, &ids[2]));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, ids[1]));
	EXPECT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[2]));
	EXPECT_NE(ids[0], ids[2]);
	/* Closing the grantee drops both caps: room for two again. */
	close(fd2);
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, ids[0]));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, ids[2]));
	EXPECT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[0]));
	EXPECT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[1]));
	close(fd2);
}

/* Maps (frame, cap id) read-only, reports, then holds until killed. */
static int cap_holder_child(int rx, int tx, void *arg)
{
	struct mem_msg m;
	__u32 x;
	void *r;
	int fd;

	(void)arg;
	r = mem_grantee_open(tx, 1, &fd);
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0 && m.v[2] == CAP_HOLD);
	x = m.v[0];
	EXO_CHILD_CHECK(5, exo_raw_mem_map(fd, 0, &x, 1, r) == 0);
	EXO_CHILD_CHECK(6, mem_send(tx, 0, 0, 0) == 0);
	for (;;)
		pause();
	return 0;
}

static void cap_kill(struct exo_peer *peer)
{
	kill(peer->pid, SIGKILL);
	exo_peer_finish(peer);
}

TEST_F(mem, cap_mem_kill_grantee)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 cap_id = 0, other;
	struct mem_msg m;
	int fd2;
	void *r;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, r, &x));
	ASSERT_EQ(0, exo_pattern_fill(r, 0x7373));
	ASSERT_EQ(0, exo_kmod_param_set("grants_max", 1));
	ASSERT_EQ(0, exo_peer_start(&peer, cap_holder_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	ASSERT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       m.v[0], &cap_id));
	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, CAP_HOLD));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	if (exo_debugfs_mounted())
		EXPECT_EQ(2, mem_pool_mappings(x, NULL));

	cap_kill(&peer);
	/* The cap died with its grantee: nothing to revoke, room for one. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	if (exo_debugfs_mounted())
		EXPECT_EQ(1, mem_pool_mappings(x, NULL));
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	EXPECT_EQ(0, exo_raw_cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &cap_id));
	EXPECT_EQ(0, exo_pattern_check(r, 0x7373));
	EXPECT_EQ(1U, mem_info(self->fd).held_frames);
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
	close(fd2);
}

/* The grantor: grants its frame to the parent's env, then holds. */
static int cap_grantor_child(int rx, int tx, void *arg)
{
	__u64 parent = *(__u64 *)arg, cap_id = 0;
	__u32 x;
	void *r;
	int fd;

	(void)rx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, 1);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_alloc_any(fd, 1, EXO_MEM_PROT_WRITE, r, &x) == 0);
	EXO_CHILD_CHECK(4, exo_pattern_fill(r, 0x8484) == 0);
	EXO_CHILD_CHECK(5, exo_raw_cap_grant(fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				     parent, &cap_id) == 0);
	EXO_CHILD_CHECK(6, mem_send(tx, x, cap_id, 0) == 0);
	for (;;)
		pause();
	return 0;
}

TEST_F(mem, cap_mem_kill_grantor)
{
	struct exo_peer peer = MEM_PEER_INIT;
	struct exo_mem_info before;
	struct exo_event ev;
	struct mem_msg m;
	__u32 x, seen = 0;
	void *r;

	r = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	before = mem_info(self->fd);
	ASSERT_EQ(0, exo_peer_start(&peer, cap_grantor_child, &self->id));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	x = m.v[0];
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, r));
	EXPECT_EQ(0, exo_pattern_check(r, 0x8484));
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);

	cap_kill(&peer);
	/* Its frame and the cap went with it: the page, then the event. */
	EXPECT_EQ(SIGBUS, exo_probe_read(r, NULL));
	ASSERT_EQ(0, exo_raw_event_wait(self->fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ(EXO_EVENT_MEM_UNGRANTED, ev.type);
	EXPECT_EQ(m.v[1], ev.data[0]);
	EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(EPERM, exo_raw_mem_map(self->fd, 0, &x, 1, r));
	EXPECT_TRUE(mem_wait_free(self->fd, before.free_frames, &seen))
		TH_LOG("free frames %u, %u before", seen, before.free_frames);
}

/* ---- EXO_CAP_CPU ---------------------------------------------------------- */

#define CC_WAIT_MS		10000	/* a turn, an event or a reply, at most */
#define CC_FIRST		8	/* the slots granted: 8 and 9 */
#define CC_COUNT		2

FIXTURE(cap_cpu) {
	int fd;			/* the test's environment, handshaken */
	__u64 id;
	int cpu;		/* the first managed CPU */
	struct exo_cpu_info ci;	/* at setup */
	__u32 round_ms;		/* one round of the vector */
	struct exo_peer peer;
};

FIXTURE_SETUP(cap_cpu)
{
	struct exo_api api;

	self->fd = -1;
	self->peer = (struct exo_peer)MEM_PEER_INIT;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_api(self->fd, &api));
	if (!(api.features & EXO_FEATURE_CPU))
		SKIP(return, "exo.ko has no CPU binding (EXO_FEATURE_CPU)");
	self->id = exo_raw_env_id(self->fd);
	self->cpu = exo_cpu_first(self->fd);
	if (self->cpu < 0)
		SKIP(return, "exo manages no CPU here (one-CPU machine?)");
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &self->ci));
	ASSERT_EQ(0U, self->ci.my_slots);
	if (self->ci.nslots < 2 * CC_FIRST)
		SKIP(return, "the vector has fewer than %d slots", 2 * CC_FIRST);
	self->round_ms = self->ci.quantum_ns * self->ci.nslots / 1000000;
}

FIXTURE_TEARDOWN(cap_cpu)
{
	if (self->peer.pid > 0) {
		kill(self->peer.pid, SIGKILL);
		exo_peer_finish(&self->peer);
	}
	/* A test that lowered the cap and failed must not leave it low. */
	exo_kmod_param_set("env_slots", 0);
	if (self->fd >= 0)
		close(self->fd);
}

struct cc_arg {
	int cpu;
	__u32 round_ms;
	__u64 parent;		/* the test's environment id */
};

/* A reply from a peer, or ETIMEDOUT: a dead or stuck peer fails the test. */
static int cc_recv(int fd, struct mem_msg *m)
{
	if (exo_poll1(fd, POLLIN, CC_WAIT_MS) <= 0)
		return ETIMEDOUT;
	return mem_recv(fd, m) ? EIO : 0;
}

static int cc_grant(int fd, __u32 cpu, __u32 slot, __u64 count,
		    __u64 grantee, __u64 *cap_id)
{
	return exo_raw_cap_grant(fd, EXO_CAP_CPU, EXO_CAP_READ,
			 EXO_CAP_CPU_SLOT(cpu, slot), count, grantee, cap_id);
}

/* The next event that is not an excess (a slow VM may owe one), or errno. */
static int cc_event(int fd, struct exo_event *ev)
{
	int err, i;

	for (i = 0; i < 8; i++) {
		err = exo_raw_event_wait(fd, CC_WAIT_MS, ev);
		if (err || ev->type != EXO_EVENT_CPU_EXCESS)
			return err;
	}
	return EAGAIN;
}

/*
 * A grantee child's first steps, exiting with the one that failed (1..3):
 * an environment of its own, its thread bound on @cpu, its id sent on @tx.
 */
static int cc_grantee_open(int tx, __u32 cpu)
{
	int fd = exo_raw_env();

	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_bind(fd, cpu, 0, 0));
	EXO_CHILD_CHECK(3, !mem_send(tx, exo_raw_env_id(fd), 0, 0));
	return fd;
}

/*
 * The grantee: bound with no slots of its own, it gets (cap id, grantor,
 * first slot); cannot revoke or pass the cap on; takes a granted turn and
 * reports it; takes and yields turns until told of the revocation; then
 * finds the event and no further turn.
 */
static int cc_grantee_child(int rx, int tx, void *arg)
{
	const struct cc_arg *a = arg;
	struct exo_cpu_wake w;
	struct exo_event ev;
	__u64 cap_id, grantor;
	struct mem_msg m;
	__u32 first, i;
	int fd, err;

	fd = cc_grantee_open(tx, a->cpu);
	EXO_CHILD_CHECK(4, !cc_recv(rx, &m));
	cap_id = m.v[0];
	grantor = m.v[1];
	first = m.v[2];
	/* Not the grantee's to revoke, nor to pass on: the slots are not. */
	EXO_CHILD_CHECK(5, exo_raw_cap_revoke(fd, EXO_CAP_CPU, cap_id) == ENOENT);
	EXO_CHILD_CHECK(6, cc_grant(fd, a->cpu, first, CC_COUNT, grantor,
				    NULL) == EPERM);
	/* It holds nothing: its first wake is a turn of the granted slots. */
	EXO_CHILD_CHECK(7, !exo_raw_cpu_wait(fd, CC_WAIT_MS, &w));
	EXO_CHILD_CHECK(8, w.reason == EXO_CPU_WAKE_GRANTED);
	EXO_CHILD_CHECK(9, w.donor == grantor);
	EXO_CHILD_CHECK(10, w.cpu == (__u32)a->cpu && w.slot >= first &&
			    w.slot < first + CC_COUNT);
	EXO_CHILD_CHECK(11, w.nslots >= 1 && w.nslots <= CC_COUNT);
	EXO_CHILD_CHECK(12, !exo_raw_cpu_yield(fd, 0, NULL));
	EXO_CHILD_CHECK(13, !mem_send(tx, w.slot, w.donor, w.reason));
	/* Waiting yields each turn; only granted ones may come. */
	for (i = 0; exo_poll1(rx, POLLIN, 0) == 0; i++) {
		EXO_CHILD_CHECK(14, i < 200);
		err = exo_raw_cpu_wait(fd, 100, &w);
		EXO_CHILD_CHECK(15, err == ETIMEDOUT ||
				    (!err && w.reason == EXO_CPU_WAKE_GRANTED));
	}
	EXO_CHILD_CHECK(16, !cc_recv(rx, &m));
	/* Revoked: told, with what the cap named... */
	EXO_CHILD_CHECK(17, !cc_event(fd, &ev));
	EXO_CHILD_CHECK(18, ev.type == EXO_EVENT_CPU_UNGRANTED);
	EXO_CHILD_CHECK(19, ev.data[0] == cap_id);
	EXO_CHILD_CHECK(20, ev.data[1] == EXO_CAP_CPU_SLOT(a->cpu, first) &&
			    ev.data[2] == CC_COUNT);
	/* ... and no turn of those slots in two rounds and more. */
	err = exo_raw_cpu_wait(fd, a->round_ms * 5 / 2, &w);
	EXO_CHILD_CHECK(21, err == ETIMEDOUT);
	EXO_CHILD_CHECK(22, !mem_send(tx, 0, 0, 0));
	return 0;
}

TEST_F(cap_cpu, granted_turns_then_revoked)
{
	struct cc_arg a = { .cpu = self->cpu, .round_ms = self->round_ms };
	__u64 grantee, cap_id = 0;
	struct exo_cpu_wake w;
	struct mem_msg m;
	int third, err;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, CC_FIRST, CC_COUNT,
				      1));
	third = exo_raw_env();
	ASSERT_LE(0, third);
	ASSERT_EQ(0, exo_peer_start(&self->peer, cc_grantee_child, &a));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	grantee = m.v[0];

	/* Held: only the holder grants it. */
	EXPECT_EQ(EPERM, cc_grant(third, self->cpu, CC_FIRST, CC_COUNT,
				  grantee, NULL));
	ASSERT_EQ(0, cc_grant(self->fd, self->cpu, CC_FIRST, CC_COUNT,
			      grantee, &cap_id));
	EXPECT_NE(0U, cap_id);
	/* The slots stay the grantor's. */
	EXPECT_EQ(CC_COUNT, exo_cpu_mine(self->fd, self->cpu));
	EXPECT_EQ((int)self->ci.free_slots - CC_COUNT,
		  exo_cpu_free_count(self->fd, self->cpu));
	EXPECT_EQ(EEXIST, exo_raw_cpu_book(third, self->cpu, CC_FIRST, 1, 1));
	ASSERT_EQ(0, mem_send(self->peer.to, cap_id, self->id, CC_FIRST));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	EXPECT_EQ((__u64)EXO_CPU_WAKE_GRANTED, m.v[2]);
	EXPECT_EQ(self->id, m.v[1]);
	EXPECT_TRUE(m.v[0] >= CC_FIRST && m.v[0] < CC_FIRST + CC_COUNT);

	/* A hostile third environment can neither revoke it nor run in it. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(third, EXO_CAP_CPU, cap_id));
	ASSERT_EQ(0, exo_raw_cpu_bind(third, self->cpu, 0, 0));
	memset(&w, 0, sizeof(w));
	err = exo_raw_cpu_wait(third, self->round_ms * 5 / 2, &w);
	EXPECT_EQ(ETIMEDOUT, err) {
		TH_LOG("third env woken in slot %u, reason %u", w.slot,
		       w.reason);
	}
	ASSERT_EQ(0, exo_raw_cpu_unbind(third));

	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, cap_id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, cap_id));
	ASSERT_EQ(0, mem_send(self->peer.to, 0, 0, 0));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	EXPECT_EQ(0, exo_peer_finish(&self->peer));

	/* Revoked, the slots' turns are the grantor's again. */
	EXPECT_EQ(CC_COUNT, exo_cpu_mine(self->fd, self->cpu));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CC_WAIT_MS, &w));
	EXPECT_EQ((__u32)EXO_CPU_WAKE_SLOT, w.reason);
	EXPECT_TRUE(w.slot >= CC_FIRST && w.slot < CC_FIRST + CC_COUNT);
	EXPECT_EQ(0, exo_raw_cpu_yield(self->fd, 0, NULL));
	EXPECT_EQ(0, exo_raw_cpu_unbind(self->fd));
	close(third);
}

TEST_F(cap_cpu, bad_input_both_sides_of_every_limit)
{
	__u32 n = self->ci.nslots, cpu = self->cpu, unmanaged;
	__u64 other, other3, id = 0, id2 = 0;
	int fd2, fd3;

	fd2 = exo_raw_env();
	fd3 = exo_raw_env();
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	other = exo_raw_env_id(fd2);
	other3 = exo_raw_env_id(fd3);
	/* Slots 1..n-1: all but slot 0, as many as env_slots lets one hold. */
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, cpu, 1, n - 1, 1));

	/* count: 1..nslots - slot, and never wrapping. */
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, 1, 0, other, NULL));
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, 1, n, other, NULL));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 1, n - 1, other, &id));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, n - 1, 2, other, NULL));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, n - 1, 1, other, &id));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, 1, (1ULL << 32) + 1, other,
				   NULL));
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, 1, ~0ULL, other, NULL));

	/* first: a slot past nslots, a CPU exo does not manage, near 2^64. */
	if (n < EXO_CPU_SLOTS_MAX)
		EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, n, 1, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_CPU, EXO_CAP_READ,
				    EXO_CAP_CPU_SLOT(64, 1), 1, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_CPU, EXO_CAP_READ,
				    ~0ULL, 1, other, NULL));
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_CPU, EXO_CAP_READ,
				    EXO_CAP_CPU_SLOT(cpu, 1) |
				    (1ULL << 63), 1, other, NULL));
	for (unmanaged = 0; unmanaged < 64; unmanaged++)
		if (!(self->ci.cpus >> unmanaged & 1))
			break;
	if (unmanaged < 64)
		EXPECT_EQ(EINVAL, cc_grant(self->fd, unmanaged, 1, 1, other,
					   NULL));

	/* rights: READ only; a slot holds nothing to write. */
	EXPECT_EQ(EINVAL, exo_raw_cap_grant(self->fd, EXO_CAP_CPU,
				    EXO_CAP_READ | EXO_CAP_WRITE,
				    EXO_CAP_CPU_SLOT(cpu, 1), 1, other, NULL));

	/* held: slot 0 is nobody's, then another's; a run with it too. */
	EXPECT_EQ(EPERM, cc_grant(self->fd, cpu, 0, 1, other, NULL));
	EXPECT_EQ(EPERM, cc_grant(self->fd, cpu, 0, 2, other, NULL));
	ASSERT_EQ(0, exo_raw_cpu_book(fd2, cpu, 0, 1, 1));
	EXPECT_EQ(EPERM, cc_grant(self->fd, cpu, 0, 1, other3, NULL));
	EXPECT_EQ(EPERM, cc_grant(fd3, cpu, 1, 1, other, NULL));

	/* grantee: not the caller, and someone. */
	EXPECT_EQ(EINVAL, cc_grant(self->fd, cpu, 1, 1, self->id, NULL));
	EXPECT_EQ(ESRCH, cc_grant(self->fd, cpu, 1, 1, ~0ULL, NULL));

	/* A slot is in one live cap: [4, 6), then overlaps; [6, 7) abuts. */
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 4, 2, other, &id));
	EXPECT_EQ(EEXIST, cc_grant(self->fd, cpu, 5, 2, other3, NULL));
	EXPECT_EQ(EEXIST, cc_grant(self->fd, cpu, 3, 2, other, NULL));
	EXPECT_EQ(EEXIST, cc_grant(self->fd, cpu, 4, 2, other, NULL));
	EXPECT_EQ(EEXIST, cc_grant(self->fd, cpu, 5, 1, other3, NULL));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 6, 1, other, &id2));
	EXPECT_NE(id, id2);

	/* REVOKE: only the grantor's id; twice is ENOENT. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(fd2, EXO_CAP_CPU, id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(fd3, EXO_CAP_CPU, id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, 0));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id2 + 1000000));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, id));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id2));

	/* Nothing failed half-way: every slot as booked. */
	EXPECT_EQ((int)n - 1, exo_cpu_mine(self->fd, cpu));
	EXPECT_EQ(1, exo_cpu_mine(fd2, cpu));
	EXPECT_EQ((int)self->ci.free_slots - (int)n,
		  exo_cpu_free_count(self->fd, cpu));

	/* FREE of one slot of a cap kills the cap; the others stay mine. */
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 4, 2, other, &id));
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, cpu, 5, 1, 1));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	EXPECT_EQ(EPERM, cc_grant(self->fd, cpu, 5, 1, other, NULL));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 4, 1, other, &id));
	/* Closing the grantee drops its caps. */
	close(fd2);
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 4, 1, other3, &id));
	close(fd3);
}

/*
 * Granted slots do not count against env_slots (or anyone could fill
 * another's quota), but held and granted ones together never make one
 * environment's turns the whole vector: N granted, N + 1 refused, at GRANT
 * and at BOOK.
 */
TEST_F(cap_cpu, granted_slots_never_the_whole_vector)
{
	__u32 n = self->ci.nslots, h = n / 2, cpu = self->cpu;
	__u64 other, other3, id = 0;
	int fd2, fd3;

	fd2 = exo_raw_env();
	fd3 = exo_raw_env();
	ASSERT_LE(0, fd2);
	ASSERT_LE(0, fd3);
	other = exo_raw_env_id(fd2);
	other3 = exo_raw_env_id(fd3);
	ASSERT_EQ(0, exo_raw_cpu_book(fd2, cpu, h, n - h, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, cpu, 0, h - 1, 1));
	/* n - 1 slots of turns for fd2: granted; n: refused either way. */
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 0, h - 1, other, &id));
	EXPECT_EQ(ENOSPC, exo_raw_cpu_book(fd2, cpu, h - 1, 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, cpu, h - 1, 1, 1));
	EXPECT_EQ(ENOSPC, cc_grant(self->fd, cpu, h - 1, 1, other, NULL));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, h - 1, 1, other, &id));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, id));

	/* env_slots bounds what is booked, not what is granted. */
	close(fd2);
	ASSERT_EQ(0, exo_kmod_param_set("env_slots", 2));
	ASSERT_EQ(0, cc_grant(self->fd, cpu, 0, 2, other3, &id));
	EXPECT_EQ(0, exo_raw_cpu_book(fd3, cpu, h, 2, 1));
	EXPECT_EQ(ENOSPC, exo_raw_cpu_book(fd3, cpu, h + 2, 1, 1));
	EXPECT_EQ(0, exo_kmod_param_set("env_slots", 0));
	close(fd3);
}

/* Bound, but never in CPU_WAIT: granted turns begin and end without it. */
static int cc_idle_grantee_child(int rx, int tx, void *arg)
{
	const struct cc_arg *a = arg;
	struct exo_cpu_info ci;
	struct mem_msg m;
	int fd;

	fd = cc_grantee_open(tx, a->cpu);
	/* Blocks for rounds; a dead parent closes the pipe. */
	EXO_CHILD_CHECK(4, !mem_recv(rx, &m));
	EXO_CHILD_CHECK(5, !exo_raw_cpu_info(fd, a->cpu, &ci));
	EXO_CHILD_CHECK(6, !mem_send(tx, ci.excess, 0, 0));
	return 0;
}

/*
 * Nobody asks for a grant: turns the grantee never took cost it nothing,
 * or a hostile grantor could get any bound libOS aborted.
 */
TEST_F(cap_cpu, untaken_granted_turns_cost_nothing)
{
	struct cc_arg a = { .cpu = self->cpu, .round_ms = self->round_ms };
	struct mem_msg m;
	__u64 cap_id = 0;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, CC_FIRST, CC_COUNT,
				      1));
	ASSERT_EQ(0, exo_peer_start(&self->peer, cc_idle_grantee_child, &a));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	ASSERT_EQ(0, cc_grant(self->fd, self->cpu, CC_FIRST, CC_COUNT, m.v[0],
			      &cap_id));
	/* More rounds than max_excess: charged, it would be aborted. */
	poll(NULL, 0, self->round_ms * (self->ci.max_excess + 1));
	ASSERT_EQ(0, mem_send(self->peer.to, 0, 0, 0));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	EXPECT_EQ(0U, m.v[0]);
	EXPECT_EQ(0, exo_peer_finish(&self->peer));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, cap_id));
}

/* Bound with no slots: takes one granted turn, reports it, then yields on. */
static int cc_holder_child(int rx, int tx, void *arg)
{
	const struct cc_arg *a = arg;
	struct exo_cpu_wake w;
	struct mem_msg m;
	int fd;

	fd = cc_grantee_open(tx, a->cpu);
	EXO_CHILD_CHECK(4, !cc_recv(rx, &m));
	EXO_CHILD_CHECK(5, !exo_raw_cpu_wait(fd, CC_WAIT_MS, &w));
	EXO_CHILD_CHECK(6, !mem_send(tx, w.slot, w.donor, w.reason));
	/* Killed in or between its turns. */
	for (;;)
		exo_raw_cpu_wait(fd, CC_WAIT_MS, &w);
	return 0;
}

TEST_F(cap_cpu, kill9_grantee_returns_the_slots)
{
	struct cc_arg a = { .cpu = self->cpu, .round_ms = self->round_ms };
	__u64 cap_id = 0, other;
	struct exo_cpu_wake w;
	struct mem_msg m;
	int fd2;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, CC_FIRST, CC_COUNT,
				      1));
	ASSERT_EQ(0, exo_peer_start(&self->peer, cc_holder_child, &a));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	ASSERT_EQ(0, cc_grant(self->fd, self->cpu, CC_FIRST, CC_COUNT, m.v[0],
			      &cap_id));
	ASSERT_EQ(0, mem_send(self->peer.to, 0, 0, 0));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	EXPECT_EQ((__u64)EXO_CPU_WAKE_GRANTED, m.v[2]);
	EXPECT_EQ(self->id, m.v[1]);

	kill(self->peer.pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&self->peer));
	/* Reaped is closed: the cap is gone, the slots still the grantor's. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, cap_id));
	EXPECT_EQ(CC_COUNT, exo_cpu_mine(self->fd, self->cpu));
	EXPECT_EQ((int)self->ci.free_slots - CC_COUNT,
		  exo_cpu_free_count(self->fd, self->cpu));
	/* In no cap: they can be granted again, and their turns are mine. */
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	ASSERT_EQ(0, cc_grant(self->fd, self->cpu, CC_FIRST, CC_COUNT, other,
			      &cap_id));
	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_CPU, cap_id));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CC_WAIT_MS, &w));
	EXPECT_EQ((__u32)EXO_CPU_WAKE_SLOT, w.reason);
	EXPECT_TRUE(w.slot >= CC_FIRST && w.slot < CC_FIRST + CC_COUNT);
	EXPECT_EQ(0, exo_raw_cpu_yield(self->fd, 0, NULL));
	EXPECT_EQ(0, exo_raw_cpu_unbind(self->fd));
	close(fd2);
}

/* The grantor: books the slots, grants them to the parent, then holds. */
static int cc_grantor_child(int rx, int tx, void *arg)
{
	const struct cc_arg *a = arg;
	__u64 cap_id = 0;
	int fd;

	(void)rx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, a->cpu, CC_FIRST, CC_COUNT,
					     1));
	EXO_CHILD_CHECK(3, !cc_grant(fd, a->cpu, CC_FIRST, CC_COUNT,
				     a->parent, &cap_id));
	EXO_CHILD_CHECK(4, !mem_send(tx, cap_id, exo_raw_env_id(fd), 0));
	for (;;)
		pause();
	return 0;
}

TEST_F(cap_cpu, kill9_grantor_returns_the_slots)
{
	struct cc_arg a = {
		.cpu = self->cpu, .round_ms = self->round_ms,
		.parent = self->id,
	};
	struct exo_cpu_wake w;
	struct exo_event ev;
	struct mem_msg m;

	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_peer_start(&self->peer, cc_grantor_child, &a));
	ASSERT_EQ(0, cc_recv(self->peer.from, &m));
	EXPECT_EQ(self->ci.free_slots - CC_COUNT,
		  (__u32)exo_cpu_free_count(self->fd, self->cpu));
	/* The grantee: a turn of another's slots, that one named as donor. */
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CC_WAIT_MS, &w));
	EXPECT_EQ((__u32)EXO_CPU_WAKE_GRANTED, w.reason);
	EXPECT_EQ(m.v[1], w.donor);
	EXPECT_TRUE(w.slot >= CC_FIRST && w.slot < CC_FIRST + CC_COUNT);
	EXPECT_EQ(0, exo_raw_cpu_yield(self->fd, 0, NULL));
	EXPECT_EQ(0, exo_cpu_mine(self->fd, self->cpu));

	kill(self->peer.pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&self->peer));
	/* Its slots are free, the grantee is told, and no turn comes. */
	EXPECT_EQ((int)self->ci.free_slots,
		  exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(0, cc_event(self->fd, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_CPU_UNGRANTED, ev.type);
	EXPECT_EQ(m.v[0], ev.data[0]);
	EXPECT_EQ(ETIMEDOUT, exo_raw_cpu_wait(self->fd,
					      self->round_ms * 5 / 2, &w));
	EXPECT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

TEST_HARNESS_MAIN
