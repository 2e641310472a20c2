// SPDX-License-Identifier: GPL-2.0
/*
 * EXO_CAP_NET: a binding's receive ring shared with another environment
 * through EXO_IOC_CAP_GRANT, and taken back. The owner binds a UDP port on
 * the loopback device and sends itself datagrams; the grantee maps the
 * ring through the cap, read-only (a tap) or read-write (a consumer); a
 * third environment, hostile, gets nothing. Revoke, unbind, the owner's
 * close and kill -9 of either side each take the grantee's pages away.
 */
#include <signal.h>
#include <sys/mman.h>

#include "exo_test_util.h"
#include "exo_net_util.h"

#define NCAP_PORT	47410
#define NCAP_WAIT_MS	5000

/* EXO_CAP_NET: a grant of ring @first, as exo_raw_cap_grant(). */
static int ncap_grant(int fd, __u32 rights, __u64 first, __u64 count,
		      __u64 grantee, __u64 *cap_id)
{
	return exo_raw_cap_grant(fd, EXO_CAP_NET, rights, first, count,
				 grantee, cap_id);
}

/* mmap() of binding @id's ring on @fd: the address, or NULL (errno). */
static void *ncap_map(int fd, __u32 id, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, (off_t)net_ring_offset(id));

	return p == MAP_FAILED ? NULL : p;
}

/* The frame in slot @i of a mapped ring: its UDP payload's first byte. */
static const __u8 *ncap_payload(const struct exo_net_ring *ring, __u32 i)
{
	const __u8 *slot = (const __u8 *)ring + ring->data_offset +
			   (size_t)(i & (ring->slots - 1)) * ring->slot_size;

	return slot + sizeof(struct exo_net_slot) + 14 + 20 + 8;
}

/* Read one event of @type from @fd within the bound: 0 or errno. */
static int ncap_event(int fd, __u32 type, struct exo_event *ev)
{
	int err = exo_raw_event_wait(fd, NCAP_WAIT_MS, ev);

	if (err)
		return err;
	return ev->type == type ? 0 : EPROTO;
}

/* Caps on binding @id, as the network status file says; -1 if unknown. */
static int ncap_debugfs_caps(__u32 id)
{
	char line[512], want[32];
	int caps = -1;
	FILE *f;

	f = fopen(EXO_DEBUGFS_ROOT "/exo/net", "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "  binding %u ", id);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " caps ");

		if (!strncmp(line, want, strlen(want)) && p)
			caps = atoi(p + 6);
	}
	fclose(f);
	return caps;
}

FIXTURE(ncap) {
	int fd;			/* the owner */
	int grantee;
	int third;		/* hostile */
	__u64 grantee_id;
	__u32 id;		/* the owner's binding */
	size_t len;
	struct exo_net_ring *own;	/* the owner's mapping */
	int tx;			/* a UDP socket that sends to the port */
};

FIXTURE_SETUP(ncap)
{
	struct exo_net_atom a[4];
	struct exo_net_bind b;

	self->fd = self->grantee = self->third = self->tx = -1;
	self->own = NULL;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (geteuid())
		SKIP(return, "binds on the loopback device: needs root");
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	self->grantee = exo_raw_env();
	ASSERT_LE(0, self->grantee);
	self->third = exo_raw_env();
	ASSERT_LE(0, self->third);
	self->grantee_id = exo_raw_env_id(self->grantee);
	ASSERT_NE(0U, self->grantee_id);

	net_bind_init(&b, 1, a, net_udp_port_atoms(a, NCAP_PORT));
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_NET_BIND, &b));
	self->id = b.binding_id;
	self->len = b.ring_len;
	self->own = ncap_map(self->fd, self->id, self->len,
			     PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, self->own);
	self->tx = net_host_udp("127.0.0.1", NCAP_PORT + 1);
	ASSERT_LE(0, self->tx);
}

FIXTURE_TEARDOWN(ncap)
{
	if (self->own)
		munmap(self->own, self->len);
	if (self->tx >= 0)
		close(self->tx);
	if (self->third >= 0)
		close(self->third);
	if (self->grantee >= 0)
		close(self->grantee);
	if (self->fd >= 0)
		close(self->fd);
}

/* Send @n one-byte datagrams, byte i being @first + i; wait for them. */
static int ncap_send(FIXTURE_DATA(ncap) *self, __u8 first, int n)
{
	struct exo_net_stats st;
	int i, err;

	if (net_stats(self->fd, self->id, &st))
		return EIO;
	for (i = 0; i < n; i++) {
		__u8 byte = first + i;

		err = net_peer_send(self->tx, "127.0.0.1", NCAP_PORT, &byte, 1);
		if (err)
			return err;
	}
	return net_wait_matched(self->fd, self->id, st.matched + n);
}

/*
 * Held, granted read-only, revoked: the tap sees the owner's frames and
 * cannot write, the third can neither map, grant nor revoke, and the tap's
 * pages are gone when REVOKE returns.
 */
TEST_F(ncap, tap_held_granted_revoked)
{
	struct exo_net_ring *tap;
	struct exo_event ev;
	__u64 cap = 0;
	__u64 third_id = exo_raw_env_id(self->third);

	/* Held: no cap, no mapping; only the owner grants. */
	EXPECT_EQ(NULL, ncap_map(self->grantee, self->id, self->len, PROT_READ,
				 MAP_SHARED));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(EPERM, ncap_grant(self->third, EXO_CAP_READ, self->id, 1,
				   self->grantee_id, NULL));
	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       self->grantee_id, &cap));
	EXPECT_NE(0U, cap);
	EXPECT_EQ(1, ncap_debugfs_caps(self->id));

	/* Granted read-only: PROT_WRITE and MAP_PRIVATE are refused. */
	EXPECT_EQ(NULL, ncap_map(self->grantee, self->id, self->len,
				 PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(NULL, ncap_map(self->grantee, self->id, self->len, PROT_READ,
				 MAP_PRIVATE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, ncap_map(self->grantee, self->id, self->len + 4096,
				 PROT_READ, MAP_SHARED));
	EXPECT_EQ(EINVAL, errno);
	tap = ncap_map(self->grantee, self->id, self->len, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, tap);
	EXPECT_EQ(-1, mprotect(tap, self->len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);

	ASSERT_EQ(0, ncap_send(self, 0x41, 3));
	/* The grantee's fd says the ring holds frames, the third's does not. */
	EXPECT_TRUE(exo_poll1(self->grantee, POLLRDBAND, 0) & POLLRDBAND);
	EXPECT_FALSE(exo_poll1(self->third, POLLRDBAND, 0) & POLLRDBAND);
	EXPECT_EQ(self->own->producer, tap->producer);
	EXPECT_EQ(3U, tap->producer - tap->consumer);
	EXPECT_EQ(0x41, *ncap_payload(tap, tap->consumer));
	EXPECT_EQ(0x43, *ncap_payload(tap, tap->consumer + 2));
	EXPECT_EQ(SIGSEGV, exo_probe_write(&tap->consumer, 1));

	/* The third: no mapping, no revoke; the grantee cannot revoke either. */
	EXPECT_EQ(NULL, ncap_map(self->third, self->id, self->len, PROT_READ,
				 MAP_SHARED));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->third, EXO_CAP_NET, cap));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->grantee, EXO_CAP_NET, cap));
	/* Nor does the cap give the grantee the binding itself. */
	EXPECT_EQ(EPERM, net_unbind(self->grantee, self->id));
	EXPECT_EQ(EPERM, ncap_grant(self->grantee, EXO_CAP_READ, self->id, 1,
				   third_id, NULL));

	/* Revoked: the pages went before REVOKE returned, then the event. */
	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	EXPECT_EQ(SIGBUS, exo_probe_read(tap, NULL));
	ASSERT_EQ(0, ncap_event(self->grantee, EXO_EVENT_NET_UNGRANTED, &ev));
	EXPECT_EQ(cap, ev.data[0]);
	EXPECT_EQ(self->id, ev.data[1]);
	EXPECT_STREQ("net-ungranted", exo_event_name(ev.type));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	EXPECT_EQ(0, ncap_debugfs_caps(self->id));
	EXPECT_FALSE(exo_poll1(self->grantee, POLLRDBAND, 0) & POLLRDBAND);
	EXPECT_EQ(NULL, ncap_map(self->grantee, self->id, self->len, PROT_READ,
				 MAP_SHARED));
	EXPECT_EQ(EPERM, errno);
	munmap(tap, self->len);

	/* The owner's ring is untouched, and nobody else was told anything. */
	EXPECT_EQ(0x41, *ncap_payload(self->own, self->own->consumer));
	EXPECT_EQ(ETIMEDOUT, exo_raw_event_wait(self->third, 0, &ev));
	EXPECT_EQ(ETIMEDOUT, exo_raw_event_wait(self->fd, 0, &ev));
}

/* READ | WRITE: the grantee consumes, and the owner sees its consumer move. */
TEST_F(ncap, writer_consumes_frames)
{
	struct exo_net_ring *ring;
	struct exo_net_stats st;
	__u64 cap = 0;
	__u8 byte = 1;

	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ | EXO_CAP_WRITE,
			       self->id, 1, self->grantee_id, &cap));
	ring = ncap_map(self->grantee, self->id, self->len,
			PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, ring);
	ASSERT_EQ(0, ncap_send(self, 0x61, 2));
	EXPECT_EQ(0x61, *ncap_payload(ring, ring->consumer));
	__atomic_store_n(&ring->consumer, ring->consumer + 1, __ATOMIC_RELEASE);
	EXPECT_EQ(ring->consumer, self->own->consumer);
	EXPECT_EQ(1U, self->own->producer - self->own->consumer);
	EXPECT_EQ(0x62, *ncap_payload(self->own, self->own->consumer));

	/* The ring only: the binding's other ioctls stay the owner's. */
	EXPECT_EQ(EPERM, net_tx(self->grantee, self->id, ring, 64));
	EXPECT_EQ(EPERM, net_stats(self->grantee, self->id, &st));
	EXPECT_EQ(EPERM, net_unbind(self->grantee, self->id));
	/* One cap per grantee and ring. */
	EXPECT_EQ(EEXIST, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
				    self->grantee_id, NULL));
	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	EXPECT_EQ(SIGBUS, exo_probe_write(&ring->consumer, 0));
	EXPECT_EQ(SIGBUS, exo_probe_read(ring, &byte));
	munmap(ring, self->len);
}

/* A grant names nothing until mapped: an unused cap's revoke is silent. */
TEST_F(ncap, unused_cap_revokes_silently)
{
	struct exo_event ev;
	__u64 cap = 0;

	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       self->grantee_id, &cap));
	ASSERT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	EXPECT_EQ(ETIMEDOUT, exo_raw_event_wait(self->grantee, 0, &ev));
}

/* UNBIND and the owner's close take every cap with the binding. */
TEST_F(ncap, unbind_and_close_take_the_caps)
{
	struct exo_net_ring *tap, *tap2;
	struct exo_net_atom a[4];
	struct exo_event ev;
	__u64 cap = 0, cap2 = 0;
	__u32 id2;

	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       self->grantee_id, &cap));
	tap = ncap_map(self->grantee, self->id, self->len, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, tap);
	ASSERT_EQ(0, net_bind(self->fd, 1, a, net_udp_port_atoms(a, NCAP_PORT + 2),
			      0, &id2));
	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, id2, 1,
			       self->grantee_id, &cap2));
	tap2 = ncap_map(self->grantee, id2, self->len, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, tap2);
	EXPECT_EQ(0, exo_probe_read(tap2, NULL));

	ASSERT_EQ(0, net_unbind(self->fd, self->id));
	EXPECT_EQ(SIGBUS, exo_probe_read(tap, NULL));
	ASSERT_EQ(0, ncap_event(self->grantee, EXO_EVENT_NET_UNGRANTED, &ev));
	EXPECT_EQ(cap, ev.data[0]);
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	EXPECT_EQ(0, exo_probe_read(tap2, NULL));

	/* The owner's mapping and fd go; the second tap goes with them. */
	munmap(self->own, self->len);
	self->own = NULL;
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(SIGBUS, exo_probe_read(tap2, NULL));
	ASSERT_EQ(0, ncap_event(self->grantee, EXO_EVENT_NET_UNGRANTED, &ev));
	EXPECT_EQ(cap2, ev.data[0]);
	EXPECT_EQ(id2, ev.data[1]);
	munmap(tap, self->len);
	munmap(tap2, self->len);
}

/* Both sides of every limit of an EXO_CAP_NET grant. */
TEST_F(ncap, bad_input)
{
	int extra[EXO_NET_CAPS_MAX], i, fd;
	__u64 cap = 0;

	/* count: exactly 1. */
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ, self->id, 0,
				    self->grantee_id, NULL));
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ, self->id, 2,
				    self->grantee_id, NULL));
	/* first: a binding id, 1..; not 0, not past the id space. */
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ, 0, 1,
				    self->grantee_id, NULL));
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ, 1ULL << 32, 1,
				    self->grantee_id, NULL));
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ,
				    self->id | (1ULL << 40), 1,
				    self->grantee_id, NULL));
	/* A binding nobody has, or another's, is not the caller's to grant. */
	EXPECT_EQ(EPERM, ncap_grant(self->fd, EXO_CAP_READ, self->id + 1000, 1,
				   self->grantee_id, NULL));
	EXPECT_EQ(EPERM, ncap_grant(self->third, EXO_CAP_READ, self->id, 1,
				   self->grantee_id, NULL));
	/* grantee: someone, not the caller. */
	EXPECT_EQ(ESRCH, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1, ~0ULL,
				   NULL));
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
				    exo_raw_env_id(self->fd), NULL));
	/* rights: WRITE needs READ. */
	EXPECT_EQ(EINVAL, ncap_grant(self->fd, EXO_CAP_WRITE, self->id, 1,
				    self->grantee_id, NULL));
	/* REVOKE: no such id; a NET id under MEM names nothing. */
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, 0));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, ~0ULL));
	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       self->grantee_id, &cap));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_MEM, cap));
	EXPECT_EQ(0, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));

	/* EXO_NET_CAPS_MAX caps on one ring, and not one more. */
	for (i = 0; i < EXO_NET_CAPS_MAX; i++) {
		extra[i] = exo_raw_env();
		ASSERT_LE(0, extra[i]);
		ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
				       exo_raw_env_id(extra[i]), NULL));
	}
	EXPECT_EQ(EXO_NET_CAPS_MAX, ncap_debugfs_caps(self->id));
	EXPECT_EQ(EDQUOT, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
				    self->grantee_id, NULL));
	/* A grantee that closes gives its cap back. */
	close(extra[0]);
	EXPECT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       self->grantee_id, NULL));
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EDQUOT, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
				    exo_raw_env_id(fd), NULL));
	close(fd);
	for (i = 1; i < EXO_NET_CAPS_MAX; i++)
		close(extra[i]);
	EXPECT_EQ(1, ncap_debugfs_caps(self->id));
}

/* The grantee child: maps the ring it was told of, says so, then waits. */
static int ncap_grantee_child(int rx, int tx, void *arg)
{
	struct exo_net_ring *ring;
	__u64 msg[2];
	int fd;

	(void)arg;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	msg[0] = exo_raw_env_id(fd);
	EXO_CHILD_CHECK(2, exo_write_full(tx, msg, sizeof(msg)) == 0);
	EXO_CHILD_CHECK(3, exo_read_full(rx, msg, sizeof(msg)) == 0);
	ring = ncap_map(fd, (__u32)msg[0], msg[1], PROT_READ | PROT_WRITE,
			MAP_SHARED);
	EXO_CHILD_CHECK(4, ring != NULL);
	EXO_CHILD_CHECK(5, ring->slots == 16);
	EXO_CHILD_CHECK(6, exo_write_full(tx, msg, sizeof(msg)) == 0);
	pause();
	return 0;
}

/* kill -9 of a grantee that holds the ring mapped: its cap is dropped. */
TEST_F(ncap, killed_grantee_drops_its_cap)
{
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	__u64 msg[2], cap = 0;

	ASSERT_EQ(0, exo_peer_start(&peer, ncap_grantee_child, NULL));
	ASSERT_EQ(0, exo_read_full(peer.from, msg, sizeof(msg)));
	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ | EXO_CAP_WRITE,
			       self->id, 1, msg[0], &cap));
	msg[0] = self->id;
	msg[1] = self->len;
	ASSERT_EQ(0, exo_write_full(peer.to, msg, sizeof(msg)));
	ASSERT_EQ(0, exo_read_full(peer.from, msg, sizeof(msg)));
	EXPECT_EQ(1, ncap_debugfs_caps(self->id));
	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	EXPECT_EQ(0, ncap_debugfs_caps(self->id));
	EXPECT_EQ(ENOENT, exo_raw_cap_revoke(self->fd, EXO_CAP_NET, cap));
	/* The ring still works for its owner. */
	ASSERT_EQ(0, ncap_send(self, 0x71, 1));
	EXPECT_EQ(0x71, *ncap_payload(self->own, self->own->producer - 1));
}

/* The owner child: binds, grants the parent's env, says so, then waits. */
static int ncap_owner_child(int rx, int tx, void *arg)
{
	struct exo_net_atom a[4];
	struct exo_net_bind b;
	__u64 msg[2];
	int fd;

	(void)arg;
	fd = exo_raw_env();
	EXO_CHILD_CHECK(1, fd >= 0);
	EXO_CHILD_CHECK(2, exo_read_full(rx, msg, sizeof(msg)) == 0);
	net_bind_init(&b, 1, a, net_udp_port_atoms(a, NCAP_PORT + 3));
	EXO_CHILD_CHECK(3, exo_ioc(fd, EXO_IOC_NET_BIND, &b) == 0);
	EXO_CHILD_CHECK(4, ncap_grant(fd, EXO_CAP_READ, b.binding_id, 1, msg[0],
				     &msg[1]) == 0);
	msg[0] = b.binding_id;
	EXO_CHILD_CHECK(5, exo_write_full(tx, msg, sizeof(msg)) == 0);
	pause();
	return 0;
}

/* kill -9 of the owner: the grantee's mapping goes, and it is told. */
TEST_F(ncap, killed_owner_takes_the_ring)
{
	struct exo_net_ring *tap;
	struct exo_peer peer = { .pid = -1, .to = -1, .from = -1 };
	struct exo_event ev;
	__u64 msg[2];

	ASSERT_EQ(0, exo_peer_start(&peer, ncap_owner_child, NULL));
	msg[0] = self->grantee_id;
	msg[1] = 0;
	ASSERT_EQ(0, exo_write_full(peer.to, msg, sizeof(msg)));
	ASSERT_EQ(0, exo_read_full(peer.from, msg, sizeof(msg)));
	tap = ncap_map(self->grantee, (__u32)msg[0], self->len, PROT_READ,
		       MAP_SHARED);
	ASSERT_NE(NULL, tap);
	EXPECT_EQ(16U, tap->slots);
	EXPECT_EQ(1, ncap_debugfs_caps((__u32)msg[0]));
	ASSERT_EQ(0, kill(peer.pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, exo_peer_finish(&peer));
	EXPECT_EQ(SIGBUS, exo_probe_read(tap, NULL));
	ASSERT_EQ(0, ncap_event(self->grantee, EXO_EVENT_NET_UNGRANTED, &ev));
	EXPECT_EQ(msg[1], ev.data[0]);
	EXPECT_EQ(msg[0], ev.data[1]);
	EXPECT_EQ(-1, ncap_debugfs_caps((__u32)msg[0]));
	munmap(tap, self->len);
}

/* libexo's exo_ring_attach(): a tap with its own cursor over libexo's cap. */
TEST_F(ncap, libexo_attach)
{
	const struct exo_net_slot *slot;
	struct exo_env_info info = { .argsz = sizeof(info) };
	struct exo *grantee;
	struct exo_ring *ring;
	const void *frame;
	__u64 cap = 0;

	grantee = exo_open(NULL);
	ASSERT_NE(NULL, grantee);
	ASSERT_EQ(0, exo_env_info(grantee, &info));
	errno = 0;
	EXPECT_EQ(NULL, exo_ring_attach(grantee, self->id, false));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(NULL, exo_ring_attach(grantee, 0, false));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ncap_grant(self->fd, EXO_CAP_READ, self->id, 1,
			       info.env_id, &cap));
	EXPECT_EQ(NULL, exo_ring_attach(grantee, self->id, true));
	EXPECT_EQ(EACCES, errno);
	ring = exo_ring_attach(grantee, self->id, false);
	ASSERT_NE(NULL, ring);
	EXPECT_EQ(self->id, exo_ring_id(ring));
	ASSERT_EQ(0, ncap_send(self, 0x51, 2));
	EXPECT_EQ(1, exo_ring_wait(grantee, NCAP_WAIT_MS));
	/* The tap reads both and moves only its own cursor. */
	ASSERT_EQ(1, exo_ring_peek(ring, &slot, &frame));
	EXPECT_EQ(0x51, ((const __u8 *)frame)[42]);
	exo_ring_release(ring);
	ASSERT_EQ(1, exo_ring_peek(ring, &slot, &frame));
	EXPECT_EQ(0x52, ((const __u8 *)frame)[42]);
	exo_ring_release(ring);
	EXPECT_EQ(0, exo_ring_peek(ring, &slot, &frame));
	EXPECT_EQ(2U, self->own->producer - self->own->consumer);
	EXPECT_EQ(EPERM, -exo_ring_send(ring, frame, 64));
	exo_ring_destroy(ring);
	/* Destroying an attached ring leaves the binding to its owner. */
	EXPECT_EQ(0, net_unbind(self->fd, self->id));
	exo_close(grantee);
}

TEST_HARNESS_MAIN
