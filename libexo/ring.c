// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * The submission ring (uapi section 8), liburing-shaped: queue SQEs in the
 * mapped SQ, ring the doorbell once for all of them, reap CQEs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

struct exo_uring {
	struct exo *exo;
	void *map;
	size_t len;
	struct exo_ring_hdr *hdr;
	struct exo_ring_sqe *sqes;
	struct exo_ring_cqe *cqes;
	__u32 sq_mask;
	__u32 cq_mask;
	__u32 sqe_tail;		/* SQEs handed out; published at submit */
};

LIBEXO_EXPORT struct exo_uring *exo_ring_init(struct exo *exo, __u32 entries)
{
	struct exo_ring_setup setup;
	struct exo_uring *r;
	void *map;
	int err;

	if (!exo) {
		errno = EINVAL;
		return NULL;
	}
	memset(&setup, 0, sizeof(setup));
	setup.argsz = sizeof(setup);
	setup.sq_entries = entries;
	if (exo_ioctl(exo, EXO_IOC_RING_SETUP, &setup))
		return NULL;
	map = mmap(NULL, setup.ring_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   exo->fd, (off_t)EXO_MMAP_RING);
	r = calloc(1, sizeof(*r));
	if (map == MAP_FAILED || !r) {
		err = map == MAP_FAILED ? errno : ENOMEM;
		if (map != MAP_FAILED)
			munmap(map, setup.ring_size);
		free(r);
		errno = err;
		return NULL;
	}
	r->exo = exo;
	r->map = map;
	r->len = setup.ring_size;
	r->hdr = map;
	r->sqes = (struct exo_ring_sqe *)((char *)map + setup.sq_off);
	r->cqes = (struct exo_ring_cqe *)((char *)map + setup.cq_off);
	r->sq_mask = setup.sq_entries - 1;
	r->cq_mask = setup.cq_entries - 1;
	r->sqe_tail = r->hdr->sq_tail;
	return r;
}

LIBEXO_EXPORT void exo_ring_exit(struct exo_uring *r)
{
	if (!r)
		return;
	munmap(r->map, r->len);
	free(r);
}

LIBEXO_EXPORT struct exo_ring_hdr *exo_ring_hdr(struct exo_uring *r)
{
	return r ? r->hdr : NULL;
}

LIBEXO_EXPORT struct exo_ring_sqe *exo_ring_get_sqe(struct exo_uring *r)
{
	struct exo_ring_sqe *sqe;
	__u32 head;

	if (!r) {
		errno = EINVAL;
		return NULL;
	}
	head = __atomic_load_n(&r->hdr->sq_head, __ATOMIC_ACQUIRE);
	if (r->sqe_tail - head > r->sq_mask) {
		errno = EBUSY;
		return NULL;
	}
	sqe = &r->sqes[r->sqe_tail++ & r->sq_mask];
	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

LIBEXO_EXPORT void exo_ring_prep_ioctl(struct exo_ring_sqe *sqe, __u32 cmd,
				       void *arg, __u64 user_data)
{
	sqe->cmd = cmd;
	sqe->flags = 0;
	sqe->arg = (__u64)(unsigned long)arg;
	sqe->user_data = user_data;
	sqe->reserved = 0;
}

LIBEXO_EXPORT void exo_ring_prep_nop(struct exo_ring_sqe *sqe, __u64 user_data)
{
	exo_ring_prep_ioctl(sqe, EXO_IOC_NOP, NULL, user_data);
}

LIBEXO_EXPORT void exo_ring_prep_mem_alloc(struct exo_ring_sqe *sqe,
					   struct exo_mem_alloc *arg,
					   __u64 user_data)
{
	exo_ring_prep_ioctl(sqe, EXO_IOC_MEM_ALLOC, arg, user_data);
}

LIBEXO_EXPORT void exo_ring_prep_mem_free(struct exo_ring_sqe *sqe,
					  struct exo_mem_batch *arg,
					  __u64 user_data)
{
	exo_ring_prep_ioctl(sqe, EXO_IOC_MEM_FREE, arg, user_data);
}

LIBEXO_EXPORT void exo_ring_prep_mem_map(struct exo_ring_sqe *sqe,
					 struct exo_mem_batch *arg,
					 __u64 user_data)
{
	exo_ring_prep_ioctl(sqe, EXO_IOC_MEM_MAP, arg, user_data);
}

LIBEXO_EXPORT void exo_ring_prep_mem_unmap(struct exo_ring_sqe *sqe,
					   struct exo_mem_unmap *arg,
					   __u64 user_data)
{
	exo_ring_prep_ioctl(sqe, EXO_IOC_MEM_UNMAP, arg, user_data);
}

/* Publish what get_sqe handed out and ring the doorbell, wanting @wait_nr. */
LIBEXO_EXPORT int exo_ring_submit_and_wait(struct exo_uring *r, __u32 wait_nr)
{
	struct exo_ring_enter enter;
	__u32 head;

	if (!r)
		return exo_err(EINVAL);
	__atomic_store_n(&r->hdr->sq_tail, r->sqe_tail, __ATOMIC_RELEASE);
	head = __atomic_load_n(&r->hdr->sq_head, __ATOMIC_ACQUIRE);
	memset(&enter, 0, sizeof(enter));
	enter.argsz = sizeof(enter);
	enter.to_submit = r->sqe_tail - head;
	if (enter.to_submit > r->sq_mask + 1)
		return exo_err(EINVAL);
	enter.min_complete = wait_nr;
	if (exo_ioctl(r->exo, EXO_IOC_RING_ENTER, &enter))
		return -errno;
	return (int)enter.submitted;
}

LIBEXO_EXPORT int exo_ring_submit(struct exo_uring *r)
{
	return exo_ring_submit_and_wait(r, 0);
}

LIBEXO_EXPORT int exo_ring_peek_cqe(struct exo_uring *r,
				    struct exo_ring_cqe **cqe)
{
	__u32 head, tail;

	if (!r || !cqe)
		return exo_err(EINVAL);
	head = r->hdr->cq_head;
	tail = __atomic_load_n(&r->hdr->cq_tail, __ATOMIC_ACQUIRE);
	if (head == tail)
		return exo_err(EAGAIN);
	*cqe = &r->cqes[head & r->cq_mask];
	return 0;
}

LIBEXO_EXPORT int exo_ring_wait_cqe(struct exo_uring *r,
				    struct exo_ring_cqe **cqe)
{
	int ret;

	ret = exo_ring_peek_cqe(r, cqe);
	if (ret != -EAGAIN)
		return ret;
	/* Nothing is ever in flight: only queued SQEs can bring a CQE. */
	if (r->sqe_tail == __atomic_load_n(&r->hdr->sq_head, __ATOMIC_ACQUIRE))
		return exo_err(EAGAIN);
	ret = exo_ring_submit_and_wait(r, 1);
	if (ret < 0)
		return ret;
	return exo_ring_peek_cqe(r, cqe);
}

LIBEXO_EXPORT void exo_ring_cqe_seen(struct exo_uring *r,
				     struct exo_ring_cqe *cqe)
{
	(void)cqe;
	if (r)
		__atomic_store_n(&r->hdr->cq_head, r->hdr->cq_head + 1,
				 __ATOMIC_RELEASE);
}

LIBEXO_EXPORT __u32 exo_ring_overflow(struct exo_uring *r)
{
	return r ? __atomic_load_n(&r->hdr->cq_overflow, __ATOMIC_RELAXED) : 0;
}
