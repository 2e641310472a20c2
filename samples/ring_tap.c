// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * ring_tap: one libOS lets another watch its receive ring, then stops it.
 *
 * The owner binds UDP port 9 on the loopback device. A second process, a
 * tap with an environment of its own, gets an EXO_CAP_NET capability on
 * that ring, read-only, and maps it with exo_ring_attach(): it sees every
 * frame the owner has not consumed yet, and can neither consume them,
 * send through the binding, nor pass the ring on. Then the owner revokes
 * the cap; the tap's mapping is gone when the call returns and the tap
 * hears of it (EXO_EVENT_NET_UNGRANTED).
 *
 *   ring_tap                  the demo: sends 5 datagrams to 127.0.0.1:9,
 *                             the tap prints each, the owner consumes them
 *                             and revokes; exits 0 if the tap saw all 5
 *                             and the revocation, and the owner's ring was
 *                             left for the owner
 *
 * Needs root (a filter on the loopback device needs CAP_NET_ADMIN).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/exo.h>

#define DEMO_PORT	9
#define DEMO_FRAMES	5
#define DEMO_WAIT_MS	5000
#define UDP_PAYLOAD	(14 + 20 + 8)	/* Ethernet, IPv4, UDP headers */

/* Exactly @len bytes over a pipe; 0 or -1. */
static int pipe_io(int fd, void *buf, size_t len, int out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* The tap: its env id out, the binding id in, frames seen out, the event. */
static int tap_main(int rx, int tx)
{
	struct exo_env_info info = { .argsz = sizeof(info) };
	const struct exo_net_slot *slot;
	struct exo_event ev;
	struct exo_ring *tap;
	const void *frame;
	__u32 id, seen = 0;
	struct exo *exo;
	int ret;

	exo = exo_open(NULL);
	if (!exo || exo_env_info(exo, &info))
		return 1;
	if (pipe_io(tx, &info.env_id, sizeof(info.env_id), 1) ||
	    pipe_io(rx, &id, sizeof(id), 0))
		return 2;
	tap = exo_ring_attach(exo, id, false);
	if (!tap) {
		fprintf(stderr, "ring_tap: attach: %s\n", strerror(errno));
		return 3;
	}
	while (seen < DEMO_FRAMES) {
		ret = exo_ring_peek(tap, &slot, &frame);
		if (ret < 0)
			return 4;
		if (!ret) {
			if (exo_ring_wait(exo, DEMO_WAIT_MS) <= 0)
				break;
			continue;
		}
		printf("  tap sees frame %u: %u bytes, payload \"%.*s\"\n", seen,
		       slot->len, (int)(slot->caplen - UDP_PAYLOAD),
		       (const char *)frame + UDP_PAYLOAD);
		exo_ring_release(tap);
		seen++;
	}
	if (pipe_io(tx, &seen, sizeof(seen), 1))
		return 5;
	/* The owner revokes next: the record comes after the pages went. */
	ret = exo_event_read(exo, &ev, 1, DEMO_WAIT_MS);
	if (ret != 1 || ev.type != EXO_EVENT_NET_UNGRANTED || ev.data[1] != id) {
		fprintf(stderr, "ring_tap: no EXO_EVENT_NET_UNGRANTED\n");
		return 6;
	}
	printf("  tap told: cap %llu on binding %u revoked\n",
	       (unsigned long long)ev.data[0], id);
	/* Its mapping is gone: unmapping what is left is all it may do. */
	exo_ring_destroy(tap);
	exo_close(exo);
	return seen == DEMO_FRAMES ? 0 : 7;
}

static int send_frames(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(DEMO_PORT) };
	char msg[16];
	int s, i, err = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	for (i = 0; i < DEMO_FRAMES && !err; i++) {
		int len = snprintf(msg, sizeof(msg), "frame-%d", i);

		if (sendto(s, msg, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != len)
			err = -1;
	}
	close(s);
	return err;
}

int main(void)
{
	struct exo_net_atom atoms[4];
	const struct exo_net_slot *slot;
	int down[2], up[2], status, ret = 1;
	__u32 id, seen = 0, consumed = 0;
	struct exo_ring *ring;
	const void *frame;
	__u64 tap_id, cap;
	struct exo *exo;
	pid_t pid;

	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "ring_tap: exo_open: %s\n", strerror(errno));
		return 1;
	}
	atoms[0] = exo_net_atom(12, 2, 0xffff, 0x0800);	/* IPv4 */
	atoms[1] = exo_net_atom(14, 1, 0xff, 0x45);		/* no options */
	atoms[2] = exo_net_atom(23, 1, 0xff, 17);		/* UDP */
	atoms[3] = exo_net_atom(36, 2, 0xffff, DEMO_PORT);
	ring = exo_ring_create(exo, 0, 1, atoms, 4, 16, 2048);
	if (!ring) {
		fprintf(stderr, "ring_tap: bind UDP port %d on lo: %s\n",
			DEMO_PORT, strerror(errno));
		return 1;
	}
	id = exo_ring_id(ring);
	printf("ring_tap: owner bound UDP port %d on lo, binding %u\n",
	       DEMO_PORT, id);
	if (pipe(down) || pipe(up))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		close(down[1]);
		close(up[0]);
		_exit(tap_main(down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);

	if (pipe_io(up[0], &tap_id, sizeof(tap_id), 0))
		goto out;
	if (exo_cap_grant(exo, EXO_CAP_NET, EXO_CAP_READ, id, 1, tap_id, &cap)) {
		fprintf(stderr, "ring_tap: grant: %s\n", strerror(errno));
		goto out;
	}
	printf("ring_tap: granted env %llu a read-only cap %llu on it\n",
	       (unsigned long long)tap_id, (unsigned long long)cap);
	if (pipe_io(down[1], &id, sizeof(id), 1) || send_frames())
		goto out;
	/* The tap sees only what the owner has not consumed: wait for it. */
	if (pipe_io(up[0], &seen, sizeof(seen), 0))
		goto out;
	while (exo_ring_peek(ring, &slot, &frame) == 1) {
		exo_ring_release(ring);
		consumed++;
	}
	printf("ring_tap: owner consumed %u frames; revoking\n", consumed);
	if (exo_cap_revoke(exo, EXO_CAP_NET, cap)) {
		fprintf(stderr, "ring_tap: revoke: %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(down[1]);
	close(up[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "ring_tap: the tap failed (status %#x)\n", status);
		ret = 1;
	}
	if (!ret && (seen != DEMO_FRAMES || consumed != DEMO_FRAMES))
		ret = 1;
	printf("ring_tap: tap saw %u of %d, owner consumed %u: %s\n", seen,
	       DEMO_FRAMES, consumed, ret ? "FAILED" : "ok");
	exo_ring_destroy(ring);
	exo_close(exo);
	return ret;
}
