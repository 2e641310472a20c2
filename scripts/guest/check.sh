#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for `make check`: loads exo.ko, runs
# every selftest in the order of /exo/tests.list, then unloads the module.
# The host reads the EXO-* marker lines and the harness's "# Totals:" lines.
export EXO_KO=/exo/exo.ko
# make fuzz raises the budgets of the fuzzer and the kill storm here.
[ ! -f /exo/fuzz.env ] || . /exo/fuzz.env
# One memory cgroup kept for the whole run. The first memory cgroup made
# and the last one removed flip a static key, which patches kernel text,
# and under TCG another vCPU can still run the patch's int3 ("Oops: int3"
# in mem_cgroup_sk_alloc was seen when a test made its group). With this
# one held, the tests' own groups patch nothing.
if [ -d /sys/fs/cgroup ]; then
	[ -f /sys/fs/cgroup/cgroup.controllers ] ||
		mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	mkdir -p /sys/fs/cgroup/exo-keep 2>/dev/null
fi
if ! insmod /exo/exo.ko; then
	echo "EXO-INSMOD-FAILED"
	exit 1
fi
rc=0
# Whole seconds of uptime: each EXO-TEST-END line ends with its binary's
# time, and the host prints a lane's slowest binaries from them.
now() { cut -d. -f1 /proc/uptime; }
samples="hello pages demand slots stride udp_echo ash_echo ring_tap xnfs exofs"
# Seeds that once failed, replayed every run so that the bug they found
# stays found: EXO_IOC_API judged bytes past argsz (the first two);
# XN_ROOT_INSTALL's EPERM for an owns() born non-empty (third);
# NET_ASH_SET's removal succeeding on a read-only argument (fourth).
replays="261310956883517:1.30:536 191368061371951:0.5:11 263651338165051:0.0:160 144509327815304:2.46:141"
# How many binaries run, for the host's progress lines.
set -- $samples
count=$(($# + $(wc -l </exo/tests.list)))
[ ! -x /exo/bin/exo-fuzz ] || { set -- $replays; count=$((count + 1 + $#)); }
echo "EXO-TESTS $count"
# The samples are what a newcomer runs first: each must succeed too.
for sample in $samples; do
	echo "EXO-TEST-BEGIN sample-$sample"
	t0=$(now)
	src=0
	if [ -x /exo/bin/$sample ]; then
		/exo/bin/$sample >/tmp/$sample.out 2>&1 || src=$?
	else
		echo "not in the payload" >/tmp/$sample.out
		src=127
	fi
	# This VM has two CPUs and exo manages one: "nothing to show" is a
	# sample that did not run, not a pass.
	if [ "$src" = 0 ] && grep -q 'manages no CPU' /tmp/$sample.out; then
		src=77
	fi
	if [ "$src" = 0 ]; then
		echo "ok 1 samples.$sample"
		echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
		echo "EXO-TEST-END sample-$sample 0 $(($(now) - t0))s"
	else
		sed 's/^/# /' /tmp/$sample.out
		echo "not ok 1 samples.$sample"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		echo "EXO-TEST-END sample-$sample $src $(($(now) - t0))s"
		rc=1
	fi
done
# The ioctl fuzzer (FUZZ_CALLS calls, 50,000 by default) before the tests,
# whose last one unloads and reloads the module.
if [ -x /exo/bin/exo-fuzz ]; then
	echo "EXO-TEST-BEGIN exo-fuzz"
	t0=$(now)
	/exo/bin/exo-fuzz
	trc=$?
	echo "EXO-TEST-END exo-fuzz $trc $(($(now) - t0))s"
	[ "$trc" -eq 0 ] || rc=1
	for seed in $replays; do
		set -- $(echo "$seed" | tr : ' ')
		echo "EXO-TEST-BEGIN exo-fuzz-replay-$1"
		t0=$(now)
		/exo/bin/exo-fuzz -s "$1" -R "$2" -n "$3"
		trc=$?
		echo "EXO-TEST-END exo-fuzz-replay-$1 $trc $(($(now) - t0))s"
		[ "$trc" -eq 0 ] || rc=1
	done
fi
for name in $(cat /exo/tests.list); do
	echo "EXO-TEST-BEGIN $name"
	t0=$(now)
	/exo/tests/"$name"
	trc=$?
	echo "EXO-TEST-END $name $trc $(($(now) - t0))s"
	[ "$trc" -eq 0 ] || rc=1
done
# The debug lane (scripts/check-debug.sh) adds kmemleak.sh to the payload.
[ ! -f /exo/kmemleak.sh ] || sh /exo/kmemleak.sh loaded
if grep -q '^exo ' /proc/modules; then
	rmmod exo
	echo "EXO-RMMOD $?"
else
	echo "EXO-RMMOD unloaded-by-tests"
fi
[ ! -f /exo/kmemleak.sh ] || sh /exo/kmemleak.sh unloaded
exit $rc
