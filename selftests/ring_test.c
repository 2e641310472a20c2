// SPDX-License-Identifier: GPL-2.0
/*
 * The submission ring (uapi section 8): EXO_IOC_RING_SETUP's limits on both
 * sides, the mapping's rules, batches of NOPs and of memory calls with
 * their results and user_data, the allow-list, CQ overflow counted and
 * never overwritten, a tampered header refused with nothing run, a thread
 * rewriting the SQ under the kernel, a hostile second environment, and
 * kill -9 in the middle of a batch giving every frame back.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include <exo/exo.h>

#include "exo_test_util.h"

struct ring {
	int fd;
	struct exo_ring_setup s;
	void *map;
	struct exo_ring_hdr *hdr;
	struct exo_ring_sqe *sq;
	struct exo_ring_cqe *cq;
};

static int ring_setup(int fd, __u32 sq, __u32 cq, struct exo_ring_setup *out)
{
	struct exo_ring_setup s = {
		.argsz = sizeof(s), .sq_entries = sq, .cq_entries = cq,
	};
	int err = exo_ioc(fd, EXO_IOC_RING_SETUP, &s);

	if (out)
		*out = s;
	return err;
}

/* A fresh environment with a mapped ring; 0 or errno. */
static int ring_open(struct ring *r, __u32 sq, __u32 cq)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = exo_raw_env();
	if (r->fd < 0)
		return -r->fd;
	err = ring_setup(r->fd, sq, cq, &r->s);
	if (err)
		return err;
	r->map = mmap(NULL, r->s.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, (off_t)EXO_MMAP_RING);
	if (r->map == MAP_FAILED)
		return errno;
	r->hdr = r->map;
	r->sq = (void *)((char *)r->map + r->s.sq_off);
	r->cq = (void *)((char *)r->map + r->s.cq_off);
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->map && r->map != MAP_FAILED)
		munmap(r->map, r->s.ring_size);
	if (r->fd >= 0)
		close(r->fd);
}

static void ring_queue(struct ring *r, __u32 cmd, void *arg, __u64 ud)
{
	struct exo_ring_sqe *sqe;
	__u32 tail = r->hdr->sq_tail;

	sqe = &r->sq[tail & (r->s.sq_entries - 1)];
	memset(sqe, 0, sizeof(*sqe));
	sqe->cmd = cmd;
	sqe->arg = (__u64)(unsigned long)arg;
	sqe->user_data = ud;
	__atomic_store_n(&r->hdr->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

static int ring_enter(struct ring *r, __u32 to_submit, __u32 min_complete,
		      struct exo_ring_enter *out)
{
	struct exo_ring_enter e = {
		.argsz = sizeof(e), .to_submit = to_submit,
		.min_complete = min_complete,
	};
	int err = exo_ioc(r->fd, EXO_IOC_RING_ENTER, &e);

	if (out)
		*out = e;
	return err;
}

/* The next CQE, reaped; false if the CQ is empty. */
static bool ring_reap(struct ring *r, struct exo_ring_cqe *out)
{
	__u32 head = r->hdr->cq_head;

	if (head == __atomic_load_n(&r->hdr->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*out = r->cq[head & (r->s.cq_entries - 1)];
	__atomic_store_n(&r->hdr->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

static __u32 free_frames(void)
{
	struct exo_mem_info mi;
	int fd = exo_raw_env();
	__u32 n = 0;

	if (fd < 0)
		return 0;
	if (!exo_raw_mem_info(fd, &mi))
		n = mi.free_frames;
	close(fd);
	return n;
}

#define SKIP_NO_DEV() do {						\
	if (!exo_dev_present())						\
		SKIP(return, EXO_NO_DEV_MSG);				\
} while (0)

/* ---- setup and mmap ------------------------------------------------------ */

static int setup_fresh(__u32 sq, __u32 cq, struct exo_ring_setup *out)
{
	int fd = exo_raw_env(), err;

	if (fd < 0)
		return -fd;
	err = ring_setup(fd, sq, cq, out);
	close(fd);
	return err;
}

TEST(setup_limits_both_sides)
{
	struct exo_ring_setup s;
	int fd;

	SKIP_NO_DEV();
	EXPECT_EQ(EINVAL, setup_fresh(0, 0, NULL));
	EXPECT_EQ(0, setup_fresh(1, 0, &s));
	EXPECT_EQ(1U, s.sq_entries);
	EXPECT_EQ(2U, s.cq_entries);	/* 0: twice the SQ */
	EXPECT_EQ(EINVAL, setup_fresh(3, 0, NULL));
	EXPECT_EQ(0, setup_fresh(EXO_RING_MAX_ENTRIES, 0, &s));
	EXPECT_EQ(EXO_RING_MAX_CQ, s.cq_entries);
	EXPECT_EQ(EINVAL, setup_fresh(2 * EXO_RING_MAX_ENTRIES, 0, NULL));
	EXPECT_EQ(EINVAL, setup_fresh(0xffffffffU, 0, NULL));
	/* The CQ: sq_entries..EXO_RING_MAX_CQ, a power of two. */
	EXPECT_EQ(0, setup_fresh(8, 8, NULL));
	EXPECT_EQ(EINVAL, setup_fresh(8, 4, NULL));
	EXPECT_EQ(EINVAL, setup_fresh(8, 12, NULL));
	EXPECT_EQ(0, setup_fresh(8, EXO_RING_MAX_CQ, NULL));
	EXPECT_EQ(EINVAL, setup_fresh(8, 2 * EXO_RING_MAX_CQ, NULL));

	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	s = (struct exo_ring_setup){ .argsz = sizeof(s), .flags = 1,
				     .sq_entries = 4 };
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_RING_SETUP, &s));
	s = (struct exo_ring_setup){ .argsz = sizeof(s), .reserved = 1,
				     .sq_entries = 4 };
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_RING_SETUP, &s));
	/* The refusals left nothing behind: the first real one works. */
	EXPECT_EQ(0, ring_setup(fd, 4, 0, &s));
	EXPECT_EQ(64U, s.sq_off);
	EXPECT_EQ(s.sq_off + 4 * sizeof(struct exo_ring_sqe), s.cq_off);
	EXPECT_EQ(EXO_PAGE, s.ring_size);
	EXPECT_EQ(EEXIST, ring_setup(fd, 4, 0, NULL));
	EXPECT_EQ(EEXIST, ring_setup(fd, 8, 0, NULL));
	close(fd);
}

TEST(mmap_rules)
{
	struct exo_ring_setup s;
	void *p;
	int fd;

	SKIP_NO_DEV();
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	/* No ring yet. */
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)EXO_MMAP_RING);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ring_setup(fd, 256, 0, &s));
	ASSERT_LT(EXO_PAGE, s.ring_size);
	/* One page short, one page over, a page in, private: all refused. */
	p = mmap(NULL, s.ring_size - EXO_PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, (off_t)EXO_MMAP_RING);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, s.ring_size + EXO_PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, (off_t)EXO_MMAP_RING);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, s.ring_size - EXO_PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, (off_t)(EXO_MMAP_RING + EXO_PAGE));
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, s.ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 (off_t)EXO_MMAP_RING);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, s.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)EXO_MMAP_RING);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(256U, ((struct exo_ring_hdr *)p)->sq_entries);
	EXPECT_EQ(512U, ((struct exo_ring_hdr *)p)->cq_entries);
	/* Growing it is refused too (VM_DONTEXPAND). */
	EXPECT_EQ(MAP_FAILED, mremap(p, s.ring_size, s.ring_size + EXO_PAGE,
				     MREMAP_MAYMOVE));
	munmap(p, s.ring_size);
	close(fd);
}

TEST(enter_without_a_ring_is_enxio)
{
	struct exo_ring_enter e = { .argsz = sizeof(e) };
	int fd;

	SKIP_NO_DEV();
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	EXPECT_EQ(ENXIO, exo_ioc(fd, EXO_IOC_RING_ENTER, &e));
	close(fd);
}

/* ---- batches ------------------------------------------------------------- */

TEST(nop_batch_in_order)
{
	struct exo_ring_enter e;
	struct exo_ring_cqe cqe;
	struct ring r;
	__u32 round, i;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 32, 0));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 32; i++)
			ring_queue(&r, EXO_IOC_NOP, NULL, round * 100 + i);
		ASSERT_EQ(0, ring_enter(&r, 32, 32, &e));
		EXPECT_EQ(32U, e.submitted);
		EXPECT_EQ(32U, e.cq_ready);
		EXPECT_EQ(0U, e.cq_overflow);
		EXPECT_EQ(r.hdr->sq_tail, r.hdr->sq_head);
		for (i = 0; i < 32; i++) {
			ASSERT_TRUE(ring_reap(&r, &cqe));
			EXPECT_EQ(round * 100 + i, cqe.user_data);
			EXPECT_EQ(0, cqe.result);
		}
		EXPECT_FALSE(ring_reap(&r, &cqe));
	}
	/* to_submit caps the batch; the rest stays queued. */
	for (i = 0; i < 8; i++)
		ring_queue(&r, EXO_IOC_NOP, NULL, i);
	ASSERT_EQ(0, ring_enter(&r, 3, 0, &e));
	EXPECT_EQ(3U, e.submitted);
	EXPECT_EQ(r.hdr->sq_tail - 5, r.hdr->sq_head);
	ASSERT_EQ(0, ring_enter(&r, 32, 0, &e));
	EXPECT_EQ(5U, e.submitted);
	EXPECT_EQ(8U, e.cq_ready);
	ring_close(&r);
}

TEST(bad_sqes_complete_with_einval)
{
	struct exo_ring_cqe cqe;
	struct exo_ring_sqe *sqe;
	struct ring r;
	int dummy;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 4, 0));
	ring_queue(&r, EXO_IOC_NOP, &dummy, 1);		/* NOP with an argument */
	ring_queue(&r, EXO_IOC_NOP, NULL, 2);
	sqe = &r.sq[(r.hdr->sq_tail - 1) & 3];
	sqe->flags = 1;
	ring_queue(&r, EXO_IOC_NOP, NULL, 3);
	sqe = &r.sq[(r.hdr->sq_tail - 1) & 3];
	sqe->reserved = 1;
	ring_queue(&r, EXO_IOC_NOP, NULL, 4);
	ASSERT_EQ(0, ring_enter(&r, 4, 4, NULL));
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(1U, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.result);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(2U, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.result);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(3U, cqe.user_data);
	EXPECT_EQ(-EINVAL, cqe.result);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(4U, cqe.user_data);
	EXPECT_EQ(0, cqe.result);
	ring_close(&r);
}

TEST(disallowed_ops_are_eopnotsupp)
{
	static const __u32 cmds[] = {
		EXO_IOC_RING_ENTER, EXO_IOC_RING_SETUP, EXO_IOC_CPU_WAIT,
		EXO_IOC_CPU_YIELD, EXO_IOC_API, EXO_IOC_MEM_INFO,
		EXO_IOC_MEM_REVOKE, EXO_IOC_XN_SYNC, 0xdeadbeef,
		_IO(EXO_IOC_MAGIC, 0x7f),
	};
	struct exo_ring_enter e = { .argsz = sizeof(e) };
	struct exo_ring_cqe cqe;
	struct ring r;
	size_t i;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 16, 0));
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		ring_queue(&r, cmds[i], &e, 1000 + i);
	ASSERT_EQ(0, ring_enter(&r, 16, 0, NULL));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_TRUE(ring_reap(&r, &cqe));
		EXPECT_EQ(1000 + i, cqe.user_data);
		EXPECT_EQ(-EOPNOTSUPP, cqe.result) {
			TH_LOG("cmd %#x went through the ring", cmds[i]);
		}
	}
	/* RING_ENTER's own argument was never touched by a nested enter. */
	EXPECT_EQ(0U, e.submitted);
	ring_close(&r);
}

TEST(memory_calls_through_the_ring)
{
	struct exo_mem_frame f[2] = { { 0 } };
	struct exo_mem_alloc alloc = {
		.argsz = sizeof(alloc), .count = 2,
	};
	struct exo_mem_batch map = { .argsz = sizeof(map) };
	struct exo_mem_batch bad_free = { .argsz = sizeof(bad_free) };
	struct exo_mem_batch free_ = { .argsz = sizeof(free_) };
	struct exo_mem_unmap unmap = { .argsz = sizeof(unmap) };
	struct exo_env_info info;
	struct exo_ring_cqe cqe;
	__u32 idx[2], before, bogus = 0xffffff;
	unsigned char *region;
	struct ring r;
	int i;

	SKIP_NO_DEV();
	before = free_frames();
	ASSERT_EQ(0, ring_open(&r, 8, 0));
	region = exo_raw_mem_region(r.fd, 4);
	ASSERT_NE(NULL, region);

	/* Batch 1: allocate two frames. */
	alloc.frames = (__u64)(unsigned long)f;
	ring_queue(&r, EXO_IOC_MEM_ALLOC, &alloc, 11);
	ASSERT_EQ(0, ring_enter(&r, 1, 1, NULL));
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(11U, cqe.user_data);
	ASSERT_EQ(0, cqe.result);
	ASSERT_EQ(0, exo_raw_info(r.fd, &info));
	EXPECT_EQ(2U, info.frames);

	/* Batch 2: map both, a failing free in the middle, unmap, free. */
	idx[0] = f[0].index;
	idx[1] = f[1].index;
	map.flags = EXO_MEM_PROT_WRITE;
	map.count = 2;
	map.indexes = (__u64)(unsigned long)idx;
	map.addr = (__u64)(unsigned long)region;
	bad_free.count = 1;
	bad_free.indexes = (__u64)(unsigned long)&bogus;
	unmap.count = 2;
	unmap.addr = (__u64)(unsigned long)region;
	free_.count = 2;
	free_.indexes = (__u64)(unsigned long)idx;
	ring_queue(&r, EXO_IOC_MEM_MAP, &map, 21);
	ring_queue(&r, EXO_IOC_MEM_FREE, &bad_free, 22);
	ASSERT_EQ(0, ring_enter(&r, 2, 2, NULL));
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(21U, cqe.user_data);
	EXPECT_EQ(0, cqe.result);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(22U, cqe.user_data);
	EXPECT_GT(0, cqe.result);	/* not a frame of ours */
	/* The mapping is real: the frames are zeroed and writable. */
	EXPECT_EQ(0, region[0]);
	region[0] = 0x5a;
	region[EXO_PAGE] = 0xa5;
	EXPECT_EQ(0x5a, region[0]);

	ring_queue(&r, EXO_IOC_MEM_UNMAP, &unmap, 31);
	ring_queue(&r, EXO_IOC_MEM_FREE, &free_, 32);
	ASSERT_EQ(0, ring_enter(&r, 2, 2, NULL));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(ring_reap(&r, &cqe));
		EXPECT_EQ(31U + i, cqe.user_data);
		EXPECT_EQ(0, cqe.result);
	}
	ASSERT_EQ(0, exo_raw_info(r.fd, &info));
	EXPECT_EQ(0U, info.frames);
	EXPECT_EQ(before, free_frames());

	/* Alloc, map and free chained in one batch: FREE reads ALLOC's out. */
	alloc.flags = EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE;
	alloc.count = 1;
	alloc.addr = (__u64)(unsigned long)region;
	f[0].index = 0;
	unmap.count = 1;
	free_.count = 1;
	free_.indexes = (__u64)(unsigned long)&f[0].index;
	ring_queue(&r, EXO_IOC_MEM_ALLOC, &alloc, 41);
	ring_queue(&r, EXO_IOC_MEM_UNMAP, &unmap, 42);
	ring_queue(&r, EXO_IOC_MEM_FREE, &free_, 43);
	ASSERT_EQ(0, ring_enter(&r, 3, 3, NULL));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(ring_reap(&r, &cqe));
		EXPECT_EQ(41U + i, cqe.user_data);
		EXPECT_EQ(0, cqe.result);
	}
	EXPECT_EQ(before, free_frames());
	munmap(region, 4 * EXO_PAGE);
	ring_close(&r);
}

/* The liburing-shaped wrappers over the same ring. */
TEST(libexo_ring_api)
{
	struct exo_ring_cqe *cqe;
	struct exo_ring_sqe *sqe;
	struct exo_uring *r;
	struct exo *exo;
	int i, n = 0;

	SKIP_NO_DEV();
	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	r = exo_ring_init(exo, 8);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NULL, exo_ring_init(exo, 8));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-EAGAIN, exo_ring_wait_cqe(r, &cqe));
	for (i = 0; i < 8; i++) {
		sqe = exo_ring_get_sqe(r);
		ASSERT_NE(NULL, sqe);
		exo_ring_prep_nop(sqe, 70 + i);
	}
	EXPECT_EQ(NULL, exo_ring_get_sqe(r));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(8, exo_ring_submit(r));
	while (!exo_ring_wait_cqe(r, &cqe)) {
		EXPECT_EQ((__u64)(70 + n), cqe->user_data);
		EXPECT_EQ(0, cqe->result);
		exo_ring_cqe_seen(r, cqe);
		n++;
	}
	EXPECT_EQ(8, n);
	/* wait_cqe submits what is queued. */
	sqe = exo_ring_get_sqe(r);
	ASSERT_NE(NULL, sqe);
	exo_ring_prep_ioctl(sqe, EXO_IOC_CPU_WAIT, NULL, 99);
	ASSERT_EQ(0, exo_ring_wait_cqe(r, &cqe));
	EXPECT_EQ(99U, cqe->user_data);
	EXPECT_EQ(-EOPNOTSUPP, cqe->result);
	exo_ring_cqe_seen(r, cqe);
	EXPECT_EQ(0U, exo_ring_overflow(r));
	exo_ring_exit(r);
	exo_close(exo);
}

/* ---- the CQ full ------------------------------------------------------- */

TEST(cq_overflow_counted_never_overwritten)
{
	struct exo_ring_enter e;
	struct exo_ring_cqe cqe;
	struct ring r;
	__u32 i;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 4, 4));
	for (i = 0; i < 4; i++)
		ring_queue(&r, EXO_IOC_NOP, NULL, i);
	ASSERT_EQ(0, ring_enter(&r, 4, 0, &e));
	EXPECT_EQ(4U, e.cq_ready);
	/* The CQ is full and unread: four more run, their CQEs are dropped. */
	for (i = 0; i < 3; i++)
		ring_queue(&r, EXO_IOC_NOP, NULL, 10 + i);
	ASSERT_EQ(0, ring_enter(&r, 3, 0, &e));
	EXPECT_EQ(3U, e.submitted);
	EXPECT_EQ(4U, e.cq_ready);
	EXPECT_EQ(3U, e.cq_overflow);
	EXPECT_EQ(3U, r.hdr->cq_overflow);
	EXPECT_EQ(4U, r.hdr->cq_tail);
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(ring_reap(&r, &cqe));
		EXPECT_EQ(i, cqe.user_data);
	}
	/* Room again: completions land, the count stays. */
	ring_queue(&r, EXO_IOC_NOP, NULL, 20);
	ASSERT_EQ(0, ring_enter(&r, 1, 1, &e));
	EXPECT_EQ(3U, e.cq_overflow);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(20U, cqe.user_data);
	ring_close(&r);
}

/* ---- a tampered header ------------------------------------------------- */

TEST(garbage_indexes_refused_nothing_run)
{
	struct exo_ring_enter e;
	struct exo_ring_cqe cqe;
	struct ring r;
	__u32 tail;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 8, 16));
	ring_queue(&r, EXO_IOC_NOP, NULL, 1);

	/* Out-of-range arguments. */
	EXPECT_EQ(EINVAL, ring_enter(&r, 9, 0, NULL));
	EXPECT_EQ(EINVAL, ring_enter(&r, 0xffffffffU, 0, NULL));
	EXPECT_EQ(EINVAL, ring_enter(&r, 8, 17, NULL));
	EXPECT_EQ(0, ring_enter(&r, 0, 0, NULL));	/* both limits, N */
	/* min_complete that cannot be met: EAGAIN, nothing run. */
	EXPECT_EQ(EAGAIN, ring_enter(&r, 1, 2, NULL));
	EXPECT_EQ(0U, r.hdr->sq_head);

	/* sq_tail past sq_head + sq_entries, and behind sq_head. */
	tail = r.hdr->sq_tail;
	r.hdr->sq_tail = 9;
	EXPECT_EQ(EINVAL, ring_enter(&r, 8, 0, NULL));
	r.hdr->sq_tail = 0xfffffff0U;
	EXPECT_EQ(EINVAL, ring_enter(&r, 8, 0, NULL));
	r.hdr->sq_tail = 8;				/* N: exactly full */
	EXPECT_EQ(0, ring_enter(&r, 0, 0, NULL));
	r.hdr->sq_tail = tail;
	EXPECT_EQ(0U, r.hdr->sq_head);
	EXPECT_EQ(0U, r.hdr->cq_tail);

	/* cq_head ahead of cq_tail, or more than cq_entries behind. */
	r.hdr->cq_head = 1;
	EXPECT_EQ(EINVAL, ring_enter(&r, 1, 0, NULL));
	r.hdr->cq_head = (__u32)-17;
	EXPECT_EQ(EINVAL, ring_enter(&r, 1, 0, NULL));
	r.hdr->cq_head = 0;
	EXPECT_EQ(0U, r.hdr->sq_head);
	EXPECT_EQ(0U, r.hdr->cq_tail);

	/* Kernel-owned fields scribbled: ignored and written back right. */
	r.hdr->sq_head = 12345;
	r.hdr->cq_tail = 999;
	r.hdr->cq_overflow = 77;
	r.hdr->sq_entries = 1U << 30;
	ASSERT_EQ(0, ring_enter(&r, 1, 1, &e));
	EXPECT_EQ(1U, e.submitted);
	EXPECT_EQ(1U, r.hdr->sq_head);
	EXPECT_EQ(1U, r.hdr->cq_tail);
	EXPECT_EQ(0U, e.cq_overflow);
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(1U, cqe.user_data);
	ring_close(&r);
}

struct scribbler {
	struct ring *r;
	volatile bool stop;
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	__u32 n = 0, i;

	while (!s->stop) {
		for (i = 0; i < s->r->s.sq_entries; i++) {
			struct exo_ring_sqe *sqe = &s->r->sq[i];

			__atomic_store_n(&sqe->cmd, (n & 1) ? EXO_IOC_NOP :
					 (n & 2) ? EXO_IOC_CPU_WAIT : n,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&sqe->flags, (n & 4) ? 0 : n,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&sqe->user_data, n, __ATOMIC_RELAXED);
			n++;
		}
	}
	return NULL;
}

/* Another thread rewrites every SQE while the kernel reads them. */
TEST(sq_rewritten_under_the_kernel)
{
	struct scribbler s;
	struct exo_ring_enter e;
	struct exo_ring_cqe cqe;
	struct ring r;
	pthread_t t;
	int round, i, bad = 0;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 16, 0));
	s.r = &r;
	s.stop = false;
	ASSERT_EQ(0, pthread_create(&t, NULL, scribble, &s));
	for (round = 0; round < 200; round++) {
		__atomic_store_n(&r.hdr->sq_tail, r.hdr->sq_tail + 16,
				 __ATOMIC_RELEASE);
		ASSERT_EQ(0, ring_enter(&r, 16, 16, &e));
		ASSERT_EQ(16U, e.submitted);
		for (i = 0; i < 16; i++) {
			ASSERT_TRUE(ring_reap(&r, &cqe));
			if (cqe.result != 0 && cqe.result != -EINVAL &&
			    cqe.result != -EOPNOTSUPP)
				bad++;
		}
	}
	s.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(0, bad);
	ring_close(&r);
}

/* ---- a hostile second environment ------------------------------------- */

TEST(second_env_cannot_map_or_enter)
{
	struct ring r, mine;
	struct exo_ring_enter e = { .argsz = sizeof(e) };
	unsigned char v;
	pid_t pid;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 4, 0));
	ring_queue(&r, EXO_IOC_NOP, NULL, 5);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *p;

		/* The inherited fd is the parent's: every door is shut. */
		EXO_CHILD_CHECK(1, exo_ioc(r.fd, EXO_IOC_RING_ENTER, &e) == EPERM);
		p = mmap(NULL, r.s.ring_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, r.fd, (off_t)EXO_MMAP_RING);
		EXO_CHILD_CHECK(2, p == MAP_FAILED && errno == EPERM);
		EXO_CHILD_CHECK(3, ring_setup(r.fd, 4, 0, NULL) == EPERM);
		/* The parent's mapping did not come over the fork. */
		EXO_CHILD_CHECK(4, exo_probe_read(r.map, &v) == SIGSEGV);
		/* Its own ring is its own. */
		EXO_CHILD_CHECK(5, ring_open(&mine, 4, 0) == 0);
		ring_queue(&mine, EXO_IOC_NOP, NULL, 6);
		EXO_CHILD_CHECK(6, ring_enter(&mine, 1, 1, NULL) == 0);
		_exit(0);
	}
	EXPECT_EQ(0, exo_wait_child(pid));
	/* Nothing of ours ran. */
	EXPECT_EQ(0U, r.hdr->sq_head);
	EXPECT_EQ(0U, r.hdr->cq_tail);
	ASSERT_EQ(0, ring_enter(&r, 1, 1, NULL));
	EXPECT_EQ(5U, r.cq[0].user_data);
	ring_close(&r);
}

/* MADV_DOFORK undoes VM_DONTCOPY: a child writing the ring is harmless. */
TEST(forked_child_sharing_the_mapping)
{
	struct exo_ring_enter e;
	struct exo_ring_cqe cqe;
	struct ring r;
	int sync[2], i, ok = 0;
	pid_t pid;
	char c;

	SKIP_NO_DEV();
	ASSERT_EQ(0, ring_open(&r, 8, 0));
	ASSERT_EQ(0, madvise(r.map, r.s.ring_size, MADV_DOFORK));
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 n = 0;

		close(sync[0]);
		EXO_CHILD_CHECK(1, exo_sync_send(sync[1], 'g') == 0);
		for (;;) {
			r.hdr->sq_tail = n * 0x9e3779b9U;
			r.hdr->cq_head = n * 0x85ebca6bU;
			r.sq[n & 7].cmd = n;
			r.sq[n & 7].arg = n;
			n++;
		}
	}
	close(sync[1]);
	ASSERT_EQ(0, exo_sync_recv(sync[0], &c));
	for (i = 0; i < 200; i++) {
		int err = ring_enter(&r, 8, 0, &e);

		EXPECT_TRUE(err == 0 || err == EINVAL) {
			TH_LOG("enter gave %d", err);
		}
		if (!err)
			ok++;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sync[0]);
	/* Set the header right again: the ring still works. */
	r.hdr->sq_tail = r.hdr->sq_head;
	r.hdr->cq_head = r.hdr->cq_tail;
	ring_queue(&r, EXO_IOC_NOP, NULL, 8);
	ASSERT_EQ(0, ring_enter(&r, 1, 1, &e));
	ASSERT_TRUE(ring_reap(&r, &cqe));
	EXPECT_EQ(8U, cqe.user_data);
	TH_LOG("%d of 200 doorbells took the child's header", ok);
	ring_close(&r);
}

/* ---- kill -9 mid-batch ---------------------------------------------------- */

TEST(kill9_mid_batch_returns_everything)
{
	unsigned long long envs_before = 0, envs_after = 0;
	__u32 before, after = 0;
	int sync[2], tries;
	pid_t pid;
	char c;

	SKIP_NO_DEV();
	before = free_frames();
	ASSERT_LT(0U, before);
	exo_status_value("envs_live", &envs_before);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct exo_mem_frame f[EXO_RING_MAX_ENTRIES];
		static struct exo_mem_alloc a[EXO_RING_MAX_ENTRIES];
		struct ring r;
		__u32 i;

		close(sync[0]);
		EXO_CHILD_CHECK(1, ring_open(&r, EXO_RING_MAX_ENTRIES, 0) == 0);
		for (i = 0; i < EXO_RING_MAX_ENTRIES; i++) {
			a[i].argsz = sizeof(a[i]);
			a[i].count = 1;
			a[i].frames = (__u64)(unsigned long)&f[i];
		}
		/* Allocate until the quota says no, batch after batch. */
		for (;;) {
			for (i = 0; i < EXO_RING_MAX_ENTRIES; i++)
				ring_queue(&r, EXO_IOC_MEM_ALLOC, &a[i], i);
			r.hdr->cq_head = r.hdr->cq_tail;
			if (exo_sync_send(sync[1], 'b'))
				_exit(2);
			ring_enter(&r, EXO_RING_MAX_ENTRIES, 0, NULL);
		}
	}
	close(sync[1]);
	ASSERT_EQ(0, exo_sync_recv(sync[0], &c));
	ASSERT_EQ(0, exo_sync_recv(sync[0], &c));	/* in its second batch */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sync[0]);
	for (tries = 0; tries < 200; tries++) {
		after = free_frames();
		if (after == before)
			break;
		usleep(10000);
	}
	EXPECT_EQ(before, after);
	if (!exo_status_value("envs_live", &envs_after))
		EXPECT_EQ(envs_before, envs_after);
}

TEST_HARNESS_MAIN
