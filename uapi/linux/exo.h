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

#define EXO_IOC_MAGIC		0xE0

/* ioctl numbers; bit (1 << EXO_NR_*) of exo_api.ioctls says it is there. */
#define EXO_NR_API		0x00
#define EXO_NR_ENV_INFO		0x01
#define EXO_NR_NOP		0x02
#define EXO_NR_EVENT_RAISE	0x03

/**
 * struct exo_api - argument of EXO_IOC_API, the handshake
 * @argsz: sizeof(struct exo_api) as the caller knows it
 * @flags: must be 0
 * @api_version: in: the version the caller speaks (1..EXO_API_VERSION of
 *	the kernel); out: the version the kernel speaks, also on failure
 * @reserved: must be 0
 * @features: out: EXO_FEATURE_* bits this kernel provides
 * @ioctls: out: bit (1 << EXO_NR_x) set for every ioctl this kernel serves
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
 * Event codes. Zero is never a valid code. Each binding owns a range:
 * 0x001-0x0ff generic, 0x100 memory, 0x200 CPU, 0x300 network, 0x400 XN.
 */
#define EXO_EVENT_OVERFLOW	0x001	/* data[0]: records lost here */
#define EXO_EVENT_USER		0x002	/* data[0]: cookie of EVENT_RAISE */

#define EXO_EVENT_MEM_BASE	0x100
#define EXO_EVENT_CPU_BASE	0x200
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
