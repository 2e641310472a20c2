// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * exofs: a small shell for libexo's library file system on XN.
 *
 *   exofs mkfs               make the file system "exofs" on XN's disk
 *   exofs ls                 list it
 *   exofs put NAME MODE      store stdin as NAME (MODE in octal, e.g. 644)
 *   exofs get NAME           write NAME to stdout (also: cat)
 *   exofs rm NAME            remove NAME
 *
 * Every command syncs before it exits, so what it did is on the disk in
 * XN's safe order. With no arguments it runs a demonstration and exits 0
 * only if everything behaved as described: mkfs (or mount), put a
 * world-readable file and a private one, list them, then a second process,
 * running as nobody, reads the first through XN's checks and is refused the
 * second by exofs's own acl function; finally both are removed.
 *
 * Run it as root with exo.ko loaded; with disk=/dev/vda the files outlive
 * the module and the VM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exo/exo.h>

#define FS_NAME		"exofs"
#define NOBODY		65534
#define MAX_FILE	(64 * 1024)

static struct exo_fs *open_fs(struct exo *exo, int make)
{
	struct exo_fs *fs = exo_fs_mount(exo, FS_NAME);

	if (!fs && make)
		fs = exo_fs_mkfs(exo, FS_NAME);
	if (!fs)
		fprintf(stderr, "exofs: %s: %s\n", make ? "mkfs" : "mount",
			strerror(errno));
	return fs;
}

static int cmd_ls(struct exo_fs *fs)
{
	struct exo_fs_dirent ents[64];
	int n = exo_fs_readdir(fs, NULL, ents, 64), i;

	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		printf("%04o %5u %-24s (inode at block %llu)\n", ents[i].mode,
		       ents[i].uid, ents[i].name,
		       (unsigned long long)ents[i].block);
	return 0;
}

static int cmd_put(struct exo_fs *fs, const char *name, const char *mode,
		   const char *data, size_t len)
{
	static char buf[MAX_FILE];
	ssize_t got;
	int ret;

	if (!data) {
		len = 0;
		while (len < sizeof(buf) &&
		       (got = read(0, buf + len, sizeof(buf) - len)) > 0)
			len += got;
		data = buf;
	}
	ret = exo_fs_create(fs, name, (__u32)strtoul(mode, NULL, 8));
	if (!ret && exo_fs_write(fs, name, 0, data, len) != (ssize_t)len)
		ret = -EIO;
	return ret;
}

static int cmd_get(struct exo_fs *fs, const char *name)
{
	static char buf[MAX_FILE];
	ssize_t got = exo_fs_read(fs, name, 0, buf, sizeof(buf));

	if (got < 0)
		return (int)got;
	fwrite(buf, 1, got, stdout);
	return 0;
}

static int failures;

static void check(int ok, const char *what)
{
	printf("  %s %s\n", ok ? "ok:    " : "FAILED:", what);
	if (!ok)
		failures++;
}

static int demo(struct exo *exo)
{
	static const char pub[] = "anyone may read this\n";
	static const char priv[] = "only root reads this\n";
	struct exo_fs *fs = open_fs(exo, 1);
	char buf[64];
	int status = 0;
	pid_t pid;

	if (!fs)
		return 1;
	exo_fs_unlink(fs, "public");
	exo_fs_unlink(fs, "private");
	printf("[put] two files, one world-readable\n");
	check(!cmd_put(fs, "public", "644", pub, sizeof(pub) - 1),
	      "put public (0644)");
	check(!cmd_put(fs, "private", "600", priv, sizeof(priv) - 1),
	      "put private (0600)");
	check(!exo_fs_sync(fs), "sync");
	printf("[ls]\n");
	check(!cmd_ls(fs), "ls");
	printf("[another user] a process as nobody, with its own environment\n");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct exo *h = exo_open(NULL);
		struct exo_fs *other;
		ssize_t got;

		if (!h || setgid(NOBODY) || setuid(NOBODY))
			_exit(10);
		other = exo_fs_mount(h, FS_NAME);
		if (!other)
			_exit(11);
		got = exo_fs_read(other, "public", 0, buf, sizeof(buf) - 1);
		if (got != (ssize_t)sizeof(pub) - 1)
			_exit(12);
		buf[got] = '\0';
		printf("  nobody reads public: %s", buf);
		got = exo_fs_read(other, "private", 0, buf, sizeof(buf));
		printf("  nobody reads private: %s\n",
		       got < 0 ? strerror((int)-got) : "allowed?!");
		_exit(got == -EACCES ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "public read, private refused with EACCES by exofs's acl UDF");
	printf("[rm]\n");
	check(!exo_fs_unlink(fs, "public") && !exo_fs_unlink(fs, "private"),
	      "both removed, their blocks freed through XN");
	check(!exo_fs_sync(fs), "sync");
	exo_fs_unmount(fs);
	printf("%s\n", failures ? "exofs: FAILED" : "exofs: all as described");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct exo *exo = exo_open(NULL);
	struct exo_fs *fs;
	int ret = -EINVAL;

	if (!exo) {
		perror("exofs: exo_open");
		return 1;
	}
	if (argc == 1)
		return demo(exo);
	fs = open_fs(exo, !strcmp(argv[1], "mkfs"));
	if (!fs)
		return 1;
	if (!strcmp(argv[1], "mkfs"))
		ret = 0;
	else if (!strcmp(argv[1], "ls"))
		ret = cmd_ls(fs);
	else if (!strcmp(argv[1], "put") && argc == 4)
		ret = cmd_put(fs, argv[2], argv[3], NULL, 0);
	else if ((!strcmp(argv[1], "get") || !strcmp(argv[1], "cat")) &&
		 argc == 3)
		ret = cmd_get(fs, argv[2]);
	else if (!strcmp(argv[1], "rm") && argc == 3)
		ret = exo_fs_unlink(fs, argv[2]);
	else
		fprintf(stderr, "usage: exofs [mkfs | ls | put NAME MODE | get NAME | rm NAME]\n");
	if (!ret)
		ret = exo_fs_sync(fs);
	if (ret)
		fprintf(stderr, "exofs: %s: %s\n", argv[1], strerror(-ret));
	exo_fs_unmount(fs);
	exo_close(exo);
	return ret ? 1 : 0;
}
