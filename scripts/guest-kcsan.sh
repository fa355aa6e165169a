#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the KCSAN run: the whole kselftest suite with the stress
# and fuzz tests (fault injection included), on a kernel with the data-race
# detector in strict mode. KCSAN reports on the console, where the host
# looks for them; its counters, printed at the end, show it was watching.
KCSAN=/sys/kernel/debug/kcsan
if [ ! -r $KCSAN ]; then
	echo "SYNCHMESS-CHECK no KCSAN in this kernel"
	exit 1
fi
export SYNCHMESS_STRESS_SECONDS="${SYNCHMESS_STRESS_SECONDS:-20}"
export SYNCHMESS_FUZZ_SECONDS="${SYNCHMESS_FUZZ_SECONDS:-10}"
cd /kselftest || exit 1
./run_kselftest.sh
rc=$?
grep -E '^(enabled|used_watchpoints|setup_watchpoints|data_races|assert_failures|unencodable_accesses|encoding_false_positives|no_capacity):' \
	$KCSAN | sed 's/^/SYNCHMESS-KCSAN /'
exit $rc
