// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl contract of uapi/linux/exo.h, tested with raw ioctl(2) on an fd
 * from open("/dev/exo") so that libexo cannot paper over anything: the
 * handshake, EPROTO before it, ENOTTY for what the kernel does not know, and
 * the argsz/flags rules every argument struct follows.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <termios.h>

#include "exo_test_util.h"

/* Every ioctl this tree defines; a binding adds its own bits here. */
#define EXO_MEM_IOCTLS	((1ULL << EXO_NR_MEM_INFO) | (1ULL << EXO_NR_MEM_ALLOC) | \
			 (1ULL << EXO_NR_MEM_FREE) | (1ULL << EXO_NR_MEM_MAP) | \
			 (1ULL << EXO_NR_MEM_UNMAP) | (1ULL << EXO_NR_MEM_GRANT) | \
			 (1ULL << EXO_NR_MEM_UNGRANT) | (1ULL << EXO_NR_MEM_REVOKE) | \
			 (1ULL << EXO_NR_MEM_REPOSSESSED) | \
			 (1ULL << EXO_NR_MEM_REGION_SET) | \
			 (1ULL << EXO_NR_MEM_FAULT_RESOLVE))
#define EXO_NET_IOCTLS	((1ULL << EXO_NR_NET_INFO) | (1ULL << EXO_NR_NET_BIND) | \
			 (1ULL << EXO_NR_NET_UNBIND) | (1ULL << EXO_NR_NET_TX) | \
			 (1ULL << EXO_NR_NET_STATS) | (1ULL << EXO_NR_NET_ASH_SET))
#define EXO_CPU_IOCTLS	((1ULL << EXO_NR_CPU_INFO) | (1ULL << EXO_NR_CPU_BOOK) | \
			 (1ULL << EXO_NR_CPU_FREE) | (1ULL << EXO_NR_CPU_QUERY) | \
			 (1ULL << EXO_NR_CPU_BIND) | (1ULL << EXO_NR_CPU_UNBIND) | \
			 (1ULL << EXO_NR_CPU_WAIT) | (1ULL << EXO_NR_CPU_YIELD) | \
			 (1ULL << EXO_NR_CPU_REVOKE))
#define EXO_ALL_IOCTLS	((1ULL << EXO_NR_API) | (1ULL << EXO_NR_ENV_INFO) | \
			 (1ULL << EXO_NR_NOP) | (1ULL << EXO_NR_EVENT_RAISE) | \
			 (1ULL << EXO_NR_CAP_GRANT) | (1ULL << EXO_NR_CAP_REVOKE) | \
			 EXO_MEM_IOCTLS | EXO_CPU_IOCTLS | EXO_NET_IOCTLS)
/* Numbers 64 to 127, bit (nr - 64), in exo_api.ioctls_hi. */
#define EXO_XN_BIT(nr)		(1ULL << ((nr) - 64))
#define EXO_ALL_IOCTLS_HI	(EXO_XN_BIT(EXO_NR_XN_INFO) | \
				 EXO_XN_BIT(EXO_NR_XN_TYPE_INSTALL) | \
				 EXO_XN_BIT(EXO_NR_XN_TYPE_LOOKUP) | \
				 EXO_XN_BIT(EXO_NR_XN_ROOT_INSTALL) | \
				 EXO_XN_BIT(EXO_NR_XN_ROOT_LOOKUP) | \
				 EXO_XN_BIT(EXO_NR_XN_READ) | \
				 EXO_XN_BIT(EXO_NR_XN_RELEASE) | \
				 EXO_XN_BIT(EXO_NR_XN_ALLOC) | \
				 EXO_XN_BIT(EXO_NR_XN_FREE) | \
				 EXO_XN_BIT(EXO_NR_XN_WRITE_META) | \
				 EXO_XN_BIT(EXO_NR_XN_WRITE) | \
				 EXO_XN_BIT(EXO_NR_XN_SYNC) | \
				 EXO_XN_BIT(EXO_NR_XN_CHECK) | \
				 EXO_XN_BIT(EXO_NR_XN_TYPE_REMOVE) | \
				 EXO_XN_BIT(EXO_NR_XN_ROOT_REMOVE) | \
				 EXO_XN_BIT(EXO_NR_RING_SETUP) | \
				 EXO_XN_BIT(EXO_NR_RING_ENTER))

/* The three argument structs, for table-driven tests. */
struct exo_ioc_desc {
	const char *name;
	unsigned long cmd;
	size_t minsz;		/* the first version's size */
	size_t size;		/* the size this header knows */
};

#define EXO_API_V1_SIZE	(offsetof(struct exo_api, ioctls) + sizeof(__u64))

static const struct exo_ioc_desc exo_iocs[] = {
	/* Version 1 ended at ioctls; ioctls_hi came with XN. */
	{ "EXO_IOC_API", EXO_IOC_API, EXO_API_V1_SIZE, sizeof(struct exo_api) },
	{ "EXO_IOC_ENV_INFO", EXO_IOC_ENV_INFO, sizeof(struct exo_env_info),
	  sizeof(struct exo_env_info) },
	{ "EXO_IOC_EVENT_RAISE", EXO_IOC_EVENT_RAISE,
	  sizeof(struct exo_event_raise), sizeof(struct exo_event_raise) },
};

/*
 * Lay out a valid argument of @d in @buf (which has room for @bufsz bytes),
 * zero everything, then claim @argsz.
 */
static void exo_fill_arg(void *buf, size_t bufsz, const struct exo_ioc_desc *d,
			 __u32 argsz)
{
	memset(buf, 0, bufsz);
	((__u32 *)buf)[0] = argsz;
	if (d->cmd == EXO_IOC_API)
		((struct exo_api *)buf)->api_version = EXO_API_VERSION;
	else if (d->cmd == EXO_IOC_EVENT_RAISE)
		((struct exo_event_raise *)buf)->cookie = 0xa5a5;
}

static size_t exo_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

FIXTURE(api) {
	int fd;		/* handshaken */
	unsigned char *buf;	/* two pages and one byte of room */
	size_t bufsz;
};

FIXTURE_SETUP(api)
{
	self->fd = -1;
	self->buf = NULL;
	if (!exo_dev_present())
		SKIP(return, EXO_NO_DEV_MSG);
	self->fd = exo_raw_env();
	ASSERT_LE(0, self->fd) {
		TH_LOG("open+handshake: %s", strerror(-self->fd));
	}
	self->bufsz = 2 * exo_page_size() + 64;
	self->buf = aligned_alloc(64, self->bufsz);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(api)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
}

TEST_F(api, handshake_reports_version_features_ioctls)
{
	struct exo_api api = {
		.argsz = sizeof(api),
		.api_version = EXO_API_VERSION,
	};
	int fd = exo_raw_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, exo_ioc(fd, EXO_IOC_API, &api));
	EXPECT_EQ(sizeof(api), api.argsz);
	EXPECT_EQ(0U, api.flags);
	EXPECT_EQ((__u32)EXO_API_VERSION, api.api_version);
	EXPECT_EQ(0U, api.reserved);
	EXPECT_EQ(EXO_FEATURE_EVENTS | EXO_FEATURE_NETLINK,
		  api.features & (EXO_FEATURE_EVENTS | EXO_FEATURE_NETLINK));
	EXPECT_EQ(EXO_ALL_IOCTLS, api.ioctls) {
		TH_LOG("ioctls mask %#llx", (unsigned long long)api.ioctls);
	}
	EXPECT_EQ(EXO_ALL_IOCTLS_HI, api.ioctls_hi) {
		TH_LOG("ioctls_hi mask %#llx", (unsigned long long)api.ioctls_hi);
	}
	close(fd);
}

TEST_F(api, eproto_before_handshake)
{
	struct exo_env_info info = { .argsz = sizeof(info) };
	struct exo_event_raise raise = { .argsz = sizeof(raise) };
	struct exo_event ev;
	int fd = exo_raw_open_flags(O_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_ENV_INFO, &info));
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_EVENT_RAISE, &raise));
	EXPECT_EQ(-EPROTO, exo_raw_read(fd, &ev, sizeof(ev)));

	/* The same calls work once the handshake is done. */
	ASSERT_EQ(0, exo_raw_api(fd, NULL));
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_ENV_INFO, &info));
	EXPECT_NE(0U, info.env_id);
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_NOP, NULL));
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_EVENT_RAISE, &raise));
	EXPECT_EQ((ssize_t)sizeof(ev), exo_raw_read(fd, &ev, sizeof(ev)));
	EXPECT_EQ((__u32)EXO_EVENT_USER, ev.type);
	/* Empty again, and no longer EPROTO. */
	EXPECT_EQ(-EAGAIN, exo_raw_read(fd, &ev, sizeof(ev)));
	close(fd);
}

TEST_F(api, unsupported_version_writes_back_and_does_not_handshake)
{
	static const __u32 versions[] = { 0, EXO_API_VERSION + 1, 0xffffffff };
	struct exo_env_info info = { .argsz = sizeof(info) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		struct exo_api api = {
			.argsz = sizeof(api),
			.api_version = versions[i],
		};
		int fd = exo_raw_open();

		ASSERT_LE(0, fd);
		EXPECT_EQ(EPROTONOSUPPORT, exo_ioc(fd, EXO_IOC_API, &api)) {
			TH_LOG("api_version %u", versions[i]);
		}
		EXPECT_EQ((__u32)EXO_API_VERSION, api.api_version) {
			TH_LOG("api_version %u", versions[i]);
		}
		/* Still no handshake on this fd. */
		EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_ENV_INFO, &info));
		EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
		close(fd);
	}
}

TEST_F(api, handshake_repeats)
{
	struct exo_env_info before, after;
	struct exo_api api;
	int i;

	ASSERT_EQ(0, exo_raw_info(self->fd, &before));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, exo_raw_api(self->fd, &api));
		EXPECT_EQ((__u32)EXO_API_VERSION, api.api_version);
		EXPECT_EQ(EXO_ALL_IOCTLS, api.ioctls);
		EXPECT_EQ(EXO_ALL_IOCTLS_HI, api.ioctls_hi);
	}
	/* Harmless: the same environment, still usable. */
	ASSERT_EQ(0, exo_raw_info(self->fd, &after));
	EXPECT_EQ(before.env_id, after.env_id);
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NOP, NULL));
}

static const unsigned long exo_unknown_cmds[] = {
	_IO(EXO_IOC_MAGIC + 1, EXO_NR_API),		/* wrong magic */
	_IO(EXO_IOC_MAGIC + 1, EXO_NR_ENV_INFO),
	_IO('x', EXO_NR_NOP),
	_IO(EXO_IOC_MAGIC, EXO_NR_CAP_REVOKE + 1),	/* first unused NR */
	_IO(EXO_IOC_MAGIC, 0x6f),			/* past every binding */
	_IO(EXO_IOC_MAGIC, 0x7f),			/* last of ioctls_hi */
	_IO(EXO_IOC_MAGIC, 0x80),			/* past ioctls_hi */
	_IO(EXO_IOC_MAGIC, 0xff),
	/* known NRs, but encoded with a direction and a size */
	_IOWR(EXO_IOC_MAGIC, EXO_NR_ENV_INFO, struct exo_env_info),
	_IOR(EXO_IOC_MAGIC, EXO_NR_API, struct exo_api),
	_IOW(EXO_IOC_MAGIC, EXO_NR_EVENT_RAISE, struct exo_event_raise),
	_IOC(_IOC_NONE, EXO_IOC_MAGIC, EXO_NR_NOP, 8),
	_IOC(_IOC_WRITE, EXO_IOC_MAGIC, EXO_NR_NOP, 0),
	TCGETS,
	FIONREAD,
};

static void exo_check_enotty(struct __test_metadata *_metadata, int fd,
			     void *arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exo_unknown_cmds); i++) {
		memset(arg, 0, sizeof(struct exo_env_info));
		*(__u32 *)arg = sizeof(struct exo_env_info);
		EXPECT_EQ(ENOTTY, exo_ioc(fd, exo_unknown_cmds[i], arg)) {
			TH_LOG("cmd %#lx", exo_unknown_cmds[i]);
		}
	}
}

TEST_F(api, unknown_ioctls_enotty)
{
	int fd = exo_raw_open();

	ASSERT_LE(0, fd);
	/* Before the handshake ENOTTY, not EPROTO ... */
	exo_check_enotty(_metadata, fd, self->buf);
	/* ... none of them counts as the handshake ... */
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
	/* ... and after it still ENOTTY. */
	ASSERT_EQ(0, exo_raw_api(fd, NULL));
	exo_check_enotty(_metadata, fd, self->buf);
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_NOP, NULL));
	close(fd);
}

/* One argsz case over the three structs on the handshaken fd. */
static void exo_check_argsz(struct __test_metadata *_metadata, int fd,
			    unsigned char *buf, size_t bufsz, size_t extra,
			    bool dirty_tail, int want)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		const struct exo_ioc_desc *d = &exo_iocs[i];
		size_t argsz = d->size + extra;

		ASSERT_GE(bufsz, argsz);
		exo_fill_arg(buf, bufsz, d, argsz);
		if (dirty_tail)
			buf[argsz - 1] = 0x01;
		EXPECT_EQ(want, exo_ioc(fd, d->cmd, buf)) {
			TH_LOG("%s argsz %zu (size %zu)%s", d->name, argsz,
			       d->size, dirty_tail ? " non-zero tail" : "");
		}
	}
}

static void exo_check_argsz_abs(struct __test_metadata *_metadata, int fd,
				unsigned char *buf, size_t bufsz, __u32 argsz,
				int want)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		const struct exo_ioc_desc *d = &exo_iocs[i];

		exo_fill_arg(buf, bufsz, d, argsz);
		EXPECT_EQ(want, exo_ioc(fd, d->cmd, buf)) {
			TH_LOG("%s argsz %u (minsz %zu)", d->name, argsz,
			       d->minsz);
		}
	}
}

TEST_F(api, argsz_zero_einval)
{
	exo_check_argsz_abs(_metadata, self->fd, self->buf, self->bufsz, 0,
			    EINVAL);
}

TEST_F(api, argsz_short_einval)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		const struct exo_ioc_desc *d = &exo_iocs[i];
		__u32 sizes[] = { 4, 8, d->minsz - 8, d->minsz - 1 };
		size_t j;

		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			exo_fill_arg(self->buf, self->bufsz, d, sizes[j]);
			EXPECT_EQ(EINVAL, exo_ioc(self->fd, d->cmd, self->buf)) {
				TH_LOG("%s argsz %u (minsz %zu)", d->name,
				       sizes[j], d->minsz);
			}
		}
	}
}

TEST_F(api, argsz_exact_ok)
{
	exo_check_argsz(_metadata, self->fd, self->buf, self->bufsz, 0, false, 0);
}

TEST_F(api, argsz_longer_zero_tail_ok)
{
	exo_check_argsz(_metadata, self->fd, self->buf, self->bufsz, 8, false, 0);
}

TEST_F(api, argsz_longer_nonzero_tail_e2big)
{
	exo_check_argsz(_metadata, self->fd, self->buf, self->bufsz, 8, true,
			E2BIG);
	/* A non-zero byte right after the struct counts too. */
	exo_check_argsz(_metadata, self->fd, self->buf, self->bufsz, 1, true,
			E2BIG);
}

TEST_F(api, argsz_page_zero_filled_ok)
{
	exo_check_argsz_abs(_metadata, self->fd, self->buf, self->bufsz,
			    exo_page_size(), 0);
}

TEST_F(api, argsz_page_nonzero_last_byte_e2big)
{
	size_t page = exo_page_size(), i;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		exo_fill_arg(self->buf, self->bufsz, &exo_iocs[i], page);
		self->buf[page - 1] = 0x80;
		EXPECT_EQ(E2BIG, exo_ioc(self->fd, exo_iocs[i].cmd, self->buf)) {
			TH_LOG("%s", exo_iocs[i].name);
		}
	}
}

TEST_F(api, argsz_over_page_e2big)
{
	exo_check_argsz_abs(_metadata, self->fd, self->buf, self->bufsz,
			    exo_page_size() + 1, E2BIG);
	exo_check_argsz_abs(_metadata, self->fd, self->buf, self->bufsz,
			    0xffffffffu, E2BIG);
}

/* A refused EVENT_RAISE queues nothing; a refused API handshakes nothing. */
TEST_F(api, refused_argument_has_no_effect)
{
	struct exo_env_info info;
	struct exo_event_raise raise;
	struct exo_api api;
	int fd;

	memset(&raise, 0, sizeof(raise));
	raise.argsz = sizeof(raise) - 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_EVENT_RAISE, &raise));
	raise.argsz = sizeof(raise);
	raise.flags = 1;
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_EVENT_RAISE, &raise));
	exo_fill_arg(self->buf, self->bufsz, &exo_iocs[2], sizeof(raise) + 8);
	self->buf[sizeof(raise) + 7] = 1;
	EXPECT_EQ(E2BIG, exo_ioc(self->fd, EXO_IOC_EVENT_RAISE, self->buf));
	ASSERT_EQ(0, exo_raw_info(self->fd, &info));
	EXPECT_EQ(0U, info.events_posted);
	EXPECT_EQ(0U, info.events_pending);

	fd = exo_raw_open();
	ASSERT_LE(0, fd);
	memset(&api, 0, sizeof(api));
	api.argsz = sizeof(api);
	api.api_version = EXO_API_VERSION;
	api.flags = 1;
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_API, &api));
	api.flags = 0;
	api.reserved = 1;
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_API, &api));
	api.reserved = 0;
	api.argsz = EXO_API_V1_SIZE - 1;
	EXPECT_EQ(EINVAL, exo_ioc(fd, EXO_IOC_API, &api));
	/* A version-1 caller is served, and nothing past its struct is written. */
	api.argsz = EXO_API_V1_SIZE;
	api.ioctls_hi = 0x5a5a5a5a5a5a5a5aULL;
	EXPECT_EQ(0, exo_ioc(fd, EXO_IOC_API, &api));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, api.ioctls_hi);
	close(fd);
	fd = exo_raw_open();
	ASSERT_LE(0, fd);
	memset(&api, 0, sizeof(api));
	api.argsz = sizeof(api);
	api.api_version = EXO_API_VERSION;
	exo_fill_arg(self->buf, self->bufsz, &exo_iocs[0], sizeof(api) + 8);
	self->buf[sizeof(api) + 7] = 1;
	EXPECT_EQ(E2BIG, exo_ioc(fd, EXO_IOC_API, self->buf));
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
	close(fd);
}

TEST_F(api, unknown_flags_einval)
{
	static const __u32 bad_flags[] = { 1u << 0, 1u << 31, 0xffffffffu };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		for (j = 0; j < ARRAY_SIZE(bad_flags); j++) {
			exo_fill_arg(self->buf, self->bufsz, &exo_iocs[i],
				     exo_iocs[i].minsz);
			((__u32 *)self->buf)[1] = bad_flags[j];
			EXPECT_EQ(EINVAL,
				  exo_ioc(self->fd, exo_iocs[i].cmd, self->buf)) {
				TH_LOG("%s flags %#x", exo_iocs[i].name,
				       bad_flags[j]);
			}
		}
	}
}

TEST_F(api, api_reserved_einval)
{
	static const __u32 bad[] = { 1, 0x80000000u };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct exo_api api = {
			.argsz = sizeof(api),
			.api_version = EXO_API_VERSION,
			.reserved = bad[i],
		};

		EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_API, &api)) {
			TH_LOG("reserved %#x", bad[i]);
		}
	}
}

TEST_F(api, bad_pointers_efault)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		EXPECT_EQ(EFAULT, exo_ioc(self->fd, exo_iocs[i].cmd, NULL)) {
			TH_LOG("%s NULL", exo_iocs[i].name);
		}
		EXPECT_EQ(EFAULT, exo_ioc(self->fd, exo_iocs[i].cmd, (void *)1)) {
			TH_LOG("%s (void *)1", exo_iocs[i].name);
		}
	}
	/* Before the handshake too, for EXO_IOC_API. */
	{
		int fd = exo_raw_open();

		ASSERT_LE(0, fd);
		EXPECT_EQ(EFAULT, exo_ioc(fd, EXO_IOC_API, NULL));
		EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
		close(fd);
	}
}

/*
 * The argument runs off the end of a readable page into a PROT_NONE one:
 * EFAULT, whether the struct or only its claimed tail is cut off.
 */
TEST_F(api, argument_crossing_into_unmapped_page_efault)
{
	size_t page = exo_page_size(), i;
	unsigned char *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));

	for (i = 0; i < ARRAY_SIZE(exo_iocs); i++) {
		const struct exo_ioc_desc *d = &exo_iocs[i];
		/* Only argsz and flags are mapped. */
		__u32 *arg32 = (__u32 *)(map + page - 8);
		unsigned char *arg = (unsigned char *)arg32;

		arg32[0] = d->minsz;
		arg32[1] = 0;
		EXPECT_EQ(EFAULT, exo_ioc(self->fd, d->cmd, arg)) {
			TH_LOG("%s struct cut off", d->name);
		}
		/* The whole struct is mapped, the claimed tail is not. */
		arg = map + page - d->minsz;
		exo_fill_arg(arg, d->minsz, d, d->minsz + 8);
		EXPECT_EQ(EFAULT, exo_ioc(self->fd, d->cmd, arg)) {
			TH_LOG("%s tail cut off", d->name);
		}
	}
	munmap(map, 2 * page);
}

/* Results cannot be written: EFAULT, and a failed handshake does not count. */
TEST_F(api, readonly_result_efault)
{
	size_t page = exo_page_size();
	struct exo_env_info *info;
	struct exo_api *api;
	unsigned char *map;
	int fd;

	map = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	info = (struct exo_env_info *)map;
	info->argsz = sizeof(*info);
	api = (struct exo_api *)(map + 512);
	api->argsz = sizeof(*api);
	api->api_version = EXO_API_VERSION;
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));

	EXPECT_EQ(EFAULT, exo_ioc(self->fd, EXO_IOC_ENV_INFO, info));
	fd = exo_raw_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFAULT, exo_ioc(fd, EXO_IOC_API, api));
	EXPECT_EQ(EPROTO, exo_ioc(fd, EXO_IOC_NOP, NULL));
	close(fd);
	munmap(map, page);
}

TEST_F(api, nop_takes_no_argument)
{
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NOP, NULL));
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_NOP, (void *)1));
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_NOP, self->buf));
	EXPECT_EQ(EINVAL, exo_ioc(self->fd, EXO_IOC_NOP, (void *)~0UL));
	/* Still fine afterwards. */
	EXPECT_EQ(0, exo_ioc(self->fd, EXO_IOC_NOP, NULL));
}

/* The kernel writes no further than argsz, nor than its own struct. */
TEST_F(api, result_stays_within_argsz)
{
	struct exo_env_info *info = (struct exo_env_info *)self->buf;
	const size_t sz = sizeof(*info);
	struct exo_api *api;
	size_t i;

	memset(self->buf, 0xc5, self->bufsz);
	memset(info, 0, sz);
	info->argsz = sz;
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_ENV_INFO, info));
	EXPECT_NE(0U, info->env_id);
	EXPECT_EQ(sz, info->argsz);
	for (i = sz; i < sz + 256; i++) {
		EXPECT_EQ(0xc5, self->buf[i]) {
			TH_LOG("byte %zu past ENV_INFO changed", i - sz);
			break;
		}
	}

	/* A longer (zero) tail stays zero: the kernel fills only what it knows. */
	memset(self->buf, 0, self->bufsz);
	info->argsz = sz + 64;
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_ENV_INFO, info));
	EXPECT_EQ(sz + 64, info->argsz);
	for (i = sz; i < sz + 64; i++) {
		EXPECT_EQ(0, self->buf[i]) {
			TH_LOG("byte %zu of the tail changed", i - sz);
			break;
		}
	}

	memset(self->buf, 0xc5, self->bufsz);
	api = (struct exo_api *)self->buf;
	memset(api, 0, sizeof(*api));
	api->argsz = sizeof(*api);
	api->api_version = EXO_API_VERSION;
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_API, api));
	for (i = sizeof(*api); i < sizeof(*api) + 256; i++) {
		EXPECT_EQ(0xc5, self->buf[i]) {
			TH_LOG("byte %zu past API changed", i - sizeof(*api));
			break;
		}
	}
}

/* ENV_INFO ignores what the caller put in its output fields. */
TEST_F(api, env_info_outputs_ignore_input)
{
	struct exo_env_info clean, dirty;

	ASSERT_EQ(0, exo_raw_info(self->fd, &clean));
	memset(&dirty, 0xff, sizeof(dirty));
	dirty.argsz = sizeof(dirty);
	dirty.flags = 0;
	dirty.reserved = 0;
	ASSERT_EQ(0, exo_ioc(self->fd, EXO_IOC_ENV_INFO, &dirty));
	EXPECT_EQ(clean.env_id, dirty.env_id);
	EXPECT_EQ(clean.created_ns, dirty.created_ns);
	EXPECT_EQ(clean.owner_tgid, dirty.owner_tgid);
	EXPECT_EQ(clean.owner_uid, dirty.owner_uid);
	EXPECT_EQ(0U, dirty.events_posted);
	EXPECT_EQ(0U, dirty.frames);
	EXPECT_EQ(0U, dirty.blocks);
}

TEST_HARNESS_MAIN
