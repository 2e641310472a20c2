// SPDX-License-Identifier: GPL-2.0
/*
 * XN's crash test, the log half (scripts/guest/crash.sh, phase "replay"):
 * record every write and flush XN issues with the kernel's dm-log-writes
 * target, then rebuild the disk as a power cut could have left it at many
 * points of the log and run a check on each.
 *
 *   xn_log create NAME DEV LOGDEV   a log-writes mapping of DEV, its log on
 *                                   LOGDEV; prints the new /dev/dm-N
 *   xn_log mark NAME TEXT           a mark in the log
 *   xn_log remove NAME              removes the mapping (ends the log)
 *   xn_log dump LOGFILE             prints the log, an entry a line
 *   xn_log replay LOGFILE MARK IMAGE SIZE SEED CMD...
 *
 * The log's format is dm-log-writes' (Documentation/admin-guide/
 * device-mapper/log-writes.rst): a super block in the first sector, then an
 * entry a sector, each write's data in the sectors after its entry. Plain
 * writes are logged at the flush that follows their completion; FUA writes
 * when they complete.
 *
 * replay starts from everything before MARK. A device's cache may keep any
 * subset of the writes since the last flush, so the images, for each span
 * between two flushes, are: everything up to the flush; the span with one
 * plain write dropped, for each of them; and a random cut of the span
 * keeping each plain write with odds 1/2 (FUA writes are always kept).
 * Each distinct image is written to IMAGE (SIZE bytes) and CMD is run on
 * it; a non-zero exit is an inconsistent point. Exits 0 if every point was
 * consistent, 1 if one was not, 2 if the log could not be replayed.
 * XN_LOG_FIRST=1 in the environment stops at the first inconsistent one.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define LW_MAGIC	0x6a736677736872ULL
#define LW_VERSION	1
#define LW_FLUSH	(1u << 0)
#define LW_FUA		(1u << 1)
#define LW_DISCARD	(1u << 2)
#define LW_MARK		(1u << 3)
#define DROP_MAX	16	/* drop-one images per span, at most */

/* ---- device mapper ------------------------------------------------------ */

static union {
	struct dm_ioctl io;
	char buf[16384];
} dm;

static int dm_call(unsigned long req, const char *name, size_t extra)
{
	int fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0) {
		perror("xn_log: /dev/mapper/control");
		return -1;
	}
	dm.io.version[0] = DM_VERSION_MAJOR;
	dm.io.version[1] = 0;
	dm.io.version[2] = 0;
	dm.io.data_size = sizeof(dm);
	dm.io.data_start = sizeof(dm.io);
	snprintf(dm.io.name, sizeof(dm.io.name), "%s", name);
	(void)extra;
	ret = ioctl(fd, req, &dm);
	if (ret)
		fprintf(stderr, "xn_log: dm ioctl %#lx on %s: %s\n", req, name,
			strerror(errno));
	close(fd);
	return ret;
}

static int dm_create(const char *name, const char *dev, const char *logdev)
{
	struct dm_target_spec *t = (void *)(dm.buf + sizeof(dm.io));
	unsigned long long sectors;
	char path[64];
	FILE *f;
	struct stat st;

	if (stat(dev, &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "xn_log: %s is not a block device\n", dev);
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/size",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &sectors) != 1 || !sectors) {
		fprintf(stderr, "xn_log: no size for %s\n", dev);
		return 1;
	}
	fclose(f);
	memset(&dm, 0, sizeof(dm));
	if (dm_call(DM_DEV_CREATE, name, 0))
		return 1;
	memset(&dm, 0, sizeof(dm));
	dm.io.target_count = 1;
	t->sector_start = 0;
	t->length = sectors;
	snprintf(t->target_type, sizeof(t->target_type), "log-writes");
	snprintf((char *)(t + 1), 512, "%s %s", dev, logdev);
	if (dm_call(DM_TABLE_LOAD, name, 0))
		return 1;
	memset(&dm, 0, sizeof(dm));
	if (dm_call(DM_DEV_SUSPEND, name, 0))	/* no flags: resume */
		return 1;
	printf("/dev/dm-%u\n", minor(dm.io.dev));
	return 0;
}

static int dm_mark(const char *name, const char *text)
{
	struct dm_target_msg *m = (void *)(dm.buf + sizeof(dm.io));

	memset(&dm, 0, sizeof(dm));
	m->sector = 0;
	snprintf(m->message, 512, "mark %s", text);
	return dm_call(DM_TARGET_MSG, name, 0) ? 1 : 0;
}

static int dm_remove(const char *name)
{
	memset(&dm, 0, sizeof(dm));
	return dm_call(DM_DEV_REMOVE, name, 0) ? 1 : 0;
}

/* ---- the log ------------------------------------------------------------ */

struct entry {
	uint64_t sector, nr;	/* in the log's sectors */
	uint32_t flags;
	size_t data;		/* offset of the data in the log */
	char mark[32];
};

static unsigned char *logbuf;
static size_t loglen;
static struct entry *ents;
static size_t nents;
static uint32_t secsize;

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int log_read(const char *path)
{
	uint64_t n, pos, i;
	int fd = open(path, O_RDONLY);
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return -1;
	}
	loglen = st.st_size;
	logbuf = malloc(loglen);
	if (!logbuf || pread(fd, logbuf, loglen, 0) != (ssize_t)loglen) {
		fprintf(stderr, "xn_log: cannot read %s\n", path);
		return -1;
	}
	close(fd);
	if (loglen < 512 || le64(logbuf) != LW_MAGIC ||
	    le64(logbuf + 8) != LW_VERSION) {
		fprintf(stderr, "xn_log: %s is not a version 1 log\n", path);
		return -1;
	}
	n = le64(logbuf + 16);
	secsize = logbuf[24] | logbuf[25] << 8 | logbuf[26] << 16 |
		  (uint32_t)logbuf[27] << 24;
	if (secsize < 512 || secsize & (secsize - 1) || n > loglen / secsize) {
		fprintf(stderr, "xn_log: bad super block (%llu entries, sector %u)\n",
			(unsigned long long)n, secsize);
		return -1;
	}
	ents = calloc(n ? n : 1, sizeof(*ents));
	if (!ents)
		return -1;
	pos = secsize;
	for (i = 0; i < n; i++) {
		const unsigned char *e = logbuf + pos;
		struct entry *x = &ents[i];
		uint64_t dlen;

		if (pos + secsize > loglen)
			goto short_log;
		x->sector = le64(e);
		x->nr = le64(e + 8);
		x->flags = le64(e + 16);
		dlen = le64(e + 24);
		if (x->flags & ~(uint32_t)(LW_FLUSH | LW_FUA | LW_DISCARD | LW_MARK) ||
		    x->flags & LW_DISCARD ||
		    (x->flags & LW_MARK && (x->nr || dlen > secsize - 32))) {
			fprintf(stderr, "xn_log: entry %llu: flags %#x, %llu sectors: not replayable\n",
				(unsigned long long)i, x->flags,
				(unsigned long long)x->nr);
			return -1;
		}
		if (x->flags & LW_MARK)
			snprintf(x->mark, sizeof(x->mark), "%.*s", (int)dlen,
				 (const char *)e + 32);
		x->data = pos + secsize;
		pos += secsize * (1 + x->nr);
		if (pos > loglen)
			goto short_log;
	}
	nents = n;
	return 0;
short_log:
	fprintf(stderr, "xn_log: the log ends inside entry %llu\n",
		(unsigned long long)i);
	return -1;
}

static int log_dump(const char *path)
{
	size_t i;

	if (log_read(path))
		return 2;
	printf("# %zu entries, sector size %u\n", nents, secsize);
	for (i = 0; i < nents; i++)
		printf("%zu %s%s%s sector %llu nr %llu %s\n", i,
		       ents[i].flags & LW_FLUSH ? "F" : "-",
		       ents[i].flags & LW_FUA ? "U" : "-",
		       ents[i].flags & LW_MARK ? "M" : "-",
		       (unsigned long long)ents[i].sector,
		       (unsigned long long)ents[i].nr, ents[i].mark);
	return 0;
}

/* ---- replay ------------------------------------------------------------- */

static unsigned char *img, *cur;
static size_t imgsize;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int is_write(const struct entry *e)
{
	return !(e->flags & LW_MARK) && e->nr;
}

static int apply(unsigned char *dst, const struct entry *e)
{
	uint64_t off = e->sector * secsize, len = e->nr * secsize;

	if (!is_write(e))
		return 0;
	if (off > imgsize || len > imgsize - off) {
		fprintf(stderr, "xn_log: a write at sector %llu is past the image\n",
			(unsigned long long)e->sector);
		return -1;
	}
	memcpy(dst + off, logbuf + e->data, len);
	return 0;
}

static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0x100000001b3ULL;
	}
	return h;
}

static uint64_t *seen;
static size_t nseen, npoints, nbad;
static const char *imgpath;
static char **cmd;
static int stop_first;

/*
 * Check img: 0 consistent (or already seen), 1 not, -1 an error, -2 not
 * and XN_LOG_FIRST says stop.
 */
static int check(const char *what, size_t at)
{
	uint64_t h = hash(img, imgsize);
	pid_t pid;
	size_t i;
	int fd, st;

	npoints++;
	for (i = 0; i < nseen; i++)
		if (seen[i] == h)
			return 0;
	seen = realloc(seen, (nseen + 1) * sizeof(*seen));
	if (!seen)
		return -1;
	seen[nseen++] = h;
	fd = open(imgpath, O_WRONLY);
	if (fd < 0 || pwrite(fd, img, imgsize, 0) != (ssize_t)imgsize ||
	    fsync(fd) || close(fd)) {
		perror(imgpath);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 2) {
		fprintf(stderr, "xn_log: the check could not run at %s %zu (exit %d)\n",
			what, at, WEXITSTATUS(st));
		return -1;
	}
	nbad++;
	printf("# inconsistent: %s at entry %zu\n", what, at);
	return stop_first ? -2 : 1;
}

/* img = cur plus entries [s, end) but @drop (a plain write), or a subset. */
static int build(size_t s, size_t end, size_t drop, int random)
{
	size_t i;

	memcpy(img, cur, imgsize);
	for (i = s; i < end; i++) {
		if (i == drop)
			continue;
		if (random && !(ents[i].flags & LW_FUA) && rnd() & 1)
			continue;
		if (apply(img, &ents[i]))
			return -1;
	}
	return 0;
}

static int replay(int argc, char **argv)
{
	size_t m, s, e, i, drops;
	char *end;
	int r = 0;

	if (argc < 8)
		return 2;
	imgpath = argv[4];
	imgsize = strtoull(argv[5], &end, 0);
	rng = strtoull(argv[6], NULL, 0) | 1;
	cmd = argv + 7;
	stop_first = getenv("XN_LOG_FIRST") && !strcmp(getenv("XN_LOG_FIRST"), "1");
	if (*end || !imgsize || imgsize % 4096 || log_read(argv[2]))
		return 2;
	for (m = 0; m < nents; m++)
		if (ents[m].flags & LW_MARK && !strcmp(ents[m].mark, argv[3]))
			break;
	if (m == nents || !nents || !(ents[nents - 1].flags & LW_MARK) ||
	    strcmp(ents[nents - 1].mark, "dm-log-writes-end")) {
		fprintf(stderr, "xn_log: no mark %s, or no end mark: a log cut short\n",
			argv[3]);
		return 2;
	}
	img = malloc(imgsize);
	cur = calloc(1, imgsize);
	if (!img || !cur)
		return 2;
	for (i = 0; i < m; i++)
		if (apply(cur, &ents[i]))
			return 2;
	/* Spans [s, e): e is the next flush, or the end of the log. */
	for (s = m + 1; s < nents; s = e + 1) {
		for (e = s; e < nents && !(ents[e].flags & LW_FLUSH); e++)
			;
		drops = 0;
		for (i = s; i < e && drops < DROP_MAX; i++) {
			if (!is_write(&ents[i]) || ents[i].flags & LW_FUA)
				continue;
			drops++;
			if (build(s, e, i, 0) || (r = check("drop-one", i)) < 0)
				goto out;
		}
		if (e > s && (build(s, s + rnd() % (e - s + 1), -1, 1) ||
			      (r = check("random-cut", s)) < 0))
			goto out;
		for (i = s; i < e && i < nents; i++)
			if (apply(cur, &ents[i]))
				return 2;
		memcpy(img, cur, imgsize);
		r = check(e < nents ? "flush" : "end", e);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (r == -1)
		return 2;
	printf("# replay: %zu entries after mark %s, %zu points, %zu distinct images checked, %zu inconsistent%s\n",
	       nents - m - 1, argv[3], npoints, nseen, nbad,
	       r == -2 ? " (stopped at the first)" : "");
	return nbad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "create"))
		return dm_create(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "mark"))
		return dm_mark(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "remove"))
		return dm_remove(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return log_dump(argv[2]);
	if (argc >= 8 && !strcmp(argv[1], "replay"))
		return replay(argc, argv);
	fprintf(stderr, "usage: xn_log create NAME DEV LOGDEV | mark NAME TEXT | remove NAME |\n"
		"       dump LOG | replay LOG MARK IMAGE SIZE SEED CMD...\n");
	return 2;
}
