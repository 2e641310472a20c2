# SPDX-License-Identifier: GPL-2.0
#
# exo: the top-level build. `make help` lists the targets.
#
# KDIR picks the kernel build tree for exo.ko. Left empty, it is the Debian
# 6.12 headers that scripts/kernels.sh unpacks under build/, so nothing
# depends on the running kernel; `make KDIR=/lib/modules/$(uname -r)/build`
# builds for the machine you are on.

KDIR ?=
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

B := build
LIBEXO_VERSION := 0.1.0
LIBEXO_SONAME := libexo.so.0

NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
HARNESS_DIR = $(B)/ksrc/tools/testing/selftests
# The kselftest harness itself is not -Wextra clean.
HARNESS_CFLAGS := -Wno-missing-prototypes -Wno-sign-compare -Wno-unused-parameter

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
USER_CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE $(WARN) -Iuapi -Ilibexo/include $(CFLAGS)

LIB_SRCS := libexo/exo.c libexo/monitor.c libexo/mem.c libexo/cpu.c \
	libexo/net.c libexo/udf.c libexo/ash.c libexo/xn.c libexo/exofs.c libexo/ring.c
# The parts of libexo that make no system call, linked into host tests too.
HOST_LIB_SRCS := libexo/udf.c libexo/ash.c
LIB_HDRS := libexo/include/exo/exo.h libexo/internal.h uapi/linux/exo.h
CORE_SRCS := $(wildcard module/core/*.c)
CORE_HDRS := $(wildcard module/core/*.h)
SELFTESTS := $(patsubst selftests/%.c,$(B)/selftests/%,$(wildcard selftests/*_test.c))
HOSTTESTS := $(patsubst selftests/host/%.c,$(B)/host/%,$(wildcard selftests/host/*_test.c))
SAMPLES := $(patsubst samples/%.c,$(B)/samples/%,$(wildcard samples/*.c))
EXOCTL_SRCS := $(wildcard tools/exoctl/*.c)
# Test helpers; veth.h is a header-only lab the samples and selftests share.
TEST_HDRS := $(wildcard selftests/*.h) libexo/veth.h
FUZZ_SRCS := $(wildcard selftests/fuzz/*.c)
FUZZ_HDRS := $(wildcard selftests/fuzz/*.h)
FUZZ_HOST := $(patsubst selftests/host/%.c,$(B)/fuzz-host/%,$(wildcard selftests/host/fuzz_*.c))
FUZZ_SECONDS ?= 60

.PHONY: all module user lib selftests samples tools hosttests fuzz-host fuzz check check-debug \
	demo bench bench-host \
	lint install install-lib install-tools install-module install-dkms-source deb \
	dkms-install dkms-uninstall load unload clean help
.DELETE_ON_ERROR:

all: module user

user: lib selftests samples tools hosttests $(B)/fuzz/exo-fuzz $(B)/selftests/xn_crash \
	$(B)/selftests/xn_log

help:
	@echo 'make            build exo.ko (against KDIR) and libexo, samples, tests'
	@echo 'make check      host tests, lint, then every selftest in the 6.12 and 6.1 VMs'
	@echo 'make demo       boot the 6.12 VM, load exo.ko and run samples/hello'
	@echo 'make bench      exo-bench in the 6.12 VM and the classifier on the host; writes'
	@echo '                build/bench/ (table.md, rows.png, classifier.png); BENCH_QUICK=1'
	@echo '                is a smoke run, BENCH_ROWS="a b" runs only those rows'
	@echo 'make bench-host the packet classifier (vs libpcap cBPF) and the UDF'
	@echo '                interpreter (vs native code), on this machine'
	@echo 'make load       insmod module/exo.ko on this machine (root)'
	@echo 'make unload     rmmod exo on this machine (root)'
	@echo 'make install    headers, libraries, libexo.pc, the tools and exo.ko (PREFIX, DESTDIR)'
	@echo 'make deb        exo-dkms, libexo0, libexo-dev and exo-tools .debs in build/deb/'
	@echo 'make dkms-install  exo.ko under DKMS, rebuilt for every kernel installed (root);'
	@echo '                make dkms-uninstall takes it out again'
	@echo 'make lint       W=1 and sparse builds on both header sets, checkpatch --strict'
	@echo 'make check-debug  every selftest in a KASAN/lockdep/kmemleak kernel built from linux-source'
	@echo 'make fuzz       1,000,000 fuzzer calls and a 1,000-kill storm in the debug VM'
	@echo 'make fuzz-host  libFuzzer targets of module/core, FUZZ_SECONDS each (default 60)'
	@echo ''
	@echo 'EXO_ACCEL=auto|kvm|tcg  the VMs'"'"' accelerator: auto (default) boots a probe'
	@echo '                guest under KVM once per run and falls back to TCG if it fails'

# ---- the module ---------------------------------------------------------

module:
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=$$(scripts/kdir.sh 6.12) || exit 1; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) W=1 modules

# ---- libexo ---------------------------------------------------------------

lib: $(B)/lib/libexo.a $(B)/lib/$(LIBEXO_SONAME)

$(B)/lib/pic/%.o: libexo/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(B)/lib/static/%.o: libexo/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -fvisibility=hidden -c $< -o $@

$(B)/lib/libexo.a: $(patsubst libexo/%.c,$(B)/lib/static/%.o,$(LIB_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/lib/libexo.so.$(LIBEXO_VERSION): $(patsubst libexo/%.c,$(B)/lib/pic/%.o,$(LIB_SRCS)) libexo/libexo.map
	$(CC) -shared -Wl,-soname,$(LIBEXO_SONAME) -Wl,--version-script=libexo/libexo.map \
		-Wl,-z,defs -o $@ $(filter %.o,$^) $(NL_LIBS)

$(B)/lib/$(LIBEXO_SONAME): $(B)/lib/libexo.so.$(LIBEXO_VERSION)
	ln -sf libexo.so.$(LIBEXO_VERSION) $@
	ln -sf $(LIBEXO_SONAME) $(B)/lib/libexo.so

# ---- samples and selftests (static libexo, shared libnl and libc) --------

$(HARNESS_DIR)/kselftest_harness.h:
	scripts/harness.sh >/dev/null

selftests: $(SELFTESTS)
samples: $(SAMPLES)

$(B)/selftests/%: selftests/%.c $(TEST_HDRS) $(B)/lib/libexo.a $(HARNESS_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(HARNESS_CFLAGS) -I$(HARNESS_DIR) $(NL_CFLAGS) $< $(TEST_CORE_SRCS) -o $@ \
		$(B)/lib/libexo.a $(NL_LIBS) -lpthread

# xn_test writes corrupted images with XN's own encoder and checksum.
XN_IMAGE_SRCS := module/core/xn_image.c module/core/udf.c
$(B)/selftests/xn_test: TEST_CORE_SRCS := $(XN_IMAGE_SRCS)
$(B)/selftests/xn_test: $(XN_IMAGE_SRCS) $(CORE_HDRS)

# XN's crash test: a program of two phases, not a kselftest binary.
$(B)/selftests/xn_crash: selftests/xn_crash.c $(B)/lib/libexo.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $< -o $@ $(B)/lib/libexo.a $(NL_LIBS) -lpthread

# Its log half: dm-log-writes set-up and the replay (no libexo).
$(B)/selftests/xn_log: selftests/xn_log.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< -o $@

$(B)/samples/%: samples/%.c libexo/veth.h $(B)/lib/libexo.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $< -o $@ $(B)/lib/libexo.a $(NL_LIBS) -lpthread

# ---- tools --------------------------------------------------------------

tools: $(B)/tools/exoctl

$(B)/tools/exoctl: $(EXOCTL_SRCS) tools/exoctl/exoctl.h $(B)/lib/libexo.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(EXOCTL_SRCS) -o $@ $(B)/lib/libexo.a $(NL_LIBS)

# The in-VM ioctl fuzzer: raw syscalls only, table-driven per binding.
$(B)/fuzz/exo-fuzz: $(FUZZ_SRCS) $(FUZZ_HDRS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(FUZZ_SRCS) -o $@

# ---- host tests of module/core -------------------------------------------

hosttests: $(HOSTTESTS)

$(B)/host/%: selftests/host/%.c $(CORE_SRCS) $(CORE_HDRS) $(HOST_LIB_SRCS) $(LIB_HDRS) $(HARNESS_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(HARNESS_CFLAGS) -fsanitize=address,undefined \
		-fno-sanitize-recover=all -I$(HARNESS_DIR) $< $(CORE_SRCS) $(HOST_LIB_SRCS) -o $@

# ---- libFuzzer targets of module/core (clang, ASan, UBSan) ---------------

$(B)/fuzz-host/%: selftests/host/%.c $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	clang -g -O1 -Wall -Wextra -Werror -Iuapi \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$< $(CORE_SRCS) -o $@

# Host-native speed of the UDF interpreter against native code (no test).
$(B)/host/udf_bench: selftests/host/udf_bench.c $(CORE_SRCS) $(CORE_HDRS) $(HOST_LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $< $(CORE_SRCS) $(HOST_LIB_SRCS) -o $@

fuzz-host: $(FUZZ_HOST)
	@scripts/fuzz-host.sh $(FUZZ_SECONDS)

# ---- native benchmark of the packet classifier (libpcap for the peer) -----

# bench_ebpf.c, its eBPF peer, cannot share a file with libpcap's headers.
$(B)/bench-host/bench_filter: selftests/host/bench_filter.c selftests/host/bench_ebpf.c \
		selftests/host/bench_ebpf.h $(CORE_SRCS) $(CORE_HDRS)
	@scripts/deps.sh libpcap-dev >/dev/null
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 $(WARN) -Iuapi $< selftests/host/bench_ebpf.c $(CORE_SRCS) -o $@ -lpcap

bench-host: $(B)/bench-host/bench_filter $(B)/host/udf_bench
	@$(B)/bench-host/bench_filter
	@$(B)/host/udf_bench

# ---- the VM lanes and lint -----------------------------------------------

check:
	@scripts/check.sh

lint:
	@scripts/lint.sh

fuzz:
	@scripts/fuzz.sh

check-debug:
	@scripts/check-debug.sh

demo:
	@scripts/demo.sh demo

bench:
	@scripts/bench.sh

# ---- a real machine ------------------------------------------------------

load: module
	insmod module/exo.ko

unload:
	rmmod exo

# make install is its parts, and make deb packages the same parts staged
# under a DESTDIR, so no file is listed twice.
install: install-lib install-tools install-module

install-lib: lib
	install -d $(DESTDIR)$(INCLUDEDIR)/exo $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 libexo/include/exo/exo.h $(DESTDIR)$(INCLUDEDIR)/exo/
	install -m 644 uapi/linux/exo.h $(DESTDIR)$(INCLUDEDIR)/linux/
	install -m 644 $(B)/lib/libexo.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/lib/libexo.so.$(LIBEXO_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libexo.so.$(LIBEXO_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBEXO_SONAME)
	ln -sf $(LIBEXO_SONAME) $(DESTDIR)$(LIBDIR)/libexo.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIBEXO_VERSION)|' \
		libexo/libexo.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libexo.pc

# The user tools: exo-bench, and each tools/<name>/ built as build/tools/<name>,
# with the man pages (tools/*/*.[1-8]) and bash completions
# (tools/*/<name>.bash) found next to its sources.
TOOL_BINS := $(patsubst tools/%/,$(B)/tools/%,$(wildcard tools/*/))
TOOL_MANS := $(wildcard tools/*/*.[1-8])
TOOL_COMPLETIONS := $(wildcard tools/*/*.bash)

install-tools: $(B)/samples/exo-bench $(TOOL_BINS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $^ $(DESTDIR)$(BINDIR)/
	@set -e; for page in $(TOOL_MANS); do \
		sect=$${page##*.}; \
		echo "install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$sect/"; \
		install -d $(DESTDIR)$(MANDIR)/man$$sect; \
		install -m 644 $$page $(DESTDIR)$(MANDIR)/man$$sect/; \
	done
	@set -e; for comp in $(TOOL_COMPLETIONS); do \
		name=$${comp##*/}; name=$${name%.bash}; \
		echo "install -m 644 $$comp $(DESTDIR)$(BASHCOMPDIR)/$$name"; \
		install -d $(DESTDIR)$(BASHCOMPDIR); \
		install -m 644 $$comp $(DESTDIR)$(BASHCOMPDIR)/$$name; \
	done

install-module:
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || kdir=/lib/modules/$$(uname -r)/build; \
	if [ -f module/exo.ko ]; then \
		$(MAKE) -C "$$kdir" M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install && \
		{ [ -n "$(DESTDIR)" ] || depmod -a; }; \
	else echo "install: module/exo.ko not built; run 'make' first to install it too"; fi

# DKMS keeps its own copy of the sources in /usr/src/exo-<version> and
# builds and installs exo.ko for the running kernel now and for each kernel
# installed later (headers needed: linux-headers-$$(uname -r) on Debian).
DKMS_SRC := /usr/src/exo-$(LIBEXO_VERSION)

# The module's sources as DKMS takes them, with dkms.conf.
install-dkms-source:
	scripts/module-sources.sh $(DESTDIR)$(DKMS_SRC)
	install -m 644 dkms.conf $(DESTDIR)$(DKMS_SRC)/

dkms-install:
	@command -v dkms >/dev/null || { echo 'dkms-install: no dkms (apt-get install dkms)'; exit 1; }
	-dkms remove -m exo -v $(LIBEXO_VERSION) --all >/dev/null 2>&1
	$(MAKE) install-dkms-source DESTDIR=
	dkms add -m exo -v $(LIBEXO_VERSION)
	dkms install -m exo -v $(LIBEXO_VERSION)

dkms-uninstall:
	-dkms remove -m exo -v $(LIBEXO_VERSION) --all
	rm -rf $(DKMS_SRC)

# ---- Debian packages --------------------------------------------------------

# exo-dkms, libexo0, libexo-dev and exo-tools, staged by the install targets
# above with PREFIX=/usr (scripts/deb.sh; scripts/deb-check.sh checks them).
deb: lib $(B)/samples/exo-bench $(TOOL_BINS)
	@scripts/deb.sh

# Not kbuild's M= clean: it would sweep build/kernels' stock modules too.
clean:
	find module \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name modules.order \) -delete
	rm -f .*.cmd modules.order Module.symvers
	rm -rf $(B)/lib $(B)/selftests $(B)/samples $(B)/tools $(B)/host $(B)/fuzz-host $(B)/fuzz \
		$(B)/bench-host $(B)/deb \
		$(B)/mod $(B)/vm
