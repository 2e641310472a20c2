// SPDX-License-Identifier: GPL-2.0
/*
 * Bindings and tables: a device's bindings merged into one decision
 * structure, published with rcu_assign_pointer() and freed, like the
 * bindings they name, after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "net.h"

/* ---- bindings and tables, freed after a grace period ------------------ */

static void exo_net_binding_free(struct work_struct *work)
{
	struct exo_net_binding *b =
		container_of(to_rcu_work(work), struct exo_net_binding, free_work);

	vfree(b->ring);
	/* A grace period has passed: no hook still runs the handler. */
	kfree(rcu_access_pointer(b->ash));
	kfree(b);
}

static void exo_net_binding_release(struct kref *ref)
{
	struct exo_net_binding *b = container_of(ref, struct exo_net_binding, ref);

	INIT_RCU_WORK(&b->free_work, exo_net_binding_free);
	queue_rcu_work(exo_net_wq, &b->free_work);
}

void exo_net_binding_put(struct exo_net_binding *b)
{
	kref_put(&b->ref, exo_net_binding_release);
}

static void exo_net_table_free(struct work_struct *work)
{
	struct exo_net_table *t =
		container_of(to_rcu_work(work), struct exo_net_table, free_work);
	u32 i;

	for (i = 0; i < t->n; i++)
		exo_net_binding_put(t->bindings[i]);
	exo_fdec_free(t->dec);
	kvfree(t);
}

static void exo_net_table_retire(struct exo_net_table *t)
{
	if (!t)
		return;
	INIT_RCU_WORK(&t->free_work, exo_net_table_free);
	queue_rcu_work(exo_net_wq, &t->free_work);
}

/*
 * A table of @nd's bindings plus @extra (may be NULL) last, in bind order,
 * which is the order of priority among overlapping filters of one
 * environment. ERR_PTR(-ENOSPC) past net_shapes_max shapes.
 */
struct exo_net_table *exo_net_table_build(struct exo_net_dev *nd,
					  struct exo_net_binding *extra)
{
	const struct exo_filter **filters;
	struct exo_net_binding *b;
	struct exo_net_table *t;
	u32 n = 0, i;
	int err;

	lockdep_assert_held(&exo_net_lock);
	t = kvzalloc(struct_size(t, bindings, nd->nbindings + 1), GFP_KERNEL);
	filters = kvcalloc(nd->nbindings + 1, sizeof(*filters), GFP_KERNEL);
	if (!t || !filters) {
		err = -ENOMEM;
		goto fail;
	}
	list_for_each_entry(b, &nd->bindings, dev_node)
		t->bindings[n++] = b;
	if (extra)
		t->bindings[n++] = extra;
	for (i = 0; i < n; i++) {
		filters[i] = &t->bindings[i]->filter;
		t->split_gso |= t->bindings[i]->per_segment;
	}
	if (exo_fdec_count_shapes(filters, n) > exo_net_shapes_max) {
		err = -ENOSPC;
		goto fail;
	}
	t->dec = exo_fdec_build(filters, n, &err);
	if (!t->dec)
		goto fail;
	t->n = n;
	for (i = 0; i < n; i++)
		kref_get(&t->bindings[i]->ref);
	kvfree(filters);
	return t;
fail:
	kvfree(filters);
	kvfree(t);
	return ERR_PTR(err);
}

void exo_net_table_publish(struct exo_net_dev *nd, struct exo_net_table *t)
{
	struct exo_net_table *old;

	old = rcu_replace_pointer(nd->table, t, lockdep_is_held(&exo_net_lock));
	exo_net_table_retire(old);
}
