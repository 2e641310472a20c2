// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU binding through raw ioctl(2) and mmap(2) on /dev/exo: booking
 * slots by pattern and by mask, all or nothing; queries; the exact errno of
 * every bad request with nothing booked behind it; a bound thread pinned to
 * its CPU and raised to SCHED_FIFO during its turns; wake and exit upcalls;
 * yield and directed yield; excess time and the abort protocol; admin
 * revocation; the read-only slot page; kill -9 and close freeing every slot;
 * a managed CPU going offline and coming back.
 *
 * Other environments are forked peers driven over pipes, or, where only the
 * kernel's bookkeeping matters, a second fd of the test's own process. The
 * tests that need a short quantum or another policy reload exo.ko from
 * $EXO_KO (default /exo/exo.ko) and restore its parameters.
 *
 * No test asserts a duration: every wait is generous for an emulated guest,
 * and what is checked is which slots, which records, in which order.
 */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mman.h>

#include <exo/exo.h>

#include "exo_test_util.h"

#define CPU_WAIT_MS		10000	/* one turn, at most */
#define CPU_SIG			(SIGRTMIN + 1)
#define CPU_NSLOTS_DEFAULT	64

FIXTURE(cpu) {
	int fd;			/* the test's environment, handshaken */
	__u64 id;
	int cpu;		/* the first managed CPU */
	struct exo_cpu_info ci;
	pid_t test_pid;
	bool reloaded;
	char params[EXO_KMOD_PARAMS_LEN];
	pid_t kids[4];		/* peers to kill if the test died early */
	int offline_cpu;	/* a CPU the test took offline, + 1 */
};

FIXTURE_SETUP(cpu)
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
	if (!(api.features & EXO_FEATURE_CPU))
		SKIP(return, "exo.ko has no CPU binding (EXO_FEATURE_CPU)");
	self->id = exo_raw_env_id(self->fd);
	self->cpu = exo_cpu_first(self->fd);
	if (self->cpu < 0)
		SKIP(return, "exo manages no CPU here (one-CPU machine?)");
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &self->ci));
	ASSERT_EQ(0U, self->ci.my_slots);
}

static int cpu_set_online(int cpu, bool online);

FIXTURE_TEARDOWN_PARENT(cpu)
{
	char now[sizeof(self->params)];

	int i, tries;

	/* A test that failed with a CPU offline must not leave it so. */
	if (self->offline_cpu)
		cpu_set_online(self->offline_cpu - 1, true);
	/*
	 * Peers a failed test left behind are the test process's children,
	 * not ours: kill them and wait until they are gone (and their fds
	 * with them), or the module cannot be unloaded.
	 */
	for (i = 0; i < 4; i++) {
		if (self->kids[i] <= 0 || kill(self->kids[i], SIGKILL))
			continue;
		waitpid(self->kids[i], NULL, 0);
		for (tries = 0; tries < 500 && !kill(self->kids[i], 0); tries++)
			usleep(10000);
	}
	/* A test that lowered the cap and failed must not leave it low. */
	exo_kmod_param_set("env_slots", 0);
	if (!self->reloaded)
		return;
	if (getpid() == self->test_pid)
		close_range(3, ~0U, 0);
	if (exo_kmod_loaded()) {
		if (!exo_kmod_params(now, sizeof(now)) &&
		    !strcmp(now, self->params))
			return;
		/* The last fds of dead peers are closed asynchronously. */
		for (tries = 0; tries < 500 && exo_kmod_unload(); tries++)
			usleep(10000);
		ASSERT_TRUE(!exo_kmod_loaded());
	}
	ASSERT_EQ(0, exo_kmod_load(self->params));
	ASSERT_TRUE(exo_dev_present());
}

/* ---- helpers ------------------------------------------------------------ */

/* Take @cpu offline or bring it back (root): 0 or errno. */
static int cpu_set_online(int cpu, bool online)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	return exo_write_str(path, online ? "1" : "0");
}

/* Reload exo.ko with @extra appended to its parameters; fresh env in fd. */
static int cpu_reload(struct __test_metadata *_metadata,
		      FIXTURE_DATA(cpu) *self, const char *extra)
{
	char params[sizeof(self->params) + 256];

	if (geteuid())
		return ENOTSUP;
	if (access(exo_kmod_path(), R_OK))
		return ENOENT;
	if (exo_kmod_params(self->params, sizeof(self->params)))
		return EIO;
	close(self->fd);
	self->fd = -1;
	self->reloaded = true;
	if (exo_kmod_unload())
		return EBUSY;
	snprintf(params, sizeof(params), "%s %s", self->params, extra);
	if (exo_kmod_load(params)) {
		TH_LOG("finit_module(\"%s\") failed", params);
		return EINVAL;
	}
	self->fd = exo_raw_env();
	if (self->fd < 0)
		return -self->fd;
	self->id = exo_raw_env_id(self->fd);
	self->cpu = exo_cpu_first(self->fd);
	if (self->cpu < 0 || exo_raw_cpu_info(self->fd, self->cpu, &self->ci))
		return ENODEV;
	return 0;
}

#define CPU_RELOAD(extra) do {						\
	int _err = cpu_reload(_metadata, self, (extra));		\
	if (_err == ENOTSUP)						\
		SKIP(return, "reloading exo.ko needs root");		\
	if (_err == ENOENT)						\
		SKIP(return, "no exo.ko to reload at %s", exo_kmod_path()); \
	ASSERT_EQ(0, _err);						\
} while (0)

static bool cpu_mask_has(const __u64 *mask, __u32 slot)
{
	return mask[slot / 64] >> (slot % 64) & 1;
}

static int cpu_policy(void)
{
	return sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
}

static volatile sig_atomic_t cpu_upcalls;

static void cpu_upcall(int sig)
{
	(void)sig;
	cpu_upcalls++;
}

static void cpu_catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cpu_upcall;
	sigaction(sig, &sa, NULL);
}

/* The slot page of @fd, read-only, or MAP_FAILED. */
static const struct exo_cpu_page *cpu_page_map(int fd)
{
	return mmap(NULL, EXO_PAGE, PROT_READ, MAP_SHARED, fd, EXO_MMAP_CPU);
}

/* A consistent copy of the page's entry for CPU index @i. */
static struct exo_cpu_page_cpu cpu_page_read(const struct exo_cpu_page *pg,
					     __u32 i, __u32 *excess)
{
	struct exo_cpu_page_cpu out;
	__u32 seq;

	do {
		seq = __atomic_load_n(&pg->seq, __ATOMIC_ACQUIRE);
		out = pg->cpus[i];
		if (excess)
			*excess = pg->excess;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&pg->seq, __ATOMIC_ACQUIRE));
	return out;
}

static __u32 cpu_index_of(const struct exo_cpu_info *ci, int cpu)
{
	return __builtin_popcountll(ci->cpus & ((1ULL << cpu) - 1));
}

/* ---- info, booking, queries, bad input ---------------------------------- */

TEST_F(cpu, info_describes_the_vector)
{
	struct exo_cpu_info ci;

	ASSERT_EQ(CPU_NSLOTS_DEFAULT, (int)self->ci.nslots);
	ASSERT_LT(0ULL, self->ci.quantum_ns);
	ASSERT_LT(0ULL, self->ci.grace_ns);
	ASSERT_LE(self->ci.grace_ns, self->ci.quantum_ns);
	ASSERT_LE(1U, self->ci.max_excess);
	ASSERT_LE(1U, self->ci.ncpus);
	ASSERT_TRUE(self->ci.cpus >> self->cpu & 1);
	/* By default CPU 0 stays with Linux. */
	ASSERT_FALSE(self->ci.cpus & 1);
	ASSERT_EQ(EINVAL, exo_raw_cpu_info(self->fd, 0, &ci));
	ASSERT_EQ(EINVAL, exo_raw_cpu_info(self->fd, 4096, &ci));
	ASSERT_STREQ("vector", self->ci.policy);
	ASSERT_EQ(0U, self->ci.excess);
	ASSERT_EQ(self->ci.nslots, self->ci.free_slots);
	/* Unknown flags and reserved bits. */
	memset(&ci, 0, sizeof(ci));
	ci.argsz = sizeof(ci);
	ci.cpu = self->cpu;
	ci.flags = 1;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_INFO, &ci));
	ci.flags = 0;
	ci.reserved = 1;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_INFO, &ci));
}

TEST_F(cpu, book_patterns_and_read_them_back)
{
	struct exo_cpu_query q;
	struct exo_env_info info;
	__u32 s;

	/* Contiguous for throughput, evenly spaced for responsiveness. */
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 4, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 8, 4, 16));
	ASSERT_EQ(0, exo_raw_cpu_query(self->fd, self->cpu, &q));
	for (s = 0; s < self->ci.nslots; s++) {
		bool mine = s < 4 || (s >= 8 && (s - 8) % 16 == 0);

		ASSERT_EQ(mine, cpu_mask_has(q.mine, s)) TH_LOG("slot %u", s);
		ASSERT_EQ(!mine, cpu_mask_has(q.free, s)) TH_LOG("slot %u", s);
	}
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	ASSERT_EQ(8ULL, info.slots);
	ASSERT_EQ(8, exo_cpu_mine(self->fd, self->cpu));
	ASSERT_EQ((int)self->ci.nslots - 8,
		  exo_cpu_free_count(self->fd, self->cpu));

	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, self->cpu, 8, 4, 16));
	ASSERT_EQ(4, exo_cpu_mine(self->fd, self->cpu));
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, self->cpu, 0, 4, 1));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	ASSERT_EQ(0ULL, info.slots);
}

TEST_F(cpu, book_by_mask_writes_pattern_back)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_PATTERN,
		.cpu = self->cpu, .start = 1, .count = 3, .stride = 2,
	};
	__u64 mask[EXO_CPU_MASK_WORDS] = { 0 };
	struct exo_cpu_query q;

	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	/* The pattern's slots come back as a mask: 1, 3, 5. */
	ASSERT_EQ(0x2aULL, req.mask[0]);
	mask[0] = 1ULL << 63;
	ASSERT_EQ(0, exo_raw_cpu_mask(self->fd, EXO_IOC_CPU_BOOK, self->cpu,
				      mask));
	ASSERT_EQ(0, exo_raw_cpu_query(self->fd, self->cpu, &q));
	ASSERT_EQ(0x2aULL | 1ULL << 63, q.mine[0]);
	ASSERT_EQ(0ULL, q.mine[1]);
	ASSERT_EQ(0, exo_raw_cpu_mask(self->fd, EXO_IOC_CPU_FREE, self->cpu,
				      q.mine));
	ASSERT_EQ(0, exo_cpu_mine(self->fd, self->cpu));
}

TEST_F(cpu, bad_requests_are_einval_and_book_nothing)
{
	__u32 n = self->ci.nslots, c = self->cpu;
	__u64 mask[EXO_CPU_MASK_WORDS] = { 0 };
	struct exo_cpu_slots req;

	/* Both sides of each limit: N books, N + 1 does not. */
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, c, n - 1, 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, c, n - 1, 1, 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, n, 1, 1));
	/* A whole vector is a valid pattern, past env_slots for one env. */
	ASSERT_EQ(ENOSPC, exo_raw_cpu_book(self->fd, c, 0, n, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, c, 0, n - 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, c, 0, n - 1, 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, 0, n + 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, c, 0, 2, n - 1));
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, c, 0, 2, n - 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, 0, 2, n));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, 0, 0, 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, 0, 1, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, c, 1, 0x80000000U,
					   0xffffffffU));
	/* A CPU exo does not manage. */
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, 0, 0, 1, 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_book(self->fd, 4096, 0, 1, 1));
	/* Masks: empty, or a bit at nslots. */
	ASSERT_EQ(EINVAL, exo_raw_cpu_mask(self->fd, EXO_IOC_CPU_BOOK, c,
					   mask));
	mask[n / 64] = 1ULL << (n % 64);
	ASSERT_EQ(EINVAL, exo_raw_cpu_mask(self->fd, EXO_IOC_CPU_BOOK, c,
					   mask));
	/* Flags: none, both, unknown; a pattern with a mask; a mask with a pattern. */
	memset(&req, 0, sizeof(req));
	req.argsz = sizeof(req);
	req.cpu = c;
	req.count = 1;
	req.stride = 1;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	req.flags = EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	req.flags = EXO_CPU_SLOTS_PATTERN | 0x80;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	req.flags = EXO_CPU_SLOTS_PATTERN;
	req.mask[0] = 1;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	req.flags = EXO_CPU_SLOTS_MASK;
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	/* A short argsz. */
	req.flags = EXO_CPU_SLOTS_PATTERN;
	req.mask[0] = 0;
	req.argsz = offsetof(struct exo_cpu_slots, mask);
	ASSERT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_CPU_BOOK, &req));
	/* Nothing of it was booked. */
	ASSERT_EQ(0, exo_cpu_mine(self->fd, c));
	ASSERT_EQ((int)n, exo_cpu_free_count(self->fd, c));
}

TEST_F(cpu, booking_own_slot_again_is_eexist)
{
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 2, 2, 1));
	ASSERT_EQ(EEXIST, exo_raw_cpu_book(self->fd, self->cpu, 3, 2, 1));
	/* Slot 4 was not booked by the refused call. */
	ASSERT_EQ(2, exo_cpu_mine(self->fd, self->cpu));
	/* Freeing a free slot is not freeing one's own. */
	ASSERT_EQ(EPERM, exo_raw_cpu_free(self->fd, self->cpu, 2, 3, 1));
	ASSERT_EQ(2, exo_cpu_mine(self->fd, self->cpu));
}

TEST_F(cpu, other_env_overlap_eexist_free_eperm)
{
	int other = exo_raw_env();
	struct exo_cpu_query q;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 4, 8));
	/* Overlaps slot 8 only: EEXIST, and 9..11 are not booked either. */
	ASSERT_EQ(EEXIST, exo_raw_cpu_book(other, self->cpu, 8, 4, 1));
	ASSERT_EQ(0, exo_cpu_mine(other, self->cpu));
	ASSERT_EQ(EPERM, exo_raw_cpu_free(other, self->cpu, 0, 1, 1));
	ASSERT_EQ(4, exo_cpu_mine(self->fd, self->cpu));
	/* Its query shows my slots as neither free nor its own. */
	ASSERT_EQ(0, exo_raw_cpu_query(other, self->cpu, &q));
	ASSERT_FALSE(cpu_mask_has(q.free, 8));
	ASSERT_FALSE(cpu_mask_has(q.mine, 8));
	ASSERT_TRUE(cpu_mask_has(q.free, 9));
	ASSERT_EQ(0, exo_raw_cpu_book(other, self->cpu, 9, 3, 1));
	ASSERT_EQ(3, exo_cpu_mine(other, self->cpu));
	/* Closing it frees its slots and only its slots. */
	close(other);
	ASSERT_EQ(4, exo_cpu_mine(self->fd, self->cpu));
	ASSERT_EQ((int)self->ci.nslots - 4,
		  exo_cpu_free_count(self->fd, self->cpu));
}

/* One environment may hold all slots but one: the last is a second's. */
static int cpu_book_all_then_wait(int rx, int tx, void *arg)
{
	int fd = exo_raw_env(), fd2 = exo_raw_env(), cpu = *(int *)arg;
	char c;

	EXO_CHILD_CHECK(1, fd >= 0 && fd2 >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, cpu, 0,
					     CPU_NSLOTS_DEFAULT - 1, 1));
	EXO_CHILD_CHECK(5, !exo_raw_cpu_book(fd2, cpu,
					     CPU_NSLOTS_DEFAULT - 1, 1, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, cpu, 0, 0));
	EXO_CHILD_CHECK(4, !exo_sync_send(tx, 'b'));
	exo_sync_recv(rx, &c);
	return 0;
}

TEST_F(cpu, kill9_frees_every_slot)
{
	struct exo_peer peer = { .pid = -1 };
	char c;

	ASSERT_EQ(0, exo_peer_start(&peer, cpu_book_all_then_wait,
				    &self->cpu));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, exo_sync_recv(peer.from, &c));
	ASSERT_EQ(0, exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(EEXIST, exo_raw_cpu_book(self->fd, self->cpu, 5, 1, 1));
	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	self->kids[0] = 0;
	/* The release is the last close: it has happened once reaped. */
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0,
				      self->ci.nslots - 1, 1));
}

/*
 * A whole vector in one environment is a turn that never ends, and no exit
 * upcall: env_slots (default nslots - 1) caps what one environment books
 * on one CPU, checked before anything is booked.
 */
TEST_F(cpu, env_slots_caps_one_environment)
{
	__u32 n = self->ci.nslots;
	int other;

	ASSERT_EQ(0, exo_kmod_param("env_slots"));
	ASSERT_EQ(ENOSPC, exo_raw_cpu_book(self->fd, self->cpu, 0, n, 1));
	ASSERT_EQ((int)n, exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, n - 1, 1));
	ASSERT_EQ(ENOSPC, exo_raw_cpu_book(self->fd, self->cpu, n - 1, 1, 1));
	other = exo_raw_env();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, exo_raw_cpu_book(other, self->cpu, n - 1, 1, 1));
	close(other);
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, self->cpu, 0, n - 1, 1));

	/* A lower cap, both sides of it, counting what is already held. */
	ASSERT_EQ(0, exo_kmod_param_set("env_slots", 4));
	ASSERT_EQ(ENOSPC, exo_raw_cpu_book(self->fd, self->cpu, 0, 5, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 3, 1));
	ASSERT_EQ(ENOSPC, exo_raw_cpu_book(self->fd, self->cpu, 3, 2, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 3, 1, 1));
	ASSERT_EQ(4, exo_cpu_mine(self->fd, self->cpu));
	/* Above nslots it is nslots: still one vector's worth at most. */
	ASSERT_EQ(0, exo_kmod_param_set("env_slots", n + 100));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 4, n - 4, 1));
	ASSERT_EQ(0, exo_kmod_param_set("env_slots", 0));
}

/* ---- binding a thread ------------------------------------------------------ */

TEST_F(cpu, bind_pins_and_unbind_restores)
{
	cpu_set_t before, set;
	struct exo_cpu_wake wake;
	__u32 ended;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(before), &before));
	/* Not bound: WAIT, YIELD and UNBIND have nothing to act on. */
	ASSERT_EQ(EINVAL, exo_raw_cpu_wait(self->fd, 10, &wake));
	ASSERT_EQ(EINVAL, exo_raw_cpu_yield(self->fd, 0, &ended));
	ASSERT_EQ(EINVAL, exo_raw_cpu_unbind(self->fd));
	/* Signals: 0, or 32..64. */
	ASSERT_EQ(EINVAL, exo_raw_cpu_bind(self->fd, self->cpu, 31, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_bind(self->fd, self->cpu, 65, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0x80));
	ASSERT_EQ(EINVAL, exo_raw_cpu_bind(self->fd, 0, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 64, 0));
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 32, 0));
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	ASSERT_EQ(1, CPU_COUNT(&set));
	ASSERT_TRUE(CPU_ISSET(self->cpu, &set));
	ASSERT_EQ(self->cpu, sched_getcpu());
	/* One thread per environment and CPU. */
	ASSERT_EQ(EBUSY, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	/* Bound, but with no slots: no turn comes. */
	ASSERT_EQ(ETIMEDOUT, exo_raw_cpu_wait(self->fd, 50, &wake));
	ASSERT_EQ(0, exo_raw_cpu_yield(self->fd, 0, &ended));
	ASSERT_EQ(0U, ended);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	ASSERT_TRUE(CPU_EQUAL(&before, &set));
	ASSERT_EQ(SCHED_OTHER, cpu_policy());
}

/* A thread bound in two environments would run in both one's turns. */
TEST_F(cpu, one_thread_binds_in_one_environment)
{
	int other = exo_raw_env();

	ASSERT_LE(0, other);
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	EXPECT_EQ(EBUSY, exo_raw_cpu_bind(other, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	/* Unbound from the first, it may bind in the second. */
	EXPECT_EQ(0, exo_raw_cpu_bind(other, self->cpu, 0, 0));
	EXPECT_EQ(EBUSY, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	EXPECT_EQ(0, exo_raw_cpu_unbind(other));
	close(other);
}

TEST_F(cpu, every_wake_reports_one_of_my_slots)
{
	__u32 n = self->ci.nslots, stride = n / 4, i, first = 0;
	struct exo_cpu_wake wake;
	__u64 seq = 0, last_start = 0;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 1, 4, stride));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		ASSERT_EQ(EXO_CPU_WAKE_SLOT, wake.reason);
		ASSERT_EQ((__u32)self->cpu, wake.cpu);
		ASSERT_EQ(1U, wake.slot % stride) TH_LOG("slot %u", wake.slot);
		ASSERT_EQ(1U, wake.nslots);
		ASSERT_EQ(self->ci.quantum_ns, wake.end_ns - wake.start_ns);
		/* Slot s starts at epoch + (round * n + s) * quantum. */
		ASSERT_EQ(0ULL, (wake.start_ns - self->ci.epoch_ns) %
				self->ci.quantum_ns);
		ASSERT_EQ(wake.slot, (wake.start_ns - self->ci.epoch_ns) /
				     self->ci.quantum_ns % n);
		ASSERT_LT(seq, wake.seq);
		ASSERT_LT(last_start, wake.start_ns);
		if (!i)
			first = wake.seq;
		seq = wake.seq;
		last_start = wake.start_ns;
	}
	/* Each turn is returned once: the sequence counts them all. */
	ASSERT_LE(first + 7, seq);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

TEST_F(cpu, contiguous_slots_are_one_turn)
{
	struct exo_cpu_wake wake;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 10, 3, 1));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
	/* Caught mid-run, the wake still names the turn's start. */
	ASSERT_EQ(10U, wake.slot);
	ASSERT_EQ(3U, wake.nslots);
	ASSERT_EQ(3 * self->ci.quantum_ns, wake.end_ns - wake.start_ns);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

TEST_F(cpu, fifo_in_my_turn_normal_after_yield)
{
	struct exo_cpu_wake wake;
	int i, seen_fifo = 0;
	__u32 ended;

	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 8, 8));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	for (i = 0; i < 6 && !seen_fifo; i++) {
		__u64 t0;

		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		/* The worker raises the thread right at the boundary. */
		t0 = exo_clock_ns();
		while (cpu_policy() != SCHED_FIFO &&
		       exo_clock_ns() - t0 < 1000000000ULL)
			;
		seen_fifo += cpu_policy() == SCHED_FIFO;
		ASSERT_EQ(0, exo_raw_cpu_yield(self->fd, 0, &ended));
	}
	ASSERT_LT(0, seen_fifo);
	/* Yielded: demoted, whatever the clock says. */
	for (i = 0; i < 1000 && cpu_policy() != SCHED_OTHER; i++)
		usleep(1000);
	ASSERT_EQ(SCHED_OTHER, cpu_policy());
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

TEST_F(cpu, yield_ends_the_turn_early)
{
	const struct exo_cpu_page *pg = cpu_page_map(self->fd);
	__u32 idx = cpu_index_of(&self->ci, self->cpu);
	struct exo_cpu_page_cpu pc;
	struct exo_cpu_wake wake;
	int i, ended_running = 0;
	__u32 ended;

	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 3, 4, 16));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	for (i = 0; i < 8 && !ended_running; i++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		pc = cpu_page_read(pg, idx, NULL);
		if (!pc.running)
			continue;	/* the turn was over before we ran */
		ASSERT_EQ(wake.slot, pc.slot);
		ASSERT_EQ(wake.end_ns, pc.deadline_ns);
		ASSERT_EQ(0, exo_raw_cpu_yield(self->fd, 0, &ended));
		ASSERT_EQ(1U, ended);
		pc = cpu_page_read(pg, idx, NULL);
		ASSERT_EQ(0U, pc.running);
		ended_running++;
	}
	ASSERT_EQ(1, ended_running);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	munmap((void *)pg, EXO_PAGE);
}

TEST_F(cpu, exit_upcall_reaches_the_bound_thread)
{
	struct exo_cpu_wake wake;
	__u64 t0;

	cpu_upcalls = 0;
	cpu_catch(CPU_SIG);
	/* One turn of four slots: time to check between wake and exit. */
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 5, 4, 1));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, CPU_SIG, 0));
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
	/* Run the turn out: the exit upcall ends it. */
	t0 = exo_clock_ns();
	while (!cpu_upcalls && exo_clock_ns() - t0 < 10000000000ULL)
		;
	ASSERT_EQ(1, cpu_upcalls);
	ASSERT_EQ(0, exo_raw_cpu_yield(self->fd, 0, NULL));
	/* The next turn comes; the yielded one sent no second upcall. */
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
	ASSERT_EQ(1, cpu_upcalls);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

/* ---- the slot page ----------------------------------------------------------- */

TEST_F(cpu, slot_page_is_read_only_and_counts)
{
	const struct exo_cpu_page *pg = cpu_page_map(self->fd);
	__u32 idx = cpu_index_of(&self->ci, self->cpu), excess;
	void *p;

	ASSERT_NE(MAP_FAILED, pg);
	ASSERT_EQ(self->ci.ncpus, pg->ncpus);
	ASSERT_EQ((__u32)self->cpu, cpu_page_read(pg, idx, &excess).cpu);
	ASSERT_EQ(0U, excess);
	ASSERT_EQ(0U, pg->slots);
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 6, 2));
	ASSERT_EQ(6U, pg->slots);
	ASSERT_EQ(0U, pg->seq & 1);
	/* Writable mappings and upgrades are refused. */
	ASSERT_NE(0, mprotect((void *)pg, EXO_PAGE, PROT_READ | PROT_WRITE));
	ASSERT_EQ(EACCES, errno);
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 EXO_MMAP_CPU);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EPERM, errno);
	p = mmap(NULL, EXO_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 EXO_MMAP_CPU);
	ASSERT_EQ(MAP_FAILED, p);
	/* One page at offset 0 of the window, nothing else. */
	p = mmap(NULL, 2 * EXO_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 EXO_MMAP_CPU);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, EXO_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 EXO_MMAP_CPU + EXO_PAGE);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(0, exo_raw_cpu_free(self->fd, self->cpu, 0, 6, 2));
	ASSERT_EQ(0U, pg->slots);
	munmap((void *)pg, EXO_PAGE);
}

/* ---- excess time and the abort protocol ------------------------------------ */

/* What peers report over their pipe: small records, atomic in a pipe. */
struct cpu_report {
	__u32 kind;		/* CPU_R_* */
	__u32 a;
	__u64 b, c;
};

#define CPU_R_READY	1	/* b: env id */
#define CPU_R_EVENT	2	/* a: type, b: data[0] */
#define CPU_R_WAKE	3	/* a: slot, b: seq, c: reason << 32 | missed */
#define CPU_R_DONE	4	/* a: excess */

struct cpu_peer_arg {
	int cpu;
	__u32 first;		/* the slot it books */
	int wakes;		/* the good peer: wakes to report */
};

static int cpu_report(int tx, __u32 kind, __u32 a, __u64 b, __u64 c)
{
	struct cpu_report r = { .kind = kind, .a = a, .b = b, .c = c };

	return exo_write_full(tx, &r, sizeof(r));
}

/* A libOS whose bound thread never yields and ignores its exit upcalls. */
static int cpu_spinner(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	int fd = exo_raw_env();

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(4, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(5, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	for (;;)
		;
	return 0;
}

/* A libOS that takes each wake and yields at once by waiting again. */
static int cpu_good_peer(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	struct exo_cpu_info ci;
	int fd = exo_raw_env(), i;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(4, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	for (i = 0; i < pa->wakes; i++) {
		EXO_CHILD_CHECK(5, !exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake));
		EXO_CHILD_CHECK(6, !cpu_report(tx, CPU_R_WAKE, wake.slot, wake.seq,
					       (__u64)wake.reason << 32 | wake.missed));
	}
	EXO_CHILD_CHECK(8, !exo_raw_cpu_info(fd, pa->cpu, &ci));
	EXO_CHILD_CHECK(9, !cpu_report(tx, CPU_R_DONE, ci.excess, 0, 0));
	return 0;
}

static int cpu_read_report(int fd, struct cpu_report *r)
{
	int rev = exo_poll1(fd, POLLIN, 30000);

	if (rev <= 0)
		return ETIMEDOUT;
	return exo_read_full(fd, r, sizeof(*r));
}

TEST_F(cpu, spinner_is_aborted_while_others_keep_their_slots)
{
	struct cpu_peer_arg good = { .first = 4, .wakes = 16 };
	struct cpu_peer_arg bad = { .first = 0 };
	struct exo_peer gp = { .pid = -1 }, sp = { .pid = -1 };
	__u32 last_excess = 0, missed = 0;
	struct exo_monitor *mon;
	struct exo_event ev;
	struct cpu_report r;
	__u64 last_seq = 0, spinner;
	bool aborted = false;
	int wakes = 0, got;

	CPU_RELOAD("nslots=8 quantum_us=20000 grace_us=5000 max_excess=3");
	/* The abort goes to netlink too: watch the spinner from there. */
	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	ASSERT_EQ(0, exo_monitor_subscribe(mon));
	good.cpu = bad.cpu = self->cpu;
	ASSERT_EQ(0, exo_peer_start(&gp, cpu_good_peer, &good));
	self->kids[0] = gp.pid;
	ASSERT_EQ(0, cpu_read_report(gp.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	ASSERT_EQ(0, exo_peer_start(&sp, cpu_spinner, &bad));
	self->kids[1] = sp.pid;
	ASSERT_EQ(0, cpu_read_report(sp.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	spinner = r.b;

	/* Its excesses one by one up to the limit, then the abort. */
	while (!aborted) {
		got = exo_monitor_read(mon, &ev, 30000);
		if (got == -ENOBUFS)
			continue;
		ASSERT_EQ(1, got);
		if (ev.env_id != spinner)
			continue;
		if (ev.type == EXO_EVENT_CPU_EXCESS) {
			ASSERT_EQ(last_excess + 1, ev.data[0]);
			ASSERT_EQ(self->ci.max_excess, ev.data[1]);
			ASSERT_EQ((__u64)self->cpu, ev.data[2]);
			last_excess = ev.data[0];
		} else {
			ASSERT_EQ(EXO_EVENT_CPU_ABORT, ev.type);
			ASSERT_EQ(1ULL, ev.data[0]);	/* its one slot */
			ASSERT_EQ(1ULL, ev.data[1]);	/* for excess */
			aborted = true;
		}
	}
	ASSERT_EQ(self->ci.max_excess, last_excess);
	exo_monitor_close(mon);
	/* "The libOS is destroyed." */
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&sp));
	self->kids[1] = 0;

	/* The good peer got every wake it waited for, in its slot, in order. */
	while (!cpu_read_report(gp.from, &r) && r.kind == CPU_R_WAKE) {
		ASSERT_EQ(good.first, r.a);
		ASSERT_EQ((__u64)EXO_CPU_WAKE_SLOT, r.c >> 32);
		ASSERT_LT(last_seq, r.b);
		last_seq = r.b;
		missed += (__u32)r.c;
		wakes++;
	}
	ASSERT_EQ(good.wakes, wakes);
	ASSERT_EQ(CPU_R_DONE, r.kind);
	/* It yields at once; under emulation a late one may still count. */
	ASSERT_GT(self->ci.max_excess, r.a);
	TH_LOG("good peer: %d wakes, %u turns missed, %u excess", wakes,
	       missed, r.a);
	ASSERT_EQ(0, exo_peer_finish(&gp));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

/*
 * A libOS whose bound thread moves itself to another CPU, then waits:
 * before its first turn, or (pa->wakes 1) in it, at SCHED_FIFO, or
 * (pa->wakes 2) after yielding it, at SCHED_NORMAL. READY's c is the
 * first turn's start.
 */
static int cpu_mover(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake = { 0 };
	int fd = exo_raw_env(), i;
	cpu_set_t elsewhere;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	if (pa->wakes) {
		EXO_CHILD_CHECK(6, !exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake));
		EXO_CHILD_CHECK(7, cpu_policy() == SCHED_FIFO);
	}
	if (pa->wakes == 2) {
		EXO_CHILD_CHECK(8, !exo_raw_cpu_yield(fd, 0, NULL));
		EXO_CHILD_CHECK(9, cpu_policy() != SCHED_FIFO);
	}
	CPU_ZERO(&elsewhere);
	CPU_SET(pa->cpu ? 0 : 1, &elsewhere);
	/* The kernel does not refuse it; the next promotion must. */
	EXO_CHILD_CHECK(4, !sched_setaffinity(0, sizeof(elsewhere), &elsewhere));
	EXO_CHILD_CHECK(5, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd),
				       wake.start_ns));
	for (i = 0; i < 4; i++) {
		if (exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake))
			break;
		cpu_report(tx, CPU_R_WAKE, wake.slot, cpu_policy(), sched_getcpu());
	}
	cpu_report(tx, CPU_R_DONE, 0, 0, 0);
	return 0;
}

/* The CPU_ABORT of environment @id, in @ev: 0, or -1 if none came in 30 s. */
static int cpu_await_abort(struct exo_monitor *mon, __u64 id,
			   struct exo_event *ev)
{
	int got;

	for (;;) {
		got = exo_monitor_read(mon, ev, 30000);
		if (got == -ENOBUFS)
			continue;
		if (got != 1)
			return -1;
		if (ev->env_id == id && ev->type == EXO_EVENT_CPU_ABORT)
			return 0;
	}
}

/*
 * A bound thread that leaves its CPU (sched_setaffinity, a cpuset move)
 * must never be raised to SCHED_FIFO there, where it would take another
 * environment's slots or starve host tasks: its next turn aborts it.
 */
static void cpu_check_moved_abort(struct __test_metadata *_metadata,
				  FIXTURE_DATA(cpu) *self, bool in_its_turn)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu, .wakes = in_its_turn };
	struct exo_peer peer = { .pid = -1 };
	struct exo_monitor *mon;
	struct exo_event ev;
	struct cpu_report r;
	__u64 mover;

	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	ASSERT_EQ(0, exo_monitor_subscribe(mon));
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_mover, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	mover = r.b;
	ASSERT_EQ(0, cpu_await_abort(mon, mover, &ev))
		TH_LOG("no abort of the moved thread");
	EXPECT_EQ(1ULL, ev.data[0]);	/* its one slot */
	EXPECT_EQ((__u64)EXO_CPU_ABORT_MOVED, ev.data[1]);
	exo_monitor_close(mon);
	/* It never ran a turn at SCHED_FIFO off its CPU. */
	while (!cpu_read_report(peer.from, &r) && r.kind == CPU_R_WAKE)
		EXPECT_NE(SCHED_FIFO, (int)r.b) TH_LOG("FIFO on CPU %llu",
						      (unsigned long long)r.c);
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

TEST_F(cpu, moved_thread_is_aborted)
{
	cpu_check_moved_abort(_metadata, self, false);
}

/* exo-fuzz's escape shape: a thread at FIFO waits at FIFO, and woke so. */
TEST_F(cpu, thread_moved_in_its_turn_is_aborted)
{
	cpu_check_moved_abort(_metadata, self, true);
}

/* Wake records are CLOCK_MONOTONIC; exo_clock_ns() is CLOCK_BOOTTIME. */
static __u64 cpu_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Spin at SCHED_FIFO 99 on @cpu until CLOCK_MONOTONIC reaches @until_ns. */
static pid_t cpu_hog_until(int cpu, __u64 until_ns)
{
	struct sched_param top = { .sched_priority = 99 };
	cpu_set_t one;
	pid_t pid;

	pid = fork();
	if (pid)
		return pid;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) ||
	    sched_setscheduler(0, SCHED_FIFO, &top))
		_exit(1);
	while (cpu_mono_ns() < until_ns)
		;
	_exit(0);
}

/*
 * exo-fuzz found it: a thread that left its CPU while SCHED_NORMAL (after
 * yielding its turn) and whose next turn's wake-up came only after that
 * turn was over (its new CPU busy) returned from WAIT off its CPU, never
 * raised and so never checked. A turn claimed off the CPU is an escape.
 */
TEST_F_TIMEOUT(cpu, thread_moved_and_woken_late_is_aborted, 120)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu, .wakes = 2 };
	struct exo_peer peer = { .pid = -1 };
	struct exo_monitor *mon;
	struct exo_event ev;
	struct cpu_report r;
	__u64 mover, next;
	int status, wakes = 0;
	pid_t hog;

	CPU_RELOAD("nslots=8 quantum_us=50000");
	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	ASSERT_EQ(0, exo_monitor_subscribe(mon));
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_mover, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	mover = r.b;
	next = r.c + (__u64)self->ci.nslots * self->ci.quantum_ns;
	ASSERT_TRUE(exo_wait_sleeping_in(peer.pid, peer.pid, SYS_ioctl));
	/* Its new CPU busy past the end of its next turn, not to the one after. */
	hog = cpu_hog_until(pa.cpu ? 0 : 1, next + 3 * self->ci.quantum_ns / 2);
	ASSERT_LT(0, hog);
	self->kids[1] = hog;
	ASSERT_EQ(hog, waitpid(hog, &status, 0));
	self->kids[1] = 0;
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, cpu_await_abort(mon, mover, &ev))
		TH_LOG("no abort of the moved thread");
	EXPECT_EQ((__u64)EXO_CPU_ABORT_MOVED, ev.data[1]);
	exo_monitor_close(mon);
	/* Not one turn came back to it off its CPU. */
	while (!cpu_read_report(peer.from, &r) && r.kind == CPU_R_WAKE) {
		wakes++;
		TH_LOG("a turn returned on CPU %llu, policy %llu",
		       (unsigned long long)r.c, (unsigned long long)r.b);
	}
	EXPECT_EQ(0, wakes);
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

/* Its own SCHED_FIFO priority, 0 if it is not SCHED_FIFO. */
static int cpu_fifo_prio(void)
{
	struct sched_param sp;

	if (cpu_policy() != SCHED_FIFO || sched_getparam(0, &sp))
		return 0;
	return sp.sched_priority;
}

/*
 * A libOS whose bound thread, after a first turn, gives itself SCHED_FIFO
 * at priority 50 (pa->wakes 1) or waits for its parent to make it SCHED_RR
 * (pa->wakes 0), then waits for turns, reporting its priority in each.
 */
static int cpu_policy_changer(int rx, int tx, void *arg)
{
	struct sched_param high = { .sched_priority = 50 };
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	int fd = exo_raw_env(), i;
	char go;

	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(4, !exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake));
	EXO_CHILD_CHECK(5, cpu_fifo_prio() > 0);
	if (pa->wakes)
		EXO_CHILD_CHECK(6, !sched_setscheduler(0, SCHED_FIFO, &high));
	EXO_CHILD_CHECK(7, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	if (!pa->wakes)
		EXO_CHILD_CHECK(8, read(rx, &go, 1) == 1);
	for (i = 0; i < 4; i++) {
		if (exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake))
			break;
		cpu_report(tx, CPU_R_WAKE, wake.slot, cpu_policy(), cpu_fifo_prio());
	}
	cpu_report(tx, CPU_R_DONE, 0, 0, 0);
	return 0;
}

/*
 * A bound thread made real-time by anyone but exo would keep its CPU
 * outside its turns: its next turn or call aborts it, whoever changed it.
 */
static void cpu_check_policy_abort(struct __test_metadata *_metadata,
				   FIXTURE_DATA(cpu) *self, bool by_itself)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu, .wakes = by_itself };
	struct sched_param rr = { .sched_priority = 10 };
	struct exo_peer peer = { .pid = -1 };
	struct exo_monitor *mon;
	struct exo_event ev;
	struct cpu_report r;
	__u64 changer;

	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	ASSERT_EQ(0, exo_monitor_subscribe(mon));
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_policy_changer, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	changer = r.b;
	if (!by_itself) {
		ASSERT_EQ(0, sched_setscheduler(peer.pid, SCHED_RR, &rr));
		ASSERT_EQ(1, write(peer.to, "g", 1));
	}
	ASSERT_EQ(0, cpu_await_abort(mon, changer, &ev))
		TH_LOG("no abort of the thread made real-time");
	EXPECT_EQ(1ULL, ev.data[0]);
	EXPECT_EQ((__u64)EXO_CPU_ABORT_POLICY, ev.data[1]);
	exo_monitor_close(mon);
	/* No turn ran at the priority it chose. */
	while (!cpu_read_report(peer.from, &r) && r.kind == CPU_R_WAKE) {
		EXPECT_NE(SCHED_RR, (int)r.b);
		EXPECT_NE(50ULL, r.c);
	}
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

TEST_F(cpu, policy_changed_by_the_thread_is_aborted)
{
	if (geteuid())
		SKIP(return, "SCHED_FIFO needs root");
	cpu_check_policy_abort(_metadata, self, true);
}

TEST_F(cpu, policy_changed_by_another_process_is_aborted)
{
	if (geteuid())
		SKIP(return, "SCHED_RR needs root");
	cpu_check_policy_abort(_metadata, self, false);
}

/* A thread that is real-time when it binds gives its policy to exo. */
static int cpu_rt_binder(int rx, int tx, void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	int fd = exo_raw_env(), i;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(3, !sched_setscheduler(0, SCHED_FIFO, &sp));
	EXO_CHILD_CHECK(4, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(5, cpu_policy() == SCHED_OTHER);
	for (i = 0; i < 2; i++) {
		EXO_CHILD_CHECK(6, !exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake));
		EXO_CHILD_CHECK(7, cpu_fifo_prio() > 0 && cpu_fifo_prio() < 10);
	}
	EXO_CHILD_CHECK(8, !exo_raw_cpu_unbind(fd));
	EXO_CHILD_CHECK(9, cpu_policy() == SCHED_OTHER);
	(void)tx;
	return 0;
}

TEST_F(cpu, realtime_thread_binds_as_normal)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu };
	struct exo_peer peer = { .pid = -1 };

	if (geteuid())
		SKIP(return, "SCHED_FIFO needs root");
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_rt_binder, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

/* ---- admin revocation -------------------------------------------------------- */

struct cpu_revoke_arg {
	int cpu;
	bool honour;
};

static int cpu_revokee(int rx, int tx, void *arg)
{
	struct cpu_revoke_arg *ra = arg;
	int fd = exo_raw_env();
	struct exo_event ev;
	char c;

	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, ra->cpu, 0, 4, 4));
	EXO_CHILD_CHECK(3, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	if (!ra->honour) {
		/* It ignores the request: only the abort ends it. */
		for (;;)
			pause();
	}
	EXO_CHILD_CHECK(4, !exo_raw_event_wait(fd, 30000, &ev));
	EXO_CHILD_CHECK(5, ev.type == EXO_EVENT_CPU_REVOKE && ev.data[0] == 2);
	/* The libOS's choice: its last two slots. */
	EXO_CHILD_CHECK(6, !exo_raw_cpu_free(fd, ra->cpu, 8, 2, 4));
	EXO_CHILD_CHECK(7, !cpu_report(tx, CPU_R_EVENT, ev.type, ev.data[0], 0));
	EXO_CHILD_CHECK(8, !exo_sync_recv(rx, &c));
	/* No abort followed. */
	EXO_CHILD_CHECK(9, exo_raw_event_wait(fd, 0, &ev) == ETIMEDOUT);
	EXO_CHILD_CHECK(10, exo_cpu_mine(fd, ra->cpu) == 2);
	return 0;
}

TEST_F(cpu, revocation_honoured_no_abort)
{
	struct cpu_revoke_arg ra = { .cpu = self->cpu, .honour = true };
	struct exo_peer peer = { .pid = -1 };
	struct cpu_report r;
	__u64 id;

	if (geteuid())
		SKIP(return, "revocation needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_revokee, &ra));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	id = r.b;
	ASSERT_EQ(0, exo_raw_cpu_revoke(self->fd, id, 2, 300));
	ASSERT_EQ(EBUSY, exo_raw_cpu_revoke(self->fd, id, 1, 300));
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(EXO_EVENT_CPU_REVOKE, r.a);
	/* Past the deadline: the libOS complied, so it lives. */
	usleep(1500000);
	ASSERT_EQ(0, waitpid(peer.pid, NULL, WNOHANG));
	ASSERT_EQ((int)self->ci.nslots - 2,
		  exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(0, exo_sync_send(peer.to, 'q'));
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
}

TEST_F(cpu, revocation_ignored_aborts)
{
	struct cpu_revoke_arg ra = { .cpu = self->cpu, .honour = false };
	struct exo_peer peer = { .pid = -1 };
	struct cpu_report r;

	if (geteuid())
		SKIP(return, "revocation needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_revokee, &ra));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(0, exo_raw_cpu_revoke(self->fd, r.b, 1, 200));
	ASSERT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ((int)self->ci.nslots, exo_cpu_free_count(self->fd, self->cpu));
}

#define CPU_HOLD_PATH		EXO_DEBUGFS_ROOT "/exo/cpu_hold"
#define CPU_HELD_PATH		EXO_DEBUGFS_ROOT "/exo/held_book"

/* Bookings waiting at CPU_BOOK's hold point, or -1. */
static int cpu_held_book(void)
{
	char *buf = exo_file_slurp(CPU_HELD_PATH);
	int n;

	if (!buf)
		return -1;
	n = atoi(buf);
	free(buf);
	return n;
}

/* Wait up to 20 s until @n bookings wait at the hold point. */
static bool cpu_wait_held(int n)
{
	int i;

	for (i = 0; i < 4000; i++) {
		if (cpu_held_book() == n)
			return true;
		usleep(5000);
	}
	return false;
}

/* Wait up to 20 s until @n slots of @cpu are free, as @fd sees it. */
static bool cpu_wait_free(int fd, int cpu, int n)
{
	int i;

	for (i = 0; i < 4000; i++) {
		if (exo_cpu_free_count(fd, cpu) == n)
			return true;
		usleep(5000);
	}
	return false;
}

/*
 * A CPU_BOOK racing the abort must not outlive it. A child books slot 0,
 * forks a keeper that holds its environment open, and books slot 1, held
 * by the hook before the vector's lock while the revocation's abort runs.
 * With 'aborted' read before the lock (the old shape), the booking landed
 * after the abort and the dead environment kept slot 1 from everyone for
 * as long as the keeper lived.
 */
TEST_F_TIMEOUT(cpu, book_racing_abort_does_not_survive, 120)
{
	int up[2], go[2], down[2], status, nslots = (int)self->ci.nslots;
	__u64 id = 0;
	pid_t pid;
	char c;

	if (geteuid() || !exo_debugfs_mounted())
		SKIP(return, "needs CAP_SYS_ADMIN and debugfs (the hold hook)");
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = exo_raw_env();
		pid_t keeper;

		close(up[0]);
		close(go[1]);
		close(down[1]);
		if (fd < 0 || exo_raw_cpu_book(fd, self->cpu, 0, 1, 1))
			_exit(1);
		id = exo_raw_env_id(fd);
		keeper = fork();
		if (keeper < 0)
			_exit(2);
		if (keeper == 0)	/* not the owner: the abort spares it */
			_exit(read(down[0], &c, 1) == 1 ? 0 : 3);
		if (write(up[1], &id, sizeof(id)) != sizeof(id))
			_exit(4);
		/* The parent sets the hold, then says go. */
		if (read(go[0], &c, 1) != 1)
			_exit(5);
		exo_raw_cpu_book(fd, self->cpu, 1, 1, 1);
		_exit(6);
	}
	self->kids[0] = pid;
	close(up[1]);
	close(go[0]);
	close(down[0]);
	ASSERT_EQ(sizeof(id), read(up[0], &id, sizeof(id)));
	ASSERT_EQ(nslots - 1, exo_cpu_free_count(self->fd, self->cpu));
	ASSERT_EQ(0, exo_write_str(CPU_HOLD_PATH, "1"));
	ASSERT_EQ(1, write(go[1], "g", 1)) {
		exo_write_str(CPU_HOLD_PATH, "0");
	}
	ASSERT_TRUE(cpu_wait_held(1)) {
		exo_write_str(CPU_HOLD_PATH, "0");
	}
	/* The abort runs while the booking waits: slot 0 comes back. */
	ASSERT_EQ(0, exo_raw_cpu_revoke(self->fd, id, 1, 1)) {
		exo_write_str(CPU_HOLD_PATH, "0");
	}
	ASSERT_TRUE(cpu_wait_free(self->fd, self->cpu, nslots)) {
		exo_write_str(CPU_HOLD_PATH, "0");
	}
	ASSERT_EQ(0, exo_write_str(CPU_HOLD_PATH, "0"));
	ASSERT_TRUE(cpu_wait_held(0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->kids[0] = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The keeper still holds the aborted environment: it holds nothing. */
	EXPECT_EQ(nslots, exo_cpu_free_count(self->fd, self->cpu));
	EXPECT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 1, 1, 1));
	EXPECT_EQ(0, exo_raw_cpu_free(self->fd, self->cpu, 1, 1, 1));
	ASSERT_EQ(1, write(down[1], "q", 1));
	/* EOF once the keeper is gone. */
	EXPECT_EQ(0, read(up[0], &c, 1));
	close(up[0]);
	close(go[1]);
	close(down[1]);
}

TEST_F(cpu, revocation_bad_input)
{
	if (geteuid())
		SKIP(return, "revocation needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 2, 1));
	ASSERT_EQ(EINVAL, exo_raw_cpu_revoke(self->fd, self->id, 0, 100));
	ASSERT_EQ(EINVAL, exo_raw_cpu_revoke(self->fd, self->id, 1, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_revoke(self->fd, self->id, 1, 60001));
	ASSERT_EQ(ESRCH, exo_raw_cpu_revoke(self->fd, 1ULL << 62, 1, 100));
	/* Both sides of what it holds. */
	ASSERT_EQ(EINVAL, exo_raw_cpu_revoke(self->fd, self->id, 3, 60000));
	ASSERT_EQ(0, exo_raw_cpu_revoke(self->fd, self->id, 2, 60000));
	ASSERT_EQ(EBUSY, exo_raw_cpu_revoke(self->fd, self->id, 1, 60000));
	/* Closing the environment cancels it (teardown would hang otherwise). */
}

/* ---- directed yield ------------------------------------------------------------ */

static int cpu_donee(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	int fd = exo_raw_env();

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(3, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	/* It holds no slot: only a donation can wake it. */
	EXO_CHILD_CHECK(4, !exo_raw_cpu_wait(fd, 30000, &wake));
	EXO_CHILD_CHECK(5, !cpu_report(tx, CPU_R_WAKE, wake.slot, wake.donor,
				       (__u64)wake.reason << 32));
	EXO_CHILD_CHECK(6, !exo_raw_cpu_yield(fd, 0, NULL));
	return 0;
}

TEST_F(cpu, directed_yield_wakes_the_target_as_donation)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu };
	struct exo_peer peer = { .pid = -1 };
	struct exo_cpu_wake wake;
	struct cpu_report r;
	__u64 target;
	int err, i;

	ASSERT_EQ(0, exo_peer_start(&peer, cpu_donee, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	target = r.b;
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_yield(self->fd, self->id, NULL));
	ASSERT_EQ(ESRCH, exo_raw_cpu_yield(self->fd, 1ULL << 62, NULL));
	/* No slots, so no turn: nothing to give. */
	ASSERT_EQ(ENOENT, exo_raw_cpu_yield(self->fd, target, NULL));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 4, 16));
	/* In a turn, once the target waits; a turn that ran out is ENOENT. */
	for (i = 0, err = EAGAIN; i < 20 && err; i++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		err = exo_raw_cpu_yield(self->fd, target, NULL);
		ASSERT_TRUE(!err || err == EAGAIN || err == ENOENT);
	}
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_WAKE, r.kind);
	ASSERT_EQ((__u64)EXO_CPU_WAKE_DONATED, r.c >> 32);
	ASSERT_EQ(self->id, r.b);
	ASSERT_EQ(wake.slot, r.a);
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

/*
 * Holds no slot; takes each donated turn and runs past its end (which the
 * donor's slot decided) by four grace periods before it waits again.
 */
static int cpu_lazy_donee(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	struct exo_cpu_info ci;
	int fd = exo_raw_env(), i;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_info(fd, pa->cpu, &ci));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(4, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	for (i = 0; i < pa->wakes; i++) {
		EXO_CHILD_CHECK(5, !exo_raw_cpu_wait(fd, 30000, &wake));
		EXO_CHILD_CHECK(6, wake.reason == EXO_CPU_WAKE_DONATED);
		while (cpu_mono_ns() < wake.end_ns + 4 * ci.grace_ns)
			;
	}
	EXO_CHILD_CHECK(7, !exo_raw_cpu_info(fd, pa->cpu, &ci));
	EXO_CHILD_CHECK(8, !cpu_report(tx, CPU_R_DONE, ci.excess, 0, 0));
	EXO_CHILD_CHECK(9, !exo_raw_cpu_yield(fd, 0, NULL));
	return 0;
}

/*
 * A donated turn ends at the donor's slot boundary, which the donee did
 * not choose: it must not be charged as the donee's excess, or a donor
 * could get any environment aborted by giving it turns.
 */
TEST_F_TIMEOUT(cpu, donated_turns_are_not_charged, 120)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu };
	struct exo_peer peer = { .pid = -1 };
	struct exo_cpu_wake wake;
	struct cpu_report r;
	__u64 target;
	int given = 0, tries, err;

	CPU_RELOAD("nslots=8 quantum_us=20000 grace_us=5000 max_excess=3");
	pa.wakes = self->ci.max_excess + 2;
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_lazy_donee, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	target = r.b;
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 2, 4));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	for (tries = 0; given < pa.wakes && tries < 200; tries++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		err = exo_raw_cpu_yield(self->fd, target, NULL);
		/* ESRCH: the donee was aborted, as the charge once did. */
		if (err == ESRCH)
			break;
		/* EAGAIN: the donee is still running off its last turn. */
		ASSERT_TRUE(!err || err == EAGAIN || err == ENOENT)
			TH_LOG("yield to the donee: %s", strerror(err));
		given += !err;
	}
	ASSERT_EQ(pa.wakes, given) TH_LOG("the donee is gone after %d turns", given);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	ASSERT_EQ(0, cpu_read_report(peer.from, &r)) TH_LOG("the donee died");
	ASSERT_EQ(CPU_R_DONE, r.kind);
	EXPECT_EQ(0U, r.a) TH_LOG("the donee was charged %u excesses", r.a);
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
}

/*
 * Owns slot pa->first and spins at SCHED_FIFO through each of its turns,
 * waiting again only when the turn is over: the next owner at its worst.
 */
static int cpu_next_spinner(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	int fd = exo_raw_env(), i;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 1, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(4, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	for (i = 0; i < pa->wakes; i++) {
		EXO_CHILD_CHECK(5, !exo_raw_cpu_wait(fd, 30000, &wake));
		while (cpu_mono_ns() < wake.end_ns)
			;
	}
	EXO_CHILD_CHECK(6, !exo_raw_cpu_yield(fd, 0, NULL));
	return 0;
}

/*
 * A thread whose turn ends while it sleeps owes a yield within grace_us
 * of the boundary. If the next slot's owner spins at SCHED_FIFO from that
 * boundary on, the sleeper, demoted, never got the CPU to answer and was
 * charged (three times: aborted). In its grace window it now runs above
 * the next turn, and answers in time.
 */
TEST_F_TIMEOUT(cpu, owed_yield_runs_in_grace_window, 120)
{
	struct cpu_peer_arg pa = { .cpu = self->cpu, .first = 1 };
	struct exo_peer peer = { .pid = -1 };
	struct exo_cpu_wake wake;
	struct exo_cpu_info ci;
	struct cpu_report r;
	struct timespec ts;
	__u64 wake_at;
	int i;

	/* Long slots, so that a slow host is not mistaken for starvation. */
	CPU_RELOAD("nslots=4 quantum_us=100000 grace_us=80000 max_excess=3");
	pa.wakes = self->ci.max_excess + 2;
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_next_spinner, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	for (i = 0; i < pa.wakes; i++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		/* Asleep across the boundary; awake a tenth into grace. */
		wake_at = wake.end_ns + self->ci.grace_ns / 10;
		ts.tv_sec = wake_at / 1000000000ULL;
		ts.tv_nsec = wake_at % 1000000000ULL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
	}
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &ci));
	EXPECT_EQ(0U, ci.excess) TH_LOG("charged %u excesses in %d turns",
					ci.excess, pa.wakes);
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
}

/* Hands every turn it gets straight back to the environment in pa->first. */
struct cpu_pong_arg {
	int cpu;
	__u64 partner;
	int rounds;
};

static int cpu_pong(int rx, int tx, void *arg)
{
	struct cpu_pong_arg *pa = arg;
	struct exo_cpu_wake wake;
	int fd = exo_raw_env(), i;

	(void)rx;
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(3, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	for (i = 0; i < pa->rounds; i++) {
		EXO_CHILD_CHECK(4, !exo_raw_cpu_wait_donate(fd, pa->partner, 30000,
							   &wake));
		EXO_CHILD_CHECK(5, !cpu_report(tx, CPU_R_WAKE, wake.slot, wake.donor,
					       (__u64)wake.reason << 32));
	}
	EXO_CHILD_CHECK(6, !exo_raw_cpu_yield(fd, 0, NULL));
	return 0;
}

/*
 * A donation lasts to the end of the slot it was made in. A hand-back that
 * comes after that boundary is lost, and the boundary wakes us with our
 * own slot instead: every loss is one SLOT wake after the ping-pong began.
 */
TEST_F(cpu, wait_donate_hands_the_cpu_back_and_forth)
{
	struct cpu_pong_arg pa = { .cpu = self->cpu, .rounds = 10 };
	struct exo_peer peer = { .pid = -1 };
	int i, err, back = 0, got = 0, boundaries = 0;
	struct exo_cpu_wake wake;
	struct cpu_report r;
	__u64 partner;

	/* Slots long against a hand-back, so that few are lost. */
	CPU_RELOAD("quantum_us=50000");
	pa.cpu = self->cpu;
	pa.partner = self->id;
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_pong, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	partner = r.b;
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 0, 4, 16));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(EINVAL, exo_raw_cpu_wait_donate(self->fd, self->id, 10, &wake));
	ASSERT_EQ(ESRCH, exo_raw_cpu_wait_donate(self->fd, 1ULL << 62, 10,
						 &wake));
	for (i = 0; i < 2000 && got < pa.rounds; i++) {
		err = exo_raw_cpu_wait_donate(self->fd, partner, 200, &wake);
		if (err == EAGAIN)
			usleep(100);
		else if (err != ETIMEDOUT)
			ASSERT_EQ(0, err);
		/* Its report of a turn is written before that turn can end. */
		while (got < pa.rounds && exo_poll1(peer.from, POLLIN, 0) > 0) {
			ASSERT_EQ(0, cpu_read_report(peer.from, &r));
			ASSERT_EQ(CPU_R_WAKE, r.kind);
			ASSERT_EQ((__u64)EXO_CPU_WAKE_DONATED, r.c >> 32);
			ASSERT_EQ(self->id, r.b);
			got++;
		}
		if (!err && wake.reason == EXO_CPU_WAKE_DONATED) {
			ASSERT_EQ(partner, wake.donor);
			back++;
		} else if (!err) {
			ASSERT_EQ(EXO_CPU_WAKE_SLOT, wake.reason);
			boundaries += got > 0;
		}
	}
	TH_LOG("%d of %d hand-backs came back, %d slot boundaries crossed",
	       back, pa.rounds - 1, boundaries);
	/* Its ten turns all came from us; all but its last can come back. */
	ASSERT_EQ(pa.rounds, got);
	ASSERT_GE(pa.rounds - 1, back);
	/* Each one lost is a boundary, and most came back. */
	ASSERT_LE(pa.rounds - 1, back + boundaries);
	ASSERT_LE(pa.rounds / 2, back);
	ASSERT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

TEST_F(cpu, vector_share_gives_unbooked_slots)
{
	struct exo_cpu_wake wake;
	int i;

	CPU_RELOAD("policy=vector-share nslots=8 quantum_us=20000");
	ASSERT_STREQ("vector-share", self->ci.policy);
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0,
				      EXO_CPU_BIND_SHARE));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
		ASSERT_EQ(EXO_CPU_WAKE_SHARED, wake.reason);
	}
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));
}

/* ---- libexo's user-level threads ------------------------------------------------ */

static volatile unsigned long long cpu_uth_work[3];

static void cpu_uth_counter(void *arg)
{
	volatile unsigned long long *w = arg;

	for (;;) {
		(*w)++;
		exo_uthread_check();
	}
}

static void cpu_uth_short(void *arg)
{
	(*(volatile unsigned long long *)arg)++;
}

/*
 * Shares far enough apart that a schedule ignoring tickets is caught: over
 * STRIDE_MIN_QUANTA quanta, round-robin gives thread 0 a third, where its
 * share is three quarters.
 */
#define STRIDE_NTHREADS		3
#define STRIDE_TURNS		48
#define STRIDE_MIN_QUANTA	24
#define STRIDE_SLACK		2	/* quanta off its share, at most */

static const unsigned int stride_tickets[STRIDE_NTHREADS] = { 6, 1, 1 };

/* Each thread within STRIDE_SLACK quanta of total * tickets / all. */
static bool stride_shares_ok(const unsigned long long *q, int n,
			     const unsigned int *tickets)
{
	unsigned long long total = 0, all = 0;
	int i;

	for (i = 0; i < n; i++) {
		total += q[i];
		all += tickets[i];
	}
	for (i = 0; i < n; i++)
		if (llabs((long long)(q[i] * all) - (long long)(total * tickets[i])) >
		    (long long)(STRIDE_SLACK * all))
			return false;
	return true;
}

/* What round-robin gives @n threads over @total quanta. */
static void round_robin_quanta(unsigned long long total, int n,
			       unsigned long long *q)
{
	int i;

	for (i = 0; i < n; i++)
		q[i] = total / n + ((unsigned long long)i < total % n);
}

/* What an ideal stride scheduler gives (least pass first, ties to the lowest). */
static void stride_model_quanta(unsigned long long total, int n,
				const unsigned int *tickets,
				unsigned long long *q)
{
	unsigned long long pass[STRIDE_NTHREADS] = { 0 }, k;
	int i, best;

	for (i = 0; i < n; i++)
		q[i] = 0;
	for (k = 0; k < total; k++) {
		best = 0;
		for (i = 1; i < n; i++)
			if (pass[i] < pass[best])
				best = i;
		pass[best] += (1ULL << 20) / tickets[best];
		q[best]++;
	}
}

/* The assertion below tells stride scheduling from round-robin. */
TEST(stride_check_rejects_round_robin)
{
	unsigned long long q[STRIDE_NTHREADS], total;

	for (total = STRIDE_MIN_QUANTA; total <= 4 * STRIDE_TURNS; total++) {
		round_robin_quanta(total, STRIDE_NTHREADS, q);
		ASSERT_FALSE(stride_shares_ok(q, STRIDE_NTHREADS, stride_tickets))
			TH_LOG("round-robin passes over %llu quanta", total);
		stride_model_quanta(total, STRIDE_NTHREADS, stride_tickets, q);
		ASSERT_TRUE(stride_shares_ok(q, STRIDE_NTHREADS, stride_tickets))
			TH_LOG("stride scheduling fails over %llu quanta", total);
	}
}

TEST_F(cpu, stride_scheduler_shares_by_tickets)
{
	unsigned long long q[STRIDE_NTHREADS], total = 0;
	struct exo_uthreads *u;
	struct exo *exo;
	int i;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	ASSERT_EQ(0, exo_cpu_book(exo, self->cpu, 0, self->ci.nslots / 2, 2));
	u = exo_uthreads_create(exo, self->cpu);
	ASSERT_NE(NULL, u);
	ASSERT_EQ(-EINVAL, exo_uthread_spawn(u, cpu_uth_counter, NULL, 0));
	for (i = 0; i < STRIDE_NTHREADS; i++)
		ASSERT_EQ(i, exo_uthread_spawn(u, cpu_uth_counter,
					      (void *)&cpu_uth_work[i],
					      stride_tickets[i]));
	ASSERT_EQ(0, exo_uthreads_run(u, STRIDE_TURNS));
	for (i = 0; i < STRIDE_NTHREADS; i++) {
		q[i] = exo_uthread_quanta(u, i);
		total += q[i];
		ASSERT_LT(0ULL, cpu_uth_work[i]);
	}
	/* Some turns may be over before we ran; enough must be left. */
	ASSERT_LE((unsigned long long)STRIDE_MIN_QUANTA, total);
	EXPECT_TRUE(stride_shares_ok(q, STRIDE_NTHREADS, stride_tickets)) {
		for (i = 0; i < STRIDE_NTHREADS; i++)
			TH_LOG("thread %d: %llu of %llu quanta, %u tickets", i,
			       q[i], total, stride_tickets[i]);
	}
	/* A thread that returns is done and gets nothing more. */
	ASSERT_EQ(3, exo_uthread_spawn(u, cpu_uth_short, (void *)&cpu_uth_work[0],
				       1));
	ASSERT_EQ(0, exo_uthreads_run(u, 2));
	ASSERT_EQ(1ULL, exo_uthread_quanta(u, 3));
	exo_uthreads_destroy(u);
	exo_close(exo);
}

/* ---- CPU hotplug -------------------------------------------------------- */

/* A thread bound with no slots of its own: it sleeps in WAIT until its CPU goes. */
struct cpu_sleeper {
	int fd, cpu;
	pid_t tid;
	int bind_err, wait_err, unbind_err, policy;
	cpu_set_t mask;
};

static void *cpu_sleeper_main(void *arg)
{
	struct cpu_sleeper *t = arg;
	struct exo_cpu_wake wake;

	__atomic_store_n(&t->tid, gettid(), __ATOMIC_RELEASE);
	t->bind_err = exo_raw_cpu_bind(t->fd, t->cpu, 0, 0);
	if (t->bind_err)
		return NULL;
	t->wait_err = exo_raw_cpu_wait(t->fd, 120000, &wake);
	t->policy = cpu_policy();
	sched_getaffinity(0, sizeof(t->mask), &t->mask);
	t->unbind_err = exo_raw_cpu_unbind(t->fd);
	return NULL;
}

/*
 * A libOS with half the vector and a thread that runs its turns to their
 * end: the CPU is likely to go while its turn runs at SCHED_FIFO. It
 * reports each exo event it gets and how its wait loop ended.
 */
static int cpu_half_vector_peer(int rx, int tx, void *arg)
{
	struct cpu_peer_arg *pa = arg;
	struct exo_cpu_wake wake;
	struct exo_event ev;
	int fd = exo_raw_env(), err, turns = 0;
	char go;

	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, !exo_raw_cpu_book(fd, pa->cpu, pa->first, 32, 1));
	EXO_CHILD_CHECK(3, !exo_raw_cpu_bind(fd, pa->cpu, 0, 0));
	EXO_CHILD_CHECK(4, !exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake));
	EXO_CHILD_CHECK(5, !cpu_report(tx, CPU_R_READY, 0, exo_raw_env_id(fd), 0));
	do {
		/* Its turn, run to 2 ms before the end. */
		while (cpu_mono_ns() + 2000000 < wake.end_ns)
			;
		turns++;
		err = exo_raw_cpu_wait(fd, CPU_WAIT_MS, &wake);
	} while (!err);
	/* ENODEV asleep in WAIT; EINVAL if unbound while in its turn. */
	cpu_report(tx, CPU_R_DONE, err, cpu_policy(), turns);
	/* Up to the offline record, then whatever else came (nothing should). */
	while (!exo_raw_event_wait(fd, 5000, &ev)) {
		cpu_report(tx, CPU_R_EVENT, ev.type,
			   ev.data[0] | ev.data[1] << 16 | ev.data[2] << 32, 0);
		if (ev.type == EXO_EVENT_CPU_OFFLINE)
			break;
	}
	while (!exo_raw_event_wait(fd, 200, &ev))
		cpu_report(tx, CPU_R_EVENT, ev.type,
			   ev.data[0] | ev.data[1] << 16 | ev.data[2] << 32, 0);
	cpu_report(tx, CPU_R_DONE, 0, 0, 0);
	/* Its environment stays open until the parent has looked. */
	return read(rx, &go, 1) == 1 ? 0 : 9;
}

/* The exo_cpu worker thread of @cpu, or -1. */
static pid_t cpu_worker_pid(int cpu)
{
	char want[32], path[300], *comm;
	struct dirent *de;
	pid_t found = -1;
	DIR *dir;

	snprintf(want, sizeof(want), "exo_cpu/%d\n", cpu);
	dir = opendir("/proc");
	if (!dir)
		return -1;
	while (found < 0 && (de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		comm = exo_file_slurp(path);
		if (comm && !strcmp(comm, want))
			found = atoi(de->d_name);
		free(comm);
	}
	closedir(dir);
	return found;
}

/* Whether debugfs shows environment @id's turn running on @cpu now. */
static bool cpu_turn_of(int cpu, __u64 id)
{
	char *buf = exo_file_slurp(EXO_CPU_STATUS_PATH), *line;
	unsigned long long slot, runner;
	bool found = false;
	unsigned int seen;

	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (sscanf(line, "cpu %u slot %llu runner %llu", &seen, &slot,
			   &runner) == 3 && (int)seen == cpu)
			found = runner == id;
	free(buf);
	return found;
}

/* The CPU_OFFLINE record @fd got, packed as data[0] | [1] << 16 | [2] << 32. */
static int cpu_offline_record(int fd, __u64 *packed)
{
	struct exo_event ev;
	int err;

	while (!(err = exo_raw_event_wait(fd, 5000, &ev))) {
		if (ev.type == EXO_EVENT_CPU_OFFLINE) {
			*packed = ev.data[0] | ev.data[1] << 16 | ev.data[2] << 32;
			return 0;
		}
	}
	return err;
}

#define CPU_PACK(cpu, taken, bound) \
	((__u64)(cpu) | (__u64)(taken) << 16 | (__u64)(bound) << 32)

/*
 * A managed CPU that goes offline takes its slots and bound threads from
 * every environment, visibly and without an abort: a thread asleep in
 * WAIT (this process, no slots), slots without a thread (a second fd) and
 * a libOS whose thread is likely in its turn at SCHED_FIFO (a peer). While
 * it is away BOOK and BIND are ENODEV; back, its vector works again and
 * its worker is pinned to it again.
 */
TEST_F_TIMEOUT(cpu, offline_cpu_revokes_its_slots_visibly, 180)
{
	struct cpu_sleeper sleeper = { .fd = self->fd, .cpu = self->cpu };
	struct cpu_peer_arg pa = { .cpu = self->cpu, .first = 16 };
	struct exo_peer peer = { .pid = -1 };
	const struct exo_cpu_page *page;
	__u32 index = cpu_index_of(&self->ci, self->cpu);
	struct exo_cpu_wake wake;
	struct exo_cpu_info ci;
	struct cpu_report r;
	bool peer_offline = false, peer_aborted = false;
	__u64 rec, peer_id;
	cpu_set_t mask;
	pthread_t th;
	pid_t worker;
	int other, i;

	if (geteuid())
		SKIP(return, "taking a CPU offline needs root");
	worker = cpu_worker_pid(self->cpu);
	ASSERT_LT(0, worker);
	other = exo_raw_env();
	ASSERT_LE(0, other);
	page = cpu_page_map(self->fd);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &ci));
	ASSERT_EQ(self->ci.cpus, ci.online);
	ASSERT_EQ(0U, cpu_page_read(page, index, NULL).offline);

	ASSERT_EQ(0, exo_raw_cpu_book(other, self->cpu, 0, 4, 1));
	ASSERT_EQ(0, exo_peer_start(&peer, cpu_half_vector_peer, &pa));
	self->kids[0] = peer.pid;
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_READY, r.kind);
	peer_id = r.b;
	ASSERT_EQ(0, pthread_create(&th, NULL, cpu_sleeper_main, &sleeper));
	while (!__atomic_load_n(&sleeper.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_TRUE(exo_wait_sleeping_in(getpid(), sleeper.tid, SYS_ioctl));
	/* The harder case: the CPU goes while the peer's FIFO turn runs. */
	for (i = 0; i < 500 && !cpu_turn_of(self->cpu, peer_id); i++)
		usleep(10000);

	self->offline_cpu = self->cpu + 1;
	ASSERT_EQ(0, cpu_set_online(self->cpu, false));
	ASSERT_EQ(0, pthread_join(th, NULL));
	/* The sleeper: woken unbound, SCHED_NORMAL, off the CPU. */
	EXPECT_EQ(0, sleeper.bind_err);
	EXPECT_EQ(ENODEV, sleeper.wait_err);
	EXPECT_EQ(SCHED_OTHER, sleeper.policy);
	EXPECT_FALSE(CPU_ISSET(self->cpu, &sleeper.mask));
	EXPECT_EQ(EINVAL, sleeper.unbind_err);
	/* Each environment was told what it lost there. */
	ASSERT_EQ(0, cpu_offline_record(self->fd, &rec));
	EXPECT_EQ(CPU_PACK(self->cpu, 0, 1), rec);
	ASSERT_EQ(0, cpu_offline_record(other, &rec));
	EXPECT_EQ(CPU_PACK(self->cpu, 4, 0), rec);
	ASSERT_EQ(0, cpu_read_report(peer.from, &r));
	ASSERT_EQ(CPU_R_DONE, r.kind);
	EXPECT_TRUE(r.a == ENODEV || r.a == EINVAL) TH_LOG("peer's WAIT: %u", r.a);
	EXPECT_EQ((__u64)SCHED_OTHER, r.b);
	TH_LOG("the peer ran %llu turns; its wait ended in %s", (unsigned long long)r.c,
	       r.a == ENODEV ? "WAIT (ENODEV)" : "its turn (EINVAL)");
	while (!cpu_read_report(peer.from, &r) && r.kind == CPU_R_EVENT) {
		if (r.a == EXO_EVENT_CPU_OFFLINE) {
			EXPECT_EQ(CPU_PACK(self->cpu, 32, 1), r.b);
			peer_offline = true;
		}
		peer_aborted |= r.a == EXO_EVENT_CPU_ABORT ||
				r.a == EXO_EVENT_CPU_EXCESS;
	}
	EXPECT_TRUE(peer_offline);
	EXPECT_FALSE(peer_aborted);
	/* Away: nothing booked, nothing bookable, nothing bindable. */
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &ci));
	EXPECT_EQ(self->ci.cpus & ~(1ULL << self->cpu), ci.online);
	EXPECT_EQ(ci.nslots, ci.free_slots);
	EXPECT_EQ(1U, cpu_page_read(page, index, NULL).offline);
	EXPECT_EQ(ENODEV, exo_raw_cpu_book(other, self->cpu, 0, 1, 1));
	EXPECT_EQ(ENODEV, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(mask), &mask));
	EXPECT_FALSE(CPU_ISSET(self->cpu, &mask));

	ASSERT_EQ(0, cpu_set_online(self->cpu, true));
	self->offline_cpu = 0;
	/* Back: empty, bookable, bindable, and turns come again. */
	ASSERT_EQ(0, exo_raw_cpu_info(self->fd, self->cpu, &ci));
	EXPECT_EQ(self->ci.cpus, ci.online);
	EXPECT_EQ(0U, cpu_page_read(page, index, NULL).offline);
	EXPECT_EQ(ci.nslots, ci.free_slots);
	ASSERT_EQ(0, sched_getaffinity(worker, sizeof(mask), &mask));
	EXPECT_EQ(1, CPU_COUNT(&mask));
	EXPECT_TRUE(CPU_ISSET(self->cpu, &mask));
	ASSERT_EQ(0, exo_raw_cpu_book(other, self->cpu, 0, 4, 1));
	ASSERT_EQ(0, exo_raw_cpu_book(self->fd, self->cpu, 8, 1, 1));
	ASSERT_EQ(0, exo_raw_cpu_bind(self->fd, self->cpu, 0, 0));
	ASSERT_EQ(0, exo_raw_cpu_wait(self->fd, CPU_WAIT_MS, &wake));
	EXPECT_EQ((__u32)EXO_CPU_WAKE_SLOT, wake.reason);
	EXPECT_EQ(8U, wake.slot);
	EXPECT_EQ(self->cpu, sched_getcpu());
	ASSERT_EQ(0, exo_raw_cpu_unbind(self->fd));

	ASSERT_EQ(1, write(peer.to, "x", 1));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	self->kids[0] = 0;
	close(other);
	munmap((void *)page, EXO_PAGE);
}

TEST_HARNESS_MAIN
