// SPDX-License-Identifier: GPL-2.0
/*
 * bench_filter: the classifier of module/core/filter.c, natively on the
 * host, against the way packet filters ran before DPF: one classic-BPF
 * program per endpoint, run in turn until one accepts (libpcap's
 * bpf_filter(), programs compiled by pcap_compile_nopcap()).
 *
 * For N = 1, 10, 100 and 1000 endpoints, each a UDP destination port, a
 * stream of frames (a quarter to ports nobody bound, the rest spread over
 * the bound ones) is classified both ways; the fastest of RUNS runs, in ns
 * per frame, is printed (the host is shared: the minimum is the cost with
 * the least interference), with speedup = cBPF / exo, and the flatness of exo's
 * cost: ns at N over ns at 1.
 *
 * Built and run by `make bench-host` (which needs libpcap-dev); without
 * libpcap it prints the exo column only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if __has_include(<pcap/pcap.h>)
#include <pcap/pcap.h>
#define HAVE_PCAP 1
#else
#define HAVE_PCAP 0
#endif

#include "../../module/core/filter.h"

#define FRAMES	4096
#define ROUNDS	50
#define RUNS	9
#define BASE_PORT	1000

static unsigned char frames[FRAMES][64];

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

static void make_frames(unsigned int n)
{
	unsigned int i, port;

	srand(42);
	for (i = 0; i < FRAMES; i++) {
		unsigned char *f = frames[i];

		memset(f, 0, 64);
		f[12] = 0x08;
		f[14] = 0x45;
		f[16] = 0;
		f[17] = 50;	/* total length */
		f[22] = 64;
		f[23] = 17;
		f[26] = 10;
		f[29] = 2;
		f[30] = 10;
		f[33] = 1;
		port = rand() % 4 ? BASE_PORT + (unsigned int)rand() % n :
			30000u + (unsigned int)rand() % 1000;
		f[34] = 0x30;
		f[35] = 0x39;
		f[36] = port >> 8;
		f[37] = port & 0xff;
		f[39] = 30;	/* UDP length */
	}
}

static volatile unsigned int sink;

static double bench_exo(unsigned int n)
{
	const struct exo_filter **fs = calloc(n, sizeof(*fs));
	struct exo_filter *store = calloc(n, sizeof(*store));
	double runs[RUNS], t;
	struct exo_fdec *dec;
	unsigned int i, r, k, acc = 0;
	int err;

	for (i = 0; i < n; i++) {
		struct exo_net_atom a[4] = {
			{ .offset = 12, .width = 2, .mask = 0xffff, .value = 0x0800 },
			{ .offset = 14, .width = 1, .mask = 0xff, .value = 0x45 },
			{ .offset = 23, .width = 1, .mask = 0xff, .value = 17 },
			{ .offset = 36, .width = 2, .mask = 0xffff, .value = BASE_PORT + i },
		};

		if (exo_filter_canon(a, 4, &store[i]))
			abort();
		fs[i] = &store[i];
	}
	dec = exo_fdec_build(fs, n, &err);
	if (!dec)
		abort();
	for (i = 0; i < FRAMES; i++)	/* warm up */
		acc += exo_fdec_classify(dec, frames[i], 64);
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (k = 0; k < ROUNDS; k++)
			for (i = 0; i < FRAMES; i++)
				acc += exo_fdec_classify(dec, frames[i], 64);
		runs[r] = (now_ns() - t) / ((double)ROUNDS * FRAMES);
	}
	sink = acc;
	exo_fdec_free(dec);
	free(store);
	free(fs);
	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	return runs[0];
}

#if HAVE_PCAP
static double bench_cbpf(unsigned int n)
{
	struct bpf_program *progs = calloc(n, sizeof(*progs));
	double runs[RUNS], t;
	unsigned int i, j, r, k, acc = 0;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	char expr[64];

	for (i = 0; i < n; i++) {
		snprintf(expr, sizeof(expr), "udp dst port %u", BASE_PORT + i);
		if (!dead || pcap_compile(dead, &progs[i], expr, 1,
					  PCAP_NETMASK_UNKNOWN))
			abort();
	}
	pcap_close(dead);
	/* Fewer rounds at large N: the cost is linear and the answer clear. */
	for (r = 0; r < RUNS; r++) {
		unsigned int rounds = n >= 100 ? 2 : ROUNDS;

		t = now_ns();
		for (k = 0; k < rounds; k++)
			for (i = 0; i < FRAMES; i++)
				for (j = 0; j < n; j++)
					if (bpf_filter(progs[j].bf_insns, frames[i], 64, 64)) {
						acc += j;
						break;
					}
		runs[r] = (now_ns() - t) / ((double)rounds * FRAMES);
	}
	sink = acc;
	for (i = 0; i < n; i++)
		pcap_freecode(&progs[i]);
	free(progs);
	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	return runs[0];
}
#endif

int main(void)
{
	static const unsigned int ns[] = { 1, 10, 100, 1000 };
	double exo1 = 0;
	unsigned int i;

	printf("bench_filter: ns per frame, fastest of %d runs; %d frames, 3/4 to bound ports\n",
	       RUNS, FRAMES);
	printf("%-20s %10s %12s %9s %14s\n", "row", "exo ns", "cBPF ns", "speedup",
	       "exo vs N=1");
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		double exo, plain = 0;
		char name[32];

		make_frames(ns[i]);
		exo = bench_exo(ns[i]);
#if HAVE_PCAP
		plain = bench_cbpf(ns[i]);
#endif
		if (!exo1)
			exo1 = exo;
		snprintf(name, sizeof(name), "net_classify_%u", ns[i]);
		if (plain)
			printf("%-20s %10.1f %12.1f %8.1fx %13.2fx\n", name, exo, plain,
			       plain / exo, exo / exo1);
		else
			printf("%-20s %10.1f %12s %9s %13.2fx\n", name, exo, "-", "-",
			       exo / exo1);
	}
	if (!HAVE_PCAP)
		printf("(no libpcap: install libpcap-dev for the cBPF column)\n");
	printf("speedup = cBPF / exo. Targets: net_classify_1000 >= 10x; exo at 1000 within 1.25x of 1.\n");
	return 0;
}
