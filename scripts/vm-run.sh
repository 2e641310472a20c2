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
#   --silence  fail the boot when the console says nothing for this long
#              after /init started (default 300 s)
#
# Accelerator: EXO_ACCEL=auto (the default) boots a tiny probe guest under
# KVM first and uses KVM only if it reaches /init and powers off; otherwise
# TCG. The verdict is kept for one run in build/vm/accel.verdict (a run is
# one EXO_RUN_ID, which make check, demo and bench set; without one, every
# call probes; EXO_ACCEL_VERDICT names another file, for tests).
# EXO_ACCEL=kvm or tcg skips the probe. A boot that dies
# under KVM chosen by auto (KVM internal error, or no /init in time) is
# retried once under TCG; a boot that dies before /init under TCG (an
# early-boot oops) is retried once. Both retries are announced.
#
# TCG runs single-threaded (-accel tcg,thread=single; EXO_TCG_THREAD=multi
# for one host thread per vCPU). Multi-threaded TCG lets a vCPU run a
# kernel text patch's int3 after the patch has completed, so any static
# key flipped while the other vCPU runs the patched code (a tracepoint
# enabled, the first memory cgroup, the first ingress hook) could Oops.
#
# Shared libraries of ELF programs in the payload are copied in (via ldd).
# The guest has no network device. The console is shown and written to the
# log. Exit status: 3 if the console log holds a kernel report (BUG, WARNING,
# Oops, KASAN, UBSAN, lockdep, hung task, panic, ...), whatever the guest
# said; else the status of the guest's run.sh (126: a stock module failed to
# load, 127: no run.sh); 124 on timeout; 125 if the guest reported no status
# (e.g. a panic); 123 if the guest was killed as dead (KVM internal error,
# no /init in time, a silent console); 2 for a usage or setup error on the
# host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "vm-run: $*" >&2; exit 2; }

usage() {
	sed -n '/^# Usage:/,/^#   --silence/{s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

lane='' payload='' timeout=600 log='' extra_mods='' disk='' disk2='' append=''
silence=300
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
	--silence) silence=${2-} ;;
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
[[ $silence =~ ^[1-9][0-9]*$ ]] || die "--silence wants a positive number of seconds, got '$silence'"
EXO_ACCEL=${EXO_ACCEL:-auto}
EXO_TCG_THREAD=${EXO_TCG_THREAD:-single}
case $EXO_TCG_THREAD in
single | multi) ;;
*) die "EXO_TCG_THREAD must be single or multi, got '$EXO_TCG_THREAD'" ;;
esac
case $EXO_ACCEL in
auto | kvm | tcg) ;;
*) die "EXO_ACCEL must be auto, kvm or tcg, got '$EXO_ACCEL'" ;;
esac

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
# A guest still running when we stop (an INT, a TERM) goes with us.
trap '[[ -z ${qemu_pid:-} ]] || kill -KILL "$qemu_pid" 2>/dev/null; rm -rf "$work"' EXIT
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

# The uncompressed vmlinux (PVH entry) skips seconds of decompression in TCG.
kernel=$VMLINUZ
[[ -n $VMLINUX && -f $VMLINUX ]] && kernel=$VMLINUX
cmdline="console=ttyS0 panic=-1 quiet loglevel=4${append:+ $append}"

qemu_cmd() {	# qemu_cmd <accel> <initrd> <cmdline> [drive args...]: sets qemu[]
	local accel=$1 rd=$2 line=$3
	shift 3
	# -display none/-serial stdio/-monitor none is -nographic without its
	# two side effects: SeaBIOS's serial console (which sends terminal
	# resets, ESC c, to stdout) and the monitor multiplexed on stdin.
	# TCG runs both vCPUs on one host thread (EXO_TCG_THREAD): see the
	# header's note on cross-vCPU text patching.
	local accel_opt=$accel
	[[ $accel != tcg ]] || accel_opt="tcg,thread=$EXO_TCG_THREAD"
	qemu=(qemu-system-x86_64 -display none -serial stdio -monitor none -no-reboot -nic none
		-accel "$accel_opt" -cpu max -m 1G -smp 2
		-kernel "$kernel" -initrd "$rd" -append "$line" "$@")
}

# boot <log> <limit> <init deadline> <silence> <show: 1|0>: run qemu[] with
# its console in <log>, shown on stdout if asked, and kill a guest that is
# dead: QEMU printed "KVM internal error" (KVM then stops the vCPU and
# waits for ever), no "/init started" within the deadline, or a console
# silent for <silence> seconds after it. Sets boot_rc (QEMU's status, 124
# at the time limit) and boot_death (empty, or why the guest was killed).
boot() {
	local out=$1 limit=$2 deadline=$3 quiet_max=$4 show=$5
	local qpid tpid=0 t0 now size last_size=-1 last_change inited=0
	boot_death=''
	: >"$out"
	"${qemu[@]}" </dev/null >"$out" 2>&1 &
	qpid=$!
	qemu_pid=$qpid
	if [[ $show == 1 ]]; then
		tail -n +1 -f --pid="$qpid" "$out" &
		tpid=$!
	fi
	t0=$SECONDS last_change=$SECONDS
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 0.5
		now=$SECONDS
		if grep -aq 'KVM internal error' "$out"; then
			boot_death='KVM internal error'
			grep -aq 'emulation failure' "$out" && boot_death+=': emulation failure'
		elif ((inited == 0)) && grep -aq 'exo-init: /init started' "$out"; then
			inited=1
		elif ((inited == 0 && now - t0 >= deadline)); then
			boot_death="no /init within ${deadline}s"
		fi
		size=$(stat -c %s "$out")
		if ((size != last_size)); then
			last_size=$size last_change=$now
		elif ((inited && now - last_change >= quiet_max)); then
			boot_death="the console was silent for ${quiet_max}s"
		fi
		if [[ -z $boot_death ]] && ((now - t0 >= limit)); then
			boot_death=timeout
		fi
		[[ -n $boot_death ]] || continue
		kill -TERM "$qpid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		kill -KILL "$qpid" 2>/dev/null || true
		break
	done
	boot_rc=0
	wait "$qpid" || boot_rc=$?
	qemu_pid=''
	((tpid == 0)) || wait "$tpid" 2>/dev/null || true
	if [[ $boot_death == timeout ]]; then
		boot_death='' boot_rc=124
	fi
}

# --- accelerator --------------------------------------------------------

# probe_kvm: boot the lane's kernel under KVM with a busybox-only initramfs
# that prints a marker and powers off. Sets probe_why when KVM is unusable.
probe_kvm() {
	local pdir=$work/probe prd=$work/probe.cpio.gz plog=$work/probe.log t0
	local limit=${EXO_KVM_PROBE_TIMEOUT:-20}
	probe_why=''
	if [[ ! -e /dev/kvm ]]; then
		probe_why='no /dev/kvm'
		return 1
	fi
	if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
		probe_why='/dev/kvm is not readable and writable'
		return 1
	fi
	mkdir -p "$pdir/bin" "$pdir/dev" "$pdir/proc"
	cp /bin/busybox "$pdir/bin/busybox"
	cat >"$pdir/init" <<'PROBE'
#!/bin/busybox sh
echo "exo-init: /init started"
echo EXO-KVM-PROBE-OK
/bin/busybox poweroff -f
PROBE
	chmod 755 "$pdir/init"
	(cd "$pdir" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$prd"
	qemu_cmd kvm "$prd" "console=ttyS0 panic=-1 quiet loglevel=4"
	t0=$(date +%s.%N)
	# 2>/dev/null: bash's "Aborted" notice for a QEMU that aborts.
	boot "$plog" "$limit" "$limit" "$limit" 0 2>/dev/null
	probe_secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if [[ -z $boot_death && $boot_rc == 0 ]] && grep -aq EXO-KVM-PROBE-OK "$plog"; then
		return 0
	fi
	if [[ -n $boot_death ]]; then
		probe_why=$boot_death
	elif ((boot_rc == 124)); then
		probe_why="no power-off within ${limit}s"
	else
		# QEMU's own complaint, e.g. "failed to set MSR 0x10a to 0x69".
		probe_why=$(grep -a -m1 -o 'qemu-system-x86_64: .*' "$plog" |
			sed 's/^qemu-system-x86_64: //; s/^error: //' || true)
		probe_why="${probe_why:-no probe marker} (qemu exit $boot_rc)"
	fi
	return 1
}

# choose_accel: sets accel (kvm|tcg) and accel_auto (1 if the probe chose).
verdict_file=${EXO_ACCEL_VERDICT:-$vmdir/accel.verdict}
choose_accel() {
	local id=${EXO_RUN_ID:-} cached_id cached_accel why
	accel_auto=0
	if [[ $EXO_ACCEL != auto ]]; then
		accel=$EXO_ACCEL
		echo "  ACCEL   $accel (EXO_ACCEL=$accel)"
		return
	fi
	accel_auto=1
	if [[ -n $id && -f $verdict_file ]] &&
		IFS=$'\t' read -r cached_id cached_accel why <"$verdict_file" &&
		[[ $cached_id == "$id" ]]; then
		accel=$cached_accel
		echo "  ACCEL   $accel ($why; probed once for this run)"
		return
	fi
	if probe_kvm; then
		accel=kvm
		why="kvm probe booted and powered off in ${probe_secs}s"
	else
		accel=tcg
		why="kvm probe failed: $probe_why"
	fi
	# On stderr too: make check sends vm-run's stdout to its logs.
	echo "  ACCEL   $accel ($why)" >&2
	[[ -z $id ]] || printf '%s\t%s\t%s\n' "$id" "$accel" "$why" >"$verdict_file"
}
choose_accel

drives=(-drive "if=virtio,format=raw,file=$disk")
if [[ -n $disk2 ]]; then
	drives+=(-drive "if=virtio,format=raw,file=$disk2")
fi
# A kernel with KASAN and lockdep takes far longer to reach /init.
init_deadline=${EXO_INIT_DEADLINE:-$([[ $lane == debug ]] && echo 300 || echo 120)}
fresh_disk=0
[[ $disk != "$vmdir/$lane-disk.img" ]] || fresh_disk=1

echo "  VM      $lane $KVER ($accel, timeout ${timeout}s, log ${log#"$top"/})"
start=$(date +%s.%N)
attempt=1
while :; do
	qemu_cmd "$accel" "$initrd" "$cmdline" "${drives[@]}"
	boot "$log" "$timeout" "$init_deadline" "$silence" 1 2>/dev/null
	qrc=$boot_rc
	((attempt == 1)) || break
	reached_init=0
	grep -aq 'exo-init: /init started' "$log" && reached_init=1
	retry_why=''
	if [[ $accel == kvm && $accel_auto == 1 && -n $boot_death ]] &&
		((reached_init == 0 || fresh_disk == 1)); then
		retry_why="the guest died under kvm ($boot_death); once more under tcg"
		accel=tcg
		[[ -z ${EXO_RUN_ID:-} ]] ||
			printf '%s\t%s\t%s\n' "$EXO_RUN_ID" tcg "kvm died in a boot: $boot_death" >"$verdict_file"
	elif ((reached_init == 0)) && ! grep -aq 'EXO-GUEST-EXIT:' "$log"; then
		# Nothing of ours ran, so no disk has changed.
		why=${boot_death:-qemu exit $qrc}
		grep -aqE 'Oops|Kernel panic' "$log" && why="an early-boot kernel oops, $why"
		retry_why="the guest died before /init started ($why); once more"
	fi
	[[ -n $retry_why ]] || break
	cp "$log" "$log.first"
	echo "  RETRY   $lane: $retry_why (first console: ${log#"$top"/}.first)" >&2
	((fresh_disk == 0)) || { rm -f "$disk"; truncate -s 64M "$disk"; }
	attempt=2
done
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

# --- verdict ------------------------------------------------------------

clean=$work/console.txt
tr -d '\r' <"$log" >"$clean"

# (The last one is lockdep's report of an uninitialised lock, debug lane only.)
# 6.1 prints "general protection fault" without an "Oops:" before it.
reports_re='BUG:|WARNING:|Oops|KASAN|UBSAN|kernel BUG|general protection fault|INFO: task .* blocked|possible circular locking|refcount_t|list_(add|del) corruption|kmemleak: .* new suspected|Kernel panic|INFO: trying to register non-static key'
show_reports() {
	local hits
	hits=$(grep -aE "$reports_re" "$clean" || true)
	[[ -n $hits ]] || return 1
	echo "vm-run: kernel reports in $log:" >&2
	echo "$hits" >&2
}

if [[ -n $boot_death ]]; then
	show_reports || true
	echo "vm-run: lane $lane: the guest was dead and was killed: $boot_death (log: $log)" >&2
	exit 123
fi
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
