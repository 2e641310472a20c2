/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/* libexo internals: not installed, not exported. */
#ifndef LIBEXO_INTERNAL_H
#define LIBEXO_INTERNAL_H

#include <errno.h>
#include <sys/ioctl.h>
#include <exo/exo.h>

#define LIBEXO_EXPORT __attribute__((visibility("default")))

struct exo {
	int fd;
	struct exo_api api;	/* the kernel's answer to the handshake */
};

void exo_pr(enum exo_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* libbpf's convention: return -err and leave it in errno too. */
static inline int exo_err(int err)
{
	errno = err;
	return -err;
}

/* The same for calls that return a pointer: NULL with errno @err. */
static inline void *exo_err_ptr(int err)
{
	errno = err;
	return NULL;
}

/* ioctl(2) on @exo's fd: 0 or -errno (errno set), the wrappers' one shape. */
static inline int exo_ioctl(struct exo *exo, unsigned long cmd, void *arg)
{
	if (!exo)
		return exo_err(EINVAL);
	if (ioctl(exo->fd, cmd, arg) < 0)
		return exo_err(errno);
	return 0;
}

/*
 * Deadlines for calls that take timeout_ms (-1 forever, 0 no wait):
 * exo_deadline() turns one into an absolute time, exo_ms_left() back.
 */
long long exo_deadline(int timeout_ms);
int exo_ms_left(long long deadline);

/* An options struct is valid if every byte past what we know is zero. */
int exo_opts_valid(const void *opts, size_t known_size, size_t user_size);

#endif /* LIBEXO_INTERNAL_H */
