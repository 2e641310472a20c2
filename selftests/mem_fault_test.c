// SPDX-License-Identifier: GPL-2.0
/*
 * Fault upcalls: in an EXO_REGION_FAULT_UPCALL region a touch of an
 * unbound page is an EXO_EVENT_MEM_FAULT, the thread waits, and
 * EXO_IOC_MEM_FAULT_RESOLVE binds a frame and wakes it (or FAIL: SIGBUS).
 */
#include <exo/exo.h>

#include "exo_mem_util.h"

struct fault_toucher {
	void *addr;
	int sig;		/* of the probe: 0, SIGBUS or SIGSEGV */
	unsigned char seen;
};

static void *fault_touch(void *arg)
{
	struct fault_toucher *t = arg;

	t->sig = exo_probe_read(t->addr, &t->seen);
	return NULL;
}

static void *fault_write(void *arg)
{
	struct fault_toucher *t = arg;

	t->sig = exo_probe_write(t->addr, 0x77);
	return NULL;
}

static int fault_region_set(int fd, void *addr, __u32 flags)
{
	struct exo_mem_region r = {
		.argsz = sizeof(r), .flags = flags, .addr = MEM_ADDR(addr),
	};

	return exo_ioc(fd, EXO_IOC_MEM_REGION_SET, &r);
}

static int fault_resolve(int fd, __u32 flags, __u64 id, void *addr,
			 __u32 index)
{
	struct exo_mem_fault_resolve r = {
		.argsz = sizeof(r), .flags = flags, .fault_id = id,
		.addr = MEM_ADDR(addr), .index = index,
	};

	return exo_ioc(fd, EXO_IOC_MEM_FAULT_RESOLVE, &r);
}

/* The next EXO_EVENT_MEM_FAULT on @fd, or false. */
static bool fault_event(int fd, struct exo_event *ev)
{
	while (!exo_raw_event_wait(fd, MEM_WAIT_MS, ev))
		if (ev->type == EXO_EVENT_MEM_FAULT)
			return true;
	return false;
}

/* A fresh region of @pages whose faults are upcalls, or NULL. */
static void *fault_upcall_region(int fd, size_t pages)
{
	void *r = exo_raw_mem_region(fd, pages);

	if (r && fault_region_set(fd, r, EXO_REGION_FAULT_UPCALL))
		return NULL;
	return r;
}

/* A thread running @fn on @t->addr, and @ev the fault it raised. */
static bool fault_started(int fd, void *(*fn)(void *),
			  struct fault_toucher *t, pthread_t *th,
			  struct exo_event *ev)
{
	return !pthread_create(th, NULL, fn, t) && fault_event(fd, ev);
}

TEST_F(mem, fault_upcall_resolve_resumes_thread)
{
	struct fault_toucher t = { 0 };
	struct exo_event ev;
	pthread_t th;
	void *r, *other;
	__u32 x;

	r = exo_raw_mem_region(self->fd, 4);
	ASSERT_NE(NULL, r);
	other = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, fault_region_set(self->fd, r, EXO_REGION_FAULT_UPCALL));
	/* A frame with known bytes, seen first through another region. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, other, &x));
	ASSERT_EQ(0, exo_pattern_fill(other, 0xfa17));

	t.addr = MEM_PG(r, 2);
	ASSERT_TRUE(fault_started(self->fd, fault_touch, &t, &th, &ev));
	EXPECT_EQ(MEM_ADDR(MEM_PG(r, 2)), ev.data[1]);
	EXPECT_EQ(0U, ev.data[2]);
	EXPECT_NE(0U, ev.data[0]);
	EXPECT_NE(0U, ev.data[3]);
	/* Nothing faulted here: EINVAL; an id never given: ENOENT. */
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, 0, 0, MEM_PG(r, 1), x));
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, 0, ev.data[0] + 100, NULL, x));
	ASSERT_EQ(0, fault_resolve(self->fd, 0, ev.data[0], NULL, x));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.sig);
	EXPECT_EQ(exo_pattern_byte(0xfa17, 0), t.seen);
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(r, 2), 0xfa17));
	/* Answered once: the id is gone. */
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, 0, ev.data[0], NULL, x));
	EXPECT_EQ(2U, mem_info(self->fd).mapped_pages);
}

TEST_F(mem, fault_upcall_fail_is_sigbus)
{
	struct fault_toucher t = { 0 };
	struct exo_event ev;
	pthread_t th;
	void *r;

	r = fault_upcall_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	t.addr = MEM_PG(r, 1);
	ASSERT_TRUE(fault_started(self->fd, fault_touch, &t, &th, &ev));
	/* By address this time. */
	ASSERT_EQ(0, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL, 0,
				   MEM_PG(r, 1), 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(SIGBUS, t.sig);
}

TEST_F(mem, fault_upcall_unanswered_times_out)
{
	struct exo_event ev;
	void *r;

	ASSERT_EQ(0, exo_kmod_param_set("fault_timeout_ms", 300));
	r = fault_upcall_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	/* No one answers: SIGBUS after the timeout, not a hung task. */
	EXPECT_EQ(SIGBUS, exo_probe_read(r, NULL));
	exo_kmod_param_set("fault_timeout_ms", 3000);
	ASSERT_TRUE(fault_event(self->fd, &ev));
	EXPECT_EQ(MEM_ADDR(r), ev.data[1]);
	/* Timed out: no longer answerable. */
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL,
					ev.data[0], NULL, 0));
	/* Without the flag, the old SIGBUS at once. */
	ASSERT_EQ(0, fault_region_set(self->fd, r, 0));
	EXPECT_EQ(SIGBUS, exo_probe_read(r, NULL));
	EXPECT_EQ(0, mem_no_event(self->fd, 100));
}

/* munmap() while a thread waits: it wakes to a fault on no mapping. */
TEST_F(mem, fault_upcall_munmap_wakes_waiter)
{
	struct fault_toucher t = { 0 };
	struct exo_event ev;
	pthread_t th;
	void *r;

	r = fault_upcall_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	t.addr = MEM_PG(r, 1);
	ASSERT_TRUE(fault_started(self->fd, fault_touch, &t, &th, &ev));
	ASSERT_EQ(0, munmap(r, 2 * EXO_PAGE));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(SIGSEGV, t.sig);
	/* The fault went with its region. */
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL,
					ev.data[0], NULL, 0));
	EXPECT_EQ(0U, mem_info(self->fd).mapped_pages);
}

/* Clearing the mode fails the faults that wait. */
TEST_F(mem, fault_upcall_cleared_mode_fails_waiter)
{
	struct fault_toucher t = { 0 };
	struct exo_event ev;
	pthread_t th;
	void *r;

	r = fault_upcall_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	t.addr = r;
	ASSERT_TRUE(fault_started(self->fd, fault_touch, &t, &th, &ev));
	ASSERT_EQ(0, fault_region_set(self->fd, r, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(SIGBUS, t.sig);
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL,
					ev.data[0], NULL, 0));
}

/*
 * A write to a page bound read-only is an upcall too: the libOS copies
 * the frame, unbinds the page and resolves with the copy (copy-on-write);
 * the original frame keeps its bytes. A FAIL answer is SIGBUS.
 */
TEST_F(mem, fault_upcall_write_to_readonly_copies_on_write)
{
	struct fault_toucher t = { 0 };
	void *r, *orig, *copy;
	struct exo_event ev;
	pthread_t th;
	__u32 x, y;

	r = exo_raw_mem_region(self->fd, 1);
	orig = exo_raw_mem_region(self->fd, 1);
	copy = exo_raw_mem_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, orig);
	ASSERT_NE(NULL, copy);
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, orig, &x));
	ASSERT_EQ(0, exo_pattern_fill(orig, 0xc0));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, r));
	ASSERT_EQ(0, fault_region_set(self->fd, r, EXO_REGION_FAULT_UPCALL));
	EXPECT_EQ(0, exo_pattern_check(r, 0xc0));

	t.addr = r;
	ASSERT_TRUE(fault_started(self->fd, fault_write, &t, &th, &ev));
	EXPECT_EQ(MEM_ADDR(r), ev.data[1]);
	EXPECT_EQ(EXO_MEM_FAULT_WRITE | EXO_MEM_FAULT_READONLY, ev.data[2]);
	/* Still bound: a frame cannot be put there yet. */
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, EXO_MEM_PROT_WRITE, copy, &y));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, EXO_MEM_PROT_WRITE,
					ev.data[0], NULL, y));
	memcpy(copy, r, EXO_PAGE);
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, r, 1));
	ASSERT_EQ(0, fault_resolve(self->fd, EXO_MEM_PROT_WRITE, ev.data[0],
				   NULL, y));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.sig);
	/* The write landed in the copy; the original is untouched. */
	EXPECT_EQ(0x77, ((unsigned char *)r)[0]);
	EXPECT_EQ(exo_pattern_byte(0xc0, 1), ((unsigned char *)r)[1]);
	EXPECT_EQ(0x77, ((unsigned char *)copy)[0]);
	EXPECT_EQ(0, exo_pattern_check(orig, 0xc0));

	/* Read-only again; this time the answer is FAIL: SIGSEGV, as ever. */
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, r, 1));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, &x, 1, r));
	t.sig = 0;
	ASSERT_TRUE(fault_started(self->fd, fault_write, &t, &th, &ev));
	ASSERT_EQ(0, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL, ev.data[0],
				   NULL, 0));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(SIGSEGV, t.sig);
	EXPECT_EQ(0, exo_pattern_check(orig, 0xc0));
	/* Without the mode, the old SIGSEGV at once. */
	ASSERT_EQ(0, fault_region_set(self->fd, r, 0));
	EXPECT_EQ(SIGSEGV, exo_probe_write(r, 1));
}

TEST_F(mem, fault_upcall_hostile_env_cannot_resolve)
{
	struct fault_toucher t = { 0 };
	struct exo_event ev;
	pthread_t th;
	int hostile;
	void *r;
	__u32 x, y;

	hostile = exo_raw_env();
	ASSERT_LE(0, hostile);
	ASSERT_EQ(0, mem_alloc_any(hostile, 1, 0, NULL, &y));
	ASSERT_EQ(0, mem_alloc_any(self->fd, 1, 0, NULL, &x));
	r = fault_upcall_region(self->fd, 1);
	ASSERT_NE(NULL, r);
	/* Not the hostile env's region to configure. */
	EXPECT_EQ(EINVAL, fault_region_set(hostile, r, 0));
	t.addr = r;
	ASSERT_TRUE(fault_started(self->fd, fault_touch, &t, &th, &ev));
	EXPECT_EQ(ENOENT, fault_resolve(hostile, 0, ev.data[0], NULL, y));
	EXPECT_EQ(EINVAL, fault_resolve(hostile, 0, 0, r, y));
	EXPECT_EQ(ENOENT, fault_resolve(hostile, EXO_MEM_FAULT_FAIL,
					ev.data[0], NULL, 0));
	/* Nor may the owner bind a frame it does not hold. */
	EXPECT_EQ(EPERM, fault_resolve(self->fd, 0, ev.data[0], NULL, y));
	ASSERT_EQ(0, fault_resolve(self->fd, EXO_MEM_PROT_WRITE, ev.data[0],
				   NULL, x));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.sig);
	EXPECT_EQ(0, t.seen);
	close(hostile);
}

TEST_F(mem, fault_upcall_bad_arguments)
{
	struct exo_mem_fault_resolve fr = { .argsz = sizeof(fr) };
	struct exo_mem_region rs = { .argsz = sizeof(rs) };
	void *r;

	r = exo_raw_mem_region(self->fd, 2);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(EINVAL, fault_region_set(self->fd, r, 1U << 1));
	EXPECT_EQ(EINVAL, fault_region_set(self->fd, MEM_PG(r, 1),
					   EXO_REGION_FAULT_UPCALL));
	EXPECT_EQ(EINVAL, fault_region_set(self->fd, NULL, 0));
	rs.argsz = offsetof(struct exo_mem_region, addr) + 7;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_MEM_REGION_SET, &rs));
	fr.argsz = offsetof(struct exo_mem_fault_resolve, reserved) + 3;
	fr.fault_id = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_MEM_FAULT_RESOLVE, &fr));
	/* Unknown flags, FAIL with a frame or WRITE, both or neither name. */
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, 1U << 1, 1, NULL, 0));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL, 1,
					NULL, 1));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, EXO_MEM_FAULT_FAIL |
					EXO_MEM_PROT_WRITE, 1, NULL, 0));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, 0, 1, r, 0));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, 0, 0, NULL, 0));
	/* Frame index: the last is in range, pool_frames is not. */
	EXPECT_EQ(ENOENT, fault_resolve(self->fd, 0, 1, NULL,
					self->mi.pool_frames - 1));
	EXPECT_EQ(EINVAL, fault_resolve(self->fd, 0, 1, NULL,
					self->mi.pool_frames));
	fr.argsz = sizeof(fr);
	fr.fault_id = 1;
	fr.reserved = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_MEM_FAULT_RESOLVE, &fr));
}

/* kill -9 of a process with a thread waiting: every frame comes back. */
TEST_F(mem, fault_upcall_kill_returns_frames)
{
	__u32 free_before = mem_info(self->fd).free_frames, seen = 0;
	int p[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = exo_raw_env();
		void *r = fd < 0 ? NULL : exo_raw_mem_region(fd, 2);
		__u32 x;

		if (!r || mem_alloc_any(fd, 4, 0, NULL, &x) ||
		    fault_region_set(fd, r, EXO_REGION_FAULT_UPCALL))
			_exit(1);
		exo_write_full(p[1], "r", 1);
		exo_probe_read(r, NULL);	/* waits for the kill */
		_exit(2);
	}
	close(p[1]);
	ASSERT_EQ(0, exo_read_full(p[0], &c, 1));
	close(p[0]);
	poll(NULL, 0, 100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_TRUE(mem_wait_free(self->fd, free_before, &seen)) {
		TH_LOG("free frames %u, want %u", seen, free_before);
	}
}

/* ---- libexo's demand pager ------------------------------------------------ */

struct pager_server {
	struct exo_pager *pager;
	volatile int stop;
	int err;
};

static void *pager_serve_loop(void *arg)
{
	struct pager_server *srv = arg;
	int ret;

	while (!srv->stop) {
		ret = exo_pager_serve(srv->pager, 50);
		if (ret < 0 && !srv->err)
			srv->err = ret;
	}
	return NULL;
}

static struct exo_pager_stats pager_stats(struct exo_pager *p)
{
	struct exo_pager_stats st = { .sz = sizeof(st) };

	exo_pager_stats(p, &st);
	return st;
}

/*
 * Every page of a demand region is filled on its first touch, writable;
 * unbound, its frames go back to the pager, and the next touches reuse
 * them, zeroed again, without asking the kernel.
 */
TEST_F(mem, fault_pager_demand_fills_and_recycles)
{
	struct pager_server srv = { 0 };
	struct exo_pager_stats st;
	struct exo_region *region;
	struct exo *exo;
	__u64 kallocs;
	pthread_t th;
	char *base;
	int i;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	srv.pager = exo_pager_create(exo, NULL);
	ASSERT_NE(NULL, srv.pager);
	region = exo_region_create(exo, 8);
	ASSERT_NE(NULL, region);
	base = exo_region_addr(region);
	/* WRITE alone, or an unknown flag: EINVAL. */
	EXPECT_EQ(-EINVAL, exo_pager_demand(srv.pager, region,
					    EXO_PAGER_DEMAND_WRITE));
	EXPECT_EQ(-EINVAL, exo_pager_demand(srv.pager, region, 1U << 2));
	ASSERT_EQ(0, exo_pager_demand(srv.pager, region, EXO_PAGER_DEMAND |
				      EXO_PAGER_DEMAND_WRITE));
	ASSERT_EQ(0, pthread_create(&th, NULL, pager_serve_loop, &srv));

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(base, i), 0xd00 + i));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(base, i), 0xd00 + i));
		EXPECT_NE(EXO_NO_FRAME, exo_region_frame(region, i));
	}
	st = pager_stats(srv.pager);
	EXPECT_EQ(8U, st.demand_fills);
	EXPECT_EQ(8U, st.held - st.cached);
	kallocs = st.kernel_allocs;

	/* Unbound: the frames are the pager's again, dirty. */
	ASSERT_EQ(0, exo_region_unbind(region, 0, 8));
	st = pager_stats(srv.pager);
	EXPECT_EQ(0U, st.held - st.cached);
	EXPECT_LE(8U, st.cached);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, exo_zero_check(MEM_PG(base, i)));
	st = pager_stats(srv.pager);
	EXPECT_EQ(16U, st.demand_fills);
	EXPECT_EQ(kallocs, st.kernel_allocs);
	EXPECT_EQ(0U, st.demand_failures);

	srv.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, srv.err);
	/* Destroyed, the region gives its frames back to the pager. */
	exo_region_destroy(region);
	st = pager_stats(srv.pager);
	EXPECT_EQ(0U, st.held - st.cached);
	exo_pager_destroy(srv.pager);
	exo_close(exo);
}

/* The fill callback: page 1 is refused (SIGBUS), the others numbered. */
static int pager_fill_numbered(void *ctx, struct exo_region *region,
			       size_t page, void *dst)
{
	(void)ctx;
	(void)region;
	if (page == 1)
		return -EIO;
	memset(dst, 0x40 + (int)page, EXO_PAGE);
	return 0;
}

TEST_F(mem, fault_pager_demand_fill_and_refusal)
{
	struct exo_pager_opts opts = {
		.sz = sizeof(opts), .fill = pager_fill_numbered,
	};
	struct pager_server srv = { 0 };
	struct exo_pager_stats st;
	struct exo_region *region;
	unsigned char seen = 0;
	struct exo *exo;
	pthread_t th;
	char *base;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	srv.pager = exo_pager_create(exo, &opts);
	ASSERT_NE(NULL, srv.pager);
	region = exo_region_create(exo, 3);
	ASSERT_NE(NULL, region);
	base = exo_region_addr(region);
	ASSERT_EQ(0, exo_pager_demand(srv.pager, region, EXO_PAGER_DEMAND));
	ASSERT_EQ(0, pthread_create(&th, NULL, pager_serve_loop, &srv));

	EXPECT_EQ(0, exo_probe_read(MEM_PG(base, 2), &seen));
	EXPECT_EQ(0x42, seen);
	/* Read-only: the pager refuses a write. */
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(base, 2), 1));
	EXPECT_EQ(0x42, ((unsigned char *)base)[2 * EXO_PAGE]);
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(base, 1), NULL));
	st = pager_stats(srv.pager);
	EXPECT_EQ(1U, st.demand_fills);
	EXPECT_EQ(2U, st.demand_failures);
	/* The refused page's frame went back to the free lists. */
	EXPECT_EQ(1U, st.held - st.cached);

	/* Off: unbound pages SIGBUS at once, without the pager. */
	ASSERT_EQ(0, exo_pager_demand(srv.pager, region, 0));
	EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(base, 0), NULL));
	EXPECT_EQ(1U, pager_stats(srv.pager).demand_fills);

	srv.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, srv.err);
	exo_region_destroy(region);
	exo_pager_destroy(srv.pager);
	exo_close(exo);
}

/*
 * A snapshot shares the heap's frames read-only; a write to the heap then
 * copies the page (the upcall of a write to a read-only page), and the
 * snapshot keeps the old bytes. The last region to let go of a shared
 * frame gives it back.
 */
TEST_F(mem, fault_pager_snapshot_copies_on_write)
{
	struct pager_server srv = { 0 };
	struct exo_region *heap, *snap, *small;
	struct exo_pager_stats st;
	char *h, *sn;
	struct exo *exo;
	pthread_t th;
	int i;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	srv.pager = exo_pager_create(exo, NULL);
	ASSERT_NE(NULL, srv.pager);
	heap = exo_region_create(exo, 4);
	snap = exo_region_create(exo, 4);
	small = exo_region_create(exo, 3);
	ASSERT_NE(NULL, heap);
	ASSERT_NE(NULL, snap);
	ASSERT_NE(NULL, small);
	h = exo_region_addr(heap);
	sn = exo_region_addr(snap);
	/* Not in demand mode yet: no copy-on-write, EINVAL. */
	EXPECT_EQ(-EINVAL, exo_pager_snapshot(srv.pager, heap, snap));
	ASSERT_EQ(0, exo_pager_demand(srv.pager, heap, EXO_PAGER_DEMAND |
				      EXO_PAGER_DEMAND_WRITE));
	ASSERT_EQ(0, pthread_create(&th, NULL, pager_serve_loop, &srv));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(h, i), 0xe0 + i));

	EXPECT_EQ(-EINVAL, exo_pager_snapshot(srv.pager, heap, heap));
	EXPECT_EQ(-EINVAL, exo_pager_snapshot(srv.pager, heap, small));
	ASSERT_EQ(0, exo_pager_snapshot(srv.pager, heap, snap));
	/* Bound where the heap is: EBUSY. */
	EXPECT_EQ(-EBUSY, exo_pager_snapshot(srv.pager, heap, snap));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(sn, i), 0xe0 + i));
	EXPECT_EQ(4U, pager_stats(srv.pager).demand_fills);

	/* A write to the heap copies its page; the snapshot keeps 0xe1. */
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(h, 1), 0xf1));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(h, 1), 0xf1));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(sn, 1), 0xe1));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(h, 2), 0xe2));
	EXPECT_NE(exo_region_frame(heap, 1), exo_region_frame(snap, 1));
	EXPECT_EQ(exo_region_frame(heap, 2), exo_region_frame(snap, 2));
	/* The snapshot itself is read-only. */
	EXPECT_EQ(SIGSEGV, exo_probe_write(MEM_PG(sn, 2), 1));
	st = pager_stats(srv.pager);
	EXPECT_EQ(5U, st.demand_fills);
	EXPECT_EQ(5U, st.held - st.cached);

	/* Gone, the snapshot gives back only the frame nobody else shows. */
	exo_region_destroy(snap);
	st = pager_stats(srv.pager);
	EXPECT_EQ(4U, st.held - st.cached);
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(h, 2), 0xe2));
	/* The heap's shared pages are its own again, still read-only: copied. */
	ASSERT_EQ(0, exo_pattern_fill(MEM_PG(h, 2), 0xf2));
	EXPECT_EQ(0, exo_pattern_check(MEM_PG(h, 2), 0xf2));
	st = pager_stats(srv.pager);
	EXPECT_EQ(6U, st.demand_fills);
	EXPECT_EQ(4U, st.held - st.cached);
	EXPECT_EQ(0U, st.demand_failures);

	srv.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, srv.err);
	exo_region_destroy(small);
	exo_region_destroy(heap);
	exo_pager_destroy(srv.pager);
	exo_close(exo);
}

TEST_HARNESS_MAIN
