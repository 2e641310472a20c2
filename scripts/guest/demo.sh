#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for `make demo` and `make bench`:
# runs /exo/setup.sh if there is one, loads exo.ko (with the parameters in
# /exo/insmod.args if there are any), runs the program named in
# /exo/demo.cmd, unloads exo.ko.
if [ -f /exo/setup.sh ]; then
	sh /exo/setup.sh || exit 1
fi
args=
[ -f /exo/insmod.args ] && args=$(cat /exo/insmod.args)
echo
echo "=== in the guest: insmod exo.ko $args ==="
# shellcheck disable=SC2086
insmod /exo/exo.ko $args || exit 1
ls -l /dev/exo
cmd=$(cat /exo/demo.cmd)
echo "=== in the guest: $cmd ==="
# shellcheck disable=SC2086
$cmd
rc=$?
rmmod exo || rc=1
echo "=== in the guest: rmmod exo, done ==="
exit $rc
