// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the XN binding (EXO_IOC_XN_*).
 *
 * The model: which blocks each environment has in its registry, which ENV_INFO
 * and XN_INFO must report as held. To reach past the first checks, a worker
 * installs a type of a small format of its own (eight u64 pointers to data
 * blocks, an acl that allows everything) and roots of it, learns them (from
 * its own installs or lookups), and aims most reads and allocations at them;
 * the rest are random. Names come from small pools, so the fuzzer takes
 * a few catalogue entries, never all; it also removes them (TYPE_REMOVE,
 * ROOT_REMOVE), which a busy entry refuses (EBUSY), and a name nobody
 * installs (fz-none-*) is always ENOENT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fz.h"

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

#define FZ_XN_KNOWN	8
#define FZ_XN_POOL	4	/* names of each kind */

static __u64 fz_xn_nblocks, fz_xn_data_start;
/* Per worker process: the roots and types it made. */
static __u64 fz_xn_root[FZ_XN_KNOWN];
static __u32 fz_xn_root_type[FZ_XN_KNOWN];
static unsigned int fz_xn_nroots;
static __u32 fz_xn_type[FZ_XN_KNOWN];
static unsigned int fz_xn_ntypes;

void fz_xn_startup(int fd)
{
	struct exo_xn_info info;

	if (!(fz_kernel_ioctls_hi & (1ULL << (EXO_NR_XN_INFO - 64))))
		return;
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (ioctl(fd, EXO_IOC_XN_INFO, &info))
		return;
	fz_xn_nblocks = info.nblocks;
	fz_xn_data_start = info.data_start;
}

static void fz_xn_hold(struct fz_env *e, __u64 block)
{
	__u32 i;

	for (i = 0; i < e->nxn; i++)
		if (e->xn_held[i] == block)
			return;
	if (e->nxn == FZ_XN_HELD) {
		e->xn_unknown = true;
		return;
	}
	e->xn_held[e->nxn++] = block;
}

static void fz_xn_unhold(struct fz_env *e, __u64 block)
{
	__u32 i;

	for (i = 0; i < e->nxn; i++)
		if (e->xn_held[i] == block) {
			e->xn_held[i] = e->xn_held[--e->nxn];
			return;
		}
}

static __u64 fz_xn_any_block(struct fz_worker *w)
{
	if (fz_xn_nblocks && fz_chance(&w->rng, 90))
		return fz_xn_data_start +
		       fz_below(&w->rng, fz_xn_nblocks - fz_xn_data_start);
	return fz_next(&w->rng) >> fz_below(&w->rng, 64);
}

static __u64 fz_xn_held_block(struct fz_worker *w, struct fz_env *e)
{
	if (e->nxn && fz_chance(&w->rng, 85))
		return e->xn_held[fz_below(&w->rng, e->nxn)];
	return fz_xn_any_block(w);
}

/*
 * Names come from small pools shared by every worker, so that however
 * long the fuzzer runs it takes a handful of catalogue entries (they are
 * permanent) and leaves the rest to the tests that follow it.
 */
static void fz_xn_name(struct fz_worker *w, char *name, const char *kind)
{
	if (fz_chance(&w->rng, 3)) {
		memset(name, 'x', EXO_XN_NAME_MAX);	/* no NUL: too long */
		return;
	}
	snprintf(name, EXO_XN_NAME_MAX, "fz-%s-%u", kind,
		 (unsigned int)fz_below(&w->rng, FZ_XN_POOL));
}

/* The worker's format: eight u64 pointers at 0, each to a data block. */
static __u32 fz_xn_good_owns(struct exo_udf_insn *p)
{
	static const struct exo_udf_insn prog[] = {
		{ EXO_UDF_LDI, 1, 0, 0, 1 },
		{ EXO_UDF_LDI, 2, 0, 0, EXO_XN_TYPE_DATA },
		{ EXO_UDF_LOOP, 5, 0, 0, 8 },
		{ EXO_UDF_MOV, 6, 5, 0, 0 },
		{ EXO_UDF_SHL_K, 6, 0, 0, 3 },
		{ EXO_UDF_LDD_X, 4, 6, 0, 0 },
		{ EXO_UDF_JEQ_K, 4, 0, 1, 0 },
		{ EXO_UDF_EMIT, 4, 1, 2, 0 },
		{ EXO_UDF_ENDLOOP, 0, 0, 0, 0 },
		{ EXO_UDF_RET_K, 0, 0, 0, 0 },
	};

	memcpy(p, prog, sizeof(prog));
	return FZ_ARRAY_SIZE(prog);
}

static const int fz_errs_xn_info[] = { EFAULT, EINVAL, E2BIG, 0 };
static const int fz_errs_xn_type[] = {
	EFAULT, EINVAL, E2BIG, EEXIST, ENOSPC, ENOENT, EIO, ENOMEM, 0,
};
static const int fz_errs_xn_root[] = {
	EFAULT, EINVAL, E2BIG, EEXIST, EBUSY, ENOSPC, ENOENT, EIO, ENOMEM, 0,
};
/* EPERM: the type's owns() claims blocks of a zeroed root (fz-const-*). */
static const int fz_errs_xn_root_install[] = {
	EFAULT, EINVAL, E2BIG, EEXIST, EBUSY, ENOSPC, ENOENT, EIO, ENOMEM,
	EPERM, 0,
};
/* EDQUOT: past view_max; ENOBUFS: a cache of cache_max held blocks. */
static const int fz_errs_xn_read[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, EPERM, EACCES, EBUSY, EIO, ENOMEM,
	EDQUOT, ENOBUFS, 0,
};
/*
 * EPERM: another uid's entry (a worker without CAP_SYS_ADMIN); EBUSY: a
 * type with a root or a block, a root that owns one or is held.
 */
static const int fz_errs_xn_remove[] = {
	EFAULT, EINVAL, E2BIG, ENOENT, EPERM, EBUSY, EIO, ENOMEM, 0,
};
static const int fz_errs_xn_sync[] = {
	EFAULT, EINVAL, E2BIG, EPERM, EIO, ENOMEM, 0,
};

/* ---- INFO ---------------------------------------------------------------- */

static void fz_gen_xn_info(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	struct exo_xn_info *info = (struct exo_xn_info *)c->buf;

	(void)e;
	info->hint = fz_chance(&w->rng, 50) ? 0 : fz_xn_any_block(w);
}

static void fz_done_xn_info(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c, const unsigned char *out)
{
	struct exo_xn_info info;

	if (c->err || !out)
		return;
	memcpy(&info, out, sizeof(info));
	fz_expect(w, FZ_CHK_MODEL,
		  info.nblocks == fz_xn_nblocks &&
		  info.data_start == fz_xn_data_start &&
		  info.free_blocks <= info.nblocks &&
		  (!info.hint || (info.hint >= info.data_start &&
				  info.hint < info.nblocks)) &&
		  !info.reserved,
		  "XN_INFO nblocks %llu data_start %llu free %llu hint %llu",
		  (unsigned long long)info.nblocks,
		  (unsigned long long)info.data_start,
		  (unsigned long long)info.free_blocks,
		  (unsigned long long)info.hint);
	if (!e->xn_unknown && !e->loose)
		fz_expect(w, FZ_CHK_MODEL, info.held == e->nxn,
			  "XN_INFO held %u, model %u", info.held, e->nxn);
}

/* ---- types --------------------------------------------------------------- */

static void fz_gen_xn_type_install(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c)
{
	struct exo_xn_type *t = (struct exo_xn_type *)c->buf;
	struct exo_udf_insn *owns = (struct exo_udf_insn *)w->aux;
	struct exo_udf_insn *acl = owns + EXO_UDF_MAX_INSNS + 1;
	__u32 i;

	(void)e;
	t->owns = (__u64)(unsigned long)owns;
	t->acl = (__u64)(unsigned long)acl;
	if (fz_chance(&w->rng, 60)) {
		/* One name for the worker format: the first install wins. */
		snprintf(t->name, sizeof(t->name), "fz-format");
		t->owns_len = fz_xn_good_owns(owns);
		acl[0] = (struct exo_udf_insn){ EXO_UDF_RET_K, 0, 0, 0, 1 };
		t->acl_len = 1;
		c->note[0] = 1;		/* the worker's format */
	} else {
		fz_xn_name(w, t->name, "junk");
		if (!memchr(t->name, 0, sizeof(t->name)))
			fz_bad(c, "name without NUL");
		t->owns_len = fz_below(&w->rng, EXO_UDF_MAX_INSNS + 2);
		t->acl_len = 1 + fz_below(&w->rng, 8);
		for (i = 0; i < t->owns_len; i++) {
			owns[i].code = fz_next(&w->rng) & 0x7f;
			owns[i].dst = fz_below(&w->rng, 17);
			owns[i].src = fz_below(&w->rng, 17);
			owns[i].aux = fz_below(&w->rng, 4);
			owns[i].imm = (__s32)fz_below(&w->rng, 4100);
		}
		for (i = 0; i < t->acl_len; i++)
			acl[i] = owns[i % (t->owns_len ? t->owns_len : 1)];
		acl[t->acl_len - 1] = (struct exo_udf_insn){ EXO_UDF_RET_K, 0, 0, 0, 0 };
		if (!t->owns_len || t->owns_len > EXO_UDF_MAX_INSNS)
			fz_bad(c, "owns length out of range");
		/*
		 * An owns() that claims a constant block whatever the parent
		 * says, as one once claimed another libFS's data. Chosen from
		 * the shape stream, after the junk, so seeds replay.
		 */
		if (!c->bad && fz_chance(&w->shape_rng, 30)) {
			__s32 block = fz_xn_nblocks ?
				      (__s32)(fz_xn_data_start +
					      fz_below(&w->shape_rng,
						       fz_xn_nblocks -
						       fz_xn_data_start)) : 64;

			snprintf(t->name, sizeof(t->name), "fz-const-%u",
				 (unsigned int)fz_below(&w->shape_rng, 4));
			owns[0] = (struct exo_udf_insn){ EXO_UDF_LDI, 4, 0, 0, block };
			owns[1] = (struct exo_udf_insn){ EXO_UDF_LDI, 1, 0, 0, 1 };
			owns[2] = (struct exo_udf_insn){ EXO_UDF_LDI, 2, 0, 0,
							 EXO_XN_TYPE_DATA };
			owns[3] = (struct exo_udf_insn){ EXO_UDF_EMIT, 4, 1, 2, 0 };
			owns[4] = (struct exo_udf_insn){ EXO_UDF_RET_K, 0, 0, 0, 0 };
			t->owns_len = 5;
			acl[0] = (struct exo_udf_insn){ EXO_UDF_RET_K, 0, 0, 0, 1 };
			t->acl_len = 1;
		}
	}
}

static void fz_done_xn_type_install(struct fz_worker *w, struct fz_env *e,
				    struct fz_call *c,
				    const unsigned char *out)
{
	const struct exo_xn_type *t = (const struct exo_xn_type *)out;

	(void)e;
	if (c->err || !out || !c->note[0])
		return;
	fz_expect(w, FZ_CHK_MODEL,
		  t->type_id >= 1 && t->type_id <= EXO_XN_TYPES_MAX,
		  "XN_TYPE_INSTALL gave type %u", t->type_id);
	fz_xn_type[fz_xn_ntypes++ % FZ_XN_KNOWN] = t->type_id;
}

static void fz_gen_xn_type_lookup(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_xn_type *t = (struct exo_xn_type *)c->buf;

	(void)e;
	if (fz_chance(&w->rng, 50))
		snprintf(t->name, sizeof(t->name), "fz-format");
	else
		fz_xn_name(w, t->name, fz_chance(&w->rng, 50) ? "junk" : "none");
	if (!memchr(t->name, 0, sizeof(t->name)))
		fz_bad(c, "name without NUL");
	if (fz_chance(&w->rng, 50)) {
		t->owns = (__u64)(unsigned long)w->aux;
		t->owns_len = fz_below(&w->rng, EXO_UDF_MAX_INSNS + 1);
	}
}

static void fz_done_xn_type_lookup(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_type *t = (const struct exo_xn_type *)out;

	(void)w;
	(void)e;
	if (c->err || !out || strcmp(t->name, "fz-format"))
		return;
	fz_xn_type[fz_xn_ntypes++ % FZ_XN_KNOWN] = t->type_id;
}

/* ---- roots --------------------------------------------------------------- */

static void fz_gen_xn_root_install(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c)
{
	struct exo_xn_root *r = (struct exo_xn_root *)c->buf;

	(void)e;
	fz_xn_name(w, r->name, "r");
	if (!memchr(r->name, 0, sizeof(r->name)))
		fz_bad(c, "name without NUL");
	if (fz_xn_ntypes && fz_chance(&w->rng, 80))
		r->type_id = fz_xn_type[fz_below(&w->rng,
					 fz_xn_ntypes < FZ_XN_KNOWN ?
					 fz_xn_ntypes : FZ_XN_KNOWN)];
	else
		r->type_id = fz_below(&w->rng, EXO_XN_TYPES_MAX + 2);
	if (r->type_id == EXO_XN_TYPE_DATA)
		fz_bad(c, "a root of the data type");
	r->block = fz_chance(&w->rng, 70) ? 0 : fz_xn_any_block(w);
	c->note[0] = r->type_id;
}

static void fz_done_xn_root_install(struct fz_worker *w, struct fz_env *e,
				    struct fz_call *c,
				    const unsigned char *out)
{
	const struct exo_xn_root *r = (const struct exo_xn_root *)out;

	(void)e;
	if (c->err || !out)
		return;
	fz_expect(w, FZ_CHK_MODEL,
		  r->block >= fz_xn_data_start && r->block < fz_xn_nblocks,
		  "XN_ROOT_INSTALL gave block %llu",
		  (unsigned long long)r->block);
	fz_xn_root[fz_xn_nroots % FZ_XN_KNOWN] = r->block;
	fz_xn_root_type[fz_xn_nroots++ % FZ_XN_KNOWN] = (__u32)c->note[0];
}

static void fz_gen_xn_root_lookup(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_xn_root *r = (struct exo_xn_root *)c->buf;

	(void)e;
	fz_xn_name(w, r->name, fz_chance(&w->rng, 80) ? "r" : "none");
	if (!memchr(r->name, 0, sizeof(r->name)))
		fz_bad(c, "name without NUL");
}

static void fz_done_xn_root_lookup(struct fz_worker *w, struct fz_env *e,
				   struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_root *r = (const struct exo_xn_root *)out;

	(void)e;
	if (c->err || !out)
		return;
	fz_expect(w, FZ_CHK_MODEL,
		  r->block >= fz_xn_data_start && r->block < fz_xn_nblocks,
		  "XN_ROOT_LOOKUP gave block %llu",
		  (unsigned long long)r->block);
	fz_xn_root[fz_xn_nroots % FZ_XN_KNOWN] = r->block;
	fz_xn_root_type[fz_xn_nroots++ % FZ_XN_KNOWN] = r->type_id;
}

/* ---- removal -------------------------------------------------------------- */

/* A name of @kind, or (c->note[1] set) of the pool nobody installs. */
static void fz_xn_remove_name(struct fz_worker *w, struct fz_call *c,
			      char *name, const char *kind)
{
	bool none = fz_chance(&w->rng, 20);

	fz_xn_name(w, name, none ? "none" : kind);
	if (!memchr(name, 0, EXO_XN_NAME_MAX))
		fz_bad(c, "name without NUL");
	else if (none)
		c->note[1] = 1;
}

static void fz_gen_xn_type_remove(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_xn_type *t = (struct exo_xn_type *)c->buf;
	unsigned int n = fz_xn_ntypes < FZ_XN_KNOWN ? fz_xn_ntypes : FZ_XN_KNOWN;
	unsigned int pick = fz_below(&w->rng, 100);

	(void)e;
	if (pick < 25) {
		/* Busy while any worker's root has it; else it goes. */
		snprintf(t->name, sizeof(t->name), "fz-format");
	} else if (pick < 60) {
		fz_xn_remove_name(w, c, t->name,
				  fz_chance(&w->rng, 50) ? "junk" : "const");
	} else {
		/* By number alone: known, random, or out of range. */
		t->type_id = n && fz_chance(&w->rng, 60) ?
			     fz_xn_type[fz_below(&w->rng, n)] :
			     fz_below(&w->rng, EXO_XN_TYPES_MAX + 2);
		if (t->type_id == EXO_XN_TYPE_DATA)
			fz_bad(c, "by number, the built-in data type");
		else if (t->type_id > EXO_XN_TYPES_MAX)
			fz_bad(c, "type number out of range");
	}
	if (t->name[0] && fz_chance(&w->rng, 10))
		t->type_id = 1 + fz_below(&w->rng, EXO_XN_TYPES_MAX);
	if (fz_chance(&w->rng, 5)) {
		t->owns_len = 1 + fz_below(&w->rng, EXO_UDF_MAX_INSNS);
		fz_bad(c, "REMOVE with a UDF");
	}
	if (c->note[1] && !c->bad)
		c->expect = ENOENT;
}

static void fz_gen_xn_root_remove(struct fz_worker *w, struct fz_env *e,
				  struct fz_call *c)
{
	struct exo_xn_root *r = (struct exo_xn_root *)c->buf;
	unsigned int n = fz_xn_nroots < FZ_XN_KNOWN ? fz_xn_nroots : FZ_XN_KNOWN;

	fz_xn_remove_name(w, c, r->name, "r");
	if (n && fz_chance(&w->rng, 30)) {
		unsigned int i = fz_below(&w->rng, n);

		r->type_id = fz_xn_root_type[i];
		r->block = fz_xn_root[i];
	} else if (fz_chance(&w->rng, 10)) {
		r->block = fz_xn_held_block(w, e);
	}
	if (c->note[1] && !c->bad)
		c->expect = ENOENT;
}

/* Only a name nobody installs has a sure answer. */
static void fz_done_xn_remove(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c, const unsigned char *out)
{
	(void)e;
	(void)out;
	if (c->expect <= 0 || c->bad)
		return;
	if (c->err != EFAULT && c->err != E2BIG && c->err != ENOMEM &&
	    c->err != EPROTO)
		fz_expect(w, FZ_CHK_MODEL, c->err == c->expect,
			  "%s of a name nobody installs gave %s", c->ioc->name,
			  c->err ? strerrorname_np(c->err) ?: "?" : "ok");
	c->expect = 0;
}

/* ---- the registry -------------------------------------------------------- */

static void fz_gen_xn_read(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	struct exo_xn_read *r = (struct exo_xn_read *)c->buf;
	unsigned int n = fz_xn_nroots < FZ_XN_KNOWN ? fz_xn_nroots : FZ_XN_KNOWN;

	if (n && fz_chance(&w->rng, 50)) {
		unsigned int i = fz_below(&w->rng, n);

		r->block = fz_xn_root[i];
		r->parent = EXO_XN_NO_PARENT;
		r->type_id = fz_xn_root_type[i];
	} else {
		r->block = fz_xn_any_block(w);
		r->parent = fz_chance(&w->rng, 20) ? EXO_XN_NO_PARENT :
			    fz_xn_held_block(w, e);
		r->type_id = fz_chance(&w->rng, 80) ? EXO_XN_TYPE_DATA :
			     fz_below(&w->rng, EXO_XN_TYPES_MAX + 2);
	}
	if (fz_chance(&w->rng, 5)) {
		r->writable = 1 + fz_below(&w->rng, 3);
		fz_bad(c, "writable is output only");
	}
}

static void fz_done_xn_read(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_read *r = (const struct exo_xn_read *)c->buf;

	if (c->err)
		return;
	if (out)
		fz_expect(w, FZ_CHK_MODEL,
			  ((const struct exo_xn_read *)out)->writable <= 1,
			  "XN_READ writable %u",
			  ((const struct exo_xn_read *)out)->writable);
	fz_xn_hold(e, r->block);
}

static void fz_gen_xn_release(struct fz_worker *w, struct fz_env *e,
			      struct fz_call *c)
{
	struct exo_xn_read *r = (struct exo_xn_read *)c->buf;

	r->block = fz_xn_held_block(w, e);
	if (fz_chance(&w->rng, 5)) {
		r->type_id = 1;
		fz_bad(c, "RELEASE with a type");
	}
}

static void fz_done_xn_release(struct fz_worker *w, struct fz_env *e,
			       struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_read *r = (const struct exo_xn_read *)c->buf;

	(void)w;
	(void)out;
	if (!c->err)
		fz_xn_unhold(e, r->block);
}

/* One modification in aux: eight bytes of a pointer, or random bytes. */
static void fz_gen_xn_mods(struct fz_worker *w, struct exo_xn_alloc *a,
			   struct fz_call *c, __u64 value)
{
	struct exo_xn_mod *m = (struct exo_xn_mod *)w->aux;
	unsigned char *data = w->aux + 1024;

	a->mods = (__u64)(unsigned long)m;
	a->nmods = 1;
	memcpy(data, &value, sizeof(value));
	m->offset = 8 * fz_below(&w->rng, 8);
	m->len = 8;
	m->data = (__u64)(unsigned long)data;
	if (fz_chance(&w->rng, 10)) {
		a->nmods = fz_chance(&w->rng, 50) ? 0 : EXO_XN_MODS_MAX + 1;
		fz_bad(c, "nmods out of range");
	} else if (fz_chance(&w->rng, 5)) {
		m->offset = EXO_XN_BLOCK_SIZE - 4;
		fz_bad(c, "modification past the block");
	}
}

/* A block that is its own parent (once a use after free), sometimes. */
static void fz_xn_maybe_self_parent(struct fz_worker *w,
				    struct exo_xn_alloc *a, struct fz_call *c)
{
	if (!fz_chance(&w->shape_rng, 5))
		return;
	a->block = a->parent;
	fz_bad(c, "block is its own parent");
}

static void fz_gen_xn_alloc(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_xn_alloc *a = (struct exo_xn_alloc *)c->buf;

	a->parent = fz_xn_held_block(w, e);
	a->block = fz_xn_any_block(w);
	a->type_id = EXO_XN_TYPE_DATA;
	fz_gen_xn_mods(w, a, c, fz_chance(&w->rng, 80) ? a->block : 0);
	fz_xn_maybe_self_parent(w, a, c);
}

static void fz_done_xn_alloc(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_alloc *a = (const struct exo_xn_alloc *)c->buf;

	(void)w;
	(void)out;
	if (!c->err)
		fz_xn_hold(e, a->block);
}

static void fz_gen_xn_free(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	struct exo_xn_alloc *a = (struct exo_xn_alloc *)c->buf;

	a->parent = fz_xn_held_block(w, e);
	a->block = fz_xn_held_block(w, e);
	a->type_id = EXO_XN_TYPE_DATA;
	fz_gen_xn_mods(w, a, c, 0);
	fz_xn_maybe_self_parent(w, a, c);
}

static void fz_done_xn_free(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c, const unsigned char *out)
{
	const struct exo_xn_alloc *a = (const struct exo_xn_alloc *)c->buf;

	(void)w;
	(void)out;
	if (!c->err)
		fz_xn_unhold(e, a->block);
}

static void fz_gen_xn_write_meta(struct fz_worker *w, struct fz_env *e,
				 struct fz_call *c)
{
	struct exo_xn_alloc *a = (struct exo_xn_alloc *)c->buf;

	a->parent = fz_xn_held_block(w, e);
	fz_gen_xn_mods(w, a, c, fz_next(&w->rng));
	if (fz_chance(&w->rng, 5)) {
		a->block = 1;
		fz_bad(c, "WRITE_META with a block");
	}
}

static void fz_gen_xn_write(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_xn_write *x = (struct exo_xn_write *)c->buf;

	x->block = fz_xn_held_block(w, e);
	x->offset = fz_below(&w->rng, EXO_XN_BLOCK_SIZE);
	x->len = 1 + fz_below(&w->rng, EXO_XN_BLOCK_SIZE - x->offset);
	x->data = (__u64)(unsigned long)w->aux;
	if (fz_chance(&w->rng, 5)) {
		x->len = EXO_XN_BLOCK_SIZE - x->offset + 1;
		fz_bad(c, "write past the block");
	}
}

static void fz_gen_xn_sync(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	(void)w;
	(void)e;
	(void)c;
}

#define FZ_XN_ROW(nm, cm, type, minfield, res, at, g, d, errs)		\
	{								\
		.name = nm, .cmd = cm, .size = sizeof(type),		\
		.minsz = FZ_OFFSETOFEND(type, minfield),		\
		.flags_off = offsetof(type, flags), .flags_known = 0,	\
		.reserved_off = { res }, .nreserved = res >= 0,		\
		.attrs = at, .gen = g, .done = d, .errnos = errs,	\
	}

const struct fz_ioctl fz_xn_ioctls[] = {
	FZ_XN_ROW("EXO_IOC_XN_INFO", EXO_IOC_XN_INFO, struct exo_xn_info,
		  reserved, (int)offsetof(struct exo_xn_info, reserved),
		  FZ_WRITES | FZ_VALID_OK, fz_gen_xn_info, fz_done_xn_info,
		  fz_errs_xn_info),
	FZ_XN_ROW("EXO_IOC_XN_TYPE_INSTALL", EXO_IOC_XN_TYPE_INSTALL,
		  struct exo_xn_type, acl,
		  (int)offsetof(struct exo_xn_type, reserved), FZ_WRITES,
		  fz_gen_xn_type_install, fz_done_xn_type_install,
		  fz_errs_xn_type),
	FZ_XN_ROW("EXO_IOC_XN_TYPE_LOOKUP", EXO_IOC_XN_TYPE_LOOKUP,
		  struct exo_xn_type, acl,
		  (int)offsetof(struct exo_xn_type, reserved), FZ_WRITES,
		  fz_gen_xn_type_lookup, fz_done_xn_type_lookup,
		  fz_errs_xn_type),
	FZ_XN_ROW("EXO_IOC_XN_ROOT_INSTALL", EXO_IOC_XN_ROOT_INSTALL,
		  struct exo_xn_root, block,
		  (int)offsetof(struct exo_xn_root, reserved), FZ_WRITES,
		  fz_gen_xn_root_install, fz_done_xn_root_install,
		  fz_errs_xn_root_install),
	FZ_XN_ROW("EXO_IOC_XN_ROOT_LOOKUP", EXO_IOC_XN_ROOT_LOOKUP,
		  struct exo_xn_root, block,
		  (int)offsetof(struct exo_xn_root, reserved), FZ_WRITES,
		  fz_gen_xn_root_lookup, fz_done_xn_root_lookup,
		  fz_errs_xn_root),
	FZ_XN_ROW("EXO_IOC_XN_READ", EXO_IOC_XN_READ, struct exo_xn_read,
		  writable, -1, FZ_WRITES | FZ_PREFER_STATE, fz_gen_xn_read,
		  fz_done_xn_read, fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_RELEASE", EXO_IOC_XN_RELEASE, struct exo_xn_read,
		  writable, (int)offsetof(struct exo_xn_read, writable),
		  FZ_PREFER_STATE, fz_gen_xn_release, fz_done_xn_release,
		  fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_ALLOC", EXO_IOC_XN_ALLOC, struct exo_xn_alloc,
		  mods, -1, FZ_PREFER_STATE, fz_gen_xn_alloc, fz_done_xn_alloc,
		  fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_FREE", EXO_IOC_XN_FREE, struct exo_xn_alloc,
		  mods, -1, FZ_PREFER_STATE, fz_gen_xn_free, fz_done_xn_free,
		  fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_WRITE_META", EXO_IOC_XN_WRITE_META,
		  struct exo_xn_alloc, mods,
		  (int)offsetof(struct exo_xn_alloc, type_id), FZ_PREFER_STATE,
		  fz_gen_xn_write_meta, NULL, fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_WRITE", EXO_IOC_XN_WRITE, struct exo_xn_write,
		  data, -1, FZ_PREFER_STATE, fz_gen_xn_write, NULL,
		  fz_errs_xn_read),
	FZ_XN_ROW("EXO_IOC_XN_SYNC", EXO_IOC_XN_SYNC, struct exo_xn_sync,
		  faulted, -1, FZ_WRITES, fz_gen_xn_sync, NULL,
		  fz_errs_xn_sync),
	FZ_XN_ROW("EXO_IOC_XN_CHECK", EXO_IOC_XN_CHECK, struct exo_xn_sync,
		  faulted, -1, FZ_WRITES, fz_gen_xn_sync, NULL,
		  fz_errs_xn_sync),
	FZ_XN_ROW("EXO_IOC_XN_TYPE_REMOVE", EXO_IOC_XN_TYPE_REMOVE,
		  struct exo_xn_type, acl,
		  (int)offsetof(struct exo_xn_type, reserved), 0,
		  fz_gen_xn_type_remove, fz_done_xn_remove,
		  fz_errs_xn_remove),
	FZ_XN_ROW("EXO_IOC_XN_ROOT_REMOVE", EXO_IOC_XN_ROOT_REMOVE,
		  struct exo_xn_root, block,
		  (int)offsetof(struct exo_xn_root, reserved), 0,
		  fz_gen_xn_root_remove, fz_done_xn_remove,
		  fz_errs_xn_remove),
};

const size_t fz_xn_nioctls = FZ_ARRAY_SIZE(fz_xn_ioctls);
