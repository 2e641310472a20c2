// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/filter.c. The input is a frame and a
 * handful of filters; the decoding makes most atoms valid, and most
 * filters satisfiable, so that what the canonicaliser rejects means
 * something. The target checks, against a bit-by-bit model of the atoms:
 *  - canonicalisation accepts exactly the valid, satisfiable filters, and a
 *    canonical filter matches exactly the frames the raw atoms match;
 *  - overlap is symmetric and agrees with the model (some bit constrained
 *    both ways, or a frame that both match); for filters on a few bits of
 *    the first bytes, it agrees with a search of every frame;
 *  - the merged decision structure classifies like a linear scan.
 * It counts what it decoded and what was accepted, and fails the run when
 * under a quarter is accepted: then the checks above would mean little.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/filter.h"

#define MAX_FILTERS	8
#define ATOM_BYTES	8
/* Narrow inputs: atoms on bits NARROW_BITS of the first bytes only. */
#define NARROW_FILTERS	4
#define NARROW_BITS	0x03
#define NARROW_SEARCH	12	/* search every frame up to 2^12 */
/*
 * At least a quarter of the decoded filters must be accepted, once enough
 * ran (about 70% are; libFuzzer's corpus drifts towards invalid ones).
 */
#define RATE_MIN_FILTERS	256
#define RATE_EVERY		4096

static struct {
	unsigned long long decoded, invalid, contradictory, accepted;
	unsigned long long searched;
} stats;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_filter: %s\n", what);
	abort();
}

static void check_rate(void)
{
	if (stats.decoded < RATE_MIN_FILTERS)
		return;
	if (stats.accepted * 4 < stats.decoded) {
		fprintf(stderr,
			"fuzz_filter: only %llu of %llu filters accepted (%llu invalid, %llu contradictory)\n",
			stats.accepted, stats.decoded, stats.invalid,
			stats.contradictory);
		abort();
	}
}

static void report_at_exit(void)
{
	fprintf(stderr,
		"fuzz_filter: %llu filters decoded, %llu accepted, %llu invalid, %llu contradictory, %llu pairs searched\n",
		stats.decoded, stats.accepted, stats.invalid,
		stats.contradictory, stats.searched);
	check_rate();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(report_at_exit);
	return 0;
}

/* The model: which bits of the window a filter fixes, and to what. */
struct bits {
	uint8_t mask[EXO_NET_WINDOW];
	uint8_t value[EXO_NET_WINDOW];
	uint32_t need;		/* shortest frame holding every fixed bit */
};

struct raw_filter {
	struct exo_net_atom atoms[EXO_NET_ATOMS_MAX];
	uint32_t n;
	struct bits bits;
};

static bool atom_valid(const struct exo_net_atom *a)
{
	uint32_t j;

	for (j = 0; j < sizeof(a->reserved); j++)
		if (a->reserved[j])
			return false;
	return (a->width == 1 || a->width == 2 || a->width == 4 ||
		a->width == 8) && a->offset + a->width <= EXO_NET_WINDOW &&
	       a->mask && !(a->value & ~a->mask) &&
	       (a->width == 8 || !(a->mask >> (8 * a->width)));
}

/* Add valid atoms to @b; false if some bit is asked to be 0 and 1. */
static bool bits_add(struct bits *b, const struct exo_net_atom *a, uint32_t n)
{
	bool ok = true;
	uint32_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < a[i].width; j++) {
			uint32_t shift = 8 * (a[i].width - 1 - j);
			uint32_t off = a[i].offset + j;
			uint8_t m = (uint8_t)(a[i].mask >> shift);
			uint8_t v = (uint8_t)(a[i].value >> shift);

			if (!m)
				continue;
			if (b->mask[off] & m & (b->value[off] ^ v))
				ok = false;
			b->mask[off] |= m;
			b->value[off] |= v & m;
			if (off + 1 > b->need)
				b->need = off + 1;
		}
	return ok;
}

static int raw_match(const struct exo_net_atom *a, uint32_t n,
		     const uint8_t *frame, uint32_t len)
{
	uint32_t i, b;

	for (i = 0; i < n; i++) {
		uint64_t x = 0;

		/* Only bytes the mask touches must be in the frame. */
		for (b = 0; b < a[i].width; b++) {
			uint32_t shift = 8 * (a[i].width - 1 - b);

			if (!((a[i].mask >> shift) & 0xff))
				continue;
			if (a[i].offset + b >= len)
				return 0;
			x |= (uint64_t)frame[a[i].offset + b] << shift;
		}
		if ((x & a[i].mask) != a[i].value)
			return 0;
	}
	return 1;
}

/* Bytes @p[0..@n) as a big-endian word of @w bytes, repeating. */
static uint64_t word_of(const uint8_t *p, uint32_t n, uint32_t w)
{
	uint64_t x = 0;
	uint32_t i;

	for (i = 0; i < w; i++)
		x = x << 8 | p[i % n];
	return x;
}

/*
 * One atom from ATOM_BYTES input bytes @d:
 *  d[0] offset, d[1] width (bits 0-1), value from the witness or, with
 *  bits 6-7 set, from the input; d[2..5] the mask; d[6] a seed; d[7] == 0xff breaks the
 *  atom in one of six ways (d[6] % 6), the only way to get an invalid one.
 * A value from the witness agrees with every other such atom.
 */
static void decode_atom(const uint8_t *d, bool narrow, const uint8_t *witness,
			struct exo_net_atom *a)
{
	uint32_t w = 1u << (d[1] & 3);
	uint64_t bits;

	memset(a, 0, sizeof(*a));
	if (narrow && w == 8)
		w = 4;
	a->width = w;
	a->offset = narrow ? d[0] % 4 : d[0] % (EXO_NET_WINDOW - w + 1);
	bits = w == 8 ? ~0ull : (1ull << (8 * w)) - 1;
	a->mask = word_of(d + 2, 4, w) & bits;
	if (narrow)
		a->mask &= word_of((const uint8_t[]){ NARROW_BITS }, 1, w);
	if (!a->mask)
		a->mask = (uint64_t)1 << (d[6] % (narrow ? 2 : 8 * w));
	if ((d[1] & 0xc0) == 0xc0)
		a->value = a->mask & word_of(d + 6, 1, w);
	else
		a->value = a->mask & word_of(witness + a->offset, w, w);
	if (d[7] != 0xff)
		return;
	switch (d[6] % 6) {
	case 0:
		a->width = 3 + (d[0] & 4);	/* 3 or 7 */
		break;
	case 1:
		a->offset = EXO_NET_WINDOW - w + 1 + d[0] % 8;
		break;
	case 2:
		a->mask = 0;
		a->value = 0;
		break;
	case 3:
		if (!~a->mask)
			a->mask &= ~1ull;
		a->value |= ~a->mask;
		break;
	case 4:
		a->reserved[d[0] % sizeof(a->reserved)] = 1 | d[5];
		break;
	default:
		a->mask |= w == 8 ? 0 : 1ull << (8 * w + d[5] % 8);
		if (w == 8)
			a->width = 0;
		break;
	}
}

/* A frame matching both @a and @b, by the model: fixed bits, else @fill. */
static void build_frame(const struct bits *a, const struct bits *b,
			const uint8_t *fill, uint8_t *frame)
{
	uint32_t o;

	for (o = 0; o < EXO_NET_WINDOW; o++) {
		uint8_t m = a->mask[o] | b->mask[o];

		frame[o] = (fill[o] & ~m) | (a->value[o] & a->mask[o]) |
			   (b->value[o] & b->mask[o] & ~a->mask[o]);
	}
}

static bool bits_conflict(const struct bits *a, const struct bits *b)
{
	uint32_t o;

	for (o = 0; o < EXO_NET_WINDOW; o++)
		if (a->mask[o] & b->mask[o] & (a->value[o] ^ b->value[o]))
			return true;
	return false;
}

/*
 * Is there a frame that both match? Try every setting of the bits either
 * constrains (the others do not matter), in a full-length frame. -1 when
 * they constrain more than NARROW_SEARCH bits.
 */
static int search_common_frame(const struct raw_filter *x,
			       const struct raw_filter *y)
{
	static uint8_t frame[EXO_NET_WINDOW];
	uint32_t pos[NARROW_SEARCH], k = 0, o, bit, set;

	for (o = 0; o < EXO_NET_WINDOW; o++)
		for (bit = 0; bit < 8; bit++)
			if ((x->bits.mask[o] | y->bits.mask[o]) & (1u << bit)) {
				if (k == NARROW_SEARCH)
					return -1;
				pos[k++] = o * 8 + bit;
			}
	memset(frame, 0, sizeof(frame));
	for (set = 0; set < (1u << k); set++) {
		for (bit = 0; bit < k; bit++) {
			uint8_t m = (uint8_t)(1u << (pos[bit] % 8));

			if (set >> bit & 1)
				frame[pos[bit] / 8] |= m;
			else
				frame[pos[bit] / 8] &= (uint8_t)~m;
		}
		if (raw_match(x->atoms, x->n, frame, EXO_NET_WINDOW) &&
		    raw_match(y->atoms, y->n, frame, EXO_NET_WINDOW))
			return 1;
	}
	return 0;
}

static u32 linear_scan(const struct exo_filter *const *fs, uint32_t nf,
		       const uint8_t *frame, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < nf; i++)
		if (exo_filter_match(fs[i], frame, len))
			return i;
	return EXO_FDEC_NONE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct exo_filter store[MAX_FILTERS];
	static struct raw_filter raw[MAX_FILTERS];
	static uint8_t frame[EXO_NET_WINDOW], witness[EXO_NET_WINDOW];
	static uint8_t both[EXO_NET_WINDOW];
	const struct exo_filter *fs[MAX_FILTERS];
	uint32_t nf = 0, flen, i, j, max_filters;
	struct exo_fdec *dec;
	bool narrow;
	int err;

	if (size < 2)
		return 0;
	/* data[0]: narrow or not (bit 0..1 == 0), frame length. */
	narrow = !(data[0] & 3);
	max_filters = narrow ? NARROW_FILTERS : MAX_FILTERS;
	flen = narrow ? 8 + data[1] % 9 : data[1] % (EXO_NET_WINDOW + 1);
	data += 2;
	size -= 2;
	/* The frame: the next bytes, repeated (or zeroes); the witness
	 * that satisfiable atoms take their values from: the frame again,
	 * stirred.
	 */
	memset(frame, 0, sizeof(frame));
	for (i = 0; i < EXO_NET_WINDOW && size; i++)
		frame[i] = data[i % (size < 32 ? size : 32)];
	for (i = 0; i < EXO_NET_WINDOW; i++)
		witness[i] = (uint8_t)(frame[(i * 7) % EXO_NET_WINDOW] * 37 + i);
	if (size >= 32) {
		data += 32;
		size -= 32;
	} else {
		size = 0;
	}

	while (size >= 1 && nf < max_filters) {
		struct raw_filter *r = &raw[nf];
		bool valid = true, satisfiable;

		r->n = 1 + data[0] % (narrow ? 4 : EXO_NET_ATOMS_MAX);
		data++;
		size--;
		if (size < r->n * ATOM_BYTES)
			r->n = size / ATOM_BYTES;
		if (!r->n)
			break;
		for (i = 0; i < r->n; i++) {
			decode_atom(data, narrow, witness, &r->atoms[i]);
			valid &= atom_valid(&r->atoms[i]);
			data += ATOM_BYTES;
			size -= ATOM_BYTES;
		}
		memset(&r->bits, 0, sizeof(r->bits));
		satisfiable = valid && bits_add(&r->bits, r->atoms, r->n);

		stats.decoded++;
		store[nf].natoms = 0;
		err = exo_filter_canon(r->atoms, r->n, &store[nf]);
		if (err && err != -EINVAL)
			fail("an error other than EINVAL");
		if (!valid && !err)
			fail("accepted an invalid filter");
		if (satisfiable && err)
			fail("rejected a valid filter some frame matches");
		if (valid && !satisfiable && !err)
			fail("accepted a filter no frame matches");
		if (!valid)
			stats.invalid++;
		else if (!satisfiable)
			stats.contradictory++;
		if (stats.decoded % RATE_EVERY == 0)
			check_rate();
		if (err)
			continue;
		stats.accepted++;
		if (store[nf].natoms > r->n)
			fail("the canonical form has more atoms than its input");
		if (raw_match(r->atoms, r->n, frame, flen) !=
		    exo_filter_match(&store[nf], frame, flen))
			fail("canonical filter matches differently");
		/* The model's frame for this filter alone, with the input's
		 * bytes elsewhere: it must match, and cut short by one byte it
		 * must not (the last fixed byte is missing).
		 */
		build_frame(&r->bits, &r->bits, frame, both);
		if (!exo_filter_match(&store[nf], both, EXO_NET_WINDOW) ||
		    !raw_match(r->atoms, r->n, both, EXO_NET_WINDOW))
			fail("the model's frame does not match");
		if (exo_filter_match(&store[nf], both, r->bits.need - 1))
			fail("matched a frame missing a fixed byte");
		fs[nf] = &store[nf];
		nf++;
	}

	for (i = 0; i < nf; i++) {
		int mi = exo_filter_match(fs[i], frame, flen);

		for (j = 0; j < nf; j++) {
			bool o = exo_filter_overlap(fs[i], fs[j]);
			int found;

			if (o != exo_filter_overlap(fs[j], fs[i]))
				fail("overlap is not symmetric");
			if (mi && exo_filter_match(fs[j], frame, flen) && !o)
				fail("both match a frame but do not overlap");
			if (o == bits_conflict(&raw[i].bits, &raw[j].bits))
				fail("overlap disagrees with the model");
			if (o) {
				build_frame(&raw[i].bits, &raw[j].bits, frame,
					    both);
				if (!raw_match(raw[i].atoms, raw[i].n, both,
					       EXO_NET_WINDOW) ||
				    !raw_match(raw[j].atoms, raw[j].n, both,
					       EXO_NET_WINDOW))
					fail("overlapping, but the model's frame matches not both");
			}
			if (!narrow || j < i)
				continue;
			found = search_common_frame(&raw[i], &raw[j]);
			if (found < 0)
				continue;
			stats.searched++;
			if (o != (found == 1))
				fail(o ? "overlap claimed, but no frame matches both" :
				     "no overlap, but a frame matches both");
		}
	}

	dec = exo_fdec_build(fs, nf, &err);
	if (!dec)
		fail("build failed");
	if (exo_fdec_classify(dec, frame, flen) != linear_scan(fs, nf, frame, flen))
		fail("merged structure disagrees with a linear scan");
	/* Each filter's own frame: some filter claims it, the first one. */
	for (i = 0; i < nf; i++) {
		build_frame(&raw[i].bits, &raw[i].bits, frame, both);
		if (exo_fdec_classify(dec, both, EXO_NET_WINDOW) !=
		    linear_scan(fs, nf, both, EXO_NET_WINDOW) ||
		    linear_scan(fs, nf, both, EXO_NET_WINDOW) > i)
			fail("merged structure misclassifies a filter's own frame");
	}
	exo_fdec_free(dec);
	return 0;
}
