#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for `make demo` and `make bench`:
# loads exo.ko, runs the program named in /exo/demo.cmd, unloads exo.ko.
echo
echo "=== in the guest: insmod exo.ko ==="
insmod /exo/exo.ko || exit 1
ls -l /dev/exo
cmd=$(cat /exo/demo.cmd)
echo "=== in the guest: $cmd ==="
# shellcheck disable=SC2086
$cmd
rc=$?
rmmod exo || rc=1
echo "=== in the guest: rmmod exo, done ==="
exit $rc
