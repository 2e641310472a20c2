// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * exo-bench: every "exo path vs the plain syscall that does the same work"
 * comparison, measured in the same run, reported as a ratio.
 *
 * Method: a warm-up, then RUNS runs of ITERS calls each, exo and plain
 * taking turns in chunks of CHUNK calls, the order flipped every chunk
 * (exo, plain, plain, exo, ...: ABBA) so that drift and noise from the
 * emulator hit both alike; the median ns per call of each is reported.
 * speedup = plain / exo, so > 1 means exo is faster.
 *
 * Wall time misses work a side leaves to another thread (exo zeroes freed
 * frames in a workqueue, ext4 commits its journal in jbd2), so in the rows
 * that count CPU every chunk is also charged the busy time of all CPUs
 * from /proc/stat, from its start until its row's settle hook says the
 * deferred work is done: cpu ns/op is that total over all runs divided by
 * the calls, and cpu_speedup = plain cpu / exo cpu.
 *
 * A row may have a setup and a teardown hook, run once around its timing
 * (e.g. the region the memory rows map into), its own iteration counts
 * where one call is much heavier than a null ioctl, and a second plain path
 * ("alt") timed in the same rotation.
 *
 * An op returns 0, -1 for an error (the row fails) or 1 for a failed sample
 * (a receive batch that lost frames): the run it fell in is not counted, and
 * the row fails if half its runs were lost so.
 *
 * BENCH_FORMAT=tsv prints a header line, then one line per row:
 *   row exo_ns plain_ns speedup exo_cpu_ns plain_cpu_ns cpu_speedup
 *   alt_ns alt_speedup exo_work plain_work alt_work
 *   exo_min_ns exo_max_ns plain_min_ns plain_max_ns note
 * ("-" where a row has no such figure). The _ns figures are medians over
 * the counted runs (latency rows: over the samples); min and max bound
 * the same runs, so a noisy row shows as a wide spread.
 *
 * BENCH_QUICK=1 is a smoke run, not a measurement: every row, a handful of
 * calls each, so that `make check` sees a hang or a crash in any of them.
 *
 * BENCH_ROWS="row row,row" runs only the rows named.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <linux/if_packet.h>
#include <linux/userfaultfd.h>
#include <net/if.h>
#include <sys/socket.h>

#include <exo/exo.h>

#include "../libexo/veth.h"

#define RUNS	15
#define ITERS	20000
#define CHUNK	500
#define WARMUP	5000

/*
 * The plain side of the XN rows: ext4 on a virtio disk of the same kind as
 * XN's (make bench mounts it here); without it those rows are skipped.
 */
#define BENCH_EXT4_DIR	"/mnt/exo-bench-ext4"
#define EXT4_MAGIC	0xEF53

/* BENCH_QUICK=1: a few calls of every row (see the top of the file). */
static int quick;

struct bench_row {
	const char *name;
	const char *exo_path;	/* short, for the table */
	const char *plain_path;
	const char *exo_work;	/* one phrase: what a call does, for the TSV */
	const char *plain_work;
	int (*exo_op)(struct exo *exo);
	int (*plain_op)(void);
	/* Optional: a second plain path, timed in the same rotation. */
	const char *alt_path, *alt_work;
	int (*alt_op)(void);
	/* Optional: 0 or -errno (-EOPNOTSUPP skips the row), and its undo. */
	int (*setup)(struct exo *exo);
	void (*teardown)(struct exo *exo);
	int iters, chunk, warmup, runs;	/* 0: ITERS, CHUNK, WARMUP, RUNS */
	/* Optional, untimed after every chunk: undo what the chunk made. */
	int (*exo_reset)(struct exo *exo);
	int (*plain_reset)(void);
	/*
	 * Optional, after every chunk of any side, inside its CPU window but
	 * off its wall clock: wait until work the chunk deferred is done.
	 */
	int (*settle)(void);
	/* Optional: row-specific figures for the note column. */
	void (*note)(char *buf, size_t len);
	/*
	 * Report busy CPU time: rows where some side defers work to another
	 * thread, whose chunks last several clock ticks (a shorter window
	 * reads as 0 or 1 tick, too coarse to sum into a figure).
	 */
	int count_cpu;
};

static int null_exo(struct exo *exo)
{
	return exo_nop(exo);
}

static int null_plain(void)
{
	return (int)syscall(SYS_getppid) > 0 ? 0 : -1;
}

/*
 * Context for null_ioctl, not an exo path: the cheapest ioctl(2) there is,
 * one that /dev/null refuses with ENOTTY without calling any driver. Its
 * ratio to getppid() is the floor under null_ioctl's.
 */
static int dev_null_fd = -1;

static int floor_setup(struct exo *exo)
{
	(void)exo;
	dev_null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return dev_null_fd < 0 ? -errno : 0;
}

static void floor_teardown(struct exo *exo)
{
	(void)exo;
	close(dev_null_fd);
}

static int floor_exo(struct exo *exo)
{
	(void)exo;
	return ioctl(dev_null_fd, EXO_IOC_NOP, 0) < 0 && errno == ENOTTY ? 0 : -1;
}

/*
 * Frame bind + map vs mmap(MAP_POPULATE) + munmap. exo: one
 * EXO_IOC_MEM_ALLOC with EXO_MEM_ALLOC_MAP binds n frames at pages of a
 * region, a write touches each page, one EXO_IOC_MEM_FREE unmaps and frees
 * them; the _region rows also create the region before and destroy it
 * after, as the plain side makes and drops a VMA. plain: an anonymous
 * mapping of n pages, populated, touched, unmapped. Both end where they
 * started.
 *
 * A frame exo frees is zeroed later by the module's worker, and the plain
 * side's fault zeroes its page on the clock: so the settle hook waits,
 * inside the chunk's CPU window, until the pool has no dirty frame left,
 * and setup first cycles the whole pool so that every timed call gets a
 * frame that was freed and zeroed before.
 */
#define EXO_POOL_DEBUGFS	"/sys/kernel/debug/exo/pool"

static struct {
	struct exo_region *region;
	char *base;
	size_t page;
	struct exo_mem_frame frames[EXO_MEM_BATCH_MAX];
	__u32 indexes[EXO_MEM_BATCH_MAX];
} mem;

/* 1 when every free frame of the pool is zeroed, 0 if not yet, -1 unknown. */
static int pool_zeroed(void)
{
	unsigned long free_frames = 0, absent = 0, clean, colour, sum = 0;
	FILE *f = fopen(EXO_POOL_DEBUGFS, "re");
	char line[128];
	int have_free = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "free: %lu", &free_frames) == 1)
			have_free = 1;
		else if (sscanf(line, "absent: %lu", &absent) == 1)
			continue;	/* given back to the kernel: not dirty */
		else if (sscanf(line, "colour %lu clean %lu", &colour, &clean) == 2)
			sum += clean;
	}
	fclose(f);
	return have_free ? sum + absent == free_frames : -1;
}

/*
 * The settle hook of the memory rows: the zeroing worker is done (<= 5 s).
 * Each look costs CPU that lands on the chunk's books, so the looks back
 * off to one per 2 ms.
 */
static int mem_settle(void)
{
	useconds_t pause = 100;
	double waited = 0;
	int ret;

	while (waited < 5e6) {
		ret = pool_zeroed();
		if (ret)
			return ret < 0 ? -1 : 0;
		usleep(pause);
		waited += pause;
		if (pause < 2000)
			pause *= 2;
	}
	return -1;
}

static int mem_setup(struct exo *exo)
{
	struct exo_mem_info info = { 0 };
	struct exo_api api;
	__u32 done, i;
	int ret;

	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_MEM))
		return -EOPNOTSUPP;
	if (pool_zeroed() < 0) {
		fprintf(stderr, "exo-bench: cannot read %s (is debugfs mounted?)\n",
			EXO_POOL_DEBUGFS);
		return -ENOENT;
	}
	ret = exo_mem_info(exo, &info);
	if (ret)
		return ret;
	for (done = 0; done < info.pool_frames; done += EXO_MEM_BATCH_MAX) {
		ret = exo_mem_alloc(exo, 0, EXO_MEM_BATCH_MAX, 0, mem.frames, NULL);
		if (ret)
			return ret;
		for (i = 0; i < EXO_MEM_BATCH_MAX; i++)
			mem.indexes[i] = mem.frames[i].index;
		ret = exo_mem_free(exo, mem.indexes, EXO_MEM_BATCH_MAX);
		if (ret)
			return ret;
	}
	if (mem_settle())
		return -ETIMEDOUT;
	mem.page = (size_t)sysconf(_SC_PAGESIZE);
	mem.region = exo_region_create(exo, EXO_MEM_BATCH_MAX);
	if (!mem.region)
		return -errno;
	mem.base = exo_region_addr(mem.region);
	return 0;
}

static void mem_teardown(struct exo *exo)
{
	(void)exo;
	exo_region_destroy(mem.region);
	mem.region = NULL;
}

static int mem_map_touch_free(struct exo *exo, char *base, __u32 n)
{
	volatile char *p = base;
	__u32 i;

	if (exo_mem_alloc(exo, EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE, n, 0,
			  mem.frames, base))
		return -1;
	for (i = 0; i < n; i++) {
		p[i * mem.page] = 1;
		mem.indexes[i] = mem.frames[i].index;
	}
	return exo_mem_free(exo, mem.indexes, n) ? -1 : 0;
}

static int mem_exo(struct exo *exo, __u32 n)
{
	return mem_map_touch_free(exo, mem.base, n);
}

/* The same in a region of its own, made and dropped by the call. */
static int mem_region_exo(struct exo *exo, __u32 n)
{
	struct exo_region *region = exo_region_create(exo, n);
	int ret;

	if (!region)
		return -1;
	ret = mem_map_touch_free(exo, exo_region_addr(region), n);
	exo_region_destroy(region);
	return ret;
}

static int mem_plain(size_t n)
{
	volatile char *p;
	size_t i;

	p = mmap(NULL, n * mem.page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < n; i++)
		p[i * mem.page] = 1;
	return munmap((void *)p, n * mem.page);
}

static int mem1_region_exo(struct exo *exo)
{
	return mem_region_exo(exo, 1);
}

static int mem512_region_exo(struct exo *exo)
{
	return mem_region_exo(exo, EXO_MEM_BATCH_MAX);
}

static int mem1_exo(struct exo *exo)
{
	return mem_exo(exo, 1);
}

static int mem1_plain(void)
{
	return mem_plain(1);
}

static int mem512_exo(struct exo *exo)
{
	return mem_exo(exo, EXO_MEM_BATCH_MAX);
}

static int mem512_plain(void)
{
	return mem_plain(EXO_MEM_BATCH_MAX);
}

/*
 * The submission ring (uapi section 8): one per environment, so the rows
 * that use it share one, set up the first time. null_ring_32 is 32 NOPs
 * for one doorbell against 32 getppid()s; mem_bind_map_ring frees the last
 * op's frame and allocates and maps the next in one doorbell (MEM_FREE
 * reads the index MEM_ALLOC wrote in the batch before), against the same
 * mmap+munmap as mem_bind_map_1.
 */
#define RING_BATCH	32

static struct exo_uring *bench_ring;

static int ring_get(struct exo *exo)
{
	struct exo_api api;
	int ret;

	if (bench_ring)
		return 0;
	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_RING))
		return -EOPNOTSUPP;
	bench_ring = exo_ring_init(exo, 2 * RING_BATCH);
	return bench_ring ? 0 : -errno;
}

/* Reap @n CQEs, each of which must say 0. */
static int ring_reap(__u32 n)
{
	struct exo_ring_cqe *cqe;
	int bad = 0;

	while (n--) {
		if (exo_ring_peek_cqe(bench_ring, &cqe))
			return -1;
		bad |= cqe->result;
		exo_ring_cqe_seen(bench_ring, cqe);
	}
	return bad ? -1 : 0;
}

static int null_ring_setup(struct exo *exo)
{
	return ring_get(exo);
}

static int null_ring_exo(struct exo *exo)
{
	int i;

	(void)exo;
	for (i = 0; i < RING_BATCH; i++)
		exo_ring_prep_nop(exo_ring_get_sqe(bench_ring), i);
	if (exo_ring_submit(bench_ring) != RING_BATCH)
		return -1;
	return ring_reap(RING_BATCH);
}

static int null_ring_plain(void)
{
	int i;

	for (i = 0; i < RING_BATCH; i++)
		if (syscall(SYS_getppid) <= 0)
			return -1;
	return 0;
}

static struct {
	struct exo_mem_frame frame;	/* the frame held between ops */
	int held;
	struct exo_mem_alloc alloc;
	struct exo_mem_batch free;
} mr;

static int mem_ring_setup(struct exo *exo)
{
	int ret = mem_setup(exo);

	if (ret)
		return ret;
	ret = ring_get(exo);
	if (ret)
		return ret;
	mr.alloc = (struct exo_mem_alloc){
		.argsz = sizeof(mr.alloc),
		.flags = EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE,
		.count = 1,
		.frames = (__u64)(unsigned long)&mr.frame,
		.addr = (__u64)(unsigned long)mem.base,
	};
	mr.free = (struct exo_mem_batch){
		.argsz = sizeof(mr.free),
		.count = 1,
		.indexes = (__u64)(unsigned long)&mr.frame.index,
	};
	mr.held = 0;
	return 0;
}

static int mem_ring_exo(struct exo *exo)
{
	int n = 0;

	(void)exo;
	if (mr.held) {
		exo_ring_prep_mem_free(exo_ring_get_sqe(bench_ring), &mr.free, 1);
		n++;
	}
	exo_ring_prep_mem_alloc(exo_ring_get_sqe(bench_ring), &mr.alloc, 2);
	n++;
	if (exo_ring_submit(bench_ring) != n || ring_reap(n))
		return -1;
	mr.held = 1;
	*(volatile char *)mem.base = 1;
	return 0;
}

static void mem_ring_teardown(struct exo *exo)
{
	if (mr.held)
		exo_mem_free(exo, &mr.frame.index, 1);
	mr.held = 0;
	mem_teardown(exo);
}

/*
 * net_rx: the same stream of UDP datagrams, received either by the libOS's
 * UDP/IP (exo_udpip_recv(): a ring bound to its own address, 10.77.2.3,
 * each frame's IPv4 and UDP headers and both checksums checked, the payload
 * copied out) or with recvmmsg() by a host socket on 10.77.2.1 (the kernel
 * checks the same and copies the same payload). The sender is a raw packet
 * socket in the far namespace of a veth pair writing prebuilt Ethernet
 * frames with sendmmsg(), as pktgen would: the cost left on the clock is
 * mostly the receiving side's. One op is a batch of NETB_BATCH frames, sent
 * and received; a batch that lost a frame (nothing for a second) is a
 * failed sample, and the frames lost are counted for the note.
 */
#define NETB_BATCH	32
#define NETB_PAYLOAD	64
#define NETB_FRAME	(14 + 20 + 8 + NETB_PAYLOAD)
#define NETB_EXO_PORT	9001
#define NETB_HOST_PORT	9002
#define NETB_WAIT_MS	1000

static struct {
	struct veth_lab lab;
	struct exo_udpip *udpip;
	int peer;
	int host;
	unsigned char exo_frame[NETB_FRAME], host_frame[NETB_FRAME];
	char rx[NETB_BATCH][NETB_PAYLOAD];
	struct iovec exo_iov, host_iov, rx_iov[NETB_BATCH];
	struct mmsghdr to_exo[NETB_BATCH], to_host[NETB_BATCH], from[NETB_BATCH];
	unsigned long lost[2];	/* frames lost: exo, plain */
	unsigned char host_mac[6], peer_mac[6];
} netb;

static void netb_msgs(struct mmsghdr *m, struct iovec *iov)
{
	int i;

	for (i = 0; i < NETB_BATCH; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
}

static unsigned int netb_sum(const unsigned char *p, size_t len, unsigned int sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* 10.77.2.2:5555 -> 10.77.2.@host:@port, from @src to @dst, checksums filled. */
static void netb_frame(unsigned char *f, const unsigned char *dst,
		       const unsigned char *src, unsigned char host,
		       unsigned short port)
{
	unsigned char *ip = f + 14, *udp = ip + 20;
	unsigned int sum;

	memset(f, 0, NETB_FRAME);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + NETB_PAYLOAD;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10, ip[13] = 77, ip[14] = 2, ip[15] = 2;
	ip[16] = 10, ip[17] = 77, ip[18] = 2, ip[19] = host;
	sum = ~netb_sum(ip, 20, 0) & 0xffff;
	ip[10] = sum >> 8, ip[11] = sum & 0xff;
	udp[0] = 5555 >> 8, udp[1] = 5555 & 0xff;
	udp[2] = port >> 8, udp[3] = port & 0xff;
	udp[5] = 8 + NETB_PAYLOAD;
	memset(udp + 8, 'x', NETB_PAYLOAD);
	sum = netb_sum(ip + 12, 8, 17 + 8 + NETB_PAYLOAD);
	sum = ~netb_sum(udp, 8 + NETB_PAYLOAD, sum) & 0xffff;
	udp[6] = sum >> 8, udp[7] = sum & 0xff;
}

static int netb_mac(const char *name, unsigned char *mac)
{
	struct ifreq ifr;
	int s, ret = 0;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (s >= 0)
		close(s);
	return ret;
}

/* In the peer's namespace: its MAC and a packet socket bound to it. */
struct netb_peer {
	unsigned char mac[6];
	int sock;
};

static int netb_peer_open(void *arg)
{
	struct netb_peer *p = arg;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int ret = netb_mac(netb.lab.peer, p->mac);

	if (ret)
		return ret;
	p->sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->sock < 0)
		return -errno;
	sll.sll_ifindex = if_nametoindex(netb.lab.peer);
	if (bind(p->sock, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static void net_teardown(struct exo *exo)
{
	(void)exo;
	exo_udpip_destroy(netb.udpip);
	netb.udpip = NULL;
	if (netb.peer >= 0)
		close(netb.peer);
	if (netb.host >= 0)
		close(netb.host);
	veth_lab_teardown(&netb.lab);
}

static int net_setup(struct exo *exo)
{
	struct sockaddr_in host_addr = { .sin_family = AF_INET,
					 .sin_port = htons(NETB_HOST_PORT) };
	struct exo_udpip_opts opts = { .sz = sizeof(opts) };
	struct netb_peer peer = { .sock = -1 };
	struct timeval tv = { .tv_sec = NETB_WAIT_MS / 1000 };
	unsigned char host_mac[6];
	struct exo_api api;
	int i, ret;

	netb.peer = netb.host = -1;
	netb.lost[0] = netb.lost[1] = 0;
	if (exo_api(exo, &api) || !(api.features & EXO_FEATURE_NET))
		return -EOPNOTSUPP;
	ret = veth_lab_setup(&netb.lab, "exob0", "exob0p", "10.77.2.1",
			     "10.77.2.2", 24);
	if (ret)
		goto fail;
	opts.ifindex = netb.lab.ifindex;
	inet_pton(AF_INET, "10.77.2.3", &opts.ip);
	netb.udpip = exo_udpip_create(exo, &opts);
	if (!netb.udpip) {
		ret = -errno;
		goto fail;
	}
	netb.host = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, "10.77.2.1", &host_addr.sin_addr);
	/* A lost frame fails the sample instead of hanging the row. */
	if (netb.host < 0 || setsockopt(netb.host, SOL_SOCKET, SO_RCVTIMEO, &tv,
					sizeof(tv)) ||
	    bind(netb.host, (struct sockaddr *)&host_addr, sizeof(host_addr))) {
		ret = -errno;
		goto fail;
	}
	ret = netb_mac(netb.lab.name, host_mac);
	if (!ret)
		ret = veth_in_peer(&netb.lab, netb_peer_open, &peer);
	netb.peer = peer.sock;
	if (ret)
		goto fail;
	memcpy(netb.host_mac, host_mac, 6);
	memcpy(netb.peer_mac, peer.mac, 6);
	netb_frame(netb.exo_frame, host_mac, peer.mac, 3, NETB_EXO_PORT);
	netb_frame(netb.host_frame, host_mac, peer.mac, 1, NETB_HOST_PORT);
	netb.exo_iov.iov_base = netb.exo_frame;
	netb.exo_iov.iov_len = NETB_FRAME;
	netb.host_iov.iov_base = netb.host_frame;
	netb.host_iov.iov_len = NETB_FRAME;
	netb_msgs(netb.to_exo, &netb.exo_iov);
	netb_msgs(netb.to_host, &netb.host_iov);
	for (i = 0; i < NETB_BATCH; i++) {
		netb.rx_iov[i].iov_base = netb.rx[i];
		netb.rx_iov[i].iov_len = sizeof(netb.rx[i]);
		memset(&netb.from[i], 0, sizeof(netb.from[i]));
		netb.from[i].msg_hdr.msg_iov = &netb.rx_iov[i];
		netb.from[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
fail:
	fprintf(stderr, "exo-bench: net_rx setup: %s\n", strerror(-ret));
	net_teardown(exo);
	return ret;
}

static int net_exo(struct exo *exo)
{
	struct exo_udp_meta meta;
	int i, n;

	(void)exo;
	if (sendmmsg(netb.peer, netb.to_exo, NETB_BATCH, 0) != NETB_BATCH)
		return -1;
	for (i = 0; i < NETB_BATCH; i++) {
		n = exo_udpip_recv(netb.udpip, netb.rx[i], NETB_PAYLOAD, &meta,
				   NETB_WAIT_MS);
		if (n == -ETIMEDOUT) {
			netb.lost[0] += NETB_BATCH - i;
			return 1;
		}
		if (n != NETB_PAYLOAD || meta.local_port != NETB_EXO_PORT)
			return -1;
	}
	return 0;
}

static int net_plain(void)
{
	int got = 0, n, i;

	if (sendmmsg(netb.peer, netb.to_host, NETB_BATCH, 0) != NETB_BATCH)
		return -1;
	while (got < NETB_BATCH) {
		n = recvmmsg(netb.host, netb.from + got, NETB_BATCH - got,
			     MSG_WAITFORONE, NULL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			netb.lost[1] += NETB_BATCH - got;
			return 1;
		}
		if (n <= 0)
			return -1;
		for (i = got; i < got + n; i++)
			if (netb.from[i].msg_len != NETB_PAYLOAD)
				return -1;
		got += n;
	}
	return 0;
}

static void net_note(char *buf, size_t len)
{
	snprintf(buf, len, "frames lost: exo %lu, plain %lu", netb.lost[0],
		 netb.lost[1]);
}

/*
 * net_demux_64: the same stream spread over NETD_PORTS endpoints; each
 * batch of 32 frames goes to the next 32 ports in turn. exo: one filter and
 * ring per port (64 bindings, the default cap of one environment), found by
 * the kernel's merged classifier; the libOS scans its rings and, as for
 * net_rx_32, checks each frame's IPv4 and UDP headers and checksums and
 * copies its payload. plain: 64 UDP sockets, one per port, found by the
 * kernel's socket lookup; epoll_wait(), then recvmmsg() on each ready one.
 */
#define NETD_PORTS	64
#define NETD_EXO_BASE	9100
#define NETD_HOST_BASE	9200

static struct {
	struct exo_ring *ring[NETD_PORTS];
	int sock[NETD_PORTS];
	int epfd;
	unsigned char exo_frame[NETD_PORTS][NETB_FRAME];
	unsigned char host_frame[NETD_PORTS][NETB_FRAME];
	struct iovec exo_iov[NETD_PORTS], host_iov[NETD_PORTS];
	struct mmsghdr to_exo[NETB_BATCH], to_host[NETB_BATCH];
	unsigned int next[2];	/* the next batch's first port: exo, plain */
} netd;

static void netd_teardown(struct exo *exo)
{
	int i;

	for (i = 0; i < NETD_PORTS; i++) {
		exo_ring_destroy(netd.ring[i]);
		netd.ring[i] = NULL;
		if (netd.sock[i] >= 0)
			close(netd.sock[i]);
		netd.sock[i] = -1;
	}
	if (netd.epfd >= 0)
		close(netd.epfd);
	netd.epfd = -1;
	net_teardown(exo);
}

static int netd_setup(struct exo *exo)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLIN };
	struct exo_net_atom a[4];
	int i, ret;

	netd.epfd = -1;
	for (i = 0; i < NETD_PORTS; i++)
		netd.sock[i] = -1;
	ret = net_setup(exo);
	if (ret)
		return ret;
	/* Its two bindings are not ours to spend: the rings need all 64. */
	exo_udpip_destroy(netb.udpip);
	netb.udpip = NULL;
	netd.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (netd.epfd < 0)
		return -errno;
	inet_pton(AF_INET, "10.77.2.1", &addr.sin_addr);
	memset(a, 0, sizeof(a));
	a[0].offset = 12, a[0].width = 2, a[0].mask = 0xffff, a[0].value = 0x0800;
	a[1].offset = 14, a[1].width = 1, a[1].mask = 0xff, a[1].value = 0x45;
	a[2].offset = 23, a[2].width = 1, a[2].mask = 0xff, a[2].value = 17;
	a[3].offset = 36, a[3].width = 2, a[3].mask = 0xffff;
	for (i = 0; i < NETD_PORTS; i++) {
		a[3].value = NETD_EXO_BASE + i;
		netd.ring[i] = exo_ring_create(exo, 0, netb.lab.ifindex, a, 4, 64, 256);
		if (!netd.ring[i])
			return -errno;
		netd.sock[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		addr.sin_port = htons(NETD_HOST_BASE + i);
		ev.data.u32 = i;
		if (netd.sock[i] < 0 ||
		    bind(netd.sock[i], (struct sockaddr *)&addr, sizeof(addr)) ||
		    epoll_ctl(netd.epfd, EPOLL_CTL_ADD, netd.sock[i], &ev))
			return -errno;
		netb_frame(netd.exo_frame[i], netb.host_mac, netb.peer_mac, 1,
			   NETD_EXO_BASE + i);
		netb_frame(netd.host_frame[i], netb.host_mac, netb.peer_mac, 1,
			   NETD_HOST_BASE + i);
		netd.exo_iov[i].iov_base = netd.exo_frame[i];
		netd.exo_iov[i].iov_len = NETB_FRAME;
		netd.host_iov[i].iov_base = netd.host_frame[i];
		netd.host_iov[i].iov_len = NETB_FRAME;
	}
	netd.next[0] = netd.next[1] = 0;
	return 0;
}

/* Send the next batch of one side: frames to the next 32 of its ports. */
static int netd_send(struct mmsghdr *m, struct iovec *iov, unsigned int *next)
{
	int i;

	for (i = 0; i < NETB_BATCH; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = &iov[(*next + i) % NETD_PORTS];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	*next = (*next + NETB_BATCH) % NETD_PORTS;
	return sendmmsg(netb.peer, m, NETB_BATCH, 0) == NETB_BATCH ? 0 : -1;
}

/*
 * What the host stack checks before it hands a datagram to a socket: IPv4
 * without options, not a fragment, UDP to @port, lengths and both
 * checksums right. The payload goes to @buf; its length, or -1.
 */
static int netd_take(const unsigned char *f, unsigned int len,
		     unsigned int port, char *buf)
{
	const unsigned char *ip = f + 14, *udp = ip + 20;
	unsigned int tot, ulen;

	if (len < 14 + 28 || f[12] != 0x08 || f[13] != 0 || ip[0] != 0x45 ||
	    (~netb_sum(ip, 20, 0) & 0xffff) || (ip[6] & 0x3f) || ip[7] ||
	    ip[9] != 17)
		return -1;
	tot = ip[2] << 8 | ip[3];
	ulen = udp[4] << 8 | udp[5];
	if (tot < 28 || tot > len - 14 || ulen < 8 || ulen > tot - 20 ||
	    ulen - 8 > NETB_PAYLOAD || (unsigned int)(udp[2] << 8 | udp[3]) != port)
		return -1;
	if ((udp[6] || udp[7]) &&
	    (~netb_sum(udp, ulen, netb_sum(ip + 12, 8, 17 + ulen)) & 0xffff))
		return -1;
	memcpy(buf, udp + 8, ulen - 8);
	return (int)ulen - 8;
}

static int netd_exo(struct exo *exo)
{
	const struct exo_net_slot *slot;
	const void *frame;
	int got = 0, found, p;

	if (netd_send(netd.to_exo, netd.exo_iov, &netd.next[0]))
		return -1;
	while (got < NETB_BATCH) {
		found = 0;
		for (p = 0; p < NETD_PORTS; p++) {
			while (exo_ring_peek(netd.ring[p], &slot, &frame) == 1) {
				int n = netd_take(frame, slot->caplen,
						  NETD_EXO_BASE + p,
						  netb.rx[got % NETB_BATCH]);

				exo_ring_release(netd.ring[p]);
				if (n != NETB_PAYLOAD)
					return -1;
				got++;
				found = 1;
			}
		}
		if (got < NETB_BATCH && !found &&
		    exo_ring_wait(exo, NETB_WAIT_MS) != 1) {
			netb.lost[0] += NETB_BATCH - got;
			return 1;
		}
	}
	return 0;
}

static int netd_plain(void)
{
	struct epoll_event ev[NETD_PORTS];
	int got = 0, n, k, m, i;

	if (netd_send(netd.to_host, netd.host_iov, &netd.next[1]))
		return -1;
	while (got < NETB_BATCH) {
		n = epoll_wait(netd.epfd, ev, NETD_PORTS, NETB_WAIT_MS);
		if (n == 0) {
			netb.lost[1] += NETB_BATCH - got;
			return 1;
		}
		if (n < 0)
			return -1;
		for (k = 0; k < n && got < NETB_BATCH; k++) {
			m = recvmmsg(netd.sock[ev[k].data.u32], netb.from + got,
				     NETB_BATCH - got, MSG_DONTWAIT, NULL);
			if (m < 0 && errno == EAGAIN)
				continue;
			if (m <= 0)
				return -1;
			for (i = got; i < got + m; i++)
				if (netb.from[i].msg_len != NETB_PAYLOAD)
					return -1;
			got += m;
		}
	}
	return 0;
}

/*
 * XN. A worker format like samples/xnfs.c: eight u64 pointers at the start
 * of a root block, an acl that allows everything. The plain side is a file
 * on the ext4 of BENCH_EXT4_DIR.
 *
 * xn_read_cached: a 4 KiB copy out of a cached XN data block's mapping vs
 * the same copy out of an mmap() of a page-cache-warm 4 KiB ext4 file, and
 * (alt) pread() of those 4 KiB.
 * xn_alloc: a verified allocation of a block to the root and its free (two
 * ioctls that each run the owns UDF twice) vs an ext4 fallocate() of a
 * block inside a file and a punch-hole freeing it. Sync policy: neither
 * side syncs per call (XN keeps its changes in its buffer cache until
 * XN_SYNC, ext4 in its journal until the next commit); teardown syncs both.
 */
static struct {
	__u64 root, data, spare;
	unsigned char *map;
	int ext4_fd;			/* the plain side's file */
	unsigned char *ext4_map;	/* xn_read_cached: its mapping */
	unsigned char buf[EXO_XN_BLOCK_SIZE];
	__u64 ptr;
	struct exo_xn_mod set, clear;
} xnb = { .ext4_fd = -1 };

/* A fresh @name on the bench ext4, open read-write; -ENODEV: none mounted. */
static int ext4_file(const char *name)
{
	struct statfs st;
	char path[96];
	int fd;

	if (statfs(BENCH_EXT4_DIR, &st) || st.f_type != EXT4_MAGIC)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/%s", BENCH_EXT4_DIR, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

static const __u64 xn_zero;

static int xn_setup(struct exo *exo)
{
	static const struct exo_udf_insn owns[] = {
		{ EXO_UDF_LDI, 1, 0, 0, 1 },
		{ EXO_UDF_LDI, 2, 0, 0, EXO_XN_TYPE_DATA },
		{ EXO_UDF_LOOP, 5, 0, 0, 8 },
		{ EXO_UDF_MOV, 6, 5, 0, 0 },
		{ EXO_UDF_SHL_K, 6, 0, 0, 3 },
		{ EXO_UDF_LDD_X, 4, 6, 0, 0 },
		{ EXO_UDF_JEQ_K, 4, 0, 1, 0 },
		{ EXO_UDF_EMIT, 4, 1, 2, 0 },
		{ EXO_UDF_ENDLOOP, 0, 0, 0, 0 },
		{ EXO_UDF_RET_K, 0, 0, 0, 0 },
	};
	static const struct exo_udf_insn acl[] = {
		{ EXO_UDF_RET_K, 0, 0, 0, 1 },
	};
	struct exo_xn_info info = { 0 };
	struct exo_api api;
	char name[32];
	__u32 type;
	int ret;

	xnb.map = NULL;
	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_XN))
		return -EOPNOTSUPP;
	snprintf(name, sizeof(name), "bench-%d", (int)getpid());
	if (exo_xn_type_lookup(exo, name, NULL, &type)) {
		ret = exo_xn_type_install(exo, name, owns, 10, acl, 1, &type);
		if (ret)
			return ret;
	}
	if (exo_xn_root_lookup(exo, name, NULL, &xnb.root)) {
		xnb.root = 0;
		ret = exo_xn_root_install(exo, name, type, &xnb.root);
		if (ret)
			return ret;
	}
	ret = exo_xn_read(exo, xnb.root, EXO_XN_NO_PARENT, type, NULL);
	if (!ret)
		ret = exo_xn_info(exo, &info);
	if (ret)
		return ret;
	xnb.data = info.hint;
	xnb.set.offset = 0;
	xnb.set.len = 8;
	xnb.set.data = (__u64)(unsigned long)&xnb.data;
	ret = exo_xn_alloc(exo, xnb.root, xnb.data, EXO_XN_TYPE_DATA,
			   &xnb.set, 1);
	if (ret)
		return ret;
	info.hint = xnb.data + 1;
	ret = exo_xn_info(exo, &info);
	if (ret)
		return ret;
	xnb.spare = info.hint;
	xnb.ptr = xnb.spare;
	xnb.set.offset = 8;
	xnb.set.data = (__u64)(unsigned long)&xnb.ptr;
	xnb.clear = xnb.set;
	xnb.clear.data = (__u64)(unsigned long)&xn_zero;
	xnb.map = exo_xn_map(exo, xnb.data, 1);
	if (!xnb.map)
		return -errno;
	memset(xnb.map, 0x5a, EXO_XN_BLOCK_SIZE);
	return 0;
}

static void xn_teardown(struct exo *exo)
{
	if (xnb.map)
		exo_xn_unmap(xnb.map);
	xnb.map = NULL;
	if (xnb.ext4_map)
		munmap(xnb.ext4_map, EXO_XN_BLOCK_SIZE);
	xnb.ext4_map = NULL;
	if (xnb.ext4_fd >= 0) {
		syncfs(xnb.ext4_fd);
		close(xnb.ext4_fd);
	}
	xnb.ext4_fd = -1;
	xnb.set.offset = 0;
	xnb.set.data = (__u64)(unsigned long)&xn_zero;
	exo_xn_free(exo, xnb.root, xnb.data, EXO_XN_TYPE_DATA, &xnb.set, 1);
	exo_xn_sync(exo, NULL);
}

/* The ext4 twin of the cached block: 4 KiB in the page cache, mapped. */
static int xn_read_setup(struct exo *exo)
{
	int ret;

	ret = ext4_file("exo-bench-read");
	if (ret < 0)
		return ret;
	xnb.ext4_fd = ret;
	ret = xn_setup(exo);
	if (ret)
		return ret;
	/* Clean in the page cache: no writeback of it during the row. */
	if (pwrite(xnb.ext4_fd, xnb.map, EXO_XN_BLOCK_SIZE, 0) != EXO_XN_BLOCK_SIZE ||
	    fsync(xnb.ext4_fd))
		return -EIO;
	xnb.ext4_map = mmap(NULL, EXO_XN_BLOCK_SIZE, PROT_READ, MAP_SHARED,
			    xnb.ext4_fd, 0);
	if (xnb.ext4_map == MAP_FAILED) {
		xnb.ext4_map = NULL;
		return -errno;
	}
	return 0;
}

/* A file of two blocks' size whose second block the calls allocate and free. */
static int xn_alloc_setup(struct exo *exo)
{
	int ret;

	ret = ext4_file("exo-bench-alloc");
	if (ret < 0)
		return ret;
	xnb.ext4_fd = ret;
	if (ftruncate(xnb.ext4_fd, 2 * EXO_XN_BLOCK_SIZE))
		return -errno;
	return xn_setup(exo);
}

static void copy_block(const unsigned char *from)
{
	memcpy(xnb.buf, from, EXO_XN_BLOCK_SIZE);
	__asm__ __volatile__("" : : "r"(xnb.buf) : "memory");
}

static int xn_read_exo(struct exo *exo)
{
	(void)exo;
	copy_block(xnb.map);
	return 0;
}

static int xn_read_plain(void)
{
	copy_block(xnb.ext4_map);
	return 0;
}

static int xn_read_pread(void)
{
	return pread(xnb.ext4_fd, xnb.buf, EXO_XN_BLOCK_SIZE, 0) ==
	       EXO_XN_BLOCK_SIZE ? 0 : -1;
}

static int xn_alloc_exo(struct exo *exo)
{
	if (exo_xn_alloc(exo, xnb.root, xnb.spare, EXO_XN_TYPE_DATA,
			 &xnb.set, 1))
		return -1;
	/* Never synced: the free releases the block at once. */
	return exo_xn_free(exo, xnb.root, xnb.spare, EXO_XN_TYPE_DATA,
			   &xnb.clear, 1) ? -1 : 0;
}

static int xn_alloc_plain(void)
{
	if (fallocate(xnb.ext4_fd, 0, EXO_XN_BLOCK_SIZE, EXO_XN_BLOCK_SIZE))
		return -1;
	return fallocate(xnb.ext4_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 EXO_XN_BLOCK_SIZE, EXO_XN_BLOCK_SIZE) ? -1 : 0;
}

/*
 * xn_smallfile: the 1997 paper's small-file case. One op creates 20
 * directories of 50 files, writes 4 KiB to each of the 1,000 files and
 * syncs; an untimed reset after each op removes them all and syncs again.
 * exo: exofs (libexo/exofs.c) on XN; sync is exo_fs_sync(), XN_SYNC,
 * which writes every dirty block to XN's disk with REQ_FUA. plain: ext4
 * mounted at BENCH_EXT4_DIR (make bench puts it on a second virtio disk of
 * the same kind as XN's disk=/dev/vda); sync is syncfs(), which commits
 * the journal and flushes the device. The 1,000 files are spread over
 * subdirectories because an exofs directory holds 60 entries.
 */
#define SF_DIRS		20
#define SF_FILES	50

static struct {
	struct exo_fs *fs;
	int ext4_fd;
	char block[EXO_XN_BLOCK_SIZE];
	/* The last timed op's whole time and its sync's, exo [0] and plain [1]. */
	double op_ns[2], sync_ns[2];
} sf = { .ext4_fd = -1 };

static double now_ns(void);

static int sf_setup(struct exo *exo)
{
	struct exo_api api;
	struct statfs st;
	char name[32];
	int ret;

	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_XN))
		return -EOPNOTSUPP;
	if (statfs(BENCH_EXT4_DIR, &st) || st.f_type != EXT4_MAGIC)
		return -ENODEV;
	sf.ext4_fd = open(BENCH_EXT4_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sf.ext4_fd < 0)
		return -errno;
	memset(sf.block, 0xa5, sizeof(sf.block));
	snprintf(name, sizeof(name), "sf-%d", (int)getpid());
	sf.fs = exo_fs_mkfs(exo, name);
	return sf.fs ? 0 : -errno;
}

static void sf_teardown(struct exo *exo)
{
	(void)exo;
	if (sf.fs) {
		exo_fs_sync(sf.fs);
		exo_fs_unmount(sf.fs);
	}
	sf.fs = NULL;
	if (sf.ext4_fd >= 0)
		close(sf.ext4_fd);
	sf.ext4_fd = -1;
}

static int sf_exo(struct exo *exo)
{
	double start = now_ns(), synced;
	char path[32];
	int d, f, ret;

	(void)exo;
	for (d = 0; d < SF_DIRS; d++) {
		snprintf(path, sizeof(path), "d%02d", d);
		if (exo_fs_mkdir(sf.fs, path, 0755))
			return -1;
		for (f = 0; f < SF_FILES; f++) {
			snprintf(path, sizeof(path), "d%02d/f%02d", d, f);
			if (exo_fs_create(sf.fs, path, 0644) ||
			    exo_fs_write(sf.fs, path, 0, sf.block,
					 sizeof(sf.block)) != sizeof(sf.block))
				return -1;
		}
	}
	synced = now_ns();
	ret = exo_fs_sync(sf.fs);
	sf.sync_ns[0] = now_ns() - synced;
	sf.op_ns[0] = now_ns() - start;
	return ret ? -1 : 0;
}

static int sf_exo_reset(struct exo *exo)
{
	char path[32];
	int d, f;

	(void)exo;
	for (d = 0; d < SF_DIRS; d++) {
		for (f = 0; f < SF_FILES; f++) {
			snprintf(path, sizeof(path), "d%02d/f%02d", d, f);
			if (exo_fs_unlink(sf.fs, path))
				return -1;
		}
		snprintf(path, sizeof(path), "d%02d", d);
		if (exo_fs_unlink(sf.fs, path))
			return -1;
	}
	return exo_fs_sync(sf.fs) ? -1 : 0;
}

static int sf_plain(void)
{
	double start = now_ns(), synced;
	char path[32];
	int d, f, fd, ret;

	for (d = 0; d < SF_DIRS; d++) {
		snprintf(path, sizeof(path), "d%02d", d);
		if (mkdirat(sf.ext4_fd, path, 0755))
			return -1;
		for (f = 0; f < SF_FILES; f++) {
			snprintf(path, sizeof(path), "d%02d/f%02d", d, f);
			fd = openat(sf.ext4_fd, path,
				    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (fd < 0)
				return -1;
			if (write(fd, sf.block, sizeof(sf.block)) !=
			    sizeof(sf.block)) {
				close(fd);
				return -1;
			}
			if (close(fd))
				return -1;
		}
	}
	synced = now_ns();
	ret = syncfs(sf.ext4_fd);
	sf.sync_ns[1] = now_ns() - synced;
	sf.op_ns[1] = now_ns() - start;
	return ret;
}

static int sf_plain_reset(void)
{
	char path[32];
	int d, f;

	for (d = 0; d < SF_DIRS; d++) {
		for (f = 0; f < SF_FILES; f++) {
			snprintf(path, sizeof(path), "d%02d/f%02d", d, f);
			if (unlinkat(sf.ext4_fd, path, 0))
				return -1;
		}
		snprintf(path, sizeof(path), "d%02d", d);
		if (unlinkat(sf.ext4_fd, path, AT_REMOVEDIR))
			return -1;
	}
	return syncfs(sf.ext4_fd);
}

static void sf_note(char *buf, size_t len)
{
	snprintf(buf, len,
		 "last op: exofs %.0f ms, %.0f of them in exo_fs_sync(); ext4 %.0f ms, %.0f in syncfs()",
		 sf.op_ns[0] / 1e6, sf.sync_ns[0] / 1e6, sf.op_ns[1] / 1e6,
		 sf.sync_ns[1] / 1e6);
}

/*
 * mem_fault_upcall: a touch of an unmapped page, resolved by a handler
 * thread of the same process that copies 4 KiB into a frame and maps it.
 * exo: EXO_EVENT_MEM_FAULT on the environment's fd, the copy into a held
 * frame through a second mapping, MEM_FAULT_RESOLVE; the page unbound
 * after. Plain: userfaultfd's missing-page message, UFFDIO_COPY of the
 * same 4 KiB (a fresh anonymous page each time), MADV_DONTNEED after.
 */
#define FAULT_STOP_COOKIE	0xfa17

static struct {
	struct exo *exo;
	struct exo_region *upcall, *stage;
	char *page, *stage_page, *uffd_page;
	__u32 index;
	int have_frame;
	int uffd, uffd_stop[2];
	pthread_t exo_handler, uffd_handler;
	int exo_running, uffd_running;
	_Atomic long handler_errors;
	unsigned char src[4096] __attribute__((aligned(4096)));
} fu = { .uffd = -1, .uffd_stop = { -1, -1 } };

static void *fault_exo_handler(void *arg)
{
	struct exo_event ev;

	(void)arg;
	for (;;) {
		if (exo_event_read(fu.exo, &ev, 1, -1) != 1) {
			fu.handler_errors++;
			return NULL;
		}
		if (ev.type == EXO_EVENT_USER && ev.data[0] == FAULT_STOP_COOKIE)
			return NULL;
		if (ev.type != EXO_EVENT_MEM_FAULT)
			continue;
		memcpy(fu.stage_page, fu.src, mem.page);
		if (exo_mem_fault_resolve(fu.exo, 0, ev.data[0], NULL, fu.index))
			fu.handler_errors++;
	}
}

static void *fault_uffd_handler(void *arg)
{
	struct pollfd p[2] = {
		{ .fd = fu.uffd, .events = POLLIN },
		{ .fd = fu.uffd_stop[0], .events = POLLIN },
	};
	struct uffd_msg msg;

	(void)arg;
	for (;;) {
		struct uffdio_copy copy = { .len = mem.page };

		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			fu.handler_errors++;
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(fu.uffd, &msg, sizeof(msg)) != sizeof(msg)) {
			if (errno != EAGAIN)
				fu.handler_errors++;
			continue;
		}
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		copy.dst = msg.arg.pagefault.address & ~(__u64)(mem.page - 1);
		copy.src = (unsigned long)fu.src;
		if (ioctl(fu.uffd, UFFDIO_COPY, &copy) && errno != EEXIST)
			fu.handler_errors++;
	}
}

static void fault_teardown(struct exo *exo)
{
	if (fu.exo_running) {
		exo_event_raise(exo, FAULT_STOP_COOKIE);
		pthread_join(fu.exo_handler, NULL);
		fu.exo_running = 0;
	}
	if (fu.uffd_running) {
		if (write(fu.uffd_stop[1], "x", 1) != 1)
			perror("exo-bench: stopping the userfaultfd handler");
		pthread_join(fu.uffd_handler, NULL);
		fu.uffd_running = 0;
	}
	if (fu.uffd_page)
		munmap(fu.uffd_page, mem.page);
	if (fu.uffd >= 0)
		close(fu.uffd);
	if (fu.uffd_stop[0] >= 0) {
		close(fu.uffd_stop[0]);
		close(fu.uffd_stop[1]);
	}
	exo_region_destroy(fu.upcall);
	exo_region_destroy(fu.stage);
	if (fu.have_frame && exo_mem_free(exo, &fu.index, 1))
		perror("exo-bench: freeing the fault row's frame");
	fu.have_frame = 0;
	fu.uffd_page = NULL;
	fu.upcall = fu.stage = NULL;
	fu.uffd = fu.uffd_stop[0] = fu.uffd_stop[1] = -1;
}

static int fault_setup_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	fu.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fu.uffd < 0) {
		fprintf(stderr, "exo-bench: userfaultfd: %s\n", strerror(errno));
		return -EOPNOTSUPP;
	}
	if (ioctl(fu.uffd, UFFDIO_API, &api) || pipe(fu.uffd_stop))
		return -errno;
	fu.uffd_page = mmap(NULL, mem.page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fu.uffd_page == MAP_FAILED) {
		fu.uffd_page = NULL;
		return -errno;
	}
	reg.range.start = (unsigned long)fu.uffd_page;
	reg.range.len = mem.page;
	if (ioctl(fu.uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	if (pthread_create(&fu.uffd_handler, NULL, fault_uffd_handler, NULL))
		return -EAGAIN;
	fu.uffd_running = 1;
	return 0;
}

static int fault_setup(struct exo *exo)
{
	struct exo_mem_frame frame;
	struct exo_api api;
	int ret;

	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_MEM) ||
	    !(api.ioctls & (1ULL << EXO_NR_MEM_FAULT_RESOLVE)))
		return -EOPNOTSUPP;
	mem.page = (size_t)sysconf(_SC_PAGESIZE);
	if (mem.page != sizeof(fu.src))
		return -EOPNOTSUPP;
	memset(fu.src, 0x5a, sizeof(fu.src));
	fu.exo = exo;
	fu.stage = exo_region_create(exo, 1);
	fu.upcall = exo_region_create(exo, 1);
	if (!fu.stage || !fu.upcall)
		return -errno;
	fu.stage_page = exo_region_addr(fu.stage);
	fu.page = exo_region_addr(fu.upcall);
	ret = exo_mem_alloc(exo, EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE, 1, 0,
			    &frame, fu.stage_page);
	if (ret)
		return ret;
	fu.index = frame.index;
	fu.have_frame = 1;
	ret = exo_mem_region_set(exo, fu.page, EXO_REGION_FAULT_UPCALL);
	if (ret)
		return ret;
	if (pthread_create(&fu.exo_handler, NULL, fault_exo_handler, NULL))
		return -EAGAIN;
	fu.exo_running = 1;
	return fault_setup_uffd();
}

static int fault_exo(struct exo *exo)
{
	if (*(volatile unsigned char *)fu.page != 0x5a || fu.handler_errors)
		return -1;
	return exo_mem_unmap(exo, fu.page, 1) ? -1 : 0;
}

static int fault_plain(void)
{
	if (*(volatile unsigned char *)fu.uffd_page != 0x5a || fu.handler_errors)
		return -1;
	return madvise(fu.uffd_page, mem.page, MADV_DONTNEED) ? -1 : 0;
}

/*
 * net_ash_echo: one 64-byte UDP datagram from a socket at the far end of a
 * veth, answered and received back there. exo: the binding's ASH handler
 * (exo_ash_udp_echo()) answers in the kernel's receive path. plain: a
 * thread echoes on a bound UDP socket (recvfrom, sendto). alt: a thread
 * runs libexo's UDP/IP in user space (exo_udpip_recv, exo_udpip_send), as
 * samples/udp_echo does. A datagram lost (nothing for a second) fails the
 * sample and is counted for the note.
 */
#define ASHB_EXO_PORT	9301
#define ASHB_HOST_PORT	9302
#define ASHB_LIBOS_PORT	9303
#define ASHB_HOST_IP	"10.77.3.1"
#define ASHB_PEER_IP	"10.77.3.2"
#define ASHB_LIBOS_IP	"10.77.3.3"

static struct {
	struct veth_lab lab;
	struct exo *exo;
	struct exo_ring *ring;		/* the handler's binding */
	struct exo_udpip *udpip;	/* alt: the user-space libOS echo */
	int peer;			/* a UDP socket at the far end */
	int host;			/* plain: the echo thread's socket */
	pthread_t host_thread, libos_thread;
	bool host_started, libos_started;
	volatile bool stop;
	unsigned long lost[3];		/* datagrams lost: exo, plain, alt */
} ashb;

static void *ashb_host_echo(void *arg)
{
	struct sockaddr_in from;
	char buf[NETB_PAYLOAD * 2];
	socklen_t flen;
	ssize_t n;

	(void)arg;
	while (!ashb.stop) {
		flen = sizeof(from);
		n = recvfrom(ashb.host, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &flen);
		if (n > 0)
			sendto(ashb.host, buf, n, 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static void *ashb_libos_echo(void *arg)
{
	struct exo_udp_meta meta;
	char buf[NETB_PAYLOAD * 2];
	int n;

	(void)arg;
	while (!ashb.stop) {
		n = exo_udpip_recv(ashb.udpip, buf, sizeof(buf), &meta, 100);
		if (n >= 0)
			exo_udpip_send(ashb.udpip, &meta, buf, n);
	}
	return NULL;
}

static int ashb_peer_open(void *arg)
{
	struct timeval tv = { .tv_sec = NETB_WAIT_MS / 1000 };
	int *sock = arg;

	*sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*sock < 0)
		return -errno;
	if (setsockopt(*sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

static void ashb_teardown(struct exo *exo)
{
	(void)exo;
	ashb.stop = true;
	if (ashb.host >= 0)
		shutdown(ashb.host, SHUT_RDWR);
	if (ashb.host_started)
		pthread_join(ashb.host_thread, NULL);
	if (ashb.libos_started)
		pthread_join(ashb.libos_thread, NULL);
	ashb.host_started = ashb.libos_started = false;
	exo_udpip_destroy(ashb.udpip);
	ashb.udpip = NULL;
	exo_ring_destroy(ashb.ring);
	ashb.ring = NULL;
	if (ashb.peer >= 0)
		close(ashb.peer);
	if (ashb.host >= 0)
		close(ashb.host);
	ashb.peer = ashb.host = -1;
	veth_lab_teardown(&ashb.lab);
}

static int ashb_setup(struct exo *exo)
{
	struct sockaddr_in host_addr = { .sin_family = AF_INET,
					 .sin_port = htons(ASHB_HOST_PORT) };
	struct exo_udpip_opts opts = { .sz = sizeof(opts) };
	struct exo_ash_insn prog[EXO_ASH_UDP_ECHO_LEN];
	struct exo_net_atom a[4];
	struct exo_api api;
	int n, ret;

	memset(&ashb, 0, sizeof(ashb));
	ashb.exo = exo;
	ashb.peer = ashb.host = -1;
	if (exo_api(exo, &api) || !(api.features & EXO_FEATURE_NET))
		return -EOPNOTSUPP;
	ret = veth_lab_setup(&ashb.lab, "exoa0", "exoa0p", ASHB_HOST_IP,
			     ASHB_PEER_IP, 24);
	if (ret)
		goto fail;
	/* exo: UDP/IPv4 to ASHB_EXO_PORT, answered by the handler. */
	memset(a, 0, sizeof(a));
	a[0].offset = 12, a[0].width = 2, a[0].mask = 0xffff, a[0].value = 0x0800;
	a[1].offset = 14, a[1].width = 1, a[1].mask = 0xff, a[1].value = 0x45;
	a[2].offset = 23, a[2].width = 1, a[2].mask = 0xff, a[2].value = 17;
	a[3].offset = 36, a[3].width = 2, a[3].mask = 0xffff,
	a[3].value = ASHB_EXO_PORT;
	ashb.ring = exo_ring_create(exo, 0, ashb.lab.ifindex, a, 4, 64, 256);
	n = exo_ash_udp_echo(prog, EXO_ASH_UDP_ECHO_LEN);
	if (!ashb.ring || n < 0 ||
	    exo_net_ash_set(exo, exo_ring_id(ashb.ring), prog, n, NULL)) {
		ret = -errno;
		goto fail;
	}
	/* plain: a socket echo on the host's address. */
	ashb.host = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	inet_pton(AF_INET, ASHB_HOST_IP, &host_addr.sin_addr);
	if (ashb.host < 0 ||
	    bind(ashb.host, (struct sockaddr *)&host_addr, sizeof(host_addr))) {
		ret = -errno;
		goto fail;
	}
	/* alt: the libOS's own address, its ARP and UDP served in user space. */
	opts.ifindex = ashb.lab.ifindex;
	inet_pton(AF_INET, ASHB_LIBOS_IP, &opts.ip);
	ashb.udpip = exo_udpip_create(exo, &opts);
	if (!ashb.udpip) {
		ret = -errno;
		goto fail;
	}
	ret = veth_in_peer(&ashb.lab, ashb_peer_open, &ashb.peer);
	if (ret)
		goto fail;
	ret = -pthread_create(&ashb.host_thread, NULL, ashb_host_echo, NULL);
	if (ret)
		goto fail;
	ashb.host_started = true;
	ret = -pthread_create(&ashb.libos_thread, NULL, ashb_libos_echo, NULL);
	if (ret)
		goto fail;
	ashb.libos_started = true;
	return 0;
fail:
	fprintf(stderr, "exo-bench: net_ash_echo setup: %s\n", strerror(-ret));
	ashb_teardown(exo);
	return ret ? ret : -EIO;
}

/* One datagram to @ip:@port and its echo back: 0, 1 if lost, -1 if wrong. */
static int ashb_round(const char *ip, unsigned short port, unsigned long *lost)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	char out[NETB_PAYLOAD], in[NETB_PAYLOAD * 2];
	ssize_t n;

	memset(out, 'e', sizeof(out));
	inet_pton(AF_INET, ip, &to.sin_addr);
	if (sendto(ashb.peer, out, sizeof(out), 0, (struct sockaddr *)&to,
		   sizeof(to)) != sizeof(out))
		return -1;
	n = recv(ashb.peer, in, sizeof(in), 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		(*lost)++;
		return 1;
	}
	return n == sizeof(out) && !memcmp(in, out, sizeof(out)) ? 0 : -1;
}

static int ashb_exo(struct exo *exo)
{
	(void)exo;
	return ashb_round(ASHB_HOST_IP, ASHB_EXO_PORT, &ashb.lost[0]);
}

static int ashb_plain(void)
{
	return ashb_round(ASHB_HOST_IP, ASHB_HOST_PORT, &ashb.lost[1]);
}

static int ashb_alt(void)
{
	return ashb_round(ASHB_LIBOS_IP, ASHB_LIBOS_PORT, &ashb.lost[2]);
}

static void ashb_note(char *buf, size_t len)
{
	struct exo_net_stats st;

	if (ashb.ring && !exo_net_stats(ashb.exo, exo_ring_id(ashb.ring), &st))
		snprintf(buf, len, "answered in the kernel %llu; lost: exo %lu, plain %lu, libOS %lu",
			 (unsigned long long)st.ash_replied, ashb.lost[0],
			 ashb.lost[1], ashb.lost[2]);
	else
		snprintf(buf, len, "lost: exo %lu, plain %lu, libOS %lu",
			 ashb.lost[0], ashb.lost[1], ashb.lost[2]);
}

static const struct bench_row rows[] = {
	{
		.name = "null_ioctl",
		.exo_path = "EXO_IOC_NOP", .plain_path = "getppid()",
		.exo_work = "ioctl(EXO_IOC_NOP) on /dev/exo",
		.plain_work = "getppid()",
		.exo_op = null_exo, .plain_op = null_plain,
	},
	{
		.name = "ioctl_floor",
		.exo_path = "ioctl(/dev/null)", .plain_path = "getppid()",
		.exo_work = "ioctl(2) on /dev/null, refused ENOTTY before any driver (context, not exo)",
		.plain_work = "getppid()",
		.exo_op = floor_exo, .plain_op = null_plain,
		.setup = floor_setup, .teardown = floor_teardown,
	},
	{
		.name = "mem_bind_map_1",
		.exo_path = "ALLOC_MAP+FREE", .plain_path = "mmap+munmap",
		.exo_work = "MEM_ALLOC+MAP of 1 frame into a standing region, a write, MEM_FREE; the worker zeroes it",
		.plain_work = "mmap(MAP_POPULATE) of 1 anonymous page, a write, munmap",
		.exo_op = mem1_exo, .plain_op = mem1_plain,
		.setup = mem_setup, .teardown = mem_teardown, .settle = mem_settle,
		.count_cpu = 1,
		.iters = 4000, .chunk = 500, .warmup = 500,
	},
	{
		.name = "mem_bind_map_1_region",
		.exo_path = "region+ALLOC_MAP", .plain_path = "mmap+munmap",
		.exo_work = "exo_region_create, MEM_ALLOC+MAP of 1 frame, a write, MEM_FREE, exo_region_destroy; the worker zeroes it",
		.plain_work = "mmap(MAP_POPULATE) of 1 anonymous page, a write, munmap",
		.exo_op = mem1_region_exo, .plain_op = mem1_plain,
		.setup = mem_setup, .teardown = mem_teardown, .settle = mem_settle,
		.count_cpu = 1,
		.iters = 4000, .chunk = 500, .warmup = 500,
	},
	{
		.name = "null_ring_32",
		.exo_path = "32 NOPs, 1 RING_ENTER", .plain_path = "32 getppid()",
		.exo_work = "32 EXO_IOC_NOP SQEs queued, one EXO_IOC_RING_ENTER, 32 CQEs reaped",
		.plain_work = "32 getppid()",
		.exo_op = null_ring_exo, .plain_op = null_ring_plain,
		.setup = null_ring_setup,
		.iters = 4000, .chunk = 500, .warmup = 500,
	},
	{
		.name = "mem_bind_map_ring",
		.exo_path = "ring FREE+ALLOC_MAP", .plain_path = "mmap+munmap",
		.exo_work = "one RING_ENTER: MEM_FREE of the last op's frame and MEM_ALLOC+MAP of 1 frame into a standing region; a write; the worker zeroes it",
		.plain_work = "mmap(MAP_POPULATE) of 1 anonymous page, a write, munmap",
		.exo_op = mem_ring_exo, .plain_op = mem1_plain,
		.setup = mem_ring_setup, .teardown = mem_ring_teardown,
		.settle = mem_settle,
		.count_cpu = 1,
		.iters = 4000, .chunk = 500, .warmup = 500,
	},
	{
		.name = "mem_bind_map_512",
		.exo_path = "ALLOC_MAP+FREE", .plain_path = "mmap 2MiB",
		.exo_work = "MEM_ALLOC+MAP of 512 frames into a standing region, a write to each, MEM_FREE; the worker zeroes them",
		.plain_work = "mmap(MAP_POPULATE) of 512 anonymous pages, a write to each, munmap",
		.exo_op = mem512_exo, .plain_op = mem512_plain,
		.setup = mem_setup, .teardown = mem_teardown, .settle = mem_settle,
		.count_cpu = 1,
		.iters = 60, .chunk = 10, .warmup = 10,
	},
	{
		.name = "mem_bind_map_512_region",
		.exo_path = "region+ALLOC_MAP", .plain_path = "mmap 2MiB",
		.exo_work = "exo_region_create, MEM_ALLOC+MAP of 512 frames, a write to each, MEM_FREE, exo_region_destroy; the worker zeroes them",
		.plain_work = "mmap(MAP_POPULATE) of 512 anonymous pages, a write to each, munmap",
		.exo_op = mem512_region_exo, .plain_op = mem512_plain,
		.setup = mem_setup, .teardown = mem_teardown, .settle = mem_settle,
		.count_cpu = 1,
		.iters = 60, .chunk = 10, .warmup = 10,
	},
	{
		.name = "mem_fault_upcall",
		.exo_path = "MEM_FAULT upcall", .plain_path = "userfaultfd",
		.exo_work = "a read of an unbound page of an upcall region; a handler thread gets EXO_EVENT_MEM_FAULT, copies 4 KiB into a held frame, MEM_FAULT_RESOLVE; MEM_UNMAP after",
		.plain_work = "a read of a missing page of a userfaultfd range; a handler thread reads the message, UFFDIO_COPY of 4 KiB; MADV_DONTNEED after",
		.exo_op = fault_exo, .plain_op = fault_plain,
		.setup = fault_setup, .teardown = fault_teardown,
		.iters = 2000, .chunk = 250, .warmup = 200,
	},
	{
		.name = "net_rx_32",
		.exo_path = "exo_udpip_recv", .plain_path = "recvmmsg",
		.exo_work = "32 UDP frames sent over veth; ring receive, IPv4+UDP headers and checksums checked, 64-byte payloads copied (exo_udpip_recv)",
		.plain_work = "32 UDP frames sent over veth; recvmmsg() on a bound UDP socket, 64-byte payloads copied",
		.exo_op = net_exo, .plain_op = net_plain,
		.setup = net_setup, .teardown = net_teardown, .note = net_note,
		.count_cpu = 1,
		.iters = 400, .chunk = 50, .warmup = 20,
	},
	{
		.name = "net_demux_64",
		.exo_path = "64 rings", .plain_path = "64 sockets",
		.exo_work = "32 UDP frames over veth to 32 of 64 ports, each with its own filter and ring; rings scanned, headers and checksums checked, payloads copied",
		.plain_work = "32 UDP frames over veth to 32 of 64 ports, each with its own bound UDP socket; epoll_wait(), recvmmsg() on each ready socket",
		.exo_op = netd_exo, .plain_op = netd_plain,
		.setup = netd_setup, .teardown = netd_teardown, .note = net_note,
		.count_cpu = 1,
		.iters = 400, .chunk = 50, .warmup = 20,
	},
	{
		.name = "net_ash_echo",
		.exo_path = "ASH echo", .plain_path = "socket echo",
		.exo_work = "a 64-byte UDP datagram from the far end of a veth, answered in the kernel by the binding's ASH handler (exo_ash_udp_echo), received back",
		.plain_work = "a 64-byte UDP datagram from the far end of a veth, echoed by a thread on a bound UDP socket (recvfrom, sendto), received back",
		.alt_path = "libOS echo",
		.alt_work = "a 64-byte UDP datagram from the far end of a veth, echoed by a thread running libexo's UDP/IP (exo_udpip_recv, exo_udpip_send), received back",
		.exo_op = ashb_exo, .plain_op = ashb_plain, .alt_op = ashb_alt,
		.setup = ashb_setup, .teardown = ashb_teardown, .note = ashb_note,
		.count_cpu = 1,
		.iters = 2000, .chunk = 250, .warmup = 100,
	},
	{
		.name = "xn_read_cached",
		.exo_path = "map of XN block", .plain_path = "map of ext4",
		.exo_work = "memcpy of 4 KiB from the mapping of a cached XN data block",
		.plain_work = "memcpy of 4 KiB from an mmap of a page-cache-warm ext4 file",
		.alt_path = "pread 4KiB", .alt_work = "pread() of 4 KiB of that ext4 file",
		.exo_op = xn_read_exo, .plain_op = xn_read_plain,
		.alt_op = xn_read_pread,
		.setup = xn_read_setup, .teardown = xn_teardown,
	},
	{
		.name = "xn_alloc",
		.exo_path = "XN ALLOC+FREE", .plain_path = "ext4 falloc+punch",
		.exo_work = "XN_ALLOC of a block to a root and XN_FREE of it (owns UDF run 4 times); no sync",
		.plain_work = "ext4 fallocate() of a block inside a file and a punch-hole freeing it; no sync",
		.exo_op = xn_alloc_exo, .plain_op = xn_alloc_plain,
		.setup = xn_alloc_setup, .teardown = xn_teardown, .count_cpu = 1,
		.iters = 2000, .chunk = 250, .warmup = 200,
	},
	{
		.name = "xn_smallfile",
		.exo_path = "exofs 1000x4K", .plain_path = "ext4 1000x4K",
		.exo_work = "exofs: 20 directories of 50 files, 4 KiB written to each, exo_fs_sync()",
		.plain_work = "ext4: 20 directories of 50 files, 4 KiB written to each, syncfs()",
		.exo_op = sf_exo, .plain_op = sf_plain,
		.exo_reset = sf_exo_reset, .plain_reset = sf_plain_reset,
		.setup = sf_setup, .teardown = sf_teardown, .note = sf_note,
		.count_cpu = 1,
		.iters = 1, .chunk = 1, .warmup = 1, .runs = 5,
	},
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * Busy time of all CPUs so far, in ns, from /proc/stat's "cpu" line: user,
 * nice, system, irq, softirq and steal (idle and iowait are not work).
 * Its unit is the clock tick, so one chunk's figure is coarse; summed over
 * every chunk of a row it is not. 0 if /proc/stat cannot be read.
 */
static double busy_ns(void)
{
	unsigned long long v[8] = { 0 };
	static long tick;
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!tick)
		tick = sysconf(_SC_CLK_TCK);
	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8 || tick <= 0)
		return 0;
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e9 / tick;
}

enum side { SIDE_EXO, SIDE_PLAIN, SIDE_ALT, SIDES };

struct side_total {
	double wall_ns;		/* this run */
	double busy_ns;		/* every run */
	long calls;		/* every counted run */
	double runs[RUNS];	/* wall ns per call of each counted run */
};

struct row_result {
	double wall_ns[SIDES];	/* median over the counted runs */
	double min_ns[SIDES], max_ns[SIDES];	/* of the same runs */
	double cpu_ns[SIDES];	/* 0: not measured */
	int runs, lost_runs;
};

static int call_side(const struct bench_row *row, struct exo *exo, enum side s)
{
	switch (s) {
	case SIDE_EXO:
		return row->exo_op(exo);
	case SIDE_PLAIN:
		return row->plain_op();
	default:
		return row->alt_op();
	}
}

/* Undo a chunk's work, outside the timing; 0 or -1. */
static int reset_side(const struct bench_row *row, struct exo *exo, enum side s)
{
	if (s == SIDE_EXO)
		return row->exo_reset ? row->exo_reset(exo) : 0;
	return row->plain_reset ? row->plain_reset() : 0;
}

/*
 * One chunk of one side: -1 on an error, 1 if a call lost its sample, else
 * 0. Its wall time covers the calls; its busy time also the settle.
 */
static int run_chunk(const struct bench_row *row, struct exo *exo, enum side s,
		     int calls, struct side_total *tot, double *busy)
{
	double b0 = row->count_cpu ? busy_ns() : 0, t = now_ns();
	int i, ret, lost = 0;

	for (i = 0; i < calls; i++) {
		ret = call_side(row, exo, s);
		if (ret < 0)
			return -1;
		lost |= ret;
	}
	tot->wall_ns += now_ns() - t;
	if (row->settle && row->settle())
		return -1;
	if (row->count_cpu)
		*busy += busy_ns() - b0;
	if (reset_side(row, exo, s))
		return -1;
	return lost;
}

static int measure(const struct bench_row *row, struct exo *exo,
		   struct row_result *res)
{
	static const enum side abba[2][SIDES] = {
		{ SIDE_EXO, SIDE_PLAIN, SIDE_ALT },
		{ SIDE_ALT, SIDE_PLAIN, SIDE_EXO },
	};
	int iters = row->iters ? row->iters : ITERS;
	int chunk = row->chunk ? row->chunk : CHUNK;
	int warmup = row->warmup ? row->warmup : WARMUP;
	int runs = row->runs ? row->runs : RUNS;
	int sides = row->alt_op ? 3 : 2;
	struct side_total tot[SIDES];
	double ignored = 0;
	int run, i, k, n = 0;

	if (quick) {
		chunk = chunk < 4 ? chunk : 4;
		iters = chunk;
		warmup = warmup < 2 ? warmup : 2;
		runs = 1;
	}
	memset(tot, 0, sizeof(tot));
	memset(res, 0, sizeof(*res));

	for (i = 0; i < warmup; i++)
		for (k = 0; k < SIDES; k++) {
			enum side s = abba[i & 1][k];

			if ((s != SIDE_ALT || row->alt_op) &&
			    run_chunk(row, exo, s, 1, &tot[s], &ignored) < 0)
				return -1;
		}
	for (run = 0; run < runs; run++) {
		double busy[SIDES] = { 0 };
		int done, c = 0, lost = 0, ret;

		for (k = 0; k < SIDES; k++)
			tot[k].wall_ns = 0;
		for (done = 0; done < iters; done += chunk, c++)
			for (k = 0; k < SIDES; k++) {
				enum side s = abba[c & 1][k];

				if (s == SIDE_ALT && !row->alt_op)
					continue;
				ret = run_chunk(row, exo, s, chunk, &tot[s], &busy[s]);
				if (ret < 0)
					return -1;
				lost |= ret;
			}
		if (lost) {
			res->lost_runs++;
			continue;
		}
		for (k = 0; k < sides; k++) {
			tot[k].runs[n] = tot[k].wall_ns / iters;
			tot[k].busy_ns += busy[k];
			tot[k].calls += iters;
		}
		n++;
	}
	/* Too few samples left to call a median a measurement. */
	if (n == 0 || res->lost_runs * 2 >= runs)
		return -1;
	res->runs = n;
	for (k = 0; k < sides; k++) {
		res->wall_ns[k] = median(tot[k].runs, n);
		/* median() sorted them. */
		res->min_ns[k] = tot[k].runs[0];
		res->max_ns[k] = tot[k].runs[n - 1];
		res->cpu_ns[k] = tot[k].busy_ns > 0 ? tot[k].busy_ns / tot[k].calls : 0;
	}
	return 0;
}

static void tsv_num(double v, int last)
{
	if (v > 0)
		printf("%.1f%c", v, last ? '\n' : '\t');
	else
		printf("-%c", last ? '\n' : '\t');
}

static void tsv_ratio(double num, double den)
{
	if (num > 0 && den > 0)
		printf("%.3f\t", num / den);
	else
		printf("-\t");
}

static void print_header(int tsv)
{
	if (tsv)
		printf("row\texo_ns\tplain_ns\tspeedup\texo_cpu_ns\tplain_cpu_ns\t"
		       "cpu_speedup\talt_ns\talt_speedup\texo_work\tplain_work\t"
		       "alt_work\texo_min_ns\texo_max_ns\tplain_min_ns\t"
		       "plain_max_ns\tnote\n");
	else
		printf("%-24s %-18s %12s   %-17s %12s   %8s %8s\n", "row", "exo path",
		       "ns/op", "plain path", "ns/op", "speedup", "cpu");
}

/* One row, in the chosen format; @note may be empty. */
static void print_result(int tsv, const struct bench_row *row,
			 const struct row_result *r, const char *note)
{
	const double *w = r->wall_ns, *c = r->cpu_ns;

	if (tsv) {
		printf("%s\t%.1f\t%.1f\t%.3f\t", row->name, w[SIDE_EXO],
		       w[SIDE_PLAIN], w[SIDE_PLAIN] / w[SIDE_EXO]);
		tsv_num(c[SIDE_EXO], 0);
		tsv_num(c[SIDE_PLAIN], 0);
		tsv_ratio(c[SIDE_PLAIN], c[SIDE_EXO]);
		tsv_num(w[SIDE_ALT], 0);
		tsv_ratio(w[SIDE_ALT], w[SIDE_EXO]);
		printf("%s\t%s\t%s\t", row->exo_work, row->plain_work,
		       row->alt_work ? row->alt_work : "-");
		tsv_num(r->min_ns[SIDE_EXO], 0);
		tsv_num(r->max_ns[SIDE_EXO], 0);
		tsv_num(r->min_ns[SIDE_PLAIN], 0);
		tsv_num(r->max_ns[SIDE_PLAIN], 0);
		printf("%s\n", *note ? note : "-");
		return;
	}
	printf("%-24s %-18s %12.1f   %-17s %12.1f   %7.2fx", row->name,
	       row->exo_path, w[SIDE_EXO], row->plain_path, w[SIDE_PLAIN],
	       w[SIDE_PLAIN] / w[SIDE_EXO]);
	if (c[SIDE_EXO] > 0 && c[SIDE_PLAIN] > 0)
		printf(" %7.2fx\n", c[SIDE_PLAIN] / c[SIDE_EXO]);
	else
		printf("        -\n");
	if (c[SIDE_EXO] > 0 && c[SIDE_PLAIN] > 0)
		printf("%-24s cpu ns/op, all CPUs: exo %.1f, plain %.1f\n", "",
		       c[SIDE_EXO], c[SIDE_PLAIN]);
	if (r->max_ns[SIDE_EXO] > 0)
		printf("%-24s min-max ns/op: exo %.1f-%.1f, plain %.1f-%.1f\n", "",
		       r->min_ns[SIDE_EXO], r->max_ns[SIDE_EXO],
		       r->min_ns[SIDE_PLAIN], r->max_ns[SIDE_PLAIN]);
	if (w[SIDE_ALT] > 0)
		printf("%-24s vs %s: %.1f ns/op, %.2fx\n", "", row->alt_path,
		       w[SIDE_ALT], w[SIDE_ALT] / w[SIDE_EXO]);
	if (*note)
		printf("%-24s %s\n", "", note);
}

/*
 * cpu_wake: the delay from the start of a turn to the bound thread running
 * (its EXO_IOC_CPU_WAIT returning), against the delay from a timerfd
 * expiry to the thread blocked in read(2) running. Both are measured from
 * the timer's own deadline, on the same pinned thread, samples alternating:
 * the timerfd is set for the unbooked slot between two of ours.
 * This is a latency, not a throughput: it has its own loop and reports
 * medians and the 99th percentile.
 */
#define WAKE_SAMPLES	201
#define WAKE_SAMPLES_QUICK	11
#define WAKE_WARMUP	5

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A latency row: medians, and both p99s in the note; @a may be NULL. */
static void report_latency(const struct bench_row *row, unsigned long long *e,
			   unsigned long long *p, unsigned long long *a, int n,
			   int tsv)
{
	struct row_result r = { .runs = 1 };
	char note[96];

	qsort(e, n, sizeof(*e), cmp_u64);
	qsort(p, n, sizeof(*p), cmp_u64);
	if (a) {
		qsort(a, n, sizeof(*a), cmp_u64);
		r.wall_ns[SIDE_ALT] = a[n / 2];
	}
	r.wall_ns[SIDE_EXO] = e[n / 2];
	r.wall_ns[SIDE_PLAIN] = p[n / 2];
	r.min_ns[SIDE_EXO] = e[0];
	r.max_ns[SIDE_EXO] = e[n - 1];
	r.min_ns[SIDE_PLAIN] = p[0];
	r.max_ns[SIDE_PLAIN] = p[n - 1];
	snprintf(note, sizeof(note), "median of %d; p99 exo %llu ns, plain %llu ns",
		 n, e[n * 99 / 100], p[n * 99 / 100]);
	print_result(tsv, row, &r, note);
}

static const struct bench_row wake_row = {
	.name = "cpu_wake",
	.exo_path = "slot start->run", .plain_path = "timerfd",
	.exo_work = "a booked slot starts; the bound thread's CPU_WAIT returns",
	.plain_work = "a timerfd expires; the thread blocked in read(2) runs",
};

static const struct bench_row yield_row = {
	.name = "cpu_yield_to",
	.exo_path = "WAIT_DONATE rt", .plain_path = "pipe rt",
	.exo_work = "a round trip of the CPU between two environments by WAIT_DONATE",
	.plain_work = "a one-byte pipe ping-pong between two processes on that CPU",
	.alt_path = "futex rt",
	.alt_work = "a futex ping-pong on a shared word between two processes on that CPU",
};

static int cpu_wake_bench(struct exo *exo, int tsv)
{
	static unsigned long long exo_lat[WAKE_SAMPLES], plain_lat[WAKE_SAMPLES];
	struct itimerspec its = { 0 };
	struct exo_cpu_info info;
	struct exo_cpu_wake wake;
	unsigned long long t, target, exp;
	int cpu, tfd, i, ret, stride;
	int samples = quick ? WAKE_SAMPLES_QUICK : WAKE_SAMPLES;

	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &info))
			break;
	if (cpu == 64) {
		if (!tsv)
			printf("%-24s skipped: exo manages no CPU here\n", "cpu_wake");
		return 0;
	}
	stride = info.nslots >= 2 ? 2 : 1;
	ret = exo_cpu_book(exo, cpu, 0, info.nslots / stride, stride);
	if (ret)
		return ret;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0 || exo_cpu_bind(exo, cpu, 0, 0)) {
		ret = -errno;
		goto out;
	}
	for (i = -WAKE_WARMUP; i < samples; i++) {
		ret = exo_cpu_wait(exo, 10000, &wake);
		if (ret)
			break;
		t = mono_ns();
		exo_cpu_yield(exo, 0, NULL);
		/*
		 * The timer goes off at the start of the next slot, one we did
		 * not book: both paths then sleep about as long before their
		 * wake, which under emulation matters as much as the path.
		 */
		target = wake.start_ns + info.quantum_ns;
		if (target < mono_ns() + 100000)
			target = mono_ns() + 1000000;
		its.it_value.tv_sec = target / 1000000000ULL;
		its.it_value.tv_nsec = target % 1000000000ULL;
		if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) ||
		    read(tfd, &exp, sizeof(exp)) != sizeof(exp)) {
			ret = -errno;
			break;
		}
		if (i < 0)
			continue;
		exo_lat[i] = t - wake.start_ns;
		plain_lat[i] = mono_ns() - target;
	}
	exo_cpu_unbind(exo);
	if (ret)
		goto out;
	qsort(exo_lat, samples, sizeof(exo_lat[0]), cmp_u64);
	qsort(plain_lat, samples, sizeof(plain_lat[0]), cmp_u64);
	report_latency(&wake_row, exo_lat, plain_lat, NULL, samples, tsv);
out:
	if (tfd >= 0)
		close(tfd);
	exo_cpu_free(exo, cpu, 0, info.nslots / stride, stride);
	return ret;
}

/*
 * cpu_yield_to: a round trip of the CPU between two environments bound to
 * the same CPU, each giving the rest of its turn to the other and waiting
 * (EXO_IOC_CPU_WAIT with EXO_CPU_WAIT_DONATE: Aegis's protected control
 * transfer), against a one-byte pipe ping-pong between two processes
 * pinned to that CPU, and (alt) a futex ping-pong between two such
 * processes on a shared word, the cheapest sleep-and-wake Linux has. Each
 * round trip is timed; medians and p99.
 */
#define PONG_SAMPLES	2000
#define PONG_SAMPLES_QUICK	20
#define PONG_CHUNK	100
#define PONG_CHUNK_QUICK	10

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The other environment: hand every turn straight back. */
static void __attribute__((noreturn)) pong_exo(int cpu, int tx)
{
	struct exo_cpu_wake wake;
	struct exo_env_info info;
	__u64 partner;
	struct exo *exo = exo_open(NULL);

	if (!exo || exo_env_info(exo, &info) || exo_cpu_bind(exo, cpu, 0, 0))
		_exit(1);
	if (write(tx, &info.env_id, sizeof(info.env_id)) != sizeof(info.env_id) ||
	    read(tx, &partner, sizeof(partner)) != sizeof(partner))
		_exit(1);
	for (;;) {
		int ret = exo_cpu_wait_donate(exo, partner, 2000, &wake);

		if (ret == -ETIMEDOUT)
			_exit(0);
		if (ret && ret != -EAGAIN && ret != -EINTR)
			_exit(1);
	}
}

/*
 * close_fd is our copy of the ping pipe's write end: holding it, read(2)
 * would never see the end of the pipe and we would never exit.
 */
static void __attribute__((noreturn)) pong_pipe(int cpu, int rx, int tx,
						int close_fd)
{
	char c;

	close(close_fd);
	if (pin_to(cpu))
		_exit(1);
	while (read(rx, &c, 1) == 1)
		if (write(tx, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

/* The futex ping-pong's shared word: whose move it is, or the end. */
enum { PONG_PING, PONG_PONG, PONG_END };

static long futex_op(unsigned int *word, int op, unsigned int val)
{
	/* A bound on each wait: a partner that died must not hang the row. */
	struct timespec second = { .tv_sec = 1 };

	return syscall(SYS_futex, word, op, val,
		       op == FUTEX_WAIT ? &second : NULL, NULL, 0);
}

/* The futex partner: answer every PING with a PONG until END. */
static void __attribute__((noreturn)) pong_futex(int cpu, unsigned int *word)
{
	unsigned int v;

	if (pin_to(cpu))
		_exit(1);
	for (;;) {
		v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		if (v == PONG_END)
			_exit(0);
		if (v != PONG_PONG) {
			futex_op(word, FUTEX_WAIT, v);
			continue;
		}
		__atomic_store_n(word, PONG_PING, __ATOMIC_RELEASE);
		futex_op(word, FUTEX_WAKE, 1);
	}
}

/*
 * @n timed futex round trips with partner @pf: hand the word over, sleep
 * until it is back. 0, or -ECHILD if the partner is gone.
 */
static int futex_chunk(unsigned int *word, pid_t pf, unsigned long long *rt,
		       int n)
{
	int j;

	for (j = 0; j < n; j++) {
		unsigned long long t = mono_ns();

		__atomic_store_n(word, PONG_PONG, __ATOMIC_RELEASE);
		futex_op(word, FUTEX_WAKE, 1);
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == PONG_PONG)
			if (futex_op(word, FUTEX_WAIT, PONG_PONG) &&
			    errno == ETIMEDOUT && waitpid(pf, NULL, WNOHANG))
				return -ECHILD;
		rt[j] = mono_ns() - t;
	}
	return 0;
}

/* @n timed round trips of the CPU to @partner and back; 0 or -errno. */
static int donate_chunk(struct exo *exo, __u64 partner,
			unsigned long long *rt, int n)
{
	struct exo_cpu_wake wake;
	int j, ret;

	for (j = 0; j < n; j++) {
		unsigned long long t = mono_ns();

		ret = exo_cpu_wait_donate(exo, partner, 10000, &wake);
		if (ret == -EAGAIN) {
			/* Not waiting yet: let it get there. */
			usleep(50);
			j--;
			continue;
		}
		if (ret)
			return ret;
		rt[j] = mono_ns() - t;
	}
	return 0;
}

/* @n timed one-byte round trips through the partner's pipes. */
static int pipe_chunk(int tx, int rx, unsigned long long *rt, int n)
{
	char c = 'x';
	int j;

	for (j = 0; j < n; j++) {
		unsigned long long t = mono_ns();

		if (write(tx, &c, 1) != 1 || read(rx, &c, 1) != 1)
			return -EIO;
		rt[j] = mono_ns() - t;
	}
	return 0;
}

#define ENV_SLOTS_PARAM "/sys/module/exo/parameters/env_slots"

/*
 * Write exo.ko's env_slots (the most slots one environment books on one
 * CPU); @old gets what it was. 0, or -errno (not root, no such file).
 */
static int env_slots_swap(const char *val, char *old, size_t oldlen)
{
	int fd = open(ENV_SLOTS_PARAM, O_RDWR | O_CLOEXEC), ret = 0;
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = old ? read(fd, old, oldlen - 1) : 0;
	if (old)
		old[len > 0 ? len : 0] = '\0';
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

static int cpu_yield_to_bench(struct exo *exo, int tsv)
{
	static unsigned long long exo_rt[PONG_SAMPLES], pipe_rt[PONG_SAMPLES];
	static unsigned long long futex_rt[PONG_SAMPLES];
	unsigned int *word = MAP_FAILED;
	pid_t pf = -1;
	int sv[2] = { -1, -1 }, to[2] = { -1, -1 }, from[2] = { -1, -1 };
	struct exo_cpu_info info;
	struct exo_env_info me;
	struct exo_cpu_wake wake;
	pid_t pe = -1, pp = -1;
	int samples = quick ? PONG_SAMPLES_QUICK : PONG_SAMPLES;
	int chunk = quick ? PONG_CHUNK_QUICK : PONG_CHUNK;
	char slots_val[16], slots_old[16] = "0";
	int cpu, i, ret;
	__u64 partner;

	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &info))
			break;
	if (cpu == 64) {
		if (!tsv)
			printf("%-24s skipped: exo manages no CPU here\n", "cpu_yield_to");
		return 0;
	}
	/*
	 * The row measures hand-offs on a CPU dedicated to one libOS, whose
	 * turn never ends: more than env_slots allows by default, so raise
	 * it for the row (root only) and put it back after.
	 */
	snprintf(slots_val, sizeof(slots_val), "%u", info.nslots);
	ret = env_slots_swap(slots_val, slots_old, sizeof(slots_old));
	if (ret) {
		fprintf(stderr, "cpu_yield_to: cannot raise %s: %s\n",
			ENV_SLOTS_PARAM, strerror(-ret));
		return ret;
	}
	ret = exo_env_info(exo, &me);
	if (!ret)
		ret = exo_cpu_book(exo, cpu, 0, info.nslots, 1);
	if (ret) {
		env_slots_swap(slots_old, NULL, 0);
		return ret;
	}
	ret = -errno;
	word = mmap(NULL, sizeof(*word), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		goto out;
	*word = PONG_PING;
	pe = fork();
	if (pe == 0)
		pong_exo(cpu, sv[1]);
	pp = fork();
	if (pp == 0)
		pong_pipe(cpu, to[0], from[1], to[1]);
	pf = fork();
	if (pf == 0)
		pong_futex(cpu, word);
	if (pe < 0 || pp < 0 || pf < 0 ||
	    read(sv[0], &partner, sizeof(partner)) != sizeof(partner) ||
	    write(sv[0], &me.env_id, sizeof(me.env_id)) != sizeof(me.env_id))
		goto out;
	ret = exo_cpu_bind(exo, cpu, 0, 0);
	if (ret)
		goto out;
	/* Our first turn, then the partner must be waiting for a donation. */
	ret = exo_cpu_wait(exo, 10000, &wake);
	/*
	 * ABBA: exo first in every other chunk (exo, pipe, futex, then
	 * futex, pipe, exo). Unbound meanwhile would be unfair to neither:
	 * stay bound.
	 */
	for (i = 0; !ret && i < samples; i += chunk) {
		int pass, side;

		for (pass = 0; !ret && pass < 3; pass++) {
			side = (i / chunk) % 2 ? 2 - pass : pass;
			if (side == 0)
				ret = donate_chunk(exo, partner, exo_rt + i, chunk);
			else if (side == 1)
				ret = pipe_chunk(to[1], from[0], pipe_rt + i, chunk);
			else
				ret = futex_chunk(word, pf, futex_rt + i, chunk);
		}
	}
	exo_cpu_unbind(exo);
	if (!ret)
		report_latency(&yield_row, exo_rt, pipe_rt, futex_rt, samples,
			       tsv);
out:
	if (to[1] >= 0)
		close(to[1]);
	/*
	 * Its donations to us, now unbound, fail with EAGAIN at once, so it
	 * would retry forever at SCHED_FIFO: end it.
	 */
	if (pe > 0) {
		kill(pe, SIGKILL);
		waitpid(pe, NULL, 0);
	}
	/* First: it holds a copy of the ping pipe's write end too. */
	if (pf > 0) {
		__atomic_store_n(word, PONG_END, __ATOMIC_RELEASE);
		futex_op(word, FUTEX_WAKE, 1);
		waitpid(pf, NULL, 0);
	}
	if (pp > 0)
		waitpid(pp, NULL, 0);
	if (word != MAP_FAILED)
		munmap(word, sizeof(*word));
	for (i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (from[i] >= 0)
			close(from[i]);
	}
	if (to[0] >= 0)
		close(to[0]);
	exo_cpu_free(exo, cpu, 0, info.nslots, 1);
	env_slots_swap(slots_old, NULL, 0);
	return ret;
}

/* BENCH_ROWS="a b": only those rows; unset or empty, every row. */
static int row_wanted(const char *only, const char *name)
{
	size_t len = strlen(name);
	const char *p = only;

	if (!only || !*only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ' ' || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == ','))
			return 1;
		p += len;
	}
	return 0;
}

int main(void)
{
	const char *only = getenv("BENCH_ROWS");
	const char *format = getenv("BENCH_FORMAT");
	const char *quick_env = getenv("BENCH_QUICK");
	int tsv = format && !strcmp(format, "tsv");
	struct row_result res;
	struct exo *exo;
	char note[256];
	size_t i, len;

	quick = quick_env && strcmp(quick_env, "0") && *quick_env;
	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "exo-bench: open /dev/exo: %s (is exo.ko loaded?)\n",
			strerror(errno));
		return 1;
	}

	if (quick && !tsv)
		printf("exo-bench: BENCH_QUICK=1, a smoke run: a few calls per row, no numbers to keep\n");
	if (!tsv)
		printf("exo-bench: median of %d runs x %d calls, after %d warm-up calls\n"
		       "  (memory, net, xn_alloc and xn_smallfile rows: fewer, see rows[])\n",
		       RUNS, ITERS, WARMUP);
	print_header(tsv);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ret;

		if (!row_wanted(only, rows[i].name))
			continue;
		ret = rows[i].setup ? rows[i].setup(exo) : 0;

		if (ret == -ENODEV) {
			if (!tsv)
				printf("%-24s skipped: no ext4 mounted at %s (make bench mounts one)\n",
				       rows[i].name, BENCH_EXT4_DIR);
			continue;
		}
		if (ret == -EOPNOTSUPP) {
			if (!tsv)
				printf("%-24s skipped: this exo.ko lacks it\n",
				       rows[i].name);
			continue;
		}
		if (!ret)
			ret = measure(&rows[i], exo, &res);
		note[0] = '\0';
		if (rows[i].note)
			rows[i].note(note, sizeof(note));
		if (rows[i].teardown)
			rows[i].teardown(exo);
		if (ret) {
			fprintf(stderr, "exo-bench: %s failed%s%s\n", rows[i].name,
				*note ? ": " : "", note);
			exo_close(exo);
			return 1;
		}
		len = strlen(note);
		if (res.lost_runs)
			snprintf(note + len, sizeof(note) - len,
				 "%s%d of %d runs left out: a call lost its sample",
				 len ? "; " : "", res.lost_runs,
				 res.lost_runs + res.runs);
		print_result(tsv, &rows[i], &res, note);
	}
	if (row_wanted(only, "cpu_wake") && cpu_wake_bench(exo, tsv)) {
		fprintf(stderr, "exo-bench: cpu_wake failed\n");
		exo_close(exo);
		return 1;
	}
	if (row_wanted(only, "cpu_yield_to") && cpu_yield_to_bench(exo, tsv)) {
		fprintf(stderr, "exo-bench: cpu_yield_to failed\n");
		exo_close(exo);
		return 1;
	}
	if (!tsv)
		printf("speedup = plain / exo: above 1 exo is faster; cpu = the same ratio of\n"
		       "busy time on all CPUs, deferred work included (rows that defer any).\n"
		       "Targets, on the cpu figure where a row has one: null_ioctl >= 0.67,\n"
		       "mem_bind_map_1(_region) >= 1.5, mem_bind_map_512(_region) >= 2.0,\n"
		       "net_rx_32 >= 2.0, net_ash_echo >= 3.0, xn_read_cached >= 1.0,\n"
		       "xn_smallfile >= 1.0, cpu_wake >= 0.8, cpu_yield_to >= 2.0 (medians);\n"
		       "xn_alloc and net_demux_64: none.\n"
		       "ioctl_floor is context, not an exo path: a bare ioctl(2) that no driver\n"
		       "sees, the floor under null_ioctl. BENCH_FORMAT=tsv names each side's work.\n");
	exo_close(exo);
	return 0;
}
