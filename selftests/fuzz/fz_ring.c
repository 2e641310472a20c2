// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the submission ring's rows. The model knows whether the
 * environment has its ring, so SETUP must say EEXIST the second time and
 * ENTER ENXIO before the first. The fuzzer never maps the ring: an empty
 * SQ makes every valid doorbell run nothing, which the model checks too.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "fz.h"

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/* Mostly powers of two in range, sometimes either side of a limit. */
static __u32 fz_ring_size(struct fz_worker *w, __u32 max, bool *bad)
{
	static const __u32 odd[] = { 3, 5, 6, 0x7fffffff, 0x80000000, 0xffffffff };
	__u64 p = fz_below(&w->rng, 100);
	__u32 v;

	*bad = false;
	if (p < 80)
		return 1U << fz_below(&w->rng, 13);
	if (p < 90) {
		v = max << (1 + fz_below(&w->rng, 4));
		*bad = true;
		return v;
	}
	v = odd[fz_below(&w->rng, FZ_ARRAY_SIZE(odd))];
	*bad = true;
	return v;
}

static void fz_gen_ring_setup(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_ring_setup *s = (struct exo_ring_setup *)c->buf;
	bool bad;

	s->sq_entries = fz_ring_size(w, EXO_RING_MAX_ENTRIES, &bad);
	if (bad || s->sq_entries > EXO_RING_MAX_ENTRIES)
		fz_bad(c, "sq_entries not a power of two in 1..4096");
	if (fz_chance(&w->rng, 50)) {
		s->cq_entries = 0;
	} else {
		s->cq_entries = fz_ring_size(w, EXO_RING_MAX_CQ, &bad);
		if (bad || s->cq_entries > EXO_RING_MAX_CQ ||
		    s->cq_entries < s->sq_entries)
			fz_bad(c, "cq_entries out of sq_entries..8192");
	}
	if (!s->cq_entries && s->sq_entries > EXO_RING_MAX_CQ / 2)
		fz_bad(c, "the default CQ too big");
	if (e->ring && !c->bad)
		c->expect = EEXIST;
}

static void fz_done_ring_setup(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	struct exo_ring_setup s;

	if (c->expect == EEXIST)
		fz_expect(w, FZ_CHK_MODEL, c->err != 0,
			  "RING_SETUP succeeded twice on one environment");
	if (c->err)
		return;
	e->ring = true;
	if (!out)
		return;
	memcpy(&s, out, sizeof(s));
	e->ring_size = s.ring_size;
	fz_expect(w, FZ_CHK_MODEL, s.ring_size && !(s.ring_size & 4095) &&
		  s.sq_off < s.cq_off && s.cq_off < s.ring_size,
		  "RING_SETUP gave ring_size %u sq_off %u cq_off %u",
		  s.ring_size, s.sq_off, s.cq_off);
}

static void fz_gen_ring_enter(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_ring_enter *en = (struct exo_ring_enter *)c->buf;
	__u64 p = fz_below(&w->rng, 100);

	en->to_submit = p < 60 ? (__u32)fz_below(&w->rng, 64) :
			p < 90 ? 0 : (__u32)fz_next(&w->rng);
	/* An empty SQ: min_complete above 0 can never be met. */
	en->min_complete = fz_chance(&w->rng, 80) ? 0 :
			   (__u32)fz_below(&w->rng, 1U << 14);
	if (en->min_complete)
		fz_bad(c, "min_complete on an empty ring");
	if (en->to_submit > EXO_RING_MAX_ENTRIES)
		fz_bad(c, "to_submit past any SQ");
	/* Output fields: the kernel ignores what is there. */
	if (fz_chance(&w->rng, 30)) {
		en->submitted = (__u32)fz_next(&w->rng);
		en->cq_ready = (__u32)fz_next(&w->rng);
		en->cq_overflow = (__u32)fz_next(&w->rng);
	}
	if (!e->ring)
		fz_bad(c, "no ring set up");
}

static void fz_done_ring_enter(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	struct exo_ring_enter en;

	if (!e->ring && c->err != EFAULT && c->err != E2BIG &&
	    c->err != EINVAL && c->err != EPERM && c->err != EPROTO)
		fz_expect(w, FZ_CHK_MODEL, c->err == ENXIO,
			  "RING_ENTER without a ring gave errno %d", c->err);
	if (c->err || !out)
		return;
	memcpy(&en, out, sizeof(en));
	fz_expect(w, FZ_CHK_MODEL, !en.submitted && !en.cq_ready,
		  "RING_ENTER on an empty ring ran %u, %u ready",
		  en.submitted, en.cq_ready);
}

static const int fz_errs_ring_setup[] = {
	EFAULT, EINVAL, E2BIG, EEXIST, ENOMEM, 0,
};
static const int fz_errs_ring_enter[] = {
	EFAULT, EINVAL, E2BIG, ENXIO, EAGAIN, 0,
};

const struct fz_ioctl fz_ring_ioctls[] = {
	{
		.name = "EXO_IOC_RING_SETUP",
		.cmd = EXO_IOC_RING_SETUP,
		.size = sizeof(struct exo_ring_setup),
		.minsz = FZ_OFFSETOFEND(struct exo_ring_setup, reserved),
		.flags_off = offsetof(struct exo_ring_setup, flags),
		.reserved_off = { offsetof(struct exo_ring_setup, reserved) },
		.nreserved = 1,
		.attrs = FZ_WRITES,
		.gen = fz_gen_ring_setup,
		.done = fz_done_ring_setup,
		.errnos = fz_errs_ring_setup,
	},
	{
		.name = "EXO_IOC_RING_ENTER",
		.cmd = EXO_IOC_RING_ENTER,
		.size = sizeof(struct exo_ring_enter),
		.minsz = FZ_OFFSETOFEND(struct exo_ring_enter, reserved),
		.flags_off = offsetof(struct exo_ring_enter, flags),
		.reserved_off = { offsetof(struct exo_ring_enter, reserved) },
		.nreserved = 1,
		.attrs = FZ_WRITES,
		.gen = fz_gen_ring_enter,
		.done = fz_done_ring_enter,
		.errnos = fz_errs_ring_enter,
	},
};

const size_t fz_ring_nioctls = FZ_ARRAY_SIZE(fz_ring_ioctls);
