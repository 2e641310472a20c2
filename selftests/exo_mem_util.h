/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory binding's selftests share this: the mem fixture (a handshaken
 * environment; a parent teardown that puts back the limits and a reloaded
 * exo.ko), the helpers of the raw MEM ioctls, the messages to forked peers
 * and the revocation tests' second libOS. mem_test.c says what the tests
 * assume; each mem_*_test.c is one concern of the binding.
 */
#ifndef EXO_MEM_UTIL_H
#define EXO_MEM_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "exo_test_util.h"

/* Generous waits for events and for the kernel's deferred work (ms). */
#define MEM_WAIT_MS		10000
/* How long a libOS that complied listens for a wrongful abort (ms). */
#define MEM_QUIET_MS		3000
#define MEM_DEADLINE_MS		300
/* The deadline of a revocation the libOS means to honour: time to act. */
#define MEM_HONOUR_MS		2000

#define MEM_PG(base, i)		((char *)(base) + (size_t)(i) * EXO_PAGE)
#define MEM_ADDR(p)		((__u64)(unsigned long)(p))
#define MEM_PEER_INIT		{ .pid = -1, .to = -1, .from = -1 }

FIXTURE(mem) {
	int fd;			/* the test's environment, handshaken */
	__u64 id;
	struct exo_mem_info mi;	/* at setup */
	__u64 features;
	__u64 ioctls;
	pid_t test_pid;		/* the process that runs setup and the test */
	bool reloaded;		/* the test reloaded exo.ko */
	char params[EXO_KMOD_PARAMS_LEN];	/* exo.ko's before it did */
};

FIXTURE_SETUP(mem)
{
	struct exo_api api;

	self->fd = -1;
	self->test_pid = getpid();
	self->reloaded = false;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_api(self->fd, &api));
	self->features = api.features;
	self->ioctls = api.ioctls;
	if (!(api.features & EXO_FEATURE_MEM))
		SKIP(return, "exo.ko has no memory binding (EXO_FEATURE_MEM)");
	self->id = exo_raw_env_id(self->fd);
	ASSERT_NE(0U, self->id);
	ASSERT_EQ(0, exo_raw_mem_info(self->fd, &self->mi));
	ASSERT_LT(0U, self->mi.pool_frames);
	ASSERT_LT(0U, self->mi.colours);
	ASSERT_EQ(0U, self->mi.held_frames);
	ASSERT_EQ(0U, self->mi.mapped_pages);
}

/*
 * In the parent once the test's process is gone, so that it runs even when
 * an ASSERT ended the test early. Only a test that reloaded exo.ko has
 * anything to undo. As in module_test.c: the harness may run this in the
 * test's own process after a failed ASSERT; then its fds would hold the
 * module, so they go first.
 */
/* The writable limits back at their defaults, whatever a test left. */
static inline void mem_limits_reset(void)
{
	exo_kmod_param_set("region_pages_max", 1L << 20);
	exo_kmod_param_set("mapped_max", 1L << 18);
	exo_kmod_param_set("grants_max", 1024);
}

FIXTURE_TEARDOWN_PARENT(mem)
{
	char now[sizeof(self->params)];

	mem_limits_reset();
	if (!self->reloaded)
		return;
	if (getpid() == self->test_pid)
		close_range(3, ~0U, 0);
	if (exo_kmod_loaded()) {
		if (!exo_kmod_params(now, sizeof(now)) &&
		    !strcmp(now, self->params))
			return;
		ASSERT_EQ(0, exo_kmod_unload());
	}
	ASSERT_EQ(0, exo_kmod_load(self->params));
	ASSERT_TRUE(exo_dev_present());
}

/* ---- helpers ------------------------------------------------------------ */

static inline struct exo_mem_info mem_info(int fd)
{
	struct exo_mem_info mi;

	if (exo_raw_mem_info(fd, &mi))
		memset(&mi, 0xff, sizeof(mi));
	return mi;
}

/*
 * Allocate @n frames of any colour (in batches), mapped at @addr on with
 * @flags if @addr; their indexes in @idx. 0 or errno.
 */
static inline int mem_alloc_any(int fd, __u32 n, __u32 flags, void *addr,
				__u32 *idx)
{
	struct exo_mem_frame *f = calloc(EXO_MEM_BATCH_MAX, sizeof(*f));
	__u32 done = 0, i, now;
	int err = 0;

	if (!f)
		return ENOMEM;
	if (addr)
		flags |= EXO_MEM_ALLOC_MAP;
	while (!err && done < n) {
		now = n - done < EXO_MEM_BATCH_MAX ? n - done : EXO_MEM_BATCH_MAX;
		err = exo_raw_mem_alloc(fd, flags, now, 0, f,
					addr ? MEM_PG(addr, done) : NULL);
		for (i = 0; !err && i < now; i++)
			idx[done + i] = f[i].index;
		done += now;
	}
	free(f);
	return err;
}

/*
 * Allocate @n frames with consecutive indexes (the first in *@first), mapped
 * at @addr with @flags if @addr: 0 or the errno of the last attempt.
 */
static inline int mem_alloc_contig(int fd, __u32 pool, __u32 n, __u32 flags,
				   void *addr, __u32 *first)
{
	struct exo_mem_frame *f = calloc(n, sizeof(*f));
	int err = ENOSPC;
	__u32 a, i;

	if (!f)
		return ENOMEM;
	if (addr)
		flags |= EXO_MEM_ALLOC_MAP;
	for (a = 0; n && a + n <= pool; a += n) {
		for (i = 0; i < n; i++)
			f[i].index = a + i;
		err = exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX | flags, n, 0,
					f, addr);
		if (err != EBUSY)
			break;
	}
	*first = a;
	free(f);
	return err;
}

static inline int mem_cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* True if the @n indexes of @a and @b are the same set. */
static inline bool mem_same_set(const __u32 *a, const __u32 *b, size_t n)
{
	__u32 *x = malloc(n * sizeof(*x) + 1), *y = malloc(n * sizeof(*y) + 1);
	bool same;

	if (!x || !y) {
		free(x);
		free(y);
		return false;
	}
	memcpy(x, a, n * sizeof(*x));
	memcpy(y, b, n * sizeof(*y));
	qsort(x, n, sizeof(*x), mem_cmp_u32);
	qsort(y, n, sizeof(*y), mem_cmp_u32);
	same = !memcmp(x, y, n * sizeof(*x));
	free(x);
	free(y);
	return same;
}

static inline bool mem_contains(const __u32 *set, size_t n, __u32 v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/*
 * The "mappings <m>" the debugfs pool file shows for frame @index, or -1 if
 * the frame is not listed (no environment holds it); -2 without debugfs.
 */
static inline int mem_pool_mappings(__u32 index, __u64 *env_id)
{
	char *buf = exo_file_slurp(EXO_POOL_PATH), *line;
	unsigned int seen, colour, node, maps;
	unsigned long long env;
	int ret = -1;

	if (!buf)
		return -2;
	for (line = buf; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (sscanf(line, "frame %u colour %u node %u env %llu mappings %u",
			   &seen, &colour, &node, &env, &maps) == 5 &&
		    seen == index) {
			ret = maps;
			if (env_id)
				*env_id = env;
			break;
		}
	}
	free(buf);
	return ret;
}

/* Wait up to MEM_WAIT_MS for @fd's pending revocation to be over. */
static inline bool mem_wait_revoke_over(int fd)
{
	struct exo_mem_info mi;
	int waited;

	for (waited = 0; waited < MEM_WAIT_MS; waited += 10) {
		if (exo_raw_mem_info(fd, &mi))
			return false;
		if (!mi.revoke_deadline_ns)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

/* Wait up to MEM_WAIT_MS for the pool's free frames, seen from @fd, to be @want. */
static inline bool mem_wait_free(int fd, __u32 want, __u32 *seen)
{
	struct exo_mem_info mi;
	int waited;

	for (waited = 0; waited < MEM_WAIT_MS; waited += 10) {
		if (exo_raw_mem_info(fd, &mi))
			return false;
		*seen = mi.free_frames;
		if (mi.free_frames == want)
			return true;
		poll(NULL, 0, 10);
	}
	return false;
}

/* No record is waiting on @fd: 0, or the type of the one read. */
static inline __u32 mem_no_event(int fd, int timeout_ms)
{
	struct exo_event ev;

	if (exo_raw_event_wait(fd, timeout_ms, &ev))
		return 0;
	return ev.type;
}

/* ---- other environments and revocation ---------------------------------- */

/* What parent and peer tell each other: a few numbers per message. */
struct mem_msg {
	__u64 v[4];
};

static inline int mem_send(int fd, __u64 a, __u64 b, __u64 c)
{
	struct mem_msg m = { .v = { a, b, c, 0 } };

	return exo_write_full(fd, &m, sizeof(m));
}

static inline int mem_recv(int fd, struct mem_msg *m)
{
	return exo_read_full(fd, m, sizeof(*m));
}

/*
 * A grantee's first steps, exiting with the one that failed (1..3): its
 * own environment in *@fd, a region of @pages pages (returned), and its
 * id sent to the grantor on @tx.
 */
static inline void *mem_grantee_open(int tx, size_t pages, int *fd)
{
	void *region;

	*fd = exo_raw_env();
	EXO_CHILD_CHECK(1, *fd >= 0);
	region = exo_raw_mem_region(*fd, pages);
	EXO_CHILD_CHECK(2, region != NULL);
	EXO_CHILD_CHECK(3, mem_send(tx, exo_raw_env_id(*fd), 0, 0) == 0);
	return region;
}

/*
 * A libOS for the revocation tests: a second environment of the test's own
 * process, holding @n frames mapped read-write at pages 0..n-1 of a region,
 * page i filled with pattern i + 1. Revocation only looks at environments,
 * so the process they live in does not matter.
 */
struct mem_libos {
	int fd;
	__u64 id;
	void *region;
	__u32 n;
	__u32 *idx;
};

static inline int mem_libos_open(struct mem_libos *l, __u32 n)
{
	__u32 i;
	int err;

	memset(l, 0, sizeof(*l));
	l->fd = exo_raw_env();
	if (l->fd < 0)
		return -l->fd;
	l->id = exo_raw_env_id(l->fd);
	l->n = n;
	l->idx = calloc(n + 1, sizeof(*l->idx));
	l->region = exo_raw_mem_region(l->fd, n + 1);
	if (!l->idx || !l->region)
		return ENOMEM;
	err = mem_alloc_any(l->fd, n, EXO_MEM_PROT_WRITE, l->region, l->idx);
	for (i = 0; !err && i < n; i++)
		if (exo_pattern_fill(MEM_PG(l->region, i), i + 1))
			err = EFAULT;
	return err;
}

/* Revoke @count frames of @target with @deadline_ms, as the caller. */
static inline int mem_revoke(int fd, __u64 target, __u32 *count,
			     __u32 deadline_ms)
{
	return exo_raw_mem_revoke(fd, target, count, deadline_ms);
}

#endif /* EXO_MEM_UTIL_H */
