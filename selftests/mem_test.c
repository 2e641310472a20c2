// SPDX-License-Identifier: GPL-2.0
/*
 * The memory binding, through raw ioctl(2) and mmap(2) on /dev/exo. Here:
 * the handshake and naming; named frames allocated by index, by colour or
 * any; and the exact errno of every bad request, with nothing changed
 * behind it. One concern a file for the rest: mem_map_test.c (regions whose
 * pages the libOS binds read-only or read-write), mem_grant_test.c (grants
 * between environments), mem_revoke_test.c (visible revocation, the abort
 * protocol and the reserve it spares), mem_limits_test.c (quota, the pool
 * and the per-environment limits); exo_mem_util.h has their fixture and
 * helpers.
 *
 * Other environments are forked peers (struct exo_peer) driven over pipes,
 * or, where only the kernel's bookkeeping matters, a second fd of the test's
 * own process. Revocation needs root (CAP_SYS_ADMIN); the quota test reloads
 * exo.ko from $EXO_KO (default /exo/exo.ko) and restores its parameters.
 *
 * No test asserts a duration: every wait is a poll(2) with a timeout meant
 * to be generous for an emulated guest.
 */
#include "exo_mem_util.h"

/* ---- handshake and naming ---------------------------------------------- */

TEST_F(mem, handshake_reports_memory)
{
	static const unsigned int nrs[] = {
		EXO_NR_MEM_INFO, EXO_NR_MEM_ALLOC, EXO_NR_MEM_FREE,
		EXO_NR_MEM_MAP, EXO_NR_MEM_UNMAP, EXO_NR_MEM_GRANT,
		EXO_NR_MEM_UNGRANT, EXO_NR_MEM_REVOKE, EXO_NR_MEM_REPOSSESSED,
	};
	size_t i;

	EXPECT_TRUE(self->features & EXO_FEATURE_MEM);
	for (i = 0; i < ARRAY_SIZE(nrs); i++)
		EXPECT_TRUE(self->ioctls & (1ULL << nrs[i])) {
			TH_LOG("ioctl nr 0x%x missing from 0x%llx", nrs[i],
			       (unsigned long long)self->ioctls);
		}
	/* What MEM_INFO reports at rest. */
	EXPECT_LE(self->mi.free_frames, self->mi.pool_frames);
	EXPECT_EQ(0U, self->mi.colours & (self->mi.colours - 1));
	EXPECT_LT(0U, self->mi.quota_frames);
	EXPECT_EQ(0U, self->mi.revoke_owed);
	EXPECT_EQ(0U, self->mi.revoke_deadline_ns);
	EXPECT_EQ(0U, self->mi.repossessed);
}

/* A child that dropped CAP_SYS_ADMIN: allocates fine, sees no pfn. */
static int mem_pfn_child(int rx, int tx, void *arg)
{
	const struct exo_mem_info *mi = arg;
	struct exo_mem_frame f[4];
	int fd, i;

	(void)rx;
	(void)tx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, exo_cap_drop(CAP_SYS_ADMIN) == 0);
	memset(f, 0xa5, sizeof(f));
	EXO_CHILD_CHECK(3, exo_raw_mem_alloc(fd, 0, 4, 0, f, NULL) == 0);
	for (i = 0; i < 4; i++) {
		EXO_CHILD_CHECK(4, f[i].pfn == 0);
		EXO_CHILD_CHECK(5, f[i].index < mi->pool_frames);
		EXO_CHILD_CHECK(6, f[i].colour < mi->colours);
	}
	return 0;
}

TEST_F(mem, pfn_for_admin_only)
{
	struct exo_mem_frame f[4];
	struct exo_peer peer = MEM_PEER_INIT;
	int i;

	if (geteuid() != 0)
		SKIP(return, "needs root (CAP_SYS_ADMIN)");
	memset(f, 0, sizeof(f));
	ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, 0, 4, 0, f, NULL));
	for (i = 0; i < 4; i++) {
		EXPECT_NE(0U, f[i].pfn);
		/* The colour is the pfn's low bits, as the UAPI defines it. */
		EXPECT_EQ(f[i].pfn & (self->mi.colours - 1), f[i].colour);
	}
	ASSERT_EQ(0, exo_peer_start(&peer, mem_pfn_child, &self->mi));
	EXPECT_EQ(0, exo_peer_finish(&peer));
}

/* ---- allocation by index and by colour ----------------------------------- */

struct mem_busy_arg {
	__u32 index;
};

/* Another environment, in another process, asks for a held frame. */
static int mem_busy_child(int rx, int tx, void *arg)
{
	const struct mem_busy_arg *a = arg;
	struct exo_mem_info mi;
	int fd;

	(void)rx;
	(void)tx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, exo_raw_mem_alloc_at(fd, a->index, 0, NULL, NULL) == EBUSY);
	EXO_CHILD_CHECK(3, exo_raw_mem_info(fd, &mi) == 0);
	EXO_CHILD_CHECK(4, mi.held_frames == 0);
	return 0;
}

TEST_F(mem, alloc_index_busy)
{
	struct mem_busy_arg arg;
	struct exo_mem_frame f;
	struct exo_mem_info mi;
	struct exo_peer peer = MEM_PEER_INIT;
	__u64 owner = 0;
	__u32 idx, free0;

	/* A frame nobody holds: take any, give it back, then name it. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &idx));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, &idx, 1));
	free0 = mem_info(self->fd).free_frames;

	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, exo_raw_mem_alloc_at(self->fd, idx, 0, NULL, &f));
	EXPECT_EQ(idx, f.index);
	EXPECT_LT(f.colour, self->mi.colours);
	mi = mem_info(self->fd);
	EXPECT_EQ(1U, mi.held_frames);
	EXPECT_EQ(free0 - 1, mi.free_frames);
	if (exo_debugfs_mounted()) {
		EXPECT_EQ(0, mem_pool_mappings(idx, &owner));
		EXPECT_EQ(self->id, owner);
	}

	/* The same environment again: EBUSY, nothing changed. */
	EXPECT_EQ(EBUSY, exo_raw_mem_alloc_at(self->fd, idx, 0, NULL, NULL));
	mi = mem_info(self->fd);
	EXPECT_EQ(1U, mi.held_frames);
	EXPECT_EQ(free0 - 1, mi.free_frames);

	/* Another process, its own environment: EBUSY. */
	arg.index = idx;
	ASSERT_EQ(0, exo_peer_start(&peer, mem_busy_child, &arg));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(1U, mem_info(self->fd).held_frames);

	/* Once given back, it can be named again. */
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, &idx, 1));
	EXPECT_EQ(free0, mem_info(self->fd).free_frames);
	EXPECT_EQ(0, exo_raw_mem_alloc_at(self->fd, idx, 0, NULL, NULL));
}

TEST_F(mem, alloc_colour)
{
	__u32 colours = self->mi.colours, picks[3], c, i, k;
	__u32 idx[8], seen[8];
	struct exo_mem_frame f[4];
	struct exo_mem_info mi;
	int n;

	picks[0] = 0;
	picks[1] = colours / 2;
	picks[2] = colours - 1;
	for (k = 0; k < ARRAY_SIZE(picks); k++) {
		c = picks[k];
		memset(f, 0xa5, sizeof(f));
		ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_COLOUR,
					       4, c, f, NULL)) {
			TH_LOG("colour %u of %u", c, colours);
		}
		for (i = 0; i < 4; i++) {
			EXPECT_EQ(c, f[i].colour);
			EXPECT_LT(f[i].index, self->mi.pool_frames);
			if (f[i].pfn)
				EXPECT_EQ(c, f[i].pfn & (colours - 1));
			idx[i] = f[i].index;
		}
		/* debugfs agrees on which frames, and on their colour. */
		if (exo_debugfs_mounted()) {
			n = exo_pool_frames_of(self->id, idx + 4, seen, 4);
			ASSERT_EQ(4, n);
			EXPECT_TRUE(mem_same_set(idx, idx + 4, 4));
			for (i = 0; i < 4; i++)
				EXPECT_EQ(c, seen[i]);
		}
		ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, 4));
	}

	/* colour >= colours is EINVAL, and nothing is allocated. */
	mi = mem_info(self->fd);
	EXPECT_EQ(EINVAL, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_COLOUR, 1,
					    colours, f, NULL));
	EXPECT_EQ(EINVAL, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_COLOUR, 1,
					    0xffffffffU, f, NULL));
	EXPECT_EQ(mi.held_frames, mem_info(self->fd).held_frames);
	EXPECT_EQ(mi.free_frames, mem_info(self->fd).free_frames);
	EXPECT_EQ(0U, mem_info(self->fd).held_frames);
}

/* ---- bad input: EINVAL, and nothing changed ------------------------------- */

/* held_frames, free_frames and mapped_pages are as in @before. */
static void mem_expect_same(struct __test_metadata *_metadata, int fd,
			    const struct exo_mem_info *before, const char *what,
			    int line)
{
	struct exo_mem_info now = mem_info(fd);

	EXPECT_EQ(before->held_frames, now.held_frames) {
		TH_LOG("line %d: %s changed held_frames", line, what);
	}
	EXPECT_EQ(before->free_frames, now.free_frames) {
		TH_LOG("line %d: %s changed free_frames", line, what);
	}
	EXPECT_EQ(before->mapped_pages, now.mapped_pages) {
		TH_LOG("line %d: %s changed mapped_pages", line, what);
	}
}

#define MEM_BAD(want, call) do {					\
	EXPECT_EQ((want), (call)) {					\
		TH_LOG("line %d: %s", __LINE__, #call);			\
	}								\
	mem_expect_same(_metadata, fd, &before, #call, __LINE__);	\
} while (0)

static int mem_alloc_raw(int fd, __u32 argsz, __u32 flags, __u32 count,
			 __u32 colour, void *frames, __u64 addr)
{
	struct exo_mem_alloc a = {
		.argsz = argsz,
		.flags = flags,
		.count = count,
		.colour = colour,
		.frames = MEM_ADDR(frames),
		.addr = addr,
	};

	return exo_ioc(fd, EXO_IOC_MEM_ALLOC, &a);
}

static int mem_batch_raw(int fd, unsigned long cmd, __u32 flags, __u32 count,
			 __u32 reserved, const __u32 *idx, __u64 addr)
{
	struct exo_mem_batch b = {
		.argsz = sizeof(b),
		.flags = flags,
		.count = count,
		.reserved = reserved,
		.indexes = MEM_ADDR(idx),
		.addr = addr,
	};

	return exo_ioc(fd, cmd, &b);
}

static int mem_unmap_raw(int fd, __u32 flags, __u32 count, __u32 reserved,
			 __u64 addr)
{
	struct exo_mem_unmap u = {
		.argsz = sizeof(u),
		.flags = flags,
		.count = count,
		.reserved = reserved,
		.addr = addr,
	};

	return exo_ioc(fd, EXO_IOC_MEM_UNMAP, &u);
}

static int mem_grant_raw(int fd, __u32 flags, __u32 first, __u32 count,
			 __u64 grantee, __u64 grant_id)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g),
		.flags = flags,
		.first = first,
		.count = count,
		.grantee = grantee,
		.grant_id = grant_id,
	};

	return exo_ioc(fd, EXO_IOC_MEM_GRANT, &g);
}

static int mem_ungrant_raw(int fd, __u32 flags, __u32 first, __u32 count,
			   __u64 grantee, __u64 grant_id)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g),
		.flags = flags,
		.first = first,
		.count = count,
		.grantee = grantee,
		.grant_id = grant_id,
	};

	return exo_ioc(fd, EXO_IOC_MEM_UNGRANT, &g);
}

TEST_F_TIMEOUT(mem, bad_input_einval_changes_nothing, 120)
{
	const __u32 pool = self->mi.pool_frames, max = EXO_MEM_BATCH_MAX;
	struct exo_mem_frame *f = calloc(max + 1, sizeof(*f));
	__u32 *many = calloc(max + 1, sizeof(*many));
	__u32 x, z, y, pair[2], a, count, lost;
	struct exo_mem_repossessed rp;
	struct exo_mem_info before, mi;
	void *r, *big, *anon, *theirs;
	int fd = self->fd, other;
	__u64 other_id, gid = 0;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, many);
	r = exo_raw_mem_region(fd, 8);
	ASSERT_NE(NULL, r);
	anon = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	other = exo_raw_env();
	ASSERT_LE(0, other);
	other_id = exo_raw_env_id(other);
	theirs = exo_raw_mem_region(other, 2);
	ASSERT_NE(NULL, theirs);

	/* x bound read-write at page 1, z held and unbound, y nobody's. */
	ASSERT_EQ(0, mem_alloc_any(fd, 1, EXO_MEM_PROT_WRITE, MEM_PG(r, 1), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 1), 0xe000));
	ASSERT_EQ(0, mem_alloc_any(fd, 1, 0, NULL, &z));
	ASSERT_EQ(0, mem_alloc_any(fd, 1, 0, NULL, &y));
	ASSERT_EQ(0, exo_raw_mem_free(fd, &y, 1));
	before = mem_info(fd);
	ASSERT_EQ(2U, before.held_frames);
	ASSERT_EQ(1U, before.mapped_pages);

	/* ALLOC */
	f[0].index = pool;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX, 1, 0, f, NULL));
	f[0].index = ~0U;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX, 1, 0, f, NULL));
	f[0].index = y;
	f[1].index = pool;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX, 2, 0, f, NULL));
	f[0].index = y;
	f[1].index = y;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX, 2, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 0, 0, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 0, max + 1, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 0, ~0U, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 1U << 4, 1, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 1U << 31, 1, 0, f, NULL));
	f[0].index = y;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX |
					  EXO_MEM_ALLOC_COLOUR, 1, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_PROT_WRITE, 1, 0, f, NULL));
	/* An address without MAP; a colour without COLOUR. */
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 0, 1, 0, f, MEM_PG(r, 0)));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, 0, 1, 1, f, NULL));
	/* MAP: unaligned, NULL, outside any region, someone else's region. */
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f,
					  MEM_PG(r, 0) + 1));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f,
					  MEM_PG(r, 0) + EXO_PAGE / 2));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f, anon));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f, theirs));
	MEM_BAD(EINVAL, mem_alloc_raw(fd, sizeof(struct exo_mem_alloc),
				      EXO_MEM_ALLOC_MAP, 1, 0, f,
				      0xffffffffffff0000ULL));
	/* MAP past the region's end, or onto a bound page (x's, page 1). */
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 2, 0, f,
					  MEM_PG(r, 7)));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, 1, 0, f,
					  MEM_PG(r, 1)));
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP |
					  EXO_MEM_PROT_WRITE, 2, 0, f,
					  MEM_PG(r, 0)));
	f[0].index = y;
	MEM_BAD(EINVAL, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX |
					  EXO_MEM_ALLOC_MAP, 1, 0, f,
					  MEM_PG(r, 1)));
	/* A short argsz. */
	MEM_BAD(EINVAL, mem_alloc_raw(fd, 8, 0, 1, 0, f, 0));
	MEM_BAD(EINVAL, mem_alloc_raw(fd, offsetof(struct exo_mem_alloc, addr),
				      0, 1, 0, f, 0));
	/* Nothing of that took y, nor bound page 0. */
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 0), NULL));

	/* FREE */
	pair[0] = pool;
	MEM_BAD(EINVAL, exo_raw_mem_free(fd, pair, 1));
	pair[0] = x;
	pair[1] = pool;
	MEM_BAD(EINVAL, exo_raw_mem_free(fd, pair, 2));
	pair[1] = x;
	MEM_BAD(EINVAL, exo_raw_mem_free(fd, pair, 2));
	MEM_BAD(EINVAL, exo_raw_mem_free(fd, pair, 0));
	MEM_BAD(EINVAL, exo_raw_mem_free(fd, many, max + 1));
	MEM_BAD(EINVAL, mem_batch_raw(fd, EXO_IOC_MEM_FREE, 1, 1, 0, &x, 0));
	MEM_BAD(EINVAL, mem_batch_raw(fd, EXO_IOC_MEM_FREE, EXO_MEM_PROT_WRITE,
				      1, 0, &x, 0));
	MEM_BAD(EINVAL, mem_batch_raw(fd, EXO_IOC_MEM_FREE, 0, 1, 1, &x, 0));
	MEM_BAD(EINVAL, mem_batch_raw(fd, EXO_IOC_MEM_FREE, 0, 1, 0, &x,
				      MEM_ADDR(MEM_PG(r, 1))));
	/* Not EINVAL, but all or nothing too: one frame of the two not mine. */
	pair[0] = z;
	pair[1] = y;
	MEM_BAD(EPERM, exo_raw_mem_free(fd, pair, 2));

	/* MAP */
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &z, 1, MEM_PG(r, 0) + 8));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &z, 1, NULL));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &z, 1, anon));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &z, 1, theirs));
	MEM_BAD(EINVAL, exo_raw_mem_map(other, 0, &z, 1, MEM_PG(r, 0)));
	pair[0] = z;
	pair[1] = x;
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, pair, 2, MEM_PG(r, 7)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &x, 1, MEM_PG(r, 1)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, pair, 2,
					MEM_PG(r, 0)));
	pair[1] = z;
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, pair, 2, MEM_PG(r, 2)));
	pair[1] = pool;
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, pair, 2, MEM_PG(r, 2)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, &z, 0, MEM_PG(r, 2)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, 0, many, max + 1, MEM_PG(r, 2)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, EXO_MEM_ALLOC_INDEX, &z, 1,
					MEM_PG(r, 2)));
	MEM_BAD(EINVAL, exo_raw_mem_map(fd, EXO_MEM_ALLOC_MAP, &z, 1,
					MEM_PG(r, 2)));
	MEM_BAD(EINVAL, mem_batch_raw(fd, EXO_IOC_MEM_MAP, 0, 1, 7, &z,
				      MEM_ADDR(MEM_PG(r, 2))));
	/* Not EINVAL: a frame nobody holds. */
	MEM_BAD(EPERM, exo_raw_mem_map(fd, 0, &y, 1, MEM_PG(r, 2)));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 0), NULL));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 2), NULL));

	/* UNMAP */
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 0), 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 1), 2));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 0), 2));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 1) + 1, 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 1), 0));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 1), max + 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, MEM_PG(r, 7), 2));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, anon, 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, theirs, 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(fd, NULL, 1));
	MEM_BAD(EINVAL, exo_raw_mem_unmap(other, MEM_PG(r, 1), 1));
	MEM_BAD(EINVAL, mem_unmap_raw(fd, 1, 1, 0, MEM_ADDR(MEM_PG(r, 1))));
	MEM_BAD(EINVAL, mem_unmap_raw(fd, 0, 1, 1, MEM_ADDR(MEM_PG(r, 1))));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0xe000));

	/* GRANT and UNGRANT */
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, x, 0, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, x, max + 1, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, pool, 1, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, pool - 1, 2, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, 1, ~0U, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 2, x, 1, other_id, 0));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, x, 1, other_id, 5));
	MEM_BAD(EINVAL, mem_grant_raw(fd, 0, x, 1, self->id, 0));
	EXPECT_EQ(0, exo_raw_mem_grant(fd, 0, x, 1, other_id, &gid));
	MEM_BAD(EINVAL, mem_ungrant_raw(fd, 1, 0, 0, 0, gid));
	MEM_BAD(EINVAL, mem_ungrant_raw(fd, 0, x, 0, 0, gid));
	MEM_BAD(EINVAL, mem_ungrant_raw(fd, 0, 0, 1, 0, gid));
	MEM_BAD(EINVAL, mem_ungrant_raw(fd, 0, 0, 0, other_id, gid));
	/* The grant outlived those: the grantee can use it, then it goes. */
	EXPECT_EQ(0, exo_raw_mem_map(other, 0, &x, 1, theirs));
	EXPECT_EQ(0, exo_pattern_check(theirs, 0xe000));
	EXPECT_EQ(0, exo_raw_mem_ungrant(fd, gid));
	EXPECT_EQ(SIGBUS, exo_probe_read(theirs, NULL));
	MEM_BAD(ENOENT, exo_raw_mem_ungrant(fd, gid));

	/* INFO, REPOSSESSED, REVOKE */
	memset(&mi, 0, sizeof(mi));
	mi.argsz = sizeof(mi);
	mi.flags = 1;
	MEM_BAD(EINVAL, exo_ioc(fd, EXO_IOC_MEM_INFO, &mi));
	mi.flags = 0;
	mi.reserved = 1;
	MEM_BAD(EINVAL, exo_ioc(fd, EXO_IOC_MEM_INFO, &mi));
	count = 0;
	MEM_BAD(EINVAL, exo_raw_mem_repossessed(fd, many, &count, NULL));
	count = max + 1;
	MEM_BAD(EINVAL, exo_raw_mem_repossessed(fd, many, &count, NULL));
	memset(&rp, 0, sizeof(rp));
	rp.argsz = sizeof(rp);
	rp.count = 1;
	rp.indexes = MEM_ADDR(many);
	rp.flags = 1;
	MEM_BAD(EINVAL, exo_ioc(fd, EXO_IOC_MEM_REPOSSESSED, &rp));
	rp.flags = 0;
	rp.lost = 1;
	MEM_BAD(EINVAL, exo_ioc(fd, EXO_IOC_MEM_REPOSSESSED, &rp));
	count = 1;
	MEM_BAD(EINVAL, exo_raw_mem_revoke(fd, other_id, &count, 0));

	/* EXO_MEM_BATCH_MAX itself works, for each batched call. */
	big = exo_raw_mem_region(fd, max);
	ASSERT_NE(NULL, big);
	count = max;
	ASSERT_EQ(0, exo_raw_mem_repossessed(fd, many, &count, &lost));
	EXPECT_EQ(0U, count);
	EXPECT_EQ(0U, lost);
	ASSERT_EQ(0, mem_alloc_any(fd, max, 0, NULL, many));
	EXPECT_EQ(before.held_frames + max, mem_info(fd).held_frames);
	ASSERT_EQ(0, exo_raw_mem_map(fd, EXO_MEM_PROT_WRITE, many, max, big));
	EXPECT_EQ(before.mapped_pages + max, mem_info(fd).mapped_pages);
	EXPECT_EQ(0, exo_probe_write(MEM_PG(big, max - 1), 1));
	ASSERT_EQ(0, exo_raw_mem_unmap(fd, big, max));
	EXPECT_EQ(before.mapped_pages, mem_info(fd).mapped_pages);
	ASSERT_EQ(0, exo_raw_mem_free(fd, many, max));
	EXPECT_EQ(before.held_frames, mem_info(fd).held_frames);
	/* ...ALLOC by index and mapped, and a grant of as many frames. */
	ASSERT_EQ(0, mem_alloc_contig(fd, pool, max, 0, big, &a));
	EXPECT_EQ(before.held_frames + max, mem_info(fd).held_frames);
	EXPECT_EQ(before.mapped_pages + max, mem_info(fd).mapped_pages);
	EXPECT_EQ(0, exo_raw_mem_grant(fd, EXO_MEM_GRANT_WRITE, a, max,
				       other_id, &gid));
	EXPECT_EQ(EINVAL, exo_raw_mem_grant(fd, 0, a, max + 1, other_id, NULL));
	for (count = 0; count < max; count++)
		many[count] = a + count;
	ASSERT_EQ(0, exo_raw_mem_free(fd, many, max));
	EXPECT_EQ(ENOENT, exo_raw_mem_ungrant(fd, gid));
	mi = mem_info(fd);
	EXPECT_EQ(before.held_frames, mi.held_frames);
	EXPECT_EQ(before.mapped_pages, mi.mapped_pages);
	EXPECT_EQ(before.free_frames, mi.free_frames);
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0xe000));
	free(f);
	free(many);
}

TEST_HARNESS_MAIN
