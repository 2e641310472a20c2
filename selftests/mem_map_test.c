// SPDX-License-Identifier: GPL-2.0
/*
 * The memory binding: regions and the pages a libOS binds in them (read-only,
 * read-write, unbound, across fork and mremap), frames changing hands zeroed,
 * and a libOS killed with its frames mapped. See mem_test.c for what every
 * mem test assumes; the fixture and helpers are exo_mem_util.h's.
 */
#include "exo_mem_util.h"

/* ---- regions and bindings ----------------------------------------------- */

TEST_F(mem, map_rw_second_mapping)
{
	void *r1, *r2;
	__u32 x, y;

	r1 = exo_raw_mem_region(self->fd, 4);
	ASSERT_NE(NULL, r1);
	r2 = exo_raw_mem_region(self->fd, 4);
	ASSERT_NE(NULL, r2);

	/* ALLOC with MAP | PROT_WRITE: usable at once, and zeroed. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r1, 1), &x));
	EXPECT_EQ(0, exo_zero_check(MEM_PG(r1, 1)));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r1, 1), 0x1111));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 1), 0x1111));

	/* The same frame, read-only in a second region: the same bytes. */
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, MEM_PG(r2, 2)));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r2, 2), 0x1111));
	/* And read-write at another page of the first: writes show in both. */
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, EXO_MEM_PROT_WRITE, &x, 1,
				     MEM_PG(r1, 3)));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r1, 3), 0x2222));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 1), 0x2222));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r2, 2), 0x2222));
	EXPECT_EQ(3U, mem_info(self->fd).mapped_pages);
	if (exo_debugfs_mounted())
		EXPECT_EQ(3, mem_pool_mappings(x, NULL));

	/* ALLOC without MAP, then EXO_IOC_MEM_MAP read-write. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &y));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, EXO_MEM_PROT_WRITE, &y, 1,
				     MEM_PG(r2, 0)));
	EXPECT_EQ(0, exo_zero_check(MEM_PG(r2, 0)));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r2, 0), 0x3333));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &y, 1, MEM_PG(r1, 0)));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 0), 0x3333));
	/* Frame x was not touched by writes to y. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 1), 0x2222));
	EXPECT_EQ(5U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(2U, mem_info(self->fd).held_frames);

	/* UNMAP one binding: the others of the frame stay. */
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, MEM_PG(r1, 3), 1));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r1, 3), NULL));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 1), 0x2222));
	EXPECT_EQ(4U, mem_info(self->fd).mapped_pages);

	/* munmap of a region drops its bindings; the frames stay held. */
	ASSERT_EQ(0, munmap(r2, 4 * EXO_PAGE));
	EXPECT_EQ(2U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(2U, mem_info(self->fd).held_frames);
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 0), 0x3333));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r1, 1), 0x2222));
}

/*
 * mremap() of a region is refused, but the kernel first copies the VMA and
 * then unmaps the copy. The copy's close once freed the region under the
 * original mapping: the frame stayed mapped read-write after MEM_FREE, and
 * a later fault read freed memory. After each refused mremap the region
 * must be whole: its page still shows the frame, it takes new bindings,
 * and MEM_FREE still removes the PTE.
 */
TEST_F(mem, mremap_refused_keeps_region)
{
	static const struct {
		const char *what;
		size_t pages;
		int flags;
	} cases[] = {
		{ "same size, moved", 4, MREMAP_MAYMOVE | MREMAP_FIXED },
		{ "shrunk and moved", 2, MREMAP_MAYMOVE | MREMAP_FIXED },
		{ "grown and moved", 8, MREMAP_MAYMOVE | MREMAP_FIXED },
		{ "grown, may move", 8, MREMAP_MAYMOVE },
		{ "grown in place", 8, 0 },
		{ "shrunk in place", 2, 0 },
	};
	size_t c;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		void *r, *q = NULL, *moved;
		__u32 x;

		TH_LOG("mremap: %s", cases[c].what);
		r = exo_raw_mem_region(self->fd, 4);
		ASSERT_NE(NULL, r);
		ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
					   MEM_PG(r, 1), &x));
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 1), 0x4d00 + c));
		if (cases[c].flags & MREMAP_FIXED) {
			q = mmap(NULL, 8 * EXO_PAGE, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ASSERT_NE(MAP_FAILED, q);
		}
		moved = mremap(r, 4 * EXO_PAGE, cases[c].pages * EXO_PAGE,
			       cases[c].flags, q);
		EXPECT_EQ(MAP_FAILED, moved);
		if (moved != MAP_FAILED)
			break;
		/* The region is whole and still the environment's. */
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x4d00 + c));
		EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
		EXPECT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, MEM_PG(r, 3)));
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 3), 0x4d00 + c));
		EXPECT_EQ(2U, mem_info(self->fd).mapped_pages);
		/* FREE still reaches both PTEs. */
		ASSERT_EQ(0, exo_raw_mem_free(self->fd, &x, 1));
		EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 1), NULL));
		EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 3), NULL));
		EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
		EXPECT_EQ(0U, mem_info(self->fd).held_frames);
		EXPECT_EQ(0, munmap(r, 4 * EXO_PAGE));
		if (q)
			EXPECT_EQ(0, munmap(q, 8 * EXO_PAGE));
	}
}

struct mem_race {
	int fd;
	void *region;
	volatile int stop;
	unsigned long frees;
};

/* FREE (and its zap) in one thread, beside munmap() in another. */
static void *mem_race_freer(void *arg)
{
	struct mem_race *race = arg;

	while (!race->stop) {
		__u32 x;

		if (mem_alloc_any(race->fd, 1, EXO_MEM_PROT_WRITE,
				  __atomic_load_n(&race->region, __ATOMIC_ACQUIRE),
				  &x))
			continue;
		exo_raw_mem_free(race->fd, &x, 1);
		race->frees++;
	}
	return NULL;
}

/*
 * munmap() detaches a VMA under the write side of mmap_lock, then tears it
 * down under the read side, where FREE's zap also runs: the zap must not
 * touch the VMA being torn down (found by KASAN in the debug lane).
 */
TEST_F_TIMEOUT(mem, free_races_munmap, 120)
{
	struct mem_race race = { .fd = self->fd };
	pthread_t freer;
	int round;

	race.region = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, race.region);
	ASSERT_EQ(0, pthread_create(&freer, NULL, mem_race_freer, &race));
	for (round = 0; round < 2000; round++) {
		void *next = exo_raw_mem_region(self->fd, 1);

		ASSERT_NE(NULL, next);
		munmap(__atomic_exchange_n(&race.region, next, __ATOMIC_ACQ_REL),
		       EXO_PAGE);
	}
	race.stop = 1;
	pthread_join(freer, NULL);
	munmap(race.region, EXO_PAGE);
	TH_LOG("%lu frees beside 2000 munmaps", race.frees);
	EXPECT_LT(0UL, race.frees);
	EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(0U, mem_info(self->fd).held_frames);
}

TEST_F(mem, map_ro_write_segv)
{
	unsigned char v = 0xee, before[64], junk[64];
	void *r, *fault = NULL;
	int memfd, p[2];
	__u32 x;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 0), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x4444));
	/* Read-only at page 1 (ALLOC's MAP without PROT_WRITE alike). */
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, MEM_PG(r, 1)));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x4444));

	EXPECT_EQ(SIGSEGV, exo_probe_copy(MEM_PG(r, 1) + 100, &v, 1, &fault));
	EXPECT_EQ((void *)(MEM_PG(r, 1) + 100), fault);
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x4444));

	/* mprotect() cannot upgrade a read-only binding. */
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_READ));
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(r, 0), 1));
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(r, 1), 1));
	/* ...while the read-write binding writes again. */
	EXPECT_EQ(0, exo_probe_write(MEM_PG(r, 0), exo_pattern_byte(0x4444, 0)));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x4444));

	/* Nor can the kernel be made to write it for us. */
	memcpy(before, MEM_PG(r, 1), sizeof(before));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	memset(junk, 'x', sizeof(junk));
	ASSERT_EQ((ssize_t)sizeof(junk), write(p[1], junk, sizeof(junk)));
	EXPECT_EQ(-EFAULT, exo_raw_read_addr(p[0], (unsigned long)MEM_PG(r, 1),
					     sizeof(junk)));
	close(p[0]);
	close(p[1]);
	memfd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (memfd >= 0) {
		/* FOLL_FORCE writes ignore protections, not VM_PFNMAP. */
		EXPECT_EQ(-1, pwrite(memfd, "zz", 2,
				     (off_t)(unsigned long)MEM_PG(r, 1)));
		EXPECT_EQ(EIO, errno);
		close(memfd);
	}
	EXPECT_EQ(0, memcmp(before, MEM_PG(r, 1), sizeof(before)));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x4444));
}

/*
 * x86 has no write-only PTE: a PROT_WRITE region reads its read-only
 * binding (as any write-only mapping does) and only the write faults. Both
 * the bind-time insert and the fault path are covered; a PROT_NONE PTE here
 * once made the read fault forever.
 */
TEST_F(mem, write_only_region_reads_ro_binding)
{
	unsigned char v = 0;
	void *r;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 0), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x5151));

	/* Bound while write-only: the PTE goes in at once. */
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_WRITE));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, MEM_PG(r, 1)));
	EXPECT_EQ(0, exo_probe_read(MEM_PG(r, 1), &v));
	EXPECT_EQ(exo_pattern_byte(0x5151, 0), v);
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(r, 1), 1));
	EXPECT_EQ(0, exo_probe_write(MEM_PG(r, 0), v));

	/* Bound while PROT_NONE: the first read after mprotect() faults it in. */
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, MEM_PG(r, 1), 1));
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_NONE));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, MEM_PG(r, 1)));
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_WRITE));
	v = 0;
	EXPECT_EQ(0, exo_probe_read(MEM_PG(r, 1), &v));
	EXPECT_EQ(exo_pattern_byte(0x5151, 0), v);
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(r, 1), 1));
	ASSERT_EQ(0, mprotect(r, 2 * EXO_PAGE, PROT_READ));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 1), 0x5151));
}

TEST_F(mem, unbound_page_sigbus)
{
	void *r, *fault = NULL;
	unsigned char v;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 4);
	ASSERT_NE(NULL, r);
	/* A fresh region is address space only. */
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 0), NULL));
	EXPECT_EQ(SIGBUS, exo_probe_write(MEM_PG(r, 3), 1));

	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 1), &x));
	EXPECT_EQ(0, exo_probe_read(MEM_PG(r, 1), &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(SIGBUS, exo_probe_copy(&v, MEM_PG(r, 2) + 8, 1, &fault));
	EXPECT_EQ((void *)(MEM_PG(r, 2) + 8), fault);
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 0), NULL));

	/* Unbinding makes the page raise SIGBUS again. */
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, MEM_PG(r, 1), 1));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 1), NULL));
	EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(1U, mem_info(self->fd).held_frames);

	/* So does freeing the frame under its binding. */
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, EXO_MEM_PROT_WRITE, &x, 1,
				     MEM_PG(r, 3)));
	EXPECT_EQ(0, exo_probe_write(MEM_PG(r, 3), 7));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, &x, 1));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(r, 3), NULL));
	EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
	EXPECT_EQ(0U, mem_info(self->fd).held_frames);
}

struct mem_fork_arg {
	int fd;			/* the parent's environment */
	void *page;		/* a bound page of the parent's region */
};

/* In the forked child: the region is not there at all. */
static int mem_fork_child(int rx, int tx, void *arg)
{
	const struct mem_fork_arg *a = arg;
	struct exo_mem_info mi;

	(void)rx;
	(void)tx;
	EXO_CHILD_CHECK(1, exo_probe_read(a->page, NULL) == SIGSEGV);
	EXO_CHILD_CHECK(2, exo_probe_write(a->page, 1) == SIGSEGV);
	/* Nor is the parent's environment: the fd is not ours. */
	EXO_CHILD_CHECK(3, exo_raw_mem_info(a->fd, &mi) == EPERM);
	return 0;
}

TEST_F(mem, mmap_shared_only_not_inherited)
{
	struct exo_peer peer = MEM_PEER_INIT;
	struct mem_fork_arg arg;
	void *r, *p;
	int fresh;
	__u32 x;

	/* MAP_PRIVATE and a non-zero offset are refused. */
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, EXO_PAGE, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, EXO_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* Before the handshake there is no region either. */
	fresh = exo_raw_open();
	ASSERT_LE(0, fresh);
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fresh, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPROTO, errno);
	close(fresh);

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE,
				   MEM_PG(r, 0), &x));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0x5555));
	/* VM_IO: the region cannot be made inheritable either. */
	EXPECT_EQ(-1, madvise(r, 2 * EXO_PAGE, MADV_DOFORK));
	EXPECT_EQ(EINVAL, errno);

	arg.fd = self->fd;
	arg.page = MEM_PG(r, 0);
	ASSERT_EQ(0, exo_peer_start(&peer, mem_fork_child, &arg));
	EXPECT_EQ(0, exo_peer_finish(&peer));

	/* The parent's mapping did not notice. */
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 0), 0x5555));
	EXPECT_EQ(0, exo_probe_write(MEM_PG(r, 0), 1));
	EXPECT_EQ(1U, mem_info(self->fd).mapped_pages);
	if (exo_debugfs_mounted())
		EXPECT_EQ(1, mem_pool_mappings(x, NULL));
}

/* ---- frames change hands zeroed ------------------------------------------ */

static int mem_zero_child(int rx, int tx, void *arg)
{
	const __u32 *idx = arg;
	struct exo_mem_frame f;
	void *r;
	int fd, i;

	(void)rx;
	(void)tx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, 4);
	EXO_CHILD_CHECK(2, r != NULL);
	for (i = 0; i < 4; i++) {
		EXO_CHILD_CHECK(3, exo_raw_mem_alloc_at(fd, idx[i], 0,
							MEM_PG(r, i), &f) == 0);
		EXO_CHILD_CHECK(4, f.index == idx[i]);
		EXO_CHILD_CHECK(5, exo_zero_check(MEM_PG(r, i)) == 0);
	}
	return 0;
}

TEST_F(mem, freed_frame_reaches_next_owner_zeroed)
{
	struct exo_peer peer = MEM_PEER_INIT;
	__u32 idx[4], many[64], i;
	void *r;

	r = exo_raw_mem_region(self->fd, 64);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 4, EXO_MEM_PROT_WRITE, r, idx));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, i), 0xb000 + i));
		ASSERT_EQ(0, exo_pattern_check(MEM_PG(r, i), 0xb000 + i));
	}
	/* Freed, and named by another environment at once. */
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, 4));
	ASSERT_EQ(0, exo_peer_start(&peer, mem_zero_child, idx));
	EXPECT_EQ(0, exo_peer_finish(&peer));

	/* Back to the same environment, by name: zeroed too. */
	ASSERT_EQ(0, exo_raw_mem_alloc_at(self->fd, idx[0], EXO_MEM_PROT_WRITE,
					  MEM_PG(r, 0), NULL));
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, 0), 0xc000));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, 1));
	ASSERT_EQ(0, exo_raw_mem_alloc_at(self->fd, idx[0], 0, MEM_PG(r, 0), NULL));
	EXPECT_EQ(0, exo_zero_check(MEM_PG(r, 0)));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, 1));

	/* And any frames, after many were dirtied and freed. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 64, EXO_MEM_PROT_WRITE, r, many));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, i), 0xd000 + i));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, many, 64));
	ASSERT_EQ(0, mem_alloc_any(self->fd, 64, 0, r, many));
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, exo_zero_check(MEM_PG(r, i)));
}

/* ---- a libOS killed with its frames mapped --------------------------------- */

#define MEM_KILL_FRAMES		1000

static int mem_kill_child(int rx, int tx, void *arg)
{
	__u32 *idx = calloc(MEM_KILL_FRAMES, sizeof(*idx)), i;
	struct exo_mem_info mi;
	char c;
	void *r;
	int fd;

	(void)arg;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0 && idx);
	r = exo_raw_mem_region(fd, MEM_KILL_FRAMES);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_alloc_any(fd, MEM_KILL_FRAMES, EXO_MEM_PROT_WRITE,
					 r, idx) == 0);
	for (i = 0; i < MEM_KILL_FRAMES; i++)
		*(volatile char *)MEM_PG(r, i) = 1;
	EXO_CHILD_CHECK(4, exo_raw_mem_info(fd, &mi) == 0);
	EXO_CHILD_CHECK(5, mi.held_frames == MEM_KILL_FRAMES &&
			   mi.mapped_pages == MEM_KILL_FRAMES);
	EXO_CHILD_CHECK(6, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);
	/* Wait to be killed. */
	exo_sync_recv(rx, &c);
	return 50;
}

TEST_F_TIMEOUT(mem, kill9_returns_frames, 120)
{
	unsigned long long live0 = 0, live = 0;
	struct exo_peer peer = MEM_PEER_INIT;
	bool dbg = exo_debugfs_mounted();
	__u32 free0, seen = 0;
	struct mem_msg m;
	int waited;

	free0 = mem_info(self->fd).free_frames;
	ASSERT_LE(MEM_KILL_FRAMES, free0);
	if (dbg)
		ASSERT_EQ(0, exo_status_value("envs_live", &live0));

	ASSERT_EQ(0, exo_peer_start(&peer, mem_kill_child, NULL));
	ASSERT_EQ(0, mem_recv(peer.from, &m));
	EXPECT_EQ(free0 - MEM_KILL_FRAMES, mem_info(self->fd).free_frames);
	if (dbg) {
		ASSERT_EQ(0, exo_status_value("envs_live", &live));
		EXPECT_EQ(live0 + 1, live);
		EXPECT_EQ(MEM_KILL_FRAMES, exo_pool_frames_of(m.v[0], NULL, NULL, 0));
	}

	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	EXPECT_TRUE(mem_wait_free(self->fd, free0, &seen)) {
		TH_LOG("free_frames %u, baseline %u", seen, free0);
	}
	if (dbg) {
		for (waited = 0; waited < MEM_WAIT_MS; waited += 10) {
			ASSERT_EQ(0, exo_status_value("envs_live", &live));
			if (live == live0)
				break;
			poll(NULL, 0, 10);
		}
		EXPECT_EQ(live0, live);
		EXPECT_EQ(0, exo_status_env(m.v[0], NULL));
		EXPECT_EQ(0, exo_pool_frames_of(m.v[0], NULL, NULL, 0));
	}
	/* What it held can be had again. */
	EXPECT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &seen));
}

TEST_HARNESS_MAIN
