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
 *
 * Contents, in this order:
 *   1. The core: the handshake, environments, NOP, the mmap windows
 *   2. Memory: named physical frames
 *   3. CPU: time slots
 *   4. Network: packet filters
 *   5. Disk (XN): blocks owned through verified functions (UDF bytecode)
 *   6. Events read(2) from an environment
 *   7. Generic netlink
 *   8. The submission ring: many ioctls for one crossing
 *
 * What one environment makes the kernel hold is charged to its memory
 * cgroup and capped by module parameters (writable by root in
 * /sys/module/exo/parameters): envs_per_user (open(2) fails with EMFILE
 * past it), region_pages_max (mmap(2) of the memory window, ENOMEM),
 * mapped_max and grants_max (EDQUOT), env_slots (ENOSPC), and the pool
 * and net quotas below.
 */
#ifndef _UAPI_LINUX_EXO_H
#define _UAPI_LINUX_EXO_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* ==== 1. The core ======================================================== */

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
#define EXO_FEATURE_RING	_BITULL(7)	/* the submission ring (section 8) */

#define EXO_IOC_MAGIC		0xE0

/*
 * ioctl numbers, one block of 16 per binding: 0x00 core, 0x10 memory,
 * 0x20 CPU, 0x30 network, 0x40-0x5f XN, 0x60 the submission ring. Bit (1 << nr) of exo_api.ioctls
 * (nr < 64) or bit (1 << (nr - 64)) of exo_api.ioctls_hi says it is there.
 */
#define EXO_NR_API		0x00
#define EXO_NR_ENV_INFO		0x01
#define EXO_NR_NOP		0x02
#define EXO_NR_EVENT_RAISE	0x03
#define EXO_NR_CAP_GRANT	0x04
#define EXO_NR_CAP_REVOKE	0x05
#define EXO_NR_MEM_INFO		0x10
#define EXO_NR_MEM_ALLOC	0x11
#define EXO_NR_MEM_FREE		0x12
#define EXO_NR_MEM_MAP		0x13
#define EXO_NR_MEM_UNMAP	0x14
#define EXO_NR_MEM_GRANT	0x15
#define EXO_NR_MEM_UNGRANT	0x16
#define EXO_NR_MEM_REVOKE	0x17
#define EXO_NR_MEM_REPOSSESSED	0x18
#define EXO_NR_MEM_REGION_SET	0x19
#define EXO_NR_MEM_FAULT_RESOLVE	0x1a
#define EXO_NR_NET_INFO		0x30
#define EXO_NR_NET_BIND		0x31
#define EXO_NR_NET_UNBIND	0x32
#define EXO_NR_NET_TX		0x33
#define EXO_NR_NET_STATS	0x34
#define EXO_NR_NET_ASH_SET	0x35
#define EXO_NR_XN_INFO		0x40
#define EXO_NR_XN_TYPE_INSTALL	0x41
#define EXO_NR_XN_TYPE_LOOKUP	0x42
#define EXO_NR_XN_ROOT_INSTALL	0x43
#define EXO_NR_XN_ROOT_LOOKUP	0x44
#define EXO_NR_XN_READ		0x45
#define EXO_NR_XN_RELEASE	0x46
#define EXO_NR_XN_ALLOC		0x47
#define EXO_NR_XN_FREE		0x48
#define EXO_NR_XN_WRITE_META	0x49
#define EXO_NR_XN_WRITE		0x4a
#define EXO_NR_XN_SYNC		0x4b
#define EXO_NR_XN_CHECK		0x4c
#define EXO_NR_XN_TYPE_REMOVE	0x4d
#define EXO_NR_XN_ROOT_REMOVE	0x4e
#define EXO_NR_RING_SETUP	0x60
#define EXO_NR_RING_ENTER	0x61
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

/* Kinds of resource a capability names (exo_cap.kind). */
#define EXO_CAP_MEM		1	/* a range of frames */
#define EXO_CAP_CPU		2	/* a run of time slots of one CPU */
#define EXO_CAP_NET		3	/* a bound filter's receive ring */
#define EXO_CAP_XN		4	/* an XN block subtree */

/* exo_cap.first of EXO_CAP_CPU: slot @slot of managed CPU @cpu's vector. */
#define EXO_CAP_CPU_SLOT(cpu, slot) \
	((__u64)(cpu) * EXO_CPU_SLOTS_MAX + (slot))

/* exo_cap.rights */
#define EXO_CAP_READ		_BITUL(0)	/* use it read-only */
#define EXO_CAP_WRITE		_BITUL(1)	/* and write; needs EXO_CAP_READ */

/**
 * struct exo_cap - argument of EXO_IOC_CAP_GRANT and EXO_IOC_CAP_REVOKE
 * @argsz: sizeof(struct exo_cap) as the caller knows it
 * @flags: must be 0
 * @kind: EXO_CAP_MEM, EXO_CAP_CPU, EXO_CAP_NET or EXO_CAP_XN
 * @rights: GRANT: EXO_CAP_READ, or EXO_CAP_READ | EXO_CAP_WRITE; REVOKE: 0
 * @first: GRANT: the resource, as @kind names it (below); REVOKE: 0
 * @count: GRANT: how many from @first, as @kind counts them; REVOKE: 0
 * @grantee: GRANT: the environment id (EXO_IOC_ENV_INFO) given the
 *	capability, not the caller's own; REVOKE: 0
 * @cap_id: GRANT: 0 in, the capability's id out; REVOKE: in
 *
 * One shape of capability for every binding: the caller lets @grantee use
 * something it holds, and can take that back again.
 *
 * EXO_IOC_CAP_GRANT: _IO(EXO_IOC_MAGIC, EXO_NR_CAP_GRANT), in/out. Since 1.
 * The capability lives in the kernel; its id names it only to the
 * environment that granted it, so a grantee cannot revoke it and a third
 * environment can neither use nor revoke it. It dies when either
 * environment's fd is closed, or with what it names.
 *
 * EXO_IOC_CAP_REVOKE: _IO(EXO_IOC_MAGIC, EXO_NR_CAP_REVOKE), in. Since 1.
 * Takes the capability back: by the time the ioctl returns the grantee can
 * no longer use it, and the grantee is told by the event of @kind.
 *
 * What each kind names and grants:
 *  - EXO_CAP_MEM: frames [@first, @first + @count) of the caller's, @count
 *    1..EXO_MEM_BATCH_MAX, that the grantee may map (EXO_IOC_MEM_MAP) read
 *    or, with EXO_CAP_WRITE, read-write. It is the grant of
 *    EXO_IOC_MEM_GRANT, counted in grants_max, and @cap_id is a grant id
 *    (EXO_IOC_MEM_UNGRANT takes it too). REVOKE removes the grantee's
 *    mappings through it, and a grantee that had mapped gets
 *    EXO_EVENT_MEM_UNGRANTED with data[0] = @cap_id.
 *  - EXO_CAP_CPU: slots [s, s + @count) of CPU c's vector, @first being
 *    EXO_CAP_CPU_SLOT(c, s) and @count 1..nslots - s, every one the caller's
 *    (booked with EXO_IOC_CPU_BOOK). @rights must be EXO_CAP_READ: a slot
 *    holds nothing to write. While the cap lives the turns of those slots are
 *    the grantee's: its thread bound on c gets them, EXO_IOC_CPU_WAIT
 *    returning EXO_CPU_WAKE_GRANTED with @donor the grantor. A turn it took
 *    (its WAIT returned it) has the exit upcall, grace and excess of a turn
 *    of its own slots, the excess counted on the grantee; one it did not take
 *    has the exit upcall only, since a grant is not asked for and must not
 *    get the grantee aborted. A grantee with no thread waiting on c misses
 *    them, as an owner would. The slots stay the grantor's: they count in its
 *    my_slots, and the grantee may not pass them on. A slot is in at most one
 *    live cap. Granted slots do not count against the grantee's env_slots,
 *    but held and granted together they may not make its whole vector (every
 *    turn must end). A turn of the grantor's running in a slot it grants ends
 *    at once. The cap dies with REVOKE, when the grantor frees
 *    (EXO_IOC_CPU_FREE) any of its slots, when either environment closes or
 *    is aborted, and when c goes offline; a turn running in its slots then
 *    ends at once, the rest of that slot is Linux's, and the next turn of
 *    those slots is the grantor's. A grantee that was woken for a turn
 *    through the cap gets EXO_EVENT_CPU_UNGRANTED (before REVOKE or FREE
 *    returns; soon after, for a close, an abort or hotplug).
 *  - EXO_CAP_NET: the receive ring of the caller's binding @first (its
 *    binding_id), @count 1, that the grantee may mmap() MAP_SHARED at the
 *    ring's ring_offset on its own fd: read-only (a tap: it keeps its own
 *    cursor and leaves @consumer to the owner), or read-write with
 *    EXO_CAP_WRITE (it may consume frames; sharing @consumer is the two
 *    libOSes' business). Its fd then reports EPOLLRDBAND while the ring
 *    holds frames. A binding has at most EXO_NET_CAPS_MAX caps, one per
 *    grantee (EEXIST). REVOKE, UNBIND or the owner's close removes the
 *    grantee's pages at once (a later touch is SIGBUS), and a grantee
 *    that had mapped gets EXO_EVENT_NET_UNGRANTED. The grantee gets no
 *    other right on the binding: NET_TX, NET_STATS, NET_ASH_SET and
 *    NET_UNBIND of it stay EPERM.
 *  - EXO_CAP_XN: the subtree under block @first, which must be in the
 *    caller's registry through its own rights (not through an XN cap: a
 *    cap is never passed on), @count 1. The grantee enters it with
 *    EXO_IOC_XN_READ of @first with parent EXO_XN_CAP_PARENT, then reads
 *    below as usual. Inside it the cap stands in for the acl UDFs, for the
 *    grantee only: EXO_CAP_READ lets it read and makes every write
 *    (XN_WRITE, WRITE_META, ALLOC, FREE, a read-write mmap) EACCES;
 *    EXO_CAP_WRITE, which needs the caller itself allowed to write
 *    @first, lets it write as far as the owns checks pass. Counted in
 *    xn_caps_max per grantor. REVOKE drops every block the grantee holds
 *    through it, and its mmap()s of them, and a grantee that read through
 *    it gets EXO_EVENT_XN_UNGRANTED with data[0] = @cap_id. The cap dies
 *    too when @first leaves the grantor's registry (XN_RELEASE, XN_FREE).
 *
 * Return: 0, or -1 with errno
 *  EINVAL: unknown @kind or @flags, bad @rights, a non-zero field that
 *	must be 0, GRANT with @grantee the caller or a bad range (CPU: a
 *	CPU exo does not manage, a slot past nslots, a run past the vector,
 *	EXO_CAP_WRITE);
 *  EOPNOTSUPP: a kind not yet served;
 *  EPERM: GRANT of something the caller does not hold, or (XN) holds
 *	through a cap, or EXO_CAP_WRITE of what it may not write, or (CPU)
 *	the caller was aborted;
 *  ESRCH: GRANT to no such environment (CPU: or to one being aborted);
 *  EEXIST: GRANT of a CPU slot already in a live cap, or of a ring the
 *	grantee holds a cap on already (NET);
 *  ENOSPC: CPU GRANT that would make the grantee's held and granted
 *	slots of that CPU more than max(env_slots, nslots - 1);
 *  ENODEV: CPU GRANT on a CPU that is offline;
 *  EDQUOT: GRANT past the kind's cap (grants_max for MEM,
 *	EXO_NET_CAPS_MAX per binding for NET, xn_caps_max for XN);
 *  ENOENT: REVOKE of an id that is no capability the caller granted
 *	(of that @kind);
 *  and the errors of every ioctl.
 */
struct exo_cap {
	__u32 argsz;
	__u32 flags;
	__u32 kind;
	__u32 rights;
	__aligned_u64 first;
	__aligned_u64 count;
	__aligned_u64 grantee;
	__aligned_u64 cap_id;
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
#define EXO_IOC_CAP_GRANT	_IO(EXO_IOC_MAGIC, EXO_NR_CAP_GRANT)
#define EXO_IOC_CAP_REVOKE	_IO(EXO_IOC_MAGIC, EXO_NR_CAP_REVOKE)

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
#define EXO_MMAP_RING		(4ULL << EXO_MMAP_SHIFT)	/* submission ring */

/* ==== 2. Memory ========================================================== */

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
 *  EDQUOT: the caller would hold more than its quota, or, with
 *	EXO_MEM_ALLOC_MAP, have more than mapped_max pages bound;
 *  ENOMEM: frames the pool gave back under memory pressure have no page
 *	to come back to;
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
 * bound), EPERM (neither held nor granted, or read-only grant), EDQUOT
 * (more than mapped_max pages bound, aliases counted), and the errors of
 * every ioctl.
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
 * grantee), EDQUOT (grants_max grants outstanding), and the errors of
 * every ioctl.
 *
 * EXO_IOC_MEM_UNGRANT: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_UNGRANT), in. Since 1.
 * Revokes the capability and removes the grantee's mappings at once; a
 * grantee that has mapped through it gets EXO_EVENT_MEM_UNGRANTED (one
 * that never did is not told, so a loop of GRANT and UNGRANT cannot fill
 * its event queue).
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

/* EXO_IOC_MEM_REGION_SET flags: the region's mode */
#define EXO_REGION_FAULT_UPCALL	_BITUL(0)	/* faults on unbound pages are events */

/**
 * struct exo_mem_region - argument of EXO_IOC_MEM_REGION_SET
 * @argsz: sizeof(struct exo_mem_region) as the caller knows it
 * @flags: the region's mode: EXO_REGION_FAULT_UPCALL or 0
 * @addr: the region's first page
 *
 * EXO_IOC_MEM_REGION_SET: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_REGION_SET), in.
 * Since 1. With EXO_REGION_FAULT_UPCALL, a touch of an unbound page, or a
 * write to a page bound read-only, posts EXO_EVENT_MEM_FAULT and the
 * thread sleeps (killably) until the libOS answers with
 * EXO_IOC_MEM_FAULT_RESOLVE or binds the page with MAP or ALLOC_MAP; a
 * FAIL answer, the fault_timeout_ms module parameter passing or the flag
 * being cleared give it SIGBUS (SIGSEGV for a write to a read-only page),
 * the region unmapped SIGSEGV. To answer a
 * write to a read-only page (EXO_MEM_FAULT_READONLY), unbind it first
 * (EXO_IOC_MEM_UNMAP), then resolve with the frame to show there: the
 * same one writable, or a copy (copy-on-write).
 * Return: 0, or -1 with errno EINVAL (bad flags, @addr not a region's
 * start) and the errors of every ioctl.
 */
struct exo_mem_region {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 addr;
};

/* EXO_IOC_MEM_FAULT_RESOLVE flags, besides EXO_MEM_PROT_WRITE */
#define EXO_MEM_FAULT_FAIL	_BITUL(0)	/* no frame: the thread gets SIGBUS */

/**
 * struct exo_mem_fault_resolve - argument of EXO_IOC_MEM_FAULT_RESOLVE
 * @argsz: sizeof(struct exo_mem_fault_resolve) as the caller knows it
 * @flags: EXO_MEM_PROT_WRITE or 0 to bind @index; EXO_MEM_FAULT_FAIL alone
 * @fault_id: data[0] of the EXO_EVENT_MEM_FAULT; 0 to name it by @addr
 * @addr: with @fault_id 0, the page that faulted; else must be 0
 * @index: the frame to bind there (held or granted); 0 with FAIL
 * @reserved: must be 0
 *
 * EXO_IOC_MEM_FAULT_RESOLVE: _IO(EXO_IOC_MAGIC, EXO_NR_MEM_FAULT_RESOLVE),
 * in. Since 1. Binds the frame at the faulting page, as MAP does, and
 * wakes every thread waiting on that page; or, with FAIL, wakes them to
 * SIGBUS.
 * Return: 0, or -1 with errno ENOENT (no pending fault of the caller's
 * with that id), EINVAL (bad flags, @addr has no pending fault), EPERM
 * (frame neither held nor granted), EDQUOT, and the errors of every ioctl.
 */
struct exo_mem_fault_resolve {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 fault_id;
	__aligned_u64 addr;
	__u32 index;
	__u32 reserved;
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
#define EXO_IOC_MEM_REGION_SET	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_REGION_SET)
#define EXO_IOC_MEM_FAULT_RESOLVE	_IO(EXO_IOC_MAGIC, EXO_NR_MEM_FAULT_RESOLVE)

/* ==== 3. CPU ============================================================= */

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
 *
 * CPU hotplug: a managed CPU that goes offline takes its vector with it.
 * Every environment that held slots or had a thread bound there gets
 * EXO_EVENT_CPU_OFFLINE; its slots there are freed and its thread is
 * unbound (back to SCHED_NORMAL and its CPUs; a WAIT it sleeps in returns
 * ENODEV). Nobody is aborted for it. While the CPU is offline, BOOK and
 * BIND on it fail with ENODEV; when it comes back its vector is empty and
 * works again, and the libOS books and binds anew.
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
 * @online: out: bit n set if managed CPU n is online now (see CPU hotplug
 *	above); an older caller's shorter argsz leaves it out
 *
 * EXO_IOC_CPU_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_INFO), in/out. Since 1.
 * An offline managed CPU may be described too: it has no slots booked.
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
	__aligned_u64 online;
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
 * nothing is booked and the call fails with EEXIST. An environment holds
 * at most env_slots slots of one CPU (a module parameter; by default all
 * but one, so that every turn ends and the exit upcall comes), and with
 * those granted to it (EXO_CAP_CPU) at most max(env_slots, nslots - 1).
 *
 * EXO_IOC_CPU_FREE: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_FREE), in/out. Since 1.
 * All or nothing: every slot must be the caller's, else EPERM. A turn
 * running in a freed slot ends at once.
 *
 * Return: 0, or -1 with errno EINVAL (bad flags, CPU, pattern or mask),
 * EEXIST (BOOK: a slot is held), ENOSPC (BOOK: past env_slots), EPERM
 * (BOOK: the environment was aborted; FREE: a slot is not the caller's),
 * ENODEV (BOOK: the CPU is offline), and the errors of every ioctl.
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
 * exo until then: a real-time thread becomes SCHED_NORMAL, and one moved
 * off @cpu (sched_setaffinity(), a cpuset) or given a real-time policy by
 * anyone but exo (sched_setscheduler(), sched_setattr()) is aborted at its
 * next turn or exo call (EXO_CPU_ABORT_MOVED, EXO_CPU_ABORT_POLICY), before
 * EXO_IOC_CPU_WAIT can return a turn to it off @cpu. One
 * thread per environment and CPU, one CPU per thread.
 *
 * EXO_IOC_CPU_UNBIND: _IO(EXO_IOC_MAGIC, EXO_NR_CPU_UNBIND), in. Since 1.
 * The calling thread returns to SCHED_NORMAL and to the CPUs it had.
 *
 * Return: 0, or -1 with errno EINVAL (bad CPU or signal; UNBIND: the
 * thread is not bound), EBUSY (BIND: the environment already has a thread
 * on @cpu, or this thread is bound), ENODEV (BIND: the CPU is offline),
 * and the errors of every ioctl.
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
#define EXO_CPU_WAKE_GRANTED	4	/* @donor's slots, through an EXO_CAP_CPU */

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
 * @donor: out: DONATED: the environment that gave the time; GRANTED: the
 *	one that granted the slots
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
 * nothing was done), ETIMEDOUT, EINTR (a signal), ENODEV (the CPU went
 * offline while the caller waited: it is unbound now), and the errors of
 * every ioctl.
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
 * @offline: 1 while the CPU is offline (see CPU hotplug above), else 0
 * @deadline_ns: CLOCK_MONOTONIC end of the running turn: the exit upcall
 * @turns: turns this environment began on this CPU so far
 */
struct exo_cpu_page_cpu {
	__u32 cpu;
	__u32 running;
	__u32 slot;
	__u32 offline;
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

/* ==== 4. Network ========================================================= */

/*
 * Network: packet filters, DPF-style.
 *
 * A libOS binds a filter on a network device. A filter is a conjunction of
 * 1..EXO_NET_ATOMS_MAX atoms; an atom reads @width bytes at @offset from the
 * start of the link-layer (Ethernet) frame as one big-endian (network byte
 * order) unsigned integer and matches when (that integer & @mask) == @value.
 * So a UDP destination port 7 over IPv4 without options is
 * { .offset = 36, .width = 2, .mask = 0xffff, .value = 7 }. A frame too
 * short to hold a byte that an atom's mask touches does not match it.
 *
 * The kernel canonicalises a filter (the set of bits it constrains) and
 * refuses, with EEXIST, one that could match a frame that a filter of
 * another environment on any device could match: two filters overlap
 * unless some bit is constrained to 0 by one and to 1 by the other. All
 * filters of a device are merged into one decision structure, so that the
 * cost of classifying a frame does not grow with the number of filters.
 *
 * A frame that matches a filter is copied into that binding's receive ring
 * and does not reach the host stack; one that matches none goes on to the
 * host stack untouched. If filters of one environment overlap, the binding
 * with the lowest id gets the frame.
 *
 * What a device's filters see: the frames received on that device, less
 * those tagged for a VLAN (802.1Q or 802.1ad; they are the VLAN device's,
 * bind there) and, for a filter that reads past the IPv4 header (20
 * bytes), IPv4 fragments with a non-zero offset (their "ports" are
 * payload). A GSO or GRO frame, several wire frames in one, is split into
 * wire frames, each classified and delivered on its own (see
 * exo_net_stats.gso).
 *
 * The ring is mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 * ring_offset) with the values EXO_IOC_NET_BIND returned (another
 * environment may map it only through an EXO_CAP_NET cap): a struct
 * exo_net_ring header page, then @ring_slots slots of @slot_size bytes,
 * each a struct exo_net_slot and the frame's first bytes. The kernel owns
 * @producer, the libOS owns @consumer; both only ever increase (mod 2^32)
 * and slot i is at index i % ring_slots. Only the binding's environment,
 * or a holder of a cap on it, may map it (EPERM); a cap's read-only
 * mapping with PROT_WRITE is EACCES. The environment's fd reports
 * EPOLLRDBAND to poll(2)
 * and epoll while one of its rings holds frames (EPOLLIN stays the sign of
 * an event record to read(2)).
 */

/* Most atoms in one filter. */
#define EXO_NET_ATOMS_MAX	16
/* Atoms only reach this far into a frame: offset + width <= this. */
#define EXO_NET_WINDOW		256

/**
 * struct exo_net_atom - one test of a filter
 * @offset: first byte, from the start of the link-layer frame
 * @width: 1, 2, 4 or 8 bytes
 * @reserved: must be 0
 * @mask: the bits tested; non-zero, and no bit beyond @width bytes
 * @value: what they must be; no bit outside @mask
 */
struct exo_net_atom {
	__u16 offset;
	__u8 width;
	__u8 reserved[5];
	__aligned_u64 mask;
	__aligned_u64 value;
};

/**
 * struct exo_net_info - argument of EXO_IOC_NET_INFO
 * @argsz: sizeof(struct exo_net_info) as the caller knows it
 * @flags: must be 0
 * @atoms_max: out: EXO_NET_ATOMS_MAX
 * @window: out: EXO_NET_WINDOW
 * @ring_slots_max: out: most slots in one ring (module parameter)
 * @slot_size_max: out: largest slot, in bytes (module parameter)
 * @bindings_max: out: most bindings one environment may hold
 * @shapes_max: out: most distinct shapes (sets of masked bytes) the
 *	decision structure of one device holds
 * @bindings: out: bindings the caller holds
 * @reserved: must be 0
 *
 * EXO_IOC_NET_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_NET_INFO), in/out. Since 1.
 * Return: 0, or -1 with errno EFAULT, EINVAL, E2BIG, EPROTO, EPERM.
 */
struct exo_net_info {
	__u32 argsz;
	__u32 flags;
	__u32 atoms_max;
	__u32 window;
	__u32 ring_slots_max;
	__u32 slot_size_max;
	__u32 bindings_max;
	__u32 shapes_max;
	__u32 bindings;
	__u32 reserved;
};

/* EXO_IOC_NET_BIND flags */
/* Bind even a filter that may take traffic the host stack uses (root). */
#define EXO_NET_BIND_HOST	_BITUL(0)

/**
 * struct exo_net_bind - argument of EXO_IOC_NET_BIND
 * @argsz: sizeof(struct exo_net_bind) as the caller knows it
 * @flags: EXO_NET_BIND_HOST or 0
 * @ifindex: the device, in the caller's network namespace
 * @natoms: atoms used in @atoms, 1..EXO_NET_ATOMS_MAX
 * @ring_slots: slots of the receive ring, a power of two, 2..ring_slots_max
 * @slot_size: bytes per slot with its header, a power of two,
 *	64..slot_size_max; longer frames are cut (caplen < len)
 * @binding_id: out: the binding's name, for UNBIND, TX and STATS
 * @reserved: must be 0
 * @ring_offset: out: the mmap(2) offset of the ring
 * @ring_len: out: the mmap(2) length of the ring
 * @atoms: the filter
 *
 * EXO_IOC_NET_BIND: _IO(EXO_IOC_MAGIC, EXO_NR_NET_BIND), in/out. Since 1.
 *
 * Needs CAP_NET_ADMIN, or a device named in the module parameter netdevs.
 * A filter may take traffic the host stack uses unless it pins either an
 * IPv4 UDP or TCP destination port (Ethernet type, IPv4 header length 5,
 * protocol and port all fully masked) that no host socket of the device's
 * namespace has bound, or an IPv4 (or ARP target) address that is not one
 * of that namespace's own. IPv6 likewise: a UDP or TCP destination port
 * (Ethernet type 0x86dd, Next Header at offset 20 = 17 or 6, so no
 * extension header, and the port at 56, all fully masked) that no host
 * IPv6 or dual-stack socket has bound, or a full 16-byte destination at 38
 * that is neither multicast nor one of the namespace's own (link-local and
 * tentative ones included). Any other filter, and any IPv6 filter on a
 * kernel without IPv6, is refused with EADDRINUSE unless
 * @flags has EXO_NET_BIND_HOST, which needs CAP_NET_ADMIN. A port filter
 * holds the port (a kernel socket bound to it) while it is bound, so that
 * no host socket can take it later; for IPv6 an IPV6_V6ONLY socket, which
 * leaves the IPv4 port to the host.
 *
 * Return: 0, or -1 with errno
 *  EINVAL: bad flags, reserved, natoms, width, offset, mask, value, a
 *	contradictory filter, bad ring geometry;
 *  ENODEV: no such device;
 *  EPERM: neither CAP_NET_ADMIN nor a device of netdevs; HOST without
 *	CAP_NET_ADMIN;
 *  EBUSY: the device is another's port (bridge, bond, team, macvlan,
 *	ipvlan lower: it has a master or an rx_handler), whose frames its
 *	upper device takes; bind on the upper device instead. A device that
 *	becomes a port later loses its bindings (EXO_EVENT_NET_DOWN with
 *	EXO_NET_DOWN_PORT);
 *  EEXIST: the filter overlaps one of another environment, on any device;
 *  EADDRINUSE: it may take host traffic and HOST was not given;
 *  ENOSPC: the caller holds bindings_max bindings, or the device's decision
 *	structure would hold more than shapes_max shapes;
 *  EDQUOT: the caller's rings would pass net_ring_mb_max MiB (a writable
 *	module parameter); rings are charged to the caller's memory cgroup;
 *  ENOMEM, EFAULT, E2BIG, EPROTO as usual.
 */
struct exo_net_bind {
	__u32 argsz;
	__u32 flags;
	__u32 ifindex;
	__u32 natoms;
	__u32 ring_slots;
	__u32 slot_size;
	__u32 binding_id;
	__u32 reserved;
	__aligned_u64 ring_offset;
	__aligned_u64 ring_len;
	struct exo_net_atom atoms[EXO_NET_ATOMS_MAX];
};

/**
 * struct exo_net_unbind - argument of EXO_IOC_NET_UNBIND
 * @argsz: sizeof(struct exo_net_unbind) as the caller knows it
 * @flags: must be 0
 * @binding_id: the binding to remove
 * @reserved: must be 0
 *
 * EXO_IOC_NET_UNBIND: _IO(EXO_IOC_MAGIC, EXO_NR_NET_UNBIND), in. Since 1.
 * Frames stop reaching the ring at once and go to the host stack again; a
 * mapping of the ring stays readable until it is unmapped. Closing the
 * environment unbinds all its filters in the same way, mapped rings or not
 * (a ring's mapping does not hold the environment's file).
 * Return: 0, or -1 with errno ENOENT (no such binding), EPERM (another
 * environment's), and the errors of every ioctl.
 */
struct exo_net_unbind {
	__u32 argsz;
	__u32 flags;
	__u32 binding_id;
	__u32 reserved;
};

/**
 * struct exo_net_tx - argument of EXO_IOC_NET_TX
 * @argsz: sizeof(struct exo_net_tx) as the caller knows it
 * @flags: must be 0
 * @binding_id: a binding of the caller's: the device to send on
 * @len: bytes in @frame, 14..device MTU + 14
 * @frame: user pointer to a whole Ethernet frame
 *
 * EXO_IOC_NET_TX: _IO(EXO_IOC_MAGIC, EXO_NR_NET_TX), in. Since 1.
 *
 * Anti-spoofing: the frame is sent only if, with its source and
 * destination swapped, one of the caller's own filters on that device
 * would match it; that is, it comes from an address the caller receives
 * on. The swap exchanges the Ethernet addresses; for IPv4 the addresses,
 * and for UDP or TCP (header length 5) the ports too; for IPv6 the
 * addresses, and for Next Header UDP or TCP the ports too; for ARP the
 * sender and target hardware and protocol addresses. Besides:
 *  - the Ethernet source (and an ARP sender's hardware address) must be
 *    the device's own: no filter owns a MAC;
 *  - an IPv4 source (ARP sender) address that the filter does not pin as
 *    its destination (target) must be one of the device's own addresses:
 *    a port filter owns the port on the host's addresses, not any address;
 *  - likewise an IPv6 source address (one still tentative is not yet the
 *    device's);
 *  - an IPv4 fragment with a non-zero offset is vouched for only by a
 *    filter that reads nothing past the IPv4 header (20 bytes): where a
 *    port would be, it carries payload.
 *
 * Return: 0, or -1 with errno EPERM (no filter of the caller's vouches
 * for the frame; another environment's binding), ENOENT (no such
 * binding), EINVAL (bad @len), ENETDOWN (the device went away), ENOMEM,
 * EFAULT and the errors of every ioctl.
 */
struct exo_net_tx {
	__u32 argsz;
	__u32 flags;
	__u32 binding_id;
	__u32 len;
	__aligned_u64 frame;
};

/**
 * struct exo_net_stats - argument of EXO_IOC_NET_STATS
 * @argsz: sizeof(struct exo_net_stats) as the caller knows it
 * @flags: must be 0
 * @binding_id: a binding of the caller's
 * @ifindex: out: its device, or 0 once the device went away
 * @matched: out: frames the filter matched
 * @delivered: out: frames put in the ring
 * @dropped: out: frames lost because the ring was full
 * @tx: out: frames sent through EXO_IOC_NET_TX
 * @tx_refused: out: frames TX refused by the anti-spoofing rule
 * @gso: out: GSO or GRO frames (several wire frames in one) that the filter
 *	matched and the kernel split into wire frames first; each one is then
 *	classified, delivered and counted in @matched on its own (appended: a
 *	caller whose @argsz ends before it does not get it)
 * @ash_replied: out: frames the binding's handler answered in the kernel
 *	(EXO_ASH_REPLIED, the reply sent); appended in the version with
 *	EXO_IOC_NET_ASH_SET, like the three after it
 * @ash_dropped: out: frames the handler dropped (EXO_ASH_DROP)
 * @ash_faults: out: handler runs that faulted (a read past the frame, a
 *	write past what the reply holds); the frame went on to the ring
 * @ash_refused: out: replies the anti-spoofing rule of EXO_IOC_NET_TX
 *	refused (or that could not be sent); the frame was consumed
 *
 * EXO_IOC_NET_STATS: _IO(EXO_IOC_MAGIC, EXO_NR_NET_STATS), in/out. Since 1.
 * Return: 0, or -1 with errno ENOENT, EPERM as for UNBIND, and the errors
 * of every ioctl.
 */
struct exo_net_stats {
	__u32 argsz;
	__u32 flags;
	__u32 binding_id;
	__u32 ifindex;
	__aligned_u64 matched;
	__aligned_u64 delivered;
	__aligned_u64 dropped;
	__aligned_u64 tx;
	__aligned_u64 tx_refused;
	__aligned_u64 gso;
	__aligned_u64 ash_replied;
	__aligned_u64 ash_dropped;
	__aligned_u64 ash_faults;
	__aligned_u64 ash_refused;
};

/**
 * struct exo_net_ring - the header page of a receive ring
 * @producer: frames the kernel has put in the ring (written by the kernel)
 * @slots: slots in the ring (informational; the kernel keeps its own copy)
 * @slot_size: bytes per slot
 * @data_offset: bytes from the start of the mapping to slot 0
 * @dropped: frames lost because the ring was full (written by the kernel)
 * @pad0: keeps @consumer on its own cache line
 * @consumer: frames the libOS has released (written by the libOS)
 * @pad1: pads the line
 *
 * The kernel trusts nothing the libOS writes: a @consumer more than @slots
 * behind @producer, or ahead of it, makes the ring look full.
 */
struct exo_net_ring {
	__u32 producer;
	__u32 slots;
	__u32 slot_size;
	__u32 data_offset;
	__aligned_u64 dropped;
	__u8 pad0[40];
	__u32 consumer;
	__u32 pad1[15];
};

/**
 * struct exo_net_slot - the header of one ring slot; the frame follows
 * @len: the frame's length on the wire
 * @caplen: bytes of it stored after this header
 * @time_ns: CLOCK_BOOTTIME when it was classified
 */
struct exo_net_slot {
	__u32 len;
	__u32 caplen;
	__aligned_u64 time_ns;
};

/* Each binding's ring sits at EXO_MMAP_NET + (binding_id << EXO_NET_RING_SHIFT). */
#define EXO_NET_RING_SHIFT	28

/* Most EXO_CAP_NET caps on one binding's ring. */
#define EXO_NET_CAPS_MAX	16

#define EXO_IOC_NET_INFO	_IO(EXO_IOC_MAGIC, EXO_NR_NET_INFO)
#define EXO_IOC_NET_BIND	_IO(EXO_IOC_MAGIC, EXO_NR_NET_BIND)
#define EXO_IOC_NET_UNBIND	_IO(EXO_IOC_MAGIC, EXO_NR_NET_UNBIND)
#define EXO_IOC_NET_TX		_IO(EXO_IOC_MAGIC, EXO_NR_NET_TX)
#define EXO_IOC_NET_STATS	_IO(EXO_IOC_MAGIC, EXO_NR_NET_STATS)

/*
 * ASH: application-specific safe handlers (Xok's name). A handler is a
 * short program attached to one binding. When the binding's filter claims
 * a frame, the kernel runs the handler on it at once, in the receive path,
 * and the handler decides: deliver the frame to the ring as usual, drop
 * it, or answer it with a reply it builds in a scratch buffer, which the
 * kernel sends on the same device without a trip to user space.
 *
 * The machine has EXO_ASH_NREGS 32-bit registers, all 0 at the start of a
 * run, the received frame (read only, flen bytes from its Ethernet header)
 * and a reply buffer of EXO_ASH_TX_MAX bytes that starts empty. The reply
 * is the prefix of the buffer written so far, "filled": a write may start
 * anywhere at or before the end of what is filled (never past it, so no
 * byte of a reply is one the handler did not put there) and extends it.
 *
 * Opcodes (fields not named are 0):
 *  LDB, LDH, LDW  reg = frame[off..], 1, 2 or 4 bytes, big-endian; a read
 *		   past flen faults
 *  LDLEN	   reg = flen
 *  LDI		   reg = imm
 *  JA		   skip off instructions
 *  JEQ, JNE, JGT, JSET  if reg ==, !=, > imm, or reg & imm != 0: skip off
 *  COPY	   reply[off2..off2+len) = frame[off..off+len); len 1..TX_MAX
 *  COPYALL	   reply = the whole frame (filled = flen); faults if flen >
 *		   EXO_ASH_TX_MAX
 *  STB, STH, STW  reply[off..] = low 1, 2, 4 bytes of reg, big-endian
 *  SWAP	   exchange reply[off..off+len) and reply[off2..off2+len),
 *		   len 1..EXO_ASH_SWAP_MAX, ranges apart; both inside filled
 *  CSUM_IP4	   recompute the IPv4 header checksum of the header at
 *		   reply[off] (its IHL, 5..15, read from there); the header
 *		   must lie inside filled
 *  CSUM	   reply[off..off+2) = the Internet checksum of reply[off2..
 *		   filled), those 2 bytes counted as 0 (an ICMP message's);
 *		   off2 <= off, and the field must lie inside filled
 *  RET		   end with verdict imm: EXO_ASH_DELIVER, EXO_ASH_DROP or
 *		   EXO_ASH_REPLIED (the reply, at least 14 bytes, is sent)
 *
 * A fault ends the run and the frame goes to the ring (counted in
 * exo_net_stats.ash_faults). The verifier, at EXO_IOC_NET_ASH_SET, checks
 * in order: 1..EXO_ASH_MAX_INSNS instructions; each opcode in the table
 * above; operands (reg below EXO_ASH_NREGS, unused fields 0, frame and
 * reply offsets and lengths inside EXO_ASH_TX_MAX, SWAP lengths and
 * ranges, CSUM's range starting at or before its field, RET verdicts);
 * jumps forward and landing inside the program; and the last instruction
 * a RET. So no run executes more instructions than
 * the program has.
 *
 * A reply leaves through the binding's own TX path: it must pass the
 * anti-spoofing rule of EXO_IOC_NET_TX against the binding's own filter,
 * else it is not sent, counted in ash_refused, and the frame is consumed.
 */
#define EXO_ASH_MAX_INSNS	64
#define EXO_ASH_NREGS		4
#define EXO_ASH_TX_MAX		2048
#define EXO_ASH_SWAP_MAX	16

#define EXO_ASH_LDB		0x01
#define EXO_ASH_LDH		0x02
#define EXO_ASH_LDW		0x03
#define EXO_ASH_LDLEN		0x04
#define EXO_ASH_LDI		0x05
#define EXO_ASH_JA		0x10
#define EXO_ASH_JEQ		0x11
#define EXO_ASH_JNE		0x12
#define EXO_ASH_JGT		0x13
#define EXO_ASH_JSET		0x14
#define EXO_ASH_COPY		0x20
#define EXO_ASH_COPYALL		0x21
#define EXO_ASH_STB		0x22
#define EXO_ASH_STH		0x23
#define EXO_ASH_STW		0x24
#define EXO_ASH_SWAP		0x25
#define EXO_ASH_CSUM_IP4	0x26
#define EXO_ASH_CSUM		0x27
#define EXO_ASH_RET		0x30

#define EXO_ASH_DELIVER		0
#define EXO_ASH_DROP		1
#define EXO_ASH_REPLIED		2

/**
 * struct exo_ash_insn - one handler instruction
 * @code: EXO_ASH_* opcode
 * @reg: the register loaded, compared or stored
 * @len: COPY and SWAP: bytes
 * @off: frame offset (loads, COPY's source), reply offset (stores, SWAP,
 *	CSUM_IP4, CSUM's field), or instructions skipped (jumps)
 * @off2: COPY's reply offset; SWAP's second reply offset; where CSUM's
 *	range starts
 * @pad: 0
 * @imm: LDI's value, a jump's constant, RET's verdict
 */
struct exo_ash_insn {
	__u8 code;
	__u8 reg;
	__u16 len;
	__u16 off;
	__u16 off2;
	__u32 pad;
	__u32 imm;
};

/**
 * struct exo_net_ash_set - argument of EXO_IOC_NET_ASH_SET
 * @argsz: sizeof(struct exo_net_ash_set) as the caller knows it
 * @flags: must be 0
 * @binding_id: a binding of the caller's
 * @len: instructions at @prog, 1..EXO_ASH_MAX_INSNS; 0 removes the handler
 * @prog: user pointer to @len struct exo_ash_insn
 * @bad_pc: out: on EINVAL from the verifier, the index of the first bad
 *	instruction (@len for a fault of the whole program); else 0
 * @reserved: must be 0
 *
 * EXO_IOC_NET_ASH_SET: _IO(EXO_IOC_MAGIC, EXO_NR_NET_ASH_SET), in/out.
 * Since 1 (reported in the handshake's ioctl mask). Attaches the handler
 * to the binding, replacing any it had; frames in flight finish with the
 * old one. The handler goes away with the binding.
 *
 * Return: 0, or -1 with errno EINVAL (flags, reserved, @len, or a program
 * the verifier refuses: see @bad_pc), ENOENT (no such binding), EPERM
 * (another environment's binding), ENOMEM, EFAULT (also for an argument
 * the kernel cannot write back, checked before anything is done) and the
 * errors of every ioctl. On error the binding keeps the handler it had.
 */
struct exo_net_ash_set {
	__u32 argsz;
	__u32 flags;
	__u32 binding_id;
	__u32 len;
	__aligned_u64 prog;
	__u32 bad_pc;
	__u32 reserved;
};

#define EXO_IOC_NET_ASH_SET	_IO(EXO_IOC_MAGIC, EXO_NR_NET_ASH_SET)

/* ==== 5. Disk (XN) ======================================================= */

/*
 * Disk (XN): blocks of a shared disk, owned through verified functions.
 *
 * XN multiplexes one disk (module parameter disk=, or a RAM disk of disk_mb)
 * among library file systems without learning their formats. A libFS
 * installs a *type* per kind of metadata block: a name and two UDFs
 * (user-defined functions in the bytecode below). The *owns* UDF reads a
 * block of that type and emits (start, count, type) for every block it
 * points to; the *acl* UDF reads it and the caller's uid and gid and
 * allows or denies access to the block's children (a root's acl guards the
 * root itself). Types and *roots* (a name, a type and a block: a libFS's
 * entry point) are kept in catalogues on the disk and survive reloads.
 * The disk's format is XN's own (version 2: little-endian, checksummed);
 * a disk that holds neither a sound image nor a blank block 0 makes the
 * module load fail with EUCLEAN and a "corrupt image" kernel log line,
 * so no ioctl ever sees what it held.
 *
 * Reading a block (EXO_IOC_XN_READ) names its parent, which must already be
 * in the caller's registry, and the type the parent's owns UDF must claim it
 * with; a root is read with parent EXO_XN_NO_PARENT. Allocation runs the
 * owns UDF on the parent before and after the libFS's own modification and
 * accepts only if exactly the new block appeared. Cached blocks are
 * mmap()ed one at a time at EXO_MMAP_XN + block * EXO_XN_BLOCK_SIZE:
 * metadata read-only, data (type EXO_XN_TYPE_DATA) read-write when the
 * parent's acl allows writing.
 *
 * A subtree can be shared with another environment through an EXO_CAP_XN
 * capability (EXO_IOC_CAP_GRANT): the grantee reads its top with parent
 * EXO_XN_CAP_PARENT, and the cap, not the acl, decides its access there.
 */

/* ---- UDF bytecode ----------------------------------------------------- */

#define EXO_UDF_MAX_INSNS	240	/* instructions in one UDF, 1..240 */
#define EXO_UDF_NREGS		16	/* r0..r15, 64 bits, unset at entry */
#define EXO_UDF_BLOCK_SIZE	4096	/* the block a UDF reads */
#define EXO_UDF_LOOP_MAX	1024	/* iterations of one loop */
#define EXO_UDF_MAX_STEPS	16384	/* static bound on executed insns */
#define EXO_UDF_MAX_OWNED	4096	/* blocks one owns run may emit */

/* Kinds of UDF, which decide what they may use. */
#define EXO_UDF_OWNS		1	/* may EMIT; reads only IN_SELF */
#define EXO_UDF_ACL		2	/* may not EMIT; reads every input */

/*
 * Opcodes. K forms take the constant @imm, X forms the register @src.
 * Arithmetic is on unsigned 64-bit values and wraps; shifts use the
 * amount modulo 64. Loads are little-endian and zero-extended.
 */
#define EXO_UDF_LDI		0x01	/* dst = (s64)imm */
#define EXO_UDF_MOV		0x02	/* dst = src */
#define EXO_UDF_ADD_K		0x10	/* dst op= imm, for the 8 ops */
#define EXO_UDF_SUB_K		0x11
#define EXO_UDF_MUL_K		0x12
#define EXO_UDF_AND_K		0x13
#define EXO_UDF_OR_K		0x14
#define EXO_UDF_XOR_K		0x15
#define EXO_UDF_SHL_K		0x16	/* imm 0..63 */
#define EXO_UDF_SHR_K		0x17	/* imm 0..63 */
#define EXO_UDF_ADD_X		0x18	/* dst op= src, same order */
#define EXO_UDF_SUB_X		0x19
#define EXO_UDF_MUL_X		0x1a
#define EXO_UDF_AND_X		0x1b
#define EXO_UDF_OR_X		0x1c
#define EXO_UDF_XOR_X		0x1d
#define EXO_UDF_SHL_X		0x1e
#define EXO_UDF_SHR_X		0x1f
/* dst = block[imm]: the verifier proves imm + size <= the block size. */
#define EXO_UDF_LDB_K		0x20
#define EXO_UDF_LDH_K		0x21
#define EXO_UDF_LDW_K		0x22
#define EXO_UDF_LDD_K		0x23
/* dst = block[src + imm]: out of the block, the UDF faults (see below). */
#define EXO_UDF_LDB_X		0x24
#define EXO_UDF_LDH_X		0x25
#define EXO_UDF_LDW_X		0x26
#define EXO_UDF_LDD_X		0x27
#define EXO_UDF_LDIN		0x28	/* dst = input[imm], EXO_UDF_IN_* */
/* Forward jumps: JA skips imm (>= 0) insns; the others skip aux if true. */
#define EXO_UDF_JA		0x30
#define EXO_UDF_JEQ_K		0x31	/* if dst == imm */
#define EXO_UDF_JNE_K		0x32
#define EXO_UDF_JLT_K		0x33	/* unsigned */
#define EXO_UDF_JLE_K		0x34
#define EXO_UDF_JGT_K		0x35
#define EXO_UDF_JGE_K		0x36
#define EXO_UDF_JSET_K		0x37	/* if dst & imm */
#define EXO_UDF_JEQ_X		0x39	/* if dst == src, same order */
#define EXO_UDF_JNE_X		0x3a
#define EXO_UDF_JLT_X		0x3b
#define EXO_UDF_JLE_X		0x3c
#define EXO_UDF_JGT_X		0x3d
#define EXO_UDF_JGE_X		0x3e
#define EXO_UDF_JSET_X		0x3f
/*
 * The one loop: LOOP runs the instructions up to its ENDLOOP imm times
 * (1..EXO_UDF_LOOP_MAX), LOOP_X min(src, imm) times, with dst = 0, 1, ...
 * at the start of each pass. Loops do not nest; jumps from outside may not
 * land inside a body; a jump inside a body may leave it (a break) or go to
 * its ENDLOOP (a continue).
 */
#define EXO_UDF_LOOP		0x40
#define EXO_UDF_LOOP_X		0x41
#define EXO_UDF_ENDLOOP		0x42
/* owns: the block claims blocks dst .. dst+src-1 with type in reg aux. */
#define EXO_UDF_EMIT		0x50
#define EXO_UDF_RET_K		0x60	/* return imm */
#define EXO_UDF_RET_X		0x61	/* return dst */

/* Inputs of LDIN. */
#define EXO_UDF_IN_SELF		0	/* number of the block being read */
#define EXO_UDF_IN_UID		1	/* acl: caller's uid (init namespace) */
#define EXO_UDF_IN_GID		2	/* acl: caller's gid (init namespace) */
#define EXO_UDF_IN_BLOCK	3	/* acl: the block being accessed */
#define EXO_UDF_IN_ACCESS	4	/* acl: EXO_UDF_ACCESS_* wanted */
#define EXO_UDF_IN_OFFSET	5	/* acl: first byte the access touches */
#define EXO_UDF_IN_LEN		6	/* acl: bytes it touches, >= 1 */
#define EXO_UDF_NINPUTS		7

/*
 * The range an acl is asked about (EXO_UDF_IN_OFFSET, EXO_UDF_IN_LEN),
 * always inside IN_BLOCK: 0 <= offset, 1 <= len, offset + len <=
 * EXO_XN_BLOCK_SIZE.
 *  - A change of a metadata block itself (IN_BLOCK == IN_SELF, access
 *    EXO_UDF_ACCESS_WRITE) by EXO_IOC_XN_WRITE_META, or of the parent m by
 *    EXO_IOC_XN_ALLOC and EXO_IOC_XN_FREE: the acl runs once for each
 *    struct exo_xn_mod of the call, in order, with that modification's
 *    @offset and @len (modifications are not merged, even when adjacent
 *    or overlapping), always on the block as it is before the call. The
 *    call goes ahead only if every run allows; else EACCES and the block
 *    is unchanged.
 *  - EXO_IOC_XN_WRITE of a data block: the parent's acl runs once with
 *    the write's @offset and @len within the data block.
 *  - Every other question: a READ (EXO_IOC_XN_READ of a block or of a
 *    root, and its @writable answer), and a read-write mmap() of a data
 *    block: offset 0 and len EXO_XN_BLOCK_SIZE, the whole block. A
 *    metadata block is @writable only if the whole of it may be changed.
 * The acl sees the block as it is, not the bytes proposed. An acl that
 * never reads these two inputs decides as it did before they existed.
 * Owns UDFs read IN_SELF only.
 */

#define EXO_UDF_ACCESS_READ	1
#define EXO_UDF_ACCESS_WRITE	2

/**
 * struct exo_udf_insn - one UDF instruction
 * @code: EXO_UDF_* opcode; anything else is rejected
 * @dst: destination (or compared, or returned) register
 * @src: source register of X forms, else 0
 * @aux: conditional jumps: instructions skipped when true; EMIT: the type
 *	register; else 0
 * @imm: constant operand
 *
 * The verifier, at EXO_IOC_XN_TYPE_INSTALL, checks in order: 1..240
 * instructions; each opcode allowed for the kind; operands (registers
 * below EXO_UDF_NREGS, unused fields 0, K loads inside the block, shift
 * amounts, loop counts, inputs); jumps forward and in range and not into a
 * loop body; loops closed and not nested; the last instruction a return; no
 * register read on any path before it is written; and at most
 * EXO_UDF_MAX_STEPS instructions executed on any path (a loop body counts
 * its iteration bound times). A UDF that faults at run time (an X load
 * outside the block, or more than EXO_UDF_MAX_OWNED blocks emitted) is
 * treated as a denial (acl) or a refusal (owns: the call is EPERM). A UDF
 * sees nothing but the block, its inputs and its registers: the same block
 * and inputs give the same result every time.
 */
struct exo_udf_insn {
	__u8 code;
	__u8 dst;
	__u8 src;
	__u8 aux;
	__s32 imm;
};

/* ---- XN ioctls ------------------------------------------------------- */

#define EXO_XN_BLOCK_SIZE	4096
#define EXO_XN_NAME_MAX		32	/* bytes of a name, NUL included */
#define EXO_XN_TYPES_MAX	32	/* types in the catalogue */
#define EXO_XN_ROOTS_MAX	64	/* roots in the catalogue */
#define EXO_XN_MODS_MAX		16	/* modifications in one call */
#define EXO_XN_TYPE_DATA	0	/* built in: data, no UDFs, no children */
#define EXO_XN_NO_PARENT	(~0ULL)	/* READ of a root */
/* READ of the top of a subtree through an EXO_CAP_XN cap (EXO_IOC_CAP_GRANT) */
#define EXO_XN_CAP_PARENT	(~0ULL - 1)

/**
 * struct exo_xn_info - argument of EXO_IOC_XN_INFO
 * @argsz: sizeof(struct exo_xn_info) as the caller knows it
 * @flags: must be 0
 * @nblocks: out: blocks on the disk
 * @data_start: out: first block XN's own metadata leaves to libFSes
 * @free_blocks: out: blocks a libFS may allocate now
 * @hint: in: a block number; out: the first allocatable block at or after
 *	it, or 0 if there is none
 * @types: out: types in the catalogue
 * @roots: out: roots in the catalogue
 * @cached: out: blocks in the buffer-cache registry
 * @dirty: out: of those, blocks XN_SYNC would write
 * @held: out: blocks in the caller's registry (as ENV_INFO's blocks)
 * @reserved: must be 0
 *
 * EXO_IOC_XN_INFO: _IO(EXO_IOC_MAGIC, EXO_NR_XN_INFO), in/out.
 * Return: 0, or -1 with errno EFAULT, EINVAL, E2BIG, EPROTO, EPERM.
 */
struct exo_xn_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 nblocks;
	__aligned_u64 data_start;
	__aligned_u64 free_blocks;
	__aligned_u64 hint;
	__u32 types;
	__u32 roots;
	__u32 cached;
	__u32 dirty;
	__u32 held;
	__u32 reserved;
};

/**
 * struct exo_xn_type - argument of EXO_IOC_XN_TYPE_INSTALL, _LOOKUP, _REMOVE
 * @argsz: sizeof(struct exo_xn_type) as the caller knows it
 * @flags: must be 0
 * @name: NUL-terminated, 1..EXO_XN_NAME_MAX-1 bytes, unique; REMOVE: may
 *	be empty, to name the type by @type_id alone
 * @type_id: INSTALL, LOOKUP: out, the type's number, 1..EXO_XN_TYPES_MAX;
 *	REMOVE: in, 0 or the type's number
 * @owns_len: INSTALL: instructions at @owns; LOOKUP: in, room at @owns,
 *	out, the owns UDF's length; REMOVE: 0
 * @acl_len: the same for @acl
 * @reserved: must be 0
 * @owns: user pointer to struct exo_udf_insn[]; LOOKUP: may be 0;
 *	REMOVE: 0
 * @acl: the same for the acl UDF
 *
 * EXO_IOC_XN_TYPE_INSTALL: _IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_INSTALL),
 * in/out. Any environment may install a type. Both UDFs are verified, then
 * the type is written to the disk before the call returns. Types are
 * immutable; they stay until EXO_IOC_XN_TYPE_REMOVE. A user without
 * CAP_SYS_ADMIN may have catalogue_per_user types and roots installed in
 * all (a module parameter); removing one gives its entry back.
 * Return: 0, or -1 with errno EINVAL (bad name, a UDF the verifier
 * rejects), EEXIST (the name is taken), ENOSPC (catalogue full), EDQUOT
 * (the caller's uid has catalogue_per_user entries), EIO, and the errors
 * of every ioctl.
 *
 * EXO_IOC_XN_TYPE_LOOKUP: _IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_LOOKUP),
 * in/out. Anyone may look a type up and read its UDFs back.
 * Return: 0, or -1 with errno ENOENT (no such type), ENOSPC (a pointer
 * given with too little room), EINVAL, and the errors of every ioctl.
 *
 * EXO_IOC_XN_TYPE_REMOVE: _IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_REMOVE), in.
 * Served when bit (EXO_NR_XN_TYPE_REMOVE - 64) of exo_api.ioctls_hi is
 * set. Removes the type named by @name
 * or, with @name empty (its first byte NUL), the type numbered @type_id;
 * with both, the type must have that name and that number. @owns_len,
 * @acl_len, @owns and @acl must be 0. Only the uid that installed the type
 * (its fsuid in the initial user namespace then) or a caller with
 * CAP_SYS_ADMIN may remove it. A type is in use while any root has it or
 * any block has it: the call first writes the dirty cache back (as
 * XN_SYNC), then walks every root's tree with the owns UDFs, and finds
 * the type nowhere, nor on any cached block. The entry is then cleared on
 * the disk before the call returns, its number and name may be installed
 * again, and it no longer counts against the installer's
 * catalogue_per_user. On any error nothing changed (what the write-back
 * wrote aside).
 * Return: 0, or -1 with errno EINVAL (unknown flags, non-zero @reserved or
 * UDF fields, a name without NUL in EXO_XN_NAME_MAX bytes, @type_id past
 * EXO_XN_TYPES_MAX, or by number the built-in EXO_XN_TYPE_DATA, which is
 * not in the catalogue and is never removed), ENOENT (no type of that
 * name, number, or both), EPERM (installed by another uid, and the caller
 * lacks CAP_SYS_ADMIN), EBUSY (a root or a block has the type; an owns
 * UDF that faults during the walk counts as a use), ENOMEM, EIO, and the
 * errors of every ioctl.
 */
struct exo_xn_type {
	__u32 argsz;
	__u32 flags;
	char name[EXO_XN_NAME_MAX];
	__u32 type_id;
	__u32 owns_len;
	__u32 acl_len;
	__u32 reserved;
	__aligned_u64 owns;
	__aligned_u64 acl;
};

/**
 * struct exo_xn_root - argument of EXO_IOC_XN_ROOT_INSTALL, _LOOKUP, _REMOVE
 * @argsz: sizeof(struct exo_xn_root) as the caller knows it
 * @flags: must be 0
 * @name: NUL-terminated, 1..EXO_XN_NAME_MAX-1 bytes, unique
 * @type_id: INSTALL: in, an installed type; LOOKUP: out; REMOVE: in, 0 or
 *	the root's type
 * @reserved: must be 0
 * @block: INSTALL: in, a free block for the root, or 0 for the first free
 *	one; out, the root block; LOOKUP: out; REMOVE: in, 0 or the root
 *	block
 *
 * EXO_IOC_XN_ROOT_INSTALL: _IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_INSTALL),
 * in/out. Any environment may install a root under a free name: names are
 * first come, first served, and a root stays until EXO_IOC_XN_ROOT_REMOVE
 * (catalogue_per_user counts it, as for TYPE_INSTALL). The root block is
 * zeroed on disk, then the free map, then the catalogue are written before
 * the call returns. What protects a root's contents is its type's acl UDF,
 * which runs on the root block itself when anyone reads it.
 * Return: 0, or -1 with errno EINVAL (bad name, type or block), EPERM (the
 * type's owns() claims blocks in a zeroed block: a root starts owning
 * nothing), EEXIST (name taken), EBUSY (block not free), ENOSPC, EDQUOT
 * (as for TYPE_INSTALL), EIO, and the errors of every ioctl.
 *
 * EXO_IOC_XN_ROOT_LOOKUP: _IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_LOOKUP),
 * in/out. Anyone may look a root up: it only names the block.
 * Return: 0, or -1 with errno ENOENT and the errors of every ioctl.
 *
 * EXO_IOC_XN_ROOT_REMOVE: _IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_REMOVE), in.
 * Served when bit (EXO_NR_XN_ROOT_REMOVE - 64) of exo_api.ioctls_hi is
 * set. Removes the root named @name;
 * a non-zero @type_id or @block must be the root's (so that a caller
 * removes the root it looked up, not one installed under the name since).
 * Only the uid that installed the root, or a caller with CAP_SYS_ADMIN,
 * may remove it. The root must own nothing and be held by nobody: the
 * call writes the dirty cache back (as XN_SYNC), then runs the type's
 * owns UDF on the root block, which must claim no block, and no
 * environment's registry (the caller's included: XN_RELEASE it first) may
 * hold the root block. Then the catalogue without the root, and after it
 * the free map with the root block free, are written before the call
 * returns: a crash between the two leaves the block allocated and
 * unreachable (XN_CHECK's unreachable), never named and free. If only the
 * free-map write fails, the removal stands and the block becomes free at
 * the next XN_SYNC. The name may be installed again and the entry no
 * longer counts against the installer's catalogue_per_user. On any error
 * nothing changed (what the write-back wrote aside).
 * Return: 0, or -1 with errno EINVAL (unknown flags, non-zero @reserved, a
 * bad name), ENOENT (no root of that name, or it has another type or
 * block), EPERM (installed by another uid, and the caller lacks
 * CAP_SYS_ADMIN), EBUSY (the root block claims a block, its type's owns
 * UDF faults on it or is no longer there to run, or an environment holds
 * it), ENOMEM, EIO, and the errors of every ioctl.
 */
struct exo_xn_root {
	__u32 argsz;
	__u32 flags;
	char name[EXO_XN_NAME_MAX];
	__u32 type_id;
	__u32 reserved;
	__aligned_u64 block;
};

/**
 * struct exo_xn_read - argument of EXO_IOC_XN_READ and EXO_IOC_XN_RELEASE
 * @argsz: sizeof(struct exo_xn_read) as the caller knows it
 * @flags: must be 0
 * @block: the block
 * @parent: READ: a block in the caller's registry whose owns UDF claims
 *	@block with @type_id, or EXO_XN_NO_PARENT for a root, or
 *	EXO_XN_CAP_PARENT for the top of a subtree the caller holds an
 *	EXO_CAP_XN cap for; RELEASE: 0
 * @type_id: READ: the type; RELEASE: 0
 * @writable: READ: out, 1 if the acl allows writing the whole block
 *	(offset 0, len EXO_XN_BLOCK_SIZE, see EXO_UDF_IN_OFFSET), else 0;
 *	RELEASE: 0
 *
 * EXO_IOC_XN_READ: _IO(EXO_IOC_MAGIC, EXO_NR_XN_READ), in/out. Brings the
 * block into the buffer cache and the caller's registry (ENV_INFO's
 * blocks counts them) after the parent's acl UDF allowed reading it.
 * Reading a block already there refreshes its writable answer.
 * A block read through a parent held through an EXO_CAP_XN cap is held
 * through that cap too: the cap, not the acl, decides access to it.
 * Return: 0, or -1 with errno EINVAL (block out of range, bad type),
 * ENOENT (parent not in the caller's registry, or no such root), EPERM
 * (the parent does not claim the block with that type; with
 * EXO_XN_CAP_PARENT: no live cap of the caller's for @block, or another
 * type), EACCES (the acl denies), EBUSY (through a cap, a block the
 * caller granted a cap for itself), EDQUOT (the registry holds view_max blocks), ENOBUFS (the cache
 * holds cache_max blocks, every one held: XN_ALLOC too), EIO, and the
 * errors of every ioctl. At cache_max, READ and ALLOC first write every
 * dirty block back and drop the unheld ones.
 *
 * EXO_IOC_XN_RELEASE: _IO(EXO_IOC_MAGIC, EXO_NR_XN_RELEASE), in. Drops
 * the block from the caller's registry, and the caller's mmap()s of it
 * (a touch is SIGBUS; XN_FREE does the same); a clean block nobody holds
 * leaves the cache. Return: 0, or -1 with errno ENOENT, EINVAL, and the
 * errors of every ioctl.
 */
struct exo_xn_read {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 block;
	__aligned_u64 parent;
	__u32 type_id;
	__u32 writable;
};

/**
 * struct exo_xn_mod - one modification: bytes to put into a metadata block
 * @offset: first byte, < EXO_XN_BLOCK_SIZE
 * @len: bytes, 1..EXO_XN_BLOCK_SIZE - @offset
 * @data: user pointer to @len bytes
 */
struct exo_xn_mod {
	__u32 offset;
	__u32 len;
	__aligned_u64 data;
};

/**
 * struct exo_xn_alloc - argument of EXO_IOC_XN_ALLOC, _FREE and _WRITE_META
 * @argsz: sizeof(struct exo_xn_alloc) as the caller knows it
 * @flags: must be 0
 * @parent: ALLOC, FREE: the metadata block m, in the caller's registry and
 *	writable; WRITE_META: the metadata block to change
 * @block: ALLOC, FREE: the block b; WRITE_META: 0
 * @type_id: ALLOC, FREE: b's type; WRITE_META: 0
 * @nmods: modifications at @mods, 1..EXO_XN_MODS_MAX
 * @mods: user pointer to struct exo_xn_mod[@nmods], applied in order
 *
 * EXO_IOC_XN_ALLOC: _IO(EXO_IOC_MAGIC, EXO_NR_XN_ALLOC), in. b must be
 * free and not in owns(m); the modifications are applied to a copy m' of m;
 * owns(m') must equal owns(m) plus b with @type_id, and b's own owns()
 * must claim nothing while b is zeroes (else b would own, from birth,
 * blocks nobody gave it). Then m' replaces m, b reads as zeroes and is in
 * the caller's registry. b reaches the disk
 * before anything on the disk points to it (see EXO_IOC_XN_SYNC).
 *
 * EXO_IOC_XN_FREE: _IO(EXO_IOC_MAGIC, EXO_NR_XN_FREE), in. owns(m) must
 * hold b with @type_id once, b must claim nothing itself and no other
 * environment may hold it; owns(m') must equal owns(m) less b. b becomes
 * allocatable again once m' is on the disk.
 *
 * EXO_IOC_XN_WRITE_META: _IO(EXO_IOC_MAGIC, EXO_NR_XN_WRITE_META), in.
 * The modifications are applied only if owns(m') equals owns(m).
 *
 * All or nothing: on any error m is unchanged.
 * Return: 0, or -1 with errno EINVAL (bad block, type or modification;
 * ALLOC, FREE: b is m), ENOENT (m not in the caller's registry), EPERM (a
 * check above failed, or an owns UDF faulted), EACCES (m's acl denies
 * writing one of the modifications: see EXO_UDF_IN_OFFSET), EBUSY (FREE:
 * another environment holds b), EDQUOT and ENOBUFS (ALLOC, as for
 * XN_READ), EIO, and the errors of every ioctl.
 */
struct exo_xn_alloc {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 parent;
	__aligned_u64 block;
	__u32 type_id;
	__u32 nmods;
	__aligned_u64 mods;
};

/**
 * struct exo_xn_write - argument of EXO_IOC_XN_WRITE
 * @argsz: sizeof(struct exo_xn_write) as the caller knows it
 * @flags: must be 0
 * @block: a data block in the caller's registry
 * @offset: first byte
 * @len: bytes, 1..EXO_XN_BLOCK_SIZE - @offset
 * @data: user pointer to @len bytes
 *
 * EXO_IOC_XN_WRITE: _IO(EXO_IOC_MAGIC, EXO_NR_XN_WRITE), in. Writes a data
 * block's cached copy when its parent's acl allows writing @len bytes at
 * @offset now (EXO_UDF_IN_OFFSET, EXO_UDF_IN_LEN).
 * Return: 0, or -1 with errno EINVAL, ENOENT, EACCES, EPERM (a metadata
 * block: use WRITE_META), and the errors of every ioctl.
 */
struct exo_xn_write {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 block;
	__u32 offset;
	__u32 len;
	__aligned_u64 data;
};

/**
 * struct exo_xn_sync - argument of EXO_IOC_XN_SYNC and EXO_IOC_XN_CHECK
 * @argsz: sizeof(struct exo_xn_sync) as the caller knows it
 * @flags: must be 0
 * @written: SYNC: out, blocks written; CHECK: out, blocks reachable
 * @owned_twice: CHECK: out, blocks claimed by two parents (or twice)
 * @free_pointed: CHECK: out, claimed blocks the free map says are free
 * @unreachable: CHECK: out, allocated blocks no root reaches
 * @faulted: CHECK: out, metadata blocks whose owns UDF faulted
 *
 * EXO_IOC_XN_SYNC: _IO(EXO_IOC_MAGIC, EXO_NR_XN_SYNC), in/out. Writes the
 * dirty cache back: new blocks first (children before the parents that
 * point to them), then the free map with new blocks allocated, then the
 * other dirty blocks, then the free map with freed blocks released. A
 * crash at any point leaves no on-disk pointer to an unwritten block and
 * no freed block reused while a pointer to it remains on disk.
 *
 * EXO_IOC_XN_CHECK: _IO(EXO_IOC_MAGIC, EXO_NR_XN_CHECK), in/out, needs
 * CAP_SYS_ADMIN. Walks every root on the disk (not the cache) with the
 * owns UDFs and counts what fsck would.
 * Return: 0, or -1 with errno EIO, EPERM, and the errors of every ioctl.
 */
struct exo_xn_sync {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 written;
	__aligned_u64 owned_twice;
	__aligned_u64 free_pointed;
	__aligned_u64 unreachable;
	__aligned_u64 faulted;
};

#define EXO_IOC_XN_INFO		_IO(EXO_IOC_MAGIC, EXO_NR_XN_INFO)
#define EXO_IOC_XN_TYPE_INSTALL	_IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_INSTALL)
#define EXO_IOC_XN_TYPE_LOOKUP	_IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_LOOKUP)
#define EXO_IOC_XN_ROOT_INSTALL	_IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_INSTALL)
#define EXO_IOC_XN_ROOT_LOOKUP	_IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_LOOKUP)
#define EXO_IOC_XN_READ		_IO(EXO_IOC_MAGIC, EXO_NR_XN_READ)
#define EXO_IOC_XN_RELEASE	_IO(EXO_IOC_MAGIC, EXO_NR_XN_RELEASE)
#define EXO_IOC_XN_ALLOC	_IO(EXO_IOC_MAGIC, EXO_NR_XN_ALLOC)
#define EXO_IOC_XN_FREE		_IO(EXO_IOC_MAGIC, EXO_NR_XN_FREE)
#define EXO_IOC_XN_WRITE_META	_IO(EXO_IOC_MAGIC, EXO_NR_XN_WRITE_META)
#define EXO_IOC_XN_WRITE	_IO(EXO_IOC_MAGIC, EXO_NR_XN_WRITE)
#define EXO_IOC_XN_SYNC		_IO(EXO_IOC_MAGIC, EXO_NR_XN_SYNC)
#define EXO_IOC_XN_CHECK	_IO(EXO_IOC_MAGIC, EXO_NR_XN_CHECK)
#define EXO_IOC_XN_TYPE_REMOVE	_IO(EXO_IOC_MAGIC, EXO_NR_XN_TYPE_REMOVE)
#define EXO_IOC_XN_ROOT_REMOVE	_IO(EXO_IOC_MAGIC, EXO_NR_XN_ROOT_REMOVE)

/* ==== 6. Events ========================================================== */

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
/*
 * A fault in an EXO_REGION_FAULT_UPCALL region: data[0] the fault id,
 * data[1] the page's address, data[2] EXO_MEM_FAULT_* flags, data[3]
 * the faulting thread's id.
 */
#define EXO_EVENT_MEM_FAULT	0x104
#define EXO_MEM_FAULT_WRITE	_BITUL(0)	/* a write */
#define EXO_MEM_FAULT_READONLY	_BITUL(1)	/* to a page bound read-only */
#define EXO_EVENT_CPU_BASE	0x200
/* data[0] excesses so far, data[1] max_excess, data[2] the CPU. */
#define EXO_EVENT_CPU_EXCESS	0x201
/* Abort: data[0] slots taken, data[1] why (EXO_CPU_ABORT_*). */
#define EXO_EVENT_CPU_ABORT	0x202
/* max_excess exit upcalls were not answered in time. */
#define EXO_CPU_ABORT_EXCESS	1
/* A revocation (EXO_IOC_CPU_REVOKE) was not honoured by its deadline. */
#define EXO_CPU_ABORT_REVOKE	2
/* A bound thread's affinity left its CPU (sched_setaffinity, cpusets). */
#define EXO_CPU_ABORT_MOVED	3
/* A bound thread's policy was changed behind exo (sched_setscheduler). */
#define EXO_CPU_ABORT_POLICY	4
/* Free data[0] slots by data[1] (CLOCK_BOOTTIME ns); data[2]: id. */
#define EXO_EVENT_CPU_REVOKE	0x203
/*
 * CPU data[0] went offline: data[1] slots of the environment's there were
 * freed, and data[2] is 1 if its bound thread there was unbound, else 0.
 */
#define EXO_EVENT_CPU_OFFLINE	0x204
/*
 * EXO_CAP_CPU data[0] died (REVOKE, FREE, close, abort, offline): its
 * slots, data[1] = its @first and data[2] = its @count, are no longer the
 * grantee's. Sent only to a grantee woken for a turn through it.
 */
#define EXO_EVENT_CPU_UNGRANTED	0x205
#define EXO_EVENT_NET_BASE	0x300
/*
 * Binding data[0] lost its device and is gone (data[1]: the ifindex);
 * data[2] says why, an EXO_NET_DOWN_*.
 */
#define EXO_EVENT_NET_DOWN	0x301
/* The device was unregistered. */
#define EXO_NET_DOWN_GONE	0
/*
 * It became another device's port (a bridge's, bond's or macvlan's, ...):
 * its frames are the upper device's now.
 */
#define EXO_NET_DOWN_PORT	1
/*
 * EXO_CAP_NET cap data[0] on binding data[1]'s ring was revoked, or the
 * binding went: the grantee's mapping of it is gone.
 */
#define EXO_EVENT_NET_UNGRANTED	0x302
#define EXO_EVENT_XN_BASE	0x400
/*
 * EXO_CAP_XN cap data[0] was revoked, or died with its grantor's hold of
 * the top block: the blocks held through it, and their mappings, are gone.
 */
#define EXO_EVENT_XN_UNGRANTED	0x401

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

/* ==== 7. Generic netlink ================================================= */

/*
 * Generic netlink: family EXO_GENL_NAME, version EXO_GENL_VERSION.
 *
 * Multicast group EXO_GENL_MCGRP_EVENT carries every environment's events
 * as EXO_CMD_EVENT messages (attributes ENV_ID and EVENT). Joining it needs
 * CAP_NET_ADMIN where EXO_FEATURE_NETLINK_PRIVATE is reported; older kernels
 * cannot restrict a group, so there any local user may watch.
 * EXO_CMD_GET_ENV (dump only, CAP_NET_ADMIN) lists the live environments,
 * one message each, with the ENV_* attributes.
 * EXO_CMD_GET_XN (dump only, CAP_NET_ADMIN) lists XN's catalogues, one
 * message per entry (a kernel without the command answers EOPNOTSUPP):
 * XN_KIND says which, then XN_ID (the type's number, or the root's slot in
 * the root catalogue), XN_NAME, XN_OWNER_UID (init user namespace); a type
 * adds XN_OWNS_LEN and XN_ACL_LEN, a root XN_TYPE and XN_BLOCK. Types come
 * first, by number, then roots, by slot.
 * EXO_CMD_GET_MEM (dump only, CAP_NET_ADMIN) maps the frame pool: first a
 * message per colour (MEM_COLOUR, MEM_CLEAN: its free zeroed frames), then
 * one per held frame (MEM_FRAME, MEM_COLOUR, MEM_NODE, ENV_ID: its holder,
 * MEM_MAPPINGS: pages bound to it in any region), by index.
 * EXO_CMD_GET_CPU (dump only, CAP_NET_ADMIN) maps the slot vectors: per
 * managed CPU by position, a message with CPU_ID, CPU_NOW_SLOT and
 * CPU_RUNNER (the environment whose turn runs, 0 for none), then one per
 * booked slot (CPU_ID, CPU_SLOT, ENV_ID, CPU_EXCESS: the holder's excess
 * count), then one per bound thread (CPU_ID, ENV_ID, CPU_TID, init pid
 * namespace).
 * EXO_CMD_GET_NET (dump only, CAP_NET_ADMIN) lists the packet filters, one
 * message per binding, by device and then bind order: NET_BINDING, ENV_ID,
 * NET_IFINDEX, NET_DEV, NET_RING_SLOTS, NET_SLOT_SIZE, the counters
 * NET_MATCHED, NET_DELIVERED, NET_DROPPED and NET_TX, and NET_FILTER, a
 * nest of NET_ATOM (binary struct exo_net_atom) as the kernel keeps the
 * filter (adjacent atoms merged).
 * These dumps take no attributes: any is EINVAL; without NLM_F_DUMP the
 * request is EOPNOTSUPP.
 */
#define EXO_GENL_NAME		"exo"
#define EXO_GENL_VERSION	1
#define EXO_GENL_MCGRP_EVENT	"event"

enum exo_genl_cmd {
	EXO_CMD_UNSPEC,
	EXO_CMD_GET_ENV,	/* dump: one reply per environment */
	EXO_CMD_EVENT,		/* multicast notification */
	EXO_CMD_GET_XN,		/* dump: one reply per XN catalogue entry */
	EXO_CMD_GET_MEM,	/* dump: per colour, then per held frame */
	EXO_CMD_GET_CPU,	/* dump: per CPU, its booked slots and threads */
	EXO_CMD_GET_NET,	/* dump: one reply per packet filter */
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
	EXO_ATTR_ENV_NET_DELIVERED,	/* u64: frames put in its rings */
	EXO_ATTR_ENV_NET_DROPPED,	/* u64: frames its full rings lost */
	EXO_ATTR_ENV_NET_TX,		/* u64: frames it sent */
	EXO_ATTR_XN_KIND,		/* u32: EXO_XN_KIND_* */
	EXO_ATTR_XN_ID,			/* u32: type number or root slot */
	EXO_ATTR_XN_NAME,		/* string */
	EXO_ATTR_XN_OWNER_UID,		/* u32, init user namespace */
	EXO_ATTR_XN_OWNS_LEN,		/* u32: a type's owns UDF, insns */
	EXO_ATTR_XN_ACL_LEN,		/* u32: a type's acl UDF, insns */
	EXO_ATTR_XN_TYPE,		/* u32: a root's type */
	EXO_ATTR_XN_BLOCK,		/* u64: a root's block */
	EXO_ATTR_MEM_COLOUR,		/* u32 */
	EXO_ATTR_MEM_CLEAN,		/* u32: a colour's free zeroed frames */
	EXO_ATTR_MEM_FRAME,		/* u32: a frame's index */
	EXO_ATTR_MEM_NODE,		/* u32: a frame's NUMA node */
	EXO_ATTR_MEM_MAPPINGS,		/* u32: pages bound to a frame */
	EXO_ATTR_CPU_ID,		/* u32: a managed CPU */
	EXO_ATTR_CPU_NOW_SLOT,		/* u32: the slot running now */
	EXO_ATTR_CPU_RUNNER,		/* u64: env whose turn runs, or 0 */
	EXO_ATTR_CPU_SLOT,		/* u32: a booked slot */
	EXO_ATTR_CPU_EXCESS,		/* u32: its holder's excess count */
	EXO_ATTR_CPU_TID,		/* u32: a bound thread */
	EXO_ATTR_NET_BINDING,		/* u32: a binding's id */
	EXO_ATTR_NET_IFINDEX,		/* u32 */
	EXO_ATTR_NET_DEV,		/* string: the device's name */
	EXO_ATTR_NET_RING_SLOTS,	/* u32 */
	EXO_ATTR_NET_SLOT_SIZE,		/* u32 */
	EXO_ATTR_NET_MATCHED,		/* u64 */
	EXO_ATTR_NET_DELIVERED,		/* u64 */
	EXO_ATTR_NET_DROPPED,		/* u64 */
	EXO_ATTR_NET_TX,		/* u64 */
	EXO_ATTR_NET_FILTER,		/* nest of NET_ATOM */
	EXO_ATTR_NET_ATOM,		/* binary struct exo_net_atom */
	__EXO_ATTR_MAX,
};

#define EXO_ATTR_MAX		(__EXO_ATTR_MAX - 1)

/* EXO_ATTR_XN_KIND: what an EXO_CMD_GET_XN message describes. */
#define EXO_XN_KIND_TYPE	1
#define EXO_XN_KIND_ROOT	2

/* ==== 8. The submission ring ============================================= */

/*
 * The submission ring: an environment's batched system call, in the shape
 * of io_uring. EXO_IOC_RING_SETUP sizes one ring per environment; the
 * caller mmap()s it (MAP_SHARED, read-write, offset EXO_MMAP_RING, length
 * exo_ring_setup.ring_size) and sees a struct exo_ring_hdr at offset 0, the
 * submission queue (SQ) of struct exo_ring_sqe at sq_off and the completion
 * queue (CQ) of struct exo_ring_cqe at cq_off.
 *
 * The caller writes SQEs at sq_tail & (sq_entries - 1), then advances
 * sq_tail (a release store); EXO_IOC_RING_ENTER, the doorbell, runs them in
 * order. Each SQE names an ioctl of the allow-list below and a pointer to
 * its usual argument struct; the kernel runs that ioctl exactly as if it had
 * been called directly, in the caller's context, and posts a CQE with the
 * SQE's user_data and the ioctl's result (0 or -errno). The caller reads
 * CQEs from cq_head to cq_tail (an acquire load) and advances cq_head.
 *
 * Every operation completes before EXO_IOC_RING_ENTER returns: nothing is
 * ever in flight, so there is nothing to wait for.
 *
 * The mapping is shared with user space, so the kernel trusts none of it:
 * it keeps its own sq_head and cq_tail and only ever writes them out, reads
 * each SQE once, and refuses a sq_tail or cq_head that cannot be right.
 * When the CQ is full a completion is dropped and counted in cq_overflow,
 * never written over an unread one; its ioctl has still run and written
 * its results to its argument struct.
 *
 * The allow-list: EXO_IOC_NOP (arg must be 0), EXO_IOC_MEM_ALLOC,
 * EXO_IOC_MEM_FREE, EXO_IOC_MEM_MAP, EXO_IOC_MEM_UNMAP, EXO_IOC_NET_TX,
 * EXO_IOC_XN_ALLOC, EXO_IOC_XN_FREE and EXO_IOC_XN_WRITE. Anything else,
 * the ring's own ioctls and those that may wait unboundedly (such as
 * EXO_IOC_CPU_WAIT) included, completes with -EOPNOTSUPP.
 */

#define EXO_RING_MAX_ENTRIES	4096	/* SQ entries: a power of two, 1..this */
#define EXO_RING_MAX_CQ		8192	/* CQ: a power of two, sq_entries..this */

/**
 * struct exo_ring_hdr - the ring's header, at offset 0 of its mapping
 * @sq_head: written by the kernel: the next SQE it will run
 * @sq_tail: written by the caller: one past the last SQE it queued
 * @cq_head: written by the caller: the next CQE it will read
 * @cq_tail: written by the kernel: one past the last CQE it posted
 * @sq_entries: the SQ's size (a copy; the kernel never reads it back)
 * @cq_entries: the CQ's size (a copy likewise)
 * @cq_overflow: written by the kernel: completions dropped, CQ full
 * @reserved: 0
 *
 * Indexes run freely over all 32 bits; entry i of a queue is at i masked
 * with its size minus one. Since 1.
 */
struct exo_ring_hdr {
	__u32 sq_head;
	__u32 sq_tail;
	__u32 cq_head;
	__u32 cq_tail;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 cq_overflow;
	__u32 reserved;
};

/**
 * struct exo_ring_sqe - one submission
 * @cmd: the ioctl to run, e.g. EXO_IOC_MEM_ALLOC
 * @flags: must be 0 (else the CQE says -EINVAL)
 * @arg: user pointer to the ioctl's argument struct, as ioctl(2) takes it
 * @user_data: copied to the CQE untouched
 * @reserved: must be 0 (else the CQE says -EINVAL)
 *
 * Since 1.
 */
struct exo_ring_sqe {
	__u32 cmd;
	__u32 flags;
	__aligned_u64 arg;
	__aligned_u64 user_data;
	__aligned_u64 reserved;
};

/**
 * struct exo_ring_cqe - one completion
 * @user_data: the SQE's
 * @result: what the ioctl returned: 0, or -errno (-EOPNOTSUPP for a
 *	command not on the allow-list)
 * @flags: 0 for now
 *
 * Since 1.
 */
struct exo_ring_cqe {
	__aligned_u64 user_data;
	__s32 result;
	__u32 flags;
};

/**
 * struct exo_ring_setup - argument of EXO_IOC_RING_SETUP
 * @argsz: sizeof(struct exo_ring_setup) as the caller knows it
 * @flags: must be 0
 * @sq_entries: SQ size, a power of two, 1..EXO_RING_MAX_ENTRIES
 * @cq_entries: CQ size, a power of two, @sq_entries..EXO_RING_MAX_CQ, or 0
 *	for twice @sq_entries
 * @ring_size: out: bytes to mmap() at EXO_MMAP_RING
 * @sq_off: out: offset of the SQ in the mapping
 * @cq_off: out: offset of the CQ in the mapping
 * @reserved: must be 0
 *
 * EXO_IOC_RING_SETUP: _IO(EXO_IOC_MAGIC, EXO_NR_RING_SETUP), in/out.
 * Since 1. One ring per environment, for the environment's life; its
 * memory is charged to the caller's memory cgroup.
 *
 * Return: 0, or -1 with errno
 *  EINVAL: unknown flags, non-zero @reserved, a size that is not a power
 *	of two or is out of range;
 *  EEXIST: the environment has its ring already;
 *  ENOMEM: no memory for the ring;
 *  EFAULT, E2BIG, EPROTO, EPERM as for every ioctl.
 *
 * mmap(2) of the ring fails with EINVAL without a ring, at another offset
 * or length than (EXO_MMAP_RING, @ring_size), or without MAP_SHARED; with
 * EPERM from any process but the environment's owner.
 */
struct exo_ring_setup {
	__u32 argsz;
	__u32 flags;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 ring_size;
	__u32 sq_off;
	__u32 cq_off;
	__u32 reserved;
};

/**
 * struct exo_ring_enter - argument of EXO_IOC_RING_ENTER, the doorbell
 * @argsz: sizeof(struct exo_ring_enter) as the caller knows it
 * @flags: must be 0
 * @to_submit: run up to this many queued SQEs, 0..sq_entries; fewer if
 *	fewer are queued
 * @min_complete: fail with EAGAIN, running nothing, unless at least this
 *	many CQEs would be ready afterwards (0..cq_entries)
 * @submitted: out: SQEs run
 * @cq_ready: out: CQEs ready for the caller now
 * @cq_overflow: out: completions dropped so far, CQ full
 * @reserved: must be 0
 *
 * EXO_IOC_RING_ENTER: _IO(EXO_IOC_MAGIC, EXO_NR_RING_ENTER), in/out.
 * Since 1. A fatal signal stops a batch between two SQEs: those run have
 * their CQEs, the rest stay queued.
 *
 * Return: 0, or -1 with errno
 *  ENXIO: the environment has no ring (EXO_IOC_RING_SETUP);
 *  EINVAL: unknown flags, non-zero @reserved, @to_submit or @min_complete
 *	out of range, or a header that cannot be right: sq_tail more than
 *	sq_entries past the kernel's sq_head, or cq_head behind cq_tail by
 *	more than cq_entries or ahead of it; nothing has run;
 *  EAGAIN: @min_complete cannot be met; nothing has run;
 *  EFAULT, E2BIG, EPROTO, EPERM as for every ioctl.
 */
struct exo_ring_enter {
	__u32 argsz;
	__u32 flags;
	__u32 to_submit;
	__u32 min_complete;
	__u32 submitted;
	__u32 cq_ready;
	__u32 cq_overflow;
	__u32 reserved;
};

#define EXO_IOC_RING_SETUP	_IO(EXO_IOC_MAGIC, EXO_NR_RING_SETUP)
#define EXO_IOC_RING_ENTER	_IO(EXO_IOC_MAGIC, EXO_NR_RING_ENTER)

#endif /* _UAPI_LINUX_EXO_H */
