// SPDX-License-Identifier: GPL-2.0
/*
 * The argsz/flags contract of uapi/linux/exo.h, for every ioctl that takes
 * an argument struct, one FIXTURE_VARIANT per ioctl:
 *  - argsz 0 and minsz - 1 are EINVAL;
 *  - argsz minsz, the full size and a page (zero tail) give the result of
 *    the baseline call;
 *  - a non-zero byte right past the struct, and argsz a page + 1 with a
 *    non-zero tail, are E2BIG;
 *  - each flag bit the ioctl does not know is EINVAL.
 * The baseline is a call the ioctl must serve: 0 where one can be made
 * without leaving anything behind, else a fixed refusal that comes after
 * the argument checks (ENOENT, ESRCH, ETIMEDOUT, EEXIST, EBUSY), never
 * EINVAL or E2BIG, so that each case tells the rule it tests from the rest.
 *
 * Every case runs in a forked child on environments of its own, set up
 * for that one call (frames, a region, a binding, a bound thread), and
 * closed when the child exits: no case sees what another left.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "exo_test_util.h"

#define ARGSZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

#define ARGSZ_SLOT		3	/* a CPU slot the cases book */
#define ARGSZ_NO_ENV		(~0ULL)	/* an env id no environment has */
#define ARGSZ_XN_NAME		"argsz"	/* type and root made once per boot */
/* Case results that are not an errno: the child's setup failed. */
#define ARGSZ_SETUP_FAILED	1000

/* What a case's child has: its environments, and what the test made. */
struct argsz_env {
	int fd;			/* handshaken, except for EXO_IOC_API */
	int fd2;		/* a second environment, or -1 */
	void *region;		/* one page of fd's, or MAP_FAILED */
	__u32 cpu;		/* the first managed CPU */
	__u32 xn_type;		/* type and root ARGSZ_XN_NAME */
	__u64 xn_root;
	/* Room for arrays the call points at. */
	struct exo_mem_frame frames[1];
	__u32 index;
	unsigned char data[64];
	struct exo_xn_mod mod;
};

/*
 * Lay out the baseline argument in @arg (zeroed, a page and more; argsz is
 * set after). Returns 0 or the errno of what it set up.
 */
typedef int (*argsz_prep_fn)(struct argsz_env *e, void *arg);

struct argsz_ioc {
	const char *name;
	unsigned long cmd;
	size_t size;		/* the struct this header knows */
	size_t minsz;		/* the first version's size */
	__u32 flags_known;
	__u64 needs;		/* EXO_FEATURE_* the ioctl belongs to */
	bool no_handshake;	/* EXO_IOC_API: on a fresh fd */
	int base_err;		/* what the baseline call gives */
	argsz_prep_fn prep;
};

/* ---- baselines ------------------------------------------------------------ */

static int argsz_prep_none(struct argsz_env *e, void *arg)
{
	(void)e;
	(void)arg;
	return 0;
}

static int argsz_prep_api(struct argsz_env *e, void *arg)
{
	(void)e;
	((struct exo_api *)arg)->api_version = EXO_API_VERSION;
	return 0;
}

static int argsz_prep_raise(struct argsz_env *e, void *arg)
{
	(void)e;
	((struct exo_event_raise *)arg)->cookie = 0xa1;
	return 0;
}

/* One frame of its own, unmapped, in e->index. */
static int argsz_alloc_frame(struct argsz_env *e, __u32 flags)
{
	struct exo_mem_alloc a = {
		.argsz = sizeof(a), .flags = flags, .count = 1,
		.frames = (uintptr_t)e->frames,
		.addr = flags & EXO_MEM_ALLOC_MAP ? (uintptr_t)e->region : 0,
	};
	int err = exo_ioc(e->fd, EXO_IOC_MEM_ALLOC, &a);

	e->index = e->frames[0].index;
	return err;
}

static int argsz_map_region(struct argsz_env *e)
{
	e->region = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 e->fd, 0);
	return e->region == MAP_FAILED ? errno : 0;
}

static int argsz_prep_mem_alloc(struct argsz_env *e, void *arg)
{
	struct exo_mem_alloc *a = arg;

	a->count = 1;
	a->frames = (uintptr_t)e->frames;
	return 0;
}

static int argsz_prep_mem_free(struct argsz_env *e, void *arg)
{
	struct exo_mem_batch *b = arg;
	int err = argsz_alloc_frame(e, 0);

	b->count = 1;
	b->indexes = (uintptr_t)&e->index;
	return err;
}

static int argsz_prep_mem_map(struct argsz_env *e, void *arg)
{
	struct exo_mem_batch *b = arg;
	int err = argsz_map_region(e);

	if (!err)
		err = argsz_alloc_frame(e, 0);
	b->count = 1;
	b->indexes = (uintptr_t)&e->index;
	b->addr = (uintptr_t)e->region;
	return err;
}

static int argsz_prep_mem_unmap(struct argsz_env *e, void *arg)
{
	struct exo_mem_unmap *u = arg;
	int err = argsz_map_region(e);

	if (!err)
		err = argsz_alloc_frame(e, EXO_MEM_ALLOC_MAP);
	u->count = 1;
	u->addr = (uintptr_t)e->region;
	return err;
}

static int argsz_second_env(struct argsz_env *e, __u64 *id)
{
	struct exo_env_info info;
	int err;

	e->fd2 = exo_raw_env();
	if (e->fd2 < 0)
		return -e->fd2;
	err = exo_raw_info(e->fd2, &info);
	*id = info.env_id;
	return err;
}

static int argsz_prep_mem_grant(struct argsz_env *e, void *arg)
{
	struct exo_mem_grant *g = arg;
	int err = argsz_alloc_frame(e, 0);

	if (!err)
		err = argsz_second_env(e, &g->grantee);
	g->first = e->index;
	g->count = 1;
	return err;
}

static int argsz_prep_mem_ungrant(struct argsz_env *e, void *arg)
{
	struct exo_mem_grant g = { .argsz = sizeof(g), .count = 1 };
	int err = argsz_alloc_frame(e, 0);

	if (!err)
		err = argsz_second_env(e, &g.grantee);
	g.first = e->index;
	if (!err)
		err = exo_ioc(e->fd, EXO_IOC_MEM_GRANT, &g);
	((struct exo_mem_grant *)arg)->grant_id = g.grant_id;
	return err;
}

static int argsz_prep_cap_grant(struct argsz_env *e, void *arg)
{
	struct exo_cap *c = arg;
	int err = argsz_alloc_frame(e, 0);

	if (!err)
		err = argsz_second_env(e, &c->grantee);
	c->kind = EXO_CAP_MEM;
	c->rights = EXO_CAP_READ;
	c->first = e->index;
	c->count = 1;
	return err;
}

static int argsz_prep_cap_revoke(struct argsz_env *e, void *arg)
{
	struct exo_cap c = { .argsz = sizeof(c) };
	int err = argsz_prep_cap_grant(e, &c);

	if (!err)
		err = exo_ioc(e->fd, EXO_IOC_CAP_GRANT, &c);
	((struct exo_cap *)arg)->kind = EXO_CAP_MEM;
	((struct exo_cap *)arg)->cap_id = c.cap_id;
	return err;
}

static int argsz_prep_revoke(struct argsz_env *e, void *arg)
{
	/* exo_mem_revoke and exo_cpu_revoke share this layout. */
	struct exo_mem_revoke *r = arg;

	(void)e;
	r->count = 1;
	r->deadline_ms = 1000;
	r->env_id = ARGSZ_NO_ENV;
	return 0;
}

static int argsz_prep_mem_region_set(struct argsz_env *e, void *arg)
{
	int err = argsz_map_region(e);

	((struct exo_mem_region *)arg)->addr = (uintptr_t)e->region;
	return err;
}

/* Nothing is pending: a well-formed answer to fault 1 is ENOENT. */
static int argsz_prep_mem_fault_resolve(struct argsz_env *e, void *arg)
{
	((struct exo_mem_fault_resolve *)arg)->fault_id = 1;
	return 0;
}

static int argsz_prep_mem_repossessed(struct argsz_env *e, void *arg)
{
	struct exo_mem_repossessed *r = arg;

	r->count = 1;
	r->indexes = (uintptr_t)&e->index;
	return 0;
}

/* A filter for IPv4 to 10.98.0.1 on the loopback device. */
static void argsz_net_filter(struct exo_net_bind *b)
{
	b->ifindex = 1;
	b->natoms = 2;
	b->ring_slots = 16;
	b->slot_size = 2048;
	b->atoms[0].offset = 12;
	b->atoms[0].width = 2;
	b->atoms[0].mask = 0xffff;
	b->atoms[0].value = 0x0800;
	b->atoms[1].offset = 30;
	b->atoms[1].width = 4;
	b->atoms[1].mask = 0xffffffff;
	b->atoms[1].value = 0x0a620001;
}

static int argsz_net_bind(struct argsz_env *e, __u32 *id)
{
	struct exo_net_bind b;
	int err;

	memset(&b, 0, sizeof(b));
	b.argsz = sizeof(b);
	argsz_net_filter(&b);
	err = exo_ioc(e->fd, EXO_IOC_NET_BIND, &b);
	*id = b.binding_id;
	return err;
}

static int argsz_prep_net_bind(struct argsz_env *e, void *arg)
{
	(void)e;
	argsz_net_filter(arg);
	return 0;
}

static int argsz_prep_net_unbind(struct argsz_env *e, void *arg)
{
	return argsz_net_bind(e, &((struct exo_net_unbind *)arg)->binding_id);
}

static int argsz_prep_net_stats(struct argsz_env *e, void *arg)
{
	return argsz_net_bind(e, &((struct exo_net_stats *)arg)->binding_id);
}

static int argsz_prep_net_ash_set(struct argsz_env *e, void *arg)
{
	static const struct exo_ash_insn ret = { .code = EXO_ASH_RET };
	struct exo_net_ash_set *a = arg;

	a->len = 1;
	a->prog = (uintptr_t)&ret;
	return argsz_net_bind(e, &a->binding_id);
}

static int argsz_prep_net_tx(struct argsz_env *e, void *arg)
{
	struct exo_net_tx *t = arg;

	t->binding_id = 0;	/* no binding has it: ENOENT */
	t->len = sizeof(e->data);
	t->frame = (uintptr_t)e->data;
	return 0;
}

static int argsz_prep_xn_type(struct argsz_env *e, void *arg)
{
	struct exo_xn_type *t = arg;

	(void)e;
	snprintf(t->name, sizeof(t->name), ARGSZ_XN_NAME);
	return 0;
}

/* The type's UDFs: owns nothing, lets everyone in. */
static const struct exo_udf_insn argsz_owns[] = { { EXO_UDF_RET_K, 0, 0, 0, 0 } };
static const struct exo_udf_insn argsz_acl[] = { { EXO_UDF_RET_K, 0, 0, 0, 1 } };

static int argsz_prep_xn_type_install(struct argsz_env *e, void *arg)
{
	struct exo_xn_type *t = arg;

	argsz_prep_xn_type(e, arg);
	t->owns = (uintptr_t)argsz_owns;
	t->owns_len = ARRAY_SIZE(argsz_owns);
	t->acl = (uintptr_t)argsz_acl;
	t->acl_len = ARRAY_SIZE(argsz_acl);
	return 0;
}

static int argsz_prep_xn_root(struct argsz_env *e, void *arg)
{
	struct exo_xn_root *r = arg;

	snprintf(r->name, sizeof(r->name), ARGSZ_XN_NAME);
	r->type_id = e->xn_type;
	return 0;
}

/* A root of that type, but not the one the root of ARGSZ_XN_NAME is. */
static int argsz_prep_xn_root_remove(struct argsz_env *e, void *arg)
{
	struct exo_xn_root *r = arg;

	argsz_prep_xn_root(e, arg);
	r->block = e->xn_root + 1;
	return 0;
}

static int argsz_prep_xn_read(struct argsz_env *e, void *arg)
{
	struct exo_xn_read *r = arg;

	r->block = e->xn_root;
	r->parent = EXO_XN_NO_PARENT;
	r->type_id = e->xn_type;
	return 0;
}

static int argsz_prep_xn_release(struct argsz_env *e, void *arg)
{
	struct exo_xn_read r = { .argsz = sizeof(r) };

	argsz_prep_xn_read(e, &r);
	((struct exo_xn_read *)arg)->block = e->xn_root;
	return exo_ioc(e->fd, EXO_IOC_XN_READ, &r);
}

/* One modification of the root's first bytes. */
static void argsz_xn_mod(struct argsz_env *e, struct exo_xn_alloc *a)
{
	e->mod.offset = 0;
	e->mod.len = 8;
	e->mod.data = (uintptr_t)e->data;
	a->parent = e->xn_root;
	a->nmods = 1;
	a->mods = (uintptr_t)&e->mod;
}

/* A block under the root, which this environment has not read: ENOENT. */
static int argsz_prep_xn_modify(struct argsz_env *e, void *arg)
{
	struct exo_xn_info info = { .argsz = sizeof(info) };
	struct exo_xn_alloc *a = arg;
	int err = exo_ioc(e->fd, EXO_IOC_XN_INFO, &info);

	argsz_xn_mod(e, a);
	a->block = info.hint;
	a->type_id = EXO_XN_TYPE_DATA;
	return err;
}

static int argsz_prep_xn_write_meta(struct argsz_env *e, void *arg)
{
	argsz_xn_mod(e, arg);
	return 0;
}

static int argsz_prep_xn_write(struct argsz_env *e, void *arg)
{
	struct exo_xn_write *w = arg;

	w->block = e->xn_root;
	w->len = sizeof(e->data);
	w->data = (uintptr_t)e->data;
	return 0;
}

static int argsz_prep_cpu(struct argsz_env *e, void *arg)
{
	/* exo_cpu_info, _query and _bind all start with cpu. */
	((struct exo_cpu_info *)arg)->cpu = e->cpu;
	return 0;
}

static void argsz_slot_pattern(struct argsz_env *e, struct exo_cpu_slots *s)
{
	s->flags = EXO_CPU_SLOTS_PATTERN;
	s->cpu = e->cpu;
	s->start = ARGSZ_SLOT;
	s->count = 1;
	s->stride = 1;
}

static int argsz_prep_cpu_book(struct argsz_env *e, void *arg)
{
	argsz_slot_pattern(e, arg);
	return 0;
}

static int argsz_prep_cpu_free(struct argsz_env *e, void *arg)
{
	struct exo_cpu_slots s = { .argsz = sizeof(s) };

	argsz_slot_pattern(e, &s);
	argsz_slot_pattern(e, arg);
	return exo_ioc(e->fd, EXO_IOC_CPU_BOOK, &s);
}

static int argsz_bind(struct argsz_env *e)
{
	struct exo_cpu_bind b = { .argsz = sizeof(b), .cpu = e->cpu };

	return exo_ioc(e->fd, EXO_IOC_CPU_BIND, &b);
}

static int argsz_prep_cpu_unbind(struct argsz_env *e, void *arg)
{
	(void)arg;
	return argsz_bind(e);
}

/* Bound, with no slot booked: a short wait times out. */
static int argsz_prep_cpu_wait(struct argsz_env *e, void *arg)
{
	((struct exo_cpu_wake *)arg)->timeout_ms = 1;
	return argsz_bind(e);
}

static int argsz_prep_cpu_yield(struct argsz_env *e, void *arg)
{
	(void)arg;
	return argsz_bind(e);
}

static int argsz_prep_ring_setup(struct argsz_env *e, void *arg)
{
	(void)e;
	((struct exo_ring_setup *)arg)->sq_entries = 4;
	return 0;
}

/* A ring with nothing queued: the doorbell runs nothing and succeeds. */
static int argsz_prep_ring_enter(struct argsz_env *e, void *arg)
{
	struct exo_ring_setup s = { .argsz = sizeof(s), .sq_entries = 4 };

	(void)arg;
	return exo_ioc(e->fd, EXO_IOC_RING_SETUP, &s);
}

/* ---- the table ------------------------------------------------------------ */

#define ARGSZ_IOC(nm, type, minfield, known, feature, err, fn)		\
	{ .name = #nm, .cmd = EXO_IOC_##nm, .size = sizeof(type),	\
	  .minsz = ARGSZ_OFFSETOFEND(type, minfield),			\
	  .flags_known = known, .needs = feature, .base_err = err,	\
	  .prep = fn }

/* X(variant, row): one per ioctl with an argument struct (not NOP). */
#define ARGSZ_IOCS(X)							\
	X(api, { .name = "API", .cmd = EXO_IOC_API,			\
		 .size = sizeof(struct exo_api),			\
		 .minsz = ARGSZ_OFFSETOFEND(struct exo_api, ioctls),	\
		 .no_handshake = true, .prep = argsz_prep_api })	\
	X(env_info, ARGSZ_IOC(ENV_INFO, struct exo_env_info, blocks, 0,	\
			      0, 0, argsz_prep_none))			\
	X(event_raise, ARGSZ_IOC(EVENT_RAISE, struct exo_event_raise,	\
				 cookie, 0, 0, 0, argsz_prep_raise))	\
	X(cap_grant, ARGSZ_IOC(CAP_GRANT, struct exo_cap, cap_id, 0,	\
			       EXO_FEATURE_MEM, 0, argsz_prep_cap_grant)) \
	X(cap_revoke, ARGSZ_IOC(CAP_REVOKE, struct exo_cap, cap_id, 0,	\
				EXO_FEATURE_MEM, 0, argsz_prep_cap_revoke)) \
	X(mem_info, ARGSZ_IOC(MEM_INFO, struct exo_mem_info, reserved,	\
			      0, EXO_FEATURE_MEM, 0, argsz_prep_none))	\
	X(mem_alloc, ARGSZ_IOC(MEM_ALLOC, struct exo_mem_alloc, addr,	\
			       EXO_MEM_ALLOC_INDEX | EXO_MEM_ALLOC_COLOUR | \
			       EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE,	\
			       EXO_FEATURE_MEM, 0, argsz_prep_mem_alloc)) \
	X(mem_free, ARGSZ_IOC(MEM_FREE, struct exo_mem_batch, addr, 0,	\
			      EXO_FEATURE_MEM, 0, argsz_prep_mem_free))	\
	X(mem_map, ARGSZ_IOC(MEM_MAP, struct exo_mem_batch, addr,	\
			     EXO_MEM_PROT_WRITE, EXO_FEATURE_MEM, 0,	\
			     argsz_prep_mem_map))			\
	X(mem_unmap, ARGSZ_IOC(MEM_UNMAP, struct exo_mem_unmap, addr, 0, \
			       EXO_FEATURE_MEM, 0, argsz_prep_mem_unmap)) \
	X(mem_grant, ARGSZ_IOC(MEM_GRANT, struct exo_mem_grant, grant_id, \
			       EXO_MEM_GRANT_WRITE, EXO_FEATURE_MEM, 0,	\
			       argsz_prep_mem_grant))			\
	X(mem_ungrant, ARGSZ_IOC(MEM_UNGRANT, struct exo_mem_grant,	\
				 grant_id, 0, EXO_FEATURE_MEM, 0,	\
				 argsz_prep_mem_ungrant))		\
	X(mem_revoke, ARGSZ_IOC(MEM_REVOKE, struct exo_mem_revoke,	\
				env_id, 0, EXO_FEATURE_MEM, ESRCH,	\
				argsz_prep_revoke))			\
	X(mem_repossessed, ARGSZ_IOC(MEM_REPOSSESSED,			\
				     struct exo_mem_repossessed, indexes, 0, \
				     EXO_FEATURE_MEM, 0,		\
				     argsz_prep_mem_repossessed))	\
	X(mem_region_set, ARGSZ_IOC(MEM_REGION_SET, struct exo_mem_region, \
				    addr, EXO_REGION_FAULT_UPCALL,	\
				    EXO_FEATURE_MEM, 0,			\
				    argsz_prep_mem_region_set))		\
	X(mem_fault_resolve, ARGSZ_IOC(MEM_FAULT_RESOLVE,		\
				       struct exo_mem_fault_resolve, reserved, \
				       EXO_MEM_FAULT_FAIL | EXO_MEM_PROT_WRITE, \
				       EXO_FEATURE_MEM, ENOENT,		\
				       argsz_prep_mem_fault_resolve))	\
	X(net_info, ARGSZ_IOC(NET_INFO, struct exo_net_info, reserved, 0, \
			      EXO_FEATURE_NET, 0, argsz_prep_none))	\
	X(net_bind, ARGSZ_IOC(NET_BIND, struct exo_net_bind, atoms,	\
			      EXO_NET_BIND_HOST, EXO_FEATURE_NET, 0,	\
			      argsz_prep_net_bind))			\
	X(net_unbind, ARGSZ_IOC(NET_UNBIND, struct exo_net_unbind,	\
				reserved, 0, EXO_FEATURE_NET, 0,	\
				argsz_prep_net_unbind))			\
	X(net_tx, ARGSZ_IOC(NET_TX, struct exo_net_tx, frame, 0,	\
			    EXO_FEATURE_NET, ENOENT, argsz_prep_net_tx)) \
	X(net_stats, ARGSZ_IOC(NET_STATS, struct exo_net_stats,		\
			       tx_refused, 0, EXO_FEATURE_NET, 0,	\
			       argsz_prep_net_stats))			\
	X(net_ash_set, ARGSZ_IOC(NET_ASH_SET, struct exo_net_ash_set,	\
				 reserved, 0, EXO_FEATURE_NET, 0,	\
				 argsz_prep_net_ash_set))		\
	X(xn_info, ARGSZ_IOC(XN_INFO, struct exo_xn_info, reserved, 0,	\
			     EXO_FEATURE_XN, 0, argsz_prep_none))	\
	X(xn_type_install, ARGSZ_IOC(XN_TYPE_INSTALL, struct exo_xn_type, \
				     acl, 0, EXO_FEATURE_XN, EEXIST,	\
				     argsz_prep_xn_type_install))	\
	X(xn_type_lookup, ARGSZ_IOC(XN_TYPE_LOOKUP, struct exo_xn_type,	\
				    acl, 0, EXO_FEATURE_XN, 0,		\
				    argsz_prep_xn_type))		\
	X(xn_root_install, ARGSZ_IOC(XN_ROOT_INSTALL, struct exo_xn_root, \
				     block, 0, EXO_FEATURE_XN, EEXIST,	\
				     argsz_prep_xn_root))		\
	X(xn_root_lookup, ARGSZ_IOC(XN_ROOT_LOOKUP, struct exo_xn_root,	\
				    block, 0, EXO_FEATURE_XN, 0,	\
				    argsz_prep_xn_root))		\
	X(xn_read, ARGSZ_IOC(XN_READ, struct exo_xn_read, writable, 0,	\
			     EXO_FEATURE_XN, 0, argsz_prep_xn_read))	\
	X(xn_release, ARGSZ_IOC(XN_RELEASE, struct exo_xn_read, writable, \
				0, EXO_FEATURE_XN, 0,			\
				argsz_prep_xn_release))			\
	X(xn_alloc, ARGSZ_IOC(XN_ALLOC, struct exo_xn_alloc, mods, 0,	\
			      EXO_FEATURE_XN, ENOENT,			\
			      argsz_prep_xn_modify))			\
	X(xn_free, ARGSZ_IOC(XN_FREE, struct exo_xn_alloc, mods, 0,	\
			     EXO_FEATURE_XN, ENOENT, argsz_prep_xn_modify)) \
	X(xn_write_meta, ARGSZ_IOC(XN_WRITE_META, struct exo_xn_alloc,	\
				   mods, 0, EXO_FEATURE_XN, ENOENT,	\
				   argsz_prep_xn_write_meta))		\
	X(xn_write, ARGSZ_IOC(XN_WRITE, struct exo_xn_write, data, 0,	\
			      EXO_FEATURE_XN, ENOENT,			\
			      argsz_prep_xn_write))			\
	X(xn_sync, ARGSZ_IOC(XN_SYNC, struct exo_xn_sync, faulted, 0,	\
			     EXO_FEATURE_XN, 0, argsz_prep_none))	\
	X(xn_check, ARGSZ_IOC(XN_CHECK, struct exo_xn_sync, faulted, 0,	\
			      EXO_FEATURE_XN, 0, argsz_prep_none))	\
	X(xn_type_remove, ARGSZ_IOC(XN_TYPE_REMOVE, struct exo_xn_type,	\
				    acl, 0, EXO_FEATURE_XN, EBUSY,	\
				    argsz_prep_xn_type))		\
	X(xn_root_remove, ARGSZ_IOC(XN_ROOT_REMOVE, struct exo_xn_root,	\
				    block, 0, EXO_FEATURE_XN, ENOENT,	\
				    argsz_prep_xn_root_remove))		\
	X(cpu_info, ARGSZ_IOC(CPU_INFO, struct exo_cpu_info, policy, 0,	\
			      EXO_FEATURE_CPU, 0, argsz_prep_cpu))	\
	X(cpu_book, ARGSZ_IOC(CPU_BOOK, struct exo_cpu_slots, mask,	\
			      EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN, \
			      EXO_FEATURE_CPU, 0, argsz_prep_cpu_book))	\
	X(cpu_free, ARGSZ_IOC(CPU_FREE, struct exo_cpu_slots, mask,	\
			      EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN, \
			      EXO_FEATURE_CPU, 0, argsz_prep_cpu_free))	\
	X(cpu_query, ARGSZ_IOC(CPU_QUERY, struct exo_cpu_query, mine, 0, \
			       EXO_FEATURE_CPU, 0, argsz_prep_cpu))	\
	X(cpu_bind, ARGSZ_IOC(CPU_BIND, struct exo_cpu_bind, signal,	\
			      EXO_CPU_BIND_SHARE, EXO_FEATURE_CPU, 0,	\
			      argsz_prep_cpu))				\
	X(cpu_unbind, ARGSZ_IOC(CPU_UNBIND, struct exo_cpu_bind, signal, \
				0, EXO_FEATURE_CPU, 0,			\
				argsz_prep_cpu_unbind))			\
	X(cpu_wait, ARGSZ_IOC(CPU_WAIT, struct exo_cpu_wake, seq,	\
			      EXO_CPU_WAIT_DONATE, EXO_FEATURE_CPU,	\
			      ETIMEDOUT, argsz_prep_cpu_wait))		\
	X(cpu_yield, ARGSZ_IOC(CPU_YIELD, struct exo_cpu_yield, target,	\
			       EXO_CPU_YIELD_TO, EXO_FEATURE_CPU, 0,	\
			       argsz_prep_cpu_yield))			\
	X(cpu_revoke, ARGSZ_IOC(CPU_REVOKE, struct exo_cpu_revoke,	\
				env_id, 0, EXO_FEATURE_CPU, ESRCH,	\
				argsz_prep_revoke))			\
	X(ring_setup, ARGSZ_IOC(RING_SETUP, struct exo_ring_setup,	\
				reserved, 0, EXO_FEATURE_RING, 0,	\
				argsz_prep_ring_setup))			\
	X(ring_enter, ARGSZ_IOC(RING_ENTER, struct exo_ring_enter,	\
				reserved, 0, EXO_FEATURE_RING, 0,	\
				argsz_prep_ring_enter))

enum argsz_ioc_id {
#define ARGSZ_ID(name, ...)	ARGSZ_I_##name,
	ARGSZ_IOCS(ARGSZ_ID)
#undef ARGSZ_ID
	ARGSZ_NIOCS
};

static const struct argsz_ioc argsz_iocs[] = {
#define ARGSZ_ENTRY(name, ...)	[ARGSZ_I_##name] = __VA_ARGS__,
	ARGSZ_IOCS(ARGSZ_ENTRY)
#undef ARGSZ_ENTRY
};

/* ---- running one case ----------------------------------------------------- */

/*
 * In a child: fresh environments, the baseline argument, then @argsz and
 * @extra_flags; a non-zero byte at @dirty if it is not -1. Returns the
 * call's errno (0 on success), or ARGSZ_SETUP_FAILED + the setup's errno.
 */
static int argsz_run(const struct argsz_ioc *d, const struct argsz_env *base,
		     __u32 argsz, __u32 extra_flags, long dirty)
{
	int p[2], status, result = ARGSZ_SETUP_FAILED;
	pid_t pid;

	if (pipe(p))
		return ARGSZ_SETUP_FAILED + errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		struct argsz_env e = *base;
		unsigned char *buf;
		int err;

		close(p[0]);
		e.fd2 = -1;
		e.region = MAP_FAILED;
		e.fd = d->no_handshake ? exo_raw_open() : exo_raw_env();
		buf = calloc(1, 2 * page + 64);
		err = e.fd < 0 ? -e.fd : !buf ? ENOMEM : d->prep(&e, buf);
		if (err) {
			result = ARGSZ_SETUP_FAILED + err;
		} else {
			((__u32 *)buf)[0] = argsz;
			((__u32 *)buf)[1] |= extra_flags;
			if (dirty >= 0)
				buf[dirty] = 0x01;
			result = exo_ioc(e.fd, d->cmd, buf);
		}
		exo_write_full(p[1], &result, sizeof(result));
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || exo_read_full(p[0], &result, sizeof(result)))
		result = ARGSZ_SETUP_FAILED;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return result;
}

static const char *argsz_result_name(int r)
{
	static char buf[64];

	if (r >= ARGSZ_SETUP_FAILED) {
		snprintf(buf, sizeof(buf), "setup failed: %s",
			 exo_errno_name(r - ARGSZ_SETUP_FAILED));
		return buf;
	}
	return r ? exo_errno_name(r) : "0";
}

/* ---- the fixture: one variant per ioctl ----------------------------------- */

FIXTURE(argsz) {
	struct argsz_env base;
	size_t page;
};

FIXTURE_VARIANT(argsz) {
	const struct argsz_ioc *ioc;
};

#define ARGSZ_VARIANT(name, ...)					\
	FIXTURE_VARIANT_ADD(argsz, name) { .ioc = &argsz_iocs[ARGSZ_I_##name] };
ARGSZ_IOCS(ARGSZ_VARIANT)
#undef ARGSZ_VARIANT

/* The type and root ARGSZ_XN_NAME, made by the first run of a boot. */
static int argsz_xn_setup(int fd, struct argsz_env *e)
{
	struct exo_xn_type t = { .argsz = sizeof(t) };
	struct exo_xn_root r = { .argsz = sizeof(r) };
	int err;

	argsz_prep_xn_type_install(e, &t);
	err = exo_ioc(fd, EXO_IOC_XN_TYPE_INSTALL, &t);
	if (err == EEXIST) {
		t.owns = t.acl = 0;
		err = exo_ioc(fd, EXO_IOC_XN_TYPE_LOOKUP, &t);
	}
	if (err)
		return err;
	e->xn_type = t.type_id;
	argsz_prep_xn_root(e, &r);
	err = exo_ioc(fd, EXO_IOC_XN_ROOT_INSTALL, &r);
	if (err == EEXIST)
		err = exo_ioc(fd, EXO_IOC_XN_ROOT_LOOKUP, &r);
	e->xn_root = r.block;
	return err;
}

FIXTURE_SETUP(argsz)
{
	const struct argsz_ioc *d = variant->ioc;
	struct exo_api api;
	int fd, cpu;

	memset(&self->base, 0, sizeof(self->base));
	self->page = (size_t)sysconf(_SC_PAGESIZE);
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_api(fd, &api));
	if ((api.features & d->needs) != d->needs) {
		close(fd);
		SKIP(return, "exo.ko has no binding for %s", d->name);
	}
	if (d->needs == EXO_FEATURE_CPU) {
		cpu = exo_cpu_first(fd);
		if (cpu < 0) {
			close(fd);
			SKIP(return, "exo manages no CPU here");
		}
		self->base.cpu = cpu;
	}
	if (d->needs == EXO_FEATURE_NET && geteuid()) {
		close(fd);
		SKIP(return, "binding filters needs CAP_NET_ADMIN");
	}
	if (d->needs == EXO_FEATURE_XN)
		ASSERT_EQ(0, argsz_xn_setup(fd, &self->base));
	close(fd);
	/* The baseline itself, at the full size. */
	ASSERT_EQ(d->base_err, argsz_run(d, &self->base, d->size, 0, -1)) {
		TH_LOG("EXO_IOC_%s baseline: got %s", d->name,
		       argsz_result_name(argsz_run(d, &self->base, d->size, 0, -1)));
	}
	ASSERT_NE(EINVAL, d->base_err);
	ASSERT_NE(E2BIG, d->base_err);
}

FIXTURE_TEARDOWN(argsz)
{
}

static void argsz_expect(struct __test_metadata *_metadata,
			 FIXTURE_DATA(argsz) *self, const struct argsz_ioc *d,
			 __u32 argsz, __u32 flags, long dirty, int want)
{
	int got = argsz_run(d, &self->base, argsz, flags, dirty);

	EXPECT_EQ(want, got) {
		TH_LOG("EXO_IOC_%s argsz %u (minsz %zu, size %zu) flags %#x%s: want %s, got %s",
		       d->name, argsz, d->minsz, d->size, flags,
		       dirty >= 0 ? " non-zero tail" : "",
		       want ? exo_errno_name(want) : "0",
		       argsz_result_name(got));
	}
}

TEST_F(argsz, zero_is_einval)
{
	argsz_expect(_metadata, self, variant->ioc, 0, 0, -1, EINVAL);
}

TEST_F(argsz, below_minsz_is_einval)
{
	const struct argsz_ioc *d = variant->ioc;

	argsz_expect(_metadata, self, d, d->minsz - 1, 0, -1, EINVAL);
	argsz_expect(_metadata, self, d, sizeof(__u32) * 2, 0, -1, EINVAL);
}

TEST_F(argsz, minsz_is_served)
{
	const struct argsz_ioc *d = variant->ioc;

	argsz_expect(_metadata, self, d, d->minsz, 0, -1, d->base_err);
}

TEST_F(argsz, full_size_is_served)
{
	const struct argsz_ioc *d = variant->ioc;

	argsz_expect(_metadata, self, d, d->size, 0, -1, d->base_err);
}

TEST_F(argsz, page_with_zero_tail_is_served)
{
	const struct argsz_ioc *d = variant->ioc;

	argsz_expect(_metadata, self, d, self->page, 0, -1, d->base_err);
}

TEST_F(argsz, non_zero_byte_past_the_struct_is_e2big)
{
	const struct argsz_ioc *d = variant->ioc;

	argsz_expect(_metadata, self, d, d->size + 1, 0, d->size, E2BIG);
	argsz_expect(_metadata, self, d, self->page, 0, self->page - 1, E2BIG);
}

TEST_F(argsz, page_plus_one_is_e2big)
{
	argsz_expect(_metadata, self, variant->ioc, self->page + 1, 0,
		     self->page, E2BIG);
}

TEST_F(argsz, each_unknown_flag_is_einval)
{
	const struct argsz_ioc *d = variant->ioc;
	int bit;

	for (bit = 0; bit < 32; bit++)
		if (!(d->flags_known & (1U << bit)))
			argsz_expect(_metadata, self, d, d->size, 1U << bit, -1,
				     EINVAL);
}

/* Every ioctl the kernel serves, NOP aside, has a row; and only those. */
TEST(table_covers_every_served_ioctl)
{
	__u64 served[2], listed[2] = { 0, 0 };
	struct exo_api api;
	unsigned int nr;
	int fd, i;

	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	fd = exo_raw_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_api(fd, &api));
	close(fd);
	served[0] = api.ioctls & ~(1ULL << EXO_NR_NOP);
	served[1] = api.ioctls_hi;
	for (i = 0; i < ARGSZ_NIOCS; i++) {
		nr = _IOC_NR(argsz_iocs[i].cmd);
		ASSERT_GT(128U, nr);
		listed[nr / 64] |= 1ULL << (nr % 64);
		EXPECT_EQ(EXO_IOC_MAGIC, _IOC_TYPE(argsz_iocs[i].cmd));
	}
	EXPECT_EQ(served[0], listed[0]);
	EXPECT_EQ(served[1], listed[1]);
}

/* NOP takes no struct: its argument must be 0. */
TEST(nop_with_an_argument_is_einval)
{
	int fd;

	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_NOP, NULL));
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_NOP, (void *)1));
	close(fd);
}

TEST_HARNESS_MAIN
