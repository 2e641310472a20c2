#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's exo-bench table, from one run's TSV: every 17-column row of
# exo-bench's BENCH_FORMAT=tsv output (other lines, such as the guest's
# console, are skipped) becomes one Markdown row.
# Usage: BENCH_FORMAT=tsv make bench | tee bench.log; scripts/bench-table.sh bench.log
set -euo pipefail
tr -d '\r' <"${1:-/dev/stdin}" | awk -F'\t' '
	function ns(v) { return v == "-" ? "-" : v >= 100 ? sprintf("%.0f", v) : sprintf("%.1f", v) }
	function ratio(v) { return v == "-" ? "-" : sprintf("%.2fx", v) }
	function span(lo, hi) { return lo == "-" ? "-" : ns(lo) "–" ns(hi) }
	NF != 17 || $1 == "row" { next }
	{
		note = $17 == "-" ? "" : $17
		if ($8 != "-")
			note = sprintf("alt, %s: %s ns, %s%s", $12, ns($8), ratio($9),
				       note == "" ? "" : "; " note)
		if (!header++) {
			print "| row | exo side | plain side | exo ns/op | plain ns/op | speedup | exo min–max | plain min–max | exo CPU ns/op | plain CPU ns/op | CPU speedup | note |"
			print "|---|---|---|---|---|---|---|---|---|---|---|---|"
		}
		printf "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		       $1, $10, $11, ns($2), ns($3), ratio($4), span($13, $14),
		       span($15, $16), ns($5), ns($6), ratio($7), note
	}
	END { if (!header) { print "bench-table: no exo-bench TSV rows" > "/dev/stderr"; exit 1 } }'
