#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make sure the Debian packages the build and the VM lane need are installed.
#
# Usage: scripts/deps.sh [pkg...]
#
# With no arguments the default package list below is checked. Missing
# packages are installed with apt-get when running as root; otherwise the
# exact sudo command is printed and the script exits 1.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

default_pkgs=(
	qemu-system-x86 busybox-static cpio kmod sparse
	libnl-3-dev libnl-genl-3-dev linux-source-6.12
	pkg-config xz-utils zstd gcc make
	dwarves # pahole: 6.12 headers build BTF into modules
	clang libfuzzer-14-dev # make fuzz-host: libFuzzer targets of module/core
	dkms # make dkms-install, and the DKMS build check of both lanes
	dpkg-dev # make deb: dpkg-shlibdeps computes the packages' Depends
	gnuplot-nox # make bench's plots, and make check's test of them
)

die() { echo "deps: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null || die "dpkg-query not found (this script needs Debian or a derivative)"

if (($#)); then
	pkgs=("$@")
else
	pkgs=("${default_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "  DEPS    ${#pkgs[@]}/${#pkgs[@]} packages installed"
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them with:" >&2
	echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi

echo "  DEPS    installing ${missing[*]}"
log="$top/build/deps-apt.log"
mkdir -p "$(dirname "$log")"
: >"$log"

# Wait for a concurrent apt/dpkg run to finish instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=900)

# Refresh the package lists once. Third-party sources that cannot be reached
# make apt-get update exit non-zero even when Debian's own lists were
# fetched, so a failure here is only a warning: the install below decides.
# shellcheck source=scripts/progress.sh
. "$top/scripts/progress.sh"
if ! heartbeat "DEPS    apt-get update" "$log.update" - apt-get "${apt_opts[@]}" update; then
	echo "deps: warning: apt-get update reported errors (see $log)" >&2
fi
cat "$log.update" >>"$log"

install_rc=0
heartbeat "DEPS    apt-get install" "$log.install" - env DEBIAN_FRONTEND=noninteractive \
	apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" || install_rc=$?
cat "$log.install" >>"$log"
if [ "$install_rc" != 0 ]; then
	tail -n 20 "$log" >&2
	die "apt-get install failed for: ${missing[*]} (full log: $log)"
fi

# Double-check: apt-get can succeed without installing a virtual package.
still=()
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || still+=("$p")
done
((${#still[@]} == 0)) || die "still not installed after apt-get: ${still[*]} (log: $log)"
