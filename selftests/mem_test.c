// SPDX-License-Identifier: GPL-2.0
/*
 * The memory binding, through raw ioctl(2) and mmap(2) on /dev/exo: named
 * frames allocated by index, by colour or any; regions whose pages the libOS
 * binds read-only or read-write; grants between environments; visible
 * revocation, the abort protocol and the reserve it spares; quota; and the
 * exact errno of every bad request, with nothing changed behind it.
 *
 * Other environments are forked peers (struct exo_peer) driven over pipes,
 * or, where only the kernel's bookkeeping matters, a second fd of the test's
 * own process. Revocation needs root (CAP_SYS_ADMIN); the quota test reloads
 * exo.ko from $EXO_KO (default /exo/exo.ko) and restores its parameters.
 *
 * No test asserts a duration: every wait is a poll(2) with a timeout meant
 * to be generous for an emulated guest.
 */
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
	char params[1024];	/* exo.ko's parameters before it did */
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
static void mem_limits_reset(void)
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

static struct exo_mem_info mem_info(int fd)
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
static int mem_alloc_any(int fd, __u32 n, __u32 flags, void *addr, __u32 *idx)
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
static int mem_alloc_contig(int fd, __u32 pool, __u32 n, __u32 flags,
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

static int mem_cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* True if the @n indexes of @a and @b are the same set. */
static bool mem_same_set(const __u32 *a, const __u32 *b, size_t n)
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

static bool mem_contains(const __u32 *set, size_t n, __u32 v)
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
static int mem_pool_mappings(__u32 index, __u64 *env_id)
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
static bool mem_wait_revoke_over(int fd)
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
static bool mem_wait_free(int fd, __u32 want, __u32 *seen)
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
static __u32 mem_no_event(int fd, int timeout_ms)
{
	struct exo_event ev;

	if (exo_raw_event_wait(fd, timeout_ms, &ev))
		return 0;
	return ev.type;
}

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

/* ---- other environments: isolation and grants --------------------------- */

/* What parent and peer tell each other: a few numbers per message. */
struct mem_msg {
	__u64 v[4];
};

static int mem_send(int fd, __u64 a, __u64 b, __u64 c)
{
	struct mem_msg m = { .v = { a, b, c, 0 } };

	return exo_write_full(fd, &m, sizeof(m));
}

static int mem_recv(int fd, struct mem_msg *m)
{
	return exo_read_full(fd, m, sizeof(*m));
}

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

	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, 2);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);
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

	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, 4);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);

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
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, 2);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);
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

/* ---- revocation and the abort protocol ------------------------------------ */

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

static int mem_libos_open(struct mem_libos *l, __u32 n)
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
static int mem_revoke(int fd, __u64 target, __u32 *count, __u32 deadline_ms)
{
	return exo_raw_mem_revoke(fd, target, count, deadline_ms);
}

TEST_F(mem, revoke_honoured)
{
	__u32 reserve = self->mi.reserve_frames, k = 6, n, count, i;
	__u32 kept[64], listed[64];
	struct exo_mem_info mi;
	struct mem_libos l;
	struct exo_event ev;
	__u64 t0, t1, now;
	int quiet;

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	n = reserve + 16;
	ASSERT_GE(ARRAY_SIZE(kept), n);
	ASSERT_EQ(0, mem_libos_open(&l, n));

	count = k;
	t0 = exo_clock_ns();
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_HONOUR_MS));
	t1 = exo_clock_ns();
	EXPECT_EQ(k, count);
	mi = mem_info(l.fd);
	EXPECT_EQ(k, mi.revoke_owed);
	EXPECT_LE(t0 + MEM_HONOUR_MS * 1000000ULL, mi.revoke_deadline_ns);
	EXPECT_GE(t1 + MEM_HONOUR_MS * 1000000ULL, mi.revoke_deadline_ns);

	/* The libOS hears of it, and chooses: its oldest k frames. */
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	EXPECT_EQ(l.id, ev.env_id);
	EXPECT_EQ(k, ev.data[0]);
	EXPECT_EQ(mi.revoke_deadline_ns, ev.data[1]);
	EXPECT_NE(0U, ev.data[2]);
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, l.idx, k));
	mi = mem_info(l.fd);
	EXPECT_EQ(n - k, mi.held_frames);
	EXPECT_EQ(0U, mi.revoke_owed);

	/* Well past the deadline: no abort, and the revocation is over. */
	now = exo_clock_ns();
	quiet = MEM_QUIET_MS;
	if (ev.data[1] > now)
		quiet += (ev.data[1] - now) / 1000000;
	EXPECT_EQ(0U, mem_no_event(l.fd, quiet));
	EXPECT_TRUE(mem_wait_revoke_over(l.fd));
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));
	mi = mem_info(l.fd);
	EXPECT_EQ(n - k, mi.held_frames);
	EXPECT_EQ(n - k, mi.mapped_pages);
	EXPECT_EQ(0U, mi.repossessed);
	EXPECT_EQ(0U, mi.revoke_owed);

	/* Exactly the frames it kept are still its own. */
	for (i = k; i < n; i++) {
		kept[i - k] = l.idx[i];
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(l.region, i), i + 1));
	}
	if (exo_debugfs_mounted()) {
		ASSERT_EQ((int)(n - k),
			  exo_pool_frames_of(l.id, listed, NULL, ARRAY_SIZE(listed)));
		EXPECT_TRUE(mem_same_set(kept, listed, n - k));
	}
	for (i = 0; i < k; i++) {
		EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(l.region, i), NULL));
		EXPECT_EQ(EPERM, exo_raw_mem_free(l.fd, &l.idx[i], 1));
	}
	EXPECT_EQ(0, exo_raw_mem_free(l.fd, kept, n - k));
}

TEST_F(mem, revoke_ignored_aborts)
{
	__u32 reserve = self->mi.reserve_frames, k = 6, n, count, i, lost = 99;
	__u32 repo[EXO_MEM_BATCH_MAX], listed[64];
	struct exo_mem_info mi, mi0;
	struct exo_event ev, ab;
	struct mem_libos l;

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	n = reserve + 16;
	ASSERT_GE(ARRAY_SIZE(listed), n);
	ASSERT_EQ(0, mem_libos_open(&l, n));
	mi0 = mem_info(l.fd);

	count = k;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(k, count);
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	EXPECT_EQ(k, ev.data[0]);

	/* The libOS does nothing; the abort protocol comes. */
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ab));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_ABORT, ab.type);
	EXPECT_EQ(l.id, ab.env_id);
	EXPECT_EQ(k, ab.data[0]);
	EXPECT_EQ(ev.data[2], ab.data[2]);
	EXPECT_LT(ev.seq, ab.seq);

	mi = mem_info(l.fd);
	EXPECT_EQ(n - k, mi.held_frames);
	EXPECT_EQ(n - k, mi.mapped_pages);
	EXPECT_EQ(mi0.free_frames + k, mi.free_frames);
	EXPECT_EQ(k, mi.repossessed);
	EXPECT_EQ(0U, mi.revoke_owed);
	EXPECT_EQ(0U, mi.revoke_deadline_ns);

	/* The repossession vector names exactly k frames it held. */
	count = EXO_MEM_BATCH_MAX;
	memset(repo, 0xff, sizeof(repo));
	ASSERT_EQ(0, exo_raw_mem_repossessed(l.fd, repo, &count, &lost));
	ASSERT_EQ(k, count);
	EXPECT_EQ(0U, lost);
	for (i = 0; i < k; i++) {
		EXPECT_TRUE(mem_contains(l.idx, n, repo[i])) {
			TH_LOG("repossessed %u was not held", repo[i]);
		}
		EXPECT_FALSE(mem_contains(repo, i, repo[i]));
		EXPECT_EQ(EPERM, exo_raw_mem_free(l.fd, &repo[i], 1));
	}
	EXPECT_EQ(0U, mem_info(l.fd).repossessed);
	count = EXO_MEM_BATCH_MAX;
	ASSERT_EQ(0, exo_raw_mem_repossessed(l.fd, repo + k, &count, NULL));
	EXPECT_EQ(0U, count);

	/* Their mappings are gone; every other page still holds its data. */
	for (i = 0; i < n; i++) {
		if (mem_contains(repo, k, l.idx[i])) {
			EXPECT_EQ(SIGBUS, exo_probe_read(MEM_PG(l.region, i), NULL));
		} else {
			EXPECT_EQ(0, exo_pattern_check(MEM_PG(l.region, i), i + 1));
		}
	}
	if (exo_debugfs_mounted()) {
		ASSERT_EQ((int)(n - k),
			  exo_pool_frames_of(l.id, listed, NULL, ARRAY_SIZE(listed)));
		for (i = 0; i < n - k; i++)
			EXPECT_FALSE(mem_contains(repo, k, listed[i]));
	}
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));
}

struct mem_repo_reader {
	int fd;
	pthread_barrier_t *start;	/* both readers begin together */
	__u32 got;
	__u32 seen[64];
};

/* Takes the repossession vector one entry at a time until it is empty. */
static void *mem_repo_read_all(void *arg)
{
	struct mem_repo_reader *r = arg;
	__u32 idx, count;

	pthread_barrier_wait(r->start);
	for (;;) {
		count = 1;
		if (exo_raw_mem_repossessed(r->fd, &idx, &count, NULL) || !count)
			return NULL;
		if (r->got < 64)
			r->seen[r->got] = idx;
		r->got++;
	}
}

/*
 * Two threads reading the repossession vector at once: each entry reaches
 * exactly one of them, and the count ends at 0. (Both once copied the
 * same head entries and both dropped them, underflowing the count.)
 */
TEST_F(mem, repossessed_read_by_two_threads)
{
	__u32 reserve = self->mi.reserve_frames, k = 32, n, count, i, j;
	struct mem_repo_reader r[2];
	pthread_barrier_t start;
	struct exo_event ev;
	struct mem_libos l;
	pthread_t t[2];

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	n = reserve + k;
	ASSERT_EQ(0, mem_libos_open(&l, n));
	count = k;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_DEADLINE_MS));
	ASSERT_EQ(k, count);
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	ASSERT_EQ((__u32)EXO_EVENT_MEM_ABORT, ev.type);
	ASSERT_EQ(k, mem_info(l.fd).repossessed);

	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (i = 0; i < 2; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].fd = l.fd;
		r[i].start = &start;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, mem_repo_read_all, &r[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	TH_LOG("readers took %u and %u", r[0].got, r[1].got);
	EXPECT_EQ(k, r[0].got + r[1].got);
	EXPECT_EQ(0U, mem_info(l.fd).repossessed);
	/* No entry twice, and each one a frame the libOS held. */
	for (i = 0; i < r[0].got && i < 64; i++) {
		EXPECT_TRUE(mem_contains(l.idx, n, r[0].seen[i]));
		for (j = 0; j < r[1].got && j < 64; j++)
			EXPECT_NE(r[0].seen[i], r[1].seen[j]);
	}
}

TEST_F(mem, revoke_spares_reserve)
{
	__u32 reserve = self->mi.reserve_frames, count, repo[16];
	struct exo_mem_info mi;
	struct mem_libos l, few;
	struct exo_event ev;

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	if (!reserve)
		SKIP(return, "exo.ko was loaded with mem_reserve=0");
	ASSERT_EQ(0, mem_libos_open(&l, reserve + 4));

	/* Asked for more than it can spare: asked for held - reserve. */
	count = 10 + reserve;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(4U, count);
	EXPECT_EQ(4U, mem_info(l.fd).revoke_owed);
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	EXPECT_EQ(4U, ev.data[0]);
	/* Ignored: the abort takes 4 and leaves the reserve. */
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_ABORT, ev.type);
	EXPECT_EQ(4U, ev.data[0]);
	mi = mem_info(l.fd);
	EXPECT_EQ(reserve, mi.held_frames);
	EXPECT_EQ(4U, mi.repossessed);
	count = ARRAY_SIZE(repo);
	ASSERT_EQ(0, exo_raw_mem_repossessed(l.fd, repo, &count, NULL));
	EXPECT_EQ(4U, count);

	/* Holding just its reserve: nothing to ask, no request, no event. */
	count = 5;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(0U, count);
	mi = mem_info(l.fd);
	EXPECT_EQ(0U, mi.revoke_owed);
	EXPECT_EQ(0U, mi.revoke_deadline_ns);
	/* Nothing pending, so asking again is no EBUSY either. */
	count = 1;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(0U, count);
	EXPECT_EQ(0U, mem_no_event(l.fd, MEM_QUIET_MS));
	EXPECT_EQ(reserve, mem_info(l.fd).held_frames);

	/* Below its reserve, and with nothing at all: the same. */
	ASSERT_EQ(0, mem_libos_open(&few, reserve - 1));
	count = 1;
	ASSERT_EQ(0, mem_revoke(self->fd, few.id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(0U, count);
	count = 3;
	ASSERT_EQ(0, mem_revoke(self->fd, self->id, &count, MEM_DEADLINE_MS));
	EXPECT_EQ(0U, count);
	EXPECT_EQ(0U, mem_no_event(few.fd, 0));
	EXPECT_EQ(0U, mem_no_event(self->fd, 0));
}

/* A child that opened its environment as root and then lost the right. */
static int mem_revoke_unpriv_child(int rx, int tx, void *arg)
{
	const __u64 target = *(__u64 *)arg;
	__u32 count;
	int fd;

	(void)rx;
	(void)tx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, exo_cap_drop(CAP_SYS_ADMIN) == 0);
	count = 1;
	EXO_CHILD_CHECK(3, exo_raw_mem_revoke(fd, target, &count, 1000) == EPERM);
	/* The privilege is checked before the target is looked up... */
	EXO_CHILD_CHECK(4, exo_raw_mem_revoke(fd, ~0ULL, &count, 1000) == EPERM);
	/* ...and after the arguments. */
	count = 0;
	EXO_CHILD_CHECK(5, exo_raw_mem_revoke(fd, target, &count, 1000) == EINVAL);
	/* The fd is still its own. */
	EXO_CHILD_CHECK(6, exo_ioc(fd, EXO_IOC_NOP, NULL) == 0);

	/* As nobody, after the open: the same. */
	EXO_CHILD_CHECK(7, exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0) == 0);
	count = 1;
	EXO_CHILD_CHECK(8, exo_raw_mem_revoke(fd, target, &count, 1000) == EPERM);
	EXO_CHILD_CHECK(9, exo_ioc(fd, EXO_IOC_NOP, NULL) == 0);
	return 0;
}

static int mem_revoke_nobody_child(int rx, int tx, void *arg)
{
	const __u64 target = *(__u64 *)arg;
	struct exo_mem_info mi;
	__u32 count = 1;
	int fd;

	(void)rx;
	(void)tx;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0) == 0);
	EXO_CHILD_CHECK(3, exo_raw_mem_revoke(fd, target, &count, 1000) == EPERM);
	EXO_CHILD_CHECK(4, exo_raw_mem_info(fd, &mi) == 0);
	return 0;
}

TEST_F(mem, revoke_errors)
{
	__u32 reserve = self->mi.reserve_frames, count;
	struct exo_peer peer = MEM_PEER_INIT;
	struct exo_mem_revoke rv;
	struct mem_libos l;
	struct exo_event ev;

	if (geteuid() != 0)
		SKIP(return, "revocation needs root (CAP_SYS_ADMIN)");
	ASSERT_EQ(0, mem_libos_open(&l, reserve + 4));

	/* Bad arguments, before anything is sent. */
	count = 0;
	EXPECT_EQ(EINVAL, mem_revoke(self->fd, l.id, &count, 1000));
	count = 1;
	EXPECT_EQ(EINVAL, mem_revoke(self->fd, l.id, &count, 0));
	EXPECT_EQ(EINVAL, mem_revoke(self->fd, l.id, &count, 60001));
	EXPECT_EQ(EINVAL, mem_revoke(self->fd, l.id, &count, 0xffffffffU));
	memset(&rv, 0, sizeof(rv));
	rv.argsz = sizeof(rv);
	rv.flags = 1;
	rv.count = 1;
	rv.deadline_ms = 1000;
	rv.env_id = l.id;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_MEM_REVOKE, &rv));
	EXPECT_EQ(ESRCH, mem_revoke(self->fd, ~0ULL, &count, 1000));
	EXPECT_EQ(ESRCH, mem_revoke(self->fd, 0, &count, 1000));
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));
	EXPECT_EQ(0U, mem_info(l.fd).revoke_owed);

	/* Unprivileged callers, with the target real and nothing pending. */
	ASSERT_EQ(0, exo_peer_start(&peer, mem_revoke_unpriv_child, &l.id));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	ASSERT_EQ(0, exo_peer_start(&peer, mem_revoke_nobody_child, &l.id));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));

	/* The longest deadline is fine; a second request meanwhile is EBUSY. */
	count = 2;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, 60000));
	EXPECT_EQ(2U, count);
	count = 1;
	EXPECT_EQ(EBUSY, mem_revoke(self->fd, l.id, &count, 1000));
	EXPECT_EQ(2U, mem_info(l.fd).revoke_owed);
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	EXPECT_EQ(2U, ev.data[0]);
	/* Only one request was sent. */
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, l.idx, 2));
	EXPECT_EQ(0U, mem_info(l.fd).revoke_owed);
}

/* Memory pressure: every shrinker runs, and ours asks, visibly. */
TEST_F(mem, pressure_sends_revoke)
{
	__u32 reserve = self->mi.reserve_frames, extra = 20, asked, i;
	struct exo_mem_info mi;
	struct mem_libos l;
	struct exo_event ev;
	int fd;

	if (geteuid() != 0)
		SKIP(return, "drop_caches needs root");
	ASSERT_EQ(0, mem_libos_open(&l, reserve + extra));

	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "2\n", 2));
	close(fd);

	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	ASSERT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	EXPECT_EQ(l.id, ev.env_id);
	asked = ev.data[0];
	EXPECT_LE(1U, asked);
	EXPECT_GE(extra, asked);
	EXPECT_NE(0U, ev.data[1]);
	EXPECT_NE(0U, ev.data[2]);
	mi = mem_info(l.fd);
	EXPECT_EQ(asked, mi.revoke_owed);
	EXPECT_EQ(ev.data[1], mi.revoke_deadline_ns);
	/* The environments without spare frames were not asked. */
	EXPECT_EQ(0U, mem_no_event(self->fd, 0));

	/* Comply; no abort follows. */
	ASSERT_GE(l.n, asked);
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, l.idx, asked));
	EXPECT_TRUE(mem_wait_revoke_over(l.fd));
	EXPECT_EQ(0U, mem_no_event(l.fd, 0));
	mi = mem_info(l.fd);
	EXPECT_EQ(reserve + extra - asked, mi.held_frames);
	EXPECT_EQ(0U, mi.repossessed);
	for (i = asked; i < l.n; i++)
		EXPECT_EQ(0, exo_pattern_check(MEM_PG(l.region, i), i + 1));
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

/* ---- limits: quota and the pool ------------------------------------------ */

TEST_F(mem, quota_edquot)
{
	__u32 idx[32], more[32], held;
	struct exo_mem_frame f[32];
	struct exo_mem_info mi;
	char params[sizeof(self->params) + 32];
	int fd, fd2;

	if (geteuid() != 0)
		SKIP(return, "reloading exo.ko needs root");
	if (access(exo_kmod_path(), R_OK))
		SKIP(return, "%s is missing: set EXO_KO to the built exo.ko",
		     exo_kmod_path());
	ASSERT_EQ(0, exo_kmod_params(self->params, sizeof(self->params)));
	/* Later assignments win: this one overrides the saved mem_quota. */
	snprintf(params, sizeof(params), "%s mem_quota=16", self->params);
	self->reloaded = true;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exo_kmod_unload());
	ASSERT_EQ(0, exo_kmod_load(params)) {
		TH_LOG("finit_module(%s, \"%s\")", exo_kmod_path(), params);
	}
	EXPECT_EQ(16, exo_kmod_param("mem_quota"));

	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	mi = mem_info(fd);
	ASSERT_EQ(16U, mi.quota_frames);

	/* One batch of 17 is refused whole. */
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd, 0, 17, 0, f, NULL));
	EXPECT_EQ(0U, mem_info(fd).held_frames);
	EXPECT_EQ(mi.free_frames, mem_info(fd).free_frames);

	/* 16 fit; one more does not, however it is asked for. */
	ASSERT_EQ(0, mem_alloc_any(fd, 10, 0, NULL, idx));
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd, 0, 7, 0, f, NULL));
	ASSERT_EQ(0, mem_alloc_any(fd, 6, 0, NULL, idx + 10));
	held = mem_info(fd).held_frames;
	EXPECT_EQ(16U, held);
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd, 0, 1, 0, f, NULL));
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_COLOUR, 1, 0, f, NULL));
	/* A frame nobody holds, named. */
	fd2 = exo_raw_env();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mem_alloc_any(fd2, 1, 0, NULL, more));
	ASSERT_EQ(0, exo_raw_mem_free(fd2, more, 1));
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc_at(fd, more[0], 0, NULL, NULL));
	EXPECT_EQ(held, mem_info(fd).held_frames);
	EXPECT_EQ(mi.free_frames - 16, mem_info(fd).free_frames);

	/* The quota is per environment. */
	EXPECT_EQ(0, mem_alloc_any(fd2, 16, 0, NULL, more));
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd2, 0, 1, 0, f, NULL));
	/* Freeing makes room again. */
	ASSERT_EQ(0, exo_raw_mem_free(fd, idx, 1));
	EXPECT_EQ(0, exo_raw_mem_alloc(fd, 0, 1, 0, f, NULL));
	EXPECT_EQ(EDQUOT, exo_raw_mem_alloc(fd, 0, 1, 0, f, NULL));
	close(fd);
	close(fd2);

	/* Back to what it was. */
	ASSERT_EQ(0, exo_kmod_unload());
	ASSERT_EQ(0, exo_kmod_load(self->params));
	EXPECT_NE(16, exo_kmod_param("mem_quota"));
}

/*
 * Run the pool dry: environments of this process take quota-sized shares
 * until it is empty; then every allocation is ENOSPC, whole.
 */
TEST_F_TIMEOUT(mem, pool_exhausted_enospc, 300)
{
	__u32 quota = self->mi.quota_frames, pool = self->mi.pool_frames;
	__u32 *idx, left, take, nenv = 0, last_env_held = 0;
	struct exo_mem_frame f[2];
	struct exo_mem_info mi;
	int fds[64], fd;

	mi = mem_info(self->fd);
	ASSERT_EQ(pool, mi.free_frames) {
		TH_LOG("another environment holds frames");
	}
	if ((pool + quota - 1) / quota > ARRAY_SIZE(fds))
		SKIP(return, "pool/quota needs too many environments");
	idx = calloc(quota, sizeof(*idx));
	ASSERT_NE(NULL, idx);
	for (left = pool; left; left -= take) {
		take = left < quota ? left : quota;
		fds[nenv] = exo_raw_env();
		ASSERT_LE(0, fds[nenv]);
		ASSERT_EQ(0, mem_alloc_any(fds[nenv], take, 0, NULL, idx));
		last_env_held = take;
		nenv++;
	}
	EXPECT_EQ(0U, mem_info(self->fd).free_frames);

	EXPECT_EQ(ENOSPC, exo_raw_mem_alloc(self->fd, 0, 1, 0, f, NULL));
	EXPECT_EQ(ENOSPC, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_COLOUR, 1,
					    0, f, NULL));
	EXPECT_EQ(0U, mem_info(self->fd).held_frames);

	/* One frame back: one fits, two do not, and none is taken then. */
	fd = fds[nenv - 1];
	ASSERT_EQ(0, exo_raw_mem_free(fd, idx + last_env_held - 2, 2));
	EXPECT_EQ(2U, mem_info(self->fd).free_frames);
	EXPECT_EQ(ENOSPC, exo_raw_mem_alloc(self->fd, 0, 3, 0, f, NULL));
	EXPECT_EQ(2U, mem_info(self->fd).free_frames);
	EXPECT_EQ(0, exo_raw_mem_alloc(self->fd, 0, 2, 0, f, NULL));
	EXPECT_EQ(0U, mem_info(self->fd).free_frames);
	EXPECT_EQ(2U, mem_info(self->fd).held_frames);
	/* They are the ones just freed, zeroed on the way. */
	EXPECT_TRUE(mem_same_set(idx + last_env_held - 2,
				 (__u32[]){ f[0].index, f[1].index }, 2));
	free(idx);
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
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	r = exo_raw_mem_region(fd, MEM_EVT_FRAMES);
	EXO_CHILD_CHECK(2, r != NULL);
	EXO_CHILD_CHECK(3, mem_send(tx, exo_raw_env_id(fd), 0, 0) == 0);
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

/* ---- limits on what one environment makes the kernel hold ---------------- */

TEST_F(mem, region_pages_max_both_sides)
{
	void *a, *b, *c;

	ASSERT_EQ(1L << 20, exo_kmod_param("region_pages_max"));
	ASSERT_EQ(0, exo_kmod_param_set("region_pages_max", 16));
	a = exo_raw_mem_region(self->fd, 10);
	ASSERT_NE(NULL, a);
	b = exo_raw_mem_region(self->fd, 6);
	ASSERT_NE(NULL, b);
	/* One page past: refused, and nothing left behind. */
	c = exo_raw_mem_region(self->fd, 1);
	ASSERT_EQ(NULL, c);
	ASSERT_EQ(ENOMEM, errno);
	/* What munmap() gives back can be mapped again. */
	ASSERT_EQ(0, munmap(b, 6 * EXO_PAGE));
	c = exo_raw_mem_region(self->fd, 6);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, munmap(a, 10 * EXO_PAGE));
	ASSERT_EQ(0, munmap(c, 6 * EXO_PAGE));
	/* Another environment has a cap of its own. */
	c = exo_raw_mem_region(exo_raw_env(), 16);
	ASSERT_NE(NULL, c);
}

TEST_F(mem, mapped_max_both_sides)
{
	struct exo_mem_frame f[8];
	struct exo_mem_info mi;
	__u32 idx[8], i;
	void *r;

	ASSERT_EQ(1L << 18, exo_kmod_param("mapped_max"));
	r = exo_raw_mem_region(self->fd, 8);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, 0, 8, 0, f, NULL));
	for (i = 0; i < 8; i++)
		idx[i] = f[i].index;
	ASSERT_EQ(0, exo_kmod_param_set("mapped_max", 4));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, idx, 3, MEM_PG(r, 0)));
	/* A batch that would pass the cap binds none of its pages. */
	ASSERT_EQ(EDQUOT, exo_raw_mem_map(self->fd, 0, idx + 3, 2, MEM_PG(r, 3)));
	ASSERT_EQ(0, exo_raw_mem_info(self->fd, &mi));
	ASSERT_EQ(3U, mi.mapped_pages);
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, idx + 3, 1, MEM_PG(r, 3)));
	/* Aliases count: the same frame again is one more page. */
	ASSERT_EQ(EDQUOT, exo_raw_mem_map(self->fd, 0, idx, 1, MEM_PG(r, 4)));
	/* ALLOC_MAP too, and it leaves no frame held. */
	ASSERT_EQ(EDQUOT, exo_raw_mem_alloc(self->fd, EXO_MEM_ALLOC_MAP, 1, 0,
					    f, MEM_PG(r, 4)));
	ASSERT_EQ(0, exo_raw_mem_info(self->fd, &mi));
	ASSERT_EQ(8U, mi.held_frames);
	ASSERT_EQ(4U, mi.mapped_pages);
	/* An unmap makes room. */
	ASSERT_EQ(0, exo_raw_mem_unmap(self->fd, MEM_PG(r, 0), 1));
	ASSERT_EQ(0, exo_raw_mem_map(self->fd, 0, idx + 4, 1, MEM_PG(r, 4)));
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, idx, 8));
}

TEST_F(mem, grants_max_both_sides)
{
	struct exo_mem_frame f[3];
	int victim = exo_raw_env();
	__u64 vid, g[3];

	ASSERT_LE(0, victim);
	vid = exo_raw_env_id(victim);
	ASSERT_EQ(1024, exo_kmod_param("grants_max"));
	ASSERT_EQ(0, exo_kmod_param_set("grants_max", 2));
	ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, 0, 3, 0, f, NULL));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f[0].index, 1, vid, &g[0]));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f[1].index, 1, vid, &g[1]));
	ASSERT_EQ(EDQUOT, exo_raw_mem_grant(self->fd, 0, f[2].index, 1, vid,
					    &g[2]));
	ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, g[0]));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f[2].index, 1, vid, &g[2]));
	/* A grant that dies with its frame frees its place too. */
	ASSERT_EQ(0, exo_raw_mem_free(self->fd, &f[1].index, 1));
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f[0].index, 1, vid, &g[0]));
	ASSERT_EQ(EDQUOT, exo_raw_mem_grant(self->fd, 0, f[0].index, 1, vid,
					    &g[1]));
	close(victim);
}

/*
 * GRANT and UNGRANT in a loop at another environment's id must not fill
 * its event queue: only a grantee that mapped through a grant is told it
 * went, so real notices are never folded into an overflow record.
 */
TEST_F_TIMEOUT(mem, grant_loop_cannot_flood_events, 120)
{
	struct exo_env_info info;
	struct exo_mem_frame f;
	struct exo_event ev;
	int victim = exo_raw_env(), i;
	__u64 vid, gid;
	void *r;

	ASSERT_LE(0, victim);
	vid = exo_raw_env_id(victim);
	ASSERT_EQ(0, exo_raw_mem_alloc(self->fd, 0, 1, 0, &f, NULL));
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f.index, 1, vid,
					       &gid));
		ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, gid));
	}
	ASSERT_EQ(0, exo_raw_info(victim, &info));
	ASSERT_EQ(0ULL, info.events_posted);
	ASSERT_EQ(0ULL, info.events_lost);
	/* A grant it took up is still announced when it goes, once. */
	r = exo_raw_mem_region(victim, 1);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, exo_raw_mem_grant(self->fd, 0, f.index, 1, vid, &gid));
	ASSERT_EQ(0, exo_raw_mem_map(victim, 0, &f.index, 1, r));
	ASSERT_EQ(0, exo_raw_mem_ungrant(self->fd, gid));
	ASSERT_EQ(0, exo_raw_event_wait(victim, MEM_WAIT_MS, &ev));
	ASSERT_EQ(EXO_EVENT_MEM_UNGRANTED, ev.type);
	ASSERT_EQ(gid, ev.data[0]);
	ASSERT_EQ(0, exo_raw_info(victim, &info));
	ASSERT_EQ(1ULL, info.events_posted);
	close(victim);
}

/* Join the test cgroup, map @n regions of @pages; exit 0 if charged. */
static int mem_cg_child(int n, size_t pages)
{
	long long before, after;
	int fd, i;

	if (exo_cg_join())
		return 10;
	fd = exo_raw_env();
	if (fd < 0)
		return 11;
	before = exo_cg_current();
	if (before < 0)
		return 12;
	for (i = 0; i < n; i++)
		if (!exo_raw_mem_region(fd, pages))
			return 13;
	after = exo_cg_current();
	/* Each region's page table is 8 bytes a page: most of it counts. */
	if (after - before < (long long)(n * pages * 8 * 9 / 10)) {
		fprintf(stderr, "# memory.current %lld -> %lld for %d regions\n",
			before, after, n);
		return 14;
	}
	return 0;
}

/*
 * What an environment makes the kernel allocate is charged to its memory
 * cgroup, so the cgroup's limits bound it: here the region page tables.
 */
TEST_F_TIMEOUT(mem, regions_charged_to_memcg, 120)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, exo_cg_setup());
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mem_cg_child(4, 1U << 18));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	exo_cg_remove();
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* A "name: value" line of the debugfs pool file, or -1. */
static long long mem_pool_stat(const char *name)
{
	char *buf = exo_file_slurp(EXO_POOL_PATH), *at;
	size_t len = strlen(name);
	long long v = -1;

	if (!buf)
		return -1;
	for (at = buf; at; at = strchr(at, '\n'), at = at ? at + 1 : NULL)
		if (!strncmp(at, name, len) && at[len] == ':') {
			v = atoll(at + len + 1);
			break;
		}
	free(buf);
	return v;
}

/* MemAvailable of /proc/meminfo in MiB, or -1. */
static long mem_available_mb(void)
{
	char *buf = exo_file_slurp("/proc/meminfo"), *at;
	long kb = -1;

	if (!buf)
		return -1;
	at = strstr(buf, "MemAvailable:");
	if (at)
		kb = atol(at + strlen("MemAvailable:"));
	free(buf);
	return kb < 0 ? -1 : kb / 1024;
}

/* Touch every page of @mb MiB of anonymous memory; 0 once all are in. */
static int mem_hog(long mb)
{
	size_t len = (size_t)mb << 20, off;
	char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	for (off = 0; off < len; off += EXO_PAGE)
		p[off] = 1;
	return 0;
}

/*
 * Memory pressure gets the kernel real memory back: free frames beyond
 * pool_min_mb go back to the page allocator, so a hog that needs more than
 * the machine has outside the pool gets it (the shrinker once only asked
 * environments to revoke, and gave the kernel no page). The frames come
 * back, under their names, when they are next allocated.
 */
TEST_F_TIMEOUT(mem, pressure_returns_free_frames_to_the_kernel, 300)
{
	char params[sizeof(self->params) + 64];
	long avail, pool_mb, absent;
	struct exo_mem_info mi;
	static __u32 idx[4096];
	int status, fd;
	__u32 i, n;
	pid_t pid;
	void *r;

	if (geteuid() != 0)
		SKIP(return, "reloading exo.ko needs root");
	ASSERT_EQ(0, access(exo_kmod_path(), R_OK));
	ASSERT_EQ(0, exo_kmod_params(self->params, sizeof(self->params)));
	avail = mem_available_mb();
	ASSERT_LT(64, avail);
	pool_mb = avail / 2 < 512 ? avail / 2 : 512;
	snprintf(params, sizeof(params), "%s pool_mb=%ld pool_min_mb=8",
		 self->params, pool_mb);
	self->reloaded = true;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, exo_kmod_unload());
	ASSERT_EQ(0, exo_kmod_load(params)) TH_LOG("finit_module(\"%s\")", params);
	ASSERT_EQ(0, mem_pool_stat("absent"));

	/* More than is left outside the pool: half the pool must come back. */
	avail = mem_available_mb();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mem_hog(avail + pool_mb / 2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the %ld MiB hog %s %d", avail + pool_mb / 2,
		       WIFSIGNALED(status) ? "was killed by signal" : "exited",
		       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	absent = mem_pool_stat("absent");
	EXPECT_LE((pool_mb << (20 - 12)) / 4, absent)
		TH_LOG("%ld of %ld MiB went back", absent >> 8, pool_mb);
	/* Never below pool_min_mb. */
	EXPECT_GE((pool_mb - 8) << (20 - 12), absent);
	/* drop_caches runs every shrinker to the end: all but 8 MiB go. */
	ASSERT_EQ(0, exo_write_str("/proc/sys/vm/drop_caches", "2"));
	absent = mem_pool_stat("absent");
	EXPECT_EQ((pool_mb - 8) << (20 - 12), absent);

	/*
	 * Still free, and allocated again, past the 8 MiB kept: named,
	 * zeroed and usable.
	 */
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	mi = mem_info(fd);
	EXPECT_EQ(mi.pool_frames, mi.free_frames);
	n = mi.quota_frames < 4096 ? mi.quota_frames : 4096;
	ASSERT_LT(2048U, n);
	r = exo_raw_mem_region(fd, n);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mem_alloc_any(fd, n, EXO_MEM_PROT_WRITE, r, idx));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, exo_zero_check(MEM_PG(r, i)));
		ASSERT_EQ(0, exo_pattern_fill(MEM_PG(r, i), i));
	}
	EXPECT_GT(absent, mem_pool_stat("absent"));
	for (i = 0; i < n; i += EXO_MEM_BATCH_MAX)
		ASSERT_EQ(0, exo_raw_mem_free(fd, idx + i,
					      n - i < EXO_MEM_BATCH_MAX ?
					      n - i : EXO_MEM_BATCH_MAX));
	ASSERT_EQ(0, munmap(r, (size_t)n * EXO_PAGE));
	close(fd);
	ASSERT_EQ(0, exo_kmod_unload());
	ASSERT_EQ(0, exo_kmod_load(self->params));
}

/* ---- test hooks: workers held at a point, so races run in one order ------ */

#define MEM_HOLD_PATH		EXO_DEBUGFS_ROOT "/exo/hold"
#define MEM_HOLD_ZERO		1	/* EXO_HOLD_ZERO in module/mem.c */
#define MEM_HOLD_REVOKE		2	/* EXO_HOLD_REVOKE */

static int mem_hold(unsigned int bits)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", bits);
	return exo_write_str(MEM_HOLD_PATH, v);
}

/* How many workers wait at hold point @name ("zero", "revoke"); -1 if unknown. */
static int mem_held(const char *name)
{
	char path[96], *buf;
	int n;

	snprintf(path, sizeof(path), EXO_DEBUGFS_ROOT "/exo/held_%s", name);
	buf = exo_file_slurp(path);
	if (!buf)
		return -1;
	n = atoi(buf);
	free(buf);
	return n;
}

/* Wait up to MEM_WAIT_MS until @want workers wait at @name. */
static bool mem_wait_held(const char *name, int want)
{
	int i;

	for (i = 0; i < MEM_WAIT_MS / 5; i++) {
		if (mem_held(name) == want)
			return true;
		usleep(5000);
	}
	return false;
}

/*
 * Issue 18, item 13: zeroing a pool of freed frames must not hold
 * exo_mem_lock. The zeroing worker is held mid-batch; another process's
 * environment then makes a call that takes the lock, and it must return
 * while the worker is still held. Zeroed under the lock (the old shape),
 * the call waits for the worker and the child is still running when the
 * hold is released.
 */
TEST_F_TIMEOUT(mem, zeroing_does_not_hold_the_lock, 120)
{
	struct exo_mem_info mi;
	struct mem_libos l;
	bool done = false;
	int i, status = -1;
	pid_t pid;

	if (geteuid() != 0 || !exo_debugfs_mounted())
		SKIP(return, "needs root and debugfs (the hold hook)");
	ASSERT_EQ(0, mem_libos_open(&l, 64));
	ASSERT_EQ(0, mem_hold(MEM_HOLD_ZERO));
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, l.idx, l.n));
	if (!mem_wait_held("zero", 1)) {
		mem_hold(0);
		ASSERT_TRUE(false) TH_LOG("the zeroing worker never reached its hold point");
	}

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = exo_raw_env();

		_exit(fd < 0 ? 2 : exo_raw_mem_info(fd, &mi) ? 3 : 0);
	}
	/* A bound on a hang, not a duration: the worker is held until then. */
	for (i = 0; i < 3 * MEM_WAIT_MS / 5 && !done; i++) {
		done = waitpid(pid, &status, WNOHANG) == pid;
		if (!done)
			usleep(5000);
	}
	EXPECT_EQ(1, mem_held("zero"));
	ASSERT_EQ(0, mem_hold(0));
	if (!done)
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(done) TH_LOG("MEM_INFO waited for the zeroing worker");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_TRUE(mem_wait_held("zero", 0));
	mi = mem_info(l.fd);
	EXPECT_EQ(0U, mi.held_frames);
	close(l.fd);
}

/*
 * Issue 18, item 13: a revoke worker that fired for one revocation must not
 * abort under the next one's deadline. The worker is held as it starts; the
 * first request is met and a second one made, with a long deadline; the
 * worker then runs. With no check of the deadline (the old shape) it takes
 * the frames at once.
 */
TEST_F_TIMEOUT(mem, stale_revoke_worker_keeps_new_deadline, 120)
{
	__u32 reserve = self->mi.reserve_frames, count, n;
	struct exo_mem_info mi;
	struct exo_event ev;
	struct mem_libos l;

	if (geteuid() != 0 || !exo_debugfs_mounted())
		SKIP(return, "needs root and debugfs (the hold hook)");
	n = reserve + 8;
	ASSERT_EQ(0, mem_libos_open(&l, n));
	ASSERT_EQ(0, mem_hold(MEM_HOLD_REVOKE));

	count = 1;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, 1));
	ASSERT_EQ(1U, count);
	if (!mem_wait_held("revoke", 1)) {
		mem_hold(0);
		ASSERT_TRUE(false) TH_LOG("the revoke worker never reached its hold point");
	}
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);
	/* Met: the worker is past cancelling, and waits. */
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, &l.idx[n - 1], 1));
	mi = mem_info(l.fd);
	EXPECT_EQ(0U, mi.revoke_owed);
	/* A new request, a minute long, while the old worker waits. */
	count = 2;
	ASSERT_EQ(0, mem_revoke(self->fd, l.id, &count, 60000));
	ASSERT_EQ(2U, count);
	ASSERT_EQ(0, exo_raw_event_wait(l.fd, MEM_WAIT_MS, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_MEM_REVOKE, ev.type);

	ASSERT_EQ(0, mem_hold(0));
	ASSERT_TRUE(mem_wait_held("revoke", 0));
	EXPECT_EQ(0U, mem_no_event(l.fd, MEM_QUIET_MS));
	mi = mem_info(l.fd);
	EXPECT_EQ(n - 1, mi.held_frames);
	EXPECT_EQ(0U, mi.repossessed);
	EXPECT_EQ(2U, mi.revoke_owed);
	EXPECT_EQ(ev.data[1], mi.revoke_deadline_ns);
	/* Meet it, so that nothing is left to abort. */
	ASSERT_EQ(0, exo_raw_mem_free(l.fd, l.idx, 2));
	EXPECT_TRUE(mem_wait_revoke_over(l.fd));
	close(l.fd);
}

TEST_HARNESS_MAIN
