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
"$top/scripts/module-sources.sh" "$out"
make -C "$kdir" M="$out" "$@" modules
