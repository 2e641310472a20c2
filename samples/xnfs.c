// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * xnfs: a library file system on XN, the disk binding.
 *
 * The kernel never learns xnfs's format. xnfs tells it, once, how to read
 * one kind of block: a *directory* block holds 16 entries
 * { u64 block; u32 type; u32 mode; char name[16] } (40 bytes, from byte 64),
 * and the owner's uid at byte 0. Its owns function (a UDF built below with
 * libexo's builder) walks the entries with the bytecode's one loop and
 * claims each non-empty entry's block with the entry's type; its acl
 * function lets the owner do anything and everybody else read entries
 * whose mode has the "other read" bit (04), and the directory itself.
 * Files are single data blocks.
 *
 *   1. install the type "xnfs dir" and the root "xnfs" (or find them);
 *   2. try to cheat: allocate one block with a change of the directory
 *      that points at two (refused: XN runs the owns function before and
 *      after the change and accepts only if exactly the new block appeared);
 *   3. create two files, "hello" (0644) and "secret" (0600), each a block
 *      allocated under the directory the honest way;
 *   4. a second process, not root, reads "hello" through XN's checks and
 *      is refused "secret" by our own acl function;
 *   5. sync: blocks reach the disk children first, then the free map,
 *      then the directory, so a crash never leaves a pointer to garbage.
 *
 * It exits 0 only if everything behaved as described. Run it as root on a
 * loaded exo.ko (any disk: the RAM default, or disk=/dev/vda).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/exo.h>

#define DIR_UID		0
#define DIR_ENTRY(i)	(64 + 40 * (i))
#define DIR_ENTRIES	16
#define NOBODY		65534

struct dir_entry {
	__u64 block;
	__u32 type;
	__u32 mode;
	char name[16];
	__u64 pad;
};

static int failures;

static void say(const char *step, const char *words)
{
	printf("\n[%s]\n  %s\n", step, words);
}

static void check(int ok, const char *what)
{
	printf("  %s %s\n", ok ? "ok:    " : "FAILED:", what);
	if (!ok)
		failures++;
}

/* owns: for i in 0..15, if entry[i].block: claim (block, 1, entry[i].type). */
static int build_owns(struct exo_udf_builder *b)
{
	int empty;

	exo_udf_init(b);
	empty = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);				/* r1: count 1 */
	exo_udf_loop(b, 5, -1, DIR_ENTRIES);		/* r5: i */
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_MUL_K, 6, 40);		/* r6: i * 40 */
	exo_udf_load(b, 8, 4, 6, DIR_ENTRY(0));		/* r4: block */
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, empty);
	exo_udf_load(b, 4, 2, 6, DIR_ENTRY(0) + 8);	/* r2: type */
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, empty);
	exo_udf_endloop(b);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

/*
 * acl: the owner may do anything. Others may read (not write) the entry
 * whose block is IN_BLOCK if its mode has 04.
 */
static int build_acl(struct exo_udf_builder *b)
{
	int allow, next, deny;

	exo_udf_init(b);
	allow = exo_udf_label(b);
	deny = exo_udf_label(b);
	next = exo_udf_label(b);
	exo_udf_input(b, 1, EXO_UDF_IN_UID);
	exo_udf_load(b, 4, 2, -1, DIR_UID);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 1, 2, allow);
	exo_udf_input(b, 3, EXO_UDF_IN_ACCESS);
	exo_udf_jmp_if(b, EXO_UDF_JSET_K, 3, EXO_UDF_ACCESS_WRITE, deny);
	exo_udf_input(b, 7, EXO_UDF_IN_BLOCK);
	exo_udf_input(b, 10, EXO_UDF_IN_SELF);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_X, 7, 10, allow);	/* the directory */
	exo_udf_ldi(b, 8, 0);				/* r8: allowed? */
	exo_udf_loop(b, 5, -1, DIR_ENTRIES);
	exo_udf_mov(b, 6, 5);
	exo_udf_alu(b, EXO_UDF_MUL_K, 6, 40);
	exo_udf_load(b, 8, 4, 6, DIR_ENTRY(0));
	exo_udf_jmp_if(b, EXO_UDF_JNE_X, 4, 7, next);
	exo_udf_load(b, 4, 9, 6, DIR_ENTRY(0) + 12);	/* mode */
	exo_udf_alu(b, EXO_UDF_AND_K, 9, 04);
	exo_udf_alu(b, EXO_UDF_OR_X, 8, 9);
	exo_udf_bind(b, next);
	exo_udf_endloop(b);
	exo_udf_ret_reg(b, 8);
	exo_udf_bind(b, deny);
	exo_udf_ret(b, 0);
	exo_udf_bind(b, allow);
	exo_udf_ret(b, 1);
	return exo_udf_finish(b);
}

static int find_or_make(struct exo *exo, __u32 *type, __u64 *root)
{
	struct exo_udf_builder owns, acl;
	int no = build_owns(&owns), na = build_acl(&acl), ret;

	if (no < 0 || na < 0)
		return -EINVAL;
	if (exo_xn_type_lookup(exo, "xnfs dir", NULL, type)) {
		ret = exo_xn_type_install(exo, "xnfs dir", owns.insns, no,
					  acl.insns, na, type);
		if (ret)
			return ret;
	}
	if (!exo_xn_root_lookup(exo, "xnfs", NULL, root))
		return 0;
	*root = 0;
	return exo_xn_root_install(exo, "xnfs", *type, root);
}

/* Create @name with @mode and @text in free entry @slot of the root. */
static int create(struct exo *exo, __u64 root, int slot, const char *name,
		  __u32 mode, const char *text, __u64 *blockp)
{
	struct exo_xn_info info = { 0 };
	struct dir_entry e = { 0 };
	struct exo_xn_mod m;
	int ret;

	ret = exo_xn_info(exo, &info);
	if (ret)
		return ret;
	e.block = info.hint;
	e.type = EXO_XN_TYPE_DATA;
	e.mode = mode;
	snprintf(e.name, sizeof(e.name), "%s", name);
	m.offset = DIR_ENTRY(slot);
	m.len = sizeof(e);
	m.data = (__u64)(unsigned long)&e;
	ret = exo_xn_alloc(exo, root, e.block, EXO_XN_TYPE_DATA, &m, 1);
	if (ret)
		return ret;
	*blockp = e.block;
	return exo_xn_write(exo, e.block, 0, text, strlen(text) + 1);
}

/* The second process: not root, with an environment of its own. */
static int other_user(__u64 root, __u32 type, __u64 hello, __u64 secret)
{
	struct exo *exo = exo_open(NULL);
	const char *p;
	int ret;

	if (!exo || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (exo_xn_read(exo, root, EXO_XN_NO_PARENT, type, NULL))
		return 11;
	if (exo_xn_read(exo, hello, root, EXO_XN_TYPE_DATA, NULL))
		return 12;
	p = exo_xn_map(exo, hello, 0);
	if (!p)
		return 13;
	printf("  uid %d reads \"hello\" through XN: \"%s\"\n", (int)getuid(), p);
	ret = exo_xn_read(exo, secret, root, EXO_XN_TYPE_DATA, NULL);
	printf("  uid %d reading \"secret\": %s\n", (int)getuid(),
	       ret ? strerror(-ret) : "allowed?!");
	exo_close(exo);
	return ret == -EACCES ? 0 : 14;
}

int main(void)
{
	struct dir_entry e[2];
	struct exo_xn_mod m[2];
	__u64 root = 0, hello = 0, secret = 0, written = 0;
	struct exo_xn_sync report;
	struct exo *exo;
	__u32 type = 0;
	int status = 0, ret, i, slot = -1;
	const __u8 *dir;
	pid_t pid;

	exo = exo_open(NULL);
	if (!exo) {
		perror("exo_open");
		return 1;
	}

	say("1. type and root",
	    "xnfs installs its directory type (owns + acl UDFs) and its root.");
	ret = find_or_make(exo, &type, &root);
	check(!ret, "type \"xnfs dir\" and root \"xnfs\" are in the catalogues");
	if (ret)
		return 1;
	printf("  type %u, root block %llu\n", type, (unsigned long long)root);
	check(!exo_xn_read(exo, root, EXO_XN_NO_PARENT, type, NULL),
	      "the root is read into our registry: roots are the entry points");
	dir = exo_xn_map(exo, root, 0);
	check(dir != NULL, "the directory block is mapped read-only");
	if (!dir)
		return 1;
	for (i = 0; i + 1 < DIR_ENTRIES; i++)
		if (!*(const __u64 *)(dir + DIR_ENTRY(i)) &&
		    !*(const __u64 *)(dir + DIR_ENTRY(i + 1))) {
			slot = i;
			break;
		}
	check(slot >= 0, "two free directory entries");
	if (slot < 0)
		return 1;

	say("2. cheat", "claim one block but point at two: XN refuses");
	{
		struct exo_xn_info info = { 0 };

		check(!exo_xn_info(exo, &info), "a free block to ask for");
		memset(e, 0, sizeof(e));
		e[0].block = info.hint;
		info.hint++;
		check(!exo_xn_info(exo, &info), "and a second one to sneak in");
		e[1].block = info.hint;
	}
	for (i = 0; i < 2; i++) {
		m[i].offset = DIR_ENTRY(slot + i);
		m[i].len = sizeof(e[i]);
		m[i].data = (__u64)(unsigned long)&e[i];
	}
	ret = exo_xn_alloc(exo, root, e[0].block, EXO_XN_TYPE_DATA, m, 2);
	check(ret == -EPERM, "a modification claiming two blocks is EPERM");
	check(!*(const __u64 *)(dir + DIR_ENTRY(slot)),
	      "and the directory is unchanged");

	say("3. create files", "each file block is allocated under the directory");
	check(!create(exo, root, slot, "hello", 0644, "hello from xnfs", &hello),
	      "\"hello\" (0644): allocated, written");
	check(!create(exo, root, slot + 1, "secret", 0600, "not for you",
		      &secret), "\"secret\" (0600): allocated, written");

	say("4. another user", "a process as nobody reads what the acl allows");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(other_user(root, type, hello, secret));
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "\"hello\" read, \"secret\" refused with EACCES");

	say("5. sync", "children, then the free map, then the directory");
	check(!exo_xn_sync(exo, &written), "synced");
	printf("  %llu blocks written\n", (unsigned long long)written);
	if (!exo_xn_check(exo, &report))
		check(!report.owned_twice && !report.free_pointed,
		      "the check finds no block owned twice, no pointer to a free block");

	/* Leave the directory as we found it: free both files. */
	memset(e, 0, sizeof(e));
	m[0].offset = DIR_ENTRY(slot);
	m[0].len = sizeof(e[0]);
	m[0].data = (__u64)(unsigned long)&e[0];
	check(!exo_xn_free(exo, root, hello, EXO_XN_TYPE_DATA, m, 1),
	      "\"hello\" freed");
	m[0].offset = DIR_ENTRY(slot + 1);
	check(!exo_xn_free(exo, root, secret, EXO_XN_TYPE_DATA, m, 1),
	      "\"secret\" freed");
	check(!exo_xn_sync(exo, NULL), "synced again");
	exo_close(exo);
	printf("\n%s\n", failures ? "xnfs: FAILED" : "xnfs: all as described");
	return failures ? 1 : 0;
}
