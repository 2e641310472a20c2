/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the XN selftests (xn_test, xn_cap_test): the UDFs of a tiny
 * test format, a "node": owner uid at 0, mode bits at 4 (UNIX "other"
 * bits: 04 read, 02 write) and TN_ENTRIES entries of { u64 block; u32
 * type; u32 pad } from byte 16. Include after exo_test_util.h; xn_reload() puts exo.ko back
 * with another disk= for a fixture.
 */
#ifndef EXO_XN_UTIL_H
#define EXO_XN_UTIL_H

#include <exo/exo.h>

#define XN_BS		EXO_XN_BLOCK_SIZE
#define TN_UID		0
#define TN_MODE		4
#define TN_ENTRY(i)	(16 + 16 * (i))
#define TN_ENTRIES	16

struct tn_entry {
	__u64 block;
	__u32 type;
	__u32 pad;
};

/* owns of a node: each non-zero entry claims its block with its type. */
static inline int tn_owns(struct exo_udf_builder *b)
{
	int next;

	exo_udf_init(b);
	next = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_loop(b, 5, -1, TN_ENTRIES);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 4);
	exo_udf_load(b, 8, 4, 6, TN_ENTRY(0));
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_load(b, 4, 2, 6, TN_ENTRY(0) + 8);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

/* acl of a node: the owner may do anything; others as the mode says. */
static inline int tn_acl(struct exo_udf_builder *b)
{
	int allow, want_write;

	exo_udf_init(b);
	allow = exo_udf_label(b);
	want_write = exo_udf_label(b);
	exo_udf_input(b, 1, EXO_UDF_IN_UID);
	exo_udf_load(b, 4, 2, -1, TN_UID);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_load(b, 4, 3, -1, TN_MODE);
	exo_udf_input(b, 4, EXO_UDF_IN_ACCESS);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 4, EXO_UDF_ACCESS_WRITE, want_write);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 3, 04, allow);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, want_write);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 3, 02, allow);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, allow);
	exo_udf_ret(b, 1);
	return exo_udf_finish(b);
}

static inline int tn_install(struct exo *exo, const char *name)
{
	struct exo_udf_builder o, a;
	int no = tn_owns(&o), na = tn_acl(&a);
	__u32 id;
	int ret;

	if (no < 0 || na < 0)
		return -EINVAL;
	ret = exo_xn_type_install(exo, name, o.insns, no, a.insns, na, &id);
	return ret ? ret : (int)id;
}

/* A modification writing entry @i as { @block, @type }. */
static inline struct exo_xn_mod tn_mod(int i, struct tn_entry *e, __u64 block,
				__u32 type)
{
	struct exo_xn_mod m = {
		.offset = TN_ENTRY(i),
		.len = sizeof(*e),
		.data = (__u64)(unsigned long)e,
	};

	e->block = block;
	e->type = type;
	e->pad = 0;
	return m;
}

/* Load exo.ko with the parameters it had, disk= replaced by @disk. */
static inline int xn_reload(const char *saved, const char *disk)
{
	char params[EXO_KMOD_PARAMS_LEN + 200], copy[EXO_KMOD_PARAMS_LEN];
	char *tok, *save;
	int err;

	snprintf(copy, sizeof(copy), "%s", saved);
	params[0] = '\0';
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "disk=", 5))
			continue;
		strncat(params, tok, sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	strncat(params, disk, sizeof(params) - strlen(params) - 1);
	if (exo_kmod_loaded()) {
		err = exo_kmod_unload();
		if (err)
			return err;
	}
	return exo_kmod_load(params);
}

#endif /* EXO_XN_UTIL_H */
