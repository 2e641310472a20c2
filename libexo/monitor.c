// SPDX-License-Identifier: LGPL-2.1 OR MIT
/* exo_monitor_*: the "exo" generic-netlink family through libnl-genl-3. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "internal.h"

struct exo_monitor {
	struct nl_sock *sock;
	int family;
	int event_group;
};

/* libnl reports its own codes; turn the ones callers can act on to errno. */
static int exo_nl_errno(int nlerr)
{
	switch (-nlerr > 0 ? -nlerr : nlerr) {
	case NLE_PERM:
		return EPERM;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_AGAIN:
		return EAGAIN;
	case NLE_OBJ_NOTFOUND:
		return ENOENT;
	case NLE_INTR:
		return EINTR;
	default:
		return EIO;
	}
}

static struct nl_sock *exo_nl_connect(void)
{
	struct nl_sock *sock = nl_socket_alloc();
	int ret;

	if (!sock) {
		errno = ENOMEM;
		return NULL;
	}
	ret = genl_connect(sock);
	if (ret < 0) {
		nl_socket_free(sock);
		errno = exo_nl_errno(ret);
		return NULL;
	}
	return sock;
}

LIBEXO_EXPORT struct exo_monitor *exo_monitor_open(void)
{
	struct exo_monitor *mon;
	int err;

	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return NULL;
	mon->sock = exo_nl_connect();
	if (!mon->sock) {
		err = errno;
		goto err_free;
	}

	mon->family = genl_ctrl_resolve(mon->sock, EXO_GENL_NAME);
	if (mon->family < 0) {
		err = ENOENT;
		exo_pr(EXO_WARN,
		       "no generic netlink family \"%s\": exo.ko is not loaded; run `make load` or `sudo insmod module/exo.ko`\n",
		       EXO_GENL_NAME);
		goto err_sock;
	}
	mon->event_group = genl_ctrl_resolve_grp(mon->sock, EXO_GENL_NAME,
						 EXO_GENL_MCGRP_EVENT);
	if (mon->event_group < 0) {
		err = ENOENT;
		goto err_sock;
	}
	nl_socket_disable_seq_check(mon->sock);
	return mon;

err_sock:
	nl_socket_free(mon->sock);
err_free:
	free(mon);
	errno = err;
	return NULL;
}

LIBEXO_EXPORT void exo_monitor_close(struct exo_monitor *mon)
{
	if (!mon)
		return;
	nl_socket_free(mon->sock);
	free(mon);
}

LIBEXO_EXPORT int exo_monitor_subscribe(struct exo_monitor *mon)
{
	int ret;

	if (!mon)
		return exo_err(EINVAL);
	ret = nl_socket_add_membership(mon->sock, mon->event_group);
	if (ret < 0)
		return exo_err(exo_nl_errno(ret));
	return 0;
}

LIBEXO_EXPORT int exo_monitor_fd(const struct exo_monitor *mon)
{
	if (!mon)
		return exo_err(EINVAL);
	return nl_socket_get_fd(mon->sock);
}

struct exo_event_catch {
	struct exo_event *event;
	int found;
};

static int exo_monitor_on_event(struct nl_msg *msg, void *arg)
{
	struct exo_event_catch *catch = arg;
	struct nlattr *attrs[EXO_ATTR_MAX + 1];
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	if (ghdr->cmd != EXO_CMD_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, attrs, EXO_ATTR_MAX, NULL) < 0 ||
	    !attrs[EXO_ATTR_EVENT] ||
	    nla_len(attrs[EXO_ATTR_EVENT]) < (int)sizeof(*catch->event))
		return NL_SKIP;
	memcpy(catch->event, nla_data(attrs[EXO_ATTR_EVENT]),
	       sizeof(*catch->event));
	catch->found = 1;
	return NL_STOP;
}

LIBEXO_EXPORT int exo_monitor_read(struct exo_monitor *mon,
				   struct exo_event *event, int timeout_ms)
{
	struct exo_event_catch catch = { .event = event };
	long long deadline = exo_deadline(timeout_ms);
	struct pollfd pfd;
	int ready, ret = 0;

	if (!mon || !event)
		return exo_err(EINVAL);

	nl_socket_modify_cb(mon->sock, NL_CB_VALID, NL_CB_CUSTOM,
			    exo_monitor_on_event, &catch);
	pfd.fd = nl_socket_get_fd(mon->sock);
	pfd.events = POLLIN;
	/* One datagram at a time, so that none is read and then dropped. */
	while (!catch.found) {
		ready = poll(&pfd, 1, exo_ms_left(deadline));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			ret = ready < 0 ? -errno : 0;
			break;
		}
		ret = nl_recvmsgs_default(mon->sock);
		if (ret < 0) {
			/* libnl says NOMEM for a socket overrun (ENOBUFS). */
			ret = ret == -NLE_NOMEM && errno == ENOBUFS ?
			      -ENOBUFS : -exo_nl_errno(ret);
			break;
		}
	}
	/* catch lives on this stack: leave no callback pointing at it. */
	nl_socket_modify_cb(mon->sock, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	if (catch.found)
		return 1;
	return ret < 0 ? exo_err(-ret) : 0;
}

struct exo_env_list {
	struct exo_env_info *envs;
	size_t max;
	size_t count;
};

static int exo_monitor_on_env(struct nl_msg *msg, void *arg)
{
	struct exo_env_list *list = arg;
	struct nlattr *attrs[EXO_ATTR_MAX + 1];
	struct exo_env_info *info;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, EXO_ATTR_MAX, NULL) < 0 ||
	    !attrs[EXO_ATTR_ENV_ID])
		return NL_SKIP;
	if (list->count++ >= list->max)
		return NL_OK;

	info = &list->envs[list->count - 1];
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->env_id = nla_get_u64(attrs[EXO_ATTR_ENV_ID]);
#define EXO_GET(field, attr, getter) \
	do { if (attrs[attr]) info->field = getter(attrs[attr]); } while (0)
	EXO_GET(owner_tgid, EXO_ATTR_ENV_OWNER_TGID, nla_get_u32);
	EXO_GET(owner_uid, EXO_ATTR_ENV_OWNER_UID, nla_get_u32);
	EXO_GET(created_ns, EXO_ATTR_ENV_CREATED_NS, nla_get_u64);
	EXO_GET(events_posted, EXO_ATTR_ENV_EVENTS_POSTED, nla_get_u64);
	EXO_GET(events_lost, EXO_ATTR_ENV_EVENTS_LOST, nla_get_u64);
	EXO_GET(events_pending, EXO_ATTR_ENV_EVENTS_PENDING, nla_get_u32);
	EXO_GET(frames, EXO_ATTR_ENV_FRAMES, nla_get_u64);
	EXO_GET(slots, EXO_ATTR_ENV_SLOTS, nla_get_u64);
	EXO_GET(filters, EXO_ATTR_ENV_FILTERS, nla_get_u64);
	EXO_GET(blocks, EXO_ATTR_ENV_BLOCKS, nla_get_u64);
#undef EXO_GET
	return NL_OK;
}

LIBEXO_EXPORT int exo_monitor_list_envs(struct exo_monitor *mon,
					struct exo_env_info *envs, size_t max)
{
	struct exo_env_list list = { .envs = envs, .max = max };
	struct nl_sock *sock;
	struct nl_msg *msg;
	int ret;

	if (!mon || (!envs && max))
		return exo_err(EINVAL);

	/* A socket of its own, so that no multicast event gets in the way. */
	sock = exo_nl_connect();
	if (!sock)
		return exo_err(errno);
	msg = nlmsg_alloc();
	if (!msg) {
		ret = -NLE_NOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, mon->family, 0,
			 NLM_F_DUMP, EXO_CMD_GET_ENV, EXO_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_send_auto(sock, msg);
	if (ret < 0)
		goto out;
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, exo_monitor_on_env,
			    &list);
	ret = nl_recvmsgs_default(sock);
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	if (ret < 0)
		return exo_err(exo_nl_errno(ret));
	return (int)list.count;
}
