// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: an in-VM fuzzer of /dev/exo.
 *
 * Worker processes (-w, default 4), each with environments of its own, make
 * random and structure-aware calls: every ioctl of the tables (fz_ioctls.c
 * for the foundation, fz_mem.c for the memory binding) with mutated argsz,
 * flags, fields and pointers; read(2), poll(2), epoll; mmap(2)/munmap(2) of
 * regions and touches of their pages; fcntl, dup, close and reopen; and fork
 * (the child pokes at the inherited environments, which are not its own).
 * The parent SIGKILLs workers after a random number of their calls, seen
 * through a counter in shared memory, and respawns them until the budget of
 * calls (-n, FUZZ_CALLS, default 50000) is spent.
 *
 * Each worker keeps a model of its environments (handshake done or not, the
 * event queue record by record, the frames held and the pages bound) and
 * checks every result against it and against the call's allowed errnos.
 * The checks are enum fz_check; each counts as one kselftest test in the
 * "# Totals:" line. Checks of known kernel bugs count as XFAIL while the bug
 * shows and as XPASS once it does not (check.sh counts XPASS as a failure,
 * so the mark gets dropped when the bug is fixed). exo-fuzz exits 0 only if
 * no check fails and none XPASSes.
 *
 * Reproducible: "exo-fuzz: seed N" is printed first; SEED=N or -s N replays
 * the same calls. Worker W's generation G draws from a stream derived from
 * (seed, W, G) alone, and so does the call at which the parent kills it, so
 * a failure reported as "worker W.G call C" replays on its own with
 * "exo-fuzz -s SEED -R W.G -n C" (one worker, no kills).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fz_engine.h"

#define FZ_DEV			"/dev/exo"
#define FZ_STATUS		"/sys/kernel/debug/exo/status"
#define FZ_TAINTED		"/proc/sys/kernel/tainted"
#define FZ_DEFAULT_CALLS	50000
#define FZ_DEFAULT_WORKERS	4
#define FZ_DEFAULT_LIFE		500	/* mean calls between kills */
#define FZ_HANG_SECS		120	/* no call at all for this long: hung */
#define FZ_RDBUF		(64 * 1024)
#define FZ_EV			((ssize_t)sizeof(struct exo_event))

/*
 * mmap(2) of /dev/exo succeeds only once the kernel advertises the memory
 * binding, and then only for the owner after the handshake.
 */
#ifdef EXO_FEATURE_MEM
#define FZ_FEATURE_MEM		EXO_FEATURE_MEM
#else
#define FZ_FEATURE_MEM		0
#endif

/* Settings, fixed before the first fork (fz_seed is fz_util.c's). */
static __u64 fz_budget = FZ_DEFAULT_CALLS;
static int fz_workers = FZ_DEFAULT_WORKERS;
static __u64 fz_life = FZ_DEFAULT_LIFE;
static int fz_replay_slot = -1;
static __u32 fz_replay_gen;
static int fz_notify_fd = -1;	/* workers write a byte: "look at me" */
static __u64 fz_tenth;

const struct fz_ioctl *fz_rows[FZ_MAX_ROWS];
size_t fz_nrows;

/* ---- debugfs and taint ----------------------------------------------- */

static char *fz_slurp(const char *path)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t got;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* "key: value" of the status file; -1 if absent. */
static long long fz_status_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtoll(line + klen + 1, NULL, 10);
	return -1;
}

static long fz_status_env_lines(const char *text)
{
	const char *line;
	long n = 0;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, "env ", 4))
			n++;
	return n;
}

static unsigned long long fz_tainted(void)
{
	char *text = fz_slurp(FZ_TAINTED);
	unsigned long long v = 0;

	if (text)
		v = strtoull(text, NULL, 10);
	free(text);
	return v;
}

/* ---- argument memory --------------------------------------------------- */

/*
 * [rw: 2 pages][guard: PROT_NONE][ro: read-only][rdbuf: 64 KiB][rdguard]
 * [aux: FZ_AUX][guard]
 */
static int fz_arena_init(struct fz_worker *w)
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

static void fz_run_ioctl(struct fz_worker *w, struct fz_env *e, size_t row)
{
	struct fz_call c;

	fz_make_ioctl(w, e, fz_rows[row], &c);
	c.site = row;
	fz_cur.call = &c;
	c.err = ioctl(e->fd, c.cmd, c.arg) < 0 ? errno : 0;
	fz_check_ioctl(w, e, &c);
	fz_cur.call = NULL;
}

/* ---- operations ------------------------------------------------------ */

struct fz_op {
	const char *name;
	unsigned int weight;
	bool in_fork_child;	/* also run by a forked child */
	void (*run)(struct fz_worker *w);
};

static const struct fz_op fz_ops[FZ_NOPS];

static struct fz_env *fz_pick_env(struct fz_worker *w)
{
	int i, n = 0, pick[FZ_ENVS];

	for (i = 0; i < FZ_ENVS; i++)
		if (w->env[i].fd >= 0)
			pick[n++] = i;
	if (!n)
		return NULL;
	return &w->env[pick[fz_below(&w->rng, n)]];
}

static void fz_op_reopen(struct fz_worker *w);

/* An env with a region, else one holding frames, if there is one. */
static struct fz_env *fz_pick_rich_env(struct fz_worker *w)
{
	int i, n = 0, nr = 0, pick[FZ_ENVS], rich[FZ_ENVS], r;

	for (i = 0; i < FZ_ENVS; i++) {
		struct fz_env *e = &w->env[i];
		bool region = false;

		if (e->fd < 0)
			continue;
		for (r = 0; r < w->nmaps; r++)
			if (w->maps[r].env == i && w->maps[r].serial == e->serial)
				region = true;
		if (region)
			rich[nr++] = i;
		else if (e->nheld)
			pick[n++] = i;
	}
	if (nr)
		return &w->env[rich[fz_below(&w->rng, nr)]];
	return n ? &w->env[pick[fz_below(&w->rng, n)]] : NULL;
}

static void fz_op_ioctl(struct fz_worker *w)
{
	size_t row = fz_below(&w->rng, fz_nrows);
	struct fz_env *e = NULL;

	if ((fz_rows[row]->attrs & FZ_PREFER_STATE) && fz_chance(&w->rng, 75))
		e = fz_pick_rich_env(w);
	if (!e)
		e = fz_pick_env(w);
	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	fz_run_ioctl(w, e, row);
}

static int fz_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

/* Check a read(2) result against the model and take what it returned. */
static void fz_check_read(struct fz_worker *w, struct fz_env *e, ssize_t ret,
			  int err, const unsigned char *buf, size_t len,
			  enum fz_mem mem, size_t avail, bool intr)
{
	int eperm = e->foreign ? EPERM : 0;
	int eproto = !e->handshaken && !e->foreign ? EPROTO : 0;
	int ebadf = e->accmode == O_WRONLY ? EBADF : 0;
	bool sane = len <= (1U << 20) &&
		    (mem == FZ_MEM_RW || mem == FZ_MEM_STRADDLE ||
		     mem == FZ_MEM_RO || mem == FZ_MEM_NULL);
	ssize_t want = -1;
	int want_err = 0;
	__u64 n, i;

	fz_count(fz_op_site(intr ? FZ_OP_READ_INTR : FZ_OP_READ), ret < 0 ? err : 0);
	snprintf(fz_cur.extra, sizeof(fz_cur.extra),
		 "read(%p, %zu) %s, %zu writable -> %zd %s", (const void *)buf,
		 len, fz_mem_names[mem], avail, ret,
		 ret < 0 ? fz_errname(err) : "");
	if (ret < 0)
		fz_expect(w, FZ_CHK_ERRNO,
			  err == EINVAL || err == EAGAIN || err == EFAULT ||
			  err == eperm || err == eproto || err == ebadf ||
			  (intr && err == EINTR),
			  "read(2) returned %s", fz_errname(err));
	if (len < (size_t)FZ_EV)
		fz_expect(w, FZ_CHK_BAD, ret < 0,
			  "read(2) of %zu bytes, less than a record, succeeded", len);

	/* What must happen, where it can be told. */
	if (ebadf)
		want_err = EBADF;
	else if (sane && eperm)
		want_err = EPERM;
	else if (sane && eproto)
		want_err = EPROTO;
	if (want_err) {
		fz_expect(w, FZ_CHK_STATE, ret < 0 && err == want_err,
			  "read(2) returned %zd %s, must be %s", ret,
			  ret < 0 ? fz_errname(err) : "", fz_errname(want_err));
		return;
	}
	if (e->foreign)
		return;
	if (sane && e->q && !intr) {
		n = len / FZ_EV;
		if ((size_t)avail / FZ_EV < n)
			n = avail / FZ_EV;
		if (e->qcount < n)
			n = e->qcount;
		if (len < (size_t)FZ_EV)
			want_err = EINVAL;
		else if (!e->qcount)
			want_err = EAGAIN;
		else if (!n)
			want_err = EFAULT;
		else
			want = n * FZ_EV;
		fz_expect(w, FZ_CHK_MODEL,
			  want_err ? ret < 0 && err == want_err : ret == want,
			  "read(2) returned %zd %s, model says %zd %s (%u queued)",
			  ret, ret < 0 ? fz_errname(err) : "", want,
			  want_err ? fz_errname(want_err) : "", e->qcount);
	}
	if (ret < 0)
		return;
	if (!fz_expect(w, FZ_CHK_MODEL,
		       mem == FZ_MEM_RW || mem == FZ_MEM_STRADDLE,
		       "read(2) into %s memory returned %zd", fz_mem_names[mem],
		       ret))
		return;
	if (!fz_expect(w, FZ_CHK_MODEL,
		       ret > 0 && ret % FZ_EV == 0 && (size_t)ret <= len &&
		       (size_t)ret <= avail,
		       "read(2) of %zu returned %zd: not whole records in the buffer",
		       len, ret))
		return;
	for (i = 0; i < (__u64)(ret / FZ_EV); i++) {
		struct exo_event ev;

		memcpy(&ev, buf + i * FZ_EV, sizeof(ev));
		fz_model_take(w, e, &ev, i);
	}
}

static void fz_op_read(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	static const size_t huge[] = {
		SIZE_MAX, (size_t)SSIZE_MAX + 1, (size_t)1 << 40, 1U << 31,
	};
	enum fz_mem mem;
	unsigned char *buf;
	size_t len, avail = 0, off;
	bool toggled = false;
	__u64 p;
	ssize_t ret;
	int err = 0;

	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	p = fz_below(&w->rng, 100);
	if (p < 8)
		len = 0;
	else if (p < 18)
		len = 1 + fz_below(&w->rng, FZ_EV - 1);
	else if (p < 45)
		len = FZ_EV * (1 + fz_below(&w->rng, 8));
	else if (p < 55)
		len = FZ_EV * (1 + fz_below(&w->rng, 300));
	else if (p < 65)
		len = fz_below(&w->rng, FZ_RDBUF + 1);
	else if (p < 75)
		len = FZ_EV + 1 + fz_below(&w->rng, FZ_EV - 1);
	else if (p < 85)
		len = FZ_RDBUF;
	else if (p < 93)
		len = 1U << 20;
	else
		len = huge[fz_below(&w->rng, FZ_ARRAY_SIZE(huge))];

	p = fz_below(&w->rng, 100);
	if (p < 75) {
		mem = FZ_MEM_RW;
		off = fz_chance(&w->rng, 80) ? 0 : fz_below(&w->rng, FZ_EV);
		buf = w->rdbuf + off;
		avail = FZ_RDBUF - off;
	} else if (p < 85) {
		mem = FZ_MEM_STRADDLE;
		avail = fz_below(&w->rng, 4 * FZ_EV + 1);
		buf = w->rdguard - avail;
	} else if (p < 90) {
		mem = FZ_MEM_RO;
		buf = w->ro;
	} else if (p < 95) {
		mem = FZ_MEM_NULL;
		buf = NULL;
	} else {
		mem = FZ_MEM_WILD;
		buf = (unsigned char *)fz_wild_value(w);
	}

	/* Never block here: a blocking read only when records are queued. */
	if (!e->nonblock && !e->foreign &&
	    !(e->q && e->qcount && e->handshaken)) {
		if (fz_set_nonblock(e->fd, true) == 0)
			toggled = true;
	}
	ret = syscall(SYS_read, e->fd, buf, len);
	if (ret < 0)
		err = errno;
	if (toggled)
		fz_set_nonblock(e->fd, false);
	fz_check_read(w, e, ret, err, buf, len, mem, avail, false);
	fz_cur.extra[0] = '\0';
}

static void fz_alarm(int sig)
{
	(void)sig;
}

/* A blocking read with nothing queued, ended by a timer signal: EINTR. */
static void fz_op_read_intr(struct fz_worker *w)
{
	struct itimerval it = {
		.it_interval = { .tv_usec = 2000 },
		.it_value = { .tv_usec = 2000 },
	};
	struct itimerval off = { 0 };
	struct fz_env *e = fz_pick_env(w);
	size_t len;
	ssize_t ret;
	int err = 0;

	if (!e || e->foreign || !e->handshaken || e->accmode == O_WRONLY ||
	    !e->q || e->qcount)
		return fz_op_read(w);
	fz_cur.env = e;
	len = FZ_EV * (1 + fz_below(&w->rng, 4));
	if (e->nonblock && fz_set_nonblock(e->fd, false))
		return;
	/* The timer repeats until disarmed, so it cannot fire too early. */
	setitimer(ITIMER_REAL, &it, NULL);
	ret = read(e->fd, w->rdbuf, len);
	if (ret < 0)
		err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	if (e->nonblock)
		fz_set_nonblock(e->fd, true);
	fz_check_read(w, e, ret, err, w->rdbuf, len, FZ_MEM_RW, FZ_RDBUF, true);
	fz_expect(w, FZ_CHK_MODEL, ret < 0 && err == EINTR,
		  "blocking read(2) with nothing queued returned %zd %s, not EINTR",
		  ret, ret < 0 ? fz_errname(err) : "");
	fz_cur.extra[0] = '\0';
}

static void fz_op_poll(struct fz_worker *w)
{
	static const short bits[] = {
		POLLIN, POLLRDNORM, POLLOUT, POLLPRI, POLLWRNORM, POLLRDHUP,
	};
	struct fz_env *e = fz_pick_env(w);
	struct pollfd pfd;
	short want;
	size_t i;
	int ret, err;

	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	pfd.fd = e->fd;
	pfd.events = 0;
	pfd.revents = 0;
	for (i = 0; i < FZ_ARRAY_SIZE(bits); i++)
		if (fz_chance(&w->rng, 50))
			pfd.events |= bits[i];
	ret = poll(&pfd, 1, 0);
	err = ret < 0 ? errno : 0;
	fz_count(fz_op_site(FZ_OP_POLL), err);
	if (!fz_expect(w, FZ_CHK_ERRNO, ret >= 0, "poll(2) failed: %s",
		       fz_errname(err)))
		return;
	if (e->foreign) {
		fz_expect(w, FZ_CHK_STATE,
			  (pfd.revents & POLLERR) && !(pfd.revents & POLLIN),
			  "poll(2) of another process's env: revents %#x, want POLLERR",
			  pfd.revents);
		return;
	}
	fz_expect(w, FZ_CHK_MODEL,
		  !(pfd.revents & ~(POLLIN | POLLRDNORM)),
		  "poll(2) revents %#x (events %#x)", pfd.revents, pfd.events);
	if (e->q) {
		want = e->qcount ? pfd.events & (POLLIN | POLLRDNORM) : 0;
		fz_expect(w, FZ_CHK_MODEL, pfd.revents == want,
			  "poll(2) revents %#x for events %#x, want %#x (%u queued)",
			  pfd.revents, pfd.events, want, e->qcount);
	}
}

static void fz_op_epoll(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	struct epoll_event ev, evs[8];
	int i, n, ret, err, slot;
	__u64 p;

	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	if (w->epfd < 0) {
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w->epfd < 0)
			return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (fz_chance(&w->rng, 30) ? EPOLLET : 0) |
		    (fz_chance(&w->rng, 30) ? EPOLLRDNORM : 0);
	ev.data.u64 = (__u64)(e - w->env) << 32 | e->serial;
	p = fz_below(&w->rng, 100);
	if (p < 60) {
		n = epoll_wait(w->epfd, evs, FZ_ARRAY_SIZE(evs), 0);
		err = n < 0 ? errno : 0;
		fz_count(fz_op_site(FZ_OP_EPOLL), err);
		fz_expect(w, FZ_CHK_ERRNO, n >= 0, "epoll_wait: %s",
			  fz_errname(err));
		for (i = 0; i < n; i++) {
			struct fz_env *o;

			slot = evs[i].data.u64 >> 32;
			if (slot >= FZ_ENVS)
				continue;
			o = &w->env[slot];
			if (o->fd < 0 || o->serial != (__u32)evs[i].data.u64)
				continue;
			if (o->foreign) {
				fz_expect(w, FZ_CHK_STATE,
					  evs[i].events & EPOLLERR,
					  "epoll: another process's env gave %#x, want EPOLLERR",
					  evs[i].events);
				continue;
			}
			fz_expect(w, FZ_CHK_MODEL,
				  !(evs[i].events & ~(EPOLLIN | EPOLLRDNORM)) &&
				  (!o->q || o->qcount),
				  "epoll: env slot %d gave %#x with %u queued",
				  slot, evs[i].events, o->qcount);
		}
		return;
	}
	if (p < 80)
		ret = epoll_ctl(w->epfd, EPOLL_CTL_ADD, e->fd, &ev);
	else if (p < 90)
		ret = epoll_ctl(w->epfd, EPOLL_CTL_MOD, e->fd, &ev);
	else
		ret = epoll_ctl(w->epfd, EPOLL_CTL_DEL, e->fd, NULL);
	err = ret < 0 ? errno : 0;
	fz_count(fz_op_site(FZ_OP_EPOLL), err);
	fz_expect(w, FZ_CHK_ERRNO, !err || err == EEXIST || err == ENOENT,
		  "epoll_ctl: %s", fz_errname(err));
}

static void fz_op_mmap(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ | PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	size_t len;
	off_t off;
	int prot, flags, err;
	void *addr;
	__u64 p;

	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	if ((fz_kernel_features & FZ_FEATURE_MEM) && fz_chance(&w->rng, 50)) {
		/* A region as a libOS makes one: small, shared, from 0. */
		len = fz_page * (1 + fz_below(&w->rng, 16));
		p = fz_below(&w->rng, 100);
		prot = p < 75 ? PROT_READ | PROT_WRITE : p < 90 ? PROT_READ :
		       PROT_NONE;
		flags = MAP_SHARED;
		off = 0;
		goto map;
	}
	p = fz_below(&w->rng, 100);
	if (p < 10)
		len = 0;
	else if (p < 50)
		len = fz_page;
	else if (p < 80)
		len = fz_page * (1 + fz_below(&w->rng, 256));
	else if (p < 95)
		len = 1 + fz_below(&w->rng, 4 * fz_page);
	else
		len = (size_t)1 << 40;
	prot = prots[fz_below(&w->rng, FZ_ARRAY_SIZE(prots))];
	p = fz_below(&w->rng, 100);
	flags = p < 60 ? MAP_SHARED : p < 90 ? MAP_PRIVATE :
		p < 95 ? MAP_SHARED | MAP_PRIVATE : 0;
	if (fz_chance(&w->rng, 20))
		flags |= MAP_POPULATE;
	if (fz_chance(&w->rng, 10))
		flags |= MAP_NORESERVE;
	p = fz_below(&w->rng, 100);
	off = p < 60 ? 0 : p < 90 ? (off_t)(fz_page * fz_below(&w->rng, 64)) :
	      p < 95 ? (off_t)1 << 40 : 123;

map:
	addr = mmap(NULL, len, prot, flags, e->fd, off);
	err = addr == MAP_FAILED ? errno : 0;
	fz_count(fz_op_site(FZ_OP_MMAP), err);
	snprintf(fz_cur.extra, sizeof(fz_cur.extra),
		 "mmap(len %zu, prot %#x, flags %#x, off %#llx) -> %s", len,
		 prot, flags, (unsigned long long)off, fz_errname(err));
	if (!err && (__u64)off >= EXO_MMAP_CPU && (__u64)off < EXO_MMAP_NET) {
		/* The CPU binding's slot page: one page, never writable. */
		fz_expect(w, FZ_CHK_MODEL, !(prot & PROT_WRITE) &&
			  (len + fz_page - 1) / fz_page == 1 &&
			  off == (off_t)EXO_MMAP_CPU,
			  "slot page mapped: prot %#x len %zu off %#llx", prot,
			  len, (unsigned long long)off);
		munmap(addr, len);
		fz_cur.extra[0] = '\0';
		return;
	}
	if (!err) {
		bool served = fz_kernel_features & FZ_FEATURE_MEM;

		fz_expect(w, FZ_CHK_ERRNO, served,
			  "mmap(2) of /dev/exo succeeded; the kernel serves no memory binding");
		if (served)
			fz_expect(w, FZ_CHK_STATE, !e->foreign && e->handshaken,
				  "mmap(2) succeeded on %s",
				  e->foreign ? "another process's env" :
				  "an env before its handshake");
		fz_mem_mmapped(w, e, addr, len, prot);
	} else {
		fz_expect(w, FZ_CHK_ERRNO,
			  err == ENODEV || err == EINVAL || err == ENOMEM ||
			  err == EOVERFLOW || err == EACCES ||
			  err == EPERM || (err == EPROTO && !e->handshaken),
			  "mmap(2) returned %s", fz_errname(err));
	}
	fz_cur.extra[0] = '\0';
}

/*
 * What the kernel does to a region's VMA behind the module's back: moves
 * and resizes (a copied VMA once freed a region still mapped), a split,
 * and a protection round trip. A region is one VMA for life: every mremap
 * and split is refused and leaves it whole, as the model still has it.
 */
static void fz_vm_shape(struct fz_worker *w, int i)
{
	static const char *const what[] = {
		"moved, fixed", "grown, may move", "resized in place",
		"split", "mprotect round trip",
	};
	struct fz_map *m = &w->maps[i];
	__u64 how = fz_below(&w->shape_rng, 5);
	size_t len = m->len, newlen;
	void *q = MAP_FAILED, *r = MAP_FAILED;
	int ret = 0;

	snprintf(fz_cur.extra, sizeof(fz_cur.extra), "vm shape: %s",
		 what[how]);
	newlen = len * (1 + fz_below(&w->shape_rng, 2));
	if (fz_chance(&w->shape_rng, 30) && len >= 2 * fz_page)
		newlen = len / 2;
	switch (how) {
	case 0:
		q = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (q == MAP_FAILED)
			return;
		r = mremap(m->addr, len, newlen, MREMAP_MAYMOVE | MREMAP_FIXED,
			   q);
		break;
	case 1:
		r = mremap(m->addr, len, 2 * len, MREMAP_MAYMOVE);
		break;
	case 2:
		r = mremap(m->addr, len, newlen == len ? 2 * len : newlen, 0);
		break;
	case 3:
		if (len < 2 * fz_page)
			return;
		ret = munmap(m->addr + fz_page, fz_page) ? errno : 0;
		fz_count(fz_op_site(FZ_OP_MUNMAP), ret);
		fz_expect(w, FZ_CHK_ERRNO, ret == EINVAL,
			  "munmap of one page inside a region: %s",
			  fz_errname(ret));
		return;
	default:
		ret = mprotect(m->addr, len, PROT_READ) ? errno : 0;
		if (!ret)
			ret = mprotect(m->addr, len, m->prot) ? errno : 0;
		fz_count(fz_op_site(FZ_OP_MUNMAP), ret);
		fz_expect(w, FZ_CHK_ERRNO, ret == 0,
			  "mprotect round trip of a region: %s",
			  fz_errname(ret));
		return;
	}
	ret = r == MAP_FAILED ? errno : 0;
	fz_count(fz_op_site(FZ_OP_MUNMAP), ret);
	if (q != MAP_FAILED)
		munmap(q, 2 * len);
	if (fz_expect(w, FZ_CHK_ERRNO, r == MAP_FAILED,
		      "mremap of a region succeeded, to %p", r))
		return;
	/* Not what the module promises: forget it, and go on. */
	munmap(r, how == 0 ? newlen : 2 * len);
	fz_mem_munmap(w, i);
}

static void fz_op_munmap(struct fz_worker *w)
{
	int i, ret;

	if (!w->nmaps) {
		/* Nothing of /dev/exo is mapped: unmap a hole, which is fine. */
		ret = munmap(w->guard, 0) == 0 ? 0 : errno;
		fz_count(fz_op_site(FZ_OP_MUNMAP), ret);
		fz_expect(w, FZ_CHK_ERRNO, ret == EINVAL,
			  "munmap(len 0) returned %s", fz_errname(ret));
		return;
	}
	i = fz_below(&w->rng, w->nmaps);
	if (w->maps[i].state && fz_chance(&w->shape_rng, 50)) {
		fz_vm_shape(w, i);
		return;
	}
	ret = munmap(w->maps[i].addr, w->maps[i].len) == 0 ? 0 : errno;
	fz_count(fz_op_site(FZ_OP_MUNMAP), ret);
	fz_expect(w, FZ_CHK_ERRNO, ret == 0, "munmap of an exo mapping: %s",
		  fz_errname(ret));
	fz_mem_munmap(w, i);
}

static void fz_op_fcntl(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	int ret;

	if (!e)
		return fz_op_reopen(w);
	/* The flag is the open file's: a fork child would change the parent's. */
	if (e->foreign)
		return;
	fz_cur.env = e;
	ret = fz_set_nonblock(e->fd, !e->nonblock) ? errno : 0;
	fz_count(fz_op_site(FZ_OP_FCNTL), ret);
	if (fz_expect(w, FZ_CHK_ERRNO, ret == 0, "fcntl(F_SETFL): %s",
		      fz_errname(ret)))
		e->nonblock = !e->nonblock;
}

static void fz_op_dup(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	int fd, err;

	if (!e)
		return fz_op_reopen(w);
	fz_cur.env = e;
	fd = fz_chance(&w->rng, 50) ? dup(e->fd) :
	     fcntl(e->fd, F_DUPFD_CLOEXEC, 100 + (int)fz_below(&w->rng, 100));
	err = fd < 0 ? errno : 0;
	fz_count(fz_op_site(FZ_OP_DUP), err);
	if (!fz_expect(w, FZ_CHK_ERRNO, fd >= 0, "dup: %s", fz_errname(err)))
		return;
	/* The environment lives on in the new fd. */
	err = close(e->fd) ? errno : 0;
	fz_expect(w, FZ_CHK_ERRNO, !err, "close after dup: %s",
		  fz_errname(err));
	e->fd = fd;
}

static int fz_handshake(int fd)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};

	return ioctl(fd, EXO_IOC_API, &api) ? errno : 0;
}

/* Close one slot's environment (if any) and mostly open a new one. */
static void fz_op_reopen(struct fz_worker *w)
{
	struct fz_env *e = &w->env[fz_below(&w->rng, FZ_ENVS)];
	int oflags, fd, err;
	__u64 p;

	fz_cur.env = NULL;
	__atomic_fetch_add(&fz_sh->reopens, 1, __ATOMIC_RELAXED);
	if (e->fd >= 0) {
		err = close(e->fd) ? errno : 0;
		fz_expect(w, FZ_CHK_ERRNO, !err, "close(2) of an env: %s",
			  fz_errname(err));
		fz_mem_env_closed(w, e);
		fz_env_reset(e);
		if (fz_chance(&w->rng, 15))
			return;
	}
	p = fz_below(&w->rng, 100);
	oflags = p < 85 ? O_RDWR : p < 95 ? O_RDONLY : O_WRONLY;
	if (fz_chance(&w->rng, 40))
		oflags |= O_NONBLOCK;
	fd = open(FZ_DEV, oflags | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	fz_count(fz_op_site(FZ_OP_REOPEN), err);
	if (!fz_expect(w, FZ_CHK_ERRNO, fd >= 0 || err == ENOMEM,
		       "open(%s, %#x): %s", FZ_DEV, oflags, fz_errname(err)) ||
	    fd < 0)
		return;
	fz_env_init(w, e, fd, oflags);
	if (fz_chance(&w->rng, 70)) {
		fz_cur.env = e;
		err = fz_handshake(fd);
		fz_expect(w, FZ_CHK_GOOD, !err, "handshake after open: %s",
			  fz_errname(err));
		e->handshaken = !err;
	}
}

/* Claim @n more calls of the budget; how many were granted. */
static __u64 fz_claim(struct fz_worker *w, __u64 n);

/* Raise past the queue's length: overflow, and its record. */
static void fz_op_burst(struct fz_worker *w)
{
	struct fz_env *e = fz_pick_env(w);
	struct exo_event_raise raise = { .argsz = sizeof(raise) };
	__u64 i, n;
	int err;

	if (!e || e->foreign || !e->handshaken)
		return fz_op_ioctl(w);
	fz_cur.env = e;
	__atomic_fetch_add(&fz_sh->bursts, 1, __ATOMIC_RELAXED);
	n = (fz_qlen ? fz_qlen : 256) + fz_below(&w->rng, 16);
	n = 1 + fz_claim(w, n - 1);
	for (i = 0; i < n; i++) {
		raise.cookie = fz_next(&w->rng);
		err = ioctl(e->fd, EXO_IOC_EVENT_RAISE, &raise) ? errno : 0;
		fz_count(fz_op_site(FZ_OP_BURST), err);
		if (!fz_expect(w, FZ_CHK_GOOD, !err,
			       "EVENT_RAISE %llu of a burst: %s",
			       (unsigned long long)i, fz_errname(err)))
			break;
		fz_model_post(e, raise.cookie);
	}
}

static void fz_run_op(struct fz_worker *w, const struct fz_op *op);
static const struct fz_op *fz_pick_op(struct fz_worker *w);

/*
 * In the child of a fork: every environment here is the parent's. Every
 * ioctl of the table, a read(2) and a poll(2) on each must be refused as
 * another process's; then a few random operations, which may open
 * environments of the child's own.
 */
static void fz_fork_child(struct fz_worker *w)
{
	const struct fz_op *op;
	struct pollfd pfd;
	size_t d;
	int i, n;
	ssize_t ret;

	w->fork_child = getpid();
	w->rng.s ^= fz_mix(w->ncalls + 0xf02c);
	if (w->epfd >= 0) {
		close(w->epfd);
		w->epfd = -1;
	}
	for (i = 0; i < FZ_ENVS; i++)
		w->env[i].foreign = true;
	fz_mem_fork_child(w);

	for (i = 0; i < FZ_ENVS; i++) {
		struct fz_env *e = &w->env[i];

		if (e->fd < 0)
			continue;
		fz_cur.op = "fork-probe";
		fz_cur.env = e;
		for (d = 0; d < fz_nrows; d++)
			fz_run_ioctl(w, e, d);
		ret = read(e->fd, w->rdbuf, FZ_EV);
		fz_check_read(w, e, ret, ret < 0 ? errno : 0, w->rdbuf, FZ_EV,
			      FZ_MEM_RW, FZ_RDBUF, false);
		fz_cur.extra[0] = '\0';
		pfd.fd = e->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		fz_expect(w, FZ_CHK_STATE,
			  poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR) &&
			  !(pfd.revents & POLLIN),
			  "poll(2) of the parent's env: revents %#x, want POLLERR",
			  pfd.revents);
	}
	n = 1 + fz_below(&w->rng, 6);
	for (i = 0; i < n; i++) {
		do
			op = fz_pick_op(w);
		while (!op->in_fork_child);
		fz_run_op(w, op);
	}
	_exit(0);
}

static void fz_op_fork(struct fz_worker *w)
{
	int status, err;
	pid_t pid;

	__atomic_fetch_add(&fz_sh->forks, 1, __ATOMIC_RELAXED);
	pid = fork();
	err = pid < 0 ? errno : 0;
	fz_count(fz_op_site(FZ_OP_FORK), err);
	if (pid == 0)
		fz_fork_child(w);
	if (!fz_expect(w, FZ_CHK_ERRNO, pid > 0, "fork: %s", fz_errname(err)))
		return;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return;
	fz_expect(w, FZ_CHK_REAPED, WIFEXITED(status) && !WEXITSTATUS(status),
		  "fork child %d ended with status %#x", pid, status);
}

/*
 * Weights are per operation; a raise-burst is ~qlen calls of the budget,
 * so its weight is small to keep it near a tenth of all calls.
 */
static const struct fz_op fz_ops[FZ_NOPS] = {
	[FZ_OP_IOCTL] = { "ioctl", 1200, true, fz_op_ioctl },
	[FZ_OP_READ] = { "read", 240, true, fz_op_read },
	[FZ_OP_READ_INTR] = { "read-blocking-interrupted", 15, false, fz_op_read_intr },
	[FZ_OP_POLL] = { "poll", 120, true, fz_op_poll },
	[FZ_OP_EPOLL] = { "epoll", 60, true, fz_op_epoll },
	[FZ_OP_MMAP] = { "mmap", 80, true, fz_op_mmap },
	[FZ_OP_MUNMAP] = { "munmap", 20, true, fz_op_munmap },
	[FZ_OP_FCNTL] = { "fcntl-nonblock", 40, false, fz_op_fcntl },
	[FZ_OP_DUP] = { "dup", 40, true, fz_op_dup },
	[FZ_OP_REOPEN] = { "close-reopen", 100, true, fz_op_reopen },
	[FZ_OP_BURST] = { "raise-burst", 1, true, fz_op_burst },
	[FZ_OP_FORK] = { "fork", 20, false, fz_op_fork },
	[FZ_OP_TOUCH] = { "mem-touch", 80, false, fz_mem_touch },
};

static void fz_run_op(struct fz_worker *w, const struct fz_op *op)
{
	fz_cur.op = op->name;
	fz_cur.env = NULL;
	fz_cur.call = NULL;
	fz_cur.extra[0] = '\0';
	op->run(w);
	fz_cur.op = NULL;
}

static const struct fz_op *fz_pick_op(struct fz_worker *w)
{
	unsigned int total = 0, pick;
	int i;

	for (i = 0; i < FZ_NOPS; i++)
		total += fz_ops[i].weight;
	pick = fz_below(&w->rng, total);
	for (i = 0; i < FZ_NOPS; i++) {
		if (pick < fz_ops[i].weight)
			return &fz_ops[i];
		pick -= fz_ops[i].weight;
	}
	return &fz_ops[0];
}

/* ---- workers ------------------------------------------------------------ */

static void fz_notify(unsigned char what)
{
	if (write(fz_notify_fd, &what, 1) < 0)
		return;	/* full: the parent looks at every slot anyway */
}

static __u64 fz_claim(struct fz_worker *w, __u64 n)
{
	struct fz_slot_shared *s = &fz_sh->slot[w->slot];
	__u64 first, got, before;

	if (!n)
		return 0;
	if (w->fork_child)
		return n;	/* part of the fork call that made it */
	first = __atomic_fetch_add(&fz_sh->claimed, n, __ATOMIC_RELAXED);
	if (first >= fz_budget)
		return 0;
	got = first + n > fz_budget ? fz_budget - first : n;
	before = w->ncalls;
	w->ncalls += got;
	w->call = first + got - 1;
	__atomic_store_n(&s->calls, w->ncalls, __ATOMIC_RELAXED);
	if (s->kill_at && before < s->kill_at && w->ncalls >= s->kill_at)
		fz_notify((unsigned char)w->slot);
	if (first / fz_tenth != (first + got) / fz_tenth)
		fz_notify(0xff);
	return got;
}

static void __attribute__((noreturn)) fz_worker_main(int slot, __u32 gen)
{
	struct sigaction sa;
	struct fz_worker w;
	sigset_t none;
	int i, err;

	memset(&w, 0, sizeof(w));
	w.slot = slot;
	w.gen = gen;
	w.epfd = -1;
	fz_rng_init(&w.rng, slot, gen, 0);
	fz_rng_init(&w.shape_rng, slot, gen, 0x5a9e);
	for (i = 0; i < FZ_ENVS; i++)
		w.env[i].fd = -1;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_alarm;	/* no SA_RESTART: reads see EINTR */
	sigaction(SIGALRM, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fz_mem_install_probe();
	if (fz_arena_init(&w)) {
		fz_say("exo-fuzz: worker %d.%u: no memory for its arena", slot, gen);
		_exit(2);
	}

	while (fz_claim(&w, 1))
		fz_run_op(&w, fz_pick_op(&w));

	fz_cur.op = "exit";
	for (i = 0; i < FZ_ENVS; i++) {
		if (w.env[i].fd < 0)
			continue;
		err = close(w.env[i].fd) ? errno : 0;
		fz_expect(&w, FZ_CHK_ERRNO, !err, "close at exit: %s",
			  fz_errname(err));
	}
	_exit(0);
}

/* ---- the parent --------------------------------------------------------- */

struct fz_slot_state {
	pid_t pid;		/* 0: idle */
	__u32 gen;
	bool killed;
};

static struct fz_slot_state fz_slots[FZ_MAX_WORKERS];
static __u64 fz_kills, fz_respawns;

static __u64 fz_kill_point(int slot, __u32 gen)
{
	struct fz_rng r;

	if (fz_replay_slot >= 0)
		return 0;
	fz_rng_init(&r, slot, gen, 0x4b111);
	if (fz_chance(&r, 8))
		return 1 + fz_below(&r, 4);	/* around its first open */
	return 1 + fz_below(&r, 2 * fz_life);
}

static int fz_spawn(int slot, __u32 gen, int close1, int close2)
{
	pid_t pid;

	fz_sh->slot[slot].calls = 0;
	fz_sh->slot[slot].kill_at = fz_kill_point(slot, gen);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fz_say("exo-fuzz: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(close1);
		close(close2);
		fz_worker_main(slot, gen);
	}
	fz_slots[slot].pid = pid;
	fz_slots[slot].gen = gen;
	fz_slots[slot].killed = false;
	return 0;
}

/* Failures so far; with @known, hits of known bugs (XFAIL) instead. */
static __u64 fz_failures(bool known)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < FZ_NCHECKS; i++)
		if (!fz_known_bugs[i] == !known)
			n += fz_sh->fails[i];
	return n;
}

static __u64 fz_claimed(void)
{
	__u64 c = __atomic_load_n(&fz_sh->claimed, __ATOMIC_RELAXED);

	return c < fz_budget ? c : fz_budget;
}

/* One line about a process that makes no progress. */
static void fz_show_stuck(pid_t pid)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	text = fz_slurp(path);
	if (text && strchr(text, '\n'))
		*strchr(text, '\n') = '\0';
	fz_say("exo-fuzz:   pid %d syscall: %s", pid, text ? text : "?");
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	text = fz_slurp(path);
	if (text)
		fz_say("exo-fuzz:   pid %d stack:\n%s", pid, text);
	free(text);
}

/* Every child we still have, by /proc; SIGKILL each. */
static void fz_kill_children(void)
{
	char path[64], *text, *p, *end;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	text = fz_slurp(path);
	for (p = text; p && *p; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		fz_show_stuck(pid);
		kill(pid, SIGKILL);
	}
	free(text);
}

/* Reap what has ended; a worker gone before the budget comes back. */
static void fz_reap(bool respawn, int close1, int close2)
{
	int status, slot;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (slot = 0; slot < fz_workers; slot++)
			if (fz_slots[slot].pid == pid)
				break;
		if (slot == fz_workers) {
			/* A fork child whose worker was killed: ours now. */
			fz_expect(NULL, FZ_CHK_REAPED,
				  WIFEXITED(status) && !WEXITSTATUS(status),
				  "orphaned fork child %d ended with status %#x",
				  pid, status);
			continue;
		}
		fz_expect(NULL, FZ_CHK_REAPED,
			  (WIFEXITED(status) && !WEXITSTATUS(status)) ||
			  (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			   fz_slots[slot].killed),
			  "worker %d.%u (pid %d) ended with status %#x%s",
			  slot, fz_slots[slot].gen, pid, status,
			  fz_slots[slot].killed ? " after our SIGKILL" : "");
		fz_slots[slot].pid = 0;
		if (respawn && fz_claimed() < fz_budget &&
		    fz_spawn(slot, fz_slots[slot].gen + 1, close1, close2) == 0)
			fz_respawns++;
	}
}

static int fz_live_workers(void)
{
	int i, n = 0;

	for (i = 0; i < fz_workers; i++)
		n += fz_slots[i].pid != 0;
	return n;
}

static double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the workers until the budget is spent and every one is gone. */
static void fz_run(int sigfd, int notify_r)
{
	struct pollfd pfd[2] = {
		{ .fd = notify_r, .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	__u64 next_mark = fz_tenth, last_calls = 0, done;
	double last_progress = fz_now();
	unsigned char drain[256];
	bool stopping = false;
	int slot;

	if (fz_replay_slot >= 0) {
		stopping = true;	/* one generation, never respawned */
		fz_spawn(fz_replay_slot, fz_replay_gen, sigfd, notify_r);
	} else {
		for (slot = 0; slot < fz_workers; slot++)
			if (fz_spawn(slot, 0, sigfd, notify_r))
				stopping = true;
	}

	while (fz_live_workers()) {
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		while (read(notify_r, drain, sizeof(drain)) > 0)
			;
		while (read(sigfd, &si, sizeof(si)) > 0)
			;

		for (slot = 0; slot < fz_workers; slot++) {
			struct fz_slot_shared *s = &fz_sh->slot[slot];

			if (!fz_slots[slot].pid || fz_slots[slot].killed ||
			    !s->kill_at ||
			    __atomic_load_n(&s->calls, __ATOMIC_RELAXED) < s->kill_at)
				continue;
			kill(fz_slots[slot].pid, SIGKILL);
			fz_slots[slot].killed = true;
			fz_kills++;
		}
		fz_reap(!stopping, sigfd, notify_r);

		done = fz_claimed();
		while (done >= next_mark && next_mark <= fz_budget) {
			fz_say("exo-fuzz: %llu/%llu calls, %llu kills, %llu respawns, %llu failures, %llu known-bug hits",
			       (unsigned long long)next_mark,
			       (unsigned long long)fz_budget,
			       (unsigned long long)fz_kills,
			       (unsigned long long)fz_respawns,
			       (unsigned long long)fz_failures(false),
			       (unsigned long long)fz_failures(true));
			next_mark += fz_tenth;
		}
		if (done != last_calls) {
			last_calls = done;
			last_progress = fz_now();
		} else if (!stopping && fz_now() - last_progress > FZ_HANG_SECS) {
			fz_expect(NULL, FZ_CHK_REAPED, false,
				  "no call made in %d s: workers hung",
				  FZ_HANG_SECS);
			stopping = true;
			fz_kill_children();
		}
	}
}

/* After the run: every descendant (fork children included) reaped. */
static void fz_reap_all(int sigfd)
{
	struct pollfd pfd = { .fd = sigfd, .events = POLLIN };
	struct signalfd_siginfo si;
	double deadline = fz_now() + 30;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			fz_expect(NULL, FZ_CHK_REAPED,
				  WIFEXITED(status) && !WEXITSTATUS(status),
				  "descendant %d ended with status %#x", pid,
				  status);
			continue;
		}
		if (pid < 0)
			break;	/* ECHILD: none left */
		if (fz_now() > deadline) {
			fz_expect(NULL, FZ_CHK_REAPED, false,
				  "descendants still running 30 s after the workers");
			fz_kill_children();
			deadline = fz_now() + 30;
		}
		poll(&pfd, 1, 1000);
		while (read(sigfd, &si, sizeof(si)) > 0)
			;
	}
}

/* The kernel's answer to a handshake, and the table check against it. */
static void fz_flatten_tables(void)
{
	size_t t, i;

	for (t = 0; t < fz_ntables; t++)
		for (i = 0; i < *fz_tables[t].nrows && fz_nrows < FZ_MAX_ROWS; i++)
			fz_rows[fz_nrows++] = &fz_tables[t].rows[i];
}

static int fz_startup_handshake(void)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};
	__u64 table[2] = { 0, 0 };
	size_t i;
	int fd, nr;

	fd = open(FZ_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, EXO_IOC_API, &api)) {
		int err = errno;

		close(fd);
		return -err;
	}
	fz_kernel_ioctls = api.ioctls;
	fz_kernel_ioctls_hi = api.ioctls_hi;
	fz_mem_startup(fd);
	fz_xn_startup(fd);
	fz_cpu_startup(fd);
	close(fd);
	fz_kernel_api = api.api_version;
	fz_kernel_features = api.features;
	fz_kernel_ioctls = api.ioctls;
	fz_kernel_ioctls_hi = api.ioctls_hi;

	for (i = 0; i < fz_nrows; i++) {
		if (fz_rows[i]->attrs & FZ_UNKNOWN)
			continue;
		nr = _IOC_NR(fz_rows[i]->cmd);
		if (nr < 128)
			table[nr / 64] |= 1ULL << (nr % 64);
		fz_expect(NULL, FZ_CHK_TABLE, fz_nr_served(nr),
			  "the table has %s (nr %d), which the kernel does not serve",
			  fz_rows[i]->name, nr);
	}
	for (nr = 0; nr < 128; nr++)
		fz_expect(NULL, FZ_CHK_TABLE,
			  !fz_nr_served(nr) || (table[nr / 64] & (1ULL << (nr % 64))),
			  "the kernel serves ioctl nr %d; add its row to selftests/fuzz/fz_ioctls.c",
			  nr);
	return 0;
}

static void fz_print_hist(void)
{
	char line[1024];
	__u64 total;
	int site, err;
	size_t i;

	for (i = 0; i < fz_nrows + FZ_NOPS; i++) {
		const char *name;

		if (i < fz_nrows) {
			site = i;
			name = fz_rows[i]->name;
		} else {
			site = fz_op_site(i - fz_nrows);
			name = fz_ops[i - fz_nrows].name;
			if (i - fz_nrows == FZ_OP_IOCTL)
				continue;
		}
		total = 0;
		line[0] = '\0';
		for (err = 0; err < FZ_ERRNO_SLOTS; err++) {
			__u64 n = fz_sh->hist[site][err];
			bool touch = i == fz_nrows + FZ_OP_TOUCH;

			if (!n)
				continue;
			total += n;
			fz_cat(line, sizeof(line), " %s:%llu",
			       touch ? (err ? strsignal(err) : "ok") :
			       fz_errname(err), (unsigned long long)n);
		}
		fz_say("exo-fuzz:   %-26s %8llu%s", name,
		       (unsigned long long)total, line);
	}
}

static void fz_usage(void)
{
	fprintf(stderr,
		"usage: exo-fuzz [-w workers] [-n calls] [-s seed] [-l mean-life] [-R slot.gen]\n"
		"  -w N   worker processes (default %d, at most %d)\n"
		"  -n N   calls across all workers (default $FUZZ_CALLS or %d)\n"
		"  -s N   seed (default $SEED or random); printed at start\n"
		"  -l N   mean calls between kills of a worker (default %d)\n"
		"  -R W.G replay worker W's generation G alone, never killed\n",
		FZ_DEFAULT_WORKERS, FZ_MAX_WORKERS, FZ_DEFAULT_CALLS,
		FZ_DEFAULT_LIFE);
	exit(2);
}

static __u64 fz_parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		fz_usage();
	return v;
}

static void fz_parse_args(int argc, char **argv)
{
	const char *env;
	bool seeded = false;
	int opt;

	env = getenv("FUZZ_CALLS");
	if (env && *env)
		fz_budget = fz_parse_u64(env);
	env = getenv("SEED");
	if (env && *env) {
		fz_seed = fz_parse_u64(env);
		seeded = true;
	}
	while ((opt = getopt(argc, argv, "w:n:s:l:R:h")) != -1) {
		switch (opt) {
		case 'w':
			fz_workers = fz_parse_u64(optarg);
			break;
		case 'n':
			fz_budget = fz_parse_u64(optarg);
			break;
		case 's':
			fz_seed = fz_parse_u64(optarg);
			seeded = true;
			break;
		case 'l':
			fz_life = fz_parse_u64(optarg);
			break;
		case 'R':
			if (sscanf(optarg, "%d.%u", &fz_replay_slot,
				   &fz_replay_gen) != 2 ||
			    fz_replay_slot < 0 || fz_replay_slot >= FZ_MAX_WORKERS)
				fz_usage();
			break;
		default:
			fz_usage();
		}
	}
	if (optind != argc || fz_workers < 1 || fz_workers > FZ_MAX_WORKERS ||
	    !fz_budget || !fz_life)
		fz_usage();
	if (!seeded) {
		struct timespec ts;
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &fz_seed, sizeof(fz_seed)) != sizeof(fz_seed)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			fz_seed = fz_mix(ts.tv_sec ^ ts.tv_nsec ^ getpid());
		}
		if (fd >= 0)
			close(fd);
		fz_seed &= 0xffffffffffffULL;	/* short enough to retype */
	}
	if (fz_replay_slot >= 0)
		fz_workers = fz_replay_slot + 1;
}

int main(int argc, char **argv)
{
	unsigned long long taint0, taint1;
	long long live0 = -1, live1, lines0 = 0, lines1;
	int sigfd, pipefd[2], i, pass = 0, fail = 0, skip = 0, xfail = 0, xpass = 0;
	int ret;
	char *text;
	sigset_t chld;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fz_parse_args(argc, argv);
	fz_page = sysconf(_SC_PAGESIZE);
	fz_tenth = fz_budget / 10 ? fz_budget / 10 : 1;
	fz_say("exo-fuzz: seed %llu", (unsigned long long)fz_seed);

	fz_sh = mmap(NULL, sizeof(*fz_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_sh == MAP_FAILED) {
		perror("exo-fuzz: mmap");
		return 1;
	}
	memset(fz_sh, 0, sizeof(*fz_sh));

	fz_flatten_tables();
	ret = fz_startup_handshake();
	if (ret) {
		fz_say("exo-fuzz: cannot handshake with %s: %s", FZ_DEV,
		       strerror(-ret));
		fz_say("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:%d error:0",
		       FZ_NCHECKS);
		return 4;	/* KSFT_SKIP */
	}

	text = fz_slurp(FZ_STATUS);
	if (text) {
		long long q = fz_status_value(text, "event_queue_len");

		live0 = fz_status_value(text, "envs_live");
		lines0 = fz_status_env_lines(text);
		if (q >= 2 && q <= 65536) {
			fz_qlen = q;
			fz_model_on = true;
		}
	}
	free(text);
	taint0 = fz_tainted();
	fz_say("exo-fuzz: %d workers, %llu calls, mean life %llu calls, api %u ioctls %#llx, event_queue_len %u%s",
	       fz_workers, (unsigned long long)fz_budget,
	       (unsigned long long)fz_life, fz_kernel_api,
	       (unsigned long long)fz_kernel_ioctls, fz_qlen,
	       fz_model_on ? "" : " (queue model off: no debugfs)");
	if (fz_replay_slot >= 0)
		fz_say("exo-fuzz: replaying worker %d.%u alone",
		       fz_replay_slot, fz_replay_gen);

	/* Fork children of killed workers become ours, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK)) {
		perror("exo-fuzz: pipe");
		return 1;
	}
	fz_notify_fd = pipefd[1];
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0) {
		perror("exo-fuzz: signalfd");
		return 1;
	}

	t0 = fz_now();
	fz_run(sigfd, pipefd[0]);
	fz_reap_all(sigfd);

	/*
	 * Nothing of ours holds an environment any more. If the counters are
	 * not back at once, wait a little to tell a late release (a NOTE: the
	 * kernel finished some teardown after the reap) from a leak.
	 */
	text = fz_slurp(FZ_STATUS);
	if (text && live0 >= 0) {
		double t1 = fz_now(), late = 0;

		live1 = fz_status_value(text, "envs_live");
		lines1 = fz_status_env_lines(text);
		if (live1 != live0 || lines1 != lines0)
			fz_say("exo-fuzz: status at once after the run:\n%s", text);
		while ((live1 != live0 || lines1 != lines0) &&
		       (late = fz_now() - t1) < 5) {
			poll(NULL, 0, 10);
			free(text);
			text = fz_slurp(FZ_STATUS);
			live1 = text ? fz_status_value(text, "envs_live") : -1;
			lines1 = text ? fz_status_env_lines(text) : -1;
		}
		fz_expect(NULL, FZ_CHK_BASELINE, live1 == live0 && lines1 == lines0,
			  "envs_live %lld and %lld env lines 5 s after the run, %lld and %lld before",
			  live1, lines1, live0, lines0);
		if (late > 0 && live1 == live0)
			fz_say("exo-fuzz: NOTE late-release: environments were released %.0f ms after every process was reaped, not at once",
			       late * 1000);
	}
	free(text);
	taint1 = fz_tainted();
	fz_expect(NULL, FZ_CHK_TAINT, (taint1 & ~taint0) == 0,
		  "kernel taint went from %#llx to %#llx", taint0, taint1);

	fz_say("exo-fuzz: done in %.1f s: calls %llu kills %llu respawns %llu forks %llu reopens %llu bursts %llu",
	       fz_now() - t0, (unsigned long long)fz_claimed(),
	       (unsigned long long)fz_kills, (unsigned long long)fz_respawns,
	       (unsigned long long)fz_sh->forks,
	       (unsigned long long)fz_sh->reopens,
	       (unsigned long long)fz_sh->bursts);
	fz_say("exo-fuzz: results per call (ok or errno:count):");
	fz_print_hist();

	fz_say("TAP version 13");
	fz_say("1..%d", FZ_NCHECKS);
	for (i = 0; i < FZ_NCHECKS; i++) {
		bool skipped = !fz_sh->evals[i];

		if (skipped) {
			skip++;
			fz_say("ok %d %s # SKIP not evaluated%s", i + 1,
			       fz_check_names[i],
			       i == FZ_CHK_BASELINE ? " (no debugfs)" : "");
		} else if (fz_known_bugs[i] && fz_sh->fails[i]) {
			xfail++;
			fz_say("ok %d %s # XFAIL %llu of %llu: known bug, %s", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->fails[i],
			       (unsigned long long)fz_sh->evals[i], fz_known_bugs[i]);
		} else if (fz_known_bugs[i]) {
			xpass++;
			fz_say("not ok %d %s # XPASS %llu checked: the known bug (%s) did not show; if it is fixed, drop its mark in selftests/fuzz/exo_fuzz.c",
			       i + 1, fz_check_names[i],
			       (unsigned long long)fz_sh->evals[i], fz_known_bugs[i]);
		} else if (fz_sh->fails[i]) {
			fail++;
			fz_say("not ok %d %s # %llu of %llu failed", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->fails[i],
			       (unsigned long long)fz_sh->evals[i]);
		} else {
			pass++;
			fz_say("ok %d %s # %llu checked", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->evals[i]);
		}
	}
	fz_say("exo-fuzz: calls %llu kills %llu", (unsigned long long)fz_claimed(),
	       (unsigned long long)fz_kills);
	fz_say("# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:0",
	       pass, fail, xfail, xpass, skip);
	return fail || xpass ? 1 : 0;
}
