#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo` and `make bench`: boot the 6.12 VM, load exo.ko and run
# samples/hello (demo) or exo-bench (bench), showing the guest's console.
# Usage: scripts/demo.sh <demo|bench>
# Environment: BENCH_QUICK=1 makes the bench a smoke run (a few calls per
# row); BENCH_FORMAT=tsv prints its rows as tab-separated values;
# BENCH_ROWS="mem_fault_upcall cpu_wake" runs only those rows; EXO_ACCEL is
# vm-run.sh's (auto, kvm or tcg).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case ${BENCH_ROWS:-} in *[!a-z0-9_,\ ]*)
	echo "demo.sh: BENCH_ROWS holds row names (a-z, 0-9, _), separated by spaces or commas" >&2
	exit 2 ;;
esac
export EXO_RUN_ID=${EXO_RUN_ID:-demo-$$-$(date +%s)}
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
vm_args=(--modules veth)
case $mode in
demo) echo "/exo/bin/hello" >"$dir/demo.cmd" ;;
bench)
	# The guest splits demo.cmd at spaces: the rows go comma-separated.
	rows=${BENCH_ROWS:-}
	echo "env BENCH_QUICK=${BENCH_QUICK:-0} BENCH_FORMAT=${BENCH_FORMAT:-table} BENCH_ROWS=${rows// /,} /exo/bin/exo-bench" >"$dir/demo.cmd"
	# xn_smallfile: XN on the VM's /dev/vda, ext4 (made in the guest by
	# the host's mke2fs) on a second disk of the same kind and size.
	# ext4 checksums its metadata with crc32c, a module of its own.
	echo "disk=/dev/vda" >"$dir/insmod.args"
	cp /usr/sbin/mke2fs "$dir/bin/"
	cp /etc/mke2fs.conf "$dir/"
	cp scripts/guest/bench-ext4.sh "$dir/setup.sh"
	rm -f build/vm/bench-ext4.img
	truncate -s 64M build/vm/bench-ext4.img
	vm_args=(--modules "veth ext4 crc32c_generic" --disk2 build/vm/bench-ext4.img)
	;;
*) echo "scripts/demo.sh: unknown mode $mode" >&2; exit 2 ;;
esac

echo "==> boot the $lane VM (no network device)"
scripts/vm-run.sh --lane "$lane" --payload "$dir" --log "build/vm/$mode.log" \
	--timeout 900 "${vm_args[@]}"
