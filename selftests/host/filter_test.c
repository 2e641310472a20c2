// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/filter.c, the packet filters exo.ko runs
 * unchanged: validation at both sides of every limit, canonical form,
 * overlap on a table of cases and against brute force, and the merged
 * decision structure against a linear scan on random filters and frames.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "../../module/core/filter.h"

static struct exo_net_atom atom(__u16 off, __u8 width, __u64 mask, __u64 value)
{
	struct exo_net_atom a = { .offset = off, .width = width,
				  .mask = mask, .value = value };
	return a;
}

static int canon1(struct exo_net_atom a, struct exo_filter *f)
{
	return exo_filter_canon(&a, 1, f);
}

static __u64 rng_state = 0x2545f4914f6cdd1dull;

static __u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

TEST(filter_limits)
{
	struct exo_net_atom atoms[EXO_NET_ATOMS_MAX + 1];
	struct exo_filter f;
	int i;

	for (i = 0; i <= EXO_NET_ATOMS_MAX; i++)
		atoms[i] = atom(i * 8, 8, ~0ull, i);
	EXPECT_EQ(-EINVAL, exo_filter_canon(atoms, 0, &f));
	EXPECT_EQ(0, exo_filter_canon(atoms, EXO_NET_ATOMS_MAX, &f));
	EXPECT_EQ(EXO_NET_ATOMS_MAX, f.natoms);
	EXPECT_EQ(-EINVAL, exo_filter_canon(atoms, EXO_NET_ATOMS_MAX + 1, &f));
	/* Widths. */
	EXPECT_EQ(0, canon1(atom(0, 1, 0xff, 1), &f));
	EXPECT_EQ(0, canon1(atom(0, 2, 0xffff, 1), &f));
	EXPECT_EQ(0, canon1(atom(0, 4, 0xffffffff, 1), &f));
	EXPECT_EQ(0, canon1(atom(0, 8, ~0ull, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 0, 0xff, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 3, 0xff, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 16, 0xff, 1), &f));
	/* The window: the last byte is in, one past it is not. */
	EXPECT_EQ(0, canon1(atom(EXO_NET_WINDOW - 1, 1, 0xff, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(EXO_NET_WINDOW, 1, 0xff, 1), &f));
	EXPECT_EQ(0, canon1(atom(EXO_NET_WINDOW - 8, 8, 1, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(EXO_NET_WINDOW - 7, 8, 1, 1), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0xffff, 8, 1, 1), &f));
	/* Masks and values. */
	EXPECT_EQ(-EINVAL, canon1(atom(0, 1, 0, 0), &f));
	EXPECT_EQ(0, canon1(atom(0, 1, 0xff, 0), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 1, 0x1ff, 0), &f));
	EXPECT_EQ(0, canon1(atom(0, 2, 0xffff, 0), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 2, 0x10000, 0), &f));
	EXPECT_EQ(0, canon1(atom(0, 4, 0xffffffff, 0), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 4, 0x100000000ull, 0), &f));
	EXPECT_EQ(-EINVAL, canon1(atom(0, 1, 0x0f, 0x10), &f));
	EXPECT_EQ(0, canon1(atom(0, 1, 0x0f, 0x0f), &f));
	atoms[0] = atom(0, 1, 0xff, 1);
	atoms[0].reserved[4] = 1;
	EXPECT_EQ(-EINVAL, exo_filter_canon(atoms, 1, &f));
}

TEST(filter_contradiction)
{
	struct exo_net_atom a[2];
	struct exo_filter f;

	a[0] = atom(12, 2, 0xffff, 0x0800);
	a[1] = atom(12, 2, 0xffff, 0x0806);
	EXPECT_EQ(-EINVAL, exo_filter_canon(a, 2, &f));
	/* Different widths on the same bytes that disagree. */
	a[1] = atom(13, 1, 0xff, 0x06);
	EXPECT_EQ(-EINVAL, exo_filter_canon(a, 2, &f));
	/* ... and that agree. */
	a[1] = atom(13, 1, 0xff, 0x00);
	EXPECT_EQ(0, exo_filter_canon(a, 2, &f));
	/* Disjoint bits of one byte never contradict. */
	a[0] = atom(5, 1, 0xf0, 0x10);
	a[1] = atom(5, 1, 0x0f, 0x02);
	ASSERT_EQ(0, exo_filter_canon(a, 2, &f));
	ASSERT_EQ(1, f.natoms);
	EXPECT_EQ(0xff, f.atoms[0].mask);
	EXPECT_EQ(0x12, f.atoms[0].value);
}

TEST(filter_canonical_form)
{
	struct exo_net_atom a[4];
	struct exo_filter f, g;

	/* One 2-byte atom equals two 1-byte atoms, in any order. */
	a[0] = atom(12, 2, 0xffff, 0x0800);
	ASSERT_EQ(0, exo_filter_canon(a, 1, &f));
	a[0] = atom(13, 1, 0xff, 0x00);
	a[1] = atom(12, 1, 0xff, 0x08);
	ASSERT_EQ(0, exo_filter_canon(a, 2, &g));
	EXPECT_EQ(0, memcmp(&f, &g, sizeof(f)));
	/* Zero-mask bytes inside an atom drop out. */
	a[0] = atom(10, 4, 0x0000ff00, 0x00000800);
	ASSERT_EQ(0, exo_filter_canon(a, 1, &f));
	ASSERT_EQ(1, f.natoms);
	EXPECT_EQ(12, f.atoms[0].off);
	EXPECT_EQ(1, f.atoms[0].len);
	EXPECT_EQ(0x08, f.atoms[0].value);
	/* Adjacent atoms join up to 8 bytes, then a new one starts. */
	a[0] = atom(0, 8, ~0ull, 0x0102030405060708ull);
	a[1] = atom(8, 4, 0xffffffff, 0x090a0b0c);
	a[2] = atom(26, 4, 0xffffffff, 0x0a000001);
	a[3] = atom(30, 4, 0xffffffff, 0x0a000002);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	ASSERT_EQ(3, f.natoms);
	EXPECT_EQ(0, f.atoms[0].off);
	EXPECT_EQ(8, f.atoms[0].len);
	EXPECT_EQ(8, f.atoms[1].off);
	EXPECT_EQ(4, f.atoms[1].len);
	EXPECT_EQ(26, f.atoms[2].off);
	EXPECT_EQ(8, f.atoms[2].len);
	EXPECT_EQ(0x0a0000010a000002ull, f.atoms[2].value);
}

/*
 * Masks with holes: 16 atoms of 8 bytes, every other byte constrained,
 * once split into 64 runs and wrote past atoms[16]. The canonical form
 * covers them in at most as many atoms as it was given.
 */
TEST(filter_holey_masks_fit)
{
	struct exo_net_atom a[EXO_NET_ATOMS_MAX];
	struct exo_filter f[2];
	uint8_t frame[EXO_NET_WINDOW];
	uint32_t i;

	memset(f, 0x5a, sizeof(f));
	for (i = 0; i < EXO_NET_ATOMS_MAX; i++)
		a[i] = atom(8 * i, 8, 0xff00ff00ff00ff00ull, 0x1100110011001100ull);
	ASSERT_EQ(0, exo_filter_canon(a, EXO_NET_ATOMS_MAX, &f[0]));
	EXPECT_EQ(EXO_NET_ATOMS_MAX, f[0].natoms);
	/* The next object is untouched. */
	EXPECT_EQ(0x5a5a5a5au, f[1].natoms);
	for (i = 0; i < f[0].natoms; i++) {
		EXPECT_EQ(8 * i, f[0].atoms[i].off);
		EXPECT_EQ(7, f[0].atoms[i].len);
		EXPECT_EQ(0xff00ff00ff00ffull, f[0].atoms[i].mask);
	}
	memset(frame, 0x77, sizeof(frame));
	for (i = 0; i < 8 * EXO_NET_ATOMS_MAX; i += 2)
		frame[i] = 0x11;
	EXPECT_TRUE(exo_filter_match(&f[0], frame, 8 * EXO_NET_ATOMS_MAX - 1));
	EXPECT_FALSE(exo_filter_match(&f[0], frame, 8 * EXO_NET_ATOMS_MAX - 2));
	frame[126] = 0x10;
	EXPECT_FALSE(exo_filter_match(&f[0], frame, sizeof(frame)));

	/* Single bytes 7 apart: each window holds one of them and no more. */
	for (i = 0; i < EXO_NET_ATOMS_MAX; i++)
		a[i] = atom(9 * i, 1, 0xff, i);
	ASSERT_EQ(0, exo_filter_canon(a, EXO_NET_ATOMS_MAX, &f[0]));
	EXPECT_EQ(EXO_NET_ATOMS_MAX, f[0].natoms);
	/* Bytes 4 apart share windows: 0 and 4, 8 and 12, ... */
	for (i = 0; i < EXO_NET_ATOMS_MAX; i++)
		a[i] = atom(4 * i, 1, 0xff, i);
	ASSERT_EQ(0, exo_filter_canon(a, EXO_NET_ATOMS_MAX, &f[0]));
	EXPECT_EQ(EXO_NET_ATOMS_MAX / 2, f[0].natoms);
	EXPECT_EQ(5, f[0].atoms[0].len);
	EXPECT_EQ(0xff000000ffull, f[0].atoms[0].mask);
}

struct overlap_case {
	const char *name;
	struct exo_net_atom a[2], b[2];
	int na, nb;
	bool overlap;
};

TEST(filter_overlap_table)
{
	static const struct overlap_case cases[] = {
		{ "identical", { { 36, 2, {0}, 0xffff, 7 } }, { { 36, 2, {0}, 0xffff, 7 } },
		  1, 1, true },
		{ "disjoint ports", { { 36, 2, {0}, 0xffff, 7 } }, { { 36, 2, {0}, 0xffff, 8 } },
		  1, 1, false },
		{ "subset", { { 12, 2, {0}, 0xffff, 0x0800 } },
		  { { 12, 2, {0}, 0xffff, 0x0800 }, { 36, 2, {0}, 0xffff, 7 } },
		  1, 2, true },
		{ "different bytes", { { 36, 2, {0}, 0xffff, 7 } }, { { 34, 2, {0}, 0xffff, 7 } },
		  1, 1, true },
		{ "partial masks, disjoint bits", { { 14, 1, {0}, 0xf0, 0x40 } },
		  { { 14, 1, {0}, 0x0f, 0x05 } }, 1, 1, true },
		{ "partial masks, shared bit differs", { { 14, 1, {0}, 0xf0, 0x40 } },
		  { { 14, 1, {0}, 0x1f, 0x05 } }, 1, 1, true },
		{ "partial masks, shared bit clashes", { { 14, 1, {0}, 0xf0, 0x40 } },
		  { { 14, 1, {0}, 0x4f, 0x05 } }, 1, 1, false },
		{ "widths: 4 vs 1 agreeing", { { 30, 4, {0}, 0xffffffff, 0x0a000002 } },
		  { { 33, 1, {0}, 0xff, 0x02 } }, 1, 1, true },
		{ "widths: 4 vs 1 clashing", { { 30, 4, {0}, 0xffffffff, 0x0a000002 } },
		  { { 33, 1, {0}, 0xff, 0x03 } }, 1, 1, false },
		{ "widths: 8 vs 2 straddling", { { 28, 8, {0}, ~0ull, 0x0a0000010a000002ull } },
		  { { 34, 2, {0}, 0xffff, 0x0a00 } }, 1, 1, false },
		{ "widths: 2 vs 8 straddling agreeing",
		  { { 34, 2, {0}, 0xffff, 0x0002 } },
		  { { 28, 8, {0}, ~0ull, 0x0a0000010a000002ull } }, 1, 1, true },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct overlap_case *c = &cases[i];
		struct exo_filter fa, fb;

		ASSERT_EQ(0, exo_filter_canon(c->a, c->na, &fa));
		ASSERT_EQ(0, exo_filter_canon(c->b, c->nb, &fb));
		EXPECT_EQ(c->overlap, exo_filter_overlap(&fa, &fb)) {
			TH_LOG("case '%s'", c->name);
		}
		EXPECT_EQ(c->overlap, exo_filter_overlap(&fb, &fa)) {
			TH_LOG("case '%s' reversed", c->name);
		}
	}
}

/* A random valid atom inside the first @window bytes. */
static struct exo_net_atom random_atom(unsigned int window)
{
	static const __u8 widths[] = { 1, 2, 4, 8 };
	struct exo_net_atom a;
	__u64 full;

	memset(&a, 0, sizeof(a));
	do
		a.width = widths[rnd() % 4];
	while (a.width > window);
	a.offset = rnd() % (window - a.width + 1);
	full = a.width == 8 ? ~0ull : (1ull << (8 * a.width)) - 1;
	do {
		switch (rnd() % 3) {
		case 0:
			a.mask = full;
			break;
		case 1:
			a.mask = rnd() & full;
			break;
		default:
			a.mask = (rnd() & 0x0101010101010101ull) * 0xff & full;
			break;
		}
	} while (!a.mask);
	a.value = rnd() & a.mask & (rnd() % 2 ? ~0ull : 0x0303030303030303ull);
	return a;
}

static int random_filter(struct exo_filter *f, unsigned int window,
			 unsigned int maxatoms)
{
	struct exo_net_atom a[EXO_NET_ATOMS_MAX];
	unsigned int n = 1 + rnd() % maxatoms, i;

	for (i = 0; i < n; i++)
		a[i] = random_atom(window);
	return exo_filter_canon(a, n, f);
}

/* Over 2-byte frames overlap is checked against every frame. */
TEST(filter_overlap_brute_force)
{
	static struct exo_filter fs[64];
	static bool match[64][65536];
	unsigned int n = 0, i, j, x, tries = 0;

	while (n < 64 && tries++ < 10000)
		if (!random_filter(&fs[n], 2, 3))
			n++;
	ASSERT_EQ(64, n);
	for (i = 0; i < n; i++)
		for (x = 0; x < 65536; x++) {
			__u8 frame[2] = { x >> 8, x & 0xff };

			match[i][x] = exo_filter_match(&fs[i], frame, 2);
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			bool common = false;

			for (x = 0; x < 65536 && !common; x++)
				common = match[i][x] && match[j][x];
			ASSERT_EQ(common, exo_filter_overlap(&fs[i], &fs[j])) {
				TH_LOG("filters %u and %u", i, j);
			}
		}
}

static __u32 linear_classify(struct exo_filter *const *fs, __u32 n,
			     const __u8 *frame, __u32 len)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (exo_filter_match(fs[i], frame, len))
			return i;
	return EXO_FDEC_NONE;
}

/* A frame that often matches one of @fs: built from a filter's values. */
static void random_frame(struct exo_filter *const *fs, __u32 n, __u8 *frame,
			 __u32 *len)
{
	__u32 i, b;

	*len = rnd() % 3 ? 64 : rnd() % 65;
	for (i = 0; i < 64; i++)
		frame[i] = rnd() % 4 ? 0 : rnd();
	if (n && rnd() % 4) {
		const struct exo_filter *f = fs[rnd() % n];

		for (i = 0; i < f->natoms; i++)
			for (b = 0; b < f->atoms[i].len; b++) {
				__u32 sh = 8 * (f->atoms[i].len - 1 - b);
				__u8 m = f->atoms[i].mask >> sh;

				frame[f->atoms[i].off + b] &= ~m;
				frame[f->atoms[i].off + b] |= f->atoms[i].value >> sh;
			}
	}
}

TEST(fdec_matches_linear_scan)
{
	static struct exo_filter store[400];
	struct exo_filter *fs[400];
	int round;

	for (round = 0; round < 200; round++) {
		__u32 n = rnd() % (round < 100 ? 8 : 400), i, k;
		struct exo_fdec *dec;
		int err;

		for (i = 0; i < n; ) {
			/* Few shapes and narrow values, so filters collide. */
			struct exo_net_atom a[3];
			__u32 na = 1 + rnd() % 3, j;

			for (j = 0; j < na; j++) {
				a[j] = random_atom(64);
				if (rnd() % 2) {
					a[j] = atom(12 + 2 * (rnd() % 3), 2, 0xffff,
						    rnd() % 4);
				}
			}
			if (!exo_filter_canon(a, na, &store[i])) {
				fs[i] = &store[i];
				i++;
			}
		}
		dec = exo_fdec_build((const struct exo_filter *const *)fs, n, &err);
		ASSERT_NE(NULL, dec);
		ASSERT_EQ(0, err);
		EXPECT_EQ(exo_fdec_count_shapes((const struct exo_filter *const *)fs, n),
			  exo_fdec_nshapes(dec));
		for (k = 0; k < 2000; k++) {
			__u8 frame[64];
			__u32 len;

			random_frame(fs, n, frame, &len);
			ASSERT_EQ(linear_classify(fs, n, frame, len),
				  exo_fdec_classify(dec, frame, len)) {
				TH_LOG("round %d, %u filters, frame %u bytes", round, n, len);
			}
		}
		exo_fdec_free(dec);
	}
}

TEST(fdec_short_frames_and_duplicates)
{
	struct exo_filter f[3];
	const struct exo_filter *fs[3] = { &f[0], &f[1], &f[2] };
	__u8 frame[64] = { 0 };
	struct exo_fdec *dec;
	int err;

	ASSERT_EQ(0, canon1(atom(36, 2, 0xffff, 7), &f[0]));
	ASSERT_EQ(0, canon1(atom(36, 2, 0xffff, 7), &f[1]));
	ASSERT_EQ(0, canon1(atom(36, 2, 0xffff, 9), &f[2]));
	dec = exo_fdec_build(fs, 3, &err);
	ASSERT_NE(NULL, dec);
	EXPECT_EQ(1, exo_fdec_nshapes(dec));
	frame[37] = 7;
	EXPECT_EQ(0, exo_fdec_classify(dec, frame, 38));
	EXPECT_EQ(EXO_FDEC_NONE, exo_fdec_classify(dec, frame, 37));
	frame[37] = 9;
	EXPECT_EQ(2, exo_fdec_classify(dec, frame, 64));
	frame[37] = 8;
	EXPECT_EQ(EXO_FDEC_NONE, exo_fdec_classify(dec, frame, 64));
	exo_fdec_free(dec);
	dec = exo_fdec_build(fs, 0, &err);
	ASSERT_NE(NULL, dec);
	EXPECT_EQ(EXO_FDEC_NONE, exo_fdec_classify(dec, frame, 64));
	exo_fdec_free(dec);
}

TEST(frame_swap)
{
	__u8 f[64], g[64];
	unsigned int i;

	for (i = 0; i < sizeof(f); i++)
		f[i] = i;
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[23] = 17;
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, sizeof(g));
	EXPECT_EQ(6, g[0]);
	EXPECT_EQ(0, g[6]);
	EXPECT_EQ(30, g[26]);
	EXPECT_EQ(26, g[30]);
	EXPECT_EQ(36, g[34]);
	EXPECT_EQ(34, g[36]);
	exo_frame_swap(g, sizeof(g));
	EXPECT_EQ(0, memcmp(f, g, sizeof(f)));
	/* ARP: sender and target addresses. */
	f[13] = 0x06;
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, sizeof(g));
	EXPECT_EQ(32, g[22]);
	EXPECT_EQ(38, g[28]);
	EXPECT_EQ(28, g[38]);
	/* IPv6: addresses, and ports behind Next Header UDP or TCP only. */
	f[12] = 0x86;
	f[13] = 0xdd;
	f[20] = 17;
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, sizeof(g));
	EXPECT_EQ(38, g[22]);
	EXPECT_EQ(53, g[37]);
	EXPECT_EQ(22, g[38]);
	EXPECT_EQ(56, g[54]);
	EXPECT_EQ(54, g[56]);
	f[20] = 0;		/* hop-by-hop: the ports are not at 54 */
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, sizeof(g));
	EXPECT_EQ(22, g[38]);
	EXPECT_EQ(54, g[54]);
	/* Too short for the ports: the addresses only. */
	f[20] = 6;
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, 57);
	EXPECT_EQ(22, g[38]);
	EXPECT_EQ(54, g[54]);
	/* Too short to hold the fields: untouched. */
	memcpy(g, f, sizeof(f));
	exo_frame_swap(g, 13);
	EXPECT_EQ(0, memcmp(f, g, sizeof(f)));
}

TEST(filter_pinned)
{
	struct exo_net_atom a[3];
	struct exo_filter f;
	__u64 v;

	a[0] = atom(12, 2, 0xffff, 0x0800);
	a[1] = atom(23, 1, 0xff, 17);
	a[2] = atom(36, 2, 0xfff0, 0x0070);
	ASSERT_EQ(0, exo_filter_canon(a, 3, &f));
	ASSERT_TRUE(exo_filter_pinned(&f, 12, 2, &v));
	EXPECT_EQ(0x0800, v);
	ASSERT_TRUE(exo_filter_pinned(&f, 23, 1, &v));
	EXPECT_EQ(17, v);
	EXPECT_FALSE(exo_filter_pinned(&f, 36, 2, &v));
	EXPECT_FALSE(exo_filter_pinned(&f, 22, 2, &v));
	EXPECT_FALSE(exo_filter_pinned(&f, 30, 4, &v));
}

TEST(filter_reads_from)
{
	struct exo_net_atom a[2];
	struct exo_filter f;

	/* IPv4 to an address: nothing past the IPv4 header (byte 34). */
	a[0] = atom(12, 2, 0xffff, 0x0800);
	a[1] = atom(30, 4, 0xffffffff, 0x0a4d0003);
	ASSERT_EQ(0, exo_filter_canon(a, 2, &f));
	EXPECT_FALSE(exo_filter_reads_from(&f, 34));
	EXPECT_TRUE(exo_filter_reads_from(&f, 33));
	/* A port: byte 37 is the last one read; a mask hole before it. */
	a[1] = atom(34, 4, 0x0000ff00, 0x00001b00);
	ASSERT_EQ(0, exo_filter_canon(a, 2, &f));
	EXPECT_TRUE(exo_filter_reads_from(&f, 34));
	EXPECT_TRUE(exo_filter_reads_from(&f, 36));
	EXPECT_FALSE(exo_filter_reads_from(&f, 37));
}

TEST(filter_reads_per_segment)
{
	struct exo_net_atom a[4];
	struct exo_filter f;

	/* IPv4 UDP to a port from an address: all shared by the segments. */
	a[0] = atom(12, 2, 0xffff, 0x0800);
	a[1] = atom(23, 1, 0xff, 17);
	a[2] = atom(26, 8, ~0ULL, 0x0a4d00020a4d0003ULL);
	a[3] = atom(34, 4, 0xffffffff, 0x13881b58);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_FALSE(exo_filter_reads_per_segment(&f));
	/* The UDP length (byte 38): each segment has its own. */
	a[3] = atom(36, 4, 0xffffffff, 0x1b5803f0);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	/* A mask hole over the length reads only the port. */
	a[3] = atom(36, 4, 0xffff0000, 0x1b580000);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_FALSE(exo_filter_reads_per_segment(&f));
	/* IPv4's total length, id and checksum; the TTL is shared. */
	a[3] = atom(16, 1, 0xff, 0);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	a[3] = atom(19, 1, 0xff, 0);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	a[3] = atom(24, 2, 0xffff, 0);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	a[3] = atom(22, 1, 0xff, 64);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_FALSE(exo_filter_reads_per_segment(&f));
	/* TCP flags (byte 47) differ: PSH or FIN only on the last piece. */
	a[1] = atom(23, 1, 0xff, 6);
	a[3] = atom(47, 1, 0x08, 0x08);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	/* IPv6: bytes 24..25 are the source address, 18..19 the length. */
	a[0] = atom(12, 2, 0xffff, 0x86dd);
	a[1] = atom(20, 1, 0xff, 17);
	a[2] = atom(24, 2, 0xffff, 0xfd00);
	a[3] = atom(54, 4, 0xffffffff, 0x13881b58);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_FALSE(exo_filter_reads_per_segment(&f));
	a[2] = atom(18, 2, 0xffff, 1008);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	a[2] = atom(58, 2, 0xffff, 1008);
	ASSERT_EQ(0, exo_filter_canon(a, 4, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	/* No EtherType pinned: byte 24 may be an IPv4 checksum. */
	a[0] = atom(0, 4, 0xffffffff, 0x02000000);
	a[2] = atom(24, 2, 0xffff, 0xfd00);
	ASSERT_EQ(0, exo_filter_canon(a, 3, &f));
	EXPECT_TRUE(exo_filter_reads_per_segment(&f));
	/* The Ethernet header alone: never per segment. */
	ASSERT_EQ(0, exo_filter_canon(a, 1, &f));
	EXPECT_FALSE(exo_filter_reads_per_segment(&f));
}

TEST_HARNESS_MAIN
