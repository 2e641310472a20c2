// SPDX-License-Identifier: GPL-2.0
/*
 * The memory binding between environments: isolation from a hostile peer,
 * grants and ungrants, and what the abort and ungrant events promise is
 * already true when they arrive. See mem_test.c for what every mem test
 * assumes; the fixture and helpers are exo_mem_util.h's.
 */
#include "exo_mem_util.h"

/* ---- other environments: isolation and grants --------------------------- */

struct mem_hostile_arg {
	int victim_fd;		/* the victim's fd, inherited over fork() */
	__u64 victim_id;
};

/*
 * A hostile process with an environment and a region of its own, told the
 * index of the victim's frame: it can neither map it, nor free it, nor
 * grant it, nor reach it through the victim's own fd.
 */
static int mem_hostile_child(int rx, int tx, void *arg)
{
	const struct mem_hostile_arg *a = arg;
	struct exo_mem_info mi;
	struct mem_msg m;
	__u32 x;
	void *r;
	int fd;

	r = mem_grantee_open(tx, 2, &fd);
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0);
	x = m.v[0];

	EXO_CHILD_CHECK(10, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == EPERM);
	EXO_CHILD_CHECK(11, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &x, 1,
					    MEM_PG(r, 0)) == EPERM);
	EXO_CHILD_CHECK(12, exo_raw_mem_free(fd, &x, 1) == EPERM);
	EXO_CHILD_CHECK(13, exo_raw_mem_alloc_at(fd, x, 0, NULL, NULL) == EBUSY);
	EXO_CHILD_CHECK(14, exo_raw_mem_grant(fd, 0, x, 1, a->victim_id, NULL) == EPERM);
	EXO_CHILD_CHECK(15, exo_raw_mem_ungrant(fd, 1) == ENOENT);
	/* Its own region is empty: nothing to unmap. */
	EXO_CHILD_CHECK(16, exo_raw_mem_unmap(fd, MEM_PG(r, 0), 1) == EINVAL);
	EXO_CHILD_CHECK(17, exo_probe_read(MEM_PG(r, 0), NULL) == SIGBUS);
	EXO_CHILD_CHECK(18, exo_raw_mem_info(fd, &mi) == 0);
	EXO_CHILD_CHECK(19, mi.held_frames == 0 && mi.mapped_pages == 0);

	/* The victim's fd, inherited: not its owner, so EPERM throughout. */
	EXO_CHILD_CHECK(20, exo_raw_mem_info(a->victim_fd, &mi) == EPERM);
	EXO_CHILD_CHECK(21, exo_raw_mem_free(a->victim_fd, &x, 1) == EPERM);
	EXO_CHILD_CHECK(22, exo_raw_mem_grant(a->victim_fd, 0, x, 1,
					      exo_raw_env_id(fd), NULL) == EPERM);
	EXO_CHILD_CHECK(23, mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, a->victim_fd, 0) == MAP_FAILED &&
			    errno == EPERM);
	return 0;
}

TEST_F(mem, hostile_cannot_touch_my_frame)
{
	struct exo_peer peer = MEM_PEER_INIT;
	struct mem_hostile_arg arg;
	struct mem_msg m;
	__u64 owner = 0;
	void *r;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 0), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x6666));

	arg.victim_fd = self->fd;
	arg.victim_id = self->id;
	ASSERT_EQ(0, exo_peer_start(&peer, mem_hostile_child, &arg));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	EXPECT_NE(0U, m.v[0]);
	EXPECT_NE(self->id, m.v[0]);
	ASSERT_EQ(0, mem_send(peer.to, x, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));

	/* Nothing of mine changed. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x6666));
	EXPECT_EQ(1U, mem_info(self->fd).held_frames);
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
	if (exo_debugfs_mounted()) {
		EXPECT_EQ(1, mem_pool_mappings(x, &owner));
		EXPECT_EQ(self->id, owner);
	}
}

/*
 * The grantee: sends its id, then for each message (frame, grant id, step)
 * does that step and answers with 0 or the failed check's number.
 */
#define MEM_GRANT_RO		1	/* read-only grant of x */
#define MEM_GRANT_RW		2	/* write grant of x */

static int mem_grantee_child(int rx, int tx, void *arg)
{
	struct exo_mem_info mi;
	struct mem_msg m;
	__u64 grantor = *(__u64 *)arg;
	__u32 x;
	void *r;
	int fd;

	r = mem_grantee_open(tx, 4, &fd);

	/* A read-only grant: read mapping yes, write mapping no. */
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0 && m.v[2] == MEM_GRANT_RO);
	x = m.v[0];
	EXO_CHILD_CHECK(10, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == 0);
	EXO_CHILD_CHECK(11, exo_pattern_check(MEM_PG(r, 0), 0x7777) == 0);
	EXO_CHILD_CHECK(12, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &x, 1,
					    MEM_PG(r, 1)) == EPERM);
	EXO_CHILD_CHECK(13, exo_probe_write(MEM_PG(r, 0), 1) == SIGSEGV);
	EXO_CHILD_CHECK(14, exo_probe_read(MEM_PG(r, 1), NULL) == SIGBUS);
	/* A grant is not ownership: no freeing, re-granting or ungranting. */
	EXO_CHILD_CHECK(15, exo_raw_mem_free(fd, &x, 1) == EPERM);
	EXO_CHILD_CHECK(16, exo_raw_mem_grant(fd, 0, x, 1, grantor, NULL) == EPERM);
	EXO_CHILD_CHECK(17, exo_raw_mem_ungrant(fd, m.v[1]) == ENOENT);
	EXO_CHILD_CHECK(18, exo_raw_mem_info(fd, &mi) == 0);
	EXO_CHILD_CHECK(19, mi.held_frames == 0 && mi.mapped_pages == 1);
	EXO_CHILD_CHECK(20, mem_send(tx, 0, 0, 0) == 0);

	/* A write grant: write mapping, and the grantor sees what we write. */
	EXO_CHILD_CHECK(30, mem_recv(rx, &m) == 0 && m.v[2] == MEM_GRANT_RW);
	EXO_CHILD_CHECK(31, m.v[0] == x);
	EXO_CHILD_CHECK(32, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &x, 1,
					    MEM_PG(r, 1)) == 0);
	EXO_CHILD_CHECK(33, exo_pattern_fill(MEM_PG(r, 1), 0x8888) == 0);
	EXO_CHILD_CHECK(34, exo_pattern_check(MEM_PG(r, 0), 0x8888) == 0);
	EXO_CHILD_CHECK(35, exo_raw_mem_info(fd, &mi) == 0);
	EXO_CHILD_CHECK(36, mi.held_frames == 0 && mi.mapped_pages == 2);
	EXO_CHILD_CHECK(37, mem_send(tx, 0, 0, 0) == 0);
	/* Hold the mappings until the grantor has looked. */
	EXO_CHILD_CHECK(38, mem_recv(rx, &m) == 0);
	return 0;
}

TEST_F(mem, grant_read_then_write)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 grantee, gid_ro = 0, gid_rw = 0;
	struct exo_mem_info mi;
	struct mem_msg m;
	__u32 x, other;
	void *r;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 0), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x7777));

	ASSERT_EQ(0, exo_peer_start(&peer, mem_grantee_child, &self->id));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	grantee = m.v[0];
	ASSERT_NE(0U, grantee);

	/* The refusals first: self, nobody, and a frame that is not mine. */
	mi = mem_info(self->fd);
	EXPECT_EQ(EINVAL, exo_raw_mem_grant(self->fd, 0, x, 1, self->id, NULL));
	EXPECT_EQ(ESRCH, exo_raw_mem_grant(self->fd, 0, x, 1, ~0ULL, NULL));
	other = x + 1 < self->mi.pool_frames ? x : x - 1;
	EXPECT_EQ(EPERM, exo_raw_mem_grant(self->fd, 0, other, 2, grantee, NULL));
	EXPECT_EQ(EPERM, exo_raw_mem_grant(self->fd, EXO_MEM_GRANT_WRITE,
					   other, 2, grantee, NULL));
	EXPECT_EQ(mi.held_frames, mem_info(self->fd).held_frames);

	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, x, 1, grantee, &gid_ro));
	EXPECT_NE(0U, gid_ro);
	ASSERT_EQ(0, mem_send(peer.to, x, gid_ro, MEM_GRANT_RO));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	if (exo_debugfs_mounted())
		EXPECT_EQ(2, mem_pool_mappings(x, NULL));
	/* The grantee's read-only mapping wrote nothing. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x7777));

	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, EXO_MEM_GRANT_WRITE, x, 1,
				       grantee, &gid_rw));
	EXPECT_NE(0U, gid_rw);
	EXPECT_NE(gid_ro, gid_rw);
	ASSERT_EQ(0, mem_send(peer.to, x, gid_rw, MEM_GRANT_RW));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x8888));
	if (exo_debugfs_mounted())
		EXPECT_EQ(3, mem_pool_mappings(x, NULL));
	/* Grants bind nothing in the grantor's books. */
	EXPECT_EQ(1U, mem_info(self->fd).held_frames);
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	/* The grantee is gone, and its mappings with it. */
	if (exo_debugfs_mounted())
		EXPECT_EQ(1, mem_pool_mappings(x, NULL));
}

/* The grantee of mem.ungrant_*: maps x read-only and y read-write. */
static int mem_ungrantee_child(int rx, int tx, void *arg)
{
	struct exo_mem_info mi;
	struct exo_event ev;
	struct mem_msg m;
	__u64 gid_x, gid_y;
	__u32 x, y;
	void *r;
	int fd;

	(void)arg;
	r = mem_grantee_open(tx, 2, &fd);
	EXO_CHILD_CHECK(4, mem_recv(rx, &m) == 0);
	x = m.v[0];
	gid_x = m.v[1];
	EXO_CHILD_CHECK(5, mem_recv(rx, &m) == 0);
	y = m.v[0];
	gid_y = m.v[1];
	EXO_CHILD_CHECK(6, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == 0);
	EXO_CHILD_CHECK(7, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &y, 1,
					   MEM_PG(r, 1)) == 0);
	EXO_CHILD_CHECK(8, exo_pattern_check(MEM_PG(r, 0), 0x9999) == 0);
	EXO_CHILD_CHECK(9, exo_pattern_check(MEM_PG(r, 1), 0xaaaa) == 0);
	EXO_CHILD_CHECK(10, mem_send(tx, 0, 0, 0) == 0);

	/* UNGRANT of x: its mapping is gone by the time we are told. */
	EXO_CHILD_CHECK(20, mem_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(21, exo_probe_read(MEM_PG(r, 0), NULL) == SIGBUS);
	EXO_CHILD_CHECK(22, exo_raw_event_wait(fd, MEM_WAIT_MS, &ev) == 0);
	EXO_CHILD_CHECK(23, ev.type == EXO_EVENT_MEM_UNGRANTED);
	EXO_CHILD_CHECK(24, ev.data[0] == gid_x);
	EXO_CHILD_CHECK(25, ev.env_id == exo_raw_env_id(fd));
	EXO_CHILD_CHECK(26, exo_pattern_check(MEM_PG(r, 1), 0xaaaa) == 0);
	EXO_CHILD_CHECK(27, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 0)) == EPERM);
	EXO_CHILD_CHECK(28, exo_raw_mem_info(fd, &mi) == 0 && mi.mapped_pages == 1);
	EXO_CHILD_CHECK(29, mem_send(tx, 0, 0, 0) == 0);

	/* FREE of y by its owner: the same. */
	EXO_CHILD_CHECK(30, mem_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(31, exo_probe_read(MEM_PG(r, 1), NULL) == SIGBUS);
	EXO_CHILD_CHECK(32, exo_raw_event_wait(fd, MEM_WAIT_MS, &ev) == 0);
	EXO_CHILD_CHECK(33, ev.type == EXO_EVENT_MEM_UNGRANTED);
	EXO_CHILD_CHECK(34, ev.data[0] == gid_y);
	EXO_CHILD_CHECK(35, exo_raw_mem_info(fd, &mi) == 0 && mi.mapped_pages == 0);
	EXO_CHILD_CHECK(36, mem_send(tx, 0, 0, 0) == 0);

	/* y is the grantor's again, under the same name: the grant is dead. */
	EXO_CHILD_CHECK(40, mem_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(41, exo_raw_mem_map(fd, 0, &y, 1, MEM_PG(r, 1)) == EPERM);
	EXO_CHILD_CHECK(42, exo_raw_event_wait(fd, 0, &ev) == ETIMEDOUT);
	return 0;
}

TEST_F(mem, ungrant_and_free_kill_grantee_mappings)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 grantee, gid_x = 0, gid_y = 0;
	struct mem_msg m;
	__u32 idx[2];
	void *r;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 2, EXO_MEM_PROT_WRITE, r, idx));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x9999));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 1), 0xaaaa));

	ASSERT_EQ(0, exo_peer_start(&peer, mem_ungrantee_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	grantee = m.v[0];
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, idx[0], 1, grantee, &gid_x));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, EXO_MEM_GRANT_WRITE, idx[1], 1,
				       grantee, &gid_y));
	ASSERT_EQ(0, mem_send(peer.to, idx[0], gid_x, 0));
	ASSERT_EQ(0, mem_send(peer.to, idx[1], gid_y, 0));
	ASSERT_EQ(0, mem_recv(peer.from, &m));

	ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, gid_x));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(self->fd, gid_x));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(self->fd, gid_y + 1000000));
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	/* The grantor's own mapping of x is untouched. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x9999));

	ASSERT_EQ(0, exo_raw_mem_free(self->fd, &idx[1], 1));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 1), NULL));
	/* The grant died with the frame. */
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(self->fd, gid_y));
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	ASSERT_EQ(0, mem_recv(peer.from, &m));

	ASSERT_EQ(0, exo_raw_mem_alloc_at(self->fd, idx[1], 0, NULL, NULL));
	ASSERT_EQ(0, mem_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(2U, mem_info(self->fd).held_frames);
}

/* ---- what the events promise is already true ---------------------------- */

/*
 * EXO_EVENT_MEM_ABORT says the frames are gone: a libOS woken by it that
 * touches them gets SIGBUS, and still does once another environment has
 * named those frames and written to them. Several rounds, since a wrong
 * order shows only when the libOS wins the race against the unmapping.
 */
TEST_F_TIMEOUT(mem, abort_event_follows_unmap, 180)
{
	__u32 reserve = self->mi.reserve_frames, k = 32, round, i, count;
	int early = 0, reachable = 0, foreign = 0, probed = 0, b;
	struct exo_mem_frame g[32];
	int sig[128];
	struct exo_event ev;
	struct mem_libos l;
	__u32 repo[32];
	unsigned char v;
	void *rb;

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	for (round = 0; round < 10; round++) {
		ASSERT_GE(ARRAY_SIZE(sig), reserve + k);
		ASSERT_EQ(0, mem_libos_open(&l, reserve + k));
		b = exo_raw_env();
		ASSERT_LE(0, b);
		rb = exo_raw_mem_region(b, k);
		ASSERT_NE(NULL, rb);

		count = k;
		ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, 100));
		ASSERT_EQ(k, count);
		ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
		ASSERT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
		/* Asleep in poll(2) until the abort; then touch everything. */
		ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
		ASSERT_EQ((__u32)EXO_EVENT_MEM_ABORT, ev.type);
		for (i = l.n; i--; )
			sig[i] = exo_probe_read(MEM_PG(l.region, i), NULL);
		count = k;
		ASSERT_EQ(0, exo_raw_mem_repossessed(l.fd, repo, &count, NULL));
		ASSERT_EQ(k, count);
		for (i = 0; i < l.n; i++)
			early += mem_contains(repo, k, l.idx[i]) && !sig[i];
		/* Another environment takes them by name and writes. */
		for (i = 0; i < k; i++)
			g[i].index = repo[i];
		ASSERT_EQ(0, exo_raw_mem_alloc(b, EXO_MEM_ALLOC_INDEX |
					       EXO_MEM_ALLOC_MAP |
					       EXO_MEM_PROT_WRITE, k, 0, g, rb));
		for (i = 0; i < k; i++)
			memset(MEM_PG(rb, i), 0x5e, EXO_PAGE);
		for (i = 0; i < l.n; i++) {
			if (!mem_contains(repo, k, l.idx[i]))
				continue;
			probed++;
			if (!exo_probe_read(MEM_PG(l.region, i), &v)) {
				reachable++;
				foreign += v == 0x5e;
			}
		}
		munmap(rb, k * EXO_PAGE);
		munmap(l.region, (l.n + 1) * EXO_PAGE);
		close(b);
		close(l.fd);
		free(l.idx);
	}
	EXPECT_EQ(0, reachable) {
		TH_LOG("%d of %d repossessed pages still readable after the abort event and their reuse,",
		       reachable, probed);
		TH_LOG("%d of them showing the next owner's bytes", foreign);
	}
	EXPECT_EQ(0, early) {
		TH_LOG("%d of %d repossessed pages still readable right after the abort event",
		       early, probed);
	}
}

/* Grants as large as a batch: the longer the unmapping, the wider a race. */
#define MEM_EVT_FRAMES		EXO_MEM_BATCH_MAX
#define MEM_EVT_ROUNDS		20

/*
 * The grantee: maps the granted range, says so, sleeps in poll(2) until
 * EXO_EVENT_MEM_UNGRANTED and then at once touches every page; answers
 * how many were still readable.
 */
static int mem_event_grantee_child(int rx, int tx, void *arg)
{
	__u32 idx[MEM_EVT_FRAMES], i, live;
	struct exo_event ev;
	struct mem_msg m;
	void *r;
	int fd;

	(void)arg;
	r = mem_grantee_open(tx, MEM_EVT_FRAMES, &fd);
	while (mem_recv(rx, &m) == 0) {
		for (i = 0; i < MEM_EVT_FRAMES; i++)
			idx[i] = m.v[0] + i;
		EXO_CHILD_CHECK(4, exo_raw_mem_map(fd, 0, idx, MEM_EVT_FRAMES, r) == 0);
		EXO_CHILD_CHECK(5, exo_probe_read(MEM_PG(r, MEM_EVT_FRAMES - 1), NULL) == 0);
		EXO_CHILD_CHECK(6, mem_send(tx, 0, 0, 0) == 0);
		EXO_CHILD_CHECK(7, exo_raw_event_wait(fd, MEM_WAIT_MS, &ev) == 0);
		/* From the end: pages go in order, so the last go last. */
		for (i = MEM_EVT_FRAMES, live = 0; i--; )
			live += exo_probe_read(MEM_PG(r, i), NULL) == 0;
		EXO_CHILD_CHECK(8, ev.type == EXO_EVENT_MEM_UNGRANTED);
		EXO_CHILD_CHECK(9, ev.data[0] == m.v[1]);
		EXO_CHILD_CHECK(10, mem_send(tx, live, 0, 0) == 0);
	}
	return 0;
}

/* The same promise for EXO_EVENT_MEM_UNGRANTED, from UNGRANT and FREE. */
TEST_F_TIMEOUT(mem, ungranted_event_follows_unmap, 180)
{
	__u32 first, idx[MEM_EVT_FRAMES], round, i;
	struct exo_mem_frame f[MEM_EVT_FRAMES];
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 grantee, gid = 0, live = 0;
	struct mem_msg m;

	ASSERT_EQ(0, mem_alloc_contig(self->fd, self->mi.pool_frames,
				      MEM_EVT_FRAMES, 0, NULL, &first));
	for (i = 0; i < MEM_EVT_FRAMES; i++)
		idx[i] = first + i;
	ASSERT_EQ(0, exo_peer_start(&peer, mem_event_grantee_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	grantee = m.v[0];
	for (round = 0; round < MEM_EVT_ROUNDS; round++) {
		ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, first, MEM_EVT_FRAMES,
					       grantee, &gid));
		ASSERT_EQ(0, mem_send(peer.to, first, gid, 0));
		ASSERT_EQ(0, mem_recv(peer.from, &m));
		if (round % 2) {
			ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, MEM_EVT_FRAMES));
			/* Take them back, by name, for the next round. */
			for (i = 0; i < MEM_EVT_FRAMES; i++)
				f[i].index = idx[i];
			ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_INDEX,
						       MEM_EVT_FRAMES, 0, f, NULL));
		} else {
			ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, gid));
		}
		ASSERT_EQ(0, mem_recv(peer.from, &m));
		live += m.v[0];
	}
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(0U, live) {
		TH_LOG("%llu of %u granted pages still readable when the grantee read EXO_EVENT_MEM_UNGRANTED",
		       (unsigned long long)live, MEM_EVT_FRAMES * MEM_EVT_ROUNDS);
	}
}

/*
 * The grantee of mem.ungrant_page_reuse_*: holds a frame z of its own; each
 * round maps the granted range read-only, then, as soon as UNGRANT has made
 * the range's last page free again, binds z read-write there, reads it and
 * writes 0x77 there. Answers whether that page showed the grantor's bytes
 * (0xab) and whether the write went through.
 */
static int mem_reuse_grantee_child(int rx, int tx, void *arg)
{
	__u32 idx[MEM_EVT_FRAMES], i, z;
	struct exo_event ev;
	struct mem_msg m;
	unsigned char v;
	int fd, saw, wrote, err;
	void *r, *last;
	__u64 deadline;

	(void)arg;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, MEM_EVT_FRAMES);
	EXO_CHILD_CHECK(2, r != NULL);
	last = MEM_PG(r, MEM_EVT_FRAMES - 1);
	EXO_CHILD_CHECK(3, mem_alloc_any(fd, 1, 0, NULL, &z) == 0);
	EXO_CHILD_CHECK(4, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);
	while (mem_recv(rx, &m) == 0) {
		for (i = 0; i < MEM_EVT_FRAMES; i++)
			idx[i] = m.v[0] + i;
		EXO_CHILD_CHECK(5, exo_raw_mem_map(fd, 0, idx, MEM_EVT_FRAMES, r) == 0);
		EXO_CHILD_CHECK(6, exo_probe_read(last, &v) == 0 && v == 0xab);
		EXO_CHILD_CHECK(7, mem_send(tx, 0, 0, 0) == 0);
		/*
		 * The moment the page is free in our books (EINVAL while it
		 * is still bound), bind our own frame there, read-write.
		 */
		deadline = exo_clock_ns() + MEM_WAIT_MS * 1000000ULL;
		do {
			err = exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, &z, 1, last);
		} while (err == EINVAL && exo_clock_ns() < deadline);
		EXO_CHILD_CHECK(8, err == 0);
		saw = exo_probe_read(last, &v) == 0 && v == 0xab;
		wrote = exo_probe_write(last, 0x77) == 0;
		EXO_CHILD_CHECK(9, exo_raw_event_wait(fd, MEM_WAIT_MS, &ev) == 0);
		EXO_CHILD_CHECK(10, ev.type == EXO_EVENT_MEM_UNGRANTED);
		EXO_CHILD_CHECK(11, exo_raw_mem_unmap(fd, last, 1) == 0);
		EXO_CHILD_CHECK(12, mem_send(tx, saw, wrote, 0) == 0);
	}
	return 0;
}

#define MEM_REUSE_ROUNDS	100

/*
 * After UNGRANT, a page of the grantee's region that held the grant is its
 * own again; whatever it binds there next is what it reaches, and nothing
 * it does there can write the grantor's frame it was only allowed to read.
 */
TEST_F_TIMEOUT(mem, ungrant_page_reuse_reaches_own_frame, 180)
{
	int round, saw_grantor = 0, written = 0;
	struct exo_peer peer = MEM_PEER_INIT;
	__u32 first, i;
	__u64 grantee, gid = 0;
	struct mem_msg m;
	void *r, *last;

	r = exo_raw_mem_region(self->fd, MEM_EVT_FRAMES);
	ASSERT_NE(NULL, r);
	last = MEM_PG(r, MEM_EVT_FRAMES - 1);
	ASSERT_EQ(0, mem_alloc_contig(self->fd, self->mi.pool_frames,
				      MEM_EVT_FRAMES, EXO_MEM_PROT_WRITE, r,
				      &first));
	for (i = 0; i < MEM_EVT_FRAMES; i++)
		memset(MEM_PG(r, i), 0xab, EXO_PAGE);
	ASSERT_EQ(0, exo_peer_start(&peer, mem_reuse_grantee_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	grantee = m.v[0];
	for (round = 0; round < MEM_REUSE_ROUNDS; round++) {
		ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, first, MEM_EVT_FRAMES,
					       grantee, &gid));
		ASSERT_EQ(0, mem_send(peer.to, first, gid, 0));
		ASSERT_EQ(0, mem_recv(peer.from, &m));
		ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, gid));
		ASSERT_EQ(0, mem_recv(peer.from, &m));
		saw_grantor += m.v[0];
		if (*(volatile unsigned char *)last != 0xab) {
			written++;
			memset(last, 0xab, EXO_PAGE);
		}
	}
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(0, written) {
		TH_LOG("a read-only grantee wrote the grantor's frame in %d of %d rounds",
		       written, MEM_REUSE_ROUNDS);
	}
	EXPECT_EQ(0, saw_grantor) {
		TH_LOG("the grantee's own read-write binding showed the grantor's frame in %d of %d rounds",
		       saw_grantor, MEM_REUSE_ROUNDS);
	}
}

TEST_HARNESS_MAIN
