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
 * BENCH_FORMAT=tsv prints one line per row:
 *   name<TAB>exo_ns<TAB>plain_ns<TAB>speedup
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
};

static int null_exo(struct exo *exo)
{
	return exo_nop(exo);
}

static int null_plain(void)
{
	return (int)syscall(SYS_getppid) > 0 ? 0 : -1;
}

static const struct bench_row rows[] = {
	{ "null_ioctl", "EXO_IOC_NOP", "getppid()", null_exo, null_plain },
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
	double exo_runs[RUNS], plain_runs[RUNS], t;
	int run, i;

	for (i = 0; i < WARMUP; i++)
		if (row->exo_op(exo) || row->plain_op())
			return -1;
	for (run = 0; run < RUNS; run++) {
		double exo_total = 0, plain_total = 0;
		int done;

		for (done = 0; done < ITERS; done += CHUNK) {
			t = now_ns();
			for (i = 0; i < CHUNK; i++)
				row->exo_op(exo);
			exo_total += now_ns() - t;

			t = now_ns();
			for (i = 0; i < CHUNK; i++)
				row->plain_op();
			plain_total += now_ns() - t;
		}
		exo_runs[run] = exo_total / ITERS;
		plain_runs[run] = plain_total / ITERS;
	}
	*exo_ns = median(exo_runs, RUNS);
	*plain_ns = median(plain_runs, RUNS);
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
		printf("exo-bench: median of %d runs x %d calls, after %d warm-up calls\n",
		       RUNS, ITERS, WARMUP);
		printf("%-12s %-14s %10s   %-12s %10s   %8s\n", "row", "exo path",
		       "ns/op", "plain path", "ns/op", "speedup");
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (measure(&rows[i], exo, &exo_ns, &plain_ns)) {
			fprintf(stderr, "exo-bench: %s failed\n", rows[i].name);
			exo_close(exo);
			return 1;
		}
		if (tsv)
			printf("%s\t%.1f\t%.1f\t%.3f\n", rows[i].name, exo_ns,
			       plain_ns, plain_ns / exo_ns);
		else
			printf("%-12s %-14s %10.1f   %-12s %10.1f   %7.2fx\n",
			       rows[i].name, rows[i].exo_path, exo_ns,
			       rows[i].plain_path, plain_ns, plain_ns / exo_ns);
	}
	if (!tsv)
		printf("speedup = plain / exo: above 1 exo is faster; null_ioctl targets >= 0.67 (exo at most 1.5x getppid)\n");
	exo_close(exo);
	return 0;
}
