// SPDX-License-Identifier: GPL-2.0
/*
 * XN's on-disk format: encoders and the checking decoders (xn_image.h).
 * Nothing read from a disk is trusted: every field is checked against the
 * layout before the module uses it, and a refusal names what is wrong.
 */
#include "xn_image.h"
#include "udf.h"

#define XN_IMAGE_FAIL(err, ...)						\
	({ snprintf((err)->msg, sizeof((err)->msg), __VA_ARGS__); -EUCLEAN; })

static bool xn_image_zero(const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

void xn_image_layout(u64 nblocks, struct xn_image_layout *l)
{
	l->nblocks = nblocks;
	l->freemap_start = 1;
	l->freemap_blocks = (nblocks + XN_IMAGE_BITS_PER_BLOCK - 1) /
			    XN_IMAGE_BITS_PER_BLOCK;
	l->types_start = l->freemap_start + l->freemap_blocks;
	l->roots_block = l->types_start + EXO_XN_TYPES_MAX;
	l->data_start = l->roots_block + 1;
}

void xn_image_super_encode(void *blk, const struct xn_image_layout *l)
{
	struct xn_image_super *sb = blk;

	memset(blk, 0, XN_IMAGE_BS);
	sb->magic = cpu_to_le64(XN_IMAGE_MAGIC);
	sb->version = cpu_to_le32(XN_IMAGE_VERSION);
	sb->block_size = cpu_to_le32(XN_IMAGE_BS);
	sb->nblocks = cpu_to_le64(l->nblocks);
	sb->freemap_start = cpu_to_le64(l->freemap_start);
	sb->freemap_blocks = cpu_to_le64(l->freemap_blocks);
	sb->types_start = cpu_to_le64(l->types_start);
	sb->roots_block = cpu_to_le64(l->roots_block);
	sb->data_start = cpu_to_le64(l->data_start);
	sb->crc = cpu_to_le32(exo_core_crc32(sb, offsetof(struct xn_image_super, crc)));
}

int xn_image_super_decode(const void *blk, u64 dev_blocks,
			  struct xn_image_layout *l, struct xn_image_err *err)
{
	struct xn_image_super sb;
	u64 nblocks, version;
	u32 crc;

	if (xn_image_zero(blk, XN_IMAGE_BS))
		return XN_IMAGE_BLANK;
	memcpy(&sb, blk, sizeof(sb));
	if (le64_to_cpu(sb.magic) != XN_IMAGE_MAGIC)
		return XN_IMAGE_FAIL(err, "superblock: no XN magic, and block 0 is not blank");
	version = le32_to_cpu(sb.version);
	if (version != XN_IMAGE_VERSION)
		return XN_IMAGE_FAIL(err, "superblock: version %llu, this exo.ko reads only %u",
				     version, XN_IMAGE_VERSION);
	crc = le32_to_cpu(sb.crc);
	if (crc != exo_core_crc32(&sb, offsetof(struct xn_image_super, crc)))
		return XN_IMAGE_FAIL(err, "superblock: bad checksum");
	if (sb.reserved || !xn_image_zero((const u8 *)blk + sizeof(sb),
					  XN_IMAGE_BS - sizeof(sb)))
		return XN_IMAGE_FAIL(err, "superblock: reserved bytes not zero");
	if (le32_to_cpu(sb.block_size) != XN_IMAGE_BS)
		return XN_IMAGE_FAIL(err, "superblock: block size %u, not %u",
				     le32_to_cpu(sb.block_size), XN_IMAGE_BS);
	nblocks = le64_to_cpu(sb.nblocks);
	if (nblocks > dev_blocks)
		return XN_IMAGE_FAIL(err, "superblock: %llu blocks, but the device has %llu",
				     nblocks, dev_blocks);
	if (nblocks > XN_IMAGE_MAX_BLOCKS)
		return XN_IMAGE_FAIL(err, "superblock: %llu blocks, more than %llu",
				     nblocks, XN_IMAGE_MAX_BLOCKS);
	xn_image_layout(nblocks, l);
	if (l->data_start + 1 >= nblocks)
		return XN_IMAGE_FAIL(err, "superblock: %llu blocks leave no data area",
				     nblocks);
	if (le64_to_cpu(sb.freemap_start) != l->freemap_start ||
	    le64_to_cpu(sb.freemap_blocks) != l->freemap_blocks ||
	    le64_to_cpu(sb.types_start) != l->types_start ||
	    le64_to_cpu(sb.roots_block) != l->roots_block ||
	    le64_to_cpu(sb.data_start) != l->data_start)
		return XN_IMAGE_FAIL(err,
				     "superblock: layout is not that of %llu blocks",
				     nblocks);
	return 0;
}

static void xn_image_insns_encode(struct xn_image_insn *dst,
				  const struct exo_udf_insn *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		dst[i].code = src[i].code;
		dst[i].dst = src[i].dst;
		dst[i].src = src[i].src;
		dst[i].aux = src[i].aux;
		dst[i].imm = cpu_to_le32((u32)src[i].imm);
	}
}

static void xn_image_insns_decode(struct exo_udf_insn *dst,
				  const struct xn_image_insn *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		dst[i].code = src[i].code;
		dst[i].dst = src[i].dst;
		dst[i].src = src[i].src;
		dst[i].aux = src[i].aux;
		dst[i].imm = (s32)le32_to_cpu(src[i].imm);
	}
}

void xn_image_type_encode(void *blk, const struct xn_image_type_mem *t)
{
	struct xn_image_type *d = blk;

	memset(blk, 0, XN_IMAGE_BS);
	if (!t->in_use)
		return;
	d->in_use = cpu_to_le32(1);
	d->owns_len = cpu_to_le32(t->owns_len);
	d->acl_len = cpu_to_le32(t->acl_len);
	d->owner_uid = cpu_to_le32(t->owner_uid);
	memcpy(d->name, t->name, sizeof(d->name));
	xn_image_insns_encode(d->owns, t->owns, t->owns_len);
	xn_image_insns_encode(d->acl, t->acl, t->acl_len);
	d->crc = cpu_to_le32(exo_core_crc32(d, offsetof(struct xn_image_type, crc)));
}

/* A name of 1..EXO_XN_NAME_MAX-1 bytes, NUL-padded to the end. */
static bool xn_image_name_ok(const char *name)
{
	size_t len = strnlen(name, EXO_XN_NAME_MAX);

	return len && len < EXO_XN_NAME_MAX &&
	       xn_image_zero(name + len, EXO_XN_NAME_MAX - len);
}

int xn_image_type_decode(const void *blk, u32 id,
			 struct xn_image_type_mem *t, struct xn_image_err *err)
{
	static const struct xn_image_insn zero_insn;
	const struct xn_image_type *d = blk;
	u32 i;

	memset(t, 0, sizeof(*t));
	if (xn_image_zero(blk, XN_IMAGE_BS))
		return 0;
	if (le32_to_cpu(d->crc) !=
	    exo_core_crc32(d, offsetof(struct xn_image_type, crc)))
		return XN_IMAGE_FAIL(err, "type %u: bad checksum", id);
	if (d->reserved || !xn_image_zero((const u8 *)blk + sizeof(*d),
					  XN_IMAGE_BS - sizeof(*d)))
		return XN_IMAGE_FAIL(err, "type %u: reserved bytes not zero", id);
	if (le32_to_cpu(d->in_use) != 1)
		return XN_IMAGE_FAIL(err, "type %u: in_use %u in a block not blank",
				     id, le32_to_cpu(d->in_use));
	if (!xn_image_name_ok(d->name))
		return XN_IMAGE_FAIL(err, "type %u: name is empty or not NUL-terminated",
				     id);
	t->owns_len = le32_to_cpu(d->owns_len);
	t->acl_len = le32_to_cpu(d->acl_len);
	if (!t->owns_len || t->owns_len > EXO_UDF_MAX_INSNS ||
	    !t->acl_len || t->acl_len > EXO_UDF_MAX_INSNS) {
		i = t->owns_len;
		memset(t, 0, sizeof(*t));
		return XN_IMAGE_FAIL(err, "type %u: owns_len %u or acl_len %u outside 1..%u",
				     id, i, le32_to_cpu(d->acl_len),
				     EXO_UDF_MAX_INSNS);
	}
	for (i = t->owns_len; i < EXO_UDF_MAX_INSNS; i++)
		if (memcmp(&d->owns[i], &zero_insn, sizeof(zero_insn)))
			goto past_len;
	for (i = t->acl_len; i < EXO_UDF_MAX_INSNS; i++)
		if (memcmp(&d->acl[i], &zero_insn, sizeof(zero_insn)))
			goto past_len;
	xn_image_insns_decode(t->owns, d->owns, t->owns_len);
	xn_image_insns_decode(t->acl, d->acl, t->acl_len);
	/* Never run what the verifier would not pass today. */
	if (exo_udf_verify(t->owns, t->owns_len, EXO_UDF_OWNS, NULL) ||
	    exo_udf_verify(t->acl, t->acl_len, EXO_UDF_ACL, NULL)) {
		memset(t, 0, sizeof(*t));
		return XN_IMAGE_FAIL(err, "type %u: a UDF fails verification", id);
	}
	memcpy(t->name, d->name, sizeof(t->name));
	t->owner_uid = le32_to_cpu(d->owner_uid);
	t->in_use = 1;
	return 0;

past_len:
	memset(t, 0, sizeof(*t));
	return XN_IMAGE_FAIL(err, "type %u: instructions past owns_len or acl_len",
			     id);
}

void xn_image_roots_encode(void *blk, const struct xn_image_root_mem *roots)
{
	struct xn_image_root *d = blk;
	u32 i, crc;

	memset(blk, 0, XN_IMAGE_BS);
	for (i = 0; i < EXO_XN_ROOTS_MAX; i++) {
		if (!roots[i].in_use)
			continue;
		memcpy(d[i].name, roots[i].name, sizeof(d[i].name));
		d[i].block = cpu_to_le64(roots[i].block);
		d[i].type = cpu_to_le32(roots[i].type);
		d[i].in_use = cpu_to_le32(1);
		d[i].owner_uid = cpu_to_le32(roots[i].owner_uid);
		crc = exo_core_crc32(&d[i], offsetof(struct xn_image_root, crc));
		d[i].crc = cpu_to_le32(crc);
	}
}

int xn_image_roots_decode(const void *blk, const struct xn_image_layout *l,
			  u64 types_in_use, struct xn_image_root_mem *roots,
			  struct xn_image_err *err)
{
	struct xn_image_root d;
	u32 i, j, crc, type;
	u64 block;

	memset(roots, 0, EXO_XN_ROOTS_MAX * sizeof(*roots));
	for (i = 0; i < EXO_XN_ROOTS_MAX; i++) {
		memcpy(&d, (const u8 *)blk + i * sizeof(d), sizeof(d));
		if (xn_image_zero(&d, sizeof(d)))
			continue;
		crc = le32_to_cpu(d.crc);
		if (crc != exo_core_crc32(&d, offsetof(struct xn_image_root, crc)))
			return XN_IMAGE_FAIL(err, "root %u: bad checksum", i);
		if (!xn_image_zero(d.reserved, sizeof(d.reserved)))
			return XN_IMAGE_FAIL(err, "root %u: reserved bytes not zero", i);
		if (le32_to_cpu(d.in_use) != 1)
			return XN_IMAGE_FAIL(err, "root %u: in_use %u, not 0 or 1",
					     i, le32_to_cpu(d.in_use));
		if (!xn_image_name_ok(d.name))
			return XN_IMAGE_FAIL(err, "root %u: name is empty or not NUL-terminated",
					     i);
		block = le64_to_cpu(d.block);
		if (!xn_image_in_data(l, block))
			return XN_IMAGE_FAIL(err,
					     "root %u: block %llu outside the data area",
					     i, block);
		type = le32_to_cpu(d.type);
		if (type == EXO_XN_TYPE_DATA || type > EXO_XN_TYPES_MAX ||
		    !(types_in_use & (1ULL << type)))
			return XN_IMAGE_FAIL(err, "root %u: type %u is not installed",
					     i, type);
		for (j = 0; j < i; j++) {
			if (!roots[j].in_use)
				continue;
			if (roots[j].block == block)
				return XN_IMAGE_FAIL(err, "roots %u and %u: both on block %llu",
						     j, i, block);
			if (!strncmp(roots[j].name, d.name, EXO_XN_NAME_MAX))
				return XN_IMAGE_FAIL(err, "roots %u and %u: one name", j, i);
		}
		memcpy(roots[i].name, d.name, sizeof(roots[i].name));
		roots[i].block = block;
		roots[i].type = type;
		roots[i].owner_uid = le32_to_cpu(d.owner_uid);
		roots[i].in_use = 1;
	}
	return 0;
}

bool xn_image_freemap_test(const void *blk, u64 block)
{
	u64 bit = block % XN_IMAGE_BITS_PER_BLOCK;

	return ((const u8 *)blk)[bit / 8] & (1U << (bit % 8));
}

int xn_image_freemap_check(const void *blk, u64 index,
			   const struct xn_image_layout *l,
			   struct xn_image_err *err)
{
	u64 first = index * XN_IMAGE_BITS_PER_BLOCK, b;

	for (b = first; b < first + XN_IMAGE_BITS_PER_BLOCK; b++) {
		if (xn_image_in_data(l, b))
			continue;
		if (!xn_image_freemap_test(blk, b))
			return XN_IMAGE_FAIL(err, "free map: block %llu (%s) is marked free",
					     b, b < l->data_start ? "metadata" :
					     "past the end");
	}
	return 0;
}
