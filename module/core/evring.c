// SPDX-License-Identifier: GPL-2.0
/* Event ring with in-order overflow records; see evring.h. */
#include "evring.h"

void exo_evring_init(struct exo_evring *ring, struct exo_event *slots,
		     u32 capacity)
{
	memset(ring, 0, sizeof(*ring));
	ring->slots = slots;
	ring->capacity = capacity;
	ring->next_seq = 1;
}

static struct exo_event *exo_evring_slot(struct exo_evring *ring, u32 nth)
{
	return &ring->slots[(ring->head + nth) % ring->capacity];
}

/*
 * Queue @event, giving it the next sequence number. Return true if it was
 * stored as itself, false if it was folded into an overflow record.
 */
bool exo_evring_push(struct exo_evring *ring, const struct exo_event *event)
{
	u64 seq = ring->next_seq++;
	struct exo_event *slot;

	ring->posted++;
	if (ring->count + 1 < ring->capacity) {
		slot = exo_evring_slot(ring, ring->count++);
		*slot = *event;
		slot->seq = seq;
		return true;
	}

	ring->lost++;
	if (ring->count) {
		/* The newest record already stands for lost events: add one. */
		slot = exo_evring_slot(ring, ring->count - 1);
		if (slot->type == EXO_EVENT_OVERFLOW) {
			slot->data[0]++;
			return false;
		}
	}

	/* The last free slot becomes the overflow record. */
	slot = exo_evring_slot(ring, ring->count++);
	memset(slot, 0, sizeof(*slot));
	slot->type = EXO_EVENT_OVERFLOW;
	slot->seq = seq;
	slot->env_id = event->env_id;
	slot->time_ns = event->time_ns;
	slot->data[0] = 1;
	return false;
}

/* Copy the oldest record to @out without taking it; false when empty. */
bool exo_evring_peek(const struct exo_evring *ring, struct exo_event *out)
{
	if (!ring->count)
		return false;
	*out = ring->slots[ring->head];
	return true;
}

/* Take the oldest record away, once the reader has it. */
void exo_evring_drop_oldest(struct exo_evring *ring)
{
	if (!ring->count)
		return;
	ring->head = (ring->head + 1) % ring->capacity;
	ring->count--;
	ring->consumed++;
}
