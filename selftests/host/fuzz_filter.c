// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/filter.c. The input is a handful of
 * filters (raw atoms, valid or not) and a frame; the target checks:
 *  - canonicalisation accepts only what the validation rules allow, and a
 *    canonical filter matches exactly the frames the raw atoms match;
 *  - overlap is symmetric, and two filters matching one frame overlap;
 *  - the merged decision structure classifies the frame like a linear scan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/filter.h"

#define MAX_FILTERS 8

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_filter: %s\n", what);
	abort();
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct exo_filter store[MAX_FILTERS];
	const struct exo_filter *fs[MAX_FILTERS];
	uint8_t frame[EXO_NET_WINDOW];
	uint32_t nf = 0, flen, i, j, expect = EXO_FDEC_NONE;
	struct exo_fdec *dec;
	int err;

	if (size < 2)
		return 0;
	flen = data[0] % (EXO_NET_WINDOW + 1);
	memset(frame, 0, sizeof(frame));
	for (i = 0; i < flen && 1 + i < size; i++)
		frame[i] = data[1 + i];
	data += 1 + flen;
	size = size > 1 + flen ? size - 1 - flen : 0;
	while (size >= 1 && nf < MAX_FILTERS) {
		struct exo_net_atom atoms[EXO_NET_ATOMS_MAX + 1];
		uint32_t n = data[0] % (EXO_NET_ATOMS_MAX + 2);
		int ok;

		data++;
		size--;
		if (size < n * 12)
			break;
		memset(atoms, 0, sizeof(atoms));
		for (i = 0; i < n; i++) {
			/* Small offsets and masks made of the input's bytes. */
			atoms[i].offset = data[0] % 64 + (data[1] & 0x80 ? 200 : 0);
			atoms[i].width = data[1] & 0x7f ? 1u << (data[1] % 4) : 3;
			memcpy(&atoms[i].mask, data + 2, 5);
			atoms[i].mask >>= data[7] % 40;
			atoms[i].value = atoms[i].mask & ((uint64_t)data[8] << 8 | data[9]);
			if (data[10] == 0xff)
				atoms[i].value = ~0ull;
			if (data[11] == 0xff)
				atoms[i].reserved[0] = 1;
			/* Wide atoms side by side with holes in their masks:
			 * once 64 runs from 16 atoms, past atoms[16].
			 */
			if (data[11] == 0xfe) {
				atoms[i].offset = 8 * i + data[0] % 2;
				atoms[i].width = 8;
				atoms[i].mask = 0xff00ff00ff00ff00ull >> (data[7] & 8);
				atoms[i].value = atoms[i].mask & 0x5555555555555555ull;
			}
			data += 12;
			size -= 12;
		}
		store[nf].natoms = 0;
		err = exo_filter_canon(atoms, n, &store[nf]);
		if (store[nf].natoms > (err ? 0 : n))
			fail("the canonical form has more atoms than its input");
		ok = n >= 1 && n <= EXO_NET_ATOMS_MAX;
		for (i = 0; ok && i < n; i++) {
			const struct exo_net_atom *a = &atoms[i];

			ok = (a->width == 1 || a->width == 2 || a->width == 4 ||
			      a->width == 8) && a->offset + a->width <= EXO_NET_WINDOW &&
			     a->mask && !(a->value & ~a->mask) && !a->reserved[0] &&
			     (a->width == 8 || !(a->mask >> (8 * a->width)));
		}
		if (!ok && !err)
			fail("accepted an invalid filter");
		if (err && err != -EINVAL)
			fail("an error other than EINVAL");
		if (err)
			continue;	/* valid but contradictory is fine too */
		if (raw_match(atoms, n, frame, flen) !=
		    exo_filter_match(&store[nf], frame, flen))
			fail("canonical filter matches differently");
		fs[nf] = &store[nf];
		nf++;
	}
	for (i = 0; i < nf; i++) {
		int mi = exo_filter_match(fs[i], frame, flen);

		if (mi && expect == EXO_FDEC_NONE)
			expect = i;
		for (j = 0; j < nf; j++) {
			int o = exo_filter_overlap(fs[i], fs[j]);

			if (o != exo_filter_overlap(fs[j], fs[i]))
				fail("overlap is not symmetric");
			if (mi && exo_filter_match(fs[j], frame, flen) && !o)
				fail("both match a frame but do not overlap");
		}
	}
	dec = exo_fdec_build(fs, nf, &err);
	if (!dec)
		fail("build failed");
	if (exo_fdec_classify(dec, frame, flen) != expect)
		fail("merged structure disagrees with a linear scan");
	exo_fdec_free(dec);
	return 0;
}
