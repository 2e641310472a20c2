// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities (EXO_IOC_CAP_GRANT and EXO_IOC_CAP_REVOKE): for each kind the
 * kernel serves, a cap held, granted (the grantee can use it), revoked (it
 * cannot, and was told), out of reach of a third environment, refused on bad
 * input on both sides of every limit, and dropped when either side is killed.
 * EXO_CAP_MEM and EXO_CAP_CPU are served; the other kinds must say
 * EOPNOTSUPP. The fixture and helpers are exo_mem_util.h's.
 */
#include <signal.h>

#include "exo_mem_util.h"

static int cap_grant(int fd, __u32 kind, __u32 rights, __u64 first,
		     __u64 count, __u64 grantee, __u64 *cap_id)
{
	struct exo_cap c = {
		.argsz = sizeof(c),
		.kind = kind,
		.rights = rights,
		.first = first,
		.count = count,
		.grantee = grantee,
	};
	int err = exo_ioc(fd, EXO_IOC_CAP_GRANT, &c);

	if (!err && cap_id)
		*cap_id = c.cap_id;
	return err;
}

static int cap_revoke(int fd, __u32 kind, __u64 cap_id)
{
	struct exo_cap c = {
		.argsz = sizeof(c),
		.kind = kind,
		.cap_id = cap_id,
	};

	return exo_ioc(fd, EXO_IOC_CAP_REVOKE, &c);
}

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
	EXO_CHILD_CHECK(14, cap_revoke(fd, EXO_CAP_MEM, cap_id) == ENOENT);
	EXO_CHILD_CHECK(15, exo_raw_mem_ungrant(fd, cap_id) == ENOENT);
	/* Nor to pass on: it holds no frame. */
	EXO_CHILD_CHECK(16, cap_grant(fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
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
	EXPECT_EQ(EPERM, cap_grant(third, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				   grantee, NULL));
	ASSERT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       grantee, &cap_id));
	EXPECT_NE(0U, cap_id);

	/* The third can neither use the cap nor revoke it. */
	EXPECT_EQ(EPERM, exo_raw_mem_map(third, 0, &x, 1, r3));
	EXPECT_EQ(SIGBUS, exo_probe_read(r3, NULL));
	EXPECT_EQ(ENOENT, cap_revoke(third, EXO_CAP_MEM, cap_id));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(third, cap_id));

	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, third_id));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	if (exo_debugfs_mounted())
		EXPECT_EQ(2, mem_pool_mappings(x, NULL));

	ASSERT_EQ(0, cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	/* Gone once revoked, under either ioctl. */
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
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
	ASSERT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM,
			       EXO_CAP_READ | EXO_CAP_WRITE, x, 1, m.v[0],
			       &cap_id));
	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, 0));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	EXPECT_EQ(0, exo_pattern_check(r, 0x6262));
	/* A cap is a grant: MEM_UNGRANT takes it back as well. */
	EXPECT_EQ(0, exo_raw_mem_ungrant(self->fd, cap_id));
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
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

	/* kind: 0 and past EXO_CAP_XN unknown; NET, XN not yet. */
	EXPECT_EQ(EINVAL, cap_grant(self->fd, 0, EXO_CAP_READ, x, 1, other, NULL));
	/* CPU is served: its own checks answer (cap_cpu tests them). */
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_CPU, EXO_CAP_READ,
				    0, 0, other, NULL));
	EXPECT_EQ(EOPNOTSUPP, cap_grant(self->fd, EXO_CAP_NET, EXO_CAP_READ,
					0, 1, other, NULL));
	EXPECT_EQ(EOPNOTSUPP, cap_grant(self->fd, EXO_CAP_XN, EXO_CAP_READ,
					0, 1, other, NULL));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_XN + 1, EXO_CAP_READ,
				    x, 1, other, NULL));
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_CPU, 1));
	EXPECT_EQ(EOPNOTSUPP, cap_revoke(self->fd, EXO_CAP_XN, 1));
	EXPECT_EQ(EINVAL, cap_revoke(self->fd, 0, 1));
	EXPECT_EQ(EINVAL, cap_revoke(self->fd, EXO_CAP_XN + 1, 1));

	/* rights: READ, READ|WRITE; not 0, WRITE alone, or unknown bits. */
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, 0, x, 1, other, NULL));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_WRITE, x, 1,
				    other, NULL));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ | 4,
				    x, 1, other, NULL));

	/* grantee: not the caller, and someone. */
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				    self->id, NULL));
	EXPECT_EQ(ESRCH, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				   ~0ULL, NULL));

	/* count: 1..EXO_MEM_BATCH_MAX (a range of another's frames is EPERM). */
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 0,
				    other, NULL));
	if (n >= EXO_MEM_BATCH_MAX + 1) {
		EXPECT_EQ(EPERM, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
					   0, EXO_MEM_BATCH_MAX, other, NULL));
		EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
					    0, EXO_MEM_BATCH_MAX + 1, other,
					    NULL));
	}
	/* first: the pool's last frame, not past it, not past 32 bits. */
	EXPECT_EQ(x == n - 1 ? 0 : EPERM,
		  cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n - 1, 1,
			    other, &id2));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n, 1,
				    other, NULL));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, n - 1,
				    2, other, NULL));
	EXPECT_EQ(EINVAL, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ,
				    x | (1ULL << 32), 1, other, NULL));
	if (x == n - 1)
		EXPECT_EQ(0, cap_revoke(self->fd, EXO_CAP_MEM, id2));

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
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, id + 1000000));
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, 0));
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
	ASSERT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[0]));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, x, 1, other, &ids[1]));
	EXPECT_EQ(EDQUOT, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
				    other, &ids[2]));
	EXPECT_EQ(0, cap_revoke(self->fd, EXO_CAP_MEM, ids[1]));
	EXPECT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[2]));
	EXPECT_NE(ids[0], ids[2]);
	/* Closing the grantee drops both caps: room for two again. */
	close(fd2);
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, ids[0]));
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, ids[2]));
	EXPECT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       other, &ids[0]));
	EXPECT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
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
	ASSERT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
			       m.v[0], &cap_id));
	ASSERT_EQ(0, mem_send(peer.to, x, cap_id, CAP_HOLD));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	if (exo_debugfs_mounted())
		EXPECT_EQ(2, mem_pool_mappings(x, NULL));

	cap_kill(&peer);
	/* The cap died with its grantee: nothing to revoke, room for one. */
	EXPECT_EQ(ENOENT, cap_revoke(self->fd, EXO_CAP_MEM, cap_id));
	if (exo_debugfs_mounted())
		EXPECT_EQ(1, mem_pool_mappings(x, NULL));
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	other = exo_raw_env_id(fd2);
	EXPECT_EQ(0, cap_grant(self->fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
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
	EXO_CHILD_CHECK(5, cap_grant(fd, EXO_CAP_MEM, EXO_CAP_READ, x, 1,
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

TEST_HARNESS_MAIN
