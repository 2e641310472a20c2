// SPDX-License-Identifier: GPL-2.0
/*
 * The memory binding's limits, each on both sides: the quota and the pool,
 * and what one environment makes the kernel hold (region pages, mapped
 * pages, grants, memcg charges, the pool's pages given back under pressure).
 * The quota test reloads exo.ko. See mem_test.c for what every mem test
 * assumes; the fixture and helpers are exo_mem_util.h's.
 */
#include "exo_mem_util.h"

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

TEST_HARNESS_MAIN
