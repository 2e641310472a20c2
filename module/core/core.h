/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of module/core: pure C that builds unchanged into exo.ko
 * and into host tests, benchmarks and fuzzers. Only this file knows which
 * side it is on.
 */
#ifndef EXO_CORE_H
#define EXO_CORE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/string.h>
/* Allocation for core structures built in process context. */
static inline void *exo_core_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

static inline void exo_core_free(void *p)
{
	kvfree(p);
}
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __s32 s32;
typedef __s64 s64;
typedef __u64 u64;

static inline void *exo_core_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void exo_core_free(void *p)
{
	free(p);
}
#endif

#endif /* EXO_CORE_H */
