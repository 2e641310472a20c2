#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every libFuzzer target of module/core (build/fuzz-host/fuzz_*) for a
# bounded time each, starting from its seed corpus in
# selftests/host/corpus/<target>/. A target is a selftests/host/fuzz_*.c file
# plus that corpus directory; nothing else registers it.
# Usage: scripts/fuzz-host.sh <seconds per target>
# Prints TAP-style lines and a "# Totals:" line; exits 1 if any target fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
seconds=${1:?usage: scripts/fuzz-host.sh <seconds per target>}

# The targets run side by side, one per CPU: each is single-threaded, and
# their time adds up to a minute or more of make check otherwise.
jobs=$(nproc 2>/dev/null || echo 1)
bins=()
rm -f build/fuzz-host/*.rc
for bin in build/fuzz-host/fuzz_*; do
	[ -x "$bin" ] || continue
	bins+=("$bin")
	name=$(basename "$bin")
	mkdir -p "build/fuzz-host/work/$name" build/fuzz-host/crashes
	while (($(jobs -rp | wc -l) >= jobs)); do
		wait -n || true
	done
	(
		rc=0
		"$bin" -max_total_time="$seconds" -print_final_stats=1 \
			-artifact_prefix="build/fuzz-host/crashes/$name-" \
			"build/fuzz-host/work/$name" "selftests/host/corpus/$name" \
			>"build/fuzz-host/$name.log" 2>&1 || rc=$?
		echo "$rc" >"build/fuzz-host/$name.rc"
	) &
done
wait

pass=0 fail=0 n=0
for bin in "${bins[@]}"; do
	name=$(basename "$bin")
	short=${name#fuzz_}
	n=$((n + 1))
	log="build/fuzz-host/$name.log"
	if [ "$(cat "build/fuzz-host/$name.rc" 2>/dev/null)" = 0 ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		pass=$((pass + 1))
		echo "ok $n fuzz.$short (${runs:-?} inputs in ${seconds}s)"
	else
		fail=$((fail + 1))
		echo "not ok $n fuzz.$short"
		grep -E '^fuzz_|ERROR|SUMMARY|Test unit written' "$log" | head -10 | sed 's/^/#   /'
		echo "#   replay: $bin build/fuzz-host/crashes/$name-*"
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
