/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the exo selftests. Every test file is built into its own
 * binary, so everything here is static inline.
 *
 * Raw helpers return 0 or a positive errno so that tests can write
 * EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL)).
 */
#ifndef EXO_TEST_UTIL_H
#define EXO_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/exo.h>

/*
 * The harness comes from the kernel tree, which does not build it with
 * -Wextra. Its own body trips -Wunused-parameter, so it is included with that
 * warning off; and the wrapper TEST_F() expands to keeps a local across
 * setjmp(), which -Wclobbered flags at every test, so that one stays off for
 * the whole file. Every test file includes the harness through this header.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#pragma GCC diagnostic ignored "-Wclobbered"

#define EXO_DEV_PATH		"/dev/exo"
#define EXO_DEBUGFS_ROOT	"/sys/kernel/debug"
#define EXO_STATUS_PATH		EXO_DEBUGFS_ROOT "/exo/status"
#define EXO_DEBUGFS_MAGIC	0x64626720	/* DEBUGFS_MAGIC */

#define EXO_NOBODY		65534

#define EXO_NO_DEV_MSG		"/dev/exo is absent: load exo.ko"
#define EXO_NO_DEBUGFS_MSG	"debugfs is not mounted at " EXO_DEBUGFS_ROOT

static inline bool exo_dev_present(void)
{
	return access(EXO_DEV_PATH, F_OK) == 0;
}

/* ioctl(2) that returns 0 or the errno it failed with. */
static inline int exo_ioc(int fd, unsigned long cmd, const void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

/* Open /dev/exo without the handshake; the fd, or -errno. */
static inline int exo_raw_open_flags(int extra_flags)
{
	int fd = open(EXO_DEV_PATH, O_RDWR | O_CLOEXEC | extra_flags);

	return fd < 0 ? -errno : fd;
}

static inline int exo_raw_open(void)
{
	return exo_raw_open_flags(0);
}

/* The handshake at this header's version; 0 or errno. */
static inline int exo_raw_api(int fd, struct exo_api *out)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};
	int err = exo_ioc(fd, EXO_IOC_API, &api);

	if (out)
		*out = api;
	return err;
}

/* open + handshake; the fd, or -errno. */
static inline int exo_raw_env_flags(int extra_flags)
{
	int fd = exo_raw_open_flags(extra_flags);
	int err;

	if (fd < 0)
		return fd;
	err = exo_raw_api(fd, NULL);
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

static inline int exo_raw_env(void)
{
	return exo_raw_env_flags(0);
}

static inline int exo_raw_info(int fd, struct exo_env_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return exo_ioc(fd, EXO_IOC_ENV_INFO, info);
}

static inline int exo_raw_raise(int fd, __u64 cookie)
{
	struct exo_event_raise raise = {
		.argsz = sizeof(raise),
		.cookie = cookie,
	};

	return exo_ioc(fd, EXO_IOC_EVENT_RAISE, &raise);
}

/* read(2) of records: the byte count, or -errno. */
static inline ssize_t exo_raw_read(int fd, void *buf, size_t len)
{
	ssize_t got = read(fd, buf, len);

	return got < 0 ? -errno : got;
}

/* read(2) into an address the compiler must not reason about. */
static inline ssize_t exo_raw_read_addr(int fd, unsigned long addr, size_t len)
{
	long got = syscall(SYS_read, fd, addr, len);

	return got < 0 ? -errno : got;
}

/* poll(2) one fd; revents, or -errno. */
static inline int exo_poll1(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret = poll(&pfd, 1, timeout_ms);

	if (ret < 0)
		return -errno;
	return ret ? pfd.revents : 0;
}

/* Wait for @pid: its exit code, 128 + signal if killed, -1 on error. */
static inline int exo_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * In a forked child, ASSERT_*() would unwind into the harness's copy of the
 * test; children report the first failed step through their exit code.
 */
#define EXO_CHILD_CHECK(step, cond) do {				\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: step %d failed: %s (errno %d)\n", \
			getpid(), (step), #cond, errno);		\
		_exit(step);						\
	}								\
} while (0)

/* Exactly @len bytes through a pipe or socket; 0 or -1. */
static inline int exo_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t ret;

	while (len) {
		ret = write(fd, p, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return -1;
		p += ret;
		len -= ret;
	}
	return 0;
}

static inline int exo_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t ret;

	while (len) {
		ret = read(fd, p, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			return -1;
		p += ret;
		len -= ret;
	}
	return 0;
}

/* One byte through a pipe: the only synchronisation the tests use. */
static inline int exo_sync_send(int fd, char c)
{
	return write(fd, &c, 1) == 1 ? 0 : -1;
}

static inline int exo_sync_recv(int fd, char *c)
{
	char dummy;
	ssize_t ret;

	do {
		ret = read(fd, c ? c : &dummy, 1);
	} while (ret < 0 && errno == EINTR);
	return ret == 1 ? 0 : -1;
}

/*
 * Become @uid/@gid with exactly @ngroups supplementary groups, dropping every
 * capability on the way (setuid to non-zero clears them). 0 or errno.
 */
static inline int exo_become(uid_t uid, gid_t gid, const gid_t *groups,
			     size_t ngroups)
{
	if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid))
		return errno;
	return 0;
}

/*
 * True while thread @tid of process @pid sleeps inside system call @nr (as
 * /proc/<pid>/task/<tid>/{stat,syscall} show it). Lets a test give a reader
 * the chance to block before it acts; never used to decide a result alone.
 */
static inline bool exo_task_sleeping_in(pid_t pid, pid_t tid, long nr)
{
	char path[96], buf[512];
	char *paren, *end;
	ssize_t len;
	long seen;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ' || (paren[2] != 'S' && paren[2] != 'D'))
		return false;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	seen = strtol(buf, &end, 10);
	if (end == buf)
		return false;	/* "running" */
	return seen == nr;
}

/* Poll, briefly, for exo_task_sleeping_in(); false if it never was. */
static inline bool exo_wait_sleeping_in(pid_t pid, pid_t tid, long nr)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (exo_task_sleeping_in(pid, tid, nr))
			return true;
		poll(NULL, 0, 1);
	}
	return false;
}

/* debugfs: /sys/kernel/debug/exo/status */

static inline bool exo_debugfs_mounted(void)
{
	struct statfs sfs;

	return statfs(EXO_DEBUGFS_ROOT, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == EXO_DEBUGFS_MAGIC;
}

/* The whole status file, NUL-terminated and malloc'd; NULL with errno. */
static inline char *exo_status_slurp(void)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t got;
	int fd, err;

	if (!buf)
		return NULL;
	fd = open(EXO_STATUS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		if (cap - len < 2048) {
			bigger = realloc(buf, cap * 2);
			if (!bigger)
				goto fail_fd;
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail_fd;
		if (!got)
			break;
		len += got;
	}
	close(fd);
	buf[len] = '\0';
	return buf;

fail_fd:
	err = errno;
	close(fd);
	errno = err;
fail:
	err = errno;
	free(buf);
	errno = err;
	return NULL;
}

/* The value of line "@key: <n>"; 0, or -errno (-ENOENT: no such line). */
static inline int exo_status_value(const char *key, unsigned long long *out)
{
	size_t klen = strlen(key);
	char *buf = exo_status_slurp(), *line;
	int ret = -ENOENT;

	if (!buf)
		return -errno;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			*out = strtoull(line + klen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	free(buf);
	return ret;
}

/*
 * Look for line "env <id> tgid <tgid> ...": 1 if present (tgid stored),
 * 0 if absent, -errno if the file cannot be read.
 */
static inline int exo_status_env(__u64 id, long *tgid)
{
	char *buf = exo_status_slurp(), *line;
	unsigned long long seen_id;
	long seen_tgid;
	int ret = 0;

	if (!buf)
		return -errno;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (sscanf(line, "env %llu tgid %ld ", &seen_id, &seen_tgid) == 2 &&
		    seen_id == id) {
			if (tgid)
				*tgid = seen_tgid;
			ret = 1;
			break;
		}
	}
	free(buf);
	return ret;
}

/*
 * The ids of the environments owned by @tgid, as the status file lists them:
 * how many there are (up to @max stored in @ids), or -errno.
 */
static inline int exo_status_envs_of(long tgid, __u64 *ids, int max)
{
	char *buf = exo_status_slurp(), *line;
	unsigned long long seen_id;
	long seen_tgid;
	int n = 0;

	if (!buf)
		return -errno;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (sscanf(line, "env %llu tgid %ld ", &seen_id, &seen_tgid) == 2 &&
		    seen_tgid == tgid) {
			if (n < max)
				ids[n] = seen_id;
			n++;
		}
	}
	free(buf);
	return n;
}

#endif /* EXO_TEST_UTIL_H */
