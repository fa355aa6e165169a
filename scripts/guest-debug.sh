#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the debug run: the whole kselftest suite, with a longer
# stress run (fault injection included), then a kmemleak scan. Whatever
# the kernel says goes to the serial log, where the host looks for splats.
KMEMLEAK=/sys/kernel/debug/kmemleak
# Leaks from boot are not ours: forget them before the tests.
[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
export SYNCHMESS_STRESS_SECONDS=${SYNCHMESS_STRESS_SECONDS:-30}
export SYNCHMESS_FUZZ_SECONDS=${SYNCHMESS_FUZZ_SECONDS:-15}
cd /kselftest || exit 1
./run_kselftest.sh
rc=$?
if [ -w $KMEMLEAK ]; then
	# An object is reported only once it is old enough and unreferenced
	# in two scans.
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	echo "SYNCHMESS-KMEMLEAK $leaks leaks"
	[ "$leaks" -eq 0 ] || { cat $KMEMLEAK; rc=1; }
else
	echo "SYNCHMESS-CHECK no kmemleak in this kernel"
fi
exit $rc
