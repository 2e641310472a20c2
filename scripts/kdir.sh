#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the KDIR of a VM lane's unpacked Debian headers, fetching them first
# if needed. Usage: scripts/kdir.sh <6.12|6.1|debug>
# The debug lane is built from source by scripts/debug-kernel.sh, which is
# always asked (a cache hit takes a second) so a changed fragment rebuilds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${1:?usage: scripts/kdir.sh <6.12|6.1|debug>}
env="$top/build/kernels/$series/lane.env"
if [ "$series" = debug ]; then
	"$top/scripts/debug-kernel.sh" >&2
else
	[ -f "$env" ] || "$top/scripts/kernels.sh" "$series" >&2
fi
# shellcheck source=/dev/null
. "$env"
echo "$KDIR"
