#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench's plots, with gnuplot (Debian's gnuplot-nox):
#   <outdir>/rows.png        every exo-bench row of one run's TSV: each
#                            side's median with its min-max bar, divided by
#                            the plain side's median (so 1 is the plain
#                            path, and below 1 is exo faster), log scale;
#   <outdir>/classifier.png  from bench_filter's output, when given: ns per
#                            frame against the number of filters (1 to
#                            10,000), exo's classifier next to libpcap's
#                            cBPF and the kernel's eBPF.
# Also <outdir>/rows.dat and classifier.dat, the numbers plotted.
# Usage: scripts/bench-plot.sh <outdir> <exo-bench TSV log> [bench_filter log]
# Exits 1, naming the input, when a log holds no rows to plot.
set -euo pipefail
out=${1:?usage: scripts/bench-plot.sh <outdir> <exo-bench TSV log> [bench_filter log]}
tsv=${2:?usage: scripts/bench-plot.sh <outdir> <exo-bench TSV log> [bench_filter log]}
filter=${3:-}
command -v gnuplot >/dev/null || { echo "bench-plot: gnuplot not found (scripts/deps.sh gnuplot-nox)" >&2; exit 1; }
mkdir -p "$out"

# One line a row: index, name, then exo median/min/max and plain's, each
# over plain's median. Rows without min and max (a run of one) use the
# median for both.
tr -d '\r' <"$tsv" | awk -F'\t' '
	NF != 17 || $1 == "row" || $2 <= 0 || $3 <= 0 { next }
	function or(v, d) { return v == "-" ? d : v }
	{
		p = $3
		printf "%d %s %g %g %g %g %g %g\n", n++, $1, $2 / p,
		       or($13, $2) / p, or($14, $2) / p, 1, or($15, $3) / p,
		       or($16, $3) / p
	}' >"$out/rows.dat"
rows=$(wc -l <"$out/rows.dat")
[ "$rows" -gt 0 ] || { echo "bench-plot: no exo-bench TSV rows in $tsv" >&2; exit 1; }

gnuplot <<EOF
set terminal pngcairo noenhanced size $((480 + 40 * rows)),560 font ",9"
set output "$out/rows.png"
set title "exo-bench: median and min-max of each side"
set logscale y
set ylabel "time per op / the plain side's median (below 1: exo is faster)"
set xtics rotate by -40 left
set xrange [-0.6:$rows - 0.4]
set grid ytics
set key top left
plot "$out/rows.dat" using (\$1 - 0.12):3:4:5:xtic(2) with yerrorbars pt 7 ps 0.8 title "exo", \
     "" using (\$1 + 0.12):6:7:8 with yerrorbars pt 5 ps 0.8 title "plain", \
     1 with lines lt 0 notitle
EOF

[ -n "$filter" ] || exit 0
# bench_filter's rows: net_classify_N exo same same/exo udpdst udpdst/exo
# eBPF eBPF/exo ...; "-" is a side it did not run at that N.
awk '$1 ~ /^net_classify_[0-9]+$/ {
	sub(/^net_classify_/, "", $1)
	print $1, $2, $3, $5, $7
}' "$filter" >"$out/classifier.dat"
[ -s "$out/classifier.dat" ] || { echo "bench-plot: no net_classify rows in $filter" >&2; exit 1; }

gnuplot <<EOF
set terminal pngcairo noenhanced size 720,480 font ",10"
set output "$out/classifier.png"
set title "packet classifier: ns per frame against the number of filters"
set datafile missing "-"
set logscale xy
set xlabel "filters (UDP ports bound)"
set ylabel "ns per frame"
set grid
set key top left
plot "$out/classifier.dat" using 1:2 with linespoints pt 7 title "exo (merged classifier)", \
     "" using 1:3 with linespoints pt 5 title "libpcap cBPF, the same tests", \
     "" using 1:4 with linespoints pt 9 title "libpcap cBPF, udp dst port", \
     "" using 1:5 with linespoints pt 11 title "eBPF hash map (kernel)"
EOF
