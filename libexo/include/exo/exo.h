/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libexo: build library operating systems on exo.ko.
 *
 * The first layer is one call per kernel operation. Conventions follow
 * libbpf: calls returning int give 0 (or a count) on success and -errno on
 * failure, and set errno as well; calls returning a pointer give NULL and
 * set errno. Options structs carry their own size in @sz so that they can
 * grow without breaking old callers. Diagnostics go through exo_set_print().
 */
#ifndef EXO_EXO_H
#define EXO_EXO_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/exo.h>

#ifdef __cplusplus
extern "C" {
#endif

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
 * Return: 1 with @event filled, 0 on timeout, or -errno.
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

#ifdef __cplusplus
}
#endif

#endif /* EXO_EXO_H */
