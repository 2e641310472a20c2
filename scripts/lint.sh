#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Kernel hygiene, as checks that pass or fail:
#  - exo.ko builds with W=1 and sparse (C=1) with no warning against each
#    lane's headers; the module lands in build/mod/<lane>/module/exo.ko for
#    the VM lanes to use;
#  - checkpatch.pl --strict is clean on the module and the UAPI;
#  - libexo.so exports only what libexo.map lists.
# Usage: scripts/lint.sh [lane...]   (default: 6.12 6.1)
# Prints TAP-style lines and a "# Totals:" line; exits 1 on any failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(6.12 6.1)

pass=0 fail=0 n=0
result() {	# result <name> <0|1> [detail file]
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "ok $n $1"
	else
		fail=$((fail + 1)); echo "not ok $n $1"
		[ -z "${3:-}" ] || sed 's/^/#   /' "$3" | head -40
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for lane in "${lanes[@]}"; do
	if scripts/build-module.sh "$lane" W=1 C=1 >"$tmp/build" 2>&1 &&
	   ! grep -E 'warning:|error:|^.*\.[ch]:[0-9]+:[0-9]+: ' "$tmp/build" >"$tmp/warn"; then
		result "lint.module_w1_sparse_$lane" 0
	else
		[ -s "$tmp/warn" ] || tail -20 "$tmp/build" >"$tmp/warn"
		result "lint.module_w1_sparse_$lane" 1 "$tmp/warn"
	fi
done

checkpatch=build/ksrc/scripts/checkpatch.pl
[ -x "$checkpatch" ] || scripts/harness.sh >/dev/null
# The trace header is written in TRACE_EVENT's shape: each TP_*() argument
# on a line of its own, tab-indented under the macro, and TP_STRUCT__entry(
# and TP_fast_assign( ending their lines. checkpatch reads that as C calls
# and flags those two checks on every event; the rest of --strict applies.
trace_shape=OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT
if perl "$checkpatch" --strict --no-tree --terse --quiet --show-types \
	-f $(git ls-files 'module/*.[ch]' uapi/linux/exo.h |
	     grep -vx module/exo_trace.h) >"$tmp/cp" 2>&1 &&
   perl "$checkpatch" --strict --no-tree --terse --quiet --show-types \
	--ignore "$trace_shape" -f module/exo_trace.h >>"$tmp/cp" 2>&1; then
	result lint.checkpatch_strict 0
else
	result lint.checkpatch_strict 1 "$tmp/cp"
fi

if [ -f build/lib/libexo.so.0 ]; then
	nm -D --defined-only build/lib/libexo.so.0 | awk '{print $3}' | sed 's/@.*//' |
		grep -vE '^(exo_[a-z_]+|LIBEXO_[0-9.]+)$' >"$tmp/syms" || true
	sed -n 's/^[[:space:]]*\(exo_[a-z_]*\);$/\1/p' libexo/libexo.map | sort >"$tmp/map"
	nm -D --defined-only build/lib/libexo.so.0 | awk '$3 ~ /^exo_/ {print $3}' |
		sed 's/@.*//' | sort >"$tmp/exported"
	if [ ! -s "$tmp/syms" ] && cmp -s "$tmp/map" "$tmp/exported"; then
		result lint.libexo_exports_match_map 0
	else
		diff "$tmp/map" "$tmp/exported" >>"$tmp/syms" || true
		result lint.libexo_exports_match_map 1 "$tmp/syms"
	fi
fi

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
