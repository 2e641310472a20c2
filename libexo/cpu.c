// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libexo's CPU binding: one wrapper per EXO_IOC_CPU_* ioctl and the slot
 * page, then a small slot runner on top (bind, take each turn's wake, run
 * the libOS's function inside the turn, yield, let go), and user-level
 * threads under a stride scheduler that run only inside the turns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "internal.h"

/* ---- raw wrappers, one per ioctl --------------------------------------- */

LIBEXO_EXPORT int exo_cpu_info(struct exo *exo, __u32 cpu,
			       struct exo_cpu_info *info)
{
	if (!exo || !info)
		return exo_err(EINVAL);
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->cpu = cpu;
	return exo_ioctl(exo, EXO_IOC_CPU_INFO, info);
}

/* BOOK or FREE (@cmd) @count slots of @cpu: @start, @start + @stride, ... */
static int cpu_slots_pattern(struct exo *exo, unsigned long cmd, __u32 cpu,
			     __u32 start, __u32 count, __u32 stride)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_PATTERN,
		.cpu = cpu, .start = start, .count = count, .stride = stride,
	};

	return exo_ioctl(exo, cmd, &req);
}

/* BOOK or FREE (@cmd) the slots of @cpu set in @mask. */
static int cpu_slots_mask(struct exo *exo, unsigned long cmd, __u32 cpu,
			  const __u64 *mask)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_MASK, .cpu = cpu,
	};

	if (!mask)
		return exo_err(EINVAL);
	memcpy(req.mask, mask, sizeof(req.mask));
	return exo_ioctl(exo, cmd, &req);
}

LIBEXO_EXPORT int exo_cpu_book(struct exo *exo, __u32 cpu, __u32 start,
			       __u32 count, __u32 stride)
{
	return cpu_slots_pattern(exo, EXO_IOC_CPU_BOOK, cpu, start, count,
				 stride);
}

LIBEXO_EXPORT int exo_cpu_free(struct exo *exo, __u32 cpu, __u32 start,
			       __u32 count, __u32 stride)
{
	return cpu_slots_pattern(exo, EXO_IOC_CPU_FREE, cpu, start, count,
				 stride);
}

LIBEXO_EXPORT int exo_cpu_book_mask(struct exo *exo, __u32 cpu,
				    const __u64 *mask)
{
	return cpu_slots_mask(exo, EXO_IOC_CPU_BOOK, cpu, mask);
}

LIBEXO_EXPORT int exo_cpu_free_mask(struct exo *exo, __u32 cpu,
				    const __u64 *mask)
{
	return cpu_slots_mask(exo, EXO_IOC_CPU_FREE, cpu, mask);
}

LIBEXO_EXPORT int exo_cpu_query(struct exo *exo, __u32 cpu,
				struct exo_cpu_query *query)
{
	if (!exo || !query)
		return exo_err(EINVAL);
	memset(query, 0, sizeof(*query));
	query->argsz = sizeof(*query);
	query->cpu = cpu;
	return exo_ioctl(exo, EXO_IOC_CPU_QUERY, query);
}

LIBEXO_EXPORT int exo_cpu_bind(struct exo *exo, __u32 cpu, int signal,
			       __u32 flags)
{
	struct exo_cpu_bind req = {
		.argsz = sizeof(req), .flags = flags, .cpu = cpu,
		.signal = (__u32)signal,
	};

	if (!exo || signal < 0)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_CPU_BIND, &req);
}

LIBEXO_EXPORT int exo_cpu_unbind(struct exo *exo)
{
	struct exo_cpu_bind req = { .argsz = sizeof(req) };

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_CPU_UNBIND, &req);
}

LIBEXO_EXPORT int exo_cpu_wait(struct exo *exo, __u32 timeout_ms,
			       struct exo_cpu_wake *wake)
{
	if (!exo || !wake)
		return exo_err(EINVAL);
	memset(wake, 0, sizeof(*wake));
	wake->argsz = sizeof(*wake);
	wake->timeout_ms = timeout_ms;
	return exo_ioctl(exo, EXO_IOC_CPU_WAIT, wake);
}

LIBEXO_EXPORT int exo_cpu_wait_donate(struct exo *exo, __u64 target,
				      __u32 timeout_ms,
				      struct exo_cpu_wake *wake)
{
	if (!exo || !wake || !target)
		return exo_err(EINVAL);
	memset(wake, 0, sizeof(*wake));
	wake->argsz = sizeof(*wake);
	wake->flags = EXO_CPU_WAIT_DONATE;
	wake->timeout_ms = timeout_ms;
	wake->target = target;
	return exo_ioctl(exo, EXO_IOC_CPU_WAIT, wake);
}

LIBEXO_EXPORT int exo_cpu_yield(struct exo *exo, __u64 target, bool *ended)
{
	struct exo_cpu_yield req = {
		.argsz = sizeof(req),
		.flags = target ? EXO_CPU_YIELD_TO : 0,
		.target = target,
	};

	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_CPU_YIELD, &req) < 0)
		return exo_err(errno);
	if (ended)
		*ended = req.ended;
	return 0;
}

LIBEXO_EXPORT int exo_cpu_revoke(struct exo *exo, __u64 env_id, __u32 count,
				 __u32 deadline_ms)
{
	struct exo_cpu_revoke req = {
		.argsz = sizeof(req), .count = count,
		.deadline_ms = deadline_ms, .env_id = env_id,
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_ioctl(exo, EXO_IOC_CPU_REVOKE, &req);
}

/* ---- the slot page ------------------------------------------------------- */

LIBEXO_EXPORT const struct exo_cpu_page *exo_cpu_page_map(struct exo *exo)
{
	void *p;

	if (!exo) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED,
		 exo->fd, (off_t)EXO_MMAP_CPU);
	return p == MAP_FAILED ? NULL : p;
}

LIBEXO_EXPORT void exo_cpu_page_unmap(const struct exo_cpu_page *page)
{
	if (page)
		munmap((void *)page, (size_t)sysconf(_SC_PAGESIZE));
}

LIBEXO_EXPORT int exo_cpu_page_read(const struct exo_cpu_page *page,
				    __u32 index, struct exo_cpu_page_cpu *out,
				    __u32 *excess)
{
	__u32 seq;

	if (!page || !out || index >= EXO_CPU_PAGE_CPUS)
		return exo_err(EINVAL);
	do {
		seq = __atomic_load_n(&page->seq, __ATOMIC_ACQUIRE);
		*out = page->cpus[index];
		if (excess)
			*excess = page->excess;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) ||
		 seq != __atomic_load_n(&page->seq, __ATOMIC_RELAXED));
	return 0;
}

/* ---- the slot runner ------------------------------------------------------- */

LIBEXO_EXPORT int exo_slots_run(struct exo *exo, __u32 cpu, int signal,
				unsigned int turns, exo_slot_fn fn, void *arg)
{
	struct exo_cpu_wake wake;
	unsigned int i;
	int ret, err;

	if (!exo || !fn)
		return exo_err(EINVAL);
	ret = exo_cpu_bind(exo, cpu, signal, 0);
	if (ret)
		return ret;
	for (i = 0; !turns || i < turns; i++) {
		/* Waiting is yielding: the last turn ends here. */
		ret = exo_cpu_wait(exo, 0, &wake);
		if (ret == -EINTR)
			continue;
		/* Only a CPU going offline unbinds us, even inside @fn's turn. */
		if (ret == -EINVAL)
			ret = -ENODEV;
		if (ret)
			break;
		ret = fn(&wake, arg);
		if (ret)
			break;
	}
	/* Give back the turn we may be in before letting go of the CPU. */
	exo_cpu_yield(exo, 0, NULL);
	err = errno;
	exo_cpu_unbind(exo);
	errno = ret < 0 ? -ret : err;
	return ret < 0 ? ret : 0;
}

/* ---- user-level threads and a stride scheduler ------------------------------ */

#define UTHREAD_STACK		(64 * 1024)
#define STRIDE_ONE		(1ULL << 20)	/* stride = STRIDE_ONE / tickets */

struct exo_uthread {
	ucontext_t ctx;
	void (*fn)(void *arg);
	void *arg;
	void *stack;
	unsigned long long pass, stride, quanta;
	bool done;
};

struct exo_uthreads {
	struct exo *exo;
	__u32 cpu;
	__u64 quantum_ns;
	ucontext_t sched;
	struct exo_uthread *t[EXO_UTHREADS_MAX];
	int n;
	struct exo_uthread *cur;
	__u64 slice_end;		/* CLOCK_MONOTONIC end of cur's quantum */
};

/* The package running on this OS thread, for exo_uthread_check(). */
static __thread struct exo_uthreads *uth_self;

static __u64 uth_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

LIBEXO_EXPORT struct exo_uthreads *exo_uthreads_create(struct exo *exo,
						      __u32 cpu)
{
	struct exo_cpu_info info;
	struct exo_uthreads *u;

	if (exo_cpu_info(exo, cpu, &info))
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u) {
		errno = ENOMEM;
		return NULL;
	}
	u->exo = exo;
	u->cpu = cpu;
	u->quantum_ns = info.quantum_ns;
	return u;
}

LIBEXO_EXPORT void exo_uthreads_destroy(struct exo_uthreads *u)
{
	int i;

	if (!u)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->t[i]->stack);
		free(u->t[i]);
	}
	free(u);
}

static void uth_trampoline(void)
{
	struct exo_uthreads *u = uth_self;
	struct exo_uthread *t = u->cur;

	t->fn(t->arg);
	t->done = true;
	swapcontext(&t->ctx, &u->sched);
}

LIBEXO_EXPORT int exo_uthread_spawn(struct exo_uthreads *u,
				    void (*fn)(void *arg), void *arg,
				    unsigned int tickets)
{
	struct exo_uthread *t;

	if (!u || !fn || !tickets || tickets > STRIDE_ONE)
		return exo_err(EINVAL);
	if (u->n == EXO_UTHREADS_MAX)
		return exo_err(ENOSPC);
	t = calloc(1, sizeof(*t));
	if (!t)
		return exo_err(ENOMEM);
	t->stack = malloc(UTHREAD_STACK);
	if (!t->stack || getcontext(&t->ctx)) {
		free(t->stack);
		free(t);
		return exo_err(ENOMEM);
	}
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = UTHREAD_STACK;
	t->ctx.uc_link = NULL;
	makecontext(&t->ctx, uth_trampoline, 0);
	t->fn = fn;
	t->arg = arg;
	t->stride = STRIDE_ONE / tickets;
	/* A newcomer starts level with the least advanced, not at 0. */
	t->pass = u->n ? ~0ULL : 0;
	for (int i = 0; i < u->n; i++)
		if (u->t[i]->pass < t->pass)
			t->pass = u->t[i]->pass;
	u->t[u->n] = t;
	return u->n++;
}

LIBEXO_EXPORT void exo_uthread_check(void)
{
	struct exo_uthreads *u = uth_self;

	if (u && u->cur && uth_now() >= u->slice_end)
		swapcontext(&u->cur->ctx, &u->sched);
}

/* Stride scheduling: the runnable thread with the least pass goes next. */
static struct exo_uthread *uth_pick(struct exo_uthreads *u)
{
	struct exo_uthread *best = NULL;
	int i;

	for (i = 0; i < u->n; i++)
		if (!u->t[i]->done && (!best || u->t[i]->pass < best->pass))
			best = u->t[i];
	return best;
}

LIBEXO_EXPORT int exo_uthreads_run(struct exo_uthreads *u, unsigned int turns)
{
	struct exo_cpu_wake wake;
	struct exo_uthread *t;
	unsigned int i;
	__u64 end;
	int ret;

	if (!u || !turns)
		return exo_err(EINVAL);
	ret = exo_cpu_bind(u->exo, u->cpu, 0, 0);
	if (ret)
		return ret;
	uth_self = u;
	for (i = 0; i < turns; i++) {
		ret = exo_cpu_wait(u->exo, 0, &wake);
		if (ret == -EINTR) {
			i--;
			continue;
		}
		if (ret)
			break;
		/*
		 * One quantum per pick while the turn lasts, stopping half a
		 * quantum early: the turn is given back before it ends, not
		 * in the grace period after, which a delay could overrun.
		 */
		end = wake.end_ns - u->quantum_ns / 2;
		while (uth_now() < end && (t = uth_pick(u))) {
			u->slice_end = uth_now() + u->quantum_ns;
			if (u->slice_end > end)
				u->slice_end = end;
			u->cur = t;
			swapcontext(&u->sched, &t->ctx);
			u->cur = NULL;
			t->pass += t->stride;
			t->quanta++;
		}
	}
	uth_self = NULL;
	exo_cpu_yield(u->exo, 0, NULL);
	exo_cpu_unbind(u->exo);
	return ret;
}

LIBEXO_EXPORT unsigned long long exo_uthread_quanta(struct exo_uthreads *u,
						    int id)
{
	if (!u || id < 0 || id >= u->n)
		return 0;
	return u->t[id]->quanta;
}
