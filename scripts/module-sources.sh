#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Copy what building exo.ko needs - the top Kbuild, module/'s sources and
# Kbuild files, the UAPI header - into a fresh folder, never an in-tree
# build's objects. build-module.sh builds from such a copy, and DKMS is
# given one (with dkms.conf) as its source tree.
# Usage: scripts/module-sources.sh <dest>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:?usage: scripts/module-sources.sh <dest>}
rm -rf "$dest"
mkdir -p "$dest/uapi/linux"
cp "$top/Kbuild" "$dest/"
(cd "$top" && find module \( -name '*.[ch]' -o -name Kbuild \) -print0) |
	tar -C "$top" --null -T - -cf - | tar -C "$dest" -xf -
cp "$top/uapi/linux/exo.h" "$dest/uapi/linux/"
