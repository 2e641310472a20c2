// SPDX-License-Identifier: GPL-2.0
/*
 * exo's tracepoints, read back through tracefs: each test enables some
 * events/exo/ events, does real work through libexo (a frame, a slot's
 * wake, a turn overrun, a filter's match over the veth lab, an XN
 * allocation and sync), and looks for the lines that work must have
 * written, with this environment's id and the right fields; some then
 * disable them and check that the same work writes nothing more. A
 * kernel without tracefs or without the exo events (no
 * CONFIG_TRACEPOINTS) skips.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include "exo_test_util.h"
#include "exo_net_util.h"
#include <exo/exo.h>

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_EXO	TRACEFS "/events/exo"
#define TRACE_PORT	7301
#define TRACE_WAIT_MS	2000

/* Write @val to the tracefs file @path; 0 or -errno. */
static int tracefs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* Turn exo:@event on or off; 0 or -errno. */
static int trace_enable(const char *event, bool on)
{
	char path[256];

	snprintf(path, sizeof(path), TRACE_EXO "/%s/enable", event);
	return tracefs_write(path, on ? "1" : "0");
}

/* Empty the trace buffer (opening "trace" for writing with O_TRUNC does). */
static int trace_clear(void)
{
	return tracefs_write(TRACEFS "/trace", "");
}

/* How many lines of the trace hold "@event: " and then every one of @want. */
static int trace_count(const char *event, const char *const *want, int nwant)
{
	char *text = exo_file_slurp(TRACEFS "/trace"), *line, *save = NULL;
	char tag[64];
	int n = 0, i;

	if (!text)
		return -1;
	snprintf(tag, sizeof(tag), " %s: ", event);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *rest = strstr(line, tag), fields[512];

		if (!rest)
			continue;
		/* A space after the last field too: each want ends in one. */
		snprintf(fields, sizeof(fields), "%s ", rest);
		for (i = 0; i < nwant && strstr(fields, want[i]); i++)
			;
		n += i == nwant;
	}
	free(text);
	return n;
}

/* " key=value ...", for trace_count(): a space each side, so whole fields. */
#define TF(buf, fmt, ...) \
	(snprintf(buf, sizeof(buf), " " fmt " ", ##__VA_ARGS__) > 0 ? buf : "")

FIXTURE(trace) {
	struct exo *exo;
	__u64 env_id;
	char env[32];		/* " env=<id> " */
};

FIXTURE_SETUP(trace)
{
	struct exo_env_info info = { .argsz = sizeof(info) };
	struct stat st;

	self->exo = NULL;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (stat(TRACEFS "/trace", &st) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		SKIP(return, "no tracefs at " TRACEFS ": %s", strerror(errno));
	if (stat(TRACE_EXO, &st))
		SKIP(return, "no exo events in tracefs (CONFIG_TRACEPOINTS off?)");
	ASSERT_EQ(0, tracefs_write(TRACE_EXO "/enable", "0"));
	ASSERT_EQ(0, trace_clear());
	self->exo = exo_open(NULL);
	ASSERT_NE(NULL, self->exo);
	ASSERT_EQ(0, exo_env_info(self->exo, &info));
	self->env_id = info.env_id;
	snprintf(self->env, sizeof(self->env), " env=%llu ",
		 (unsigned long long)self->env_id);
}

FIXTURE_TEARDOWN(trace)
{
	struct stat st;

	exo_close(self->exo);
	if (!stat(TRACE_EXO, &st))
		tracefs_write(TRACE_EXO "/enable", "0");
}

/* The line format itself, as tools parse it: a field per documented name. */
TEST_F(trace, events_describe_their_fields)
{
	static const char *const events[] = {
		"exo_bind", "exo_unbind", "exo_revoke", "exo_abort",
		"exo_slot_wake", "exo_slot_exit", "exo_slot_excess",
		"exo_filter_match", "exo_filter_drop", "exo_xn_alloc",
		"exo_xn_free", "exo_xn_sync_stage",
	};
	char path[256], *fmt;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		snprintf(path, sizeof(path), TRACE_EXO "/%s/format", events[i]);
		fmt = exo_file_slurp(path);
		ASSERT_NE(NULL, fmt) TH_LOG("%s", path);
		if (strncmp(events[i], "exo_xn_sync", 11))
			EXPECT_NE(NULL, strstr(fmt, "field:u64 env_id;"))
				TH_LOG("%s", events[i]);
		free(fmt);
	}
	fmt = exo_file_slurp(TRACE_EXO "/exo_unbind/format");
	ASSERT_NE(NULL, fmt);
	EXPECT_NE(NULL, strstr(fmt, "field:u32 why;"));
	EXPECT_NE(NULL, strstr(fmt, "field:int cpu;"));
	free(fmt);
}

/* A frame allocated and freed: one bind, one unbind; nothing once off. */
TEST_F(trace, frame_bind_unbind_and_silence_when_disabled)
{
	const char *want[4];
	struct exo_mem_frame f;
	char idx[48];

	ASSERT_EQ(0, trace_enable("exo_bind", true));
	ASSERT_EQ(0, trace_enable("exo_unbind", true));
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, exo_mem_alloc(self->exo, 0, 1, 0, &f, NULL));
	ASSERT_EQ(0, exo_mem_free(self->exo, &f.index, 1));
	want[0] = self->env;
	want[1] = " kind=mem cpu=-1 ";
	want[2] = TF(idx, "index=%u count=1", f.index);
	want[3] = " why=call ";
	EXPECT_EQ(1, trace_count("exo_bind", want, 4));
	EXPECT_EQ(1, trace_count("exo_unbind", want, 4));

	/* Off: the same work leaves the buffer as it was. */
	ASSERT_EQ(0, trace_enable("exo_bind", false));
	ASSERT_EQ(0, trace_enable("exo_unbind", false));
	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, exo_mem_alloc(self->exo, 0, 1, 0, &f, NULL));
	ASSERT_EQ(0, exo_mem_free(self->exo, &f.index, 1));
	EXPECT_EQ(0, trace_count("exo_bind", want, 1));
	EXPECT_EQ(0, trace_count("exo_unbind", want, 1));
}

/* A frame still held at close goes with the environment: why=close. */
TEST_F(trace, close_unbinds_what_is_held)
{
	const char *want[3];
	struct exo_mem_frame f;
	char idx[48];

	ASSERT_EQ(0, trace_enable("exo_unbind", true));
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, exo_mem_alloc(self->exo, 0, 1, 0, &f, NULL));
	exo_close(self->exo);
	self->exo = NULL;
	want[0] = self->env;
	want[1] = TF(idx, "index=%u", f.index);
	want[2] = " why=close ";
	EXPECT_EQ(1, trace_count("exo_unbind", want, 3));
}

/* Slots booked, a thread bound: the turn's wake upcall is traced. */
TEST_F(trace, slot_book_and_wake)
{
	struct exo_cpu_wake wake;
	const char *want[4];
	char cpu[32], range[48], fld[48];
	int c;

	for (c = 0; c < 64; c++) {
		struct exo_cpu_info ci = { 0 };

		if (!exo_cpu_info(self->exo, c, &ci))
			break;
	}
	if (c == 64)
		SKIP(return, "exo manages no CPU here (one-CPU machine?)");
	ASSERT_EQ(0, trace_enable("exo_bind", true));
	ASSERT_EQ(0, trace_enable("exo_slot_wake", true));
	ASSERT_EQ(0, exo_cpu_book(self->exo, c, 2, 2, 1));
	ASSERT_EQ(0, exo_cpu_bind(self->exo, c, 0, 0));
	ASSERT_EQ(0, exo_cpu_wait(self->exo, TRACE_WAIT_MS, &wake));
	ASSERT_EQ(EXO_CPU_WAKE_SLOT, wake.reason);
	ASSERT_EQ(0, exo_cpu_unbind(self->exo));

	want[0] = self->env;
	want[1] = " kind=cpu ";
	want[2] = TF(cpu, "cpu=%d", c);
	want[3] = TF(range, "index=2 count=2");
	EXPECT_EQ(1, trace_count("exo_bind", want, 4));
	want[1] = TF(fld, "cpu=%d slot=%u nslots=%u", c, wake.slot,
		     wake.nslots);
	want[2] = " reason=slot ";
	EXPECT_LE(1, trace_count("exo_slot_wake", want, 3));
}

static __u64 trace_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A bound thread that runs on past its turn and its grace: the exit
 * upcall is due (owes a yield) and the excess counter goes to 1.
 */
TEST_F(trace, slot_exit_and_excess)
{
	struct exo_cpu_info ci = { 0 };
	struct exo_cpu_wake wake;
	const char *want[3];
	char cpu[32], fld[48];
	int c, i, n = 0;
	__u64 until;

	for (c = 0; c < 64; c++)
		if (!exo_cpu_info(self->exo, c, &ci))
			break;
	if (c == 64)
		SKIP(return, "exo manages no CPU here (one-CPU machine?)");
	ASSERT_LE(2U, ci.max_excess);
	ASSERT_EQ(0, trace_enable("exo_slot_exit", true));
	ASSERT_EQ(0, trace_enable("exo_slot_excess", true));
	ASSERT_EQ(0, exo_cpu_book(self->exo, c, 5, 1, 1));
	ASSERT_EQ(0, exo_cpu_bind(self->exo, c, 0, 0));
	ASSERT_EQ(0, exo_cpu_wait(self->exo, TRACE_WAIT_MS, &wake));
	/* Turns and grace run on the monotonic clock, as wake's times do. */
	until = wake.end_ns + ci.grace_ns + 20000000ULL;
	while (trace_mono_ns() < until)
		;
	want[0] = self->env;
	want[1] = TF(cpu, "cpu=%d", c);
	want[2] = " signal=0 owes_yield=1 ";
	EXPECT_EQ(1, trace_count("exo_slot_exit", want, 3));
	/* The worker counts the excess: give it a moment. */
	want[2] = TF(fld, "excess=1 limit=%u", ci.max_excess);
	for (i = 0; i < 100 && !(n = trace_count("exo_slot_excess", want, 3));
	     i++)
		usleep(10000);
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, exo_cpu_unbind(self->exo));
}

/* The veth lab: a frame our filter claims is matched, in the hook. */
TEST_F(trace, filter_match_on_the_packet_path)
{
	struct exo_net_atom a[4];
	struct veth_lab lab = { .self_ns = -1, .peer_ns = -1 };
	const char *want[3];
	char fld[64], idx[48];
	struct exo_ring *r;
	int s, ret;

	if (geteuid())
		SKIP(return, "the veth lab needs root");
	ret = net_lab_up(&lab);
	ASSERT_EQ(0, ret) TH_LOG("veth lab: %s", strerror(-ret));
	ASSERT_EQ(0, trace_enable("exo_bind", true));
	ASSERT_EQ(0, trace_enable("exo_filter_match", true));
	r = exo_ring_create(self->exo, 0, lab.ifindex, a,
			    net_udp_port_atoms(a, TRACE_PORT), 16, 2048);
	ASSERT_NE(NULL, r);
	s = veth_peer_socket(&lab, AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, net_peer_send(s, NET_HOST_IP, TRACE_PORT, "trace", 5));
	ASSERT_EQ(0, net_wait_matched(exo_event_fd(self->exo), exo_ring_id(r),
				      1));

	want[0] = self->env;
	want[1] = TF(idx, "kind=net cpu=-1 index=%u count=1", exo_ring_id(r));
	EXPECT_EQ(1, trace_count("exo_bind", want, 2));
	/* UDP over IPv4 over Ethernet: 14 + 20 + 8 + 5 bytes. */
	want[1] = TF(fld, "filter=%u ifindex=%d len=47", exo_ring_id(r),
		     lab.ifindex);
	EXPECT_EQ(1, trace_count("exo_filter_match", want, 2));

	/* Off: another frame matches, and the trace says nothing more. */
	ASSERT_EQ(0, trace_enable("exo_filter_match", false));
	ASSERT_EQ(0, net_peer_send(s, NET_HOST_IP, TRACE_PORT, "quiet", 5));
	ASSERT_EQ(0, net_wait_matched(exo_event_fd(self->exo), exo_ring_id(r),
				      2));
	EXPECT_EQ(1, trace_count("exo_filter_match", want, 2));
	close(s);
	exo_ring_destroy(r);
	veth_lab_teardown(&lab);
}

/* owns of a "trace node": one { u64 block; u32 type } entry at byte 0. */
static int trace_node_owns(struct exo_udf_builder *b)
{
	int done;

	exo_udf_init(b);
	done = exo_udf_label(b);
	exo_udf_ldi(b, 1, 1);
	exo_udf_load(b, 8, 4, -1, 0);
	exo_udf_jmp_if(b, EXO_UDF_JEQ_K, 4, 0, done);
	exo_udf_load(b, 4, 2, -1, 8);
	exo_udf_emit(b, 4, 1, 2);
	exo_udf_bind(b, done);
	exo_udf_ret(b, 0);
	return exo_udf_finish(b);
}

static int trace_allow_all(struct exo_udf_builder *b)
{
	exo_udf_init(b);
	exo_udf_ret(b, 1);
	return exo_udf_finish(b);
}

/* An XN block allocated under a root, synced, freed: each stage traced. */
TEST_F(trace, xn_alloc_sync_free)
{
	struct { __u64 block; __u32 type; __u32 pad; } e = { 0 };
	struct exo_xn_mod m = { .offset = 0, .len = sizeof(e),
				.data = (__u64)(unsigned long)&e };
	struct exo_udf_builder o, acl;
	struct exo_xn_info xi = { 0 };
	char name[48], fld[96];
	int no, na, stage;
	const char *want[2];
	__u64 root = 0, b;
	struct exo_api api;
	__u32 type;

	ASSERT_EQ(0, exo_api(self->exo, &api));
	if (!(api.features & EXO_FEATURE_XN))
		SKIP(return, "exo.ko has no XN binding (EXO_FEATURE_XN)");
	no = trace_node_owns(&o);
	na = trace_allow_all(&acl);
	ASSERT_LT(0, no);
	ASSERT_LT(0, na);
	/* The catalogues outlive this module load's earlier tests: a new name. */
	snprintf(name, sizeof(name), "trace node %d", getpid());
	ASSERT_EQ(0, exo_xn_type_install(self->exo, name, o.insns, no,
					 acl.insns, na, &type));
	snprintf(name, sizeof(name), "trace-%d", getpid());
	ASSERT_EQ(0, exo_xn_root_install(self->exo, name, type, &root));
	ASSERT_EQ(0, exo_xn_read(self->exo, root, EXO_XN_NO_PARENT, type,
				 NULL));
	ASSERT_EQ(0, exo_xn_info(self->exo, &xi));
	b = xi.hint;
	ASSERT_NE(0ULL, b);

	ASSERT_EQ(0, trace_enable("exo_xn_alloc", true));
	ASSERT_EQ(0, trace_enable("exo_xn_free", true));
	ASSERT_EQ(0, trace_enable("exo_xn_sync_stage", true));
	ASSERT_EQ(0, trace_enable("exo_bind", true));
	e.block = b;
	e.type = EXO_XN_TYPE_DATA;
	ASSERT_EQ(0, exo_xn_alloc(self->exo, root, b, EXO_XN_TYPE_DATA, &m, 1));
	ASSERT_EQ(0, exo_xn_sync(self->exo, NULL));
	e.block = 0;
	e.type = 0;
	ASSERT_EQ(0, exo_xn_free(self->exo, root, b, EXO_XN_TYPE_DATA, &m, 1));
	ASSERT_EQ(0, exo_xn_sync(self->exo, NULL));

	want[0] = self->env;
	want[1] = TF(fld, "block=%llu parent=%llu type=%u",
		     (unsigned long long)b, (unsigned long long)root,
		     EXO_XN_TYPE_DATA);
	EXPECT_EQ(1, trace_count("exo_xn_alloc", want, 2));
	EXPECT_EQ(1, trace_count("exo_xn_free", want, 2));
	want[1] = TF(fld, "kind=xn cpu=-1 index=%llu", (unsigned long long)b);
	EXPECT_EQ(1, trace_count("exo_bind", want, 2));
	/* The first sync has new blocks (stage 1 writes the new one). */
	for (stage = 1; stage <= 3; stage++) {
		want[0] = TF(fld, "stage=%d", stage);
		want[1] = " ret=0 ";
		EXPECT_LE(1, trace_count("exo_xn_sync_stage", want, 2))
			TH_LOG("stage %d", stage);
	}
	/* The second sync has a freed block to return: stage 4. */
	want[0] = " stage=4 ";
	EXPECT_EQ(1, trace_count("exo_xn_sync_stage", want, 2));
}

TEST_HARNESS_MAIN
