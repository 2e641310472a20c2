// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libexo's XN binding: one wrapper per EXO_IOC_XN_* ioctl, and mappings of
 * cached blocks. The UDF builder is in udf.c.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "internal.h"

static __u64 xn_ptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

static int xn_name(char *dst, const char *name)
{
	if (!name || !*name || strlen(name) >= EXO_XN_NAME_MAX)
		return exo_err(EINVAL);
	strcpy(dst, name);
	return 0;
}

LIBEXO_EXPORT int exo_xn_info(struct exo *exo, struct exo_xn_info *info)
{
	__u64 hint;

	if (!info)
		return exo_err(EINVAL);
	hint = info->hint;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->hint = hint;
	return exo_ioctl(exo, EXO_IOC_XN_INFO, info);
}

LIBEXO_EXPORT int exo_xn_type_install(struct exo *exo, const char *name,
				      const struct exo_udf_insn *owns,
				      __u32 owns_len,
				      const struct exo_udf_insn *acl,
				      __u32 acl_len, __u32 *type_id)
{
	struct exo_xn_type t = { .argsz = sizeof(t) };
	int ret;

	if (xn_name(t.name, name))
		return -errno;
	t.owns = xn_ptr(owns);
	t.owns_len = owns_len;
	t.acl = xn_ptr(acl);
	t.acl_len = acl_len;
	ret = exo_ioctl(exo, EXO_IOC_XN_TYPE_INSTALL, &t);
	if (!ret && type_id)
		*type_id = t.type_id;
	return ret;
}

LIBEXO_EXPORT int exo_xn_type_lookup(struct exo *exo, const char *name,
				     struct exo_xn_type *type, __u32 *type_id)
{
	struct exo_xn_type t = { .argsz = sizeof(t) };
	int ret;

	if (type)
		t = *type;
	t.argsz = sizeof(t);
	t.flags = 0;
	t.reserved = 0;
	if (xn_name(t.name, name))
		return -errno;
	ret = exo_ioctl(exo, EXO_IOC_XN_TYPE_LOOKUP, &t);
	if (ret)
		return ret;
	if (type)
		*type = t;
	if (type_id)
		*type_id = t.type_id;
	return 0;
}

LIBEXO_EXPORT int exo_xn_root_install(struct exo *exo, const char *name,
				      __u32 type_id, __u64 *block)
{
	struct exo_xn_root r = { .argsz = sizeof(r), .type_id = type_id };
	int ret;

	if (xn_name(r.name, name))
		return -errno;
	r.block = block ? *block : 0;
	ret = exo_ioctl(exo, EXO_IOC_XN_ROOT_INSTALL, &r);
	if (!ret && block)
		*block = r.block;
	return ret;
}

LIBEXO_EXPORT int exo_xn_root_lookup(struct exo *exo, const char *name,
				     __u32 *type_id, __u64 *block)
{
	struct exo_xn_root r = { .argsz = sizeof(r) };
	int ret;

	if (xn_name(r.name, name))
		return -errno;
	ret = exo_ioctl(exo, EXO_IOC_XN_ROOT_LOOKUP, &r);
	if (ret)
		return ret;
	if (type_id)
		*type_id = r.type_id;
	if (block)
		*block = r.block;
	return 0;
}

LIBEXO_EXPORT int exo_xn_type_remove(struct exo *exo, const char *name,
				     __u32 type_id)
{
	struct exo_xn_type t = { .argsz = sizeof(t), .type_id = type_id };

	if (name && xn_name(t.name, name))
		return -errno;
	return exo_ioctl(exo, EXO_IOC_XN_TYPE_REMOVE, &t);
}

LIBEXO_EXPORT int exo_xn_root_remove(struct exo *exo, const char *name,
				     __u32 type_id, __u64 block)
{
	struct exo_xn_root r = {
		.argsz = sizeof(r),
		.type_id = type_id,
		.block = block,
	};

	if (xn_name(r.name, name))
		return -errno;
	return exo_ioctl(exo, EXO_IOC_XN_ROOT_REMOVE, &r);
}

LIBEXO_EXPORT int exo_xn_read(struct exo *exo, __u64 block, __u64 parent,
			      __u32 type_id, int *writable)
{
	struct exo_xn_read r = {
		.argsz = sizeof(r),
		.block = block,
		.parent = parent,
		.type_id = type_id,
	};
	int ret = exo_ioctl(exo, EXO_IOC_XN_READ, &r);

	if (!ret && writable)
		*writable = (int)r.writable;
	return ret;
}

LIBEXO_EXPORT int exo_xn_release(struct exo *exo, __u64 block)
{
	struct exo_xn_read r = { .argsz = sizeof(r), .block = block };

	return exo_ioctl(exo, EXO_IOC_XN_RELEASE, &r);
}

static int xn_mods(struct exo *exo, unsigned long cmd, __u64 parent,
		   __u64 block, __u32 type_id, const struct exo_xn_mod *mods,
		   __u32 nmods)
{
	struct exo_xn_alloc a = {
		.argsz = sizeof(a),
		.parent = parent,
		.block = block,
		.type_id = type_id,
		.nmods = nmods,
		.mods = xn_ptr(mods),
	};

	return exo_ioctl(exo, cmd, &a);
}

LIBEXO_EXPORT int exo_xn_alloc(struct exo *exo, __u64 parent, __u64 block,
			       __u32 type_id, const struct exo_xn_mod *mods,
			       __u32 nmods)
{
	return xn_mods(exo, EXO_IOC_XN_ALLOC, parent, block, type_id, mods,
		       nmods);
}

LIBEXO_EXPORT int exo_xn_free(struct exo *exo, __u64 parent, __u64 block,
			      __u32 type_id, const struct exo_xn_mod *mods,
			      __u32 nmods)
{
	return xn_mods(exo, EXO_IOC_XN_FREE, parent, block, type_id, mods,
		       nmods);
}

LIBEXO_EXPORT int exo_xn_write_meta(struct exo *exo, __u64 block,
				    const struct exo_xn_mod *mods, __u32 nmods)
{
	return xn_mods(exo, EXO_IOC_XN_WRITE_META, block, 0, 0, mods, nmods);
}

LIBEXO_EXPORT int exo_xn_write(struct exo *exo, __u64 block, __u32 offset,
			       const void *data, __u32 len)
{
	struct exo_xn_write w = {
		.argsz = sizeof(w),
		.block = block,
		.offset = offset,
		.len = len,
		.data = xn_ptr(data),
	};

	return exo_ioctl(exo, EXO_IOC_XN_WRITE, &w);
}

LIBEXO_EXPORT int exo_xn_sync(struct exo *exo, __u64 *written)
{
	struct exo_xn_sync s = { .argsz = sizeof(s) };
	int ret = exo_ioctl(exo, EXO_IOC_XN_SYNC, &s);

	if (!ret && written)
		*written = s.written;
	return ret;
}

LIBEXO_EXPORT int exo_xn_check(struct exo *exo, struct exo_xn_sync *report)
{
	if (!report)
		return exo_err(EINVAL);
	memset(report, 0, sizeof(*report));
	report->argsz = sizeof(*report);
	return exo_ioctl(exo, EXO_IOC_XN_CHECK, report);
}

LIBEXO_EXPORT void *exo_xn_map(struct exo *exo, __u64 block, int writable)
{
	void *p;

	if (!exo || block >= (1ULL << (EXO_MMAP_SHIFT - 12))) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, EXO_XN_BLOCK_SIZE,
		 PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, exo->fd,
		 (off_t)(EXO_MMAP_XN + block * EXO_XN_BLOCK_SIZE));
	return p == MAP_FAILED ? NULL : p;
}

LIBEXO_EXPORT int exo_xn_unmap(void *addr)
{
	if (munmap(addr, EXO_XN_BLOCK_SIZE))
		return exo_err(errno);
	return 0;
}
