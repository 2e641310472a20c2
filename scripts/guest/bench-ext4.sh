#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest before `make bench`'s exo-bench: an ext4 on the
# second virtio disk, /dev/vdb, mounted where exo-bench's xn_smallfile row
# looks for it. If this fails the row says it is skipped; the bench runs.
mnt=/mnt/exo-bench-ext4
mkdir -p "$mnt"
echo "=== in the guest: mke2fs -t ext4 /dev/vdb, mount at $mnt ==="
if MKE2FS_CONFIG=/exo/mke2fs.conf /exo/bin/mke2fs -q -F -t ext4 /dev/vdb &&
	mount -t ext4 /dev/vdb "$mnt"; then
	grep " $mnt " /proc/mounts
else
	echo "bench-ext4: no ext4 on /dev/vdb; xn_smallfile will be skipped"
fi
exit 0
