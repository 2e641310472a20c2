#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Follow a VM's console log while it boots and runs, for make check and
# make fuzz: one line per test binary as the guest starts it,
# "==> lane 6.12: test 12/40 cpu_test" (the guest announces the count with
# EXO-TESTS), and when nothing was said for PROGRESS_EVERY seconds (default
# 30) a line with the time so far, the binary running and the fuzzer's
# last tenth mark. Quiet otherwise: a test's own output stays in the log.
# Runs in the background until killed (TERM), or until <pid>, the script
# that started it, is gone.
# Usage: scripts/lane-progress.sh <label> <log> <pid>
set -euo pipefail
label=${1:?usage: scripts/lane-progress.sh <label> <log> <pid>}
log=${2:?} pid=${3:?}
every=${PROGRESS_EVERY:-30}
start=$SECONDS next=$((SECONDS + every))
total='' n=0 current='' fuzz='' pending=''

elapsed() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }

exec 3< <(tail -n +1 -F --pid="$pid" "$log" 2>/dev/null)
tail_pid=$!
trap 'kill "$tail_pid" 2>/dev/null || true' EXIT
trap 'exit 0' TERM
while :; do
	rc=0
	IFS= read -r -t 1 -u 3 line || rc=$?
	if ((rc == 0)); then
		line=$pending${line%$'\r'} pending=''
		case $line in
		'EXO-TESTS '*) total=${line#EXO-TESTS } ;;
		'EXO-TEST-BEGIN '*)
			n=$((n + 1)) current=${line#EXO-TEST-BEGIN } fuzz=''
			echo "==> $label: test $n${total:+/$total} $current"
			next=$((SECONDS + every))
			;;
		'exo-fuzz: '[0-9]*/*' calls'*)
			fuzz=${line#exo-fuzz: }
			fuzz=${fuzz%% calls*}
			;;
		esac
	elif ((rc > 128)); then
		pending+=$line	# a time-out keeps what it read of a line
	else
		break	# tail ended: <pid> is gone
	fi
	if ((SECONDS >= next)); then
		echo "==> $label: $(elapsed)${current:+ in $current}${fuzz:+ ($fuzz calls)}"
		next=$((SECONDS + every))
	fi
done
