// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the CPU binding (EXO_IOC_CPU_*).
 *
 * The model: how many slots each environment holds on the first managed
 * CPU, checked against CPU_INFO and ENV_INFO. Workers share the vector, so
 * a booking may meet another worker's slots (EEXIST) and a free may name
 * slots that are not the caller's (EPERM); only successes move the model.
 *
 * A worker never binds a thread: a bound thread that does not answer its
 * exit upcalls is killed by the abort protocol, which is the kernel doing
 * its job, not a finding. So every BIND the fuzzer makes is invalid, and
 * WAIT, YIELD and UNBIND meet an unbound thread. Revocations only name
 * environments that do not exist, for the same reason. Bound threads live
 * only in the children of fz_cpu_escape(), after one call in FZ_ESCAPE_EVERY.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fz.h"

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

static int fz_cpu = -1;		/* the first managed CPU, -1: none */
static __u32 fz_cpu_nslots;
static __u64 fz_cpu_quantum_ns;

void fz_cpu_startup(int fd)
{
	struct exo_cpu_info ci;
	int cpu;

	if (!(fz_kernel_ioctls & (1ULL << EXO_NR_CPU_INFO)))
		return;
	for (cpu = 0; cpu < 64; cpu++) {
		memset(&ci, 0, sizeof(ci));
		ci.argsz = sizeof(ci);
		ci.cpu = cpu;
		if (!ioctl(fd, EXO_IOC_CPU_INFO, &ci)) {
			fz_cpu = cpu;
			fz_cpu_nslots = ci.nslots;
			fz_cpu_quantum_ns = ci.quantum_ns;
			return;
		}
	}
}

/* A CPU number: mostly the managed one; else one exo does not manage. */
static __u32 fz_pick_cpu(struct fz_worker *w, struct fz_call *c)
{
	if (fz_cpu >= 0 && fz_chance(&w->rng, 85))
		return fz_cpu;
	fz_bad(c, "CPU not managed");
	return fz_chance(&w->rng, 50) ? 0 : 64 + (__u32)fz_below(&w->rng, 1U << 20);
}

static __u32 fz_weight(const __u64 *mask)
{
	__u32 n = 0, i;

	for (i = 0; i < EXO_CPU_MASK_WORDS; i++)
		n += __builtin_popcountll(mask[i]);
	return n;
}

/* ---- CPU_INFO and CPU_QUERY --------------------------------------------- */

static void fz_gen_cpu_info(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_cpu_info *ci = (struct exo_cpu_info *)c->buf;
	size_t i;

	(void)e;
	ci->cpu = fz_pick_cpu(w, c);
	if (fz_chance(&w->rng, 30))
		for (i = offsetof(struct exo_cpu_info, nslots);
		     i < offsetof(struct exo_cpu_info, excess); i++)
			c->buf[i] = fz_next(&w->rng);
}

static void fz_done_cpu_info(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	struct exo_cpu_info ci;

	if (c->err || !out || c->argsz < sizeof(ci))
		return;
	memcpy(&ci, out, sizeof(ci));
	fz_expect(w, FZ_CHK_MODEL,
		  ci.nslots == fz_cpu_nslots && ci.my_slots == e->cpu_slots &&
		  ci.free_slots <= ci.nslots && !ci.excess && !ci.flags &&
		  ci.online == ci.cpus,
		  "CPU_INFO nslots %u my %u free %u excess %u online %#llx of %#llx; model %u %u",
		  ci.nslots, ci.my_slots, ci.free_slots, ci.excess,
		  (unsigned long long)ci.online, (unsigned long long)ci.cpus,
		  fz_cpu_nslots, e->cpu_slots);
}

static void fz_gen_cpu_query(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_cpu_query *q = (struct exo_cpu_query *)c->buf;

	(void)e;
	q->cpu = fz_pick_cpu(w, c);
}

static void fz_done_cpu_query(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	struct exo_cpu_query q;
	__u32 i;

	if (c->err || !out || c->argsz < sizeof(q))
		return;
	memcpy(&q, out, sizeof(q));
	for (i = 0; i < EXO_CPU_MASK_WORDS; i++)
		fz_expect(w, FZ_CHK_MODEL, !(q.free[i] & q.mine[i]),
			  "CPU_QUERY word %u free %#llx and mine %#llx overlap",
			  i, (unsigned long long)q.free[i],
			  (unsigned long long)q.mine[i]);
	fz_expect(w, FZ_CHK_MODEL, fz_weight(q.mine) == e->cpu_slots,
		  "CPU_QUERY mine has %u slots, model %u", fz_weight(q.mine),
		  e->cpu_slots);
}

/* ---- CPU_BOOK and CPU_FREE ---------------------------------------------- */

static void fz_gen_cpu_slots(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_cpu_slots *r = (struct exo_cpu_slots *)c->buf;
	__u32 n = fz_cpu_nslots ? fz_cpu_nslots : 64, i;
	__u64 p = fz_below(&w->rng, 100);

	(void)e;
	r->cpu = fz_pick_cpu(w, c);
	memset(r->mask, 0, sizeof(r->mask));
	if (c->flags_mutated) {
		/* Unknown flags already make it bad: keep them. */
		r->count = 1;
		r->stride = 1;
		return;
	}
	if (p < 60) {
		r->flags = EXO_CPU_SLOTS_PATTERN;
		r->start = fz_below(&w->rng, n + 2);
		r->count = fz_below(&w->rng, 6);
		r->stride = fz_below(&w->rng, n / 2 + 2);
		if (fz_chance(&w->rng, 5))
			r->count = (__u32)fz_next(&w->rng);
		if (!r->count || !r->stride || r->start >= n ||
		    (__u64)(r->count - 1) * r->stride >= (__u64)(n - r->start))
			fz_bad(c, "pattern out of the vector");
		if (fz_chance(&w->rng, 3)) {
			r->mask[0] = 1;
			fz_bad(c, "pattern with a mask");
		}
	} else if (p < 95) {
		r->flags = EXO_CPU_SLOTS_MASK;
		for (i = 0; i < 1 + fz_below(&w->rng, 4); i++) {
			__u32 s = fz_below(&w->rng, fz_chance(&w->rng, 95) ?
						    n : EXO_CPU_SLOTS_MAX);

			r->mask[s / 64] |= 1ULL << (s % 64);
			if (s >= n)
				fz_bad(c, "slot past the vector");
		}
		if (fz_chance(&w->rng, 3)) {
			r->stride = 1;
			fz_bad(c, "mask with a pattern field");
		}
	} else {
		r->flags = fz_chance(&w->rng, 50) ? 0 :
			   EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN;
		fz_bad(c, "not exactly one way to name slots");
	}
	/* What the call would name, for the done hook. */
	if (!c->bad && r->flags == EXO_CPU_SLOTS_PATTERN)
		c->note[0] = r->count;
	else if (!c->bad)
		c->note[0] = fz_weight(r->mask);
}

static void fz_done_cpu_book(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	__u32 cap = fz_cpu_nslots > 1 ? fz_cpu_nslots - 1 : 1;

	(void)out;
	/* The model counts every CPU's slots: a cap of one CPU is below. */
	if (c->err == ENOSPC)
		fz_expect(w, FZ_CHK_MODEL, e->cpu_slots + c->note[0] > cap,
			  "CPU_BOOK of %llu slots ENOSPC, model holds %u of cap %u",
			  (unsigned long long)c->note[0], e->cpu_slots, cap);
	if (!c->err)
		e->cpu_slots += c->note[0];
}

static void fz_done_cpu_free(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	(void)out;
	if (c->err)
		return;
	fz_expect(w, FZ_CHK_MODEL, c->note[0] <= e->cpu_slots,
		  "CPU_FREE freed %llu slots, model holds %u",
		  (unsigned long long)c->note[0], e->cpu_slots);
	e->cpu_slots -= c->note[0] <= e->cpu_slots ? c->note[0] : e->cpu_slots;
}

/* ---- threads: BIND is always invalid here (see the top) ------------------ */

static void fz_gen_cpu_bind(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_cpu_bind *b = (struct exo_cpu_bind *)c->buf;
	__u64 p = fz_below(&w->rng, 100);

	(void)e;
	b->cpu = fz_cpu >= 0 ? (__u32)fz_cpu : 0;
	if (p < 40) {
		b->signal = 1 + fz_below(&w->rng, 31);
	} else if (p < 70) {
		b->signal = 65 + (__u32)fz_below(&w->rng, 1U << 30);
	} else {
		b->cpu = fz_chance(&w->rng, 50) ? 0 :
			 64 + (__u32)fz_below(&w->rng, 1U << 20);
		b->signal = fz_below(&w->rng, 65);
	}
	fz_bad(c, "never a valid BIND: a bound worker would be aborted");
}

static void fz_gen_cpu_unbind(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_cpu_bind *b = (struct exo_cpu_bind *)c->buf;

	(void)e;
	if (fz_chance(&w->rng, 20)) {
		b->cpu = 1 + fz_below(&w->rng, 64);
		fz_bad(c, "UNBIND with a CPU");
	}
	c->expect = EINVAL;	/* no worker thread is ever bound */
}

static void fz_gen_cpu_wait(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_cpu_wake *wk = (struct exo_cpu_wake *)c->buf;

	(void)e;
	wk->timeout_ms = fz_below(&w->rng, 3);
	if (wk->flags & EXO_CPU_WAIT_DONATE)
		wk->target = fz_next(&w->rng) | 1ULL << 62;
	c->expect = EINVAL;	/* not bound: it never sleeps */
}

static void fz_gen_cpu_yield(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c)
{
	struct exo_cpu_yield *y = (struct exo_cpu_yield *)c->buf;

	(void)e;
	if (y->flags & EXO_CPU_YIELD_TO) {
		y->target = fz_chance(&w->rng, 90) ? fz_next(&w->rng) | 1ULL << 62 : 0;
	} else if (fz_chance(&w->rng, 10)) {
		y->target = 1 + fz_below(&w->rng, 100);
		fz_bad(c, "target without YIELD_TO");
	}
	c->expect = EINVAL;
}

static void fz_done_cpu_expect(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	(void)e;
	(void)out;
	if (c->expect > 0 && c->err && c->err != EFAULT && c->err != E2BIG &&
	    c->err != EPERM && c->err != EPROTO)
		fz_expect(w, FZ_CHK_MODEL, c->err == c->expect,
			  "%s gave errno %d, expected %d", c->ioc->name, c->err,
			  c->expect);
	if (c->expect > 0)
		fz_expect(w, FZ_CHK_MODEL, c->err != 0,
			  "%s succeeded on an unbound thread", c->ioc->name);
}

/* ---- CPU_REVOKE: only environments that do not exist --------------------- */

static void fz_gen_cpu_revoke(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_cpu_revoke *r = (struct exo_cpu_revoke *)c->buf;
	__u64 p = fz_below(&w->rng, 100);

	(void)e;
	r->env_id = fz_next(&w->rng) | 1ULL << 62;
	r->count = p < 90 ? 1 + fz_below(&w->rng, 64) : 0;
	if (!r->count)
		fz_bad(c, "count 0");
	p = fz_below(&w->rng, 100);
	r->deadline_ms = p < 90 ? 1 + fz_below(&w->rng, 60000) :
			 p < 95 ? 0 : 60001 + fz_below(&w->rng, 100000);
	if (!r->deadline_ms || r->deadline_ms > 60000)
		fz_bad(c, "deadline out of 1..60000 ms");
}

static const int fz_errs_cpu[] = { EFAULT, EINVAL, E2BIG, 0 };
/* ENOSPC: past env_slots on one CPU (see fz_done_cpu_book()). */
static const int fz_errs_cpu_book[] = {
	EFAULT, EINVAL, E2BIG, EEXIST, ENOSPC, 0,
};
static const int fz_errs_cpu_free[] = { EFAULT, EINVAL, E2BIG, EPERM, 0 };
static const int fz_errs_cpu_bind[] = { EFAULT, EINVAL, E2BIG, EBUSY, 0 };
static const int fz_errs_cpu_yield[] = { EFAULT, EINVAL, E2BIG, ESRCH, 0 };
static const int fz_errs_cpu_revoke[] = { EFAULT, EINVAL, E2BIG, ESRCH, 0 };

#define FZ_CPU_ROW(nm, cm, type, minfield, fl, res, at, g, d, errs, wr)	\
	{								\
		.name = nm, .cmd = cm, .size = sizeof(type),		\
		.minsz = FZ_OFFSETOFEND(type, minfield),		\
		.flags_off = offsetof(type, flags), .flags_known = fl,	\
		.reserved_off = { res }, .nreserved = res >= 0,		\
		.attrs = at, .gen = g, .done = d, .errnos = errs,	\
		.writes_on_err = wr,					\
	}

const struct fz_ioctl fz_cpu_ioctls[] = {
	FZ_CPU_ROW("EXO_IOC_CPU_INFO", EXO_IOC_CPU_INFO, struct exo_cpu_info,
		   policy, 0, (int)offsetof(struct exo_cpu_info, reserved),
		   FZ_WRITES | FZ_VALID_OK, fz_gen_cpu_info, fz_done_cpu_info,
		   fz_errs_cpu, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_BOOK", EXO_IOC_CPU_BOOK, struct exo_cpu_slots,
		   mask, EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN, -1,
		   FZ_WRITES, fz_gen_cpu_slots, fz_done_cpu_book,
		   fz_errs_cpu_book, EEXIST),
	FZ_CPU_ROW("EXO_IOC_CPU_FREE", EXO_IOC_CPU_FREE, struct exo_cpu_slots,
		   mask, EXO_CPU_SLOTS_MASK | EXO_CPU_SLOTS_PATTERN, -1,
		   FZ_WRITES, fz_gen_cpu_slots, fz_done_cpu_free,
		   fz_errs_cpu_free, EPERM),
	FZ_CPU_ROW("EXO_IOC_CPU_QUERY", EXO_IOC_CPU_QUERY, struct exo_cpu_query,
		   mine, 0, (int)offsetof(struct exo_cpu_query, reserved),
		   FZ_WRITES | FZ_VALID_OK, fz_gen_cpu_query, fz_done_cpu_query,
		   fz_errs_cpu, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_BIND", EXO_IOC_CPU_BIND, struct exo_cpu_bind,
		   signal, EXO_CPU_BIND_SHARE, -1, 0, fz_gen_cpu_bind,
		   fz_done_cpu_expect, fz_errs_cpu_bind, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_UNBIND", EXO_IOC_CPU_UNBIND,
		   struct exo_cpu_bind, signal, 0, -1, 0, fz_gen_cpu_unbind,
		   fz_done_cpu_expect, fz_errs_cpu, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_WAIT", EXO_IOC_CPU_WAIT, struct exo_cpu_wake,
		   seq, EXO_CPU_WAIT_DONATE, -1, FZ_WRITES, fz_gen_cpu_wait, fz_done_cpu_expect,
		   fz_errs_cpu, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_YIELD", EXO_IOC_CPU_YIELD, struct exo_cpu_yield,
		   target, EXO_CPU_YIELD_TO,
		   (int)offsetof(struct exo_cpu_yield, reserved), FZ_WRITES,
		   fz_gen_cpu_yield, fz_done_cpu_expect, fz_errs_cpu_yield, 0),
	FZ_CPU_ROW("EXO_IOC_CPU_REVOKE", EXO_IOC_CPU_REVOKE,
		   struct exo_cpu_revoke, env_id, 0, -1, 0, fz_gen_cpu_revoke,
		   NULL, fz_errs_cpu_revoke, 0),
};

const size_t fz_cpu_nioctls = FZ_ARRAY_SIZE(fz_cpu_ioctls);

/* ---- a bound thread that tries to take its CPU with it ------------------ */

/* How a bound thread tries to escape its slots, or does not. */
enum fz_escape {
	FZ_ESC_NONE,
	FZ_ESC_AFFINITY,	/* sched_setaffinity() to another CPU */
	FZ_ESC_FIFO,		/* sched_setscheduler(SCHED_FIFO, 50) */
	FZ_ESC_RR,		/* sched_setscheduler(SCHED_RR, 10) */
	FZ_ESC_BY_PARENT_AFFINITY,	/* the same, done by another process */
	FZ_ESC_BY_PARENT_RR,
	FZ_ESC_N
};

static const char *const fz_escape_names[FZ_ESC_N] = {
	"none", "affinity", "fifo", "rr", "parent-affinity", "parent-rr",
};

/* Child exit codes other than 0 (stayed put, not aborted). */
#define FZ_ESC_NO_SLOT	3	/* every slot tried was taken: not evaluated */
#define FZ_ESC_SETUP	4	/* BOOK/BIND/a syscall failed */
#define FZ_ESC_ESCAPED	5	/* a turn ran off its CPU or at its own priority */

/*
 * Whether the turn of @wake runs where and how exo says: on fz_cpu, at
 * exo's SCHED_FIFO priorities (below the escapes' 10). A thread that ran
 * only after its turn was over (a busy CPU) is rightly SCHED_NORMAL.
 */
static bool fz_escape_turn_ok(const struct exo_cpu_wake *wake)
{
	int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	struct sched_param sp;
	struct timespec now;

	if (sched_getcpu() != fz_cpu || sched_getparam(0, &sp))
		return false;
	if (policy == SCHED_FIFO)
		return sp.sched_priority > 0 && sp.sched_priority < 10;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return policy == SCHED_OTHER &&
	       (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec >= wake->end_ns;
}

/* Why fz_escape_turn_ok() said no, on the console, for the replay. */
static void fz_escape_report(int turn, int how, const struct exo_cpu_wake *wake)
{
	int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	struct sched_param sp = { 0 };
	struct timespec now;

	sched_getparam(0, &sp);
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr,
		"exo-fuzz: escape child %d (%s): turn %d ran on CPU %d (bound to %d), policy %d priority %d, %lld ns past its end, reason %u slot %u\n",
		getpid(), fz_escape_names[how], turn, sched_getcpu(), fz_cpu,
		policy, sp.sched_priority,
		(long long)((__u64)now.tv_sec * 1000000000ULL + now.tv_nsec -
			    wake->end_ns), wake->reason, wake->slot);
}

static int fz_escape_to(pid_t pid, int how)
{
	struct sched_param fifo = { .sched_priority = 50 };
	struct sched_param rr = { .sched_priority = 10 };
	cpu_set_t other;

	switch (how) {
	case FZ_ESC_AFFINITY:
	case FZ_ESC_BY_PARENT_AFFINITY:
		CPU_ZERO(&other);
		CPU_SET(fz_cpu ? 0 : 1, &other);
		return sched_setaffinity(pid, sizeof(other), &other);
	case FZ_ESC_FIFO:
		return sched_setscheduler(pid, SCHED_FIFO, &fifo);
	case FZ_ESC_RR:
	case FZ_ESC_BY_PARENT_RR:
		return sched_setscheduler(pid, SCHED_RR, &rr);
	}
	return 0;
}

/* The child could not set up: say which step, and why. */
static void __attribute__((noreturn)) fz_escape_setup_failed(const char *step)
{
	fprintf(stderr, "exo-fuzz: escape child %d: %s: %s\n", getpid(), step,
		strerror(errno));
	_exit(FZ_ESC_SETUP);
}

static void __attribute__((noreturn))
fz_escape_child(struct fz_rng *rng, int how, int rx, int tx)
{
	__u32 wait_ms = (__u32)(4 * fz_cpu_nslots * fz_cpu_quantum_ns / 1000000);
	struct exo_api api = { .argsz = sizeof(api), .api_version = EXO_API_VERSION };
	struct exo_cpu_slots book = { .argsz = sizeof(book) };
	struct exo_cpu_bind bind = { .argsz = sizeof(bind) };
	struct exo_cpu_wake wake;
	int fd, i, err = EEXIST;
	char go;

	fd = open(FZ_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, EXO_IOC_API, &api))
		fz_escape_setup_failed("open");
	book.flags = EXO_CPU_SLOTS_PATTERN;
	book.cpu = (__u32)fz_cpu;
	book.count = 1;
	book.stride = 1;
	for (i = 0; i < 16 && err == EEXIST; i++) {
		/* BOOK writes the pattern's mask back, even for an EEXIST. */
		memset(book.mask, 0, sizeof(book.mask));
		book.start = (__u32)fz_below(rng, fz_cpu_nslots);
		err = ioctl(fd, EXO_IOC_CPU_BOOK, &book) ? errno : 0;
	}
	if (err == EEXIST || err == ENOSPC)
		_exit(FZ_ESC_NO_SLOT);
	errno = err;
	if (err)
		fz_escape_setup_failed("CPU_BOOK");
	bind.cpu = (__u32)fz_cpu;
	if (ioctl(fd, EXO_IOC_CPU_BIND, &bind))
		fz_escape_setup_failed("CPU_BIND");
	for (i = 0; i < 4; i++) {
		memset(&wake, 0, sizeof(wake));
		wake.argsz = sizeof(wake);
		wake.timeout_ms = wait_ms;
		if (ioctl(fd, EXO_IOC_CPU_WAIT, &wake))
			fz_escape_setup_failed("CPU_WAIT");
		if (!fz_escape_turn_ok(&wake)) {
			fz_escape_report(i, how, &wake);
			_exit(FZ_ESC_ESCAPED);
		}
		if (i)
			continue;
		if (how < FZ_ESC_BY_PARENT_AFFINITY && fz_escape_to(0, how))
			fz_escape_setup_failed("escaping");
		if (how >= FZ_ESC_BY_PARENT_AFFINITY &&
		    (write(tx, "r", 1) != 1 || read(rx, &go, 1) != 1))
			fz_escape_setup_failed("the parent's escape");
	}
	bind.cpu = 0;	/* UNBIND takes no CPU */
	if (ioctl(fd, EXO_IOC_CPU_UNBIND, &bind))
		fz_escape_setup_failed("CPU_UNBIND");
	_exit(0);
}

/*
 * In a child (the abort protocol kills the libOS, and the fuzzer must live
 * on), a fresh environment books one slot and binds its thread, which
 * leaves its CPU, makes itself real-time, is changed so by its parent, or
 * stays put. Every turn it gets must run on its CPU at exo's priority; an
 * escape must end in the abort (SIGKILL), staying put must not. Returns 0
 * when it was judged, EAGAIN when no slot was free, -1 when it cannot run.
 */
int fz_cpu_escape(struct fz_worker *w)
{
	int how = (int)fz_below(&w->escape_rng, FZ_ESC_N), status, to[2], from[2];
	char c;
	pid_t pid;

	if (fz_cpu < 0 || !fz_cpu_quantum_ns || geteuid() ||
	    fz_cpu_nslots < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return -1;
	if (pipe2(to, O_CLOEXEC))
		return -1;
	if (pipe2(from, O_CLOEXEC)) {
		close(to[0]);
		close(to[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		fz_escape_child(&w->escape_rng, how, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	if (pid > 0 && how >= FZ_ESC_BY_PARENT_AFFINITY &&
	    read(from[0], &c, 1) == 1) {
		fz_expect(w, FZ_CHK_ERRNO, !fz_escape_to(pid, how),
			  "escape %s of pid %d: %s", fz_escape_names[how], pid,
			  strerror(errno));
		if (write(to[1], "g", 1) != 1)
			kill(pid, SIGKILL);
	}
	close(to[1]);
	close(from[0]);
	if (!fz_expect(w, FZ_CHK_ERRNO, pid > 0, "fork: %s", strerror(errno)))
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == FZ_ESC_NO_SLOT)
		return EAGAIN;
	/* A setup that failed is one failure, not a verdict on the escape too. */
	if (!fz_expect(w, FZ_CHK_REAPED, !WIFEXITED(status) ||
		       WEXITSTATUS(status) != FZ_ESC_SETUP,
		       "escape %s: the child's setup failed", fz_escape_names[how]))
		return 0;
	if (how == FZ_ESC_NONE)
		fz_expect(w, FZ_CHK_MODEL, WIFEXITED(status) && !WEXITSTATUS(status),
			  "a bound thread that stayed put ended with status %#x",
			  status);
	else
		fz_expect(w, FZ_CHK_MODEL,
			  WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "a bound thread that escaped (%s) was not aborted: status %#x",
			  fz_escape_names[how], status);
	return 0;
}
