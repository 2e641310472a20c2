// SPDX-License-Identifier: GPL-2.0
/*
 * Packet filters, DPF-style: a filter is a conjunction of (offset, width,
 * mask, value) atoms over the first EXO_NET_WINDOW bytes of a frame.
 *
 * Canonical form. A filter means "these bits of the frame have these
 * values", so it is first spread over bytes (a per-byte mask and value),
 * which merges atoms on the same bytes and finds contradictions, then
 * gathered again into atoms of at most 8 bytes, each starting and ending
 * on a constrained byte. Equal meanings give equal canonical filters.
 *
 * Overlap. Two filters match a common frame unless some bit is constrained
 * to 0 by one and 1 by the other: a frame built from both constraints, with
 * any value in the bits neither constrains, matches both.
 *
 * The decision structure. Filters with the same shape (the same list of
 * (offset, length, mask)) differ only in their values, so each shape gets a
 * hash table from the masked values to the filter. Classifying a frame
 * reads each shape's bytes once and probes its table: the cost grows with
 * the number of distinct shapes, not with the number of filters.
 */
#include "filter.h"

static bool exo_width_ok(u8 width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

int exo_filter_canon(const struct exo_net_atom *in, u32 natoms,
		     struct exo_filter *out)
{
	u8 bmask[EXO_NET_WINDOW], bval[EXO_NET_WINDOW];
	u32 i, j, off;

	if (natoms < 1 || natoms > EXO_NET_ATOMS_MAX)
		return -EINVAL;
	memset(bmask, 0, sizeof(bmask));
	memset(bval, 0, sizeof(bval));
	for (i = 0; i < natoms; i++) {
		const struct exo_net_atom *a = &in[i];

		for (j = 0; j < sizeof(a->reserved); j++)
			if (a->reserved[j])
				return -EINVAL;
		if (!exo_width_ok(a->width) ||
		    (u32)a->offset + a->width > EXO_NET_WINDOW)
			return -EINVAL;
		if (!a->mask || (a->value & ~a->mask))
			return -EINVAL;
		if (a->width < 8 && (a->mask >> (8 * a->width)))
			return -EINVAL;
		for (j = 0; j < a->width; j++) {
			unsigned int shift = 8 * (a->width - 1 - j);
			u8 m = (u8)(a->mask >> shift);
			u8 v = (u8)(a->value >> shift);

			off = a->offset + j;
			if (bmask[off] & m & (bval[off] ^ v))
				return -EINVAL;	/* matches no frame */
			bmask[off] |= m;
			bval[off] |= v;
		}
	}
	memset(out, 0, sizeof(*out));
	/*
	 * Cover the constrained bytes with windows of 8, each starting at the
	 * first byte not yet covered and trimmed to its last constrained
	 * byte; unconstrained bytes inside a window get mask 0. This greedy
	 * cover is the smallest there is, and the input's atoms (contiguous,
	 * at most 8 bytes each) are a cover, so it needs at most @natoms
	 * atoms: masks with holes in them cannot make it longer.
	 */
	for (off = 0; off < EXO_NET_WINDOW; ) {
		struct exo_fatom *a;
		u32 end, last;

		if (!bmask[off]) {
			off++;
			continue;
		}
		if (out->natoms == EXO_NET_ATOMS_MAX)
			return -EINVAL;	/* unreachable, by the bound above */
		end = off + 8 < EXO_NET_WINDOW ? off + 8 : EXO_NET_WINDOW;
		for (last = end - 1; !bmask[last]; last--)
			;
		a = &out->atoms[out->natoms++];
		a->off = off;
		for (; off <= last; off++) {
			a->mask = a->mask << 8 | bmask[off];
			a->value = a->value << 8 | bval[off];
			a->len++;
		}
		off = end;
	}
	return 0;
}

static u8 exo_atom_byte(u64 word, u8 len, u32 idx)
{
	return (u8)(word >> (8 * (len - 1 - idx)));
}

bool exo_filter_overlap(const struct exo_filter *a, const struct exo_filter *b)
{
	u32 i = 0, j = 0;

	while (i < a->natoms && j < b->natoms) {
		const struct exo_fatom *x = &a->atoms[i], *y = &b->atoms[j];
		u32 xend = x->off + x->len, yend = y->off + y->len;
		u32 lo = x->off > y->off ? x->off : y->off;
		u32 hi = xend < yend ? xend : yend;
		u32 o;

		for (o = lo; o < hi; o++) {
			u8 xm = exo_atom_byte(x->mask, x->len, o - x->off);
			u8 xv = exo_atom_byte(x->value, x->len, o - x->off);
			u8 ym = exo_atom_byte(y->mask, y->len, o - y->off);
			u8 yv = exo_atom_byte(y->value, y->len, o - y->off);

			if (xm & ym & (xv ^ yv))
				return false;
		}
		if (xend <= yend)
			i++;
		else
			j++;
	}
	return true;
}

/*
 * True if @f fixes every bit of the @len (<= 8) bytes at @off; *@value is
 * then what they must be, big-endian.
 */
bool exo_filter_pinned(const struct exo_filter *f, u32 off, u32 len,
		       u64 *value)
{
	u32 o, i;

	*value = 0;
	for (o = off; o < off + len; o++) {
		for (i = 0; i < f->natoms; i++) {
			const struct exo_fatom *a = &f->atoms[i];

			if (o >= a->off && o < (u32)a->off + a->len)
				break;
		}
		if (i == f->natoms ||
		    exo_atom_byte(f->atoms[i].mask, f->atoms[i].len,
				  o - f->atoms[i].off) != 0xff)
			return false;
		*value = *value << 8 | exo_atom_byte(f->atoms[i].value,
						     f->atoms[i].len,
						     o - f->atoms[i].off);
	}
	return true;
}

/*
 * True if @f constrains some byte at or after @off. Canonical atoms end on
 * a constrained byte, so the last one's end tells.
 */
bool exo_filter_reads_from(const struct exo_filter *f, u32 off)
{
	return f->natoms &&
	       (u32)f->atoms[f->natoms - 1].off + f->atoms[f->natoms - 1].len > off;
}

#define EXO_ETH_HLEN	14
#define EXO_ETH_P_IP	0x0800
#define EXO_ETH_P_ARP	0x0806
#define EXO_ETH_P_IPV6	0x86dd

/*
 * Whether the frame byte at @off can differ between the wire frames of one
 * GSO or GRO frame, for a filter whose EtherType is @ethertype (0: not
 * pinned). Segments share the Ethernet header, and of IPv4 (which GRO
 * merges only without options) the version, TOS, TTL, protocol and
 * addresses; of IPv6 the first word, next header, hop limit and
 * addresses; and the ports. Lengths, ids, checksums, sequence numbers and
 * flags differ. Without a pinned EtherType every byte past the Ethernet
 * header may be either, so every such byte counts.
 */
static bool exo_byte_varies_by_segment(u32 off, u64 ethertype)
{
	if (off < EXO_ETH_HLEN)
		return false;
	switch (ethertype) {
	case EXO_ETH_P_IP:
		return !(off == 14 || off == 15 || off == 22 || off == 23 ||
			 (off >= 26 && off < 38));
	case EXO_ETH_P_IPV6:
		return !((off >= 14 && off < 18) || off == 20 || off == 21 ||
			 (off >= 22 && off < 58));
	default:
		return true;
	}
}

/*
 * True if @f constrains a byte that can differ between the segments of one
 * GSO or GRO frame: the merged frame's header then does not tell whether
 * its segments match, and each must be classified on its own.
 */
bool exo_filter_reads_per_segment(const struct exo_filter *f)
{
	u64 ethertype;
	u32 i, b;

	if (!exo_filter_pinned(f, 12, 2, &ethertype))
		ethertype = 0;
	for (i = 0; i < f->natoms; i++) {
		const struct exo_fatom *a = &f->atoms[i];

		for (b = 0; b < a->len; b++)
			if (exo_atom_byte(a->mask, a->len, b) &&
			    exo_byte_varies_by_segment(a->off + b, ethertype))
				return true;
	}
	return false;
}

static u64 exo_load_be(const u8 *p, u8 len)
{
	u64 x = 0;
	u8 i;

	for (i = 0; i < len; i++)
		x = x << 8 | p[i];
	return x;
}

bool exo_filter_match(const struct exo_filter *f, const u8 *frame, u32 len)
{
	u32 i;

	for (i = 0; i < f->natoms; i++) {
		const struct exo_fatom *a = &f->atoms[i];

		if ((u32)a->off + a->len > len)
			return false;
		if ((exo_load_be(frame + a->off, a->len) & a->mask) != a->value)
			return false;
	}
	return true;
}

static void exo_swap_bytes(u8 *frame, u32 a, u32 b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		u8 t = frame[a + i];

		frame[a + i] = frame[b + i];
		frame[b + i] = t;
	}
}

/*
 * Exchange source and destination fields, so that a frame a libOS sends
 * can be checked against the filters it receives on (anti-spoofing).
 * Fields the frame is too short to hold are left alone.
 */
void exo_frame_swap(u8 *frame, u32 len)
{
	u32 type;

	if (len < 14)
		return;
	exo_swap_bytes(frame, 0, 6, 6);
	type = (u32)frame[12] << 8 | frame[13];
	if (type == EXO_ETH_P_IP && len >= 34) {
		exo_swap_bytes(frame, 26, 30, 4);
		/* Ports sit at fixed offsets only without IP options. */
		if (frame[14] == 0x45 && (frame[23] == 6 || frame[23] == 17) &&
		    len >= 38)
			exo_swap_bytes(frame, 34, 36, 2);
	} else if (type == EXO_ETH_P_IPV6 && len >= 54) {
		exo_swap_bytes(frame, 22, 38, 16);
		/* Ports sit right after the fixed header only without extensions. */
		if ((frame[20] == 6 || frame[20] == 17) && len >= 58)
			exo_swap_bytes(frame, 54, 56, 2);
	} else if (type == EXO_ETH_P_ARP && len >= 42) {
		/* Sender hardware and protocol address <-> target's. */
		exo_swap_bytes(frame, 22, 32, 10);
	}
}

/* ---- the decision structure ------------------------------------------ */

/* A bucket: the key's hash tag and its entry, or EXO_FDEC_NONE if empty. */
struct exo_fbucket {
	u32 tag;
	u32 entry;
};

struct exo_fshape {
	u32 natoms;
	u32 need;			/* max off + len */
	u32 entries;			/* filters of this shape */
	u32 nkeys;			/* distinct values among them */
	u32 nbuckets;			/* a power of two, >= 2 * entries */
	struct exo_fatom keys[EXO_NET_ATOMS_MAX];	/* value unused */
	struct exo_fbucket *buckets;	/* small, so that probes stay in cache */
	u32 *index;			/* per key: the lowest filter index */
	u64 *values;			/* per key: natoms masked values */
};

struct exo_fdec {
	u32 nshapes;
	u32 nfilters;
	struct exo_fshape *shapes;
};

static bool exo_same_shape(const struct exo_filter *f, const struct exo_fshape *s)
{
	u32 i;

	if (f->natoms != s->natoms)
		return false;
	for (i = 0; i < f->natoms; i++)
		if (f->atoms[i].off != s->keys[i].off ||
		    f->atoms[i].len != s->keys[i].len ||
		    f->atoms[i].mask != s->keys[i].mask)
			return false;
	return true;
}

static bool exo_filters_same_shape(const struct exo_filter *f,
				   const struct exo_filter *g)
{
	u32 i;

	if (f->natoms != g->natoms)
		return false;
	for (i = 0; i < f->natoms; i++)
		if (f->atoms[i].off != g->atoms[i].off ||
		    f->atoms[i].len != g->atoms[i].len ||
		    f->atoms[i].mask != g->atoms[i].mask)
			return false;
	return true;
}

/* Distinct shapes among @filters: what exo_fdec_build() would make. */
u32 exo_fdec_count_shapes(const struct exo_filter *const *filters, u32 n)
{
	u32 i, j, count = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (exo_filters_same_shape(filters[i], filters[j]))
				break;
		if (j == i)
			count++;
	}
	return count;
}

static u64 exo_hash_mix(u64 h, u64 v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static u64 exo_hash_values(const u64 *v, u32 n)
{
	u64 h = n;
	u32 i;

	for (i = 0; i < n; i++)
		h = exo_hash_mix(h, v[i]);
	return h;
}

void exo_fdec_free(struct exo_fdec *dec)
{
	u32 s;

	if (!dec)
		return;
	for (s = 0; s < dec->nshapes; s++) {
		exo_core_free(dec->shapes[s].buckets);
		exo_core_free(dec->shapes[s].index);
		exo_core_free(dec->shapes[s].values);
	}
	exo_core_free(dec->shapes);
	exo_core_free(dec);
}

static void exo_shape_insert(struct exo_fshape *s, const struct exo_filter *f,
			     u32 idx)
{
	u64 v[EXO_NET_ATOMS_MAX], h;
	u32 i, b, e;

	for (i = 0; i < s->natoms; i++)
		v[i] = f->atoms[i].value;
	h = exo_hash_values(v, s->natoms);
	for (b = (u32)h & (s->nbuckets - 1);; b = (b + 1) & (s->nbuckets - 1)) {
		e = s->buckets[b].entry;
		if (e == EXO_FDEC_NONE)
			break;
		/* Same values: the earlier (lower) index keeps the key. */
		if (s->buckets[b].tag == (u32)(h >> 32) &&
		    !memcmp(&s->values[(size_t)e * s->natoms], v,
			    s->natoms * sizeof(u64)))
			return;
	}
	e = s->nkeys++;
	s->buckets[b].tag = (u32)(h >> 32);
	s->buckets[b].entry = e;
	s->index[e] = idx;
	memcpy(&s->values[(size_t)e * s->natoms], v, s->natoms * sizeof(u64));
}

/*
 * Merge @filters (all canonical) into one structure. exo_fdec_classify()
 * then returns the lowest index of a filter that matches. NULL with *err
 * set on failure; n == 0 gives an empty structure.
 */
struct exo_fdec *exo_fdec_build(const struct exo_filter *const *filters,
				u32 n, int *err)
{
	struct exo_fdec *dec;
	u32 *shape_of;
	u32 i, s;

	*err = -ENOMEM;
	dec = exo_core_zalloc(sizeof(*dec));
	if (!dec)
		return NULL;
	dec->nfilters = n;
	*err = 0;
	if (!n)
		return dec;
	*err = -ENOMEM;
	shape_of = exo_core_zalloc(sizeof(u32) * n);
	dec->shapes = exo_core_zalloc(sizeof(*dec->shapes) * n);
	if (!shape_of || !dec->shapes)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct exo_filter *f = filters[i];

		for (s = 0; s < dec->nshapes; s++)
			if (exo_same_shape(f, &dec->shapes[s]))
				break;
		if (s == dec->nshapes) {
			struct exo_fshape *sh = &dec->shapes[dec->nshapes++];
			u32 a;

			sh->natoms = f->natoms;
			for (a = 0; a < f->natoms; a++) {
				sh->keys[a] = f->atoms[a];
				sh->keys[a].value = 0;
				if ((u32)f->atoms[a].off + f->atoms[a].len > sh->need)
					sh->need = f->atoms[a].off + f->atoms[a].len;
			}
		}
		shape_of[i] = s;
		dec->shapes[s].entries++;
	}
	for (s = 0; s < dec->nshapes; s++) {
		struct exo_fshape *sh = &dec->shapes[s];

		sh->nbuckets = 2;
		while (sh->nbuckets < 2 * sh->entries)
			sh->nbuckets <<= 1;
		sh->buckets = exo_core_zalloc(sizeof(*sh->buckets) * sh->nbuckets);
		sh->index = exo_core_zalloc(sizeof(u32) * sh->entries);
		sh->values = exo_core_zalloc(sizeof(u64) * sh->entries * sh->natoms);
		if (!sh->buckets || !sh->index || !sh->values)
			goto fail;
		memset(sh->buckets, 0xff, sizeof(*sh->buckets) * sh->nbuckets);
	}
	/* In index order, so that equal keys keep the lowest index. */
	for (i = 0; i < n; i++)
		exo_shape_insert(&dec->shapes[shape_of[i]], filters[i], i);
	exo_core_free(shape_of);
	*err = 0;
	return dec;
fail:
	exo_core_free(shape_of);
	exo_fdec_free(dec);
	return NULL;
}

static u32 exo_shape_lookup(const struct exo_fshape *s, const u8 *frame, u32 len)
{
	u64 v[EXO_NET_ATOMS_MAX], h;
	u32 i, b, e;

	if (len < s->need)
		return EXO_FDEC_NONE;
	for (i = 0; i < s->natoms; i++)
		v[i] = exo_load_be(frame + s->keys[i].off, s->keys[i].len) &
		       s->keys[i].mask;
	h = exo_hash_values(v, s->natoms);
	for (b = (u32)h & (s->nbuckets - 1);; b = (b + 1) & (s->nbuckets - 1)) {
		e = s->buckets[b].entry;
		if (e == EXO_FDEC_NONE)
			return EXO_FDEC_NONE;
		if (s->buckets[b].tag == (u32)(h >> 32) &&
		    !memcmp(&s->values[(size_t)e * s->natoms], v,
			    s->natoms * sizeof(u64)))
			return s->index[e];
	}
}

/* The lowest index of a filter matching @frame (@len bytes), or NONE. */
u32 exo_fdec_classify(const struct exo_fdec *dec, const u8 *frame, u32 len)
{
	u32 s, best = EXO_FDEC_NONE;

	for (s = 0; s < dec->nshapes; s++) {
		u32 idx = exo_shape_lookup(&dec->shapes[s], frame, len);

		if (idx < best)
			best = idx;
	}
	return best;
}

u32 exo_fdec_nshapes(const struct exo_fdec *dec)
{
	return dec->nshapes;
}

void exo_fdec_shape_info(const struct exo_fdec *dec, u32 s,
			 struct exo_fdec_shape_info *info)
{
	const struct exo_fshape *sh = &dec->shapes[s];

	info->natoms = sh->natoms;
	info->entries = sh->entries;
	info->buckets = sh->nbuckets;
	info->need = sh->need;
	info->keys = sh->keys;
}
