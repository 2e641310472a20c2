// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the network binding (EXO_IOC_NET_*).
 *
 * Filters with random atoms are the interesting input: widths, offsets,
 * masks and values are drawn so that valid, invalid, contradictory and
 * overlapping filters all come up. Bindings go on the loopback device (the
 * guest has no other unless a test made one) or on devices that do not
 * exist. The model is light: a clearly bad filter must fail, and what
 * comes back must respect the limits NET_INFO announced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

static void fz_gen_net_info(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	(void)w;
	(void)e;
	(void)c;
}

static void fz_done_net_info(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	struct exo_net_info ni;

	(void)e;
	if (c->err || !out)
		return;
	memcpy(&ni, out, sizeof(ni));
	fz_expect(w, FZ_CHK_MODEL,
		  ni.atoms_max == EXO_NET_ATOMS_MAX && ni.window == EXO_NET_WINDOW &&
		  ni.bindings <= ni.bindings_max && !ni.reserved,
		  "NET_INFO atoms_max %u window %u bindings %u of %u reserved %u",
		  ni.atoms_max, ni.window, ni.bindings, ni.bindings_max, ni.reserved);
}

/* A random atom; marks the call bad when the atom is clearly invalid. */
static void fz_net_atom(struct fz_worker *w, struct fz_call *c,
			struct exo_net_atom *a)
{
	static const __u8 widths[] = { 1, 2, 4, 8, 1, 2, 4, 8, 3, 0, 16 };
	__u64 full;

	memset(a, 0, sizeof(*a));
	a->width = widths[fz_below(&w->rng, sizeof(widths))];
	a->offset = fz_chance(&w->rng, 95) ? fz_below(&w->rng, 64) :
		    fz_below(&w->rng, 0x10000);
	full = a->width >= 8 ? ~0ULL : (1ULL << (8 * (a->width ? a->width : 1))) - 1;
	a->mask = fz_chance(&w->rng, 60) ? full : fz_next(&w->rng) & full;
	if (fz_chance(&w->rng, 3))
		a->mask = fz_next(&w->rng);
	a->value = fz_chance(&w->rng, 90) ? fz_next(&w->rng) & a->mask & 0x0303030303030303ULL :
		   fz_next(&w->rng);
	if (fz_chance(&w->rng, 2))
		a->reserved[fz_below(&w->rng, 5)] = 1 + fz_below(&w->rng, 255);
	if (a->width != 1 && a->width != 2 && a->width != 4 && a->width != 8)
		fz_bad(c, "atom width not 1, 2, 4 or 8");
	else if ((__u32)a->offset + a->width > EXO_NET_WINDOW)
		fz_bad(c, "atom past the window");
	else if (!a->mask)
		fz_bad(c, "atom with an empty mask");
	else if (a->width < 8 && (a->mask >> (8 * a->width)))
		fz_bad(c, "atom mask wider than the atom");
	else if (a->value & ~a->mask)
		fz_bad(c, "atom value outside its mask");
	if (a->reserved[0] | a->reserved[1] | a->reserved[2] | a->reserved[3] |
	    a->reserved[4])
		fz_bad(c, "atom reserved bytes");
}

/* A fully masked atom at @off of @width bytes. */
static struct exo_net_atom fz_net_atom_full(__u16 off, __u8 width, __u64 value)
{
	struct exo_net_atom a;

	memset(&a, 0, sizeof(a));
	a.offset = off;
	a.width = width;
	a.mask = width >= 8 ? ~0ULL : (1ULL << (8 * width)) - 1;
	a.value = value & a.mask;
	return a;
}

static void fz_gen_net_bind(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_net_bind *b = (struct exo_net_bind *)c->buf;
	__u32 i, p;

	(void)e;
	p = fz_below(&w->rng, 100);
	b->ifindex = p < 85 ? 1 : p < 95 ? 1 + fz_below(&w->rng, 8) : fz_next(&w->rng);
	p = fz_below(&w->rng, 100);
	b->natoms = p < 90 ? 1 + fz_below(&w->rng, 4) :
		    p < 97 ? fz_below(&w->rng, EXO_NET_ATOMS_MAX + 2) : fz_next(&w->rng);
	if (!b->natoms || b->natoms > EXO_NET_ATOMS_MAX)
		fz_bad(c, "natoms outside 1..EXO_NET_ATOMS_MAX");
	/*
	 * Sometimes the shapes the host-socket rule accepts: an IPv6 port
	 * filter (Next Header sometimes partly masked or not UDP/TCP, so
	 * refused) or an IPv6 address, its random value sometimes multicast.
	 * Valid atoms, so nothing is marked bad; the rest stay random.
	 */
	i = 0;
	if (b->natoms >= 3 && b->natoms <= EXO_NET_ATOMS_MAX &&
	    fz_chance(&w->rng, 15)) {
		static const __u8 nh[] = { 17, 6, 0, 44, 58 };

		b->atoms[0] = fz_net_atom_full(12, 2, 0x86dd);
		if (fz_chance(&w->rng, 50)) {
			b->atoms[1] = fz_net_atom_full(20, 1,
						       nh[fz_below(&w->rng, sizeof(nh))]);
			b->atoms[2] = fz_net_atom_full(56, 2,
						       7000 + fz_below(&w->rng, 64));
		} else {
			b->atoms[1] = fz_net_atom_full(38, 8, fz_next(&w->rng));
			b->atoms[2] = fz_net_atom_full(46, 8, fz_next(&w->rng));
		}
		if (fz_chance(&w->rng, 10))
			b->atoms[1].mask = 0xf0 & b->atoms[1].mask;
		b->atoms[1].value &= b->atoms[1].mask;
		i = 3;
	}
	for (; i < EXO_NET_ATOMS_MAX && i < b->natoms; i++)
		fz_net_atom(w, c, &b->atoms[i]);
	b->ring_slots = fz_chance(&w->rng, 90) ? 1U << (1 + fz_below(&w->rng, 5)) :
			fz_next(&w->rng) & 0x1ffff;
	b->slot_size = fz_chance(&w->rng, 90) ? 1U << (6 + fz_below(&w->rng, 6)) :
		       fz_next(&w->rng) & 0x1ffff;
	if (b->ring_slots < 2 || (b->ring_slots & (b->ring_slots - 1)) ||
	    b->slot_size < 64 || (b->slot_size & (b->slot_size - 1)))
		fz_bad(c, "ring geometry");
	if (fz_chance(&w->rng, 2)) {
		b->binding_id = 1 + fz_below(&w->rng, 100);	/* out only: ignored */
		b->ring_offset = fz_next(&w->rng);
	}
}

static void fz_done_net_bind(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	struct exo_net_bind b;

	if (c->err)
		return;
	e->nfilters++;
	if (!out)
		return;
	memcpy(&b, out, sizeof(b));
	e->net_last_id = b.binding_id;
	fz_expect(w, FZ_CHK_MODEL,
		  b.binding_id && b.ring_offset ==
		  EXO_MMAP_NET + ((__u64)b.binding_id << EXO_NET_RING_SHIFT) &&
		  b.ring_len >= 4096 + (__u64)b.ring_slots * b.slot_size,
		  "NET_BIND gave id %u offset %#llx len %llu", b.binding_id,
		  (unsigned long long)b.ring_offset, (unsigned long long)b.ring_len);
}

static __u32 fz_net_pick_id(struct fz_worker *w)
{
	__u64 p = fz_below(&w->rng, 100);

	return p < 90 ? 1 + fz_below(&w->rng, 32) : p < 95 ? 0 : fz_next(&w->rng);
}

static void fz_gen_net_unbind(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_net_unbind *u = (struct exo_net_unbind *)c->buf;

	(void)e;
	u->binding_id = fz_net_pick_id(w);
}

static void fz_done_net_unbind(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	(void)out;
	if (c->err)
		return;
	fz_expect(w, FZ_CHK_MODEL, e->nfilters > 0,
		  "NET_UNBIND succeeded with no filter bound in the model");
	if (e->nfilters)
		e->nfilters--;
}

static void fz_gen_net_tx(struct fz_worker *w, struct fz_env *e,
			  struct fz_call *c)
{
	struct exo_net_tx *t = (struct exo_net_tx *)c->buf;
	__u32 i;

	(void)e;
	t->binding_id = fz_net_pick_id(w);
	t->len = fz_chance(&w->rng, 90) ? fz_below(&w->rng, 1600) :
		 fz_next(&w->rng);
	if (t->len < 14)
		fz_bad(c, "frame shorter than an Ethernet header");
	if (t->len > 14 + 65535)
		fz_bad(c, "frame longer than any MTU");
	t->frame = (__u64)(unsigned long)w->aux;
	if (t->len <= FZ_AUX)
		for (i = 0; i < t->len; i++)
			w->aux[i] = fz_chance(&w->rng, 50) ? 0 : fz_next(&w->rng);
	/* Sometimes UDP/IPv6, so that the IPv6 swap and source check run. */
	if (t->len >= 58 && t->len <= FZ_AUX && fz_chance(&w->rng, 20)) {
		w->aux[12] = 0x86;
		w->aux[13] = 0xdd;
		w->aux[14] = 0x60;
		w->aux[20] = fz_chance(&w->rng, 80) ? 17 : 0;
	}
	if (fz_chance(&w->rng, 3)) {
		t->frame = 0;
		if (t->len >= 14 && t->len <= 14 + 65535)
			c->expect = 0;
	}
}

static void fz_gen_net_stats(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_net_stats *st = (struct exo_net_stats *)c->buf;

	(void)e;
	st->binding_id = fz_net_pick_id(w);
}

static void fz_done_net_stats(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	struct exo_net_stats st;

	(void)e;
	if (c->err || !out)
		return;
	memcpy(&st, out, sizeof(st));
	fz_expect(w, FZ_CHK_MODEL,
		  st.delivered + st.dropped <= st.matched,
		  "NET_STATS delivered %llu + dropped %llu > matched %llu",
		  (unsigned long long)st.delivered, (unsigned long long)st.dropped,
		  (unsigned long long)st.matched);
}

/*
 * A handler: often a valid one (RET, or a few loads before it), else
 * random instructions, which the verifier must refuse or run safely on
 * whatever frames the lab carries.
 */
static void fz_gen_net_ash_set(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c)
{
	struct exo_net_ash_set *a = (struct exo_net_ash_set *)c->buf;
	struct exo_ash_insn *p = (struct exo_ash_insn *)w->aux;
	__u32 i;

	(void)e;
	a->binding_id = fz_net_pick_id(w);
	a->len = fz_chance(&w->rng, 90) ? fz_below(&w->rng, 8) :
		 fz_below(&w->rng, EXO_ASH_MAX_INSNS + 8);
	if (a->len > EXO_ASH_MAX_INSNS)
		fz_bad(c, "handler longer than EXO_ASH_MAX_INSNS");
	a->prog = (__u64)(unsigned long)p;
	for (i = 0; i < a->len && i <= EXO_ASH_MAX_INSNS; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		if (fz_chance(&w->rng, 80)) {
			p[i].code = EXO_ASH_LDB;
			p[i].off = (__u16)fz_below(&w->rng, 128);
		} else {
			__u64 r[2] = { fz_next(&w->rng), fz_next(&w->rng) };

			memcpy(&p[i], r, sizeof(p[i]));
		}
	}
	if (a->len && a->len <= EXO_ASH_MAX_INSNS && fz_chance(&w->rng, 80)) {
		memset(&p[a->len - 1], 0, sizeof(p[0]));
		p[a->len - 1].code = EXO_ASH_RET;
		p[a->len - 1].imm = (__u32)fz_below(&w->rng, 3);
	}
	/*
	 * A handler that answers every frame with itself, addresses as they
	 * were: the kernel must send it once (a double send corrupted a
	 * backlog queue) or refuse it, and a loop must not form.
	 */
	if (a->len <= EXO_ASH_MAX_INSNS && fz_chance(&w->rng, 10)) {
		memset(p, 0, 2 * sizeof(p[0]));
		p[0].code = EXO_ASH_COPYALL;
		p[1].code = EXO_ASH_RET;
		p[1].imm = EXO_ASH_REPLIED;
		a->len = 2;
	}
	if (fz_chance(&w->rng, 3) && a->len) {
		a->prog = 0;
		c->expect = 0;
	}
}

static const int fz_errs_net_info[] = { EFAULT, EINVAL, E2BIG, 0 };
static const int fz_errs_net_bind[] = {
	EFAULT, EINVAL, E2BIG, ENODEV, EPERM, EBUSY, EEXIST, EADDRINUSE, ENOSPC,
	ENOMEM, EDQUOT, 0,
};
/* EPERM: a binding id of another environment's. */
static const int fz_errs_net_unbind[] = { EFAULT, EINVAL, E2BIG, ENOENT, EPERM, 0 };
static const int fz_errs_net_ash_set[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, EPERM, ENOMEM, 0,
};
static const int fz_errs_net_tx[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, EPERM, ENETDOWN, ENOMEM, ENOBUFS, 0,
};

#define FZ_NET_ROW(nm, cm, type, minfield, fl, res, at, g, d, errs)	\
	{								\
		.name = nm, .cmd = cm, .size = sizeof(type),		\
		.minsz = FZ_OFFSETOFEND(type, minfield),		\
		.flags_off = offsetof(type, flags), .flags_known = fl,	\
		.reserved_off = { res }, .nreserved = res >= 0,		\
		.attrs = at, .gen = g, .done = d, .errnos = errs,	\
	}

const struct fz_ioctl fz_net_ioctls[] = {
	FZ_NET_ROW("EXO_IOC_NET_INFO", EXO_IOC_NET_INFO, struct exo_net_info,
		   reserved, 0, (int)offsetof(struct exo_net_info, reserved),
		   FZ_WRITES | FZ_VALID_OK, fz_gen_net_info, fz_done_net_info,
		   fz_errs_net_info),
	FZ_NET_ROW("EXO_IOC_NET_BIND", EXO_IOC_NET_BIND, struct exo_net_bind,
		   atoms, EXO_NET_BIND_HOST,
		   (int)offsetof(struct exo_net_bind, reserved), FZ_WRITES,
		   fz_gen_net_bind, fz_done_net_bind, fz_errs_net_bind),
	FZ_NET_ROW("EXO_IOC_NET_UNBIND", EXO_IOC_NET_UNBIND, struct exo_net_unbind,
		   reserved, 0, (int)offsetof(struct exo_net_unbind, reserved), 0,
		   fz_gen_net_unbind, fz_done_net_unbind, fz_errs_net_unbind),
	FZ_NET_ROW("EXO_IOC_NET_TX", EXO_IOC_NET_TX, struct exo_net_tx,
		   frame, 0, -1, 0, fz_gen_net_tx, NULL, fz_errs_net_tx),
	FZ_NET_ROW("EXO_IOC_NET_STATS", EXO_IOC_NET_STATS, struct exo_net_stats,
		   tx_refused, 0, -1, FZ_WRITES, fz_gen_net_stats,
		   fz_done_net_stats, fz_errs_net_unbind),
	/* EINVAL from the verifier writes bad_pc back. */
	{
		.name = "EXO_IOC_NET_ASH_SET", .cmd = EXO_IOC_NET_ASH_SET,
		.size = sizeof(struct exo_net_ash_set),
		.minsz = FZ_OFFSETOFEND(struct exo_net_ash_set, reserved),
		.flags_off = offsetof(struct exo_net_ash_set, flags),
		.reserved_off = { offsetof(struct exo_net_ash_set, reserved) },
		.nreserved = 1, .attrs = FZ_WRITES, .gen = fz_gen_net_ash_set,
		.errnos = fz_errs_net_ash_set, .writes_on_err = EINVAL,
	},
};

const size_t fz_net_nioctls = FZ_ARRAY_SIZE(fz_net_ioctls);
