// SPDX-License-Identifier: GPL-2.0
/*
 * Fault upcalls (Aegis's exceptions to the libOS): in a region with
 * EXO_REGION_FAULT_UPCALL, a touch of an unbound page, or a write to a
 * page bound read-only, becomes an EXO_EVENT_MEM_FAULT, and the thread
 * sleeps with its fault lock dropped until the libOS binds the page
 * (FAULT_RESOLVE, MAP), fails it, or fault_timeout_ms passes. The fault
 * then returns VM_FAULT_RETRY, as userfaultfd does: the retry finds the
 * frame, or the FAILED record that makes it SIGBUS. SIGBUS cannot be
 * returned from the first attempt, whose lock is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "mem.h"

#define EXO_FAULT_TIMEOUT_MS_MAX	60000

static void exo_fault_free(struct exo_fault *fault)
{
	list_del(&fault->region_node);
	put_task_struct(fault->task);
	kfree(fault);
}

/* At the region's last reference: what FAILED records no retry took. */
void exo_faults_free(struct exo_region *region)
{
	struct exo_fault *fault, *next;

	list_for_each_entry_safe(fault, next, &region->faults, region_node)
		exo_fault_free(fault);
}

/* End the pending faults on pages [pgoff, pgoff + count) with @state. */
void exo_faults_end_locked(struct exo_region *region, u32 pgoff, u32 count,
			   enum exo_fault_state state)
{
	struct exo_fault *fault;

	lockdep_assert_held(&exo_mem_lock);
	list_for_each_entry(fault, &region->faults, region_node) {
		if (fault->state != EXO_FAULT_PENDING ||
		    fault->pgoff < pgoff || fault->pgoff - pgoff >= count)
			continue;
		fault->state = state;
		complete(&fault->done);
	}
}

/*
 * Called from the fault handler with exo_mem_lock held, which it drops.
 * A thread has at most one fault in flight, so a record of ours already
 * here is from an earlier fault: the one this retries, or a stale one.
 */
vm_fault_t exo_fault_upcall(struct vm_fault *vmf, struct exo_region *region,
			    u32 pgoff, bool write)
{
	struct exo_env *env = region->env;
	struct exo_fault *fault, *next;
	unsigned long timeout;
	long left;

	lockdep_assert_held(&exo_mem_lock);
	list_for_each_entry_safe(fault, next, &region->faults, region_node) {
		vm_fault_t failed = 0;

		if (fault->task != current)
			continue;
		/* A write to a read-only page nobody fixed: as without us. */
		if (fault->state == EXO_FAULT_FAILED && fault->pgoff == pgoff)
			failed = fault->readonly ? VM_FAULT_SIGSEGV :
				 VM_FAULT_SIGBUS;
		exo_fault_free(fault);
		if (failed) {
			mutex_unlock(&exo_mem_lock);
			return failed;
		}
	}
	/* Not allowed to drop the lock and sleep: as without the upcall. */
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY)) {
		mutex_unlock(&exo_mem_lock);
		return VM_FAULT_SIGBUS;
	}
	/* The caller keeps its lock and will fault again, allowed to wait. */
	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT) {
		mutex_unlock(&exo_mem_lock);
		return VM_FAULT_RETRY;
	}
	fault = kzalloc(sizeof(*fault), GFP_KERNEL_ACCOUNT);
	if (!fault) {
		mutex_unlock(&exo_mem_lock);
		return VM_FAULT_OOM;
	}
	fault->id = ++env->mem.next_fault_id;
	fault->region = region;
	fault->task = get_task_struct(current);
	fault->pgoff = pgoff;
	fault->write = write;
	fault->readonly = !!region->pages[pgoff];
	fault->state = EXO_FAULT_PENDING;
	init_completion(&fault->done);
	list_add_tail(&fault->region_node, &region->faults);
	kref_get(&region->ref);
	exo_event_post(env, EXO_EVENT_MEM_FAULT, fault->id,
		       region->start + ((unsigned long)pgoff << PAGE_SHIFT),
		       (write ? EXO_MEM_FAULT_WRITE : 0) |
		       (fault->readonly ? EXO_MEM_FAULT_READONLY : 0),
		       task_pid_vnr(current));
	mutex_unlock(&exo_mem_lock);

	/* From here the VMA may go: only the region, which we hold. */
	exo_release_fault_lock(vmf);
	timeout = clamp_val(READ_ONCE(exo_fault_timeout_ms), 1,
			    EXO_FAULT_TIMEOUT_MS_MAX);
	left = wait_for_completion_killable_timeout(&fault->done,
						    msecs_to_jiffies(timeout));

	mutex_lock(&exo_mem_lock);
	if (fault->state == EXO_FAULT_PENDING && left == 0)
		fault->state = EXO_FAULT_FAILED;	/* timed out */
	/* Killed (the retry never comes) or resolved: done with it. */
	if (fault->state != EXO_FAULT_FAILED || fatal_signal_pending(current))
		exo_fault_free(fault);
	mutex_unlock(&exo_mem_lock);
	kref_put(&region->ref, exo_region_release);
	return VM_FAULT_RETRY;
}

long exo_mem_region_set_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_region *region;
	struct exo_mem_region req;
	u32 pgoff;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_REGION_MINSZ, uarg);
	if (ret)
		return ret;
	if (req.flags & ~EXO_REGION_FAULT_UPCALL)
		return -EINVAL;

	mmap_read_lock(current->mm);
	mutex_lock(&exo_mem_lock);
	ret = -EINVAL;
	region = exo_region_find(env, req.addr, 1, &pgoff);
	if (!region || pgoff)
		goto out_unlock;
	region->flags = req.flags;
	if (!(req.flags & EXO_REGION_FAULT_UPCALL))
		exo_faults_end_locked(region, 0, region->npages,
				      EXO_FAULT_FAILED);
	ret = 0;
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mmap_read_unlock(current->mm);
	return ret;
}

/* The caller's pending fault @id, in a region of its own mm, or NULL. */
static struct exo_fault *exo_fault_find_id(struct exo_env *env, u64 id)
{
	struct exo_region *region;
	struct exo_fault *fault;

	lockdep_assert_held(&exo_mem_lock);
	list_for_each_entry(region, &env->mem.regions, env_node) {
		if (region->mm != current->mm)
			continue;
		list_for_each_entry(fault, &region->faults, region_node)
			if (fault->id == id &&
			    fault->state == EXO_FAULT_PENDING)
				return fault;
	}
	return NULL;
}

static struct exo_fault *exo_fault_find_page(struct exo_region *region,
					     u32 pgoff)
{
	struct exo_fault *fault;

	list_for_each_entry(fault, &region->faults, region_node)
		if (fault->pgoff == pgoff && fault->state == EXO_FAULT_PENDING)
			return fault;
	return NULL;
}

long exo_mem_fault_resolve_ioctl(struct exo_env *env, void __user *uarg)
{
	struct exo_mem_fault_resolve req;
	struct exo_grant *grant = NULL;
	struct exo_region *region;
	struct exo_fault *fault;
	struct exo_frame *frame;
	bool fail, write;
	u32 pgoff;
	int ret;

	ret = exo_copy_args(&req, sizeof(req), EXO_MEM_RESOLVE_MINSZ, uarg);
	if (ret)
		return ret;
	fail = req.flags & EXO_MEM_FAULT_FAIL;
	write = req.flags & EXO_MEM_PROT_WRITE;
	if ((req.flags & ~(EXO_MEM_FAULT_FAIL | EXO_MEM_PROT_WRITE)) ||
	    req.reserved || (fail && (write || req.index)) ||
	    (!req.fault_id == !req.addr) ||
	    (!fail && req.index >= exo_pool.nframes))
		return -EINVAL;

	mmap_read_lock(current->mm);
	mutex_lock(&exo_mem_lock);
	if (req.fault_id) {
		ret = -ENOENT;
		fault = exo_fault_find_id(env, req.fault_id);
		if (!fault)
			goto out_unlock;
		region = fault->region;
		pgoff = fault->pgoff;
	} else {
		ret = -EINVAL;
		region = exo_region_find(env, req.addr, 1, &pgoff);
		if (!region || !exo_fault_find_page(region, pgoff))
			goto out_unlock;
	}
	if (fail) {
		exo_faults_end_locked(region, pgoff, 1, EXO_FAULT_FAILED);
		ret = 0;
		goto out_unlock;
	}
	ret = -EPERM;
	frame = &exo_pool.frames[req.index];
	if (frame->owner != env &&
	    (!frame->owner || !exo_frame_granted(env, frame, write, &grant)))
		goto out_unlock;
	/* Wakes the page's waiters once bound. */
	ret = exo_bind_locked(env, region, pgoff, &frame, &grant, 1, write);
out_unlock:
	mutex_unlock(&exo_mem_lock);
	mmap_read_unlock(current->mm);
	return ret;
}
