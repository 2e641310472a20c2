// SPDX-License-Identifier: GPL-2.0
/*
 * The frame pool: frames by colour, the zeroing of freed frames off the
 * ioctl path, and what memory pressure takes back (the shrinker).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>

#include "mem.h"

/* Protects everything in module/mem/; see mem.h. */
DEFINE_MUTEX(exo_mem_lock);
struct exo_mem_pool exo_pool;
struct kmem_cache *exo_binding_cache;
struct shrinker *exo_shrinker;

static void exo_zero_dirty_work(struct work_struct *work);
DECLARE_WORK(exo_zero_work, exo_zero_dirty_work);

/*
 * Test hook (debugfs "hold", root only): a worker whose bit is set waits at
 * its hold point, counted in "held_*", until the bit is cleared, so that a
 * test can order it against an ioctl without timing.
 */
u32 exo_mem_hold;			/* READ_ONCE, written by debugfs */
static atomic_t exo_mem_held_zero;
atomic_t exo_mem_held_revoke;
atomic_t exo_mem_held_zap;

void exo_mem_hold_point(u32 bit, atomic_t *held)
{
	if (likely(!(READ_ONCE(exo_mem_hold) & bit)))
		return;
	atomic_inc(held);
	while (READ_ONCE(exo_mem_hold) & bit)
		msleep(20);
	atomic_dec(held);
}

/* ---- the pool ----------------------------------------------------------- */

/*
 * Colours are the page-number bits that index the last-level cache: one
 * cache way holds sets * line bytes, i.e. that many pages of distinct
 * colour. CPUID leaf 4 (Intel) or 0x8000001d (AMD) describes the caches.
 */
static u32 exo_llc_colours(void)
{
	u32 leaf = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		   boot_cpu_data.x86_vendor == X86_VENDOR_HYGON ?
		   0x8000001d : 4;
	u32 eax, ebx, ecx, edx, best_level = 0, way_bytes = 0;
	int i;

	if (boot_cpu_data.cpuid_level < 4 && leaf == 4)
		return 0;
	for (i = 0; i < 8; i++) {
		u32 type, level, line, parts, sets;

		cpuid_count(leaf, i, &eax, &ebx, &ecx, &edx);
		type = eax & 0x1f;
		if (!type)
			break;
		level = (eax >> 5) & 0x7;
		line = (ebx & 0xfff) + 1;
		parts = ((ebx >> 12) & 0x3ff) + 1;
		sets = ecx + 1;
		if (type != 2 && level > best_level) {	/* data or unified */
			best_level = level;
			way_bytes = line * parts * sets;
		}
	}
	return way_bytes >= PAGE_SIZE ? way_bytes / PAGE_SIZE : 0;
}

static int exo_pool_colours(void)
{
	u32 colours = exo_colours;

	if (!colours) {
		colours = exo_llc_colours();
		if (!colours)
			colours = EXO_COLOURS_FALLBACK;
		colours = min_t(u32, rounddown_pow_of_two(colours),
				EXO_COLOURS_MAX);
	} else if (!is_power_of_2(colours) || colours > EXO_COLOURS_MAX) {
		pr_err("colours=%u must be a power of two up to %u\n", colours,
		       EXO_COLOURS_MAX);
		return -EINVAL;
	}
	exo_pool.ncolours = colours;
	return 0;
}

void exo_frame_make_clean(struct exo_frame *frame)
{
	frame->dirty = false;
	list_add_tail(&frame->node, &exo_pool.clean[frame->colour]);
	exo_pool.nclean[frame->colour]++;
}

static void exo_frame_set_page(struct exo_frame *frame, struct page *page)
{
	frame->page = page;
	frame->colour = page_to_pfn(page) & (exo_pool.ncolours - 1);
	frame->nid = page_to_nid(page);
}

int exo_pool_create(void)
{
	u32 want, got = 0, i;
	unsigned int order;
	int ret;

	if (!exo_pool_mb || exo_pool_mb > EXO_POOL_MB_MAX) {
		pr_err("pool_mb=%u is outside 1..%u\n", exo_pool_mb,
		       EXO_POOL_MB_MAX);
		return -EINVAL;
	}
	ret = exo_pool_colours();
	if (ret)
		return ret;

	want = exo_pool_mb << (20 - PAGE_SHIFT);
	exo_pool.frames = vzalloc(array_size(want, sizeof(*exo_pool.frames)));
	exo_pool.clean = kcalloc(exo_pool.ncolours, sizeof(*exo_pool.clean),
				 GFP_KERNEL);
	exo_pool.nclean = kcalloc(exo_pool.ncolours, sizeof(*exo_pool.nclean),
				  GFP_KERNEL);
	if (!exo_pool.frames || !exo_pool.clean || !exo_pool.nclean)
		goto err_nomem;
	for (i = 0; i < exo_pool.ncolours; i++)
		INIT_LIST_HEAD(&exo_pool.clean[i]);
	INIT_LIST_HEAD(&exo_pool.dirty);
	INIT_LIST_HEAD(&exo_pool.absent);

	/* High-order chunks first, split into independent 4 KiB frames. */
	order = min_t(unsigned int, EXO_MAX_ORDER, ilog2(want));
	while (got < want) {
		struct page *page;
		u32 n;

		if ((1U << order) > want - got) {
			order = ilog2(want - got);
			continue;
		}
		page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN |
				   __GFP_NORETRY, order);
		if (!page) {
			if (!order)
				goto err_nomem;
			order--;
			continue;
		}
		split_page(page, order);
		for (n = 0; n < (1U << order); n++, got++) {
			struct exo_frame *frame = &exo_pool.frames[got];

			frame->index = got;
			INIT_LIST_HEAD(&frame->bindings);
			exo_frame_set_page(frame, page + n);
			exo_frame_make_clean(frame);
		}
		exo_pool.nframes = got;
	}
	exo_pool.nfree = exo_pool.nframes;
	return 0;

err_nomem:
	pr_err("cannot reserve a %u MiB pool (got %u frames)\n", exo_pool_mb,
	       got);
	return -ENOMEM;
}

void exo_pool_destroy(void)
{
	u32 i;

	for (i = 0; i < exo_pool.nframes; i++)
		if (exo_pool.frames[i].page)
			__free_page(exo_pool.frames[i].page);
	vfree(exo_pool.frames);
	kfree(exo_pool.clean);
	kfree(exo_pool.nclean);
}

/*
 * Zero up to @max dirty frames with exo_mem_lock dropped, so that a pool
 * full of freed frames never holds every environment up behind one
 * caller. Called and returns with the lock held; returns frames zeroed.
 */
u32 exo_zero_some_locked(u32 max)
{
	struct exo_frame *frame, *next;
	LIST_HEAD(batch);
	u32 n = 0;

	lockdep_assert_held(&exo_mem_lock);
	while (n < max && !list_empty(&exo_pool.dirty)) {
		frame = list_first_entry(&exo_pool.dirty, struct exo_frame,
					 node);
		list_move_tail(&frame->node, &batch);
		frame->zeroing = true;
		exo_pool.ndirty--;
		n++;
	}
	if (!n)
		return 0;
	exo_pool.nzeroing += n;
	mutex_unlock(&exo_mem_lock);
	exo_mem_hold_point(EXO_HOLD_ZERO, &exo_mem_held_zero);
	list_for_each_entry(frame, &batch, node)
		clear_highpage(frame->page);
	mutex_lock(&exo_mem_lock);
	list_for_each_entry_safe(frame, next, &batch, node) {
		list_del(&frame->node);
		frame->zeroing = false;
		exo_frame_make_clean(frame);
	}
	exo_pool.nzeroing -= n;
	return n;
}

/* Freed frames are zeroed here, off the allocation path. */
static void exo_zero_dirty_work(struct work_struct *work)
{
	mutex_lock(&exo_mem_lock);
	while (exo_zero_some_locked(16))
		;
	mutex_unlock(&exo_mem_lock);
}

/* Clean frames, ready to hand out. */
u32 exo_pool_nclean(void)
{
	return exo_pool.nfree - exo_pool.ndirty - exo_pool.nzeroing -
	       exo_pool.nabsent;
}

struct exo_frame *exo_take_clean(u32 colour)
{
	struct exo_frame *frame;

	frame = list_first_entry_or_null(&exo_pool.clean[colour],
					 struct exo_frame, node);
	if (frame) {
		list_del(&frame->node);
		exo_pool.nclean[colour]--;
	}
	return frame;
}

/*
 * A new zeroed page for an absent frame, which becomes clean. Tries a few
 * pages for one of the frame's own colour, so that a colour's frames stay
 * that colour's; takes any after that.
 */
int exo_frame_refill_locked(struct exo_frame *frame)
{
	const gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN;
	struct page *page, *spare[4];
	int n = 0;

	lockdep_assert_held(&exo_mem_lock);
	for (;;) {
		page = alloc_page(gfp);
		if (!page)
			break;
		if ((page_to_pfn(page) & (exo_pool.ncolours - 1)) ==
		    frame->colour || n == ARRAY_SIZE(spare))
			break;
		spare[n++] = page;
	}
	while (n--)
		__free_page(spare[n]);
	if (!page)
		return -ENOMEM;
	list_del(&frame->node);
	exo_pool.nabsent--;
	exo_frame_set_page(frame, page);
	exo_frame_make_clean(frame);
	return 0;
}

/* Up to @want absent frames made clean again; returns how many. */
u32 exo_pool_refill_locked(u32 want)
{
	u32 n = 0;

	while (n < want && !list_empty(&exo_pool.absent) &&
	       !exo_frame_refill_locked(list_first_entry(&exo_pool.absent,
							  struct exo_frame,
							  node)))
		n++;
	return n;
}

void exo_frame_give(struct exo_env *env, struct exo_frame *frame)
{
	frame->owner = env;
	list_add_tail(&frame->node, &env->mem.held);
	env->mem.nheld++;
	exo_pool.nfree--;
	atomic64_set(&env->frames, env->mem.nheld);
	trace_exo_bind(env->id, EXO_TRACE_MEM, -1, frame->index, 1,
		       EXO_WHY_CALL);
}

/* ---- memory pressure ------------------------------------------------------ */

/* Free frames the pool may give back now: beyond pool_min_mb, not zeroing. */
static u32 exo_pool_returnable_locked(void)
{
	u32 keep = min_t(u64, (u64)READ_ONCE(exo_pool_min_mb) <<
			       (20 - PAGE_SHIFT), U32_MAX);
	u32 present = exo_pool.nfree - exo_pool.nabsent - exo_pool.nzeroing;

	lockdep_assert_held(&exo_mem_lock);
	return present > keep ? present - keep : 0;
}

/* Give the page of a free frame, dirty or clean, back to the kernel. */
static void exo_frame_return_locked(struct exo_frame *frame)
{
	lockdep_assert_held(&exo_mem_lock);
	list_del(&frame->node);
	if (frame->dirty) {
		frame->dirty = false;
		exo_pool.ndirty--;
	} else {
		exo_pool.nclean[frame->colour]--;
	}
	__free_page(frame->page);
	frame->page = NULL;
	list_add_tail(&frame->node, &exo_pool.absent);
	exo_pool.nabsent++;
}

/* Up to @want free frames' pages back to the kernel: dirty ones first. */
static u32 exo_pool_return_locked(u32 want)
{
	u32 n = 0, c, empty = 0;

	want = min(want, exo_pool_returnable_locked());
	while (n < want && !list_empty(&exo_pool.dirty)) {
		exo_frame_return_locked(list_first_entry(&exo_pool.dirty,
							 struct exo_frame,
							 node));
		n++;
	}
	/* Then clean ones, a colour at a time, so that colours stay even. */
	for (c = exo_pool.next_colour; n < want && empty < exo_pool.ncolours;
	     c = (c + 1) & (exo_pool.ncolours - 1)) {
		struct list_head *clean = &exo_pool.clean[c];

		if (list_empty(clean)) {
			empty++;
			continue;
		}
		empty = 0;
		exo_frame_return_locked(list_last_entry(clean,
							struct exo_frame,
							node));
		n++;
	}
	return n;
}

static u32 exo_env_revocable(struct exo_env *env)
{
	if (env->mem.revoke_pending || env->mem.dead ||
	    env->mem.nheld <= exo_mem_reserve)
		return 0;
	return env->mem.nheld - exo_mem_reserve;
}

/* Reclaim may call us holding anything: only ever trylock. */
unsigned long exo_shrink_count(struct shrinker *shrinker,
			       struct shrink_control *sc)
{
	unsigned long count = 0;
	struct exo_env *env;

	if (!mutex_trylock(&exo_envs_lock))
		return 0;
	if (mutex_trylock(&exo_mem_lock)) {
		count = exo_pool_returnable_locked();
		list_for_each_entry(env, &exo_envs, node)
			count += exo_env_revocable(env);
		mutex_unlock(&exo_mem_lock);
	}
	mutex_unlock(&exo_envs_lock);
	return count;
}

/*
 * Free frames beyond pool_min_mb go straight back to the kernel: that is
 * what reclaim gains now. The rest of the pressure becomes visible
 * revocation: each environment is asked for its share and has revoke_ms
 * to choose; what it gives back is returned by a later scan.
 */
unsigned long exo_shrink_scan(struct shrinker *shrinker,
			      struct shrink_control *sc)
{
	unsigned long want = sc->nr_to_scan, freed = 0;
	struct exo_env *env;

	if (!mutex_trylock(&exo_envs_lock))
		return SHRINK_STOP;
	if (mutex_trylock(&exo_mem_lock)) {
		freed = exo_pool_return_locked(min_t(unsigned long, want,
						     U32_MAX));
		want -= freed;
		list_for_each_entry(env, &exo_envs, node) {
			u32 ask = min_t(unsigned long, want,
					exo_env_revocable(env));

			if (!want)
				break;
			if (!ask)
				continue;
			want -= exo_revoke_request_locked(env, ask,
							  exo_revoke_ms,
							  EXO_WHY_PRESSURE);
		}
		mutex_unlock(&exo_mem_lock);
	}
	mutex_unlock(&exo_envs_lock);
	return freed ? freed : SHRINK_STOP;
}

static int exo_pool_show(struct seq_file *m, void *unused)
{
	u32 i;

	mutex_lock(&exo_mem_lock);
	seq_printf(m, "frames: %u\nfree: %u\nabsent: %u\ncolours: %u\nreserve: %u\nquota: %u\n",
		   exo_pool.nframes, exo_pool.nfree, exo_pool.nabsent,
		   exo_pool.ncolours, exo_mem_reserve, exo_mem_quota);
	for (i = 0; i < exo_pool.ncolours; i++)
		seq_printf(m, "colour %u clean %u\n", i, exo_pool.nclean[i]);
	for (i = 0; i < exo_pool.nframes; i++) {
		struct exo_frame *frame = &exo_pool.frames[i];
		struct exo_binding *binding;
		u32 mappings = 0;

		if (!frame->owner)
			continue;
		list_for_each_entry(binding, &frame->bindings, frame_node)
			mappings++;
		seq_printf(m, "frame %u colour %u node %u env %llu mappings %u\n",
			   i, frame->colour, frame->nid, frame->owner->id,
			   mappings);
	}
	mutex_unlock(&exo_mem_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exo_pool);

/* ---- generic netlink: EXO_CMD_GET_MEM ------------------------------------ */

static int exo_mem_genl_fill_colour(struct sk_buff *skb,
				    struct netlink_callback *cb, u32 colour)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_MEM);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, EXO_ATTR_MEM_COLOUR, colour) ||
	    nla_put_u32(skb, EXO_ATTR_MEM_CLEAN, exo_pool.nclean[colour])) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int exo_mem_genl_fill_frame(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   const struct exo_frame *frame)
{
	void *hdr = exo_genl_dump_put(skb, cb, EXO_CMD_GET_MEM);
	struct exo_binding *binding;
	u32 mappings = 0;

	lockdep_assert_held(&exo_mem_lock);
	if (!hdr)
		return -EMSGSIZE;
	list_for_each_entry(binding, &frame->bindings, frame_node)
		mappings++;
	if (nla_put_u32(skb, EXO_ATTR_MEM_FRAME, frame->index) ||
	    nla_put_u32(skb, EXO_ATTR_MEM_COLOUR, frame->colour) ||
	    nla_put_u32(skb, EXO_ATTR_MEM_NODE, frame->nid) ||
	    nla_put_u64_64bit(skb, EXO_ATTR_ENV_ID, frame->owner->id,
			      EXO_ATTR_PAD) ||
	    nla_put_u32(skb, EXO_ATTR_MEM_MAPPINGS, mappings)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Colours, then held frames, as one sequence of positions; cb->args[0] is
 * the next one, so that a dump cut by a full skb goes on where it stopped.
 */
int exo_mem_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long pos;
	int ret = 0;

	mutex_lock(&exo_mem_lock);
	for (pos = cb->args[0]; pos < exo_pool.ncolours + exo_pool.nframes;
	     pos++) {
		if (pos < exo_pool.ncolours) {
			ret = exo_mem_genl_fill_colour(skb, cb, pos);
		} else {
			const struct exo_frame *frame =
				&exo_pool.frames[pos - exo_pool.ncolours];

			if (!frame->owner)
				continue;
			ret = exo_mem_genl_fill_frame(skb, cb, frame);
		}
		if (ret)
			break;
	}
	cb->args[0] = pos;
	mutex_unlock(&exo_mem_lock);
	/* A full skb ends this round; the dump goes on in the next. */
	return ret == -EMSGSIZE ? skb->len : ret ? ret : skb->len;
}

void exo_mem_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("pool", 0400, dir, NULL, &exo_pool_fops);
	debugfs_create_u32("hold", 0600, dir, &exo_mem_hold);
	debugfs_create_atomic_t("held_zero", 0400, dir, &exo_mem_held_zero);
	debugfs_create_atomic_t("held_revoke", 0400, dir,
				&exo_mem_held_revoke);
	debugfs_create_atomic_t("held_zap", 0400, dir, &exo_mem_held_zap);
}
