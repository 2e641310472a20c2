// SPDX-License-Identifier: GPL-2.0
/*
 * Events: each environment's queue, read(2) and poll(2) on its fd, and the
 * generic-netlink family "exo" that mirrors every event to monitors and
 * dumps the environments.
 */
#include <linux/capability.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "binding.h"
#include "compat.h"
#include "exo.h"

/* The one file that defines the tracepoints every other file calls. */
#define CREATE_TRACE_POINTS
#include "exo_trace.h"

static struct genl_family exo_genl_family;

enum exo_genl_mcgrp {
	EXO_MCGRP_EVENT,
};

static void exo_genl_send_event(const struct exo_event *event)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&exo_genl_family, &init_net, EXO_MCGRP_EVENT))
		return;

	skb = genlmsg_new(nla_total_size_64bit(sizeof(u64)) +
			  nla_total_size(sizeof(*event)), GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &exo_genl_family, 0, EXO_CMD_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, event->env_id,
			      EXO_ATTR_PAD) ||
	    nla_put(skb, EXO_ATTR_EVENT, sizeof(*event), event))
		goto err_free;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&exo_genl_family, skb, 0, EXO_MCGRP_EVENT,
			  GFP_ATOMIC);
	return;

err_free:
	nlmsg_free(skb);
}

/*
 * Post an event to @env's queue, wake its readers and mirror it to netlink.
 * Callable from any context.
 */
void exo_event_post(struct exo_env *env, u32 type, u64 d0, u64 d1, u64 d2,
		    u64 d3)
{
	struct exo_event event = {
		.type = type,
		.env_id = env->id,
		.time_ns = ktime_get_boottime_ns(),
		.data = { d0, d1, d2, d3 },
	};
	unsigned long irqflags;

	spin_lock_irqsave(&env->event_lock, irqflags);
	event.seq = env->events.next_seq;
	exo_evring_push(&env->events, &event);
	spin_unlock_irqrestore(&env->event_lock, irqflags);

	wake_up_interruptible_poll(&env->event_wait, EPOLLIN | EPOLLRDNORM);
	exo_genl_send_event(&event);
}

static u32 exo_event_pending(struct exo_env *env)
{
	u32 pending;

	spin_lock_irq(&env->event_lock);
	pending = exo_evring_pending(&env->events);
	spin_unlock_irq(&env->event_lock);
	return pending;
}

/*
 * Move the pending whole records that fit into @buf. read_lock makes the
 * peek, copy and drop of each record one step against other readers; it is
 * never held while sleeping, so an O_NONBLOCK reader never waits behind a
 * blocked one.
 */
static ssize_t exo_event_take(struct exo_env *env, char __user *buf,
			      size_t len)
{
	struct exo_event event;
	size_t done = 0;

	if (mutex_lock_interruptible(&env->read_lock))
		return -ERESTARTSYS;
	while (len - done >= sizeof(event)) {
		spin_lock_irq(&env->event_lock);
		if (!exo_evring_peek(&env->events, &event)) {
			spin_unlock_irq(&env->event_lock);
			break;
		}
		spin_unlock_irq(&env->event_lock);

		if (copy_to_user(buf + done, &event, sizeof(event))) {
			mutex_unlock(&env->read_lock);
			return done ? done : -EFAULT;
		}
		spin_lock_irq(&env->event_lock);
		exo_evring_drop_oldest(&env->events);
		spin_unlock_irq(&env->event_lock);
		done += sizeof(event);
	}
	mutex_unlock(&env->read_lock);
	return done;
}

/* read(2): whole records; block for the first unless @nonblock. */
ssize_t exo_event_read(struct exo_env *env, char __user *buf, size_t len,
		       bool nonblock)
{
	ssize_t ret;

	if (len < sizeof(struct exo_event))
		return -EINVAL;

	for (;;) {
		ret = exo_event_take(env, buf, len);
		if (ret)
			return ret;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(env->event_wait,
					       exo_event_pending(env));
		if (ret)
			return ret;
	}
}

__poll_t exo_event_poll(struct exo_env *env, struct file *file,
			poll_table *wait)
{
	poll_wait(file, &env->event_wait, wait);
	return exo_event_pending(env) ? EPOLLIN | EPOLLRDNORM : 0;
}

void *exo_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &exo_genl_family, NLM_F_MULTI, cmd);
}

static int exo_genl_fill_env(struct sk_buff *skb, struct netlink_callback *cb,
			     struct exo_env *env)
{
	struct exo_env_info info;
	void *hdr;

	exo_env_snapshot(env, &info);
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &exo_genl_family, NLM_F_MULTI, EXO_CMD_GET_ENV);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, info.env_id, EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_ENV_OWNER_TGID, pid_nr(env->owner)) ||
	    nla_put_u32(skb, EXO_ATTR_ENV_OWNER_UID,
			from_kuid(&init_user_ns, env->owner_uid)) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_CREATED_NS, info.created_ns,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_EVENTS_POSTED,
			      info.events_posted, EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_EVENTS_LOST, info.events_lost,
			      EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_ENV_EVENTS_PENDING, info.events_pending) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_FRAMES, info.frames,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_SLOTS, info.slots,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_FILTERS, info.filters,
			      EXO_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_BLOCKS, info.blocks,
			      EXO_ATTR_PAD) ||
	    exo_bindings_genl_fill_env(env, skb)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* cb->args[0] holds the last environment id sent, to resume after it. */
static int exo_genl_dump_envs(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct exo_env *env;
	int ret = 0;

	mutex_lock(&exo_envs_lock);
	list_for_each_entry(env, &exo_envs, node) {
		if (env->id <= cb->args[0])
			continue;
		ret = exo_genl_fill_env(skb, cb, env);
		if (ret)
			break;
		cb->args[0] = env->id;
	}
	mutex_unlock(&exo_envs_lock);

	/* A full skb ends this round; the dump goes on in the next. */
	return ret == -EMSGSIZE ? skb->len : ret ? ret : skb->len;
}

/*
 * A dump that takes no attributes refuses any, so that a caller who
 * expects a filter it sent to be honoured learns that it is not.
 */
static int exo_genl_start_no_attrs(struct netlink_callback *cb)
{
	if (nlmsg_attrlen(cb->nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG(cb->extack, "exo: this dump takes no attributes");
		return -EINVAL;
	}
	return 0;
}

static const struct genl_small_ops exo_genl_ops[] = {
	{
		.cmd = EXO_CMD_GET_ENV,
		.flags = GENL_ADMIN_PERM,
		.dumpit = exo_genl_dump_envs,
	},
};

/* Full genl_ops: only they have .start, which can fail the request. */
static const struct genl_ops exo_genl_full_ops[] = {
	{
		.cmd = EXO_CMD_GET_XN,
		.flags = GENL_ADMIN_PERM,
		.start = exo_genl_start_no_attrs,
		.dumpit = exo_xn_genl_dump,
	},
	{
		.cmd = EXO_CMD_GET_MEM,
		.flags = GENL_ADMIN_PERM,
		.start = exo_genl_start_no_attrs,
		.dumpit = exo_mem_genl_dump,
	},
	{
		.cmd = EXO_CMD_GET_CPU,
		.flags = GENL_ADMIN_PERM,
		.start = exo_genl_start_no_attrs,
		.dumpit = exo_cpu_genl_dump,
	},
	{
		.cmd = EXO_CMD_GET_NET,
		.flags = GENL_ADMIN_PERM,
		.start = exo_genl_start_no_attrs,
		.dumpit = exo_net_genl_dump,
	},
};

static const struct genl_multicast_group exo_genl_mcgrps[] = {
	[EXO_MCGRP_EVENT] = {
		.name = EXO_GENL_MCGRP_EVENT,
		EXO_GENL_MCGRP_ADMIN_ONLY
	},
};

static struct genl_family exo_genl_family = {
	.name = EXO_GENL_NAME,
	.version = EXO_GENL_VERSION,
	.maxattr = EXO_ATTR_MAX,
	.module = THIS_MODULE,
	.small_ops = exo_genl_ops,
	.n_small_ops = ARRAY_SIZE(exo_genl_ops),
	.ops = exo_genl_full_ops,
	.n_ops = ARRAY_SIZE(exo_genl_full_ops),
	.resv_start_op = EXO_CMD_MAX + 1,
	.mcgrps = exo_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(exo_genl_mcgrps),
};

int exo_genl_init(void)
{
	return genl_register_family(&exo_genl_family);
}

void exo_genl_exit(void)
{
	genl_unregister_family(&exo_genl_family);
}
