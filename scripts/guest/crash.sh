#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for XN's crash test (scripts/check.sh),
# twice on the same disk image. /exo/phase says which boot this is:
#   storm   load exo.ko on /dev/vda, start `xn_crash storm` (allocations,
#           writes, frees, syncs without end) and power the guest off under
#           it with sysrq o: no clean shutdown, no final sync;
#   verify  load exo.ko on the same disk and run `xn_crash verify`: the
#           catalogues survived and the check finds the disk consistent.
# and once more, on its own (disks on loop devices in tmpfs):
#   replay  log every write and flush of a bounded storm with dm-log-writes
#           (xn_log), replay the log to every flush and to points between
#           (xn_log replay) and run `xn_crash verify` on each image; then
#           again with exo.ko's test knob xn_debug_skip_flush=2, where the
#           replay must find an inconsistent image.
phase=$(cat /exo/phase)
if [ "$phase" = replay ]; then
	steps=$(cat /exo/replay-steps)
	# replay_run <knob> <seed>: xn_log replay's status (2: no replay).
	replay_run() {
		losetup -d /dev/loop0 2>/dev/null
		losetup -d /dev/loop1 2>/dev/null
		losetup -d /dev/loop2 2>/dev/null
		rm -f /tmp/xd.img /tmp/xl.img /tmp/xr.img
		truncate -s 8M /tmp/xd.img /tmp/xr.img
		truncate -s 64M /tmp/xl.img
		losetup /dev/loop0 /tmp/xd.img && losetup /dev/loop1 /tmp/xl.img &&
			losetup /dev/loop2 /tmp/xr.img || return 2
		/exo/bin/xn_log remove xnlog 2>/dev/null
		dev=$(/exo/bin/xn_log create xnlog /dev/loop0 /dev/loop1) || return 2
		insmod /exo/exo.ko disk="$dev" pool_mb=8 xn_debug_skip_flush="$1" || return 2
		/exo/bin/xn_crash setup && /exo/bin/xn_log mark xnlog storm &&
			/exo/bin/xn_crash storm "$steps"
		rc=$?
		rmmod exo || rc=2
		/exo/bin/xn_log remove xnlog || rc=2
		[ "$rc" = 0 ] || return 2
		# With the knob one inconsistent image is enough.
		XN_LOG_FIRST=$([ "$1" = 0 ] || echo 1) \
			/exo/bin/xn_log replay /tmp/xl.img storm /tmp/xr.img 8388608 "$2" \
			sh /exo/replay-check.sh
		rc=$?
		return $rc
	}
	echo "EXO-TEST-BEGIN xn_replay"
	echo "TAP version 13"
	echo "1..2"
	seed=$(cat /exo/replay-seed)
	echo "# seed $seed, $steps storm steps"
	fail=0
	replay_run 0 "$seed"
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok 1 xn_replay.every_replayed_point_consistent"
	else
		echo "not ok 1 xn_replay.every_replayed_point_consistent # replay exit $rc"
		fail=$((fail + 1))
	fi
	replay_run 2 "$seed"
	rc=$?
	# Only a replay that ran and found an inconsistent image passes.
	if [ "$rc" = 1 ]; then
		echo "ok 2 xn_replay.skipped_stage2_flush_caught"
	else
		echo "not ok 2 xn_replay.skipped_stage2_flush_caught # replay exit $rc"
		fail=$((fail + 1))
	fi
	echo "# Totals: pass:$((2 - fail)) fail:$fail xfail:0 xpass:0 skip:0 error:0"
	echo "EXO-TEST-END xn_replay $fail"
	echo "EXO-RMMOD 0"
	exit "$fail"
fi
if ! insmod /exo/exo.ko disk=/dev/vda; then
	echo "EXO-INSMOD-FAILED"
	exit 1
fi
if [ "$phase" = storm ]; then
	/exo/bin/xn_crash storm >/tmp/storm.out 2>&1 &
	i=0
	while ! grep -q "EXO-CRASH-STORM running" /tmp/storm.out; do
		i=$((i + 1))
		if [ "$i" -gt 60 ] || ! kill -0 $! 2>/dev/null; then
			cat /tmp/storm.out
			echo "EXO-CRASH-STORM-FAILED"
			exit 1
		fi
		sleep 1
	done
	sleep 2
	# A storm whose call failed has stopped: that is a failure, not a crash.
	if ! kill -0 $! 2>/dev/null; then
		cat /tmp/storm.out
		echo "EXO-CRASH-STORM-FAILED"
		exit 1
	fi
	echo "EXO-CRASH-POWEROFF"
	echo o >/proc/sysrq-trigger
	sleep 30
	exit 1
fi
echo "EXO-TEST-BEGIN xn_crash"
/exo/bin/xn_crash verify
rc=$?
echo "EXO-TEST-END xn_crash $rc"
rmmod exo
echo "EXO-RMMOD $?"
exit $rc
