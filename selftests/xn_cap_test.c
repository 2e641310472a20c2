// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities of kind EXO_CAP_XN: a subtree of XN blocks held, granted
 * (the grantee reads its top with EXO_XN_CAP_PARENT and what is below as
 * usual, writes only with EXO_CAP_WRITE), revoked (its blocks, mappings
 * and all, are gone, and it was told), out of reach of a third
 * environment, refused on bad input on both sides of every limit, and
 * given back when either side is killed or the grantor lets the top go.
 *
 * The grantor runs as root and owns the tree; grantees run as nobody, so
 * that the acl alone would keep them out: only the cap lets them in.
 * The node UDFs are exo_xn_util.h's, shared with xn_test.c: a "node" has its
 * owner uid at 0, mode bits at 4 ("other": 04 read, 02 write) and entries
 * { u64 block; u32 type; u32 pad } from byte 16.
 */
#include <signal.h>
#include <sys/mman.h>

#include "exo_test_util.h"
#include "exo_xn_util.h"

#define CAP_WAIT_MS	5000
#define XN_CAPS_PATH	EXO_DEBUGFS_ROOT "/exo/xn_caps"
#define GRANTOR_BYTES	"grantor bytes"
#define GRANTEE_BYTES	"grantee wrote"

/* Set a node's mode bits. */
static int tn_mode(struct exo *exo, __u64 block, __u32 mode)
{
	struct exo_xn_mod m = {
		.offset = TN_MODE,
		.len = sizeof(mode),
		.data = (__u64)(unsigned long)&mode,
	};

	return exo_xn_write_meta(exo, block, &m, 1);
}

static __u64 xn_free_block(struct exo *exo)
{
	struct exo_xn_info info = { .hint = 0 };

	if (exo_xn_info(exo, &info))
		return 0;
	return info.hint;
}

static __u64 xn_env_info(struct exo *exo, bool want_id)
{
	struct exo_env_info info;

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (exo_env_info(exo, &info))
		return ~0ULL;
	return want_id ? info.env_id : info.blocks;
}

#define xn_held(exo)	xn_env_info(exo, false)
#define xn_id(exo)	xn_env_info(exo, true)

static __u32 xn_cached(struct exo *exo)
{
	struct exo_xn_info info = { 0 };

	return exo_xn_info(exo, &info) ? ~0U : info.cached;
}

/* Live EXO_CAP_XN caps in all (debugfs), or -1. */
static long xn_caps_live(void)
{
	char *s = exo_file_slurp(XN_CAPS_PATH);
	long v;

	if (!s)
		return -1;
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

/* One message between the test and a peer: three numbers. */
struct cap_msg {
	__u64 v[3];
};

static int msg_send(int fd, __u64 a, __u64 b, __u64 c)
{
	struct cap_msg m = { { a, b, c } };

	return exo_write_full(fd, &m, sizeof(m));
}

static int msg_recv(int fd, struct cap_msg *m)
{
	return exo_read_full(fd, m, sizeof(*m));
}

/* A touch of a mapping a revoke took: SIGBUS (the fault) or SIGSEGV. */
static bool gone(int sig)
{
	return sig == SIGBUS || sig == SIGSEGV;
}

/* The one UNGRANTED record for @cap_id, and nothing after it. */
static bool ungranted(struct exo *h, __u64 cap_id)
{
	struct exo_event ev;

	if (exo_event_read(h, &ev, 1, CAP_WAIT_MS) != 1 ||
	    ev.type != EXO_EVENT_XN_UNGRANTED || ev.data[0] != cap_id)
		return false;
	return exo_event_read(h, &ev, 1, 0) == 0;
}

FIXTURE(xn_cap) {
	struct exo *exo;
	pid_t test_pid;
	char params[EXO_KMOD_PARAMS_LEN];	/* exo.ko's before the test */
	__u32 node;
	__u64 root;		/* root -> dir (node, entry 0) -> data (entry 0) */
	__u64 dir;
	__u64 data;
	__u64 id;		/* the grantor's environment */
};

/* What a peer knows of the tree. */
struct cap_tree {
	__u32 node;
	__u64 root, dir, data, grantor;
};

FIXTURE_SETUP(xn_cap)
{
	struct exo_xn_mod m;
	struct tn_entry e;
	struct exo_api api;
	char name[EXO_XN_NAME_MAX];
	int id;

	self->exo = NULL;
	self->test_pid = getpid();
	self->params[0] = '\0';
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	ASSERT_EQ(0, exo_kmod_params(self->params, sizeof(self->params)));
	ASSERT_EQ(0, xn_reload(self->params, "disk="));
	self->exo = exo_open(NULL);
	ASSERT_NE(NULL, self->exo);
	ASSERT_EQ(0, exo_api(self->exo, &api));
	if (!(api.features & EXO_FEATURE_XN))
		SKIP(return, "exo.ko has no XN binding (EXO_FEATURE_XN)");
	if (!exo_debugfs_mounted())
		SKIP(return, "no debugfs: the cap counter is in exo/xn_caps");
	id = tn_install(self->exo, "cap node");
	ASSERT_LT(0, id);
	self->node = id;
	/* Roots outlive a test on a real disk: a name of its own. */
	snprintf(name, sizeof(name), "capfs-%d", (int)getpid());
	ASSERT_EQ(0, exo_xn_root_install(self->exo, name, self->node,
					 &self->root));
	ASSERT_EQ(0, exo_xn_read(self->exo, self->root, EXO_XN_NO_PARENT,
				 self->node, NULL));
	self->dir = xn_free_block(self->exo);
	m = tn_mod(0, &e, self->dir, self->node);
	ASSERT_EQ(0, exo_xn_alloc(self->exo, self->root, self->dir,
				  self->node, &m, 1));
	self->data = xn_free_block(self->exo);
	m = tn_mod(0, &e, self->data, EXO_XN_TYPE_DATA);
	ASSERT_EQ(0, exo_xn_alloc(self->exo, self->dir, self->data,
				  EXO_XN_TYPE_DATA, &m, 1));
	ASSERT_EQ(0, exo_xn_write(self->exo, self->data, 0, GRANTOR_BYTES,
				  sizeof(GRANTOR_BYTES)));
	self->id = xn_id(self->exo);
	ASSERT_EQ(3U, xn_held(self->exo));
	ASSERT_EQ(0, xn_caps_live());
}

/* In the parent, after the test's process (and its fds) are gone. */
FIXTURE_TEARDOWN_PARENT(xn_cap)
{
	char now[sizeof(self->params)];

	if (!self->params[0])
		return;
	if (getpid() == self->test_pid)
		close_range(3, ~0U, 0);
	if (exo_kmod_loaded() && !exo_kmod_params(now, sizeof(now)) &&
	    !strcmp(now, self->params))
		return;
	ASSERT_EQ(0, xn_reload(self->params, ""));
}

static void cap_tree_of(struct cap_tree *t,
			const FIXTURE_DATA(xn_cap) *self)
{
	t->node = self->node;
	t->root = self->root;
	t->dir = self->dir;
	t->data = self->data;
	t->grantor = self->id;
}

/* A grantee's start: its own env, then nobody, then its id to the test. */
static struct exo *grantee_open(int tx)
{
	struct exo *h = exo_open(NULL);

	if (!h || exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0) ||
	    msg_send(tx, xn_id(h), 0, 0))
		return NULL;
	return h;
}

/*
 * A READ grantee: its acl keeps it out; the cap lets it read the top and
 * the data below, and write nothing; it can neither climb above the top,
 * revoke, nor pass the cap on. After the revoke all of that is gone.
 */
static int ro_grantee(int rx, int tx, void *arg)
{
	const struct cap_tree *t = arg;
	struct exo_xn_mod mod;
	struct tn_entry e;
	struct cap_msg m;
	struct exo *h;
	__u64 cap, c, x;
	char *p;
	int w = -1;

	h = grantee_open(tx);
	EXO_CHILD_CHECK(10, h);
	EXO_CHILD_CHECK(11, msg_recv(rx, &m) == 0);
	cap = m.v[0];
	/* Without the cap: the acl says no. */
	EXO_CHILD_CHECK(12, exo_xn_read(h, t->root, EXO_XN_NO_PARENT, t->node,
					NULL) == -EACCES);
	EXO_CHILD_CHECK(13, exo_xn_read(h, t->dir, t->root, t->node,
					NULL) == -ENOENT);
	/* The cap names the top, with its type. */
	EXO_CHILD_CHECK(14, exo_xn_read(h, t->dir, EXO_XN_CAP_PARENT,
					EXO_XN_TYPE_DATA, NULL) == -EPERM);
	EXO_CHILD_CHECK(15, exo_xn_read(h, t->dir, EXO_XN_CAP_PARENT, t->node,
					&w) == 0 && w == 0);
	EXO_CHILD_CHECK(16, exo_xn_read(h, t->data, t->dir, EXO_XN_TYPE_DATA,
					&w) == 0 && w == 0);
	p = exo_xn_map(h, t->data, 0);
	EXO_CHILD_CHECK(17, p && !memcmp(p, GRANTOR_BYTES,
					  sizeof(GRANTOR_BYTES)));
	/* READ: every write path is EACCES. */
	EXO_CHILD_CHECK(18, !exo_xn_map(h, t->data, 1) && errno == EACCES);
	EXO_CHILD_CHECK(19, exo_xn_write(h, t->data, 0, "x", 1) == -EACCES);
	mod = tn_mod(1, &e, t->data, EXO_XN_TYPE_DATA);
	EXO_CHILD_CHECK(20, exo_xn_write_meta(h, t->dir, &mod, 1) == -EACCES);
	c = xn_free_block(h);
	mod = tn_mod(1, &e, c, EXO_XN_TYPE_DATA);
	EXO_CHILD_CHECK(21, exo_xn_alloc(h, t->dir, c, EXO_XN_TYPE_DATA, &mod,
					 1) == -EACCES);
	mod = tn_mod(0, &e, 0, 0);
	EXO_CHILD_CHECK(22, exo_xn_free(h, t->dir, t->data, EXO_XN_TYPE_DATA,
					&mod, 1) == -EACCES);
	/* No climbing above the top, no cap for a block inside it. */
	EXO_CHILD_CHECK(23, exo_xn_read(h, t->root, EXO_XN_CAP_PARENT, t->node,
					NULL) == -EPERM);
	EXO_CHILD_CHECK(24, exo_xn_read(h, t->data, EXO_XN_CAP_PARENT,
					EXO_XN_TYPE_DATA, NULL) == -EPERM);
	/* Not its cap to revoke, nor to pass on. */
	EXO_CHILD_CHECK(25, exo_cap_revoke(h, EXO_CAP_XN, cap) == -ENOENT);
	EXO_CHILD_CHECK(26, exo_cap_grant(h, EXO_CAP_XN, EXO_CAP_READ, t->dir,
					  1, t->grantor, &x) == -EPERM);
	EXO_CHILD_CHECK(27, exo_cap_grant(h, EXO_CAP_XN, EXO_CAP_READ, t->data,
					  1, t->grantor, &x) == -EPERM);
	EXO_CHILD_CHECK(28, xn_held(h) == 2);
	EXO_CHILD_CHECK(29, msg_send(tx, 0, 0, 0) == 0);

	/* Revoked: the blocks and the mapping went before REVOKE returned. */
	EXO_CHILD_CHECK(30, msg_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(31, gone(exo_probe_read(p, NULL)));
	EXO_CHILD_CHECK(32, xn_held(h) == 0);
	EXO_CHILD_CHECK(33, exo_xn_read(h, t->data, t->dir, EXO_XN_TYPE_DATA,
					NULL) == -ENOENT);
	EXO_CHILD_CHECK(34, exo_xn_read(h, t->dir, EXO_XN_CAP_PARENT, t->node,
					NULL) == -EPERM);
	EXO_CHILD_CHECK(35, !exo_xn_map(h, t->data, 0) && errno == ENOENT);
	EXO_CHILD_CHECK(36, ungranted(h, cap));
	return 0;
}

TEST_F(xn_cap, read_cap_held_granted_revoked)
{
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	struct cap_tree t;
	struct cap_msg m;
	struct exo *third;
	__u64 grantee, cap = 0, x;

	EXPECT_STREQ("xn-ungranted", exo_event_name(EXO_EVENT_XN_UNGRANTED));
	cap_tree_of(&t, self);
	third = exo_open(NULL);
	ASSERT_NE(NULL, third);
	ASSERT_EQ(0, exo_peer_start(&peer, ro_grantee, &t));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	grantee = m.v[0];

	/* Held: a third environment, which does not hold it, cannot grant. */
	EXPECT_EQ(-EPERM, exo_cap_grant(third, EXO_CAP_XN, EXO_CAP_READ,
					self->dir, 1, grantee, &x));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->dir, 1, grantee, &cap));
	EXPECT_NE(0U, cap);
	EXPECT_EQ(1, xn_caps_live());
	ASSERT_EQ(0, msg_send(peer.to, cap, 0, 0));
	ASSERT_EQ(0, msg_recv(peer.from, &m));

	/* Granted to someone else: the third env can neither use nor revoke. */
	EXPECT_EQ(-EPERM, exo_xn_read(third, self->dir, EXO_XN_CAP_PARENT,
				      self->node, NULL));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(third, EXO_CAP_XN, cap));
	EXPECT_EQ(0U, xn_held(third));
	EXPECT_EQ(1, xn_caps_live());

	ASSERT_EQ(0, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
	ASSERT_EQ(0, msg_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	/* The grantor keeps what it held. */
	EXPECT_EQ(3U, xn_held(self->exo));
	exo_close(third);
}

/*
 * A READ|WRITE grantee writes the data block by ioctl and through a
 * read-write mapping, and allocates below the top: owns still checks.
 */
static int rw_grantee(int rx, int tx, void *arg)
{
	const struct cap_tree *t = arg;
	struct exo_xn_mod mod;
	struct tn_entry e;
	struct cap_msg m;
	struct exo *h;
	__u64 cap, c;
	char *p;
	int w = -1;

	h = grantee_open(tx);
	EXO_CHILD_CHECK(10, h);
	EXO_CHILD_CHECK(11, msg_recv(rx, &m) == 0);
	cap = m.v[0];
	EXO_CHILD_CHECK(12, exo_xn_read(h, t->dir, EXO_XN_CAP_PARENT, t->node,
					&w) == 0 && w == 1);
	EXO_CHILD_CHECK(13, exo_xn_read(h, t->data, t->dir, EXO_XN_TYPE_DATA,
					&w) == 0 && w == 1);
	EXO_CHILD_CHECK(14, exo_xn_write(h, t->data, 0, GRANTEE_BYTES,
					 sizeof(GRANTEE_BYTES)) == 0);
	p = exo_xn_map(h, t->data, 1);
	EXO_CHILD_CHECK(15, p != NULL);
	memcpy(p + 100, "by map", 7);
	/* Owns still decides: a claim of a taken block is refused. */
	c = xn_free_block(h);
	mod = tn_mod(1, &e, t->data, EXO_XN_TYPE_DATA);
	EXO_CHILD_CHECK(16, exo_xn_alloc(h, t->dir, c, EXO_XN_TYPE_DATA, &mod,
					 1) == -EPERM);
	mod = tn_mod(1, &e, c, EXO_XN_TYPE_DATA);
	EXO_CHILD_CHECK(17, exo_xn_alloc(h, t->dir, c, EXO_XN_TYPE_DATA, &mod,
					 1) == 0);
	EXO_CHILD_CHECK(18, xn_held(h) == 3);
	EXO_CHILD_CHECK(19, msg_send(tx, c, 0, 0) == 0);

	EXO_CHILD_CHECK(20, msg_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(21, gone(exo_probe_write(p, 'z')));
	/* What it allocated through the cap went with it. */
	EXO_CHILD_CHECK(22, xn_held(h) == 0);
	EXO_CHILD_CHECK(23, exo_xn_write(h, c, 0, "x", 1) == -ENOENT);
	EXO_CHILD_CHECK(24, ungranted(h, cap));
	return 0;
}

TEST_F(xn_cap, write_cap_grantee_writes_grantor_reads)
{
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	struct cap_tree t;
	struct cap_msg m;
	__u64 cap = 0, c;
	char *p;

	cap_tree_of(&t, self);
	ASSERT_EQ(0, exo_peer_start(&peer, rw_grantee, &t));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN,
				   EXO_CAP_READ | EXO_CAP_WRITE, self->dir, 1,
				   m.v[0], &cap));
	ASSERT_EQ(0, msg_send(peer.to, cap, 0, 0));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	c = m.v[0];

	/* The grantor sees the grantee's bytes, one cache for both. */
	p = exo_xn_map(self->exo, self->data, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, memcmp(p, GRANTEE_BYTES, sizeof(GRANTEE_BYTES)));
	EXPECT_EQ(0, memcmp(p + 100, "by map", 7));
	exo_xn_unmap(p);

	ASSERT_EQ(0, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
	ASSERT_EQ(0, msg_send(peer.to, 0, 0, 0));
	EXPECT_EQ(0, exo_peer_finish(&peer));
	EXPECT_EQ(0, xn_caps_live());
	/* The block it allocated stays in the tree, the grantor's to read. */
	EXPECT_EQ(0, exo_xn_read(self->exo, c, self->dir, EXO_XN_TYPE_DATA,
				 NULL));
	EXPECT_EQ(0, exo_xn_sync(self->exo, NULL));
}

/* As nobody, holding dir and root read-only: WRITE is more than it has. */
static int ro_grantor(const FIXTURE_DATA(xn_cap) *self)
{
	struct exo *h = exo_open(NULL);
	__u64 x;
	int w = -1;

	if (!h || exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0))
		return 10;
	if (exo_xn_read(h, self->root, EXO_XN_NO_PARENT, self->node, NULL) ||
	    exo_xn_read(h, self->dir, self->root, self->node, &w) || w != 0)
		return 11;
	if (exo_cap_grant(h, EXO_CAP_XN, EXO_CAP_READ | EXO_CAP_WRITE,
			  self->dir, 1, self->id, &x) != -EPERM)
		return 12;
	/* READ is within its rights; the cap dies with its environment. */
	if (exo_cap_grant(h, EXO_CAP_XN, EXO_CAP_READ, self->dir, 1, self->id,
			  &x))
		return 13;
	return 0;
}

TEST_F(xn_cap, bad_input_both_sides_of_every_limit)
{
	struct exo *other;
	__u64 oid, x, ids[3];
	pid_t pid;
	int i;

	other = exo_open(NULL);
	ASSERT_NE(NULL, other);
	oid = xn_id(other);

	/* count: 1 and nothing else. */
	EXPECT_EQ(-EINVAL, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					 self->dir, 0, oid, &x));
	EXPECT_EQ(-EINVAL, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					 self->dir, 2, oid, &x));
	EXPECT_EQ(-EINVAL, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					 self->dir, ~0ULL, oid, &x));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->dir, 1, oid, &ids[0]));
	ASSERT_EQ(0, exo_cap_revoke(self->exo, EXO_CAP_XN, ids[0]));

	/* first: a block in the caller's registry, no other. */
	EXPECT_EQ(-EPERM, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					xn_free_block(self->exo), 1, oid, &x));
	EXPECT_EQ(-EPERM, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					0, 1, oid, &x));
	EXPECT_EQ(-EPERM, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					~0ULL, 1, oid, &x));
	EXPECT_EQ(-EPERM, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					EXO_XN_CAP_PARENT, 1, oid, &x));
	EXPECT_EQ(-EPERM, exo_cap_grant(other, EXO_CAP_XN, EXO_CAP_READ,
					self->dir, 1, self->id, &x));
	ASSERT_EQ(0, exo_xn_release(self->exo, self->data));
	EXPECT_EQ(-EPERM, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					self->data, 1, oid, &x));
	ASSERT_EQ(0, exo_xn_read(self->exo, self->data, self->dir,
				 EXO_XN_TYPE_DATA, NULL));
	EXPECT_EQ(0, xn_caps_live());

	/* rights and grantee, the shared checks. */
	EXPECT_EQ(-EINVAL, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_WRITE,
					 self->dir, 1, oid, &x));
	EXPECT_EQ(-EINVAL, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					 self->dir, 1, self->id, &x));
	EXPECT_EQ(-ESRCH, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					self->dir, 1, oid + 1000, &x));
	EXPECT_EQ(0, xn_caps_live());

	/* WRITE: only as far as the grantor may write the top itself. */
	ASSERT_EQ(0, tn_mode(self->exo, self->root, 0604));
	ASSERT_EQ(0, tn_mode(self->exo, self->dir, 0604));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(ro_grantor(self));
	EXPECT_EQ(0, exo_wait_child(pid));
	/* Its cap went with its environment. */
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN,
				   EXO_CAP_READ | EXO_CAP_WRITE, self->dir, 1,
				   oid, &ids[0]));

	/* xn_caps_max: N granted, N + 1 refused, one back makes room. */
	ASSERT_EQ(0, exo_kmod_param_set("xn_caps_max", 2));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->data, 1, oid, &ids[1]));
	EXPECT_EQ(-EDQUOT, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
					 self->root, 1, oid, &x));
	EXPECT_EQ(2, xn_caps_live());
	ASSERT_EQ(0, exo_cap_revoke(self->exo, EXO_CAP_XN, ids[1]));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->root, 1, oid, &ids[2]));
	EXPECT_NE(ids[1], ids[2]);

	/* REVOKE: ids of nobody's, of another kind, already revoked. */
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, 0));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, ids[1]));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, ~0ULL));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_MEM, ids[2]));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(other, EXO_CAP_XN, ids[2]));
	for (i = 0; i < 3; i += 2)
		EXPECT_EQ(0, exo_cap_revoke(self->exo, EXO_CAP_XN, ids[i]));
	EXPECT_EQ(0, xn_caps_live());
	exo_close(other);
}

/* A grantee that reads and maps through the cap, then waits to die. */
static int holding_grantee(int rx, int tx, void *arg)
{
	const struct cap_tree *t = arg;
	struct cap_msg m;
	struct exo *h;
	char *p;

	h = grantee_open(tx);
	EXO_CHILD_CHECK(10, h);
	EXO_CHILD_CHECK(11, msg_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(12, exo_xn_read(h, t->dir, EXO_XN_CAP_PARENT, t->node,
					NULL) == 0);
	EXO_CHILD_CHECK(13, exo_xn_read(h, t->data, t->dir, EXO_XN_TYPE_DATA,
					NULL) == 0);
	p = exo_xn_map(h, t->data, 1);
	EXO_CHILD_CHECK(14, p && !memcmp(p, GRANTOR_BYTES,
					  sizeof(GRANTOR_BYTES)));
	EXO_CHILD_CHECK(15, msg_send(tx, 0, 0, 0) == 0);
	pause();
	return 20;
}

TEST_F(xn_cap, kill9_grantee_gives_everything_back)
{
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	struct cap_tree t;
	struct cap_msg m;
	__u32 cached = xn_cached(self->exo);
	__u64 cap = 0;
	struct exo *g;

	cap_tree_of(&t, self);
	ASSERT_EQ(0, exo_peer_start(&peer, holding_grantee, &t));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN,
				   EXO_CAP_READ | EXO_CAP_WRITE, self->dir, 1,
				   m.v[0], &cap));
	ASSERT_EQ(0, msg_send(peer.to, cap, 0, 0));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	EXPECT_EQ(1, xn_caps_live());

	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
	EXPECT_EQ(3U, xn_held(self->exo));
	EXPECT_EQ(cached, xn_cached(self->exo));
	/* Nothing of the old cap counts against the quota. */
	ASSERT_EQ(0, exo_kmod_param_set("xn_caps_max", 1));
	g = exo_open(NULL);
	ASSERT_NE(NULL, g);
	EXPECT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->dir, 1, xn_id(g), &cap));
	exo_close(g);
	EXPECT_EQ(0, xn_caps_live());
}

/* A grantor, as root, of its own environment: grants dir, waits to die. */
static int holding_grantor(int rx, int tx, void *arg)
{
	const struct cap_tree *t = arg;
	struct cap_msg m;
	struct exo *h = exo_open(NULL);
	__u64 cap;

	EXO_CHILD_CHECK(10, h);
	EXO_CHILD_CHECK(11, msg_recv(rx, &m) == 0);
	EXO_CHILD_CHECK(12, exo_xn_read(h, t->root, EXO_XN_NO_PARENT, t->node,
					NULL) == 0);
	EXO_CHILD_CHECK(13, exo_xn_read(h, t->dir, t->root, t->node,
					NULL) == 0);
	EXO_CHILD_CHECK(14, exo_cap_grant(h, EXO_CAP_XN, EXO_CAP_READ, t->dir,
					  1, m.v[0], &cap) == 0);
	EXO_CHILD_CHECK(15, msg_send(tx, cap, 0, 0) == 0);
	pause();
	return 20;
}

TEST_F(xn_cap, kill9_grantor_takes_its_caps)
{
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	struct cap_tree t;
	struct cap_msg m;
	struct exo *g;
	__u64 cap;
	char *p;

	cap_tree_of(&t, self);
	g = exo_open(NULL);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, exo_peer_start(&peer, holding_grantor, &t));
	ASSERT_EQ(0, msg_send(peer.to, xn_id(g), 0, 0));
	ASSERT_EQ(0, msg_recv(peer.from, &m));
	cap = m.v[0];
	ASSERT_EQ(0, exo_xn_read(g, self->dir, EXO_XN_CAP_PARENT, self->node,
				 NULL));
	ASSERT_EQ(0, exo_xn_read(g, self->data, self->dir, EXO_XN_TYPE_DATA,
				 NULL));
	p = exo_xn_map(g, self->data, 0);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, memcmp(p, GRANTOR_BYTES, sizeof(GRANTOR_BYTES)));
	EXPECT_EQ(2U, xn_held(g));
	EXPECT_EQ(1, xn_caps_live());

	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(0U, xn_held(g));
	EXPECT_TRUE(gone(exo_probe_read(p, NULL)));
	exo_xn_unmap(p);
	EXPECT_TRUE(ungranted(g, cap));
	EXPECT_EQ(-EPERM, exo_xn_read(g, self->dir, EXO_XN_CAP_PARENT,
				      self->node, NULL));
	exo_close(g);
	EXPECT_EQ(3U, xn_held(self->exo));
}

/*
 * The top leaving the grantor's registry takes the cap, in the same
 * process as the grantee too (one mm, locked once at a time); a grantee
 * that already held the top by its own rights cannot make it cap-held
 * while it granted a cap on it.
 */
TEST_F(xn_cap, release_of_the_top_takes_the_cap)
{
	struct exo *g;
	__u64 cap, cap2;
	char *p;

	g = exo_open(NULL);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->dir, 1, xn_id(g), &cap));
	ASSERT_EQ(0, exo_xn_read(g, self->dir, EXO_XN_CAP_PARENT, self->node,
				 NULL));
	ASSERT_EQ(0, exo_xn_read(g, self->data, self->dir, EXO_XN_TYPE_DATA,
				 NULL));
	p = exo_xn_map(g, self->data, 0);
	ASSERT_NE(NULL, p);
	/* The grantee's own XN_RELEASE of the top is only its own. */
	ASSERT_EQ(0, exo_xn_release(g, self->dir));
	EXPECT_EQ(1, xn_caps_live());
	ASSERT_EQ(0, exo_xn_read(g, self->dir, EXO_XN_CAP_PARENT, self->node,
				 NULL));

	ASSERT_EQ(0, exo_xn_release(self->exo, self->dir));
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(0U, xn_held(g));
	EXPECT_TRUE(gone(exo_probe_read(p, NULL)));
	EXPECT_TRUE(ungranted(g, cap));
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
	/* The VMA, zapped, still holds g's file: gone before g's close. */
	exo_xn_unmap(p);

	/* g holds dir by its own rights and granted on it: no cap over it. */
	ASSERT_EQ(0, exo_xn_read(self->exo, self->dir, self->root, self->node,
				 NULL));
	ASSERT_EQ(0, exo_cap_grant(self->exo, EXO_CAP_XN, EXO_CAP_READ,
				   self->dir, 1, xn_id(g), &cap));
	ASSERT_EQ(0, exo_xn_read(g, self->root, EXO_XN_NO_PARENT, self->node,
				 NULL));
	ASSERT_EQ(0, exo_xn_read(g, self->dir, self->root, self->node, NULL));
	ASSERT_EQ(0, exo_cap_grant(g, EXO_CAP_XN, EXO_CAP_READ, self->dir, 1,
				   self->id, &cap2));
	EXPECT_EQ(-EBUSY, exo_xn_read(g, self->dir, EXO_XN_CAP_PARENT,
				      self->node, NULL));
	EXPECT_EQ(2, xn_caps_live());
	exo_close(g);
	EXPECT_EQ(0, xn_caps_live());
	EXPECT_EQ(-ENOENT, exo_cap_revoke(self->exo, EXO_CAP_XN, cap));
}

TEST_HARNESS_MAIN
