// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of module/core/xn_image.c, XN's on-disk format: the CRC is
 * the kernel's, what is encoded decodes to itself, and each check refuses
 * a field one past its limit (with the checksum recomputed, so that the
 * range check is what catches it) and accepts one at it.
 */
#include "kselftest_harness.h"
#include <exo/exo.h>
#include "../../module/core/xn_image.h"

#define BS	XN_IMAGE_BS

static unsigned char blk[BS];

/* A valid type: owns of @owns_len instructions (loads, then ret 0). */
static void make_type(struct xn_image_type_mem *t, __u32 owns_len)
{
	struct exo_udf_builder b;
	__u32 i;

	memset(t, 0, sizeof(*t));
	exo_udf_init(&b);
	for (i = 0; i + 1 < owns_len; i++)
		exo_udf_ldi(&b, 1, (__s32)i);
	exo_udf_ret(&b, 0);
	t->owns_len = (__u32)exo_udf_finish(&b);
	memcpy(t->owns, b.insns, t->owns_len * sizeof(b.insns[0]));
	exo_udf_init(&b);
	exo_udf_ret(&b, 1);
	t->acl_len = (__u32)exo_udf_finish(&b);
	memcpy(t->acl, b.insns, t->acl_len * sizeof(b.insns[0]));
	strcpy(t->name, "a type");
	t->owner_uid = 1000;
	t->in_use = 1;
}

static void type_recrc(void)
{
	struct xn_image_type *d = (void *)blk;

	d->crc = htole32(exo_core_crc32(d, offsetof(struct xn_image_type, crc)));
}

static void root_recrc(struct xn_image_root *r)
{
	r->crc = htole32(exo_core_crc32(r, offsetof(struct xn_image_root, crc)));
}

static void super_recrc(void)
{
	struct xn_image_super *sb = (void *)blk;

	sb->crc = htole32(exo_core_crc32(sb, offsetof(struct xn_image_super, crc)));
}

TEST(crc_is_the_standard_crc32)
{
	EXPECT_EQ(0xcbf43926U, exo_core_crc32("123456789", 9));
}

TEST(super_round_trip_and_limits)
{
	struct xn_image_super *sb = (void *)blk;
	struct xn_image_layout l, got;
	struct xn_image_err err;

	memset(blk, 0, BS);
	EXPECT_EQ(XN_IMAGE_BLANK, xn_image_super_decode(blk, 4096, &got, &err));
	xn_image_layout(4096, &l);
	xn_image_super_encode(blk, &l);
	ASSERT_EQ(0, xn_image_super_decode(blk, 4096, &got, &err));
	EXPECT_EQ(0, memcmp(&l, &got, sizeof(l)));
	/* The device may be larger than the image, not smaller. */
	EXPECT_EQ(0, xn_image_super_decode(blk, 4097, &got, &err));
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 4095, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "the device has 4095"));
	/* One bit of any field breaks the checksum. */
	blk[16] ^= 1;
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 8192, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "bad checksum"));
	blk[16] ^= 1;
	/* Version 1 images are refused by name. */
	sb->version = htole32(1);
	super_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 4096, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "version 1"));
	sb->version = htole32(XN_IMAGE_VERSION);
	/* A layout field off by one, checksum recomputed. */
	sb->data_start = htole64(l.data_start + 1);
	super_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 4096, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "layout"));
	sb->data_start = htole64(l.data_start);
	/* The smallest disk with a data block, and one block less. */
	xn_image_layout(l.data_start + 2, &l);
	xn_image_super_encode(blk, &l);
	EXPECT_EQ(0, xn_image_super_decode(blk, 1 << 20, &got, &err));
	xn_image_layout(l.data_start + 1, &l);
	xn_image_super_encode(blk, &l);
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 1 << 20, &got, &err));
	/* Past XN_IMAGE_MAX_BLOCKS. */
	xn_image_layout(XN_IMAGE_MAX_BLOCKS + 1, &l);
	xn_image_super_encode(blk, &l);
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, ~0ULL, &got, &err));
	/* No magic, not blank. */
	memset(blk, 0, BS);
	blk[100] = 1;
	EXPECT_EQ(-EUCLEAN, xn_image_super_decode(blk, 4096, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "no XN magic"));
}

TEST(type_round_trip_and_limits)
{
	struct xn_image_type *d = (void *)blk;
	struct xn_image_type_mem t, got;
	struct xn_image_err err;
	unsigned char again[BS];

	memset(blk, 0xff, BS);
	make_type(&t, EXO_UDF_MAX_INSNS);
	ASSERT_EQ(EXO_UDF_MAX_INSNS, t.owns_len);
	xn_image_type_encode(blk, &t);
	ASSERT_EQ(0, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_EQ(0, memcmp(&t, &got, sizeof(t)));
	xn_image_type_encode(again, &got);
	EXPECT_EQ(0, memcmp(blk, again, BS));
	/* 241 instructions, checksum recomputed. */
	d->owns_len = htole32(EXO_UDF_MAX_INSNS + 1);
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "owns_len 241"));
	EXPECT_EQ(0U, got.in_use);
	d->owns_len = htole32(0);
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	/* A shorter length leaves instructions past it. */
	d->owns_len = htole32(EXO_UDF_MAX_INSNS - 1);
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "past owns_len"));
	d->owns_len = htole32(EXO_UDF_MAX_INSNS);
	/* in_use 2; a name without NUL; a UDF the verifier refuses. */
	d->in_use = htole32(2);
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "in_use 2"));
	d->in_use = htole32(1);
	memset(d->name, 'x', sizeof(d->name));
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "name"));
	strcpy(d->name, "a type");
	memset(d->name + 7, 0, sizeof(d->name) - 7);
	d->acl[0].code = 0xff;
	type_recrc();
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "verification"));
	xn_image_type_encode(blk, &t);
	blk[200] ^= 0x10;
	EXPECT_EQ(-EUCLEAN, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "bad checksum"));
	/* An unused type is a blank block. */
	memset(blk, 0, BS);
	EXPECT_EQ(0, xn_image_type_decode(blk, 3, &got, &err));
	EXPECT_EQ(0U, got.in_use);
}

TEST(roots_round_trip_and_limits)
{
	struct xn_image_root_mem roots[EXO_XN_ROOTS_MAX], got[EXO_XN_ROOTS_MAX];
	struct xn_image_root *d = (void *)blk;
	struct xn_image_layout l;
	struct xn_image_err err;
	__u64 types = 1ULL << 4;

	xn_image_layout(4096, &l);
	memset(roots, 0, sizeof(roots));
	strcpy(roots[0].name, "first");
	roots[0].block = l.data_start;
	roots[0].type = 4;
	roots[0].in_use = 1;
	strcpy(roots[63].name, "last");
	roots[63].block = l.nblocks - 1;
	roots[63].type = 4;
	roots[63].in_use = 1;
	xn_image_roots_encode(blk, roots);
	ASSERT_EQ(0, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_EQ(0, memcmp(roots, got, sizeof(roots)));
	/* Its type not installed. */
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, 1ULL << 5, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "type 4 is not installed"));
	/* One block below the data area and one past the end. */
	d[0].block = htole64(l.data_start - 1);
	root_recrc(&d[0]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "outside the data area"));
	d[0].block = htole64(l.nblocks);
	root_recrc(&d[0]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	/* Two roots on one block, and two of one name. */
	d[0].block = htole64(l.nblocks - 1);
	root_recrc(&d[0]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "both on block"));
	d[0].block = htole64(l.data_start);
	strcpy(d[0].name, "last");
	root_recrc(&d[0]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "one name"));
	/* The data type, type 0, is never a root's; in_use 2. */
	xn_image_roots_encode(blk, roots);
	d[0].type = htole32(EXO_XN_TYPE_DATA);
	root_recrc(&d[0]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types | 1, got, &err));
	xn_image_roots_encode(blk, roots);
	d[63].in_use = htole32(2);
	root_recrc(&d[63]);
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "root 63: in_use 2"));
	/* A flipped bit without a new checksum. */
	xn_image_roots_encode(blk, roots);
	blk[63 * sizeof(*d) + 2] ^= 4;
	EXPECT_EQ(-EUCLEAN, xn_image_roots_decode(blk, &l, types, got, &err));
	EXPECT_NE(NULL, strstr(err.msg, "root 63: bad checksum"));
}

TEST(freemap_fixed_bits)
{
	struct xn_image_layout l;
	struct xn_image_err err;
	__u64 b;

	xn_image_layout(40000, &l);
	ASSERT_EQ(2ULL, l.freemap_blocks);
	memset(blk, 0, BS);
	for (b = 0; b < l.data_start; b++)
		blk[b / 8] |= 1 << (b % 8);
	EXPECT_EQ(0, xn_image_freemap_check(blk, 0, &l, &err));
	/* The last metadata block free. */
	b = l.data_start - 1;
	blk[b / 8] &= ~(1 << (b % 8));
	EXPECT_EQ(-EUCLEAN, xn_image_freemap_check(blk, 0, &l, &err));
	EXPECT_NE(NULL, strstr(err.msg, "metadata"));
	/* Block 1: bits up to 40000 may be free, none past it. */
	memset(blk, 0, BS);
	b = 40000 - XN_IMAGE_BITS_PER_BLOCK;
	memset(blk + b / 8, 0xff, BS - b / 8);
	EXPECT_EQ(0, xn_image_freemap_check(blk, 1, &l, &err));
	blk[b / 8] &= ~1;
	EXPECT_EQ(-EUCLEAN, xn_image_freemap_check(blk, 1, &l, &err));
	EXPECT_NE(NULL, strstr(err.msg, "block 40000"));
}

TEST_HARNESS_MAIN
