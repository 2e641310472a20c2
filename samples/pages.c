// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * pages: a library operating system that manages its own physical memory.
 *
 * A normal process never sees a physical page: the kernel picks one when
 * it first touches an address. Under exo the libOS does the picking. It
 * names frames, chooses them by cache colour, puts them at addresses of
 * its own choosing, and decides itself what to give back when the kernel
 * needs memory. This sample walks through all of it:
 *
 *   1. look at the frame pool;
 *   2. allocate two arrays whose frames never share a cache set;
 *   3. map frames where we like, and one frame twice;
 *   4. answer a revocation request with victims we choose;
 *   5. ignore one, and read what the kernel took by force.
 *
 * Step 5 needs CAP_SYS_ADMIN: revocation is normally started by memory
 * pressure or an administrator, so the sample, run as root, asks the
 * kernel to revoke frames from its own environment. It exits 0 only if
 * everything behaved as described. Read samples/hello.c first.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/exo.h>

#define NPAGES		8	/* frames in each array */
#define REGION_PAGES	32
#define A_PAGE		0	/* where array A starts in the region */
#define B_PAGE		16	/* where array B starts */
#define ALIAS_PAGE	31	/* a second, read-only view of A's first frame */
#define ASK		4	/* frames each revocation asks for */

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

/* What the libOS knows about its arrays, shared with its callbacks. */
struct libos {
	__u32 a[NPAGES], b[NPAGES];	/* frame indexes of the two arrays */
	int b_gone[NPAGES];		/* B frames the policy gave back */
	__u32 revoked[EXO_MEM_BATCH_MAX], repossessed[EXO_MEM_BATCH_MAX];
	size_t nrevoked, nrepossessed;
};

static int in_set(const __u32 *set, size_t n, __u32 index)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == index)
			return (int)i;
	return -1;
}

/*
 * Our revocation policy. Array A holds data we cannot rebuild; array B is
 * a cache we can. So: frames the pager keeps spare go first (they hold
 * nothing), then B's frames; A's never. The pager calls this with every
 * frame it holds, least recently bound first.
 */
static int pick_b_first(void *ctx, const struct exo_pager_frame_view *held,
			size_t nheld, size_t want, __u32 *victims)
{
	struct libos *os = ctx;
	size_t i, n = 0;

	for (i = 0; i < nheld && n < want; i++)
		if (held[i].flags & EXO_PAGER_FRAME_CACHED)
			victims[n++] = held[i].index;
	for (i = 0; i < nheld && n < want; i++)
		if (in_set(os->b, NPAGES, held[i].index) >= 0)
			victims[n++] = held[i].index;
	return (int)n;
}

/* The pager tells us which frames we no longer have, and why. */
static void lost(void *ctx, enum exo_pager_loss why, const __u32 *indexes,
		 size_t n)
{
	struct libos *os = ctx;
	__u32 *to = why == EXO_PAGER_REVOKED ? os->revoked : os->repossessed;
	size_t *count = why == EXO_PAGER_REVOKED ? &os->nrevoked :
			&os->nrepossessed;
	size_t i;

	for (i = 0; i < n && *count < EXO_MEM_BATCH_MAX; i++)
		to[(*count)++] = indexes[i];
}

/*
 * Touch one byte and report the signal it raised, if any: SIGBUS for a
 * page no frame is bound to, SIGSEGV for a write to a read-only binding.
 */
static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_sig;

static void probe_handler(int sig)
{
	probe_sig = sig;
	siglongjmp(probe_jmp, 1);
}

static int touch(volatile char *p, int write)
{
	struct sigaction sa = { .sa_handler = probe_handler }, old_bus, old_segv;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	probe_sig = 0;
	if (!sigsetjmp(probe_jmp, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return probe_sig;
}

static void print_colours(const char *name, const struct exo_mem_frame *f)
{
	int i;

	printf("  => %s: frame:colour", name);
	for (i = 0; i < NPAGES; i++)
		printf(" %u:%u", f[i].index, f[i].colour);
	printf("\n");
}

int main(void)
{
	struct exo_mem_frame fa[NPAGES], fb[NPAGES];
	struct exo_pager_opts opts = { .sz = sizeof(opts) };
	struct exo_pager *pager = NULL;
	struct exo_region *region = NULL;
	struct exo_mem_info info;
	struct exo_env_info env;
	struct exo_event ev;
	struct libos os = { 0 };
	__u32 colours, half, asked, held_before;
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	char *base, *page;
	int i, ret, ok, bus;
	struct exo *exo;

	setvbuf(stdout, NULL, _IOLBF, 0);
	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "pages: exo_open failed: %s\n", strerror(errno));
		return 1;
	}

	say("1/5 the pool",
	    "When exo.ko loads it sets a pool of physical frames aside. Each\n"
	    "  frame has a name (its index in the pool) and a cache colour: the\n"
	    "  address bits that choose which sets of the last-level cache it\n"
	    "  fills. Frames of different colours can never evict each other.");
	ret = exo_mem_info(exo, &info);
	if (ret) {
		fprintf(stderr, "pages: exo_mem_info: %s\n", strerror(-ret));
		goto out;
	}
	colours = info.colours;
	printf("  => %u frames (%u free), %u colours; we may hold %u, and %u\n"
	       "     of them are a reserve that revocation never takes\n",
	       info.pool_frames, info.free_frames, colours, info.quota_frames,
	       info.reserve_frames);

	say("2/5 frames by colour",
	    "A *pager* is libexo's frame allocator: it asks the kernel for frames\n"
	    "  a few at a time (batch = 4 here) and keeps spares per colour. We\n"
	    "  want two arrays that never compete for the cache, so A takes its\n"
	    "  frames from the lower half of the colours and B from the upper.");
	opts.batch = 4;
	opts.pick = pick_b_first;
	opts.lost = lost;
	opts.ctx = &os;
	pager = exo_pager_create(exo, &opts);
	if (!pager) {
		fprintf(stderr, "pages: exo_pager_create: %s\n", strerror(errno));
		ret = -errno;
		goto out;
	}
	half = colours / 2;
	for (i = 0; i < NPAGES; i++) {
		/* With one colour there is nothing to split: take any frame. */
		__u32 ca = colours > 1 ? (__u32)i % half : EXO_ANY_COLOUR;
		__u32 cb = colours > 1 ? half + (__u32)i % (colours - half) :
			   EXO_ANY_COLOUR;

		ret = exo_pager_alloc(pager, ca, 1, &fa[i]);
		if (!ret)
			ret = exo_pager_alloc(pager, cb, 1, &fb[i]);
		if (ret) {
			fprintf(stderr, "pages: exo_pager_alloc: %s\n",
				strerror(-ret));
			goto out;
		}
		os.a[i] = fa[i].index;
		os.b[i] = fb[i].index;
	}
	print_colours("A", fa);
	print_colours("B", fb);
	ok = 1;
	for (i = 0; i < NPAGES; i++)
		ok &= fa[i].colour < half && fb[i].colour >= half;
	if (colours > 1)
		check(ok, "every A colour is below every B colour: no shared cache set");
	else
		printf("  (this machine reports one colour: nothing to separate)\n");

	say("3/5 our own mapping",
	    "A *region* is address space from mmap() of our /dev/exo fd, with no\n"
	    "  memory behind it. We bind frames at pages we choose: A at pages\n"
	    "  0-7, B at 16-23, both read-write, and A's first frame a second time\n"
	    "  at page 31, read-only. Then we write through page 0 and read\n"
	    "  through page 31: one physical frame, two addresses.");
	region = exo_region_create(exo, REGION_PAGES);
	if (!region) {
		fprintf(stderr, "pages: exo_region_create: %s\n", strerror(errno));
		ret = -errno;
		goto out;
	}
	/* Attached, the pager sees the bind order and can unbind victims. */
	ret = exo_pager_attach(pager, region);
	if (!ret)
		ret = exo_region_bind(region, A_PAGE, os.a, NPAGES, 1);
	if (!ret)
		ret = exo_region_bind(region, B_PAGE, os.b, NPAGES, 1);
	if (!ret)
		ret = exo_region_bind(region, ALIAS_PAGE, os.a, 1, 0);
	if (ret) {
		fprintf(stderr, "pages: binding: %s\n", strerror(-ret));
		goto out;
	}
	base = exo_region_addr(region);
	for (i = 0; i < NPAGES; i++) {
		memset(base + (A_PAGE + i) * ps, 'A' + i, ps);
		memset(base + (B_PAGE + i) * ps, 'a' + i, ps);
	}
	snprintf(base + A_PAGE * ps, 64, "written through page %d", A_PAGE);
	printf("  => page %d reads \"%s\"\n", ALIAS_PAGE, base + ALIAS_PAGE * ps);
	check(!strcmp(base + ALIAS_PAGE * ps, "written through page 0"),
	      "page 31 shows what was written through page 0");
	check(touch(base + ALIAS_PAGE * ps, 1) == SIGSEGV,
	      "writing through the read-only page 31 raises SIGSEGV");
	check(touch(base + 8 * ps, 0) == SIGBUS,
	      "reading page 8, where no frame is bound, raises SIGBUS");

	say("4/5 a revocation we answer",
	    "When the kernel wants memory back it does not pick pages itself: it\n"
	    "  asks, with an event that says how many and by when. The libOS\n"
	    "  chooses. Our policy gives back the spares the pager keeps, then\n"
	    "  frames of B (a cache we can rebuild), never A. We first give the\n"
	    "  spares back ourselves, so the request costs us real frames. As root\n"
	    "  we now ask our own environment for 4 frames, and let\n"
	    "  exo_pager_serve() read the event and answer it.");
	ret = exo_pager_trim(pager, 0);
	if (ret < 0)
		goto out;
	printf("  => the pager gave %d spare frames back\n", ret);
	ret = exo_env_info(exo, &env);
	if (!ret)
		ret = exo_mem_info(exo, &info);
	if (ret)
		goto out;
	held_before = info.held_frames;
	ret = exo_mem_revoke(exo, env.env_id, ASK, 2000, &asked);
	if (ret) {
		fprintf(stderr, "pages: exo_mem_revoke: %s%s\n", strerror(-ret),
			ret == -EPERM ? " (run as root: it needs CAP_SYS_ADMIN)" : "");
		goto out;
	}
	printf("  => we hold %u frames; the kernel asks for %u within 2 s\n",
	       held_before, asked);
	ret = exo_pager_serve(pager, 5000);
	check(ret == 1, "exo_pager_serve() handled one memory event");
	printf("  => the policy gave back:");
	for (i = 0; i < (int)os.nrevoked; i++) {
		int b = in_set(os.b, NPAGES, os.revoked[i]);

		printf(" %u (B[%d])", os.revoked[i], b);
		if (b >= 0)
			os.b_gone[b] = 1;
	}
	printf("\n");
	check(asked == ASK && os.nrevoked == ASK, "it gave back exactly what was asked");
	ok = 1;
	for (i = 0; i < (int)os.nrevoked; i++)
		ok &= in_set(os.b, NPAGES, os.revoked[i]) >= 0;
	check(ok, "every frame given back was B's");
	ok = 1;
	for (i = 0; i < NPAGES; i++) {
		page = base + (B_PAGE + i) * ps;
		if (os.b_gone[i])
			ok &= exo_region_frame(region, B_PAGE + i) == EXO_NO_FRAME &&
			      touch(page, 0) == SIGBUS;
		else
			ok &= page[1] == 'a' + i;
	}
	check(ok, "their pages are unbound (SIGBUS); the rest of B is intact");
	ok = 1;
	for (i = 1; i < NPAGES; i++)
		ok &= base[(A_PAGE + i) * ps + 1] == 'A' + i;
	check(ok && !strcmp(base, "written through page 0"), "A is untouched");
	exo_mem_info(exo, &info);
	check(info.held_frames == held_before - ASK && !info.revoke_owed,
	      "the kernel agrees: we hold 4 fewer and owe nothing");

	say("5/5 a revocation we ignore",
	    "A libOS that does not answer in time meets the abort protocol: at\n"
	    "  the deadline the kernel takes what it is owed by force (sparing\n"
	    "  the reserve), unmaps it, and lists it in our *repossession vector*.\n"
	    "  We ask for 4 more frames with a 300 ms deadline, read the request\n"
	    "  and drop it on the floor.");
	held_before = info.held_frames;
	/*
	 * The kernel may keep the first request open until its deadline even
	 * though we met it, and a second one is EBUSY meanwhile: wait it out.
	 */
	for (i = 0; i < 100; i++) {
		ret = exo_mem_revoke(exo, env.env_id, ASK, 300, &asked);
		if (ret != -EBUSY)
			break;
		usleep(50 * 1000);
	}
	if (i)
		printf("  => (the first request stayed open for another %d ms)\n",
		       i * 50);
	if (ret)
		goto out;
	ret = exo_event_read(exo, &ev, 1, 2000);
	check(ret == 1 && ev.type == EXO_EVENT_MEM_REVOKE,
	      "the request arrived; we ignore it");
	printf("  => waiting for the deadline...\n");
	ret = exo_event_read(exo, &ev, 1, 5000);
	check(ret == 1 && ev.type == EXO_EVENT_MEM_ABORT,
	      "an EXO_EVENT_MEM_ABORT followed");
	if (ret != 1 || ev.type != EXO_EVENT_MEM_ABORT) {
		ret = -EIO;
		goto out;
	}
	exo_mem_info(exo, &info);
	printf("  => the kernel took %" PRIu64 " frames; %u wait in the vector\n",
	       (uint64_t)ev.data[0], info.repossessed);
	/* From an event loop, hand the record to the pager: it reads the vector. */
	ret = exo_pager_handle_event(pager, &ev);
	check(ret == 1, "exo_pager_handle_event() read the repossession vector");
	printf("  => repossessed:");
	for (i = 0; i < (int)os.nrepossessed; i++) {
		int a = in_set(os.a, NPAGES, os.repossessed[i]);
		int b = in_set(os.b, NPAGES, os.repossessed[i]);

		if (a >= 0)
			printf(" %u (A[%d])", os.repossessed[i], a);
		else
			printf(" %u (B[%d])", os.repossessed[i], b);
	}
	printf("\n");
	check(os.nrepossessed == asked && ev.data[0] == asked,
	      "the vector names every frame taken");
	ok = 1;
	bus = 1;
	for (i = 0; i < (int)os.nrepossessed; i++) {
		int a = in_set(os.a, NPAGES, os.repossessed[i]);
		int b = in_set(os.b, NPAGES, os.repossessed[i]);
		size_t at = a >= 0 ? A_PAGE + a : B_PAGE + b;

		ok &= (a >= 0 || b >= 0) &&
		      exo_region_frame(region, at) == EXO_NO_FRAME;
		if (a >= 0 || b >= 0)
			bus &= touch(base + at * ps, 0) == SIGBUS;
	}
	check(ok, "they were ours, and the pager unbound them in its region");
	check(bus, "the kernel unmapped them: touching those pages raises SIGBUS");
	exo_mem_info(exo, &info);
	check(info.held_frames == held_before - asked && !info.repossessed,
	      "the kernel agrees, and the vector is empty now");
	ret = 0;

out:
	/* The pager gives every frame back; closing would do it too. */
	exo_pager_destroy(pager);
	exo_region_destroy(region);
	if (!ret && !exo_mem_info(exo, &info))
		check(!info.held_frames && !info.mapped_pages,
		      "after exo_pager_destroy() we hold nothing");
	exo_close(exo);
	if (ret)
		fprintf(stderr, "pages: stopped early: %s\n", strerror(-ret));
	printf("\npages: %s\n", !ret && !failures ? "done, all as expected" :
	       "something did not behave as expected");
	return !ret && !failures ? 0 : 1;
}
