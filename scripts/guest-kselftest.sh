#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of test.sh: run the installed kselftests the way
# "make kselftest TARGETS=synchmess" runs them; then, when the initramfs has
# them, the same kselftests built as 32-bit programs (/kselftest32, every
# ioctl through the compat path), between markers the host counts by; then
# one quick round of the benchmark, which is no test but has to keep working.
cd /kselftest || exit 1
./run_kselftest.sh
rc=$?
if [ -d /kselftest32 ]; then
	echo "SYNCHMESS-KSELFTEST32 begin"
	(cd /kselftest32 && ./run_kselftest.sh)
	rc32=$?
	echo "SYNCHMESS-KSELFTEST32 end rc=$rc32"
	[ "$rc" -ne 0 ] || rc=$rc32
fi
if [ ! -x synchmess/synchmess_bench ]; then
	# A point of the series before the benchmark (test-points.sh).
	echo "SYNCHMESS-BENCH absent"
elif synchmess/synchmess_bench -r 1 -q >/tmp/bench.txt 2>&1 &&
   [ "$(grep -c '^ratio ' /tmp/bench.txt)" -ge 5 ]; then
	echo "SYNCHMESS-BENCH ran"
else
	echo "SYNCHMESS-BENCH failed:"
	cat /tmp/bench.txt
fi
exit $rc
