/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libexo: build library operating systems on exo.ko.
 *
 * The first layer is one call per kernel operation. Conventions follow
 * libbpf: calls returning int give 0 (or a count) on success and -errno on
 * failure, and set errno as well; calls returning a pointer give NULL and
 * set errno. Options structs carry their own size in @sz so that they can
 * grow without breaking old callers. Diagnostics go through exo_set_print().
 *
 * Contents, in this order (the kernel's header, <linux/exo.h>, has the same):
 *   1. The handle, events and the netlink monitor
 *   2. Memory: raw calls, regions, the pager
 *   3. CPU: raw calls, the slot runner, user-level threads (stride)
 *   4. Network: raw calls, rings, a small UDP/IP
 *   5. Disk (XN): the UDF builder, raw calls, exofs
 */
#ifndef EXO_EXO_H
#define EXO_EXO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/exo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== 1. The core ======================================================== */

/* The API version this libexo speaks to the kernel. */
#define LIBEXO_API_VERSION	EXO_API_VERSION

/** Severity of a diagnostic passed to the print callback. */
enum exo_print_level {
	EXO_WARN,
	EXO_INFO,
	EXO_DEBUG,
};

typedef int (*exo_print_fn_t)(enum exo_print_level level, const char *fmt,
			      va_list args);

/**
 * exo_set_print() - route libexo's diagnostics
 * @fn: new callback, or NULL to silence libexo
 *
 * The default prints warnings to stderr, prefixed "libexo: ".
 *
 * Return: the previous callback.
 */
exo_print_fn_t exo_set_print(exo_print_fn_t fn);

/** struct exo - one environment: an open /dev/exo after the handshake. */
struct exo;

/**
 * struct exo_open_opts - options of exo_open()
 * @sz: sizeof(struct exo_open_opts), set by the caller
 * @path: device node; NULL means "/dev/exo"
 * @nonblock: non-zero opens the event fd O_NONBLOCK
 */
struct exo_open_opts {
	size_t sz;
	const char *path;
	int nonblock;
};

/**
 * exo_open() - create an environment and do the API handshake
 * @opts: options, or NULL for the defaults
 *
 * A missing /dev/exo is reported with a hint on how to load exo.ko, and a
 * kernel speaking another API version with both versions named.
 *
 * Return: a handle, or NULL with errno set (ENOENT: exo.ko not loaded;
 * EACCES: no permission on the device; EPROTONOSUPPORT: API mismatch;
 * EINVAL: bad @opts).
 */
struct exo *exo_open(const struct exo_open_opts *opts);

/**
 * exo_close() - end the environment; the kernel releases all it holds
 * @exo: handle from exo_open(), or NULL
 */
void exo_close(struct exo *exo);

/**
 * exo_api() - repeat the handshake and report what the kernel offers
 * @exo: handle
 * @api: filled with the kernel's version, feature and ioctl masks
 *
 * Return: 0 or -errno.
 */
int exo_api(struct exo *exo, struct exo_api *api);

/**
 * exo_env_info() - describe this environment: id, owner and counters
 * @exo: handle
 * @info: filled by the kernel
 *
 * Return: 0 or -errno.
 */
int exo_env_info(struct exo *exo, struct exo_env_info *info);

/**
 * exo_event_fd() - the file descriptor to poll(2) or epoll(7) for events
 * @exo: handle
 *
 * The fd stays owned by @exo: do not close it.
 *
 * Return: the fd, or -EINVAL for a NULL handle.
 */
int exo_event_fd(const struct exo *exo);

/**
 * exo_event_read() - take pending event records
 * @exo: handle
 * @events: where to put them
 * @max: room in @events, at least 1
 * @timeout_ms: how long to wait for the first: -1 forever, 0 not at all
 *
 * With a blocking fd (the default) and another thread reading the same
 * environment, this may wait past @timeout_ms for records the other thread
 * took first; open with exo_open_opts.nonblock for a strict timeout.
 *
 * Return: the number of records read, 0 when @timeout_ms passed with none,
 * or -errno.
 */
int exo_event_read(struct exo *exo, struct exo_event *events, size_t max,
		   int timeout_ms);

/**
 * exo_event_raise() - queue an EXO_EVENT_USER record on this environment
 * @exo: handle
 * @cookie: lands in the record's data[0]
 *
 * Return: 0 or -errno.
 */
int exo_event_raise(struct exo *exo, __u64 cookie);

/**
 * exo_cap_grant() - EXO_IOC_CAP_GRANT: let another environment use a resource
 * @exo: handle of the holder
 * @kind: EXO_CAP_MEM, EXO_CAP_CPU, EXO_CAP_NET or EXO_CAP_XN
 * @rights: EXO_CAP_READ, or EXO_CAP_READ | EXO_CAP_WRITE (CPU: READ only)
 * @first: the resource as @kind names it (MEM: first frame index; CPU:
 *	EXO_CAP_CPU_SLOT(cpu, slot); NET: the binding id; XN: the top block
 *	of the subtree, in the caller's registry)
 * @count: how many from @first (MEM: frames, 1..EXO_MEM_BATCH_MAX; CPU:
 *	slots of that CPU, 1..nslots - slot; NET and XN: 1)
 * @grantee: the environment id (exo_env_info()) given the capability
 * @cap_id: out: the capability's id, for exo_cap_revoke()
 *
 * Return: 0 or -errno (EOPNOTSUPP: kind not served yet; EPERM: not the
 * caller's; ESRCH: no such grantee; EDQUOT: too many outstanding; CPU:
 * EEXIST, a slot already in a cap, and ENOSPC, the grantee's whole vector).
 */
int exo_cap_grant(struct exo *exo, __u32 kind, __u32 rights, __u64 first,
		  __u64 count, __u64 grantee, __u64 *cap_id);

/**
 * exo_cap_revoke() - EXO_IOC_CAP_REVOKE: take a capability back
 * @exo: handle of the environment that granted it
 * @kind: the kind it was granted as
 * @cap_id: from exo_cap_grant()
 *
 * The grantee's access is gone when this returns; it is told by an event
 * (MEM: EXO_EVENT_MEM_UNGRANTED, if it had mapped; CPU:
 * EXO_EVENT_CPU_UNGRANTED, if it had a turn through it; NET:
 * EXO_EVENT_NET_UNGRANTED, if it had mapped the ring; XN:
 * EXO_EVENT_XN_UNGRANTED, if it had read through it).
 *
 * Return: 0 or -errno (ENOENT: no such capability of the caller's).
 */
int exo_cap_revoke(struct exo *exo, __u32 kind, __u64 cap_id);

/**
 * exo_nop() - the null ioctl: a round trip into exo.ko and back
 * @exo: handle
 *
 * Return: 0 or -errno.
 */
int exo_nop(struct exo *exo);

/**
 * exo_event_name() - a short name for an event type, for printing
 * @type: EXO_EVENT_*
 *
 * Return: a static string; "unknown" for codes this libexo does not know.
 */
const char *exo_event_name(__u32 type);

/** struct exo_monitor - a generic-netlink socket on the "exo" family. */
struct exo_monitor;

/**
 * exo_monitor_open() - connect to the "exo" generic-netlink family
 *
 * Return: a monitor, or NULL with errno set (ENOENT: exo.ko not loaded).
 */
struct exo_monitor *exo_monitor_open(void);

/**
 * exo_monitor_close() - disconnect
 * @mon: monitor, or NULL
 */
void exo_monitor_close(struct exo_monitor *mon);

/**
 * exo_monitor_subscribe() - join the "event" multicast group
 * @mon: monitor
 *
 * Return: 0 or -errno (EPERM without CAP_NET_ADMIN where the kernel
 * reports EXO_FEATURE_NETLINK_PRIVATE).
 */
int exo_monitor_subscribe(struct exo_monitor *mon);

/**
 * exo_monitor_fd() - the socket to poll for events
 * @mon: monitor
 *
 * Return: the fd, or -EINVAL for a NULL monitor.
 */
int exo_monitor_fd(const struct exo_monitor *mon);

/**
 * exo_monitor_read() - wait for the next event of any environment
 * @mon: a subscribed monitor
 * @event: filled with the record; event->env_id names its environment
 * @timeout_ms: -1 forever, 0 not at all
 *
 * Return: 1 with @event filled, 0 on timeout, or -errno (ENOBUFS: the
 * socket overran and events were lost; reading again goes on).
 */
int exo_monitor_read(struct exo_monitor *mon, struct exo_event *event,
		     int timeout_ms);

/**
 * exo_monitor_list_envs() - dump the live environments (CAP_NET_ADMIN)
 * @mon: monitor
 * @envs: filled with up to @max environments, argsz set
 * @max: room in @envs
 *
 * Return: the number of live environments, which may exceed @max, or
 * -errno.
 */
int exo_monitor_list_envs(struct exo_monitor *mon, struct exo_env_info *envs,
			  size_t max);

/* ==== 2. Memory ========================================================== */

/*
 * Memory: named physical frames.
 *
 * The raw layer is one call per EXO_IOC_MEM_* ioctl. On top of it sit two
 * libOS pieces: a *region* (address space mmap()ed from the environment's
 * fd, where frames are bound at pages of the libOS's choosing, and which
 * remembers what it bound where) and a *pager* (a frame allocator that
 * caches frames per cache colour and answers the kernel's revocation
 * requests with victims of the application's choosing).
 */

/* No frame: an unbound page of a region. */
#define EXO_NO_FRAME		((__u32)~0U)
/* exo_pager_alloc(): frames of any colour. */
#define EXO_ANY_COLOUR		((__u32)~0U)

/**
 * exo_mem_info() - describe the frame pool and what this environment holds
 * @exo: handle
 * @info: filled by the kernel (argsz is set here)
 *
 * Return: 0 or -errno.
 */
int exo_mem_info(struct exo *exo, struct exo_mem_info *info);

/**
 * exo_mem_alloc() - EXO_IOC_MEM_ALLOC: allocate frames, optionally map them
 * @exo: handle
 * @flags: EXO_MEM_ALLOC_INDEX or EXO_MEM_ALLOC_COLOUR (or neither: any),
 *	EXO_MEM_ALLOC_MAP, EXO_MEM_PROT_WRITE
 * @count: frames, 1..EXO_MEM_BATCH_MAX
 * @colour: with EXO_MEM_ALLOC_COLOUR, the colour wanted
 * @frames: @count entries; in: the indexes (EXO_MEM_ALLOC_INDEX); out: the
 *	names of the frames allocated
 * @addr: with EXO_MEM_ALLOC_MAP, the page of a region where frame 0 goes;
 *	frame i goes i pages further. NULL otherwise.
 *
 * All or nothing.
 *
 * Return: 0 or -errno (ENOSPC: not enough free frames of that colour;
 * EDQUOT: over this environment's quota; EBUSY: a named frame is held).
 */
int exo_mem_alloc(struct exo *exo, __u32 flags, __u32 count, __u32 colour,
		  struct exo_mem_frame *frames, void *addr);

/**
 * exo_mem_free() - EXO_IOC_MEM_FREE: give frames back to the pool
 * @exo: handle
 * @indexes: frame indexes
 * @count: 1..EXO_MEM_BATCH_MAX
 *
 * Every mapping of the frames, in any environment, and every grant of them
 * goes first. All or nothing.
 *
 * Return: 0 or -errno (EPERM: a frame this environment does not hold).
 */
int exo_mem_free(struct exo *exo, const __u32 *indexes, __u32 count);

/**
 * exo_mem_map() - EXO_IOC_MEM_MAP: bind frames at consecutive pages
 * @exo: handle
 * @flags: EXO_MEM_PROT_WRITE for read-write, 0 for read-only
 * @indexes: frame indexes, held or granted
 * @count: 1..EXO_MEM_BATCH_MAX
 * @addr: page of a region where frame 0 goes; frame i goes i pages further
 *
 * The raw call: a region's bookkeeping does not see it (exo_region_bind()
 * does). All or nothing.
 *
 * Return: 0 or -errno (EINVAL: bad address, or a page already bound;
 * EPERM: neither held nor granted, or a read-only grant).
 */
int exo_mem_map(struct exo *exo, __u32 flags, const __u32 *indexes,
		__u32 count, void *addr);

/**
 * exo_mem_unmap() - EXO_IOC_MEM_UNMAP: unbind consecutive pages
 * @exo: handle
 * @addr: first page, inside a region
 * @count: pages, 1..EXO_MEM_BATCH_MAX, each of them bound
 *
 * The frames stay held.
 *
 * Return: 0 or -errno.
 */
int exo_mem_unmap(struct exo *exo, void *addr, __u32 count);

/**
 * exo_mem_region_set() - EXO_IOC_MEM_REGION_SET: a region's fault mode
 * @exo: handle
 * @addr: the region's first page
 * @flags: EXO_REGION_FAULT_UPCALL, or 0 for SIGBUS on unbound pages
 *
 * Return: 0 or -errno (EINVAL: bad flags, @addr not a region's start).
 */
int exo_mem_region_set(struct exo *exo, void *addr, __u32 flags);

/**
 * exo_mem_fault_resolve() - EXO_IOC_MEM_FAULT_RESOLVE: answer a fault
 * @exo: handle
 * @flags: EXO_MEM_PROT_WRITE or 0 to bind @index; EXO_MEM_FAULT_FAIL alone
 * @fault_id: data[0] of the EXO_EVENT_MEM_FAULT, or 0 to name it by @addr
 * @addr: with @fault_id 0, the page that faulted; else NULL
 * @index: the frame to bind (held or granted); 0 with FAIL
 *
 * Binds and wakes every thread waiting on that page, or, with FAIL, wakes
 * them to SIGBUS.
 *
 * Return: 0 or -errno (ENOENT: no such pending fault; EINVAL: no fault
 * pending at @addr, bad flags; EPERM: frame neither held nor granted).
 */
int exo_mem_fault_resolve(struct exo *exo, __u32 flags, __u64 fault_id,
			  void *addr, __u32 index);

/**
 * exo_mem_grant() - EXO_IOC_MEM_GRANT: let another environment map frames
 * @exo: handle
 * @flags: EXO_MEM_GRANT_WRITE to allow read-write mappings, else 0
 * @first: first frame index of the range, all held by the caller
 * @count: frames in the range, 1..EXO_MEM_BATCH_MAX
 * @grantee: the environment id (exo_env_info()) that may map them
 * @grant_id: out: the capability's id, for exo_mem_ungrant()
 *
 * Return: 0 or -errno (ESRCH: no such grantee; EPERM: a frame is not the
 * caller's).
 */
int exo_mem_grant(struct exo *exo, __u32 flags, __u32 first, __u32 count,
		  __u64 grantee, __u64 *grant_id);

/**
 * exo_mem_ungrant() - EXO_IOC_MEM_UNGRANT: take a capability back
 * @exo: handle of the grantor
 * @grant_id: from exo_mem_grant()
 *
 * The grantee's mappings go at once; it gets EXO_EVENT_MEM_UNGRANTED.
 *
 * Return: 0 or -errno (ENOENT: no such grant of the caller's).
 */
int exo_mem_ungrant(struct exo *exo, __u64 grant_id);

/**
 * exo_mem_revoke() - EXO_IOC_MEM_REVOKE: ask an environment for frames
 * @exo: handle of a CAP_SYS_ADMIN caller
 * @env_id: the target environment (it may be the caller's own)
 * @count: frames to ask for, at least 1
 * @deadline_ms: time to comply, 1..60000 ms; then the abort protocol
 * @asked: out, may be NULL: frames actually asked for after sparing the
 *	target's reserve; 0 means no request was sent
 *
 * Return: 0 or -errno (EPERM: no CAP_SYS_ADMIN; ESRCH: no such
 * environment; EBUSY: a revocation is already pending there).
 */
int exo_mem_revoke(struct exo *exo, __u64 env_id, __u32 count,
		   __u32 deadline_ms, __u32 *asked);

/**
 * exo_mem_repossessed() - EXO_IOC_MEM_REPOSSESSED: read the frames the
 * abort protocol took
 * @exo: handle
 * @indexes: where to put frame indexes, oldest first
 * @max: room in @indexes, 1..EXO_MEM_BATCH_MAX
 * @lost: out, may be NULL: entries that did not fit in the kernel's vector
 *	since the last read (their frames are gone, but unnamed)
 *
 * Entries read are taken out of the vector.
 *
 * Return: the number of entries given (0 when the vector is empty), or
 * -errno.
 */
int exo_mem_repossessed(struct exo *exo, __u32 *indexes, __u32 max,
			__u32 *lost);

/**
 * struct exo_region - address space mmap()ed from the environment's fd
 *
 * Pages are bound to frames by exo_region_bind() and unbound by
 * exo_region_unbind(); the region remembers which frame each page shows.
 * Touching an unbound page raises SIGBUS. A region is used by one thread at
 * a time unless it is attached to a pager, whose lock then covers it.
 */
struct exo_region;

/**
 * exo_region_create() - reserve @pages pages of address space for frames
 * @exo: handle
 * @pages: size of the region, at least 1
 *
 * Return: a region with no page bound, or NULL with errno set.
 */
struct exo_region *exo_region_create(struct exo *exo, size_t pages);

/**
 * exo_region_destroy() - unmap the region
 * @region: region, or NULL
 *
 * Its pages are unbound; the frames stay held. It leaves its pager.
 */
void exo_region_destroy(struct exo_region *region);

/**
 * exo_region_addr() - where the region starts
 * @region: region
 *
 * Return: the address of page 0, or NULL with errno EINVAL.
 */
void *exo_region_addr(const struct exo_region *region);

/**
 * exo_region_pages() - how many pages the region has
 * @region: region
 *
 * Return: the size in pages, or 0 for a NULL region.
 */
size_t exo_region_pages(const struct exo_region *region);

/**
 * exo_region_bind() - bind frames at consecutive pages of a region
 * @region: region
 * @page: first page offset in the region
 * @indexes: frame indexes, held or granted; one may repeat (aliases)
 * @count: frames, at least 1; more than EXO_MEM_BATCH_MAX are done in
 *	several calls
 * @writable: non-zero maps read-write, zero read-only
 *
 * All or nothing: if a later batch fails, earlier ones are unbound again.
 * A pager the region is attached to records the bind order of its frames.
 *
 * Return: 0 or -errno (EINVAL: out of the region, or a page already bound).
 */
int exo_region_bind(struct exo_region *region, size_t page,
		    const __u32 *indexes, size_t count, int writable);

/**
 * exo_region_unbind() - unbind consecutive pages of a region
 * @region: region
 * @page: first page offset
 * @count: pages, at least 1, each of them bound
 *
 * The frames stay held. Past EXO_MEM_BATCH_MAX pages this is several calls:
 * if one fails, the pages before it stay unbound.
 *
 * Return: 0 or -errno (EINVAL: out of the region, or a page not bound).
 */
int exo_region_unbind(struct exo_region *region, size_t page, size_t count);

/**
 * exo_region_frame() - which frame a page of the region shows
 * @region: region
 * @page: page offset
 *
 * Return: the frame index, or EXO_NO_FRAME if the page is unbound or out of
 * the region. Frames taken away by revocation or by the abort protocol are
 * unbound here once a pager that the region is attached to has handled the
 * event.
 */
__u32 exo_region_frame(const struct exo_region *region, size_t page);

/**
 * struct exo_pager - a libOS frame allocator
 *
 * It asks the kernel for frames in batches and caches those it holds in
 * per-colour free lists. It hands frames out by colour, records the order
 * in which its frames are bound in the regions attached to it, and answers
 * revocation: it asks a policy for victims, unbinds them and frees them
 * before the deadline. After an abort it reads the repossession vector and
 * forgets what was taken. One mutex covers the pager and its regions, so
 * an event thread may serve it while others allocate.
 */
struct exo_pager;

/* exo_pager_frame_view.flags */
#define EXO_PAGER_FRAME_CACHED	(1U << 0)	/* in the free lists, unused */

/**
 * struct exo_pager_frame_view - a frame the pager holds, as a policy sees it
 * @index: pool index: the frame's name
 * @colour: cache colour
 * @node: NUMA node
 * @flags: EXO_PAGER_FRAME_CACHED if the application does not have it
 * @maps: pages showing it in the regions attached to the pager
 * @bind_seq: the pager's bind clock at its latest bind, from 1; 0 if it was
 *	never bound
 */
struct exo_pager_frame_view {
	__u32 index;
	__u16 colour;
	__u16 node;
	__u32 flags;
	__u32 maps;
	__u64 bind_seq;
};

/**
 * typedef exo_pager_pick_fn - a revocation policy: choose the victims
 * @ctx: exo_pager_opts.ctx
 * @held: every frame the pager holds, cached ones first, then the least
 *	recently bound first (never bound counts as least recent)
 * @nheld: entries in @held
 * @want: frames the kernel asks for, at most @nheld
 * @victims: room for @want frame indexes
 *
 * Called with the pager's lock held: it must not call exo_pager_*().
 *
 * Return: the number of indexes written to @victims (fewer than @want
 * leaves the rest to the abort protocol), or -errno to give nothing back.
 */
typedef int (*exo_pager_pick_fn)(void *ctx,
				 const struct exo_pager_frame_view *held,
				 size_t nheld, size_t want, __u32 *victims);

/** Why the application lost frames, as exo_pager_lost_fn says. */
enum exo_pager_loss {
	EXO_PAGER_REVOKED = 1,		/* given back on request */
	EXO_PAGER_REPOSSESSED = 2,	/* taken by the abort protocol */
};

/**
 * typedef exo_pager_lost_fn - tell the application what it lost
 * @ctx: exo_pager_opts.ctx
 * @why: EXO_PAGER_REVOKED or EXO_PAGER_REPOSSESSED
 * @indexes: frames it had from exo_pager_alloc(), plus, after an abort, any
 *	frame of the repossession vector the pager did not hand out (from
 *	exo_mem_alloc()); the pager's cached frames are never reported
 * @n: entries in @indexes
 *
 * Called without the pager's lock, after its books and its regions' are
 * updated: the pages that showed these frames are unbound.
 */
typedef void (*exo_pager_lost_fn)(void *ctx, enum exo_pager_loss why,
				  const __u32 *indexes, size_t n);

/**
 * typedef exo_pager_event_fn - an event exo_pager_serve() read but that is
 * not only the pager's
 * @ctx: exo_pager_opts.ctx
 * @event: the record (EXO_EVENT_OVERFLOW included)
 */
typedef void (*exo_pager_event_fn)(void *ctx, const struct exo_event *event);

/**
 * typedef exo_pager_fill_fn - what a demand-filled page shows first
 * @ctx: exo_pager_opts.ctx
 * @region: the region that faulted (see exo_pager_demand())
 * @page: the page's number in @region
 * @dst: a writable view of the frame that will be bound there, one page
 *
 * Called with the pager's lock held: it must not call the pager.
 *
 * Return: 0, or -errno to fail the fault (the thread gets SIGBUS).
 */
typedef int (*exo_pager_fill_fn)(void *ctx, struct exo_region *region,
				 size_t page, void *dst);

/**
 * struct exo_pager_opts - options of exo_pager_create()
 * @sz: sizeof(struct exo_pager_opts), set by the caller
 * @batch: frames to ask the kernel for when a free list runs dry,
 *	1..EXO_MEM_BATCH_MAX; 0 means 16. A request larger than @batch asks
 *	for what it needs.
 * @max_cached: cached frames to keep at most; exo_pager_free() gives the
 *	rest back to the kernel. 0 keeps everything.
 * @pick: revocation policy; NULL means exo_pager_pick_lrb()
 * @lost: told which frames the application lost; may be NULL
 * @event: gets the events exo_pager_serve() reads and does not consume;
 *	NULL drops them (with a debug message)
 * @ctx: passed to @pick, @lost, @event and @fill
 * @fill: what a page of a demand region (exo_pager_demand()) shows when
 *	it is first touched; NULL means zeroes
 */
struct exo_pager_opts {
	size_t sz;
	__u32 batch;
	__u32 max_cached;
	exo_pager_pick_fn pick;
	exo_pager_lost_fn lost;
	exo_pager_event_fn event;
	void *ctx;
	exo_pager_fill_fn fill;
};

/**
 * struct exo_pager_stats - counters of a pager
 * @sz: sizeof(struct exo_pager_stats), set by the caller
 * @held: frames the pager holds from the kernel, cached or handed out
 * @cached: of those, frames in its free lists
 * @kernel_allocs: EXO_IOC_MEM_ALLOC calls made
 * @kernel_frees: EXO_IOC_MEM_FREE calls made
 * @revocations: EXO_EVENT_MEM_REVOKE requests handled
 * @revoked: frames given back on request
 * @aborts: EXO_EVENT_MEM_ABORT records handled
 * @repossessed: frames the abort protocol took from the pager
 * @demand_fills: faults of demand regions answered with a frame
 * @demand_failures: faults of demand regions the pager refused: no frame
 *	to be had, @fill refused (SIGBUS), or a write to a read-only page of
 *	a region without EXO_PAGER_DEMAND_WRITE (SIGSEGV)
 */
struct exo_pager_stats {
	size_t sz;
	__u64 held;
	__u64 cached;
	__u64 kernel_allocs;
	__u64 kernel_frees;
	__u64 revocations;
	__u64 revoked;
	__u64 aborts;
	__u64 repossessed;
	__u64 demand_fills;
	__u64 demand_failures;
};

/**
 * exo_pager_create() - a frame allocator for an environment
 * @exo: handle; it must outlive the pager
 * @opts: options, or NULL for the defaults
 *
 * Return: a pager holding no frame, or NULL with errno set (EOPNOTSUPP:
 * the kernel has no memory binding; EINVAL: bad @opts).
 */
struct exo_pager *exo_pager_create(struct exo *exo,
				   const struct exo_pager_opts *opts);

/**
 * exo_pager_destroy() - give back every frame and forget the regions
 * @pager: pager, or NULL
 *
 * Every frame the pager holds goes back to the kernel, including the ones
 * handed out and not freed, and is unbound wherever it is bound. The
 * regions stay, detached.
 */
void exo_pager_destroy(struct exo_pager *pager);

/**
 * exo_pager_alloc() - take @n frames of one colour
 * @pager: pager
 * @colour: cache colour, or EXO_ANY_COLOUR to spread over all colours
 * @n: frames, at least 1
 * @out: @n entries, filled with the frames' names
 *
 * Served from the free lists; the kernel is asked only when they run dry.
 * A cached frame keeps what this environment last wrote in it: the kernel
 * zeroes frames only between environments. All or nothing.
 *
 * Return: 0 or -errno (EINVAL: bad colour; ENOSPC, EDQUOT: the kernel's).
 */
int exo_pager_alloc(struct exo_pager *pager, __u32 colour, size_t n,
		    struct exo_mem_frame *out);

/**
 * exo_pager_free() - hand frames back to the pager
 * @pager: pager
 * @indexes: frames from exo_pager_alloc()
 * @n: entries in @indexes
 *
 * They return to the free lists; beyond exo_pager_opts.max_cached, to the
 * kernel. All or nothing.
 *
 * Return: 0 or -errno (EINVAL: a frame not handed out by this pager, or
 * already taken back by revocation; EBUSY: a frame still bound in a region
 * attached to the pager).
 */
int exo_pager_free(struct exo_pager *pager, const __u32 *indexes, size_t n);

/**
 * exo_pager_trim() - give cached frames back to the kernel
 * @pager: pager
 * @keep: cached frames to keep
 *
 * Return: the number of frames given back, or -errno.
 */
int exo_pager_trim(struct exo_pager *pager, size_t keep);

/**
 * exo_pager_attach() - let the pager see a region's bindings
 * @pager: pager
 * @region: region of the same environment, attached to no other pager
 *
 * From now on the pager records the bind order of its frames in @region,
 * and unbinds them there when revocation or the abort protocol takes them.
 * exo_region_destroy() detaches the region.
 *
 * Return: 0 or -errno (EINVAL: another environment's region; EBUSY:
 * attached elsewhere).
 */
int exo_pager_attach(struct exo_pager *pager, struct exo_region *region);

/* exo_pager_demand() flags */
#define EXO_PAGER_DEMAND	(1U << 0)	/* fill faults on demand */
#define EXO_PAGER_DEMAND_WRITE	(1U << 1)	/* ... with writable pages */

/**
 * exo_pager_demand() - fill a region's pages from the pager when touched
 * @pager: pager
 * @region: region of the same environment (attached here if it is not)
 * @flags: EXO_PAGER_DEMAND, with EXO_PAGER_DEMAND_WRITE for read-write
 *	pages; 0 turns it off (unbound pages SIGBUS again)
 *
 * The region becomes an EXO_REGION_FAULT_UPCALL region: a touch of an
 * unbound page waits while exo_pager_handle_event() (or exo_pager_serve(),
 * from any thread but the one that faulted) takes a frame from the free
 * lists, fills it (exo_pager_opts.fill, or zeroes: a cached frame may
 * hold old data) and binds it there. The region owns the frames it was so
 * given: exo_region_unbind() and exo_region_destroy() put them back in
 * the free lists. With no frame to be had the thread gets SIGBUS.
 *
 * Return: 0 or -errno (EINVAL: bad flags or another environment's region;
 * EBUSY: attached to another pager; EOPNOTSUPP: the kernel has no fault
 * upcalls).
 */
int exo_pager_demand(struct exo_pager *pager, struct exo_region *region,
		     __u32 flags);

/**
 * exo_pager_snapshot() - a copy-on-write snapshot of a demand region
 * @pager: pager
 * @src: a region in demand mode with EXO_PAGER_DEMAND_WRITE
 * @dst: a region of at least as many pages, unbound where @src is bound
 *	(attached here if it is not)
 *
 * Every page @src shows now is shown in @dst at the same page, and in
 * both read-only. A later write to such a page of @src is a fault the
 * pager answers by copying the frame into a fresh one and showing the
 * copy there, writable: @dst keeps the bytes of the moment. A frame two
 * regions show goes back to the free lists when the last lets go of it.
 *
 * Return: 0 or -errno (EINVAL: @src not in demand mode with WRITE, @dst
 * too small or of another environment; EBUSY: @dst is bound where @src
 * is); on an error the pages before it stay shared.
 */
int exo_pager_snapshot(struct exo_pager *pager, struct exo_region *src,
		       struct exo_region *dst);

/**
 * exo_pager_handle_event() - act on an event record, from an event loop
 * @pager: pager
 * @event: a record read from exo_event_fd()
 *
 * EXO_EVENT_MEM_REVOKE: asks the policy for victims among the frames the
 * pager holds, unbinds them from the attached regions and frees them
 * before the deadline. EXO_EVENT_MEM_ABORT: reads the repossession vector
 * and drops what was taken from the books and the regions.
 * EXO_EVENT_OVERFLOW: records may have been lost, so the pager checks
 * exo_mem_info() for a pending revocation or a repossession it missed, and
 * returns 0 so that the caller passes the record on too.
 *
 * Return: 1 if @event was a memory event and has been handled, 0 if it is
 * not (only) the pager's, or -errno.
 */
int exo_pager_handle_event(struct exo_pager *pager,
			   const struct exo_event *event);

/**
 * exo_pager_serve() - read events and handle the memory ones
 * @pager: pager
 * @timeout_ms: how long to wait for one: -1 forever, 0 not at all
 *
 * For a libOS without an event loop of its own. Records that are not the
 * pager's go to exo_pager_opts.event.
 *
 * Return: the number of memory events handled, 0 if @timeout_ms passed
 * without one, or -errno.
 */
int exo_pager_serve(struct exo_pager *pager, int timeout_ms);

/**
 * exo_pager_stats() - read a pager's counters
 * @pager: pager
 * @stats: filled up to @stats->sz, which the caller sets
 *
 * Return: 0 or -errno.
 */
int exo_pager_stats(struct exo_pager *pager, struct exo_pager_stats *stats);

/**
 * exo_pager_pick_lrb() - the default policy: least recently bound first
 * @ctx: unused
 * @held: as exo_pager_pick_fn gets it
 * @nheld: entries in @held
 * @want: victims wanted
 * @victims: filled with the first @want entries of @held
 *
 * Cached frames go first, as they hold nothing; then the frames bound
 * longest ago. A policy of its own may call it for what it leaves over.
 *
 * Return: the number of victims written.
 */
int exo_pager_pick_lrb(void *ctx, const struct exo_pager_frame_view *held,
		       size_t nheld, size_t want, __u32 *victims);

/* ==== 3. CPU ============================================================= */

/*
 * CPU: time slots (EXO_FEATURE_CPU). A CPU exo manages has a vector of
 * slots that repeats from an epoch; an environment books the slots it
 * wants by position, binds one thread per CPU to them, and that thread's
 * exo_cpu_wait() returns at the start of each of its turns. See
 * uapi/linux/exo.h for the protocol: exit upcall, grace, excess, abort.
 */

/**
 * exo_cpu_info() - EXO_IOC_CPU_INFO: describe a managed CPU's vector
 * @exo: handle
 * @cpu: a CPU exo manages
 * @info: filled by the kernel (argsz is set here)
 *
 * Return: 0 or -errno (EINVAL: @cpu is not managed).
 */
int exo_cpu_info(struct exo *exo, __u32 cpu, struct exo_cpu_info *info);

/**
 * exo_cpu_book() - EXO_IOC_CPU_BOOK by pattern: @start + i * @stride
 * @exo: handle
 * @cpu: a managed CPU
 * @start: first slot
 * @count: slots, >= 1
 * @stride: distance between them, >= 1 (1: contiguous)
 *
 * All or nothing.
 *
 * Return: 0 or -errno (EEXIST: a slot is held; EINVAL: out of the vector).
 */
int exo_cpu_book(struct exo *exo, __u32 cpu, __u32 start, __u32 count,
		 __u32 stride);

/**
 * exo_cpu_free() - EXO_IOC_CPU_FREE by pattern
 * @exo: handle
 * @cpu: a managed CPU
 * @start: first slot
 * @count: slots, >= 1
 * @stride: distance between them, >= 1
 *
 * Return: 0 or -errno (EPERM: a slot is not this environment's).
 */
int exo_cpu_free(struct exo *exo, __u32 cpu, __u32 start, __u32 count,
		 __u32 stride);

/**
 * exo_cpu_book_mask() - EXO_IOC_CPU_BOOK of the slots of a bitmap
 * @exo: handle
 * @cpu: a managed CPU
 * @mask: EXO_CPU_MASK_WORDS words, bit s names slot s
 *
 * Return: 0 or -errno, as exo_cpu_book().
 */
int exo_cpu_book_mask(struct exo *exo, __u32 cpu, const __u64 *mask);

/**
 * exo_cpu_free_mask() - EXO_IOC_CPU_FREE of the slots of a bitmap
 * @exo: handle
 * @cpu: a managed CPU
 * @mask: EXO_CPU_MASK_WORDS words, bit s names slot s
 *
 * Return: 0 or -errno, as exo_cpu_free().
 */
int exo_cpu_free_mask(struct exo *exo, __u32 cpu, const __u64 *mask);

/**
 * exo_cpu_query() - EXO_IOC_CPU_QUERY: which slots are free, which mine
 * @exo: handle
 * @cpu: a managed CPU
 * @query: filled by the kernel
 *
 * Return: 0 or -errno.
 */
int exo_cpu_query(struct exo *exo, __u32 cpu, struct exo_cpu_query *query);

/**
 * exo_cpu_bind() - EXO_IOC_CPU_BIND: bind the calling thread to the slots
 * @exo: handle
 * @cpu: a managed CPU; the thread is pinned there until it unbinds
 * @signal: the exit upcall's signal (SIGRTMIN..SIGRTMAX), or 0 for none
 * @flags: 0 or EXO_CPU_BIND_SHARE
 *
 * Return: 0 or -errno (EBUSY: a thread of this environment is bound there,
 * or this thread is bound elsewhere).
 */
int exo_cpu_bind(struct exo *exo, __u32 cpu, int signal, __u32 flags);

/**
 * exo_cpu_unbind() - EXO_IOC_CPU_UNBIND: let the calling thread go
 * @exo: handle
 *
 * Return: 0 or -errno (EINVAL: the thread is not bound).
 */
int exo_cpu_unbind(struct exo *exo);

/**
 * exo_cpu_wait() - EXO_IOC_CPU_WAIT: yield, and wait for the next turn
 * @exo: handle
 * @timeout_ms: 0 waits forever
 * @wake: the wake record of the turn
 *
 * Return: 0 or -errno (ETIMEDOUT, EINTR, EINVAL: not bound).
 */
int exo_cpu_wait(struct exo *exo, __u32 timeout_ms, struct exo_cpu_wake *wake);

/**
 * exo_cpu_wait_donate() - give the rest of my turn to @target, then wait
 * @exo: handle
 * @target: an environment whose bound thread waits on this CPU
 * @timeout_ms: 0 waits forever
 * @wake: the wake record of my next turn
 *
 * EXO_IOC_CPU_WAIT with EXO_CPU_WAIT_DONATE: a directed yield and a wait in
 * one call, for handing the CPU back and forth.
 *
 * Return: 0 or -errno (EAGAIN: the target is not waiting and nothing was
 * done; ESRCH; ETIMEDOUT; EINTR).
 */
int exo_cpu_wait_donate(struct exo *exo, __u64 target, __u32 timeout_ms,
			struct exo_cpu_wake *wake);

/**
 * exo_cpu_yield() - EXO_IOC_CPU_YIELD: end my turn, or give its rest away
 * @exo: handle
 * @target: 0, or an environment whose bound thread waits on this CPU
 * @ended: if not NULL, whether a running turn ended
 *
 * Return: 0 or -errno (EAGAIN: the target is not waiting; ENOENT: no turn
 * of mine runs; ESRCH: no such environment).
 */
int exo_cpu_yield(struct exo *exo, __u64 target, bool *ended);

/**
 * exo_cpu_revoke() - EXO_IOC_CPU_REVOKE: ask an environment for slots back
 * @exo: handle (CAP_SYS_ADMIN)
 * @env_id: the target
 * @count: slots asked for
 * @deadline_ms: 1..60000; past it the abort protocol runs
 *
 * Return: 0 or -errno (EPERM, ESRCH, EBUSY, EINVAL).
 */
int exo_cpu_revoke(struct exo *exo, __u64 env_id, __u32 count,
		   __u32 deadline_ms);

/**
 * exo_cpu_page_map() - map the environment's read-only slot page
 * @exo: handle
 *
 * Return: the page, or NULL with errno set.
 */
const struct exo_cpu_page *exo_cpu_page_map(struct exo *exo);

/**
 * exo_cpu_page_unmap() - unmap what exo_cpu_page_map() returned
 * @page: the page, or NULL
 */
void exo_cpu_page_unmap(const struct exo_cpu_page *page);

/**
 * exo_cpu_page_read() - a consistent snapshot of one CPU's entry
 * @page: the slot page
 * @index: the CPU's position among managed CPUs
 * @out: the entry
 * @excess: if not NULL, the environment's excess counter
 *
 * Return: 0 or -errno.
 */
int exo_cpu_page_read(const struct exo_cpu_page *page, __u32 index,
		      struct exo_cpu_page_cpu *out, __u32 *excess);

/**
 * typedef exo_slot_fn - the work of one turn, for exo_slots_run()
 * @wake: the turn's wake record
 * @arg: the caller's
 *
 * Runs inside the turn and should return before @wake->end_ns.
 *
 * Return: 0 to go on to the next turn, anything else to stop.
 */
typedef int (*exo_slot_fn)(const struct exo_cpu_wake *wake, void *arg);

/**
 * exo_slots_run() - run @fn in each of the environment's turns on @cpu
 * @exo: handle; the environment has booked slots there
 * @cpu: a managed CPU
 * @signal: the exit upcall signal, or 0
 * @turns: how many turns (0: until @fn stops)
 * @fn: called once per turn, inside it
 * @arg: passed to @fn
 *
 * Binds the calling thread, takes each turn's wake, runs @fn, yields, and
 * unbinds at the end.
 *
 * Return: 0, a negative @fn result, or -errno: -ENODEV if @cpu went
 * offline meanwhile (its slots are gone; book again once it is back).
 */
int exo_slots_run(struct exo *exo, __u32 cpu, int signal, unsigned int turns,
		  exo_slot_fn fn, void *arg);

/*
 * User-level threads that run only inside the environment's turns, under a
 * stride scheduler (Waldspurger and Weihl, 1995): each thread has tickets,
 * and the runnable thread that has advanced least (pass) gets the next
 * quantum (one slot long), so over many quanta each gets a share of the
 * CPU proportional to its tickets. Threads are switched in user space
 * (ucontext); they are cooperative: a thread calls exo_uthread_check() in
 * its loops, which switches back to the scheduler when its quantum or the
 * turn is over, so that the turn is given back on time.
 */

/* Most threads of one package. */
#define EXO_UTHREADS_MAX	64

/** struct exo_uthreads - a package of user-level threads on one CPU */
struct exo_uthreads;

/**
 * exo_uthreads_create() - a package for @cpu, with no thread yet
 * @exo: handle; the environment books the slots the threads run in
 * @cpu: a managed CPU
 *
 * Return: the package, or NULL with errno set.
 */
struct exo_uthreads *exo_uthreads_create(struct exo *exo, __u32 cpu);

/**
 * exo_uthreads_destroy() - free a package that is not running
 * @u: package, or NULL
 */
void exo_uthreads_destroy(struct exo_uthreads *u);

/**
 * exo_uthread_spawn() - add a thread
 * @u: package
 * @fn: the thread's body; the thread ends when it returns
 * @arg: passed to @fn
 * @tickets: its share, >= 1
 *
 * Return: the thread's id (0, 1, ...), or -errno (ENOSPC: EXO_UTHREADS_MAX).
 */
int exo_uthread_spawn(struct exo_uthreads *u, void (*fn)(void *arg), void *arg,
		      unsigned int tickets);

/**
 * exo_uthreads_run() - bind the calling thread and run the package
 * @u: package
 * @turns: turns to run, >= 1
 *
 * Return: 0 or -errno.
 */
int exo_uthreads_run(struct exo_uthreads *u, unsigned int turns);

/**
 * exo_uthread_check() - from a user-level thread: give the CPU back if its
 * quantum is over (a no-op anywhere else)
 */
void exo_uthread_check(void);

/**
 * exo_uthread_quanta() - quanta thread @id has been given so far
 * @u: package
 * @id: a thread id from exo_uthread_spawn()
 *
 * Return: the count, or 0 for a bad id.
 */
unsigned long long exo_uthread_quanta(struct exo_uthreads *u, int id);

/* ==== 4. Network ========================================================= */

/*
 * Network binding (EXO_FEATURE_NET): packet filters on a device, receive
 * rings, checked transmission; then a small libOS UDP/IP.
 */

/**
 * exo_net_info() - EXO_IOC_NET_INFO: the binding's limits
 * @exo: handle
 * @info: filled by the kernel (argsz is set here)
 *
 * Return: 0 or -errno.
 */
int exo_net_info(struct exo *exo, struct exo_net_info *info);

/**
 * exo_net_bind() - EXO_IOC_NET_BIND: bind a filter and create its ring
 * @exo: handle
 * @bind: filled by the caller (argsz is set here); binding_id, ring_offset
 *	and ring_len come back
 *
 * Return: 0 or -errno (EEXIST: overlaps another environment's filter, on
 * any device; EADDRINUSE: may take host traffic without EXO_NET_BIND_HOST;
 * EPERM: no CAP_NET_ADMIN and the device is not in netdevs; EBUSY: the
 * device is a bridge, bond or macvlan port: bind on the upper device).
 */
int exo_net_bind(struct exo *exo, struct exo_net_bind *bind);

/**
 * exo_net_atom() - one filter atom, its reserved bytes zero
 * @offset: byte offset in the frame, from its Ethernet header
 * @width: 1, 2, 4 or 8 bytes, read big-endian
 * @mask: the bits compared
 * @value: what they must be (inside @mask)
 *
 * Return: the atom, for struct exo_net_bind's @atoms.
 */
struct exo_net_atom exo_net_atom(__u16 offset, __u8 width, __u64 mask,
				 __u64 value);

/**
 * exo_net_unbind() - EXO_IOC_NET_UNBIND: remove a binding of this environment
 * @exo: handle
 * @binding_id: as exo_net_bind() returned it
 *
 * Return: 0 or -errno (ENOENT, EPERM).
 */
int exo_net_unbind(struct exo *exo, __u32 binding_id);

/**
 * exo_net_tx() - EXO_IOC_NET_TX: send one Ethernet frame
 * @exo: handle
 * @binding_id: a binding of this environment: the device
 * @frame: the whole frame
 * @len: its length
 *
 * Return: 0 or -errno (EPERM: no filter of this environment would receive
 * the frame with source and destination swapped, or its source MAC or an
 * address the filter does not pin is not the device's; see EXO_IOC_NET_TX).
 */
int exo_net_tx(struct exo *exo, __u32 binding_id, const void *frame, __u32 len);

/**
 * exo_net_stats() - EXO_IOC_NET_STATS: one binding's counters
 * @exo: handle
 * @binding_id: a binding of this environment
 * @stats: filled by the kernel
 *
 * Return: 0 or -errno.
 */
int exo_net_stats(struct exo *exo, __u32 binding_id, struct exo_net_stats *stats);

/**
 * exo_net_ash_set() - EXO_IOC_NET_ASH_SET: attach an in-kernel handler
 * @exo: handle
 * @binding_id: a binding of this environment
 * @prog: the handler (struct exo_ash_insn, see uapi/linux/exo.h), or NULL
 * @len: its instructions, 1..EXO_ASH_MAX_INSNS; 0 removes the handler
 * @bad_pc: if not NULL, on EINVAL the first instruction the verifier
 *	refused (@len for the whole program)
 *
 * Return: 0 or -errno (EINVAL, ENOENT, EPERM: another environment's).
 */
int exo_net_ash_set(struct exo *exo, __u32 binding_id,
		    const struct exo_ash_insn *prog, __u32 len, __u32 *bad_pc);

/**
 * exo_ash_insn() - one handler instruction, its unused fields zero
 * @code: EXO_ASH_* opcode
 * @reg: register
 * @len: COPY and SWAP byte count
 * @off: frame or reply offset, or a jump's skip
 * @off2: COPY's reply offset, SWAP's second offset
 * @imm: constant, RET's verdict
 *
 * Return: the instruction.
 */
struct exo_ash_insn exo_ash_insn(__u8 code, __u8 reg, __u16 len, __u16 off,
				 __u16 off2, __u32 imm);

/* Instructions exo_ash_udp_echo() writes. */
#define EXO_ASH_UDP_ECHO_LEN	19

/**
 * exo_ash_udp_echo() - a ready handler answering UDP over IPv4 in the kernel
 * @prog: room for EXO_ASH_UDP_ECHO_LEN instructions
 * @room: instructions @prog has room for
 *
 * The handler answers a plain (IHL 5, unfragmented) UDP/IPv4 frame with
 * the same frame, Ethernet and IP addresses and UDP ports swapped, TTL 64,
 * the UDP checksum 0 (none) and the IPv4 header checksum recomputed; it
 * delivers anything else to the ring.
 *
 * Return: the number of instructions, or -errno (EINVAL, ENOSPC).
 */
int exo_ash_udp_echo(struct exo_ash_insn *prog, __u32 room);

/* Instructions exo_ash_icmp_echo() writes. */
#define EXO_ASH_ICMP_ECHO_LEN	21

/**
 * exo_ash_icmp_echo() - a ready handler answering ping in the kernel
 * @prog: room for EXO_ASH_ICMP_ECHO_LEN instructions
 * @room: instructions @prog has room for
 *
 * The handler answers a plain (IHL 5, unfragmented) ICMP echo request
 * over IPv4 with an echo reply: the same frame, Ethernet and IP addresses
 * swapped, type 0, TTL 64, both checksums recomputed (the ICMP one over
 * the rest of the frame, so a frame with link-layer padding after its IP
 * datagram gets a wrong one); it delivers anything else to the ring.
 *
 * Return: the number of instructions, or -errno (EINVAL, ENOSPC).
 */
int exo_ash_icmp_echo(struct exo_ash_insn *prog, __u32 room);

struct exo_ring;

/**
 * exo_ring_create() - bind a filter and map its receive ring
 * @exo: handle
 * @flags: EXO_NET_BIND_* flags
 * @ifindex: the device
 * @atoms: the filter
 * @natoms: atoms in @atoms
 * @slots: ring slots, a power of two
 * @slot_size: bytes per slot, a power of two
 *
 * Return: the ring, or NULL with errno set as exo_net_bind() or mmap(2) did.
 */
struct exo_ring *exo_ring_create(struct exo *exo, __u32 flags, __u32 ifindex,
				 const struct exo_net_atom *atoms, __u32 natoms,
				 __u32 slots, __u32 slot_size);

/**
 * exo_ring_attach() - map another environment's receive ring through a cap
 * @exo: handle of the grantee
 * @binding_id: the owner's binding, which it granted with EXO_CAP_NET
 * @writable: map it read-write and consume frames through the ring's
 *	@consumer, as the owner does (the cap needs EXO_CAP_WRITE); false: a
 *	read-only tap with a cursor of its own, starting at the owner's
 *	@consumer
 *
 * A tap sees only what the owner has not consumed yet: a slot the owner
 * gave back may be overwritten before the tap reads it. exo_ring_wait()
 * wakes for attached rings too. exo_ring_destroy() of an attached ring
 * unmaps it and leaves the binding to its owner; exo_ring_send() of it is
 * EPERM. After the owner revokes the cap the mapping is gone: touching the
 * ring is SIGBUS, and EXO_EVENT_NET_UNGRANTED is queued.
 *
 * Return: the ring, or NULL with errno set: EPERM (no cap), EACCES
 * (@writable without EXO_CAP_WRITE), EBADMSG (the header makes no sense),
 * and mmap(2)'s errors.
 */
struct exo_ring *exo_ring_attach(struct exo *exo, __u32 binding_id,
				 bool writable);

/**
 * exo_ring_destroy() - unbind the filter and unmap its ring
 * @ring: ring, or NULL
 */
void exo_ring_destroy(struct exo_ring *ring);

/**
 * exo_ring_id() - the binding id of a ring
 * @ring: ring
 *
 * Return: the id, or 0 for NULL.
 */
__u32 exo_ring_id(const struct exo_ring *ring);

/**
 * exo_ring_header() - the shared header of a ring (producer, consumer, drops)
 * @ring: ring
 *
 * Return: the mapped header, or NULL for NULL.
 */
const struct exo_net_ring *exo_ring_header(const struct exo_ring *ring);

/**
 * exo_ring_peek() - the oldest frame waiting in a ring, if any
 * @ring: ring
 * @slot: set to its slot header (len, caplen, time)
 * @frame: set to its first caplen bytes
 *
 * The frame stays valid until exo_ring_release().
 *
 * Return: 1 if a frame is there, 0 if the ring is empty, -errno.
 */
int exo_ring_peek(struct exo_ring *ring, const struct exo_net_slot **slot,
		  const void **frame);

/**
 * exo_ring_release() - give the oldest frame's slot back to the kernel
 * @ring: ring
 */
void exo_ring_release(struct exo_ring *ring);

/**
 * exo_ring_send() - send a frame on a ring's device (exo_net_tx())
 * @ring: ring
 * @frame: the whole Ethernet frame
 * @len: its length
 *
 * Return: 0 or -errno.
 */
int exo_ring_send(struct exo_ring *ring, const void *frame, __u32 len);

/**
 * exo_ring_wait() - wait until one of the environment's rings holds frames
 * @exo: handle
 * @timeout_ms: -1 forever, 0 no wait
 *
 * Return: 1 if a ring holds frames, 0 on timeout, -errno.
 */
int exo_ring_wait(struct exo *exo, int timeout_ms);

/*
 * The submission ring (uapi section 8): many ioctls for one crossing, in
 * the shape of liburing. Not the packet rings above: those are struct
 * exo_ring, this is struct exo_uring.
 *
 *	struct exo_uring *r = exo_ring_init(exo, 32);
 *	struct exo_ring_sqe *sqe = exo_ring_get_sqe(r);
 *	exo_ring_prep_mem_alloc(sqe, &alloc, 1);
 *	exo_ring_submit(r);
 *	exo_ring_wait_cqe(r, &cqe);   cqe->user_data == 1, cqe->result 0
 *	exo_ring_cqe_seen(r, cqe);
 *
 * Every SQE has completed when exo_ring_submit() returns.
 */
struct exo_uring;

/**
 * exo_ring_init() - set up the environment's submission ring and map it
 * @exo: handle
 * @entries: SQ entries, a power of two, 1..EXO_RING_MAX_ENTRIES; the CQ
 *	gets twice as many
 *
 * One ring per environment, for its life: a second call fails (EEXIST).
 *
 * Return: the ring, or NULL with errno set (EINVAL, EEXIST, ENOMEM).
 */
struct exo_uring *exo_ring_init(struct exo *exo, __u32 entries);

/**
 * exo_ring_exit() - unmap the ring (the environment keeps it until close)
 * @ring: ring, or NULL
 */
void exo_ring_exit(struct exo_uring *ring);

/**
 * exo_ring_hdr() - the ring's shared header (indexes, overflow count)
 * @ring: ring
 *
 * Return: the header, or NULL for a NULL @ring.
 */
struct exo_ring_hdr *exo_ring_hdr(struct exo_uring *ring);

/**
 * exo_ring_get_sqe() - the next free SQE, zeroed
 * @ring: ring
 *
 * Return: the SQE, or NULL with errno EBUSY when the SQ is full.
 */
struct exo_ring_sqe *exo_ring_get_sqe(struct exo_uring *ring);

/**
 * exo_ring_prep_ioctl() - make @sqe run ioctl @cmd on @arg
 * @sqe: from exo_ring_get_sqe()
 * @cmd: EXO_IOC_*, one of the ring's allow-list
 * @arg: its argument struct, which must live until the CQE is reaped
 * @user_data: copied to the CQE
 */
void exo_ring_prep_ioctl(struct exo_ring_sqe *sqe, __u32 cmd, void *arg,
			 __u64 user_data);

/**
 * exo_ring_prep_nop() - make @sqe a no-op (EXO_IOC_NOP)
 * @sqe: from exo_ring_get_sqe()
 * @user_data: copied to the CQE
 */
void exo_ring_prep_nop(struct exo_ring_sqe *sqe, __u64 user_data);

/**
 * exo_ring_prep_mem_alloc() - make @sqe an EXO_IOC_MEM_ALLOC
 * @sqe: from exo_ring_get_sqe()
 * @arg: filled in as for the ioctl (argsz set)
 * @user_data: copied to the CQE
 */
void exo_ring_prep_mem_alloc(struct exo_ring_sqe *sqe,
			     struct exo_mem_alloc *arg, __u64 user_data);

/**
 * exo_ring_prep_mem_free() - make @sqe an EXO_IOC_MEM_FREE
 * @sqe: from exo_ring_get_sqe()
 * @arg: filled in as for the ioctl
 * @user_data: copied to the CQE
 */
void exo_ring_prep_mem_free(struct exo_ring_sqe *sqe,
			    struct exo_mem_batch *arg, __u64 user_data);

/**
 * exo_ring_prep_mem_map() - make @sqe an EXO_IOC_MEM_MAP
 * @sqe: from exo_ring_get_sqe()
 * @arg: filled in as for the ioctl
 * @user_data: copied to the CQE
 */
void exo_ring_prep_mem_map(struct exo_ring_sqe *sqe,
			   struct exo_mem_batch *arg, __u64 user_data);

/**
 * exo_ring_prep_mem_unmap() - make @sqe an EXO_IOC_MEM_UNMAP
 * @sqe: from exo_ring_get_sqe()
 * @arg: filled in as for the ioctl
 * @user_data: copied to the CQE
 */
void exo_ring_prep_mem_unmap(struct exo_ring_sqe *sqe,
			     struct exo_mem_unmap *arg, __u64 user_data);

/**
 * exo_ring_submit() - run every queued SQE, one EXO_IOC_RING_ENTER
 * @ring: ring
 *
 * Return: SQEs run, or -errno (EINVAL: the header was tampered with).
 */
int exo_ring_submit(struct exo_uring *ring);

/**
 * exo_ring_submit_and_wait() - exo_ring_submit(), needing @wait_nr CQEs
 * @ring: ring
 * @wait_nr: fail with EAGAIN, running nothing, unless this many CQEs
 *	would be ready afterwards
 *
 * Return: SQEs run, or -errno.
 */
int exo_ring_submit_and_wait(struct exo_uring *ring, __u32 wait_nr);

/**
 * exo_ring_peek_cqe() - the oldest unreaped CQE, if any
 * @ring: ring
 * @cqe: set to it
 *
 * Return: 0, or -EAGAIN when the CQ is empty.
 */
int exo_ring_peek_cqe(struct exo_uring *ring, struct exo_ring_cqe **cqe);

/**
 * exo_ring_wait_cqe() - the oldest CQE, submitting queued SQEs if need be
 * @ring: ring
 * @cqe: set to it
 *
 * Nothing is ever in flight, so this never sleeps.
 *
 * Return: 0, or -EAGAIN when the CQ is empty and nothing is queued.
 */
int exo_ring_wait_cqe(struct exo_uring *ring, struct exo_ring_cqe **cqe);

/**
 * exo_ring_cqe_seen() - give the oldest CQE back
 * @ring: ring
 * @cqe: the one exo_ring_peek_cqe() or exo_ring_wait_cqe() gave
 */
void exo_ring_cqe_seen(struct exo_uring *ring, struct exo_ring_cqe *cqe);

/**
 * exo_ring_overflow() - completions the kernel dropped, the CQ full
 * @ring: ring
 *
 * Return: the count, 0 for a NULL @ring.
 */
__u32 exo_ring_overflow(struct exo_uring *ring);

/**
 * struct exo_udpip_opts - how exo_udpip_create() sets up the stack
 * @sz: sizeof(struct exo_udpip_opts)
 * @ifindex: the device
 * @ip: the libOS's IPv4 address, network order; not one of the host's
 * @bind_flags: EXO_NET_BIND_* flags for its two filters
 * @mac: its Ethernet address; all zero: the device's. EXO_IOC_NET_TX sends
 *	only from the device's address, so with another one the stack can
 *	receive (on a promiscuous device) but not send.
 */
struct exo_udpip_opts {
	size_t sz;
	__u32 ifindex;
	__u32 ip;
	__u32 bind_flags;
	__u8 mac[6];
};

/**
 * struct exo_udp_meta - the addresses of a datagram
 * @peer_ip: the other end, network order
 * @local_ip: ours, network order
 * @peer_port: the other end's port, host order
 * @local_port: ours, host order
 */
struct exo_udp_meta {
	__u32 peer_ip;
	__u32 local_ip;
	__u16 peer_port;
	__u16 local_port;
};

/**
 * struct exo_udpip_stats - what a libOS UDP/IP stack has done
 * @arp_replies: ARP requests for our address answered
 * @echo_replies: ICMP echo requests answered
 * @udp_in: datagrams received
 * @udp_out: datagrams sent
 * @udp_dropped: datagrams that arrived while only ARP and ICMP were served
 * @bad: frames with bad headers or checksums
 * @other: IPv4 frames of other protocols
 */
struct exo_udpip_stats {
	__u64 arp_replies;
	__u64 echo_replies;
	__u64 udp_in;
	__u64 udp_out;
	__u64 udp_dropped;
	__u64 bad;
	__u64 other;
};

struct exo_udpip;

/**
 * exo_udpip_create() - a UDP/IP stack for one address on one device
 * @exo: handle
 * @opts: see struct exo_udpip_opts
 *
 * Binds two filters (ARP for @opts->ip, IPv4 to @opts->ip), each with a
 * ring.
 *
 * Return: the stack, or NULL with errno set.
 */
struct exo_udpip *exo_udpip_create(struct exo *exo,
				   const struct exo_udpip_opts *opts);

/**
 * exo_udpip_destroy() - unbind and free a stack
 * @u: stack, or NULL
 */
void exo_udpip_destroy(struct exo_udpip *u);

/**
 * exo_udpip_recv() - receive a UDP datagram, serving ARP and ICMP meanwhile
 * @u: stack
 * @buf: where the payload goes
 * @len: room in @buf; a longer payload is cut
 * @meta: filled with the datagram's addresses
 * @timeout_ms: -1 forever, 0 no wait
 *
 * Return: payload bytes stored, or -errno (ETIMEDOUT).
 */
int exo_udpip_recv(struct exo_udpip *u, void *buf, size_t len,
		   struct exo_udp_meta *meta, int timeout_ms);

/**
 * exo_udpip_send() - send a UDP datagram
 * @u: stack
 * @to: addresses; an exo_udpip_recv() @meta answers its sender
 * @buf: payload
 * @len: payload bytes, up to 1472
 *
 * Resolves the peer with ARP if it is not known yet.
 *
 * Return: 0 or -errno (EHOSTUNREACH: no ARP answer).
 */
int exo_udpip_send(struct exo_udpip *u, const struct exo_udp_meta *to,
		   const void *buf, size_t len);

/**
 * exo_udpip_poll() - serve ARP and ICMP only, for up to @timeout_ms
 * @u: stack
 * @timeout_ms: -1 forever, 0 no wait
 *
 * Return: 0 or -errno.
 */
int exo_udpip_poll(struct exo_udpip *u, int timeout_ms);

/**
 * exo_udpip_stats() - a stack's counters
 * @u: stack
 * @stats: filled
 *
 * Return: 0 or -errno.
 */
int exo_udpip_stats(const struct exo_udpip *u, struct exo_udpip_stats *stats);

/* ==== 5. Disk (XN) ======================================================= */

/* ---- XN: the UDF builder (no system calls) ----------------------------- */

#define EXO_UDF_BUILDER_LABELS	64

/**
 * struct exo_udf_builder - a UDF under construction
 * @insns: the program so far
 * @len: instructions in @insns
 * @err: the first error (a positive errno), 0 while all is well
 * @nlabels: labels made by exo_udf_label()
 * @label_pc: where each label is bound, -1 until exo_udf_bind()
 * @nfix: jumps waiting for their label
 * @fix_pc: the jump instructions
 * @fix_label: their labels
 *
 * Start with exo_udf_init(), add instructions, end with exo_udf_finish().
 * Registers are plain numbers 0..EXO_UDF_NREGS-1. Jumps name labels, which
 * must be bound at or after the jump (UDF jumps go forward only).
 */
struct exo_udf_builder {
	struct exo_udf_insn insns[EXO_UDF_MAX_INSNS];
	__u32 len;
	int err;
	__u32 nlabels;
	int label_pc[EXO_UDF_BUILDER_LABELS];
	__u32 nfix;
	__u16 fix_pc[EXO_UDF_MAX_INSNS];
	__u16 fix_label[EXO_UDF_MAX_INSNS];
};

/**
 * exo_udf_init() - start an empty program
 * @b: builder
 */
void exo_udf_init(struct exo_udf_builder *b);

/**
 * exo_udf_insn() - append one raw instruction (for tests of the verifier)
 * @b: builder
 * @code: EXO_UDF_* opcode, or anything at all
 * @dst: dst field
 * @src: src field
 * @aux: aux field
 * @imm: imm field
 *
 * Return: the instruction's index, or -errno (E2BIG: program full).
 */
int exo_udf_insn(struct exo_udf_builder *b, __u8 code, __u8 dst, __u8 src,
		 __u8 aux, __s32 imm);

/**
 * exo_udf_ldi() - dst = imm (sign-extended)
 * @b: builder
 * @dst: register
 * @imm: value
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_ldi(struct exo_udf_builder *b, __u8 dst, __s32 imm);

/**
 * exo_udf_mov() - dst = src
 * @b: builder
 * @dst: register
 * @src: register
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_mov(struct exo_udf_builder *b, __u8 dst, __u8 src);

/**
 * exo_udf_alu() - dst op= operand
 * @b: builder
 * @code: EXO_UDF_ADD_K..SHR_K (@operand is a constant) or ADD_X..SHR_X
 *	(@operand is a register)
 * @dst: register
 * @operand: constant or register
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_alu(struct exo_udf_builder *b, __u8 code, __u8 dst,
		__s32 operand);

/**
 * exo_udf_load() - dst = the @size bytes at [index_reg +] offset
 * @b: builder
 * @size: 1, 2, 4 or 8
 * @dst: register
 * @index_reg: register added to @offset, or -1 for a constant offset
 * @offset: byte offset in the block
 *
 * Return: the instruction's index, or -errno (EINVAL: bad size).
 */
int exo_udf_load(struct exo_udf_builder *b, unsigned int size, __u8 dst,
		 int index_reg, __s32 offset);

/**
 * exo_udf_input() - dst = an input (EXO_UDF_IN_SELF, _UID, _GID, ...)
 * @b: builder
 * @dst: register
 * @input: EXO_UDF_IN_*
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_input(struct exo_udf_builder *b, __u8 dst, __s32 input);

/**
 * exo_udf_label() - make a label for forward jumps
 * @b: builder
 *
 * Return: the label, or -errno (ENOSPC: EXO_UDF_BUILDER_LABELS used).
 */
int exo_udf_label(struct exo_udf_builder *b);

/**
 * exo_udf_bind() - put @label at the next instruction
 * @b: builder
 * @label: from exo_udf_label(), not yet bound
 *
 * Return: 0 or -errno.
 */
int exo_udf_bind(struct exo_udf_builder *b, int label);

/**
 * exo_udf_jmp() - jump to @label
 * @b: builder
 * @label: label
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_jmp(struct exo_udf_builder *b, int label);

/**
 * exo_udf_jmp_if() - jump to @label if reg compares true with @operand
 * @b: builder
 * @code: EXO_UDF_JEQ_K..JSET_K (@operand a constant) or JEQ_X..JSET_X
 *	(@operand a register)
 * @reg: register compared
 * @operand: constant or register
 * @label: at most 255 instructions ahead
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_jmp_if(struct exo_udf_builder *b, __u8 code, __u8 reg,
		   __s32 operand, int label);

/**
 * exo_udf_loop() - open the loop: counter = 0, 1, ... up to exo_udf_endloop()
 * @b: builder
 * @counter: register counting the passes
 * @bound_reg: register with the number of passes, or -1 for exactly @max
 * @max: 1..EXO_UDF_LOOP_MAX, the static bound
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_loop(struct exo_udf_builder *b, __u8 counter, int bound_reg,
		 __s32 max);

/**
 * exo_udf_endloop() - close the loop
 * @b: builder
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_endloop(struct exo_udf_builder *b);

/**
 * exo_udf_emit() - owns: claim blocks start..start+count-1 with a type
 * @b: builder
 * @start: register
 * @count: register
 * @type: register holding the type id
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_emit(struct exo_udf_builder *b, __u8 start, __u8 count,
		 __u8 type);

/**
 * exo_udf_ret() - return a constant (acl: non-zero allows)
 * @b: builder
 * @value: returned
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_ret(struct exo_udf_builder *b, __s32 value);

/**
 * exo_udf_ret_reg() - return a register
 * @b: builder
 * @reg: register
 *
 * Return: the instruction's index, or -errno.
 */
int exo_udf_ret_reg(struct exo_udf_builder *b, __u8 reg);

/**
 * exo_udf_finish() - resolve the jumps
 * @b: builder
 *
 * The program is @b->insns; the kernel's verifier still judges it.
 *
 * Return: its length, or -errno: the first error of any call, EINVAL for
 * an unbound label, ERANGE for a conditional jump over more than 255.
 */
int exo_udf_finish(struct exo_udf_builder *b);

/* ---- XN: raw wrappers -------------------------------------------------- */

/**
 * exo_xn_info() - EXO_IOC_XN_INFO
 * @exo: handle
 * @info: out; @info->hint in: where to look for a free block
 *
 * Return: 0 or -errno.
 */
int exo_xn_info(struct exo *exo, struct exo_xn_info *info);

/**
 * exo_xn_type_install() - EXO_IOC_XN_TYPE_INSTALL
 * @exo: handle
 * @name: unique name
 * @owns: owns UDF
 * @owns_len: its instructions
 * @acl: acl UDF
 * @acl_len: its instructions
 * @type_id: out: the new type's number
 *
 * Return: 0 or -errno (EINVAL: a UDF the verifier refuses; EEXIST).
 */
int exo_xn_type_install(struct exo *exo, const char *name,
			const struct exo_udf_insn *owns, __u32 owns_len,
			const struct exo_udf_insn *acl, __u32 acl_len,
			__u32 *type_id);

/**
 * exo_xn_type_lookup() - EXO_IOC_XN_TYPE_LOOKUP
 * @exo: handle
 * @name: the type's name
 * @type: out, the whole answer; NULL if only @type_id is wanted
 * @type_id: out: its number
 *
 * Return: 0 or -errno (ENOENT).
 */
int exo_xn_type_lookup(struct exo *exo, const char *name,
		       struct exo_xn_type *type, __u32 *type_id);

/**
 * exo_xn_root_install() - EXO_IOC_XN_ROOT_INSTALL
 * @exo: handle
 * @name: unique name
 * @type_id: the root block's type
 * @block: in: a free block, or 0 for any; out: the root block
 *
 * Return: 0 or -errno (EEXIST, EBUSY).
 */
int exo_xn_root_install(struct exo *exo, const char *name, __u32 type_id,
			__u64 *block);

/**
 * exo_xn_root_lookup() - EXO_IOC_XN_ROOT_LOOKUP
 * @exo: handle
 * @name: the root's name
 * @type_id: out
 * @block: out
 *
 * Return: 0 or -errno (ENOENT).
 */
int exo_xn_root_lookup(struct exo *exo, const char *name, __u32 *type_id,
		       __u64 *block);

/**
 * exo_xn_type_remove() - EXO_IOC_XN_TYPE_REMOVE: empty a type's entry
 * @exo: handle
 * @name: the type's name, or NULL to name it by @type_id alone
 * @type_id: 0 (with @name), or the type's number
 *
 * Only the uid that installed the type, or CAP_SYS_ADMIN, may remove it,
 * and only once no root and no block has it.
 *
 * Return: 0 or -errno (ENOENT; EPERM: another uid's; EBUSY: in use;
 * EINVAL: neither a name nor a number, or EXO_XN_TYPE_DATA).
 */
int exo_xn_type_remove(struct exo *exo, const char *name, __u32 type_id);

/**
 * exo_xn_root_remove() - EXO_IOC_XN_ROOT_REMOVE: empty a root's entry
 * @exo: handle
 * @name: the root's name
 * @type_id: 0, or the type the root must have
 * @block: 0, or the block the root must be
 *
 * Only the uid that installed the root, or CAP_SYS_ADMIN, may remove it,
 * and only while it owns nothing and no environment holds it (release it
 * first). Its block becomes free.
 *
 * Return: 0 or -errno (ENOENT; EPERM: another uid's; EBUSY: not empty or
 * held).
 */
int exo_xn_root_remove(struct exo *exo, const char *name, __u32 type_id,
		       __u64 block);

/**
 * exo_xn_read() - EXO_IOC_XN_READ: bring a block into the registry
 * @exo: handle
 * @block: block
 * @parent: its parent in the registry, or EXO_XN_NO_PARENT for a root
 * @type_id: the type the parent claims it with
 * @writable: out if not NULL: 1 if the acl allows writing it
 *
 * Return: 0 or -errno (ENOENT, EPERM, EACCES).
 */
int exo_xn_read(struct exo *exo, __u64 block, __u64 parent, __u32 type_id,
		int *writable);

/**
 * exo_xn_release() - EXO_IOC_XN_RELEASE: drop a block from the registry
 * @exo: handle
 * @block: block
 *
 * Return: 0 or -errno.
 */
int exo_xn_release(struct exo *exo, __u64 block);

/**
 * exo_xn_alloc() - EXO_IOC_XN_ALLOC: allocate @block under @parent
 * @exo: handle
 * @parent: metadata block in the registry
 * @block: a free block
 * @type_id: its type
 * @mods: modifications making @parent point to @block
 * @nmods: 1..EXO_XN_MODS_MAX
 *
 * Return: 0 or -errno (EPERM: the owns check failed, nothing changed).
 */
int exo_xn_alloc(struct exo *exo, __u64 parent, __u64 block, __u32 type_id,
		 const struct exo_xn_mod *mods, __u32 nmods);

/**
 * exo_xn_free() - EXO_IOC_XN_FREE: free @block under @parent
 * @exo: handle
 * @parent: metadata block in the registry
 * @block: a block @parent claims
 * @type_id: its type
 * @mods: modifications making @parent forget @block
 * @nmods: 1..EXO_XN_MODS_MAX
 *
 * Return: 0 or -errno.
 */
int exo_xn_free(struct exo *exo, __u64 parent, __u64 block, __u32 type_id,
		const struct exo_xn_mod *mods, __u32 nmods);

/**
 * exo_xn_write_meta() - EXO_IOC_XN_WRITE_META
 * @exo: handle
 * @block: metadata block in the registry
 * @mods: modifications that leave its owns set alone
 * @nmods: 1..EXO_XN_MODS_MAX
 *
 * Return: 0 or -errno.
 */
int exo_xn_write_meta(struct exo *exo, __u64 block,
		      const struct exo_xn_mod *mods, __u32 nmods);

/**
 * exo_xn_write() - EXO_IOC_XN_WRITE: write bytes of a data block
 * @exo: handle
 * @block: data block in the registry
 * @offset: first byte
 * @data: bytes
 * @len: 1..EXO_XN_BLOCK_SIZE - @offset
 *
 * Return: 0 or -errno.
 */
int exo_xn_write(struct exo *exo, __u64 block, __u32 offset,
		 const void *data, __u32 len);

/**
 * exo_xn_sync() - EXO_IOC_XN_SYNC: write the dirty cache, in order
 * @exo: handle
 * @written: out if not NULL: blocks written
 *
 * Return: 0 or -errno.
 */
int exo_xn_sync(struct exo *exo, __u64 *written);

/**
 * exo_xn_check() - EXO_IOC_XN_CHECK: fsck every root (CAP_SYS_ADMIN)
 * @exo: handle
 * @report: out
 *
 * Return: 0 or -errno.
 */
int exo_xn_check(struct exo *exo, struct exo_xn_sync *report);

/**
 * exo_xn_map() - mmap a cached block of the registry
 * @exo: handle
 * @block: block in the registry
 * @writable: non-zero for a read-write mapping (data blocks the acl lets
 *	the caller write)
 *
 * Return: the mapping (EXO_XN_BLOCK_SIZE bytes), or NULL with errno set.
 */
void *exo_xn_map(struct exo *exo, __u64 block, int writable);

/**
 * exo_xn_unmap() - undo exo_xn_map()
 * @addr: what exo_xn_map() returned
 *
 * Return: 0 or -errno.
 */
int exo_xn_unmap(void *addr);

/* ---- exofs: a small libFS on XN (libexo/exofs.c) ----------------------- */

#define EXO_FS_NAME_MAX		40

/** struct exo_fs - a mounted exofs */
struct exo_fs;

/**
 * struct exo_fs_dirent - one entry of a directory
 * @name: NUL-terminated
 * @mode: permission bits (the "other" bits are enforced by the acl UDF)
 * @uid: owner
 * @is_dir: 1 for a directory, 0 for a file
 * @block: the inode's (or directory's) block
 */
struct exo_fs_dirent {
	char name[EXO_FS_NAME_MAX];
	__u32 mode;
	__u32 uid;
	__u32 is_dir;
	__u32 pad;
	__u64 block;
};

/**
 * exo_fs_mkfs() - install exofs's types and a root named @name, and mount it
 * @exo: handle
 * @name: root name, at most 20 bytes (types are "<name> dir", ...)
 *
 * Return: the file system, or NULL with errno set (EEXIST: already made).
 */
struct exo_fs *exo_fs_mkfs(struct exo *exo, const char *name);

/**
 * exo_fs_mount() - find an exofs by its root name and read its root
 * @exo: handle
 * @name: root name
 *
 * Return: the file system, or NULL with errno set.
 */
struct exo_fs *exo_fs_mount(struct exo *exo, const char *name);

/**
 * exo_fs_unmount() - forget a mounted exofs (exo_fs_sync() first to keep
 * what was written)
 * @fs: file system, or NULL
 */
void exo_fs_unmount(struct exo_fs *fs);

/**
 * exo_fs_create() - create an empty file
 * @fs: file system
 * @name: path, "a/b/file"; each component 1..EXO_FS_NAME_MAX-1 bytes
 * @mode: permission bits
 *
 * Return: 0 or -errno (EEXIST, ENOSPC, ENOENT, ENOTDIR).
 */
int exo_fs_create(struct exo_fs *fs, const char *name, __u32 mode);

/**
 * exo_fs_mkdir() - create an empty directory
 * @fs: file system
 * @name: path, as for exo_fs_create()
 * @mode: permission bits
 *
 * Return: 0 or -errno (EEXIST, ENOSPC, ENOENT, ENOTDIR).
 */
int exo_fs_mkdir(struct exo_fs *fs, const char *name, __u32 mode);

/**
 * exo_fs_write() - write to a file, allocating its blocks through XN
 * @fs: file system
 * @name: file
 * @off: byte offset
 * @buf: bytes
 * @len: byte count
 *
 * Files hold 12 direct blocks and 1,022 more through one indirect block.
 *
 * Return: bytes written, or -errno (EFBIG past the largest file).
 */
ssize_t exo_fs_write(struct exo_fs *fs, const char *name, __u64 off,
		     const void *buf, size_t len);

/**
 * exo_fs_read() - read from a file through XN's checks
 * @fs: file system
 * @name: file
 * @off: byte offset
 * @buf: room for @len bytes
 * @len: byte count
 *
 * Return: bytes read (0 at the end), or -errno (EACCES: the acl says no).
 */
ssize_t exo_fs_read(struct exo_fs *fs, const char *name, __u64 off,
		    void *buf, size_t len);

/**
 * exo_fs_readdir() - list a directory
 * @fs: file system
 * @dir: its path, or NULL or "" for the root
 * @out: room for @max entries
 * @max: entries
 *
 * Return: entries filled, or -errno.
 */
int exo_fs_readdir(struct exo_fs *fs, const char *dir,
		   struct exo_fs_dirent *out, int max);

/**
 * exo_fs_unlink() - free a file's blocks and its inode, or an empty directory
 * @fs: file system
 * @name: path
 *
 * Needs w and x on the directory and w on a file (its blocks are freed
 * first). In a sticky directory (S_ISVTX) only the entry's uid, the
 * directory's owner or uid 0 may; the acl UDFs enforce it, and this call
 * refuses the others before it frees anything.
 *
 * Return: 0 or -errno (ENOTEMPTY; EPERM: another's entry in a sticky
 * directory; EACCES: not allowed by the acl UDFs).
 */
int exo_fs_unlink(struct exo_fs *fs, const char *name);

/**
 * exo_fs_chmod() - change the permission bits of a file or directory
 * @fs: file system
 * @name: path
 * @mode: permission bits (07777: S_ISVTX makes a directory sticky)
 *
 * Only the owner (or uid 0) may, whoever else may write the block; the
 * acl UDFs of the block decide, by the bytes changed. The mode copy in
 * the directory entry (what exo_fs_readdir() shows) is updated only if
 * the caller may also write the directory.
 *
 * Return: 0 or -errno (EINVAL: bits outside 07777; EACCES: not allowed).
 */
int exo_fs_chmod(struct exo_fs *fs, const char *name, __u32 mode);

/**
 * exo_fs_chown() - give a file or directory to another uid
 * @fs: file system
 * @name: path
 * @uid: the new owner
 *
 * Only uid 0 may: exofs's acl UDFs give the uid word of a block to root
 * alone, so a raw XN call cannot do it either.
 *
 * Return: 0 or -errno (EPERM: the caller is not uid 0; EACCES: not
 * allowed by the acl UDFs).
 */
int exo_fs_chown(struct exo_fs *fs, const char *name, __u32 uid);

/**
 * exo_fs_sync() - write everything back, in XN's safe order
 * @fs: file system
 *
 * Return: 0 or -errno.
 */
int exo_fs_sync(struct exo_fs *fs);

#ifdef __cplusplus
}
#endif

#endif /* EXO_EXO_H */
