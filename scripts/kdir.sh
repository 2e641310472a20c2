#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the KDIR of a VM lane's unpacked Debian headers, fetching them first
# if needed. Usage: scripts/kdir.sh <6.12|6.1>
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
series=${1:?usage: scripts/kdir.sh <6.12|6.1>}
env="$top/build/kernels/$series/lane.env"
[ -f "$env" ] || "$top/scripts/kernels.sh" "$series" >&2
# shellcheck source=/dev/null
. "$env"
echo "$KDIR"
