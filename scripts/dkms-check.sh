#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS check of make check: dkms.conf's version is the Makefile's, and
# `dkms add` and `dkms build` of exo.ko pass against each lane's unpacked
# Debian headers, in a DKMS tree of build/dkms/ (nothing is installed), the
# module built for that kernel. Prints TAP with a "# Totals:" line.
# Usage: scripts/dkms-check.sh <lane>...   (6.12, 6.1)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
(($#)) || set -- 6.12 6.1

n=0 pass=0 fail=0
result() {	# result <ok: 0|1> <name> [why]
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2${3:+ # $3}"
	fi
}

echo "TAP version 13"
echo "1..$((1 + $#))"
conf=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
make_ver=$(sed -n 's/^LIBEXO_VERSION := //p' Makefile)
if [ -n "$conf" ] && [ "$conf" = "$make_ver" ]; then
	result 1 dkms.conf_version_is_the_makefiles
else
	result 0 dkms.conf_version_is_the_makefiles "dkms.conf '$conf', Makefile '$make_ver'"
fi

for lane in "$@"; do
	name=dkms.build_against_$lane
	# shellcheck source=/dev/null
	. "build/kernels/$lane/lane.env" 2>/dev/null || { result 0 "$name" "no headers for $lane"; continue; }
	dir=build/dkms/$lane log=build/dkms/$lane.log
	rm -rf "$dir"
	mkdir -p "$dir/tree"
	scripts/module-sources.sh "$dir/src/exo-$conf"
	cp dkms.conf "$dir/src/exo-$conf/"
	trees=(--dkmstree "$top/$dir/tree" --sourcetree "$top/$dir/src")
	if ! { dkms add -m exo -v "$conf" "${trees[@]}" &&
		dkms build -m exo -v "$conf" -k "$KVER" --kernelsourcedir "$KDIR" "${trees[@]}"; } >"$log" 2>&1; then
		sed 's/^/# /' "$log" | tail -20
		find "$dir/tree" -name make.log -exec tail -20 {} \; | sed 's/^/# /'
		result 0 "$name" "dkms failed (see $log)"
		continue
	fi
	ko=$dir/tree/exo/$conf/$KVER/$(uname -m)/module/exo.ko
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	if [ "$magic" = "$KVER" ]; then
		result 1 "$name"
	else
		result 0 "$name" "$ko has vermagic '$magic', not $KVER"
	fi
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" = 0 ]
