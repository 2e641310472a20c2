// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * ash_echo: UDP echo and ping answered inside the kernel, by ASH handlers.
 *
 * udp_echo answers from user space: the kernel rings the libOS, which
 * reads the frame and sends the reply with one more system call. Here the
 * libOS attaches a verified handler to each of two bindings instead, and
 * then only waits: the kernel runs the handler on every frame the filter
 * claims and sends its reply at once, in the receive path.
 *
 *   ash_echo                  the demo: makes a veth pair whose far end
 *                             lives in a namespace of its own, answers UDP
 *                             port 7 and ping on the near end's address in
 *                             the kernel, talks to it from the far end with
 *                             a plain UDP socket and with ping(8), prints
 *                             the bindings' counters; exits 0 if all worked
 *
 * Needs root: the filters take the host's own address (EXO_NET_BIND_HOST).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exo/exo.h>

#include "../libexo/veth.h"

#define DEMO_DEV	"exoash0"
#define DEMO_PEER	"exoash0p"
#define DEMO_HOST_IP	"10.77.4.1"
#define DEMO_PEER_IP	"10.77.4.2"
#define DEMO_PORT	7
#define DEMO_ROUNDS	5

/* Bind @atoms on @ifindex and attach @prog; the binding id, or 0. */
static __u32 bind_handler(struct exo *exo, unsigned int ifindex,
			  const struct exo_net_atom *atoms, __u32 natoms,
			  const struct exo_ash_insn *prog, __u32 len)
{
	struct exo_net_bind b;
	__u32 bad_pc = 0;

	memset(&b, 0, sizeof(b));
	b.argsz = sizeof(b);
	b.flags = EXO_NET_BIND_HOST;
	b.ifindex = ifindex;
	b.natoms = natoms;
	b.ring_slots = 8;
	b.slot_size = 2048;
	memcpy(b.atoms, atoms, natoms * sizeof(atoms[0]));
	if (exo_net_bind(exo, &b)) {
		fprintf(stderr, "ash_echo: bind: %s\n", strerror(errno));
		return 0;
	}
	if (exo_net_ash_set(exo, b.binding_id, prog, len, &bad_pc)) {
		fprintf(stderr, "ash_echo: handler refused at instruction %u: %s\n",
			bad_pc, strerror(errno));
		return 0;
	}
	return b.binding_id;
}

/* UDP rounds from the far end: 0 if every one came back. */
static int udp_rounds(struct veth_lab *lab)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DEMO_PORT) };
	struct timeval tv = { .tv_sec = 5 };
	char msg[64], back[64];
	int s, i;
	ssize_t n;

	s = veth_peer_socket(lab, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		fprintf(stderr, "ash_echo: peer socket: %s\n", strerror(-s));
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, DEMO_HOST_IP, &to.sin_addr);
	for (i = 0; i < DEMO_ROUNDS; i++) {
		snprintf(msg, sizeof(msg), "hello kernel handler, round %d", i);
		if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			fprintf(stderr, "ash_echo: sendto: %s\n", strerror(errno));
			break;
		}
		n = recv(s, back, sizeof(back), 0);
		if (n != (ssize_t)strlen(msg) || memcmp(back, msg, n)) {
			fprintf(stderr, "ash_echo: round %d: no echo (%zd: %s)\n",
				i, n, n < 0 ? strerror(errno) : "wrong bytes");
			break;
		}
		printf("client: sent and got back \"%s\"\n", msg);
	}
	close(s);
	return i == DEMO_ROUNDS ? 0 : 1;
}

static int counters(struct exo *exo, const char *what, __u32 id, __u64 want)
{
	struct exo_net_stats st;

	if (exo_net_stats(exo, id, &st)) {
		fprintf(stderr, "ash_echo: stats: %s\n", strerror(errno));
		return 1;
	}
	printf("%s: %llu matched, %llu answered in the kernel, %llu refused, %llu to the ring\n",
	       what, (unsigned long long)st.matched,
	       (unsigned long long)st.ash_replied,
	       (unsigned long long)st.ash_refused,
	       (unsigned long long)st.delivered);
	return st.ash_replied >= want ? 0 : 1;
}

int main(void)
{
	char *ping[] = { "ping", "-c", "3", "-W", "5", DEMO_HOST_IP, NULL };
	struct exo_ash_insn udp[EXO_ASH_UDP_ECHO_LEN];
	struct exo_ash_insn icmp[EXO_ASH_ICMP_ECHO_LEN];
	struct exo_net_atom a[4];
	__u32 udp_id = 0, icmp_id = 0, host_ip;
	struct veth_lab lab;
	struct exo *exo;
	int ret = 1, err;

	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "ash_echo: exo_open: %s\n", strerror(errno));
		return 1;
	}
	err = veth_lab_setup(&lab, DEMO_DEV, DEMO_PEER, DEMO_HOST_IP,
			     DEMO_PEER_IP, 24);
	if (err) {
		fprintf(stderr, "ash_echo: veth pair: %s\n", strerror(-err));
		goto out;
	}
	printf("demo: %s (host %s) <-> %s (its own namespace, %s)\n",
	       DEMO_DEV, DEMO_HOST_IP, DEMO_PEER, DEMO_PEER_IP);
	inet_pton(AF_INET, DEMO_HOST_IP, &host_ip);
	exo_ash_udp_echo(udp, EXO_ASH_UDP_ECHO_LEN);
	exo_ash_icmp_echo(icmp, EXO_ASH_ICMP_ECHO_LEN);
	/* UDP/IPv4 to port 7; ICMP to the host's address. */
	a[0] = exo_net_atom(12, 2, 0xffff, 0x0800);
	a[1] = exo_net_atom(14, 1, 0xff, 0x45);
	a[2] = exo_net_atom(23, 1, 0xff, 17);
	a[3] = exo_net_atom(36, 2, 0xffff, DEMO_PORT);
	udp_id = bind_handler(exo, lab.ifindex, a, 4, udp, EXO_ASH_UDP_ECHO_LEN);
	a[2] = exo_net_atom(23, 1, 0xff, 1);
	a[3] = exo_net_atom(30, 4, 0xffffffff, ntohl(host_ip));
	icmp_id = bind_handler(exo, lab.ifindex, a, 4, icmp,
			       EXO_ASH_ICMP_ECHO_LEN);
	if (!udp_id || !icmp_id)
		goto out;
	printf("ash_echo: handlers on %s: UDP port %u (%d instructions), ping (%d)\n",
	       DEMO_DEV, DEMO_PORT, EXO_ASH_UDP_ECHO_LEN, EXO_ASH_ICMP_ECHO_LEN);
	fflush(stdout);
	if (udp_rounds(&lab))
		goto out;
	printf("client: ping %s from the peer namespace\n", DEMO_HOST_IP);
	fflush(stdout);
	ret = veth_peer_run(&lab, ping);
	if (ret) {
		fprintf(stderr, "ash_echo: ping exited %d\n", ret);
		goto out;
	}
	ret = counters(exo, "udp", udp_id, DEMO_ROUNDS) |
	      counters(exo, "icmp", icmp_id, 3);
out:
	veth_lab_teardown(&lab);
	exo_close(exo);
	printf("demo: %s\n", ret ? "FAILED" : "the kernel answered UDP and ping for the libOS");
	return ret;
}
