// SPDX-License-Identifier: GPL-2.0
/* exoctl's generic-netlink dumps of the "exo" family, through libnl-genl-3. */
#include <errno.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "exoctl.h"

struct exoctl_dump_ctx {
	int (*msg)(struct nlattr **attrs, void *arg);
	void *arg;
	int err;
};

static int exoctl_on_dump_msg(struct nl_msg *msg, void *data)
{
	struct exoctl_dump_ctx *ctx = data;
	struct nlattr *attrs[EXO_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, EXO_ATTR_MAX, NULL) < 0)
		return NL_SKIP;
	ctx->err = ctx->msg(attrs, ctx->arg);
	return ctx->err ? NL_STOP : NL_OK;
}

/* libnl reports the kernel's errno through its own codes; map back. */
static int exoctl_nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM:
		return EPERM;
	case NLE_NOMEM:
		return ENOMEM;
	case NLE_OPNOTSUPP:
		return EOPNOTSUPP;
	case NLE_INVAL:
		return EINVAL;
	default:
		return EIO;
	}
}

int exoctl_genl_dump(int cmd, int (*msg)(struct nlattr **attrs, void *arg),
		     void *arg)
{
	struct exoctl_dump_ctx ctx = { .msg = msg, .arg = arg };
	struct nl_msg *req = NULL;
	struct nl_sock *sock;
	int family, ret;

	sock = nl_socket_alloc();
	if (!sock)
		return -ENOMEM;
	ret = genl_connect(sock);
	if (ret < 0) {
		nl_socket_free(sock);
		return -exoctl_nl_errno(ret);
	}
	family = genl_ctrl_resolve(sock, EXO_GENL_NAME);
	if (family < 0) {
		nl_socket_free(sock);
		return -ENOENT;
	}
	req = nlmsg_alloc();
	if (!req || !genlmsg_put(req, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 NLM_F_DUMP, cmd, EXO_GENL_VERSION)) {
		ret = -NLE_NOMEM;
		goto out;
	}
	ret = nl_send_auto(sock, req);
	if (ret < 0)
		goto out;
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, exoctl_on_dump_msg,
			    &ctx);
	ret = nl_recvmsgs_default(sock);
out:
	nlmsg_free(req);
	nl_socket_free(sock);
	if (ctx.err)
		return ctx.err;
	return ret < 0 ? -exoctl_nl_errno(ret) : 0;
}

int exoctl_show_dump(const char *what, int cmd,
		     int (*msg)(struct nlattr **attrs, void *arg), void *arg)
{
	int ret = exoctl_genl_dump(cmd, msg, arg);

	if (ret == -EOPNOTSUPP)
		return 0;
	if (ret == -EPERM)
		exoctl_err("%s: permission denied (needs CAP_NET_ADMIN)", what);
	else if (ret)
		exoctl_err("%s: %s", what, strerror(-ret));
	return ret ? -1 : 1;
}
