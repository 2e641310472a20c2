#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel lane in QEMU with a busybox initramfs and run a payload in it.
#
# Usage: scripts/vm-run.sh --lane <6.12|6.1|debug> --payload <dir> [--timeout SECS]
#          [--log FILE] [--modules "veth ..."] [--disk FILE] [--disk2 FILE]
#          [--append "..."]
#
#   --lane     kernel series; build/kernels/<lane>/lane.env (kernels.sh,
#              or debug-kernel.sh for the debug lane)
#   --payload  directory copied to /exo in the guest; /exo/run.sh is run
#   --timeout  host-side limit for the whole VM run (default 600 s)
#   --log      console log (default build/vm/<lane>.log)
#   --modules  stock modules to load at boot, with their dependencies
#              (virtio_pci and virtio_blk are always included)
#   --disk     raw disk image for /dev/vda (default: a fresh, sparse 64 MiB
#              build/vm/<lane>-disk.img on every run)
#   --disk2    raw disk image for a second virtio disk, /dev/vdb, attached
#              the same way as the first (default: none)
#   --append   extra kernel command line
#
# Shared libraries of ELF programs in the payload are copied in (via ldd).
# The guest has no network device. The console is shown and written to the
# log. Exit status: 3 if the console log holds a kernel report (BUG, WARNING,
# Oops, KASAN, UBSAN, lockdep, hung task, panic, ...), whatever the guest
# said; else the status of the guest's run.sh (126: a stock module failed to
# load, 127: no run.sh); 124 on timeout; 125 if the guest reported no status
# (e.g. a panic); 2 for a usage or setup error on the host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "vm-run: $*" >&2; exit 2; }

usage() {
	sed -n '/^# Usage:/,/^#   --append/{s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

lane='' payload='' timeout=600 log='' extra_mods='' disk='' disk2='' append=''
while (($#)); do
	case $1 in
	--lane) lane=${2-} ;;
	--payload) payload=${2-} ;;
	--timeout) timeout=${2-} ;;
	--log) log=${2-} ;;
	--modules) extra_mods=${2-} ;;
	--disk) disk=${2-} ;;
	--disk2) disk2=${2-} ;;
	--append) append=${2-} ;;
	-h | --help) usage ;;
	*) echo "vm-run: unknown argument: $1" >&2; usage ;;
	esac
	(($# >= 2)) || die "$1 needs a value"
	shift 2
done

[[ -n $lane ]] || die "--lane is required"
[[ -n $payload ]] || die "--payload is required"
[[ -d $payload ]] || die "payload directory not found: $payload"
[[ -f $payload/run.sh ]] || die "payload has no run.sh: $payload/run.sh"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive number of seconds, got '$timeout'"

vmdir=$top/build/vm
mkdir -p "$vmdir"
log=${log:-$vmdir/$lane.log}
mkdir -p "$(dirname "$log")"

# --- tools and lane -----------------------------------------------------

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[[ -x /bin/busybox ]] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v zstd >/dev/null || need+=(zstd)
((${#need[@]} == 0)) || "$top/scripts/deps.sh" "${need[@]}"
ldd /bin/busybox >/dev/null 2>&1 &&
	die "/bin/busybox is dynamically linked; install busybox-static"

envfile=$top/build/kernels/$lane/lane.env
KVER='' VMLINUZ='' VMLINUX='' MODROOT=''
# The debug lane is built from source; the others are Debian's packages.
setup_lane() {
	if [[ $lane == debug ]]; then
		"$top/scripts/debug-kernel.sh"
	else
		"$top/scripts/kernels.sh" "$lane"
	fi
}
load_lane() {
	[[ -f $envfile ]] || return 1
	# shellcheck source=/dev/null
	. "$envfile"
	[[ -f $VMLINUZ && -f $MODROOT/modules.dep && -f $MODROOT/modules.builtin ]]
}
if ! load_lane; then
	setup_lane
	load_lane || die "lane $lane is incomplete even after scripts/kernels.sh ($envfile)"
fi

# --- stock modules ------------------------------------------------------

declare -A modpath=() moddeps=() builtin=() loaded=()
while IFS=: read -r path deps; do
	name=${path##*/}
	name=${name%%.ko*}
	modpath[${name//-/_}]=$path
	moddeps[${name//-/_}]=$deps
done <"$MODROOT/modules.dep"
while IFS= read -r path; do
	name=${path##*/}
	name=${name%%.ko*}
	builtin[${name//-/_}]=1
done <"$MODROOT/modules.builtin"

order=()
add_module() { # name
	local m=${1//-/_} dep
	[[ -n ${loaded[$m]-} ]] && return 0
	if [[ -z ${modpath[$m]-} ]]; then
		[[ -n ${builtin[$m]-} ]] && return 0
		die "module '$1' is neither built into nor shipped with $KVER"
	fi
	loaded[$m]=1
	# modules.dep lists the deepest dependency last: load in reverse.
	local deps=()
	read -ra deps <<<"${moddeps[$m]}"
	local i
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		dep=${deps[i]##*/}
		add_module "${dep%%.ko*}"
	done
	order+=("${modpath[$m]}")
}

read -ra wanted <<<"virtio_pci virtio_blk $extra_mods"
for m in "${wanted[@]}"; do
	add_module "$m"
done

# A lane whose module files went missing is repaired by kernels.sh.
for rel in "${order[@]}"; do
	[[ -f $MODROOT/$rel ]] && continue
	echo "vm-run: $MODROOT/$rel is missing; repairing the lane" >&2
	setup_lane
	if ! load_lane || [[ ! -f $MODROOT/$rel ]]; then
		die "module file still missing: $MODROOT/$rel"
	fi
done

# --- staging ------------------------------------------------------------

work=$(mktemp -d "$vmdir/run-$lane.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
stage=$work/root
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,exo,lib/modules}
cp /bin/busybox "$stage/bin/busybox"

# Device nodes for the first moments before devtmpfs (needs root; /init
# reopens the console after mounting devtmpfs either way).
if ((EUID == 0)); then
	mknod -m 600 "$stage/dev/console" c 5 1
	mknod -m 666 "$stage/dev/null" c 1 3
fi

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF
echo exo-vm >"$stage/etc/hostname"

# Payload, with symlinks resolved so nothing points back at the host.
cp -RL --preserve=mode "$payload"/. "$stage/exo/"

# Shared libraries (and the dynamic loader) of every dynamic ELF file.
nlibs=0
while IFS= read -r -d '' f; do
	[[ $(od -An -tx1 -N4 "$f" | tr -d ' ') == 7f454c46 ]] || continue
	out=$(ldd "$f" 2>/dev/null) || continue # static, or not a program
	if grep -q 'not found' <<<"$out"; then
		die "${f#"$stage"/exo/}: missing shared libraries on the host:"$'\n'"$(grep 'not found' <<<"$out")"
	fi
	while IFS= read -r lib; do
		[[ -e $stage$lib ]] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L --preserve=mode "$lib" "$stage$lib"
		nlibs=$((nlibs + 1))
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
done < <(find "$stage/exo" -type f -print0)

: >"$stage/etc/exo-modules"
for rel in "${order[@]}"; do
	dst=$stage/lib/modules/$KVER/${rel%.ko*}.ko
	mkdir -p "$(dirname "$dst")"
	case $rel in
	*.ko) cp "$MODROOT/$rel" "$dst" ;;
	*.ko.xz) xz -dc "$MODROOT/$rel" >"$dst" ;;
	*.ko.zst) zstd -dcq "$MODROOT/$rel" >"$dst" ;;
	*.ko.gz) gzip -dc "$MODROOT/$rel" >"$dst" ;;
	*) die "unknown module format: $rel" ;;
	esac
	echo "/lib/modules/$KVER/${rel%.ko*}.ko" >>"$stage/etc/exo-modules"
done

# --- /init --------------------------------------------------------------

cat >"$stage/init" <<'EOF'
#!/bin/busybox sh
# Guest init for the exo VM lane (written by scripts/vm-run.sh).
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
export PATH=/exo/bin:/exo:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
read -r up _ </proc/uptime
echo "exo-init: /init started at ${up}s"
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts
hostname -F /etc/hostname
ip link set lo up
# Boot runs with "quiet"; from here on show warnings (WARN_ON, lockdep) too.
echo 5 >/proc/sys/kernel/printk

rc=0
while read -r mod; do
	if ! insmod "$mod"; then
		echo "exo-init: insmod $mod failed"
		rc=126
		break
	fi
done </etc/exo-modules

if [ "$rc" = 0 ]; then
	if [ ! -f /exo/run.sh ]; then
		echo "exo-init: /exo/run.sh not found"
		rc=127
	else
		cd /exo
		if [ -x /exo/run.sh ]; then
			/exo/run.sh
		else
			sh /exo/run.sh
		fi
		rc=$?
		cd /
	fi
fi
echo "EXO-GUEST-EXIT: $rc"
sync
poweroff -f
# Not reached; if it were, init exiting panics and QEMU stops (-no-reboot).
sleep 5
EOF
chmod 755 "$stage/init"

initrd=$work/initrd.cpio.gz
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd"
echo "  INITRD  $lane $KVER ($((${#order[@]})) modules, $nlibs libs, $(du -k "$initrd" | cut -f1) KiB)"

# --- disk ---------------------------------------------------------------

if [[ -z $disk ]]; then
	disk=$vmdir/$lane-disk.img
	rm -f "$disk"
	truncate -s 64M "$disk"
fi
[[ -f $disk ]] || die "disk image not found: $disk"
[[ -z $disk2 || -f $disk2 ]] || die "disk image not found: $disk2"

# --- boot ---------------------------------------------------------------

accel=tcg
[[ -r /dev/kvm && -w /dev/kvm ]] && accel=kvm
# The uncompressed vmlinux (PVH entry) skips seconds of decompression in TCG.
kernel=$VMLINUZ
[[ -n $VMLINUX && -f $VMLINUX ]] && kernel=$VMLINUX
# -display none/-serial stdio/-monitor none is -nographic without its two
# side effects: SeaBIOS's serial console (which sends terminal resets, ESC c,
# to stdout) and the monitor multiplexed on stdin.
qemu=(qemu-system-x86_64 -display none -serial stdio -monitor none -no-reboot -nic none
	-accel "$accel" -cpu max -m 1G -smp 2
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 quiet loglevel=4${append:+ $append}"
	-drive "if=virtio,format=raw,file=$disk")
if [[ -n $disk2 ]]; then
	qemu+=(-drive "if=virtio,format=raw,file=$disk2")
fi

echo "  VM      $lane $KVER (timeout ${timeout}s, log ${log#"$top"/})"
start=$(date +%s.%N)
set +e
timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tee "$log"
qrc=${PIPESTATUS[0]}
set -e
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# --- verdict ------------------------------------------------------------

clean=$work/console.txt
tr -d '\r' <"$log" >"$clean"

# (The last one is lockdep's report of an uninitialised lock, debug lane only.)
reports_re='BUG:|WARNING:|Oops|KASAN|UBSAN|kernel BUG|INFO: task .* blocked|possible circular locking|refcount_t|list_add corruption|kmemleak: .* new suspected|Kernel panic|INFO: trying to register non-static key'
show_reports() {
	local hits
	hits=$(grep -aE "$reports_re" "$clean" || true)
	[[ -n $hits ]] || return 1
	echo "vm-run: kernel reports in $log:" >&2
	echo "$hits" >&2
}

if ((qrc == 124 || qrc == 137)); then
	show_reports || true
	echo "vm-run: lane $lane timed out after $timeout s (log: $log)" >&2
	exit 124
fi

marker=$(grep -aoE 'EXO-GUEST-EXIT: [0-9]+' "$clean" | tail -n 1 || true)
if [[ -z $marker ]]; then
	show_reports || true
	echo "vm-run: guest did not report an exit status (qemu rc $qrc, log: $log)" >&2
	exit 125
fi
grc=${marker#EXO-GUEST-EXIT: }

init_at=$(sed -n 's/.*exo-init: \/init started at \([0-9.]*\)s.*/\1/p' "$clean" | head -n 1)
echo "  VMEXIT  $lane rc=$grc (init at ${init_at:-?} s, wall $wall s)"

if show_reports; then
	exit 3
fi
exit "$grc"
