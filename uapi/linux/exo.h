/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * exo: exokernel-style resource bindings for Linux.
 *
 * Each open of /dev/exo is an *environment*: the kernel's view of one library
 * operating system. This header is the whole contract between exo.ko and its
 * users: ioctl numbers and argument structs, the event records read(2) from
 * the environment's fd, and the generic-netlink names of the "exo" family.
 *
 * Conventions (shared with vfio and userfaultfd):
 *  - every ioctl argument starts with __u32 argsz and __u32 flags;
 *  - argsz is the caller's sizeof(): shorter than the first version of the
 *    struct is -EINVAL, longer with non-zero bytes past what the kernel
 *    knows, or longer than a page (4096), is -E2BIG; new fields are only
 *    appended and zero keeps the old behaviour;
 *  - unknown flag bits and non-zero reserved fields are -EINVAL;
 *  - every ioctl but EXO_IOC_API fails with -EPROTO until the handshake has
 *    been done on that fd;
 *  - only the process that opened the fd may use it: others get -EPERM;
 *  - unknown ioctls are -ENOTTY.
 */
#ifndef _UAPI_LINUX_EXO_H
#define _UAPI_LINUX_EXO_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Version of this header's contract; EXO_IOC_API negotiates it. */
#define EXO_API_VERSION		1

/* Feature bits reported by EXO_IOC_API in exo_api.features. */
#define EXO_FEATURE_EVENTS	_BITULL(0)	/* read(2)/poll(2) event queue */
#define EXO_FEATURE_NETLINK	_BITULL(1)	/* generic netlink family "exo" */
/* Joining the netlink event group needs CAP_NET_ADMIN (the kernel can say so). */
#define EXO_FEATURE_NETLINK_PRIVATE	_BITULL(2)
#define EXO_FEATURE_MEM		_BITULL(3)	/* physical frame bindings */
#define EXO_FEATURE_CPU		_BITULL(4)	/* CPU time-slot bindings */
#define EXO_FEATURE_NET		_BITULL(5)	/* packet-filter bindings */
#define EXO_FEATURE_XN		_BITULL(6)	/* XN disk-block bindings */

#define EXO_IOC_MAGIC		0xE0

/*
 * ioctl numbers, one block of 16 per binding: 0x00 core, 0x10 memory,
 * 0x20 CPU, 0x30 network, 0x40-0x5f XN. Bit (1 << nr) of exo_api.ioctls
 * (nr < 64) or bit (1 << (nr - 64)) of exo_api.ioctls_hi says it is there.
 */
#define EXO_NR_API		0x00
#define EXO_NR_ENV_INFO		0x01
#define EXO_NR_NOP		0x02
#define EXO_NR_EVENT_RAISE	0x03
#define EXO_NR_MEM_INFO		0x10
#define EXO_NR_MEM_ALLOC	0x11
#define EXO_NR_MEM_FREE		0x12
#define EXO_NR_MEM_MAP		0x13
#define EXO_NR_MEM_UNMAP	0x14
#define EXO_NR_MEM_GRANT	0x15
#define EXO_NR_MEM_UNGRANT	0x16
#define EXO_NR_MEM_REVOKE	0x17
#define EXO_NR_MEM_REPOSSESSED	0x18
#define EXO_NR_CPU_INFO		0x20
#define EXO_NR_CPU_BOOK		0x21
#define EXO_NR_CPU_FREE		0x22
#define EXO_NR_CPU_QUERY	0x23
#define EXO_NR_CPU_BIND		0x24
#define EXO_NR_CPU_UNBIND	0x25
#define EXO_NR_CPU_WAIT		0x26
#define EXO_NR_CPU_YIELD	0x27
#define EXO_NR_CPU_REVOKE	0x28

/**
 * struct exo_api - argument of EXO_IOC_API, the handshake
 * @argsz: sizeof(struct exo_api) as the caller knows it
 * @flags: must be 0
 * @api_version: in: the version the caller speaks (1..EXO_API_VERSION of
 *	the kernel); out: the version the kernel speaks, also on failure
 * @reserved: must be 0
 * @features: out: EXO_FEATURE_* bits this kernel provides
 * @ioctls: out: bit (1 << EXO_NR_x) set for every ioctl this kernel serves
 *	whose number is below 64
 * @ioctls_hi: out: bit (1 << (EXO_NR_x - 64)) for those from 64 to 127
 *	(since the XN binding; a caller whose argsz stops before it does not
 *	learn of them)
 *
 * EXO_IOC_API: _IO(EXO_IOC_MAGIC, EXO_NR_API), in/out. Since version 1.
 *
 * Must be the first ioctl on a fresh fd; repeating it is harmless.
 *
 * Return: 0, or -1 with errno set to
 *  EFAULT: bad pointer;
 *  EINVAL: short argsz, unknown flags, non-zero @reserved;
 *  E2BIG: argsz longer than the kernel knows, with non-zero tail;
 *  EPROTONOSUPPORT: @api_version is 0 or newer than the kernel's; the
 *	kernel's own version has been written back to @api_version;
 *  EPERM: the caller is not the process that opened the fd.
 */
struct exo_api {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;
	__u32 reserved;
	__aligned_u64 features;
	__aligned_u64 ioctls;
	__aligned_u64 ioctls_hi;
};

/**
 * struct exo_env_info - argument of EXO_IOC_ENV_INFO
 * @argsz: sizeof(struct exo_env_info) as the caller knows it
 * @flags: must be 0
 * @env_id: out: this environment's id, unique while the module is loaded
 * @created_ns: out: CLOCK_BOOTTIME when the environment was created
 * @owner_tgid: out: the owning process, in the caller's pid namespace
 * @owner_uid: out: the owner's uid, in the caller's user namespace
 * @events_posted: out: events posted to this environment since creation,
 *	lost ones included
 * @events_read: out: events read(2) out of the queue
 * @events_lost: out: events lost to overflow (each overflow record says how
 *	many it stands for)
 * @events_pending: out: records waiting in the queue now
 * @reserved: must be 0
 * @frames: out: physical frames held (memory binding)
 * @slots: out: CPU slots booked (CPU binding)
 * @filters: out: packet filters bound (network binding)
 * @blocks: out: disk blocks held (XN binding)
 *
 * EXO_IOC_ENV_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_ENV_INFO), in/out. Since
 * version 1. Only ever describes the caller's own environment.
 *
 * Return: 0, or -1 with errno EFAULT, EINVAL, E2BIG, EPROTO, EPERM as for
 * every ioctl.
 */
struct exo_env_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 env_id;
	__aligned_u64 created_ns;
	__u32 owner_tgid;
	__u32 owner_uid;
	__aligned_u64 events_posted;
	__aligned_u64 events_read;
	__aligned_u64 events_lost;
	__u32 events_pending;
	__u32 reserved;
	__aligned_u64 frames;
	__aligned_u64 slots;
	__aligned_u64 filters;
	__aligned_u64 blocks;
};

/**
 * struct exo_event_raise - argument of EXO_IOC_EVENT_RAISE
 * @argsz: sizeof(struct exo_event_raise) as the caller knows it
 * @flags: must be 0
 * @cookie: copied into data[0] of the EXO_EVENT_USER record
 *
 * EXO_IOC_EVENT_RAISE: _IO(EXO_IOC_MAGIC, EXO_NR_EVENT_RAISE), in. Since
 * version 1. Queues an EXO_EVENT_USER record on the caller's own
 * environment (and mirrors it to netlink), so that a libOS can test its
 * event loop and wake its own poll(2). It cannot reach another environment.
 *
 * Return: 0, or -1 with errno EFAULT, EINVAL, E2BIG, EPROTO, EPERM. A full
 * queue is not an error: the record is counted in an overflow record.
 */
struct exo_event_raise {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 cookie;
};

#define EXO_IOC_API		_IO(EXO_IOC_MAGIC, EXO_NR_API)
#define EXO_IOC_ENV_INFO	_IO(EXO_IOC_MAGIC, EXO_NR_ENV_INFO)
/*
 * EXO_IOC_NOP: _IO(EXO_IOC_MAGIC, EXO_NR_NOP), no argument (pass 0, else
 * EINVAL). Since version 1. Does nothing after the usual checks; it is the
 * "null ioctl" that exo-bench weighs against getppid(2).
 */
#define EXO_IOC_NOP		_IO(EXO_IOC_MAGIC, EXO_NR_NOP)
#define EXO_IOC_EVENT_RAISE	_IO(EXO_IOC_MAGIC, EXO_NR_EVENT_RAISE)

/*
 * mmap(2) offsets of /dev/exo: each binding owns a window of the offset
 * space, EXO_MMAP_<binding> to EXO_MMAP_<binding> + (1 << EXO_MMAP_SHIFT).
 * What an offset inside the window names is the binding's business.
 */
#define EXO_MMAP_SHIFT		40
#define EXO_MMAP_MEM		0ULL				/* regions */
#define EXO_MMAP_CPU		_BITULL(EXO_MMAP_SHIFT)		/* slot pages */
#define EXO_MMAP_NET		(2ULL << EXO_MMAP_SHIFT)	/* packet rings */
#define EXO_MMAP_XN		(3ULL << EXO_MMAP_SHIFT)	/* cached blocks */

/*
 * Memory: named physical frames.
 *
 * At load time exo.ko reserves a pool of physical frames (module parameter
 * pool_mb). A frame's name is its pool index; it also has a cache colour
 * (the physical address bits that pick its last-level cache sets) and a
 * NUMA node. A libOS allocates frames by index, by colour or any; maps them
 * into a region it mmap()ed from its /dev/exo fd, at page offsets and with
 * protections of its choosing; and frees them. Every frame is zeroed before
 * it reaches another environment.
 *
 * A region is mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0):
 * address space only. Touching a page no frame is bound to raises SIGBUS;
 * writing a page bound read-only raises SIGSEGV. Regions are not inherited
 * across fork(): the child is not the environment's owner, and a frame
 * mapped where the environment cannot see it could not be revoked.
 *
 * Revocation is visible first: an admin (EXO_IOC_MEM_REVOKE) or memory
 * pressure asks an environment, with an EXO_EVENT_MEM_REVOKE record, to
 * give back a number of frames by a deadline; the libOS chooses which. If
 * the deadline passes, the abort protocol takes what is still owed, never
 * touching the guaranteed reserve (module parameter mem_reserve), unmaps it
 * everywhere, zeroes it, lists it in the repossession vector
 * (EXO_IOC_MEM_REPOSSESSED) and posts EXO_EVENT_MEM_ABORT.
 */

/* Largest batch of frames in one ALLOC, FREE, MAP or UNMAP. */
#define EXO_MEM_BATCH_MAX	512

/**
 * struct exo_mem_frame - a frame's name, as EXO_IOC_MEM_ALLOC reports it
 * @index: pool index: the name every other call uses
 * @colour: cache colour, 0..colours-1 (see struct exo_mem_info)
 * @node: NUMA node
 * @pfn: the raw page frame number for CAP_SYS_ADMIN callers, else 0
 */
struct exo_mem_frame {
	__u32 index;
	__u16 colour;
	__u16 node;
	__aligned_u64 pfn;
};

/**
 * struct exo_mem_info - argument of EXO_IOC_MEM_INFO
 * @argsz: sizeof(struct exo_mem_info) as the caller knows it
 * @flags: must be 0
 * @pool_frames: out: frames in the pool
 * @free_frames: out: frames no environment holds
 * @colours: out: number of cache colours
 * @reserve_frames: out: frames of each environment revocation never takes
 * @quota_frames: out: most frames one environment may hold
 * @held_frames: out: frames the caller holds
 * @mapped_pages: out: pages bound in the caller's regions
 * @revoke_owed: out: frames a pending revocation still asks for, or 0
 * @revoke_deadline_ns: out: CLOCK_BOOTTIME deadline of that revocation
 * @repossessed: out: entries waiting in the repossession vector
 * @reserved: must be 0
 *
 * EXO_IOC_MEM_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_INFO), in/out. Since 1.
 * Return: 0, or -1 with errno EFAULT, EINVAL, E2BIG, EPROTO, EPERM.
 */
struct exo_mem_info {
	__u32 argsz;
	__u32 flags;
	__u32 pool_frames;
	__u32 free_frames;
	__u32 colours;
	__u32 reserve_frames;
	__u32 quota_frames;
	__u32 held_frames;
	__u32 mapped_pages;
	__u32 revoke_owed;
	__aligned_u64 revoke_deadline_ns;
	__u32 repossessed;
	__u32 reserved;
};

/* EXO_IOC_MEM_ALLOC flags */
#define EXO_MEM_ALLOC_INDEX	_BITUL(0)	/* frames[i].index name the frames */
#define EXO_MEM_ALLOC_COLOUR	_BITUL(1)	/* any frames of @colour */
#define EXO_MEM_ALLOC_MAP	_BITUL(2)	/* also map them at @addr on */
#define EXO_MEM_PROT_WRITE	_BITUL(3)	/* with MAP: read-write, else read-only */

/**
 * struct exo_mem_alloc - argument of EXO_IOC_MEM_ALLOC
 * @argsz: sizeof(struct exo_mem_alloc) as the caller knows it
 * @flags: EXO_MEM_ALLOC_INDEX or EXO_MEM_ALLOC_COLOUR (not both; neither
 *	means any frames), EXO_MEM_ALLOC_MAP, EXO_MEM_PROT_WRITE
 * @count: frames wanted, 1..EXO_MEM_BATCH_MAX
 * @colour: with EXO_MEM_ALLOC_COLOUR, the colour wanted
 * @frames: user pointer to @count struct exo_mem_frame: in, the indexes
 *	(EXO_MEM_ALLOC_INDEX); out, the names of the frames allocated
 * @addr: with EXO_MEM_ALLOC_MAP, where frame i is mapped: @addr + i pages,
 *	page-aligned, inside one of the caller's regions, pages unbound
 *
 * EXO_IOC_MEM_ALLOC: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_ALLOC), in/out. Since 1.
 * All or nothing: on error no frame has been allocated or mapped.
 *
 * Return: 0, or -1 with errno
 *  EINVAL: bad flags, count, colour, index or address; a page already bound;
 *  EBUSY: a named frame is held (by anyone, the caller included);
 *  ENOSPC: not enough free frames (of that colour);
 *  EDQUOT: the caller would hold more than its quota;
 *  EFAULT, E2BIG, EPROTO, EPERM as for every ioctl.
 */
struct exo_mem_alloc {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 colour;
	__aligned_u64 frames;
	__aligned_u64 addr;
};

/**
 * struct exo_mem_batch - argument of EXO_IOC_MEM_FREE and EXO_IOC_MEM_MAP
 * @argsz: sizeof(struct exo_mem_batch) as the caller knows it
 * @flags: MAP: EXO_MEM_PROT_WRITE or 0; FREE: must be 0
 * @count: frames in @indexes, 1..EXO_MEM_BATCH_MAX
 * @reserved: must be 0
 * @indexes: user pointer to @count __u32 frame indexes
 * @addr: MAP: where frame i goes, @addr + i pages, as for ALLOC_MAP;
 *	FREE: must be 0
 *
 * EXO_IOC_MEM_FREE: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_FREE), in. Since 1.
 * Gives the frames back: every mapping of them, in any environment, goes
 * first, and so does every grant of them. All or nothing.
 * Return: 0, or -1 with errno EINVAL (bad index, duplicate), EPERM (a frame
 * the caller does not hold), and the errors of every ioctl.
 *
 * EXO_IOC_MEM_MAP: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_MAP), in. Since 1.
 * Binds each frame at its page: the caller must hold the frame or have a
 * grant for it (a write grant for EXO_MEM_PROT_WRITE). All or nothing.
 * Return: 0, or -1 with errno EINVAL (bad address or index, page already
 * bound), EPERM (neither held nor granted, or read-only grant), and the
 * errors of every ioctl.
 */
struct exo_mem_batch {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__aligned_u64 indexes;
	__aligned_u64 addr;
};

/**
 * struct exo_mem_unmap - argument of EXO_IOC_MEM_UNMAP
 * @argsz: sizeof(struct exo_mem_unmap) as the caller knows it
 * @flags: must be 0
 * @count: pages, 1..EXO_MEM_BATCH_MAX
 * @reserved: must be 0
 * @addr: first page, inside one of the caller's regions; every page of the
 *	range must be bound
 *
 * EXO_IOC_MEM_UNMAP: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_UNMAP), in. Since 1.
 * Return: 0, or -1 with errno EINVAL (bad range, a page not bound) and the
 * errors of every ioctl.
 */
struct exo_mem_unmap {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 reserved;
	__aligned_u64 addr;
};

/* EXO_IOC_MEM_GRANT flags */
#define EXO_MEM_GRANT_WRITE	_BITUL(0)	/* the grantee may map read-write */

/**
 * struct exo_mem_grant - argument of EXO_IOC_MEM_GRANT and _UNGRANT
 * @argsz: sizeof(struct exo_mem_grant) as the caller knows it
 * @flags: GRANT: EXO_MEM_GRANT_WRITE or 0; UNGRANT: must be 0
 * @first: GRANT: first frame index of the range
 * @count: GRANT: frames in the range, 1..EXO_MEM_BATCH_MAX
 * @grantee: GRANT: the environment id that may map the range
 * @grant_id: GRANT: out, the capability's id; UNGRANT: in
 *
 * EXO_IOC_MEM_GRANT: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_GRANT), in/out. Since 1.
 * The capability lives in the kernel; only its grantor can revoke it, and
 * it dies with the frames or either environment.
 * Return: 0, or -1 with errno EINVAL (bad range, grantee is the caller),
 * EPERM (a frame of the range is not the caller's), ESRCH (no such
 * grantee), and the errors of every ioctl.
 *
 * EXO_IOC_MEM_UNGRANT: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_UNGRANT), in. Since 1.
 * Revokes the capability and removes the grantee's mappings at once; the
 * grantee gets EXO_EVENT_MEM_UNGRANTED.
 * Return: 0, or -1 with errno ENOENT (no such grant of the caller's) and
 * the errors of every ioctl.
 */
struct exo_mem_grant {
	__u32 argsz;
	__u32 flags;
	__u32 first;
	__u32 count;
	__aligned_u64 grantee;
	__aligned_u64 grant_id;
};

/**
 * struct exo_mem_revoke - argument of EXO_IOC_MEM_REVOKE (CAP_SYS_ADMIN)
 * @argsz: sizeof(struct exo_mem_revoke) as the caller knows it
 * @flags: must be 0
 * @count: in: frames asked for, >= 1; out: frames actually asked for, after
 *	sparing the target's reserve (may be 0: then no request is sent)
 * @deadline_ms: 1..60000 ms to comply
 * @env_id: the target environment
 *
 * EXO_IOC_MEM_REVOKE: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_REVOKE), in/out. Since
 * 1. Sends the target EXO_EVENT_MEM_REVOKE; the abort protocol follows at
 * the deadline if it still holds more than it was asked to keep.
 * Return: 0, or -1 with errno EPERM (no CAP_SYS_ADMIN), ESRCH (no such
 * environment), EBUSY (a revocation is already pending there), EINVAL, and
 * the errors of every ioctl.
 */
struct exo_mem_revoke {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 deadline_ms;
	__aligned_u64 env_id;
};

/**
 * struct exo_mem_repossessed - argument of EXO_IOC_MEM_REPOSSESSED
 * @argsz: sizeof(struct exo_mem_repossessed) as the caller knows it
 * @flags: must be 0
 * @count: in: room in @indexes, 1..EXO_MEM_BATCH_MAX; out: entries given
 * @lost: out: entries that did not fit in the vector since the last read
 * @indexes: user pointer to __u32 frame indexes, oldest first
 *
 * EXO_IOC_MEM_REPOSSESSED: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_REPOSSESSED),
 * in/out. Since 1. Takes entries out of the repossession vector: the frames
 * the abort protocol took from the caller.
 * Return: 0, or -1 with errno EINVAL and the errors of every ioctl.
 */
struct exo_mem_repossessed {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 lost;
	__aligned_u64 indexes;
};

#define EXO_IOC_MEM_INFO	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_INFO)
#define EXO_IOC_MEM_ALLOC	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_ALLOC)
#define EXO_IOC_MEM_FREE	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_FREE)
#define EXO_IOC_MEM_MAP		_IO(EXO_IOC_MAGIC, EXO_NR_MEM_MAP)
#define EXO_IOC_MEM_UNMAP	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_UNMAP)
#define EXO_IOC_MEM_GRANT	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_GRANT)
#define EXO_IOC_MEM_UNGRANT	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_UNGRANT)
#define EXO_IOC_MEM_REVOKE	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_REVOKE)
#define EXO_IOC_MEM_REPOSSESSED	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_REPOSSESSED)

/*
 * CPU: time slots.
 *
 * Each CPU exo manages (module parameter cpus; by default every CPU but 0)
 * has a vector of nslots slots, each quantum_us long, repeating forever:
 * slot s of round r starts at epoch + (r * nslots + s) * quantum, in
 * CLOCK_MONOTONIC nanoseconds. A slot's name is its position in the vector.
 * A libOS books the slots it wants, as a bitmap or as a pattern of start,
 * count and stride; slots nobody booked belong to Linux.
 *
 * One thread per environment and CPU binds itself to the environment's
 * slots there (EXO_IOC_CPU_BIND): it is pinned to the CPU, runs SCHED_FIFO
 * during its slots and SCHED_NORMAL outside them. A run of contiguous slots
 * of one environment is one *turn*. At the start of a turn the thread's
 * EXO_IOC_CPU_WAIT returns (the wake upcall); at its end the thread gets
 * the signal it chose at bind (the exit upcall) and must yield
 * (EXO_IOC_CPU_YIELD or EXO_IOC_CPU_WAIT) within grace_us. Each time it
 * does not, the environment's excess counter goes up (EXO_EVENT_CPU_EXCESS);
 * when it reaches max_excess the abort protocol frees all its slots, posts
 * EXO_EVENT_CPU_ABORT and kills the process.
 *
 * The environment's slot page, mmap(NULL, page, PROT_READ, MAP_SHARED, fd,
 * EXO_MMAP_CPU), is read-only and shows struct exo_cpu_page.
 */

/* Most slots per vector: EXO_IOC_CPU_* bitmaps have this many bits. */
#define EXO_CPU_SLOTS_MAX	256
#define EXO_CPU_MASK_WORDS	(EXO_CPU_SLOTS_MAX / 64)

/**
 * struct exo_cpu_info - argument of EXO_IOC_CPU_INFO
 * @argsz: sizeof(struct exo_cpu_info) as the caller knows it
 * @flags: must be 0
 * @cpu: in: a managed CPU to describe
 * @nslots: out: slots in each vector
 * @quantum_ns: out: length of a slot
 * @epoch_ns: out: CLOCK_MONOTONIC start of slot 0 of round 0
 * @grace_ns: out: time to yield after a turn ends
 * @max_excess: out: excesses that trigger the abort protocol
 * @ncpus: out: CPUs exo manages
 * @cpus: out: bit n set if CPU n (n < 64) is managed
 * @free_slots: out: slots of @cpu nobody holds
 * @my_slots: out: slots of @cpu the caller holds
 * @excess: out: the caller's excess counter
 * @policy: out: NUL-terminated name of the scheduling policy
 *
 * EXO_IOC_CPU_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_INFO), in/out. Since 1.
 * Return: 0, or -1 with errno EINVAL (@cpu not managed, flags) and the
 * errors of every ioctl.
 */
struct exo_cpu_info {
	__u32 argsz;
	__u32 flags;
	__u32 cpu;
	__u32 nslots;
	__aligned_u64 quantum_ns;
	__aligned_u64 epoch_ns;
	__aligned_u64 grace_ns;
	__u32 max_excess;
	__u32 ncpus;
	__aligned_u64 cpus;
	__u32 free_slots;
	__u32 my_slots;
	__u32 excess;
	__u32 reserved;
	char policy[16];
};

/* struct exo_cpu_slots flags: how the slots are named (exactly one). */
#define EXO_CPU_SLOTS_MASK	_BITUL(0)	/* @mask names them */
#define EXO_CPU_SLOTS_PATTERN	_BITUL(1)	/* @start + i * @stride, i < @count */

/**
 * struct exo_cpu_slots - argument of EXO_IOC_CPU_BOOK and EXO_IOC_CPU_FREE
 * @argsz: sizeof(struct exo_cpu_slots) as the caller knows it
 * @flags: EXO_CPU_SLOTS_MASK or EXO_CPU_SLOTS_PATTERN
 * @cpu: a managed CPU
 * @start: PATTERN: first slot, < nslots
 * @count: PATTERN: slots, >= 1; the last, @start + (@count - 1) * @stride,
 *	must be < nslots
 * @stride: PATTERN: distance between slots, >= 1
 * @mask: MASK: bit s of word s / 64 names slot s; at least one bit, none
 *	at or above nslots. PATTERN: must be 0 in, the slots named on out
 *
 * EXO_IOC_CPU_BOOK: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_BOOK), in/out. Since 1.
 * All or nothing: if any slot is held, by anyone, the caller included,
 * nothing is booked and the call fails with EEXIST.
 *
 * EXO_IOC_CPU_FREE: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_FREE), in/out. Since 1.
 * All or nothing: every slot must be the caller's, else EPERM. A turn
 * running in a freed slot ends at once.
 *
 * Return: 0, or -1 with errno EINVAL (bad flags, CPU, pattern or mask),
 * EEXIST (BOOK: a slot is held), EPERM (FREE: a slot is not the caller's),
 * and the errors of every ioctl.
 */
struct exo_cpu_slots {
	__u32 argsz;
	__u32 flags;
	__u32 cpu;
	__u32 start;
	__u32 count;
	__u32 stride;
	__aligned_u64 mask[EXO_CPU_MASK_WORDS];
};

/**
 * struct exo_cpu_query - argument of EXO_IOC_CPU_QUERY
 * @argsz: sizeof(struct exo_cpu_query) as the caller knows it
 * @flags: must be 0
 * @cpu: a managed CPU
 * @reserved: must be 0
 * @free: out: bit s set if slot s is held by nobody
 * @mine: out: bit s set if slot s is the caller's
 *
 * EXO_IOC_CPU_QUERY: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_QUERY), in/out. Since 1.
 * Slots in neither mask are another environment's; whose is not said.
 * Return: 0, or -1 with errno EINVAL and the errors of every ioctl.
 */
struct exo_cpu_query {
	__u32 argsz;
	__u32 flags;
	__u32 cpu;
	__u32 reserved;
	__aligned_u64 free[EXO_CPU_MASK_WORDS];
	__aligned_u64 mine[EXO_CPU_MASK_WORDS];
};

/* EXO_IOC_CPU_BIND flags */
/* Also take unbooked slots when the policy shares them (vector-share). */
#define EXO_CPU_BIND_SHARE	_BITUL(0)

/**
 * struct exo_cpu_bind - argument of EXO_IOC_CPU_BIND and EXO_IOC_CPU_UNBIND
 * @argsz: sizeof(struct exo_cpu_bind) as the caller knows it
 * @flags: BIND: 0 or EXO_CPU_BIND_SHARE; UNBIND: must be 0
 * @cpu: BIND: the managed CPU; UNBIND: must be 0
 * @signal: BIND: the exit upcall's signal, a real-time signal (32..64 as
 *	the kernel numbers them; glibc's SIGRTMIN is 34), or 0 for none;
 *	UNBIND: must be 0
 *
 * EXO_IOC_CPU_BIND: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_BIND), in. Since 1.
 * Binds the calling thread to the environment's slots on @cpu: it is
 * pinned to @cpu until it unbinds, and its scheduling policy belongs to
 * exo until then. One thread per environment and CPU, one CPU per thread.
 *
 * EXO_IOC_CPU_UNBIND: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_UNBIND), in. Since 1.
 * The calling thread returns to SCHED_NORMAL and to the CPUs it had.
 *
 * Return: 0, or -1 with errno EINVAL (bad CPU or signal; UNBIND: the
 * thread is not bound), EBUSY (BIND: the environment already has a thread
 * on @cpu, or this thread is bound), and the errors of every ioctl.
 */
struct exo_cpu_bind {
	__u32 argsz;
	__u32 flags;
	__u32 cpu;
	__u32 signal;
};

/* struct exo_cpu_wake reasons */
#define EXO_CPU_WAKE_SLOT	1	/* a turn of the caller's own slots */
#define EXO_CPU_WAKE_DONATED	2	/* @donor yielded the rest of its turn */
#define EXO_CPU_WAKE_SHARED	3	/* an unbooked slot, from vector-share */

/**
 * struct exo_cpu_wake - argument of EXO_IOC_CPU_WAIT: the wake upcall
 * @argsz: sizeof(struct exo_cpu_wake) as the caller knows it
 * @flags: 0 or EXO_CPU_WAIT_DONATE
 * @timeout_ms: in: give up after this long (0: wait forever)
 * @reason: out: EXO_CPU_WAKE_*
 * @cpu: out: the CPU of the turn
 * @slot: out: the slot the turn began in
 * @nslots: out: contiguous slots of the turn (1 for a donation's rest)
 * @missed: out: turns of the caller's that began and ended since the last
 *	wake it took, without it
 * @start_ns: out: CLOCK_MONOTONIC start of the turn
 * @end_ns: out: its end: the exit upcall comes then
 * @donor: out: DONATED: the environment that gave the time
 * @seq: out: the caller's turns on this CPU so far, this one included
 * @target: in: with EXO_CPU_WAIT_DONATE, the environment whose bound thread,
 *	waiting on the same CPU, gets the rest of the caller's turn; else 0
 *
 * EXO_IOC_CPU_WAIT: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_WAIT), in/out. Since 1.
 * Only the bound thread may wait, and waiting yields: if the caller's turn
 * is running and its wake was already taken, it ends now (given to @target
 * with EXO_CPU_WAIT_DONATE: a directed yield and a wait in one call, the
 * way two libOSes hand the CPU back and forth). Returns the caller's
 * running turn at once if its wake has not been taken yet, else blocks
 * until the next one begins.
 *
 * Return: 0, or -1 with errno EINVAL (the thread is not bound, flags,
 * @target is the caller or set without DONATE), ESRCH (no such target),
 * EAGAIN (DONATE from a running turn: the target's thread is not waiting;
 * nothing was done), ETIMEDOUT, EINTR (a signal), and the errors of every
 * ioctl.
 */
struct exo_cpu_wake {
	__u32 argsz;
	__u32 flags;
	__u32 timeout_ms;
	__u32 reason;
	__u32 cpu;
	__u32 slot;
	__u32 nslots;
	__u32 missed;
	__aligned_u64 start_ns;
	__aligned_u64 end_ns;
	__aligned_u64 donor;
	__aligned_u64 seq;
	__aligned_u64 target;
};

/* EXO_IOC_CPU_WAIT flags */
#define EXO_CPU_WAIT_DONATE	_BITUL(0)	/* give the rest to @target first */

/* EXO_IOC_CPU_YIELD flags */
#define EXO_CPU_YIELD_TO	_BITUL(0)	/* donate the rest to @target */

/**
 * struct exo_cpu_yield - argument of EXO_IOC_CPU_YIELD
 * @argsz: sizeof(struct exo_cpu_yield) as the caller knows it
 * @flags: 0 or EXO_CPU_YIELD_TO
 * @ended: out: 1 if a running turn of the caller's ended, else 0
 * @reserved: must be 0
 * @target: YIELD_TO: the environment whose bound thread, waiting on the
 *	same CPU, gets the rest of the turn; else must be 0
 *
 * EXO_IOC_CPU_YIELD: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_YIELD), in/out. Since 1.
 * Only the bound thread may yield. Yielding also answers the exit upcall:
 * a yield after a turn ended, within grace_us, is not excess. Without
 * YIELD_TO the rest of the turn goes back to the policy.
 *
 * Return: 0, or -1 with errno EINVAL (not bound, flags, @target is the
 * caller), ESRCH (no such environment), EAGAIN (YIELD_TO: the target's
 * thread on this CPU is not waiting), ENOENT (YIELD_TO: the caller holds
 * no running turn to give), and the errors of every ioctl.
 */
struct exo_cpu_yield {
	__u32 argsz;
	__u32 flags;
	__u32 ended;
	__u32 reserved;
	__aligned_u64 target;
};

/**
 * struct exo_cpu_revoke - argument of EXO_IOC_CPU_REVOKE (CAP_SYS_ADMIN)
 * @argsz: sizeof(struct exo_cpu_revoke) as the caller knows it
 * @flags: must be 0
 * @count: slots asked for, >= 1, over every CPU
 * @deadline_ms: 1..60000 ms to comply
 * @env_id: the target environment
 *
 * EXO_IOC_CPU_REVOKE: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_REVOKE), in. Since 1.
 * Sends the target EXO_EVENT_CPU_REVOKE; the libOS frees the slots it
 * chooses. If at the deadline it still holds more than it held at the
 * request less @count, the abort protocol takes all its slots and kills it.
 *
 * Return: 0, or -1 with errno EPERM (no CAP_SYS_ADMIN), ESRCH (no such
 * environment), EBUSY (a revocation is pending there), EINVAL (flags,
 * count above what the target holds, deadline), and the errors of every
 * ioctl.
 */
struct exo_cpu_revoke {
	__u32 argsz;
	__u32 flags;
	__u32 count;
	__u32 deadline_ms;
	__aligned_u64 env_id;
};

#define EXO_IOC_CPU_INFO	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_INFO)
#define EXO_IOC_CPU_BOOK	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_BOOK)
#define EXO_IOC_CPU_FREE	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_FREE)
#define EXO_IOC_CPU_QUERY	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_QUERY)
#define EXO_IOC_CPU_BIND	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_BIND)
#define EXO_IOC_CPU_UNBIND	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_UNBIND)
#define EXO_IOC_CPU_WAIT	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_WAIT)
#define EXO_IOC_CPU_YIELD	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_YIELD)
#define EXO_IOC_CPU_REVOKE	_IO(EXO_IOC_MAGIC, EXO_NR_CPU_REVOKE)

/* Most CPUs the slot page describes. */
#define EXO_CPU_PAGE_CPUS	64

/**
 * struct exo_cpu_page_cpu - one managed CPU, as the slot page shows it
 * @cpu: the CPU's number
 * @running: 1 while a turn of this environment runs there, else 0
 * @slot: the slot the running turn is in (valid while @running)
 * @reserved: 0
 * @deadline_ns: CLOCK_MONOTONIC end of the running turn: the exit upcall
 * @turns: turns this environment began on this CPU so far
 */
struct exo_cpu_page_cpu {
	__u32 cpu;
	__u32 running;
	__u32 slot;
	__u32 reserved;
	__aligned_u64 deadline_ns;
	__aligned_u64 turns;
};

/**
 * struct exo_cpu_page - the read-only slot page at EXO_MMAP_CPU
 * @seq: even when stable; odd while the kernel writes (a seqcount: read it,
 *	read the rest, read it again and retry if it changed or is odd)
 * @ncpus: entries in @cpus
 * @excess: the environment's excess counter
 * @slots: slots the environment holds, every CPU together
 * @reserved: 0
 * @cpus: one entry per managed CPU, in CPU order
 */
struct exo_cpu_page {
	__u32 seq;
	__u32 ncpus;
	__u32 excess;
	__u32 slots;
	__aligned_u64 reserved;
	struct exo_cpu_page_cpu cpus[EXO_CPU_PAGE_CPUS];
};

/*
 * Event codes. Zero is never a valid code. Each binding owns a range:
 * 0x001-0x0ff generic, 0x100 memory, 0x200 CPU, 0x300 network, 0x400 XN.
 */
#define EXO_EVENT_OVERFLOW	0x001	/* data[0]: records lost here */
#define EXO_EVENT_USER		0x002	/* data[0]: cookie of EVENT_RAISE */

#define EXO_EVENT_MEM_BASE	0x100
/* Give back data[0] frames by data[1] (CLOCK_BOOTTIME ns); data[2]: id. */
#define EXO_EVENT_MEM_REVOKE	0x101
/* The abort protocol took data[0] frames for revocation data[2]. */
#define EXO_EVENT_MEM_ABORT	0x102
/* Grant data[0] was revoked (or its frames freed); its mappings are gone. */
#define EXO_EVENT_MEM_UNGRANTED	0x103
#define EXO_EVENT_CPU_BASE	0x200
/* data[0] excesses so far, data[1] max_excess, data[2] the CPU. */
#define EXO_EVENT_CPU_EXCESS	0x201
/* Abort: data[0] slots taken, data[1] 1 for excess, 2 for a revocation. */
#define EXO_EVENT_CPU_ABORT	0x202
/* Free data[0] slots by data[1] (CLOCK_BOOTTIME ns); data[2]: id. */
#define EXO_EVENT_CPU_REVOKE	0x203
#define EXO_EVENT_NET_BASE	0x300
#define EXO_EVENT_XN_BASE	0x400

/**
 * struct exo_event - one record read(2) from an environment's fd
 * @type: EXO_EVENT_*, never 0
 * @flags: reserved, 0 today
 * @seq: position in this environment's event stream, from 1; an overflow
 *	record takes the number of the first record it replaces
 * @env_id: the environment the event concerns
 * @time_ns: CLOCK_BOOTTIME when the event was posted
 * @data: type-specific payload
 *
 * read(2) returns whole records only: a buffer shorter than one record is
 * EINVAL. It blocks until one is pending unless the fd is O_NONBLOCK
 * (EAGAIN). poll(2) reports POLLIN while a record is pending. When the
 * queue is full, further events are not dropped silently: the last slot
 * holds an EXO_EVENT_OVERFLOW record counting them.
 */
struct exo_event {
	__u32 type;
	__u32 flags;
	__aligned_u64 seq;
	__aligned_u64 env_id;
	__aligned_u64 time_ns;
	__aligned_u64 data[4];
};

/*
 * Generic netlink: family EXO_GENL_NAME, version EXO_GENL_VERSION.
 *
 * Multicast group EXO_GENL_MCGRP_EVENT carries every environment's events
 * as EXO_CMD_EVENT messages (attributes ENV_ID and EVENT). Joining it needs
 * CAP_NET_ADMIN where EXO_FEATURE_NETLINK_PRIVATE is reported; older kernels
 * cannot restrict a group, so there any local user may watch.
 * EXO_CMD_GET_ENV (dump only, CAP_NET_ADMIN) lists the live environments,
 * one message each, with the ENV_* attributes.
 */
#define EXO_GENL_NAME		"exo"
#define EXO_GENL_VERSION	1
#define EXO_GENL_MCGRP_EVENT	"event"

enum exo_genl_cmd {
	EXO_CMD_UNSPEC,
	EXO_CMD_GET_ENV,	/* dump: one reply per environment */
	EXO_CMD_EVENT,		/* multicast notification */
	__EXO_CMD_MAX,
};

#define EXO_CMD_MAX		(__EXO_CMD_MAX - 1)

enum exo_genl_attr {
	EXO_ATTR_UNSPEC,
	EXO_ATTR_PAD,
	EXO_ATTR_ENV_ID,		/* u64 */
	EXO_ATTR_ENV_OWNER_TGID,	/* u32, init pid namespace */
	EXO_ATTR_ENV_OWNER_UID,		/* u32, init user namespace */
	EXO_ATTR_ENV_CREATED_NS,	/* u64 */
	EXO_ATTR_ENV_EVENTS_POSTED,	/* u64 */
	EXO_ATTR_ENV_EVENTS_LOST,	/* u64 */
	EXO_ATTR_ENV_EVENTS_PENDING,	/* u32 */
	EXO_ATTR_ENV_FRAMES,		/* u64 */
	EXO_ATTR_ENV_SLOTS,		/* u64 */
	EXO_ATTR_ENV_FILTERS,		/* u64 */
	EXO_ATTR_ENV_BLOCKS,		/* u64 */
	EXO_ATTR_EVENT,			/* binary struct exo_event */
	__EXO_ATTR_MAX,
};

#define EXO_ATTR_MAX		(__EXO_ATTR_MAX - 1)

#endif /* _UAPI_LINUX_EXO_H */
