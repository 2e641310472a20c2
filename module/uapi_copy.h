/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The argsz rules of uapi/linux/exo.h, applied in one place for every
 * ioctl: see uapi_copy.c.
 */
#ifndef EXO_UAPI_COPY_H
#define EXO_UAPI_COPY_H

#include <linux/compiler_types.h>
#include <linux/types.h>

int exo_copy_args(void *karg, size_t ksize, size_t minsz, void __user *uarg);
int exo_copy_result(void __user *uarg, const void *karg, size_t ksize,
		    u32 argsz);

#endif /* EXO_UAPI_COPY_H */
