// SPDX-License-Identifier: GPL-2.0
/*
 * exo-fuzz: the foundation's ioctl table (one row per ioctl, plus a row of
 * commands the kernel must not serve) and the list of every binding's
 * table (fz_tables, at the end).
 *
 * Adding a binding's ioctl is adding a row to its binding's table:
 *  - name, cmd, the struct's size and first-version size (minsz), the
 *    offsets of its flags and reserved fields and the flag bits it knows;
 *  - FZ_WRITES if it copies a result back, FZ_VALID_OK if a valid argument
 *    must always succeed (not for calls that can run out of something),
 *    FZ_PREFER_STATE if it is worth calling mostly on environments that
 *    hold something (frames, regions);
 *  - a gen hook that fills the struct's own fields, mostly valid, sometimes
 *    not (calling fz_bad() for each way it is invalid);
 *  - a done hook that checks what came back and updates the model (e.g. the
 *    frames an environment holds, for ENV_INFO to be checked against);
 *  - the errnos it may return besides EPERM (other process) and EPROTO
 *    (before the handshake), which the engine adds itself.
 * Hooks may also predict a result (c->expect) for their done hook to check.
 * exo-fuzz fails its table-covers-kernel-ioctls check while the kernel
 * serves an ioctl that has no row in any table.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"

#define FZ_OFFSETOFEND(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

static const int fz_errs_api[] = { EFAULT, EINVAL, E2BIG, EPROTONOSUPPORT, 0 };
static const int fz_errs_struct[] = { EFAULT, EINVAL, E2BIG, 0 };
static const int fz_errs_nop[] = { EINVAL, 0 };
static const int fz_errs_unknown[] = { ENOTTY, 0 };

/* 30% of the time, garbage in output-only fields: the kernel ignores it. */
static void fz_scribble(struct fz_worker *w, unsigned char *p, size_t len)
{
	size_t i;

	if (!fz_chance(&w->rng, 30))
		return;
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)fz_next(&w->rng);
}

/* ---- EXO_IOC_API ------------------------------------------------------ */

static void fz_gen_api(struct fz_worker *w, struct fz_env *e, struct fz_call *c)
{
	struct exo_api *api = (struct exo_api *)c->buf;
	static const __u32 odd[] = { 0, 2, 3, 0x100, 0x7fffffff, 0xffffffff };
	__u32 v;

	(void)e;
	if (fz_chance(&w->rng, 75))
		v = 1 + fz_below(&w->rng, fz_kernel_api);
	else if (fz_chance(&w->rng, 70))
		v = odd[fz_below(&w->rng, FZ_ARRAY_SIZE(odd))];
	else
		v = (__u32)fz_next(&w->rng);
	api->api_version = v;
	if (!v || v > fz_kernel_api)
		fz_bad(c, "api_version unsupported");
	fz_scribble(w, (unsigned char *)&api->features,
		    sizeof(api->features) + sizeof(api->ioctls) +
		    sizeof(api->ioctls_hi));
}

static const char *fz_api_field(size_t off)
{
	if (off < FZ_OFFSETOFEND(struct exo_api, argsz))
		return "argsz";
	if (off < FZ_OFFSETOFEND(struct exo_api, flags))
		return "flags";
	if (off < FZ_OFFSETOFEND(struct exo_api, api_version))
		return "api_version";
	if (off < FZ_OFFSETOFEND(struct exo_api, reserved))
		return "reserved";
	if (off < FZ_OFFSETOFEND(struct exo_api, features))
		return "features";
	if (off < FZ_OFFSETOFEND(struct exo_api, ioctls))
		return "ioctls";
	return "ioctls_hi";
}

/*
 * The kernel writes back min(argsz, sizeof(struct exo_api)) bytes, and the
 * bytes past argsz are the caller's (fz_check_untouched judges those). So
 * the model builds the whole answer and compares only the bytes argsz
 * covers: with argsz 32..39, ioctls_hi is not written, or only in part.
 */
static void fz_done_api(struct fz_worker *w, struct fz_env *e,
			struct fz_call *c, const unsigned char *out)
{
	struct exo_api want;
	const unsigned char *model = (const unsigned char *)&want;
	size_t n, i;

	if (c->err == 0)
		e->handshaken = true;
	if (!out || (c->err && c->err != EPROTONOSUPPORT))
		return;
	memset(&want, 0, sizeof(want));
	want.argsz = c->argsz;
	want.api_version = fz_kernel_api;
	if (!c->err) {
		want.features = fz_kernel_features;
		want.ioctls = fz_kernel_ioctls;
		want.ioctls_hi = fz_kernel_ioctls_hi;
	}
	n = c->argsz < sizeof(want) ? c->argsz : sizeof(want);
	for (i = 0; i < n; i++)
		if (out[i] != model[i])
			break;
	fz_expect(w, FZ_CHK_MODEL, i >= n,
		  "EXO_IOC_API (%s, argsz %u) wrote %#x at byte %zu (%s), the model %#x",
		  c->err ? "refused" : "ok", c->argsz, i < n ? out[i] : 0, i,
		  i < n ? fz_api_field(i) : "-", i < n ? model[i] : 0);
}

/* ---- EXO_IOC_ENV_INFO ------------------------------------------------ */

static void fz_gen_env_info(struct fz_worker *w, struct fz_env *e,
			    struct fz_call *c)
{
	struct exo_env_info *info = (struct exo_env_info *)c->buf;

	(void)e;
	/* Every field after flags is output; only reserved is checked. */
	fz_scribble(w, (unsigned char *)&info->env_id,
		    offsetof(struct exo_env_info, reserved) -
		    offsetof(struct exo_env_info, env_id));
	fz_scribble(w, (unsigned char *)&info->frames,
		    sizeof(*info) - offsetof(struct exo_env_info, frames));
}

static void fz_done_env_info(struct fz_worker *w, struct fz_env *e,
			     struct fz_call *c, const unsigned char *out)
{
	struct exo_env_info info;

	if (c->err || !out)
		return;
	memcpy(&info, out, sizeof(info));
	fz_expect(w, FZ_CHK_MODEL, info.argsz == c->argsz && info.flags == 0 &&
		  info.reserved == 0,
		  "ENV_INFO wrote argsz %u flags %#x reserved %#x (gave argsz %u)",
		  info.argsz, info.flags, info.reserved, c->argsz);
	fz_model_check_info(w, e, &info);
}

/* ---- EXO_IOC_NOP: no argument ----------------------------------------- */

static void fz_gen_nop(struct fz_worker *w, struct fz_env *e, struct fz_call *c)
{
	(void)e;
	c->cmd = EXO_IOC_NOP;
	c->mem = FZ_MEM_NONE;
	if (fz_chance(&w->rng, 80)) {
		c->arg = 0;
		return;
	}
	c->arg = fz_chance(&w->rng, 50) ? (unsigned long)w->rw :
		 fz_wild_value(w);
	fz_bad(c, "NOP with an argument");
}

/* ---- EXO_IOC_EVENT_RAISE ---------------------------------------------- */

static void fz_gen_raise(struct fz_worker *w, struct fz_env *e,
			 struct fz_call *c)
{
	struct exo_event_raise *raise = (struct exo_event_raise *)c->buf;

	(void)e;
	raise->cookie = fz_chance(&w->rng, 10) ? 0 : fz_next(&w->rng);
}

static void fz_done_raise(struct fz_worker *w, struct fz_env *e,
			  struct fz_call *c, const unsigned char *out)
{
	struct exo_event_raise raise;

	(void)w;
	if (c->err)
		return;
	/* Success means the kernel read the whole struct: so can we. */
	memcpy(&raise, out ? out : c->buf, sizeof(raise));
	fz_model_post(e, raise.cookie);
}

/* ---- commands the kernel must not serve -------------------------------- */

/*
 * The VFS answers these ioctl types itself before the driver sees them
 * (FIOCLEX, FIONBIO, FIFREEZE, FIGETBSZ, FICLONE, FS_IOC_*: fs/ioctl.c), so
 * they are not the driver's to refuse; never generate them.
 */
static bool fz_vfs_type(unsigned int type)
{
	return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' ||
	       type == 'f' || type == 0x94;
}

static void fz_gen_unknown(struct fz_worker *w, struct fz_env *e,
			   struct fz_call *c)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned int cmd, type, nr, size;

	(void)e;
	do {
		type = fz_chance(&w->rng, 70) ? EXO_IOC_MAGIC :
		       (unsigned int)fz_below(&w->rng, 256);
		nr = fz_chance(&w->rng, 50) ? fz_below(&w->rng, 70) :
		     fz_below(&w->rng, 256);
		size = fz_chance(&w->rng, 60) ? 0 : fz_below(&w->rng, 1U << 14);
		switch (fz_below(&w->rng, 4)) {
		case 0:
			cmd = _IOC(_IOC_NONE, type, nr, 0);
			break;
		case 1:
			cmd = _IOC(dirs[fz_below(&w->rng, 4)], type, nr, size);
			break;
		case 2:
			/* A served number with a direction or size. */
			cmd = _IOC(dirs[1 + fz_below(&w->rng, 3)], EXO_IOC_MAGIC,
				   fz_below(&w->rng, 8), size ? size : 8);
			break;
		default:
			cmd = (unsigned int)fz_next(&w->rng);
			break;
		}
	} while (fz_cmd_served(cmd) || fz_vfs_type(_IOC_TYPE(cmd)));

	c->cmd = cmd;
	c->mem = FZ_MEM_NONE;
	switch (fz_below(&w->rng, 3)) {
	case 0:
		c->arg = 0;
		break;
	case 1:
		c->arg = (unsigned long)w->rw;
		break;
	default:
		c->arg = fz_wild_value(w);
		break;
	}
	fz_bad(c, "unknown ioctl");
}

/* ---- the table --------------------------------------------------------- */

const struct fz_ioctl fz_base_ioctls[] = {
	{
		.name = "EXO_IOC_API",
		.cmd = EXO_IOC_API,
		.size = sizeof(struct exo_api),
		.minsz = FZ_OFFSETOFEND(struct exo_api, ioctls),
		.flags_off = offsetof(struct exo_api, flags),
		.reserved_off = { offsetof(struct exo_api, reserved) },
		.nreserved = 1,
		.attrs = FZ_WRITES | FZ_NO_HANDSHAKE | FZ_VALID_OK,
		.gen = fz_gen_api,
		.done = fz_done_api,
		.writes_on_err = EPROTONOSUPPORT,
		.errnos = fz_errs_api,
	},
	{
		.name = "EXO_IOC_ENV_INFO",
		.cmd = EXO_IOC_ENV_INFO,
		.size = sizeof(struct exo_env_info),
		.minsz = FZ_OFFSETOFEND(struct exo_env_info, blocks),
		.flags_off = offsetof(struct exo_env_info, flags),
		.reserved_off = { offsetof(struct exo_env_info, reserved) },
		.nreserved = 1,
		.attrs = FZ_WRITES | FZ_VALID_OK,
		.gen = fz_gen_env_info,
		.done = fz_done_env_info,
		.errnos = fz_errs_struct,
	},
	{
		.name = "EXO_IOC_NOP",
		.cmd = EXO_IOC_NOP,
		.flags_off = -1,
		.attrs = FZ_NO_ARG | FZ_VALID_OK,
		.gen = fz_gen_nop,
		.errnos = fz_errs_nop,
	},
	{
		.name = "EXO_IOC_EVENT_RAISE",
		.cmd = EXO_IOC_EVENT_RAISE,
		.size = sizeof(struct exo_event_raise),
		.minsz = FZ_OFFSETOFEND(struct exo_event_raise, cookie),
		.flags_off = offsetof(struct exo_event_raise, flags),
		.attrs = FZ_VALID_OK,
		.gen = fz_gen_raise,
		.done = fz_done_raise,
		.errnos = fz_errs_struct,
	},
	{
		.name = "unknown",
		.flags_off = -1,
		.attrs = FZ_UNKNOWN,
		.gen = fz_gen_unknown,
		.errnos = fz_errs_unknown,
	},
};

const size_t fz_base_nioctls = FZ_ARRAY_SIZE(fz_base_ioctls);

/*
 * Every binding's table. A new binding writes its rows (and hooks) in a
 * file of its own, fz_<binding>.c, and adds its table here.
 */
const struct fz_table fz_tables[] = {
	{ fz_base_ioctls, &fz_base_nioctls },
	{ fz_mem_ioctls, &fz_mem_nioctls },	/* fz_mem.c */
	{ fz_net_ioctls, &fz_net_nioctls },	/* fz_net.c */
	{ fz_xn_ioctls, &fz_xn_nioctls },	/* fz_xn.c */
	{ fz_cpu_ioctls, &fz_cpu_nioctls },	/* fz_cpu.c */
	{ fz_ring_ioctls, &fz_ring_nioctls },	/* fz_ring.c */
};

const size_t fz_ntables = FZ_ARRAY_SIZE(fz_tables);
