// SPDX-License-Identifier: LGPL-2.1 OR MIT
/* libexo's first layer: one wrapper per exo.ko ioctl, plus events. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int exo_print_stderr(enum exo_print_level level, const char *fmt,
			    va_list args)
{
	if (level > EXO_WARN)
		return 0;
	fputs("libexo: ", stderr);
	return vfprintf(stderr, fmt, args);
}

static exo_print_fn_t exo_print = exo_print_stderr;

LIBEXO_EXPORT exo_print_fn_t exo_set_print(exo_print_fn_t fn)
{
	exo_print_fn_t old = exo_print;

	exo_print = fn;
	return old;
}

void exo_pr(enum exo_print_level level, const char *fmt, ...)
{
	exo_print_fn_t print = exo_print;
	int saved_errno = errno;
	va_list args;

	if (!print)
		return;
	va_start(args, fmt);
	print(level, fmt, args);
	va_end(args);
	errno = saved_errno;
}

int exo_opts_valid(const void *opts, size_t known_size, size_t user_size)
{
	const unsigned char *bytes = opts;
	size_t i;

	if (user_size < sizeof(size_t))
		return 0;
	for (i = known_size; i < user_size; i++)
		if (bytes[i])
			return 0;
	return 1;
}

static long long exo_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

long long exo_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : exo_now_ms() + timeout_ms;
}

int exo_ms_left(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - exo_now_ms();
	return left > 0 ? (int)left : 0;
}

static int exo_handshake(struct exo *exo)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = LIBEXO_API_VERSION,
	};

	if (ioctl(exo->fd, EXO_IOC_API, &api) < 0) {
		int err = errno;

		if (err == EPROTONOSUPPORT)
			exo_pr(EXO_WARN,
			       "exo.ko speaks API version %u but this libexo speaks version %u; rebuild one to match the other\n",
			       api.api_version, LIBEXO_API_VERSION);
		else
			exo_pr(EXO_WARN, "handshake with exo.ko failed: %s\n",
			       strerror(err));
		return exo_err(err);
	}
	exo->api = api;
	return 0;
}

LIBEXO_EXPORT struct exo *exo_open(const struct exo_open_opts *user_opts)
{
	struct exo_open_opts opts = { .sz = sizeof(opts) };
	const char *path = "/dev/exo";
	int flags = O_RDWR | O_CLOEXEC;
	struct exo *exo;
	int err;

	if (user_opts) {
		/* Read no further than the caller's sz: older callers are shorter. */
		if (!exo_opts_valid(user_opts, sizeof(opts), user_opts->sz)) {
			errno = EINVAL;
			return NULL;
		}
		memcpy(&opts, user_opts,
		       user_opts->sz < sizeof(opts) ? user_opts->sz : sizeof(opts));
		if (opts.path)
			path = opts.path;
		if (opts.nonblock)
			flags |= O_NONBLOCK;
	}

	exo = calloc(1, sizeof(*exo));
	if (!exo)
		return NULL;

	exo->fd = open(path, flags);
	if (exo->fd < 0) {
		err = errno;
		if (err == ENOENT)
			exo_pr(EXO_WARN,
			       "%s does not exist: exo.ko is not loaded; run `make load` or `sudo insmod module/exo.ko`\n",
			       path);
		else if (err == EACCES)
			exo_pr(EXO_WARN,
			       "%s: permission denied; it is root-only unless exo.ko was loaded with dev_mode and dev_group\n",
			       path);
		else
			exo_pr(EXO_WARN, "cannot open %s: %s\n", path,
			       strerror(err));
		goto err_free;
	}

	err = -exo_handshake(exo);
	if (err)
		goto err_close;
	return exo;

err_close:
	close(exo->fd);
err_free:
	free(exo);
	errno = err;
	return NULL;
}

LIBEXO_EXPORT void exo_close(struct exo *exo)
{
	if (!exo)
		return;
	close(exo->fd);
	free(exo);
}

LIBEXO_EXPORT int exo_api(struct exo *exo, struct exo_api *api)
{
	int ret;

	if (!exo || !api)
		return exo_err(EINVAL);
	ret = exo_handshake(exo);
	if (ret)
		return ret;
	*api = exo->api;
	return 0;
}

LIBEXO_EXPORT int exo_env_info(struct exo *exo, struct exo_env_info *info)
{
	if (!exo || !info)
		return exo_err(EINVAL);
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	if (ioctl(exo->fd, EXO_IOC_ENV_INFO, info) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_event_fd(const struct exo *exo)
{
	if (!exo)
		return exo_err(EINVAL);
	return exo->fd;
}

LIBEXO_EXPORT int exo_event_read(struct exo *exo, struct exo_event *events,
				 size_t max, int timeout_ms)
{
	long long deadline = exo_deadline(timeout_ms);
	struct pollfd pfd;
	ssize_t got;
	int ready;

	if (!exo || !events || !max)
		return exo_err(EINVAL);

	pfd.fd = exo->fd;
	pfd.events = POLLIN;
	for (;;) {
		ready = poll(&pfd, 1, exo_ms_left(deadline));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return exo_err(errno);
		if (!ready)
			return 0;
		if (pfd.revents & (POLLERR | POLLNVAL))
			return exo_err(EPERM);

		got = read(exo->fd, events, max * sizeof(*events));
		if (got > 0)
			return (int)(got / sizeof(*events));
		/* Another thread took them first: wait out the rest. */
		if (got < 0 && errno != EAGAIN && errno != EINTR)
			return exo_err(errno);
	}
}

LIBEXO_EXPORT int exo_event_raise(struct exo *exo, __u64 cookie)
{
	struct exo_event_raise raise = {
		.argsz = sizeof(raise),
		.cookie = cookie,
	};

	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_EVENT_RAISE, &raise) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_cap_grant(struct exo *exo, __u32 kind, __u32 rights,
				__u64 first, __u64 count, __u64 grantee,
				__u64 *cap_id)
{
	struct exo_cap cap = {
		.argsz = sizeof(cap),
		.kind = kind,
		.rights = rights,
		.first = first,
		.count = count,
		.grantee = grantee,
	};

	if (!exo || !cap_id)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_CAP_GRANT, &cap) < 0)
		return exo_err(errno);
	*cap_id = cap.cap_id;
	return 0;
}

LIBEXO_EXPORT int exo_cap_revoke(struct exo *exo, __u32 kind, __u64 cap_id)
{
	struct exo_cap cap = {
		.argsz = sizeof(cap),
		.kind = kind,
		.cap_id = cap_id,
	};

	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_CAP_REVOKE, &cap) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT int exo_nop(struct exo *exo)
{
	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, EXO_IOC_NOP, 0) < 0)
		return exo_err(errno);
	return 0;
}

LIBEXO_EXPORT const char *exo_event_name(__u32 type)
{
	switch (type) {
	case EXO_EVENT_OVERFLOW:
		return "overflow";
	case EXO_EVENT_USER:
		return "user";
	case EXO_EVENT_MEM_REVOKE:
		return "mem-revoke";
	case EXO_EVENT_MEM_ABORT:
		return "mem-abort";
	case EXO_EVENT_MEM_UNGRANTED:
		return "mem-ungranted";
	case EXO_EVENT_CPU_EXCESS:
		return "cpu-excess";
	case EXO_EVENT_CPU_ABORT:
		return "cpu-abort";
	case EXO_EVENT_CPU_REVOKE:
		return "cpu-revoke";
	case EXO_EVENT_CPU_OFFLINE:
		return "cpu-offline";
	case EXO_EVENT_NET_DOWN:
		return "net-down";
	case EXO_EVENT_NET_UNGRANTED:
		return "net-ungranted";
	case EXO_EVENT_XN_UNGRANTED:
		return "xn-ungranted";
	default:
		return "unknown";
	}
}
