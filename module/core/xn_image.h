/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XN's on-disk format, version 2: little-endian, with a CRC-32 on the
 * superblock, on each type block and on each root entry. The encoders and
 * checking decoders here are pure (no I/O, no locks) so that exo.ko, the
 * host tests, the libFuzzer target and xn_test share one parser.
 *
 *   block 0                  superblock (struct xn_image_super)
 *   1 .. F                   free map, bit i of byte i / 8 for block i
 *   F+1 .. F+TYPES_MAX       type catalogue, one block per type
 *   next                     root catalogue, EXO_XN_ROOTS_MAX entries
 *   data_start ..            blocks for libFSes
 *
 * A decoder refuses anything it does not know (-EUCLEAN) and says why in
 * struct xn_image_err; version 1 images (host order, no checksums) are
 * refused too.
 */
#ifndef EXO_CORE_XN_IMAGE_H
#define EXO_CORE_XN_IMAGE_H

#include "core.h"
#include "../../uapi/linux/exo.h"

#define XN_IMAGE_MAGIC		0x314e584f5845ULL	/* "EXOXN1\0\0" LE */
#define XN_IMAGE_VERSION	2
#define XN_IMAGE_BS		EXO_XN_BLOCK_SIZE
#define XN_IMAGE_BITS_PER_BLOCK	(XN_IMAGE_BS * 8)
#define XN_IMAGE_MAX_BLOCKS	BIT_ULL(24)		/* 64 GiB */

/* Where everything is, in blocks; a function of nblocks alone. */
struct xn_image_layout {
	u64 nblocks;
	u64 freemap_start;
	u64 freemap_blocks;
	u64 types_start;
	u64 roots_block;
	u64 data_start;
};

struct xn_image_super {
	__le64 magic;
	__le32 version;
	__le32 block_size;
	__le64 nblocks;
	__le64 freemap_start;
	__le64 freemap_blocks;
	__le64 types_start;
	__le64 roots_block;
	__le64 data_start;
	__le32 crc;		/* of the bytes before it */
	__le32 reserved;	/* 0 */
};

struct xn_image_insn {
	u8 code;
	u8 dst;
	u8 src;
	u8 aux;
	__le32 imm;
};

/* One type block; an unused one is all zeroes. */
struct xn_image_type {
	__le32 in_use;		/* 0 or 1 */
	__le32 owns_len;
	__le32 acl_len;
	__le32 owner_uid;
	char name[EXO_XN_NAME_MAX];
	struct xn_image_insn owns[EXO_UDF_MAX_INSNS];
	struct xn_image_insn acl[EXO_UDF_MAX_INSNS];
	__le32 crc;		/* of the bytes before it */
	__le32 reserved;	/* 0 */
};

/* One root entry, EXO_XN_ROOTS_MAX to the block; an unused one is zeroes. */
struct xn_image_root {
	char name[EXO_XN_NAME_MAX];
	__le64 block;
	__le32 type;
	__le32 in_use;		/* 0 or 1 */
	__le32 owner_uid;
	__le32 crc;		/* of the bytes before it */
	u8 reserved[8];		/* 0 */
};

/* A type in memory, in CPU order. */
struct xn_image_type_mem {
	u32 in_use;
	u32 owns_len;
	u32 acl_len;
	u32 owner_uid;
	char name[EXO_XN_NAME_MAX];
	struct exo_udf_insn owns[EXO_UDF_MAX_INSNS];
	struct exo_udf_insn acl[EXO_UDF_MAX_INSNS];
};

/* A root in memory, in CPU order. */
struct xn_image_root_mem {
	char name[EXO_XN_NAME_MAX];
	u64 block;
	u32 type;
	u32 in_use;
	u32 owner_uid;
};

/* Why a decoder refused, for the one log line that says so. */
struct xn_image_err {
	char msg[128];
};

/* A block 0 of zeroes: a device never formatted. */
#define XN_IMAGE_BLANK	1

void xn_image_layout(u64 nblocks, struct xn_image_layout *l);

/* Is @block in the data area, the one part roots and libFSes may use? */
static inline bool xn_image_in_data(const struct xn_image_layout *l,
				    u64 block)
{
	return block >= l->data_start && block < l->nblocks;
}

/* Encode @l as a superblock into @blk (XN_IMAGE_BS bytes). */
void xn_image_super_encode(void *blk, const struct xn_image_layout *l);

/*
 * Decode block 0 of a device of @dev_blocks blocks. Returns 0 and fills
 * @l; XN_IMAGE_BLANK for a zeroed block; or -EUCLEAN with @err filled.
 */
int xn_image_super_decode(const void *blk, u64 dev_blocks,
			  struct xn_image_layout *l, struct xn_image_err *err);

void xn_image_type_encode(void *blk, const struct xn_image_type_mem *t);

/*
 * Decode type block @id into @t: checksum, fields, name, lengths and both
 * UDFs through the verifier. 0 or -EUCLEAN with @err filled.
 */
int xn_image_type_decode(const void *blk, u32 id,
			 struct xn_image_type_mem *t, struct xn_image_err *err);

void xn_image_roots_encode(void *blk, const struct xn_image_root_mem *roots);

/*
 * Decode the root catalogue into @roots[EXO_XN_ROOTS_MAX]. @types_in_use
 * has bit id set for each installed type (1..EXO_XN_TYPES_MAX). Each root:
 * checksum, fields, a unique name, a block of its own in the data area, an
 * installed type. 0 or -EUCLEAN with @err filled.
 */
int xn_image_roots_decode(const void *blk, const struct xn_image_layout *l,
			  u64 types_in_use, struct xn_image_root_mem *roots,
			  struct xn_image_err *err);

/*
 * Check free-map block @index (XN_IMAGE_BS bytes at @blk): the metadata
 * blocks and the tail past nblocks are allocated. 0 or -EUCLEAN.
 */
int xn_image_freemap_check(const void *blk, u64 index,
			   const struct xn_image_layout *l,
			   struct xn_image_err *err);

/* Is block @block allocated in free-map block @blk, the one holding it? */
bool xn_image_freemap_test(const void *blk, u64 block);

#endif /* EXO_CORE_XN_IMAGE_H */
