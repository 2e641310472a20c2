// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: building one ioctl from its table row (argsz, flags, reserved
 * fields, the row's own generator, where the argument lies in memory) and
 * checking what came back against the row's errnos, the worker's state and
 * the bytes the kernel had no business writing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fz_engine.h"

const struct fz_ioctl *fz_rows[FZ_MAX_ROWS];
size_t fz_nrows;

/* ---- argument memory --------------------------------------------------- */

/*
 * [rw: 2 pages][guard: PROT_NONE][ro: read-only][rdbuf: 64 KiB][rdguard]
 * [aux: FZ_AUX][guard]
 */
int fz_arena_init(struct fz_worker *w)
{
	size_t rdpages = FZ_RDBUF / fz_page;
	size_t total = (2 + 1 + 1 + rdpages + 1) * fz_page + FZ_AUX + fz_page;
	unsigned char *a;

	a = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -1;
	w->rw = a;
	w->guard = a + 2 * fz_page;
	w->ro = w->guard + fz_page;
	w->rdbuf = w->ro + fz_page;
	w->rdguard = w->rdbuf + FZ_RDBUF;
	w->aux = w->rdguard + fz_page;
	if (mprotect(w->guard, fz_page, PROT_NONE) ||
	    mprotect(w->ro, fz_page, PROT_READ) ||
	    mprotect(w->rdguard, fz_page, PROT_NONE) ||
	    mprotect(w->aux + FZ_AUX, fz_page, PROT_NONE))
		return -1;
	return 0;
}

/* ---- building and checking an ioctl ------------------------------------ */

static __u32 fz_pick_argsz(struct fz_worker *w, const struct fz_ioctl *d)
{
	__u64 p = fz_below(&w->rng, 100);

	if (p < 50)
		return d->size;
	if (p < 55)
		return 0;
	if (p < 62)
		return 1 + fz_below(&w->rng, d->minsz - 1);
	if (p < 72)
		return d->size + 1 + fz_below(&w->rng, 64);
	if (p < 78)
		return fz_page;
	if (p < 82)
		return fz_page + 1;
	if (p < 88)
		return fz_page + 1 + fz_below(&w->rng, 0xffffffffULL - fz_page);
	return d->minsz + fz_below(&w->rng, fz_page - d->minsz + 1);
}

/* Lay the staged argument out in memory as c->mem says. */
static void fz_place(struct fz_worker *w, struct fz_call *c)
{
	const struct fz_ioctl *d = c->ioc;
	__u64 p = fz_below(&w->rng, 100);
	size_t off;
	unsigned int k;

	if (p < 70) {
		c->mem = FZ_MEM_RW;
		off = fz_below(&w->rng, 2 * fz_page - c->len - FZ_CANARY + 1);
		if (fz_chance(&w->rng, 75))
			off &= ~(size_t)7;
		c->where = w->rw + off;
		c->readable = 2 * fz_page - off;
		memset(c->buf + c->len, FZ_CANARY_BYTE, FZ_CANARY);
		memcpy(c->where, c->buf, c->len + FZ_CANARY);
	} else if (p < 80 && c->len <= fz_page) {
		c->mem = FZ_MEM_RO;
		off = fz_below(&w->rng, fz_page - c->len + 1) & ~(size_t)7;
		c->where = w->ro + off;
		c->readable = fz_page - off;
		if (mprotect(w->ro, fz_page, PROT_READ | PROT_WRITE) == 0) {
			memcpy(c->where, c->buf, c->len);
			mprotect(w->ro, fz_page, PROT_READ);
		}
		if (d->attrs & FZ_WRITES)
			fz_bad(c, "result on a read-only page");
	} else if (p < 90) {
		c->mem = FZ_MEM_STRADDLE;
		k = 1 + fz_below(&w->rng, c->len + 8);
		c->where = w->guard - k;
		c->readable = k;
		memcpy(c->where, c->buf, k < c->len ? k : c->len);
		if (k < 4 || (c->argsz <= fz_page && k < c->argsz))
			fz_bad(c, "argument runs into PROT_NONE");
	} else if (p < 95) {
		c->mem = FZ_MEM_NULL;
		fz_bad(c, "NULL argument");
	} else {
		c->mem = FZ_MEM_WILD;
		c->arg = fz_wild_value(w);
		fz_bad(c, "wild pointer");
		return;
	}
	c->arg = (unsigned long)c->where;
}

static void fz_make_ioctl(struct fz_worker *w, struct fz_env *e,
			  const struct fz_ioctl *d, struct fz_call *c)
{
	__u32 flags;
	int i;

	c->ioc = d;
	c->bad = false;
	c->flags_mutated = false;
	c->expect = 0;
	memset(c->note, 0, sizeof(c->note));
	c->why[0] = '\0';
	c->err = 0;
	c->where = NULL;
	c->readable = 0;
	c->len = 0;
	c->argsz = 0;
	if (d->attrs & (FZ_NO_ARG | FZ_UNKNOWN)) {
		d->gen(w, e, c);
		return;
	}

	c->cmd = d->cmd;
	c->argsz = fz_pick_argsz(w, d);
	c->len = c->argsz <= fz_page ?
		 (c->argsz > d->size ? c->argsz : d->size) : d->size;
	memset(c->buf, 0, c->len);
	fz_put32(c->buf, c->argsz);
	if (c->argsz < d->minsz)
		fz_bad(c, "argsz below the minimum");
	if (c->argsz > fz_page)
		fz_bad(c, "argsz above a page");

	if (d->flags_off >= 0) {
		if (fz_chance(&w->rng, 85))
			flags = fz_next(&w->rng) & d->flags_known;
		else if (fz_chance(&w->rng, 50))
			flags = 1U << fz_below(&w->rng, 32);
		else
			flags = fz_next(&w->rng);
		fz_put32(c->buf + d->flags_off, flags);
		if (flags & ~d->flags_known) {
			c->flags_mutated = true;
			fz_bad(c, "unknown flags");
		}
	}
	for (i = 0; i < d->nreserved; i++) {
		if (fz_chance(&w->rng, 92))
			continue;
		fz_put32(c->buf + d->reserved_off[i],
			 1U | (__u32)fz_next(&w->rng));
		fz_bad(c, "reserved field set");
	}

	d->gen(w, e, c);

	/* A longer argsz with something non-zero past what the kernel knows. */
	if (c->argsz > d->size && c->argsz <= fz_page && fz_chance(&w->rng, 30)) {
		size_t at = fz_chance(&w->rng, 20) ? c->argsz - 1 :
			    d->size + fz_below(&w->rng, c->argsz - d->size);

		c->buf[at] = 1 + fz_below(&w->rng, 255);
		fz_bad(c, "non-zero tail");
	}
	fz_place(w, c);
}

/* No byte the kernel had no business writing has changed. */
static void fz_check_untouched(struct fz_worker *w, struct fz_call *c)
{
	const struct fz_ioctl *d = c->ioc;
	size_t from = 0, to, i;

	if (c->mem != FZ_MEM_RW && c->mem != FZ_MEM_STRADDLE)
		return;
	to = c->len + (c->mem == FZ_MEM_RW ? FZ_CANARY : 0);
	if (to > c->readable)
		to = c->readable;
	if ((d->attrs & FZ_WRITES) &&
	    (!c->err || (d->writes_on_err && c->err == d->writes_on_err)))
		from = c->argsz < d->size ? c->argsz : d->size;
	for (i = from; i < to; i++)
		if (c->where[i] != c->buf[i])
			break;
	fz_expect(w, FZ_CHK_MODEL, i >= to,
		  "byte %zu of the argument changed to %#x (%s; kernel may write [0, %zu))",
		  i, i < to ? c->where[i] : 0, c->err ? "refused call" : "ok",
		  from);
}

static void fz_check_ioctl(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	const struct fz_ioctl *d = c->ioc;
	bool unknown = d->attrs & FZ_UNKNOWN;
	bool needs_hs = !(d->attrs & (FZ_NO_HANDSHAKE | FZ_UNKNOWN));
	int eperm = e->foreign && !unknown ? EPERM : 0;
	int eproto = needs_hs && !e->handshaken && !e->foreign ? EPROTO : 0;
	int err = c->err, want = 0;
	char set[160];

	fz_count(c->site, err);
	fz_set_names(set, sizeof(set), d->errnos, eperm, eproto);
	fz_expect(w, FZ_CHK_ERRNO,
		  !err || fz_in(d->errnos, err) || err == eperm || err == eproto,
		  "%s returned %s, allowed: ok %s", d->name, fz_errname(err),
		  set);

	if (unknown)
		want = ENOTTY;
	else if (eperm)
		want = EPERM;
	else if (eproto)
		want = EPROTO;
	if (want)
		fz_expect(w, FZ_CHK_STATE, err == want,
			  "%s returned %s, must be %s", d->name,
			  fz_errname(err), fz_errname(want));

	if (c->bad)
		fz_expect(w, FZ_CHK_BAD, err != 0,
			  "%s succeeded with bad input (%s)", d->name, c->why);
	else if ((d->attrs & FZ_VALID_OK) && !want)
		fz_expect(w, FZ_CHK_GOOD, err == 0,
			  "%s refused a valid argument with %s", d->name,
			  fz_errname(err));

	fz_check_untouched(w, c);
	if (!e->foreign && d->done)
		d->done(w, e, c, c->mem <= FZ_MEM_STRADDLE ? c->where : NULL);
}

void fz_run_ioctl(struct fz_worker *w, struct fz_env *e, size_t row)
{
	struct fz_call c;

	fz_make_ioctl(w, e, fz_rows[row], &c);
	c.site = row;
	fz_cur.call = &c;
	c.err = ioctl(e->fd, c.cmd, c.arg) < 0 ? errno : 0;
	fz_check_ioctl(w, e, &c);
	fz_cur.call = NULL;
}
