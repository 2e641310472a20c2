// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libexo's memory binding: one wrapper per EXO_IOC_MEM_* ioctl, then the
 * libOS page layer on top of them: regions (address space from the fd that
 * remember which frame each page shows) and the pager (a frame allocator
 * with per-colour free lists and a revocation policy of the application's).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MEM_BATCH		EXO_MEM_BATCH_MAX
#define PAGER_BATCH_DEFAULT	16
#define PAGER_EVENTS		16

static size_t exo_page_size(void)
{
	static size_t page_size;

	if (!page_size)
		page_size = (size_t)sysconf(_SC_PAGESIZE);
	return page_size;
}

static __u64 exo_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* ---- raw wrappers, one per ioctl --------------------------------------- */

LIBEXO_EXPORT int exo_mem_info(struct exo *exo, struct exo_mem_info *info)
{
	if (!exo || !info)
		return exo_err(EINVAL);
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return exo_ioctl(exo, EXO_IOC_MEM_INFO, info);
}

LIBEXO_EXPORT int exo_mem_alloc(struct exo *exo, __u32 flags, __u32 count,
				__u32 colour, struct exo_mem_frame *frames,
				void *addr)
{
	struct exo_mem_alloc arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.count = count,
		.colour = colour,
		.frames = exo_ptr(frames),
		.addr = exo_ptr(addr),
	};

	if (!exo || !frames)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_ALLOC, &arg);
}

LIBEXO_EXPORT int exo_mem_free(struct exo *exo, const __u32 *indexes,
			       __u32 count)
{
	struct exo_mem_batch arg = {
		.argsz = sizeof(arg),
		.count = count,
		.indexes = exo_ptr(indexes),
	};

	if (!exo || !indexes)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_FREE, &arg);
}

LIBEXO_EXPORT int exo_mem_map(struct exo *exo, __u32 flags,
			      const __u32 *indexes, __u32 count, void *addr)
{
	struct exo_mem_batch arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.count = count,
		.indexes = exo_ptr(indexes),
		.addr = exo_ptr(addr),
	};

	if (!exo || !indexes)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_MAP, &arg);
}

LIBEXO_EXPORT int exo_mem_unmap(struct exo *exo, void *addr, __u32 count)
{
	struct exo_mem_unmap arg = {
		.argsz = sizeof(arg),
		.count = count,
		.addr = exo_ptr(addr),
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_UNMAP, &arg);
}

LIBEXO_EXPORT int exo_mem_region_set(struct exo *exo, void *addr, __u32 flags)
{
	struct exo_mem_region arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.addr = exo_ptr(addr),
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_REGION_SET, &arg);
}

LIBEXO_EXPORT int exo_mem_fault_resolve(struct exo *exo, __u32 flags,
					__u64 fault_id, void *addr,
					__u32 index)
{
	struct exo_mem_fault_resolve arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.fault_id = fault_id,
		.addr = exo_ptr(addr),
		.index = index,
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_FAULT_RESOLVE, &arg);
}

LIBEXO_EXPORT int exo_mem_grant(struct exo *exo, __u32 flags, __u32 first,
				__u32 count, __u64 grantee, __u64 *grant_id)
{
	struct exo_mem_grant arg = {
		.argsz = sizeof(arg),
		.flags = flags,
		.first = first,
		.count = count,
		.grantee = grantee,
	};

	if (!exo || !grant_id)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_MEM_GRANT, &arg) < 0)
		return exo_err(errno);
	*grant_id = arg.grant_id;
	return 0;
}

LIBEXO_EXPORT int exo_mem_ungrant(struct exo *exo, __u64 grant_id)
{
	struct exo_mem_grant arg = {
		.argsz = sizeof(arg),
		.grant_id = grant_id,
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_MEM_UNGRANT, &arg);
}

LIBEXO_EXPORT int exo_mem_revoke(struct exo *exo, __u64 env_id, __u32 count,
				 __u32 deadline_ms, __u32 *asked)
{
	struct exo_mem_revoke arg = {
		.argsz = sizeof(arg),
		.count = count,
		.deadline_ms = deadline_ms,
		.env_id = env_id,
	};

	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_MEM_REVOKE, &arg) < 0)
		return exo_err(errno);
	if (asked)
		*asked = arg.count;
	return 0;
}

LIBEXO_EXPORT int exo_mem_repossessed(struct exo *exo, __u32 *indexes,
				      __u32 max, __u32 *lost)
{
	struct exo_mem_repossessed arg = {
		.argsz = sizeof(arg),
		.count = max,
		.indexes = exo_ptr(indexes),
	};

	if (!exo || !indexes)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_MEM_REPOSSESSED, &arg) < 0)
		return exo_err(errno);
	if (lost)
		*lost = arg.lost;
	return (int)arg.count;
}

/* ---- the pager's books ------------------------------------------------- */

enum frame_state {
	FRAME_NONE,	/* not the pager's */
	FRAME_CACHED,	/* the pager's, in a free list */
	FRAME_USED,	/* the pager's, handed out */
};

/* What the pager knows of one pool index. */
struct pager_frame {
	__u64 pfn;
	__u64 bind_seq;		/* pager clock at the latest bind, 0: never */
	__u32 prev, next;	/* links in its colour's free list, if CACHED */
	__u32 maps;		/* pages showing it in attached regions */
	__u16 colour;
	__u16 node;
	__u8 state;		/* enum frame_state */
	__u8 mark;		/* scratch: set while a set of frames is scanned */
};

struct colour_list {
	__u32 head;		/* EXO_NO_FRAME when empty */
	__u32 count;
};

/* Frame indexes to report to exo_pager_opts.lost once the lock is dropped. */
struct lossbuf {
	__u32 *v;
	size_t n, cap;
};

struct exo_region {
	struct exo *exo;
	struct exo_pager *pager;	/* attached to, or NULL */
	struct exo_region *next;	/* in pager->regions, under its lock */
	char *addr;
	size_t pages;
	__u32 *frames;			/* per page: frame shown or EXO_NO_FRAME */
	/* exo_pager_demand(), under the pager's lock: */
	__u32 demand;			/* EXO_PAGER_DEMAND* flags, or 0 */
	unsigned char *filled;		/* per page: the pager's frame is ours */
};

struct exo_pager {
	struct exo *exo;
	struct exo_pager_opts opts;
	pthread_mutex_t lock;		/* everything below, and attached regions */

	struct pager_frame *frame;	/* indexed by pool index */
	__u32 nframe;
	struct colour_list *free;	/* per colour */
	__u32 ncolours;			/* what the kernel reports */
	__u32 nlists;			/* entries in @free: >= ncolours */
	__u32 cursor;			/* next colour for EXO_ANY_COLOUR */
	size_t ncached, nused;
	__u64 clock;			/* bind clock */
	struct exo_region *regions;

	struct lossbuf lost_revoked, lost_repossessed;
	void *probe;			/* a one-page region to test holdings */
	struct exo_pager_stats stats;

	/* Scratch for kernel calls, so that none allocates. */
	struct exo_mem_frame fbuf[MEM_BATCH];
	__u32 ibuf[MEM_BATCH];
};

static void lossbuf_push(struct lossbuf *lb, __u32 index)
{
	if (lb->n == lb->cap) {
		size_t cap = lb->cap ? lb->cap * 2 : 64;
		__u32 *v = realloc(lb->v, cap * sizeof(*v));

		if (!v) {
			exo_pr(EXO_WARN, "pager: out of memory: frame %u lost without notice\n",
			       index);
			return;
		}
		lb->v = v;
		lb->cap = cap;
	}
	lb->v[lb->n++] = index;
}

/* The books cover every index the kernel or a region has named so far. */
static int pager_cover(struct exo_pager *p, __u32 index)
{
	struct pager_frame *frame;
	__u32 n, i;

	if (index < p->nframe)
		return 0;
	if (index == EXO_NO_FRAME)
		return -EINVAL;
	n = p->nframe ? p->nframe : 64;
	while (n <= index)
		n = n > UINT32_MAX / 2 ? UINT32_MAX : n * 2;
	frame = realloc(p->frame, (size_t)n * sizeof(*frame));
	if (!frame)
		return -ENOMEM;
	for (i = p->nframe; i < n; i++)
		frame[i] = (struct pager_frame){ .prev = EXO_NO_FRAME,
						 .next = EXO_NO_FRAME };
	p->frame = frame;
	p->nframe = n;
	return 0;
}

static int pager_cover_colour(struct exo_pager *p, __u32 colour)
{
	struct colour_list *lists;
	__u32 i;

	if (colour < p->nlists)
		return 0;
	lists = realloc(p->free, ((size_t)colour + 1) * sizeof(*lists));
	if (!lists)
		return -ENOMEM;
	for (i = p->nlists; i <= colour; i++)
		lists[i] = (struct colour_list){ .head = EXO_NO_FRAME };
	p->free = lists;
	p->nlists = colour + 1;
	return 0;
}

/* LIFO: the frame freed last is the one most likely still in cache. */
static void list_push(struct exo_pager *p, __u32 index)
{
	struct pager_frame *f = &p->frame[index];
	struct colour_list *l = &p->free[f->colour];

	f->prev = EXO_NO_FRAME;
	f->next = l->head;
	if (l->head != EXO_NO_FRAME)
		p->frame[l->head].prev = index;
	l->head = index;
	l->count++;
	f->state = FRAME_CACHED;
	p->ncached++;
}

static void list_del(struct exo_pager *p, __u32 index)
{
	struct pager_frame *f = &p->frame[index];
	struct colour_list *l = &p->free[f->colour];

	if (f->prev != EXO_NO_FRAME)
		p->frame[f->prev].next = f->next;
	else
		l->head = f->next;
	if (f->next != EXO_NO_FRAME)
		p->frame[f->next].prev = f->prev;
	f->prev = EXO_NO_FRAME;
	f->next = EXO_NO_FRAME;
	l->count--;
	p->ncached--;
}

static __u32 list_pop(struct exo_pager *p, __u32 colour)
{
	__u32 index = p->free[colour].head;

	if (index != EXO_NO_FRAME)
		list_del(p, index);
	return index;
}

/* Spread EXO_ANY_COLOUR requests over the colours, round robin. */
static __u32 list_pop_any(struct exo_pager *p)
{
	__u32 i, c;

	for (i = 0; i < p->nlists; i++) {
		c = (p->cursor + i) % p->nlists;
		if (p->free[c].count) {
			p->cursor = (c + 1) % p->nlists;
			return list_pop(p, c);
		}
	}
	return EXO_NO_FRAME;
}

/*
 * A frame is no longer the application's (given back or taken): drop it
 * from the books, queue it for the lost callback if the application had it,
 * and mark it so that pager_scrub() clears the region pages that showed it.
 */
static void pager_forget(struct exo_pager *p, __u32 index,
			 enum exo_pager_loss why)
{
	struct pager_frame *f;
	struct lossbuf *lb = why == EXO_PAGER_REVOKED ? &p->lost_revoked :
			     why == EXO_PAGER_REPOSSESSED ? &p->lost_repossessed :
			     NULL;

	if (index >= p->nframe) {
		/* Never seen, so no attached region shows it. */
		if (why == EXO_PAGER_REPOSSESSED)
			lossbuf_push(lb, index);
		return;
	}
	f = &p->frame[index];
	if (f->state == FRAME_CACHED) {
		list_del(p, index);
	} else if (f->state == FRAME_USED) {
		p->nused--;
		if (lb)
			lossbuf_push(lb, index);
	} else if (why == EXO_PAGER_REPOSSESSED) {
		lossbuf_push(lb, index);	/* from exo_mem_alloc() */
	}
	f->state = FRAME_NONE;
	f->maps = 0;
	f->bind_seq = 0;
	f->mark = 1;
}

/*
 * The kernel unmaps a frame everywhere when it is freed or repossessed;
 * this brings the attached regions' bookkeeping in line, then clears the
 * marks pager_forget() set on @indexes.
 */
static void pager_scrub(struct exo_pager *p, const __u32 *indexes, size_t n)
{
	struct exo_region *r;
	size_t i;
	__u32 f;

	if (!n)
		return;
	for (r = p->regions; r; r = r->next) {
		for (i = 0; i < r->pages; i++) {
			f = r->frames[i];
			if (f < p->nframe && p->frame[f].mark) {
				r->frames[i] = EXO_NO_FRAME;
				if (r->filled)
					r->filled[i] = 0;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (indexes[i] < p->nframe)
			p->frame[indexes[i]].mark = 0;
}

/* Frames leave the application's hands: report them without the lock. */
static void pager_unlock(struct exo_pager *p)
{
	struct lossbuf revoked = p->lost_revoked;
	struct lossbuf taken = p->lost_repossessed;

	memset(&p->lost_revoked, 0, sizeof(p->lost_revoked));
	memset(&p->lost_repossessed, 0, sizeof(p->lost_repossessed));
	pthread_mutex_unlock(&p->lock);

	if (p->opts.lost) {
		if (revoked.n)
			p->opts.lost(p->opts.ctx, EXO_PAGER_REVOKED, revoked.v,
				     revoked.n);
		if (taken.n)
			p->opts.lost(p->opts.ctx, EXO_PAGER_REPOSSESSED,
				     taken.v, taken.n);
	}
	free(revoked.v);
	free(taken.v);
}

static void pager_note_bind(struct exo_pager *p, __u32 index)
{
	if (pager_cover(p, index))
		return;		/* untracked: it only misses the LRB order */
	p->frame[index].maps++;
	p->frame[index].bind_seq = ++p->clock;
}

static void pager_note_unbind(struct exo_pager *p, __u32 index)
{
	if (index < p->nframe && p->frame[index].maps)
		p->frame[index].maps--;
}

/* ---- regions ----------------------------------------------------------- */

static void region_lock(const struct exo_region *r)
{
	if (r->pager)
		pthread_mutex_lock(&r->pager->lock);
}

static void region_unlock(const struct exo_region *r)
{
	if (r->pager)
		pthread_mutex_unlock(&r->pager->lock);
}

/* A frame the pager filled a demand page with goes back to its lists. */
static void pager_take_back(struct exo_pager *p, __u32 index)
{
	if (index < p->nframe && p->frame[index].state == FRAME_USED &&
	    !p->frame[index].maps) {
		p->nused--;
		list_push(p, index);
	}
}

static void region_set(struct exo_region *r, size_t page, __u32 index)
{
	__u32 old = r->frames[page];

	if (r->pager && old != EXO_NO_FRAME)
		pager_note_unbind(r->pager, old);
	if (r->filled && r->filled[page]) {
		r->filled[page] = 0;
		if (r->pager && old != EXO_NO_FRAME)
			pager_take_back(r->pager, old);
	}
	r->frames[page] = index;
	if (r->pager && index != EXO_NO_FRAME)
		pager_note_bind(r->pager, index);
}

static int region_range_ok(const struct exo_region *r, size_t page,
			   size_t count)
{
	return count && page < r->pages && count <= r->pages - page;
}

LIBEXO_EXPORT struct exo_region *exo_region_create(struct exo *exo,
						   size_t pages)
{
	size_t ps = exo_page_size();
	struct exo_region *r;
	size_t i;
	int err;

	if (!exo || !pages || pages > SIZE_MAX / ps) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->frames = malloc(pages * sizeof(*r->frames));
	if (!r->frames)
		goto err_free;
	for (i = 0; i < pages; i++)
		r->frames[i] = EXO_NO_FRAME;

	r->addr = mmap(NULL, pages * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		       exo->fd, 0);
	if (r->addr == MAP_FAILED) {
		err = errno;
		exo_pr(EXO_WARN, "region of %zu pages: mmap: %s\n", pages,
		       strerror(err));
		free(r->frames);
		free(r);
		errno = err;
		return NULL;
	}
	r->exo = exo;
	r->pages = pages;
	return r;

err_free:
	free(r);
	errno = ENOMEM;
	return NULL;
}

LIBEXO_EXPORT void exo_region_destroy(struct exo_region *r)
{
	struct exo_region **pp;
	struct exo_pager *p;
	size_t i;
	int err = errno;

	if (!r)
		return;
	/*
	 * The kernel unbinds the pages with the mapping; frames stay held.
	 * First, so that no frame the region filled is handed out again while
	 * it still shows it.
	 */
	munmap(r->addr, r->pages * exo_page_size());
	p = r->pager;
	if (p) {
		pthread_mutex_lock(&p->lock);
		for (pp = &p->regions; *pp; pp = &(*pp)->next) {
			if (*pp == r) {
				*pp = r->next;
				break;
			}
		}
		for (i = 0; i < r->pages; i++)
			if (r->frames[i] != EXO_NO_FRAME)
				region_set(r, i, EXO_NO_FRAME);
		r->pager = NULL;
		pthread_mutex_unlock(&p->lock);
	}
	free(r->filled);
	free(r->frames);
	free(r);
	errno = err;
}

LIBEXO_EXPORT void *exo_region_addr(const struct exo_region *r)
{
	if (!r) {
		errno = EINVAL;
		return NULL;
	}
	return r->addr;
}

LIBEXO_EXPORT size_t exo_region_pages(const struct exo_region *r)
{
	return r ? r->pages : 0;
}

LIBEXO_EXPORT __u32 exo_region_frame(const struct exo_region *r, size_t page)
{
	__u32 index;

	if (!r || page >= r->pages)
		return EXO_NO_FRAME;
	region_lock(r);
	index = r->frames[page];
	region_unlock(r);
	return index;
}

/* Unbind [page, page + count) in batches; the bookkeeping follows. */
static int region_unbind_locked(struct exo_region *r, size_t page,
				size_t count)
{
	size_t ps = exo_page_size();
	size_t done, n, i;
	int ret;

	for (done = 0; done < count; done += n) {
		n = count - done < MEM_BATCH ? count - done : MEM_BATCH;
		ret = exo_mem_unmap(r->exo, r->addr + (page + done) * ps,
				    (__u32)n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++)
			region_set(r, page + done + i, EXO_NO_FRAME);
	}
	return 0;
}

LIBEXO_EXPORT int exo_region_bind(struct exo_region *r, size_t page,
				  const __u32 *indexes, size_t count,
				  int writable)
{
	__u32 flags = writable ? EXO_MEM_PROT_WRITE : 0;
	size_t ps = exo_page_size();
	size_t done, n, i;
	int ret = 0;

	if (!r || !indexes || !region_range_ok(r, page, count))
		return exo_err(EINVAL);

	region_lock(r);
	for (done = 0; done < count; done += n) {
		n = count - done < MEM_BATCH ? count - done : MEM_BATCH;
		ret = exo_mem_map(r->exo, flags, indexes + done, (__u32)n,
				  r->addr + (page + done) * ps);
		if (ret)
			break;
		for (i = 0; i < n; i++)
			region_set(r, page + done + i, indexes[done + i]);
	}
	/* All or nothing: take back the batches that went through. */
	if (ret && done && region_unbind_locked(r, page, done))
		exo_pr(EXO_WARN, "region: could not undo a partial bind at page %zu\n",
		       page);
	region_unlock(r);
	return ret ? exo_err(-ret) : 0;
}

LIBEXO_EXPORT int exo_region_unbind(struct exo_region *r, size_t page,
				    size_t count)
{
	int ret;

	if (!r || !region_range_ok(r, page, count))
		return exo_err(EINVAL);
	region_lock(r);
	ret = region_unbind_locked(r, page, count);
	region_unlock(r);
	return ret ? exo_err(-ret) : 0;
}

/* ---- the pager: allocation --------------------------------------------- */

/* One EXO_IOC_MEM_ALLOC of @count frames; they go to the free lists. */
static int pager_kalloc(struct exo_pager *p, __u32 colour, __u32 count)
{
	__u32 flags = colour == EXO_ANY_COLOUR ? 0 : EXO_MEM_ALLOC_COLOUR;
	struct exo_mem_frame *fr;
	__u32 i, j;
	int ret;

	p->stats.kernel_allocs++;
	ret = exo_mem_alloc(p->exo, flags, count,
			    colour == EXO_ANY_COLOUR ? 0 : colour, p->fbuf, NULL);
	if (ret)
		return ret;
	for (i = 0; i < count; i++) {
		fr = &p->fbuf[i];
		if (pager_cover(p, fr->index) || pager_cover_colour(p, fr->colour))
			goto err_untracked;
		p->frame[fr->index].pfn = fr->pfn;
		p->frame[fr->index].colour = fr->colour;
		p->frame[fr->index].node = fr->node;
		p->frame[fr->index].bind_seq = 0;
		p->frame[fr->index].maps = 0;
		list_push(p, fr->index);
	}
	return 0;

err_untracked:
	/* Frames we cannot keep books on go straight back. */
	for (j = i; j < count; j++)
		p->ibuf[j - i] = p->fbuf[j].index;
	p->stats.kernel_frees++;
	if (exo_mem_free(p->exo, p->ibuf, count - i))
		exo_pr(EXO_WARN, "pager: out of memory and could not give %u frames back\n",
		       count - i);
	return -ENOMEM;
}

/*
 * Ask for @need frames (<= MEM_BATCH), rounded up to a batch so that the
 * next requests are served from the lists; if the kernel cannot spare a
 * batch, ask for exactly what is needed.
 */
static int pager_refill(struct exo_pager *p, __u32 colour, __u32 need)
{
	__u32 count = need > p->opts.batch ? need : p->opts.batch;
	int ret;

	ret = pager_kalloc(p, colour, count);
	if ((ret == -ENOSPC || ret == -EDQUOT) && count > need)
		ret = pager_kalloc(p, colour, need);
	return ret;
}

static int pager_alloc_locked(struct exo_pager *p, __u32 colour, size_t n,
			      struct exo_mem_frame *out)
{
	struct pager_frame *f;
	size_t i, have;
	__u32 index;
	int ret = 0;

	for (;;) {
		size_t need;

		have = colour == EXO_ANY_COLOUR ? p->ncached :
		       colour < p->nlists ? p->free[colour].count : 0;
		if (have >= n)
			break;
		need = n - have < MEM_BATCH ? n - have : MEM_BATCH;
		ret = pager_refill(p, colour, (__u32)need);
		if (ret)
			break;
		/* A kernel handing out other colours than asked would loop us. */
		if (colour != EXO_ANY_COLOUR && p->free[colour].count == have) {
			exo_pr(EXO_WARN, "pager: asked the kernel for colour %u, got others\n",
			       colour);
			ret = -EIO;
			break;
		}
	}
	if (ret)
		return ret;

	for (i = 0; i < n; i++) {
		index = colour == EXO_ANY_COLOUR ? list_pop_any(p) :
			list_pop(p, colour);
		f = &p->frame[index];
		f->state = FRAME_USED;
		p->nused++;
		out[i] = (struct exo_mem_frame){
			.index = index,
			.colour = f->colour,
			.node = f->node,
			.pfn = f->pfn,
		};
	}
	return 0;
}

LIBEXO_EXPORT int exo_pager_alloc(struct exo_pager *p, __u32 colour, size_t n,
				  struct exo_mem_frame *out)
{
	int ret;

	if (!p || !out || !n ||
	    (colour != EXO_ANY_COLOUR && colour >= p->ncolours))
		return exo_err(EINVAL);

	pthread_mutex_lock(&p->lock);
	ret = pager_alloc_locked(p, colour, n, out);
	pthread_mutex_unlock(&p->lock);
	return ret ? exo_err(-ret) : 0;
}

/*
 * Give frames back to the kernel in batches. Each batch that went through
 * is forgotten (and reported as @why, 0 for nobody); *@freed counts them.
 * The caller scrubs the regions.
 */
static int pager_give_back(struct exo_pager *p, const __u32 *indexes,
			   size_t n, int why, size_t *freed)
{
	size_t done, k, i;
	int ret;

	*freed = 0;
	for (done = 0; done < n; done += k) {
		k = n - done < MEM_BATCH ? n - done : MEM_BATCH;
		p->stats.kernel_frees++;
		ret = exo_mem_free(p->exo, indexes + done, (__u32)k);
		if (ret)
			return ret;
		for (i = 0; i < k; i++)
			pager_forget(p, indexes[done + i],
				     (enum exo_pager_loss)why);
		*freed += k;
	}
	return 0;
}

/*
 * Up to @max cached frames, taken round robin over the colours so that
 * what stays cached stays spread; they are left on their lists.
 */
static size_t pager_pick_cached(struct exo_pager *p, __u32 *out, size_t max)
{
	__u32 *cur, c;
	size_t n = 0, taken;

	cur = malloc(p->nlists * sizeof(*cur));
	if (!cur)
		return 0;
	for (c = 0; c < p->nlists; c++)
		cur[c] = p->free[c].head;
	do {
		taken = n;
		for (c = 0; c < p->nlists && n < max; c++) {
			if (cur[c] == EXO_NO_FRAME)
				continue;
			out[n++] = cur[c];
			cur[c] = p->frame[cur[c]].next;
		}
	} while (n < max && n > taken);
	free(cur);
	return n;
}

static int pager_trim_locked(struct exo_pager *p, size_t keep)
{
	size_t total = 0, freed, k;
	int ret;

	while (p->ncached > keep) {
		k = p->ncached - keep < MEM_BATCH ? p->ncached - keep : MEM_BATCH;
		k = pager_pick_cached(p, p->ibuf, k);
		if (!k)
			return -ENOMEM;
		ret = pager_give_back(p, p->ibuf, k, 0, &freed);
		pager_scrub(p, p->ibuf, freed);
		total += freed;
		if (ret)
			return ret;
	}
	return (int)(total < INT32_MAX ? total : INT32_MAX);
}

LIBEXO_EXPORT int exo_pager_free(struct exo_pager *p, const __u32 *indexes,
				 size_t n)
{
	size_t i;
	int ret = 0;

	if (!p || !indexes || !n)
		return exo_err(EINVAL);

	pthread_mutex_lock(&p->lock);
	/* All or nothing: check every frame, and duplicates, first. */
	for (i = 0; i < n && !ret; i++) {
		__u32 index = indexes[i];

		if (index >= p->nframe || p->frame[index].state != FRAME_USED ||
		    p->frame[index].mark)
			ret = -EINVAL;
		else if (p->frame[index].maps)
			ret = -EBUSY;
		else
			p->frame[index].mark = 1;
	}
	while (i--)
		if (indexes[i] < p->nframe)
			p->frame[indexes[i]].mark = 0;
	if (!ret) {
		for (i = 0; i < n; i++) {
			p->nused--;
			list_push(p, indexes[i]);
		}
		if (p->opts.max_cached && p->ncached > p->opts.max_cached) {
			int trimmed = pager_trim_locked(p, p->opts.max_cached);

			if (trimmed < 0)
				exo_pr(EXO_DEBUG, "pager: trim failed: %s\n",
				       strerror(-trimmed));
		}
	}
	pthread_mutex_unlock(&p->lock);
	return ret ? exo_err(-ret) : 0;
}

LIBEXO_EXPORT int exo_pager_trim(struct exo_pager *p, size_t keep)
{
	int ret;

	if (!p)
		return exo_err(EINVAL);
	pthread_mutex_lock(&p->lock);
	ret = pager_trim_locked(p, keep);
	pthread_mutex_unlock(&p->lock);
	return ret < 0 ? exo_err(-ret) : ret;
}

LIBEXO_EXPORT int exo_pager_attach(struct exo_pager *p, struct exo_region *r)
{
	size_t i;
	int ret = 0;

	if (!p || !r || r->exo != p->exo)
		return exo_err(EINVAL);
	pthread_mutex_lock(&p->lock);
	if (r->pager == p) {
		ret = 0;
	} else if (r->pager) {
		ret = -EBUSY;
	} else {
		r->pager = p;
		r->next = p->regions;
		p->regions = r;
		/* What it shows already counts as bound now, in page order. */
		for (i = 0; i < r->pages; i++)
			if (r->frames[i] != EXO_NO_FRAME)
				pager_note_bind(p, r->frames[i]);
	}
	pthread_mutex_unlock(&p->lock);
	return ret ? exo_err(-ret) : 0;
}

/* The pager's own one-page region, made on first use. */
static int pager_probe(struct exo_pager *p)
{
	if (!p->probe) {
		p->probe = mmap(NULL, exo_page_size(), PROT_READ | PROT_WRITE,
				MAP_SHARED, p->exo->fd, 0);
		if (p->probe == MAP_FAILED) {
			p->probe = NULL;
			return -errno;
		}
	}
	return 0;
}

/* ---- the pager: demand paging ------------------------------------------ */

LIBEXO_EXPORT int exo_pager_demand(struct exo_pager *p, struct exo_region *r,
				   __u32 flags)
{
	__u32 mode = flags ? EXO_REGION_FAULT_UPCALL : 0;
	unsigned char *filled = NULL;
	int ret;

	if (!p || !r || r->exo != p->exo ||
	    (flags & ~(EXO_PAGER_DEMAND | EXO_PAGER_DEMAND_WRITE)) ||
	    (flags && !(flags & EXO_PAGER_DEMAND)))
		return exo_err(EINVAL);
	if (!(p->exo->api.ioctls & (1ULL << EXO_NR_MEM_REGION_SET)))
		return exo_err(EOPNOTSUPP);
	ret = exo_pager_attach(p, r);
	if (ret)
		return ret;
	if (flags && !r->filled) {
		filled = calloc(r->pages, 1);
		if (!filled)
			return exo_err(ENOMEM);
	}
	pthread_mutex_lock(&p->lock);
	if (filled)
		r->filled = filled;
	/* Under the lock, so that no fault finds the mode without the books. */
	r->demand = flags;
	ret = exo_mem_region_set(p->exo, r->addr, mode);
	if (ret)
		r->demand = 0;
	pthread_mutex_unlock(&p->lock);
	return ret;
}

/* The attached demand region that shows @addr, and its page there. */
static struct exo_region *pager_demand_region(struct exo_pager *p,
					      __u64 addr, size_t *page)
{
	size_t ps = exo_page_size();
	struct exo_region *r;
	__u64 start;

	for (r = p->regions; r; r = r->next) {
		start = (__u64)(uintptr_t)r->addr;
		if (!r->demand || addr < start || (addr - start) / ps >= r->pages)
			continue;
		*page = (addr - start) / ps;
		return r;
	}
	return NULL;
}

/*
 * Write frame @index through the pager's own page: a copy of @src when
 * there is one (copy-on-write), else the region's first contents for
 * @page (opts.fill, or zeroes).
 */
static int pager_fill(struct exo_pager *p, struct exo_region *r, size_t page,
		      __u32 index, const void *src)
{
	int ret, undo;

	ret = pager_probe(p);
	if (ret)
		return ret;
	ret = exo_mem_map(p->exo, EXO_MEM_PROT_WRITE, &index, 1, p->probe);
	if (ret)
		return ret;
	if (src)
		memcpy(p->probe, src, exo_page_size());
	else if (p->opts.fill)
		ret = p->opts.fill(p->opts.ctx, r, page, p->probe);
	else
		memset(p->probe, 0, exo_page_size());
	undo = exo_mem_unmap(p->exo, p->probe, 1);
	return ret ? ret : undo;
}

LIBEXO_EXPORT int exo_pager_snapshot(struct exo_pager *p,
				     struct exo_region *src,
				     struct exo_region *dst)
{
	size_t ps = exo_page_size();
	size_t i, shared = 0;
	__u32 index;
	int ret = 0;

	if (!p || !src || !dst || src == dst || dst->exo != p->exo ||
	    src->pager != p || dst->pages < src->pages)
		return exo_err(EINVAL);
	ret = exo_pager_attach(p, dst);
	if (ret)
		return ret;
	pthread_mutex_lock(&p->lock);
	/* Copy-on-write needs the source's write faults. */
	if (!(src->demand & EXO_PAGER_DEMAND_WRITE))
		ret = -EINVAL;
	for (i = 0; !ret && i < src->pages; i++)
		if (src->frames[i] != EXO_NO_FRAME &&
		    dst->frames[i] != EXO_NO_FRAME)
			ret = -EBUSY;
	if (!ret && !dst->filled) {
		dst->filled = calloc(dst->pages, 1);
		if (!dst->filled)
			ret = -ENOMEM;
	}
	for (i = 0; !ret && i < src->pages; i++) {
		index = src->frames[i];
		if (index == EXO_NO_FRAME)
			continue;
		/* The source shows it read-only first: a write copies it. */
		ret = exo_mem_unmap(p->exo, src->addr + i * ps, 1);
		if (ret)
			break;
		ret = exo_mem_map(p->exo, 0, &index, 1, src->addr + i * ps);
		if (ret) {
			region_set(src, i, EXO_NO_FRAME);
			break;
		}
		ret = exo_mem_map(p->exo, 0, &index, 1, dst->addr + i * ps);
		if (ret)
			break;
		region_set(dst, i, index);
		/* Shared: the last region to let go gives it back. */
		dst->filled[i] = src->filled[i];
		shared++;
	}
	pthread_mutex_unlock(&p->lock);
	if (ret)
		exo_pr(EXO_DEBUG, "pager: snapshot stopped after %zu pages: %s\n",
		       shared, strerror(-ret));
	return ret ? exo_err(-ret) : 0;
}

/*
 * EXO_EVENT_MEM_FAULT: 1 when it was a demand region's (answered with a
 * frame or with SIGBUS), 0 when it is not the pager's, or -errno.
 */
static int pager_fault(struct exo_pager *p, const struct exo_event *ev)
{
	int cow = !!(ev->data[2] & EXO_MEM_FAULT_READONLY);
	size_t ps = exo_page_size();
	struct exo_mem_frame frame;
	struct exo_region *r;
	size_t page;
	int ret;

	r = pager_demand_region(p, ev->data[1], &page);
	if (!r)
		return 0;
	/* Bound since it faulted: the kernel has woken the thread. */
	if (!cow && r->frames[page] != EXO_NO_FRAME)
		return 1;
	/* Unbound since: a fresh page; read-only by choice: SIGBUS. */
	if (cow && r->frames[page] == EXO_NO_FRAME)
		cow = 0;
	ret = cow && !(r->demand & EXO_PAGER_DEMAND_WRITE) ? -EACCES :
	      pager_alloc_locked(p, EXO_ANY_COLOUR, 1, &frame);
	if (!ret) {
		/* A write to a shared page: copy it, then show the copy. */
		if (cow)
			ret = pager_fill(p, r, page, frame.index,
					 r->addr + page * ps);
		else
			ret = pager_fill(p, r, page, frame.index, NULL);
		if (!ret && cow) {
			ret = exo_mem_unmap(p->exo, r->addr + page * ps, 1);
			if (!ret)
				region_set(r, page, EXO_NO_FRAME);
		}
		if (!ret)
			ret = exo_mem_fault_resolve(p->exo,
						    r->demand & EXO_PAGER_DEMAND_WRITE ?
						    EXO_MEM_PROT_WRITE : 0,
						    ev->data[0], NULL, frame.index);
		if (!ret) {
			region_set(r, page, frame.index);
			r->filled[page] = 1;
			p->stats.demand_fills++;
			return 1;
		}
		p->nused--;
		list_push(p, frame.index);
		/* The thread is gone (killed, or timed out): nothing to answer. */
		if (ret == -ENOENT)
			return 1;
	}
	exo_pr(EXO_DEBUG, "pager: fault at page %zu failed: %s\n", page,
	       strerror(-ret));
	p->stats.demand_failures++;
	ret = exo_mem_fault_resolve(p->exo, EXO_MEM_FAULT_FAIL, ev->data[0],
				    NULL, 0);
	return ret && ret != -ENOENT ? ret : 1;
}

/* ---- the pager: revocation and the abort protocol ---------------------- */

static __u64 boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int view_cmp(const void *a, const void *b)
{
	const struct exo_pager_frame_view *x = a, *y = b;
	int xc = !!(x->flags & EXO_PAGER_FRAME_CACHED);
	int yc = !!(y->flags & EXO_PAGER_FRAME_CACHED);

	if (xc != yc)
		return yc - xc;
	if (x->bind_seq != y->bind_seq)
		return x->bind_seq < y->bind_seq ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

LIBEXO_EXPORT int exo_pager_pick_lrb(void *ctx,
				     const struct exo_pager_frame_view *held,
				     size_t nheld, size_t want, __u32 *victims)
{
	size_t i, n = want < nheld ? want : nheld;

	(void)ctx;
	if (!held || !victims)
		return n ? exo_err(EINVAL) : 0;
	for (i = 0; i < n; i++)
		victims[i] = held[i].index;
	return (int)n;
}

/*
 * Take the repossession vector out of the kernel and forget what it names.
 * If the vector overflowed (lost > 0), some frames went unnamed: then each
 * frame the pager believes it holds is tested by binding it at a scratch
 * page, which only its holder may do.
 */
static int pager_reconcile(struct exo_pager *p);

static int pager_drain(struct exo_pager *p, size_t *taken)
{
	__u64 lost_total = 0;
	__u32 lost, i;
	size_t before = p->ncached + p->nused;
	int n, ret = 0;

	for (;;) {
		lost = 0;
		n = exo_mem_repossessed(p->exo, p->ibuf, MEM_BATCH, &lost);
		if (n < 0) {
			ret = n;
			break;
		}
		lost_total += lost;
		for (i = 0; i < (__u32)n; i++)
			pager_forget(p, p->ibuf[i], EXO_PAGER_REPOSSESSED);
		pager_scrub(p, p->ibuf, (size_t)n);
		if (n < MEM_BATCH)
			break;
	}
	if (!ret && lost_total) {
		exo_pr(EXO_INFO, "pager: %llu repossessions went unnamed; checking every frame\n",
		       (unsigned long long)lost_total);
		ret = pager_reconcile(p);
	}
	p->stats.repossessed += before - (p->ncached + p->nused);
	if (taken)
		*taken = before - (p->ncached + p->nused);
	return ret;
}

static int pager_reconcile(struct exo_pager *p)
{
	__u32 index, ngone = 0;
	int ret;

	ret = pager_probe(p);
	if (ret)
		return ret;
	for (index = 0; index < p->nframe; index++) {
		if (p->frame[index].state == FRAME_NONE)
			continue;
		ret = exo_mem_map(p->exo, 0, &index, 1, p->probe);
		if (!ret) {
			exo_mem_unmap(p->exo, p->probe, 1);
			continue;
		}
		if (ret != -EPERM)
			return ret;
		pager_forget(p, index, EXO_PAGER_REPOSSESSED);
		p->ibuf[ngone++] = index;
		if (ngone == MEM_BATCH) {
			pager_scrub(p, p->ibuf, ngone);
			ngone = 0;
		}
	}
	pager_scrub(p, p->ibuf, ngone);
	return 0;
}

/* Answer a revocation: the policy picks, the kernel gets them back. */
static int pager_revoke(struct exo_pager *p, __u64 want64, __u64 deadline_ns)
{
	exo_pager_pick_fn pick = p->opts.pick ? p->opts.pick : exo_pager_pick_lrb;
	size_t nheld = p->ncached + p->nused;
	struct exo_pager_frame_view *view;
	size_t want, i, k, n, freed, more;
	__u32 *victims, index;
	int ret, attempt;

	want = want64 < nheld ? (size_t)want64 : nheld;
	p->stats.revocations++;
	if (!want)
		return 0;

	view = malloc(nheld * sizeof(*view));
	victims = malloc(want * sizeof(*victims));
	if (!view || !victims) {
		ret = -ENOMEM;
		goto out;
	}
	for (index = 0, k = 0; index < p->nframe; index++) {
		const struct pager_frame *f = &p->frame[index];

		if (f->state == FRAME_NONE)
			continue;
		view[k++] = (struct exo_pager_frame_view){
			.index = index,
			.colour = f->colour,
			.node = f->node,
			.flags = f->state == FRAME_CACHED ?
				 EXO_PAGER_FRAME_CACHED : 0,
			.maps = f->maps,
			.bind_seq = f->bind_seq,
		};
	}
	qsort(view, nheld, sizeof(*view), view_cmp);

	ret = pick(p->opts.ctx, view, nheld, want, victims);
	if (ret < 0) {
		exo_pr(EXO_INFO, "pager: the policy gave nothing back (%s)\n",
		       strerror(-ret));
		goto out;
	}
	n = (size_t)ret < want ? (size_t)ret : want;

	/* Keep only frames the pager holds, once each. */
	for (i = 0, k = 0; i < n; i++) {
		index = victims[i];
		if (index >= p->nframe || p->frame[index].state == FRAME_NONE ||
		    p->frame[index].mark) {
			exo_pr(EXO_WARN, "pager: the policy picked frame %u, which the pager does not hold\n",
			       index);
			continue;
		}
		p->frame[index].mark = 1;
		victims[k++] = index;
	}
	for (i = 0; i < k; i++)
		p->frame[victims[i]].mark = 0;
	n = k;

	/*
	 * EXO_IOC_MEM_FREE unbinds each frame everywhere before it frees it,
	 * so one call per batch both unbinds and frees; the attached regions'
	 * books are scrubbed to match. If the abort protocol raced us, a
	 * batch fails with EPERM: read what it took and retry the rest once.
	 */
	for (attempt = 0; attempt < 2; attempt++) {
		ret = pager_give_back(p, victims, n, EXO_PAGER_REVOKED, &freed);
		pager_scrub(p, victims, freed);
		p->stats.revoked += freed;
		if (ret != -EPERM || attempt)
			break;
		memmove(victims, victims + freed, (n - freed) * sizeof(*victims));
		n -= freed;
		ret = pager_drain(p, NULL);
		if (ret)
			break;
		for (i = 0, more = 0; i < n; i++)
			if (p->frame[victims[i]].state != FRAME_NONE)
				victims[more++] = victims[i];
		n = more;
	}
	if (ret)
		exo_pr(EXO_WARN, "pager: giving frames back failed: %s\n",
		       strerror(-ret));
	else if (deadline_ns && boottime_ns() > deadline_ns)
		exo_pr(EXO_WARN, "pager: revocation answered %llu ns past its deadline\n",
		       (unsigned long long)(boottime_ns() - deadline_ns));
out:
	free(view);
	free(victims);
	return ret < 0 ? ret : 0;
}

/* Records may have been lost: ask the kernel what is pending. */
static int pager_catch_up(struct exo_pager *p)
{
	struct exo_mem_info info;
	int ret;

	ret = exo_mem_info(p->exo, &info);
	if (ret)
		return ret;
	if (info.repossessed) {
		p->stats.aborts++;
		ret = pager_drain(p, NULL);
		if (ret)
			return ret;
	}
	if (info.revoke_owed)
		ret = pager_revoke(p, info.revoke_owed, info.revoke_deadline_ns);
	return ret;
}

LIBEXO_EXPORT int exo_pager_handle_event(struct exo_pager *p,
					 const struct exo_event *ev)
{
	struct exo_mem_info info;
	__u64 want;
	int ret;

	if (!p || !ev)
		return exo_err(EINVAL);

	switch (ev->type) {
	case EXO_EVENT_MEM_REVOKE:
		/*
		 * Ask the kernel what is still owed: if frames were freed
		 * since (or the request was met in catching up after an
		 * overflow) the record overstates it.
		 */
		want = ev->data[0];
		if (!exo_mem_info(p->exo, &info) && info.revoke_owed < want)
			want = info.revoke_owed;
		pthread_mutex_lock(&p->lock);
		ret = pager_revoke(p, want, ev->data[1]);
		pager_unlock(p);
		return ret ? exo_err(-ret) : 1;
	case EXO_EVENT_MEM_ABORT:
		pthread_mutex_lock(&p->lock);
		p->stats.aborts++;
		ret = pager_drain(p, NULL);
		pager_unlock(p);
		return ret ? exo_err(-ret) : 1;
	case EXO_EVENT_MEM_FAULT:
		pthread_mutex_lock(&p->lock);
		ret = pager_fault(p, ev);
		pager_unlock(p);
		return ret < 0 ? exo_err(-ret) : ret;
	case EXO_EVENT_OVERFLOW:
		pthread_mutex_lock(&p->lock);
		ret = pager_catch_up(p);
		pager_unlock(p);
		return ret ? exo_err(-ret) : 0;
	default:
		return 0;
	}
}

LIBEXO_EXPORT int exo_pager_serve(struct exo_pager *p, int timeout_ms)
{
	long long deadline = exo_deadline(timeout_ms);
	struct exo_event ev[PAGER_EVENTS];
	int n, i, r, handled = 0, err = 0;

	if (!p)
		return exo_err(EINVAL);
	for (;;) {
		n = exo_event_read(p->exo, ev, PAGER_EVENTS,
				   exo_ms_left(deadline));
		if (n <= 0)
			return n;
		for (i = 0; i < n; i++) {
			r = exo_pager_handle_event(p, &ev[i]);
			if (r > 0)
				handled++;
			else if (r < 0 && !err)
				err = r;
			/* An overflow concerns every binding, even if we failed. */
			if (r > 0 || (r < 0 && ev[i].type != EXO_EVENT_OVERFLOW))
				continue;
			if (p->opts.event)
				p->opts.event(p->opts.ctx, &ev[i]);
			else
				exo_pr(EXO_DEBUG, "pager: dropped a %s event (no event callback)\n",
				       exo_event_name(ev[i].type));
		}
		if (err)
			return exo_err(-err);
		if (handled || !exo_ms_left(deadline))
			return handled;
	}
}

LIBEXO_EXPORT int exo_pager_stats(struct exo_pager *p,
				  struct exo_pager_stats *stats)
{
	struct exo_pager_stats s;
	size_t sz;

	if (!p || !stats || stats->sz < sizeof(size_t))
		return exo_err(EINVAL);
	pthread_mutex_lock(&p->lock);
	s = p->stats;
	s.held = p->ncached + p->nused;
	s.cached = p->ncached;
	pthread_mutex_unlock(&p->lock);

	/* Write no further than the caller's sz: older callers are shorter. */
	sz = stats->sz < sizeof(s) ? stats->sz : sizeof(s);
	s.sz = stats->sz;
	memcpy(stats, &s, sz);
	return 0;
}

/* ---- the pager: life cycle --------------------------------------------- */

LIBEXO_EXPORT struct exo_pager *exo_pager_create(struct exo *exo,
						 const struct exo_pager_opts *user_opts)
{
	struct exo_mem_info info;
	struct exo_pager *p;
	int err;

	if (!exo) {
		errno = EINVAL;
		return NULL;
	}
	if (!(exo->api.features & EXO_FEATURE_MEM)) {
		exo_pr(EXO_WARN, "this exo.ko has no memory binding\n");
		errno = EOPNOTSUPP;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->opts.sz = sizeof(p->opts);
	if (user_opts) {
		if (!exo_opts_valid(user_opts, sizeof(p->opts), user_opts->sz)) {
			err = EINVAL;
			goto err_free;
		}
		memcpy(&p->opts, user_opts, user_opts->sz < sizeof(p->opts) ?
		       user_opts->sz : sizeof(p->opts));
	}
	if (p->opts.batch > MEM_BATCH) {
		err = EINVAL;
		goto err_free;
	}
	if (!p->opts.batch)
		p->opts.batch = PAGER_BATCH_DEFAULT;

	err = -exo_mem_info(exo, &info);
	if (err)
		goto err_free;
	p->exo = exo;
	p->ncolours = info.colours ? info.colours : 1;
	/* Size the books for the whole pool now, so allocations seldom grow them. */
	if (pager_cover(p, info.pool_frames ? info.pool_frames - 1 : 0) ||
	    pager_cover_colour(p, p->ncolours - 1)) {
		err = ENOMEM;
		goto err_books;
	}
	err = pthread_mutex_init(&p->lock, NULL);
	if (err)
		goto err_books;
	return p;

err_books:
	free(p->frame);
	free(p->free);
err_free:
	free(p);
	errno = err;
	return NULL;
}

static void pager_destroy_batch(struct exo_pager *p, size_t n)
{
	size_t freed;

	if (pager_give_back(p, p->ibuf, n, 0, &freed))
		exo_pr(EXO_WARN, "pager: could not give %zu frames back; exo_close() will\n",
		       n - freed);
	pager_scrub(p, p->ibuf, freed);
}

LIBEXO_EXPORT void exo_pager_destroy(struct exo_pager *p)
{
	struct exo_region *r, *next;
	size_t n = 0;
	__u32 index;
	int err = errno;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (index = 0; index < p->nframe; index++) {
		if (p->frame[index].state == FRAME_NONE)
			continue;
		p->ibuf[n++] = index;
		if (n == MEM_BATCH) {
			pager_destroy_batch(p, n);
			n = 0;
		}
	}
	if (n)
		pager_destroy_batch(p, n);
	for (r = p->regions; r; r = next) {
		next = r->next;
		/* Its frames are gone: its unbound pages SIGBUS again. */
		if (r->demand && exo_mem_region_set(p->exo, r->addr, 0))
			exo_pr(EXO_WARN, "pager: could not end demand paging of a region\n");
		r->demand = 0;
		if (r->filled)
			memset(r->filled, 0, r->pages);
		r->pager = NULL;
		r->next = NULL;
	}
	pthread_mutex_unlock(&p->lock);

	pthread_mutex_destroy(&p->lock);
	if (p->probe)
		munmap(p->probe, exo_page_size());
	free(p->lost_revoked.v);
	free(p->lost_repossessed.v);
	free(p->frame);
	free(p->free);
	free(p);
	errno = err;
}
