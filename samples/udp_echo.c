// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * udp_echo: a UDP echo server whose whole network stack is a libOS.
 *
 * The server binds two packet filters on a device (ARP for its address,
 * IPv4 to its address), reads frames from the rings the kernel fills, and
 * answers with libexo's small UDP/IP: ARP replies, ICMP echo replies, UDP
 * echo. Frames its filters do not claim go on to Linux untouched.
 *
 *   udp_echo                      the demo: makes a veth pair whose far end
 *                                 lives in a namespace of its own, runs the
 *                                 server on the near end, then talks to it
 *                                 from the far end with a plain UDP socket
 *                                 and with ping(8); exits 0 if all worked
 *   udp_echo IFNAME IP PORT       serve on IFNAME as IP, echoing on PORT
 *
 * Needs root (CAP_NET_ADMIN), or the device in exo.ko's netdevs parameter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/exo.h>

#include "../libexo/veth.h"

#define DEMO_DEV	"exoecho0"
#define DEMO_PEER	"exoecho0p"
#define DEMO_HOST_IP	"10.77.1.1"
#define DEMO_PEER_IP	"10.77.1.2"
#define DEMO_LIBOS_IP	"10.77.1.3"
#define DEMO_PORT	7
#define DEMO_ROUNDS	5

/* Serve until killed; writes one byte to @ready_fd (if >= 0) once bound. */
static int serve(unsigned int ifindex, const char *ip, unsigned short port,
		 int ready_fd)
{
	struct exo_udpip_opts opts = { .sz = sizeof(opts), .ifindex = ifindex };
	struct exo_udp_meta meta;
	struct exo_udpip *stack;
	struct exo *exo;
	char buf[1500];
	int n;

	if (inet_pton(AF_INET, ip, &opts.ip) != 1) {
		fprintf(stderr, "udp_echo: bad address %s\n", ip);
		return 2;
	}
	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "udp_echo: exo_open: %s\n", strerror(errno));
		return 1;
	}
	/* Two filters and their rings: the kernel now sends us our frames. */
	stack = exo_udpip_create(exo, &opts);
	if (!stack) {
		fprintf(stderr, "udp_echo: exo_udpip_create: %s\n", strerror(errno));
		exo_close(exo);
		return 1;
	}
	printf("udp_echo: %s on ifindex %u, echoing UDP port %u\n", ip, ifindex, port);
	fflush(stdout);
	if (ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
		return 1;
	for (;;) {
		/* Serves ARP and ping while it waits for a datagram. */
		n = exo_udpip_recv(stack, buf, sizeof(buf), &meta, -1);
		if (n < 0) {
			fprintf(stderr, "udp_echo: recv: %s\n", strerror(-n));
			break;
		}
		if (meta.local_port != port)
			continue;
		n = exo_udpip_send(stack, &meta, buf, n);
		if (n)
			fprintf(stderr, "udp_echo: send: %s\n", strerror(-n));
	}
	exo_udpip_destroy(stack);
	exo_close(exo);
	return 1;
}

/* The client side of the demo, in the far end's namespace. */
static int demo_client(struct veth_lab *lab)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(DEMO_PORT) };
	struct timeval tv = { .tv_sec = 5 };
	char *ping[] = { "ping", "-c", "3", "-W", "5", DEMO_LIBOS_IP, NULL };
	char msg[64], back[64];
	int s, i, ret;
	ssize_t n;

	s = veth_peer_socket(lab, AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		fprintf(stderr, "udp_echo: peer socket: %s\n", strerror(-s));
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	inet_pton(AF_INET, DEMO_LIBOS_IP, &to.sin_addr);
	for (i = 0; i < DEMO_ROUNDS; i++) {
		snprintf(msg, sizeof(msg), "hello libOS, round %d", i);
		if (sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			fprintf(stderr, "udp_echo: sendto: %s\n", strerror(errno));
			return 1;
		}
		n = recv(s, back, sizeof(back), 0);
		if (n != (ssize_t)strlen(msg) || memcmp(back, msg, n)) {
			fprintf(stderr, "udp_echo: round %d: no echo (%zd: %s)\n",
				i, n, n < 0 ? strerror(errno) : "wrong bytes");
			return 1;
		}
		printf("client: sent and got back \"%s\"\n", msg);
	}
	close(s);
	printf("client: ping %s from the peer namespace\n", DEMO_LIBOS_IP);
	fflush(stdout);
	ret = veth_peer_run(lab, ping);
	if (ret) {
		fprintf(stderr, "udp_echo: ping exited %d\n", ret);
		return 1;
	}
	return 0;
}

static int demo(void)
{
	struct veth_lab lab;
	int ready[2], ret, status;
	char c;
	pid_t pid;

	ret = veth_lab_setup(&lab, DEMO_DEV, DEMO_PEER, DEMO_HOST_IP,
			     DEMO_PEER_IP, 24);
	if (ret) {
		fprintf(stderr, "udp_echo: veth pair: %s\n", strerror(-ret));
		veth_lab_teardown(&lab);
		return 1;
	}
	printf("demo: %s (host %s) <-> %s (its own namespace, %s); libOS is %s\n",
	       DEMO_DEV, DEMO_HOST_IP, DEMO_PEER, DEMO_PEER_IP, DEMO_LIBOS_IP);
	if (pipe(ready)) {
		veth_lab_teardown(&lab);
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		_exit(serve(lab.ifindex, DEMO_LIBOS_IP, DEMO_PORT, ready[1]));
	}
	close(ready[1]);
	ret = 1;
	if (pid > 0 && read(ready[0], &c, 1) == 1)
		ret = demo_client(&lab);
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	close(ready[0]);
	veth_lab_teardown(&lab);
	printf("demo: %s\n", ret ? "FAILED" : "the libOS answered UDP and ping");
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int ifindex;

	if (argc == 1)
		return demo();
	if (argc != 4) {
		fprintf(stderr, "usage: %s [IFNAME IP PORT]\n", argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "udp_echo: no device %s\n", argv[1]);
		return 2;
	}
	return serve(ifindex, argv[2], (unsigned short)atoi(argv[3]), -1);
}
