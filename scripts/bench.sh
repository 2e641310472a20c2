#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: every exo-bench row in the 6.12 VM (scripts/demo.sh bench,
# as tab-separated values), then the packet classifier natively on the
# host (bench_filter, 1 to 10,000 filters against libpcap and eBPF), and
# from both one run's report in build/bench/:
#   bench.tsv       the guest's console, exo-bench's rows among it;
#   table.md        the README's performance table (scripts/bench-table.sh),
#                   also printed at the end;
#   classifier.log  bench_filter's output;
#   rows.png, classifier.png and their .dat files (scripts/bench-plot.sh).
# Environment: BENCH_ROWS and BENCH_QUICK as for scripts/demo.sh; with
# BENCH_ROWS set the classifier is not run (nor plotted).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/bench
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.dat "$out"/table.md "$out"/classifier.log

BENCH_FORMAT=tsv scripts/demo.sh bench
tr -d '\r' <build/vm/bench.log >"$out/bench.tsv"
scripts/bench-table.sh "$out/bench.tsv" >"$out/table.md"

filter=''
if [ -z "${BENCH_ROWS:-}" ]; then
	echo "==> the packet classifier on the host (bench_filter)"
	make -s build/bench-host/bench_filter
	build/bench-host/bench_filter | tee "$out/classifier.log"
	filter=$out/classifier.log
fi
scripts/deps.sh gnuplot-nox
scripts/bench-plot.sh "$out" "$out/bench.tsv" $filter

echo "==> the exo-bench table ($out/table.md)"
cat "$out/table.md"
echo "==> written: $(cd "$out" && echo *.png)"
