#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest of the debug lane (scripts/check-debug.sh puts it in
# the payload; /exo/run.sh calls it when present): asks kmemleak for a scan
# and prints what it suspects between two marker lines, which the host
# counts:
#   EXO-KMEMLEAK-BEGIN <phase>
#   ... /sys/kernel/debug/kmemleak ...
#   EXO-KMEMLEAK-END <phase> <number of unreferenced objects | unavailable>
# Usage: kmemleak.sh <phase>    (e.g. "loaded" before rmmod, with symbols
#                                for exo.ko's frames; "unloaded" after it)
phase=${1:-scan}
f=/sys/kernel/debug/kmemleak
echo "EXO-KMEMLEAK-BEGIN $phase"
# kmemleak needs two scans to be sure: an object is only reported once it is
# older than 5 s, and a pointer to it may still sit in a register or on a
# stack of a task that has just freed it during the first scan.
if ! echo scan >"$f" 2>/dev/null; then
	dmesg | grep -i kmemleak | tail -n 5
	echo "EXO-KMEMLEAK-END $phase unavailable"
	exit 0
fi
sleep 6
echo scan >"$f"
cat "$f" >/tmp/kmemleak.txt
cat /tmp/kmemleak.txt
echo "EXO-KMEMLEAK-END $phase $(grep -c '^unreferenced object' /tmp/kmemleak.txt)"
