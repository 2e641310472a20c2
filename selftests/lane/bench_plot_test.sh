#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of make bench's reporting: scripts/bench-table.sh and
# scripts/bench-plot.sh on a known exo-bench TSV log (with console noise
# and an old 13-column row that must be ignored) and a known bench_filter
# log. The numbers plotted must be the ones given, the PNGs real, and a log
# with no rows must fail by name.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/scripts/deps.sh" gnuplot-nox >/dev/null || exit 1

t=$'\t'
{
	echo "[    3.1] some console line"
	echo "row${t}exo_ns${t}plain_ns${t}speedup${t}exo_cpu_ns${t}plain_cpu_ns${t}cpu_speedup${t}alt_ns${t}alt_speedup${t}exo_work${t}plain_work${t}alt_work${t}exo_min_ns${t}exo_max_ns${t}plain_min_ns${t}plain_max_ns${t}note"
	echo "fast_row${t}50.0${t}100.0${t}2.000${t}-${t}-${t}-${t}-${t}-${t}one call${t}one syscall${t}-${t}40.0${t}80.0${t}90.0${t}200.0${t}-"
	printf 'slow_row\t300.0\t100.0\t0.333\t-\t-\t-\t-\t-\twork a\twork b\t-\t250.0\t400.0\t100.0\t100.0\ta note\r\n'
	echo "old_row${t}1${t}2${t}2${t}-${t}-${t}-${t}-${t}-${t}a${t}b${t}-${t}-"
} >"$tmp/bench.log"
cat >"$tmp/filter.log" <<'LOG'
bench_filter: ns per frame, fastest of 9 runs
row                        exo ns      same ns    same/exo
net_classify_1               12.0         11.0        0.9x         15.4        1.3x         70.7        5.9x       1.00x       5866.0       1.00x
net_classify_10000           24.7      16841.3      682.2x            -           -         75.0        3.0x       2.06x       9000.0       1.53x
LOG

n=0 pass=0 fail=0
echo "TAP version 13"
echo "1..8"
check() {	# check <name> <command...>
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/out" 2>&1; then
		pass=$((pass + 1))
		echo "ok $n $name"
	else
		fail=$((fail + 1))
		echo "not ok $n $name"
		sed 's/^/# /' "$tmp/out" | head -20
	fi
}
png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
fails_naming() {	# fails_naming <what> <command...>: exit 1, <what> in stderr
	local what=$1
	shift
	! "$@" 2>"$tmp/err" && grep -qF -- "$what" "$tmp/err"
}

"$top/scripts/bench-plot.sh" "$tmp/out1" "$tmp/bench.log" "$tmp/filter.log" >"$tmp/plot.out" 2>&1
rc=$?
check "bench-plot exits 0 on a good run" test "$rc" = 0
check "rows.png and classifier.png are PNG files" \
	bash -c "$(declare -f png); png '$tmp/out1/rows.png' && png '$tmp/out1/classifier.png'"
# exo over plain's median, then plain's own spread over its median.
check "rows.dat holds each side over the plain median" diff - "$tmp/out1/rows.dat" <<'DAT'
0 fast_row 0.5 0.4 0.8 1 0.9 2
1 slow_row 3 2.5 4 1 1 1
DAT
check "classifier.dat keeps N and a side not run as -" diff - "$tmp/out1/classifier.dat" <<'DAT'
1 12.0 11.0 15.4 70.7
10000 24.7 16841.3 - 75.0
DAT
check "a log with no rows fails, naming it" \
	fails_naming "no exo-bench TSV rows in $tmp/filter.log" \
	"$top/scripts/bench-plot.sh" "$tmp/out2" "$tmp/filter.log"
check "a bench_filter log with no rows fails, naming it" \
	fails_naming "no net_classify rows in $tmp/bench.log" \
	"$top/scripts/bench-plot.sh" "$tmp/out3" "$tmp/bench.log" "$tmp/bench.log"
"$top/scripts/bench-table.sh" "$tmp/bench.log" >"$tmp/table.md" 2>&1
check "bench-table gives the min-max columns" \
	grep -qF '| `fast_row` | one call | one syscall | 50.0 | 100 | 2.00x | 40.0–80.0 | 90.0–200 | - | - | - |  |' "$tmp/table.md"
check "bench-table keeps a note and drops the old row" \
	bash -c "grep -qF '| \`slow_row\` |' '$tmp/table.md' && grep -qF '| a note |' '$tmp/table.md' && ! grep -q old_row '$tmp/table.md'"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
((fail == 0))
