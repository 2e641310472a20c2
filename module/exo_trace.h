/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exo's tracepoints, trace system "exo": tracefs events/exo/ and
 * perf's exo:*. event.c defines them (CREATE_TRACE_POINTS); every other
 * file only calls trace_exo_*(). Kernels without CONFIG_TRACEPOINTS
 * compile the calls to nothing. What the fields hold is in README.md,
 * "Tracepoints"; enum exo_trace_kind and enum exo_trace_why are in exo.h.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM exo

#if !defined(EXO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define EXO_TRACE_H

#include <linux/tracepoint.h>

#include "exo.h"

/* Export the enum values, so that perf and trace-cmd can print the names. */
TRACE_DEFINE_ENUM(EXO_TRACE_MEM);
TRACE_DEFINE_ENUM(EXO_TRACE_CPU);
TRACE_DEFINE_ENUM(EXO_TRACE_NET);
TRACE_DEFINE_ENUM(EXO_TRACE_XN);

TRACE_DEFINE_ENUM(EXO_WHY_CALL);
TRACE_DEFINE_ENUM(EXO_WHY_UNDO);
TRACE_DEFINE_ENUM(EXO_WHY_CLOSE);
TRACE_DEFINE_ENUM(EXO_WHY_ADMIN);
TRACE_DEFINE_ENUM(EXO_WHY_PRESSURE);
TRACE_DEFINE_ENUM(EXO_WHY_DEADLINE);
TRACE_DEFINE_ENUM(EXO_WHY_EXCESS);
TRACE_DEFINE_ENUM(EXO_WHY_MOVED);
TRACE_DEFINE_ENUM(EXO_WHY_POLICY);
TRACE_DEFINE_ENUM(EXO_WHY_OFFLINE);
TRACE_DEFINE_ENUM(EXO_WHY_RING_FULL);
TRACE_DEFINE_ENUM(EXO_WHY_CHECKSUM);
TRACE_DEFINE_ENUM(EXO_WHY_SPLIT);
TRACE_DEFINE_ENUM(EXO_WHY_COPY);

#define exo_trace_show_kind(kind)				\
	__print_symbolic(kind,					\
			 { EXO_TRACE_MEM, "mem" },		\
			 { EXO_TRACE_CPU, "cpu" },		\
			 { EXO_TRACE_NET, "net" },		\
			 { EXO_TRACE_XN, "xn" })

#define exo_trace_show_why(why)					\
	__print_symbolic(why,					\
			 { EXO_WHY_CALL, "call" },		\
			 { EXO_WHY_UNDO, "undo" },		\
			 { EXO_WHY_CLOSE, "close" },		\
			 { EXO_WHY_ADMIN, "admin" },		\
			 { EXO_WHY_PRESSURE, "pressure" },	\
			 { EXO_WHY_DEADLINE, "deadline" },	\
			 { EXO_WHY_EXCESS, "excess" },		\
			 { EXO_WHY_MOVED, "moved" },		\
			 { EXO_WHY_POLICY, "policy" },		\
			 { EXO_WHY_OFFLINE, "offline" },	\
			 { EXO_WHY_RING_FULL, "ring_full" },	\
			 { EXO_WHY_CHECKSUM, "checksum" },	\
			 { EXO_WHY_SPLIT, "split" },		\
			 { EXO_WHY_COPY, "copy" })

/*
 * A resource joins or leaves an environment. @index is the frame's pool
 * index, the first slot, the filter's binding id or the block number;
 * @count how many (slots: of that CPU's vector); @cpu is -1 but for slots.
 */
DECLARE_EVENT_CLASS(exo_resource,
	TP_PROTO(u64 env_id, u32 kind, int cpu, u64 index, u32 count,
		 u32 why),
	TP_ARGS(env_id, kind, cpu, index, count, why),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u64, index)
		__field(u32, kind)
		__field(int, cpu)
		__field(u32, count)
		__field(u32, why)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->index = index;
		__entry->kind = kind;
		__entry->cpu = cpu;
		__entry->count = count;
		__entry->why = why;
	),
	TP_printk("env=%llu kind=%s cpu=%d index=%llu count=%u why=%s",
		  __entry->env_id, exo_trace_show_kind(__entry->kind),
		  __entry->cpu, __entry->index, __entry->count,
		  exo_trace_show_why(__entry->why))
);

DEFINE_EVENT(exo_resource, exo_bind,
	TP_PROTO(u64 env_id, u32 kind, int cpu, u64 index, u32 count,
		 u32 why),
	TP_ARGS(env_id, kind, cpu, index, count, why));

DEFINE_EVENT(exo_resource, exo_unbind,
	TP_PROTO(u64 env_id, u32 kind, int cpu, u64 index, u32 count,
		 u32 why),
	TP_ARGS(env_id, kind, cpu, index, count, why));

/*
 * The kernel asks for @count (revoke) or has taken @count by force
 * (abort). @revoke_id names the request; 0 for an abort no request began.
 */
DECLARE_EVENT_CLASS(exo_reclaim,
	TP_PROTO(u64 env_id, u32 kind, u32 count, u64 revoke_id, u32 why),
	TP_ARGS(env_id, kind, count, revoke_id, why),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u64, revoke_id)
		__field(u32, kind)
		__field(u32, count)
		__field(u32, why)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->revoke_id = revoke_id;
		__entry->kind = kind;
		__entry->count = count;
		__entry->why = why;
	),
	TP_printk("env=%llu kind=%s count=%u revoke_id=%llu why=%s",
		  __entry->env_id, exo_trace_show_kind(__entry->kind),
		  __entry->count, __entry->revoke_id,
		  exo_trace_show_why(__entry->why))
);

DEFINE_EVENT(exo_reclaim, exo_revoke,
	TP_PROTO(u64 env_id, u32 kind, u32 count, u64 revoke_id, u32 why),
	TP_ARGS(env_id, kind, count, revoke_id, why));

DEFINE_EVENT(exo_reclaim, exo_abort,
	TP_PROTO(u64 env_id, u32 kind, u32 count, u64 revoke_id, u32 why),
	TP_ARGS(env_id, kind, count, revoke_id, why));

/* A turn begins and its wake upcall is due: @reason is EXO_CPU_WAKE_*. */
TRACE_EVENT(exo_slot_wake,
	TP_PROTO(u64 env_id, u32 cpu, u32 slot, u32 nslots, u32 reason,
		 u64 donor),
	TP_ARGS(env_id, cpu, slot, nslots, reason, donor),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u64, donor)
		__field(u32, cpu)
		__field(u32, slot)
		__field(u32, nslots)
		__field(u32, reason)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->donor = donor;
		__entry->cpu = cpu;
		__entry->slot = slot;
		__entry->nslots = nslots;
		__entry->reason = reason;
	),
	TP_printk("env=%llu cpu=%u slot=%u nslots=%u reason=%s donor=%llu",
		  __entry->env_id, __entry->cpu, __entry->slot,
		  __entry->nslots,
		  __print_symbolic(__entry->reason,
				   { EXO_CPU_WAKE_SLOT, "slot" },
				   { EXO_CPU_WAKE_DONATED, "donated" },
				   { EXO_CPU_WAKE_SHARED, "shared" }),
		  __entry->donor)
);

/*
 * A turn ran out of time: the exit upcall (@signal, 0 for none) is due,
 * and a turn of the environment's own slots owes a yield (@owes_yield).
 */
TRACE_EVENT(exo_slot_exit,
	TP_PROTO(u64 env_id, u32 cpu, int signal, bool owes_yield),
	TP_ARGS(env_id, cpu, signal, owes_yield),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u32, cpu)
		__field(int, signal)
		__field(bool, owes_yield)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->cpu = cpu;
		__entry->signal = signal;
		__entry->owes_yield = owes_yield;
	),
	TP_printk("env=%llu cpu=%u signal=%d owes_yield=%d",
		  __entry->env_id, __entry->cpu, __entry->signal,
		  __entry->owes_yield)
);

/* No yield by the grace deadline: the excess counter is now @excess. */
TRACE_EVENT(exo_slot_excess,
	TP_PROTO(u64 env_id, u32 cpu, u32 excess, u32 limit),
	TP_ARGS(env_id, cpu, excess, limit),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u32, cpu)
		__field(u32, excess)
		__field(u32, limit)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->cpu = cpu;
		__entry->excess = excess;
		__entry->limit = limit;
	),
	TP_printk("env=%llu cpu=%u excess=%u limit=%u", __entry->env_id,
		  __entry->cpu, __entry->excess, __entry->limit)
);

/*
 * A frame of @len bytes on @ifindex that the filter @filter (its binding
 * id) claimed. Both fire in the ingress hook, under RCU and nothing else;
 * disabled, each is one static branch.
 */
TRACE_EVENT(exo_filter_match,
	TP_PROTO(u64 env_id, u32 filter, int ifindex, u32 len),
	TP_ARGS(env_id, filter, ifindex, len),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u32, filter)
		__field(int, ifindex)
		__field(u32, len)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->filter = filter;
		__entry->ifindex = ifindex;
		__entry->len = len;
	),
	TP_printk("env=%llu filter=%u ifindex=%d len=%u", __entry->env_id,
		  __entry->filter, __entry->ifindex, __entry->len)
);

/* A claimed frame that never reached the binding's ring, and @why. */
TRACE_EVENT(exo_filter_drop,
	TP_PROTO(u64 env_id, u32 filter, int ifindex, u32 len, u32 why),
	TP_ARGS(env_id, filter, ifindex, len, why),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u32, filter)
		__field(int, ifindex)
		__field(u32, len)
		__field(u32, why)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->filter = filter;
		__entry->ifindex = ifindex;
		__entry->len = len;
		__entry->why = why;
	),
	TP_printk("env=%llu filter=%u ifindex=%d len=%u why=%s",
		  __entry->env_id, __entry->filter, __entry->ifindex,
		  __entry->len, exo_trace_show_why(__entry->why))
);

/* An XN block of @type is allocated on the disk or freed, under @parent. */
DECLARE_EVENT_CLASS(exo_xn_block,
	TP_PROTO(u64 env_id, u64 block, u64 parent, u32 type),
	TP_ARGS(env_id, block, parent, type),
	TP_STRUCT__entry(
		__field(u64, env_id)
		__field(u64, block)
		__field(u64, parent)
		__field(u32, type)
	),
	TP_fast_assign(
		__entry->env_id = env_id;
		__entry->block = block;
		__entry->parent = parent;
		__entry->type = type;
	),
	TP_printk("env=%llu block=%llu parent=%llu type=%u",
		  __entry->env_id, __entry->block, __entry->parent,
		  __entry->type)
);

DEFINE_EVENT(exo_xn_block, exo_xn_alloc,
	TP_PROTO(u64 env_id, u64 block, u64 parent, u32 type),
	TP_ARGS(env_id, block, parent, type));

DEFINE_EVENT(exo_xn_block, exo_xn_free,
	TP_PROTO(u64 env_id, u64 block, u64 parent, u32 type),
	TP_ARGS(env_id, block, parent, type));

/*
 * A stage (1..4, as xn/sync.c numbers them) of a sync ended: @written
 * blocks so far, @ret 0 or the error that stopped the sync there.
 */
TRACE_EVENT(exo_xn_sync_stage,
	TP_PROTO(u32 stage, u64 written, int ret),
	TP_ARGS(stage, written, ret),
	TP_STRUCT__entry(
		__field(u64, written)
		__field(u32, stage)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->written = written;
		__entry->stage = stage;
		__entry->ret = ret;
	),
	TP_printk("stage=%u written=%llu ret=%d", __entry->stage,
		  __entry->written, __entry->ret)
);

#endif /* EXO_TRACE_H */

/* define_trace.h reads this file again from event.c's directory. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE exo_trace
#include <trace/define_trace.h>
