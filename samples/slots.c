// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * slots: the CPU binding in two bookings. A CPU exo manages is a vector of
 * time slots; this libOS books four contiguous slots (one long turn, for
 * throughput), then four evenly spaced ones (four short turns, for
 * responsiveness), and prints when each wake arrived and which slot it was.
 *
 * Run it as root with exo.ko loaded on a machine with two or more CPUs:
 *   ./slots
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <exo/exo.h>

struct run {
	struct exo_cpu_info info;
	int turns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* One turn: say where we are, and give the CPU back at once. */
static int on_turn(const struct exo_cpu_wake *wake, void *arg)
{
	struct run *run = arg;
	uint64_t late = now_ns() - wake->start_ns;

	printf("  turn %" PRIu64 ": slot %2u (+%u), %.3f ms long, woke %.3f ms after its start%s\n",
	       (uint64_t)wake->seq, wake->slot, wake->nslots - 1,
	       (wake->end_ns - wake->start_ns) / 1e6, late / 1e6,
	       wake->missed ? " (some turns missed)" : "");
	run->turns++;
	return 0;
}

static int book_and_run(struct exo *exo, struct run *run, __u32 cpu,
			const char *what, __u32 start, __u32 count,
			__u32 stride, unsigned int turns)
{
	int ret;

	printf("\n[%s] slots %u + i * %u, i < %u, on CPU %u\n", what, start,
	       stride, count, cpu);
	ret = exo_cpu_book(exo, cpu, start, count, stride);
	if (ret) {
		fprintf(stderr, "slots: book: %s\n", strerror(-ret));
		return ret;
	}
	ret = exo_slots_run(exo, cpu, 0, turns, on_turn, run);
	if (ret)
		fprintf(stderr, "slots: run: %s\n", strerror(-ret));
	if (!ret)
		ret = exo_cpu_free(exo, cpu, start, count, stride);
	return ret;
}

int main(void)
{
	struct run run = { 0 };
	struct exo *exo;
	int cpu, ret = 1;

	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "slots: exo_open: %s\n", strerror(errno));
		return 1;
	}
	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_cpu_info(exo, cpu, &run.info))
			break;
	if (cpu == 64) {
		printf("slots: exo manages no CPU here (one CPU?): nothing to show\n");
		exo_close(exo);
		return 0;
	}
	printf("CPU %d: %u slots of %.3f ms, policy %s; slots nobody books stay with Linux\n",
	       cpu, run.info.nslots, run.info.quantum_ns / 1e6, run.info.policy);

	/* Four slots in a row are one turn: one wake, one exit. */
	if (book_and_run(exo, &run, cpu, "contiguous", 0, 4, 1, 2))
		goto out;
	/* Four slots a quarter-vector apart: four wakes per round. */
	if (book_and_run(exo, &run, cpu, "evenly spaced", 1, 4,
			 run.info.nslots / 4 ? run.info.nslots / 4 : 1, 8))
		goto out;
	printf("\n%d turns, each woken in one of our own slots\n", run.turns);
	ret = 0;
out:
	exo_close(exo);
	return ret;
}
