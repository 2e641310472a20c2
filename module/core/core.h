/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of module/core: pure C that builds unchanged into exo.ko
 * and into host tests, benchmarks and fuzzers. Only this file knows which
 * side it is on.
 */
#ifndef EXO_CORE_H
#define EXO_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
typedef __u32 u32;
typedef __u64 u64;
#endif

#endif /* EXO_CORE_H */
