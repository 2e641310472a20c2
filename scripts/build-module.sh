#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build exo.ko for one VM lane into build/mod/<lane>/module/exo.ko, from a
# copy of the sources so that lanes and in-tree builds never share objects.
# Usage: scripts/build-module.sh <6.12|6.1|debug> [extra kbuild args, e.g. W=1 C=1]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lane=${1:?usage: scripts/build-module.sh <6.12|6.1|debug> [kbuild args]}
shift
kdir=$("$top/scripts/kdir.sh" "$lane")
out="$top/build/mod/$lane"
rm -rf "$out"
mkdir -p "$out/uapi/linux"
cp "$top/Kbuild" "$out/"
# The sources only, folders and all: never an in-tree build's objects.
(cd "$top" && find module \( -name '*.[ch]' -o -name Kbuild \) -print0) |
	tar -C "$top" --null -T - -cf - | tar -C "$out" -xf -
cp "$top/uapi/linux/exo.h" "$out/uapi/linux/"
make -C "$kdir" M="$out" "$@" modules
