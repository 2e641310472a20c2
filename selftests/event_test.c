// SPDX-License-Identifier: GPL-2.0
/*
 * The event queue of an environment: read(2) and poll(2) on its fd, the
 * record layout, blocking and O_NONBLOCK, and overflow on both sides of the
 * queue length (read from debugfs, never hard-coded).
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <exo/exo.h>

#include "exo_test_util.h"

#define EV_SZ	((ssize_t)sizeof(struct exo_event))

static __u64 exo_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

FIXTURE(event) {
	int fd;			/* handshaken, blocking */
	struct exo_env_info info;
	struct exo_event *evs;	/* room for qlen + 16 records */
	unsigned long long qlen;	/* 0 when debugfs cannot tell */
};

FIXTURE_SETUP(event)
{
	self->fd = -1;
	self->evs = NULL;
	self->qlen = 0;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (exo_debugfs_mounted()) {
		ASSERT_EQ(0, exo_status_value("event_queue_len", &self->qlen));
		ASSERT_LE(2ULL, self->qlen);
	}
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, exo_raw_info(self->fd, &self->info));
	self->evs = calloc((self->qlen ? self->qlen : 256) + 16,
			   sizeof(*self->evs));
	ASSERT_NE(NULL, self->evs);
}

FIXTURE_TEARDOWN(event)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->evs);
}

static void exo_set_nonblock(struct __test_metadata *_metadata, int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl));
}

TEST_F(event, raise_then_read)
{
	struct exo_event a, b;
	__u64 now;

	ASSERT_EQ(0, exo_raw_raise(self->fd, 0x1122334455667788ULL));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 42));
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &a, sizeof(a)));
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &b, sizeof(b)));
	now = exo_boottime_ns();

	EXPECT_EQ((__u32)EXO_EVENT_USER, a.type);
	EXPECT_EQ(0U, a.flags);
	EXPECT_EQ(1U, a.seq);
	EXPECT_EQ(self->info.env_id, a.env_id);
	EXPECT_EQ(0x1122334455667788ULL, a.data[0]);
	EXPECT_EQ(0U, a.data[1]);
	EXPECT_EQ(0U, a.data[2]);
	EXPECT_EQ(0U, a.data[3]);
	EXPECT_LE(self->info.created_ns, a.time_ns);

	EXPECT_EQ((__u32)EXO_EVENT_USER, b.type);
	EXPECT_EQ(2U, b.seq);
	EXPECT_EQ(self->info.env_id, b.env_id);
	EXPECT_EQ(42U, b.data[0]);
	EXPECT_LE(a.time_ns, b.time_ns);
	EXPECT_GE(now, b.time_ns);
}

TEST_F(event, counters_follow_the_queue)
{
	struct exo_env_info info;
	struct exo_event ev;

	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 3));
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(3U, info.events_posted);
	EXPECT_EQ(1U, info.events_read);
	EXPECT_EQ(2U, info.events_pending);
	EXPECT_EQ(0U, info.events_lost);
}

TEST_F(event, poll_reports_pending)
{
	struct exo_event ev;
	int rev;

	EXPECT_EQ(0, exo_poll1(self->fd, POLLIN, 0));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	rev = exo_poll1(self->fd, POLLIN | POLLRDNORM, 0);
	EXPECT_TRUE(rev & POLLIN);
	EXPECT_TRUE(rev & POLLRDNORM);
	EXPECT_FALSE(rev & (POLLERR | POLLHUP | POLLNVAL));
	/* Still there until it is read. */
	EXPECT_TRUE(exo_poll1(self->fd, POLLIN, 0) & POLLIN);
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(0, exo_poll1(self->fd, POLLIN, 0));
}

struct exo_reader {
	int fd;
	int ready[2];		/* the reader says "about to block" here */
	pid_t tid;
	bool use_poll;
	int nr_events;
	ssize_t got;
	int revents;
	struct exo_event ev[2];
};

static void *exo_reader_thread(void *p)
{
	struct exo_reader *r = p;

	r->tid = syscall(SYS_gettid);
	exo_sync_send(r->ready[1], 'r');
	if (r->use_poll)
		r->revents = exo_poll1(r->fd, POLLIN, -1);
	else
		r->got = exo_raw_read(r->fd, r->ev,
				      r->nr_events * sizeof(r->ev[0]));
	return NULL;
}

static void exo_start_reader(struct __test_metadata *_metadata,
			     struct exo_reader *r, pthread_t *th, int fd,
			     bool use_poll, long sysno)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->use_poll = use_poll;
	r->nr_events = 1;
	ASSERT_EQ(0, pipe(r->ready));
	ASSERT_EQ(0, pthread_create(th, NULL, exo_reader_thread, r));
	ASSERT_EQ(0, exo_sync_recv(r->ready[0], NULL));
	/* Give it the chance to block; the test is valid either way. */
	if (!exo_wait_sleeping_in(getpid(), r->tid, sysno))
		TH_LOG("reader %d not seen asleep; raising anyway", r->tid);
}

static void exo_stop_reader(struct exo_reader *r)
{
	close(r->ready[0]);
	close(r->ready[1]);
}

TEST_F(event, blocked_read_woken_by_raise)
{
	struct exo_reader r;
	pthread_t th;

	exo_start_reader(_metadata, &r, &th, self->fd, false, SYS_read);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 0xb10c));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(EV_SZ, r.got);
	EXPECT_EQ((__u32)EXO_EVENT_USER, r.ev[0].type);
	EXPECT_EQ(0xb10cU, r.ev[0].data[0]);
	exo_stop_reader(&r);
}

TEST_F(event, blocked_poll_woken_by_raise)
{
	struct exo_reader r;
	pthread_t th;

	exo_start_reader(_metadata, &r, &th, self->fd, true, SYS_poll);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_TRUE(r.revents & POLLIN);
	exo_stop_reader(&r);
}

/* Two readers blocked at once: two events wake both, one record each. */
TEST_F(event, two_blocked_readers_two_events)
{
	struct exo_reader r1, r2;
	pthread_t t1, t2;

	exo_start_reader(_metadata, &r1, &t1, self->fd, false, SYS_read);
	exo_start_reader(_metadata, &r2, &t2, self->fd, false, SYS_read);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	ASSERT_EQ(0, pthread_join(t1, NULL));
	ASSERT_EQ(0, pthread_join(t2, NULL));
	EXPECT_EQ(EV_SZ, r1.got);
	EXPECT_EQ(EV_SZ, r2.got);
	EXPECT_EQ(3U, r1.ev[0].data[0] + r2.ev[0].data[0]);
	EXPECT_NE(r1.ev[0].seq, r2.ev[0].seq);
	exo_stop_reader(&r1);
	exo_stop_reader(&r2);
}

static void exo_noop_handler(int sig)
{
	(void)sig;
}

/* A signal ends a blocked read with EINTR (no SA_RESTART), losing nothing. */
TEST_F(event, signal_interrupts_blocked_read)
{
	struct sigaction sa = { .sa_handler = exo_noop_handler };
	struct exo_env_info info;
	struct exo_reader r;
	struct exo_event ev;
	pthread_t th;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	exo_start_reader(_metadata, &r, &th, self->fd, false, SYS_read);
	ASSERT_EQ(0, pthread_kill(th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(-EINTR, r.got);
	exo_stop_reader(&r);

	ASSERT_EQ(0, exo_raw_raise(self->fd, 5));
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(5U, ev.data[0]);
	EXPECT_EQ(1U, ev.seq);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(1U, info.events_read);
}

TEST_F(event, read_len_rules)
{
	struct exo_event ev[3];
	struct exo_env_info info;

	/* Shorter than one record: EINVAL, even with one pending. */
	EXPECT_EQ(-EINVAL, exo_raw_read(self->fd, ev, 0));
	EXPECT_EQ(-EINVAL, exo_raw_read(self->fd, ev, sizeof(ev[0]) - 1));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	EXPECT_EQ(-EINVAL, exo_raw_read(self->fd, ev, 1));
	EXPECT_EQ(-EINVAL, exo_raw_read(self->fd, ev, sizeof(ev[0]) - 1));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(1U, info.events_pending);

	/* Exactly one record's room: one record, though two are pending. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	EXPECT_EQ(EV_SZ, exo_raw_read(self->fd, ev, sizeof(ev[0])));
	EXPECT_EQ(1U, ev[0].data[0]);

	/* Room for one and a half: one whole record. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 3));
	EXPECT_EQ(EV_SZ, exo_raw_read(self->fd, ev, sizeof(ev[0]) + sizeof(ev[0]) / 2));
	EXPECT_EQ(2U, ev[0].data[0]);

	/* Room for three with two pending: two, without blocking. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 4));
	EXPECT_EQ(2 * EV_SZ, exo_raw_read(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(3U, ev[0].data[0]);
	EXPECT_EQ(4U, ev[1].data[0]);
	EXPECT_EQ(ev[0].seq + 1, ev[1].seq);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(0U, info.events_pending);
	EXPECT_EQ(4U, info.events_read);
}

TEST_F(event, nonblock_empty_eagain)
{
	struct exo_event ev;
	int fd = exo_raw_env_flags(O_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, exo_raw_read(fd, &ev, sizeof(ev)));
	close(fd);

	/* O_NONBLOCK set later with fcntl counts too, and can be undone. */
	exo_set_nonblock(_metadata, self->fd, true);
	EXPECT_EQ(-EAGAIN, exo_raw_read(self->fd, &ev, sizeof(ev)));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 9));
	EXPECT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(-EAGAIN, exo_raw_read(self->fd, &ev, sizeof(ev)));
	exo_set_nonblock(_metadata, self->fd, false);
	ASSERT_EQ(0, exo_raw_raise(self->fd, 10));
	EXPECT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(10U, ev.data[0]);
}

/*
 * O_NONBLOCK must not block, even while another thread sleeps in a
 * blocking read of the same environment. The non-blocking read runs in a
 * thread of its own; it must come back (EAGAIN) rather than be seen asleep.
 */
struct exo_nb_reader {
	int fd;
	int done[2];
	pid_t tid;
	ssize_t got;
	struct exo_event ev;
};

static void *exo_nb_reader_thread(void *p)
{
	struct exo_nb_reader *r = p;

	r->tid = syscall(SYS_gettid);
	r->got = exo_raw_read(r->fd, &r->ev, sizeof(r->ev));
	exo_sync_send(r->done[1], 'd');
	return NULL;
}

TEST_F(event, nonblock_read_while_other_reader_blocked)
{
	struct exo_nb_reader nb = { .fd = -1 };
	struct exo_reader r;
	pthread_t th, nbth;
	bool asleep = false;
	int i, dup_fd;

	/* A blocking reader holds the queue, asleep in read(2). */
	exo_start_reader(_metadata, &r, &th, self->fd, false, SYS_read);

	/* The same open file, now O_NONBLOCK: f_flags are shared. */
	dup_fd = dup(self->fd);
	ASSERT_LE(0, dup_fd);
	exo_set_nonblock(_metadata, dup_fd, true);
	nb.fd = dup_fd;
	ASSERT_EQ(0, pipe(nb.done));
	ASSERT_EQ(0, pthread_create(&nbth, NULL, exo_nb_reader_thread, &nb));

	/* Either it returns, or it is found asleep in read(2): the bug. */
	for (i = 0; i < 20000; i++) {
		if (exo_poll1(nb.done[0], POLLIN, 1) & POLLIN)
			break;
		if (nb.tid && exo_task_sleeping_in(getpid(), nb.tid, SYS_read) &&
		    exo_task_sleeping_in(getpid(), nb.tid, SYS_read)) {
			asleep = true;
			break;
		}
	}
	EXPECT_FALSE(asleep) {
		TH_LOG("an O_NONBLOCK read sleeps while another reader blocks");
	}
	/* Release whoever still waits: one record each. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	ASSERT_EQ(0, pthread_join(nbth, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	if (!asleep)
		EXPECT_EQ(-EAGAIN, nb.got);
	EXPECT_EQ(EV_SZ, r.got);
	exo_stop_reader(&r);
	close(nb.done[0]);
	close(nb.done[1]);
	close(dup_fd);
}

/* A buffer the kernel cannot write loses no record. */
TEST_F(event, read_efault_keeps_records)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct exo_env_info info;
	struct exo_event ev;
	unsigned char *map;

	ASSERT_EQ(0, exo_raw_raise(self->fd, 1));
	EXPECT_EQ(-EFAULT, exo_raw_read_addr(self->fd, 0, sizeof(ev)));
	EXPECT_EQ(-EFAULT, exo_raw_read_addr(self->fd, 1, sizeof(ev)));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(1U, info.events_pending);
	EXPECT_EQ(0U, info.events_read);

	/* Room for two, but the second straddles an unmapped page: one. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 2));
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	EXPECT_EQ(EV_SZ, exo_raw_read(self->fd, map + page - sizeof(ev) - 8,
				      2 * sizeof(ev)));
	EXPECT_EQ(1U, ((struct exo_event *)(map + page - sizeof(ev) - 8))->data[0]);
	munmap(map, 2 * page);

	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &ev, sizeof(ev)));
	EXPECT_EQ(2U, ev.data[0]);
	EXPECT_EQ(2U, ev.seq);
}

/* Raise @n events with cookies equal to the seq each will get. */
static void exo_raise_n(struct __test_metadata *_metadata, int fd,
			unsigned long long first_seq, unsigned long long n)
{
	unsigned long long i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, exo_raw_raise(fd, first_seq + i));
}

/* Read everything pending (nonblocking); the number of records. */
static size_t exo_drain(struct __test_metadata *_metadata, int fd,
			struct exo_event *evs, size_t room)
{
	size_t n = 0;
	ssize_t got;

	exo_set_nonblock(_metadata, fd, true);
	for (;;) {
		got = exo_raw_read(fd, evs + n, (room - n) * sizeof(*evs));
		if (got == -EAGAIN)
			break;
		ASSERT_LT(0, got) {
			TH_LOG("read: %s", strerror((int)-got));
		}
		ASSERT_EQ(0, got % EV_SZ);
		n += got / EV_SZ;
		if (n == room)
			break;
	}
	exo_set_nonblock(_metadata, fd, false);
	return n;
}

#define EXO_NO_QLEN_MSG	EXO_NO_DEBUGFS_MSG ": cannot read event_queue_len"

/* capacity - 1 events fit: all of them, no overflow record. */
TEST_F(event, overflow_capacity_minus_one_fits)
{
	unsigned long long c = self->qlen, i;
	struct exo_env_info info;
	size_t n;

	if (!self->qlen)
		SKIP(return, EXO_NO_QLEN_MSG);
	exo_raise_n(_metadata, self->fd, 1, c - 1);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(c - 1, info.events_pending);
	EXPECT_EQ(0U, info.events_lost);
	n = exo_drain(_metadata, self->fd, self->evs, c + 16);
	ASSERT_EQ(c - 1, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ((__u32)EXO_EVENT_USER, self->evs[i].type) {
			TH_LOG("record %llu", i);
			break;
		}
		EXPECT_EQ(i + 1, self->evs[i].seq);
		EXPECT_EQ(i + 1, self->evs[i].data[0]);
	}
}

/* capacity events: capacity - 1 records, then an overflow record for 1. */
TEST_F(event, overflow_at_capacity)
{
	unsigned long long c = self->qlen, i;
	struct exo_env_info info;
	struct exo_event *ovf;
	size_t n;

	if (!self->qlen)
		SKIP(return, EXO_NO_QLEN_MSG);
	exo_raise_n(_metadata, self->fd, 1, c);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(c, info.events_pending);
	EXPECT_EQ(c, info.events_posted);
	EXPECT_EQ(1U, info.events_lost);
	n = exo_drain(_metadata, self->fd, self->evs, c + 16);
	ASSERT_EQ(c, n);
	for (i = 0; i < c - 1; i++) {
		EXPECT_EQ((__u32)EXO_EVENT_USER, self->evs[i].type) {
			TH_LOG("record %llu", i);
			break;
		}
	}
	ovf = &self->evs[c - 1];
	EXPECT_EQ((__u32)EXO_EVENT_OVERFLOW, ovf->type);
	EXPECT_EQ(1U, ovf->data[0]);
	EXPECT_EQ(c, ovf->seq);
	EXPECT_EQ(self->info.env_id, ovf->env_id);
	EXPECT_EQ(0U, ovf->flags);
	EXPECT_LE(self->evs[c - 2].time_ns, ovf->time_ns);
}

/*
 * capacity + K events: the overflow record stands for K + 1, is numbered
 * as the first it replaces, and the stream goes on after it.
 */
TEST_F(event, overflow_beyond_capacity)
{
	const unsigned long long k = 37;
	unsigned long long c = self->qlen;
	struct exo_env_info info;
	struct exo_event ovf, next;
	size_t n;

	if (!self->qlen)
		SKIP(return, EXO_NO_QLEN_MSG);
	exo_raise_n(_metadata, self->fd, 1, c + k);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(c + k, info.events_posted);
	EXPECT_EQ(k + 1, info.events_lost);
	EXPECT_EQ(c, info.events_pending);

	n = exo_drain(_metadata, self->fd, self->evs, c + 16);
	ASSERT_EQ(c, n);
	EXPECT_EQ((__u32)EXO_EVENT_USER, self->evs[c - 2].type);
	EXPECT_EQ(c - 1, self->evs[c - 2].seq);
	ovf = self->evs[c - 1];
	EXPECT_EQ((__u32)EXO_EVENT_OVERFLOW, ovf.type);
	EXPECT_EQ(k + 1, ovf.data[0]);
	EXPECT_EQ(c, ovf.seq);

	/* After draining, new events come after the gap. */
	ASSERT_EQ(0, exo_raw_raise(self->fd, 0xaf7e5));
	ASSERT_EQ(EV_SZ, exo_raw_read(self->fd, &next, sizeof(next)));
	EXPECT_EQ((__u32)EXO_EVENT_USER, next.type);
	EXPECT_EQ(ovf.seq + ovf.data[0], next.seq);
	EXPECT_EQ(c + k + 1, next.seq);
	EXPECT_EQ(0xaf7e5U, next.data[0]);

	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(c + k + 1, info.events_posted);
	EXPECT_EQ(k + 1, info.events_lost);
	EXPECT_EQ(c + 1, info.events_read);
	EXPECT_EQ(0U, info.events_pending);
}

struct exo_stream {
	unsigned long long next;	/* seq the next record must have */
	unsigned long long lost;	/* sum of overflow counts seen */
	unsigned long long records;	/* records seen */
};

/*
 * Walk @n records of a stream: each one's seq follows on from the one
 * before, an overflow record counting for as many as it stands for. With
 * @cookie_is_seq, user records must carry their own seq as the cookie.
 */
static void __exo_stream_check(struct __test_metadata *_metadata,
			       struct exo_stream *st,
			       const struct exo_event *evs, size_t n,
			       bool cookie_is_seq)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct exo_event *ev = &evs[i];

		ASSERT_EQ(st->next, ev->seq) {
			TH_LOG("record %llu of the stream", st->records);
		}
		if (ev->type == EXO_EVENT_OVERFLOW) {
			ASSERT_LT(0U, ev->data[0]);
			st->next += ev->data[0];
			st->lost += ev->data[0];
		} else {
			ASSERT_EQ((__u32)EXO_EVENT_USER, ev->type);
			if (cookie_is_seq)
				ASSERT_EQ(ev->seq, ev->data[0]);
			st->next++;
		}
		st->records++;
	}
}

static void exo_stream_check(struct __test_metadata *_metadata,
			     struct exo_stream *st, const struct exo_event *evs,
			     size_t n)
{
	__exo_stream_check(_metadata, st, evs, n, true);
}

static void exo_stream_check_seq(struct __test_metadata *_metadata,
				 struct exo_stream *st,
				 const struct exo_event *evs, size_t n)
{
	__exo_stream_check(_metadata, st, evs, n, false);
}

/*
 * Interleave bursts of raises with partial reads. Whatever the pattern,
 * the stream accounts for every event: each user record carries the seq it
 * was raised with, each overflow record the seq of the first it stands for,
 * and the next record's seq follows on from both.
 */
TEST_F_TIMEOUT(event, stream_accounts_for_every_event, 120)
{
	struct exo_stream st = { .next = 1 };
	unsigned long long c = self->qlen, raised = 0;
	struct exo_env_info info;
	int round;
	size_t n;
	ssize_t got;

	if (!self->qlen)
		SKIP(return, EXO_NO_QLEN_MSG);
	for (round = 0; round < 12; round++) {
		unsigned long long burst = (c / 3) + round * (c / 5) + round;
		size_t want = round % 4 == 3 ? c + 16 : (size_t)(round * 7 + 1);

		exo_raise_n(_metadata, self->fd, raised + 1, burst);
		raised += burst;

		exo_set_nonblock(_metadata, self->fd, true);
		got = exo_raw_read(self->fd, self->evs, want * sizeof(*self->evs));
		exo_set_nonblock(_metadata, self->fd, false);
		ASSERT_LT(0, got);
		exo_stream_check(_metadata, &st, self->evs, got / EV_SZ);
	}
	n = exo_drain(_metadata, self->fd, self->evs, c + 16);
	exo_stream_check(_metadata, &st, self->evs, n);

	EXPECT_EQ(raised + 1, st.next);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(raised, info.events_posted);
	EXPECT_EQ(0U, info.events_pending);
	EXPECT_EQ(st.records, info.events_read);
	EXPECT_EQ(st.lost, info.events_lost);
	EXPECT_LT(0U, st.lost);
}

#define EXO_RAISERS		3
#define EXO_RAISES_EACH		1500

struct exo_raiser {
	int fd;
	int done_efd;		/* eventfd: +1 when this raiser is through */
	unsigned int id;
	int err;
};

static void *exo_raiser_thread(void *p)
{
	struct exo_raiser *r = p;
	__u64 one = 1;
	unsigned int i;

	for (i = 0; i < EXO_RAISES_EACH && !r->err; i++)
		r->err = exo_raw_raise(r->fd, ((__u64)r->id << 32) | i);
	if (write(r->done_efd, &one, sizeof(one)) != sizeof(one) && !r->err)
		r->err = errno;
	return NULL;
}

/*
 * Several threads raise at once while this one reads: every event is
 * accounted for (as a record or inside an overflow count), the seq numbers
 * run on without a gap or a repeat, and each raiser's events keep its order.
 */
TEST_F_TIMEOUT(event, concurrent_raises_and_reads_account_for_all, 300)
{
	struct exo_raiser raisers[EXO_RAISERS];
	__u64 last[EXO_RAISERS], total = EXO_RAISERS * EXO_RAISES_EACH;
	struct exo_stream st = { .next = 1 };
	pthread_t th[EXO_RAISERS];
	struct exo_env_info info;
	struct pollfd pfd[2];
	bool all_done = false;
	__u64 finished = 0, val;
	int efd, i, nr;
	ssize_t got;
	size_t n, room = 64;

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, efd);
	exo_set_nonblock(_metadata, self->fd, true);
	for (i = 0; i < EXO_RAISERS; i++) {
		raisers[i] = (struct exo_raiser){ .fd = self->fd, .done_efd = efd,
						  .id = i + 1 };
		last[i] = ~0ULL;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, exo_raiser_thread,
					    &raisers[i]));
	}

	pfd[0] = (struct pollfd){ .fd = self->fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = efd, .events = POLLIN };
	for (;;) {
		got = exo_raw_read(self->fd, self->evs, room * sizeof(*self->evs));
		if (got == -EAGAIN) {
			if (all_done)
				break;	/* raisers through and queue empty */
			ASSERT_LE(0, poll(pfd, 2, -1));
			if (read(efd, &val, sizeof(val)) == sizeof(val))
				finished += val;
			/* Once all are through, one more pass drains the rest. */
			all_done = finished == EXO_RAISERS;
			continue;
		}
		ASSERT_LT(0, got);
		n = got / EV_SZ;
		exo_stream_check_seq(_metadata, &st, self->evs, n);
		for (nr = 0; nr < (int)n; nr++) {
			struct exo_event *ev = &self->evs[nr];
			unsigned int who = ev->data[0] >> 32;
			__u64 idx = ev->data[0] & 0xffffffffULL;

			if (ev->type != EXO_EVENT_USER)
				continue;
			ASSERT_LE(1U, who);
			ASSERT_GE((unsigned int)EXO_RAISERS, who);
			/* Per raiser, in order (gaps are events lost to overflow). */
			if (last[who - 1] != ~0ULL)
				ASSERT_LT(last[who - 1], idx);
			last[who - 1] = idx;
		}
	}
	for (i = 0; i < EXO_RAISERS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0, raisers[i].err);
	}
	close(efd);

	EXPECT_EQ(total + 1, st.next);
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(total, info.events_posted);
	EXPECT_EQ(st.lost, info.events_lost);
	EXPECT_EQ(st.records, info.events_read);
	EXPECT_EQ(0U, info.events_pending);
}

TEST_F(event, event_names)
{
	EXPECT_STREQ("overflow", exo_event_name(EXO_EVENT_OVERFLOW));
	EXPECT_STREQ("user", exo_event_name(EXO_EVENT_USER));
	EXPECT_STREQ("cpu-abort", exo_event_name(EXO_EVENT_CPU_ABORT));
	EXPECT_STREQ("cpu-offline", exo_event_name(EXO_EVENT_CPU_OFFLINE));
	EXPECT_STREQ("net-down", exo_event_name(EXO_EVENT_NET_DOWN));
	EXPECT_STREQ("unknown", exo_event_name(0));
	EXPECT_STREQ("unknown", exo_event_name(EXO_EVENT_MEM_BASE));
	EXPECT_STREQ("unknown", exo_event_name(0xffffffff));
}

/* libexo's exo_event_read(): timeout 0 on empty, whole records, max. */
TEST_F(event, libexo_event_read)
{
	struct exo_event ev[4];
	struct exo *exo;

	exo = exo_open(NULL);
	ASSERT_NE(NULL, exo);
	EXPECT_EQ(0, exo_event_read(exo, ev, 4, 0));
	ASSERT_EQ(0, exo_event_raise(exo, 11));
	ASSERT_EQ(0, exo_event_raise(exo, 12));
	ASSERT_EQ(0, exo_event_raise(exo, 13));
	EXPECT_EQ(1, exo_event_read(exo, ev, 1, 0));
	EXPECT_EQ(11U, ev[0].data[0]);
	EXPECT_EQ(2, exo_event_read(exo, ev, 4, -1));
	EXPECT_EQ(12U, ev[0].data[0]);
	EXPECT_EQ(13U, ev[1].data[0]);
	EXPECT_EQ(0, exo_event_read(exo, ev, 4, 0));
	EXPECT_EQ(-EINVAL, exo_event_read(exo, ev, 0, 0));
	EXPECT_EQ(-EINVAL, exo_event_read(NULL, ev, 1, 0));
	exo_close(exo);
}

TEST_HARNESS_MAIN
