#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and unpack a Debian kernel lane (image, modules, headers, kbuild) into
# the build tree, so modules can be built against it and it can be booted in
# QEMU without touching the host's kernel or /usr/src.
#
# Usage: scripts/kernels.sh <series>      series: 6.12 | 6.1
#
# The newest matching packages are resolved from apt metadata, downloaded into
# build/debs/ and unpacked into build/kernels/<series>/root/. The result is
# described by build/kernels/<series>/lane.env:
#   KVER     kernel release, e.g. 6.12.117+deb12-amd64
#   KDIR     headers dir for "make -C $KDIR M=... modules"
#   VMLINUZ  kernel image to boot
#   MODROOT  lib/modules/$KVER of the lane (with modules.dep)
#   VMLINUX  the same kernel uncompressed, for a faster PVH boot under TCG
#            (empty if it could not be extracted: boot VMLINUZ then)
#   SERIES, PKGVER, NMODFILES  series, Debian package version and file count
#            of MODROOT (for the cache check)
# Running it again is a no-op while the resolved version is unchanged and the
# lane is intact; a damaged lane is unpacked again from build/debs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/progress.sh
. "$top/scripts/progress.sh"
export PATH="$PATH:/usr/sbin:/sbin"

die() { echo "kernels: $*" >&2; exit 1; }
warn() { echo "kernels: warning: $*" >&2; }

usage() {
	echo "usage: scripts/kernels.sh <series>   (series: 6.12 or 6.1)" >&2
	exit 2
}

(($# == 1)) || usage
series=$1
case $series in
6.12 | 6.1) ;;
*) usage ;;
esac

debdir=$top/build/debs
lanedir=$top/build/kernels/$series
root=$lanedir/root
envfile=$lanedir/lane.env
mkdir -p "$debdir" "$lanedir"

# One kernels.sh per lane at a time (vm-run.sh may call us in parallel).
# (A lane unpacked by root is still usable read-only by other users.)
if { exec 9>>"$lanedir/.lock"; } 2>/dev/null || { exec 9<"$lanedir/.lock"; } 2>/dev/null; then
	flock 9
fi

# --- apt metadata -------------------------------------------------------
# apt-cache takes ~0.7 s per call here, so calls are batched.

apt_update() {
	((EUID == 0)) || return 1
	apt-get -o DPkg::Lock::Timeout=900 update >"$lanedir/apt-update.log" 2>&1 ||
		warn "apt-get update reported errors (see $lanedir/apt-update.log)"
}

# "pkg candidate" per package apt knows (no line for unknown packages).
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ]/ { pkg = $1; sub(/:$/, "", pkg) }
		$1 == "Candidate:" && $2 != "(none)" { print pkg, $2 }'
}

# All versions of one package in the apt lists.
versions_of() {
	apt-cache policy "$1" 2>/dev/null | awk '
		/Version table:/ { t = 1; next }
		t && $1 == "***" { print $2; next }
		t && NF >= 2 && $1 ~ /^[0-9]/ && $2 ~ /^[0-9]+$/ { print $1 }'
}

# Package names of the lane's image flavour, newest first.
image_names() {
	case $series in
	6.12)
		apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
			awk '{ print $1 }' | sort -V -r ;;
	6.1)
		apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' |
			awk '{ print $1 }' | sort -V -r ;;
	esac
}

# Sets KVER, PKGVER and pkgs (name=version list). Returns 1 if nothing fits.
resolve() {
	local img abi p cands ver dep kbver
	for img in $names; do
		abi=${img#linux-image-}
		abi=${abi%-amd64-unsigned}
		p=("$img" "linux-headers-$abi-amd64" "linux-headers-$abi-common")
		if [[ $series == 6.12 ]]; then
			p+=("linux-kbuild-$abi")
		else
			p+=(linux-kbuild-6.1)
		fi
		cands=$(candidates "${p[@]}")
		ver=$(awk -v p="${p[1]}" '$1 == p { print $2 }' <<<"$cands")
		[[ -n $ver ]] || continue
		# Image and headers come from one source package and version.
		[[ $(awk -v a="${p[0]}" -v b="${p[2]}" -v v="$ver" \
			'($1 == a || $1 == b) && $2 == v' <<<"$cands" | wc -l) == 2 ]] || continue
		if [[ $series == 6.12 ]]; then
			kbver=$(awk -v p="${p[3]}" '$1 == p { print $2 }' <<<"$cands")
			[[ $kbver == "$ver" ]] || continue
		else
			# linux-kbuild-6.1 is not ABI-named: use the version the
			# headers depend on, e.g. "linux-kbuild-6.1 (>= 6.1.192-2)".
			dep=$(apt-cache show "${p[1]}=$ver" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
			kbver=$(tr ',' '\n' <<<"$dep" |
				sed -nE 's/^ *linux-kbuild-6\.1 \((>=|=) *([^)]+)\).*/\1 \2/p' | head -n 1)
			[[ -n $kbver ]] || continue
			local op=${kbver%% *} want=${kbver#* } cand
			cand=$(awk '$1 == "linux-kbuild-6.1" { print $2 }' <<<"$cands")
			if [[ $cand != "$want" ]]; then
				if versions_of linux-kbuild-6.1 | grep -qxF -- "$want"; then
					cand=$want
				elif [[ $op != ">=" || -z $cand ]] ||
					! dpkg --compare-versions "$cand" ge "$want"; then
					continue
				fi
			fi
			kbver=$cand
		fi
		KVER=$abi-amd64
		PKGVER=$ver
		pkgs=("${p[0]}=$ver" "${p[1]}=$ver" "${p[2]}=$ver" "${p[3]}=$kbver")
		return 0
	done
	return 1
}

# --- cache check --------------------------------------------------------

# Number of files under the lane's lib/modules tree; a lane whose count no
# longer matches was damaged (e.g. by "make -C $KDIR M=<repo top> clean",
# which deletes every *.ko and modules.order below the repo) and is unpacked
# again from build/debs.
count_modfiles() {
	find "$1" -type f | wc -l
}

# Prints "ok", "damaged" or "stale".
cache_state() {
	[[ -f $envfile ]] || { echo stale; return; }
	local KVER PKGVER KDIR VMLINUZ VMLINUX=unset MODROOT NMODFILES
	# shellcheck source=/dev/null
	. "$envfile"
	if [[ ${KVER:-} != "$1" || ${PKGVER:-} != "$2" ]]; then
		echo stale
	elif [[ -f $KDIR/Makefile && -f $VMLINUZ && -f $MODROOT/modules.dep &&
		$VMLINUX != unset && ( -z $VMLINUX || -f $VMLINUX ) &&
		$(count_modfiles "$MODROOT") == "${NMODFILES:-}" ]]; then
		echo ok
	else
		echo damaged
	fi
}

KVER='' PKGVER='' pkgs=()
names=$(image_names 2>/dev/null || true)
if [[ -z $names ]] && apt_update; then
	names=$(image_names 2>/dev/null || true)
fi
if [[ -z $names ]] || ! resolve; then
	if [[ -f $envfile ]]; then
		# shellcheck source=/dev/null
		. "$envfile"
		warn "cannot resolve $series from apt metadata; using the unpacked lane"
		echo "  KERNEL  $series $KVER (cached)"
		exit 0
	fi
	if [[ -z $names ]]; then
		((EUID == 0)) || die "no linux $series images in the apt lists; run 'sudo apt-get update' first"
		die "no linux $series images in the apt lists, even after apt-get update"
	fi
	die "no complete linux $series package set (image-unsigned, headers, kbuild) in apt metadata"
fi

state=$(cache_state "$KVER" "$PKGVER")
if [[ $state == ok ]]; then
	echo "  KERNEL  $series $KVER (cached)"
	exit 0
fi

# --- download -----------------------------------------------------------

# File name apt-get download gives a package (epoch ':' becomes '%3a').
deb_of() {
	local name=${1%%=*} ver=${1#*=}
	local f
	for f in "$debdir/${name}_${ver//:/%3a}"_*.deb; do
		[[ -f $f ]] && { echo "$f"; return 0; }
	done
	return 1
}

download() {
	local want=() p
	for p in "${pkgs[@]}"; do
		deb_of "$p" >/dev/null || want+=("$p")
	done
	((${#want[@]})) || return 0
	echo "  FETCH   $series ${want[*]%%=*}"
	heartbeat "FETCH   $series" "$lanedir/download.log" fetched_so_far fetch_debs "${want[@]}"
}
# A subshell, so that the cd stays in it.
fetch_debs() (cd "$debdir" && apt-get download "$@")
fetched_so_far() { echo "$(du -sm "$debdir" | cut -f1) MB in ${debdir#"$top"/}"; }

if ! download; then
	# Stale lists point at files the archive no longer has: refresh once.
	if ((EUID == 0)); then
		apt_update
		names=$(image_names 2>/dev/null || true)
		resolve || die "no complete linux $series package set after apt-get update"
		download || { tail -n 5 "$lanedir/download.log" >&2; die "apt-get download failed (log: $lanedir/download.log)"; }
	else
		tail -n 5 "$lanedir/download.log" >&2
		die "apt-get download failed (log: $lanedir/download.log)"
	fi
fi

debs=()
for p in "${pkgs[@]}"; do
	f=$(deb_of "$p") || die "downloaded package for $p not found in $debdir"
	dpkg-deb --info "$f" >/dev/null 2>&1 || { rm -f "$f"; die "corrupt package $f removed; run again"; }
	debs+=("$f")
done

# --- unpack -------------------------------------------------------------

if [[ $state == damaged ]]; then
	echo "  UNPACK  $series $KVER -> ${root#"$top"/} (lane files were missing)"
else
	echo "  UNPACK  $series $KVER -> ${root#"$top"/}"
fi
rm -f "$envfile"
# Removing an old tree takes as long as unpacking, so it is in the step.
unpack_debs() {
	rm -rf "$root"
	mkdir -p "$root"
	for f in "${debs[@]}"; do dpkg-deb -x "$f" "$root"; done
}
unpacked_so_far() { echo "$(du -sm "$root" 2>/dev/null | cut -f1) MB"; }
heartbeat "UNPACK  $series" "$lanedir/unpack.log" unpacked_so_far unpack_debs ||
	die "dpkg-deb -x failed: $(tail -n 3 "$lanedir/unpack.log")"

KDIR=$root/usr/src/linux-headers-$KVER
common=${KVER%-amd64}-common
VMLINUZ=$root/boot/vmlinuz-$KVER
MODROOT=$root/lib/modules/$KVER
[[ -f $KDIR/Makefile ]] || die "headers Makefile missing: $KDIR/Makefile"
[[ -f $VMLINUZ ]] || die "kernel image missing: $VMLINUZ"
[[ -d $MODROOT/kernel ]] || die "modules missing: $MODROOT/kernel"

# The arch headers' Makefile includes the common headers by absolute path.
old_inc="include /usr/src/linux-headers-$common/Makefile"
new_inc="include $root/usr/src/linux-headers-$common/Makefile"
grep -qxF "$old_inc" "$KDIR/Makefile" ||
	die "unexpected $KDIR/Makefile (no '$old_inc'): $(head -n 3 "$KDIR/Makefile")"
awk -v old="$old_inc" -v new="$new_inc" '$0 == old { $0 = new } { print }' \
	"$KDIR/Makefile" >"$KDIR/Makefile.tmp"
mv "$KDIR/Makefile.tmp" "$KDIR/Makefile"

# Absolute symlinks (lib/modules/$KVER/build and source, and scripts/tools if
# a release ever ships them absolute) are made relative within the lane.
while IFS= read -r -d '' link; do
	target=$(readlink "$link")
	if [[ -e $root$target ]]; then
		ln -sfn "$(realpath -ms --relative-to="$(dirname "$link")" "$root$target")" "$link"
	else
		warn "dangling absolute symlink ${link#"$root"} -> $target"
	fi
done < <(find "$root" -type l -lname '/*' -print0)

for d in "$KDIR/scripts" "$KDIR/tools" "$root/usr/src/linux-headers-$common/scripts"; do
	[[ -e $d/. ]] || die "broken symlink in the headers: $d -> $(readlink "$d")"
done

# Any other absolute reference in the build machinery would silently use the
# host's /usr/src. Flag it (comments in scripts we never run do not matter).
refs=$(grep -rnE '^[^#]*(^|[^[:alnum:]_./-])/usr/(src/linux-headers|lib/linux-kbuild)' \
	--include='Makefile*' --include='Kbuild*' --include='*.include' --include='.kernelvariables' \
	"$KDIR" "$root/usr/src/linux-headers-$common" "$root/usr/lib/"linux-kbuild-* 2>/dev/null || true)
[[ -z $refs ]] || die "absolute /usr/src or kbuild references left in the headers:"$'\n'"$refs"

# The packages do not ship modules.dep; generate it for this lane.
depmod -b "$root" "$KVER" || die "depmod failed for $KVER"
[[ -s $MODROOT/modules.dep ]] || die "depmod produced no $MODROOT/modules.dep"

# --- uncompressed kernel ------------------------------------------------

# Under TCG, decompressing the bzImage takes seconds before the kernel even
# starts (6.1 is xz-compressed). A CONFIG_PVH kernel boots from its ELF
# vmlinux directly, so unpack that once here. The bzImage setup header gives
# the payload: setup_sects at 0x1f1, payload_offset/length at 0x248/0x24c
# (relative to the protected-mode code). The payload's last 4 bytes hold the
# uncompressed size for gzip, xz and zstd kernels, which checks the result.
extract_vmlinux() { # bzImage out
	local img=$1 out=$2 sects off len size magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	((sects)) || sects=4
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	off=$(((sects + 1) * 512 + off))
	((len > 4)) || return 1
	size=$(od -An -tu4 -j $((off + len - 4)) -N4 "$img" | tr -d ' ')
	magic=$(od -An -tx1 -j "$off" -N6 "$img" | tr -d ' \n')
	# Decompressors complain about the trailing size word; the size check
	# below is what counts.
	case $magic in
	1f8b*) tail -c +$((off + 1)) "$img" | head -c "$len" | gzip -dc >"$out" 2>/dev/null || true ;;
	fd377a585a00) tail -c +$((off + 1)) "$img" | head -c "$len" | xz -dc --single-stream >"$out" 2>/dev/null || true ;;
	28b52ffd*) tail -c +$((off + 1)) "$img" | head -c "$((len - 4))" | zstd -dcq >"$out" 2>/dev/null || true ;;
	*) return 1 ;;
	esac
	[[ $(stat -c %s "$out") == "$size" && $(od -An -tx1 -N4 "$out" | tr -d ' ') == 7f454c46 ]]
}

VMLINUX=$lanedir/vmlinux-$KVER
rm -f "$lanedir"/vmlinux-*
if ! grep -q '^CONFIG_PVH=y' "$root/boot/config-$KVER" ||
		! extract_vmlinux "$VMLINUZ" "$VMLINUX"; then
	warn "no uncompressed vmlinux for $KVER; vm-run.sh will boot the bzImage"
	rm -f "$VMLINUX"
	VMLINUX=
fi

# --- toolchain check ----------------------------------------------------

# The headers build with the compiler the kernel was built with (gcc-12 on
# bookworm) and, with BTF for modules enabled, need pahole.
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$KDIR/.config")
need=()
command -v "${cc:-gcc-12}" >/dev/null || need+=(gcc-12)
command -v make >/dev/null || need+=(make)
if grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$KDIR/.config"; then
	command -v pahole >/dev/null || need+=(dwarves)
fi
((${#need[@]} == 0)) || "$top/scripts/deps.sh" "${need[@]}"

# Build a trivial module to prove the unpacked tree works on its own.
chk=$(mktemp -d "$lanedir/modcheck.XXXXXX")
trap 'rm -rf "$chk"' EXIT
cat >"$chk/lanecheck.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>

static int __init lanecheck_init(void)
{
	return 0;
}
module_init(lanecheck_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kernels.sh build check");
EOF
echo 'obj-m := lanecheck.o' >"$chk/Kbuild"
echo "  MODCHK  $series: a test module against the unpacked headers"
if ! heartbeat "MODCHK  $series" "$chk/build.log" - make -C "$KDIR" M="$chk" modules ||
		[[ ! -f $chk/lanecheck.ko ]]; then
	tail -n 20 "$chk/build.log" >&2
	die "test module does not build against $KDIR"
fi

# Drop packages of older releases of this series.
case $series in
6.12) globs=(linux-image-6.12.*+deb12-amd64-unsigned_ linux-headers-6.12.*+deb12-amd64_
	linux-headers-6.12.*+deb12-common_ linux-kbuild-6.12.*+deb12_) ;;
6.1) globs=(linux-image-6.1.0-*-amd64-unsigned_ linux-headers-6.1.0-*-amd64_
	linux-headers-6.1.0-*-common_ linux-kbuild-6.1_) ;;
esac
for g in "${globs[@]}"; do
	# shellcheck disable=SC2231 # $g is a glob on purpose
	for f in "$debdir"/$g*.deb; do
		[[ -f $f ]] || continue
		[[ " ${debs[*]} " == *" $f "* ]] || rm -f "$f"
	done
done

# --- lane.env -----------------------------------------------------------

{
	echo "# Generated by scripts/kernels.sh $series; do not edit."
	printf 'SERIES=%q\n' "$series"
	printf 'PKGVER=%q\n' "$PKGVER"
	printf 'KVER=%q\n' "$KVER"
	printf 'KDIR=%q\n' "$KDIR"
	printf 'VMLINUZ=%q\n' "$VMLINUZ"
	printf 'VMLINUX=%q\n' "$VMLINUX"
	printf 'MODROOT=%q\n' "$MODROOT"
	printf 'NMODFILES=%q\n' "$(count_modfiles "$MODROOT")"
} >"$envfile.tmp"
mv "$envfile.tmp" "$envfile"
echo "  KERNEL  $series $KVER"
