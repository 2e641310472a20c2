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
#include <linux/kernel.h>
#include <linux/crc32.h>
#include <asm/byteorder.h>
/* Allocation for core structures built in process context. */
static inline void *exo_core_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

static inline void exo_core_free(void *p)
{
	kvfree(p);
}

/* CRC-32 (IEEE 802.3, reflected, ~0 in and out): lib/crc32.c's. */
static inline u32 exo_core_crc32(const void *p, size_t len)
{
	return ~crc32_le(~0U, p, len);
}
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <endian.h>
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

#define BIT_ULL(n)	(1ULL << (n))

/* The kernel's byte-order helpers, for on-disk formats. */
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))
#define le32_to_cpu(x)	((__u32)le32toh((__u32)(x)))
#define le64_to_cpu(x)	((__u64)le64toh((__u64)(x)))

/* The same CRC-32 as the kernel's ~crc32_le(~0, ...), a bit at a time. */
static inline u32 exo_core_crc32(const void *p, size_t len)
{
	const u8 *b = p;
	u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *b++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static inline void exo_core_free(void *p)
{
	free(p);
}
#endif

#endif /* EXO_CORE_H */
