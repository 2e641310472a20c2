#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for XN's crash test (scripts/check.sh),
# twice on the same disk image. /exo/phase says which boot this is:
#   storm   load exo.ko on /dev/vda, start `xn_crash storm` (allocations,
#           writes, frees, syncs without end) and power the guest off under
#           it with sysrq o: no clean shutdown, no final sync;
#   verify  load exo.ko on the same disk and run `xn_crash verify`: the
#           catalogues survived and the check finds the disk consistent.
phase=$(cat /exo/phase)
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
