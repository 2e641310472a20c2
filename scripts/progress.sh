# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced (bash) by the scripts whose steps take minutes, so that a long
# make check never looks hung: while a step runs, one line every
# PROGRESS_EVERY seconds (default 30); a step that ends sooner prints none.
# The step runs in the foreground (Ctrl-C reaches it), the lines come from
# a background loop that also stops if this script dies.

progress_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# "2m05s" for a number of seconds.
progress_elapsed() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# heartbeat <label> <log> <status-command|-> <command...>: run the command
# with its output in <log> and, while it runs, print
# "  <label>: <elapsed>[, <status>]", the status being what the status
# command prints then (- for none). Returns the command's exit status.
heartbeat() {
	local label=$1 log=$2 status_cmd=$3 beat rc=0
	shift 3
	heartbeat_lines "$label" "$status_cmd" "$$" &
	beat=$!
	"$@" >"$log" 2>&1 || rc=$?
	kill "$beat" 2>/dev/null || true
	wait "$beat" 2>/dev/null || true
	return "$rc"
}

heartbeat_lines() {	# <label> <status-command|-> <pid to outlive not>
	local label=$1 status_cmd=$2 parent=$3 start=$SECONDS status
	# sleep must not hold our stdout: a pipe reading it would wait for
	# the sleep after this loop is killed.
	while sleep "${PROGRESS_EVERY:-30}" >/dev/null 2>&1; do
		kill -0 "$parent" 2>/dev/null || return 0
		status=''
		[ "$status_cmd" = - ] || status=$($status_cmd 2>/dev/null || true)
		echo "  $label: $(progress_elapsed $((SECONDS - start)))${status:+, $status}"
	done
}

# run_vm <label> <log> <vm-run.sh arguments...>: one VM run, its progress
# shown as it goes (scripts/lane-progress.sh); returns vm-run.sh's status.
# stderr is vm-run.sh's: its own verdicts.
run_vm() {
	local label=$1 log=$2 follow rc=0
	shift 2
	rm -f "$log"	# lane-progress.sh must not read an old run's log
	"$progress_dir/lane-progress.sh" "$label" "$log" "$$" &
	follow=$!
	"$progress_dir/vm-run.sh" "$@" --log "$log" >/dev/null || rc=$?
	kill "$follow" 2>/dev/null || true
	wait "$follow" 2>/dev/null || true
	return "$rc"
}

# tap_status <log>: "<n> done, last <name>" of a TAP log so far.
tap_status() {
	local n last
	n=$(grep -cE '^(not )?ok [0-9]' "$1" || true)
	last=$(grep -E '^(not )?ok [0-9]' "$1" | tail -n 1 | sed -E 's/^(not )?ok [0-9]+ //; s/ #.*//' | cut -c1-60)
	[ "$n" = 0 ] || echo "$n done, last $last"
}
