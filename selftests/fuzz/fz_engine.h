/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exo-fuzz internals of the engine, shared by its units from the top down:
 * exo_fuzz.c (settings, the worker loop, the parent), fz_ops.c (a worker's
 * operations), fz_call.c (one ioctl built and checked) and fz_util.c
 * (shared memory, the current call, output, the queue model, the budget).
 * The tables need only fz.h.
 */
#ifndef EXO_FUZZ_FZ_ENGINE_H
#define EXO_FUZZ_FZ_ENGINE_H

#include <stdarg.h>

#include "fz.h"

#define FZ_DEFAULT_CALLS	50000
#define FZ_RDBUF		(64 * 1024)
#define FZ_EV			((ssize_t)sizeof(struct exo_event))
#define FZ_MAX_WORKERS		64
#define FZ_MAX_REPORTS		8	/* failures printed per check */
#define FZ_ERRNO_SLOTS		136
#define FZ_MAX_SITES		96	/* ioctl rows and operations, in the histogram */

extern const char *const fz_check_names[FZ_NCHECKS];
extern const char *const fz_known_bugs[FZ_NCHECKS];
extern const char *const fz_mem_names[];

/* ---- state shared by the parent and every worker ---------------------- */

struct fz_slot_shared {
	__u64 calls;		/* calls made by the current generation */
	__u64 kill_at;		/* the parent kills it here; 0: never */
};

struct fz_shared {
	__u64 claimed;		/* calls handed out, across workers */
	__u64 evals[FZ_NCHECKS];
	__u64 fails[FZ_NCHECKS];
	__u64 forks, reopens, bursts;
	struct {
		int used;
		char what[64];
		__u64 n;
	} notes[8];
	__u64 hist[FZ_MAX_SITES][FZ_ERRNO_SLOTS];	/* [site][errno], 0: ok */
	struct fz_slot_shared slot[FZ_MAX_WORKERS];
};

extern __u64 fz_seed;
extern __u64 fz_budget;
extern __u64 fz_tenth;
extern int fz_notify_fd;
extern struct fz_shared *fz_sh;

/* What the current call is, for failure reports. */
struct fz_cur {
	const char *op;
	struct fz_env *env;
	struct fz_call *call;
	char extra[160];
};

extern struct fz_cur fz_cur;

/* Operations other than an ioctl, for the result histogram. */
enum fz_op_id {
	FZ_OP_IOCTL,
	FZ_OP_READ,
	FZ_OP_READ_INTR,
	FZ_OP_POLL,
	FZ_OP_EPOLL,
	FZ_OP_MMAP,
	FZ_OP_MUNMAP,
	FZ_OP_FCNTL,
	FZ_OP_DUP,
	FZ_OP_REOPEN,
	FZ_OP_BURST,
	FZ_OP_FORK,
	FZ_OP_TOUCH,
	FZ_OP_CPU_ESCAPE,	/* not picked: see fz_worker_main() */
	FZ_NOPS
};

static inline int fz_op_site(enum fz_op_id op)
{
	return FZ_MAX_SITES - 1 - op;
}

/* ---- fz_util.c -------------------------------------------------------- */

__u64 fz_mix(__u64 z);
void fz_rng_init(struct fz_rng *r, int slot, __u32 gen, __u64 salt);
void fz_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fz_errname(int err);
void fz_cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool fz_in(const int *set, int err);
void fz_set_names(char *buf, size_t len, const int *set, int extra1,
		  int extra2);
void fz_count(int site, int err);
void fz_env_reset(struct fz_env *e);
void fz_env_init(struct fz_worker *w, struct fz_env *e, int fd, int oflags);
void fz_model_take(struct fz_worker *w, struct fz_env *e,
		   const struct exo_event *ev, int nth);

void fz_notify(unsigned char what);
/* Claim @n more calls of the budget; how many were granted. */
__u64 fz_claim(struct fz_worker *w, __u64 n);

/* ---- fz_call.c -------------------------------------------------------- */

int fz_arena_init(struct fz_worker *w);
void fz_run_ioctl(struct fz_worker *w, struct fz_env *e, size_t row);

/* ---- fz_ops.c --------------------------------------------------------- */

struct fz_op {
	const char *name;
	unsigned int weight;
	bool in_fork_child;	/* also run by a forked child */
	void (*run)(struct fz_worker *w);
};

extern const struct fz_op fz_ops[FZ_NOPS];

void fz_alarm(int sig);
void fz_run_op(struct fz_worker *w, const struct fz_op *op);
const struct fz_op *fz_pick_op(struct fz_worker *w);

#endif /* EXO_FUZZ_FZ_ENGINE_H */
