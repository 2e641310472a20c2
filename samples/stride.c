// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * stride: three user-level threads with 3:2:1 tickets share this libOS's
 * CPU slots under libexo's stride scheduler. Each counts as fast as it can
 * and checks in (exo_uthread_check()) so that its quantum, and the turn,
 * end on time. Over many quanta they get the CPU in the ratio of their
 * tickets; the sample prints the shares it saw.
 *
 * Run it as root with exo.ko loaded on a machine with two or more CPUs:
 *   ./stride
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <exo/exo.h>

#define TURNS	32

static volatile unsigned long long work[3];

static void counter(void *arg)
{
	volatile unsigned long long *w = arg;

	for (;;) {
		(*w)++;
		exo_uthread_check();
	}
}

int main(void)
{
	static const unsigned int tickets[3] = { 3, 2, 1 };
	unsigned long long q[3], total = 0, wtotal = 0;
	struct exo_cpu_info info;
	struct exo_uthreads *u;
	struct exo *exo;
	int cpu, i, ret;

	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "stride: exo_open: %s\n", strerror(errno));
		return 1;
	}
	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &info))
			break;
	if (cpu == 64) {
		printf("stride: exo manages no CPU here (one CPU?): nothing to show\n");
		exo_close(exo);
		return 0;
	}
	/* Every other slot: many short turns. */
	ret = exo_cpu_book(exo, cpu, 0, (info.nslots + 1) / 2, 2);
	u = ret ? NULL : exo_uthreads_create(exo, cpu);
	for (i = 0; u && i < 3; i++)
		if (exo_uthread_spawn(u, counter, (void *)&work[i], tickets[i]) < 0)
			goto fail;
	if (!u)
		goto fail;
	printf("CPU %d: %d turns of one %.3f ms slot, threads with 3:2:1 tickets\n",
	       cpu, TURNS, info.quantum_ns / 1e6);
	ret = exo_uthreads_run(u, TURNS);
	if (ret)
		goto fail;
	for (i = 0; i < 3; i++) {
		q[i] = exo_uthread_quanta(u, i);
		total += q[i];
		wtotal += work[i];
	}
	for (i = 0; i < 3; i++)
		printf("  thread %d: %u tickets, %3llu quanta (%.1f%%, ideal %.1f%%), work %.1f%%\n",
		       i, tickets[i], q[i], 100.0 * q[i] / (total ? total : 1),
		       100.0 * tickets[i] / 6, 100.0 * work[i] / (wtotal ? wtotal : 1));
	exo_uthreads_destroy(u);
	exo_close(exo);
	return 0;
fail:
	fprintf(stderr, "stride: %s\n", strerror(errno));
	exo_uthreads_destroy(u);
	exo_close(exo);
	return 1;
}
