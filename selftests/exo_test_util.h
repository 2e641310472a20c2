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

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
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

/*
 * Memory binding (EXO_IOC_MEM_*): raw wrappers that return 0 or the errno,
 * like exo_ioc(). Named exo_raw_mem_* so that they never meet libexo's own
 * memory layer.
 */
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>

#define EXO_POOL_PATH		EXO_DEBUGFS_ROOT "/exo/pool"
#define EXO_PAGE		((size_t)sysconf(_SC_PAGESIZE))

static inline int exo_raw_mem_info(int fd, struct exo_mem_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->argsz = sizeof(*mi);
	return exo_ioc(fd, EXO_IOC_MEM_INFO, mi);
}

/* ALLOC: @frames has @count entries (indexes in with EXO_MEM_ALLOC_INDEX). */
static inline int exo_raw_mem_alloc(int fd, __u32 flags, __u32 count,
				    __u32 colour, struct exo_mem_frame *frames,
				    void *addr)
{
	struct exo_mem_alloc a = {
		.argsz = sizeof(a),
		.flags = flags,
		.count = count,
		.colour = colour,
		.frames = (__u64)(unsigned long)frames,
		.addr = (__u64)(unsigned long)addr,
	};

	return exo_ioc(fd, EXO_IOC_MEM_ALLOC, &a);
}

/* ALLOC_INDEX of one frame, mapped at @addr with @flags if @addr. */
static inline int exo_raw_mem_alloc_at(int fd, __u32 index, __u32 flags,
				       void *addr, struct exo_mem_frame *out)
{
	struct exo_mem_frame f = { .index = index };
	int err;

	if (addr)
		flags |= EXO_MEM_ALLOC_MAP;
	err = exo_raw_mem_alloc(fd, EXO_MEM_ALLOC_INDEX | flags, 1, 0, &f, addr);
	if (out)
		*out = f;
	return err;
}

static inline int exo_raw_mem_batch(int fd, unsigned long cmd, __u32 flags,
				    const __u32 *indexes, __u32 count,
				    void *addr)
{
	struct exo_mem_batch b = {
		.argsz = sizeof(b),
		.flags = flags,
		.count = count,
		.indexes = (__u64)(unsigned long)indexes,
		.addr = (__u64)(unsigned long)addr,
	};

	return exo_ioc(fd, cmd, &b);
}

static inline int exo_raw_mem_free(int fd, const __u32 *indexes, __u32 count)
{
	return exo_raw_mem_batch(fd, EXO_IOC_MEM_FREE, 0, indexes, count, NULL);
}

static inline int exo_raw_mem_map(int fd, __u32 flags, const __u32 *indexes,
				  __u32 count, void *addr)
{
	return exo_raw_mem_batch(fd, EXO_IOC_MEM_MAP, flags, indexes, count, addr);
}

static inline int exo_raw_mem_unmap(int fd, void *addr, __u32 count)
{
	struct exo_mem_unmap u = {
		.argsz = sizeof(u),
		.count = count,
		.addr = (__u64)(unsigned long)addr,
	};

	return exo_ioc(fd, EXO_IOC_MEM_UNMAP, &u);
}

static inline int exo_raw_mem_grant(int fd, __u32 flags, __u32 first,
				    __u32 count, __u64 grantee, __u64 *grant_id)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g),
		.flags = flags,
		.first = first,
		.count = count,
		.grantee = grantee,
	};
	int err = exo_ioc(fd, EXO_IOC_MEM_GRANT, &g);

	if (!err && grant_id)
		*grant_id = g.grant_id;
	return err;
}

static inline int exo_raw_mem_ungrant(int fd, __u64 grant_id)
{
	struct exo_mem_grant g = {
		.argsz = sizeof(g),
		.grant_id = grant_id,
	};

	return exo_ioc(fd, EXO_IOC_MEM_UNGRANT, &g);
}

/* REVOKE: *@count in, and out (what was asked after sparing the reserve). */
static inline int exo_raw_mem_revoke(int fd, __u64 env_id, __u32 *count,
				     __u32 deadline_ms)
{
	struct exo_mem_revoke r = {
		.argsz = sizeof(r),
		.count = *count,
		.deadline_ms = deadline_ms,
		.env_id = env_id,
	};
	int err = exo_ioc(fd, EXO_IOC_MEM_REVOKE, &r);

	if (!err)
		*count = r.count;
	return err;
}

/* REPOSSESSED: *@count in (room) and out (entries); @lost may be NULL. */
static inline int exo_raw_mem_repossessed(int fd, __u32 *indexes,
					  __u32 *count, __u32 *lost)
{
	struct exo_mem_repossessed r = {
		.argsz = sizeof(r),
		.count = *count,
		.indexes = (__u64)(unsigned long)indexes,
	};
	int err = exo_ioc(fd, EXO_IOC_MEM_REPOSSESSED, &r);

	if (!err) {
		*count = r.count;
		if (lost)
			*lost = r.lost;
	}
	return err;
}

/* A region of @pages pages on @fd, as the UAPI asks; NULL with errno. */
static inline void *exo_raw_mem_region(int fd, size_t pages)
{
	void *p = mmap(NULL, pages * EXO_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* EXO_IOC_CAP_GRANT of any kind: 0 or errno; the cap's id in *@cap_id. */
static inline int exo_raw_cap_grant(int fd, __u32 kind, __u32 rights,
				    __u64 first, __u64 count, __u64 grantee,
				    __u64 *cap_id)
{
	struct exo_cap c = {
		.argsz = sizeof(c), .kind = kind, .rights = rights,
		.first = first, .count = count, .grantee = grantee,
	};
	int err = exo_ioc(fd, EXO_IOC_CAP_GRANT, &c);

	if (!err && cap_id)
		*cap_id = c.cap_id;
	return err;
}

static inline int exo_raw_cap_revoke(int fd, __u32 kind, __u64 cap_id)
{
	struct exo_cap c = { .argsz = sizeof(c), .kind = kind, .cap_id = cap_id };

	return exo_ioc(fd, EXO_IOC_CAP_REVOKE, &c);
}

/* The id of the environment behind @fd, or 0. */
static inline __u64 exo_raw_env_id(int fd)
{
	struct exo_env_info info;

	return exo_raw_info(fd, &info) ? 0 : info.env_id;
}

/* CLOCK_BOOTTIME in ns, the clock of event times and revoke deadlines. */
static inline __u64 exo_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Wait up to @timeout_ms for a record on @fd and read one: 0, ETIMEDOUT if
 * none came, or the errno of poll(2)/read(2).
 */
static inline int exo_raw_event_wait(int fd, int timeout_ms,
				     struct exo_event *ev)
{
	int rev = exo_poll1(fd, POLLIN, timeout_ms);
	ssize_t got;

	if (rev < 0)
		return -rev;
	if (!(rev & POLLIN))
		return ETIMEDOUT;
	got = exo_raw_read(fd, ev, sizeof(*ev));
	if (got < 0)
		return -got;
	return got == sizeof(*ev) ? 0 : EIO;
}

/* Drop @cap from the effective, permitted and inheritable sets; 0 or errno. */
static inline int exo_cap_drop(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return errno;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	data[cap / 32].permitted &= ~(1U << (cap % 32));
	data[cap / 32].inheritable &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? errno : 0;
}

/*
 * Fault probes: touch memory that may raise SIGSEGV or SIGBUS and say which,
 * instead of dying. The state lives in a function so that test files that
 * never probe carry no unused static.
 */
struct exo_probe_state {
	sigjmp_buf jmp;
	volatile sig_atomic_t armed;
	volatile int sig;
	void *volatile addr;
};

static inline struct exo_probe_state *exo_probe_state(void)
{
	static struct exo_probe_state state;

	return &state;
}

static inline void exo_probe_handler(int sig, siginfo_t *si, void *uc)
{
	struct exo_probe_state *p = exo_probe_state();

	(void)uc;
	if (!p->armed) {
		/* Not ours: die of it as if no handler were there. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	p->armed = 0;
	p->sig = sig;
	p->addr = si->si_addr;
	siglongjmp(p->jmp, 1);
}

/*
 * Copy @len bytes from @src to @dst (either may be the probed memory): 0, or
 * the signal the copy raised (its address in *@fault if @fault). Bytes are
 * moved one volatile access at a time, so that the fault address is exact.
 */
static inline int exo_probe_copy(void *dst, const void *src, size_t len,
				 void **fault)
{
	struct exo_probe_state *p = exo_probe_state();
	struct sigaction sa, old_segv, old_bus;
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;
	volatile size_t i;
	int ret = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = exo_probe_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	p->sig = 0;
	p->addr = NULL;
	if (sigsetjmp(p->jmp, 1) == 0) {
		p->armed = 1;
		for (i = 0; i < len; i++)
			d[i] = s[i];
		p->armed = 0;
	} else {
		ret = p->sig;
		if (fault)
			*fault = p->addr;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return ret;
}

/* Read one byte at @addr: 0 (value in *@val), SIGSEGV or SIGBUS. */
static inline int exo_probe_read(const void *addr, unsigned char *val)
{
	unsigned char v = 0;
	int sig = exo_probe_copy(&v, addr, 1, NULL);

	if (val)
		*val = v;
	return sig;
}

/* Write one byte at @addr: 0, SIGSEGV or SIGBUS. */
static inline int exo_probe_write(void *addr, unsigned char val)
{
	return exo_probe_copy(addr, &val, 1, NULL);
}

/* The pattern byte @i of a page filled with @seed. */
static inline unsigned char exo_pattern_byte(__u32 seed, size_t i)
{
	__u32 x = seed * 2654435761U + (__u32)i * 40503U;

	return (unsigned char)(x >> 13) ^ (unsigned char)(i >> 8);
}

/* Fill one page at @addr with @seed's pattern: 0, or the signal raised. */
static inline int exo_pattern_fill(void *addr, __u32 seed)
{
	size_t i, n = EXO_PAGE;
	unsigned char *buf = malloc(n);
	int sig;

	if (!buf)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = exo_pattern_byte(seed, i);
	sig = exo_probe_copy(addr, buf, n, NULL);
	free(buf);
	return sig;
}

/*
 * Check one page at @addr: 0 if it holds @seed's pattern, 1 if it does not,
 * or the signal reading it raised. With @seed 0 and @zero true, checks zeros.
 */
static inline int exo_pattern_check_page(const void *addr, __u32 seed,
					 bool zero)
{
	size_t i, n = EXO_PAGE;
	unsigned char *buf = malloc(n);
	int ret;

	if (!buf)
		return -1;
	ret = exo_probe_copy(buf, addr, n, NULL);
	for (i = 0; !ret && i < n; i++)
		if (buf[i] != (zero ? 0 : exo_pattern_byte(seed, i)))
			ret = 1;
	free(buf);
	return ret;
}

static inline int exo_pattern_check(const void *addr, __u32 seed)
{
	return exo_pattern_check_page(addr, seed, false);
}

static inline int exo_zero_check(const void *addr)
{
	return exo_pattern_check_page(addr, 0, true);
}

/* A whole debugfs (or any) file, NUL-terminated and malloc'd; NULL, errno. */
static inline char *exo_file_slurp(const char *path)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t got;
	int fd, err;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		free(buf);
		errno = err;
		return NULL;
	}
	for (;;) {
		if (cap - len < 2048) {
			bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	err = errno;
	close(fd);
	buf[len] = '\0';
	errno = err;
	return buf;
}

/*
 * The frames debugfs's pool file lists for environment @env_id ("frame
 * <index> colour <c> node <n> env <id> ..."): how many (up to @max indexes
 * stored, colours too if @colours), or -errno.
 */
static inline int exo_pool_frames_of(__u64 env_id, __u32 *indexes,
				     __u32 *colours, int max)
{
	char *buf = exo_file_slurp(EXO_POOL_PATH), *line;
	unsigned long long seen_env;
	unsigned int index, colour, node;
	int n = 0;

	if (!buf)
		return -errno;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (sscanf(line, "frame %u colour %u node %u env %llu",
			   &index, &colour, &node, &seen_env) == 4 &&
		    seen_env == env_id) {
			if (n < max) {
				if (indexes)
					indexes[n] = index;
				if (colours)
					colours[n] = colour;
			}
			n++;
		}
	}
	free(buf);
	return n;
}

/*
 * A peer: a forked process with its own environment, driven over two pipes.
 * @fn runs in the child with the read end from the parent and the write end
 * to it; its return value is the child's exit code.
 */
struct exo_peer {
	pid_t pid;
	int to;		/* parent -> child */
	int from;	/* child -> parent */
};

typedef int (*exo_peer_fn_t)(int rx, int tx, void *arg);

static inline int exo_peer_start(struct exo_peer *peer, exo_peer_fn_t fn,
				 void *arg)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return errno;
	}
	peer->pid = fork();
	if (peer->pid < 0)
		return errno;
	if (peer->pid == 0) {
		close(down[1]);
		close(up[0]);
		_exit(fn(down[0], up[1], arg));
	}
	close(down[0]);
	close(up[1]);
	peer->to = down[1];
	peer->from = up[0];
	return 0;
}

/* Close the pipes and reap the peer: its exit code, as exo_wait_child(). */
static inline int exo_peer_finish(struct exo_peer *peer)
{
	int ret;

	close(peer->to);
	close(peer->from);
	ret = exo_wait_child(peer->pid);
	peer->pid = -1;
	return ret;
}

/* ---- CPU binding: raw ioctls --------------------------------------------- */

#define EXO_CPU_STATUS_PATH	EXO_DEBUGFS_ROOT "/exo/cpu"

static inline int exo_raw_cpu_info(int fd, __u32 cpu, struct exo_cpu_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->argsz = sizeof(*ci);
	ci->cpu = cpu;
	return exo_ioc(fd, EXO_IOC_CPU_INFO, ci);
}

/* The first CPU exo manages, or -1 (a one-CPU machine has none). */
static inline int exo_cpu_first(int fd)
{
	struct exo_cpu_info ci;
	int cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if (!exo_raw_cpu_info(fd, cpu, &ci))
			return cpu;
	return -1;
}

static inline int exo_raw_cpu_pattern(int fd, unsigned long cmd, __u32 cpu,
				      __u32 start, __u32 count, __u32 stride)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_PATTERN,
		.cpu = cpu, .start = start, .count = count, .stride = stride,
	};

	return exo_ioc(fd, cmd, &req);
}

static inline int exo_raw_cpu_book(int fd, __u32 cpu, __u32 start,
				   __u32 count, __u32 stride)
{
	return exo_raw_cpu_pattern(fd, EXO_IOC_CPU_BOOK, cpu, start, count,
				   stride);
}

static inline int exo_raw_cpu_free(int fd, __u32 cpu, __u32 start,
				   __u32 count, __u32 stride)
{
	return exo_raw_cpu_pattern(fd, EXO_IOC_CPU_FREE, cpu, start, count,
				   stride);
}

static inline int exo_raw_cpu_mask(int fd, unsigned long cmd, __u32 cpu,
				   const __u64 *mask)
{
	struct exo_cpu_slots req = {
		.argsz = sizeof(req), .flags = EXO_CPU_SLOTS_MASK, .cpu = cpu,
	};

	memcpy(req.mask, mask, sizeof(req.mask));
	return exo_ioc(fd, cmd, &req);
}

static inline int exo_raw_cpu_query(int fd, __u32 cpu,
				    struct exo_cpu_query *q)
{
	memset(q, 0, sizeof(*q));
	q->argsz = sizeof(*q);
	q->cpu = cpu;
	return exo_ioc(fd, EXO_IOC_CPU_QUERY, q);
}

static inline int exo_raw_cpu_bind(int fd, __u32 cpu, __u32 sig, __u32 flags)
{
	struct exo_cpu_bind req = {
		.argsz = sizeof(req), .flags = flags, .cpu = cpu, .signal = sig,
	};

	return exo_ioc(fd, EXO_IOC_CPU_BIND, &req);
}

static inline int exo_raw_cpu_unbind(int fd)
{
	struct exo_cpu_bind req = { .argsz = sizeof(req) };

	return exo_ioc(fd, EXO_IOC_CPU_UNBIND, &req);
}

static inline int exo_raw_cpu_wait(int fd, __u32 timeout_ms,
				   struct exo_cpu_wake *wake)
{
	memset(wake, 0, sizeof(*wake));
	wake->argsz = sizeof(*wake);
	wake->timeout_ms = timeout_ms;
	return exo_ioc(fd, EXO_IOC_CPU_WAIT, wake);
}

/* WAIT, giving the rest of a running turn to @target first. */
static inline int exo_raw_cpu_wait_donate(int fd, __u64 target,
					  __u32 timeout_ms,
					  struct exo_cpu_wake *wake)
{
	memset(wake, 0, sizeof(*wake));
	wake->argsz = sizeof(*wake);
	wake->flags = EXO_CPU_WAIT_DONATE;
	wake->timeout_ms = timeout_ms;
	wake->target = target;
	return exo_ioc(fd, EXO_IOC_CPU_WAIT, wake);
}

/* Yield (to @target if non-zero); *ended says whether a turn ended. */
static inline int exo_raw_cpu_yield(int fd, __u64 target, __u32 *ended)
{
	struct exo_cpu_yield req = {
		.argsz = sizeof(req),
		.flags = target ? EXO_CPU_YIELD_TO : 0,
		.target = target,
	};
	int ret = exo_ioc(fd, EXO_IOC_CPU_YIELD, &req);

	if (!ret && ended)
		*ended = req.ended;
	return ret;
}

static inline int exo_raw_cpu_revoke(int fd, __u64 env_id, __u32 count,
				     __u32 deadline_ms)
{
	struct exo_cpu_revoke req = {
		.argsz = sizeof(req), .count = count,
		.deadline_ms = deadline_ms, .env_id = env_id,
	};

	return exo_ioc(fd, EXO_IOC_CPU_REVOKE, &req);
}

/* Slots of @cpu the environment behind @fd holds, or -1. */
static inline int exo_cpu_mine(int fd, __u32 cpu)
{
	struct exo_cpu_info ci;

	return exo_raw_cpu_info(fd, cpu, &ci) ? -1 : (int)ci.my_slots;
}

/* Slots of @cpu nobody holds, or -1. */
static inline int exo_cpu_free_count(int fd, __u32 cpu)
{
	struct exo_cpu_info ci;

	return exo_raw_cpu_info(fd, cpu, &ci) ? -1 : (int)ci.free_slots;
}

/* ---- random programs, errno names, fd passing, loading exo.ko ------------ */

/* "EPERM" for EPERM, "ok" for 0: for logs and printed tables. */
static inline const char *exo_errno_name(int err)
{
	const char *name;

	if (!err)
		return "ok";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

/* An unsigned number from environment variable @name, else @def. */
static inline unsigned long long exo_env_ull(const char *name,
					     unsigned long long def)
{
	const char *val = getenv(name);
	unsigned long long v;
	char *end;

	if (!val || !*val)
		return def;
	errno = 0;
	v = strtoull(val, &end, 0);
	return errno || *end ? def : v;
}

/*
 * A small deterministic generator (splitmix64) for tests that draw random
 * programs: the same seed gives the same programs, so print it.
 */
struct exo_rng {
	__u64 s;
};

static inline __u64 exo_rng_mix(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline __u64 exo_rng_next(struct exo_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return exo_rng_mix(r->s);
}

/* Uniform in [0, @n); 0 when @n is 0. */
static inline __u64 exo_rng_below(struct exo_rng *r, __u64 n)
{
	return n ? exo_rng_next(r) % n : 0;
}

/* $@env_name if set, else a fresh seed from the clock and the pid. */
static inline __u64 exo_test_seed(const char *env_name)
{
	struct timespec ts;

	if (getenv(env_name) && *getenv(env_name))
		return exo_env_ull(env_name, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return exo_rng_mix(ts.tv_sec ^ ((__u64)ts.tv_nsec << 20) ^ getpid()) &
	       0xffffffffffffULL;
}

/*
 * Pass @n fds (at most 4) and @len bytes of @data over a unix socket with
 * SCM_RIGHTS; 0 or -1.
 */
static inline int exo_scm_send_fds(int sock, const int *fds, int n,
				   const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cmsg;

	if (n < 1 || n > 4 || !len)
		return -1;
	memset(cbuf, 0, sizeof(cbuf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cmsg), fds, n * sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

/* Receive what exo_scm_send_fds() sent: exactly @n fds; 0 or -1. */
static inline int exo_scm_recv_fds(int sock, int *fds, int n, void *data,
				   size_t len)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;

	if (n < 1 || n > 4)
		return -1;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)len)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cmsg), n * sizeof(int));
	return 0;
}

/*
 * Unloading and reloading exo.ko with delete_module(2) and finit_module(2),
 * as module_test.c does: the module comes from $EXO_KO (default
 * /exo/exo.ko, where the VM lane puts it).
 */
#define EXO_KMOD_KO_DEFAULT	"/exo/exo.ko"
#define EXO_KMOD_SYSFS		"/sys/module/exo"
/* Room for every exo.ko parameter as "name=value ...": grows with them. */
#define EXO_KMOD_PARAMS_LEN	4096

static inline const char *exo_kmod_path(void)
{
	const char *path = getenv("EXO_KO");

	return path && *path ? path : EXO_KMOD_KO_DEFAULT;
}

/* finit_module(2) of exo_kmod_path() with @params; 0 or errno. */
static inline int exo_kmod_load(const char *params)
{
	int fd, err = 0;

	fd = open(exo_kmod_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		err = errno;
	close(fd);
	return err;
}

/* delete_module(2), never waiting; 0 or errno (EWOULDBLOCK: in use). */
static inline int exo_kmod_unload(void)
{
	return syscall(SYS_delete_module, "exo", O_NONBLOCK) ? errno : 0;
}

static inline bool exo_kmod_loaded(void)
{
	return access(EXO_KMOD_SYSFS, F_OK) == 0;
}

/* A parameter of the loaded exo.ko, as /sys/module/exo shows it; or -1. */
static inline long exo_kmod_param(const char *name)
{
	char path[256], buf[32] = "";
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), EXO_KMOD_SYSFS "/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	return strtol(buf, NULL, 10);
}

/* Set a writable parameter of the loaded exo.ko; 0 or errno. */
static inline int exo_kmod_param_set(const char *name, long value)
{
	char path[256], buf[32];
	int fd, len, err = 0;

	snprintf(path, sizeof(path), EXO_KMOD_SYSFS "/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	len = snprintf(buf, sizeof(buf), "%ld", value);
	if (write(fd, buf, len) != len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Write @str to the file @path: 0 or errno. */
static inline int exo_write_str(const char *path, const char *str)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, str, strlen(str)) != (ssize_t)strlen(str))
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * A cgroup v2 with the memory controller, for tests of what is charged to
 * a caller: exo_cg_setup() mounts cgroup2 if need be and makes the group,
 * a child calls exo_cg_join() and reads exo_cg_current() (bytes, or -1).
 */
#define EXO_CG_ROOT	"/sys/fs/cgroup"
#define EXO_CG_DIR	EXO_CG_ROOT "/exo-test"

static inline int exo_cg_setup(void)
{
	int err;

	if (access(EXO_CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", EXO_CG_ROOT, "cgroup2", 0, NULL))
		return errno;
	err = exo_write_str(EXO_CG_ROOT "/cgroup.subtree_control", "+memory");
	if (err)
		return err;
	return mkdir(EXO_CG_DIR, 0755) && errno != EEXIST ? errno : 0;
}

static inline int exo_cg_join(void)
{
	return exo_write_str(EXO_CG_DIR "/cgroup.procs", "0");
}

static inline long long exo_cg_current(void)
{
	char buf[32] = "";
	ssize_t len;
	int fd;

	fd = open(EXO_CG_DIR "/memory.current", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return len > 0 ? atoll(buf) : -1;
}

static inline void exo_cg_remove(void)
{
	rmdir(EXO_CG_DIR);
}

/*
 * The parameters exo.ko runs with, as a finit_module(2) string
 * ("dev_group=0 dev_mode=384 ..."), so that a reload keeps them, whatever
 * parameters later bindings add. 0 or errno.
 */
static inline int exo_kmod_params(char *buf, size_t len)
{
	char path[sizeof(EXO_KMOD_SYSFS "/parameters/") + 256], val[128];
	struct dirent *de;
	size_t used = 0;
	ssize_t got;
	DIR *dir;
	int fd, n;

	dir = opendir(EXO_KMOD_SYSFS "/parameters");
	if (!dir)
		return errno;
	buf[0] = '\0';
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), EXO_KMOD_SYSFS "/parameters/%s",
			 de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* not readable: not settable either */
		got = read(fd, val, sizeof(val) - 1);
		close(fd);
		if (got <= 0)
			continue;
		val[got] = '\0';
		val[strcspn(val, "\n")] = '\0';
		n = snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
			     de->d_name, val);
		if (n < 0 || (size_t)n >= len - used) {
			closedir(dir);
			return ENOSPC;
		}
		used += n;
	}
	closedir(dir);
	return 0;
}

#endif /* EXO_TEST_UTIL_H */
