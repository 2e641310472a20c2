// SPDX-License-Identifier: GPL-2.0
/*
 * exoctl against a known state: the fixture holds frames, slots and a
 * packet filter through libexo, then each test runs the exoctl binary and
 * checks its text and its --json output (read by a strict JSON reader)
 * against what it set up.
 */
#include <libgen.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include <exo/exo.h>

#include "exo_test_util.h"
#include "exo_net_util.h"
#include "exo_json.h"

#define EXOCTL_FRAMES	3
#define EXOCTL_PORT	47011	/* the filter's UDP port: nobody listens */
#define EXOCTL_SLOT0	1	/* slots 1 and 5: stride 4 */
#define EXOCTL_STRIDE	4
#define EXOCTL_TRACEFS	"/sys/kernel/tracing"

struct exoctl_run {
	int status;		/* exit status, or -1 if it did not exit */
	char out[65536];
	char err[8192];
};

/*
 * The exoctl binary: the payload puts tests in tests/ and programs in
 * bin/; a build tree has build/selftests/ and build/tools/.
 */
static const char *exoctl_path(void)
{
	static const char *const rel[] = { "../bin/exoctl", "../tools/exoctl" };
	static char path[PATH_MAX + 32];
	char self[PATH_MAX];
	ssize_t n;
	size_t i;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "exoctl";
	self[n] = '\0';
	dirname(self);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", self, rel[i]);
		if (access(path, X_OK) == 0)
			return path;
	}
	return "exoctl";
}

static void exoctl_slurp(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Start exoctl with @argv (NULL-ended, without argv[0]); its pid or -1. */
static pid_t exoctl_start(const char *const *argv, int out_fd, int err_fd)
{
	const char *args[32];
	size_t i;
	pid_t pid;

	args[0] = "exoctl";
	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	pid = fork();
	if (pid == 0) {
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		execv(exoctl_path(), (char *const *)args);
		_exit(127);
	}
	return pid;
}

static int exoctl_reap(pid_t pid, int timeout_ms)
{
	int status, waited;

	for (waited = 0; waited < timeout_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Run exoctl to completion (10 s at most) with its output in @r. */
static void exoctl_run(struct exoctl_run *r, const char *const *argv)
{
	int out = memfd_create("exoctl-out", MFD_CLOEXEC);
	int err = memfd_create("exoctl-err", MFD_CLOEXEC);
	pid_t pid = exoctl_start(argv, out, err);

	r->status = pid < 0 ? -1 : exoctl_reap(pid, 10000);
	exoctl_slurp(out, r->out, sizeof(r->out));
	exoctl_slurp(err, r->err, sizeof(r->err));
}

#define EXOCTL(r, ...) exoctl_run((r), (const char *const[]){ __VA_ARGS__, NULL })

/* The line of @text that starts with @prefix, copied to @line; or false. */
static bool exoctl_line(const char *text, const char *prefix, char *line,
			size_t len)
{
	size_t plen = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		const char *end = strchrnul(p, '\n');

		if (!strncmp(p, prefix, plen)) {
			snprintf(line, len, "%.*s", (int)(end - p), p);
			return true;
		}
		p = *end ? end + 1 : NULL;
	}
	return false;
}

/* The JSON reader itself must refuse what is not JSON. */
TEST(json_reader_is_strict)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]",
		"[.5]", "['a']", "[\"a\nb\"]", "[\"\\x\"]", "[tru]", "{} {}",
		"{\"a\":1,\"a\":2}", "[1 2]", "{1:2}", "[-]", "[1e]",
	};
	struct exo_json *j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = exo_json_parse(bad[i]);
		EXPECT_EQ(NULL, j) {
			TH_LOG("accepted: %s", bad[i]);
		}
		exo_json_free(j);
	}
	j = exo_json_parse(" {\"a\":[1,-2.5e3,true,null,\"x\\u0041\"],\"b\":{}}\n");
	ASSERT_NE(NULL, j);
	EXPECT_EQ(5, exo_json_get(j, "a")->len);
	EXPECT_STREQ("xA", exo_json_at(exo_json_get(j, "a"), 4)->str);
	EXPECT_EQ(1, exo_json_at(exo_json_get(j, "a"), 0)->uint);
	exo_json_free(j);
}

FIXTURE(exoctl) {
	struct exo *exo;
	__u64 env_id;
	__u32 frames[EXOCTL_FRAMES];
	__u32 colour;
	int cpu;
	__u32 binding;
	struct veth_lab lab;
};

FIXTURE_SETUP(exoctl)
{
	struct exo_mem_frame fr[EXOCTL_FRAMES];
	struct exo_env_info ei = { .argsz = sizeof(ei) };
	struct exo_net_bind bind;
	struct exo_net_atom atoms[EXO_NET_ATOMS_MAX];
	__u32 natoms;
	int i, ret;

	self->exo = NULL;
	self->lab.self_ns = self->lab.peer_ns = -1;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	ASSERT_EQ(0, access(exoctl_path(), X_OK)) {
		TH_LOG("no exoctl binary next to the tests (%s)", exoctl_path());
	}
	self->exo = exo_open(NULL);
	ASSERT_NE(NULL, self->exo);
	ASSERT_EQ(0, exo_env_info(self->exo, &ei));
	self->env_id = ei.env_id;

	/* Frames: any colour, then all of the first frame's colour. */
	ASSERT_EQ(0, exo_mem_alloc(self->exo, 0, 1, 0, fr, NULL));
	self->colour = fr[0].colour;
	ASSERT_EQ(0, exo_mem_free(self->exo, &fr[0].index, 1));
	ASSERT_EQ(0, exo_mem_alloc(self->exo, EXO_MEM_ALLOC_COLOUR,
				   EXOCTL_FRAMES, self->colour, fr, NULL));
	for (i = 0; i < EXOCTL_FRAMES; i++)
		self->frames[i] = fr[i].index;

	self->cpu = exo_cpu_first(exo_event_fd(self->exo));
	if (self->cpu >= 0)
		ASSERT_EQ(0, exo_cpu_book(self->exo, self->cpu, EXOCTL_SLOT0,
					  2, EXOCTL_STRIDE));

	ret = net_lab_up(&self->lab);
	ASSERT_EQ(0, ret) {
		TH_LOG("veth lab: %s", strerror(-ret));
	}
	natoms = net_udp_port_atoms(atoms, EXOCTL_PORT);
	net_bind_init(&bind, self->lab.ifindex, atoms, natoms);
	ASSERT_EQ(0, exo_net_bind(self->exo, &bind));
	self->binding = bind.binding_id;
}

FIXTURE_TEARDOWN(exoctl)
{
	exo_close(self->exo);
	veth_lab_teardown(&self->lab);
}

TEST_F(exoctl, env_list)
{
	struct exoctl_run r;
	const struct exo_json *e;
	struct exo_json *j;
	char prefix[32], line[256];
	unsigned long long id, tgid, uid, frames, slots, filters, blocks;
	size_t i;

	EXOCTL(&r, "env", "list");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(0, strncmp(r.out, "ENV ", 4)) TH_LOG("%s", r.out);
	snprintf(prefix, sizeof(prefix), "%llu ", (unsigned long long)self->env_id);
	ASSERT_TRUE(exoctl_line(r.out, prefix, line, sizeof(line))) TH_LOG("%s", r.out);
	ASSERT_EQ(7, sscanf(line, "%llu %llu %llu %llu %llu %llu %llu", &id,
			    &tgid, &uid, &frames, &slots, &filters, &blocks));
	EXPECT_EQ(getpid(), (pid_t)tgid);
	EXPECT_EQ(getuid(), (uid_t)uid);
	EXPECT_EQ(EXOCTL_FRAMES, frames);
	EXPECT_EQ(self->cpu >= 0 ? 2 : 0, slots);
	EXPECT_EQ(1, filters);

	EXOCTL(&r, "--json", "env", "list");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	ASSERT_EQ(EXO_JSON_ARR, j->type);
	for (i = 0; (e = exo_json_at(j, i)); i++)
		if (exo_json_u64(e, "id") == self->env_id)
			break;
	ASSERT_NE(NULL, e) TH_LOG("env %llu missing: %s",
				  (unsigned long long)self->env_id, r.out);
	EXPECT_EQ((__u64)getpid(), exo_json_u64(e, "tgid"));
	EXPECT_EQ(EXOCTL_FRAMES, exo_json_u64(e, "frames"));
	EXPECT_EQ(self->cpu >= 0 ? 2 : 0, exo_json_u64(e, "slots"));
	EXPECT_EQ(1, exo_json_u64(e, "filters"));
	EXPECT_EQ(0, exo_json_u64(e, "blocks"));
	EXPECT_EQ(0, exo_json_u64(e, "net_delivered"));
	exo_json_free(j);
}

TEST_F(exoctl, env_show)
{
	char id[24], want[128], line[256];
	struct exoctl_run r;
	struct exo_json *j;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)self->env_id);
	EXOCTL(&r, "env", "show", id);
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "env %s\n", id);
	EXPECT_EQ(0, strncmp(r.out, want, strlen(want))) TH_LOG("%s", r.out);
	ASSERT_TRUE(exoctl_line(r.out, "\tholds: ", line, sizeof(line)));
	snprintf(want, sizeof(want), "\tholds: frames %d slots %d filters 1 blocks 0",
		 EXOCTL_FRAMES, self->cpu >= 0 ? 2 : 0);
	EXPECT_STREQ(want, line);
	ASSERT_TRUE(exoctl_line(r.out, "\towner: ", line, sizeof(line)));
	snprintf(want, sizeof(want), "\towner: tgid %d uid %d", getpid(), getuid());
	EXPECT_STREQ(want, line);

	EXOCTL(&r, "env", "show", id, "--json");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	EXPECT_EQ(self->env_id, exo_json_u64(j, "id"));
	EXPECT_EQ(EXOCTL_FRAMES, exo_json_u64(j, "frames"));
	EXPECT_EQ(1, exo_json_u64(j, "filters"));
	exo_json_free(j);

	/* An id nobody has: a failure, said so, and nothing on stdout. */
	EXOCTL(&r, "--json", "env", "show", "18446744073709551615");
	EXPECT_EQ(1, r.status);
	EXPECT_STREQ("", r.out);
	EXPECT_NE(NULL, strstr(r.err, "exoctl: env show: no environment"))
		TH_LOG("%s", r.err);
}

TEST_F(exoctl, mem_show)
{
	struct exo_mem_info mi = { .argsz = sizeof(mi) };
	const struct exo_json *c, *held, *f;
	char want[256], line[256], *p;
	struct exoctl_run r;
	struct exo_json *j;
	size_t i, k, mine = 0;

	ASSERT_EQ(0, exo_mem_info(self->exo, &mi));
	EXOCTL(&r, "mem", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "pool: frames %u free %u colours %u reserve %u quota %u",
		 mi.pool_frames, mi.free_frames, mi.colours,
		 mi.reserve_frames, mi.quota_frames);
	ASSERT_TRUE(exoctl_line(r.out, "pool: ", line, sizeof(line)));
	EXPECT_STREQ(want, line);
	/* Our frames, under our colour, in one line of our env. */
	snprintf(want, sizeof(want), "colour %u: ", self->colour);
	p = strstr(r.out, want);
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\tenv %llu:", (unsigned long long)self->env_id);
	p = strstr(p, want);
	ASSERT_NE(NULL, p) TH_LOG("%s", r.out);
	ASSERT_TRUE(exoctl_line(p, want, line, sizeof(line)));
	for (i = 0; i < EXOCTL_FRAMES; i++) {
		char word[16];

		snprintf(word, sizeof(word), " %u", self->frames[i]);
		p = strstr(line, word);
		EXPECT_TRUE(p && (p[strlen(word)] == ' ' || !p[strlen(word)]))
			TH_LOG("frame %u not in \"%s\"", self->frames[i], line);
	}

	EXOCTL(&r, "mem", "--json", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	EXPECT_EQ(mi.pool_frames, exo_json_u64(j, "frames"));
	EXPECT_EQ(mi.free_frames, exo_json_u64(j, "free"));
	EXPECT_EQ(mi.colours, exo_json_u64(j, "colours"));
	ASSERT_EQ(EXO_JSON_BOOL, exo_json_get(j, "detail")->type);
	ASSERT_TRUE(exo_json_get(j, "detail")->boolean);
	EXPECT_EQ(mi.colours, exo_json_get(j, "by_colour")->len);
	c = exo_json_at(exo_json_get(j, "by_colour"), self->colour);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(self->colour, exo_json_u64(c, "colour"));
	held = exo_json_get(c, "held");
	for (k = 0; (f = exo_json_at(held, k)); k++) {
		if (exo_json_u64(f, "env") != self->env_id)
			continue;
		for (i = 0; i < EXOCTL_FRAMES; i++)
			if (exo_json_u64(f, "frame") == self->frames[i])
				mine++;
	}
	EXPECT_EQ(EXOCTL_FRAMES, mine) TH_LOG("%s", r.out);
	exo_json_free(j);
}

TEST_F(exoctl, cpu_show)
{
	struct exo_cpu_info ci = { .argsz = sizeof(ci) };
	const struct exo_json *cpus, *c = NULL, *s;
	char want[256], line[512], *vec;
	struct exoctl_run r;
	struct exo_json *j;
	size_t i, k, mine = 0;

	if (self->cpu < 0)
		SKIP(return, "exo manages no CPU here");
	ASSERT_EQ(0, exo_cpu_info(self->exo, self->cpu, &ci));
	EXOCTL(&r, "cpu", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "cpu %d: online free %u of %u now slot ",
		 self->cpu, ci.free_slots, ci.nslots);
	ASSERT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "\tenv %llu excess 0: slots %d %d",
		 (unsigned long long)self->env_id, EXOCTL_SLOT0,
		 EXOCTL_SLOT0 + EXOCTL_STRIDE);
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	ASSERT_TRUE(exoctl_line(r.out, "\tvector ", line, sizeof(line)));
	vec = line + strlen("\tvector ");
	EXPECT_EQ(ci.nslots, strlen(vec));
	EXPECT_EQ('#', vec[EXOCTL_SLOT0]);
	EXPECT_EQ('#', vec[EXOCTL_SLOT0 + EXOCTL_STRIDE]);
	EXPECT_EQ('.', vec[EXOCTL_SLOT0 + 1]);

	EXOCTL(&r, "--json", "cpu", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	cpus = exo_json_get(j, "cpus");
	ASSERT_EQ(ci.ncpus, cpus->len);
	for (i = 0; (c = exo_json_at(cpus, i)); i++)
		if (exo_json_u64(c, "cpu") == (__u64)self->cpu)
			break;
	ASSERT_NE(NULL, c);
	EXPECT_EQ(ci.nslots, exo_json_u64(c, "nslots"));
	EXPECT_EQ(ci.free_slots, exo_json_u64(c, "free"));
	EXPECT_EQ(ci.quantum_ns, exo_json_u64(c, "quantum_ns"));
	EXPECT_STREQ(ci.policy, exo_json_str(c, "policy"));
	for (k = 0; (s = exo_json_at(exo_json_get(c, "slots"), k)); k++)
		if (exo_json_u64(s, "env") == self->env_id)
			mine += exo_json_u64(s, "slot") == EXOCTL_SLOT0 ||
				exo_json_u64(s, "slot") == EXOCTL_SLOT0 + EXOCTL_STRIDE;
	EXPECT_EQ(2, mine) TH_LOG("%s", r.out);
	exo_json_free(j);
}

TEST_F(exoctl, net_show)
{
	struct exo_net_info ni = { .argsz = sizeof(ni) };
	const struct exo_json *f = NULL, *atoms, *a;
	char want[256], line[512];
	struct exoctl_run r;
	struct exo_json *j;
	size_t i;

	ASSERT_EQ(0, exo_net_info(self->exo, &ni));
	EXOCTL(&r, "net", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "dev %s ifindex %d", self->lab.name,
		 self->lab.ifindex);
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want),
		 "\tbinding %u env %llu ring 16x2048 matched 0 delivered 0 dropped 0 tx 0",
		 self->binding, (unsigned long long)self->env_id);
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	EXPECT_TRUE(exoctl_line(r.out, "bindings: 1", line, sizeof(line))) TH_LOG("%s", r.out);
	/* As the kernel keeps it: the adjacent ethertype and IHL atoms merged. */
	snprintf(want, sizeof(want),
		 "\t\tfilter [12..15) & 0xffffff == 0x80045 && [23..24) & 0xff == 0x11 && [36..38) & 0xffff == %#x\n",
		 EXOCTL_PORT);
	EXPECT_TRUE(strstr(r.out, want) != NULL) TH_LOG("%s", r.out);

	EXOCTL(&r, "--json", "net", "show");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	/* Ours is the only binding of this state. */
	EXPECT_EQ(ni.bindings, exo_json_u64(j, "bindings"));
	EXPECT_EQ(ni.atoms_max, exo_json_u64(j, "atoms_max"));
	for (i = 0; (f = exo_json_at(exo_json_get(j, "filters"), i)); i++)
		if (exo_json_u64(f, "binding") == self->binding)
			break;
	ASSERT_NE(NULL, f) TH_LOG("%s", r.out);
	EXPECT_EQ(self->env_id, exo_json_u64(f, "env"));
	EXPECT_STREQ(self->lab.name, exo_json_str(f, "dev"));
	EXPECT_EQ(16, exo_json_u64(f, "ring_slots"));
	EXPECT_EQ(0, exo_json_u64(f, "dropped"));
	atoms = exo_json_get(f, "atoms");
	ASSERT_EQ(3, atoms->len);
	a = exo_json_at(atoms, 0);
	EXPECT_EQ(12, exo_json_u64(a, "offset"));
	EXPECT_EQ(3, exo_json_u64(a, "width"));
	EXPECT_EQ(0x080045, exo_json_u64(a, "value"));
	a = exo_json_at(atoms, 2);
	EXPECT_EQ(36, exo_json_u64(a, "offset"));
	EXPECT_EQ(2, exo_json_u64(a, "width"));
	EXPECT_EQ(0xffff, exo_json_u64(a, "mask"));
	EXPECT_EQ(EXOCTL_PORT, exo_json_u64(a, "value"));
	exo_json_free(j);
}

/* A type whose blocks own nothing: enough for a catalogue entry. */
static int exoctl_xn_type(struct exo *exo, const char *name, __u32 *id)
{
	struct exo_udf_builder owns, acl;
	int no, na;

	exo_udf_init(&owns);
	exo_udf_ret(&owns, 0);
	no = exo_udf_finish(&owns);
	exo_udf_init(&acl);
	exo_udf_ret(&acl, 1);
	na = exo_udf_finish(&acl);
	if (no < 0 || na < 0)
		return -EINVAL;
	return exo_xn_type_install(exo, name, owns.insns, no, acl.insns, na, id);
}

TEST_F(exoctl, xn_show_and_check)
{
	struct exo_xn_info xi = { .argsz = sizeof(xi) };
	const struct exo_json *e;
	struct exo_api api;
	size_t i, found;
	char want[256], line[256];
	struct exoctl_run r;
	struct exo_json *j;
	__u64 root = 0;
	__u32 type;

	ASSERT_EQ(0, exo_api(self->exo, &api));
	if (!(api.features & EXO_FEATURE_XN))
		SKIP(return, "exo.ko has no XN binding");
	ASSERT_EQ(0, exoctl_xn_type(self->exo, "exoctl-test", &type));
	ASSERT_EQ(0, exo_xn_root_install(self->exo, "exoctl-root", type, &root));
	ASSERT_EQ(0, exo_xn_info(self->exo, &xi));

	EXOCTL(&r, "xn", "show");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "catalogues: types %u roots %u", xi.types,
		 xi.roots);
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), "disk: blocks %llu data_start %llu free %llu",
		 (unsigned long long)xi.nblocks,
		 (unsigned long long)xi.data_start,
		 (unsigned long long)xi.free_blocks);
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);

	/* The catalogues' entries, from EXO_CMD_GET_XN. */
	snprintf(want, sizeof(want), "\ttype %u \"exoctl-test\" uid %u owns ",
		 type, getuid());
	EXPECT_TRUE(exoctl_line(r.out, want, line, sizeof(line))) TH_LOG("%s", r.out);
	snprintf(want, sizeof(want), " \"exoctl-root\" uid %u type %u block %llu\n",
		 getuid(), type, (unsigned long long)root);
	EXPECT_NE(NULL, strstr(r.out, want)) TH_LOG("%s", r.out);

	EXOCTL(&r, "--json", "xn", "show");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	EXPECT_EQ(xi.types, exo_json_u64(j, "types"));
	EXPECT_EQ(xi.roots, exo_json_u64(j, "roots"));
	EXPECT_EQ(xi.nblocks, exo_json_u64(j, "blocks"));
	ASSERT_TRUE(exo_json_get(j, "detail") && exo_json_get(j, "detail")->boolean);
	EXPECT_EQ(xi.types, exo_json_get(j, "type_list")->len);
	EXPECT_EQ(xi.roots, exo_json_get(j, "root_list")->len);
	for (i = 0, found = 0; (e = exo_json_at(exo_json_get(j, "type_list"), i)); i++)
		found += exo_json_u64(e, "id") == type &&
			 !strcmp(exo_json_str(e, "name") ?: "", "exoctl-test");
	EXPECT_EQ(1, found) TH_LOG("%s", r.out);
	for (i = 0, found = 0; (e = exo_json_at(exo_json_get(j, "root_list"), i)); i++)
		found += exo_json_u64(e, "block") == root &&
			 exo_json_u64(e, "type") == type &&
			 !strcmp(exo_json_str(e, "name") ?: "", "exoctl-root");
	EXPECT_EQ(1, found) TH_LOG("%s", r.out);
	exo_json_free(j);

	/* The fresh root is on disk after a sync, and the disk is clean. */
	ASSERT_EQ(0, exo_xn_sync(self->exo, NULL));
	EXOCTL(&r, "xn", "check");
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(exoctl_line(r.out, "clean", line, sizeof(line))) TH_LOG("%s", r.out);
	EXOCTL(&r, "xn", "check", "--json");
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = exo_json_parse(r.out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
	EXPECT_TRUE(exo_json_get(j, "clean") && exo_json_get(j, "clean")->boolean);
	EXPECT_EQ(0, exo_json_u64(j, "owned_twice"));
	EXPECT_EQ(0, exo_json_u64(j, "unreachable"));
	exo_json_free(j);

	EXPECT_EQ(0, exo_xn_root_remove(self->exo, "exoctl-root", type, root));
	EXPECT_EQ(0, exo_xn_type_remove(self->exo, "exoctl-test", type));
}

/* Start exoctl on a stream; true once it says on stderr it is listening. */
static bool exoctl_stream_start(const char *const *argv, pid_t *pid,
				int *out, const char *ready)
{
	char buf[512] = "";
	int err_pipe[2], waited;
	size_t have = 0;

	*out = memfd_create("exoctl-out", MFD_CLOEXEC);
	if (*out < 0 || pipe2(err_pipe, O_CLOEXEC | O_NONBLOCK))
		return false;
	*pid = exoctl_start(argv, *out, err_pipe[1]);
	close(err_pipe[1]);
	for (waited = 0; waited < 10000 && !strstr(buf, ready); waited += 10) {
		ssize_t n = read(err_pipe[0], buf + have, sizeof(buf) - 1 - have);

		if (n > 0) {
			have += n;
			buf[have] = '\0';
		} else {
			usleep(10000);
		}
	}
	close(err_pipe[0]);
	return strstr(buf, ready) != NULL;
}

TEST_F(exoctl, monitor)
{
	const struct exo_json *e;
	struct exo_json *j;
	char out[4096], want[128];
	pid_t pid;
	int fd;

	ASSERT_TRUE(exoctl_stream_start((const char *const[]){ "monitor", "-c", "1", NULL },
					&pid, &fd, "monitoring"));
	ASSERT_EQ(0, exo_event_raise(self->exo, 0x5eed));
	ASSERT_EQ(0, exoctl_reap(pid, 10000));
	exoctl_slurp(fd, out, sizeof(out));
	snprintf(want, sizeof(want), "] env %llu seq ",
		 (unsigned long long)self->env_id);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), " user (%#x) data 0x5eed 0 0 0\n",
		 EXO_EVENT_USER);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	/* -c 1: one line, then exit. */
	EXPECT_EQ(strlen(out), (size_t)(strchr(out, '\n') - out) + 1) TH_LOG("%s", out);

	ASSERT_TRUE(exoctl_stream_start((const char *const[]){ "--json", "monitor", "-c", "2", NULL },
					&pid, &fd, "monitoring"));
	ASSERT_EQ(0, exo_event_raise(self->exo, 1));
	ASSERT_EQ(0, exo_event_raise(self->exo, 2));
	ASSERT_EQ(0, exoctl_reap(pid, 10000));
	exoctl_slurp(fd, out, sizeof(out));
	j = exo_json_parse(out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", out);
	ASSERT_EQ(2, j->len);
	e = exo_json_at(j, 1);
	EXPECT_EQ(self->env_id, exo_json_u64(e, "env"));
	EXPECT_STREQ("user", exo_json_str(e, "type"));
	EXPECT_EQ(EXO_EVENT_USER, exo_json_u64(e, "code"));
	EXPECT_EQ(2, exo_json_at(exo_json_get(e, "data"), 0)->uint);
	exo_json_free(j);

	/* SIGINT ends an unbounded monitor cleanly, its JSON closed. */
	ASSERT_TRUE(exoctl_stream_start((const char *const[]){ "--json", "monitor", NULL },
					&pid, &fd, "monitoring"));
	kill(pid, SIGINT);
	EXPECT_EQ(0, exoctl_reap(pid, 10000));
	exoctl_slurp(fd, out, sizeof(out));
	EXPECT_STREQ("[]\n", out);
}

TEST_F(exoctl, revoke_mem)
{
	struct exo_mem_info mi = { .argsz = sizeof(mi) };
	struct exo_event ev;
	char id[24], want[128];
	struct exoctl_run r;
	struct exo_json *j;
	int n;

	struct exo_mem_frame fr[EXO_MEM_BATCH_MAX];
	__u32 extra, batch;

	/* Hold more than the reserve spares, so that there is something to ask. */
	ASSERT_EQ(0, exo_mem_info(self->exo, &mi));
	for (extra = mi.reserve_frames; extra; extra -= batch) {
		batch = extra < EXO_MEM_BATCH_MAX ? extra : EXO_MEM_BATCH_MAX;
		ASSERT_EQ(0, exo_mem_alloc(self->exo, 0, batch, 0, fr, NULL));
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)self->env_id);
	EXOCTL(&r, "revoke", "mem", id, "1", "--deadline", "30000");
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	snprintf(want, sizeof(want), "env %s: asked for 1 frames within 30000 ms\n", id);
	EXPECT_STREQ(want, r.out);
	n = exo_event_read(self->exo, &ev, 1, 5000);
	ASSERT_EQ(1, n);
	EXPECT_EQ(EXO_EVENT_MEM_REVOKE, ev.type);

	/* One at a time: the second is refused while the first is pending. */
	EXOCTL(&r, "revoke", "--deadline", "30000", "mem", id, "1");
	EXPECT_NE(0, r.status);
	EXPECT_NE(NULL, strstr(r.err, "already pending")) TH_LOG("%s", r.err);

	/* Comply, so that the abort protocol has nothing to take. */
	ASSERT_EQ(0, exo_mem_free(self->exo, &self->frames[0], 1));
	usleep(100000);
	EXOCTL(&r, "--json", "revoke", "mem", id, "1", "--deadline", "30000");
	if (r.status == 0) {
		j = exo_json_parse(r.out);
		ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", r.out);
		EXPECT_EQ(self->env_id, exo_json_u64(j, "env"));
		EXPECT_EQ(1, exo_json_u64(j, "requested"));
		EXPECT_EQ(30000, exo_json_u64(j, "deadline_ms"));
		exo_json_free(j);
	} else {
		/* The first request may still count as pending; say which. */
		EXPECT_NE(NULL, strstr(r.err, "already pending")) TH_LOG("%s", r.err);
	}

	EXOCTL(&r, "revoke", "mem", "18446744073709551615", "1", "--deadline", "10");
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "no environment")) TH_LOG("%s", r.err);
}

TEST(bad_arguments)
{
	static const char *const bad[][8] = {
		{ NULL }, { "bogus", NULL }, { "env", NULL },
		{ "env", "show", NULL }, { "env", "show", "x1", NULL },
		{ "env", "show", "-1", NULL }, { "env", "list", "more", NULL },
		{ "mem", NULL }, { "mem", "show", "extra", NULL },
		{ "cpu", "list", NULL }, { "net", NULL }, { "xn", "fix", NULL },
		{ "monitor", "-c", NULL }, { "monitor", "-c", "0", NULL },
		{ "monitor", "-c", "x", NULL }, { "trace", "-n", "1", NULL },
		{ "revoke", NULL }, { "revoke", "cpu", "1", "1", NULL },
		{ "revoke", "mem", "1", NULL },
		{ "revoke", "mem", "1", "1", NULL },
		{ "revoke", "mem", "1", "0", "--deadline", "5", NULL },
		{ "revoke", "mem", "1", "1", "--deadline", "0", NULL },
		{ "revoke", "mem", "1", "1", "--deadline", "60001", NULL },
		{ "revoke", "mem", "1", "4294967296", "--deadline", "5", NULL },
		{ "revoke", "mem", "1", "1", "2", "--deadline", "5", NULL },
	};
	struct exoctl_run r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		exoctl_run(&r, bad[i]);
		EXPECT_EQ(2, r.status) TH_LOG("case %zu (%s %s)", i,
					      bad[i][0] ?: "", bad[i][0] ? bad[i][1] ?: "" : "");
		EXPECT_NE(NULL, strstr(r.err, "usage: exoctl")) TH_LOG("case %zu", i);
		EXPECT_STREQ("", r.out);
	}
	EXOCTL(&r, "--help");
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "exoctl revoke mem ENV N --deadline MS"));
	EXOCTL(&r, "env", "list", "-h");
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "usage: exoctl"));
}

/* Work that crosses the bindings, so that some exo tracepoint fires. */
static void exoctl_trace_work(void)
{
	struct exo_mem_frame fr;
	struct exo *exo = exo_open(NULL);
	int cpu;

	if (!exo)
		return;
	if (!exo_mem_alloc(exo, 0, 1, 0, &fr, NULL))
		exo_mem_free(exo, &fr.index, 1);
	cpu = exo_cpu_first(exo_event_fd(exo));
	if (cpu >= 0 && !exo_cpu_book(exo, cpu, 0, 1, 1))
		exo_cpu_free(exo, cpu, 0, 1, 1);
	exo_event_raise(exo, 1);
	exo_close(exo);
}

/* Does trace_pipe line @line name an event of tracefs group @group? */
static bool exoctl_names_group_event(const char *group, const char *line)
{
	char want[300];
	struct dirent *de;
	bool found = false;
	DIR *dir = opendir(group);

	while (dir && !found && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(want, sizeof(want), " %s: ", de->d_name);
		found = strstr(line, want) != NULL;
	}
	if (dir)
		closedir(dir);
	return found;
}

/* exoctl trace streams the exo group; a kernel without tracepoints skips. */
TEST(trace)
{
	char group[] = EXOCTL_TRACEFS "/events/exo";
	char out[16384], line[1024], path[300];
	const struct exo_json *e;
	struct exo_json *j;
	struct stat st;
	pid_t pid;
	int fd;

	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	if (access(group, F_OK))
		mount("tracefs", EXOCTL_TRACEFS, "tracefs", 0, NULL);
	if (access(group, F_OK)) {
		struct exoctl_run r;

		/* Until then exoctl trace must say why it cannot run. */
		EXOCTL(&r, "trace", "-c", "1");
		EXPECT_EQ(1, r.status);
		EXPECT_NE(NULL, strstr(r.err, "exoctl: trace: no exo tracepoints"))
			TH_LOG("%s", r.err);
		SKIP(return, "no exo tracepoints (%s)", group);
	}

	ASSERT_TRUE(exoctl_stream_start((const char *const[]){ "trace", "-c", "1", NULL },
					&pid, &fd, "tracing"));
	exoctl_trace_work();
	ASSERT_EQ(0, exoctl_reap(pid, 10000));
	exoctl_slurp(fd, out, sizeof(out));
	ASSERT_TRUE(exoctl_line(out, "", line, sizeof(line)));
	EXPECT_TRUE(exoctl_names_group_event(group, line)) TH_LOG("%s", out);

	ASSERT_TRUE(exoctl_stream_start((const char *const[]){ "--json", "trace", "-c", "1", NULL },
					&pid, &fd, "tracing"));
	exoctl_trace_work();
	ASSERT_EQ(0, exoctl_reap(pid, 10000));
	exoctl_slurp(fd, out, sizeof(out));
	j = exo_json_parse(out);
	ASSERT_NE(NULL, j) TH_LOG("not JSON: %s", out);
	ASSERT_EQ(1, j->len);
	e = exo_json_at(j, 0);
	ASSERT_NE(NULL, exo_json_str(e, "event")) TH_LOG("%s", out);
	/* The event it names is one of the group's. */
	snprintf(path, sizeof(path), "%s/%s", group, exo_json_str(e, "event"));
	EXPECT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
	exo_json_free(j);
	/* exoctl put the group back off. */
	snprintf(path, sizeof(path), "%s/enable", group);
	{
		char *was = exo_file_slurp(path);

		ASSERT_NE(NULL, was);
		EXPECT_EQ('0', was[0]);
		free(was);
	}
}

/* Without exo.ko, every kind of command says so and fails. */
TEST(module_not_loaded)
{
	static const char *const cmds[][4] = {
		{ "env", "list", NULL }, { "mem", "show", NULL },
		{ "cpu", "show", NULL }, { "monitor", "-c", "1", NULL },
		{ "revoke", "mem", "1", "1" },
	};
	char params[EXO_KMOD_PARAMS_LEN];
	struct exoctl_run r;
	size_t i;
	int err;

	if (!exo_dev_present() || !exo_kmod_loaded())
		SKIP(return, EXO_NO_DEV_MSG);
	ASSERT_EQ(0, exo_kmod_params(params, sizeof(params)));
	err = exo_kmod_unload();
	if (err == EWOULDBLOCK || err == EBUSY)
		SKIP(return, "exo.ko is in use");
	ASSERT_EQ(0, err);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *argv[8] = { cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3] };

		if (i == 4) {
			argv[4] = "--deadline";
			argv[5] = "10";
		}
		exoctl_run(&r, argv);
		EXPECT_EQ(1, r.status) TH_LOG("%s %s", cmds[i][0], cmds[i][1]);
		EXPECT_NE(NULL, strstr(r.err, "exoctl: /dev/exo: module not loaded"))
			TH_LOG("%s %s: %s", cmds[i][0], cmds[i][1], r.err);
	}
	ASSERT_EQ(0, exo_kmod_load(params));
	ASSERT_TRUE(exo_dev_present());
}

TEST_HARNESS_MAIN
