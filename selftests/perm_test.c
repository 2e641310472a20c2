// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what: /dev/exo is root's by default, the netlink dump and (on
 * kernels that can restrict it) the event group need CAP_NET_ADMIN, and an
 * environment is its opener's alone, even when its fd reaches another
 * process over a unix socket.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <exo/exo.h>

#include "exo_test_util.h"

FIXTURE(perm) {
	int fd;
};

FIXTURE_SETUP(perm)
{
	self->fd = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
}

FIXTURE_TEARDOWN(perm)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define EXO_NO_ROOT_MSG	"needs root to become nobody"

/* dev_mode the module was loaded with, or -1. */
/* Run @fn as nobody in a child; its exit code (0 = every check held). */
static int exo_as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		EXO_CHILD_CHECK(100, exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0) == 0);
		EXO_CHILD_CHECK(101, geteuid() == EXO_NOBODY);
		exo_set_print(NULL);
		_exit(fn(arg));
	}
	return exo_wait_child(pid);
}

static int exo_nobody_open(void *arg)
{
	struct exo *exo;

	(void)arg;
	EXO_CHILD_CHECK(1, open(EXO_DEV_PATH, O_RDWR) < 0 && errno == EACCES);
	EXO_CHILD_CHECK(2, open(EXO_DEV_PATH, O_RDONLY) < 0 && errno == EACCES);
	EXO_CHILD_CHECK(3, open(EXO_DEV_PATH, O_WRONLY) < 0 && errno == EACCES);
	errno = 0;
	exo = exo_open(NULL);
	EXO_CHILD_CHECK(4, exo == NULL);
	EXO_CHILD_CHECK(5, errno == EACCES);
	return 0;
}

TEST_F(perm, nobody_cannot_open)
{
	long mode = exo_kmod_param("dev_mode");

	if (geteuid() != 0)
		SKIP(return, EXO_NO_ROOT_MSG);
	if (mode != 0600)
		SKIP(return, "exo.ko loaded with dev_mode %#lo, not the default 0600",
		     mode);
	EXPECT_EQ(0, exo_as_nobody(exo_nobody_open, NULL));
}

static int exo_nobody_dump(void *arg)
{
	struct exo_env_info envs[4];
	struct exo_monitor *mon;

	(void)arg;
	/* Resolving the family is open to all ... */
	mon = exo_monitor_open();
	EXO_CHILD_CHECK(1, mon != NULL);
	/* ... listing the environments is not. */
	errno = 0;
	EXO_CHILD_CHECK(2, exo_monitor_list_envs(mon, envs, 4) == -EPERM);
	EXO_CHILD_CHECK(3, errno == EPERM);
	EXO_CHILD_CHECK(4, exo_monitor_list_envs(mon, NULL, 0) == -EPERM);
	exo_monitor_close(mon);
	return 0;
}

TEST_F(perm, nobody_cannot_dump)
{
	struct exo_monitor *mon;

	if (geteuid() != 0)
		SKIP(return, EXO_NO_ROOT_MSG);
	/* There is something to hide, and root can see it. */
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	mon = exo_monitor_open();
	ASSERT_NE(NULL, mon);
	EXPECT_LE(1, exo_monitor_list_envs(mon, NULL, 0));
	exo_monitor_close(mon);

	EXPECT_EQ(0, exo_as_nobody(exo_nobody_dump, NULL));
}

static int exo_nobody_subscribe(void *arg)
{
	struct exo_monitor *mon;

	(void)arg;
	mon = exo_monitor_open();
	EXO_CHILD_CHECK(1, mon != NULL);
	errno = 0;
	EXO_CHILD_CHECK(2, exo_monitor_subscribe(mon) == -EPERM);
	EXO_CHILD_CHECK(3, errno == EPERM);
	exo_monitor_close(mon);
	return 0;
}

TEST_F(perm, nobody_cannot_subscribe)
{
	struct exo_api api;

	if (geteuid() != 0)
		SKIP(return, EXO_NO_ROOT_MSG);
	self->fd = exo_raw_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_api(self->fd, &api));
	if (!(api.features & EXO_FEATURE_NETLINK_PRIVATE))
		SKIP(return,
		     "this kernel cannot restrict a genl multicast group (no GENL_MCAST_CAP_NET_ADMIN before 6.7): any local user may watch exo events");
	EXPECT_EQ(0, exo_as_nobody(exo_nobody_subscribe, NULL));
}

static int exo_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;

	memset(cbuf, 0, sizeof(cbuf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int exo_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

#define EXO_VICTIM_EVENTS	5

/*
 * The hostile side: its own environment shows nothing of the victim's, and
 * the victim's fd, once passed over, is useless to it.
 */
static int exo_hostile(int sock)
{
	struct exo_event_raise raise = { .argsz = sizeof(raise), .cookie = 666 };
	struct exo_env_info info = { .argsz = sizeof(info) };
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};
	__u64 own_id, victim_id;
	struct exo_event ev[8];
	int own, stolen, fl;

	own = exo_raw_env_flags(O_NONBLOCK);
	EXO_CHILD_CHECK(1, own >= 0);
	EXO_CHILD_CHECK(2, exo_raw_info(own, &info) == 0);
	own_id = info.env_id;
	EXO_CHILD_CHECK(3, exo_write_full(sock, &own_id, sizeof(own_id)) == 0);
	/* The victim has events pending once it sends its id. */
	EXO_CHILD_CHECK(4, exo_read_full(sock, &victim_id, sizeof(victim_id)) == 0);
	EXO_CHILD_CHECK(5, victim_id != own_id);

	/* Its own environment: nothing to read, and its own id only. */
	EXO_CHILD_CHECK(6, exo_raw_read(own, ev, sizeof(ev)) == -EAGAIN);
	EXO_CHILD_CHECK(7, exo_poll1(own, POLLIN, 0) == 0);
	EXO_CHILD_CHECK(8, exo_raw_info(own, &info) == 0);
	EXO_CHILD_CHECK(9, info.env_id == own_id);
	EXO_CHILD_CHECK(10, info.owner_tgid == (__u32)getpid());
	EXO_CHILD_CHECK(11, info.events_posted == 0);
	/* Raising on its own env stays in its own env. */
	EXO_CHILD_CHECK(12, exo_raw_raise(own, 666) == 0);
	EXO_CHILD_CHECK(13, exo_raw_read(own, ev, sizeof(ev)) == (ssize_t)sizeof(ev[0]));
	EXO_CHILD_CHECK(14, ev[0].env_id == own_id && ev[0].data[0] == 666);

	/* The victim's own fd, passed over a unix socket. */
	stolen = exo_recv_fd(sock);
	EXO_CHILD_CHECK(20, stolen >= 0);
	EXO_CHILD_CHECK(21, exo_ioc(stolen, EXO_IOC_API, &api) == EPERM);
	EXO_CHILD_CHECK(22, exo_ioc(stolen, EXO_IOC_ENV_INFO, &info) == EPERM);
	EXO_CHILD_CHECK(23, info.env_id == own_id);	/* nothing written */
	EXO_CHILD_CHECK(24, exo_ioc(stolen, EXO_IOC_NOP, NULL) == EPERM);
	EXO_CHILD_CHECK(25, exo_ioc(stolen, EXO_IOC_EVENT_RAISE, &raise) == EPERM);
	EXO_CHILD_CHECK(26, exo_raw_read(stolen, ev, sizeof(ev)) == -EPERM);
	EXO_CHILD_CHECK(27, exo_poll1(stolen, POLLIN, 0) & POLLERR);
	EXO_CHILD_CHECK(28, !(exo_poll1(stolen, POLLIN, 0) & POLLIN));
	fl = fcntl(stolen, F_GETFL);
	EXO_CHILD_CHECK(29, fl >= 0 && fcntl(stolen, F_SETFL, fl | O_NONBLOCK) == 0);
	EXO_CHILD_CHECK(30, exo_raw_read(stolen, ev, sizeof(ev)) == -EPERM);
	EXO_CHILD_CHECK(31, exo_raw_read(stolen, ev, 1) == -EPERM);
	/* Nor does holding it change the hostile's own environment. */
	EXO_CHILD_CHECK(32, exo_raw_info(own, &info) == 0);
	EXO_CHILD_CHECK(33, info.env_id == own_id && info.events_posted == 1);
	close(stolen);
	close(own);
	return 0;
}

TEST_F(perm, isolation_from_hostile_process)
{
	struct exo_event ev[EXO_VICTIM_EVENTS + 1];
	struct exo_env_info info;
	__u64 hostile_id;
	int sv[2], i, fl;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	/* Fork first: the hostile process inherits nothing of the victim. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		_exit(exo_hostile(sv[1]));
	}
	close(sv[1]);

	ASSERT_EQ(0, exo_read_full(sv[0], &hostile_id, sizeof(hostile_id)));
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	for (i = 0; i < EXO_VICTIM_EVENTS; i++)
		ASSERT_EQ(0, exo_raw_raise(self->fd, 0x5ec0 + i));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_NE(hostile_id, info.env_id);
	ASSERT_EQ(0, exo_write_full(sv[0], &info.env_id, sizeof(info.env_id)));
	ASSERT_EQ(0, exo_send_fd(sv[0], self->fd));

	EXPECT_EQ(0, exo_wait_child(pid)) {
		TH_LOG("the hostile process got through (see its step above)");
	}
	close(sv[0]);

	/* All the victim's events are still there, and only them. */
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ((__u64)EXO_VICTIM_EVENTS, info.events_posted);
	EXPECT_EQ((__u32)EXO_VICTIM_EVENTS, info.events_pending);
	EXPECT_EQ(0U, info.events_read);
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ((ssize_t)(EXO_VICTIM_EVENTS * sizeof(ev[0])),
		  exo_raw_read(self->fd, ev, sizeof(ev)));
	for (i = 0; i < EXO_VICTIM_EVENTS; i++) {
		EXPECT_EQ((__u64)(0x5ec0 + i), ev[i].data[0]);
		EXPECT_EQ((__u64)(i + 1), ev[i].seq);
		EXPECT_EQ(info.env_id, ev[i].env_id);
	}
}

TEST_HARNESS_MAIN
