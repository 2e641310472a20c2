/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An environment's event queue: a fixed ring of struct exo_event records
 * that never loses an event silently. When only one slot is left, the next
 * event becomes an EXO_EVENT_OVERFLOW record in it, and every event after
 * that, until the reader makes room, is counted in that same record. The
 * overflow record sits where the lost events would have, so the reader sees
 * the gap in order.
 *
 * The ring does no locking; its user serialises every call.
 */
#ifndef EXO_CORE_EVRING_H
#define EXO_CORE_EVRING_H

#include "core.h"
#include "../../uapi/linux/exo.h"

#define EXO_EVRING_MIN_CAPACITY	2

struct exo_evring {
	struct exo_event *slots;
	u32 capacity;		/* >= EXO_EVRING_MIN_CAPACITY */
	u32 head;		/* index of the oldest record */
	u32 count;		/* records queued */
	u64 next_seq;		/* seq of the next posted event, from 1 */
	u64 posted;		/* events pushed, lost ones included */
	u64 lost;		/* events folded into overflow records */
	u64 consumed;		/* records taken out, overflow records included */
};

void exo_evring_init(struct exo_evring *ring, struct exo_event *slots,
		     u32 capacity);
bool exo_evring_push(struct exo_evring *ring, const struct exo_event *event);
bool exo_evring_peek(const struct exo_evring *ring, struct exo_event *out);
void exo_evring_drop_oldest(struct exo_evring *ring);

static inline u32 exo_evring_pending(const struct exo_evring *ring)
{
	return ring->count;
}

#endif /* EXO_CORE_EVRING_H */
