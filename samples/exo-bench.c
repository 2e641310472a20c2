// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * exo-bench: every "exo path vs the plain syscall that does the same work"
 * comparison, measured in the same run, reported as a ratio.
 *
 * Method: a warm-up, then RUNS runs of ITERS calls each, exo and plain
 * taking turns in chunks of CHUNK calls so that drift and noise from the
 * emulator hit both alike; the median ns per call of each is reported.
 * speedup = plain / exo, so > 1 means exo is faster.
 *
 * A row may have a setup and a teardown hook, run once around its timing
 * (e.g. the region the memory rows map into), and its own iteration counts
 * where one call is much heavier than a null ioctl.
 *
 * BENCH_FORMAT=tsv prints one line per row:
 *   name<TAB>exo_ns<TAB>plain_ns<TAB>speedup
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <exo/exo.h>

#define RUNS	15
#define ITERS	20000
#define CHUNK	500
#define WARMUP	5000

struct bench_row {
	const char *name;
	const char *exo_path;
	const char *plain_path;
	int (*exo_op)(struct exo *exo);
	int (*plain_op)(void);
	/* Optional: 0 or -errno (-EOPNOTSUPP skips the row), and its undo. */
	int (*setup)(struct exo *exo);
	void (*teardown)(struct exo *exo);
	int iters, chunk, warmup, runs;	/* 0: ITERS, CHUNK, WARMUP, RUNS */
	/* Optional, untimed after every chunk: undo what the chunk made. */
	int (*exo_reset)(struct exo *exo);
	int (*plain_reset)(void);
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
 * region made once in setup, a write touches each page, one
 * EXO_IOC_MEM_FREE unmaps and frees them. plain: an anonymous mapping of n
 * pages, populated, touched, unmapped. Both end where they started.
 */
static struct {
	struct exo_region *region;
	char *base;
	size_t page;
	struct exo_mem_frame frames[EXO_MEM_BATCH_MAX];
	__u32 indexes[EXO_MEM_BATCH_MAX];
} mem;

static int mem_setup(struct exo *exo)
{
	struct exo_api api;
	int ret;

	ret = exo_api(exo, &api);
	if (ret)
		return ret;
	if (!(api.features & EXO_FEATURE_MEM))
		return -EOPNOTSUPP;
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

static int mem_exo(struct exo *exo, __u32 n)
{
	volatile char *p = mem.base;
	__u32 i;

	if (exo_mem_alloc(exo, EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE, n, 0,
			  mem.frames, mem.base))
		return -1;
	for (i = 0; i < n; i++) {
		p[i * mem.page] = 1;
		mem.indexes[i] = mem.frames[i].index;
	}
	return exo_mem_free(exo, mem.indexes, n) ? -1 : 0;
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
 * XN. A worker format like samples/xnfs.c: eight u64 pointers at the start
 * of a root block, an acl that allows everything.
 *
 * xn_read_cached: read a cached data block through the libFS's mapping (a
 * 4 KiB copy out of it) vs pread() of 4 KiB of a page-cache file.
 * xn_alloc: a verified allocation and its free (two ioctls that each run
 * the owns UDF twice) vs two pwrite()s of the parent block.
 */
static struct {
	__u64 root, data, spare;
	unsigned char *map;
	int fd;
	unsigned char buf[EXO_XN_BLOCK_SIZE];
	__u64 ptr;
	struct exo_xn_mod set, clear;
} xnb;

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

	xnb.fd = -1;
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
	xnb.fd = open("/tmp/exo-bench-xn", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		      0600);
	if (xnb.fd < 0)
		return -errno;
	unlink("/tmp/exo-bench-xn");
	if (pwrite(xnb.fd, xnb.map, EXO_XN_BLOCK_SIZE, 0) != EXO_XN_BLOCK_SIZE)
		return -EIO;
	return 0;
}

static void xn_teardown(struct exo *exo)
{
	if (xnb.map)
		exo_xn_unmap(xnb.map);
	xnb.map = NULL;
	if (xnb.fd >= 0)
		close(xnb.fd);
	xnb.fd = -1;
	xnb.set.offset = 0;
	xnb.set.data = (__u64)(unsigned long)&xn_zero;
	exo_xn_free(exo, xnb.root, xnb.data, EXO_XN_TYPE_DATA, &xnb.set, 1);
	exo_xn_sync(exo, NULL);
}

static int xn_read_exo(struct exo *exo)
{
	(void)exo;
	memcpy(xnb.buf, xnb.map, EXO_XN_BLOCK_SIZE);
	__asm__ __volatile__("" : : "r"(xnb.buf) : "memory");
	return 0;
}

static int xn_read_plain(void)
{
	return pread(xnb.fd, xnb.buf, EXO_XN_BLOCK_SIZE, 0) ==
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
	if (pwrite(xnb.fd, xnb.buf, EXO_XN_BLOCK_SIZE, 0) != EXO_XN_BLOCK_SIZE)
		return -1;
	return pwrite(xnb.fd, xnb.buf, EXO_XN_BLOCK_SIZE, 0) ==
	       EXO_XN_BLOCK_SIZE ? 0 : -1;
}

/*
 * xn_smallfile: the 1997 paper's small-file case. One op creates 20
 * directories of 50 files, writes 4 KiB to each of the 1,000 files and
 * syncs; an untimed reset after each op removes them all and syncs again.
 * exo: exofs (libexo/exofs.c) on XN; sync is exo_fs_sync(), XN_SYNC,
 * which writes every dirty block to XN's disk with REQ_FUA. plain: ext4
 * mounted at SF_EXT4_DIR (make bench puts it on a second virtio disk of
 * the same kind as XN's disk=/dev/vda); sync is syncfs(), which commits
 * the journal and flushes the device. The 1,000 files are spread over
 * subdirectories because an exofs directory holds 60 entries.
 */
#define SF_DIRS		20
#define SF_FILES	50
#define SF_EXT4_DIR	"/mnt/exo-bench-ext4"
#define EXT4_MAGIC	0xEF53

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
	if (statfs(SF_EXT4_DIR, &st) || st.f_type != EXT4_MAGIC)
		return -ENODEV;
	sf.ext4_fd = open(SF_EXT4_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

static const struct bench_row rows[] = {
	{
		.name = "null_ioctl",
		.exo_path = "EXO_IOC_NOP", .plain_path = "getppid()",
		.exo_op = null_exo, .plain_op = null_plain,
	},
	{
		.name = "ioctl_floor",
		.exo_path = "ioctl(/dev/null)", .plain_path = "getppid()",
		.exo_op = floor_exo, .plain_op = null_plain,
		.setup = floor_setup, .teardown = floor_teardown,
	},
	{
		.name = "mem_bind_map_1",
		.exo_path = "ALLOC_MAP+FREE", .plain_path = "mmap+munmap",
		.exo_op = mem1_exo, .plain_op = mem1_plain,
		.setup = mem_setup, .teardown = mem_teardown,
		.iters = 4000, .chunk = 100, .warmup = 500,
	},
	{
		.name = "mem_bind_map_512",
		.exo_path = "ALLOC_MAP+FREE", .plain_path = "mmap 2MiB",
		.exo_op = mem512_exo, .plain_op = mem512_plain,
		.setup = mem_setup, .teardown = mem_teardown,
		.iters = 100, .chunk = 10, .warmup = 10,
	},
	{
		.name = "xn_read_cached",
		.exo_path = "map of block", .plain_path = "pread 4KiB",
		.exo_op = xn_read_exo, .plain_op = xn_read_plain,
		.setup = xn_setup, .teardown = xn_teardown,
	},
	{
		.name = "xn_alloc",
		.exo_path = "ALLOC+FREE", .plain_path = "2x pwrite",
		.exo_op = xn_alloc_exo, .plain_op = xn_alloc_plain,
		.setup = xn_setup, .teardown = xn_teardown,
		.iters = 2000, .chunk = 100, .warmup = 200,
	},
	{
		.name = "xn_smallfile",
		.exo_path = "exofs 1000x4K", .plain_path = "ext4 1000x4K",
		.exo_op = sf_exo, .plain_op = sf_plain,
		.exo_reset = sf_exo_reset, .plain_reset = sf_plain_reset,
		.setup = sf_setup, .teardown = sf_teardown,
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

/* Undo a chunk's work, outside the timing; 0 or -1. */
static int reset_exo(const struct bench_row *row, struct exo *exo)
{
	return row->exo_reset ? row->exo_reset(exo) : 0;
}

static int reset_plain(const struct bench_row *row)
{
	return row->plain_reset ? row->plain_reset() : 0;
}

static int measure(const struct bench_row *row, struct exo *exo,
		   double *exo_ns, double *plain_ns)
{
	int iters = row->iters ? row->iters : ITERS;
	int chunk = row->chunk ? row->chunk : CHUNK;
	int warmup = row->warmup ? row->warmup : WARMUP;
	int runs = row->runs ? row->runs : RUNS;
	double exo_runs[RUNS], plain_runs[RUNS], t;
	int run, i, failed = 0;

	for (i = 0; i < warmup; i++)
		if (row->exo_op(exo) || reset_exo(row, exo) ||
		    row->plain_op() || reset_plain(row))
			return -1;
	for (run = 0; run < runs; run++) {
		double exo_total = 0, plain_total = 0;
		int done;

		for (done = 0; done < iters; done += chunk) {
			t = now_ns();
			for (i = 0; i < chunk; i++)
				failed |= row->exo_op(exo);
			exo_total += now_ns() - t;
			failed |= reset_exo(row, exo);

			t = now_ns();
			for (i = 0; i < chunk; i++)
				failed |= row->plain_op();
			plain_total += now_ns() - t;
			failed |= reset_plain(row);
		}
		exo_runs[run] = exo_total / iters;
		plain_runs[run] = plain_total / iters;
	}
	/* A row whose calls failed measured something else: drop it. */
	if (failed)
		return -1;
	*exo_ns = median(exo_runs, runs);
	*plain_ns = median(plain_runs, runs);
	return 0;
}

int main(void)
{
	const char *format = getenv("BENCH_FORMAT");
	int tsv = format && !strcmp(format, "tsv");
	double exo_ns, plain_ns;
	struct exo *exo;
	size_t i;

	exo = exo_open(NULL);
	if (!exo)
		return 1;

	if (!tsv) {
		printf("exo-bench: median of %d runs x %d calls, after %d warm-up calls\n"
		       "  (memory, xn_alloc and xn_smallfile rows: fewer, see rows[])\n",
		       RUNS, ITERS, WARMUP);
		printf("%-16s %-16s %10s   %-12s %10s   %8s\n", "row", "exo path",
		       "ns/op", "plain path", "ns/op", "speedup");
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ret = rows[i].setup ? rows[i].setup(exo) : 0;

		if (ret == -ENODEV) {
			if (!tsv)
				printf("%-16s skipped: no ext4 mounted at %s (make bench mounts one)\n",
				       rows[i].name, SF_EXT4_DIR);
			continue;
		}
		if (ret == -EOPNOTSUPP) {
			if (!tsv)
				printf("%-16s skipped: this exo.ko lacks it\n",
				       rows[i].name);
			continue;
		}
		if (!ret)
			ret = measure(&rows[i], exo, &exo_ns, &plain_ns);
		if (rows[i].teardown)
			rows[i].teardown(exo);
		if (ret) {
			fprintf(stderr, "exo-bench: %s failed\n", rows[i].name);
			exo_close(exo);
			return 1;
		}
		if (tsv)
			printf("%s\t%.1f\t%.1f\t%.3f\n", rows[i].name, exo_ns,
			       plain_ns, plain_ns / exo_ns);
		else
			printf("%-16s %-16s %10.1f   %-12s %10.1f   %7.2fx\n",
			       rows[i].name, rows[i].exo_path, exo_ns,
			       rows[i].plain_path, plain_ns, plain_ns / exo_ns);
		if (!tsv && rows[i].exo_op == sf_exo)
			printf("%-16s last op: exofs %.0f ms, %.0f of them in exo_fs_sync(); ext4 %.0f ms, %.0f in syncfs()\n",
			       "", sf.op_ns[0] / 1e6, sf.sync_ns[0] / 1e6,
			       sf.op_ns[1] / 1e6, sf.sync_ns[1] / 1e6);
	}
	if (!tsv)
		printf("speedup = plain / exo: above 1 exo is faster. Targets: null_ioctl >= 0.67,\n"
		       "mem_bind_map_1 >= 1.5, mem_bind_map_512 >= 2.0, xn_read_cached >= 1.0.\n"
		       "ioctl_floor is context, not an exo path: a bare ioctl(2) that no driver\n"
		       "sees, the floor under null_ioctl. xn_alloc is reported, no target.\n"
		       "xn_smallfile (one op = 1,000 files of 4 KiB, then sync) >= 1.0.\n");
	exo_close(exo);
	return 0;
}
