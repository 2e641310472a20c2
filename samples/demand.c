// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * demand: a library operating system that pages its own memory on demand.
 *
 * Under Linux the kernel decides what a first touch of an address gets.
 * Under exo a fault in a region the libOS marked is an upcall: the thread
 * waits while the libOS picks a frame, fills it and binds it, with one
 * ioctl that both binds and wakes. libexo's pager does this for you
 * (exo_pager_demand()); here it is used twice:
 *
 *   1. a sparse heap of 1 MiB: only the pages written get frames, zeroed;
 *   2. a copy-on-write snapshot of it (exo_pager_snapshot()): the two
 *      share frames read-only, and a write to the heap is an upcall the
 *      pager answers with a copy of the page;
 *   3. a lazy clone: each page is copied from the heap when it is first
 *      read, by the pager's fill callback;
 *   4. the heap's pages given back, and the frames reused from the
 *      pager's free lists without asking the kernel.
 *
 * A thread of our own serves the faults (exo_pager_serve()): the thread
 * that faults cannot answer its own fault. It exits 0 only if everything
 * behaved as described. Read samples/pages.c first.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exo/exo.h>

#define HEAP_PAGES	256	/* 1 MiB of address space */
#define STRIDE		8	/* write one page in eight */
#define WRITTEN		(HEAP_PAGES / STRIDE)

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

/* What the fill callback needs: it may not call the pager. */
struct libos {
	struct exo_pager *pager;
	struct exo_region *heap, *snapshot, *clone;
	char *heap_base;
	size_t page_size;
	unsigned char written[HEAP_PAGES];	/* heap pages that hold data */
	volatile int stop;
	int serve_err;
};

/* Heap pages start as zeroes; clone pages as a copy of the heap's. */
static int fill_page(void *ctx, struct exo_region *region, size_t page,
		     void *dst)
{
	struct libos *os = ctx;

	if (region == os->clone && os->written[page])
		memcpy(dst, os->heap_base + page * os->page_size, os->page_size);
	else
		memset(dst, 0, os->page_size);
	return 0;
}

static void *serve_faults(void *arg)
{
	struct libos *os = arg;
	int ret;

	while (!os->stop) {
		ret = exo_pager_serve(os->pager, 50);
		if (ret < 0 && !os->serve_err)
			os->serve_err = ret;
	}
	return NULL;
}

static struct exo_pager_stats stats_of(struct exo_pager *pager)
{
	struct exo_pager_stats st = { .sz = sizeof(st) };

	exo_pager_stats(pager, &st);
	return st;
}

static size_t bound_pages(struct exo_region *region)
{
	size_t i, n = 0;

	for (i = 0; i < HEAP_PAGES; i++)
		n += exo_region_frame(region, i) != EXO_NO_FRAME;
	return n;
}

int main(void)
{
	struct exo_pager_opts opts = { .sz = sizeof(opts), .fill = fill_page };
	struct libos os = { .page_size = (size_t)sysconf(_SC_PAGESIZE) };
	struct exo_pager_stats st;
	char *clone_base, *snap, line[64];
	struct exo *exo;
	__u64 kallocs, fills;
	pthread_t server;
	size_t i, same;
	int ret;

	exo = exo_open(NULL);
	if (!exo) {
		fprintf(stderr, "demand: cannot open /dev/exo: %s (is exo.ko loaded?)\n",
			strerror(errno));
		return 1;
	}
	opts.ctx = &os;
	os.pager = exo_pager_create(exo, &opts);
	os.heap = exo_region_create(exo, HEAP_PAGES);
	os.clone = exo_region_create(exo, HEAP_PAGES);
	os.snapshot = exo_region_create(exo, HEAP_PAGES);
	if (!os.pager || !os.heap || !os.clone || !os.snapshot) {
		fprintf(stderr, "demand: setting up: %s\n", strerror(errno));
		return 1;
	}
	os.heap_base = exo_region_addr(os.heap);
	clone_base = exo_region_addr(os.clone);
	ret = exo_pager_demand(os.pager, os.heap,
			       EXO_PAGER_DEMAND | EXO_PAGER_DEMAND_WRITE);
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "demand: this exo.ko has no fault upcalls\n");
		return 1;
	}
	if (ret || exo_pager_demand(os.pager, os.clone, EXO_PAGER_DEMAND)) {
		fprintf(stderr, "demand: exo_pager_demand: %s\n", strerror(-ret));
		return 1;
	}
	if (pthread_create(&server, NULL, serve_faults, &os)) {
		fprintf(stderr, "demand: cannot start the fault server\n");
		return 1;
	}

	say("1. a sparse heap",
	    "256 pages reserved, one in eight written: each first write is an EXO_EVENT_MEM_FAULT the pager answers with a zeroed frame.");
	for (i = 0; i < HEAP_PAGES; i += STRIDE) {
		snprintf(line, sizeof(line), "page %zu of the heap", i);
		strcpy(os.heap_base + i * os.page_size, line);
		os.written[i] = 1;
	}
	st = stats_of(os.pager);
	printf("  %llu pages filled on demand, %zu of %d pages bound\n",
	       (unsigned long long)st.demand_fills, bound_pages(os.heap),
	       HEAP_PAGES);
	check(st.demand_fills == WRITTEN, "one fill per page written");
	check(bound_pages(os.heap) == WRITTEN, "the untouched pages have no frame");
	check(!strcmp(os.heap_base + 8 * os.page_size, "page 8 of the heap"),
	      "the heap holds what we wrote");
	check(os.heap_base[8 * os.page_size + 100] == 0,
	      "the rest of a fresh page is zero");

	say("2. a copy-on-write snapshot",
	    "the snapshot shows the heap's frames, read-only in both; a write to the heap faults, and the pager copies that page.");
	fills = stats_of(os.pager).demand_fills;
	if (exo_pager_snapshot(os.pager, os.heap, os.snapshot))
		failures++;
	check(bound_pages(os.snapshot) == WRITTEN, "the snapshot shows every page written");
	check(exo_region_frame(os.snapshot, 16) == exo_region_frame(os.heap, 16),
	      "and shares the heap's frames, not copies");
	strcpy(os.heap_base + 16 * os.page_size, "page 16, written after the snapshot");
	snap = exo_region_addr(os.snapshot);
	check(!strcmp(snap + 16 * os.page_size, "page 16 of the heap"),
	      "the snapshot keeps the bytes of the moment");
	check(!strcmp(os.heap_base + 16 * os.page_size,
		      "page 16, written after the snapshot"),
	      "the heap has its write");
	check(stats_of(os.pager).demand_fills == fills + 1,
	      "one page was copied, no more");
	exo_region_destroy(os.snapshot);

	say("3. a lazy clone",
	    "a second region whose pages the fill callback copies from the heap on first read; the clone is read-only.");
	same = 0;
	for (i = 0; i < HEAP_PAGES; i += STRIDE)
		same += !strcmp(clone_base + i * os.page_size,
				os.heap_base + i * os.page_size);
	check(same == WRITTEN, "every written page reads the same in the clone");
	check(clone_base[3 * os.page_size] == 0,
	      "a page the heap never wrote reads as zeroes");
	strcpy(os.heap_base, "changed after the clone read it");
	check(!strcmp(clone_base, "page 0 of the heap"),
	      "the clone keeps its copy when the heap changes");
	st = stats_of(os.pager);
	printf("  %llu fills so far, %llu frames held, %llu of them cached\n",
	       (unsigned long long)st.demand_fills,
	       (unsigned long long)st.held, (unsigned long long)st.cached);

	say("4. giving the heap back",
	    "unbinding the heap's pages returns their frames to the pager; touching the heap again reuses them, zeroed, with no call to the kernel for frames.");
	kallocs = st.kernel_allocs;
	for (i = 0; i < HEAP_PAGES; i += STRIDE)
		if (exo_region_unbind(os.heap, i, 1))
			failures++;
	st = stats_of(os.pager);
	check(st.cached >= WRITTEN, "the heap's frames are in the free lists");
	for (i = 0; i < HEAP_PAGES; i += STRIDE)
		os.written[i] = 0;
	same = 0;
	for (i = 0; i < HEAP_PAGES; i += STRIDE)
		same += os.heap_base[i * os.page_size] == 0;
	st = stats_of(os.pager);
	check(same == WRITTEN, "the reused frames were zeroed before they showed");
	check(st.kernel_allocs == kallocs, "no frame was asked of the kernel");
	check(st.demand_failures == 0, "no fault was refused");

	os.stop = 1;
	pthread_join(server, NULL);
	check(os.serve_err == 0, "the fault server saw no error");
	exo_region_destroy(os.clone);
	exo_region_destroy(os.heap);
	exo_pager_destroy(os.pager);
	exo_close(exo);
	printf("\n%s\n", failures ? "demand: FAILED" : "demand: all as described");
	return failures ? 1 : 0;
}
