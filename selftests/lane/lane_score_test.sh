#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scripts/lane-score.sh: a lane whose log lost a "# Totals:"
# line, ran fewer tests than a binary lists, never ran a binary, skipped a
# selftest or exited early must fail; the whole log must pass; a dead
# guest's failure, and a failed test's, shows the last console lines and
# the log's path.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf 'a_test 2\nb_test 1\n' >"$tmp/expected"
good() {
	cat <<'LOG'
EXO-TEST-BEGIN a_test
ok 1 a.one
ok 2 a.two
# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
EXO-TEST-END a_test 0
EXO-TEST-BEGIN b_test
ok 1 b.one
# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0
EXO-TEST-END b_test 0
EXO-RMMOD 0
LOG
}

n=0 pass=0 fail=0
echo "TAP version 13"
echo "1..9"
# verdict <name> <held: 0|1> <what was seen>: one TAP line, and
# lane-score's stderr under a failure.
verdict() {
	n=$((n + 1))
	if [[ $2 == 1 ]]; then
		pass=$((pass + 1))
		echo "ok $n $1"
	else
		fail=$((fail + 1))
		echo "not ok $n $1 ($3)"
		sed 's/^/# /' "$tmp/err"
	fi
}

# score <name> <want failed: 0|1> < log
score() {
	local name=$1 want=$2 p f s held=0
	cat >"$tmp/log"
	read -r p f s < <("$top/scripts/lane-score.sh" t "$tmp/log" 0 60 "$tmp/expected" 2>"$tmp/err")
	[[ -n $f ]] || f=-1	# lane-score.sh itself failed
	if { [[ $want == 0 ]] && ((f == 0)); } || { [[ $want != 0 ]] && ((f > 0)); }; then
		held=1
	fi
	verdict "$name" "$held" "passed $p failed $f skipped $s"
}

score "the whole log passes" 0 < <(good)
score "a lost # Totals: line fails" 1 < <(good | sed '0,/^# Totals/{/^# Totals/d}')
score "a binary that ran 1 of its 2 tests fails" 1 < <(good | sed '/^ok 2 a.two/d; s/pass:2 fail/pass:1 fail/')
score "a binary that never ran fails" 1 < <(good | sed '/b_test/,/EXO-TEST-END b_test/d')
score "a skipped selftest fails" 1 \
	< <(good | sed 's/^ok 1 b.one/ok 1 b.one # SKIP no veth/; s/pass:1 fail:0 xfail:0 xpass:0 skip:0/pass:0 fail:0 xfail:0 xpass:0 skip:1/')
score "a run cut short fails" 1 < <(good | sed '/EXO-TEST-END b_test/,$d')
score "a failed rmmod fails" 1 < <(good | sed 's/^EXO-RMMOD 0/EXO-RMMOD 1/')
# A guest killed as dead (vm-run exit 123): its last words are shown.
{ good; echo "MARKER-LAST-WORDS"; } >"$tmp/log"
read -r p f s < <("$top/scripts/lane-score.sh" t "$tmp/log" 123 60 "$tmp/expected" 2>"$tmp/err")
held=0
if ((${f:-0} > 0)) && grep -q 'last 40 console lines' "$tmp/err" &&
	grep -q '| MARKER-LAST-WORDS' "$tmp/err" && grep -q "full console log is $tmp/log" "$tmp/err"; then
	held=1
fi
verdict "a dead guest shows its last console lines and the log" "$held" "failed ${f:-none}"
# A failed test (vm-run exit 1): the same, so the end of the run is seen.
{ good | sed 's/^ok 1 b.one/not ok 1 b.one/; s/pass:1 fail:0 xfail/pass:0 fail:1 xfail/'; echo "MARKER-LAST-WORDS"; } >"$tmp/log"
read -r p f s < <("$top/scripts/lane-score.sh" t "$tmp/log" 1 60 "$tmp/expected" 2>"$tmp/err")
held=0
if ((${f:-0} > 0)) && grep -q 'last 40 console lines' "$tmp/err" &&
	grep -q '| MARKER-LAST-WORDS' "$tmp/err" && grep -q "full console log is $tmp/log" "$tmp/err"; then
	held=1
fi
verdict "a failed test shows the last console lines and the log" "$held" "failed ${f:-none}"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
((fail == 0))
