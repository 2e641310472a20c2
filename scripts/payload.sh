#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest payload that runs every selftest in a VM lane: exo.ko (from
# build/mod/<lane>/, scripts/build-module.sh), the selftests and samples (from
# `make user`), the ioctl fuzzer, run.sh (scripts/guest/check.sh) and tests.list, the run
# order, and tests.expected, the number of tests in each binary. module_test
# unloads and reloads exo.ko, so it runs last.
# Usage: scripts/payload.sh <lane> <dir>     (dir is emptied first)
# TESTS="mem_test cpu_test" keeps only those selftests (for a quick loop;
# `make check` must run them all).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lane=${1:?usage: scripts/payload.sh <lane> <dir>}
dir=${2:?usage: scripts/payload.sh <lane> <dir>}
ko=$top/build/mod/$lane/module/exo.ko
[ -f "$ko" ] || { echo "payload: $ko not built (scripts/build-module.sh $lane)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/tests" "$dir/bin"
cp "$ko" "$dir/"
cp "$top"/build/selftests/*_test "$dir/tests/"
cp "$top"/build/samples/* "$dir/bin/"
cp "$top"/build/tools/* "$dir/bin/"
cp "$top/build/fuzz/exo-fuzz" "$dir/bin/"
cp "$top/scripts/guest/check.sh" "$dir/run.sh"
{
	for t in "$dir"/tests/*; do
		[ "${t##*/}" = module_test ] || echo "${t##*/}"
	done
	[ ! -e "$dir/tests/module_test" ] || echo module_test
} | if [ -n "${TESTS:-}" ]; then grep -xF -f <(tr ' ' '\n' <<<"$TESTS"); else cat; fi \
	>"$dir/tests.list"
# How many tests each binary holds, from its -l listing, so that
# lane-score.sh can tell a test that never ran from one that passed. The
# listing has a block per fixture (the first after the header, the others
# after a dashes line) whose rows zip its variants ("%-20s %-25s %s") with
# its tests; each test runs once per variant, or once with none. The
# global fixture of TEST() is a block too.
while read -r name; do
	# The harness exits non-zero after -l: the listing is what counts.
	count=$({ "$dir/tests/$name" -l </dev/null 2>&1 || true; } | awk '
		function field(w) {
			if (substr(line, 1, 1) != " " && match(line, /^[^ ]+/) &&
			    RLENGTH > w)
				w = RLENGTH
			tok = substr(line, 1, w)
			line = substr(line, w + 2)
			gsub(/ /, "", tok)
			return tok
		}
		function flush() { n += (nv ? nv : 1) * nt; nv = nt = 0 }
		/^# FIXTURE/ { next }
		/^-----/ { flush(); next }
		{
			line = $0
			field(20)
			if (field(25) != "")
				nv++
			gsub(/ /, "", line)
			if (line != "")
				nt++
		}
		END { flush(); print n + 0 }')
	[ "$count" -gt 0 ] || { echo "payload: $name -l lists no tests" >&2; exit 1; }
	echo "$name $count"
done <"$dir/tests.list" >"$dir/tests.expected"
