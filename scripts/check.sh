#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: build everything, run the host tests and lint, then boot each
# VM lane and run every selftest in it. Prints a line per part and ends with
# one plain total line, "N passed, N failed, N skipped". Exits non-zero on any
# failure, including a kernel report in a guest's console log.
# Environment: LANES="6.12 6.1" picks the lanes; VM_TIMEOUT bounds each boot;
# CHECK_FUZZ_SECONDS is each host fuzzer's time (default 20); TESTS="a_test
# b_test" runs only those selftests in the lanes (a development shortcut);
# EXO_ACCEL=auto|kvm|tcg is vm-run.sh's accelerator choice (auto probes KVM
# once per run); CHECK_BENCH=0 leaves out the bench smoke, CHECK_CRASH=0
# XN's crash and replay boots (development shortcuts; CI sets neither).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/progress.sh
. scripts/progress.sh
# One run, one KVM probe: vm-run.sh keeps its verdict under this id.
export EXO_RUN_ID=${EXO_RUN_ID:-check-$$-$(date +%s)}
LANES=${LANES:-"6.12 6.1"}
VM_TIMEOUT=${VM_TIMEOUT:-900}

total_pass=0 total_fail=0 total_skip=0
summary() {
	echo "$total_pass passed, $total_fail failed, $total_skip skipped"
}
trap 'rc=$?; [ $rc = 0 ] || { total_fail=$((total_fail + 1)); echo "check: stopped early (exit $rc)"; summary; }' EXIT

add() {	# add <part> <pass> <fail> <skip>
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	total_skip=$((total_skip + $4))
	echo "$1: $2 passed, $3 failed, $4 skipped"
}

# Sum the kselftest "# Totals:" lines of a log: prints "pass fail skip".
tally() {
	tr -d '\r' <"$1" | awk '
		/^# Totals: / { for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] += kv[2] } }
		END { print t["pass"] + t["xfail"] + 0, t["fail"] + t["error"] + t["xpass"] + 0, t["skip"] + 0 }'
}

echo "==> dependencies, kernels and the kselftest harness"
scripts/deps.sh
for lane in $LANES; do scripts/kernels.sh "$lane"; done
scripts/harness.sh >/dev/null

mkdir -p build/vm
echo "==> build libexo, samples, selftests, host tests"
heartbeat build build/vm/build.log - make -s user || { tail -30 build/vm/build.log; exit 1; }
echo "==> host tests of module/core"
: >build/vm/host.log
host_died=0
for t in build/host/*_test; do
	# A binary that fails without a failed test (a crash, a sanitizer) counts.
	rc=0
	"$t" >>build/vm/host.log 2>&1 || rc=$?
	if [ "$rc" != 0 ] && ! tail -1 build/vm/host.log | grep -q '^# Totals: .* fail:[1-9]'; then
		echo "host: ${t##*/} exited $rc"
		host_died=$((host_died + 1))
	fi
done
read -r p f s < <(tally build/vm/host.log)
f=$((f + host_died))
[ "$f" = 0 ] || grep -E '^not ok|^# ' build/vm/host.log | grep -v '^#  *RUN\|OK ' | head -30
add host "$p" "$f" "$s"

echo "==> host fuzzers of module/core, ${CHECK_FUZZ_SECONDS:=20}s each"
heartbeat fuzz-host build/vm/fuzz-host.log "tap_status build/vm/fuzz-host.log" \
	make -s fuzz-host FUZZ_SECONDS="$CHECK_FUZZ_SECONDS" || true
read -r p f s < <(tally build/vm/fuzz-host.log)
[ "$f" = 0 ] && [ "$p" != 0 ] || { cat build/vm/fuzz-host.log | tail -20; [ "$p" != 0 ] || f=$((f + 1)); }
add fuzz-host "$p" "$f" "$s"

echo "==> lint: W=1 and sparse module builds, checkpatch --strict, libexo exports"
heartbeat lint build/vm/lint.log "tap_status build/vm/lint.log" scripts/lint.sh $LANES || true
read -r p f s < <(tally build/vm/lint.log)
# No totals at all is a lint that did not run.
[ "$p" != 0 ] || [ "$f" != 0 ] || { tail -20 build/vm/lint.log; f=1; }
[ "$f" = 0 ] || grep -A40 '^not ok' build/vm/lint.log | head -60
add lint "$p" "$f" "$s"

echo "==> DKMS: dkms build of exo.ko against each lane's headers"
heartbeat dkms build/vm/dkms.log "tap_status build/vm/dkms.log" scripts/dkms-check.sh $LANES || true
read -r p f s < <(tally build/vm/dkms.log)
[ "$f" = 0 ] && [ "$p" != 0 ] || { grep -A22 '^not ok' build/vm/dkms.log | head -60; [ "$p" != 0 ] || f=$((f + 1)); }
add dkms "$p" "$f" "$s"

echo "==> packages: make deb, unpacked into an empty root and checked"
heartbeat deb build/vm/deb.log "tap_status build/vm/deb.log" scripts/deb-check.sh || true
read -r p f s < <(tally build/vm/deb.log)
if [ "$f" != 0 ] || [ "$p" = 0 ]; then
	grep -A8 '^not ok' build/vm/deb.log | head -60
	[ "$p" != 0 ] || f=$((f + 1))
fi
add deb "$p" "$f" "$s"

echo "==> the VM lane's own tests: accelerator choice (fake QEMU), scoring"
heartbeat vm-run build/vm/vm-run-test.log "tap_status build/vm/vm-run-test.log" \
	bash selftests/lane/vm_run_test.sh || true
read -r p f s < <(tally build/vm/vm-run-test.log)
[ "$f" = 0 ] && [ "$p" != 0 ] || { grep -A8 '^not ok' build/vm/vm-run-test.log | head -40; [ "$p" != 0 ] || f=$((f + 1)); }
add vm-run "$p" "$f" "$s"
bash selftests/lane/lane_score_test.sh >build/vm/lane-score-test.log 2>&1 || true
read -r p f s < <(tally build/vm/lane-score-test.log)
[ "$f" = 0 ] && [ "$p" != 0 ] || { grep -A8 '^not ok' build/vm/lane-score-test.log | head -40; [ "$p" != 0 ] || f=$((f + 1)); }
add lane-score "$p" "$f" "$s"
bash selftests/lane/bench_plot_test.sh >build/vm/bench-plot-test.log 2>&1 || true
read -r p f s < <(tally build/vm/bench-plot-test.log)
[ "$f" = 0 ] && [ "$p" != 0 ] || { grep -A8 '^not ok' build/vm/bench-plot-test.log | head -40; [ "$p" != 0 ] || f=$((f + 1)); }
add bench-plot "$p" "$f" "$s"

# The bench smoke: every exo-bench row, a few calls each, in the 6.12 VM. A
# row that fails, hangs or goes missing fails it; its numbers are not kept.
# BENCH_FORMAT=tsv must reach the guest: each row is 17 tab-separated
# columns, both times set, the work of both sides named (10 and 11), and
# each median within its side's min and max (13-14, 15-16).
bench_rows="null_ioctl ioctl_floor null_ring_32 mem_bind_map_1 mem_bind_map_1_region mem_bind_map_ring
	mem_bind_map_512 mem_bind_map_512_region mem_fault_upcall net_rx_32 net_demux_64 xn_read_cached
	xn_alloc xn_smallfile cpu_wake cpu_yield_to"
bench_smoke() {
	local log=build/vm/bench-smoke.log rc=0 row missing=''
	heartbeat bench-smoke "$log" - env BENCH_QUICK=1 BENCH_FORMAT=tsv scripts/demo.sh bench || rc=$?
	for row in $bench_rows; do
		tr -d '\r' <"$log" | awk -F'\t' -v row="$row" '
			$1 == row && NF == 17 && $2 > 0 && $3 > 0 &&
				$10 != "" && $10 != "-" && $11 != "" && $11 != "-" &&
				$13 <= $2 + 0 && $2 <= $14 + 0 &&
				$15 <= $3 + 0 && $3 <= $16 + 0 { seen = 1 }
			END { exit !seen }' || missing+=" $row"
	done
	if [ "$rc" = 0 ] && [ -z "$missing" ]; then
		add bench-smoke 1 0 0
	else
		echo "bench smoke: exit $rc${missing:+, rows missing:$missing} (see $log)"
		tail -20 "$log"
		add bench-smoke 0 1 0
	fi
}

# XN's crash test: two boots on one disk image. The first powers the guest
# off in the middle of a write storm; the second checks the disk.
xn_crash() {	# xn_crash <lane>
	local lane=$1 dir=build/vm/crash-$1 img=build/vm/$1-crash.img
	local slog=build/vm/$1-crash-storm.log vlog=build/vm/$1-crash-verify.log
	local rc=0 p f s
	[ -x build/selftests/xn_crash ] && [ "${CHECK_CRASH:-1}" != 0 ] || return 0
	scripts/payload.sh "$lane" "$dir"
	cp build/selftests/xn_crash "$dir/bin/"
	cp scripts/guest/crash.sh "$dir/run.sh"
	rm -f "$img"
	truncate -s 64M "$img"
	echo storm >"$dir/phase"
	run_vm "lane $lane crash storm" "$slog" --lane "$lane" --payload "$dir" --disk "$img" \
		--timeout "$VM_TIMEOUT" 2>"$slog.err" || rc=$?
	# Only a guest that went down under the storm, without a sync, reports
	# no status (125); a status means sysrq o was ignored and the guest shut
	# down cleanly, which tests nothing. A kernel report (3) fails too.
	if [ "$rc" != 125 ] || ! grep -q EXO-CRASH-POWEROFF "$slog" ||
		grep -q '^vm-run: kernel reports in' "$slog.err"; then
		echo "lane $lane crash: the storm boot did not crash the guest as it should (exit $rc, see $slog)"
		cat "$slog.err"
		add "lane $lane crash" 0 1 0
		return 0
	fi
	echo verify >"$dir/phase"
	rc=0
	run_vm "lane $lane crash verify" "$vlog" --lane "$lane" --payload "$dir" --disk "$img" \
		--timeout "$VM_TIMEOUT" || rc=$?
	read -r p f s < <(scripts/lane-score.sh "$lane" "$vlog" "$rc" "$VM_TIMEOUT")
	add "lane $lane crash" "$p" "$f" "$s"
	xn_replay "$lane" "$dir"
}

# The crash test's log half, one more boot: dm-log-writes records a bounded
# storm's writes and flushes, xn_log replays them to every flush and to
# points between, and each image is checked; then the same with the flush
# of XN_SYNC stage 2 skipped, where the replay must find a bad image.
# CHECK_REPLAY_STEPS is the storm's length (default 24), CHECK_REPLAY_SEED
# the seed of the random cuts (default: a new one, printed).
xn_replay() {	# xn_replay <lane> <payload>
	local lane=$1 dir=$2 log=build/vm/$1-replay.log rc=0 p f s
	cp build/selftests/xn_log "$dir/bin/"
	cp scripts/guest/replay-check.sh "$dir/"
	echo replay >"$dir/phase"
	echo "${CHECK_REPLAY_STEPS:-24}" >"$dir/replay-steps"
	echo "${CHECK_REPLAY_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}" >"$dir/replay-seed"
	echo "xn_replay 2" >"$dir/replay.expected"
	run_vm "lane $lane replay" "$log" --lane "$lane" --payload "$dir" --modules "dm_log_writes loop" \
		--timeout "$VM_TIMEOUT" || rc=$?
	read -r p f s < <(scripts/lane-score.sh "$lane" "$log" "$rc" "$VM_TIMEOUT" "$dir/replay.expected")
	add "lane $lane replay" "$p" "$f" "$s"
	tr -d '\r' <"$log" | grep -a '^# replay:' || true
}

# Where a lane's time went: its four slowest binaries, from the times the
# guest puts at the end of each EXO-TEST-END line.
slowest() {
	local top
	top=$(awk '{ sub(/\r$/, "") } /^EXO-TEST-END / && $4 ~ /^[0-9]+s$/ { print $4 + 0, $2 }' "$2" |
		sort -rn | head -4 | awk '{ printf "%s%s %ds", sep, $2, $1; sep = ", " }')
	[ -z "$top" ] || echo "==> lane $1: slowest: $top"
}

for lane in $LANES; do
	echo "==> lane $lane: boot and run the selftests"
	log=build/vm/$lane.log
	if [ ! -f "build/mod/$lane/module/exo.ko" ]; then
		add "lane $lane" 0 1 0
		echo "lane $lane: exo.ko did not build (see build/vm/lint.log)"
		continue
	fi
	scripts/payload.sh "$lane" "build/vm/payload-$lane"
	vm_rc=0
	# The network binding's tests build links inside the guest: veth
	# pairs, and a VLAN, a bridge and a macvlan stacked on them.
	run_vm "lane $lane" "$log" --lane "$lane" --payload "build/vm/payload-$lane" \
		--modules "veth 8021q bridge macvlan" --timeout "$VM_TIMEOUT" || vm_rc=$?
	read -r p f s < <(scripts/lane-score.sh "$lane" "$log" "$vm_rc" "$VM_TIMEOUT" \
		"build/vm/payload-$lane/tests.expected")
	add "lane $lane" "$p" "$f" "$s"
	slowest "$lane" "$log"
	xn_crash "$lane"
	if [ "$lane" = 6.12 ] && [ "${CHECK_BENCH:-1}" != 0 ]; then
		echo "==> lane 6.12: the bench smoke (BENCH_QUICK=1 exo-bench)"
		bench_smoke
	fi
done

trap - EXIT
summary
[ "$total_fail" = 0 ]
