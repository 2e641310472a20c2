/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet filters of the network binding: canonical form, exact overlap,
 * the merged decision structure and the anti-spoofing swap. Pure C, built
 * into exo.ko and into host tests, benchmarks and fuzzers.
 */
#ifndef EXO_CORE_FILTER_H
#define EXO_CORE_FILTER_H

#include "core.h"
#include "../../uapi/linux/exo.h"

/*
 * A canonical atom: @len (1..8) bytes at @off, read big-endian, masked and
 * compared. Atoms of a canonical filter are sorted by @off and their byte
 * ranges are disjoint; each starts at the first constrained byte after the
 * one before it (or 8 bytes on from its start) and ends on a constrained
 * byte, with a zero mask on any unconstrained byte between: equal sets of
 * constrained bits give equal canonical filters.
 */
struct exo_fatom {
	u16 off;
	u8 len;
	u64 mask;
	u64 value;
};

struct exo_filter {
	u32 natoms;
	struct exo_fatom atoms[EXO_NET_ATOMS_MAX];
};

/* exo_fdec_classify() when no filter matches. */
#define EXO_FDEC_NONE	0xffffffffu

int exo_filter_canon(const struct exo_net_atom *in, u32 natoms,
		     struct exo_filter *out);
bool exo_filter_overlap(const struct exo_filter *a, const struct exo_filter *b);
bool exo_filter_match(const struct exo_filter *f, const u8 *frame, u32 len);
void exo_frame_swap(u8 *frame, u32 len);
bool exo_filter_pinned(const struct exo_filter *f, u32 off, u32 len,
		       u64 *value);
bool exo_filter_reads_from(const struct exo_filter *f, u32 off);
bool exo_filter_reads_per_segment(const struct exo_filter *f);

struct exo_fdec;

u32 exo_fdec_count_shapes(const struct exo_filter *const *filters, u32 n);
struct exo_fdec *exo_fdec_build(const struct exo_filter *const *filters,
				u32 n, int *err);
void exo_fdec_free(struct exo_fdec *dec);
u32 exo_fdec_classify(const struct exo_fdec *dec, const u8 *frame, u32 len);
u32 exo_fdec_nshapes(const struct exo_fdec *dec);

/* Walking the structure for a dump: shape @s's keys and table. */
struct exo_fdec_shape_info {
	u32 natoms;
	u32 entries;
	u32 buckets;
	u32 need;			/* shortest frame that can match */
	const struct exo_fatom *keys;	/* off, len and mask used */
};

void exo_fdec_shape_info(const struct exo_fdec *dec, u32 s,
			 struct exo_fdec_shape_info *info);

#endif /* EXO_CORE_FILTER_H */
