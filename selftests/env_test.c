// SPDX-License-Identifier: GPL-2.0
/*
 * Environments: what ENV_INFO says about the caller, ids, ownership by the
 * opening process, and teardown on close or death (checked against the
 * counters in /sys/kernel/debug/exo/status). Also libexo's exo_open().
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <exo/exo.h>

#include "exo_test_util.h"

static __u64 exo_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

FIXTURE(env) {
	int fd;
	bool debugfs;
	unsigned long long base_live, base_created;
};

FIXTURE_SETUP(env)
{
	self->fd = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->debugfs = exo_debugfs_mounted();
	if (self->debugfs) {
		ASSERT_EQ(0, exo_status_value("envs_live", &self->base_live));
		ASSERT_EQ(0, exo_status_value("envs_created",
					      &self->base_created));
	}
}

FIXTURE_TEARDOWN(env)
{
	if (self->fd >= 0)
		close(self->fd);
	/* A test that lowered the cap and failed must not leave it low. */
	exo_kmod_param_set("envs_per_user", 1024);
}

/* Environments of uid @uid that the debugfs status file lists. */
static int env_lines_of_uid(uid_t uid)
{
	char *buf = exo_status_slurp(), *line, *save, want[32];
	int n = 0;

	if (!buf)
		return -1;
	snprintf(want, sizeof(want), " uid %u ", uid);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "env ", 4) && strstr(line, want))
			n++;
	free(buf);
	return n;
}

static unsigned long long exo_live(struct __test_metadata *_metadata)
{
	unsigned long long v = 0;

	EXPECT_EQ(0, exo_status_value("envs_live", &v));
	return v;
}

TEST_F(env, info_describes_caller)
{
	struct exo_env_info info;
	__u64 before, after;

	before = exo_boottime_ns();
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	after = exo_boottime_ns();

	EXPECT_EQ(sizeof(info), info.argsz);
	EXPECT_EQ(0U, info.flags);
	EXPECT_NE(0U, info.env_id);
	EXPECT_EQ((__u32)getpid(), info.owner_tgid);
	EXPECT_EQ((__u32)getuid(), info.owner_uid);
	EXPECT_LT(0U, info.created_ns);
	EXPECT_LE(before, info.created_ns);
	EXPECT_GE(after, info.created_ns);
	EXPECT_EQ(0U, info.events_posted);
	EXPECT_EQ(0U, info.events_read);
	EXPECT_EQ(0U, info.events_lost);
	EXPECT_EQ(0U, info.events_pending);
	EXPECT_EQ(0U, info.reserved);
	EXPECT_EQ(0U, info.frames);
	EXPECT_EQ(0U, info.slots);
	EXPECT_EQ(0U, info.filters);
	EXPECT_EQ(0U, info.blocks);
}

TEST_F(env, ids_distinct_and_increasing)
{
	struct exo_env_info a, b, c;
	int fa, fb, fc;

	fa = exo_raw_env();
	ASSERT_LE(0, fa);
	fb = exo_raw_env();
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, exo_raw_info(fa, &a));
	ASSERT_EQ(0, exo_raw_info(fb, &b));
	EXPECT_NE(a.env_id, b.env_id);
	EXPECT_LT(a.env_id, b.env_id);
	EXPECT_LE(a.created_ns, b.created_ns);
	close(fa);
	close(fb);

	/* Ids are not reused once freed. */
	fc = exo_raw_env();
	ASSERT_LE(0, fc);
	ASSERT_EQ(0, exo_raw_info(fc, &c));
	EXPECT_LT(b.env_id, c.env_id);
	close(fc);
}

/* Ids are given at open, not at the handshake. */
TEST_F(env, id_given_at_open)
{
	struct exo_env_info a, b;
	int fa, fb;

	fa = exo_raw_open();
	ASSERT_LE(0, fa);
	fb = exo_raw_env();
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, exo_raw_api(fa, NULL));
	ASSERT_EQ(0, exo_raw_info(fa, &a));
	ASSERT_EQ(0, exo_raw_info(fb, &b));
	EXPECT_LT(a.env_id, b.env_id);
	close(fa);
	close(fb);
}

TEST_F_TIMEOUT(env, open_close_1000_cycles, 300)
{
	unsigned long long live, created;
	int i, fd;

	if (!self->debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	for (i = 0; i < 1000; i++) {
		fd = exo_raw_env();
		ASSERT_LE(0, fd) {
			TH_LOG("cycle %d: %s", i, strerror(-fd));
		}
		ASSERT_EQ(0, close(fd));
	}
	ASSERT_EQ(0, exo_status_value("envs_live", &live));
	ASSERT_EQ(0, exo_status_value("envs_created", &created));
	EXPECT_EQ(self->base_live, live);
	EXPECT_EQ(self->base_created + 1000, created);
}

/* envs_live agrees with the number of "env" lines. */
TEST_F(env, debugfs_live_matches_lines)
{
	unsigned long long live;
	int fds[3], i, lines = 0;
	char *buf, *line;

	if (!self->debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	for (i = 0; i < 3; i++) {
		fds[i] = exo_raw_env();
		ASSERT_LE(0, fds[i]);
	}
	buf = exo_status_slurp();
	ASSERT_NE(NULL, buf);
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, "env ", 4))
			lines++;
	free(buf);
	ASSERT_EQ(0, exo_status_value("envs_live", &live));
	EXPECT_EQ(self->base_live + 3, live);
	EXPECT_EQ((int)live, lines);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	EXPECT_EQ(self->base_live, exo_live(_metadata));
}

TEST_F(env, forked_child_gets_eperm)
{
	struct exo_env_info info;
	struct exo_event ev;
	int fresh, status;
	pid_t pid;

	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 7));
	/* A second environment the child sees before its handshake. */
	fresh = exo_raw_open();
	ASSERT_LE(0, fresh);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct exo_event_raise raise = { .argsz = sizeof(raise) };
		struct exo_env_info cinfo = { .argsz = sizeof(cinfo) };
		struct exo_api api = {
			.argsz = sizeof(api),
			.api_version = EXO_API_VERSION,
		};
		struct exo_event cev;

		EXO_CHILD_CHECK(1, exo_ioc(self->fd, EXO_IOC_API, &api) == EPERM);
		EXO_CHILD_CHECK(2, exo_ioc(self->fd, EXO_IOC_ENV_INFO, &cinfo) == EPERM);
		EXO_CHILD_CHECK(3, exo_ioc(self->fd, EXO_IOC_NOP, NULL) == EPERM);
		EXO_CHILD_CHECK(4, exo_ioc(self->fd, EXO_IOC_EVENT_RAISE, &raise) == EPERM);
		EXO_CHILD_CHECK(5, exo_raw_read(self->fd, &cev, sizeof(cev)) == -EPERM);
		EXO_CHILD_CHECK(6, exo_poll1(self->fd, POLLIN, 0) & POLLERR);
		/* ENOTTY comes first: the command is not ours at all. */
		EXO_CHILD_CHECK(7, exo_ioc(self->fd, _IO(EXO_IOC_MAGIC, 0x7f), NULL) == ENOTTY);
		/* Not even the handshake on an fd that never had one. */
		EXO_CHILD_CHECK(8, exo_ioc(fresh, EXO_IOC_API, &api) == EPERM);
		EXO_CHILD_CHECK(9, exo_ioc(fresh, EXO_IOC_NOP, NULL) == EPERM);
		/* Its own open is its own environment. */
		{
			int own = exo_raw_env();

			EXO_CHILD_CHECK(10, own >= 0);
			EXO_CHILD_CHECK(11, exo_raw_info(own, &cinfo) == 0);
			EXO_CHILD_CHECK(12, cinfo.owner_tgid == (__u32)getpid());
			close(own);
		}
		_exit(0);
	}
	status = exo_wait_child(pid);
	EXPECT_EQ(0, status);

	/* The parent keeps working, and nothing the child did landed. */
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NOP, NULL));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ((__u32)getpid(), info.owner_tgid);
	EXPECT_EQ(1U, info.events_posted);
	EXPECT_EQ(1U, info.events_pending);
	EXPECT_EQ((ssize_t)sizeof(ev), exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(7U, ev.data[0]);
	EXPECT_EQ(0, exo_poll1(self->fd, POLLIN, 0));
	EXPECT_EQ(0, exo_raw_api(fresh, NULL));
	EXPECT_EQ(0, exo_ioc(fresh, EXO_IOC_NOP, NULL));
	close(fresh);
}

/* The environment lives until the last close, whoever holds it. */
TEST_F(env, last_close_destroys)
{
	struct exo_env_info info;
	int to_child[2], from_child[2];
	long tgid = 0;
	pid_t pid;

	if (!self->debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(from_child));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_child[1]);
		close(from_child[0]);
		EXO_CHILD_CHECK(1, exo_sync_send(from_child[1], 'r') == 0);
		/* Hold the inherited fd until told to go. */
		EXO_CHILD_CHECK(2, exo_sync_recv(to_child[0], NULL) == 0);
		_exit(0);
	}
	close(to_child[0]);
	close(from_child[1]);
	ASSERT_EQ(0, exo_sync_recv(from_child[0], NULL));

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(self->base_live + 1, exo_live(_metadata));
	EXPECT_EQ(1, exo_status_env(info.env_id, &tgid));
	EXPECT_EQ(getpid(), tgid);

	ASSERT_EQ(0, exo_sync_send(to_child[1], 'x'));
	EXPECT_EQ(0, exo_wait_child(pid));
	EXPECT_EQ(self->base_live, exo_live(_metadata));
	EXPECT_EQ(0, exo_status_env(info.env_id, NULL));
	close(to_child[1]);
	close(from_child[0]);
}

enum exo_kill_point {
	EXO_KILL_BEFORE_HANDSHAKE,
	EXO_KILL_AFTER_HANDSHAKE,
	EXO_KILL_EVENTS_PENDING,
	EXO_KILL_EVENTS_OVERFLOWED,
	EXO_KILL_BLOCKED_IN_READ,
	EXO_KILL_TWO_ENVS,
};

/*
 * A child opens environment(s), gets to @point and says so; SIGKILL it there
 * and check that every trace of it is gone from the status file.
 */
static void exo_kill_at(struct __test_metadata *_metadata, bool debugfs,
			unsigned long long base_live, enum exo_kill_point point)
{
	unsigned long long qlen = 0;
	int to_parent[2], hold[2];
	__u64 ids[4];
	int want = point == EXO_KILL_TWO_ENVS ? 2 : 1;
	pid_t pid;

	if (!debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	ASSERT_EQ(0, exo_status_value("event_queue_len", &qlen));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(hold));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct exo_env_info info;
		struct exo_event ev;
		unsigned long long i;
		int fd, fd2;

		close(to_parent[0]);
		close(hold[1]);
		fd = exo_raw_open();
		EXO_CHILD_CHECK(1, fd >= 0);
		if (point != EXO_KILL_BEFORE_HANDSHAKE)
			EXO_CHILD_CHECK(2, exo_raw_api(fd, NULL) == 0);
		if (point == EXO_KILL_EVENTS_PENDING)
			for (i = 0; i < 10; i++)
				EXO_CHILD_CHECK(3, exo_raw_raise(fd, i) == 0);
		if (point == EXO_KILL_EVENTS_OVERFLOWED) {
			for (i = 0; i < qlen + 10; i++)
				EXO_CHILD_CHECK(4, exo_raw_raise(fd, i) == 0);
			EXO_CHILD_CHECK(5, exo_raw_info(fd, &info) == 0);
			EXO_CHILD_CHECK(6, info.events_lost == 11);
		}
		if (point == EXO_KILL_TWO_ENVS) {
			fd2 = exo_raw_env();
			EXO_CHILD_CHECK(7, fd2 >= 0);
			EXO_CHILD_CHECK(8, exo_raw_raise(fd2, 1) == 0);
		}
		EXO_CHILD_CHECK(9, exo_sync_send(to_parent[1], 'r') == 0);
		if (point == EXO_KILL_BLOCKED_IN_READ)
			EXO_CHILD_CHECK(10, read(fd, &ev, sizeof(ev)) < 0);
		/* Nothing ever comes: wait here for SIGKILL. */
		EXO_CHILD_CHECK(11, read(hold[0], &ev, 1) < 0);
		_exit(99);
	}
	close(to_parent[1]);
	close(hold[0]);
	ASSERT_EQ(0, exo_sync_recv(to_parent[0], NULL));
	close(to_parent[0]);

	EXPECT_EQ(want, exo_status_envs_of(pid, ids, 4));
	EXPECT_EQ(base_live + want, exo_live(_metadata));
	if (point == EXO_KILL_BLOCKED_IN_READ)
		exo_wait_sleeping_in(pid, pid, SYS_read);

	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_wait_child(pid));
	close(hold[1]);

	EXPECT_EQ(base_live, exo_live(_metadata));
	EXPECT_EQ(0, exo_status_envs_of(pid, ids, 4));
}

TEST_F(env, sigkill_before_handshake)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_BEFORE_HANDSHAKE);
}

TEST_F(env, sigkill_after_handshake)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_AFTER_HANDSHAKE);
}

TEST_F(env, sigkill_events_pending)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_EVENTS_PENDING);
}

TEST_F_TIMEOUT(env, sigkill_events_overflowed, 300)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_EVENTS_OVERFLOWED);
}

TEST_F(env, sigkill_blocked_in_read)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_BLOCKED_IN_READ);
}

TEST_F(env, sigkill_two_envs)
{
	exo_kill_at(_metadata, self->debugfs, self->base_live, EXO_KILL_TWO_ENVS);
}

TEST_F(env, debugfs_lists_env)
{
	struct exo_env_info info;
	long tgid = 0;

	if (!self->debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(1, exo_status_env(info.env_id, &tgid));
	EXPECT_EQ(getpid(), tgid);
	EXPECT_EQ(self->base_live + 1, exo_live(_metadata));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, exo_status_env(info.env_id, NULL));
	EXPECT_EQ(self->base_live, exo_live(_metadata));
}

struct exo_thread_arg {
	int fd;
	int info_err, raise_err;
	ssize_t got;
	struct exo_env_info info;
	struct exo_event ev;
};

static void *exo_thread_use(void *p)
{
	struct exo_thread_arg *a = p;

	a->info_err = exo_raw_info(a->fd, &a->info);
	a->raise_err = exo_raw_raise(a->fd, 0x7777);
	a->got = exo_raw_read(a->fd, &a->ev, sizeof(a->ev));
	return NULL;
}

/* Ownership is by process: any thread of the opener may use the fd. */
TEST_F(env, other_thread_is_owner)
{
	struct exo_thread_arg a = { .fd = -1 };
	pthread_t th;

	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	a.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, exo_thread_use, &a));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, a.info_err);
	EXPECT_EQ((__u32)getpid(), a.info.owner_tgid);
	EXPECT_EQ(0, a.raise_err);
	EXPECT_EQ((ssize_t)sizeof(a.ev), a.got);
	EXPECT_EQ(0x7777U, a.ev.data[0]);
}

/* Two environments of one process do not share events. */
TEST_F(env, two_envs_are_separate)
{
	struct exo_env_info i1, i2;
	struct exo_event ev;
	int f1, f2;

	f1 = exo_raw_env_flags(O_NONBLOCK);
	ASSERT_LE(0, f1);
	f2 = exo_raw_env_flags(O_NONBLOCK);
	ASSERT_LE(0, f2);
	ASSERT_EQ(0, exo_raw_raise(f1, 0x1111));
	EXPECT_EQ(-EAGAIN, exo_raw_read(f2, &ev, sizeof(ev)));
	EXPECT_EQ(0, exo_poll1(f2, POLLIN, 0));
	ASSERT_EQ(0, exo_raw_info(f1, &i1));
	ASSERT_EQ(0, exo_raw_info(f2, &i2));
	EXPECT_EQ(1U, i1.events_posted);
	EXPECT_EQ(0U, i2.events_posted);
	ASSERT_EQ((ssize_t)sizeof(ev), exo_raw_read(f1, &ev, sizeof(ev)));
	EXPECT_EQ(i1.env_id, ev.env_id);
	EXPECT_EQ(0x1111U, ev.data[0]);
	close(f1);
	close(f2);
}

/* libexo's exo_open(): handshake done, fd flags as asked, options checked. */
TEST_F(env, libexo_open)
{
	struct exo_open_opts opts;
	struct {
		struct exo_open_opts o;
		char tail[16];
	} big;
	struct exo_env_info info;
	struct exo_api api;
	struct exo *exo;
	int fl;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	ASSERT_EQ(0, exo_api(exo, &api));
	EXPECT_EQ((__u32)EXO_API_VERSION, api.api_version);
	ASSERT_EQ(0, exo_env_info(exo, &info));
	EXPECT_EQ((__u32)getpid(), info.owner_tgid);
	fl = fcntl(exo_event_fd(exo), F_GETFD);
	EXPECT_TRUE(fl & FD_CLOEXEC);
	fl = fcntl(exo_event_fd(exo), F_GETFL);
	EXPECT_FALSE(fl & O_NONBLOCK);
	EXPECT_EQ(0, exo_nop(exo));
	exo_close(exo);

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.nonblock = 1;
	exo = exo_open(&opts);
	ASSERT_NE(NULL, exo);
	fl = fcntl(exo_event_fd(exo), F_GETFL);
	EXPECT_TRUE(fl & O_NONBLOCK);
	exo_close(exo);

	/* A newer caller's struct with a zero tail is fine ... */
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	exo = exo_open(&big.o);
	EXPECT_NE(NULL, exo);
	exo_close(exo);
	/* ... with something in the tail it is not. */
	big.tail[3] = 1;
	errno = 0;
	EXPECT_EQ(NULL, exo_open(&big.o));
	EXPECT_EQ(EINVAL, errno);
	/* sz 0 is not a size. */
	memset(&opts, 0, sizeof(opts));
	errno = 0;
	EXPECT_EQ(NULL, exo_open(&opts));
	EXPECT_EQ(EINVAL, errno);

	/* A missing node is ENOENT (quietly: the warning is expected). */
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.path = "/dev/exo-does-not-exist";
	exo_set_print(NULL);
	errno = 0;
	EXPECT_EQ(NULL, exo_open(&opts));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * An older caller whose exo_open_opts ends after @sz: exo_open() accepts
 * the size, so it must not read the fields the caller does not have. The
 * struct sits at the very end of a page with nothing mapped after it.
 */
TEST_F(env, libexo_open_opts_short_sz)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *map;
	pid_t pid;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		size_t *sz = (size_t *)(map + page - sizeof(size_t));
		struct exo *exo;

		*sz = sizeof(size_t);
		exo = exo_open((const struct exo_open_opts *)sz);
		/* Either accepted with defaults or refused, but no crash. */
		EXO_CHILD_CHECK(1, exo || errno == EINVAL);
		exo_close(exo);
		_exit(0);
	}
	EXPECT_EQ(0, exo_wait_child(pid)) {
		TH_LOG("exo_open() read past opts->sz (killed by signal)");
	}
	munmap(map, 2 * page);
}

/*
 * One uid may hold envs_per_user environments: each costs the kernel an
 * event queue and per-binding state. Past it, open() fails with EMFILE and
 * leaves nothing behind; a close makes room again.
 */
TEST_F(env, envs_per_user_both_sides)
{
	unsigned long long created, created_after;
	int mine, fds[4], extra, i;

	if (!self->debugfs)
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	ASSERT_EQ(1024, exo_kmod_param("envs_per_user"));
	mine = env_lines_of_uid(getuid());
	ASSERT_LE(0, mine);
	ASSERT_EQ(0, exo_kmod_param_set("envs_per_user", mine + 4));
	for (i = 0; i < 4; i++) {
		fds[i] = exo_raw_open_flags(0);
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(mine + 4, env_lines_of_uid(getuid()));
	ASSERT_EQ(0, exo_status_value("envs_created", &created));
	extra = exo_raw_open_flags(0);
	ASSERT_EQ(-EMFILE, extra);
	/* The refused open made no environment, not even briefly counted. */
	ASSERT_EQ(mine + 4, env_lines_of_uid(getuid()));
	ASSERT_EQ(0, exo_status_value("envs_created", &created_after));
	EXPECT_EQ(created, created_after);
	close(fds[3]);
	fds[3] = exo_raw_open_flags(0);
	ASSERT_LE(0, fds[3]);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	ASSERT_EQ(0, exo_kmod_param_set("envs_per_user", 1024));
	ASSERT_EQ(mine, env_lines_of_uid(getuid()));
}

TEST_HARNESS_MAIN
