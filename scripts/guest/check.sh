#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest as /exo/run.sh for `make check`: loads exo.ko, runs
# every selftest in the order of /exo/tests.list, then unloads the module.
# The host reads the EXO-* marker lines and the harness's "# Totals:" lines.
export EXO_KO=/exo/exo.ko
if ! insmod /exo/exo.ko; then
	echo "EXO-INSMOD-FAILED"
	exit 1
fi
rc=0
for name in $(cat /exo/tests.list); do
	echo "EXO-TEST-BEGIN $name"
	/exo/tests/"$name"
	trc=$?
	echo "EXO-TEST-END $name $trc"
	[ "$trc" -eq 0 ] || rc=1
done
if grep -q '^exo ' /proc/modules; then
	rmmod exo
	echo "EXO-RMMOD $?"
else
	echo "EXO-RMMOD unloaded-by-tests"
fi
exit $rc
