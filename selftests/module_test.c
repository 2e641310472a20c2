// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading exo.ko: unload is refused while an environment is
 * open, everything the module made goes away with it and comes back with a
 * reload, and the module parameters are range-checked on both sides.
 *
 * Runs last: it loads and unloads the module itself, with finit_module(2)
 * and delete_module(2). The module comes from $EXO_KO (default
 * /exo/exo.ko). Every test leaves it loaded with default parameters.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <exo/exo.h>

#include "exo_test_util.h"

#define EXO_QLEN_DEFAULT	256
#define EXO_QLEN_MAX		65536

static bool exo_mod_defaults(void)
{
	return exo_kmod_param("event_queue_len") == EXO_QLEN_DEFAULT &&
	       exo_kmod_param("dev_mode") == 0600 &&
	       exo_kmod_param("dev_group") == 0;
}

/* Leave exo.ko loaded with its defaults, whatever the test did. */
static int exo_mod_restore(void)
{
	int err;

	if (exo_kmod_loaded()) {
		if (exo_mod_defaults())
			return 0;
		err = exo_kmod_unload();
		if (err)
			return err;
	}
	return exo_kmod_load("");
}

FIXTURE(module) {
	int fd;
	pid_t test_pid;		/* the process that runs setup and the test */
};

FIXTURE_SETUP(module)
{
	self->fd = -1;
	self->test_pid = getpid();
	if (geteuid() != 0)
		SKIP(return, "loading modules needs root");
	if (access(exo_kmod_path(), R_OK))
		SKIP(return, "%s is missing: set EXO_KO to the built exo.ko",
		     exo_kmod_path());
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	exo_set_print(NULL);
}

/*
 * In the parent, after the test's process is gone (and with it every fd it
 * held): that way it runs even when an ASSERT ended the test early. The
 * 6.12 harness can still run it in the test's own process after a failed
 * ASSERT (its "child" local does not survive the longjmp); then that
 * process's environments would hold the module, so let them go first.
 */
FIXTURE_TEARDOWN_PARENT(module)
{
	if (getpid() == self->test_pid)
		close_range(3, ~0U, 0);
	ASSERT_EQ(0, exo_mod_restore());
	ASSERT_TRUE(exo_dev_present());
}

static void exo_unload_ok(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, exo_kmod_unload());
	ASSERT_FALSE(exo_kmod_loaded());
}

TEST_F(module, unload_refused_while_env_open)
{
	int fresh;

	/* An fd without the handshake holds the module too. */
	fresh = exo_raw_open();
	ASSERT_LE(0, fresh);
	EXPECT_EQ(EWOULDBLOCK, exo_kmod_unload());
	EXPECT_TRUE(exo_dev_present());
	close(fresh);

	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	EXPECT_EQ(EWOULDBLOCK, exo_kmod_unload());
	EXPECT_TRUE(exo_dev_present());
	EXPECT_TRUE(exo_kmod_loaded());
	/* The environment did not notice. */
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NOP, NULL));
	close(self->fd);
	self->fd = -1;

	/* Once it is closed, unload goes through. */
	exo_unload_ok(_metadata);
}

TEST_F(module, unload_removes_everything_and_reload_restores)
{
	struct exo_monitor *mon;
	struct exo *exo;
	struct stat st;

	exo_unload_ok(_metadata);
	EXPECT_EQ(-1, stat(EXO_DEV_PATH, &st));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(NULL, exo_open(NULL));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	mon = exo_monitor_open();
	EXPECT_EQ(NULL, mon);
	EXPECT_EQ(ENOENT, errno);
	exo_monitor_close(mon);
	if (exo_debugfs_mounted())
		EXPECT_NE(0, access(EXO_DEBUGFS_ROOT "/exo", F_OK));

	ASSERT_EQ(0, exo_kmod_load(""));
	EXPECT_TRUE(exo_dev_present());
	EXPECT_TRUE(exo_mod_defaults());
	exo = exo_open(NULL);
	EXPECT_NE(NULL, exo);
	EXPECT_EQ(0, exo_nop(exo));
	exo_close(exo);
	mon = exo_monitor_open();
	EXPECT_NE(NULL, mon);
	EXPECT_EQ(0, exo_monitor_subscribe(mon));
	exo_monitor_close(mon);
	if (exo_debugfs_mounted())
		EXPECT_EQ(0, access(EXO_STATUS_PATH, R_OK));
}

/* Netlink sockets, subscribed or not, do not hold the module. */
TEST_F(module, unload_with_monitor_open)
{
	struct exo_monitor *mon;
	struct exo_event ev;
	int fd, ret;

	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	ASSERT_EQ(0, exo_monitor_subscribe(mon));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_raise(fd, 1));
	ASSERT_LE(0, exo_monitor_list_envs(mon, NULL, 0));
	close(fd);

	exo_unload_ok(_metadata);
	/* The socket is still usable for what is queued, and no more. */
	ret = exo_monitor_read(mon, &ev, 0);
	EXPECT_LE(0, ret);
	if (ret == 1)
		EXPECT_EQ(1U, ev.data[0]);
	exo_monitor_close(mon);
	ASSERT_EQ(0, exo_kmod_load(""));
}

static void exo_load_refused(struct __test_metadata *_metadata,
			     const char *params, int want)
{
	if (exo_kmod_loaded())
		exo_unload_ok(_metadata);
	EXPECT_EQ(want, exo_kmod_load(params)) {
		TH_LOG("finit_module(\"%s\")", params);
	}
	EXPECT_FALSE(exo_kmod_loaded());
	EXPECT_FALSE(exo_dev_present());
}

TEST_F(module, param_event_queue_len_1_refused)
{
	exo_load_refused(_metadata, "event_queue_len=1", EINVAL);
	exo_load_refused(_metadata, "event_queue_len=0", EINVAL);
}

TEST_F(module, param_event_queue_len_2)
{
	struct exo_env_info info;
	unsigned long long qlen = 0;
	struct exo_event ev[3];

	exo_unload_ok(_metadata);
	ASSERT_EQ(0, exo_kmod_load("event_queue_len=2"));
	EXPECT_EQ(2, exo_kmod_param("event_queue_len"));
	if (exo_debugfs_mounted()) {
		ASSERT_EQ(0, exo_status_value("event_queue_len", &qlen));
		EXPECT_EQ(2U, qlen);
	}

	self->fd = exo_raw_env_flags(O_NONBLOCK);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(0U, info.events_lost);
	EXPECT_EQ(1U, info.events_pending);
	/* The second event already overflows. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(1U, info.events_lost);
	EXPECT_EQ(2U, info.events_pending);
	ASSERT_EQ(2 * (ssize_t)sizeof(ev[0]), exo_raw_read(self->fd, ev, sizeof(ev)));
	EXPECT_EQ((__u32)EXO_EVENT_USER, ev[0].type);
	EXPECT_EQ(1U, ev[0].seq);
	EXPECT_EQ(1U, ev[0].data[0]);
	EXPECT_EQ((__u32)EXO_EVENT_OVERFLOW, ev[1].type);
	EXPECT_EQ(2U, ev[1].seq);
	EXPECT_EQ(1U, ev[1].data[0]);
}

TEST_F_TIMEOUT(module, param_event_queue_len_65536, 600)
{
	struct exo_env_info info;
	long i;

	exo_unload_ok(_metadata);
	ASSERT_EQ(0, exo_kmod_load("event_queue_len=65536"));
	EXPECT_EQ(EXO_QLEN_MAX, exo_kmod_param("event_queue_len"));

	/* Every environment gets the whole queue: 65535 fit, then overflow. */
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	for (i = 1; i < EXO_QLEN_MAX; i++)
		ASSERT_EQ(0, exo_raw_raise(self->fd, i));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ((__u32)(EXO_QLEN_MAX - 1), info.events_pending);
	EXPECT_EQ(0U, info.events_lost);
	ASSERT_EQ(0, exo_raw_raise(self->fd, EXO_QLEN_MAX));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ((__u32)EXO_QLEN_MAX, info.events_pending);
	EXPECT_EQ(1U, info.events_lost);
}

TEST_F(module, param_event_queue_len_65537_refused)
{
	exo_load_refused(_metadata, "event_queue_len=65537", EINVAL);
	exo_load_refused(_metadata, "event_queue_len=4294967295", EINVAL);
}

TEST_F(module, param_dev_mode_limits)
{
	struct stat st;

	exo_load_refused(_metadata, "dev_mode=01000", EINVAL);
	exo_load_refused(_metadata, "dev_mode=0667", EINVAL);
	exo_load_refused(_metadata, "dev_mode=0100", EINVAL);
	/* The widest mode it takes. */
	ASSERT_EQ(0, exo_kmod_load("dev_mode=0666"));
	EXPECT_EQ(0666, exo_kmod_param("dev_mode"));
	ASSERT_EQ(0, stat(EXO_DEV_PATH, &st));
	EXPECT_EQ(0666U, st.st_mode & 07777);
}

/* Run as @uid/@gid with @groups: 0 if open+handshake worked, else errno. */
static int exo_try_open_as(uid_t uid, gid_t gid, const gid_t *groups,
			   size_t ngroups, int oflags)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct exo_env_info info;
		int fd;

		EXO_CHILD_CHECK(100, exo_become(uid, gid, groups, ngroups) == 0);
		fd = open(EXO_DEV_PATH, oflags | O_CLOEXEC);
		if (fd < 0)
			_exit(errno);
		EXO_CHILD_CHECK(101, exo_raw_api(fd, NULL) == 0);
		EXO_CHILD_CHECK(102, exo_raw_info(fd, &info) == 0);
		EXO_CHILD_CHECK(103, info.owner_uid == uid);
		EXO_CHILD_CHECK(104, info.owner_tgid == (__u32)getpid());
		_exit(0);
	}
	return exo_wait_child(pid);
}

TEST_F(module, dev_group_opens_to_group)
{
	const gid_t g4242[] = { 4242 };
	struct exo *exo;

	exo_unload_ok(_metadata);
	ASSERT_EQ(0, exo_kmod_load("dev_mode=0660 dev_group=4242"));
	EXPECT_EQ(0660, exo_kmod_param("dev_mode"));
	EXPECT_EQ(4242, exo_kmod_param("dev_group"));

	/* In the group, by primary gid or by supplementary group: yes. */
	EXPECT_EQ(0, exo_try_open_as(EXO_NOBODY, 4242, NULL, 0, O_RDWR));
	EXPECT_EQ(0, exo_try_open_as(EXO_NOBODY, EXO_NOBODY, g4242, 1, O_RDWR));
	/* Outside it: no. */
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, 4243, NULL, 0, O_RDWR));
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, 4243, NULL, 0, O_RDONLY));
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, EXO_NOBODY, NULL, 0, O_RDWR));
	/* Root still may. */
	exo = exo_open(NULL);
	EXPECT_NE(NULL, exo);
	exo_close(exo);
}

TEST_F(module, dev_mode_group_read_only)
{
	exo_unload_ok(_metadata);
	ASSERT_EQ(0, exo_kmod_load("dev_mode=0640 dev_group=4242"));
	EXPECT_EQ(0, exo_try_open_as(EXO_NOBODY, 4242, NULL, 0, O_RDONLY));
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, 4242, NULL, 0, O_RDWR));
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, 4242, NULL, 0, O_WRONLY));
	EXPECT_EQ(EACCES, exo_try_open_as(EXO_NOBODY, 4243, NULL, 0, O_RDONLY));
}

/* With dev_mode's "other" bits, anyone may open. */
TEST_F(module, dev_mode_other_bits)
{
	exo_unload_ok(_metadata);
	ASSERT_EQ(0, exo_kmod_load("dev_mode=0606"));
	EXPECT_EQ(0, exo_try_open_as(EXO_NOBODY, EXO_NOBODY, NULL, 0, O_RDWR));
}

TEST_HARNESS_MAIN
