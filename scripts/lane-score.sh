#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Score a VM lane's console log, for scripts/check.sh, check-debug.sh and
# fuzz.sh alike. Prints "passed failed skipped" on stdout and what failed on
# stderr. Counted: the kselftest "# Totals:" lines; a test binary that died
# without its totals; a run that never finished; rmmod after the tests (one
# check); and vm-run.sh's own verdict (a kernel report, a timeout).
# Usage: scripts/lane-score.sh <lane> <log> <vm-run exit status> <timeout>
set -euo pipefail
lane=${1:?usage: scripts/lane-score.sh <lane> <log> <vm_rc> <timeout>}
log=${2:?} vm_rc=${3:?} timeout=${4:?}

read -r p f s x < <(tr -d '\r' <"$log" | awk '
	/^# Totals: / {
		for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] += kv[2] }
		split($4, kv, ":"); failed += kv[2]
	}
	/^EXO-TEST-BEGIN / { name = $2; failed = 0; open = 1 }
	/^EXO-TEST-END / { open = 0; if ($3 != 0 && failed == 0) { print "not ok " $2 " exited " $3 > "/dev/stderr"; n++ } }
	/^EXO-RMMOD / { rm = $2 }
	END {
		if (open) { print "not ok " name " never finished" > "/dev/stderr"; n++ }
		if (rm != "0" && rm != "unloaded-by-tests") { print "not ok rmmod exo after the tests" > "/dev/stderr"; n++ } else pass++
		print t["pass"] + t["xfail"] + pass, t["fail"] + t["error"] + t["xpass"] + n, t["skip"] + 0, 0
	}')
if [ "$vm_rc" != 0 ]; then
	case $vm_rc in
	3) echo "lane $lane: kernel reports in the console log, failing the lane" >&2 ;;
	123) echo "lane $lane: the guest was dead and was killed (see vm-run's message above and $log)" >&2 ;;
	124) echo "lane $lane: the VM timed out after ${timeout}s" >&2 ;;
	*) echo "lane $lane: the guest exited $vm_rc" >&2 ;;
	esac
	# Exit 1 is a failed test, already counted.
	[ "$vm_rc" = 1 ] || f=$((f + 1))
fi
[ "$f" = 0 ] || tr -d '\r' <"$log" | grep -E '^not ok|^# +(FAIL|.*:[0-9]+:)|Expected' | head -40 >&2 || true
echo "$p $f $s"
