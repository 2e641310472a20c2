// SPDX-License-Identifier: GPL-2.0
/*
 * The isolation matrix. A victim process holds an environment with events
 * queued; a hostile process, forked before the victim opened anything and
 * holding an environment of its own, gets the victim's fds over SCM_RIGHTS
 * and tries, one row at a time, an operation on one of the victim's
 * resources. Each row names the exact refusal it must get; rows marked
 * ISO_AS_NOBODY run in a child of the hostile that has dropped to nobody.
 * After each attempt the victim checks that nothing of its own changed.
 *
 * Each row is a FIXTURE_VARIANT, so each cell is one test and one TAP line
 * (isolation.<row>.cell) with a victim and a hostile of its own; a row
 * that needs another's effect first (a page the hostile mapped) names it
 * with ISO_PRIOR, and both run in that cell.
 *
 * Each binding adds rows here, as the memory binding's "frame" and "grant"
 * rows do; e.g. CPU: "slot | book a slot the victim holds | EEXIST";
 * network: "filter | bind a filter overlapping the victim's | EEXIST"; XN:
 * "block | write the victim's block | EPERM". The attempt hook runs in the
 * hostile (with its own environment and region, and the victim's fds and
 * names in struct iso_hostile), the optional prep hook in the victim first
 * (to set up what the row needs), and the check hook in the victim after,
 * to see that what it holds is untouched. Rows that need a binding carry
 * its flag (ISO_MEM) and SKIP on kernels without it; the lanes have every
 * binding, and a skip there fails the lane.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/capability.h>

#include <exo/exo.h>

#include "exo_test_util.h"

#define ISO_VICTIM_EVENTS	5
#define ISO_GOT_LEN		48
#define ISO_FRAMES		4	/* the victim's, mapped and written */
#define ISO_FILL		0xa5

#ifndef EXO_FEATURE_MEM
#define EXO_FEATURE_MEM		0
#endif

/* Network: the victim's filter on the loopback device, for an address no
 * host has (10.99.0.1); the hostile's own, disjoint one (10.99.0.2).
 */
#define ISO_NET_IFINDEX		1
#define ISO_NET_VICTIM_IP	0x0a630001
#define ISO_NET_HOSTILE_IP	0x0a630002

#define ISO_CPU_SLOT		7	/* the slot the victim books */
#define ISO_CPU_NONE		~0U

/* What the victim tells the hostile besides its fds. */
struct iso_setup {
	__u64 victim_id;
	__u64 victim2_id;		/* a second env of the victim's */
	__u64 grant_id;			/* victim's frame 0, granted to it */
	__u32 frames[ISO_FRAMES];	/* the victim's frame indexes */
	__u32 net_id;			/* the victim's filter binding */
	__u32 net_pad;
	__u64 net_ring_offset;		/* and its ring */
	__u64 net_ring_len;
	/* XN: the victim's root (private to uid 0) and its data block. */
	__u64 xn_root;
	__u64 xn_data;
	__u32 xn_type;
	__u32 xn_pad;
	char xn_name[EXO_XN_NAME_MAX];	/* the root's */
	__u32 cpu;			/* the first managed CPU */
	__u32 cpu_slot;			/* the victim's slot there */
	__u64 cpu_cap_id;		/* ISO_CPU_CAP: that slot, granted */
};

/* What the hostile process has. */
struct iso_hostile {
	int own;		/* its own environment, handshaken */
	__u64 own_id;
	__u64 own_posted;	/* events it raised on its own environment */
	int victim;		/* the victim's environment, handshaken */
	int victim_fresh;	/* a victim fd that never did the handshake */
	__u64 victim_id;
	__u64 ioctls;		/* the kernel's ioctl mask, nrs 0..63 */
	__u64 ioctls_hi;	/* nrs 64..127 */
	__u64 features;
	struct iso_setup set;	/* memory: the victim's frames and grant */
	unsigned char *region;	/* 4 pages of its own environment's */
	volatile unsigned char *net_tap;	/* the victim's ring, by a cap */
};

/* What the victim has, and what it must still have after each row. */
struct iso_victim {
	int fd;
	int fresh;
	struct exo_env_info info;	/* after raising its events */
	__u64 features;
	/* Memory binding, when the kernel has it. */
	int fd2;			/* its second environment */
	unsigned char *region;		/* ISO_FRAMES pages, frames bound */
	struct iso_setup set;
	bool xn_spares;			/* iso_victim_xn_spares() ran */
	__u32 held;			/* frames it holds now */
	unsigned int held_mask;		/* which of set.frames, by bit */
	__u64 hostile_id;
	__u64 net_cap;			/* its ring's cap to the hostile, or 0 */
};

#define ISO_AS_NOBODY		(1U << 0)	/* attempt as uid/gid nobody */
#define ISO_NETLINK_PRIVATE	(1U << 1)	/* only if the kernel can say no */
#define ISO_DEFAULT_MODE	(1U << 2)	/* only with dev_mode 0600 */
#define ISO_MEM			(1U << 3)	/* only with the memory binding */
#define ISO_NO_SYS_ADMIN	(1U << 4)	/* attempt without CAP_SYS_ADMIN */
#define ISO_NET			(1U << 5)	/* only with the network binding */
#define ISO_XN			(1U << 6)	/* only with the XN binding */
#define ISO_CPU			(1U << 7)	/* only with a managed CPU */
/* The victim grants its slot to its second environment (EXO_CAP_CPU). */
#define ISO_CPU_CAP		(1U << 8)

struct iso_row {
	const char *resource;
	const char *operation;
	/* What the attempt must report; NULL: call expect_fn. */
	const char *expected;
	const char *(*expect_fn)(const struct iso_victim *v);
	unsigned int needs;
	/* In the hostile: try it, describe the outcome in @got. */
	void (*attempt)(struct iso_hostile *h, char *got, size_t len);
	/* In the victim, afterwards: true if nothing of its changed. */
	bool (*victim_check)(struct iso_victim *v, char *why, size_t len);
	/* In the victim, before the attempt, if set. */
	void (*victim_prep)(struct iso_victim *v);
	/* ISO_PRIOR(row) that runs first, in the same processes; or 0. */
	int prior;
};

/* ---- describing outcomes ------------------------------------------------ */

static void iso_errno(char *got, size_t len, long ret, int err)
{
	if (ret < 0)
		snprintf(got, len, "%s", exo_errno_name(err));
	else
		snprintf(got, len, "ok (%ld)", ret);
}

/* poll(2) bits by name; with @e, as epoll names them. */
static void iso_revents(char *got, size_t len, unsigned int rev, bool e)
{
	static const struct { unsigned int bit; const char *name; } bits[] = {
		{ POLLIN, "POLLIN" }, { POLLPRI, "POLLPRI" },
		{ POLLOUT, "POLLOUT" }, { POLLERR, "POLLERR" },
		{ POLLHUP, "POLLHUP" }, { POLLNVAL, "POLLNVAL" },
		{ POLLRDNORM, "POLLRDNORM" },
	};
	size_t i, used = 0;

	got[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (rev & bits[i].bit)
			used += snprintf(got + used, len - used, "%s%s%s",
					 used ? "|" : "", e ? "E" : "",
					 bits[i].name);
	if (!used)
		snprintf(got, len, "none");
}

/* ---- attempts (in the hostile) --------------------------------------- */

static void iso_read_victim(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_event ev[ISO_VICTIM_EVENTS];
	ssize_t ret = read(h->victim, ev, sizeof(ev));

	iso_errno(got, len, ret, errno);
}

static void iso_poll_victim(struct iso_hostile *h, char *got, size_t len)
{
	int rev = exo_poll1(h->victim, POLLIN | POLLRDNORM, 0);

	if (rev < 0)
		iso_errno(got, len, -1, -rev);
	else
		iso_revents(got, len, rev, false);
}

static void iso_epoll_victim(struct iso_hostile *h, char *got, size_t len)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, h->victim, &ev)) {
		iso_errno(got, len, -1, errno);
		if (ep >= 0)
			close(ep);
		return;
	}
	n = epoll_wait(ep, &out, 1, 0);
	if (n < 0)
		iso_errno(got, len, -1, errno);
	else
		iso_revents(got, len, n ? out.events : 0, true);
	close(ep);
}

static void iso_info_victim(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_env_info info, before;
	int err;

	memset(&info, 0x5a, sizeof(info));
	info.argsz = sizeof(info);
	info.flags = 0;
	info.reserved = 0;
	before = info;
	err = exo_ioc(h->victim, EXO_IOC_ENV_INFO, &info);
	iso_errno(got, len, err ? -1 : 0, err);
	if (memcmp(&info, &before, sizeof(info)))
		snprintf(got + strlen(got), len - strlen(got), ", struct written");
}

/* Its own ENV_INFO: its own id and counters, nothing of the victim's. */
static void iso_info_own(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_env_info info;
	int err = exo_raw_info(h->own, &info);

	if (err)
		iso_errno(got, len, -1, err);
	else if (info.env_id == h->victim_id)
		snprintf(got, len, "victim's id %llu",
			 (unsigned long long)info.env_id);
	else if (info.env_id != h->own_id ||
		 info.owner_tgid != (__u32)getpid())
		snprintf(got, len, "id %llu tgid %u", (unsigned long long)info.env_id,
			 info.owner_tgid);
	else if (info.events_posted != h->own_posted || info.events_pending ||
		 info.events_lost)
		snprintf(got, len, "posted %llu pending %u",
			 (unsigned long long)info.events_posted,
			 info.events_pending);
	else
		snprintf(got, len, "own only");
}

static void iso_raise_victim(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_raise(h->victim, 0x666);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* Raising on its own environment lands there, and only there. */
static void iso_raise_own(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_event ev;
	int err = exo_raw_raise(h->own, 0x777);
	ssize_t n;

	if (err) {
		iso_errno(got, len, -1, err);
		return;
	}
	h->own_posted++;
	n = exo_raw_read(h->own, &ev, sizeof(ev));
	if (n != sizeof(ev))
		iso_errno(got, len, n, (int)-n);
	else if (ev.env_id != h->own_id || ev.data[0] != 0x777)
		snprintf(got, len, "record of env %llu",
			 (unsigned long long)ev.env_id);
	else
		snprintf(got, len, "own queue only");
}

static void iso_api_victim(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_api(h->victim, NULL);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_api_victim_fresh(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_api(h->victim_fresh, NULL);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_nop_victim(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_ioc(h->victim, EXO_IOC_NOP, NULL);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* Every ioctl the kernel serves, with a zeroed page for an argument. */
static void iso_every_ioctl_victim(struct iso_hostile *h, char *got,
				   size_t len)
{
	static unsigned char page[4096];
	int nr, err;

	for (nr = 0; nr < 128; nr++) {
		if (!((nr < 64 ? h->ioctls : h->ioctls_hi) & (1ULL << (nr % 64))))
			continue;
		memset(page, 0, sizeof(page));
		*(__u32 *)page = sizeof(page);
		err = exo_ioc(h->victim, _IO(EXO_IOC_MAGIC, nr), page);
		if (err != EPERM) {
			snprintf(got, len, "nr %#x: %s", nr, exo_errno_name(err));
			return;
		}
	}
	snprintf(got, len, "EPERM");
}

static void iso_mmap_victim(struct iso_hostile *h, char *got, size_t len)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       h->victim, 0);

	if (p == MAP_FAILED) {
		iso_errno(got, len, -1, errno);
		return;
	}
	munmap(p, page);
	snprintf(got, len, "mapped");
}

/* Dropping its reference does not end the victim's environment. */
static void iso_close_victim(struct iso_hostile *h, char *got, size_t len)
{
	int fd = dup(h->victim);

	if (fd < 0) {
		iso_errno(got, len, -1, errno);
		return;
	}
	iso_errno(got, len, close(fd), errno);
}

static void iso_open_dev(struct iso_hostile *h, char *got, size_t len)
{
	int fd = open(EXO_DEV_PATH, O_RDWR | O_CLOEXEC);

	(void)h;
	iso_errno(got, len, fd, errno);
	if (fd >= 0)
		close(fd);
}

static void iso_nl_dump(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_env_info envs[4];
	struct exo_monitor *mon;
	int ret;

	(void)h;
	mon = exo_monitor_open();
	if (!mon) {
		snprintf(got, len, "open: %s", exo_errno_name(errno));
		return;
	}
	ret = exo_monitor_list_envs(mon, envs, ARRAY_SIZE(envs));
	iso_errno(got, len, ret, -ret);
	exo_monitor_close(mon);
}

static void iso_nl_subscribe(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_monitor *mon;
	int ret;

	(void)h;
	mon = exo_monitor_open();
	if (!mon) {
		snprintf(got, len, "open: %s", exo_errno_name(errno));
		return;
	}
	ret = exo_monitor_subscribe(mon);
	iso_errno(got, len, ret, -ret);
	exo_monitor_close(mon);
}

static void iso_debugfs_status(struct iso_hostile *h, char *got, size_t len)
{
	int fd = open(EXO_STATUS_PATH, O_RDONLY | O_CLOEXEC);

	(void)h;
	iso_errno(got, len, fd, errno);
	if (fd >= 0)
		close(fd);
}

/* ---- memory attempts ------------------------------------------------------- */

static void iso_ioc_errno(char *got, size_t len, int fd, unsigned long cmd,
			  void *arg)
{
	int err = exo_ioc(fd, cmd, arg);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_map_frame(struct iso_hostile *h, __u32 index, char *got,
			  size_t len)
{
	struct exo_mem_batch mb = {
		.argsz = sizeof(mb), .count = 1,
		.indexes = (uintptr_t)&index, .addr = (uintptr_t)h->region,
	};

	iso_ioc_errno(got, len, h->own, EXO_IOC_MEM_MAP, &mb);
}

static void iso_map_victim_frame(struct iso_hostile *h, char *got, size_t len)
{
	iso_map_frame(h, h->set.frames[1], got, len);
}

static void iso_map_granted_frame(struct iso_hostile *h, char *got, size_t len)
{
	iso_map_frame(h, h->set.frames[0], got, len);
}

static void iso_free_victim_frame(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_batch mb = {
		.argsz = sizeof(mb), .count = 1,
		.indexes = (uintptr_t)&h->set.frames[1],
	};

	iso_ioc_errno(got, len, h->own, EXO_IOC_MEM_FREE, &mb);
}

static void iso_alloc_victim_frame(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_frame fr = { .index = h->set.frames[2] };
	struct exo_mem_alloc al = {
		.argsz = sizeof(al), .flags = EXO_MEM_ALLOC_INDEX, .count = 1,
		.frames = (uintptr_t)&fr,
	};

	iso_ioc_errno(got, len, h->own, EXO_IOC_MEM_ALLOC, &al);
}

static void iso_grant_victim_frame(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g), .first = h->set.frames[1], .count = 1,
		.grantee = h->set.victim_id,
	};

	iso_ioc_errno(got, len, h->own, EXO_IOC_MEM_GRANT, &g);
}

static void iso_ungrant_victim_grant(struct iso_hostile *h, char *got,
				     size_t len)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g), .grant_id = h->set.grant_id,
	};

	iso_ioc_errno(got, len, h->own, EXO_IOC_MEM_UNGRANT, &g);
}

/* Drop CAP_SYS_ADMIN, staying root: 0 or errno. */
static int iso_drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return errno;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? errno : 0;
}

/* Without CAP_SYS_ADMIN, from an environment of its own. */
static void iso_revoke_victim(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_revoke rv = {
		.argsz = sizeof(rv), .count = 1, .deadline_ms = 60000,
		.env_id = h->set.victim_id,
	};
	int fd = exo_raw_env();

	if (fd < 0) {
		snprintf(got, len, "open: %s", exo_errno_name(-fd));
		return;
	}
	iso_ioc_errno(got, len, fd, EXO_IOC_MEM_REVOKE, &rv);
	close(fd);
}

static void iso_pfn_hidden(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_frame fr;
	struct exo_mem_alloc al = {
		.argsz = sizeof(al), .count = 1, .frames = (uintptr_t)&fr,
	};
	int fd = exo_raw_env(), err;

	(void)h;
	if (fd < 0) {
		snprintf(got, len, "open: %s", exo_errno_name(-fd));
		return;
	}
	memset(&fr, 0xff, sizeof(fr));
	err = exo_ioc(fd, EXO_IOC_MEM_ALLOC, &al);
	if (err)
		iso_errno(got, len, -1, err);
	else
		snprintf(got, len, "pfn %#llx", (unsigned long long)fr.pfn);
	close(fd);
}

/* The frame the victim just freed: allocated by index, it reads as zeroes. */
static void iso_freed_frame_zeroed(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_mem_frame fr = { .index = h->set.frames[3] };
	struct exo_mem_alloc al = {
		.argsz = sizeof(al),
		.flags = EXO_MEM_ALLOC_INDEX | EXO_MEM_ALLOC_MAP,
		.count = 1, .frames = (uintptr_t)&fr,
		.addr = (uintptr_t)(h->region + 3 * 4096),
	};
	int err = exo_ioc(h->own, EXO_IOC_MEM_ALLOC, &al);
	size_t i, nz = 0;

	if (err) {
		iso_errno(got, len, -1, err);
		return;
	}
	for (i = 0; i < 4096; i++)
		nz += h->region[3 * 4096 + i] != 0;
	if (nz)
		snprintf(got, len, "%zu bytes not zero", nz);
	else
		snprintf(got, len, "zeroes");
}

static sigjmp_buf iso_probe_jmp;

static void iso_probe_fault(int sig)
{
	siglongjmp(iso_probe_jmp, sig);
}

/* Read a byte at @p: the signal it raised, or 0 with *@val. */
static int iso_probe_read(volatile unsigned char *p, unsigned char *val)
{
	struct sigaction sa = { .sa_handler = iso_probe_fault }, obus, osegv;
	int sig;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(iso_probe_jmp, 1);
	if (!sig)
		*val = *p;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

static void iso_probe_got(char *got, size_t len, int sig, unsigned char val)
{
	if (sig)
		snprintf(got, len, "%s", sig == SIGBUS ? "SIGBUS" :
			 sig == SIGSEGV ? "SIGSEGV" : "signal");
	else
		snprintf(got, len, "reads %#x", val);
}

/* The capability works: the frame granted to it maps, with its bytes. */
static void iso_map_frame_granted_to_it(struct iso_hostile *h, char *got,
					size_t len)
{
	struct exo_mem_batch mb = {
		.argsz = sizeof(mb), .count = 1,
		.indexes = (uintptr_t)&h->set.frames[2],
		.addr = (uintptr_t)(h->region + 2 * 4096),
	};
	unsigned char val = 0;
	int err = exo_ioc(h->own, EXO_IOC_MEM_MAP, &mb), sig;

	if (err) {
		iso_errno(got, len, -1, err);
		return;
	}
	sig = iso_probe_read(h->region + 2 * 4096, &val);
	iso_probe_got(got, len, sig, val);
}

/* Once the grantor freed it, its page here is gone. */
static void iso_touch_freed_granted(struct iso_hostile *h, char *got,
				    size_t len)
{
	unsigned char val = 0;
	int sig = iso_probe_read(h->region + 2 * 4096, &val);

	iso_probe_got(got, len, sig, val);
}

static void iso_debugfs_pool(struct iso_hostile *h, char *got, size_t len)
{
	int fd = open(EXO_DEBUGFS_ROOT "/exo/pool", O_RDONLY | O_CLOEXEC);

	(void)h;
	iso_errno(got, len, fd, errno);
	if (fd >= 0)
		close(fd);
}

/* ---- victim checks ---------------------------------------------------- */

/* The victim's queue and counters are as it left them. */
static bool iso_victim_unchanged(struct iso_victim *v, char *why, size_t len)
{
	struct exo_env_info now;
	int err = exo_raw_info(v->fd, &now);

	if (err) {
		snprintf(why, len, "victim's ENV_INFO: %s", exo_errno_name(err));
		return false;
	}
	if (now.events_posted != v->info.events_posted ||
	    now.events_pending != v->info.events_pending ||
	    now.events_read != v->info.events_read ||
	    now.events_lost != v->info.events_lost ||
	    now.env_id != v->info.env_id) {
		snprintf(why, len,
			 "victim's queue changed: posted %llu pending %u read %llu (was %llu %u %llu)",
			 (unsigned long long)now.events_posted,
			 now.events_pending,
			 (unsigned long long)now.events_read,
			 (unsigned long long)v->info.events_posted,
			 v->info.events_pending,
			 (unsigned long long)v->info.events_read);
		return false;
	}
	return true;
}

/* The fresh fd still has no handshake: for the victim, NOP is EPROTO. */
static bool iso_victim_fresh_untouched(struct iso_victim *v, char *why,
				       size_t len)
{
	int err = exo_ioc(v->fresh, EXO_IOC_NOP, NULL);

	if (err != EPROTO) {
		snprintf(why, len, "victim's fresh fd: NOP gave %s, not EPROTO",
			 exo_errno_name(err));
		return false;
	}
	return iso_victim_unchanged(v, why, len);
}

/* Still alive and usable, and listed in debugfs. */
static bool iso_victim_alive(struct iso_victim *v, char *why, size_t len)
{
	int err = exo_ioc(v->fd, EXO_IOC_NOP, NULL);

	if (err) {
		snprintf(why, len, "victim's NOP: %s", exo_errno_name(err));
		return false;
	}
	if (exo_debugfs_mounted() && exo_status_env(v->info.env_id, NULL) != 1) {
		snprintf(why, len, "victim's env %llu gone from debugfs",
			 (unsigned long long)v->info.env_id);
		return false;
	}
	return iso_victim_unchanged(v, why, len);
}

/* Its frames are all its own still, mapped and holding what it wrote. */
static bool iso_victim_frames_intact(struct iso_victim *v, char *why,
				     size_t len)
{
	struct exo_mem_info mi = { .argsz = sizeof(mi) };
	__u32 i;
	size_t b;
	int err;

	if (!iso_victim_unchanged(v, why, len))
		return false;
	err = exo_ioc(v->fd, EXO_IOC_MEM_INFO, &mi);
	if (err || mi.held_frames != v->held) {
		snprintf(why, len, "victim's MEM_INFO: %s, holds %u of %u",
			 exo_errno_name(err), mi.held_frames, v->held);
		return false;
	}
	for (i = 0; i < ISO_FRAMES; i++)
		for (b = 0; b < 4096 && (v->held_mask & (1U << i)); b++)
			if (v->region[i * 4096 + b] != ISO_FILL) {
				snprintf(why, len, "victim's frame %u changed at byte %zu",
					 v->set.frames[i], b);
				return false;
			}
	return true;
}

static void iso_victim_free(struct iso_victim *v, int i)
{
	struct exo_mem_batch mb = {
		.argsz = sizeof(mb), .count = 1,
		.indexes = (uintptr_t)&v->set.frames[i],
	};

	if (!exo_ioc(v->fd, EXO_IOC_MEM_FREE, &mb)) {
		v->held--;
		v->held_mask &= ~(1U << i);
	}
}

/* It gives back its last frame, filled with its bytes, for another to take. */
static void iso_victim_frees_one(struct iso_victim *v)
{
	iso_victim_free(v, ISO_FRAMES - 1);
}

/* It grants its frame 2 to the hostile, read-only. */
static void iso_victim_grants_hostile(struct iso_victim *v)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g), .first = v->set.frames[2], .count = 1,
		.grantee = v->hostile_id,
	};

	exo_ioc(v->fd, EXO_IOC_MEM_GRANT, &g);
}

/* ... and takes it back by freeing it. */
static void iso_victim_frees_granted(struct iso_victim *v)
{
	iso_victim_free(v, 2);
}

/* ---- network: the victim's filter, ring and source address ------------ */

static void iso_net_filter(struct exo_net_bind *b, __u32 ip)
{
	memset(b, 0, sizeof(*b));
	b->argsz = sizeof(*b);
	b->ifindex = ISO_NET_IFINDEX;
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
	b->atoms[1].value = ip;
}

static void iso_net_bind_overlapping(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_net_bind b;
	int err;

	iso_net_filter(&b, ISO_NET_VICTIM_IP);
	b.natoms = 1;	/* all IPv4: a superset of the victim's */
	b.flags = EXO_NET_BIND_HOST;
	err = exo_ioc(h->own, EXO_IOC_NET_BIND, &b);
	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_net_mmap_ring(struct iso_hostile *h, int fd, char *got,
			      size_t len)
{
	void *p = mmap(NULL, h->set.net_ring_len, PROT_READ, MAP_SHARED, fd,
		       (off_t)h->set.net_ring_offset);

	if (p != MAP_FAILED) {
		munmap(p, h->set.net_ring_len);
		snprintf(got, len, "mapped");
		return;
	}
	iso_errno(got, len, -1, errno);
}

static void iso_net_mmap_own_fd(struct iso_hostile *h, char *got, size_t len)
{
	iso_net_mmap_ring(h, h->own, got, len);
}

static void iso_net_mmap_victim_fd(struct iso_hostile *h, char *got, size_t len)
{
	iso_net_mmap_ring(h, h->victim, got, len);
}

static void iso_net_unbind(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_net_unbind u = { .argsz = sizeof(u),
				    .binding_id = h->set.net_id };
	int err = exo_ioc(h->own, EXO_IOC_NET_UNBIND, &u);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_net_stats(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_net_stats st = { .argsz = sizeof(st),
				    .binding_id = h->set.net_id };
	int err = exo_ioc(h->own, EXO_IOC_NET_STATS, &st);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_net_ash_set(struct iso_hostile *h, char *got, size_t len)
{
	static const struct exo_ash_insn drop = { .code = EXO_ASH_RET,
						  .imm = EXO_ASH_DROP };
	struct exo_net_ash_set a = { .argsz = sizeof(a),
				     .binding_id = h->set.net_id, .len = 1,
				     .prog = (__u64)(unsigned long)&drop };
	int err = exo_ioc(h->own, EXO_IOC_NET_ASH_SET, &a);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* An IPv4 frame from @src to 10.99.0.9, no payload. */
static void iso_net_frame(unsigned char *f, __u32 src)
{
	int i;

	memset(f, 0, 64);
	memset(f, 0xff, 6);
	f[6] = 2;
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 20;
	f[22] = 64;
	f[23] = 17;
	for (i = 0; i < 4; i++)
		f[26 + i] = src >> (24 - 8 * i);
	f[30] = 10;
	f[31] = 99;
	f[33] = 9;
}

static void iso_net_tx_victim_binding(struct iso_hostile *h, char *got,
				      size_t len)
{
	unsigned char f[64];
	struct exo_net_tx t = { .argsz = sizeof(t), .binding_id = h->set.net_id,
				.len = sizeof(f), .frame = (uintptr_t)f };
	int err;

	iso_net_frame(f, ISO_NET_VICTIM_IP);
	err = exo_ioc(h->own, EXO_IOC_NET_TX, &t);
	iso_errno(got, len, err ? -1 : 0, err);
}

/* Through a binding of its own, a frame with the victim's source. */
static void iso_net_tx_spoofed(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_net_unbind u = { .argsz = sizeof(u) };
	struct exo_net_bind b;
	unsigned char f[64];
	struct exo_net_tx t = { .argsz = sizeof(t), .len = sizeof(f),
				.frame = (uintptr_t)f };
	int err;

	iso_net_filter(&b, ISO_NET_HOSTILE_IP);
	err = exo_ioc(h->own, EXO_IOC_NET_BIND, &b);
	if (err) {
		snprintf(got, len, "own bind %s", exo_errno_name(err));
		return;
	}
	t.binding_id = b.binding_id;
	iso_net_frame(f, ISO_NET_VICTIM_IP);
	err = exo_ioc(h->own, EXO_IOC_NET_TX, &t);
	iso_errno(got, len, err ? -1 : 0, err);
	u.binding_id = b.binding_id;
	exo_ioc(h->own, EXO_IOC_NET_UNBIND, &u);
}

/* Its binding is still its own, on its device, with nothing sent. */
static bool iso_victim_net_intact(struct iso_victim *v, char *why, size_t len)
{
	struct exo_net_stats st = { .argsz = sizeof(st),
				    .binding_id = v->set.net_id };
	struct exo_env_info info;
	int err;

	if (!iso_victim_unchanged(v, why, len))
		return false;
	err = exo_ioc(v->fd, EXO_IOC_NET_STATS, &st);
	if (err || st.ifindex != ISO_NET_IFINDEX || st.tx) {
		snprintf(why, len, "victim's NET_STATS: %s, ifindex %u, tx %llu",
			 exo_errno_name(err), st.ifindex,
			 (unsigned long long)st.tx);
		return false;
	}
	if (exo_raw_info(v->fd, &info) || info.filters != 1) {
		snprintf(why, len, "victim's filters: %llu",
			 (unsigned long long)info.filters);
		return false;
	}
	return true;
}

/* ---- network capabilities: the victim's ring, granted or not --------- */

/* Pass the victim's ring on to the victim itself, as if it were its own. */
static void iso_net_cap_grant_victim_ring(struct iso_hostile *h, char *got,
					  size_t len)
{
	int err = exo_raw_cap_grant(h->own, EXO_CAP_NET, EXO_CAP_READ,
				    h->set.net_id, 1, h->set.victim_id, NULL);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* The victim lets the hostile read its ring. */
static void iso_victim_net_grants_hostile(struct iso_victim *v)
{
	exo_raw_cap_grant(v->fd, EXO_CAP_NET, EXO_CAP_READ, v->set.net_id, 1,
			  v->hostile_id, &v->net_cap);
}

/* The cap works read-only: the ring maps, its header says 16 slots. */
static void iso_net_cap_map_granted(struct iso_hostile *h, char *got,
				    size_t len)
{
	unsigned char val = 0;
	void *p = mmap(NULL, h->set.net_ring_len, PROT_READ, MAP_SHARED,
		       h->own, (off_t)h->set.net_ring_offset);
	int sig;

	if (p == MAP_FAILED) {
		iso_errno(got, len, -1, errno);
		return;
	}
	h->net_tap = p;
	sig = iso_probe_read(h->net_tap + offsetof(struct exo_net_ring, slots),
			     &val);
	iso_probe_got(got, len, sig, val);
}

/* ... and not read-write. */
static void iso_net_cap_map_granted_rw(struct iso_hostile *h, char *got,
				       size_t len)
{
	void *p = mmap(NULL, h->set.net_ring_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED, h->own, (off_t)h->set.net_ring_offset);

	if (p != MAP_FAILED) {
		munmap(p, h->set.net_ring_len);
		snprintf(got, len, "mapped");
		return;
	}
	iso_errno(got, len, -1, errno);
}

/* Its grantee guesses at the cap's id: every NET cap id up to 2^16. */
static void iso_net_cap_revoke_any(struct iso_hostile *h, char *got,
				   size_t len)
{
	struct exo_cap c = { .argsz = sizeof(c), .kind = EXO_CAP_NET };
	int err = ENOENT;

	for (c.cap_id = 1; c.cap_id <= 65536 && err == ENOENT; c.cap_id++)
		err = exo_ioc(h->own, EXO_IOC_CAP_REVOKE, &c);
	iso_errno(got, len, -1, err);
}

/* The victim takes its ring back. */
static void iso_victim_net_revokes(struct iso_victim *v)
{
	struct exo_cap c = { .argsz = sizeof(c), .kind = EXO_CAP_NET,
			     .cap_id = v->net_cap };

	if (!exo_ioc(v->fd, EXO_IOC_CAP_REVOKE, &c))
		v->net_cap = 0;
}

/* Once revoked, the page the hostile mapped is gone. */
static void iso_net_cap_touch_revoked(struct iso_hostile *h, char *got,
				      size_t len)
{
	unsigned char val = 0;

	int sig;

	if (!h->net_tap) {
		snprintf(got, len, "no mapping");
		return;
	}
	sig = iso_probe_read(h->net_tap, &val);
	iso_probe_got(got, len, sig, val);
}

/* Its ring is intact, and the cap it granted (if any) is still its own. */
static bool iso_victim_net_cap_intact(struct iso_victim *v, char *why,
				      size_t len)
{
	struct exo_cap c = { .argsz = sizeof(c), .kind = EXO_CAP_NET,
			     .cap_id = v->net_cap };
	int err;

	if (!iso_victim_net_intact(v, why, len))
		return false;
	if (!v->net_cap)
		return true;
	err = exo_ioc(v->fd, EXO_IOC_CAP_REVOKE, &c);
	if (err) {
		snprintf(why, len, "victim's CAP_REVOKE of its cap: %s",
			 exo_errno_name(err));
		return false;
	}
	v->net_cap = 0;
	return true;
}

/* It still holds its slot, and only it. */
static bool iso_victim_slot_intact(struct iso_victim *v, char *why, size_t len)
{
	struct exo_cpu_query q;
	__u32 s = v->set.cpu_slot;
	int err;

	if (!iso_victim_unchanged(v, why, len))
		return false;
	err = exo_raw_cpu_query(v->fd, v->set.cpu, &q);
	if (err || !(q.mine[s / 64] >> (s % 64) & 1) ||
	    exo_cpu_mine(v->fd, v->set.cpu) != 1) {
		snprintf(why, len, "victim's slot %u: %s, holds %d", s,
			 exo_errno_name(err), exo_cpu_mine(v->fd, v->set.cpu));
		return false;
	}
	return true;
}

/* Until the memory binding, /dev/exo has no mmap at all. */
static const char *iso_mmap_expect(const struct iso_victim *v)
{
#ifdef EXO_FEATURE_MEM
	if (v->features & EXO_FEATURE_MEM)
		return "EPERM";
#else
	(void)v;
#endif
	return "ENODEV";
}

/* ---- XN rows ------------------------------------------------------------ */

/* The victim's format: owner uid at 0, eight u64 data pointers from 64. */
static const struct exo_udf_insn iso_xn_owns[] = {
	{ EXO_UDF_LDI, 1, 0, 0, 1 },
	{ EXO_UDF_LDI, 2, 0, 0, EXO_XN_TYPE_DATA },
	{ EXO_UDF_LOOP, 5, 0, 0, 8 },
	{ EXO_UDF_MOV, 6, 5, 0, 0 },
	{ EXO_UDF_SHL_K, 6, 0, 0, 3 },
	{ EXO_UDF_LDD_X, 4, 6, 0, 64 },
	{ EXO_UDF_JEQ_K, 4, 0, 1, 0 },
	{ EXO_UDF_EMIT, 4, 1, 2, 0 },
	{ EXO_UDF_ENDLOOP, 0, 0, 0, 0 },
	{ EXO_UDF_RET_K, 0, 0, 0, 0 },
};

/* Only the owner, whoever asks for what. */
static const struct exo_udf_insn iso_xn_acl[] = {
	{ EXO_UDF_LDIN, 1, 0, 0, EXO_UDF_IN_UID },
	{ EXO_UDF_LDW_K, 2, 0, 0, 0 },
	{ EXO_UDF_JEQ_X, 1, 2, 1, 0 },
	{ EXO_UDF_RET_K, 0, 0, 0, 0 },
	{ EXO_UDF_RET_K, 0, 0, 0, 1 },
};

static int iso_xn_read(int fd, __u64 block, __u64 parent, __u32 type)
{
	struct exo_xn_read r = {
		.argsz = sizeof(r), .block = block, .parent = parent,
		.type_id = type,
	};

	return exo_ioc(fd, EXO_IOC_XN_READ, &r);
}

/* ALLOC (or FREE) of @block under @parent, entry @slot set to @ptr. */
static int iso_xn_alloc(int fd, unsigned long cmd, __u64 parent, __u64 block,
			int slot, __u64 ptr)
{
	struct exo_xn_mod m = {
		.offset = 64 + 8 * slot, .len = 8, .data = (uintptr_t)&ptr,
	};
	struct exo_xn_alloc a = {
		.argsz = sizeof(a), .parent = parent, .block = block,
		.type_id = EXO_XN_TYPE_DATA, .nmods = 1, .mods = (uintptr_t)&m,
	};

	return exo_ioc(fd, cmd, &a);
}

/*
 * As nobody, through an environment of its own: opened before dropping to
 * nobody (the node is root's), used after, as the kernel and the acl see
 * the caller then. Ioctl @cmd of @arg; its errno.
 */
static int iso_xn_as_nobody(unsigned long cmd, const void *arg)
{
	int p[2], err = EIO, status;
	pid_t pid;

	if (pipe(p))
		return errno;
	pid = fork();
	if (pid == 0) {
		int fd = exo_raw_env();

		err = fd < 0 ? -fd : exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0);
		if (!err)
			err = exo_ioc(fd, cmd, arg);
		exo_write_full(p[1], &err, sizeof(err));
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || exo_read_full(p[0], &err, sizeof(err)))
		err = EIO;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return err;
}

static void iso_xn_read_private_root(struct iso_hostile *h, char *got,
				     size_t len)
{
	struct exo_xn_read r = {
		.argsz = sizeof(r), .block = h->set.xn_root,
		.parent = EXO_XN_NO_PARENT, .type_id = h->set.xn_type,
	};
	int err = iso_xn_as_nobody(EXO_IOC_XN_READ, &r);

	iso_errno(got, len, err ? -1 : 0, err);
}

/*
 * The victim's spare entries, free to remove but for whose they are: a
 * type nothing uses and a root that owns nothing and nobody holds. Their
 * names come from the victim's env id, which the hostile knows.
 */
static void iso_xn_spare_name(char *name, const char *kind, __u64 env_id)
{
	snprintf(name, EXO_XN_NAME_MAX, "iso-%s-%llu", kind,
		 (unsigned long long)env_id);
}

static void iso_victim_xn_spares(struct iso_victim *v)
{
	struct exo_xn_type t = {
		.argsz = sizeof(t),
		.owns = (uintptr_t)iso_xn_owns, .owns_len = ARRAY_SIZE(iso_xn_owns),
		.acl = (uintptr_t)iso_xn_acl, .acl_len = ARRAY_SIZE(iso_xn_acl),
	};
	struct exo_xn_root r = { .argsz = sizeof(r), .type_id = v->set.xn_type };

	iso_xn_spare_name(t.name, "t", v->set.victim_id);
	iso_xn_spare_name(r.name, "r", v->set.victim_id);
	/* A failure shows in the check, which looks both up. */
	exo_ioc(v->fd, EXO_IOC_XN_TYPE_INSTALL, &t);
	exo_ioc(v->fd, EXO_IOC_XN_ROOT_INSTALL, &r);
	v->xn_spares = true;
}

static void iso_xn_remove_spare_type(struct iso_hostile *h, char *got,
				     size_t len)
{
	struct exo_xn_type t = { .argsz = sizeof(t) };
	int err;

	iso_xn_spare_name(t.name, "t", h->set.victim_id);
	err = iso_xn_as_nobody(EXO_IOC_XN_TYPE_REMOVE, &t);
	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_xn_remove_spare_root(struct iso_hostile *h, char *got,
				     size_t len)
{
	struct exo_xn_root r = { .argsz = sizeof(r) };
	int err;

	iso_xn_spare_name(r.name, "r", h->set.victim_id);
	err = iso_xn_as_nobody(EXO_IOC_XN_ROOT_REMOVE, &r);
	iso_errno(got, len, err ? -1 : 0, err);
}

/* Its type by number and its root by name: in use, but that is not why. */
static void iso_xn_remove_victim_entries(struct iso_hostile *h, char *got,
					 size_t len)
{
	struct exo_xn_type t = { .argsz = sizeof(t), .type_id = h->set.xn_type };
	struct exo_xn_root r = {
		.argsz = sizeof(r), .type_id = h->set.xn_type,
		.block = h->set.xn_root,
	};
	int err, err2;

	memcpy(r.name, h->set.xn_name, sizeof(r.name));
	err = iso_xn_as_nobody(EXO_IOC_XN_TYPE_REMOVE, &t);
	err2 = iso_xn_as_nobody(EXO_IOC_XN_ROOT_REMOVE, &r);
	if (err == err2)
		iso_errno(got, len, err ? -1 : 0, err);
	else
		snprintf(got, len, "type %s, root %s", exo_errno_name(err),
			 exo_errno_name(err2));
}

static void iso_xn_read_child(struct iso_hostile *h, char *got, size_t len)
{
	int err = iso_xn_read(h->own, h->set.xn_data, h->set.xn_root,
			      EXO_XN_TYPE_DATA);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_xn_alloc_into_root(struct iso_hostile *h, char *got,
				   size_t len)
{
	struct exo_xn_info info = { .argsz = sizeof(info) };
	int err = exo_ioc(h->own, EXO_IOC_XN_INFO, &info);

	if (!err)
		err = iso_xn_alloc(h->own, EXO_IOC_XN_ALLOC, h->set.xn_root,
				   info.hint, 1, info.hint);
	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_xn_free_victim_block(struct iso_hostile *h, char *got,
				     size_t len)
{
	int err = iso_xn_alloc(h->own, EXO_IOC_XN_FREE, h->set.xn_root,
			       h->set.xn_data, 0, 0);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_xn_map_victim_block(struct iso_hostile *h, char *got,
				    size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, h->own,
		       EXO_MMAP_XN + h->set.xn_data * 4096);

	iso_errno(got, len, p == MAP_FAILED ? -1 : 0, errno);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

/* Its own root, whose owns would then claim the victim's block. */
static void iso_xn_forge_owns(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_xn_root r = { .argsz = sizeof(r), .type_id = h->set.xn_type };
	int err;

	snprintf(r.name, sizeof(r.name), "iso-h-%d", (int)getpid());
	err = exo_ioc(h->own, EXO_IOC_XN_ROOT_INSTALL, &r);
	if (!err)
		err = iso_xn_read(h->own, r.block, EXO_XN_NO_PARENT,
				  h->set.xn_type);
	if (!err)
		err = iso_xn_alloc(h->own, EXO_IOC_XN_ALLOC, r.block,
				   h->set.xn_data, 0, h->set.xn_data);
	iso_errno(got, len, err ? -1 : 0, err);
}

/* XN caps: EXO_XN_CAP_PARENT without a cap is no way in. */
static void iso_xn_cap_parent_no_cap(struct iso_hostile *h, char *got,
				     size_t len)
{
	int err = iso_xn_read(h->own, h->set.xn_root, EXO_XN_CAP_PARENT,
			      h->set.xn_type);

	iso_errno(got, len, err ? -1 : 0, err);
}

static int iso_xn_cap_grant(int fd, __u64 block, __u32 rights, __u64 grantee)
{
	return exo_raw_cap_grant(fd, EXO_CAP_XN, rights, block, 1, grantee,
				 NULL);
}

/* A cap of the victim's root, to itself or to the victim's other env. */
static void iso_xn_cap_grant_victim_root(struct iso_hostile *h, char *got,
					 size_t len)
{
	int err = iso_xn_cap_grant(h->own, h->set.xn_root, EXO_CAP_READ,
				   h->set.victim_id);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* The victim lets the hostile read its root's subtree, read-only. */
static void iso_victim_xn_grants_hostile(struct iso_victim *v)
{
	iso_xn_cap_grant(v->fd, v->set.xn_root, EXO_CAP_READ, v->hostile_id);
}

/*
 * Through the cap: the victim's bytes, and no more. Writing is EACCES
 * even for root, whose acl would allow it; no guessed id revokes.
 */
static void iso_xn_cap_granted_to_it(struct iso_hostile *h, char *got,
				     size_t len)
{
	struct exo_xn_write w = {
		.argsz = sizeof(w), .block = h->set.xn_data, .len = 1,
	};
	struct exo_cap c = { .argsz = sizeof(c), .kind = EXO_CAP_XN };
	unsigned char val = 0, byte = 0;
	int err, werr, sig, revoked = 0;
	void *p;

	err = iso_xn_read(h->own, h->set.xn_root, EXO_XN_CAP_PARENT,
			  h->set.xn_type);
	if (!err)
		err = iso_xn_read(h->own, h->set.xn_data, h->set.xn_root,
				  EXO_XN_TYPE_DATA);
	if (err) {
		iso_errno(got, len, -1, err);
		return;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, h->own,
		 EXO_MMAP_XN + h->set.xn_data * 4096);
	if (p == MAP_FAILED) {
		iso_errno(got, len, -1, errno);
		return;
	}
	sig = iso_probe_read(p, &val);
	munmap(p, 4096);
	w.data = (uintptr_t)&byte;
	werr = exo_ioc(h->own, EXO_IOC_XN_WRITE, &w);
	for (c.cap_id = 0; c.cap_id < 64; c.cap_id++)
		revoked += !exo_ioc(h->own, EXO_IOC_CAP_REVOKE, &c);
	iso_probe_got(got, len, sig, val);
	snprintf(got + strlen(got), len - strlen(got), ", write %s, %d revoked",
		 werr ? exo_errno_name(werr) : "ok", revoked);
}

/* The victim's root and block: still its own, still filled. */
static bool iso_victim_xn_intact(struct iso_victim *v, char *why, size_t len)
{
	struct exo_env_info info;
	unsigned char *p;
	bool ok;

	if (exo_raw_info(v->fd, &info) || info.blocks != 2) {
		snprintf(why, len, "victim holds %llu blocks, not 2",
			 (unsigned long long)info.blocks);
		return false;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, v->fd,
		 EXO_MMAP_XN + v->set.xn_data * 4096);
	if (p == MAP_FAILED) {
		snprintf(why, len, "victim's map: %s", exo_errno_name(errno));
		return false;
	}
	ok = p[0] == ISO_FILL && p[4095] == ISO_FILL;
	munmap(p, 4096);
	if (!ok)
		snprintf(why, len, "victim's block no longer filled");
	return ok && iso_victim_unchanged(v, why, len);
}

/* The victim's catalogue entries: all still there, and the victim's. */
static bool iso_victim_xn_catalogued(struct iso_victim *v, char *why,
				     size_t len)
{
	struct exo_xn_type t = { .argsz = sizeof(t) }, st = { .argsz = sizeof(st) };
	struct exo_xn_root r = { .argsz = sizeof(r) }, sr = { .argsz = sizeof(sr) };

	snprintf(t.name, sizeof(t.name), "isolation victim");
	memcpy(r.name, v->set.xn_name, sizeof(r.name));
	if (exo_ioc(v->fd, EXO_IOC_XN_TYPE_LOOKUP, &t) ||
	    t.type_id != v->set.xn_type ||
	    exo_ioc(v->fd, EXO_IOC_XN_ROOT_LOOKUP, &r) ||
	    r.block != v->set.xn_root) {
		snprintf(why, len, "the victim's type or root is gone");
		return false;
	}
	if (!v->xn_spares)
		return iso_victim_xn_intact(v, why, len);
	iso_xn_spare_name(st.name, "t", v->set.victim_id);
	iso_xn_spare_name(sr.name, "r", v->set.victim_id);
	if (exo_ioc(v->fd, EXO_IOC_XN_TYPE_LOOKUP, &st) ||
	    exo_ioc(v->fd, EXO_IOC_XN_ROOT_LOOKUP, &sr)) {
		snprintf(why, len, "a spare type or root is gone");
		return false;
	}
	/* Its own to remove, and removed: the catalogue is small. */
	st.owns_len = st.acl_len = 0;	/* LOOKUP's answers */
	if (exo_ioc(v->fd, EXO_IOC_XN_ROOT_REMOVE, &sr) ||
	    exo_ioc(v->fd, EXO_IOC_XN_TYPE_REMOVE, &st)) {
		snprintf(why, len, "the victim cannot remove its spares");
		return false;
	}
	return iso_victim_xn_intact(v, why, len);
}

/* ---- CPU slots ------------------------------------------------------ */

static void iso_book_victim_slot(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_cpu_book(h->own, h->set.cpu, h->set.cpu_slot, 1, 1);

	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_free_victim_slot(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_cpu_free(h->own, h->set.cpu, h->set.cpu_slot, 1, 1);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* Its own QUERY: the victim's slot is neither free nor its own. */
static void iso_query_victim_slot(struct iso_hostile *h, char *got, size_t len)
{
	struct exo_cpu_query q;
	__u32 s = h->set.cpu_slot;
	int err = exo_raw_cpu_query(h->own, h->set.cpu, &q);

	if (err)
		snprintf(got, len, "%s", exo_errno_name(err));
	else
		snprintf(got, len, "%s, %s",
			 q.mine[s / 64] >> (s % 64) & 1 ? "mine" : "not mine",
			 q.free[s / 64] >> (s % 64) & 1 ? "free" : "held");
}

/*
 * Bound to the CPU with no slots of its own, it waits longer than a round:
 * the victim's slot must never wake it.
 */
static void iso_wait_in_victim_slot(struct iso_hostile *h, char *got,
				    size_t len)
{
	struct exo_cpu_wake wake;
	struct exo_cpu_info ci;
	__u32 ms;
	int err;

	err = exo_raw_cpu_info(h->own, h->set.cpu, &ci);
	if (!err)
		err = exo_raw_cpu_bind(h->own, h->set.cpu, 0, 0);
	if (err) {
		snprintf(got, len, "setup: %s", exo_errno_name(err));
		return;
	}
	ms = ci.quantum_ns * ci.nslots / 1000000 + 200;
	err = exo_raw_cpu_wait(h->own, ms, &wake);
	exo_raw_cpu_unbind(h->own);
	if (err)
		snprintf(got, len, "%s", exo_errno_name(err));
	else
		snprintf(got, len, "woken in slot %u", wake.slot);
}

static void iso_yield_to_victim(struct iso_hostile *h, char *got, size_t len)
{
	int err = exo_raw_cpu_bind(h->own, h->set.cpu, 0, 0);

	if (err) {
		snprintf(got, len, "bind: %s", exo_errno_name(err));
		return;
	}
	/* It holds no turn: there is nothing it could give or take. */
	err = exo_raw_cpu_yield(h->own, h->set.victim_id, NULL);
	exo_raw_cpu_unbind(h->own);
	iso_errno(got, len, err ? -1 : 0, err);
}

static void iso_revoke_victim_slots(struct iso_hostile *h, char *got,
				    size_t len)
{
	int err = exo_raw_cpu_revoke(h->own, h->set.victim_id, 1, 100);

	iso_errno(got, len, err ? -1 : 0, err);
}

static int iso_cap_cpu_grant(int fd, __u32 cpu, __u32 slot, __u64 grantee,
			     __u64 *cap_id)
{
	return exo_raw_cap_grant(fd, EXO_CAP_CPU, EXO_CAP_READ,
				 EXO_CAP_CPU_SLOT(cpu, slot), 1, grantee, cap_id);
}

/* A cap id means something only to its grantor. */
static void iso_cap_revoke_victim(struct iso_hostile *h, char *got,
				  size_t len)
{
	struct exo_cap c = {
		.argsz = sizeof(c), .kind = EXO_CAP_CPU,
		.cap_id = h->set.cpu_cap_id,
	};
	int err = exo_ioc(h->own, EXO_IOC_CAP_REVOKE, &c);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* Only the holder of a slot grants it, to anyone. */
static void iso_cap_grant_victim_slot(struct iso_hostile *h, char *got,
				      size_t len)
{
	int err = iso_cap_cpu_grant(h->own, h->set.cpu, h->set.cpu_slot,
				    h->set.victim_id, NULL);

	iso_errno(got, len, err ? -1 : 0, err);
}

/* Its slot, and its cap on it: granting the slot again is EEXIST. */
static bool iso_victim_cap_intact(struct iso_victim *v, char *why, size_t len)
{
	int err;

	if (!iso_victim_slot_intact(v, why, len))
		return false;
	err = iso_cap_cpu_grant(v->fd, v->set.cpu, v->set.cpu_slot,
				v->set.victim2_id, NULL);
	if (err != EEXIST) {
		snprintf(why, len, "victim's cap on slot %u: a second grant %s",
			 v->set.cpu_slot, exo_errno_name(err));
		return false;
	}
	return true;
}

/* ---- the matrix ------------------------------------------------------- */

#define ISO_ROW(res, op, exp, need, try, check)				\
	{ .resource = res, .operation = op, .expected = exp,		\
	  .needs = need, .attempt = try, .victim_check = check }

/*
 * One X(name, row) per cell of the matrix: each is a FIXTURE_VARIANT of
 * its own, so each cell is one test, with a fresh victim and hostile.
 */
#define ISO_ROWS(X) \
	X(events_read_victim_fd,					\
	  ISO_ROW("events", "read(2) of the victim's fd (SCM_RIGHTS)", "EPERM", \
		  0, iso_read_victim, iso_victim_unchanged))		\
	X(events_poll_victim_fd,					\
	  ISO_ROW("events", "poll(2) of the victim's fd", "POLLERR",	\
		  0, iso_poll_victim, iso_victim_unchanged))		\
	X(events_epoll_victim_fd,					\
	  ISO_ROW("events", "epoll_wait(2) on the victim's fd", "EPOLLERR", \
		  0, iso_epoll_victim, iso_victim_unchanged))		\
	X(events_raise_victim_fd,					\
	  ISO_ROW("events", "EVENT_RAISE on the victim's fd", "EPERM",	\
		  0, iso_raise_victim, iso_victim_unchanged))		\
	X(events_raise_own_env,						\
	  ISO_ROW("events", "EVENT_RAISE on its own env", "own queue only", \
		  0, iso_raise_own, iso_victim_unchanged))		\
	X(info_victim_fd,						\
	  ISO_ROW("info", "ENV_INFO on the victim's fd", "EPERM",	\
		  0, iso_info_victim, iso_victim_unchanged))		\
	X(info_own_env,							\
	  ISO_ROW("info", "ENV_INFO on its own env", "own only",	\
		  0, iso_info_own, iso_victim_unchanged))		\
	X(api_victim_fd,						\
	  ISO_ROW("handshake", "EXO_IOC_API on the victim's fd", "EPERM", \
		  0, iso_api_victim, iso_victim_unchanged))		\
	X(api_victim_fresh_fd,						\
	  ISO_ROW("handshake", "EXO_IOC_API on the victim's fresh fd", "EPERM", \
		  0, iso_api_victim_fresh, iso_victim_fresh_untouched))	\
	X(nop_victim_fd,						\
	  ISO_ROW("nop", "EXO_IOC_NOP on the victim's fd", "EPERM",	\
		  0, iso_nop_victim, iso_victim_unchanged))		\
	X(every_ioctl_victim_fd,					\
	  ISO_ROW("ioctls", "every ioctl served, on the victim's fd", "EPERM", \
		  0, iso_every_ioctl_victim, iso_victim_unchanged))	\
	X(mmap_victim_fd,						\
	  { .resource = "memory", .operation = "mmap(2) of the victim's fd", \
		  .expect_fn = iso_mmap_expect, .attempt = iso_mmap_victim,\
		  .victim_check = iso_victim_unchanged })		\
	X(close_copy_of_victim_fd,					\
	  ISO_ROW("env", "close(2) of its copy of the victim's fd", "ok (0)", \
		  0, iso_close_victim, iso_victim_alive))		\
	X(nl_env_dump_as_nobody,					\
	  ISO_ROW("env list", "netlink GET_ENV dump as nobody", "EPERM", \
		  ISO_AS_NOBODY, iso_nl_dump, iso_victim_unchanged))	\
	X(nl_event_join_as_nobody,					\
	  ISO_ROW("events", "netlink event group join as nobody", "EPERM", \
		  ISO_AS_NOBODY | ISO_NETLINK_PRIVATE, iso_nl_subscribe,\
		  iso_victim_unchanged))				\
	X(debugfs_status_as_nobody,					\
	  ISO_ROW("env list", "debugfs status read as nobody", "EACCES", \
		  ISO_AS_NOBODY, iso_debugfs_status, iso_victim_unchanged))\
	X(open_dev_as_nobody,						\
	  ISO_ROW("device", "open(2) /dev/exo as nobody", "EACCES",	\
		  ISO_AS_NOBODY | ISO_DEFAULT_MODE, iso_open_dev,	\
		  iso_victim_unchanged))				\
	/*								\
	 * Network. The victim has a filter bound on the loopback device (IPv4\
	 * to 10.99.0.1) with a ring.					\
	 */								\
	X(net_bind_overlapping,						\
	  ISO_ROW("filter", "NET_BIND of a filter overlapping the victim's", \
		  "EEXIST", ISO_NET, iso_net_bind_overlapping, iso_victim_net_intact)) \
	X(net_ring_mmap_own_fd,						\
	  ISO_ROW("ring", "mmap(2) of the victim's ring through its own fd", \
		  "EPERM", ISO_NET, iso_net_mmap_own_fd, iso_victim_net_intact)) \
	X(net_ring_mmap_victim_fd,					\
	  ISO_ROW("ring", "mmap(2) of the victim's ring, victim's fd", "EPERM", \
		  ISO_NET, iso_net_mmap_victim_fd, iso_victim_net_intact))\
	X(net_unbind_victim,						\
	  ISO_ROW("filter", "NET_UNBIND of the victim's binding", "EPERM", \
		  ISO_NET, iso_net_unbind, iso_victim_net_intact))	\
	X(net_stats_victim,						\
	  ISO_ROW("filter", "NET_STATS of the victim's binding", "EPERM", \
		  ISO_NET, iso_net_stats, iso_victim_net_intact))	\
	X(net_ash_set_victim,						\
	  ISO_ROW("filter", "NET_ASH_SET: a handler on the victim's binding", \
		  "EPERM", ISO_NET, iso_net_ash_set, iso_victim_net_intact)) \
	X(net_tx_victim_binding,					\
	  ISO_ROW("filter", "NET_TX through the victim's binding", "EPERM", \
		  ISO_NET, iso_net_tx_victim_binding, iso_victim_net_intact))\
	X(net_tx_spoofed_source,					\
	  ISO_ROW("source", "NET_TX from the victim's address, own binding", \
		  "EPERM", ISO_NET, iso_net_tx_spoofed, iso_victim_net_intact)) \
	X(net_cap_grant_victim_ring,					\
	  ISO_ROW("ring cap", "CAP_GRANT of the victim's ring", "EPERM",	\
		  ISO_NET, iso_net_cap_grant_victim_ring,		\
		  iso_victim_net_intact))				\
	X(net_cap_ring_granted_to_it,					\
	  { .resource = "ring cap", .operation = "mmap(2) of the ring granted to it, read-only", \
		  .expected = "reads 0x10", .needs = ISO_NET,		\
		  .attempt = iso_net_cap_map_granted,			\
		  .victim_check = iso_victim_net_cap_intact,		\
		  .victim_prep = iso_victim_net_grants_hostile })	\
	X(net_cap_ring_granted_read_mapped_rw,				\
	  { .resource = "ring cap", .operation = "that ring mapped read-write", \
		  .expected = "EACCES", .needs = ISO_NET,		\
		  .attempt = iso_net_cap_map_granted_rw,		\
		  .victim_check = iso_victim_net_cap_intact,		\
		  .victim_prep = iso_victim_net_grants_hostile })	\
	X(net_cap_revoke_by_grantee,					\
	  { .resource = "ring cap", .operation = "CAP_REVOKE of every NET cap id to 65536", \
		  .expected = "ENOENT", .needs = ISO_NET,		\
		  .attempt = iso_net_cap_revoke_any,			\
		  .victim_check = iso_victim_net_cap_intact,		\
		  .victim_prep = iso_victim_net_grants_hostile })	\
	X(net_cap_ring_after_revoke,					\
	  { .resource = "ring cap", .operation = "that ring's page, once the victim revoked", \
		  .expected = "SIGBUS", .needs = ISO_NET,		\
		  .attempt = iso_net_cap_touch_revoked,			\
		  .victim_check = iso_victim_net_cap_intact,		\
		  .victim_prep = iso_victim_net_revokes,		\
		  .prior = ISO_PRIOR(net_cap_ring_granted_to_it) })	\
	/*								\
	 * Memory. The victim holds ISO_FRAMES frames mapped and written, and\
	 * has granted its frame 0 to a second environment of its own.	\
	 */								\
	X(mem_map_victim_frame,						\
	  ISO_ROW("frame", "MEM_MAP of the victim's frame into its region", \
		  "EPERM", ISO_MEM, iso_map_victim_frame, iso_victim_frames_intact)) \
	X(mem_map_frame_granted_to_other,				\
	  ISO_ROW("frame", "MEM_MAP of a frame granted to another env", "EPERM", \
		  ISO_MEM, iso_map_granted_frame, iso_victim_frames_intact))\
	X(mem_free_victim_frame,					\
	  ISO_ROW("frame", "MEM_FREE of the victim's frame", "EPERM",	\
		  ISO_MEM, iso_free_victim_frame, iso_victim_frames_intact))\
	X(mem_alloc_victim_frame,					\
	  ISO_ROW("frame", "MEM_ALLOC by index of the victim's frame", "EBUSY", \
		  ISO_MEM, iso_alloc_victim_frame, iso_victim_frames_intact))\
	X(mem_grant_victim_frame,					\
	  ISO_ROW("frame", "MEM_GRANT of the victim's frame", "EPERM",	\
		  ISO_MEM, iso_grant_victim_frame, iso_victim_frames_intact))\
	X(mem_ungrant_victim_grant,					\
	  ISO_ROW("grant", "MEM_UNGRANT of the victim's grant id", "ENOENT", \
		  ISO_MEM, iso_ungrant_victim_grant, iso_victim_frames_intact)) \
	X(mem_revoke_without_sys_admin,					\
	  ISO_ROW("frame", "MEM_REVOKE of the victim without CAP_SYS_ADMIN", \
		  "EPERM", ISO_MEM | ISO_NO_SYS_ADMIN, iso_revoke_victim,\
		  iso_victim_frames_intact))				\
	X(mem_pfn_hidden_without_sys_admin,				\
	  ISO_ROW("frame name", "pfn from MEM_ALLOC without CAP_SYS_ADMIN", \
		  "pfn 0", ISO_MEM | ISO_NO_SYS_ADMIN, iso_pfn_hidden,	\
		  iso_victim_frames_intact))				\
	X(mem_freed_frame_is_zeroed,					\
	  { .resource = "frame", .operation = "a frame the victim freed, taken by index", \
		  .expected = "zeroes", .needs = ISO_MEM,		\
		  .attempt = iso_freed_frame_zeroed,			\
		  .victim_check = iso_victim_frames_intact,		\
		  .victim_prep = iso_victim_frees_one })		\
	X(mem_map_frame_granted_to_it,					\
	  { .resource = "grant", .operation = "MEM_MAP of a frame granted to it", \
		  .expected = "reads 0xa5", .needs = ISO_MEM,		\
		  .attempt = iso_map_frame_granted_to_it,		\
		  .victim_check = iso_victim_frames_intact,		\
		  .victim_prep = iso_victim_grants_hostile })		\
	X(mem_granted_page_after_free,					\
	  { .resource = "grant", .operation = "that page, once the grantor freed it", \
		  .expected = "SIGBUS", .needs = ISO_MEM,		\
		  .attempt = iso_touch_freed_granted,			\
		  .victim_check = iso_victim_frames_intact,		\
		  .victim_prep = iso_victim_frees_granted,		\
		  .prior = ISO_PRIOR(mem_map_frame_granted_to_it) })	\
	X(debugfs_pool_as_nobody,					\
	  ISO_ROW("frame list", "debugfs pool read as nobody", "EACCES", \
		  ISO_MEM | ISO_AS_NOBODY, iso_debugfs_pool, iso_victim_unchanged)) \
	/*								\
	 * XN. The victim holds a root of its own (its acl: uid 0 only) and a\
	 * data block under it filled with 0xa5, both in its registry.	\
	 */								\
	X(xn_read_private_root_as_nobody,				\
	  ISO_ROW("block", "XN_READ of the victim's root as nobody (acl)", \
		  "EACCES", ISO_XN, iso_xn_read_private_root,		\
		  iso_victim_xn_intact))				\
	X(xn_read_child_unread_parent,					\
	  ISO_ROW("block", "XN_READ of the victim's block, parent not read", \
		  "ENOENT", ISO_XN, iso_xn_read_child, iso_victim_xn_intact))\
	X(xn_alloc_into_unread_root,					\
	  ISO_ROW("block", "XN_ALLOC into the victim's root, not read", "ENOENT", \
		  ISO_XN, iso_xn_alloc_into_root, iso_victim_xn_intact))\
	X(xn_free_victim_block,						\
	  ISO_ROW("block", "XN_FREE of the victim's block", "ENOENT",	\
		  ISO_XN, iso_xn_free_victim_block, iso_victim_xn_intact))\
	X(xn_mmap_victim_block,						\
	  ISO_ROW("block", "mmap(2) of the victim's block on its own fd", \
		  "ENOENT", ISO_XN, iso_xn_map_victim_block,		\
		  iso_victim_xn_intact))				\
	X(xn_alloc_forged_owns,						\
	  ISO_ROW("block", "XN_ALLOC whose owns claims the victim's block", \
		  "EPERM", ISO_XN, iso_xn_forge_owns, iso_victim_xn_intact))\
	X(xn_cap_parent_without_cap,					\
	  ISO_ROW("xn cap", "XN_READ of the victim's root, EXO_XN_CAP_PARENT, no cap", \
		  "EPERM", ISO_XN, iso_xn_cap_parent_no_cap,		\
		  iso_victim_xn_intact))				\
	X(xn_cap_grant_victim_root,					\
	  ISO_ROW("xn cap", "CAP_GRANT(XN) of the victim's root", "EPERM", \
		  ISO_XN, iso_xn_cap_grant_victim_root, iso_victim_xn_intact)) \
	X(xn_cap_granted_to_it,						\
	  { .resource = "xn cap", .operation = "a READ cap of the victim's root: read, write, revoke ids 0..63", \
		  .expected = "reads 0xa5, write EACCES, 0 revoked",	\
		  .needs = ISO_XN,					\
		  .attempt = iso_xn_cap_granted_to_it,			\
		  .victim_check = iso_victim_xn_intact,			\
		  .victim_prep = iso_victim_xn_grants_hostile })	\
	X(xn_type_remove_as_nobody,					\
	  { .resource = "catalogue", .operation = "XN_TYPE_REMOVE of the victim's unused type as nobody", \
		  .expected = "EPERM", .needs = ISO_XN,			\
		  .attempt = iso_xn_remove_spare_type,			\
		  .victim_check = iso_victim_xn_catalogued,		\
		  .victim_prep = iso_victim_xn_spares })		\
	X(xn_root_remove_as_nobody,					\
	  { .resource = "catalogue", .operation = "XN_ROOT_REMOVE of the victim's empty root as nobody", \
		  .expected = "EPERM", .needs = ISO_XN,			\
		  .attempt = iso_xn_remove_spare_root,			\
		  .victim_check = iso_victim_xn_catalogued,		\
		  .victim_prep = iso_victim_xn_spares })		\
	X(xn_remove_busy_entries_as_nobody,				\
	  ISO_ROW("catalogue", "XN_*_REMOVE of the victim's busy type and root as nobody", \
		  "EPERM", ISO_XN, iso_xn_remove_victim_entries,	\
		  iso_victim_xn_catalogued))				\
	/* CPU. The victim holds slot ISO_CPU_SLOT of the first managed CPU. */ \
	X(cpu_book_victim_slot,						\
	  ISO_ROW("slot", "CPU_BOOK of the victim's slot", "EEXIST",	\
		  ISO_CPU, iso_book_victim_slot, iso_victim_slot_intact))\
	X(cpu_free_victim_slot,						\
	  ISO_ROW("slot", "CPU_FREE of the victim's slot", "EPERM",	\
		  ISO_CPU, iso_free_victim_slot, iso_victim_slot_intact))\
	X(cpu_query_victim_slot,					\
	  ISO_ROW("slot", "CPU_QUERY of the victim's slot as its own",	\
		  "not mine, held", ISO_CPU, iso_query_victim_slot,	\
		  iso_victim_slot_intact))				\
	X(cpu_wait_in_victim_slot,					\
	  ISO_ROW("slot", "CPU_WAIT a round: woken in the victim's slot?", \
		  "ETIMEDOUT", ISO_CPU, iso_wait_in_victim_slot,	\
		  iso_victim_slot_intact))				\
	X(cpu_yield_to_victim,						\
	  ISO_ROW("slot", "CPU_YIELD to the victim with no turn of its own", \
		  "ENOENT", ISO_CPU, iso_yield_to_victim, iso_victim_slot_intact)) \
	X(cpu_revoke_without_sys_admin,					\
	  ISO_ROW("slot", "CPU_REVOKE of the victim without CAP_SYS_ADMIN", \
		  "EPERM", ISO_CPU | ISO_NO_SYS_ADMIN, iso_revoke_victim_slots, \
		  iso_victim_slot_intact))				\
	/* The victim's slot granted (ISO_CPU_CAP) to its second env. */ \
	X(cpu_cap_grant_victim_slot,					\
	  ISO_ROW("slot cap", "CAP_GRANT of the victim's slot, to the victim", \
		  "EPERM", ISO_CPU, iso_cap_grant_victim_slot,		\
		  iso_victim_slot_intact))				\
	X(cpu_cap_revoke_victim_cap,					\
	  ISO_ROW("slot cap", "CAP_REVOKE of the victim's CPU cap id",	\
		  "ENOENT", ISO_CPU | ISO_CPU_CAP, iso_cap_revoke_victim,\
		  iso_victim_cap_intact))				\
	X(cpu_cap_wait_in_granted_slot,					\
	  ISO_ROW("slot cap", "CPU_WAIT a round: woken in a slot granted to another env?", \
		  "ETIMEDOUT", ISO_CPU | ISO_CPU_CAP, iso_wait_in_victim_slot, \
		  iso_victim_cap_intact))				\
	/* end of ISO_ROWS */

enum iso_row_id {
#define ISO_ROW_ID(name, ...)	ISO_R_##name,
	ISO_ROWS(ISO_ROW_ID)
#undef ISO_ROW_ID
	ISO_NROWS
};

/* Row @name runs first in the same hostile, and must hold too. */
#define ISO_PRIOR(name)		(ISO_R_##name + 1)

static const struct iso_row iso_rows[] = {
#define ISO_ROW_ENTRY(name, ...)	[ISO_R_##name] = __VA_ARGS__,
	ISO_ROWS(ISO_ROW_ENTRY)
#undef ISO_ROW_ENTRY
};

/* What the hostile answers for one row. */
struct iso_reply {
	int row;
	char got[ISO_GOT_LEN];
};

/*
 * Run @row's attempt in a child, as nobody or without CAP_SYS_ADMIN; its
 * answer comes back through a pipe.
 */
static void iso_attempt_restricted(struct iso_hostile *h,
				   const struct iso_row *row, char *got,
				   size_t len)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p)) {
		snprintf(got, len, "pipe: %s", exo_errno_name(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		char buf[ISO_GOT_LEN];

		close(p[0]);
		if ((row->needs & ISO_AS_NOBODY) &&
		    exo_become(EXO_NOBODY, EXO_NOBODY, NULL, 0))
			snprintf(buf, sizeof(buf), "cannot become nobody");
		else if ((row->needs & ISO_NO_SYS_ADMIN) && iso_drop_sys_admin())
			snprintf(buf, sizeof(buf), "cannot drop CAP_SYS_ADMIN");
		else
			row->attempt(h, buf, sizeof(buf));
		exo_write_full(p[1], buf, sizeof(buf));
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || exo_read_full(p[0], got, len))
		snprintf(got, len, "nobody child failed");
	got[len - 1] = '\0';
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/* The hostile process: its own env, the victim's fds, then row by row. */
static int iso_hostile_main(int sock)
{
	struct iso_hostile h;
	struct exo_env_info info;
	struct exo_api api;
	struct iso_reply rep;
	int fds[2], row;

	exo_set_print(NULL);
	memset(&h, 0, sizeof(h));
	h.own = exo_raw_env_flags(O_NONBLOCK);
	EXO_CHILD_CHECK(1, h.own >= 0);
	EXO_CHILD_CHECK(2, exo_raw_info(h.own, &info) == 0);
	h.own_id = info.env_id;
	EXO_CHILD_CHECK(3, exo_raw_api(h.own, &api) == 0);
	h.ioctls = api.ioctls;
	h.ioctls_hi = api.ioctls_hi;
	h.features = api.features;
	EXO_CHILD_CHECK(4, exo_write_full(sock, &h.own_id, sizeof(h.own_id)) == 0);
	EXO_CHILD_CHECK(5, exo_scm_recv_fds(sock, fds, 2, &h.set,
					    sizeof(h.set)) == 0);
	h.victim_id = h.set.victim_id;
	h.victim = fds[0];
	h.victim_fresh = fds[1];
	if (h.features & EXO_FEATURE_MEM) {
		h.region = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
				MAP_SHARED, h.own, 0);
		EXO_CHILD_CHECK(7, h.region != MAP_FAILED);
	}

	while (exo_read_full(sock, &row, sizeof(row)) == 0 && row >= 0 &&
	       row < (int)ISO_NROWS) {
		memset(&rep, 0, sizeof(rep));
		rep.row = row;
		if (iso_rows[row].needs & (ISO_AS_NOBODY | ISO_NO_SYS_ADMIN))
			iso_attempt_restricted(&h, &iso_rows[row], rep.got,
					       sizeof(rep.got));
		else
			iso_rows[row].attempt(&h, rep.got, sizeof(rep.got));
		EXO_CHILD_CHECK(6, exo_write_full(sock, &rep, sizeof(rep)) == 0);
	}
	return 0;
}

static long iso_dev_mode(void)
{
	return exo_kmod_param("dev_mode");
}

/* Why @row cannot run here, or NULL. */
static const char *iso_skip_reason(const struct iso_row *row,
				   const struct iso_victim *v)
{
	if ((row->needs & ISO_AS_NOBODY) && geteuid() != 0)
		return "needs root to become nobody";
	if ((row->needs & ISO_NETLINK_PRIVATE) &&
	    !(v->features & EXO_FEATURE_NETLINK_PRIVATE))
		return "kernel cannot restrict genl groups";
	if ((row->needs & ISO_DEFAULT_MODE) && iso_dev_mode() != 0600)
		return "dev_mode is not 0600";
	if ((row->needs & ISO_MEM) && !(v->features & EXO_FEATURE_MEM))
		return "no memory binding";
	if ((row->needs & ISO_XN) && !(v->features & EXO_FEATURE_XN))
		return "no XN binding";
	if ((row->needs & ISO_CPU) && v->set.cpu == ISO_CPU_NONE)
		return "no managed CPU";
	if ((row->needs & ISO_NO_SYS_ADMIN) && geteuid() != 0)
		return "needs root to drop CAP_SYS_ADMIN from";
	if ((row->needs & ISO_NET) && !(v->features & EXO_FEATURE_NET))
		return "no network binding";
	if ((row->needs & ISO_NET) && geteuid() != 0)
		return "needs root (CAP_NET_ADMIN) to bind filters";
	return NULL;
}

/* The victim's memory: frames mapped and written, one granted to fd2. */
static void iso_victim_memory(struct __test_metadata *_metadata,
			      struct iso_victim *v)
{
	struct exo_mem_frame fr[ISO_FRAMES];
	struct exo_mem_alloc al = {
		.argsz = sizeof(al),
		.flags = EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE,
		.count = ISO_FRAMES, .frames = (uintptr_t)fr,
	};
	struct exo_mem_grant g = { .argsz = sizeof(g), .count = 1 };
	struct exo_env_info info;
	int i;

	v->region = mmap(NULL, ISO_FRAMES * 4096, PROT_READ | PROT_WRITE,
			 MAP_SHARED, v->fd, 0);
	ASSERT_NE(MAP_FAILED, v->region);
	al.addr = (uintptr_t)v->region;
	ASSERT_EQ(0, exo_ioc(v->fd, EXO_IOC_MEM_ALLOC, &al));
	memset(v->region, ISO_FILL, ISO_FRAMES * 4096);
	for (i = 0; i < ISO_FRAMES; i++)
		v->set.frames[i] = fr[i].index;
	v->held = ISO_FRAMES;
	v->held_mask = (1U << ISO_FRAMES) - 1;

	v->fd2 = exo_raw_env();
	ASSERT_LE(0, v->fd2);
	ASSERT_EQ(0, exo_raw_info(v->fd2, &info));
	v->set.victim2_id = info.env_id;
	g.first = fr[0].index;
	g.grantee = info.env_id;
	ASSERT_EQ(0, exo_ioc(v->fd, EXO_IOC_MEM_GRANT, &g));
	v->set.grant_id = g.grant_id;
}

/* The victim's XN type, installed once per boot: the catalogue is small. */
static int iso_xn_victim_type(int fd, __u32 *type_id)
{
	struct exo_xn_type t = {
		.argsz = sizeof(t),
		.owns = (uintptr_t)iso_xn_owns, .owns_len = ARRAY_SIZE(iso_xn_owns),
		.acl = (uintptr_t)iso_xn_acl, .acl_len = ARRAY_SIZE(iso_xn_acl),
	};
	struct exo_xn_type l = { .argsz = sizeof(l) };
	int err;

	snprintf(t.name, sizeof(t.name), "isolation victim");
	err = exo_ioc(fd, EXO_IOC_XN_TYPE_INSTALL, &t);
	if (!err) {
		*type_id = t.type_id;
		return 0;
	}
	if (err != EEXIST)
		return err;
	memcpy(l.name, t.name, sizeof(l.name));
	err = exo_ioc(fd, EXO_IOC_XN_TYPE_LOOKUP, &l);
	*type_id = l.type_id;
	return err;
}

/* The victim's disk: a type, a private root, a filled data block. */
static void iso_victim_xn(struct __test_metadata *_metadata,
			  struct iso_victim *v)
{
	__u32 type_id = 0;
	struct exo_xn_root r = { .argsz = sizeof(r) };
	struct exo_xn_info info = { .argsz = sizeof(info) };
	static unsigned char fill[4096];
	struct exo_xn_write w = {
		.argsz = sizeof(w), .len = sizeof(fill), .data = (uintptr_t)fill,
	};

	memset(fill, ISO_FILL, sizeof(fill));
	ASSERT_EQ(0, iso_xn_victim_type(v->fd, &type_id));
	snprintf(r.name, sizeof(r.name), "iso-%d", (int)getpid());
	r.type_id = type_id;
	ASSERT_EQ(0, exo_ioc(v->fd, EXO_IOC_XN_ROOT_INSTALL, &r));
	ASSERT_EQ(0, iso_xn_read(v->fd, r.block, EXO_XN_NO_PARENT, type_id));
	ASSERT_EQ(0, exo_ioc(v->fd, EXO_IOC_XN_INFO, &info));
	ASSERT_EQ(0, iso_xn_alloc(v->fd, EXO_IOC_XN_ALLOC, r.block, info.hint,
				  0, info.hint));
	w.block = info.hint;
	ASSERT_EQ(0, exo_ioc(v->fd, EXO_IOC_XN_WRITE, &w));
	v->set.xn_type = type_id;
	v->set.xn_root = r.block;
	v->set.xn_data = info.hint;
	memcpy(v->set.xn_name, r.name, sizeof(v->set.xn_name));
}

FIXTURE(isolation) {
	int sock;
	pid_t hostile;
	__u64 hostile_id;
	struct iso_victim v;
};

/* One cell of the matrix: a row, and the one it needs run before it. */
FIXTURE_VARIANT(isolation) {
	enum iso_row_id row;
};

#define ISO_CELL(name, ...)						\
	FIXTURE_VARIANT_ADD(isolation, name) { .row = ISO_R_##name };
ISO_ROWS(ISO_CELL)
#undef ISO_CELL

/* What a cell's rows need, with its prior row's. */
static unsigned int iso_cell_needs(enum iso_row_id id)
{
	const struct iso_row *row = &iso_rows[id];

	return row->needs | (row->prior ? iso_rows[row->prior - 1].needs : 0);
}

FIXTURE_SETUP(isolation)
{
	unsigned int needs = iso_cell_needs(variant->row);
	const char *skip;
	struct exo_api api;
	int sv[2], fds[2], i;

	self->sock = -1;
	self->hostile = -1;
	self->v.fd = -1;
	self->v.fresh = -1;
	self->v.fd2 = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);

	/* What this kernel has, from a probe env: it says what can run. */
	self->v.fd = exo_raw_open();
	ASSERT_LE(0, self->v.fd);
	ASSERT_EQ(0, exo_raw_api(self->v.fd, &api));
	self->v.features = api.features;
	self->v.set.cpu = ISO_CPU_NONE;
	if (self->v.features & EXO_FEATURE_CPU) {
		int cpu = exo_cpu_first(self->v.fd);

		if (cpu >= 0)
			self->v.set.cpu = cpu;
	}
	close(self->v.fd);
	self->v.fd = -1;
	skip = iso_skip_reason(&iso_rows[variant->row], &self->v);
	if (!skip && iso_rows[variant->row].prior)
		skip = iso_skip_reason(&iso_rows[iso_rows[variant->row].prior - 1],
				       &self->v);
	if (skip)
		SKIP(return, "%s", skip);

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	/* Forked first: the hostile inherits nothing of the victim's. */
	fflush(stdout);
	fflush(stderr);
	self->hostile = fork();
	ASSERT_LE(0, self->hostile);
	if (self->hostile == 0) {
		close(sv[0]);
		_exit(iso_hostile_main(sv[1]));
	}
	close(sv[1]);
	self->sock = sv[0];
	ASSERT_EQ(0, exo_read_full(self->sock, &self->hostile_id,
				   sizeof(self->hostile_id)));
	self->v.hostile_id = self->hostile_id;

	/* The victim: an environment with events queued, and a fresh fd. */
	self->v.fd = exo_raw_open();
	ASSERT_LE(0, self->v.fd);
	ASSERT_EQ(0, exo_raw_api(self->v.fd, &api));
	for (i = 0; i < ISO_VICTIM_EVENTS; i++)
		ASSERT_EQ(0, exo_raw_raise(self->v.fd, 0x5ec0 + i));
	ASSERT_EQ(0, exo_raw_info(self->v.fd, &self->v.info));
	ASSERT_NE(self->hostile_id, self->v.info.env_id);
	self->v.fresh = exo_raw_open();
	ASSERT_LE(0, self->v.fresh);
	self->v.set.victim_id = self->v.info.env_id;
	if (self->v.features & EXO_FEATURE_MEM)
		iso_victim_memory(_metadata, &self->v);
	if ((self->v.features & EXO_FEATURE_NET) && geteuid() == 0) {
		struct exo_net_bind b;

		iso_net_filter(&b, ISO_NET_VICTIM_IP);
		ASSERT_EQ(0, exo_ioc(self->v.fd, EXO_IOC_NET_BIND, &b));
		self->v.set.net_id = b.binding_id;
		self->v.set.net_ring_offset = b.ring_offset;
		self->v.set.net_ring_len = b.ring_len;
	}
	/* Roots are permanent: only the cells about blocks make one. */
	if ((self->v.features & EXO_FEATURE_XN) && (needs & ISO_XN))
		iso_victim_xn(_metadata, &self->v);
	if (self->v.set.cpu != ISO_CPU_NONE) {
		self->v.set.cpu_slot = ISO_CPU_SLOT;
		ASSERT_EQ(0, exo_raw_cpu_book(self->v.fd, self->v.set.cpu,
					      ISO_CPU_SLOT, 1, 1));
	}
	if (self->v.set.cpu != ISO_CPU_NONE && (needs & ISO_CPU_CAP)) {
		if (self->v.fd2 < 0) {
			self->v.fd2 = exo_raw_env();
			ASSERT_LE(0, self->v.fd2);
			self->v.set.victim2_id = exo_raw_env_id(self->v.fd2);
		}
		ASSERT_EQ(0, iso_cap_cpu_grant(self->v.fd, self->v.set.cpu,
					       ISO_CPU_SLOT,
					       self->v.set.victim2_id,
					       &self->v.set.cpu_cap_id));
	}
	fds[0] = self->v.fd;
	fds[1] = self->v.fresh;
	ASSERT_EQ(0, exo_scm_send_fds(self->sock, fds, 2, &self->v.set,
				      sizeof(self->v.set)));
}

FIXTURE_TEARDOWN(isolation)
{
	int stop = -1;

	if (self->sock >= 0) {
		exo_write_full(self->sock, &stop, sizeof(stop));
		close(self->sock);
	}
	if (self->hostile > 0)
		exo_wait_child(self->hostile);
	if (self->v.fd >= 0)
		close(self->v.fd);
	if (self->v.fresh >= 0)
		close(self->v.fresh);
	if (self->v.fd2 >= 0)
		close(self->v.fd2);
}

/* Run row @id: prep in the victim, the attempt in the hostile, the check. */
static void iso_run_row(struct __test_metadata *_metadata,
			FIXTURE_DATA(isolation) *self, int id)
{
	const struct iso_row *row = &iso_rows[id];
	const char *expected = row->expected ? row->expected :
			       row->expect_fn(&self->v);
	char why[160] = "";
	struct iso_reply rep;
	bool intact = true;

	if (row->victim_prep)
		row->victim_prep(&self->v);
	ASSERT_EQ(0, exo_write_full(self->sock, &id, sizeof(id)));
	ASSERT_EQ(0, exo_read_full(self->sock, &rep, sizeof(rep))) {
		TH_LOG("the hostile process died at row %d", id);
	}
	ASSERT_EQ(id, rep.row);
	rep.got[sizeof(rep.got) - 1] = '\0';
	if (row->victim_check)
		intact = row->victim_check(&self->v, why, sizeof(why));
	ksft_print_msg("%s | %s | expected %s | got %s%s%s\n", row->resource,
		       row->operation, expected, rep.got, why[0] ? " | " : "",
		       why);
	EXPECT_STREQ(expected, rep.got);
	EXPECT_TRUE(intact) {
		TH_LOG("%s | %s: %s", row->resource, row->operation, why);
	}
}

/* The hostile tries one row; the victim keeps what it had. */
TEST_F(isolation, cell)
{
	struct exo_event ev[ISO_VICTIM_EVENTS + 1];
	int fl, i;

	ksft_print_msg("hostile env %llu (pid %d) against victim env %llu (pid %d)\n",
		       (unsigned long long)self->hostile_id, self->hostile,
		       (unsigned long long)self->v.info.env_id, getpid());
	if (iso_rows[variant->row].prior)
		iso_run_row(_metadata, self, iso_rows[variant->row].prior - 1);
	iso_run_row(_metadata, self, variant->row);

	/* And the victim still reads its own events, all of them, in order. */
	fl = fcntl(self->v.fd, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(self->v.fd, F_SETFL, fl | O_NONBLOCK));
	ASSERT_EQ((ssize_t)(ISO_VICTIM_EVENTS * sizeof(ev[0])),
		  exo_raw_read(self->v.fd, ev, sizeof(ev)));
	for (i = 0; i < ISO_VICTIM_EVENTS; i++) {
		EXPECT_EQ((__u64)(0x5ec0 + i), ev[i].data[0]);
		EXPECT_EQ(self->v.info.env_id, ev[i].env_id);
		EXPECT_EQ((__u64)(i + 1), ev[i].seq);
	}
}

/* The foundation's rows are all there: bindings add, never take away. */
TEST(matrix_has_foundation_rows)
{
	static const struct { const char *resource, *operation; } need[] = {
		{ "events", "read(2) of the victim's fd (SCM_RIGHTS)" },
		{ "events", "poll(2) of the victim's fd" },
		{ "events", "EVENT_RAISE on the victim's fd" },
		{ "info", "ENV_INFO on the victim's fd" },
		{ "info", "ENV_INFO on its own env" },
		{ "handshake", "EXO_IOC_API on the victim's fd" },
		{ "nop", "EXO_IOC_NOP on the victim's fd" },
		{ "env list", "netlink GET_ENV dump as nobody" },
		{ "events", "netlink event group join as nobody" },
		{ "device", "open(2) /dev/exo as nobody" },
	};
	size_t i, j;

	EXPECT_LE(ARRAY_SIZE(need), ISO_NROWS);
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		for (j = 0; j < ISO_NROWS; j++)
			if (!strcmp(iso_rows[j].resource, need[i].resource) &&
			    !strcmp(iso_rows[j].operation, need[i].operation))
				break;
		EXPECT_LT(j, ISO_NROWS) {
			TH_LOG("no row \"%s | %s\"", need[i].resource,
			       need[i].operation);
		}
	}
	for (j = 0; j < ISO_NROWS; j++) {
		EXPECT_TRUE(iso_rows[j].attempt && (iso_rows[j].expected ||
						    iso_rows[j].expect_fn)) {
			TH_LOG("row %zu is incomplete", j);
		}
	}
}

TEST_HARNESS_MAIN
