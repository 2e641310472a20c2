// SPDX-License-Identifier: GPL-2.0
/*
 * A kill storm. Each iteration forks a libOS child that runs a random
 * program of what exists today (open environments, handshake, raise events
 * up to and past overflow, read some, block in read in a thread, subscribe a
 * netlink monitor and dump, fork grandchildren that hold inherited fds, dup,
 * close, libexo's exo_open; memory regions with frames bound and written,
 * frames granted to a sibling environment, revocations with deadlines short
 * enough to expire around the kill) and reports each step through a pipe
 * before taking it. The parent picks a step at random and SIGKILLs the child's
 * process group when the child reaches it, reaps everything, and checks
 * that every counter of the status file is back at its baseline and that no
 * environment of a dead process is left. After the storm, exo.ko must
 * unload; it is loaded again, with the same parameters, for later tests.
 *
 * ROBUST_ITERS (default 50) sets the iterations, ROBUST_SEED the seed; both
 * are printed so that a failing storm can be replayed. ROBUST_FIRST=N starts
 * at iteration N, so that ROBUST_FIRST=N ROBUST_ITERS=N+1 replays just it.
 *
 * Counters must be back at once, when the last waitpid() returns: no
 * grace, no polling. What is still above or below its baseline then fails
 * the iteration, named with the environments the status file still lists.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <exo/exo.h>

#include "exo_test_util.h"

#define ROBUST_ITERS_DEFAULT	50
#define ROBUST_MAX_OPS		40
#define ROBUST_MAX_FDS		16
#define ROBUST_MAX_THREADS	2
#define ROBUST_MAX_FORKS	3
#define ROBUST_MAX_PIDS		8
#define ROBUST_MAX_REGIONS	4
#define ROBUST_MAX_FRAMES	64

/*
 * debugfs counters that must come back to their baseline once every
 * process of an iteration is gone: "key: value" lines of a file under
 * /sys/kernel/debug/exo. Each binding adds the counters of what it binds
 * (free frames, free slots, filters, blocks) here.
 */
static const struct robust_counter {
	const char *file;
	const char *key;
} robust_counters[] = {
	{ "status", "envs_live" },
	{ "pool", "free" },		/* memory: frames no environment holds */
	{ "net", "bindings" },		/* network: filters bound, on any device */
	{ "cpu", "booked" },		/* CPU: slots any environment holds */
	{ "cpu", "bound" },		/* CPU: threads bound to slots */
};

#define ROBUST_NCOUNTERS	ARRAY_SIZE(robust_counters)

/* What one child has: its environments, monitor, threads, grandchildren. */
struct robust_child {
	struct exo_rng rng;
	unsigned long long qlen;
	int progress;		/* to the parent: the step about to be taken */
	int hold[2];		/* a pipe nothing is written to: blocks forever */
	int fds[ROBUST_MAX_FDS];
	bool hs[ROBUST_MAX_FDS];	/* handshake done */
	int nfds;
	struct exo_monitor *mon;
	int epfd;
	int threads, forks;
	bool mem;			/* the kernel has the memory binding */
	bool revoked;			/* it has revoked its own frames */
	/*
	 * Memory calls go through dups the child never closes, so that an
	 * fd always names the environment it did when the frame or region
	 * was made.
	 */
	struct {			/* mmap()s of /dev/exo */
		unsigned char *addr;
		int fd;			/* a dup of its environment's fd */
		__u32 pages, next;	/* pages bound from the start */
	} regions[ROBUST_MAX_REGIONS];
	int nregions;
	struct {			/* frames allocated, as far as it knows */
		int fd;			/* a dup of the holder's fd */
		__u32 index;
	} frames[ROBUST_MAX_FRAMES];
	int nframes;
};

/* A random fd (handshaken ones only if @hs), or -1. */
static int robust_pick(struct robust_child *c, bool hs)
{
	int pick[ROBUST_MAX_FDS], n = 0, i;

	for (i = 0; i < c->nfds; i++)
		if (!hs || c->hs[i])
			pick[n++] = i;
	return n ? pick[exo_rng_below(&c->rng, n)] : -1;
}

static void robust_add(struct robust_child *c, int fd, bool hs)
{
	if (c->nfds == ROBUST_MAX_FDS) {
		/* Full: this one replaces a random one, which is closed. */
		int i = exo_rng_below(&c->rng, c->nfds);

		close(c->fds[i]);
		c->fds[i] = fd;
		c->hs[i] = hs;
		return;
	}
	c->fds[c->nfds] = fd;
	c->hs[c->nfds++] = hs;
}

static void robust_op_open(struct robust_child *c)
{
	int fd = exo_raw_open_flags(exo_rng_below(&c->rng, 3) ? 0 : O_NONBLOCK);

	EXO_CHILD_CHECK(10, fd >= 0);
	robust_add(c, fd, false);
}

static void robust_op_open_handshake(struct robust_child *c)
{
	int fd = exo_raw_env_flags(exo_rng_below(&c->rng, 3) ? 0 : O_NONBLOCK);

	EXO_CHILD_CHECK(20, fd >= 0);
	robust_add(c, fd, true);
}

static void robust_op_handshake(struct robust_child *c)
{
	int i, n = 0, pick[ROBUST_MAX_FDS];

	for (i = 0; i < c->nfds; i++)
		if (!c->hs[i])
			pick[n++] = i;
	if (!n)
		return robust_op_open_handshake(c);
	i = pick[exo_rng_below(&c->rng, n)];
	EXO_CHILD_CHECK(30, exo_raw_api(c->fds[i], NULL) == 0);
	c->hs[i] = true;
}

static void robust_raise_n(struct robust_child *c, unsigned long long n,
			   int step)
{
	int i = robust_pick(c, true);
	unsigned long long k;

	if (i < 0)
		return robust_op_open_handshake(c);
	for (k = 0; k < n; k++)
		EXO_CHILD_CHECK(step, exo_raw_raise(c->fds[i], k + 1) == 0);
}

static void robust_op_raise(struct robust_child *c)
{
	robust_raise_n(c, 1 + exo_rng_below(&c->rng, 32), 40);
}

/* Past the queue's length: the overflow record takes the rest. */
static void robust_op_overflow(struct robust_child *c)
{
	robust_raise_n(c, c->qlen + 1 + exo_rng_below(&c->rng, 16), 50);
}

static void robust_op_read(struct robust_child *c)
{
	struct exo_event ev[32];
	int i = robust_pick(c, true), fl;
	ssize_t got;

	if (i < 0)
		return robust_op_open_handshake(c);
	/* Never block here: a reader thread may take what poll(2) saw. */
	fl = fcntl(c->fds[i], F_GETFL);
	EXO_CHILD_CHECK(60, fl >= 0);
	EXO_CHILD_CHECK(61, fcntl(c->fds[i], F_SETFL, fl | O_NONBLOCK) == 0);
	got = exo_raw_read(c->fds[i], ev,
			   sizeof(ev[0]) * (1 + exo_rng_below(&c->rng, 32)));
	EXO_CHILD_CHECK(62, got == -EAGAIN ||
			(got > 0 && got % sizeof(ev[0]) == 0));
}

/* Blocks in poll(2) and read(2) until the kill; its fd may be closed. */
static void *robust_reader(void *arg)
{
	int fd = (int)(long)arg;
	struct exo_event ev[8];

	for (;;) {
		exo_poll1(fd, POLLIN, -1);
		if (exo_raw_read(fd, ev, sizeof(ev)) == -EBADF)
			pause();
	}
	return NULL;
}

static void robust_op_reader_thread(struct robust_child *c)
{
	int i = robust_pick(c, true), fd;
	pthread_t t;

	if (i < 0 || c->threads >= ROBUST_MAX_THREADS)
		return robust_op_raise(c);
	/* A dup of its own, so that closing the child's copy leaves it be. */
	fd = dup(c->fds[i]);
	EXO_CHILD_CHECK(70, fd >= 0);
	EXO_CHILD_CHECK(71, pthread_create(&t, NULL, robust_reader,
					   (void *)(long)fd) == 0);
	c->threads++;
}

static void robust_op_monitor(struct robust_child *c)
{
	struct exo_event ev;
	int ret;

	if (!c->mon) {
		c->mon = exo_monitor_open();
		EXO_CHILD_CHECK(80, c->mon != NULL);
		EXO_CHILD_CHECK(81, exo_monitor_subscribe(c->mon) == 0);
		return;
	}
	/* After an overflow the socket may have overrun: ENOBUFS. */
	ret = exo_monitor_read(c->mon, &ev, 0);
	EXO_CHILD_CHECK(82, ret >= 0 || ret == -ENOBUFS);
}

static void robust_op_dump(struct robust_child *c)
{
	struct exo_env_info envs[8];

	if (!c->mon)
		return robust_op_monitor(c);
	/* Its fds may be dups of one another: at least one env if any. */
	EXO_CHILD_CHECK(90, exo_monitor_list_envs(c->mon, envs,
						  ARRAY_SIZE(envs)) >= !!c->nfds);
}

/* A grandchild that holds the inherited fds, which are not its own. */
static void robust_op_fork(struct robust_child *c)
{
	bool own = exo_rng_below(&c->rng, 2);
	pid_t pid;
	char b;
	int i, fd;

	if (c->forks >= ROBUST_MAX_FORKS)
		return robust_op_raise(c);
	pid = fork();
	EXO_CHILD_CHECK(100, pid >= 0);
	if (pid > 0) {
		c->forks++;
		return;
	}
	close(c->progress);	/* the parent's EOF is the child's alone */
	for (i = 0; i < c->nfds; i++)
		EXO_CHILD_CHECK(101, exo_ioc(c->fds[i], EXO_IOC_NOP, NULL) == EPERM);
	if (own) {
		fd = exo_raw_env();
		EXO_CHILD_CHECK(102, fd >= 0);
		EXO_CHILD_CHECK(103, exo_raw_raise(fd, 1) == 0);
	}
	EXO_CHILD_CHECK(104, read(c->hold[0], &b, 1) < 0);
	_exit(0);
}

static void robust_op_close(struct robust_child *c)
{
	int i = robust_pick(c, false);

	if (i < 0)
		return robust_op_open(c);
	EXO_CHILD_CHECK(110, close(c->fds[i]) == 0);
	c->fds[i] = c->fds[--c->nfds];
	c->hs[i] = c->hs[c->nfds];
}

static void robust_op_dup(struct robust_child *c)
{
	int i = robust_pick(c, false), fd;

	if (i < 0)
		return robust_op_open(c);
	fd = dup(c->fds[i]);
	EXO_CHILD_CHECK(120, fd >= 0);
	robust_add(c, fd, c->hs[i]);
}

/* libexo's way in; the handle is dropped on the floor, as a crash would. */
static void robust_op_libexo(struct robust_child *c)
{
	struct exo_env_info info;
	struct exo *exo;
	int fd;

	exo = exo_open(NULL);
	EXO_CHILD_CHECK(130, exo != NULL);
	EXO_CHILD_CHECK(131, exo_event_raise(exo, 7) == 0);
	EXO_CHILD_CHECK(132, exo_env_info(exo, &info) == 0);
	EXO_CHILD_CHECK(133, info.owner_tgid == (__u32)getpid());
	fd = dup(exo_event_fd(exo));
	EXO_CHILD_CHECK(134, fd >= 0);
	robust_add(c, fd, true);
}

static void robust_op_epoll(struct robust_child *c)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[4];
	int i;

	if (c->epfd < 0) {
		c->epfd = epoll_create1(EPOLL_CLOEXEC);
		EXO_CHILD_CHECK(140, c->epfd >= 0);
	}
	for (i = 0; i < c->nfds; i++) {
		ev.data.fd = c->fds[i];
		EXO_CHILD_CHECK(141, !epoll_ctl(c->epfd, EPOLL_CTL_ADD,
						c->fds[i], &ev) ||
				errno == EEXIST);
	}
	EXO_CHILD_CHECK(142, epoll_wait(c->epfd, out, ARRAY_SIZE(out), 0) >= 0);
}

/* ---- memory: regions, frames, grants, revocations ------------------------ */

static __u64 robust_env_id(int fd)
{
	struct exo_env_info info;

	return exo_raw_info(fd, &info) ? 0 : info.env_id;
}

static void robust_note_frames(struct robust_child *c, int fd,
			       const struct exo_mem_frame *fr, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		int at = c->nframes < ROBUST_MAX_FRAMES ? c->nframes++ :
			 (int)exo_rng_below(&c->rng, ROBUST_MAX_FRAMES);

		c->frames[at].fd = fd;
		c->frames[at].index = fr[i].index;
	}
}

/*
 * What a memory call may answer here: the pool or the quota runs out, a
 * revocation is pending, a frame went back to the pool with the abort
 * protocol (EPERM), or two dups name one environment (EINVAL: a grant to
 * itself).
 */
static bool robust_mem_errno(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EBUSY || err == EPERM ||
	       err == EINVAL;
}

static void robust_op_region(struct robust_child *c)
{
	int i = robust_pick(c, true);
	__u32 pages = 1 + exo_rng_below(&c->rng, 16);
	void *p;

	if (!c->mem || i < 0 || c->nregions == ROBUST_MAX_REGIONS)
		return robust_op_raise(c);
	p = mmap(NULL, pages * 4096UL, PROT_READ | PROT_WRITE, MAP_SHARED,
		 c->fds[i], 0);
	EXO_CHILD_CHECK(160, p != MAP_FAILED);
	c->regions[c->nregions].addr = p;
	c->regions[c->nregions].fd = dup(c->fds[i]);
	EXO_CHILD_CHECK(161, c->regions[c->nregions].fd >= 0);
	c->regions[c->nregions].pages = pages;
	c->regions[c->nregions++].next = 0;
}

/* What robust_op_alloc_map() writes: 16 pages of 0x5a. */
static unsigned char robust_fill[16 * 4096];

/* Frames allocated and mapped into a region, then written. */
static void robust_op_alloc_map(struct robust_child *c)
{
	struct exo_mem_frame fr[16];
	struct exo_mem_alloc al = { .argsz = sizeof(al) };
	int r = c->nregions ? (int)exo_rng_below(&c->rng, c->nregions) : -1;
	__u32 count;
	int sig;

	if (r < 0 || c->regions[r].next == c->regions[r].pages)
		return robust_op_region(c);
	count = 1 + exo_rng_below(&c->rng, c->regions[r].pages - c->regions[r].next);
	if (count > ARRAY_SIZE(fr))
		count = ARRAY_SIZE(fr);
	al.flags = EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE;
	al.count = count;
	al.frames = (uintptr_t)fr;
	al.addr = (uintptr_t)(c->regions[r].addr + c->regions[r].next * 4096UL);
	if (ioctl(c->regions[r].fd, EXO_IOC_MEM_ALLOC, &al)) {
		EXO_CHILD_CHECK(170, robust_mem_errno(errno));
		return;
	}
	/*
	 * After its own revocation the abort may take any frame, the ones
	 * just allocated too: then the write is SIGBUS, as it should be.
	 */
	if (!robust_fill[0])
		memset(robust_fill, 0x5a, sizeof(robust_fill));
	sig = exo_probe_copy(c->regions[r].addr + c->regions[r].next * 4096UL,
			     robust_fill, count * 4096UL, NULL);
	EXO_CHILD_CHECK(171, !sig || (sig == SIGBUS && c->revoked));
	c->regions[r].next += count;
	robust_note_frames(c, c->regions[r].fd, fr, count);
}

static void robust_op_alloc(struct robust_child *c)
{
	struct exo_mem_frame fr[64];
	struct exo_mem_alloc al = { .argsz = sizeof(al) };
	int i = robust_pick(c, true), fd;

	if (!c->mem || i < 0)
		return robust_op_open_handshake(c);
	al.count = 1 + exo_rng_below(&c->rng, ARRAY_SIZE(fr));
	al.frames = (uintptr_t)fr;
	fd = dup(c->fds[i]);
	EXO_CHILD_CHECK(181, fd >= 0);
	if (ioctl(fd, EXO_IOC_MEM_ALLOC, &al)) {
		EXO_CHILD_CHECK(180, robust_mem_errno(errno));
		close(fd);
		return;
	}
	robust_note_frames(c, fd, fr, al.count);
}

/* A frame of one env granted to another of the child's, which maps it. */
static void robust_op_grant(struct robust_child *c)
{
	struct exo_mem_grant g = { .argsz = sizeof(g), .count = 1 };
	struct exo_mem_batch mb = { .argsz = sizeof(mb), .count = 1 };
	int f, to, r;

	if (!c->nframes)
		return robust_op_alloc(c);
	f = exo_rng_below(&c->rng, c->nframes);
	to = robust_pick(c, true);
	if (to < 0)
		return;
	g.first = c->frames[f].index;
	g.grantee = robust_env_id(c->fds[to]);
	g.flags = exo_rng_below(&c->rng, 2) ? EXO_MEM_GRANT_WRITE : 0;
	if (ioctl(c->frames[f].fd, EXO_IOC_MEM_GRANT, &g)) {
		EXO_CHILD_CHECK(190, robust_mem_errno(errno));
		return;
	}
	/* The grantee maps it, if it has a region with room. */
	for (r = 0; r < c->nregions; r++) {
		if (c->regions[r].fd != c->fds[to] ||
		    c->regions[r].next == c->regions[r].pages)
			continue;
		mb.indexes = (uintptr_t)&g.first;
		mb.addr = (uintptr_t)(c->regions[r].addr +
				      c->regions[r].next * 4096UL);
		if (ioctl(c->fds[to], EXO_IOC_MEM_MAP, &mb) == 0)
			c->regions[r].next++;
		else
			EXO_CHILD_CHECK(191, robust_mem_errno(errno));
		break;
	}
}

/* The child revokes its own frames, with a deadline soon enough to bite. */
static void robust_op_revoke(struct robust_child *c)
{
	struct exo_mem_revoke rv = { .argsz = sizeof(rv) };
	int i = robust_pick(c, true);

	if (!c->mem || i < 0)
		return robust_op_alloc(c);
	rv.count = 1 + exo_rng_below(&c->rng, 32);
	rv.deadline_ms = 1 + exo_rng_below(&c->rng, 20);
	rv.env_id = robust_env_id(c->fds[i]);
	if (ioctl(c->fds[i], EXO_IOC_MEM_REVOKE, &rv))
		EXO_CHILD_CHECK(200, robust_mem_errno(errno));
	else
		c->revoked = true;
}

static void robust_op_free(struct robust_child *c)
{
	struct exo_mem_batch mb = { .argsz = sizeof(mb), .count = 1 };
	int f;

	if (!c->nframes)
		return robust_op_alloc(c);
	f = exo_rng_below(&c->rng, c->nframes);
	mb.indexes = (uintptr_t)&c->frames[f].index;
	if (ioctl(c->frames[f].fd, EXO_IOC_MEM_FREE, &mb))
		EXO_CHILD_CHECK(210, robust_mem_errno(errno));
	c->frames[f] = c->frames[--c->nframes];
}

/* ---- CPU: slots booked, a thread bound for a moment ----------------------- */

static bool robust_cpu_errno(int err)
{
	return err == EEXIST || err == EINVAL || err == EBUSY ||
	       err == ETIMEDOUT;
}

static void robust_op_book(struct robust_child *c)
{
	int i = robust_pick(c, true), cpu, err;

	if (i < 0)
		return robust_op_open_handshake(c);
	cpu = exo_cpu_first(c->fds[i]);
	if (cpu < 0)
		return;
	err = exo_raw_cpu_book(c->fds[i], cpu, exo_rng_below(&c->rng, 64),
			       1 + exo_rng_below(&c->rng, 4),
			       1 + exo_rng_below(&c->rng, 16));
	EXO_CHILD_CHECK(220, !err || robust_cpu_errno(err));
}

/*
 * Bind, maybe take a turn, let go: a thread left bound without yielding
 * would be aborted for excess, which is not what this storm is about.
 */
static void robust_op_bind_wait(struct robust_child *c)
{
	int i = robust_pick(c, true), cpu, err;
	struct exo_cpu_wake wake;

	if (i < 0)
		return robust_op_open_handshake(c);
	cpu = exo_cpu_first(c->fds[i]);
	if (cpu < 0)
		return;
	err = exo_raw_cpu_bind(c->fds[i], cpu, 0, 0);
	if (err) {
		EXO_CHILD_CHECK(230, robust_cpu_errno(err));
		return;
	}
	err = exo_raw_cpu_wait(c->fds[i], 1 + exo_rng_below(&c->rng, 20), &wake);
	EXO_CHILD_CHECK(231, !err || err == ETIMEDOUT);
	EXO_CHILD_CHECK(232, exo_raw_cpu_unbind(c->fds[i]) == 0);
}

/*
 * Network: a filter on the loopback device (IPv4 to an address no host has),
 * its ring mapped half of the time. Skipped on a kernel without the binding.
 */
static void robust_op_net_bind(struct robust_child *c)
{
	struct exo_net_info ni = { .argsz = sizeof(ni) };
	struct exo_net_bind b;
	int i = robust_pick(c, true);
	void *p;

	if (i < 0 || ioctl(c->fds[i], EXO_IOC_NET_INFO, &ni))
		return robust_op_raise(c);
	memset(&b, 0, sizeof(b));
	b.argsz = sizeof(b);
	b.ifindex = 1;
	b.natoms = 2;
	b.ring_slots = 4;
	b.slot_size = 256;
	b.atoms[0].offset = 12;
	b.atoms[0].width = 2;
	b.atoms[0].mask = 0xffff;
	b.atoms[0].value = 0x0800;
	b.atoms[1].offset = 30;
	b.atoms[1].width = 4;
	b.atoms[1].mask = 0xffffffff;
	b.atoms[1].value = 0x0a620000 + exo_rng_below(&c->rng, 64);
	if (ioctl(c->fds[i], EXO_IOC_NET_BIND, &b)) {
		/* Another environment of this child may hold that address. */
		EXO_CHILD_CHECK(190, errno == EEXIST || errno == ENOSPC);
		return;
	}
	if (exo_rng_below(&c->rng, 2))
		return;
	p = mmap(NULL, b.ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 c->fds[i], (off_t)b.ring_offset);
	EXO_CHILD_CHECK(191, p != MAP_FAILED);
}

/*
 * The steps a child's program is drawn from. A binding adds its own (bind
 * a frame and map it, book a slot, install a filter) with a weight, and its
 * counters to robust_counters[].
 */
struct robust_op {
	const char *name;
	unsigned int weight;
	void (*run)(struct robust_child *c);
};

static const struct robust_op robust_ops[] = {
	{ "open", 10, robust_op_open },
	{ "open+handshake", 14, robust_op_open_handshake },
	{ "handshake", 6, robust_op_handshake },
	{ "raise", 14, robust_op_raise },
	{ "overflow", 3, robust_op_overflow },
	{ "read", 10, robust_op_read },
	{ "reader-thread", 4, robust_op_reader_thread },
	{ "monitor", 5, robust_op_monitor },
	{ "dump", 3, robust_op_dump },
	{ "fork", 4, robust_op_fork },
	{ "close", 6, robust_op_close },
	{ "dup", 4, robust_op_dup },
	{ "libexo-open", 4, robust_op_libexo },
	{ "epoll", 3, robust_op_epoll },
	/* memory */
	{ "mem-region", 4, robust_op_region },
	{ "mem-alloc-map", 6, robust_op_alloc_map },
	{ "mem-alloc", 3, robust_op_alloc },
	{ "mem-grant", 3, robust_op_grant },
	{ "mem-revoke", 2, robust_op_revoke },
	{ "mem-free", 2, robust_op_free },
	/* network */
	{ "net-bind", 4, robust_op_net_bind },
	/* CPU */
	{ "cpu-book", 4, robust_op_book },
	{ "cpu-bind-wait", 2, robust_op_bind_wait },
};

#define ROBUST_NOPS	ARRAY_SIZE(robust_ops)
/* Step index past the program: the child blocks there for good. */
#define ROBUST_HOLD	ROBUST_NOPS

struct robust_prog {
	__u64 seed;
	int nops;
	int ops[ROBUST_MAX_OPS];
	bool hold_in_read;	/* the final hold is a blocking read(2) */
};

static void robust_draw(struct robust_prog *p, __u64 seed)
{
	struct exo_rng rng = { .s = seed };
	unsigned int total = 0, pick;
	size_t j;
	int i;

	for (j = 0; j < ROBUST_NOPS; j++)
		total += robust_ops[j].weight;
	p->seed = seed;
	p->nops = 1 + exo_rng_below(&rng, ROBUST_MAX_OPS);
	for (i = 0; i < p->nops; i++) {
		pick = exo_rng_below(&rng, total);
		for (j = 0; pick >= robust_ops[j].weight; j++)
			pick -= robust_ops[j].weight;
		p->ops[i] = j;
	}
	p->hold_in_read = exo_rng_below(&rng, 2);
}

/* The end of the program: block, in read(2) on an environment if asked. */
static void __attribute__((noreturn)) robust_hold(struct robust_child *c,
						  bool in_read)
{
	struct exo_event ev[8];
	int i = robust_pick(c, true), fl;
	char b;

	if (in_read && i >= 0) {
		fl = fcntl(c->fds[i], F_GETFL);
		EXO_CHILD_CHECK(150, fl >= 0);
		EXO_CHILD_CHECK(151, fcntl(c->fds[i], F_SETFL, fl & ~O_NONBLOCK) == 0);
		/* Drain what is queued, then wait for what never comes. */
		for (;;)
			EXO_CHILD_CHECK(152, exo_raw_read(c->fds[i], ev, sizeof(ev)) > 0);
	}
	EXO_CHILD_CHECK(153, read(c->hold[0], &b, 1) < 0);
	_exit(99);
}

static void __attribute__((noreturn))
robust_child_main(const struct robust_prog *p, unsigned long long qlen,
		  bool mem, int progress)
{
	struct robust_child c;
	int i;

	/* Its own process group, so that one kill takes grandchildren too. */
	setpgid(0, 0);
	memset(&c, 0, sizeof(c));
	c.rng.s = exo_rng_mix(p->seed ^ 0xc41d);
	c.qlen = qlen;
	c.mem = mem;
	c.progress = progress;
	c.epfd = -1;
	exo_set_print(NULL);
	EXO_CHILD_CHECK(1, pipe(c.hold) == 0);

	for (i = 0; i < p->nops; i++) {
		EXO_CHILD_CHECK(2, exo_write_full(progress, &i, sizeof(i)) == 0);
		robust_ops[p->ops[i]].run(&c);
	}
	EXO_CHILD_CHECK(3, exo_write_full(progress, &i, sizeof(i)) == 0);
	robust_hold(&c, p->hold_in_read);
}

FIXTURE(robust) {
	pid_t test_pid;
	unsigned long long base[ROBUST_NCOUNTERS];
	bool have[ROBUST_NCOUNTERS];	/* that file is there */
	unsigned long long qlen;
	bool mem;
	char params[EXO_KMOD_PARAMS_LEN];	/* to reload exo.ko with */
};

/* The value of "@key: <n>" in /sys/kernel/debug/exo/@file; 0 or -errno. */
static int robust_counter(const struct robust_counter *rc,
			  unsigned long long *out)
{
	char path[128], buf[4096], *line;
	size_t klen = strlen(rc->key);
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), EXO_DEBUGFS_ROOT "/exo/%s", rc->file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The counters come first: one read of the head is enough. */
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -EIO;
	buf[len] = '\0';
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, rc->key, klen) && line[klen] == ':') {
			*out = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

FIXTURE_SETUP(robust)
{
	size_t i;

	self->test_pid = getpid();
	if (geteuid() != 0)
		SKIP(return, "the storm unloads exo.ko: needs root");
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (!exo_debugfs_mounted())
		SKIP(return, EXO_NO_DEBUGFS_MSG);
	if (access(exo_kmod_path(), R_OK))
		SKIP(return, "%s is missing: set EXO_KO to the built exo.ko",
		     exo_kmod_path());
	ASSERT_EQ(0, exo_kmod_params(self->params, sizeof(self->params)));
	ASSERT_EQ(0, exo_status_value("event_queue_len", &self->qlen));
	for (i = 0; i < ROBUST_NCOUNTERS; i++) {
		int err = robust_counter(&robust_counters[i], &self->base[i]);

		self->have[i] = err != -ENOENT;
		if (self->have[i])
			ASSERT_EQ(0, err) {
				TH_LOG("no \"%s:\" line in exo/%s",
				       robust_counters[i].key,
				       robust_counters[i].file);
			}
	}
	{
		int fd = exo_raw_env();
		struct exo_api api;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, exo_raw_api(fd, &api));
		close(fd);
#ifdef EXO_FEATURE_MEM
		self->mem = api.features & EXO_FEATURE_MEM;
#endif
	}
	/* Grandchildren of a killed child are reparented here, to be reaped. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
}

/* Leave exo.ko loaded as it was, even after a failed ASSERT. */
FIXTURE_TEARDOWN_PARENT(robust)
{
	if (getpid() == self->test_pid)
		close_range(3, ~0U, 0);
	if (!exo_kmod_loaded())
		ASSERT_EQ(0, exo_kmod_load(self->params));
	ASSERT_TRUE(exo_dev_present());
}

struct robust_stats {
	unsigned int killed_in[ROBUST_NOPS + 1];	/* by step, last: hold */
	unsigned int blocked_in_read;
	unsigned long long steps;
	unsigned int grandchildren;
};

/*
 * True if every counter is at its baseline; if not and @what is given,
 * say which, and which environments the status file still lists.
 */
static bool robust_at_baseline(FIXTURE_DATA(robust) *self, char *what,
			       size_t len)
{
	unsigned long long v;
	bool ok = true;
	size_t c, used = 0;

	if (what)
		what[0] = '\0';
	for (c = 0; c < ROBUST_NCOUNTERS; c++) {
		if (!self->have[c])
			continue;
		if (robust_counter(&robust_counters[c], &v) || v != self->base[c]) {
			ok = false;
			if (what && used < len)
				used += snprintf(what + used, len - used,
						 "%s%s %llu (baseline %llu)",
						 used ? ", " : "",
						 robust_counters[c].key, v,
						 self->base[c]);
		}
	}
	if (!ok && what && used < len) {
		char *text = exo_status_slurp(), *line;

		for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
			if (!strncmp(line, "env ", 4) && used < len)
				used += snprintf(what + used, len - used, "; %.*s",
						 (int)strcspn(line, " ") + 40, line);
		free(text);
	}
	return ok;
}

static void robust_print_prog(const struct robust_prog *p)
{
	char line[1024];
	size_t used = 0;
	int i;

	line[0] = '\0';
	for (i = 0; i < p->nops && used < sizeof(line); i++)
		used += snprintf(line + used, sizeof(line) - used, "%s%s",
				 i ? " " : "", robust_ops[p->ops[i]].name);
	ksft_print_msg("robust:   its program: %s\n", line);
}

/* One iteration: run, kill at step @kill_at, reap, check the counters. */
static void robust_iteration(struct __test_metadata *_metadata,
			     FIXTURE_DATA(robust) *self, int iter, __u64 seed,
			     struct robust_stats *st)
{
	struct robust_prog prog;
	struct exo_rng rng = { .s = exo_rng_mix(seed ^ 0x6b111) };
	pid_t pid, reaped[ROBUST_MAX_PIDS], g;
	int progress[2], kill_at, step = -1, status, nreaped = 0, i, n;
	char what[512];
	__u64 ids[4];

	robust_draw(&prog, seed);
	kill_at = exo_rng_below(&rng, prog.nops + 1);
	ASSERT_EQ(0, pipe2(progress, O_CLOEXEC));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(progress[0]);
		robust_child_main(&prog, self->qlen, self->mem, progress[1]);
	}
	setpgid(pid, pid);	/* as the child does: whoever is first */
	close(progress[1]);

	/* Follow the child to its step kill_at; no clock involved. */
	while (step < kill_at &&
	       exo_read_full(progress[0], &step, sizeof(step)) == 0)
		;
	if (step != kill_at) {
		/* It ended early: say how, after clearing up its group. */
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		while (waitpid(-1, NULL, 0) > 0)
			;
		close(progress[0]);
		ASSERT_EQ(kill_at, step) {
			TH_LOG("iteration %d (seed %llu): the child stopped at step %d (%s) of %d, status %#x",
			       iter, (unsigned long long)seed, step,
			       step >= 0 && step < prog.nops ?
			       robust_ops[prog.ops[step]].name : "-",
			       prog.nops, status);
		}
	}
	if (kill_at == prog.nops && prog.hold_in_read &&
	    exo_wait_sleeping_in(pid, pid, SYS_read))
		st->blocked_in_read++;

	/* The read end stays open until it is dead: no SIGPIPE first. */
	ASSERT_EQ(0, kill(-pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(progress[0]);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		TH_LOG("iteration %d (seed %llu): child status %#x before step %d",
		       iter, (unsigned long long)seed, status, kill_at);
	}
	/* Its grandchildren are ours now, and were in the killed group. */
	while ((g = waitpid(-1, &status, 0)) > 0) {
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			TH_LOG("iteration %d (seed %llu): grandchild %d status %#x",
			       iter, (unsigned long long)seed, g, status);
		}
		if (nreaped < ROBUST_MAX_PIDS)
			reaped[nreaped++] = g;
		st->grandchildren++;
	}
	EXPECT_EQ(ECHILD, errno);

	st->killed_in[kill_at == prog.nops ? ROBUST_HOLD : prog.ops[kill_at]]++;
	st->steps += kill_at;

	/* Every trace of them is gone when the reap returns: no grace. */
	EXPECT_TRUE(robust_at_baseline(self, what, sizeof(what))) {
		TH_LOG("iteration %d (seed %llu): %s right after the reap of a kill at step %d (%s)",
		       iter, (unsigned long long)seed, what, kill_at,
		       kill_at == prog.nops ? "hold" :
		       robust_ops[prog.ops[kill_at]].name);
		robust_print_prog(&prog);
	}
	n = exo_status_envs_of(pid, ids, ARRAY_SIZE(ids));
	EXPECT_EQ(0, n) {
		TH_LOG("iteration %d (seed %llu): %d environments of dead pid %d, first id %llu",
		       iter, (unsigned long long)seed, n, pid,
		       (unsigned long long)ids[0]);
	}
	for (i = 0; i < nreaped; i++)
		EXPECT_EQ(0, exo_status_envs_of(reaped[i], ids, ARRAY_SIZE(ids))) {
			TH_LOG("iteration %d (seed %llu): environment of dead grandchild %d",
			       iter, (unsigned long long)seed, reaped[i]);
		}
}

TEST_F(robust, kill_storm)
{
	unsigned long long iters = exo_env_ull("ROBUST_ITERS", ROBUST_ITERS_DEFAULT);
	unsigned long long first = exo_env_ull("ROBUST_FIRST", 0);
	__u64 seed = exo_test_seed("ROBUST_SEED");
	struct robust_stats st;
	char params[sizeof(self->params)];
	unsigned long long it;
	size_t j;
	int fd, err, tries;

	memset(&st, 0, sizeof(st));
	ksft_print_msg("robust: seed %llu, %llu iterations (replay: ROBUST_SEED=%llu ROBUST_ITERS=%llu)\n",
		       (unsigned long long)seed, iters, (unsigned long long)seed,
		       iters);
	for (it = first; it < iters; it++) {
		robust_iteration(_metadata, self, it,
				 exo_rng_mix(seed + it * 0x9e3779b97f4a7c15ULL),
				 &st);
		if (_metadata->exit_code)
			break;	/* the first failing iteration says enough */
		if (iters >= 10 && (it + 1) % (iters / 10) == 0)
			ksft_print_msg("robust: %llu/%llu iterations\n", it + 1,
				       iters);
	}
	ksft_print_msg("robust: %llu iterations, seed %llu: %llu steps before the kills, %u grandchildren reaped, %u kills blocked in read(2)\n",
		       it - first, (unsigned long long)seed, st.steps,
		       st.grandchildren, st.blocked_in_read);
	for (j = 0; j <= ROBUST_NOPS; j++)
		ksft_print_msg("robust:   killed during %-16s %u\n",
			       j < ROBUST_NOPS ? robust_ops[j].name : "hold",
			       st.killed_in[j]);
	ASSERT_EQ(iters, it);

	/* Nothing holds exo.ko now: it unloads at the first try. */
	ASSERT_EQ(0, exo_kmod_params(params, sizeof(params)));
	err = exo_kmod_unload();
	EXPECT_EQ(0, err) {
		TH_LOG("delete_module(exo) after the storm: %s",
		       exo_errno_name(err));
	}
	for (tries = 0; err == EWOULDBLOCK && tries < 100; tries++) {
		poll(NULL, 0, 50);	/* only to leave things as found */
		err = exo_kmod_unload();
	}
	ASSERT_EQ(0, err);
	EXPECT_FALSE(exo_kmod_loaded());
	EXPECT_FALSE(exo_dev_present());

	/* Back for later tests, as it was. */
	ASSERT_EQ(0, exo_kmod_load(params)) {
		TH_LOG("finit_module(%s, \"%s\")", exo_kmod_path(), params);
	}
	ASSERT_TRUE(exo_dev_present());
	ASSERT_EQ(0, exo_kmod_params(self->params, sizeof(self->params)));
	EXPECT_STREQ(params, self->params);
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_NOP, NULL));
	close(fd);
}

/* ---- a zap in flight when its mm's owner is killed ---------------------- */

#define ROBUST_HOLD_PATH	EXO_DEBUGFS_ROOT "/exo/hold"
#define ROBUST_HOLD_ZAP		"4"	/* EXO_HOLD_ZAP in module/mem/mem.h */
#define ROBUST_ZAP_ITERS	20
#define ROBUST_ZAP_FRAMES	4	/* the victim's own, bound in its region */
#define ROBUST_HOOK_WAIT_MS	10000

struct robust_ungrant {
	int fd;
	__u64 grant_id;
	int err;
};

static void *robust_ungrant_thread(void *arg)
{
	struct robust_ungrant *u = arg;

	u->err = exo_raw_mem_ungrant(u->fd, u->grant_id);
	return NULL;
}

/* Every counter's value now, into @v; false if one cannot be read. */
static bool robust_snapshot(FIXTURE_DATA(robust) *self,
			    unsigned long long *v)
{
	size_t c;

	for (c = 0; c < ROBUST_NCOUNTERS; c++) {
		v[c] = 0;
		if (self->have[c] && robust_counter(&robust_counters[c], &v[c]))
			return false;
	}
	return true;
}

/*
 * The victim: its own frames bound in a region, and the grantor's frame
 * @granted bound beside them once the parent says so. Reports its
 * environment id, then that it is bound, and waits to be killed.
 */
static void robust_zap_victim(int to_parent, int from_parent)
{
	size_t page = EXO_PAGE;
	struct exo_mem_frame f[ROBUST_ZAP_FRAMES];
	struct exo_env_info info;
	__u32 granted;
	char *region;
	int fd;

	fd = exo_raw_env();
	if (fd < 0 || exo_raw_info(fd, &info))
		_exit(2);
	region = mmap(NULL, (ROBUST_ZAP_FRAMES + 1) * page,
		      PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (region == MAP_FAILED ||
	    exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_MAP, ROBUST_ZAP_FRAMES, 0, f,
			      region + page))
		_exit(3);
	if (write(to_parent, &info.env_id, sizeof(info.env_id)) !=
	    sizeof(info.env_id) ||
	    exo_read_full(from_parent, &granted, sizeof(granted)) ||
	    exo_raw_mem_map(fd, 0, &granted, 1, region))
		_exit(4);
	/* A read-only grant: reading faults in the PTE the ungrant zaps. */
	if (*(volatile char *)region)
		_exit(5);
	if (write(to_parent, &granted, sizeof(granted)) != sizeof(granted))
		_exit(6);
	for (;;)
		pause();
}

/*
 * Issue 15: an environment must not outlive its SIGKILLed owner. Another
 * process ungrants a frame the victim has bound, and its zap is held (the
 * test hook) while it has the victim's mm in hand; the victim is then
 * killed and reaped. Every counter must be back when waitpid() returns.
 * A zap that pins the mm with mmget() (the old shape) leaves the victim's
 * last mmput(), and with it the VMA's file and so the environment, to the
 * zap: the environment and its frames linger until the zap finishes.
 */
TEST_F_TIMEOUT(robust, killed_owner_of_a_region_being_zapped, 120)
{
	unsigned long long base[ROBUST_NCOUNTERS], now[ROBUST_NCOUNTERS];
	int lingered = 0, it, fd, status;
	struct exo_mem_frame frame;

	if (!self->mem)
		SKIP(return, "the kernel has no memory binding");
	fd = exo_raw_env();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_raw_mem_alloc(fd, 0, 1, 0, &frame, NULL));

	for (it = 0; it < ROBUST_ZAP_ITERS; it++) {
		int up[2], down[2], waited, n;
		struct robust_ungrant u = { .fd = fd };
		char what[512] = "";
		size_t used = 0, c;
		pthread_t thread;
		__u64 victim_id, ids[4];
		__u32 bound;
		pid_t pid;

		ASSERT_TRUE(robust_snapshot(self, base));
		ASSERT_EQ(0, pipe2(up, O_CLOEXEC));
		ASSERT_EQ(0, pipe2(down, O_CLOEXEC));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(up[0]);
			close(down[1]);
			robust_zap_victim(up[1], down[0]);
		}
		close(up[1]);
		close(down[0]);
		ASSERT_EQ(0, exo_read_full(up[0], &victim_id, sizeof(victim_id)));
		ASSERT_EQ(0, exo_raw_mem_grant(fd, 0, frame.index, 1, victim_id,
					       &u.grant_id));
		ASSERT_EQ(sizeof(frame.index),
			  write(down[1], &frame.index, sizeof(frame.index)));
		ASSERT_EQ(0, exo_read_full(up[0], &bound, sizeof(bound)));
		close(up[0]);
		close(down[1]);

		/* The ungrant's zap of the victim's region waits at the hook. */
		ASSERT_EQ(0, exo_write_str(ROBUST_HOLD_PATH, ROBUST_HOLD_ZAP));
		ASSERT_EQ(0, pthread_create(&thread, NULL, robust_ungrant_thread,
					    &u));
		for (waited = 0; waited < ROBUST_HOOK_WAIT_MS; waited += 5) {
			unsigned long long held;
			char *buf;

			buf = exo_file_slurp(EXO_DEBUGFS_ROOT "/exo/held_zap");
			held = buf ? strtoull(buf, NULL, 10) : 0;
			free(buf);
			if (held == 1)
				break;
			usleep(5000);
		}

		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		/* At once: no sleep, no polling. */
		ASSERT_TRUE(robust_snapshot(self, now));
		n = exo_status_envs_of(pid, ids, ARRAY_SIZE(ids));

		ASSERT_EQ(0, exo_write_str(ROBUST_HOLD_PATH, "0"));
		ASSERT_EQ(0, pthread_join(thread, NULL));
		ASSERT_GT(ROBUST_HOOK_WAIT_MS, waited) {
			TH_LOG("the ungrant's zap never reached the hook");
		}
		EXPECT_EQ(0, u.err);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

		for (c = 0; c < ROBUST_NCOUNTERS; c++)
			if (self->have[c] && now[c] != base[c] &&
			    used < sizeof(what))
				used += snprintf(what + used, sizeof(what) - used,
						 "%s%s %llu (baseline %llu)",
						 used ? ", " : "",
						 robust_counters[c].key, now[c],
						 base[c]);
		if (used || n) {
			lingered++;
			ksft_print_msg("robust: iteration %d: after waitpid(): %s; %d environments of the dead pid\n",
				       it, used ? what : "counters at baseline",
				       n);
		}
		/* Whatever lingered is gone once the zap is done. */
		ASSERT_TRUE(robust_snapshot(self, now));
		ASSERT_EQ(0, memcmp(base, now, sizeof(base)));
	}
	EXPECT_EQ(0, lingered) {
		TH_LOG("%d of %d killed owners left their environment behind until the zap finished",
		       lingered, ROBUST_ZAP_ITERS);
	}
	close(fd);
}

/* The storm's timeout grows with ROBUST_ITERS: set it before the run. */
int main(int argc, char **argv)
{
	unsigned long long iters = exo_env_ull("ROBUST_ITERS", ROBUST_ITERS_DEFAULT);

	_robust_kill_storm_object->timeout = 60 + iters;
	return test_harness_run(argc, argv);
}
