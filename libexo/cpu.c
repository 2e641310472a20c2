// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libexo's CPU binding: one wrapper per EXO_IOC_CPU_* ioctl and the slot
 * page, then a small slot runner on top: bind, take each turn's wake, run
 * the libOS's function inside the turn, yield, and let go.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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
	if (ioctl(exo->fd, EXO_IOC_CPU_INFO, info) < 0)
		return exo_err(errno);
	return 0;
}

static int exo_cpu_slots(struct exo *exo, unsigned long cmd,
			 struct exo_cpu_slots *req)
{
	if (ioctl(exo->fd, cmd, req) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_cpu_book(struct exo *exo, __u32 cpu, __u32 start,
			       __u32 count, __u32 stride)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_PATTERN,
		.cpu = cpu, .start = start, .count = count, .stride = stride,
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_cpu_slots(exo, EXO_IOC_CPU_BOOK, &req);
}

LIBEXO_EXPORT int exo_cpu_free(struct exo *exo, __u32 cpu, __u32 start,
			       __u32 count, __u32 stride)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_PATTERN,
		.cpu = cpu, .start = start, .count = count, .stride = stride,
	};

	if (!exo)
		return exo_err(EINVAL);
	return exo_cpu_slots(exo, EXO_IOC_CPU_FREE, &req);
}

LIBEXO_EXPORT int exo_cpu_book_mask(struct exo *exo, __u32 cpu,
				    const __u64 *mask)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_MASK, .cpu = cpu,
	};

	if (!exo || !mask)
		return exo_err(EINVAL);
	memcpy(req.mask, mask, sizeof(req.mask));
	return exo_cpu_slots(exo, EXO_IOC_CPU_BOOK, &req);
}

LIBEXO_EXPORT int exo_cpu_free_mask(struct exo *exo, __u32 cpu,
				    const __u64 *mask)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_MASK, .cpu = cpu,
	};

	if (!exo || !mask)
		return exo_err(EINVAL);
	memcpy(req.mask, mask, sizeof(req.mask));
	return exo_cpu_slots(exo, EXO_IOC_CPU_FREE, &req);
}

LIBEXO_EXPORT int exo_cpu_query(struct exo *exo, __u32 cpu,
				struct exo_cpu_query *query)
{
	if (!exo || !query)
		return exo_err(EINVAL);
	memset(query, 0, sizeof(*query));
	query->argsz = sizeof(*query);
	query->cpu = cpu;
	if (ioctl(exo->fd, EXO_IOC_CPU_QUERY, query) < 0)
		return exo_err(errno);
	return 0;
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
	if (ioctl(exo->fd, EXO_IOC_CPU_BIND, &req) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_cpu_unbind(struct exo *exo)
{
	struct exo_cpu_bind req = { .argsz = sizeof(req) };

	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_CPU_UNBIND, &req) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_cpu_wait(struct exo *exo, __u32 timeout_ms,
			       struct exo_cpu_wake *wake)
{
	if (!exo || !wake)
		return exo_err(EINVAL);
	memset(wake, 0, sizeof(*wake));
	wake->argsz = sizeof(*wake);
	wake->timeout_ms = timeout_ms;
	if (ioctl(exo->fd, EXO_IOC_CPU_WAIT, wake) < 0)
		return exo_err(errno);
	return 0;
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
	if (ioctl(exo->fd, EXO_IOC_CPU_WAIT, wake) < 0)
		return exo_err(errno);
	return 0;
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
	if (ioctl(exo->fd, EXO_IOC_CPU_REVOKE, &req) < 0)
		return exo_err(errno);
	return 0;
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
