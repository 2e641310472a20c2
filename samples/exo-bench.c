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
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
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
	int iters, chunk, warmup;	/* 0: ITERS, CHUNK, WARMUP */
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

static int measure(const struct bench_row *row, struct exo *exo,
		   double *exo_ns, double *plain_ns)
{
	int iters = row->iters ? row->iters : ITERS;
	int chunk = row->chunk ? row->chunk : CHUNK;
	int warmup = row->warmup ? row->warmup : WARMUP;
	double exo_runs[RUNS], plain_runs[RUNS], t;
	int run, i, failed = 0;

	for (i = 0; i < warmup; i++)
		if (row->exo_op(exo) || row->plain_op())
			return -1;
	for (run = 0; run < RUNS; run++) {
		double exo_total = 0, plain_total = 0;
		int done;

		for (done = 0; done < iters; done += chunk) {
			t = now_ns();
			for (i = 0; i < chunk; i++)
				failed |= row->exo_op(exo);
			exo_total += now_ns() - t;

			t = now_ns();
			for (i = 0; i < chunk; i++)
				failed |= row->plain_op();
			plain_total += now_ns() - t;
		}
		exo_runs[run] = exo_total / iters;
		plain_runs[run] = plain_total / iters;
	}
	/* A row whose calls failed measured something else: drop it. */
	if (failed)
		return -1;
	*exo_ns = median(exo_runs, RUNS);
	*plain_ns = median(plain_runs, RUNS);
	return 0;
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

static int cpu_wake_bench(struct exo *exo, int tsv)
{
	static unsigned long long exo_lat[WAKE_SAMPLES], plain_lat[WAKE_SAMPLES];
	struct itimerspec its = { 0 };
	struct exo_cpu_info info;
	struct exo_cpu_wake wake;
	unsigned long long t, target, exp;
	int cpu, tfd, i, ret, stride;
	double em, pm;

	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &info))
			break;
	if (cpu == 64) {
		if (!tsv)
			printf("%-16s skipped: exo manages no CPU here\n", "cpu_wake");
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
	for (i = -WAKE_WARMUP; i < WAKE_SAMPLES; i++) {
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
	qsort(exo_lat, WAKE_SAMPLES, sizeof(exo_lat[0]), cmp_u64);
	qsort(plain_lat, WAKE_SAMPLES, sizeof(plain_lat[0]), cmp_u64);
	em = exo_lat[WAKE_SAMPLES / 2];
	pm = plain_lat[WAKE_SAMPLES / 2];
	if (tsv)
		printf("cpu_wake\t%.1f\t%.1f\t%.3f\n", em, pm, pm / em);
	else
		printf("%-16s %-16s %10.1f   %-12s %10.1f   %7.2fx  (p99 %llu vs %llu ns)\n",
		       "cpu_wake", "slot start->run", em, "timerfd", pm, pm / em,
		       exo_lat[WAKE_SAMPLES * 99 / 100],
		       plain_lat[WAKE_SAMPLES * 99 / 100]);
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
 * pinned to that CPU. Each round trip is timed; medians and p99.
 */
#define PONG_SAMPLES	2000
#define PONG_CHUNK	100

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

static void __attribute__((noreturn)) pong_pipe(int cpu, int rx, int tx)
{
	char c;

	if (pin_to(cpu))
		_exit(1);
	while (read(rx, &c, 1) == 1)
		if (write(tx, &c, 1) != 1)
			_exit(1);
	_exit(0);
}

static void report_pair(const char *name, const char *exo_path,
			const char *plain_path, unsigned long long *e,
			unsigned long long *p, int n, int tsv)
{
	double em, pm;

	qsort(e, n, sizeof(*e), cmp_u64);
	qsort(p, n, sizeof(*p), cmp_u64);
	em = e[n / 2];
	pm = p[n / 2];
	if (tsv)
		printf("%s\t%.1f\t%.1f\t%.3f\n", name, em, pm, pm / em);
	else
		printf("%-16s %-16s %10.1f   %-12s %10.1f   %7.2fx  (p99 %llu vs %llu ns)\n",
		       name, exo_path, em, plain_path, pm, pm / em,
		       e[n * 99 / 100], p[n * 99 / 100]);
}

static int cpu_yield_to_bench(struct exo *exo, int tsv)
{
	static unsigned long long exo_rt[PONG_SAMPLES], pipe_rt[PONG_SAMPLES];
	int sv[2] = { -1, -1 }, to[2] = { -1, -1 }, from[2] = { -1, -1 };
	struct exo_cpu_info info;
	struct exo_env_info me;
	struct exo_cpu_wake wake;
	pid_t pe = -1, pp = -1;
	int cpu, i, j, ret;
	__u64 partner;
	char c = 'x';

	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &info))
			break;
	if (cpu == 64) {
		if (!tsv)
			printf("%-16s skipped: exo manages no CPU here\n", "cpu_yield_to");
		return 0;
	}
	ret = exo_env_info(exo, &me);
	if (!ret)
		ret = exo_cpu_book(exo, cpu, 0, info.nslots, 1);
	if (ret)
		return ret;
	ret = -errno;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		goto out;
	pe = fork();
	if (pe == 0)
		pong_exo(cpu, sv[1]);
	pp = fork();
	if (pp == 0)
		pong_pipe(cpu, to[0], from[1]);
	if (pe < 0 || pp < 0 ||
	    read(sv[0], &partner, sizeof(partner)) != sizeof(partner) ||
	    write(sv[0], &me.env_id, sizeof(me.env_id)) != sizeof(me.env_id))
		goto out;
	ret = exo_cpu_bind(exo, cpu, 0, 0);
	if (ret)
		goto out;
	/* Our first turn, then the partner must be waiting for a donation. */
	ret = exo_cpu_wait(exo, 10000, &wake);
	for (i = 0; !ret && i < PONG_SAMPLES; i += PONG_CHUNK) {
		for (j = i; !ret && j < i + PONG_CHUNK; j++) {
			unsigned long long t = mono_ns();

			ret = exo_cpu_wait_donate(exo, partner, 10000, &wake);
			if (ret == -EAGAIN) {
				/* Not waiting yet: let it get there. */
				usleep(50);
				ret = 0;
				j--;
				continue;
			}
			exo_rt[j] = mono_ns() - t;
		}
		/* Unbound meanwhile would be unfair to neither: stay bound. */
		for (j = i; !ret && j < i + PONG_CHUNK; j++) {
			unsigned long long t = mono_ns();

			if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
				ret = -EIO;
			pipe_rt[j] = mono_ns() - t;
		}
	}
	exo_cpu_unbind(exo);
	if (!ret)
		report_pair("cpu_yield_to", "WAIT_DONATE rt", "pipe rt", exo_rt,
			    pipe_rt, PONG_SAMPLES, tsv);
out:
	if (to[1] >= 0)
		close(to[1]);
	if (pe > 0)
		waitpid(pe, NULL, 0);
	if (pp > 0)
		waitpid(pp, NULL, 0);
	for (i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (from[i] >= 0)
			close(from[i]);
	}
	if (to[0] >= 0)
		close(to[0]);
	exo_cpu_free(exo, cpu, 0, info.nslots, 1);
	return ret;
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
		       "  (memory rows: fewer calls per run, see rows[])\n",
		       RUNS, ITERS, WARMUP);
		printf("%-16s %-16s %10s   %-12s %10s   %8s\n", "row", "exo path",
		       "ns/op", "plain path", "ns/op", "speedup");
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ret = rows[i].setup ? rows[i].setup(exo) : 0;

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
	}
	if (cpu_wake_bench(exo, tsv)) {
		fprintf(stderr, "exo-bench: cpu_wake failed\n");
		exo_close(exo);
		return 1;
	}
	if (cpu_yield_to_bench(exo, tsv)) {
		fprintf(stderr, "exo-bench: cpu_yield_to failed\n");
		exo_close(exo);
		return 1;
	}
	if (!tsv)
		printf("speedup = plain / exo: above 1 exo is faster. Targets: null_ioctl >= 0.67,\n"
		       "mem_bind_map_1 >= 1.5, mem_bind_map_512 >= 2.0, cpu_wake >= 0.8,\n"
		       "cpu_yield_to >= 2.0 (medians). ioctl_floor is context, not\n"
		       "an exo path: a bare ioctl(2) that no driver sees, the floor under null_ioctl.\n");
	exo_close(exo);
	return 0;
}
