#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo` and `make bench`: boot the 6.12 VM, load exo.ko and run
# samples/hello (demo) or exo-bench (bench), showing the guest's console.
# Usage: scripts/demo.sh <demo|bench>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=${1:?usage: scripts/demo.sh <demo|bench>}
lane=${LANE:-6.12}

scripts/deps.sh
scripts/kernels.sh "$lane"
scripts/harness.sh >/dev/null
echo "==> build exo.ko for $lane and the samples"
scripts/build-module.sh "$lane" >build/mod-"$lane".log 2>&1 ||
	{ cat build/mod-"$lane".log; exit 1; }
make -s samples

dir=build/vm/payload-$mode
rm -rf "$dir"
mkdir -p "$dir/bin"
cp "build/mod/$lane/module/exo.ko" "$dir/"
cp build/samples/* "$dir/bin/"
cp scripts/guest/demo.sh "$dir/run.sh"
case $mode in
demo) echo "/exo/bin/hello" >"$dir/demo.cmd" ;;
bench) echo "/exo/bin/exo-bench" >"$dir/demo.cmd" ;;
*) echo "scripts/demo.sh: unknown mode $mode" >&2; exit 2 ;;
esac

echo "==> boot the $lane VM (software emulation, no network device)"
scripts/vm-run.sh --lane "$lane" --payload "$dir" --modules veth --log "build/vm/$mode.log" --timeout 600
