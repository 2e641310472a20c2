// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for module/core/xn_image.c, the parser exo.ko runs on
 * every block of XN's metadata at load. The first byte picks the block
 * (superblock, type, root catalogue, free map), the next eight a device
 * size or the installed types, the rest is the block (zero-padded). The
 * decoders must never crash, and whatever they accept must encode back to
 * the very bytes they read: nothing unchecked gets past them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../module/core/xn_image.h"

static unsigned char blk[XN_IMAGE_BS], again[XN_IMAGE_BS];
static struct xn_image_type_mem type;
static struct xn_image_root_mem roots[EXO_XN_ROOTS_MAX];

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_xn_image: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xn_image_layout l;
	struct xn_image_err err;
	uint64_t arg = 0;
	uint8_t which;
	int ret;

	if (size < 9)
		return 0;
	which = data[0] % 4;
	memcpy(&arg, data + 1, 8);
	data += 9;
	size -= 9;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, data, size < sizeof(blk) ? size : sizeof(blk));
	memset(&err, 0, sizeof(err));
	switch (which) {
	case 0:
		ret = xn_image_super_decode(blk, arg, &l, &err);
		if (ret == 0) {
			if (l.nblocks > arg || l.data_start + 1 >= l.nblocks)
				fail("accepted a superblock past its device");
			xn_image_super_encode(again, &l);
			if (memcmp(blk, again, sizeof(blk)))
				fail("an accepted superblock encodes differently");
		}
		break;
	case 1:
		ret = xn_image_type_decode(blk, 1, &type, &err);
		if (ret == 0) {
			xn_image_type_encode(again, &type);
			if (memcmp(blk, again, sizeof(blk)))
				fail("an accepted type encodes differently");
		} else if (type.in_use) {
			fail("a refused type left in_use set");
		}
		break;
	case 2:
		xn_image_layout(4096 + (arg >> 40) % 100000, &l);
		ret = xn_image_roots_decode(blk, &l, arg & ~1ULL, roots, &err);
		if (ret == 0) {
			xn_image_roots_encode(again, roots);
			if (memcmp(blk, again, sizeof(blk)))
				fail("an accepted root catalogue encodes differently");
		}
		break;
	default:
		xn_image_layout(1 + arg % (3 * XN_IMAGE_BITS_PER_BLOCK), &l);
		ret = xn_image_freemap_check(blk, (arg >> 32) % 3, &l, &err);
		break;
	}
	if (ret && ret != XN_IMAGE_BLANK && (ret != -EUCLEAN || !err.msg[0]))
		fail("a refusal without -EUCLEAN and a reason");
	return 0;
}
