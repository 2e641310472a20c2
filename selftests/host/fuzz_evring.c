// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/evring.c. The input picks a capacity and
 * a sequence of pushes and takes; the target checks the ring's promises:
 *  - an event is lost only when at most one slot was free;
 *  - records come out in order and their seq numbers account for every
 *    event, an overflow record standing for data[0] consecutive ones;
 *  - two overflow records are never adjacent;
 *  - pending never exceeds the capacity, and lost equals what the overflow
 *    records say.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/evring.h"

#define MAX_CAPACITY 17

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_evring: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exo_event slots[MAX_CAPACITY], ev;
	__u64 next_cookie = 1, expect_seq = 1, lost_seen = 0;
	int last_was_overflow = 0;
	struct exo_evring ring;
	u32 capacity;
	size_t i;

	if (!size)
		return 0;
	capacity = EXO_EVRING_MIN_CAPACITY +
		   data[0] % (MAX_CAPACITY - EXO_EVRING_MIN_CAPACITY + 1);
	exo_evring_init(&ring, slots, capacity);

	for (i = 1; i < size; i++) {
		unsigned int n = (data[i] >> 1) + 1;

		while (n--) {
			if (data[i] & 1) {
				u32 before = exo_evring_pending(&ring);
				bool stored;

				ev = (struct exo_event){ .type = EXO_EVENT_USER };
				ev.data[0] = next_cookie++;
				stored = exo_evring_push(&ring, &ev);
				if (!stored && before + 1 < capacity)
					fail("lost an event with two free slots");
			} else {
				if (!exo_evring_peek(&ring, &ev))
					break;
				exo_evring_drop_oldest(&ring);
				if (ev.seq != expect_seq)
					fail("sequence gap");
				if (ev.type == EXO_EVENT_OVERFLOW) {
					if (last_was_overflow)
						fail("adjacent overflow records");
					if (!ev.data[0])
						fail("empty overflow record");
					expect_seq += ev.data[0];
					lost_seen += ev.data[0];
					last_was_overflow = 1;
				} else {
					if (ev.data[0] != ev.seq)
						fail("record out of order");
					expect_seq++;
					last_was_overflow = 0;
				}
			}
			if (exo_evring_pending(&ring) > capacity)
				fail("more pending than capacity");
		}
	}

	while (exo_evring_peek(&ring, &ev)) {
		exo_evring_drop_oldest(&ring);
		if (ev.type == EXO_EVENT_OVERFLOW)
			lost_seen += ev.data[0];
	}
	if (lost_seen != ring.lost)
		fail("lost counter disagrees with overflow records");
	if (ring.posted != next_cookie - 1)
		fail("posted counter disagrees with pushes");
	return 0;
}
