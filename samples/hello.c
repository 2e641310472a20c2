// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * hello: the smallest library operating system.
 *
 * It opens an environment, shakes hands with exo.ko, looks at itself,
 * raises an event and reads it back, explaining each step as it goes.
 * Read this first; every other sample builds on these calls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/exo.h>

static void say(const char *step, const char *words)
{
	printf("\n[%s]\n  %s\n", step, words);
}

int main(void)
{
	struct exo_env_info info;
	struct exo_event event;
	struct exo_api api;
	struct exo *exo;
	int ret;

	say("1/5 open",
	    "Opening /dev/exo creates an *environment*: the kernel's record of\n"
	    "  this libOS. Everything it binds later (frames, CPU slots, packet\n"
	    "  filters, disk blocks) hangs off it, and closing it gives all back.");
	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "hello: exo_open failed: %s\n", strerror(errno));
		return 1;
	}

	say("2/5 handshake",
	    "exo_open() already did the EXO_IOC_API handshake: until it is done,\n"
	    "  the kernel refuses every other call with EPROTO. Here is what the\n"
	    "  kernel said about itself:");
	ret = exo_api(exo, &api);
	if (ret) {
		fprintf(stderr, "hello: exo_api: %s\n", strerror(-ret));
		goto out;
	}
	printf("  => API version %u, features %#" PRIx64 ", ioctl mask %#" PRIx64 "\n",
	       api.api_version, (uint64_t)api.features, (uint64_t)api.ioctls);

	say("3/5 who am I",
	    "EXO_IOC_ENV_INFO describes the caller's own environment, and only\n"
	    "  that: no call can name another environment.");
	ret = exo_env_info(exo, &info);
	if (ret) {
		fprintf(stderr, "hello: exo_env_info: %s\n", strerror(-ret));
		goto out;
	}
	printf("  => environment %" PRIu64 ", owned by pid %u (uid %u)\n",
	       (uint64_t)info.env_id, info.owner_tgid, info.owner_uid);
	printf("  => it holds %" PRIu64 " frames, %" PRIu64 " slots, %" PRIu64
	       " filters, %" PRIu64 " blocks\n",
	       (uint64_t)info.frames, (uint64_t)info.slots,
	       (uint64_t)info.filters, (uint64_t)info.blocks);

	say("4/5 raise an event",
	    "The kernel talks to a libOS through events on its fd: revocation\n"
	    "  requests, aborts, slot wake-ups, packets. A libOS can raise one at\n"
	    "  itself to test its loop; we send the cookie 0x1234.");
	ret = exo_event_raise(exo, 0x1234);
	if (ret) {
		fprintf(stderr, "hello: exo_event_raise: %s\n", strerror(-ret));
		goto out;
	}

	say("5/5 read it back",
	    "The fd is pollable; read(2) returns whole struct exo_event records.");
	ret = exo_event_read(exo, &event, 1, 1000);
	if (ret != 1) {
		fprintf(stderr, "hello: no event came back (%d)\n", ret);
		ret = 1;
		goto out;
	}
	printf("  => event #%" PRIu64 ": type %s, cookie %#" PRIx64
	       ", for environment %" PRIu64 "\n",
	       (uint64_t)event.seq, exo_event_name(event.type),
	       (uint64_t)event.data[0], (uint64_t)event.env_id);
	ret = event.type == EXO_EVENT_USER && event.data[0] == 0x1234 ? 0 : 1;

	printf("\nhello: %s. Closing the environment returns everything it held.\n",
	       ret ? "the event was not the one we raised" : "done");
out:
	exo_close(exo);
	return ret ? 1 : 0;
}
