/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exo-fuzz internals shared by the engine (exo_fuzz.c) and the ioctl tables
 * (fz_ioctls.c, fz_<binding>.c). A binding that adds ioctls adds rows to its
 * table and, if its calls change state the fuzzer can predict, hooks that
 * model it; the engine needs no change. The services the tables call are
 * fz_util.c's, below both.
 */
#ifndef EXO_FUZZ_FZ_H
#define EXO_FUZZ_FZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/exo.h>

#define FZ_DEV		"/dev/exo"

#define FZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Largest argsz the kernel reads (a page), plus room for a canary. */
#define FZ_ARG_MAX		4096
#define FZ_CANARY		64
#define FZ_CANARY_BYTE		0xa5

/* ---- random numbers: splitmix64, one stream per worker generation ---- */

struct fz_rng {
	uint64_t s;
};

uint64_t fz_next(struct fz_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t fz_below(struct fz_rng *r, uint64_t n);
/* True with probability @percent / 100. */
bool fz_chance(struct fz_rng *r, unsigned int percent);

/* ---- the checks; each counts as one kselftest test ------------------- */

enum fz_check {
	FZ_CHK_TABLE,		/* the table has a row for every ioctl served */
	FZ_CHK_ERRNO,		/* every errno is in the call's allowed set */
	FZ_CHK_BAD,		/* clearly bad input never returns 0 */
	FZ_CHK_GOOD,		/* a valid call to a FZ_VALID_OK ioctl succeeds */
	FZ_CHK_STATE,		/* ENOTTY, EPERM, EPROTO exactly where due */
	FZ_CHK_MODEL,		/* results agree with the fuzzer's model */
	FZ_CHK_REAPED,		/* every worker and descendant reaped cleanly */
	FZ_CHK_BASELINE,	/* debugfs counters back at their baseline */
	FZ_CHK_TAINT,		/* the kernel took no new taint */
	/*
	 * Known kernel bugs: each counts as XFAIL while the bug shows, and
	 * as XPASS (which fails `make check`) once it no longer does, so
	 * that the mark is dropped when the bug is fixed.
	 */
	FZ_CHK_BUG_ALLOC_ALL_OR_NOTHING,
	FZ_CHK_BUG_PROT_NONE,
	FZ_NCHECKS
};

/* ---- a worker's view of one environment ------------------------------ */

#define FZ_XN_HELD	64

/* One queued record, as the model expects it. */
struct fz_rec {
	__u32 type;
	__u64 seq;
	__u64 d0;
};

struct fz_env {
	int fd;			/* -1: this slot holds no environment */
	bool foreign;		/* inherited over fork: another process's */
	bool handshaken;
	bool nonblock;
	int accmode;		/* O_RDONLY, O_WRONLY or O_RDWR */
	bool in_epoll;
	__u32 serial;		/* tells reopened slots apart in epoll data */
	__u64 open_seq;		/* opening order within the worker */
	__u64 id;		/* 0 until ENV_INFO or a record names it */
	__u64 created_ns;	/* 0 until ENV_INFO */
	__u64 last_time_ns;	/* newest record time read */

	/*
	 * The kernel may post records the model cannot predict here (a
	 * revocation, an abort, a grant taken back): the queue model is off
	 * and only the shape of records is checked.
	 */
	bool loose;
	/* Memory binding: the frames held, in allocation order (fz_mem.c). */
	bool frames_unknown;	/* which ones is not known any more */
	__u32 *held;
	unsigned char *held_fill;	/* what each held frame holds, 0: zeroes */
	__u32 nheld, held_cap;
	/* Network binding: filters bound (fz_net.c), the newest one's id. */
	__u32 nfilters;
	__u32 net_last_id;
	/* XN binding: blocks in this environment's registry (fz_xn.c). */
	bool xn_unknown;	/* more than FZ_XN_HELD: not modelled */
	__u32 nxn;
	__u64 xn_held[FZ_XN_HELD];
	/* CPU binding: slots held on the first managed CPU (fz_cpu.c). */
	__u32 cpu_slots;
	/* Submission ring: RING_SETUP succeeded (fz_ring.c). */
	bool ring;
	__u32 ring_size;	/* its mapping's length, with ring */

	/* The event queue as the fuzzer predicts it (fz_model_on). */
	struct fz_rec *q;	/* ring of fz_qlen records */
	__u32 qhead, qcount;
	__u64 next_seq;		/* seq the next posted event gets */
	__u64 next_read_seq;	/* seq of the oldest queued record */
	__u64 posted, consumed, lost;
};

#define FZ_ENVS		4
#define FZ_MAPS		8
#define FZ_GRANTS	8
#define FZ_REGION_TRACK	512	/* pages of a region modelled one by one */

/* Page states of a modelled region. */
enum fz_page {
	FZ_PG_UNBOUND,		/* touching it is SIGBUS */
	FZ_PG_RO,		/* bound read-only */
	FZ_PG_RW,		/* bound read-write */
	FZ_PG_UNKNOWN,		/* may have been taken away: do not predict */
};

/* A successful mmap(2) of /dev/exo: a memory region. */
struct fz_map {
	unsigned char *addr;
	size_t len;
	int prot;
	int env;		/* slot of its environment, -1 once closed */
	__u32 serial;		/* that environment's serial */
	unsigned char *state;	/* enum fz_page per page, NULL: untracked */
	__u32 *frame;		/* frame bound at each page */
};

/* A grant an environment of this worker made to another of its own. */
struct fz_grant {
	__u64 id;
	int grantor, grantee;	/* env slots */
	__u32 gserial, eserial;	/* their serials */
	__u32 first, count;
};

struct fz_worker {
	int slot;
	__u32 gen;
	pid_t fork_child;	/* non-zero in a forked child of the worker */
	struct fz_rng rng;
	/*
	 * Choices of later-added shapes, from a stream of their own, so that
	 * a seed replays the calls and arguments it always did.
	 */
	struct fz_rng shape_rng;
	struct fz_rng escape_rng;	/* when and how fz_cpu_escape() runs */
	__u64 ncalls;		/* calls made by this generation */
	__u64 call;		/* global number of the current call */
	struct fz_env env[FZ_ENVS];
	__u32 env_serial;
	__u64 open_seq;
	int epfd;
	struct fz_map maps[FZ_MAPS];
	int nmaps;
	struct fz_grant grants[FZ_GRANTS];
	int ngrants;

	/* Argument memory; see fz_arena_init(). */
	unsigned char *rw;	/* 2 pages read-write, then guard */
	unsigned char *guard;	/* PROT_NONE */
	unsigned char *ro;	/* 1 page read-only */
	unsigned char *rdbuf;	/* FZ_RDBUF bytes read-write, then rdguard */
	unsigned char *rdguard;	/* PROT_NONE */
	unsigned char *aux;	/* FZ_AUX bytes read-write: arrays the kernel reads */
};

#define FZ_AUX		(16 * 4096)

/* ---- one generated ioctl --------------------------------------------- */

enum fz_mem {
	FZ_MEM_RW,		/* in read-write memory, canary after it */
	FZ_MEM_RO,		/* on a read-only page */
	FZ_MEM_STRADDLE,	/* running into a PROT_NONE page */
	FZ_MEM_NULL,		/* NULL */
	FZ_MEM_WILD,		/* an address no user may touch */
	FZ_MEM_NONE,		/* the ioctl takes no pointer; arg is a value */
};

struct fz_call {
	const struct fz_ioctl *ioc;
	unsigned int cmd;
	unsigned char buf[FZ_ARG_MAX + FZ_CANARY];	/* staged argument */
	unsigned int len;	/* bytes of buf that are the argument */
	__u32 argsz;
	enum fz_mem mem;
	unsigned long arg;	/* what ioctl(2) gets */
	unsigned char *where;	/* the argument in memory, or NULL */
	unsigned int readable;	/* bytes the caller can read at where */
	bool bad;		/* clearly bad input: must never return 0 */
	bool flags_mutated;	/* the engine put unknown bits in flags */
	/* For hooks: what they predicted, checked in their done hook. */
	int expect;		/* 0: no prediction; -1: must succeed; errno */
	__u64 note[4];
	char why[128];		/* why it is bad, for the log */
	int err;		/* 0 or the errno ioctl(2) gave */
	int site;		/* index of the row in fz_rows */
};

/* ---- the table ------------------------------------------------------- */

#define FZ_WRITES	(1U << 0)	/* copies a result back to the argument */
#define FZ_NO_HANDSHAKE	(1U << 1)	/* served before EXO_IOC_API (it is it) */
#define FZ_VALID_OK	(1U << 2)	/* a valid argument must succeed */
#define FZ_NO_ARG	(1U << 3)	/* takes a value, not a struct: gen sets arg */
#define FZ_UNKNOWN	(1U << 4)	/* gen picks commands the kernel must not serve */
#define FZ_PREFER_STATE	(1U << 5)	/* mostly on an env holding frames or regions */

#define FZ_MAX_RESERVED	4

struct fz_ioctl {
	const char *name;
	unsigned int cmd;		/* 0 with FZ_UNKNOWN */
	unsigned int size;		/* sizeof the struct this header knows */
	unsigned int minsz;		/* argsz below this is EINVAL */
	int flags_off;			/* offset of __u32 flags, -1 if none */
	__u32 flags_known;		/* flag bits the kernel accepts */
	int reserved_off[FZ_MAX_RESERVED];	/* __u32 fields that must be 0 */
	int nreserved;
	unsigned int attrs;		/* FZ_* above */
	/*
	 * Fill the struct's own fields in c->buf (argsz, flags and reserved
	 * fields are done); call fz_bad() for what makes it invalid. With
	 * FZ_NO_ARG or FZ_UNKNOWN, set c->cmd, c->arg, c->mem and c->bad.
	 */
	void (*gen)(struct fz_worker *w, struct fz_env *e, struct fz_call *c);
	/*
	 * After the call, in the owner: check what came back against the
	 * model and update it. @out is the argument as it is in memory now
	 * (NULL if unreadable). Called for failures too (c->err != 0).
	 */
	void (*done)(struct fz_worker *w, struct fz_env *e, struct fz_call *c,
		     const unsigned char *out);
	/* An errno after which the kernel may have written the argument. */
	int writes_on_err;
	const int *errnos;		/* allowed besides EPERM/EPROTO; 0 ends */
};

/*
 * Each binding has its table of rows; fz_tables lists them (fz_ioctls.c).
 * The engine sees them as one list, fz_rows.
 */
struct fz_table {
	const struct fz_ioctl *rows;
	const size_t *nrows;
};

extern const struct fz_ioctl fz_base_ioctls[];
extern const size_t fz_base_nioctls;
extern const struct fz_ioctl fz_mem_ioctls[];
extern const size_t fz_mem_nioctls;
extern const struct fz_ioctl fz_net_ioctls[];
extern const size_t fz_net_nioctls;
extern const struct fz_ioctl fz_xn_ioctls[];
extern const size_t fz_xn_nioctls;
extern const struct fz_ioctl fz_cpu_ioctls[];
extern const size_t fz_cpu_nioctls;
extern const struct fz_ioctl fz_ring_ioctls[];
extern const size_t fz_ring_nioctls;
extern const struct fz_table fz_tables[];
extern const size_t fz_ntables;

#define FZ_MAX_ROWS	96
extern const struct fz_ioctl *fz_rows[FZ_MAX_ROWS];
extern size_t fz_nrows;

/* Memory binding hooks of fz_mem.c, called by the engine. */
struct fz_mem_pool {
	__u32 frames, colours, reserve, quota;
};
extern struct fz_mem_pool fz_pool;	/* frames == 0: no memory binding */
void fz_mem_startup(int fd);
void fz_cpu_startup(int fd);
/* A bound thread in a child tries to escape its slots (fz_cpu.c). */
int fz_cpu_escape(struct fz_worker *w);
/* One worker call in this many is followed by one. */
#define FZ_ESCAPE_EVERY	2000
void fz_mem_env_closed(struct fz_worker *w, struct fz_env *e);
int fz_mem_probe_read(void *p);
void fz_mem_mmapped(struct fz_worker *w, struct fz_env *e, void *addr,
		    size_t len, int prot);
void fz_mem_munmap(struct fz_worker *w, int i);
void fz_mem_fork_child(struct fz_worker *w);
void fz_mem_touch(struct fz_worker *w);
void fz_mem_install_probe(void);

/* XN binding hooks of fz_xn.c. */
void fz_xn_startup(int fd);

/* What the kernel said at startup (EXO_IOC_API on a fresh fd). */
extern __u32 fz_kernel_api;
extern __u64 fz_kernel_features;
extern __u64 fz_kernel_ioctls;		/* ioctl nrs 0..63 */
extern __u64 fz_kernel_ioctls_hi;	/* ioctl nrs 64..127 */
/* event_queue_len from debugfs; 0 turns the queue model off. */
extern __u32 fz_qlen;
extern bool fz_model_on;
extern size_t fz_page;

/* ---- services for the tables' hooks (fz_util.c) ---------------------- */

/* Mark the call clearly bad, naming why. */
void fz_bad(struct fz_call *c, const char *why);

/* Evaluate check @chk: false fails it, printing the message. */
bool fz_expect(struct fz_worker *w, enum fz_check chk, bool ok,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The model: a successful EVENT_RAISE posts one event. */
void fz_model_post(struct fz_env *e, __u64 cookie);
/* Compare an ENV_INFO result with the model. */
void fz_model_check_info(struct fz_worker *w, struct fz_env *e,
			 const struct exo_env_info *info);

/* True if @cmd is an ioctl the kernel serves (per its handshake). */
bool fz_nr_served(unsigned int nr);
bool fz_cmd_served(unsigned int cmd);

/* Put/get the __u32 at @off of the staged argument. */
void fz_put32(unsigned char *p, __u32 v);
__u32 fz_get32(const unsigned char *p);
/* Count a note: something the contract does not forbid, worth a line. */
void fz_note(struct fz_worker *w, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A non-zero value, or an address, that is not a valid argument. */
unsigned long fz_wild_value(struct fz_worker *w);

/* The queue model of @e is off: the kernel may post what it cannot predict. */
void fz_env_loosen(struct fz_env *e);
/* Count a probe of a region's page in the histogram: 0, SIGBUS or SIGSEGV. */
void fz_count_touch(int sig);

#endif /* EXO_FUZZ_FZ_H */
