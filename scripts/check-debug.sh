#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel lane: build exo.ko against the debug kernel of
# scripts/debug-kernel.sh (KASAN, lockdep, kmemleak, UBSAN, KFENCE,
# DEBUG_LIST, DEBUG_OBJECTS), boot it and run every selftest, then ask
# kmemleak for leaks with exo.ko loaded and again after rmmod. Prints
# "lane debug: N passed, N failed, N skipped" and ends with the plain line
# "N passed, N failed, N skipped". Exits non-zero on any failed test, any
# kernel report in the console log (vm-run.sh) or any object kmemleak
# suspects. The first run builds the kernel (about 13 min on 2 cores); later
# runs take it from /var/cache/exo/debug-kernel.
# Environment: VM_TIMEOUT bounds the boot (default 2400 s: KASAN and lockdep
# under TCG are slow); DEBUG_FUZZ_CALLS sets the fuzzer's calls (200,000).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/progress.sh
. scripts/progress.sh
VM_TIMEOUT=${VM_TIMEOUT:-2400}
export EXO_RUN_ID=${EXO_RUN_ID:-check-debug-$$-$(date +%s)}
# A host thread per vCPU here: the debug kernel has no CONFIG_JUMP_LABEL,
# so no static key patches its text (vm-run.sh's reason for one thread),
# and under KASAN one thread made the fuzzer's timing-judged cpu-escape
# rows overrun their turns (2 of 2,082,109 checks in one run).
export EXO_TCG_THREAD=${EXO_TCG_THREAD:-multi}
lane=debug
log=build/vm/$lane.log
payload=build/vm/payload-$lane

p=0 f=0 s=0
summary() {
	echo "lane $lane: $p passed, $f failed, $s skipped"
	echo "$p passed, $f failed, $s skipped"
}
early_exit() {
	local rc=$?
	[ "$rc" = 0 ] && return
	f=$((f + 1))
	echo "check-debug: stopped early (exit $rc)"
	summary
}
trap early_exit EXIT

echo "==> dependencies, the debug kernel and the kselftest harness"
scripts/deps.sh
scripts/debug-kernel.sh
scripts/harness.sh >/dev/null

echo "==> build exo.ko against the debug kernel, libexo, samples, selftests"
mkdir -p build/vm
if ! scripts/build-module.sh "$lane" >"build/vm/$lane-module.log" 2>&1; then
	tail -n 30 "build/vm/$lane-module.log"
	echo "lane $lane: exo.ko did not build (see build/vm/$lane-module.log)"
	exit 1
fi
heartbeat build build/vm/build.log - make -s user || { tail -30 build/vm/build.log; exit 1; }
scripts/payload.sh "$lane" "$payload"
cp scripts/guest/kmemleak.sh "$payload/"
# The fuzzer's run here is four times make check's: KASAN and lockdep see
# what the stock lanes cannot, and 200,000 calls fit CI's budget.
echo "export FUZZ_CALLS=${DEBUG_FUZZ_CALLS:-200000}" >"$payload/fuzz.env"

echo "==> lane $lane: boot and run the selftests (KASAN under TCG: several minutes)"
start=$SECONDS
vm_rc=0
run_vm "lane $lane" "$log" --lane "$lane" --payload "$payload" --modules veth \
	--silence 900 --timeout "$VM_TIMEOUT" || vm_rc=$?
read -r p f s < <(scripts/lane-score.sh "$lane" "$log" "$vm_rc" "$VM_TIMEOUT" \
	"$payload/tests.expected")

# kmemleak: both scans (exo.ko loaded, then unloaded) must have run and
# found nothing. One check.
leaks=$(tr -d '\r' <"$log" | awk '
	/^EXO-KMEMLEAK-END / { n++; if ($3 == "unavailable") bad = bad " " $2 ":unavailable"; else if ($3 != 0) bad = bad " " $2 ":" $3 }
	END { if (n < 2) bad = bad " only " n + 0 " of 2 scans ran"; print bad }')
if [ -z "$leaks" ]; then
	p=$((p + 1))
else
	f=$((f + 1))
	echo "not ok kmemleak:$leaks"
	tr -d '\r' <"$log" | sed -n '/^EXO-KMEMLEAK-BEGIN /,/^EXO-KMEMLEAK-END /p' | head -80
fi

echo "==> lane $lane: $((SECONDS - start)) s in the VM (log $log)"

trap - EXIT
summary
[ "$f" = 0 ]
