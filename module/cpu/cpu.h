/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU binding's internals, shared by the files of module/cpu/ and the
 * scheduling policies (sched_*.c). A policy sees the vector and the seats; it never sleeps and
 * is always called with the vector's lock held, in any context.
 */
#ifndef EXO_CPU_H
#define EXO_CPU_H

#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/sched/types.h>

#include "../binding.h"
#include "../compat.h"
#include "../core/slots.h"
#include "../exo.h"
#include "../exo_trace.h"
#include "../uapi_copy.h"

struct exo_cpu_vec;

/*
 * A seat: one environment on one managed CPU. Every environment has a seat
 * on every managed CPU (env->cpu.seats) for its whole life; the vector names
 * a slot's owner by its seat. Fields marked (vec) are under vec->lock.
 */
struct exo_cpu_seat {
	struct exo_env *env;		/* immutable */
	struct exo_cpu_vec *vec;	/* immutable */
	struct task_struct *task;	/* (vec) the bound thread, referenced */
	int signal;			/* (vec) exit upcall signal, or 0 */
	bool share;			/* (vec) wants unbooked time (vector-share) */
	struct list_head bound_node;	/* (vec) in vec->bound while bound */
	bool waiting;			/* (vec) the thread sleeps in WAIT */
	bool owes_yield;		/* (vec) a timed turn end not yet answered */
	bool signal_pending;		/* (vec) exit upcall for the worker */
	u32 excess_pending;		/* (vec) excesses for the worker */
	u8 fifo;			/* (vec) the SCHED_FIFO priority last
					 * applied; 0: SCHED_NORMAL
					 */
	struct mutex policy_lock;	/* orders applying it: see exo_seat_sync_policy() */
	u64 wake_seq;			/* (vec) turns begun while bound */
	u64 claimed_seq;		/* (vec) the last turn WAIT returned */
	u32 missed;			/* (vec) turns begun and never claimed */
	struct exo_cpu_wake wake;	/* (vec) the record of the latest turn */
	wait_queue_head_t wq;		/* the bound thread in WAIT */
	cpumask_var_t saved_mask;	/* the thread's CPUs before BIND */
	struct list_head caps_out;	/* (vec) exo_cpu_cap.grantor_node */
	struct list_head caps_in;	/* (vec) exo_cpu_cap.grantee_node */
};

/*
 * A capability of kind EXO_CAP_CPU: slots [@first, @first + @count) of
 * @grantor's run @grantee's bound thread instead, while it lives. It is
 * linked in both seats and in vec->caps[] of its slots, all under the
 * vector's lock, so the hrtimer sees it without anything else.
 */
struct exo_cpu_cap {
	u64 id;				/* immutable */
	struct exo_cpu_seat *grantor;	/* immutable */
	struct exo_cpu_seat *grantee;	/* immutable */
	u64 grantee_id;			/* immutable: to post once it may be gone */
	u32 cpu;			/* immutable: the vector's, likewise */
	u32 first;			/* immutable */
	u32 count;			/* immutable */
	bool used;			/* (vec) a turn through it woke the grantee */
	bool notify;			/* set when dropped: tell the grantee */
	struct list_head grantor_node;	/* (vec) in grantor->caps_out; dropped:
					 * in a list to post and free
					 */
	struct list_head grantee_node;	/* (vec) in grantee->caps_in */
};

/*
 * The scheduling policy: the slot machinery calls it at each decision.
 * Shaped like struct sched_ext_ops, whose hooks the stock kernels here do
 * not have (CONFIG_SCHED_CLASS_EXT is off); the sched_ext name of each hook
 * is given. Every hook runs under vec->lock, possibly in hardirq context.
 */
struct exo_sched_ops {
	const char *name;
	/*
	 * ~ dispatch(): who runs slot @slot, whose turn it is (@owner: its
	 * holder, or the grantee of a live cap on it; NULL if nobody). NULL
	 * leaves the slot to Linux.
	 */
	struct exo_cpu_seat *(*pick)(struct exo_cpu_vec *vec, u32 slot,
				     struct exo_cpu_seat *owner);
	/* ~ running(): @seat's turn begins. Optional. */
	void (*slot_begin)(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat);
	/* ~ stopping(): @seat's turn ends, by time or yield. Optional. */
	void (*slot_end)(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat);
	/*
	 * ~ yield(from, to): @from gave up the rest of its turn, to @to if
	 * directed (@to's thread is waiting). Who runs the rest, or NULL.
	 */
	struct exo_cpu_seat *(*yield)(struct exo_cpu_vec *vec,
				      struct exo_cpu_seat *from,
				      struct exo_cpu_seat *to);
	/* ~ tick(): every timer expiry of the vector. Optional. */
	void (*tick)(struct exo_cpu_vec *vec);
};

/* One managed CPU's slot vector. Fields marked (lock) are under @lock. */
struct exo_cpu_vec {
	u32 cpu;			/* immutable */
	u32 index;			/* immutable: position among managed CPUs */
	spinlock_t lock;		/* taken in hardirq: always irqsave */
	struct exo_slotvec slots;	/* (lock) owners are seat pointers */
	struct exo_cpu_cap *caps[EXO_CPU_SLOTS_MAX]; /* (lock) a slot's live cap */
	u64 k;				/* (lock) slot number since the epoch */
	struct exo_cpu_seat *runner;	/* (lock) whose turn runs, or NULL */
	u64 turn_end;			/* (lock) when the running turn ends */
	u32 turn_reason;		/* (lock) EXO_CPU_WAKE_* of that turn */
	u32 share_rr;			/* (lock) vector-share's round robin */
	struct exo_cpu_seat *grace_seat; /* (lock) owes a yield by grace_deadline */
	u64 grace_deadline;		/* (lock) */
	struct list_head bound;		/* (lock) seats with a bound thread */
	bool offline;			/* (lock; READ_ONCE for a snapshot)
					 * the CPU went offline: no booking,
					 * binding or turns
					 */
	struct hrtimer timer;		/* slot boundaries and grace deadlines */
	struct kthread_worker *worker;	/* SCHED_FIFO on @cpu: priorities, signals */
	struct kthread_work work;
};

static inline struct exo_cpu_seat *exo_slot_owner(struct exo_cpu_vec *vec,
						  u32 slot)
{
	return (struct exo_cpu_seat *)(uintptr_t)vec->slots.owner[slot];
}

/* Whose turn slot @slot is: a live cap's grantee, else its owner, or NULL. */
static inline struct exo_cpu_seat *exo_slot_runner(struct exo_cpu_vec *vec,
						   u32 slot)
{
	struct exo_cpu_cap *cap = vec->caps[slot];

	return cap ? cap->grantee : exo_slot_owner(vec, slot);
}

/* A turn of the seat's own or granted slots, not a donated or shared rest. */
static inline bool exo_turn_of_slots(u32 reason)
{
	return reason == EXO_CPU_WAKE_SLOT || reason == EXO_CPU_WAKE_GRANTED;
}

/*
 * Whether @vec's CPU is offline or on its way: from its deactivation on,
 * the scheduler pushes threads off it, so nothing may begin or be raised.
 */
static inline bool exo_vec_going_down(const struct exo_cpu_vec *vec)
{
	return READ_ONCE(vec->offline) || !cpu_active(vec->cpu);
}

extern const struct exo_sched_ops exo_sched_vector;
extern const struct exo_sched_ops exo_sched_vector_share;

/* ---- the binding's own files ---------------------------------------- */

#define EXO_QUANTUM_US_MIN	1000
#define EXO_QUANTUM_US_MAX	1000000
#define EXO_CPU_REVOKE_MS_MAX	60000
#define EXO_SIGNAL_MIN		32	/* the kernel's SIGRTMIN */

#define EXO_CPU_INFO_MINSZ	offsetofend(struct exo_cpu_info, policy)
#define EXO_CPU_SLOTS_MINSZ	offsetofend(struct exo_cpu_slots, mask)
#define EXO_CPU_QUERY_MINSZ	offsetofend(struct exo_cpu_query, mine)
#define EXO_CPU_BIND_MINSZ	offsetofend(struct exo_cpu_bind, signal)
#define EXO_CPU_WAKE_MINSZ	offsetofend(struct exo_cpu_wake, seq)
#define EXO_CPU_YIELD_MINSZ	offsetofend(struct exo_cpu_yield, target)
#define EXO_CPU_REVOKE_MINSZ	offsetofend(struct exo_cpu_revoke, env_id)

/* cpu.c */
u64 exo_seat_token(const struct exo_cpu_seat *seat);
struct exo_cpu_vec *exo_vec_of(u32 cpu);
struct exo_cpu_seat *exo_my_seat(struct exo_env *env);
bool exo_current_bound_anywhere(void);
bool exo_seat_live(const struct exo_cpu_seat *seat);
void exo_vec_kick(struct exo_cpu_vec *vec);
u64 exo_cpus_online(void);
void exo_vec_timer_start(void *arg);

/* turn.c */
void exo_page_counts(struct exo_env *env);
void exo_page_offline(struct exo_cpu_seat *seat, bool offline);
void exo_turn_end(struct exo_cpu_vec *vec, u64 when, bool timed);
void exo_turn_yield(struct exo_cpu_vec *vec, struct exo_cpu_seat *seat,
		    struct exo_cpu_seat *to);
void exo_seat_answered(struct exo_cpu_vec *vec,
		       struct exo_cpu_seat *seat);
enum hrtimer_restart exo_vec_timer(struct hrtimer *timer);

/* worker.c */
void exo_task_set_policy(struct task_struct *task, u8 fifo);
bool exo_task_realtime(struct task_struct *task);
void exo_seat_sync_policy(struct exo_cpu_seat *seat, bool turn_claimed);
bool exo_vec_needs_worker(struct exo_cpu_vec *vec);
void exo_vec_kick_if_needed(struct exo_cpu_vec *vec);
void exo_vec_work(struct kthread_work *work);
u32 exo_seat_release(struct exo_cpu_seat *seat, u32 why);
void exo_cpu_abort(struct exo_env *env, u32 reason);

/* slots.c */
u32 exo_env_turns_max(void);
long exo_cpu_info_ioctl(struct exo_env *env, void __user *uarg);
long exo_cpu_book_ioctl(struct exo_env *env, void __user *uarg);
long exo_cpu_free_ioctl(struct exo_env *env, void __user *uarg);
long exo_cpu_query_ioctl(struct exo_env *env, void __user *uarg);
void exo_cpu_revoke_deadline(struct work_struct *work);
long exo_cpu_revoke_ioctl(struct exo_env *env, void __user *uarg);

/* thread.c */
void exo_seat_unbind(struct exo_cpu_seat *seat, bool restore);
long exo_cpu_bind_ioctl(struct exo_env *env, void __user *uarg);
long exo_cpu_unbind_ioctl(struct exo_env *env, void __user *uarg);
struct exo_cpu_seat *exo_target_seat(struct exo_cpu_vec *vec, u64 id);
long exo_cpu_wait_ioctl(struct exo_env *env, void __user *uarg);

/* slots.c: the test hook that holds CPU_BOOK (debugfs "cpu_hold") */
extern u32 exo_cpu_hold;
extern atomic_t exo_cpu_held_book;

/* grant.c: EXO_CAP_CPU */
int exo_cpu_cap_grant(struct exo_env *env, struct exo_cap *req);
int exo_cpu_cap_revoke(struct exo_env *env, u64 cap_id);
u32 exo_seat_granted(struct exo_cpu_seat *seat);
void exo_seat_drop_caps(struct exo_cpu_seat *seat, const u64 *mask,
			struct list_head *dead);
void exo_vec_drop_caps(struct exo_cpu_vec *vec, struct list_head *dead);
void exo_caps_finish(struct list_head *dead);
void exo_caps_finish_later(struct list_head *dead);
void exo_caps_exit(void);

/* hotplug.c */
int exo_cpu_hotplug_init(void);
void exo_cpu_hotplug_exit(void);

/* yield.c */
long exo_cpu_yield_ioctl(struct exo_env *env, void __user *uarg);

/* cpu.c: parameters and the vectors, immutable after init */
extern uint exo_nslots;
extern uint exo_max_excess;
extern uint exo_env_slots;
extern const struct exo_sched_ops *exo_ops; /* immutable after init */
extern u32 exo_nvecs;
extern u64 exo_cpus_mask; /* bit n: CPU n is managed */
extern u64 exo_epoch_ns;
extern u64 exo_quantum_ns;
extern u64 exo_grace_ns;
extern atomic64_t exo_cpu_revoke_ids;

#endif /* EXO_CPU_H */
