// SPDX-License-Identifier: GPL-2.0
/*
 * The table of bindings, and the walks over it that the device and the
 * environments make. Order matters: bindings start in table order and stop
 * in reverse, and an environment's state is built and torn down likewise.
 */
#include <linux/kernel.h>

#include "binding.h"

static const struct exo_binding_ops *const exo_bindings[] = {
	&exo_mem_ops,
	&exo_cpu_ops,
	&exo_xn_ops,
	&exo_net_ops,
	&exo_ring_ops,
};

int exo_bindings_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++) {
		ret = exo_bindings[i]->init();
		if (ret)
			goto undo;
	}
	return 0;

undo:
	while (i--)
		exo_bindings[i]->exit();
	return ret;
}

void exo_bindings_exit(void)
{
	int i = ARRAY_SIZE(exo_bindings);

	while (i--)
		exo_bindings[i]->exit();
}

int exo_bindings_env_init(struct exo_env *env)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++) {
		ret = exo_bindings[i]->env_init(env);
		if (ret)
			goto undo;
	}
	return 0;

undo:
	while (i--)
		exo_bindings[i]->env_destroy(env);
	return ret;
}

void exo_bindings_env_destroy(struct exo_env *env)
{
	int i = ARRAY_SIZE(exo_bindings);

	while (i--)
		exo_bindings[i]->env_destroy(env);
}

void exo_bindings_debugfs_init(struct dentry *dir)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		if (exo_bindings[i]->debugfs_init)
			exo_bindings[i]->debugfs_init(dir);
}

int exo_bindings_genl_fill_env(struct exo_env *env, struct sk_buff *skb)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++) {
		if (!exo_bindings[i]->genl_fill_env)
			continue;
		ret = exo_bindings[i]->genl_fill_env(env, skb);
		if (ret)
			return ret;
	}
	return 0;
}

__poll_t exo_bindings_poll(struct exo_env *env)
{
	__poll_t mask = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		if (exo_bindings[i]->poll)
			mask |= exo_bindings[i]->poll(env);
	return mask;
}

u64 exo_bindings_features(void)
{
	u64 features = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		features |= exo_bindings[i]->feature;
	return features;
}

/* The bindings' ioctls numbered @first_nr to @first_nr + 63, as bits. */
u64 exo_bindings_ioctls(unsigned int first_nr)
{
	unsigned int shift;
	u64 mask = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++) {
		shift = exo_bindings[i]->ioctl_block << EXO_IOCTL_BLOCK_SHIFT;
		if (shift >= first_nr && shift < first_nr + 64)
			mask |= (u64)exo_bindings[i]->ioctls << (shift - first_nr);
	}
	return mask;
}

/* The binding that serves ioctl number @nr, or NULL. */
const struct exo_binding_ops *exo_binding_of_ioctl(unsigned int nr)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		if (exo_bindings[i]->ioctl_block == EXO_IOCTL_BLOCK(nr) &&
		    (exo_bindings[i]->ioctls & EXO_IOCTL_BIT(nr)))
			return exo_bindings[i];
	return NULL;
}

/* The binding whose mmap window is @window, or NULL. */
const struct exo_binding_ops *exo_binding_of_mmap(unsigned long window)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		if (exo_bindings[i]->mmap_window == window)
			return exo_bindings[i];
	return NULL;
}

/* The binding that serves capabilities of @kind (EXO_CAP_*), or NULL. */
const struct exo_binding_ops *exo_binding_of_cap(u32 kind)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(exo_bindings); i++)
		if (exo_bindings[i]->cap_grant &&
		    exo_bindings[i]->cap_kind == kind)
			return exo_bindings[i];
	return NULL;
}
