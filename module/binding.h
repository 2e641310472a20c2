/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binding interface: what every resource binding (mem, cpu, net, xn)
 * gives the device and the environments, in the way file_operations shapes
 * a file system. dev.c and env.c only ever walk exo_bindings[]; a new
 * binding is one file defining its exo_binding_ops and one table line in
 * bindings.c.
 */
#ifndef EXO_BINDING_H
#define EXO_BINDING_H

#include <linux/poll.h>
#include <linux/types.h>

struct dentry;
struct exo_cap;
struct exo_env;
struct sk_buff;
struct vm_area_struct;

/* Ioctl numbers come in blocks of 16, one block per binding. */
#define EXO_IOCTL_BLOCK_SHIFT	4
#define EXO_IOCTL_BLOCK(nr)	((nr) >> EXO_IOCTL_BLOCK_SHIFT)
#define EXO_IOCTL_BIT(nr)	BIT((nr) & ((1 << EXO_IOCTL_BLOCK_SHIFT) - 1))

struct exo_binding_ops {
	const char *name;
	u64 feature;			/* its EXO_FEATURE_* bit */
	unsigned int ioctl_block;	/* EXO_IOCTL_BLOCK() of its numbers */
	u16 ioctls;			/* EXO_IOCTL_BIT()s it serves */
	unsigned long mmap_window;	/* its EXO_MMAP_* >> EXO_MMAP_SHIFT */

	/* Module load and unload; exit undoes a successful init. */
	int (*init)(void);
	void (*exit)(void);
	/* An environment's state; env_destroy undoes a successful env_init. */
	int (*env_init)(struct exo_env *env);
	void (*env_destroy)(struct exo_env *env);

	long (*ioctl)(struct exo_env *env, unsigned int cmd, void __user *uarg);
	/* vm_pgoff is relative to the binding's window. */
	int (*mmap)(struct exo_env *env, struct vm_area_struct *vma);

	/* Optional. */
	__poll_t (*poll)(struct exo_env *env);
	void (*debugfs_init)(struct dentry *dir);
	/* Its attributes of an EXO_CMD_GET_ENV reply; -EMSGSIZE when full. */
	int (*genl_fill_env)(struct exo_env *env, struct sk_buff *skb);

	/*
	 * Optional: capabilities of kind @cap_kind (EXO_CAP_*), which cap.c
	 * dispatches after checking the fields every kind shares. cap_grant
	 * checks the rest of @req, makes the capability and sets
	 * req->cap_id; cap_revoke takes back one that @env granted, the
	 * grantee's access gone before it returns, or fails with -ENOENT.
	 * env_destroy drops the caps an environment granted or was granted.
	 */
	u32 cap_kind;
	int (*cap_grant)(struct exo_env *env, struct exo_cap *req);
	int (*cap_revoke)(struct exo_env *env, u64 cap_id);
};

extern const struct exo_binding_ops exo_mem_ops;
extern const struct exo_binding_ops exo_cpu_ops;
extern const struct exo_binding_ops exo_xn_ops;
extern const struct exo_binding_ops exo_net_ops;
extern const struct exo_binding_ops exo_ring_ops;

/* bindings.c: the table and its walks, in table order (reverse to undo). */
int exo_bindings_init(void);
void exo_bindings_exit(void);
int exo_bindings_env_init(struct exo_env *env);
void exo_bindings_env_destroy(struct exo_env *env);
void exo_bindings_debugfs_init(struct dentry *dir);
int exo_bindings_genl_fill_env(struct exo_env *env, struct sk_buff *skb);
__poll_t exo_bindings_poll(struct exo_env *env);
u64 exo_bindings_features(void);
u64 exo_bindings_ioctls(unsigned int first_nr);
const struct exo_binding_ops *exo_binding_of_ioctl(unsigned int nr);
const struct exo_binding_ops *exo_binding_of_mmap(unsigned long window);
const struct exo_binding_ops *exo_binding_of_cap(u32 kind);

/* cap.c: EXO_IOC_CAP_GRANT and EXO_IOC_CAP_REVOKE. */
long exo_cap_grant_ioctl(struct exo_env *env, void __user *uarg);
long exo_cap_revoke_ioctl(struct exo_env *env, void __user *uarg);

#endif /* EXO_BINDING_H */
