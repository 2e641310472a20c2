// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz's helper unit: the services fz.h promises the ioctl tables
 * (random numbers, the checks, notes, the event-queue model, which ioctls
 * the kernel serves, wild values, staging), the state they need and the
 * output both sides print with. It depends on nothing above it: the tables
 * (fz_*.c) and the engine (exo_fuzz.c) both use it downward.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fz_engine.h"

const char *const fz_check_names[FZ_NCHECKS] = {
	[FZ_CHK_TABLE] = "table-covers-kernel-ioctls",
	[FZ_CHK_ERRNO] = "errnos-in-allowed-sets",
	[FZ_CHK_BAD] = "bad-input-never-succeeds",
	[FZ_CHK_GOOD] = "good-input-succeeds",
	[FZ_CHK_STATE] = "state-refusals-exact",
	[FZ_CHK_MODEL] = "results-match-model",
	[FZ_CHK_REAPED] = "workers-all-reaped",
	[FZ_CHK_BASELINE] = "counters-back-at-baseline",
	[FZ_CHK_TAINT] = "kernel-not-tainted",
	[FZ_CHK_BUG_ALLOC_ALL_OR_NOTHING] = "mem-alloc-all-or-nothing",
	[FZ_CHK_BUG_PROT_NONE] = "mem-prot-none-region-unreadable",
};

/*
 * The known bug behind each XFAIL check, as the report names it. Mark a
 * check here while its bug is open; XPASS then says when to drop the mark.
 * (Both memory checks were marked until their bugs were fixed.)
 */
const char *const fz_known_bugs[FZ_NCHECKS] = {
	[FZ_CHK_TABLE] = NULL,
};

/* Settings, fixed before the first fork. */
__u64 fz_seed;
struct fz_shared *fz_sh;
__u64 fz_budget = FZ_DEFAULT_CALLS;
__u64 fz_tenth;
int fz_notify_fd = -1;	/* workers write a byte: "look at me" */

__u32 fz_kernel_api;
__u64 fz_kernel_features;
__u64 fz_kernel_ioctls;
__u64 fz_kernel_ioctls_hi;
__u32 fz_qlen;
bool fz_model_on;
size_t fz_page;

/* ---- random numbers ----------------------------------------------------- */

__u64 fz_mix(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fz_next(struct fz_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return fz_mix(r->s);
}

uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_next(r) % n : 0;
}

bool fz_chance(struct fz_rng *r, unsigned int percent)
{
	return fz_below(r, 100) < percent;
}

/* The stream of worker @slot, generation @gen; @salt tells uses apart. */
void fz_rng_init(struct fz_rng *r, int slot, __u32 gen, __u64 salt)
{
	r->s = fz_mix(fz_seed ^ fz_mix(((__u64)slot << 32 | gen) ^
				       fz_mix(salt + 0x5eed)));
}

/* ---- output: whole lines with one write(2), safe across processes ------ */

static void fz_vsay(const char *fmt, va_list ap)
{
	char line[2048];
	int n;

	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

void fz_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_vsay(fmt, ap);
	va_end(ap);
}

const char *fz_errname(int err)
{
	const char *name;

	if (!err)
		return "ok";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

/* Append printf output to @buf, which holds @len bytes and a string. */
void fz_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- checks --------------------------------------------------------- */

struct fz_cur fz_cur;

const char *const fz_mem_names[] = {
	[FZ_MEM_RW] = "rw",
	[FZ_MEM_RO] = "read-only page",
	[FZ_MEM_STRADDLE] = "straddling PROT_NONE",
	[FZ_MEM_NULL] = "NULL",
	[FZ_MEM_WILD] = "wild",
	[FZ_MEM_NONE] = "value",
};

static void fz_describe_env(char *buf, size_t len, const struct fz_env *e)
{
	fz_cat(buf, len, " on fd %d (env id %llu, %s, %s%s%s)", e->fd,
	       (unsigned long long)e->id,
	       e->handshaken ? "handshaken" : "no handshake",
	       e->accmode == O_RDONLY ? "O_RDONLY" :
	       e->accmode == O_WRONLY ? "O_WRONLY" : "O_RDWR",
	       e->nonblock ? "|O_NONBLOCK" : "",
	       e->foreign ? ", another process's" : "");
}

static void fz_describe_call(char *buf, size_t len, const struct fz_call *c)
{
	unsigned int i, n;

	fz_cat(buf, len, " cmd %#x", c->cmd);
	if (c->mem == FZ_MEM_NONE) {
		fz_cat(buf, len, " arg %#lx", c->arg);
	} else {
		fz_cat(buf, len, " arg %#lx (%s, %u readable) argsz %u",
		       c->arg, fz_mem_names[c->mem], c->readable, c->argsz);
		n = c->len < 48 ? c->len : 48;
		fz_cat(buf, len, " bytes");
		for (i = 0; i < n; i++)
			fz_cat(buf, len, "%s%02x", i % 8 ? "" : " ", c->buf[i]);
	}
	fz_cat(buf, len, "%s%s", c->bad ? " bad: " : " valid",
	       c->bad ? c->why : "");
	fz_cat(buf, len, " -> %s", fz_errname(c->err));
}

bool fz_expect(struct fz_worker *w, enum fz_check chk, bool ok,
	       const char *fmt, ...)
{
	char msg[1024], where[160];
	__u64 nth;
	va_list ap;

	__atomic_fetch_add(&fz_sh->evals[chk], 1, __ATOMIC_RELAXED);
	if (ok)
		return true;
	nth = __atomic_fetch_add(&fz_sh->fails[chk], 1, __ATOMIC_RELAXED);
	if (nth >= (fz_known_bugs[chk] ? 2 : FZ_MAX_REPORTS))
		return false;

	msg[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w && fz_cur.op) {
		fz_cat(msg, sizeof(msg), " [op %s", fz_cur.op);
		if (fz_cur.call)
			fz_cat(msg, sizeof(msg), " %s", fz_cur.call->ioc->name);
		if (fz_cur.env)
			fz_describe_env(msg, sizeof(msg), fz_cur.env);
		if (fz_cur.call)
			fz_describe_call(msg, sizeof(msg), fz_cur.call);
		if (fz_cur.extra[0])
			fz_cat(msg, sizeof(msg), " %s", fz_cur.extra);
		fz_cat(msg, sizeof(msg), "]");
	}
	where[0] = '\0';
	if (w) {
		snprintf(where, sizeof(where),
			 " worker %d.%u%s call %llu (global %llu)", w->slot,
			 w->gen, w->fork_child ? " fork child" : "",
			 (unsigned long long)w->ncalls,
			 (unsigned long long)w->call);
	}
	fz_say("exo-fuzz: %s %s: seed %llu%s: %s",
	       fz_known_bugs[chk] ? "XFAIL" : "FAIL", fz_check_names[chk],
	       (unsigned long long)fz_seed, where, msg);
	if (w && nth == 0 && !fz_known_bugs[chk])
		fz_say("exo-fuzz:   replay: exo-fuzz -s %llu -R %d.%u -n %llu",
		       (unsigned long long)fz_seed, w->slot, w->gen,
		       (unsigned long long)w->ncalls);
	return false;
}

void fz_note(struct fz_worker *w, const char *what, const char *fmt, ...)
{
	char msg[512];
	__u64 nth = 0;
	va_list ap;
	size_t i;

	for (i = 0; i < FZ_ARRAY_SIZE(fz_sh->notes); i++) {
		if (!__atomic_load_n(&fz_sh->notes[i].used, __ATOMIC_ACQUIRE)) {
			int zero = 0;

			if (!__atomic_compare_exchange_n(&fz_sh->notes[i].used,
							 &zero, 1, false,
							 __ATOMIC_ACQ_REL,
							 __ATOMIC_ACQUIRE))
				continue;
			snprintf(fz_sh->notes[i].what,
				 sizeof(fz_sh->notes[i].what), "%s", what);
			__atomic_store_n(&fz_sh->notes[i].used, 2, __ATOMIC_RELEASE);
		}
		while (__atomic_load_n(&fz_sh->notes[i].used, __ATOMIC_ACQUIRE) != 2)
			;
		if (strcmp(fz_sh->notes[i].what, what))
			continue;
		nth = __atomic_fetch_add(&fz_sh->notes[i].n, 1, __ATOMIC_RELAXED);
		break;
	}
	if (nth >= 2)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_say("exo-fuzz: NOTE %s: seed %llu worker %d.%u call %llu: %s", what,
	       (unsigned long long)fz_seed, w->slot, w->gen,
	       (unsigned long long)w->ncalls, msg);
}

void fz_bad(struct fz_call *c, const char *why)
{
	c->bad = true;
	fz_cat(c->why, sizeof(c->why), "%s%s", c->why[0] ? ", " : "", why);
}

bool fz_in(const int *set, int err)
{
	for (; *set; set++)
		if (*set == err)
			return true;
	return false;
}

void fz_set_names(char *buf, size_t len, const int *set, int extra1,
			 int extra2)
{
	buf[0] = '\0';
	for (; *set; set++)
		fz_cat(buf, len, "%s%s", buf[0] ? " " : "", fz_errname(*set));
	if (extra1)
		fz_cat(buf, len, " %s", fz_errname(extra1));
	if (extra2)
		fz_cat(buf, len, " %s", fz_errname(extra2));
}

/* Result histogram: site is an ioctl row, or FZ_MAX_SITES - 1 - op. */
void fz_count(int site, int err)
{
	if (site < 0 || site >= FZ_MAX_SITES)
		return;
	if (err < 0 || err >= FZ_ERRNO_SLOTS)
		err = FZ_ERRNO_SLOTS - 1;
	__atomic_fetch_add(&fz_sh->hist[site][err], 1, __ATOMIC_RELAXED);
}

/* ---- the model of an environment's event queue --------------------------- */

void fz_env_reset(struct fz_env *e)
{
	free(e->q);
	free(e->held);
	free(e->held_fill);
	memset(e, 0, sizeof(*e));
	e->fd = -1;
}

void fz_env_loosen(struct fz_env *e)
{
	e->loose = true;
	free(e->q);
	e->q = NULL;
}

void fz_env_init(struct fz_worker *w, struct fz_env *e, int fd,
			int oflags)
{
	fz_env_reset(e);
	e->fd = fd;
	e->accmode = oflags & O_ACCMODE;
	e->nonblock = oflags & O_NONBLOCK;
	e->serial = ++w->env_serial;
	e->open_seq = ++w->open_seq;
	e->next_seq = 1;
	e->next_read_seq = 1;
	if (fz_model_on)
		e->q = calloc(fz_qlen, sizeof(*e->q));
}

static struct fz_rec *fz_q_at(struct fz_env *e, __u32 nth)
{
	return &e->q[(e->qhead + nth) % fz_qlen];
}

/*
 * The documented queue: a record per event while more than one slot is
 * free; then the last slot becomes an EXO_EVENT_OVERFLOW record, numbered
 * as the first event it replaces, counting every event lost until the
 * reader makes room.
 */
void fz_model_post(struct fz_env *e, __u64 cookie)
{
	__u64 seq = e->next_seq++;
	struct fz_rec *r;

	e->posted++;
	if (!e->q)
		return;
	if (e->qcount + 1 < fz_qlen) {
		r = fz_q_at(e, e->qcount++);
		r->type = EXO_EVENT_USER;
		r->seq = seq;
		r->d0 = cookie;
		return;
	}
	e->lost++;
	if (e->qcount) {
		r = fz_q_at(e, e->qcount - 1);
		if (r->type == EXO_EVENT_OVERFLOW) {
			r->d0++;
			return;
		}
	}
	r = fz_q_at(e, e->qcount++);
	r->type = EXO_EVENT_OVERFLOW;
	r->seq = seq;
	r->d0 = 1;
}

/* @ev was just read: compare with the oldest modelled record, drop it. */
void fz_model_take(struct fz_worker *w, struct fz_env *e,
			  const struct exo_event *ev, int nth)
{
	struct fz_rec *r;

	e->consumed++;
	if (!e->id && ev->env_id)
		e->id = ev->env_id;
	fz_expect(w, FZ_CHK_MODEL,
		  ev->env_id == e->id && ev->flags == 0 &&
		  (ev->type > EXO_EVENT_MEM_BASE ||
		   (!ev->data[1] && !ev->data[2] && !ev->data[3])) &&
		  ev->time_ns >= e->last_time_ns &&
		  ev->time_ns >= e->created_ns,
		  "record %d: env_id %llu (want %llu) flags %#x data %#llx %#llx %#llx time %llu (after %llu)",
		  nth, (unsigned long long)ev->env_id,
		  (unsigned long long)e->id, ev->flags,
		  (unsigned long long)ev->data[1],
		  (unsigned long long)ev->data[2],
		  (unsigned long long)ev->data[3],
		  (unsigned long long)ev->time_ns,
		  (unsigned long long)e->last_time_ns);
	e->last_time_ns = ev->time_ns;
	if (!e->q) {
		bool kernel = ev->type > EXO_EVENT_MEM_BASE &&
			      ev->type <= EXO_EVENT_MEM_UNGRANTED;

		fz_expect(w, FZ_CHK_MODEL,
			  (ev->type == EXO_EVENT_USER ||
			   ev->type == EXO_EVENT_OVERFLOW ||
			   (kernel && e->loose)) &&
			  ev->seq >= e->next_read_seq,
			  "record %d: type %#x seq %llu, expected seq >= %llu%s",
			  nth, ev->type, (unsigned long long)ev->seq,
			  (unsigned long long)e->next_read_seq,
			  kernel ? " (a memory event nothing of this env asked for)" : "");
		e->next_read_seq = ev->seq +
			(ev->type == EXO_EVENT_OVERFLOW ? ev->data[0] : 1);
		return;
	}
	if (!fz_expect(w, FZ_CHK_MODEL, e->qcount > 0,
		       "record %d (type %#x seq %llu) read, none expected",
		       nth, ev->type, (unsigned long long)ev->seq))
		return;
	r = fz_q_at(e, 0);
	fz_expect(w, FZ_CHK_MODEL,
		  ev->type == r->type && ev->seq == r->seq && ev->data[0] == r->d0,
		  "record %d: type %#x seq %llu data0 %#llx, expected type %#x seq %llu data0 %#llx",
		  nth, ev->type, (unsigned long long)ev->seq,
		  (unsigned long long)ev->data[0], r->type,
		  (unsigned long long)r->seq, (unsigned long long)r->d0);
	e->qhead = (e->qhead + 1) % fz_qlen;
	e->qcount--;
}

void fz_model_check_info(struct fz_worker *w, struct fz_env *e,
			 const struct exo_env_info *info)
{
	int i;

	if (!e->id) {
		e->id = info->env_id;
		/* Ids grow with every open: order them as they were opened. */
		for (i = 0; i < FZ_ENVS; i++) {
			const struct fz_env *o = &w->env[i];

			if (o == e || o->fd < 0 || !o->id || o->foreign)
				continue;
			fz_expect(w, FZ_CHK_MODEL,
				  (o->open_seq < e->open_seq) == (o->id < e->id),
				  "env opened %s another has id %llu vs %llu",
				  o->open_seq < e->open_seq ? "after" : "before",
				  (unsigned long long)e->id,
				  (unsigned long long)o->id);
		}
	}
	if (!e->created_ns)
		e->created_ns = info->created_ns;
	fz_expect(w, FZ_CHK_MODEL,
		  info->env_id == e->id && info->created_ns == e->created_ns &&
		  info->created_ns &&
		  info->owner_tgid == (__u32)getpid() &&
		  info->owner_uid == (__u32)getuid(),
		  "ENV_INFO id %llu created %llu tgid %u uid %u, expected id %llu created %llu tgid %d uid %d",
		  (unsigned long long)info->env_id,
		  (unsigned long long)info->created_ns, info->owner_tgid,
		  info->owner_uid, (unsigned long long)e->id,
		  (unsigned long long)e->created_ns, getpid(), getuid());
	fz_expect(w, FZ_CHK_MODEL,
		  (e->loose ? info->events_posted >= e->posted :
			      info->events_posted == e->posted) &&
		  info->events_read == e->consumed &&
		  (!e->q || (info->events_lost == e->lost &&
			     info->events_pending == e->qcount)),
		  "ENV_INFO posted %llu read %llu lost %llu pending %u, model %llu %llu %llu %u",
		  (unsigned long long)info->events_posted,
		  (unsigned long long)info->events_read,
		  (unsigned long long)info->events_lost, info->events_pending,
		  (unsigned long long)e->posted,
		  (unsigned long long)e->consumed,
		  (unsigned long long)e->lost, e->qcount);
	/* Each binding models its counter here; not there yet: 0. */
	fz_expect(w, FZ_CHK_MODEL,
		  (e->frames_unknown || info->frames == e->nheld) &&
		  info->slots == e->cpu_slots && info->filters == e->nfilters &&
		  (e->xn_unknown || info->blocks == e->nxn),
		  "ENV_INFO frames %llu (model %u%s) slots %llu filters %llu (model %u) blocks %llu (model %u)",
		  (unsigned long long)info->frames, e->nheld,
		  e->frames_unknown ? ", unknown" : "",
		  (unsigned long long)info->slots,
		  (unsigned long long)info->filters, e->nfilters,
		  (unsigned long long)info->blocks, e->nxn);
}

bool fz_nr_served(unsigned int nr)
{
	if (nr < 64)
		return fz_kernel_ioctls & (1ULL << nr);
	return nr < 128 && (fz_kernel_ioctls_hi & (1ULL << (nr - 64)));
}

bool fz_cmd_served(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == EXO_IOC_MAGIC && _IOC_DIR(cmd) == _IOC_NONE &&
	       !_IOC_SIZE(cmd) && fz_nr_served(_IOC_NR(cmd));
}

unsigned long fz_wild_value(struct fz_worker *w)
{
	static const unsigned long wild[] = {
		1, 0xfff, 0x1000,		/* below mmap_min_addr */
		0x8000000000000000UL,		/* non-canonical */
		0xdead000000000000UL,
		0xffff888000000000UL,		/* the direct map */
		0xffffffff81000000UL,		/* kernel text */
		~0UL, ~0UL - 7,
	};

	if (fz_chance(&w->rng, 15))
		return (unsigned long)w->guard + fz_below(&w->rng, fz_page);
	return wild[fz_below(&w->rng, FZ_ARRAY_SIZE(wild))];
}

/* ---- staging and counting for the tables ---------------------------------- */

void fz_put32(unsigned char *p, __u32 v)
{
	memcpy(p, &v, sizeof(v));
}

__u32 fz_get32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A probe of a region's page: 0, SIGBUS or SIGSEGV. */
void fz_count_touch(int sig)
{
	fz_count(fz_op_site(FZ_OP_TOUCH), sig);
}

/* ---- the budget of calls, shared by the workers ---------------------------- */

void fz_notify(unsigned char what)
{
	if (write(fz_notify_fd, &what, 1) < 0)
		return;	/* full: the parent looks at every slot anyway */
}

__u64 fz_claim(struct fz_worker *w, __u64 n)
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
