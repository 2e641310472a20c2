// SPDX-License-Identifier: GPL-2.0
/*
 * bench_filter: the classifier of module/core/filter.c, natively on the
 * host, against what a Linux user would run for the same N endpoints: one
 * classic-BPF program for all of them, compiled by libpcap and run by its
 * bpf_filter().
 *
 * Two cBPF peers, both optimised by libpcap:
 *   same tests: exactly exo's four checks at fixed offsets (IPv4, IHL 5,
 *     UDP, then a chain over the N destination ports), "ether[12:2] =
 *     0x800 and ether[14] = 0x45 and ether[23] = 17 and (ether[36:2] = a
 *     or ...)";
 *   udp dst port: what a user writes, "udp dst port a or udp dst port b
 *     or ...", which also takes IPv6, refuses IPv4 fragments and follows a
 *     variable IHL: more work than exo does. libpcap's optimiser needs
 *     minutes for it beyond UDP_PORT_MAX ports, so it stops there.
 *
 * For N = 1, 10, 100, 1000 and 10000 endpoints, each a UDP destination
 * port, a stream of frames (a quarter to ports nobody bound, the rest
 * spread over the bound ones) is classified each way after one untimed
 * warm-up pass over the stream on every side; the fastest of RUNS runs, in
 * ns per frame, is printed (the host is shared: the minimum is the cost
 * with the least interference), with speedup = cBPF / exo, and the
 * flatness of exo's cost: ns at N over ns at 1. Every side must accept
 * exactly the frames to bound ports, or the bench aborts.
 *
 * And the host kernel's eBPF (bench_ebpf.c): a socket-filter program doing
 * exo's checks and a hash-map lookup of the destination port, run by
 * BPF_PROG_TEST_RUN, EBPF_REPEAT runs per frame, timed by the kernel (its
 * mean per run is whole ns, so the figure may read up to 1 ns low). It
 * needs root; without it the column says "-".
 *
 * Not here: the kernel's UDP socket demux for N bound sockets.
 *
 * Built and run by `make bench-host` (which installs libpcap-dev); without
 * libpcap it prints the exo column only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if __has_include(<pcap/pcap.h>)
#include <pcap/pcap.h>
#define HAVE_PCAP 1
#else
#define HAVE_PCAP 0
#endif

#include "../../module/core/filter.h"
#include "bench_ebpf.h"

#define FRAMES	4096
#define ROUNDS	200
#define RUNS	9
#define BASE_PORT	1000
#define UDP_PORT_MAX	1000
#define EBPF_REPEAT	50

static unsigned char frames[FRAMES][64];
/* Frames of the stream addressed to a bound port: what each side must accept. */
static unsigned int bound_frames;

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
	bound_frames = 0;
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
		if (rand() % 4) {
			port = BASE_PORT + (unsigned int)rand() % n;
			bound_frames++;
		} else {
			port = 30000u + (unsigned int)rand() % 1000;
		}
		f[34] = 0x30;
		f[35] = 0x39;
		f[36] = port >> 8;
		f[37] = port & 0xff;
		f[39] = 30;	/* UDP length */
	}
}

static volatile unsigned int sink;

/*
 * Rounds per run from the warm-up pass: a run of at least a few ms, so
 * that one preemption on the shared host cannot spoil every run, and fewer
 * rounds where one frame costs microseconds.
 */
static unsigned int rounds_for(double warm_ns)
{
	double per_frame = warm_ns / FRAMES;

	return per_frame > 1000 ? 2 : per_frame > 100 ? 10 : ROUNDS;
}

static double bench_exo(unsigned int n)
{
	const struct exo_filter **fs = calloc(n, sizeof(*fs));
	struct exo_filter *store = calloc(n, sizeof(*store));
	double runs[RUNS], t;
	struct exo_fdec *dec;
	unsigned int i, r, k, rounds, acc = 0, accepted = 0;
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
	t = now_ns();
	for (i = 0; i < FRAMES; i++)	/* warm-up, and the check */
		accepted += exo_fdec_classify(dec, frames[i], 64) != EXO_FDEC_NONE;
	rounds = rounds_for(now_ns() - t);
	if (accepted != bound_frames)
		abort();
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (k = 0; k < rounds; k++)
			for (i = 0; i < FRAMES; i++)
				acc += exo_fdec_classify(dec, frames[i], 64);
		runs[r] = (now_ns() - t) / ((double)rounds * FRAMES);
	}
	sink = acc;
	exo_fdec_free(dec);
	free(store);
	free(fs);
	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	return runs[0];
}

#if HAVE_PCAP
/*
 * One program for all @n ports: @head, then @each for every port joined by
 * " or ", then @tail, compiled and optimised by libpcap. 0 if libpcap
 * refused it.
 */
static double bench_cbpf(unsigned int n, const char *head, const char *each,
			 const char *tail)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	size_t room = strlen(head) + strlen(tail) + (size_t)n * (strlen(each) + 16);
	char *expr = malloc(room), *p = expr;
	unsigned int i, r, k, rounds, acc = 0, accepted = 0;
	struct bpf_program prog;
	double runs[RUNS], t;

	if (!dead || !expr)
		abort();
	p += sprintf(p, "%s", head);
	for (i = 0; i < n; i++) {
		if (i)
			p += sprintf(p, " or ");
		p += sprintf(p, each, BASE_PORT + i);
	}
	sprintf(p, "%s", tail);
	if (pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr, "bench_filter: libpcap: %s\n", pcap_geterr(dead));
		pcap_close(dead);
		free(expr);
		return 0;
	}
	pcap_close(dead);
	free(expr);
	t = now_ns();
	for (i = 0; i < FRAMES; i++)	/* warm-up, and the check */
		accepted += bpf_filter(prog.bf_insns, frames[i], 64, 64) != 0;
	rounds = rounds_for(now_ns() - t);
	if (accepted != bound_frames)
		abort();
	for (r = 0; r < RUNS; r++) {
		t = now_ns();
		for (k = 0; k < rounds; k++)
			for (i = 0; i < FRAMES; i++)
				acc += bpf_filter(prog.bf_insns, frames[i], 64, 64);
		runs[r] = (now_ns() - t) / ((double)rounds * FRAMES);
	}
	sink = acc;
	pcap_freecode(&prog);
	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	return runs[0];
}
#endif

/* 0 if the kernel would not load the program (the first refusal is shown). */
static double bench_ebpf(unsigned int n)
{
	static int told;
	unsigned int i, r, retval, ns, accepted = 0;
	double runs[RUNS], total;
	int prog, map, err = 0;

	prog = ebpf_demux_open(n, BASE_PORT, &map);
	if (prog < 0) {
		if (!told++)
			fprintf(stderr, "bench_filter: eBPF: %s\n", strerror(-prog));
		return 0;
	}
	for (i = 0; !err && i < FRAMES; i++) {	/* warm-up, and the check */
		err = ebpf_demux_run(prog, frames[i], 64, 1, &retval, &ns);
		accepted += retval != 0;
	}
	if (!err && accepted != bound_frames)
		abort();
	for (r = 0; !err && r < RUNS; r++) {
		total = 0;
		for (i = 0; !err && i < FRAMES; i++) {
			err = ebpf_demux_run(prog, frames[i], 64, EBPF_REPEAT,
					     &retval, &ns);
			total += ns;
		}
		runs[r] = total / FRAMES;
	}
	close(prog);
	close(map);
	if (err) {
		if (!told++)
			fprintf(stderr, "bench_filter: eBPF test run: %s\n", strerror(-err));
		return 0;
	}
	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	return runs[0];
}

static void print_ns(double ns)
{
	if (ns > 0)
		printf(" %12.1f", ns);
	else
		printf(" %12s", "-");
}

static void print_ratio(double num, double den)
{
	if (num > 0 && den > 0)
		printf(" %9.1fx", num / den);
	else
		printf(" %10s", "-");
}

int main(void)
{
	static const unsigned int ns[] = { 1, 10, 100, 1000, 10000 };
	double exo1 = 0;
	unsigned int i;

	printf("bench_filter: ns per frame, fastest of %d runs after one warm-up pass each;\n"
	       "  %d frames, 3/4 to bound ports. cBPF: one libpcap program for all N ports,\n"
	       "  \"same\" = exo's four checks, \"udp dst\" = udp dst port a or ... (N <= %d);\n"
	       "  eBPF: the same checks and a hash-map lookup, in the kernel (%d runs a frame)\n",
	       RUNS, FRAMES, UDP_PORT_MAX, EBPF_REPEAT);
	printf("%-20s %12s %12s %11s %12s %11s %12s %11s %11s\n", "row", "exo ns",
	       "same ns", "same/exo", "udp dst ns", "udpdst/exo", "eBPF ns",
	       "eBPF/exo", "exo vs N=1");
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		double exo, same = 0, udp_dst = 0, ebpf;
		char name[32];

		make_frames(ns[i]);
		exo = bench_exo(ns[i]);
#if HAVE_PCAP
		same = bench_cbpf(ns[i],
				  "ether[12:2] = 0x800 and ether[14] = 0x45 and ether[23] = 17 and (",
				  "ether[36:2] = %u", ")");
		if (ns[i] <= UDP_PORT_MAX)
			udp_dst = bench_cbpf(ns[i], "", "udp dst port %u", "");
#endif
		ebpf = bench_ebpf(ns[i]);
		if (!exo1)
			exo1 = exo;
		snprintf(name, sizeof(name), "net_classify_%u", ns[i]);
		printf("%-20s %12.1f", name, exo);
		print_ns(same);
		print_ratio(same, exo);
		print_ns(udp_dst);
		print_ratio(udp_dst, exo);
		print_ns(ebpf);
		print_ratio(ebpf, exo);
		printf(" %10.2fx\n", exo / exo1);
		fflush(stdout);
	}
	if (!HAVE_PCAP)
		printf("(no libpcap: install libpcap-dev for the cBPF columns)\n");
	printf("speedup = cBPF / exo. Targets: net_classify_1000 >= 10x against the same\n"
	       "tests; exo at 1000 within 1.25x of 1.\n");
	return 0;
}
