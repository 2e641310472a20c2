// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "exo" through libexo's exo_monitor_* API: the
 * family and its event group resolve, every event is mirrored to the group,
 * and the dump lists the live environments, across several messages when
 * there are many.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <exo/exo.h>

#include "exo_test_util.h"

FIXTURE(netlink) {
	struct exo_monitor *mon;
	unsigned long long qlen;
};

FIXTURE_SETUP(netlink)
{
	self->mon = NULL;
	self->qlen = 0;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (exo_debugfs_mounted())
		ASSERT_EQ(0, exo_status_value("event_queue_len", &self->qlen));
	self->mon = exo_monitor_open();
	ASSERT_NE(NULL, self->mon) {
		TH_LOG("exo_monitor_open: %s", strerror(errno));
	}
}

FIXTURE_TEARDOWN(netlink)
{
	exo_monitor_close(self->mon);
}

/* The next event of environment @env_id the monitor sees; 1, or <= 0. */
static int exo_monitor_next_of(struct exo_monitor *mon, __u64 env_id,
			       struct exo_event *ev)
{
	int ret;

	do {
		ret = exo_monitor_read(mon, ev, -1);
	} while (ret == 1 && ev->env_id != env_id);
	return ret;
}

static bool exo_list_has(const struct exo_env_info *envs, int n, __u64 id,
			 const struct exo_env_info **found)
{
	int i;

	for (i = 0; i < n; i++) {
		if (envs[i].env_id == id) {
			if (found)
				*found = &envs[i];
			return true;
		}
	}
	return false;
}

TEST_F(netlink, family_and_group_resolve)
{
	EXPECT_LE(0, exo_monitor_fd(self->mon));
	EXPECT_EQ(0, exo_monitor_subscribe(self->mon));
	/* NULL monitors are refused, not crashed on. */
	EXPECT_EQ(-EINVAL, exo_monitor_fd(NULL));
	EXPECT_EQ(-EINVAL, exo_monitor_subscribe(NULL));
	exo_monitor_close(NULL);
}

TEST_F(netlink, event_delivery)
{
	struct exo_event ev, queued;
	struct exo_env_info info;
	int fd;

	ASSERT_EQ(0, exo_monitor_subscribe(self->mon));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	ASSERT_EQ(0, exo_raw_raise(fd, 0xfeedf00dULL));

	ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
	EXPECT_EQ((__u32)EXO_EVENT_USER, ev.type);
	EXPECT_EQ(info.env_id, ev.env_id);
	EXPECT_EQ(0xfeedf00dULL, ev.data[0]);
	EXPECT_EQ(1U, ev.seq);

	/* The mirror is the very record the environment reads. */
	ASSERT_EQ((ssize_t)sizeof(queued), exo_raw_read(fd, &queued, sizeof(queued)));
	EXPECT_EQ(0, memcmp(&queued, &ev, sizeof(ev)));
	close(fd);
}

TEST_F(netlink, events_of_two_envs)
{
	struct exo_env_info i1, i2;
	struct exo_event ev;
	int f1, f2;

	ASSERT_EQ(0, exo_monitor_subscribe(self->mon));
	f1 = exo_raw_env();
	ASSERT_LE(0, f1);
	f2 = exo_raw_env();
	ASSERT_LE(0, f2);
	ASSERT_EQ(0, exo_raw_info(f1, &i1));
	ASSERT_EQ(0, exo_raw_info(f2, &i2));
	ASSERT_EQ(0, exo_raw_raise(f1, 100));
	ASSERT_EQ(0, exo_raw_raise(f2, 200));
	ASSERT_EQ(0, exo_raw_raise(f1, 101));

	/* In the order they were raised, each naming its environment. */
	ASSERT_EQ(1, exo_monitor_read(self->mon, &ev, -1));
	EXPECT_EQ(i1.env_id, ev.env_id);
	EXPECT_EQ(100U, ev.data[0]);
	EXPECT_EQ(1U, ev.seq);
	ASSERT_EQ(1, exo_monitor_read(self->mon, &ev, -1));
	EXPECT_EQ(i2.env_id, ev.env_id);
	EXPECT_EQ(200U, ev.data[0]);
	EXPECT_EQ(1U, ev.seq);
	ASSERT_EQ(1, exo_monitor_read(self->mon, &ev, -1));
	EXPECT_EQ(i1.env_id, ev.env_id);
	EXPECT_EQ(101U, ev.data[0]);
	EXPECT_EQ(2U, ev.seq);
	close(f1);
	close(f2);
}

/* Only members of the group get events. */
TEST_F(netlink, unsubscribed_monitor_gets_nothing)
{
	struct exo_monitor *quiet;
	struct exo_env_info info;
	struct exo_event ev;
	int fd;

	quiet = exo_monitor_open();
	ASSERT_NE(NULL, quiet);
	ASSERT_EQ(0, exo_monitor_subscribe(self->mon));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	ASSERT_EQ(0, exo_raw_raise(fd, 3));
	/* The subscriber has it, so the multicast is done ... */
	ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
	/* ... and it did not reach the other socket. */
	EXPECT_EQ(0, exo_monitor_read(quiet, &ev, 0));
	exo_monitor_close(quiet);
	close(fd);
}

TEST_F(netlink, dump_lists_envs)
{
	struct exo_env_info envs[64], info[3];
	const struct exo_env_info *e;
	int fds[3], i, n;

	for (i = 0; i < 3; i++) {
		fds[i] = exo_raw_env();
		ASSERT_LE(0, fds[i]);
	}
	ASSERT_EQ(0, exo_raw_raise(fds[0], 1));
	ASSERT_EQ(0, exo_raw_raise(fds[0], 2));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, exo_raw_info(fds[i], &info[i]));

	n = exo_monitor_list_envs(self->mon, envs, ARRAY_SIZE(envs));
	ASSERT_LE(3, n) {
		TH_LOG("exo_monitor_list_envs: %d", n);
	}
	ASSERT_GE((int)ARRAY_SIZE(envs), n);
	for (i = 0; i < 3; i++) {
		e = NULL;
		ASSERT_TRUE(exo_list_has(envs, n, info[i].env_id, &e)) {
			TH_LOG("env %llu missing from the dump",
			       (unsigned long long)info[i].env_id);
		}
		EXPECT_EQ((__u32)getpid(), e->owner_tgid);
		EXPECT_EQ((__u32)getuid(), e->owner_uid);
		EXPECT_EQ(info[i].created_ns, e->created_ns);
		EXPECT_EQ(info[i].events_posted, e->events_posted);
		EXPECT_EQ(info[i].events_pending, e->events_pending);
		EXPECT_EQ(0U, e->events_lost);
		EXPECT_EQ(0U, e->frames);
		EXPECT_EQ(0U, e->blocks);
	}
	EXPECT_EQ(2U, info[0].events_pending);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

/* The return value counts every environment, even past @max. */
TEST_F(netlink, dump_count_exceeds_max)
{
	struct exo_env_info one[1];
	int fds[3], i, n_all, n_one;

	for (i = 0; i < 3; i++) {
		fds[i] = exo_raw_env();
		ASSERT_LE(0, fds[i]);
	}
	n_all = exo_monitor_list_envs(self->mon, NULL, 0);
	EXPECT_LE(3, n_all);
	memset(one, 0xaa, sizeof(one));
	n_one = exo_monitor_list_envs(self->mon, one, 1);
	EXPECT_EQ(n_all, n_one);
	EXPECT_NE(0U, one[0].env_id);
	EXPECT_EQ(sizeof(one[0]), one[0].argsz);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

#define EXO_MANY_ENVS	300

TEST_F_TIMEOUT(netlink, dump_300_envs_multipart, 120)
{
	static struct exo_env_info envs[2048];
	struct exo_env_info info;
	__u64 ids[EXO_MANY_ENVS];
	int fds[EXO_MANY_ENVS];
	struct rlimit rl;
	int i, n;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < EXO_MANY_ENVS + 64) {
		rl.rlim_cur = EXO_MANY_ENVS + 64;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	}
	for (i = 0; i < EXO_MANY_ENVS; i++) {
		fds[i] = exo_raw_env();
		ASSERT_LE(0, fds[i]) {
			TH_LOG("env %d: %s", i, strerror(-fds[i]));
		}
		ASSERT_EQ(0, exo_raw_info(fds[i], &info));
		ids[i] = info.env_id;
	}

	n = exo_monitor_list_envs(self->mon, envs, ARRAY_SIZE(envs));
	ASSERT_LE(EXO_MANY_ENVS, n);
	ASSERT_GE((int)ARRAY_SIZE(envs), n);
	for (i = 0; i < EXO_MANY_ENVS; i++) {
		EXPECT_TRUE(exo_list_has(envs, n, ids[i], NULL)) {
			TH_LOG("env %llu (#%d) missing from a dump of %d",
			       (unsigned long long)ids[i], i, n);
		}
	}
	/* Each environment once: the parts do not overlap. */
	for (i = 1; i < n; i++) {
		EXPECT_NE(envs[i - 1].env_id, envs[i].env_id);
		EXPECT_FALSE(exo_list_has(envs, i, envs[i].env_id, NULL)) {
			TH_LOG("env %llu listed twice",
			       (unsigned long long)envs[i].env_id);
			break;
		}
	}
	for (i = 0; i < EXO_MANY_ENVS; i++)
		close(fds[i]);
}

/* Events of an environment that closed before the monitor read them. */
TEST_F(netlink, events_of_closed_env)
{
	struct exo_env_info envs[256], info;
	struct exo_event ev;
	int fd, n;

	ASSERT_EQ(0, exo_monitor_subscribe(self->mon));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	ASSERT_EQ(0, exo_raw_raise(fd, 0xc105ed));
	ASSERT_EQ(0, exo_raw_raise(fd, 0xc105ee));
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
	EXPECT_EQ(0xc105edU, ev.data[0]);
	ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
	EXPECT_EQ(0xc105eeU, ev.data[0]);

	n = exo_monitor_list_envs(self->mon, envs, ARRAY_SIZE(envs));
	ASSERT_LE(0, n);
	EXPECT_FALSE(exo_list_has(envs, n, info.env_id, NULL));

	/* Everything still works afterwards. */
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	ASSERT_EQ(0, exo_raw_raise(fd, 1));
	ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
	close(fd);
}

/*
 * The group carries every event, also those the environment's own queue had
 * to fold into an overflow record.
 */
TEST_F_TIMEOUT(netlink, mirrors_events_lost_to_overflow, 120)
{
	int bufsz = 16 << 20;
	struct exo_env_info info;
	unsigned long long i, n;
	struct exo_event ev;
	int fd;

	if (!self->qlen)
		SKIP(return, EXO_NO_DEBUGFS_MSG ": no event_queue_len");
	n = self->qlen + 8;
	/* Room for every notification: none may be dropped on our side. */
	ASSERT_EQ(0, setsockopt(exo_monitor_fd(self->mon), SOL_SOCKET,
				SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)));
	ASSERT_EQ(0, exo_monitor_subscribe(self->mon));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	for (i = 1; i <= n; i++)
		ASSERT_EQ(0, exo_raw_raise(fd, i));
	for (i = 1; i <= n; i++) {
		ASSERT_EQ(1, exo_monitor_next_of(self->mon, info.env_id, &ev));
		EXPECT_EQ((__u32)EXO_EVENT_USER, ev.type);
		EXPECT_EQ(i, ev.seq);
		EXPECT_EQ(i, ev.data[0]);
	}
	ASSERT_EQ(0, exo_raw_info(fd, &info));
	EXPECT_EQ(9U, info.events_lost);
	close(fd);
}

static int xn_count_msg(struct nl_msg *msg, void *arg)
{
	(*(int *)arg)++;
	return NL_OK;
}

/*
 * One dump-style request straight through libnl: @cmd with
 * @flags, and an attribute if @with_attr. The replies counted in *@msgs;
 * returns libnl's result (0 or -NLE_*).
 */
static int xn_genl_request(int cmd, int flags, bool with_attr, int *msgs)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	int family, ret = -NLE_NOMEM;

	*msgs = 0;
	if (!sock || !msg || genl_connect(sock))
		goto out;
	family = genl_ctrl_resolve(sock, EXO_GENL_NAME);
	if (family < 0) {
		ret = family;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
			 EXO_GENL_VERSION) ||
	    (with_attr && nla_put_u32(msg, EXO_ATTR_XN_ID, 1)))
		goto out;
	ret = nl_send_auto(sock, msg);
	if (ret < 0)
		goto out;
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, xn_count_msg, msgs);
	ret = nl_recvmsgs_default(sock);
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	return ret;
}

/* The GET_XN, _MEM, _CPU and _NET dumps take no attributes: all else is refused. */
TEST_F(netlink, get_dumps_refuse_bad_requests)
{
	static const int cmds[] = { EXO_CMD_GET_XN, EXO_CMD_GET_MEM,
				    EXO_CMD_GET_CPU, EXO_CMD_GET_NET };
	size_t i;
	int msgs;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, xn_genl_request(cmds[i], NLM_F_DUMP, false, &msgs));
		EXPECT_EQ(-NLE_INVAL, xn_genl_request(cmds[i], NLM_F_DUMP, true,
						      &msgs));
		EXPECT_EQ(0, msgs);
		EXPECT_EQ(-NLE_OPNOTSUPP, xn_genl_request(cmds[i], 0, false,
							  &msgs));
		EXPECT_EQ(0, msgs);
	}
	/* A pool has at least one colour: GET_MEM always says something. */
	EXPECT_EQ(0, xn_genl_request(EXO_CMD_GET_MEM, NLM_F_DUMP, false, &msgs));
	EXPECT_LT(0, msgs);
	EXPECT_EQ(-NLE_OPNOTSUPP, xn_genl_request(EXO_CMD_MAX + 1, NLM_F_DUMP,
						  false, &msgs));
	EXPECT_EQ(0, msgs);
}

/* Without CAP_NET_ADMIN the catalogue, pool, slot and filter dumps are refused. */
TEST_F(netlink, get_dumps_need_net_admin)
{
	int msgs;

	ASSERT_EQ(0, exo_cap_drop(CAP_NET_ADMIN));
	EXPECT_EQ(-NLE_PERM, xn_genl_request(EXO_CMD_GET_XN, NLM_F_DUMP, false,
					     &msgs));
	EXPECT_EQ(0, msgs);
	EXPECT_EQ(-NLE_PERM, xn_genl_request(EXO_CMD_GET_MEM, NLM_F_DUMP, false,
					     &msgs));
	EXPECT_EQ(0, msgs);
	EXPECT_EQ(-NLE_PERM, xn_genl_request(EXO_CMD_GET_CPU, NLM_F_DUMP, false,
					     &msgs));
	EXPECT_EQ(0, msgs);
	EXPECT_EQ(-NLE_PERM, xn_genl_request(EXO_CMD_GET_NET, NLM_F_DUMP, false,
					     &msgs));
	EXPECT_EQ(0, msgs);
}

TEST_HARNESS_MAIN
