// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: a worker's operations, one picked by weight per call: an ioctl
 * (fz_call.c), read(2) and its interrupted blocking form, poll(2), epoll,
 * mmap(2)/munmap(2) of regions, fcntl, dup, close and reopen, a burst of
 * raises, fork (the child probes the inherited environments), and touches
 * of mapped pages (fz_mem.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fz_engine.h"

/*
 * mmap(2) of /dev/exo succeeds only once the kernel advertises the memory
 * binding, and then only for the owner after the handshake.
 */
#ifdef EXO_FEATURE_MEM
#define FZ_FEATURE_MEM		EXO_FEATURE_MEM
#else
#define FZ_FEATURE_MEM		0
#endif

/* ---- operations ------------------------------------------------------ */

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

void fz_alarm(int sig)
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
	if (e->ring && fz_chance(&w->rng, 15)) {
		/* The submission ring: its length, or either side of it. */
		off = (off_t)EXO_MMAP_RING;
		if (fz_chance(&w->rng, 10))
			off += fz_page;
		p = fz_below(&w->rng, 100);
		len = p < 70 ? e->ring_size : p < 85 ? e->ring_size + fz_page :
		      e->ring_size - fz_page;
	}
	if ((fz_kernel_features & EXO_FEATURE_NET) && fz_chance(&w->rng, 10)) {
		/* A receive ring: its own, one granted to it (CAP_NET), none. */
		__u64 id = 1 + fz_below(&w->rng, 32);
		struct fz_env *o = &w->env[fz_below(&w->rng, FZ_ENVS)];

		/* Often another env's newest ring: granted to us, or not. */
		if (o->fd >= 0 && o->net_last_id && fz_chance(&w->rng, 70))
			id = o->net_last_id;
		off = (off_t)(EXO_MMAP_NET + (id << EXO_NET_RING_SHIFT));
		len = fz_page * (1 + fz_below(&w->rng, 40));
	}

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
	if (!err && (__u64)off >= EXO_MMAP_NET && (__u64)off < EXO_MMAP_XN) {
		/*
		 * A ring: only the owner's env after the handshake. Its pages
		 * read, unless a cap it came through was revoked meanwhile.
		 */
		int sig = prot & PROT_READ ? fz_mem_probe_read(addr) : 0;

		fz_expect(w, FZ_CHK_STATE, !e->foreign && e->handshaken,
			  "a receive ring mapped on %s", e->foreign ?
			  "another process's env" : "an env before its handshake");
		fz_expect(w, FZ_CHK_MODEL, !sig || sig == SIGBUS,
			  "a receive ring's first page raised signal %d", sig);
		munmap(addr, len);
		fz_cur.extra[0] = '\0';
		return;
	}
	if (!err && (__u64)off >= EXO_MMAP_RING &&
	    (__u64)off < EXO_MMAP_RING + EXO_MMAP_CPU) {
		/* The submission ring: whole, shared, the owner's, set up. */
		fz_expect(w, FZ_CHK_MODEL, e->ring && !e->foreign &&
			  off == (off_t)EXO_MMAP_RING &&
			  (flags & MAP_SHARED) &&
			  (len + fz_page - 1) / fz_page * fz_page == e->ring_size,
			  "submission ring mapped: flags %#x len %zu off %#llx (ring %u bytes)",
			  flags, len, (unsigned long long)off, e->ring_size);
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

static void fz_op_cpu_escape(struct fz_worker *w)
{
	int ret = fz_cpu_escape(w);

	if (ret >= 0)
		fz_count(fz_op_site(FZ_OP_CPU_ESCAPE), ret);
}

/*
 * Weights are per operation; a raise-burst is ~qlen calls of the budget,
 * so its weight is small to keep it near a tenth of all calls.
 */
const struct fz_op fz_ops[FZ_NOPS] = {
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
	/* Weight 0: run beside the others, so that seeds replay as before. */
	[FZ_OP_CPU_ESCAPE] = { "cpu-escape", 0, false, fz_op_cpu_escape },
};

void fz_run_op(struct fz_worker *w, const struct fz_op *op)
{
	fz_cur.op = op->name;
	fz_cur.env = NULL;
	fz_cur.call = NULL;
	fz_cur.extra[0] = '\0';
	op->run(w);
	fz_cur.op = NULL;
}

const struct fz_op *fz_pick_op(struct fz_worker *w)
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
