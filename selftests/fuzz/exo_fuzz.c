// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: an in-VM fuzzer of /dev/exo. This file: its settings, a
 * worker's loop, and the parent that spawns, kills and reaps the workers
 * and prints the totals; fz_engine.h says where the rest of it lives.
 *
 * Worker processes (-w, default 4), each with environments of its own, make
 * random and structure-aware calls: every ioctl of the tables (fz_ioctls.c
 * for the foundation, fz_mem.c for the memory binding) with mutated argsz,
 * flags, fields and pointers; read(2), poll(2), epoll; mmap(2)/munmap(2) of
 * regions and touches of their pages; fcntl, dup, close and reopen; and fork
 * (the child pokes at the inherited environments, which are not its own).
 * The parent SIGKILLs workers after a random number of their calls, seen
 * through a counter in shared memory, and respawns them until the budget of
 * calls (-n, FUZZ_CALLS, default 50000) is spent.
 *
 * Each worker keeps a model of its environments (handshake done or not, the
 * event queue record by record, the frames held and the pages bound) and
 * checks every result against it and against the call's allowed errnos.
 * The checks are enum fz_check; each counts as one kselftest test in the
 * "# Totals:" line. Checks of known kernel bugs count as XFAIL while the bug
 * shows and as XPASS once it does not (check.sh counts XPASS as a failure,
 * so the mark gets dropped when the bug is fixed). exo-fuzz exits 0 only if
 * no check fails and none XPASSes.
 *
 * Reproducible: "exo-fuzz: seed N" is printed first; SEED=N or -s N replays
 * the same calls. Worker W's generation G draws from a stream derived from
 * (seed, W, G) alone, and so does the call at which the parent kills it, so
 * a failure reported as "worker W.G call C" replays on its own with
 * "exo-fuzz -s SEED -R W.G -n C" (one worker, no kills).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fz_engine.h"

#define FZ_STATUS		"/sys/kernel/debug/exo/status"
#define FZ_TAINTED		"/proc/sys/kernel/tainted"
#define FZ_DEFAULT_WORKERS	4
#define FZ_DEFAULT_LIFE		500	/* mean calls between kills */
#define FZ_HANG_SECS		120	/* no call at all for this long: hung */

/* Settings, fixed before the first fork (fz_seed is fz_util.c's). */
static int fz_workers = FZ_DEFAULT_WORKERS;
static __u64 fz_life = FZ_DEFAULT_LIFE;
static int fz_replay_slot = -1;
static __u32 fz_replay_gen;

/* ---- debugfs and taint ----------------------------------------------- */

static char *fz_slurp(const char *path)
{
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap), *bigger;
	ssize_t got;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
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
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* "key: value" of the status file; -1 if absent. */
static long long fz_status_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtoll(line + klen + 1, NULL, 10);
	return -1;
}

static long fz_status_env_lines(const char *text)
{
	const char *line;
	long n = 0;

	for (line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, "env ", 4))
			n++;
	return n;
}

static unsigned long long fz_tainted(void)
{
	char *text = fz_slurp(FZ_TAINTED);
	unsigned long long v = 0;

	if (text)
		v = strtoull(text, NULL, 10);
	free(text);
	return v;
}

/* ---- workers ------------------------------------------------------------ */
/* ---- workers ------------------------------------------------------------ */

/*
 * Whether the parent will not kill this worker before its next call: a
 * kill during an escape would orphan a child that may rightly be aborted.
 */
static bool fz_kill_not_due(const struct fz_worker *w)
{
	__u64 at = fz_sh->slot[w->slot].kill_at;

	return !at || w->ncalls < at;
}

static void __attribute__((noreturn)) fz_worker_main(int slot, __u32 gen)
{
	struct sigaction sa;
	struct fz_worker w;
	sigset_t none;
	int i, err;

	memset(&w, 0, sizeof(w));
	w.slot = slot;
	w.gen = gen;
	w.epfd = -1;
	fz_rng_init(&w.rng, slot, gen, 0);
	fz_rng_init(&w.shape_rng, slot, gen, 0x5a9e);
	fz_rng_init(&w.escape_rng, slot, gen, 0xe5c4);
	for (i = 0; i < FZ_ENVS; i++)
		w.env[i].fd = -1;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fz_alarm;	/* no SA_RESTART: reads see EINTR */
	sigaction(SIGALRM, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fz_mem_install_probe();
	if (fz_arena_init(&w)) {
		fz_say("exo-fuzz: worker %d.%u: no memory for its arena", slot, gen);
		_exit(2);
	}

	while (fz_claim(&w, 1)) {
		fz_run_op(&w, fz_pick_op(&w));
		if (!fz_below(&w.escape_rng, FZ_ESCAPE_EVERY) &&
		    fz_kill_not_due(&w))
			fz_run_op(&w, &fz_ops[FZ_OP_CPU_ESCAPE]);
	}

	fz_cur.op = "exit";
	for (i = 0; i < FZ_ENVS; i++) {
		if (w.env[i].fd < 0)
			continue;
		err = close(w.env[i].fd) ? errno : 0;
		fz_expect(&w, FZ_CHK_ERRNO, !err, "close at exit: %s",
			  fz_errname(err));
	}
	_exit(0);
}

/* ---- the parent --------------------------------------------------------- */

struct fz_slot_state {
	pid_t pid;		/* 0: idle */
	__u32 gen;
	bool killed;
};

static struct fz_slot_state fz_slots[FZ_MAX_WORKERS];
static __u64 fz_kills, fz_respawns;

static __u64 fz_kill_point(int slot, __u32 gen)
{
	struct fz_rng r;

	if (fz_replay_slot >= 0)
		return 0;
	fz_rng_init(&r, slot, gen, 0x4b111);
	if (fz_chance(&r, 8))
		return 1 + fz_below(&r, 4);	/* around its first open */
	return 1 + fz_below(&r, 2 * fz_life);
}

static int fz_spawn(int slot, __u32 gen, int close1, int close2)
{
	pid_t pid;

	fz_sh->slot[slot].calls = 0;
	fz_sh->slot[slot].kill_at = fz_kill_point(slot, gen);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fz_say("exo-fuzz: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(close1);
		close(close2);
		fz_worker_main(slot, gen);
	}
	fz_slots[slot].pid = pid;
	fz_slots[slot].gen = gen;
	fz_slots[slot].killed = false;
	return 0;
}

/* Failures so far; with @known, hits of known bugs (XFAIL) instead. */
static __u64 fz_failures(bool known)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < FZ_NCHECKS; i++)
		if (!fz_known_bugs[i] == !known)
			n += fz_sh->fails[i];
	return n;
}

static __u64 fz_claimed(void)
{
	__u64 c = __atomic_load_n(&fz_sh->claimed, __ATOMIC_RELAXED);

	return c < fz_budget ? c : fz_budget;
}

/* One line about a process that makes no progress. */
static void fz_show_stuck(pid_t pid)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	text = fz_slurp(path);
	if (text && strchr(text, '\n'))
		*strchr(text, '\n') = '\0';
	fz_say("exo-fuzz:   pid %d syscall: %s", pid, text ? text : "?");
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	text = fz_slurp(path);
	if (text)
		fz_say("exo-fuzz:   pid %d stack:\n%s", pid, text);
	free(text);
}

/* Every child we still have, by /proc; SIGKILL each. */
static void fz_kill_children(void)
{
	char path[64], *text, *p, *end;
	long pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	text = fz_slurp(path);
	for (p = text; p && *p; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		fz_show_stuck(pid);
		kill(pid, SIGKILL);
	}
	free(text);
}

/* Reap what has ended; a worker gone before the budget comes back. */
static void fz_reap(bool respawn, int close1, int close2)
{
	int status, slot;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (slot = 0; slot < fz_workers; slot++)
			if (fz_slots[slot].pid == pid)
				break;
		if (slot == fz_workers) {
			/* A fork child whose worker was killed: ours now. */
			fz_expect(NULL, FZ_CHK_REAPED,
				  WIFEXITED(status) && !WEXITSTATUS(status),
				  "orphaned fork child %d ended with status %#x",
				  pid, status);
			continue;
		}
		fz_expect(NULL, FZ_CHK_REAPED,
			  (WIFEXITED(status) && !WEXITSTATUS(status)) ||
			  (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			   fz_slots[slot].killed),
			  "worker %d.%u (pid %d) ended with status %#x%s",
			  slot, fz_slots[slot].gen, pid, status,
			  fz_slots[slot].killed ? " after our SIGKILL" : "");
		fz_slots[slot].pid = 0;
		if (respawn && fz_claimed() < fz_budget &&
		    fz_spawn(slot, fz_slots[slot].gen + 1, close1, close2) == 0)
			fz_respawns++;
	}
}

static int fz_live_workers(void)
{
	int i, n = 0;

	for (i = 0; i < fz_workers; i++)
		n += fz_slots[i].pid != 0;
	return n;
}

static double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the workers until the budget is spent and every one is gone. */
static void fz_run(int sigfd, int notify_r)
{
	struct pollfd pfd[2] = {
		{ .fd = notify_r, .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	__u64 next_mark = fz_tenth, last_calls = 0, done;
	double last_progress = fz_now();
	unsigned char drain[256];
	bool stopping = false;
	int slot;

	if (fz_replay_slot >= 0) {
		stopping = true;	/* one generation, never respawned */
		fz_spawn(fz_replay_slot, fz_replay_gen, sigfd, notify_r);
	} else {
		for (slot = 0; slot < fz_workers; slot++)
			if (fz_spawn(slot, 0, sigfd, notify_r))
				stopping = true;
	}

	while (fz_live_workers()) {
		if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
			break;
		while (read(notify_r, drain, sizeof(drain)) > 0)
			;
		while (read(sigfd, &si, sizeof(si)) > 0)
			;

		for (slot = 0; slot < fz_workers; slot++) {
			struct fz_slot_shared *s = &fz_sh->slot[slot];

			if (!fz_slots[slot].pid || fz_slots[slot].killed ||
			    !s->kill_at ||
			    __atomic_load_n(&s->calls, __ATOMIC_RELAXED) < s->kill_at)
				continue;
			kill(fz_slots[slot].pid, SIGKILL);
			fz_slots[slot].killed = true;
			fz_kills++;
		}
		fz_reap(!stopping, sigfd, notify_r);

		done = fz_claimed();
		while (done >= next_mark && next_mark <= fz_budget) {
			fz_say("exo-fuzz: %llu/%llu calls, %llu kills, %llu respawns, %llu failures, %llu known-bug hits",
			       (unsigned long long)next_mark,
			       (unsigned long long)fz_budget,
			       (unsigned long long)fz_kills,
			       (unsigned long long)fz_respawns,
			       (unsigned long long)fz_failures(false),
			       (unsigned long long)fz_failures(true));
			next_mark += fz_tenth;
		}
		if (done != last_calls) {
			last_calls = done;
			last_progress = fz_now();
		} else if (!stopping && fz_now() - last_progress > FZ_HANG_SECS) {
			fz_expect(NULL, FZ_CHK_REAPED, false,
				  "no call made in %d s: workers hung",
				  FZ_HANG_SECS);
			stopping = true;
			fz_kill_children();
		}
	}
}

/* After the run: every descendant (fork children included) reaped. */
static void fz_reap_all(int sigfd)
{
	struct pollfd pfd = { .fd = sigfd, .events = POLLIN };
	struct signalfd_siginfo si;
	double deadline = fz_now() + 30;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			fz_expect(NULL, FZ_CHK_REAPED,
				  WIFEXITED(status) && !WEXITSTATUS(status),
				  "descendant %d ended with status %#x", pid,
				  status);
			continue;
		}
		if (pid < 0)
			break;	/* ECHILD: none left */
		if (fz_now() > deadline) {
			fz_expect(NULL, FZ_CHK_REAPED, false,
				  "descendants still running 30 s after the workers");
			fz_kill_children();
			deadline = fz_now() + 30;
		}
		poll(&pfd, 1, 1000);
		while (read(sigfd, &si, sizeof(si)) > 0)
			;
	}
}

/* The kernel's answer to a handshake, and the table check against it. */
static void fz_flatten_tables(void)
{
	size_t t, i;

	/*
	 * Rows and operations share the histogram's sites; a row left out
	 * here fails table-covers-kernel-ioctls rather than count as an op.
	 */
	for (t = 0; t < fz_ntables; t++)
		for (i = 0; i < *fz_tables[t].nrows && fz_nrows < FZ_MAX_ROWS &&
		     fz_nrows < FZ_MAX_SITES - FZ_NOPS; i++)
			fz_rows[fz_nrows++] = &fz_tables[t].rows[i];
}

static int fz_startup_handshake(void)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};
	__u64 table[2] = { 0, 0 };
	size_t i;
	int fd, nr;

	fd = open(FZ_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, EXO_IOC_API, &api)) {
		int err = errno;

		close(fd);
		return -err;
	}
	fz_kernel_ioctls = api.ioctls;
	fz_kernel_ioctls_hi = api.ioctls_hi;
	fz_mem_startup(fd);
	fz_xn_startup(fd);
	fz_cpu_startup(fd);
	close(fd);
	fz_kernel_api = api.api_version;
	fz_kernel_features = api.features;
	fz_kernel_ioctls = api.ioctls;
	fz_kernel_ioctls_hi = api.ioctls_hi;

	for (i = 0; i < fz_nrows; i++) {
		if (fz_rows[i]->attrs & FZ_UNKNOWN)
			continue;
		nr = _IOC_NR(fz_rows[i]->cmd);
		if (nr < 128)
			table[nr / 64] |= 1ULL << (nr % 64);
		fz_expect(NULL, FZ_CHK_TABLE, fz_nr_served(nr),
			  "the table has %s (nr %d), which the kernel does not serve",
			  fz_rows[i]->name, nr);
	}
	for (nr = 0; nr < 128; nr++)
		fz_expect(NULL, FZ_CHK_TABLE,
			  !fz_nr_served(nr) || (table[nr / 64] & (1ULL << (nr % 64))),
			  "the kernel serves ioctl nr %d; add its row to selftests/fuzz/fz_ioctls.c",
			  nr);
	return 0;
}

static void fz_print_hist(void)
{
	char line[1024];
	__u64 total;
	int site, err;
	size_t i;

	for (i = 0; i < fz_nrows + FZ_NOPS; i++) {
		const char *name;

		if (i < fz_nrows) {
			site = i;
			name = fz_rows[i]->name;
		} else {
			site = fz_op_site(i - fz_nrows);
			name = fz_ops[i - fz_nrows].name;
			if (i - fz_nrows == FZ_OP_IOCTL)
				continue;
		}
		total = 0;
		line[0] = '\0';
		for (err = 0; err < FZ_ERRNO_SLOTS; err++) {
			__u64 n = fz_sh->hist[site][err];
			bool touch = i == fz_nrows + FZ_OP_TOUCH;

			if (!n)
				continue;
			total += n;
			fz_cat(line, sizeof(line), " %s:%llu",
			       touch ? (err ? strsignal(err) : "ok") :
			       fz_errname(err), (unsigned long long)n);
		}
		fz_say("exo-fuzz:   %-26s %8llu%s", name,
		       (unsigned long long)total, line);
	}
}

static void fz_usage(void)
{
	fprintf(stderr,
		"usage: exo-fuzz [-w workers] [-n calls] [-s seed] [-l mean-life] [-R slot.gen]\n"
		"  -w N   worker processes (default %d, at most %d)\n"
		"  -n N   calls across all workers (default $FUZZ_CALLS or %d)\n"
		"  -s N   seed (default $SEED or random); printed at start\n"
		"  -l N   mean calls between kills of a worker (default %d)\n"
		"  -R W.G replay worker W's generation G alone, never killed\n",
		FZ_DEFAULT_WORKERS, FZ_MAX_WORKERS, FZ_DEFAULT_CALLS,
		FZ_DEFAULT_LIFE);
	exit(2);
}

static __u64 fz_parse_u64(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		fz_usage();
	return v;
}

static void fz_parse_args(int argc, char **argv)
{
	const char *env;
	bool seeded = false;
	int opt;

	env = getenv("FUZZ_CALLS");
	if (env && *env)
		fz_budget = fz_parse_u64(env);
	env = getenv("SEED");
	if (env && *env) {
		fz_seed = fz_parse_u64(env);
		seeded = true;
	}
	while ((opt = getopt(argc, argv, "w:n:s:l:R:h")) != -1) {
		switch (opt) {
		case 'w':
			fz_workers = fz_parse_u64(optarg);
			break;
		case 'n':
			fz_budget = fz_parse_u64(optarg);
			break;
		case 's':
			fz_seed = fz_parse_u64(optarg);
			seeded = true;
			break;
		case 'l':
			fz_life = fz_parse_u64(optarg);
			break;
		case 'R':
			if (sscanf(optarg, "%d.%u", &fz_replay_slot,
				   &fz_replay_gen) != 2 ||
			    fz_replay_slot < 0 || fz_replay_slot >= FZ_MAX_WORKERS)
				fz_usage();
			break;
		default:
			fz_usage();
		}
	}
	if (optind != argc || fz_workers < 1 || fz_workers > FZ_MAX_WORKERS ||
	    !fz_budget || !fz_life)
		fz_usage();
	if (!seeded) {
		struct timespec ts;
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &fz_seed, sizeof(fz_seed)) != sizeof(fz_seed)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			fz_seed = fz_mix(ts.tv_sec ^ ts.tv_nsec ^ getpid());
		}
		if (fd >= 0)
			close(fd);
		fz_seed &= 0xffffffffffffULL;	/* short enough to retype */
	}
	if (fz_replay_slot >= 0)
		fz_workers = fz_replay_slot + 1;
}

int main(int argc, char **argv)
{
	unsigned long long taint0, taint1;
	long long live0 = -1, live1, lines0 = 0, lines1;
	int sigfd, pipefd[2], i, pass = 0, fail = 0, skip = 0, xfail = 0, xpass = 0;
	int ret;
	char *text;
	sigset_t chld;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fz_parse_args(argc, argv);
	fz_page = sysconf(_SC_PAGESIZE);
	fz_tenth = fz_budget / 10 ? fz_budget / 10 : 1;
	fz_say("exo-fuzz: seed %llu", (unsigned long long)fz_seed);

	fz_sh = mmap(NULL, sizeof(*fz_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_sh == MAP_FAILED) {
		perror("exo-fuzz: mmap");
		return 1;
	}
	memset(fz_sh, 0, sizeof(*fz_sh));

	fz_flatten_tables();
	ret = fz_startup_handshake();
	if (ret) {
		fz_say("exo-fuzz: cannot handshake with %s: %s", FZ_DEV,
		       strerror(-ret));
		fz_say("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:%d error:0",
		       FZ_NCHECKS);
		return 4;	/* KSFT_SKIP */
	}

	text = fz_slurp(FZ_STATUS);
	if (text) {
		long long q = fz_status_value(text, "event_queue_len");

		live0 = fz_status_value(text, "envs_live");
		lines0 = fz_status_env_lines(text);
		if (q >= 2 && q <= 65536) {
			fz_qlen = q;
			fz_model_on = true;
		}
	}
	free(text);
	taint0 = fz_tainted();
	fz_say("exo-fuzz: %d workers, %llu calls, mean life %llu calls, api %u ioctls %#llx, event_queue_len %u%s",
	       fz_workers, (unsigned long long)fz_budget,
	       (unsigned long long)fz_life, fz_kernel_api,
	       (unsigned long long)fz_kernel_ioctls, fz_qlen,
	       fz_model_on ? "" : " (queue model off: no debugfs)");
	if (fz_replay_slot >= 0)
		fz_say("exo-fuzz: replaying worker %d.%u alone",
		       fz_replay_slot, fz_replay_gen);

	/* Fork children of killed workers become ours, to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK)) {
		perror("exo-fuzz: pipe");
		return 1;
	}
	fz_notify_fd = pipefd[1];
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0) {
		perror("exo-fuzz: signalfd");
		return 1;
	}

	t0 = fz_now();
	fz_run(sigfd, pipefd[0]);
	fz_reap_all(sigfd);

	/*
	 * Nothing of ours holds an environment any more. If the counters are
	 * not back at once, wait a little to tell a late release (a NOTE: the
	 * kernel finished some teardown after the reap) from a leak.
	 */
	text = fz_slurp(FZ_STATUS);
	if (text && live0 >= 0) {
		double t1 = fz_now(), late = 0;

		live1 = fz_status_value(text, "envs_live");
		lines1 = fz_status_env_lines(text);
		if (live1 != live0 || lines1 != lines0)
			fz_say("exo-fuzz: status at once after the run:\n%s", text);
		while ((live1 != live0 || lines1 != lines0) &&
		       (late = fz_now() - t1) < 5) {
			poll(NULL, 0, 10);
			free(text);
			text = fz_slurp(FZ_STATUS);
			live1 = text ? fz_status_value(text, "envs_live") : -1;
			lines1 = text ? fz_status_env_lines(text) : -1;
		}
		fz_expect(NULL, FZ_CHK_BASELINE, live1 == live0 && lines1 == lines0,
			  "envs_live %lld and %lld env lines 5 s after the run, %lld and %lld before",
			  live1, lines1, live0, lines0);
		if (late > 0 && live1 == live0)
			fz_say("exo-fuzz: NOTE late-release: environments were released %.0f ms after every process was reaped, not at once",
			       late * 1000);
	}
	free(text);
	taint1 = fz_tainted();
	fz_expect(NULL, FZ_CHK_TAINT, (taint1 & ~taint0) == 0,
		  "kernel taint went from %#llx to %#llx", taint0, taint1);

	fz_say("exo-fuzz: done in %.1f s: calls %llu kills %llu respawns %llu forks %llu reopens %llu bursts %llu",
	       fz_now() - t0, (unsigned long long)fz_claimed(),
	       (unsigned long long)fz_kills, (unsigned long long)fz_respawns,
	       (unsigned long long)fz_sh->forks,
	       (unsigned long long)fz_sh->reopens,
	       (unsigned long long)fz_sh->bursts);
	fz_say("exo-fuzz: results per call (ok or errno:count):");
	fz_print_hist();

	fz_say("TAP version 13");
	fz_say("1..%d", FZ_NCHECKS);
	for (i = 0; i < FZ_NCHECKS; i++) {
		bool skipped = !fz_sh->evals[i];

		if (skipped) {
			skip++;
			fz_say("ok %d %s # SKIP not evaluated%s", i + 1,
			       fz_check_names[i],
			       i == FZ_CHK_BASELINE ? " (no debugfs)" : "");
		} else if (fz_known_bugs[i] && fz_sh->fails[i]) {
			xfail++;
			fz_say("ok %d %s # XFAIL %llu of %llu: known bug, %s", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->fails[i],
			       (unsigned long long)fz_sh->evals[i], fz_known_bugs[i]);
		} else if (fz_known_bugs[i]) {
			xpass++;
			fz_say("not ok %d %s # XPASS %llu checked: the known bug (%s) did not show; if it is fixed, drop its mark in selftests/fuzz/exo_fuzz.c",
			       i + 1, fz_check_names[i],
			       (unsigned long long)fz_sh->evals[i], fz_known_bugs[i]);
		} else if (fz_sh->fails[i]) {
			fail++;
			fz_say("not ok %d %s # %llu of %llu failed", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->fails[i],
			       (unsigned long long)fz_sh->evals[i]);
		} else {
			pass++;
			fz_say("ok %d %s # %llu checked", i + 1,
			       fz_check_names[i],
			       (unsigned long long)fz_sh->evals[i]);
		}
	}
	fz_say("exo-fuzz: calls %llu kills %llu", (unsigned long long)fz_claimed(),
	       (unsigned long long)fz_kills);
	fz_say("# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:0",
	       pass, fail, xfail, xpass, skip);
	return fail || xpass ? 1 : 0;
}
