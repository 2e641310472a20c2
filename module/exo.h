/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exo.ko internals shared by the core (dev, env, event) and the bindings:
 * the environment, with each binding's per-environment state.
 */
#ifndef EXO_MODULE_H
#define EXO_MODULE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "../uapi/linux/exo.h"
#include "core/evring.h"

/*
 * An environment's memory binding (mem/). Every field is under
 * exo_mem_lock unless it says otherwise.
 */
struct exo_env_mem {
	struct list_head held;		/* exo_frame.node, in allocation order */
	u32 nheld;
	u32 nmapped;			/* pages bound in this env's regions */
	u32 region_pages;		/* pages of its regions, in all */
	u32 ngrants;			/* entries of grants_out */
	struct list_head regions;	/* exo_region.env_node */
	struct list_head grants_out;	/* exo_grant.grantor_node */
	struct list_head grants_in;	/* exo_grant.grantee_node */
	bool dead;			/* torn down: nothing may be added */
	u64 next_fault_id;		/* the last EXO_EVENT_MEM_FAULT id */

	/* The pending revocation, if revoke_pending. */
	bool revoke_pending;
	u32 revoke_keep;		/* hold no more than this at the deadline */
	u64 revoke_id;
	u64 revoke_deadline_ns;
	struct delayed_work revoke_work; /* the abort protocol */

	/* Repossession vector: a ring of frame indexes the abort took. */
	struct mutex repo_read_lock;	/* one REPOSSESSED reader at a time;
					 * outside exo_mem_lock
					 */
	u32 *repossessed;
	u32 repo_head;
	u32 repo_count;
	u32 repo_lost;
};

/* An environment's network binding (net/), under exo_net_lock. */
struct exo_env_net {
	struct list_head bindings;	/* exo_net_binding.env_node; RCU too */
	struct list_head caps_in;	/* EXO_CAP_NET caps granted to it; RCU */
	u32 nbindings;
	u64 ring_bytes;			/* of its bindings' rings, page-rounded */
};

/*
 * An environment's XN binding (xn/): its registry, the blocks it has read
 * or allocated, each with the parent it came through, and its EXO_CAP_XN
 * caps. Under exo_xn_lock.
 */
struct exo_env_xn {
	struct xarray view;		/* block number -> struct exo_xn_ref */
	struct list_head maps;		/* xn_map.env_node: its mmap()s */
	struct list_head caps_out;	/* xn_cap.grantor_node */
	struct list_head caps_in;	/* xn_cap.grantee_node */
	u32 ncaps_out;			/* entries of caps_out */
};

struct exo_cpu_seat;
struct exo_ring;

/* An environment's submission ring (ring/). */
struct exo_env_ring {
	struct mutex setup_lock;	/* serialises RING_SETUP */
	struct exo_ring *ring;		/* NULL until RING_SETUP, then fixed
					 * for the env's life: written under
					 * setup_lock with smp_store_release,
					 * read with smp_load_acquire
					 */
};

/* An environment's CPU binding (cpu/). */
struct exo_env_cpu {
	struct exo_cpu_seat *seats;	/* immutable: one per managed CPU */
	struct mutex bind_lock;		/* serialises BIND and UNBIND */
	struct exo_cpu_page *page;	/* the slot page; under page_lock */
	spinlock_t page_lock;		/* inside vec->lock; irqsave */
	atomic_t excess;		/* excess counter */
	atomic_t aborted;		/* the abort protocol ran: no more slots */

	/* A pending admin revocation, under revoke_lock. */
	struct mutex revoke_lock;
	bool revoke_pending;
	bool dead;
	u32 revoke_keep;		/* hold no more than this at the deadline */
	u64 revoke_id;
	struct delayed_work revoke_work; /* the abort protocol */
};

/*
 * An environment: the kernel's view of one libOS, one per open of /dev/exo.
 * It lives from open to the last close of that file.
 */
struct exo_env {
	u64 id;				/* immutable */
	struct pid *owner;		/* immutable: the opener's thread group */
	kuid_t owner_uid;		/* immutable */
	u64 created_ns;			/* immutable, CLOCK_BOOTTIME */
	u32 api_version;		/* 0 until EXO_IOC_API; READ/WRITE_ONCE */

	struct list_head node;		/* in exo_envs, under exo_envs_lock */

	struct exo_env_mem mem;		/* memory binding, see above */
	struct exo_env_net net;		/* network binding, see above */
	struct exo_env_xn xn;		/* XN binding, see above */
	struct exo_env_cpu cpu;		/* CPU binding, see above */
	struct exo_env_ring ring;	/* submission ring, see above */

	/* Per-binding counters; each binding owns its own, 0 until it lands. */
	atomic64_t frames;		/* mirrors mem.nheld for lockless readers */
	atomic64_t slots;
	atomic64_t filters;
	atomic64_t blocks;

	struct mutex read_lock;		/* one reader at a time: peek, copy, drop */
	wait_queue_head_t event_wait;	/* readers and pollers */
	spinlock_t event_lock;		/* protects events; taken in any context */
	struct exo_evring events;	/* under event_lock */
	struct exo_event event_slots[];	/* storage of events */
};

/* What a tracepoint (exo_trace.h) is about: the resource's binding. */
enum exo_trace_kind {
	EXO_TRACE_MEM,
	EXO_TRACE_CPU,
	EXO_TRACE_NET,
	EXO_TRACE_XN,
};

/* Why a resource moved, or a packet was dropped, as tracepoints say it. */
enum exo_trace_why {
	EXO_WHY_CALL,		/* the environment's own call */
	EXO_WHY_UNDO,		/* a failing call gave back what it took */
	EXO_WHY_CLOSE,		/* the environment's teardown */
	EXO_WHY_ADMIN,		/* an administrator's revocation */
	EXO_WHY_PRESSURE,	/* memory pressure, through the shrinker */
	EXO_WHY_DEADLINE,	/* a revocation's deadline passed */
	EXO_WHY_EXCESS,		/* too many turns without a yield */
	EXO_WHY_MOVED,		/* a bound thread left its CPU */
	EXO_WHY_POLICY,		/* a bound thread was made real-time */
	EXO_WHY_OFFLINE,	/* the CPU or the network device went away */
	EXO_WHY_RING_FULL,	/* no room in the binding's ring */
	EXO_WHY_CHECKSUM,	/* a partial checksum could not be completed */
	EXO_WHY_SPLIT,		/* a GSO frame could not be split */
	EXO_WHY_COPY,		/* a frame's bytes could not be copied out */
};

/* Module parameters (dev.c). */
extern unsigned int exo_event_queue_len;

/* env.c */
extern struct mutex exo_envs_lock;	/* protects exo_envs */
extern struct list_head exo_envs;	/* live environments, by id */
extern atomic_t exo_envs_live;
extern atomic64_t exo_envs_created;

struct exo_env *exo_env_create(void);
struct exo_env *exo_env_find_locked(u64 id);
void exo_env_destroy(struct exo_env *env);
bool exo_env_is_owner(const struct exo_env *env);
void exo_env_snapshot(struct exo_env *env, struct exo_env_info *info);
int exo_debugfs_init(void);
void exo_debugfs_exit(void);

/* event.c */
void exo_event_post(struct exo_env *env, u32 type, u64 d0, u64 d1, u64 d2,
		    u64 d3);
ssize_t exo_event_read(struct exo_env *env, char __user *buf, size_t len,
		       bool nonblock);
__poll_t exo_event_poll(struct exo_env *env, struct file *file,
			poll_table *wait);
int exo_genl_init(void);
void exo_genl_exit(void);
struct netlink_callback;
struct sk_buff;
/* The header of one NLM_F_MULTI reply of a dump, or NULL when full. */
void *exo_genl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd);

/* The dumps: xn/catalog.c, mem/pool.c, cpu/cpu.c, net/net.c */
int exo_xn_genl_dump(struct sk_buff *skb, struct netlink_callback *cb);
int exo_mem_genl_dump(struct sk_buff *skb, struct netlink_callback *cb);
int exo_cpu_genl_dump(struct sk_buff *skb, struct netlink_callback *cb);
int exo_net_genl_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* EXO_MODULE_H */
