// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the memory binding (EXO_IOC_MEM_*, mmap of /dev/exo).
 *
 * The model: which frames each environment holds (exact until something
 * the fuzzer cannot predict takes frames away: the abort protocol after a
 * revocation, or an ALLOC that failed after allocating), and, page by
 * page, what each region the worker mmap()ed has bound. Pages are touched
 * with fault-catching probes: an unbound page must SIGBUS, a write to a
 * read-only binding must SIGSEGV, a bound page must not fault, a frame
 * fresh from ALLOC must read as zeroes, and a frame must hold what the
 * worker last wrote to it wherever it is mapped.
 *
 * Revocations (EXO_IOC_MEM_REVOKE, root only) and grants only ever target
 * environments of the same worker, or ids no environment has: another
 * worker's model must never see records it did not cause.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fz.h"

struct fz_mem_pool fz_pool;

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

void fz_mem_startup(int fd)
{
	struct exo_mem_info mi;

	if (!(fz_kernel_ioctls & (1ULL << EXO_NR_MEM_INFO)))
		return;
	memset(&mi, 0, sizeof(mi));
	mi.argsz = sizeof(mi);
	if (ioctl(fd, EXO_IOC_MEM_INFO, &mi))
		return;
	fz_pool.frames = mi.pool_frames;
	fz_pool.colours = mi.colours;
	fz_pool.reserve = mi.reserve_frames;
	fz_pool.quota = mi.quota_frames;
}

/* ---- touching pages without dying of it -------------------------------- */

static sigjmp_buf fz_probe_jmp;
static volatile sig_atomic_t fz_probing;

static void fz_probe_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (fz_probing) {
		fz_probing = 0;
		siglongjmp(fz_probe_jmp, sig);
	}
	/* A fault outside a probe is a real one: die of it. */
	signal(sig, SIG_DFL);
	raise(sig);
}

void fz_mem_install_probe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fz_probe_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

/*
 * Read the page at @p into @copy, or fill it with @fill (@write): 0, or
 * the signal the access raised.
 */
static int fz_probe_page(unsigned char *p, bool write, unsigned char fill,
			 unsigned char *copy)
{
	volatile unsigned char *vp = p;
	int sig;
	size_t i;

	sig = sigsetjmp(fz_probe_jmp, 1);
	if (sig)
		return sig;
	fz_probing = 1;
	for (i = 0; i < fz_page; i++) {
		if (write)
			vp[i] = fill;
		else
			copy[i] = vp[i];
	}
	fz_probing = 0;
	return 0;
}

/* Read the page at @p: 0, or the signal it raised (fz_ops.c's rings). */
int fz_mem_probe_read(void *p)
{
	static unsigned char copy[65536];

	if (fz_page > sizeof(copy))
		return 0;
	return fz_probe_page(p, false, 0, copy);
}

/* ---- the model: frames held ---------------------------------------------- */

static int fz_held_find(const struct fz_env *e, __u32 index)
{
	__u32 i;

	for (i = 0; i < e->nheld; i++)
		if (e->held[i] == index)
			return i;
	return -1;
}

static void fz_held_add(struct fz_env *e, __u32 index)
{
	if (e->nheld == e->held_cap) {
		__u32 cap = e->held_cap ? 2 * e->held_cap : 64;
		__u32 *h = realloc(e->held, cap * sizeof(*h));
		unsigned char *f = realloc(e->held_fill, cap);

		if (h)
			e->held = h;
		if (f)
			e->held_fill = f;
		if (!h || !f)
			return;
		e->held_cap = cap;
	}
	e->held[e->nheld] = index;
	e->held_fill[e->nheld++] = 0;
}

static void fz_held_del(struct fz_env *e, int i)
{
	e->held[i] = e->held[e->nheld - 1];
	e->held_fill[i] = e->held_fill[e->nheld - 1];
	e->nheld--;
}

/* The environment of this worker holding @index, and where; or NULL. */
static struct fz_env *fz_holder(struct fz_worker *w, __u32 index, int *at)
{
	int i, k;

	for (i = 0; i < FZ_ENVS; i++) {
		struct fz_env *e = &w->env[i];

		if (e->fd < 0 || e->foreign || e->frames_unknown)
			continue;
		k = fz_held_find(e, index);
		if (k >= 0) {
			*at = k;
			return e;
		}
	}
	return NULL;
}

static int fz_slot(const struct fz_worker *w, const struct fz_env *e)
{
	return e - w->env;
}

static bool fz_region_of(const struct fz_worker *w, const struct fz_map *m,
			 const struct fz_env *e)
{
	return m->env == fz_slot(w, e) && m->serial == e->serial;
}

/* Every page bound to @index becomes @state (FREE: unbound everywhere). */
static void fz_pages_of_frame(struct fz_worker *w, __u32 index,
			      enum fz_page state)
{
	size_t pg, n;
	int i;

	for (i = 0; i < w->nmaps; i++) {
		struct fz_map *m = &w->maps[i];

		if (!m->state)
			continue;
		n = m->len / fz_page;
		for (pg = 0; pg < n; pg++)
			if (m->state[pg] != FZ_PG_UNBOUND && m->frame[pg] == index)
				m->state[pg] = state;
	}
}

/* Everything @e's frames are bound to may go away without notice. */
static void fz_env_frames_unknown(struct fz_worker *w, struct fz_env *e)
{
	size_t pg, n;
	__u32 k;
	int i;

	e->frames_unknown = true;
	for (k = 0; k < e->nheld; k++)
		fz_pages_of_frame(w, e->held[k], FZ_PG_UNKNOWN);
	for (i = 0; i < w->nmaps; i++) {
		struct fz_map *m = &w->maps[i];

		if (!m->state || !fz_region_of(w, m, e))
			continue;
		n = m->len / fz_page;
		for (pg = 0; pg < n; pg++)
			if (m->state[pg] != FZ_PG_UNBOUND)
				m->state[pg] = FZ_PG_UNKNOWN;
	}
}

static void fz_grant_drop(struct fz_worker *w, int i)
{
	w->grants[i] = w->grants[--w->ngrants];
}

/* The grants whose grantor or grantee is @e die with it. */
static void fz_grants_of_env_die(struct fz_worker *w, struct fz_env *e)
{
	int i, s = fz_slot(w, e);

	for (i = w->ngrants - 1; i >= 0; i--) {
		struct fz_grant *g = &w->grants[i];

		if ((g->grantor == s && g->gserial == e->serial) ||
		    (g->grantee == s && g->eserial == e->serial))
			fz_grant_drop(w, i);
	}
}

void fz_mem_env_closed(struct fz_worker *w, struct fz_env *e)
{
	bool mapped = false;
	__u32 k;
	int i;

	for (i = 0; i < w->nmaps; i++) {
		if (fz_region_of(w, &w->maps[i], e)) {
			w->maps[i].env = -1;	/* it lives on in the VMA */
			mapped = true;
		}
	}
	/*
	 * Its frames go when it does: now, or when its last region is
	 * unmapped. Other environments' bindings of them are not to be
	 * trusted from here on.
	 */
	(void)mapped;
	for (k = 0; k < e->nheld; k++)
		fz_pages_of_frame(w, e->held[k], FZ_PG_UNKNOWN);
	fz_grants_of_env_die(w, e);
}

void fz_mem_mmapped(struct fz_worker *w, struct fz_env *e, void *addr,
		    size_t len, int prot)
{
	struct fz_map *m;
	size_t pages = (len + fz_page - 1) / fz_page;

	if (w->nmaps == FZ_MAPS) {
		munmap(addr, len);
		return;
	}
	m = &w->maps[w->nmaps++];
	memset(m, 0, sizeof(*m));
	m->addr = addr;
	m->len = pages * fz_page;
	m->prot = prot;
	m->env = fz_slot(w, e);
	m->serial = e->serial;
	if (pages <= FZ_REGION_TRACK) {
		m->state = calloc(pages, 1);
		m->frame = calloc(pages, sizeof(*m->frame));
		if (!m->state || !m->frame) {
			free(m->state);
			free(m->frame);
			m->state = NULL;
			m->frame = NULL;
		}
	}
}

void fz_mem_munmap(struct fz_worker *w, int i)
{
	free(w->maps[i].state);
	free(w->maps[i].frame);
	w->maps[i] = w->maps[--w->nmaps];
}

/* Regions are not inherited across fork(); grants are the parent's. */
void fz_mem_fork_child(struct fz_worker *w)
{
	while (w->nmaps)
		fz_mem_munmap(w, w->nmaps - 1);
	w->ngrants = 0;
}

/* A random region of @e's (tracked ones if @tracked), or NULL. */
static struct fz_map *fz_pick_region(struct fz_worker *w, struct fz_env *e,
				     bool tracked)
{
	int pick[FZ_MAPS], n = 0, i;

	for (i = 0; i < w->nmaps; i++)
		if (fz_region_of(w, &w->maps[i], e) &&
		    (!tracked || w->maps[i].state))
			pick[n++] = i;
	return n ? &w->maps[pick[fz_below(&w->rng, n)]] : NULL;
}

/* Pages bound in @e's regions, or -1 if the model cannot tell. */
static long fz_mapped_pages(struct fz_worker *w, struct fz_env *e)
{
	long n = 0;
	size_t pg;
	int i;

	for (i = 0; i < w->nmaps; i++) {
		struct fz_map *m = &w->maps[i];

		if (!fz_region_of(w, m, e))
			continue;
		if (!m->state)
			return -1;
		for (pg = 0; pg < m->len / fz_page; pg++) {
			if (m->state[pg] == FZ_PG_UNKNOWN)
				return -1;
			n += m->state[pg] != FZ_PG_UNBOUND;
		}
	}
	return n;
}

/* What the model says a page of frame @index holds; -1: cannot tell. */
static int fz_frame_fill(struct fz_worker *w, __u32 index)
{
	struct fz_env *e;
	int at;

	e = fz_holder(w, index, &at);
	return e ? e->held_fill[at] : -1;
}

static void fz_check_page(struct fz_worker *w, unsigned char *p, __u32 index,
			  const char *when)
{
	unsigned char copy[4096];
	int fill = fz_frame_fill(w, index), sig;
	size_t i;

	if (fz_page > sizeof(copy))
		return;
	sig = fz_probe_page(p, false, 0, copy);
	if (!fz_expect(w, FZ_CHK_MODEL, !sig,
		       "%s: reading frame %u's page %p raised signal %d",
		       when, index, (void *)p, sig))
		return;
	if (fill < 0)
		return;
	for (i = 0; i < fz_page; i++)
		if (copy[i] != fill)
			break;
	fz_expect(w, FZ_CHK_MODEL, i == fz_page,
		  "%s: frame %u's page holds %#x at byte %zu, expected %#x%s",
		  when, index, i < fz_page ? copy[i] : 0, i, fill,
		  fill ? "" : " (frames are zeroed before they are handed out)");
}

/*
 * Bind @count frames at page @pgoff of @m as the kernel just did. Frames
 * of @e's the model does not fully know may be taken away behind its
 * back: their pages are unknown from the start.
 */
static void fz_bind(struct fz_worker *w, struct fz_env *e, struct fz_map *m,
		    __u32 pgoff, const __u32 *frames, __u32 count, bool write,
		    const char *when)
{
	__u32 i;

	if (!m || !m->state)
		return;
	for (i = 0; i < count; i++) {
		m->frame[pgoff + i] = frames[i];
		if (e->frames_unknown || fz_held_find(e, frames[i]) < 0) {
			m->state[pgoff + i] = FZ_PG_UNKNOWN;
			continue;
		}
		m->state[pgoff + i] = write ? FZ_PG_RW : FZ_PG_RO;
		if (m->prot != PROT_NONE)
			fz_check_page(w, m->addr + (size_t)(pgoff + i) * fz_page,
				      frames[i], when);
	}
}

/* ---- staging helpers ----------------------------------------------------- */

/*
 * An address for @count pages in one of @e's regions, mostly; the region
 * and page are left in c->note[0..1] (note[0] = 0: none of @e's).
 */
static __u64 fz_pick_addr(struct fz_worker *w, struct fz_env *e,
			  struct fz_call *c, __u32 count)
{
	struct fz_map *m = fz_pick_region(w, e, false);
	__u64 p = fz_below(&w->rng, 100);
	size_t pages, pgoff;

	c->note[0] = 0;
	if (!m || p >= 90) {
		if (p < 95 && w->nmaps) {
			/* Some region, likely not @e's. */
			m = &w->maps[fz_below(&w->rng, w->nmaps)];
			if (!fz_region_of(w, m, e))
				fz_bad(c, "address in another env's region");
			else
				goto inside;
			return (__u64)(unsigned long)m->addr;
		}
		fz_bad(c, "address outside every region");
		return fz_chance(&w->rng, 50) ? 0 :
		       (__u64)(unsigned long)w->rw;
	}
inside:
	pages = m->len / fz_page;
	if (count > pages) {
		fz_bad(c, "range longer than the region");
		return (__u64)(unsigned long)m->addr;
	}
	pgoff = fz_below(&w->rng, pages - count + 1);
	/* Prefer the first unbound run, or a bound one, as the model knows. */
	if (m->state && fz_chance(&w->rng, 60)) {
		size_t i;

		for (i = 0; i + count <= pages; i++)
			if (m->state[i] == FZ_PG_UNBOUND) {
				pgoff = i;
				break;
			}
	}
	c->note[0] = (__u64)(m - w->maps) + 1;
	c->note[1] = pgoff;
	if (fz_chance(&w->rng, 4)) {
		fz_bad(c, "address not page-aligned");
		return (__u64)(unsigned long)(m->addr + pgoff * fz_page + 8);
	}
	return (__u64)(unsigned long)(m->addr + pgoff * fz_page);
}

/* The region and page fz_pick_addr() chose, if it is @e's and tracked. */
static struct fz_map *fz_picked(struct fz_worker *w, struct fz_call *c,
				__u32 *pgoff)
{
	struct fz_map *m;

	*pgoff = 0;
	if (!c->note[0] || c->note[0] > (__u64)w->nmaps)
		return NULL;
	m = &w->maps[c->note[0] - 1];
	*pgoff = c->note[1];
	return m->state ? m : NULL;
}

/*
 * How the pages [pgoff, pgoff + count) stand: 1 all unbound, 2 all bound,
 * 0 mixed or unknown.
 */
static int fz_range_state(const struct fz_map *m, __u32 pgoff, __u32 count)
{
	bool any_bound = false, any_unbound = false;
	__u32 i;

	for (i = 0; i < count; i++) {
		if (m->state[pgoff + i] == FZ_PG_UNKNOWN)
			return 0;
		if (m->state[pgoff + i] == FZ_PG_UNBOUND)
			any_unbound = true;
		else
			any_bound = true;
	}
	return any_bound && !any_unbound ? 2 : !any_bound ? 1 : 0;
}

/* True if a grant of this worker's lets @e map frame @index. */
static bool fz_granted_to(const struct fz_worker *w, const struct fz_env *e,
			  __u32 index)
{
	int i;

	for (i = 0; i < w->ngrants; i++)
		if (w->grants[i].grantee == fz_slot(w, e) &&
		    w->grants[i].eserial == e->serial &&
		    index - w->grants[i].first < w->grants[i].count)
			return true;
	return false;
}

/*
 * @count frame indexes into @out, mostly distinct ones @e holds. *all_held
 * says whether the model knows @e holds them all; *granted whether some
 * grant may cover one it does not hold.
 */
static void fz_pick_indexes(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c, __u32 *out, __u32 count,
			    bool *all_held, bool *granted)
{
	bool dup = false;
	__u32 i, j;
	int tries;

	*all_held = !e->frames_unknown;
	*granted = false;
	for (i = 0; i < count; i++) {
		__u64 p = fz_below(&w->rng, 100);

		out[i] = fz_below(&w->rng, fz_pool.frames ? fz_pool.frames : 1);
		if (p < 80 && e->nheld) {
			for (tries = 0; tries < 4; tries++) {
				out[i] = e->held[fz_below(&w->rng, e->nheld)];
				for (j = 0; j < i && out[j] != out[i]; j++)
					;
				if (j == i)
					break;
			}
		} else if (p >= 97 && i) {
			out[i] = out[fz_below(&w->rng, i)];
		} else if (p >= 94) {
			out[i] = fz_pool.frames + fz_below(&w->rng, 1000);
			fz_bad(c, "index past the pool");
		}
		for (j = 0; j < i; j++)
			if (out[j] == out[i])
				dup = true;
		if (fz_held_find(e, out[i]) < 0) {
			*all_held = false;
			if (fz_granted_to(w, e, out[i]))
				*granted = true;
		}
	}
	if (dup)
		fz_bad(c, "duplicate index");
}

/* A pointer to an array of @bytes the kernel reads or writes. */
static __u64 fz_pick_array(struct fz_worker *w, struct fz_call *c,
			   size_t bytes, bool must_fault)
{
	__u64 p = fz_below(&w->rng, 100);

	if (p < 90 || bytes > FZ_AUX)
		return (__u64)(unsigned long)w->aux;
	if (p < 95) {
		if (must_fault)
			fz_bad(c, "NULL array");
		c->note[3] = 1;
		return 0;
	}
	if (must_fault)
		fz_bad(c, "array runs into PROT_NONE");
	c->note[3] = 1;
	return (__u64)(unsigned long)(w->aux + FZ_AUX - (bytes > 8 ? bytes / 2 : 1));
}

static __u32 fz_pick_count(struct fz_worker *w, struct fz_call *c, __u32 small)
{
	__u64 p = fz_below(&w->rng, 100);

	if (small > EXO_MEM_BATCH_MAX)
		small = EXO_MEM_BATCH_MAX;
	if (p < 85)
		return 1 + fz_below(&w->rng, small);
	if (p < 95)
		return 1 + fz_below(&w->rng, EXO_MEM_BATCH_MAX);
	if (p < 97) {
		fz_bad(c, "count 0");
		return 0;
	}
	fz_bad(c, "count above EXO_MEM_BATCH_MAX");
	return EXO_MEM_BATCH_MAX + 1 + fz_below(&w->rng, 1000);
}

/* Someone's id: another env of this worker's, its own, or none's. */
static __u64 fz_pick_env_id(struct fz_worker *w, struct fz_env *e,
			    struct fz_env **target)
{
	struct fz_env *o = &w->env[fz_below(&w->rng, FZ_ENVS)];
	__u64 p = fz_below(&w->rng, 100);

	*target = NULL;
	if (p < 70 && o->fd >= 0 && !o->foreign && o->id) {
		*target = o;
		return o->id;
	}
	if (p < 80 && e->id) {
		*target = e;
		return e->id;
	}
	return p < 90 ? 0 : ~0ULL - fz_below(&w->rng, 16);
}

/* The prediction of a hook, checked once the call is back. */
static void fz_check_expect(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	if (!c->expect || e->foreign || c->bad || !e->handshaken)
		return;
	if (c->expect < 0)
		fz_expect(w, FZ_CHK_GOOD, c->err == 0,
			  "%s refused what the model says must work: %s",
			  c->ioc->name, strerrorname_np(c->err) ?: "?");
	else
		fz_expect(w, FZ_CHK_MODEL, c->err == c->expect,
			  "%s returned %s, the model says %s", c->ioc->name,
			  c->err ? strerrorname_np(c->err) ?: "?" : "ok",
			  strerrorname_np(c->expect) ?: "?");
}

/* ---- EXO_IOC_MEM_INFO ---------------------------------------------------- */

static void fz_gen_mem_info(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_mem_info *mi = (struct exo_mem_info *)c->buf;
	size_t i;

	(void)e;
	if (fz_chance(&w->rng, 30))
		for (i = offsetof(struct exo_mem_info, pool_frames);
		     i < offsetof(struct exo_mem_info, reserved); i++)
			c->buf[i] = fz_next(&w->rng);
	(void)mi;
}

static void fz_done_mem_info(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_info mi;
	long mapped;

	if (c->err || !out)
		return;
	memcpy(&mi, out, sizeof(mi));
	fz_expect(w, FZ_CHK_MODEL,
		  mi.pool_frames == fz_pool.frames && mi.colours == fz_pool.colours &&
		  mi.reserve_frames == fz_pool.reserve &&
		  mi.quota_frames == fz_pool.quota &&
		  mi.free_frames <= mi.pool_frames && !mi.reserved && !mi.flags,
		  "MEM_INFO pool %u free %u colours %u reserve %u quota %u reserved %#x; at startup %u - %u %u %u",
		  mi.pool_frames, mi.free_frames, mi.colours, mi.reserve_frames,
		  mi.quota_frames, mi.reserved, fz_pool.frames, fz_pool.colours,
		  fz_pool.reserve, fz_pool.quota);
	if (!e->frames_unknown)
		fz_expect(w, FZ_CHK_MODEL, mi.held_frames == e->nheld,
			  "MEM_INFO held_frames %u, model %u", mi.held_frames,
			  e->nheld);
	mapped = e->loose ? -1 : fz_mapped_pages(w, e);
	if (mapped >= 0)
		fz_expect(w, FZ_CHK_MODEL, mi.mapped_pages == (__u32)mapped,
			  "MEM_INFO mapped_pages %u, model %ld", mi.mapped_pages,
			  mapped);
	if (!e->loose)
		fz_expect(w, FZ_CHK_MODEL,
			  !mi.revoke_owed && !mi.revoke_deadline_ns &&
			  !mi.repossessed,
			  "MEM_INFO revoke_owed %u deadline %llu repossessed %u, and nothing was revoked",
			  mi.revoke_owed,
			  (unsigned long long)mi.revoke_deadline_ns,
			  mi.repossessed);
}

/* ---- EXO_IOC_MEM_ALLOC ------------------------------------------------- */

static void fz_gen_mem_alloc(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_mem_alloc *a = (struct exo_mem_alloc *)c->buf;
	struct exo_mem_frame *names = (struct exo_mem_frame *)w->aux;
	__u32 flags = a->flags, i, j, pgoff;
	struct fz_map *m;
	__u64 p;

	c->note[0] = c->note[3] = 0;
	if (!c->flags_mutated) {
		p = fz_below(&w->rng, 100);
		flags = p < 55 ? 0 : p < 75 ? EXO_MEM_ALLOC_INDEX :
			p < 93 ? EXO_MEM_ALLOC_COLOUR :
			EXO_MEM_ALLOC_INDEX | EXO_MEM_ALLOC_COLOUR;
		if (fz_chance(&w->rng, 45))
			flags |= EXO_MEM_ALLOC_MAP |
				 (fz_chance(&w->rng, 60) ? EXO_MEM_PROT_WRITE : 0);
		else if (fz_chance(&w->rng, 3))
			flags |= EXO_MEM_PROT_WRITE;
		fz_put32(c->buf + offsetof(struct exo_mem_alloc, flags), flags);
	}
	if ((flags & EXO_MEM_ALLOC_INDEX) && (flags & EXO_MEM_ALLOC_COLOUR))
		fz_bad(c, "INDEX and COLOUR");
	if ((flags & EXO_MEM_PROT_WRITE) && !(flags & EXO_MEM_ALLOC_MAP))
		fz_bad(c, "PROT_WRITE without MAP");

	a->count = fz_pick_count(w, c, 8);
	if (flags & EXO_MEM_ALLOC_COLOUR) {
		a->colour = fz_below(&w->rng, fz_pool.colours ? fz_pool.colours : 1);
		if (fz_chance(&w->rng, 5)) {
			a->colour = fz_pool.colours + fz_below(&w->rng, 100);
			fz_bad(c, "colour past the last");
		}
	} else if (fz_chance(&w->rng, 3)) {
		a->colour = 1 + fz_below(&w->rng, 100);
		fz_bad(c, "colour without COLOUR");
	}
	if (flags & EXO_MEM_ALLOC_MAP) {
		a->addr = fz_pick_addr(w, e, c, a->count);
	} else if (fz_chance(&w->rng, 3)) {
		a->addr = (__u64)(unsigned long)w->rw;
		fz_bad(c, "addr without MAP");
	}
	/* Only INDEX reads the array before allocating. */
	a->frames = fz_pick_array(w, c, (size_t)a->count * sizeof(*names),
				  flags & EXO_MEM_ALLOC_INDEX);
	if (a->frames == (__u64)(unsigned long)w->aux &&
	    a->count <= EXO_MEM_BATCH_MAX) {
		for (i = 0; i < a->count; i++) {
			p = fz_below(&w->rng, 100);
			memset(&names[i], 0, sizeof(names[i]));
			if (!(flags & EXO_MEM_ALLOC_INDEX)) {
				names[i].index = fz_next(&w->rng);	/* ignored */
				continue;
			}
			if (p < 45 || !i)
				names[i].index = fz_below(&w->rng, fz_pool.frames);
			else if (p < 80)
				names[i].index = (names[i - 1].index + 1) %
						 fz_pool.frames;
			else if (p < 92 && e->nheld)
				names[i].index = e->held[fz_below(&w->rng, e->nheld)];
			else if (p < 96) {
				names[i].index = fz_pool.frames +
						 fz_below(&w->rng, 100);
				fz_bad(c, "index past the pool");
			} else {
				names[i].index = fz_below(&w->rng, fz_pool.frames);
			}
			for (j = 0; j < i; j++)
				if (names[j].index == names[i].index) {
					fz_bad(c, "duplicate index");
					break;
				}
		}
	}
	/* Predictions: a bound page in the way, or over the quota. */
	m = fz_picked(w, c, &pgoff);
	if (!c->bad && m && fz_range_state(m, pgoff, a->count) == 0)
		c->expect = 0;	/* mixed or unknown: cannot tell */
	else if (!c->bad && m && fz_range_state(m, pgoff, a->count) == 2)
		c->expect = EINVAL;
	if (!c->bad && !e->frames_unknown && c->expect != EINVAL &&
	    e->nheld + a->count > fz_pool.quota)
		c->expect = EDQUOT;
}

static void fz_done_mem_alloc(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	const struct exo_mem_frame *names = (const struct exo_mem_frame *)w->aux;
	struct exo_mem_alloc a;
	__u32 i, j, held, pgoff, idx[EXO_MEM_BATCH_MAX];
	int at;
	struct exo_mem_info mi;
	struct fz_map *m;

	(void)out;	/* ALLOC writes the names, never its struct */
	memcpy(&a, c->buf, sizeof(a));
	/*
	 * The kernel checks that the names array can be written back before
	 * it looks at regions or quota: an unwritable array is EFAULT first.
	 */
	if ((c->expect == EDQUOT || c->expect == EINVAL) && c->err != EFAULT)
		fz_check_expect(w, e, c);
	if (c->err) {
		/*
		 * The uapi says all or nothing. If the names could not be
		 * written back the frames may be held all the same: ask.
		 */
		if (c->err != EFAULT || !c->note[3] ||
		    (a.flags & EXO_MEM_ALLOC_INDEX))
			return;
		/* Frames may have been allocated and mapped all the same. */
		m = fz_picked(w, c, &pgoff);
		if (m && (a.flags & EXO_MEM_ALLOC_MAP))
			for (i = 0; i < a.count && pgoff + i < m->len / fz_page; i++)
				m->state[pgoff + i] = FZ_PG_UNKNOWN;
		if (e->frames_unknown)
			return;
		memset(&mi, 0, sizeof(mi));
		mi.argsz = sizeof(mi);
		if (ioctl(e->fd, EXO_IOC_MEM_INFO, &mi))
			return;
		held = mi.held_frames;
		if (!fz_expect(w, FZ_CHK_BUG_ALLOC_ALL_OR_NOTHING, held == e->nheld,
			       "EXO_IOC_MEM_ALLOC count %u flags %#x, frames array at %#llx, returned EFAULT and the env holds %u frames, not %u (uapi: \"All or nothing: on error no frame has been allocated or mapped\")",
			       a.count, a.flags, (unsigned long long)a.frames,
			       held, e->nheld))
			fz_env_frames_unknown(w, e);	/* which ones is lost */
		return;
	}
	if (c->note[3] || a.count > EXO_MEM_BATCH_MAX) {
		/* Succeeded without an array we can read back: say it. */
		fz_expect(w, FZ_CHK_MODEL, false,
			  "MEM_ALLOC succeeded with an unwritable frames array");
		fz_env_frames_unknown(w, e);
		return;
	}
	for (i = 0; i < a.count; i++) {
		idx[i] = names[i].index;
		fz_expect(w, FZ_CHK_MODEL,
			  names[i].index < fz_pool.frames &&
			  names[i].colour < fz_pool.colours &&
			  names[i].pfn != 0 &&
			  (!(a.flags & EXO_MEM_ALLOC_COLOUR) ||
			   names[i].colour == a.colour),
			  "MEM_ALLOC frame %u: index %u colour %u pfn %#llx (pool %u, colours %u, asked colour %u)",
			  i, names[i].index, names[i].colour,
			  (unsigned long long)names[i].pfn, fz_pool.frames,
			  fz_pool.colours, a.colour);
		for (j = 0; j < i; j++)
			fz_expect(w, FZ_CHK_MODEL, idx[j] != idx[i],
				  "MEM_ALLOC gave frame %u twice", idx[i]);
		if (fz_holder(w, idx[i], &at))
			fz_expect(w, FZ_CHK_MODEL, false,
				  "MEM_ALLOC gave frame %u, which an env of this worker holds",
				  idx[i]);
		fz_held_add(e, idx[i]);
	}
	if (a.flags & EXO_MEM_ALLOC_MAP) {
		m = fz_picked(w, c, &pgoff);
		fz_bind(w, e, m, pgoff, idx, a.count,
			a.flags & EXO_MEM_PROT_WRITE, "after MEM_ALLOC_MAP");
	}
}

/* ---- EXO_IOC_MEM_FREE -------------------------------------------------- */

static void fz_gen_mem_free(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_mem_batch *b = (struct exo_mem_batch *)c->buf;
	__u32 *idx = (__u32 *)w->aux;
	bool all_held, granted;

	c->note[3] = 0;
	b->count = fz_pick_count(w, c, e->nheld ? e->nheld : 4);
	if (b->count > EXO_MEM_BATCH_MAX) {
		b->indexes = (__u64)(unsigned long)w->aux;
		return;
	}
	b->indexes = fz_pick_array(w, c, b->count * sizeof(*idx), true);
	if (b->indexes == (__u64)(unsigned long)w->aux) {
		fz_pick_indexes(w, e, c, idx, b->count, &all_held, &granted);
		if (!c->bad)
			c->expect = all_held ? -1 : e->frames_unknown ? 0 : EPERM;
	}
	if (fz_chance(&w->rng, 3)) {
		b->addr = 4096;
		fz_bad(c, "FREE with an address");
	}
}

static void fz_done_mem_free(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	const __u32 *idx = (const __u32 *)w->aux;
	struct exo_mem_batch b;
	__u32 i;
	int k, g;

	(void)out;
	memcpy(&b, c->buf, sizeof(b));
	fz_check_expect(w, e, c);
	if (c->err)
		return;
	for (i = 0; i < b.count; i++) {
		k = fz_held_find(e, idx[i]);
		if (k >= 0)
			fz_held_del(e, k);
		else if (!e->frames_unknown)
			fz_expect(w, FZ_CHK_MODEL, false,
				  "MEM_FREE of frame %u succeeded; the env does not hold it",
				  idx[i]);
		/* Unmapped everywhere, and its grants are gone. */
		fz_pages_of_frame(w, idx[i], FZ_PG_UNBOUND);
		for (g = w->ngrants - 1; g >= 0; g--)
			if (w->grants[g].grantor == fz_slot(w, e) &&
			    w->grants[g].gserial == e->serial &&
			    idx[i] - w->grants[g].first < w->grants[g].count)
				fz_grant_drop(w, g);
	}
}

/* ---- EXO_IOC_MEM_MAP ---------------------------------------------------- */

/* A frame some grant of this worker's lets @e map, or -1. */
static long fz_granted_frame(struct fz_worker *w, struct fz_env *e)
{
	int i = w->ngrants ? (int)fz_below(&w->rng, w->ngrants) : 0, n;

	for (n = 0; n < w->ngrants; n++, i = (i + 1) % w->ngrants) {
		struct fz_grant *g = &w->grants[i];

		if (g->grantee == fz_slot(w, e) && g->eserial == e->serial)
			return g->first + fz_below(&w->rng, g->count);
	}
	return -1;
}

static void fz_gen_mem_map(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	struct exo_mem_batch *b = (struct exo_mem_batch *)c->buf;
	__u32 *idx = (__u32 *)w->aux, pgoff, i;
	struct fz_map *m;
	bool all_held, granted;
	long g;

	c->note[3] = 0;
	b->count = fz_pick_count(w, c, 4);
	b->addr = fz_pick_addr(w, e, c, b->count > EXO_MEM_BATCH_MAX ? 1 : b->count);
	if (b->count > EXO_MEM_BATCH_MAX) {
		b->indexes = (__u64)(unsigned long)w->aux;
		return;
	}
	b->indexes = fz_pick_array(w, c, b->count * sizeof(*idx), true);
	if (b->indexes != (__u64)(unsigned long)w->aux)
		return;
	fz_pick_indexes(w, e, c, idx, b->count, &all_held, &granted);
	c->note[2] = granted;
	g = fz_chance(&w->rng, 20) ? fz_granted_frame(w, e) : -1;
	if (g >= 0) {
		/* One frame through a grant: no prediction. */
		for (i = 0; i < b->count && idx[i] != (__u32)g; i++)
			;
		if (i == b->count)
			idx[0] = g;
		all_held = false;
		c->note[2] = 1;
	}
	m = fz_picked(w, c, &pgoff);
	if (c->bad || !m)
		return;
	/* The kernel's order: the region, then the frames, then the pages. */
	if (!all_held) {
		c->expect = c->note[2] || e->frames_unknown ? 0 : EPERM;
		return;
	}
	switch (fz_range_state(m, pgoff, b->count)) {
	case 1:
		c->expect = -1;
		break;
	case 2:
		c->expect = EINVAL;
		break;
	default:
		c->expect = 0;	/* mixed (EINVAL) or unknown */
		break;
	}
}

static void fz_done_mem_map(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c, const unsigned char *out)
{
	const __u32 *idx = (const __u32 *)w->aux;
	struct exo_mem_batch b;
	struct fz_map *m;
	__u32 pgoff, i;

	(void)out;
	memcpy(&b, c->buf, sizeof(b));
	fz_check_expect(w, e, c);
	if (c->err)
		return;
	m = fz_picked(w, c, &pgoff);
	if (!m)
		return;
	/* Frames mapped through a grant come out unknown: not @e's. */
	fz_bind(w, e, m, pgoff, idx, b.count, b.flags & EXO_MEM_PROT_WRITE,
		"after MEM_MAP");
	(void)i;
}

/* ---- EXO_IOC_MEM_UNMAP -------------------------------------------------- */

static void fz_gen_mem_unmap(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_mem_unmap *u = (struct exo_mem_unmap *)c->buf;
	struct fz_map *m;
	__u32 pgoff;
	int st;

	u->count = fz_pick_count(w, c, 4);
	u->addr = fz_pick_addr(w, e, c, u->count > EXO_MEM_BATCH_MAX ? 1 : u->count);
	m = fz_picked(w, c, &pgoff);
	if (c->bad || !m)
		return;
	/* Aim at a bound page most of the time. */
	if (fz_chance(&w->rng, 70)) {
		size_t i, pages = m->len / fz_page;

		for (i = 0; i + u->count <= pages; i++)
			if (m->state[i] == FZ_PG_RO || m->state[i] == FZ_PG_RW) {
				pgoff = i;
				c->note[1] = i;
				u->addr = (__u64)(unsigned long)(m->addr + i * fz_page);
				break;
			}
	}
	st = fz_range_state(m, pgoff, u->count);
	c->expect = st == 2 ? -1 : st == 1 ? EINVAL : 0;
	if (st == 0) {
		__u32 i;

		for (i = 0; i < u->count; i++)
			if (m->state[pgoff + i] == FZ_PG_UNBOUND)
				c->expect = EINVAL;
		for (i = 0; i < u->count; i++)
			if (m->state[pgoff + i] == FZ_PG_UNKNOWN)
				c->expect = 0;
	}
}

static void fz_done_mem_unmap(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_unmap u;
	struct fz_map *m;
	__u32 pgoff, i;

	(void)out;
	memcpy(&u, c->buf, sizeof(u));
	fz_check_expect(w, e, c);
	if (c->err)
		return;
	m = fz_picked(w, c, &pgoff);
	if (!m)
		return;
	for (i = 0; i < u.count; i++)
		m->state[pgoff + i] = FZ_PG_UNBOUND;
}

/* ---- EXO_IOC_MEM_GRANT and _UNGRANT -------------------------------------- */

static void fz_gen_mem_grant(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_mem_grant *g = (struct exo_mem_grant *)c->buf;
	struct fz_env *to;
	__u64 p = fz_below(&w->rng, 100);
	__u32 i;

	if (p < 75 && e->nheld) {
		g->first = e->held[fz_below(&w->rng, e->nheld)];
		g->count = 1;
		/* A longer run, as far as it is held. */
		while (g->count < 8 && fz_chance(&w->rng, 50) &&
		       fz_held_find(e, g->first + g->count) >= 0)
			g->count++;
	} else if (p < 90) {
		g->first = fz_below(&w->rng, fz_pool.frames);
		g->count = 1 + fz_below(&w->rng, 4);
		if (g->first + g->count > fz_pool.frames)
			fz_bad(c, "range past the pool");
	} else if (p < 95) {
		g->first = fz_pool.frames + fz_below(&w->rng, 100);
		g->count = 1;
		fz_bad(c, "range past the pool");
	} else {
		g->first = 0;
		g->count = fz_chance(&w->rng, 50) ? 0 : EXO_MEM_BATCH_MAX + 1;
		fz_bad(c, g->count ? "count above EXO_MEM_BATCH_MAX" : "count 0");
	}
	g->grantee = fz_pick_env_id(w, e, &to);
	if (to == e)
		fz_bad(c, "grant to itself");
	if (fz_chance(&w->rng, 3)) {
		g->grant_id = 1 + fz_below(&w->rng, 1000);
		fz_bad(c, "grant_id set on GRANT");
	}
	c->note[0] = to ? (__u64)fz_slot(w, to) + 1 : 0;
	if (c->bad || e->frames_unknown)
		return;
	for (i = 0; i < g->count && fz_held_find(e, g->first + i) >= 0; i++)
		;
	if (i < g->count)
		c->expect = EPERM;
	else
		c->expect = to ? -1 : ESRCH;
}

/* A grant the kernel made (MEM_GRANT or CAP_GRANT of EXO_CAP_MEM). */
static void fz_mem_grant_record(struct fz_worker *w, struct fz_env *e,
				struct fz_call *c, __u64 id, __u32 first,
				__u32 count)
{
	struct fz_env *to;
	struct fz_grant *r;

	if (!c->note[0])
		return;	/* to an env this worker does not know: impossible */
	to = &w->env[c->note[0] - 1];
	/* It will hear of the grant's end: EXO_EVENT_MEM_UNGRANTED. */
	fz_env_loosen(to);
	if (w->ngrants == FZ_GRANTS)
		return;
	r = &w->grants[w->ngrants++];
	r->id = id;
	r->grantor = fz_slot(w, e);
	r->gserial = e->serial;
	r->grantee = fz_slot(w, to);
	r->eserial = to->serial;
	r->first = first;
	r->count = count;
}

static void fz_done_mem_grant(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_grant g;

	fz_check_expect(w, e, c);
	if (c->err == EFAULT && c->mem == FZ_MEM_RO) {
		/*
		 * The grant is made before its id is copied out: it may exist,
		 * with an id nobody knows (see the report).
		 */
		memcpy(&g, c->buf, sizeof(g));
		g.grant_id = 0;
	} else if (c->err || !out) {
		return;
	} else {
		memcpy(&g, out, sizeof(g));
		fz_expect(w, FZ_CHK_MODEL, g.grant_id != 0,
			  "MEM_GRANT gave grant id 0");
	}
	fz_mem_grant_record(w, e, c, g.grant_id, g.first, g.count);
}

static void fz_gen_mem_ungrant(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c)
{
	struct exo_mem_grant *g = (struct exo_mem_grant *)c->buf;
	int i, n = 0, mine[FZ_GRANTS];

	for (i = 0; i < w->ngrants; i++)
		if (w->grants[i].grantor == fz_slot(w, e) &&
		    w->grants[i].gserial == e->serial)
			mine[n++] = i;
	c->note[0] = 0;
	if (n && fz_chance(&w->rng, 80)) {
		i = mine[fz_below(&w->rng, n)];
		g->grant_id = w->grants[i].id;
		c->note[0] = i + 1;
	} else {
		g->grant_id = fz_chance(&w->rng, 50) ? 0 : ~0ULL - fz_below(&w->rng, 8);
		c->expect = ENOENT;
	}
	if (fz_chance(&w->rng, 4)) {
		g->first = 1;
		fz_bad(c, "UNGRANT with a range");
	} else if (fz_chance(&w->rng, 3)) {
		g->grantee = 1;
		fz_bad(c, "UNGRANT with a grantee");
	}
}

static void fz_done_mem_ungrant(struct fz_worker *w, struct fz_env *e,
				struct fz_call *c, const unsigned char *out)
{
	struct fz_grant *g;
	__u32 k;

	(void)out;
	fz_check_expect(w, e, c);
	if (c->err || !c->note[0])
		return;
	g = &w->grants[c->note[0] - 1];
	/* The grantee's bindings through it are gone. */
	for (k = 0; k < g->count; k++)
		fz_pages_of_frame(w, g->first + k, FZ_PG_UNKNOWN);
	fz_grant_drop(w, c->note[0] - 1);
}

/* ---- EXO_IOC_MEM_REVOKE ----------------------------------------------- */

static void fz_gen_mem_revoke(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_mem_revoke *r = (struct exo_mem_revoke *)c->buf;
	struct fz_env *to;
	__u64 p;

	r->env_id = fz_pick_env_id(w, e, &to);
	c->note[0] = to ? (__u64)fz_slot(w, to) + 1 : 0;
	p = fz_below(&w->rng, 100);
	r->count = p < 90 ? 1 + fz_below(&w->rng, 64) :
		   p < 95 ? 1 + (__u32)fz_next(&w->rng) : 0;
	if (!r->count)
		fz_bad(c, "count 0");
	p = fz_below(&w->rng, 100);
	r->deadline_ms = p < 85 ? 1 + fz_below(&w->rng, 50) :
			 p < 92 ? 51 + fz_below(&w->rng, 60000 - 50) :
			 p < 96 ? 0 : 60001 + fz_below(&w->rng, 100000);
	if (!r->deadline_ms || r->deadline_ms > 60000)
		fz_bad(c, "deadline out of 1..60000 ms");
	if (!c->bad && !to)
		c->expect = ESRCH;
}

static void fz_done_mem_revoke(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_revoke r;
	struct fz_env *to;

	fz_check_expect(w, e, c);
	if (!c->note[0])
		return;
	if (c->err == EFAULT && c->mem == FZ_MEM_RO) {
		/* Sent before the result is copied out: it may be under way. */
		r.count = 1;
	} else if (c->err || !out) {
		return;
	} else {
		memcpy(&r, out, sizeof(r));
	}
	if (!r.count)
		return;		/* within its reserve: nothing was asked */
	/* An event now, an abort at the deadline: no more predictions. */
	to = &w->env[c->note[0] - 1];
	fz_env_loosen(to);
	fz_env_frames_unknown(w, to);
}

/* ---- EXO_IOC_MEM_REPOSSESSED ---------------------------------------------- */

static void fz_gen_mem_repossessed(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c)
{
	struct exo_mem_repossessed *r = (struct exo_mem_repossessed *)c->buf;

	(void)e;
	r->count = fz_pick_count(w, c, 32);
	/* With nothing to give, no array is touched: not a bad input. */
	r->indexes = fz_pick_array(w, c, (size_t)r->count * 4, false);
	if (fz_chance(&w->rng, 3)) {
		r->lost = 1 + fz_below(&w->rng, 10);
		fz_bad(c, "lost set on input");
	}
}

static void fz_done_mem_repossessed(struct fz_worker *w, struct fz_env *e,
				    struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_repossessed r;

	if (c->err || !out)
		return;
	memcpy(&r, out, sizeof(r));
	if (!e->loose)
		fz_expect(w, FZ_CHK_MODEL, !r.count && !r.lost,
			  "MEM_REPOSSESSED gave %u entries (%u lost), and nothing was revoked",
			  r.count, r.lost);
}

/* ---- touching regions ------------------------------------------------------ */

void fz_count_touch(int sig);

void fz_mem_touch(struct fz_worker *w)
{
	struct fz_map *m;
	unsigned char copy[4096], fill;
	size_t pg, pages, i;
	bool write, can_read, can_write;
	int want = -1, sig, at;
	struct fz_env *holder;
	__u32 index;

	if (!w->nmaps || fz_page > sizeof(copy))
		return;
	m = &w->maps[fz_below(&w->rng, w->nmaps)];
	if (!m->state)
		return;
	pages = m->len / fz_page;
	pg = fz_below(&w->rng, pages);
	if (fz_chance(&w->rng, 70))
		for (i = 0; i < pages; i++)
			if (m->state[(pg + i) % pages] == FZ_PG_RO ||
			    m->state[(pg + i) % pages] == FZ_PG_RW) {
				pg = (pg + i) % pages;
				break;
			}
	write = fz_chance(&w->rng, 40);
	fill = 1 + fz_below(&w->rng, 255);
	can_read = m->prot != PROT_NONE;
	can_write = m->prot & PROT_WRITE;
	index = m->frame[pg];

	switch (m->state[pg]) {
	case FZ_PG_UNBOUND:
		want = !can_read || (write && !can_write) ? SIGSEGV : SIGBUS;
		break;
	case FZ_PG_RO:
		want = !can_read || write ? SIGSEGV : 0;
		break;
	case FZ_PG_RW:
		want = !can_read || (write && !can_write) ? SIGSEGV : 0;
		break;
	default:
		want = -1;
		break;
	}
	sig = fz_probe_page(m->addr + pg * fz_page, write, fill, copy);
	fz_count_touch(sig);
	if (want < 0)
		return;
	fz_expect(w, m->prot == PROT_NONE && !write &&
		  m->state[pg] != FZ_PG_UNBOUND ?
		  FZ_CHK_BUG_PROT_NONE : FZ_CHK_MODEL, sig == want,
		  "%s page %zu of region %p (prot %#x, %s, frame %u) raised signal %d, expected %d",
		  write ? "writing" : "reading", pg, (void *)m->addr, m->prot,
		  m->state[pg] == FZ_PG_UNBOUND ? "unbound" :
		  m->state[pg] == FZ_PG_RO ? "bound read-only" : "bound read-write",
		  index, sig, want);
	if (sig || want || !can_read)
		return;
	holder = fz_holder(w, index, &at);
	if (write) {
		if (holder)
			holder->held_fill[at] = fill;
		return;
	}
	if (!holder)
		return;
	for (i = 0; i < fz_page && copy[i] == holder->held_fill[at]; i++)
		;
	fz_expect(w, FZ_CHK_MODEL, i == fz_page,
		  "frame %u (page %zu of region %p) holds %#x at byte %zu, expected %#x",
		  index, pg, (void *)m->addr, i < fz_page ? copy[i] : 0, i,
		  holder->held_fill[at]);
}

/* ---- EXO_IOC_MEM_REGION_SET and EXO_IOC_MEM_FAULT_RESOLVE ---------------- */

static void fz_gen_mem_region_set(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_mem_region *r = (struct exo_mem_region *)c->buf;

	r->addr = fz_pick_addr(w, e, c, 1);
}

/*
 * The fuzzer's workers touch their regions: an upcall region nobody
 * answers would stall each touch for fault_timeout_ms, so set it back.
 */
static void fz_done_mem_region_set(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c, const unsigned char *out)
{
	struct exo_mem_region r;

	(void)w;
	(void)out;
	memcpy(&r, c->buf, sizeof(r));
	if (c->err || !(r.flags & EXO_REGION_FAULT_UPCALL))
		return;
	r.argsz = sizeof(r);
	r.flags = 0;
	ioctl(e->fd, EXO_IOC_MEM_REGION_SET, &r);
}

/* No fault is ever pending here: any id is ENOENT, any page EINVAL. */
static void fz_gen_mem_fault_resolve(struct fz_worker *w, struct fz_env *e,
				     struct fz_call *c)
{
	struct exo_mem_fault_resolve *r =
		(struct exo_mem_fault_resolve *)c->buf;

	if (fz_chance(&w->rng, 50))
		r->fault_id = 1 + fz_below(&w->rng, 64);
	else
		r->addr = fz_pick_addr(w, e, c, 1);
	r->index = (__u32)fz_below(&w->rng, 64);
}

static void fz_done_mem_none(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	(void)w;
	(void)e;
	(void)c;
	(void)out;
}

/* ---- EXO_IOC_CAP_GRANT and _REVOKE of EXO_CAP_MEM ------------------------ */

/*
 * The same grants as MEM_GRANT, through the capability ioctls: the MEM_GRANT
 * hook makes the range and the grantee, and this one moves them into an
 * exo_cap and adds what only the cap shape can get wrong (kind, rights).
 */
/*
 * EXO_CAP_NET: a ring of one of the first binding ids (the caller's or
 * another's), mostly whole, to someone. Its grantee may map the ring
 * (fz_op_mmap) and hears when the cap ends, so it stops being predicted.
 */
static void fz_gen_cap_net_grant(struct fz_worker *w, struct fz_env *e,
				 struct fz_call *c)
{
	struct exo_cap *cap = (struct exo_cap *)c->buf;
	__u64 p = fz_below(&w->rng, 100);
	struct fz_env *to;

	cap->kind = EXO_CAP_NET;
	cap->rights = EXO_CAP_READ |
		      (fz_chance(&w->rng, 50) ? EXO_CAP_WRITE : 0);
	cap->first = e->net_last_id && fz_chance(&w->rng, 70) ?
		     e->net_last_id : 1 + fz_below(&w->rng, 32);
	cap->count = 1;
	if (p < 5) {
		cap->count = fz_chance(&w->rng, 50) ? 0 : 2;
		fz_bad(c, "NET count other than 1");
	} else if (p < 8) {
		cap->first = fz_chance(&w->rng, 50) ? 0 : 1ULL << 32;
		fz_bad(c, "NET first not a binding id");
	}
	cap->grantee = fz_pick_env_id(w, e, &to);
	if (to == e)
		fz_bad(c, "cap to itself");
	c->note[0] = to ? (__u64)fz_slot(w, to) + 1 : 0;
}

static void fz_done_cap_net_grant(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c, const unsigned char *out)
{
	struct exo_cap cap;

	(void)e;
	if (c->err || !out)
		return;
	memcpy(&cap, out, sizeof(cap));
	fz_expect(w, FZ_CHK_MODEL, cap.cap_id != 0, "CAP_GRANT gave cap id 0");
	/* It will hear of the cap's end once it maps: NET_UNGRANTED. */
	if (c->note[0])
		fz_env_loosen(&w->env[c->note[0] - 1]);
}

static void fz_gen_cap_mem_grant(struct fz_worker *w, struct fz_env *e,
				 struct fz_call *c)
{
	struct exo_cap *cap = (struct exo_cap *)c->buf;
	struct exo_mem_grant g;
	__u64 p = fz_below(&w->rng, 100);
	__u32 argsz = cap->argsz, flags = cap->flags;

	memset(c->buf, 0, sizeof(*cap));
	fz_gen_mem_grant(w, e, c);
	memcpy(&g, c->buf, sizeof(g));
	memset(c->buf, 0, sizeof(*cap));
	cap->argsz = argsz;
	cap->flags = flags;
	cap->kind = EXO_CAP_MEM;
	cap->rights = EXO_CAP_READ |
		      (fz_chance(&w->rng, 50) ? EXO_CAP_WRITE : 0);
	cap->first = g.first;
	cap->count = g.count;
	cap->grantee = g.grantee;
	cap->cap_id = g.grant_id;
	if (p < 4) {
		cap->rights = p < 2 ? 0 : EXO_CAP_WRITE;
		fz_bad(c, "rights without EXO_CAP_READ");
	} else if (p < 6) {
		cap->rights |= 1U << (2 + fz_below(&w->rng, 30));
		fz_bad(c, "unknown rights");
	} else if (p < 8) {
		cap->kind = p < 7 ? 0 : EXO_CAP_XN + 1 + fz_below(&w->rng, 100);
		fz_bad(c, "unknown kind");
	} else if (p < 13) {
		cap->first |= 1ULL << (32 + fz_below(&w->rng, 32));
		fz_bad(c, "first past 32 bits");
	}
}

static void fz_done_cap_mem_grant(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c, const unsigned char *out)
{
	struct exo_cap cap;

	fz_check_expect(w, e, c);
	if (c->err == EFAULT && c->mem == FZ_MEM_RO) {
		/* As MEM_GRANT: a cap nobody knows the id of may exist. */
		memcpy(&cap, c->buf, sizeof(cap));
		cap.cap_id = 0;
	} else if (c->err || !out) {
		return;
	} else {
		memcpy(&cap, out, sizeof(cap));
		fz_expect(w, FZ_CHK_MODEL, cap.cap_id != 0,
			  "CAP_GRANT gave cap id 0");
	}
	fz_mem_grant_record(w, e, c, cap.cap_id, (__u32)cap.first,
			    (__u32)cap.count);
}

static void fz_gen_cap_mem_revoke(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_cap *cap = (struct exo_cap *)c->buf;
	struct exo_mem_grant g;
	__u64 p = fz_below(&w->rng, 100);
	__u32 argsz = cap->argsz, flags = cap->flags;

	memset(c->buf, 0, sizeof(*cap));
	fz_gen_mem_ungrant(w, e, c);
	memcpy(&g, c->buf, sizeof(g));
	memset(c->buf, 0, sizeof(*cap));
	cap->argsz = argsz;
	cap->flags = flags;
	cap->kind = EXO_CAP_MEM;
	cap->first = g.first;
	cap->grantee = g.grantee;
	cap->cap_id = g.grant_id;
	if (p < 4) {
		cap->rights = EXO_CAP_READ;
		fz_bad(c, "REVOKE with rights");
	} else if (p < 7) {
		/* Kind 0 is EINVAL; no CPU cap is made here, so CPU is ENOENT. */
		cap->kind = fz_chance(&w->rng, 50) ? 0 : EXO_CAP_CPU;
		fz_bad(c, "REVOKE of another kind");
	}
}
/* ---- the rows, for fz_ioctls.c ------------------------------------------ */

static const int fz_errs_mem_info[] = { EFAULT, EINVAL, E2BIG, 0 };
static const int fz_errs_mem_alloc[] = {
	EFAULT, EINVAL, E2BIG, EBUSY, ENOSPC, EDQUOT, ENOMEM, 0,
};
static const int fz_errs_mem_free[] = { EFAULT, EINVAL, E2BIG, EPERM, ENOMEM, 0 };
/* EDQUOT: past mapped_max, pages bound in the environment's regions. */
static const int fz_errs_mem_map[] = {
	EFAULT, EINVAL, E2BIG, EPERM, ENOMEM, EDQUOT, 0,
};
static const int fz_errs_mem_unmap[] = { EFAULT, EINVAL, E2BIG, 0 };
/* EDQUOT: past grants_max outstanding grants. */
static const int fz_errs_mem_grant[] = {
	EFAULT, EINVAL, E2BIG, EPERM, ESRCH, ENOMEM, EDQUOT, 0,
};
static const int fz_errs_mem_ungrant[] = { EFAULT, EINVAL, E2BIG, ENOENT, 0 };
/* EEXIST: a second NET cap on one ring to one grantee. */
static const int fz_errs_cap_grant[] = {
	EFAULT, EINVAL, E2BIG, EPERM, ESRCH, ENOMEM, EDQUOT, EEXIST, 0,
};
/* ENOENT: also an id under CPU, which the fuzzer grants none of. */
static const int fz_errs_cap_revoke[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, 0,
};
static const int fz_errs_mem_revoke[] = {
	EFAULT, EINVAL, E2BIG, EPERM, ESRCH, EBUSY, 0,
};
static const int fz_errs_mem_repo[] = { EFAULT, EINVAL, E2BIG, ENOMEM, 0 };
static const int fz_errs_mem_region_set[] = { EFAULT, EINVAL, E2BIG, 0 };
static const int fz_errs_mem_fault_resolve[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, 0,
};

#define FZ_MEM_ROW(nm, cm, type, minfield, fl, res, at, g, d, errs)	\
	{								\
		.name = nm, .cmd = cm, .size = sizeof(type),		\
		.minsz = FZ_OFFSETOFEND(type, minfield),		\
		.flags_off = offsetof(type, flags), .flags_known = fl,	\
		.reserved_off = { res }, .nreserved = res >= 0,		\
		.attrs = at, .gen = g, .done = d, .errnos = errs,	\
	}

const struct fz_ioctl fz_mem_ioctls[] = {
	FZ_MEM_ROW("EXO_IOC_MEM_INFO", EXO_IOC_MEM_INFO, struct exo_mem_info,
		   reserved, 0, (int)offsetof(struct exo_mem_info, reserved),
		   FZ_WRITES | FZ_VALID_OK, fz_gen_mem_info, fz_done_mem_info,
		   fz_errs_mem_info),
	FZ_MEM_ROW("EXO_IOC_MEM_ALLOC", EXO_IOC_MEM_ALLOC, struct exo_mem_alloc,
		   addr,
		   EXO_MEM_ALLOC_INDEX | EXO_MEM_ALLOC_COLOUR |
		   EXO_MEM_ALLOC_MAP | EXO_MEM_PROT_WRITE, -1, FZ_PREFER_STATE,
		   fz_gen_mem_alloc, fz_done_mem_alloc, fz_errs_mem_alloc),
	FZ_MEM_ROW("EXO_IOC_MEM_FREE", EXO_IOC_MEM_FREE, struct exo_mem_batch,
		   addr, 0, (int)offsetof(struct exo_mem_batch, reserved), FZ_PREFER_STATE,
		   fz_gen_mem_free, fz_done_mem_free, fz_errs_mem_free),
	FZ_MEM_ROW("EXO_IOC_MEM_MAP", EXO_IOC_MEM_MAP, struct exo_mem_batch,
		   addr, EXO_MEM_PROT_WRITE,
		   (int)offsetof(struct exo_mem_batch, reserved), FZ_PREFER_STATE,
		   fz_gen_mem_map, fz_done_mem_map, fz_errs_mem_map),
	FZ_MEM_ROW("EXO_IOC_MEM_UNMAP", EXO_IOC_MEM_UNMAP, struct exo_mem_unmap,
		   addr, 0, (int)offsetof(struct exo_mem_unmap, reserved), FZ_PREFER_STATE,
		   fz_gen_mem_unmap, fz_done_mem_unmap, fz_errs_mem_unmap),
	FZ_MEM_ROW("EXO_IOC_MEM_GRANT", EXO_IOC_MEM_GRANT, struct exo_mem_grant,
		   grant_id, EXO_MEM_GRANT_WRITE, -1, FZ_WRITES | FZ_PREFER_STATE,
		   fz_gen_mem_grant, fz_done_mem_grant, fz_errs_mem_grant),
	FZ_MEM_ROW("EXO_IOC_MEM_UNGRANT", EXO_IOC_MEM_UNGRANT,
		   struct exo_mem_grant, grant_id, 0, -1, FZ_PREFER_STATE,
		   fz_gen_mem_ungrant, fz_done_mem_ungrant, fz_errs_mem_ungrant),
	FZ_MEM_ROW("EXO_IOC_CAP_GRANT", EXO_IOC_CAP_GRANT, struct exo_cap,
		   cap_id, 0, -1, FZ_WRITES | FZ_PREFER_STATE,
		   fz_gen_cap_mem_grant, fz_done_cap_mem_grant,
		   fz_errs_cap_grant),
	FZ_MEM_ROW("EXO_IOC_CAP_GRANT (NET)", EXO_IOC_CAP_GRANT, struct exo_cap,
		   cap_id, 0, -1, FZ_WRITES, fz_gen_cap_net_grant,
		   fz_done_cap_net_grant, fz_errs_cap_grant),
	FZ_MEM_ROW("EXO_IOC_CAP_REVOKE", EXO_IOC_CAP_REVOKE, struct exo_cap,
		   cap_id, 0, -1, FZ_PREFER_STATE, fz_gen_cap_mem_revoke,
		   fz_done_mem_ungrant, fz_errs_cap_revoke),
	FZ_MEM_ROW("EXO_IOC_MEM_REVOKE", EXO_IOC_MEM_REVOKE,
		   struct exo_mem_revoke, env_id, 0, -1, FZ_WRITES,
		   fz_gen_mem_revoke, fz_done_mem_revoke, fz_errs_mem_revoke),
	FZ_MEM_ROW("EXO_IOC_MEM_REPOSSESSED", EXO_IOC_MEM_REPOSSESSED,
		   struct exo_mem_repossessed, indexes, 0, -1, FZ_WRITES,
		   fz_gen_mem_repossessed, fz_done_mem_repossessed,
		   fz_errs_mem_repo),
	FZ_MEM_ROW("EXO_IOC_MEM_REGION_SET", EXO_IOC_MEM_REGION_SET,
		   struct exo_mem_region, addr, EXO_REGION_FAULT_UPCALL, -1,
		   0, fz_gen_mem_region_set, fz_done_mem_region_set,
		   fz_errs_mem_region_set),
	FZ_MEM_ROW("EXO_IOC_MEM_FAULT_RESOLVE", EXO_IOC_MEM_FAULT_RESOLVE,
		   struct exo_mem_fault_resolve, reserved,
		   EXO_MEM_FAULT_FAIL | EXO_MEM_PROT_WRITE,
		   (int)offsetof(struct exo_mem_fault_resolve, reserved), 0,
		   fz_gen_mem_fault_resolve, fz_done_mem_none,
		   fz_errs_mem_fault_resolve),
};

const size_t fz_mem_nioctls = FZ_ARRAY_SIZE(fz_mem_ioctls);
