# SPDX-License-Identifier: GPL-2.0
# Judging a guest's serial log: whether the guest finished and the kernel
# said nothing bad, and the KCSAN reports sorted by whether they name
# synchmess (kcsan-reports.awk). Sourced by vm.sh.
# shellcheck shell=bash

# Decide from a serial log: the guest finished, saw two CPUs, and the
# kernel said nothing bad. Prints the reasons it fails.
check_guest_log() {
	local logf=$1 bad=0 pat
	grep -q '^SYNCHMESS-GUEST-DONE' "$logf" ||
		{ echo "FAIL: the guest did not finish" >&2; bad=1; }
	grep -q '^SYNCHMESS-CPUS 2$' "$logf" ||
		{ echo "FAIL: the guest did not see two CPUs" >&2; bad=1; }
	for pat in 'BUG:' 'WARNING:' 'Oops' 'Kernel panic' \
		   'sleeping function called from invalid context' \
		   'possible recursive locking' 'possible circular locking' \
		   'inconsistent lock state' 'lockdep' 'INFO: task .* blocked' \
		   'rcu_sched self-detected stall' 'rcu: INFO' 'general protection' \
		   'kmemleak:.*new suspected memory leaks' 'UBSAN:' 'KASAN:' \
		   'SYNCHMESS-DEBUG-LOCKS-OFF'; do
		if grep -E "$pat" "$logf" | grep -v '^SYNCHMESS-CHECK' >/dev/null; then
			echo "FAIL: kernel log shows '$pat':" >&2
			grep -E -m3 "$pat" "$logf" >&2
			bad=1
		fi
	done
	return $bad
}

# Sort the KCSAN reports of serial log $1: those naming synchmess (in the
# title, as the function that made an access, or among the callers of
# every access; a frame is the driver's by its function's name, or
# "[synchmess]" with the driver as a module; the "Comm:" and "Workqueue:"
# lines, which say what ran on the CPU, do not count, nor do the frames
# under an interrupt's entry in an access by interrupt, which are the
# interrupted task's) go to
# $1.kcsan-synchmess, the others to $1.kcsan-other, and $1.filtered is the
# log without the others, for check_guest_log. A report runs from its
# "BUG: KCSAN:" line to the "=====" line that closes it. When KCSAN cannot
# find the racing access in its own stack trace (an access it reordered,
# modelling weak memory), it says so first with a WARNING of its own
# ("Cannot find frame for ... in stack trace", up to "end trace"): that
# warning goes with the report that follows. Prints the counts.
split_kcsan_reports() {
	local logf=$1
	awk -v mine="$logf.kcsan-synchmess" -v other="$logf.kcsan-other" \
	    -v rest="$logf.filtered" \
	    -f "$TOP/scripts/lib/kcsan-reports.awk" "$logf"
}
