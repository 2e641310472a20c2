// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * exofs: a small library file system on XN. The kernel knows nothing of
 * this layout; it only runs the owns and acl UDFs exofs installs at mkfs.
 *
 *   every block starts with a header: u32 uid at 0, u32 mode at 4, the
 *     mode being S_IFDIR or S_IFREG | the permission bits. A mode word of
 *     0 means unclaimed: the block is fresh from XN_ALLOC, and only its
 *     allocator holds it.
 *   directory (the root too): the header; 60 entries of 64 bytes from byte
 *     64: { u64 block; u32 type; u32 mode; u32 uid; u32 flags;
 *     char name[40] }. An entry's mode and uid are copies for readdir;
 *     flags bit 0 (pending) is set while the child's header is unwritten.
 *     owns: every entry's block with its type.
 *   inode: the header, u64 size at 8, 12 direct u64 pointers from 16, one
 *     u64 indirect pointer at 112. owns: the direct blocks as data, the
 *     indirect one as "ind".
 *   ind: 1,024 u32 slots; slots 0 and 1 are a copy of the inode's header
 *     (its acl reads its own block), slots 2..1023 point to data blocks.
 *     owns walks all 1,024 with the bytecode's loop.
 *
 * The acl UDFs, which the kernel runs on every check, so a libFS that
 * bypasses this file is held to them too. The caller's class bits are the
 * owner's (mode >> 6) if its uid is the header's, else the "other" bits;
 * uid 0 may do anything, and anyone may change a block while it is
 * unclaimed. (The kernel gives the acl only the fsuid and the primary
 * fsgid, no supplementary groups; exofs has no group class.) A change of
 * a block itself is judged by the byte range it touches (XN gives the acl
 * each modification's offset and length, EXO_UDF_IN_OFFSET and _LEN), on
 * the block as it is before the change:
 *   every block: the uid (bytes 0..3) is root's alone, so only root can
 *     chown, and an owner cannot give its block away; the mode (4..7) is
 *     the owner's, so only the owner (and root) can chmod, whoever may
 *     write the block.
 *   inode, ind: a child (data, or the ind block) is read with r and
 *     written with w; the rest of the block (size, pointers; an ind
 *     block's slots 2..1023, slots 0 and 1 being its header copy) is
 *     changed by its owner or with w.
 *   directory: a child is read with x on the directory, unless its entry
 *     is pending and the caller is not the entry's uid (so no one else can
 *     claim it first); a change is judged in 64-byte units (the header,
 *     then one unit per entry), and one that spans two units is denied;
 *     the rest of the header is the owner's; an entry is changed (create,
 *     unlink, clearing pending) by the owner or with w and x; with the
 *     sticky bit (S_ISVTX) an entry in use (block non-zero) only by the
 *     directory's owner or the entry's uid (at entry + 16), while anyone
 *     with w and x may take a free one; as a root, anyone may read it.
 * What a range-checked acl still cannot see: the bytes proposed, so the
 * creator of an entry writes its uid copy as it likes (the entry is then
 * that uid's to change: the creator's loss, not another's), and the mode
 * copy in an entry, shown by readdir, follows a chmod only where the
 * caller may write the entry. Unlinking a file frees its blocks first, so
 * it needs w on the file as well as on the directory; in a sticky
 * directory exo_fs_unlink() refuses another's entry (EPERM) before it
 * frees anything.
 *
 * Directories nest: an entry's type says whether it is a file or a
 * directory, and the directory owns UDF claims each with its type. Every change is
 * an XN call: allocations and frees are verified by owns before and after,
 * so exofs cannot, by bug or by malice, claim a block it was not given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "internal.h"

#define FS_BS		EXO_XN_BLOCK_SIZE
#define DIR_ENTRIES	60
#define DIR_ENTRY(i)	(64 + 64 * (i))
#define INO_DIRECT	12
#define INO_PTR(i)	(16 + 8 * (i))
#define INO_IND		112
#define IND_FIRST	2
#define IND_SLOTS	1024
/* Every block's header: the owner and the mode, S_IFREG/S_IFDIR | bits. */
#define FS_HDR_UID	0
#define FS_HDR_MODE	4
/* In a directory entry. */
#define DE_BLOCK	0
#define DE_UID		16
#define DE_FLAGS	20
#define DE_PENDING	1	/* the child's header is not written yet */

struct fs_dirent {
	__u64 block;
	__u32 type;
	__u32 mode;
	__u32 uid;
	__u32 flags;
	char name[EXO_FS_NAME_MAX];
};

struct exo_fs {
	struct exo *exo;
	__u64 root;
	__u32 dir_type, ino_type, ind_type;
};

/* ---- the UDFs ----------------------------------------------------------- */

/*
 * r3 = the caller's rwx bits (0..7) in the mode at offset 4, the owner's
 * if the caller is the uid at offset 0; r2 keeps that uid. Needs r1 = uid.
 */
static void acl_caller_bits(struct exo_udf_builder *b)
{
	int other = exo_udf_label(b);

	exo_udf_load(b, 4, 2, -1, FS_HDR_UID);
	exo_udf_load(b, 4, 3, -1, FS_HDR_MODE);
	exo_udf_jmp_if(b, EXO_UDF_JNE_X, 1, 2, other);
	exo_udf_alu(b, EXO_UDF_SHR_K, 3, 6);
	exo_udf_bind(b, other);
	exo_udf_alu(b, EXO_UDF_AND_K, 3, 7);
}

/*
 * An inode's (and its indirect block's) acl. uid 0 may do anything, and
 * anyone may write a block while it is unclaimed (mode word 0: fresh from
 * XN_ALLOC, which only its allocator holds). A child (data, or the ind
 * block) is read with r and written with w of the caller's class. The
 * block itself is changed by the range the change touches (IN_OFFSET,
 * IN_LEN): the uid (bytes 0..3) only as above, so chown is root's; the
 * mode (4..7) by its owner, so chmod is the owner's; the rest (size,
 * pointers, ind slots 2..1023) by its owner or with w. Of an ind block,
 * slots 0 and 1 are its copy of the header and follow the same rules.
 */
static int udf_file_acl(struct exo_udf_builder *b)
{
	int allow, deny, check, want_w, self_w, rest;

	exo_udf_init(b);
	allow = exo_udf_label(b);
	deny = exo_udf_label(b);
	check = exo_udf_label(b);
	want_w = exo_udf_label(b);
	self_w = exo_udf_label(b);
	rest = exo_udf_label(b);
	exo_udf_input(b, 1, EXO_UDF_IN_UID);
	exo_udf_input(b, 7, EXO_UDF_IN_BLOCK);
	exo_udf_input(b, 8, EXO_UDF_IN_SELF);
	exo_udf_input(b, 9, EXO_UDF_IN_ACCESS);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 1, 0, allow);
	exo_udf_load(b, 4, 4, -1, FS_HDR_MODE);
	exo_udf_jmp_if(b, EXO_UDF_JNE_X, 7, 8, check);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, allow);
	exo_udf_load(b, 4, 2, -1, FS_HDR_UID);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 9, EXO_UDF_ACCESS_WRITE, self_w);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_jmp(b, check);
	/* A change of the block itself: r13 = offset, r15 = its end. */
	exo_udf_bind(b, self_w);
	exo_udf_input(b, 13, EXO_UDF_IN_OFFSET);
	exo_udf_input(b, 14, EXO_UDF_IN_LEN);
	exo_udf_jmp_if(b, EXO_UDF_JLT_K, 13, FS_HDR_MODE, deny);
	exo_udf_jmp_if(b, EXO_UDF_JGE_K, 13, FS_HDR_MODE + 4, rest);
	exo_udf_mov(b, 15, 13);
	exo_udf_alu(b, EXO_UDF_ADD_X, 15, 14);
	exo_udf_jmp_if(b, EXO_UDF_JGT_K, 15, FS_HDR_MODE + 4, deny);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_jmp(b, deny);
	exo_udf_bind(b, rest);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_bind(b, check);
	acl_caller_bits(b);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 9, EXO_UDF_ACCESS_WRITE, want_w);
	exo_udf_alu(b, EXO_UDF_AND_K, 3, 04);
	exo_udf_ret_reg(b, 3);
	exo_udf_bind(b, want_w);
	exo_udf_alu(b, EXO_UDF_AND_K, 3, 02);
	exo_udf_ret_reg(b, 3);
	exo_udf_bind(b, deny);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, allow);
	exo_udf_ret(b, 1);
	return exo_udf_finish(b);
}

static int udf_ind_owns(struct exo_udf_builder *b)
{
	int next;

	exo_udf_init(b);
	next = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_ldi(b, 2, EXO_XN_TYPE_DATA);
	exo_udf_loop(b, 5, -1, IND_SLOTS);
	exo_udf_jmp_if(b, EXO_UDF_JLT_K, 5, IND_FIRST, next);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 2);
	exo_udf_load(b, 4, 4, 6, 0);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

static int udf_ino_owns(struct exo_udf_builder *b, __u32 ind_type)
{
	int next, done;

	exo_udf_init(b);
	next = exo_udf_label(b);
	done = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_ldi(b, 2, EXO_XN_TYPE_DATA);
	exo_udf_loop(b, 5, -1, INO_DIRECT);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 3);
	exo_udf_load(b, 8, 4, 6, INO_PTR(0));
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_load(b, 8, 4, -1, INO_IND);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, done);
	exo_udf_ldi(b, 2, (__s32)ind_type);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, done);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

static int udf_dir_owns(struct exo_udf_builder *b)
{
	int next;

	exo_udf_init(b);
	next = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_loop(b, 5, -1, DIR_ENTRIES);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 6);
	exo_udf_load(b, 8, 4, 6, DIR_ENTRY(0));
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, next);
	exo_udf_load(b, 4, 2, 6, DIR_ENTRY(0) + 8);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

/*
 * A directory's acl. uid 0 may do anything. A child: read with x on the
 * directory, unless its entry is still pending and the caller is not the
 * entry's uid; no data children. The directory itself: anyone may read it
 * as a root; anyone may change it while unclaimed (mode word 0); else by
 * the range a change touches (IN_OFFSET, IN_LEN), in 64-byte units (unit
 * 0 the header, unit 1 + i entry i), a change across two units denied:
 * the uid (bytes 0..3) is root's, the rest of the header (the mode) the
 * owner's; an entry is changed (create, unlink) by the owner or with w
 * and x, and in a sticky directory (S_ISVTX) an entry in use (its block
 * non-zero) only by the owner or the entry's uid.
 */
static int udf_dir_acl(struct exo_udf_builder *b)
{
	int allow, deny, self, next, search, wx, entry;

	exo_udf_init(b);
	allow = exo_udf_label(b);
	deny = exo_udf_label(b);
	self = exo_udf_label(b);
	next = exo_udf_label(b);
	search = exo_udf_label(b);
	wx = exo_udf_label(b);
	entry = exo_udf_label(b);
	exo_udf_input(b, 1, EXO_UDF_IN_UID);
	exo_udf_input(b, 7, EXO_UDF_IN_BLOCK);
	exo_udf_input(b, 8, EXO_UDF_IN_SELF);
	exo_udf_input(b, 9, EXO_UDF_IN_ACCESS);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 1, 0, allow);
	acl_caller_bits(b);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 7, 8, self);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 3, 01, search);
	exo_udf_jmp(b, deny);
	exo_udf_bind(b, search);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 9, EXO_UDF_ACCESS_WRITE, deny);
	/* Find the child's entry; r10 = the answer. */
	exo_udf_ldi(b, 10, 0);
	exo_udf_loop(b, 5, -1, DIR_ENTRIES);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 6);
	exo_udf_load(b, 8, 4, 6, DIR_ENTRY(0) + DE_BLOCK);
	exo_udf_jmp_if(b, EXO_UDF_JNE_X, 4, 7, next);
	exo_udf_ldi(b, 10, 1);
	exo_udf_load(b, 4, 11, 6, DIR_ENTRY(0) + DE_FLAGS);
	exo_udf_alu(b, EXO_UDF_AND_K, 11, DE_PENDING);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 11, 0, next);
	exo_udf_load(b, 4, 12, 6, DIR_ENTRY(0) + DE_UID);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 12, 1, next);
	exo_udf_ldi(b, 10, 0);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret_reg(b, 10);
	exo_udf_bind(b, self);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 9, EXO_UDF_ACCESS_WRITE, wx);
	exo_udf_ret(b, 1);
	exo_udf_bind(b, wx);
	exo_udf_load(b, 4, 4, -1, FS_HDR_MODE);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, allow);
	/* r6 = the unit of the first byte, r15 = of the last; one unit. */
	exo_udf_input(b, 13, EXO_UDF_IN_OFFSET);
	exo_udf_input(b, 14, EXO_UDF_IN_LEN);
	exo_udf_mov(b, 15, 13);
	exo_udf_alu(b, EXO_UDF_ADD_X, 15, 14);
	exo_udf_alu(b, EXO_UDF_SUB_K, 15, 1);
	exo_udf_alu(b, EXO_UDF_SHR_K, 15, 6);
	exo_udf_mov(b, 6, 13);
	exo_udf_alu(b, EXO_UDF_SHR_K, 6, 6);
	exo_udf_jmp_if(b, EXO_UDF_JNE_X, 6, 15, deny);
	exo_udf_jmp_if(b, EXO_UDF_JNE_K, 6, 0, entry);
	/* The header: not the uid; the rest is the owner's. */
	exo_udf_jmp_if(b, EXO_UDF_JLT_K, 13, FS_HDR_MODE, deny);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_jmp(b, deny);
	/* An entry: the owner, or w and x, and sticky rules. */
	exo_udf_bind(b, entry);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_alu(b, EXO_UDF_AND_K, 3, 03);
	exo_udf_jmp_if(b, EXO_UDF_JNE_K, 3, 03, deny);
	exo_udf_mov(b, 11, 4);
	exo_udf_alu(b, EXO_UDF_AND_K, 11, S_ISVTX);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 11, 0, allow);
	exo_udf_alu(b, EXO_UDF_SHL_K, 6, 6);
	exo_udf_load(b, 8, 11, 6, DE_BLOCK);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 11, 0, allow);
	exo_udf_load(b, 4, 12, 6, DE_UID);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 12, 1, allow);
	exo_udf_bind(b, deny);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, allow);
	exo_udf_ret(b, 1);
	return exo_udf_finish(b);
}

/* ---- helpers ----------------------------------------------------------- */

static void fs_type_name(char *out, const char *fs, const char *kind)
{
	snprintf(out, EXO_XN_NAME_MAX, "%.20s %s", fs, kind);
}

static struct exo_xn_mod fs_mod(__u32 offset, const void *data, __u32 len)
{
	struct exo_xn_mod m = {
		.offset = offset, .len = len, .data = (__u64)(uintptr_t)data,
	};

	return m;
}

/*
 * Write the header of metadata block @block: its owner and its mode. It is
 * written once, while the block is still unclaimed (zeroes, fresh from
 * XN_ALLOC or ROOT_INSTALL); chmod and chown change one word of it later
 * (fs_set_header()).
 */
static int fs_write_hdr(struct exo_fs *fs, __u64 block, __u32 uid,
			__u32 mode)
{
	__u32 hdr[2] = { uid, mode };
	struct exo_xn_mod m = fs_mod(FS_HDR_UID, hdr, sizeof(hdr));

	return exo_xn_write_meta(fs->exo, block, &m, 1);
}

/* Copy block @block (in the registry) out through a read-only map. */
static int fs_peek(struct exo_fs *fs, __u64 block, void *out)
{
	void *p = exo_xn_map(fs->exo, block, 0);

	if (!p)
		return exo_err(errno);
	memcpy(out, p, FS_BS);
	exo_xn_unmap(p);
	return 0;
}

static __u64 fs_free_block(struct exo_fs *fs)
{
	struct exo_xn_info info = { 0 };

	if (exo_xn_info(fs->exo, &info))
		return 0;
	return info.hint;
}

/* The entry named @name in directory @dirblk: its index, a copy in @e. */
static int fs_lookup(struct exo_fs *fs, __u64 dirblk, const char *name,
		     struct fs_dirent *e, unsigned char *dir)
{
	int i;

	if (fs_peek(fs, dirblk, dir))
		return -errno;
	for (i = 0; i < DIR_ENTRIES; i++) {
		memcpy(e, dir + DIR_ENTRY(i), sizeof(*e));
		if (e->block && !strncmp(e->name, name, sizeof(e->name)))
			return i;
	}
	return exo_err(ENOENT);
}

/*
 * Walk @path ("a/b/c") to the directory holding its last component, which
 * goes to @leaf; each directory on the way is read into the registry
 * through its parent, so XN checks every step.
 */
static int fs_walk(struct exo_fs *fs, const char *path, __u64 *dirblk,
		   char *leaf)
{
	unsigned char dir[FS_BS];
	struct fs_dirent e;
	const char *p = path, *slash;
	__u64 cur = fs->root;
	size_t n;
	int ret;

	if (!path || !*path)
		return exo_err(EINVAL);
	while ((slash = strchr(p, '/'))) {
		n = slash - p;
		if (!n || n >= EXO_FS_NAME_MAX)
			return exo_err(EINVAL);
		memcpy(leaf, p, n);
		leaf[n] = '\0';
		ret = fs_lookup(fs, cur, leaf, &e, dir);
		if (ret < 0)
			return ret;
		if (e.type != fs->dir_type)
			return exo_err(ENOTDIR);
		ret = exo_xn_read(fs->exo, e.block, cur, fs->dir_type, NULL);
		if (ret)
			return ret;
		cur = e.block;
		p = slash + 1;
	}
	if (!*p || strlen(p) >= EXO_FS_NAME_MAX)
		return exo_err(EINVAL);
	strcpy(leaf, p);
	*dirblk = cur;
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

LIBEXO_EXPORT struct exo_fs *exo_fs_mount(struct exo *exo, const char *name)
{
	struct exo_fs *fs = calloc(1, sizeof(*fs));
	char tn[EXO_XN_NAME_MAX];
	__u32 type;
	int ret;

	if (!fs) {
		errno = ENOMEM;
		return NULL;
	}
	fs->exo = exo;
	ret = exo_xn_root_lookup(exo, name, &type, &fs->root);
	fs_type_name(tn, name, "dir");
	if (!ret)
		ret = exo_xn_type_lookup(exo, tn, NULL, &fs->dir_type);
	fs_type_name(tn, name, "inode");
	if (!ret)
		ret = exo_xn_type_lookup(exo, tn, NULL, &fs->ino_type);
	fs_type_name(tn, name, "ind");
	if (!ret)
		ret = exo_xn_type_lookup(exo, tn, NULL, &fs->ind_type);
	if (!ret && type != fs->dir_type)
		ret = exo_err(EINVAL);
	if (!ret)
		ret = exo_xn_read(exo, fs->root, EXO_XN_NO_PARENT, type, NULL);
	if (ret) {
		free(fs);
		errno = -ret;
		return NULL;
	}
	return fs;
}

LIBEXO_EXPORT struct exo_fs *exo_fs_mkfs(struct exo *exo, const char *name)
{
	struct exo_udf_builder o, a;
	char tn[EXO_XN_NAME_MAX];
	__u32 ind, ino, dir;
	struct exo_fs *fs;
	__u64 root = 0;
	int no, na, ret;

	if (!name || strlen(name) > 20) {
		errno = EINVAL;
		return NULL;
	}
	no = udf_ind_owns(&o);
	na = udf_file_acl(&a);
	fs_type_name(tn, name, "ind");
	ret = exo_xn_type_install(exo, tn, o.insns, no, a.insns, na, &ind);
	if (ret)
		goto err;
	no = udf_ino_owns(&o, ind);
	fs_type_name(tn, name, "inode");
	ret = exo_xn_type_install(exo, tn, o.insns, no, a.insns, na, &ino);
	if (ret)
		goto err;
	no = udf_dir_owns(&o);
	na = udf_dir_acl(&a);
	fs_type_name(tn, name, "dir");
	ret = exo_xn_type_install(exo, tn, o.insns, no, a.insns, na, &dir);
	if (!ret)
		ret = exo_xn_root_install(exo, name, dir, &root);
	if (ret)
		goto err;
	fs = exo_fs_mount(exo, name);
	if (!fs)
		return NULL;
	ret = fs_write_hdr(fs, fs->root, getuid(), S_IFDIR | 0755);
	if (ret) {
		free(fs);
		goto err;
	}
	return fs;
err:
	errno = -ret;
	return NULL;
}

LIBEXO_EXPORT void exo_fs_unmount(struct exo_fs *fs)
{
	free(fs);
}

/*
 * A new entry @path of @type, in three steps: the entry goes in pending (the
 * directory's acl shows the child to no one else, so no one else can claim
 * its unclaimed header), the child's header {uid, mode}, then the entry's
 * mode, no longer pending.
 */
static int fs_make(struct exo_fs *fs, const char *path, __u32 mode,
		   __u32 type)
{
	char leaf[EXO_FS_NAME_MAX];
	unsigned char dir[FS_BS];
	struct fs_dirent e;
	__u32 done[3];
	struct exo_xn_mod m;
	__u64 dirblk;
	int i, ret;

	if (!fs)
		return exo_err(EINVAL);
	if (mode & ~07777U)
		return exo_err(EINVAL);
	ret = fs_walk(fs, path, &dirblk, leaf);
	if (ret)
		return ret;
	if (fs_lookup(fs, dirblk, leaf, &e, dir) >= 0)
		return exo_err(EEXIST);
	for (i = 0; i < DIR_ENTRIES; i++)
		if (!*(const __u64 *)(dir + DIR_ENTRY(i)))
			break;
	if (i == DIR_ENTRIES)
		return exo_err(ENOSPC);
	memset(&e, 0, sizeof(e));
	e.block = fs_free_block(fs);
	if (!e.block)
		return exo_err(ENOSPC);
	e.type = type;
	e.uid = getuid();
	e.flags = DE_PENDING;
	snprintf(e.name, sizeof(e.name), "%s", leaf);
	m = fs_mod(DIR_ENTRY(i), &e, sizeof(e));
	ret = exo_xn_alloc(fs->exo, dirblk, e.block, type, &m, 1);
	if (ret)
		return ret;
	ret = fs_write_hdr(fs, e.block, e.uid,
			   (type == fs->dir_type ? S_IFDIR : S_IFREG) | mode);
	if (ret)
		return ret;
	/* The entry's mode, uid and flags (bytes 12..24): no longer pending. */
	done[0] = mode;
	done[1] = e.uid;
	done[2] = 0;
	m = fs_mod(DIR_ENTRY(i) + 12, done, sizeof(done));
	return exo_xn_write_meta(fs->exo, dirblk, &m, 1);
}

LIBEXO_EXPORT int exo_fs_create(struct exo_fs *fs, const char *path,
				__u32 mode)
{
	return fs_make(fs, path, mode, fs ? fs->ino_type : 0);
}

LIBEXO_EXPORT int exo_fs_mkdir(struct exo_fs *fs, const char *path,
			       __u32 mode)
{
	return fs_make(fs, path, mode, fs ? fs->dir_type : 0);
}

/* Bring the inode of @path into the registry; its block in *@ino. */
static int fs_inode(struct exo_fs *fs, const char *path, __u64 *ino,
		    unsigned char *buf)
{
	char leaf[EXO_FS_NAME_MAX];
	struct fs_dirent e;
	__u64 dirblk;
	int ret = fs_walk(fs, path, &dirblk, leaf);

	if (!ret)
		ret = fs_lookup(fs, dirblk, leaf, &e, buf);
	if (ret < 0)
		return ret;
	if (e.type != fs->ino_type)
		return exo_err(EISDIR);
	ret = exo_xn_read(fs->exo, e.block, dirblk, fs->ino_type, NULL);
	if (ret)
		return ret;
	*ino = e.block;
	return fs_peek(fs, e.block, buf);
}

/*
 * The data block of file block @idx: its number (0 if none) and parent.
 * With @make, allocate what is missing (the indirect block too).
 */
static int fs_bmap(struct exo_fs *fs, __u64 ino, const unsigned char *inode,
		   __u64 idx, int make, __u64 *block, __u64 *parent)
{
	unsigned char ind[FS_BS];
	struct exo_xn_mod m;
	__u64 b, ib;
	__u32 slot, b32, hdr[2];
	int ret;

	*block = 0;
	if (idx < INO_DIRECT) {
		memcpy(&b, inode + INO_PTR(idx), 8);
		*parent = ino;
		if (!b && make) {
			b = fs_free_block(fs);
			m = fs_mod(INO_PTR(idx), &b, 8);
			ret = exo_xn_alloc(fs->exo, ino, b, EXO_XN_TYPE_DATA,
					   &m, 1);
			if (ret)
				return ret;
		} else if (b) {
			ret = exo_xn_read(fs->exo, b, ino, EXO_XN_TYPE_DATA,
					  NULL);
			if (ret)
				return ret;
		}
		*block = b;
		return 0;
	}
	if (idx >= INO_DIRECT + IND_SLOTS - IND_FIRST)
		return exo_err(EFBIG);
	slot = IND_FIRST + (idx - INO_DIRECT);
	memcpy(&ib, inode + INO_IND, 8);
	if (!ib) {
		if (!make)
			return 0;
		ib = fs_free_block(fs);
		m = fs_mod(INO_IND, &ib, 8);
		ret = exo_xn_alloc(fs->exo, ino, ib, fs->ind_type, &m, 1);
		if (ret)
			return ret;
		memcpy(hdr, inode + FS_HDR_UID, sizeof(hdr));
		/* The inode's header: the ind block's acl reads its own. */
		ret = fs_write_hdr(fs, ib, hdr[0], hdr[1]);
	} else {
		ret = exo_xn_read(fs->exo, ib, ino, fs->ind_type, NULL);
	}
	if (!ret)
		ret = fs_peek(fs, ib, ind);
	if (ret)
		return ret;
	*parent = ib;
	memcpy(&b32, ind + 4 * slot, 4);
	if (!b32 && make) {
		b = fs_free_block(fs);
		if (b > UINT32_MAX)
			return exo_err(ENOSPC);
		b32 = (__u32)b;
		m = fs_mod(4 * slot, &b32, 4);
		ret = exo_xn_alloc(fs->exo, ib, b, EXO_XN_TYPE_DATA, &m, 1);
		if (ret)
			return ret;
	} else if (b32) {
		ret = exo_xn_read(fs->exo, b32, ib, EXO_XN_TYPE_DATA, NULL);
		if (ret)
			return ret;
	}
	*block = b32;
	return 0;
}

LIBEXO_EXPORT ssize_t exo_fs_write(struct exo_fs *fs, const char *name,
				   __u64 off, const void *buf, size_t len)
{
	unsigned char inode[FS_BS];
	const unsigned char *src = buf;
	struct exo_xn_mod m;
	__u64 ino, size, b, parent;
	size_t done = 0;
	int ret;

	if (!fs || !name || (!buf && len))
		return exo_err(EINVAL);
	ret = fs_inode(fs, name, &ino, inode);
	if (ret)
		return ret;
	while (done < len) {
		__u64 pos = off + done;
		__u32 in = pos % FS_BS, n = FS_BS - in;

		if (n > len - done)
			n = len - done;
		ret = fs_bmap(fs, ino, inode, pos / FS_BS, 1, &b, &parent);
		if (!ret)
			ret = exo_xn_write(fs->exo, b, in, src + done, n);
		if (ret)
			return done ? (ssize_t)done : ret;
		if (fs_peek(fs, ino, inode))
			return -errno;
		done += n;
	}
	memcpy(&size, inode + 8, 8);
	if (off + len > size) {
		size = off + len;
		m = fs_mod(8, &size, 8);
		ret = exo_xn_write_meta(fs->exo, ino, &m, 1);
		if (ret)
			return ret;
	}
	return (ssize_t)done;
}

LIBEXO_EXPORT ssize_t exo_fs_read(struct exo_fs *fs, const char *name,
				  __u64 off, void *buf, size_t len)
{
	unsigned char inode[FS_BS], data[FS_BS];
	unsigned char *dst = buf;
	__u64 ino, size, b, parent;
	size_t done = 0;
	int ret;

	if (!fs || !name || (!buf && len))
		return exo_err(EINVAL);
	ret = fs_inode(fs, name, &ino, inode);
	if (ret)
		return ret;
	memcpy(&size, inode + 8, 8);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = size - off;
	while (done < len) {
		__u64 pos = off + done;
		__u32 in = pos % FS_BS, n = FS_BS - in;

		if (n > len - done)
			n = len - done;
		ret = fs_bmap(fs, ino, inode, pos / FS_BS, 0, &b, &parent);
		if (ret)
			return done ? (ssize_t)done : ret;
		if (!b)
			memset(dst + done, 0, n);
		else if (fs_peek(fs, b, data))
			return done ? (ssize_t)done : -errno;
		else
			memcpy(dst + done, data + in, n);
		if (b)
			exo_xn_release(fs->exo, b);
		done += n;
	}
	return (ssize_t)done;
}

LIBEXO_EXPORT int exo_fs_readdir(struct exo_fs *fs, const char *path,
				 struct exo_fs_dirent *out, int max)
{
	char leaf[EXO_FS_NAME_MAX], full[4 * EXO_FS_NAME_MAX];
	unsigned char dir[FS_BS];
	struct fs_dirent e;
	__u64 dirblk;
	int i, n = 0, ret;

	if (!fs || (!out && max))
		return exo_err(EINVAL);
	dirblk = fs->root;
	if (path && *path) {
		/* Walk to the directory itself, as the parent of "." */
		snprintf(full, sizeof(full), "%s/.", path);
		ret = fs_walk(fs, full, &dirblk, leaf);
		if (ret)
			return ret;
	}
	if (fs_peek(fs, dirblk, dir))
		return -errno;
	for (i = 0; i < DIR_ENTRIES && n < max; i++) {
		memcpy(&e, dir + DIR_ENTRY(i), sizeof(e));
		if (!e.block)
			continue;
		memcpy(out[n].name, e.name, sizeof(out[n].name));
		out[n].name[EXO_FS_NAME_MAX - 1] = '\0';
		out[n].mode = e.mode;
		out[n].uid = e.uid;
		out[n].block = e.block;
		out[n].is_dir = e.type == fs->dir_type;
		n++;
	}
	return n;
}

/* Free child @b of @parent whose pointer is @len bytes at @offset. */
static int fs_free(struct exo_fs *fs, __u64 parent, __u64 b, __u32 type,
		   __u32 offset, __u32 len)
{
	static const __u64 zero;
	struct exo_xn_mod m = fs_mod(offset, &zero, len);

	exo_xn_release(fs->exo, b);
	return exo_xn_free(fs->exo, parent, b, type, &m, 1);
}

/* Remove an empty directory: XN refuses to free a block that owns any. */
static int fs_rmdir(struct exo_fs *fs, __u64 dirblk, int slot,
		    const struct fs_dirent *e)
{
	unsigned char sub[FS_BS];
	int i, ret;

	ret = exo_xn_read(fs->exo, e->block, dirblk, fs->dir_type, NULL);
	if (!ret)
		ret = fs_peek(fs, e->block, sub);
	if (ret)
		return ret;
	for (i = 0; i < DIR_ENTRIES; i++)
		if (*(const __u64 *)(sub + DIR_ENTRY(i)))
			return exo_err(ENOTEMPTY);
	return fs_free(fs, dirblk, e->block, fs->dir_type, DIR_ENTRY(slot), 8);
}

LIBEXO_EXPORT int exo_fs_unlink(struct exo_fs *fs, const char *path)
{
	unsigned char inode[FS_BS], ind[FS_BS], dir[FS_BS];
	char leaf[EXO_FS_NAME_MAX];
	struct fs_dirent e;
	__u64 ino, b, ib, dirblk;
	__u32 b32, hdr[2];
	int i, slot, ret;

	if (!fs || !path)
		return exo_err(EINVAL);
	ret = fs_walk(fs, path, &dirblk, leaf);
	if (ret)
		return ret;
	slot = fs_lookup(fs, dirblk, leaf, &e, dir);
	if (slot < 0)
		return slot;
	/* What the directory's acl will refuse at the end, refused before
	 * the file's blocks are freed: another's entry in a sticky
	 * directory (EPERM, as POSIX has it).
	 */
	memcpy(hdr, dir, sizeof(hdr));
	if ((hdr[1] & S_ISVTX) && getuid() != 0 && getuid() != hdr[0] &&
	    getuid() != e.uid)
		return exo_err(EPERM);
	if (e.type == fs->dir_type)
		return fs_rmdir(fs, dirblk, slot, &e);
	ret = fs_inode(fs, path, &ino, inode);
	if (ret)
		return ret;
	memcpy(&ib, inode + INO_IND, 8);
	if (ib) {
		ret = exo_xn_read(fs->exo, ib, ino, fs->ind_type, NULL);
		if (!ret)
			ret = fs_peek(fs, ib, ind);
		for (i = IND_FIRST; !ret && i < IND_SLOTS; i++) {
			memcpy(&b32, ind + 4 * i, 4);
			if (b32)
				ret = fs_free(fs, ib, b32, EXO_XN_TYPE_DATA,
					      4 * i, 4);
		}
		if (!ret)
			ret = fs_free(fs, ino, ib, fs->ind_type, INO_IND, 8);
		if (ret)
			return ret;
	}
	for (i = 0; i < INO_DIRECT; i++) {
		memcpy(&b, inode + INO_PTR(i), 8);
		if (!b)
			continue;
		ret = fs_free(fs, ino, b, EXO_XN_TYPE_DATA, INO_PTR(i), 8);
		if (ret)
			return ret;
	}
	return fs_free(fs, dirblk, ino, fs->ino_type, DIR_ENTRY(slot), 8);
}

/*
 * Set the header word at @offset (0: uid, 4: mode) of @path's block, of a
 * file's indirect block too (its acl reads its own copy), and the copy in
 * the directory entry that readdir shows.
 */
static int fs_set_header(struct exo_fs *fs, const char *path, __u32 offset,
			 __u32 keep, __u32 value)
{
	unsigned char dir[FS_BS], blk[FS_BS];
	char leaf[EXO_FS_NAME_MAX];
	struct exo_xn_mod m;
	struct fs_dirent e;
	__u64 dirblk, ib = 0;
	__u32 word;
	int slot, ret;

	ret = fs_walk(fs, path, &dirblk, leaf);
	if (ret)
		return ret;
	slot = fs_lookup(fs, dirblk, leaf, &e, dir);
	if (slot < 0)
		return slot;
	ret = exo_xn_read(fs->exo, e.block, dirblk, e.type, NULL);
	if (!ret)
		ret = fs_peek(fs, e.block, blk);
	if (ret)
		return ret;
	memcpy(&word, blk + offset, 4);
	word = (word & keep) | value;
	if (e.type == fs->ino_type) {
		memcpy(&ib, blk + INO_IND, 8);
		if (ib)
			ret = exo_xn_read(fs->exo, ib, e.block, fs->ind_type,
					  NULL);
	}
	m = fs_mod(offset, &word, 4);
	if (!ret)
		ret = exo_xn_write_meta(fs->exo, e.block, &m, 1);
	if (!ret && ib)
		ret = exo_xn_write_meta(fs->exo, ib, &m, 1);
	if (ret)
		return ret;
	/* The entry's copy is what readdir shows; the block's header is what
	 * the acls obey, so a directory the caller may not write keeps the
	 * old copy.
	 */
	word = offset ? word & 07777 : word;
	m = fs_mod(DIR_ENTRY(slot) + (offset ? 12 : 16), &word, 4);
	ret = exo_xn_write_meta(fs->exo, dirblk, &m, 1);
	return ret == -EACCES ? 0 : ret;
}

LIBEXO_EXPORT int exo_fs_chmod(struct exo_fs *fs, const char *path,
			       __u32 mode)
{
	if (!fs || !path || (mode & ~07777U))
		return exo_err(EINVAL);
	return fs_set_header(fs, path, 4, ~07777U, mode);
}

LIBEXO_EXPORT int exo_fs_chown(struct exo_fs *fs, const char *path,
			       __u32 uid)
{
	if (!fs || !path)
		return exo_err(EINVAL);
	if (getuid() != 0)
		return exo_err(EPERM);
	return fs_set_header(fs, path, 0, 0, uid);
}

LIBEXO_EXPORT int exo_fs_sync(struct exo_fs *fs)
{
	if (!fs)
		return exo_err(EINVAL);
	return exo_xn_sync(fs->exo, NULL);
}
