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
 * warm-up pass over the stream on every side; the sides' runs alternate,
 * in an order reversed every other run (ABBA); the fastest of RUNS runs, in
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
 * And the host kernel's own UDP demux: N UDP sockets bound to 127.0.0.1,
 * one per port, and each frame of the stream sent to its port by sendto()
 * from one socket and, if bound, read back by recv() on its socket (the
 * payload checked). That is the whole loopback path, not the lookup alone,
 * so its figure that compares is its growth with N ("sock vs N=1"); its
 * ns are what a Linux user pays per datagram for that demux, for scale.
 * It needs N + a few file descriptors (the soft limit is raised to the
 * hard one); where it cannot, the column says "-".
 *
 * Built and run by `make bench-host` (which installs libpcap-dev); without
 * libpcap it prints the exo column only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
/* The socket side's ports: frame port BASE_PORT + i is SOCK_PORT + i. */
#define SOCK_PORT	20000
/* Frames to unbound ports go to UNBOUND_PORT.., below the ephemeral range. */
#define UNBOUND_PORT	30000

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
			port = UNBOUND_PORT + (unsigned int)rand() % 1000;
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

/*
 * One side of a row: set up, warmed up and checked by its open function
 * (which sets rounds, or ok = 0 if the side cannot run), then timed one run
 * at a time by run(), so that main() can interleave the sides' runs.
 */
struct side {
	int ok;
	unsigned int rounds;
	double (*run)(struct side *sd);	/* ns per frame, < 0: it failed */
	struct exo_fdec *dec;
	struct exo_filter *store;
	const struct exo_filter **fs;
#if HAVE_PCAP
	struct bpf_program prog;
#endif
	int bpf, map;
	int *socks, nsocks, tx;
	double runs[RUNS];
};

static double run_exo(struct side *sd)
{
	unsigned int i, k, acc = 0;
	double t = now_ns();

	for (k = 0; k < sd->rounds; k++)
		for (i = 0; i < FRAMES; i++)
			acc += exo_fdec_classify(sd->dec, frames[i], 64);
	sink = acc;
	return (now_ns() - t) / ((double)sd->rounds * FRAMES);
}

static void open_exo(struct side *sd, unsigned int n)
{
	unsigned int i, accepted = 0;
	double t;
	int err;

	sd->fs = calloc(n, sizeof(*sd->fs));
	sd->store = calloc(n, sizeof(*sd->store));
	if (!sd->fs || !sd->store)
		abort();
	for (i = 0; i < n; i++) {
		struct exo_net_atom a[4] = {
			{ .offset = 12, .width = 2, .mask = 0xffff, .value = 0x0800 },
			{ .offset = 14, .width = 1, .mask = 0xff, .value = 0x45 },
			{ .offset = 23, .width = 1, .mask = 0xff, .value = 17 },
			{ .offset = 36, .width = 2, .mask = 0xffff, .value = BASE_PORT + i },
		};

		if (exo_filter_canon(a, 4, &sd->store[i]))
			abort();
		sd->fs[i] = &sd->store[i];
	}
	sd->dec = exo_fdec_build(sd->fs, n, &err);
	if (!sd->dec)
		abort();
	t = now_ns();
	for (i = 0; i < FRAMES; i++)	/* warm-up, and the check */
		accepted += exo_fdec_classify(sd->dec, frames[i], 64) != EXO_FDEC_NONE;
	sd->rounds = rounds_for(now_ns() - t);
	if (accepted != bound_frames)
		abort();
	sd->run = run_exo;
	sd->ok = 1;
}

static void close_exo(struct side *sd)
{
	exo_fdec_free(sd->dec);
	free(sd->store);
	free(sd->fs);
}

#if HAVE_PCAP
static double run_cbpf(struct side *sd)
{
	unsigned int i, k, acc = 0;
	double t = now_ns();

	for (k = 0; k < sd->rounds; k++)
		for (i = 0; i < FRAMES; i++)
			acc += bpf_filter(sd->prog.bf_insns, frames[i], 64, 64);
	sink = acc;
	return (now_ns() - t) / ((double)sd->rounds * FRAMES);
}

/*
 * One program for all @n ports: @head, then @each for every port joined by
 * " or ", then @tail, compiled and optimised by libpcap. Not ok if libpcap
 * refused it.
 */
static void open_cbpf(struct side *sd, unsigned int n, const char *head,
		      const char *each, const char *tail)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	size_t room = strlen(head) + strlen(tail) + (size_t)n * (strlen(each) + 16);
	char *expr = malloc(room), *p = expr;
	unsigned int i, accepted = 0;
	double t;

	if (!dead || !expr)
		abort();
	p += sprintf(p, "%s", head);
	for (i = 0; i < n; i++) {
		if (i)
			p += sprintf(p, " or ");
		p += sprintf(p, each, BASE_PORT + i);
	}
	sprintf(p, "%s", tail);
	if (pcap_compile(dead, &sd->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr, "bench_filter: libpcap: %s\n", pcap_geterr(dead));
		pcap_close(dead);
		free(expr);
		return;
	}
	pcap_close(dead);
	free(expr);
	t = now_ns();
	for (i = 0; i < FRAMES; i++)	/* warm-up, and the check */
		accepted += bpf_filter(sd->prog.bf_insns, frames[i], 64, 64) != 0;
	sd->rounds = rounds_for(now_ns() - t);
	if (accepted != bound_frames)
		abort();
	sd->run = run_cbpf;
	sd->ok = 1;
}
#endif

static double run_ebpf(struct side *sd)
{
	unsigned int i, retval, ns;
	double total = 0;
	int err;

	for (i = 0; i < FRAMES; i++) {
		err = ebpf_demux_run(sd->bpf, frames[i], 64, EBPF_REPEAT,
				     &retval, &ns);
		if (err) {
			fprintf(stderr, "bench_filter: eBPF test run: %s\n", strerror(-err));
			return -1;
		}
		total += ns;
	}
	return total / FRAMES;
}

/* Not ok if the kernel would not load the program (the first refusal is shown). */
static void open_ebpf(struct side *sd, unsigned int n)
{
	static int told;
	unsigned int i, retval, ns, accepted = 0;
	int err = 0;

	sd->bpf = ebpf_demux_open(n, BASE_PORT, &sd->map);
	if (sd->bpf < 0) {
		if (!told++)
			fprintf(stderr, "bench_filter: eBPF: %s\n", strerror(-sd->bpf));
		return;
	}
	for (i = 0; !err && i < FRAMES; i++) {	/* warm-up, and the check */
		err = ebpf_demux_run(sd->bpf, frames[i], 64, 1, &retval, &ns);
		accepted += retval != 0;
	}
	if (err) {
		if (!told++)
			fprintf(stderr, "bench_filter: eBPF test run: %s\n", strerror(-err));
		close(sd->bpf);
		close(sd->map);
		return;
	}
	if (accepted != bound_frames)
		abort();
	sd->run = run_ebpf;
	sd->ok = 1;
}

/* The port a frame is addressed to. */
static unsigned int frame_port(const unsigned char *f)
{
	return (unsigned int)f[36] << 8 | f[37];
}

/* Send frame @i to its port; read it back if its port is bound. 0, or -1. */
static int sock_one(struct side *sd, unsigned int i)
{
	unsigned int port = frame_port(frames[i]), got;
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct pollfd pfd = { .events = POLLIN };
	int bound = port >= BASE_PORT && port < BASE_PORT + (unsigned int)sd->nsocks;
	ssize_t len;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(bound ? SOCK_PORT + port - BASE_PORT : port);
	if (sendto(sd->tx, &i, sizeof(i), 0, (struct sockaddr *)&to,
		   sizeof(to)) != sizeof(i))
		return -1;
	if (!bound)
		return 0;
	pfd.fd = sd->socks[port - BASE_PORT];
	len = recv(pfd.fd, &got, sizeof(got), MSG_DONTWAIT);
	if (len < 0 && errno == EAGAIN && poll(&pfd, 1, 1000) == 1)
		len = recv(pfd.fd, &got, sizeof(got), MSG_DONTWAIT);
	return len == sizeof(got) && got == i ? 0 : -1;
}

static double run_sock(struct side *sd)
{
	unsigned int i, k;
	double t = now_ns();

	for (k = 0; k < sd->rounds; k++)
		for (i = 0; i < FRAMES; i++)
			if (sock_one(sd, i)) {
				fprintf(stderr, "bench_filter: socket side lost frame %u\n", i);
				return -1;
			}
	return (now_ns() - t) / ((double)sd->rounds * FRAMES);
}

static void close_sock(struct side *sd)
{
	int i;

	for (i = 0; i < sd->nsocks; i++)
		close(sd->socks[i]);
	if (sd->tx >= 0)
		close(sd->tx);
	free(sd->socks);
}

/* Not ok, with the reason shown once, if @n sockets cannot be bound. */
static void open_sock(struct side *sd, unsigned int n)
{
	static int told;
	struct sockaddr_in at = { .sin_family = AF_INET };
	struct rlimit lim;
	const char *why = NULL;
	unsigned int i;
	double t;

	at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!getrlimit(RLIMIT_NOFILE, &lim) && lim.rlim_cur < n + 64 &&
	    lim.rlim_max >= n + 64) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	sd->socks = calloc(n, sizeof(*sd->socks));
	if (!sd->socks)
		abort();
	sd->tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (sd->tx < 0)
		why = "socket";
	for (i = 0; !why && i < n; i++) {
		sd->socks[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (sd->socks[i] < 0) {
			why = "socket (raise the open-files limit)";
			break;
		}
		sd->nsocks++;
		at.sin_port = htons(SOCK_PORT + i);
		if (bind(sd->socks[i], (struct sockaddr *)&at, sizeof(at)))
			why = "bind (is a port of 20000.. in use?)";
	}
	t = now_ns();
	for (i = 0; !why && i < FRAMES; i++) {	/* warm-up, and the check */
		if (sock_one(sd, i))
			why = "a frame was not received";
	}
	if (why) {
		if (!told++)
			fprintf(stderr, "bench_filter: UDP sockets at N=%u: %s: %s\n",
				n, why, strerror(errno));
		close_sock(sd);
		sd->socks = NULL;
		sd->nsocks = 0;
		sd->tx = -1;
		return;
	}
	sd->rounds = rounds_for(now_ns() - t);
	sd->run = run_sock;
	sd->ok = 1;
}

enum { S_EXO, S_SAME, S_UDP, S_EBPF, S_SOCK, NSIDES };

/*
 * The sides' runs interleaved, the order reversed every other run (ABBA):
 * a drift of the shared host's speed falls on every side alike. Each
 * side's figure is its fastest run; 0 for a side that could not run.
 */
static void bench_row(struct side *sd, double *ns)
{
	unsigned int r, j, x;
	double v;

	for (r = 0; r < RUNS; r++)
		for (j = 0; j < NSIDES; j++) {
			x = r % 2 ? NSIDES - 1 - j : j;
			if (!sd[x].ok)
				continue;
			v = sd[x].run(&sd[x]);
			if (v < 0)
				sd[x].ok = 0;
			sd[x].runs[r] = v;
		}
	for (x = 0; x < NSIDES; x++) {
		ns[x] = 0;
		if (!sd[x].ok)
			continue;
		qsort(sd[x].runs, RUNS, sizeof(sd[x].runs[0]), cmp_double);
		ns[x] = sd[x].runs[0];
	}
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
	double exo1 = 0, sock1 = 0;
	unsigned int i;

	printf("bench_filter: ns per frame, fastest of %d runs (sides interleaved ABBA) after one warm-up pass each;\n"
	       "  %d frames, 3/4 to bound ports. cBPF: one libpcap program for all N ports,\n"
	       "  \"same\" = exo's four checks, \"udp dst\" = udp dst port a or ... (N <= %d);\n"
	       "  eBPF: the same checks and a hash-map lookup, in the kernel (%d runs a frame);\n"
	       "  sock: N bound UDP sockets, sendto() and recv() over loopback (the whole path)\n",
	       RUNS, FRAMES, UDP_PORT_MAX, EBPF_REPEAT);
	printf("%-20s %12s %12s %11s %12s %11s %12s %11s %11s %12s %11s\n",
	       "row", "exo ns", "same ns", "same/exo", "udp dst ns", "udpdst/exo",
	       "eBPF ns", "eBPF/exo", "exo vs N=1", "sock ns", "sock vs N=1");
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct side sd[NSIDES];
		double v[NSIDES], exo, same, udp_dst, ebpf, sock;
		char name[32];

		memset(sd, 0, sizeof(sd));
		make_frames(ns[i]);
		open_exo(&sd[S_EXO], ns[i]);
#if HAVE_PCAP
		open_cbpf(&sd[S_SAME], ns[i],
			  "ether[12:2] = 0x800 and ether[14] = 0x45 and ether[23] = 17 and (",
			  "ether[36:2] = %u", ")");
		if (ns[i] <= UDP_PORT_MAX)
			open_cbpf(&sd[S_UDP], ns[i], "", "udp dst port %u", "");
#endif
		open_ebpf(&sd[S_EBPF], ns[i]);
		open_sock(&sd[S_SOCK], ns[i]);
		bench_row(sd, v);
		exo = v[S_EXO];
		same = v[S_SAME];
		udp_dst = v[S_UDP];
		ebpf = v[S_EBPF];
		sock = v[S_SOCK];
		close_exo(&sd[S_EXO]);
		if (sd[S_SOCK].run)
			close_sock(&sd[S_SOCK]);
#if HAVE_PCAP
		if (sd[S_SAME].run)
			pcap_freecode(&sd[S_SAME].prog);
		if (sd[S_UDP].run)
			pcap_freecode(&sd[S_UDP].prog);
#endif
		if (sd[S_EBPF].run) {
			close(sd[S_EBPF].bpf);
			close(sd[S_EBPF].map);
		}
		if (!exo1)
			exo1 = exo;
		if (!i)
			sock1 = sock;
		snprintf(name, sizeof(name), "net_classify_%u", ns[i]);
		printf("%-20s %12.1f", name, exo);
		print_ns(same);
		print_ratio(same, exo);
		print_ns(udp_dst);
		print_ratio(udp_dst, exo);
		print_ns(ebpf);
		print_ratio(ebpf, exo);
		printf(" %10.2fx", exo / exo1);
		print_ns(sock);
		if (sock > 0 && sock1 > 0)
			printf(" %10.2fx\n", sock / sock1);
		else
			printf(" %11s\n", "-");
		fflush(stdout);
	}
	if (!HAVE_PCAP)
		printf("(no libpcap: install libpcap-dev for the cBPF columns)\n");
	printf("speedup = cBPF / exo. Targets: net_classify_1000 >= 10x against the same\n"
	       "tests; exo at 1000 within 1.25x of 1. sock vs N=1 is the socket demux's\n"
	       "growth with N; its ns include the whole loopback path.\n");
	return 0;
}
