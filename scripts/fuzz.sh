#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make fuzz`: the long reliability run. Boots a lane (the debug kernel by
# default) and runs every selftest with the fuzzer at FUZZ_CALLS calls
# (default 1,000,000) and the kill storm at ROBUST_ITERS iterations
# (default 1,000); SEED= replays a fuzzer run. Prints the figures the
# README's Reliability section quotes, and the usual totals line.
# Usage: scripts/fuzz.sh   (environment: FUZZ_LANE, FUZZ_CALLS, ROBUST_ITERS, SEED)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/progress.sh
. scripts/progress.sh
lane=${FUZZ_LANE:-debug}
calls=${FUZZ_CALLS:-1000000}
iters=${ROBUST_ITERS:-1000}
export EXO_RUN_ID=${EXO_RUN_ID:-fuzz-$$-$(date +%s)}

scripts/deps.sh
[ "$lane" = debug ] || scripts/kernels.sh "$lane"
scripts/harness.sh >/dev/null
mkdir -p build/vm
heartbeat build build/vm/build.log - make -s user || { tail -30 build/vm/build.log; exit 1; }
echo "==> exo.ko for lane $lane"
scripts/build-module.sh "$lane" >build/mod-"$lane".log 2>&1 ||
	{ tail -30 build/mod-"$lane".log; exit 1; }
dir=build/vm/payload-fuzz
scripts/payload.sh "$lane" "$dir"
{
	echo "export FUZZ_CALLS=$calls ROBUST_ITERS=$iters"
	[ -z "${SEED:-}" ] || echo "export SEED=$SEED"
} >"$dir/fuzz.env"
[ "$lane" != debug ] || cp scripts/guest/kmemleak.sh "$dir/"

echo "==> lane $lane: $calls fuzzer calls, a $iters-iteration kill storm, every selftest"
log=build/vm/fuzz-$lane.log
rc=0
run_vm "lane $lane" "$log" --lane "$lane" --payload "$dir" --modules veth --silence 900 \
	--timeout "${VM_TIMEOUT:-3600}" || rc=$?
tr -d '\r' <"$log" | grep -E '^exo-fuzz: (seed|calls)|^# robust: seed|^not ok|kmemleak' || true
reports=$(tr -d '\r' <"$log" | grep -cE 'BUG:|WARNING:|Oops|KASAN|UBSAN|kernel BUG|INFO: task .* blocked|possible circular locking|refcount_t|list_add corruption|kmemleak: .* new suspected' || true)
echo "fuzz: kernel reports in the console log: $reports"
read -r p f s < <(scripts/lane-score.sh "$lane" "$log" "$rc" "${VM_TIMEOUT:-3600}" \
	"$dir/tests.expected")
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
