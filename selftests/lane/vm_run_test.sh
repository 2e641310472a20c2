#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/vm-run.sh's accelerator choice and dead-guest
# handling, with a fake qemu-system-x86_64 first on PATH. The fake plays a
# guest from its arguments and from FAKE_* variables:
#   FAKE_KVM=ok|internal|abort   what -accel kvm does (internal: print
#                                "KVM internal error" and hang, as a broken
#                                KVM does; abort: QEMU's MSR assertion)
#   FAKE_BOOT_KVM=ok|internal    the same for the real boot (not the probe)
#   FAKE_TCG=ok|silent|early-oops-once|no-init|report (FAKE_REPORT, a
#                                kernel report line, then a clean exit)
# Every call appends "<accel> <probe|boot>" to $FAKE_CALLS. Each case is
# bounded by `timeout`: a fall-back that waited out the probe's or the
# boot's own limit (set to 600 s here) would fail the case.
# Needs a lane's kernel (build/kernels/6.12, from scripts/kernels.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin" "$tmp/payload"
echo 'echo payload ran' >"$tmp/payload/run.sh"
cat >"$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/usr/bin/env bash
accel='' opts='' role=boot
while (($#)); do
	case $1 in
	-accel) accel=${2%%,*} opts=$2; shift ;;
	-initrd) [[ $2 == *probe* ]] && role=probe; shift ;;
	esac
	shift
done
echo "$accel $role" >>"$FAKE_CALLS"
echo "$opts" >>"$FAKE_CALLS.opts"
guest_ok() {
	echo "exo-init: /init started at 0.5s"
	[[ $role == probe ]] && echo EXO-KVM-PROBE-OK
	echo "EXO-GUEST-EXIT: 0"
	exit 0
}
if [[ $accel == kvm ]]; then
	mode=${FAKE_KVM:-ok}
	[[ $role == boot ]] && mode=${FAKE_BOOT_KVM:-$mode}
	case $mode in
	ok) guest_ok ;;
	internal)
		echo "KVM internal error. Suberror: 1"
		echo "extra data[0]: 0x0000000000000000"
		echo "emulation failure"
		exec sleep 1000 ;;
	abort)
		echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
		kill -ABRT $$ ;;
	esac
fi
case ${FAKE_TCG:-ok} in
ok) guest_ok ;;
report)
	echo "exo-init: /init started at 0.5s"
	echo "$FAKE_REPORT"
	echo "EXO-GUEST-EXIT: 0"
	exit 0 ;;
silent) echo "exo-init: /init started at 0.5s"; exec sleep 1000 ;;
no-init) exec sleep 1000 ;;
early-oops-once)
	if [[ ! -e $FAKE_CALLS.oopsed ]]; then
		: >"$FAKE_CALLS.oopsed"
		echo "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI"
		echo "Kernel panic - not syncing: Attempted to kill the idle task!"
		exit 0
	fi
	guest_ok ;;
esac
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"

n=0 pass=0 fail=0
echo "TAP version 13"
echo "1..24"
ok() {	# ok <0 if it held> <name> [diagnostic]
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		pass=$((pass + 1))
		echo "ok $n $2"
	else
		fail=$((fail + 1))
		echo "not ok $n $2"
		[[ -z ${3:-} ]] || sed 's/^/# /' <<<"$3"
	fi
}

# The run's own id and verdict (make check's) must not leak into the cases.
unset EXO_RUN_ID EXO_ACCEL EXO_INIT_DEADLINE EXO_TCG_THREAD
export EXO_ACCEL_VERDICT=$tmp/accel.verdict

# vmrun <case> [vm-run args]: run vm-run.sh with the fake; sets rc, out,
# calls, and accel_opts (each call's -accel argument).
vmrun() {
	local c=$1
	shift
	export FAKE_CALLS=$tmp/$c.calls
	rm -f "$FAKE_CALLS" "$FAKE_CALLS.oopsed" "$FAKE_CALLS.opts"
	: >"$FAKE_CALLS"
	: >"$FAKE_CALLS.opts"
	out=$(PATH=$tmp/bin:$PATH EXO_KVM_PROBE_TIMEOUT=600 timeout 60 \
		"$top/scripts/vm-run.sh" --lane 6.12 --payload "$tmp/payload" \
		--timeout 600 --log "$tmp/$c.log" "$@" 2>&1)
	rc=$?
	calls=$(tr '\n' ',' <"$FAKE_CALLS")
	accel_opts=$(tr '\n' ',' <"$FAKE_CALLS.opts")
}
# expect <rc> <calls> <name>: the last vmrun exited <rc> after exactly
# these qemu calls.
expect() {
	local held=1
	[[ $rc == "$1" && $calls == "$2" ]] && held=0
	ok $held "$3" "want rc $1 calls '$2', got rc $rc calls '$calls'"$'\n'"$out"
}
has() {	# has <text> <name>
	grep -qF -- "$1" <<<"$out"
	ok $? "$2" "no '$1' in:"$'\n'"$out"
}

FAKE_KVM=internal vmrun kvm-hangs
expect 0 "kvm probe,tcg boot," "a KVM that hangs with an internal error is left for TCG"
has 'ACCEL   tcg (kvm probe failed: KVM internal error: emulation failure)' \
	"the fall-back says why in one ACCEL line"

FAKE_KVM=abort vmrun kvm-aborts
expect 0 "kvm probe,tcg boot," "a QEMU that aborts under KVM is left for TCG"
has 'kvm probe failed: failed to set MSR 0x10a to 0x69' "the abort's reason is named"

FAKE_KVM=ok vmrun kvm-works
expect 0 "kvm probe,kvm boot," "a KVM whose probe guest powers off is kept"

FAKE_KVM=internal EXO_ACCEL=tcg vmrun forced-tcg
expect 0 "tcg boot," "EXO_ACCEL=tcg skips the probe"

[[ $accel_opts == "tcg,thread=single," ]]
ok $? "TCG runs both vCPUs on one host thread by default" "got -accel '$accel_opts'"

FAKE_KVM=internal EXO_ACCEL=tcg EXO_TCG_THREAD=multi vmrun tcg-multi
[[ $rc == 0 && $accel_opts == "tcg,thread=multi," ]]
ok $? "EXO_TCG_THREAD=multi gives a host thread per vCPU" "got rc $rc -accel '$accel_opts'"

EXO_ACCEL=tcg EXO_TCG_THREAD=many vmrun bad-tcg-thread
expect 2 "" "EXO_TCG_THREAD=many is refused (exit 2) before any boot"

FAKE_KVM=ok EXO_ACCEL=kvm vmrun forced-kvm
expect 0 "kvm boot," "EXO_ACCEL=kvm skips the probe"

EXO_ACCEL=fast vmrun bad-accel
expect 2 "" "EXO_ACCEL=fast is refused (exit 2) before any boot"

FAKE_KVM=ok FAKE_BOOT_KVM=internal vmrun kvm-dies-in-boot
expect 0 "kvm probe,kvm boot,tcg boot," \
	"a boot that dies under auto-chosen KVM is retried once under TCG"

FAKE_TCG=silent EXO_ACCEL=tcg vmrun silent --silence 2
expect 123 "tcg boot," "a console silent after /init fails the boot fast (exit 123), no retry"

FAKE_TCG=early-oops-once EXO_ACCEL=tcg vmrun early-oops
expect 0 "tcg boot,tcg boot," "a boot that died before /init is retried once"
has 'RETRY   6.12: the guest died before /init started' "the retry is announced"

FAKE_TCG=no-init EXO_ACCEL=tcg EXO_INIT_DEADLINE=2 vmrun no-init
expect 123 "tcg boot,tcg boot," \
	"a guest that never reaches /init is killed at the deadline, retried once, then fails"

FAKE_KVM=ok EXO_RUN_ID=test-$$ vmrun cache-1
FAKE_KVM=internal FAKE_BOOT_KVM=ok EXO_RUN_ID=test-$$ vmrun cache-2
expect 0 "kvm boot," "one probe per EXO_RUN_ID: the verdict is reused"

# Kernel reports as 6.1 and 6.12 word them fail a guest that exited 0.
while IFS= read -r line; do
	FAKE_TCG=report FAKE_REPORT=$line EXO_ACCEL=tcg vmrun report
	expect 3 "tcg boot," "a console with '${line:0:40}' fails the boot (exit 3)"
done <<'REPORTS'
general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI
Oops: general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI
list_del corruption, ffff88803ff90750->prev is LIST_POISON2 (dead000000000122)
kernel BUG at lib/list_debug.c:56!
BUG: KASAN: slab-use-after-free in exo_vm_fault+0x2c/0x150 [exo]
UBSAN: array-index-out-of-bounds in module/core/filter.c:73:8
WARNING: CPU: 1 PID: 312 at net/core/dev.c:3297 skb_checksum_help+0x14e/0x180
REPORTS

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
((fail == 0))
