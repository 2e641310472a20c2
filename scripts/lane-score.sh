#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Score a VM lane's console log, for scripts/check.sh, check-debug.sh and
# fuzz.sh alike. Prints "passed failed skipped" on stdout and what failed on
# stderr. Counted: the kselftest "# Totals:" lines; a test binary that died
# without its totals; a run that never finished; rmmod after the tests (one
# check); with <expected> (payload.sh's tests.expected, "name count" per
# test binary), one check per binary that it ran, printed its totals, and
# ran exactly as many tests as its -l listing holds (a test that did not run
# is not a pass); and vm-run.sh's own verdict (a kernel report, a timeout).
# Every skip is named on stderr, and a skip in a listed binary fails (the
# lanes' kernels have what every selftest needs; LANE_ALLOW_SKIPS=1 lets
# a lane that lacks something skip).
# Usage: scripts/lane-score.sh <lane> <log> <vm-run exit status> <timeout> [expected]
set -euo pipefail
lane=${1:?usage: scripts/lane-score.sh <lane> <log> <vm_rc> <timeout> [expected]}
log=${2:?} vm_rc=${3:?} timeout=${4:?} expected=${5:-}
[ -z "$expected" ] || [ -f "$expected" ] || { echo "lane-score: no $expected" >&2; exit 2; }

read -r p f s x < <(tr -d '\r' <"$log" | awk -v expfile="$expected" -v lane="$lane" \
	-v allow_skips="${LANE_ALLOW_SKIPS:-0}" '
	BEGIN {
		while (expfile != "" && (getline line < expfile) > 0) {
			split(line, kv, " ")
			want[kv[1]] = kv[2]
		}
	}
	/^# Totals: / {
		for (i = 3; i <= NF; i++) {
			split($i, kv, ":")
			t[kv[1]] += kv[2]
			ran[name] += kv[2]
		}
		split($4, kv, ":"); failed += kv[2]
		totals[name]++
	}
	/^ok [0-9]+ .* # SKIP/ {
		sub(/^ok [0-9]+ /, "")
		print "lane " lane ": skipped " name ": " $0 > "/dev/stderr"
		# Both lanes kernels have what every selftest needs.
		if (name in want && !allow_skips) {
			print "not ok " name ": a selftest skipped in a lane that has what it needs" > "/dev/stderr"
			n++
		}
	}
	/^EXO-TEST-BEGIN / { name = $2; failed = 0; open = 1; began[name] = 1 }
	/^EXO-TEST-END / { open = 0; if ($3 != 0 && failed == 0) { print "not ok " $2 " exited " $3 > "/dev/stderr"; n++ } }
	/^EXO-RMMOD / { rm = $2 }
	END {
		if (open) { print "not ok " name " never finished" > "/dev/stderr"; n++ }
		if (rm != "0" && rm != "unloaded-by-tests") { print "not ok rmmod exo after the tests" > "/dev/stderr"; n++ } else pass++
		for (b in want) {
			if (!(b in began))
				why = "never ran"
			else if (!totals[b])
				why = "printed no # Totals: line"
			else if (ran[b] != want[b])
				why = "ran " ran[b] " of its " want[b] " tests"
			else
				why = ""
			if (why == "") { pass++; continue }
			print "not ok " b " " why > "/dev/stderr"
			n++
		}
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
if [ "$f" != 0 ]; then
	tr -d '\r' <"$log" | grep -E '^not ok|^# +(FAIL|.*:[0-9]+:)|Expected' | head -40 >&2 || true
	# A guest that died or hung says why in its last words, not in a test;
	# after a failed test they show how the run ended.
	echo "lane $lane: the last 40 console lines:" >&2
	tr -d '\r' <"$log" | tail -n 40 | sed 's/^/  | /' >&2 || true
	echo "lane $lane: the full console log is $log" >&2
fi
echo "$p $f $s"
