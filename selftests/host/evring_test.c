// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/evring.c, the event queue that exo.ko runs
 * unchanged: order, sequence numbers and the in-order overflow record.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "../../module/core/evring.h"

#define CAPACITY 8

FIXTURE(evring) {
	struct exo_evring ring;
	struct exo_event slots[CAPACITY];
};

FIXTURE_SETUP(evring)
{
	exo_evring_init(&self->ring, self->slots, CAPACITY);
}

FIXTURE_TEARDOWN(evring)
{
}

static struct exo_event user_event(__u64 cookie)
{
	struct exo_event ev = { .type = EXO_EVENT_USER, .env_id = 7 };

	ev.data[0] = cookie;
	return ev;
}

static struct exo_event take(struct exo_evring *ring)
{
	struct exo_event ev = { 0 };

	if (exo_evring_peek(ring, &ev))
		exo_evring_drop_oldest(ring);
	return ev;
}

TEST_F(evring, empty_ring_has_nothing)
{
	struct exo_event ev;

	ASSERT_EQ(0, exo_evring_pending(&self->ring));
	ASSERT_FALSE(exo_evring_peek(&self->ring, &ev));
	exo_evring_drop_oldest(&self->ring);
	ASSERT_EQ(0, self->ring.consumed);
}

TEST_F(evring, fifo_order_and_seq_from_one)
{
	struct exo_event ev;
	int i;

	for (i = 0; i < 3; i++) {
		ev = user_event(100 + i);
		ASSERT_TRUE(exo_evring_push(&self->ring, &ev));
	}
	for (i = 0; i < 3; i++) {
		ev = take(&self->ring);
		ASSERT_EQ(EXO_EVENT_USER, ev.type);
		ASSERT_EQ(100 + i, ev.data[0]);
		ASSERT_EQ(i + 1, ev.seq);
	}
	ASSERT_EQ(0, exo_evring_pending(&self->ring));
}

/* capacity - 1 events fit as themselves: one below the limit. */
TEST_F(evring, capacity_minus_one_fits)
{
	struct exo_event ev;
	int i;

	for (i = 0; i < CAPACITY - 1; i++) {
		ev = user_event(i);
		ASSERT_TRUE(exo_evring_push(&self->ring, &ev));
	}
	ASSERT_EQ(CAPACITY - 1, exo_evring_pending(&self->ring));
	ASSERT_EQ(0, self->ring.lost);
}

/* The capacity-th event is the first one lost: at the limit. */
TEST_F(evring, capacity_th_event_becomes_overflow)
{
	struct exo_event ev;
	int i;

	for (i = 0; i < CAPACITY; i++) {
		ev = user_event(i);
		exo_evring_push(&self->ring, &ev);
	}
	ASSERT_EQ(CAPACITY, exo_evring_pending(&self->ring));
	ASSERT_EQ(1, self->ring.lost);
	for (i = 0; i < CAPACITY - 1; i++)
		ASSERT_EQ(EXO_EVENT_USER, take(&self->ring).type);
	ev = take(&self->ring);
	ASSERT_EQ(EXO_EVENT_OVERFLOW, ev.type);
	ASSERT_EQ(1, ev.data[0]);
	ASSERT_EQ(CAPACITY, ev.seq);
	ASSERT_EQ(7, ev.env_id);
}

TEST_F(evring, overflow_counts_every_lost_event_in_order)
{
	struct exo_event ev;
	int i;

	for (i = 0; i < CAPACITY + 10; i++) {
		ev = user_event(i);
		exo_evring_push(&self->ring, &ev);
	}
	ASSERT_EQ(11, self->ring.lost);
	ASSERT_EQ(CAPACITY + 10, self->ring.posted);

	/* Room again (two slots, one stays for overflow): it lands after. */
	ASSERT_EQ(1, take(&self->ring).seq);
	ASSERT_EQ(2, take(&self->ring).seq);
	ev = user_event(999);
	ASSERT_TRUE(exo_evring_push(&self->ring, &ev));

	for (i = 2; i < CAPACITY - 1; i++)
		ASSERT_EQ(i + 1, take(&self->ring).seq);
	ev = take(&self->ring);
	ASSERT_EQ(EXO_EVENT_OVERFLOW, ev.type);
	ASSERT_EQ(11, ev.data[0]);
	ASSERT_EQ(CAPACITY, ev.seq);
	ev = take(&self->ring);
	ASSERT_EQ(999, ev.data[0]);
	/* Sequence numbers account for every lost event. */
	ASSERT_EQ(CAPACITY + 11, ev.seq);
	ASSERT_EQ(0, exo_evring_pending(&self->ring));
}

/* One slot frees while the overflow record is newest: it keeps counting. */
TEST_F(evring, overflow_record_absorbs_while_last_slot_is_free)
{
	struct exo_event ev;
	int i;

	for (i = 0; i < CAPACITY; i++) {
		ev = user_event(i);
		exo_evring_push(&self->ring, &ev);
	}
	take(&self->ring);
	ev = user_event(50);
	ASSERT_FALSE(exo_evring_push(&self->ring, &ev));
	ASSERT_EQ(CAPACITY - 1, exo_evring_pending(&self->ring));
	for (i = 1; i < CAPACITY - 1; i++)
		take(&self->ring);
	ev = take(&self->ring);
	ASSERT_EQ(EXO_EVENT_OVERFLOW, ev.type);
	ASSERT_EQ(2, ev.data[0]);
}

TEST_F(evring, smallest_capacity)
{
	struct exo_event slots[EXO_EVRING_MIN_CAPACITY], ev = user_event(1);
	struct exo_evring ring;

	exo_evring_init(&ring, slots, EXO_EVRING_MIN_CAPACITY);
	ASSERT_TRUE(exo_evring_push(&ring, &ev));
	ASSERT_FALSE(exo_evring_push(&ring, &ev));
	ASSERT_FALSE(exo_evring_push(&ring, &ev));
	ASSERT_EQ(1, take(&ring).data[0]);
	ev = take(&ring);
	ASSERT_EQ(EXO_EVENT_OVERFLOW, ev.type);
	ASSERT_EQ(2, ev.data[0]);
}

/* Against a model: a long random run of pushes and takes. */
TEST_F(evring, matches_random_model)
{
	struct exo_event slots[CAPACITY], ev;
	struct exo_evring ring;
	__u64 expect_seq = 1, next_cookie = 0, lost_seen = 0;
	unsigned int seed = 12345;
	int step;

	exo_evring_init(&ring, slots, CAPACITY);
	for (step = 0; step < 100000; step++) {
		if (rand_r(&seed) % 3) {
			ev = user_event(next_cookie++);
			exo_evring_push(&ring, &ev);
			continue;
		}
		if (!exo_evring_peek(&ring, &ev))
			continue;
		exo_evring_drop_oldest(&ring);
		ASSERT_EQ(expect_seq, ev.seq);
		if (ev.type == EXO_EVENT_OVERFLOW) {
			ASSERT_LE(1, ev.data[0]);
			expect_seq += ev.data[0];
			lost_seen += ev.data[0];
		} else {
			ASSERT_EQ(ev.seq - 1, ev.data[0]);
			expect_seq++;
		}
	}
	while (exo_evring_peek(&ring, &ev)) {
		exo_evring_drop_oldest(&ring);
		if (ev.type == EXO_EVENT_OVERFLOW)
			lost_seen += ev.data[0];
	}
	ASSERT_EQ(ring.lost, lost_seen);
	ASSERT_EQ(next_cookie, ring.posted);
}

TEST_HARNESS_MAIN
