// SPDX-License-Identifier: GPL-2.0
/*
 * XN's disk and buffer cache: block reads and writes (a bio each, or the
 * RAM disk), the catalogue and free-map writers, and the cached blocks
 * that environments' views refer to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": xn: " fmt

#include "xn.h"

/* ---- the disk ------------------------------------------------------------ */

int xn_io(u64 block, struct page *page, bool write)
{
	struct bio *bio;
	int ret;

	lockdep_assert_held(&exo_xn_lock);
	if (block >= xn.layout.nblocks)
		return -EIO;
	if (!xn.bdev.bdev) {
		u8 *disk = xn.ram + block * XN_BS;

		if (write)
			memcpy_from_page(disk, page, 0, XN_BS);
		else
			memcpy_to_page(page, 0, disk, XN_BS);
		return 0;
	}
	bio = bio_alloc(xn.bdev.bdev, 1,
			!write ? REQ_OP_READ : xn.staged ?
			REQ_OP_WRITE | REQ_SYNC :
			REQ_OP_WRITE | REQ_SYNC | REQ_FUA, GFP_KERNEL);
	bio->bi_iter.bi_sector = block * XN_SECTORS;
	__bio_add_page(bio, page, XN_BS, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

/* Make every write so far durable: the end of an ordering stage. */
int xn_flush(void)
{
	lockdep_assert_held(&exo_xn_lock);
	return xn.bdev.bdev ? blkdev_issue_flush(xn.bdev.bdev) : 0;
}

/* The flush ending XN_SYNC stage @stage, unless the test knob drops it. */
int xn_stage_flush(unsigned int stage)
{
	if (READ_ONCE(exo_xn_debug_skip_flush) == stage)
		return 0;
	return xn_flush();
}

/* Write @len bytes at @buf (at most a block) as block @block. */
int xn_write_bytes(u64 block, const void *buf, size_t len)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ret;

	if (!page)
		return -ENOMEM;
	memcpy_to_page(page, 0, buf, len);
	ret = xn_io(block, page, true);
	__free_page(page);
	return ret;
}

int xn_read_bytes(u64 block, void *buf, size_t len)
{
	struct page *page = alloc_page(GFP_KERNEL);
	int ret;

	if (!page)
		return -ENOMEM;
	ret = xn_io(block, page, false);
	if (!ret)
		memcpy_from_page(buf, page, 0, len);
	__free_page(page);
	return ret;
}

/*
 * Write block @block as @encode(@arg) puts it in a zeroed page: the
 * on-disk (little-endian, checksummed) form of an in-memory structure.
 */
static int xn_write_encoded(u64 block,
			    void (*encode)(void *blk, const void *arg),
			    const void *arg)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int ret;

	if (!page)
		return -ENOMEM;
	encode(page_address(page), arg);
	ret = xn_io(block, page, true);
	__free_page(page);
	return ret;
}

/* The free map's block of @map at @arg, as bit i of byte i / 8. */
static void xn_encode_freemap(void *blk, const void *arg)
{
	u32 *words = blk;

	bitmap_to_arr32(words, arg, XN_BITS_PER_BLOCK);
	cpu_to_le32_array(words, XN_BS / sizeof(u32));
}

/* Write the free map as @map says. */
int xn_write_freemap(const unsigned long *map)
{
	u64 i;
	int ret;

	for (i = 0; i < xn.layout.freemap_blocks; i++) {
		ret = xn_write_encoded(xn.layout.freemap_start + i,
				       xn_encode_freemap,
				       map + i * (XN_BS / sizeof(*map)));
		if (ret)
			return ret;
	}
	return 0;
}

static void xn_encode_type(void *blk, const void *arg)
{
	xn_image_type_encode(blk, arg);
}

int xn_write_type(u32 id)
{
	return xn_write_encoded(xn.layout.types_start + id - 1, xn_encode_type,
				&xn.types[id]);
}

static void xn_encode_roots(void *blk, const void *arg)
{
	xn_image_roots_encode(blk, arg);
}

int xn_write_roots(void)
{
	return xn_write_encoded(xn.layout.roots_block, xn_encode_roots,
				xn.roots);
}

static void xn_encode_super(void *blk, const void *arg)
{
	xn_image_super_encode(blk, arg);
}

/* The superblock describing xn.layout. */
int xn_write_super(void)
{
	return xn_write_encoded(0, xn_encode_super, &xn.layout);
}

bool xn_is_free(u64 block)
{
	return xn_in_data(block) && !test_bit(block, xn.alloc);
}

/* ---- the cache ----------------------------------------------------------- */

struct xn_buf *xn_buf_find(u64 block)
{
	lockdep_assert_held(&exo_xn_lock);
	return xa_load(&xn.cache, block);
}

void xn_buf_set_dirty(struct xn_buf *buf)
{
	if (!buf->dirty) {
		buf->dirty = true;
		xn.ndirty++;
	}
}

void xn_buf_clean(struct xn_buf *buf)
{
	if (buf->dirty) {
		buf->dirty = false;
		xn.ndirty--;
	}
}

void xn_buf_drop(struct xn_buf *buf)
{
	xa_erase(&xn.cache, buf->block);
	xn_buf_clean(buf);
	if (buf->fresh)
		list_del(&buf->fresh_node);
	__free_page(buf->page);
	kfree(buf);
	xn.ncached--;
}

/* A clean block nobody holds leaves the cache. */
void xn_buf_maybe_drop(struct xn_buf *buf)
{
	if (buf->refs)
		return;
	if (buf->mapped_rw) {
		/* Keep what a mapping may have written for the next sync. */
		buf->mapped_rw = false;
		xn_buf_set_dirty(buf);
	}
	if (!buf->dirty && !buf->fresh)
		xn_buf_drop(buf);
}

/* The cached block @block, read from the disk if need be. */
struct xn_buf *xn_buf_get(u64 block, u32 type, bool zero)
{
	struct xn_buf *buf = xn_buf_find(block);
	int ret;

	if (buf)
		return buf;
	/* Charged to whoever brings the block in, as the page cache is. */
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!buf->page) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}
	buf->block = block;
	buf->type = type;
	INIT_LIST_HEAD(&buf->fresh_node);
	ret = zero ? 0 : xn_io(block, buf->page, false);
	if (!ret)
		ret = xa_err(xa_store(&xn.cache, block, buf,
				      GFP_KERNEL_ACCOUNT));
	if (ret) {
		__free_page(buf->page);
		kfree(buf);
		return ERR_PTR(ret ? ret : -EIO);
	}
	xn.ncached++;
	return buf;
}

u8 *xn_buf_data(struct xn_buf *buf)
{
	return page_address(buf->page);
}
