#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xn_log replay's check of one replayed image (/dev/loop2, see crash.sh):
# load exo.ko on it and run `xn_crash verify`. Exits 0 if consistent, 1 if
# not, 2 if the check could not run. What verify says is shown as
# comments, so that its TAP is not counted as the lane's.
insmod /exo/exo.ko disk=/dev/loop2 pool_mb=8 || exit 2
/exo/bin/xn_crash verify >/tmp/verify.out 2>&1
rc=$?
rmmod exo || exit 2
case $rc in
0) exit 0 ;;
1) grep -v -e '^ok ' -e '^TAP' -e '^1\.\.' -e '^# Totals' /tmp/verify.out | sed 's/^/#   /'; exit 1 ;;
*) sed 's/^/#   /' /tmp/verify.out; exit 2 ;;
esac
