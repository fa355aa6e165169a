#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything the project checks, fast checks first:
#  1. the static gate's checks that need no build (series current,
#     checkpatch, kernel-doc, uapi header, documentation);
#  2. the synchmess kselftests in QEMU (TCG, two vCPUs) on a kernel with the
#     driver as a module (with unload and reload), then built in;
#  3. the same suite on a debug kernel (KASAN, lockdep, kmemleak, debug
#     objects, fault injection) with a longer stress run and a kmemleak
#     scan at the end;
#  4. the static gate's checks that build (bisectability, W=1, sparse,
#     coccicheck, clang).
# A run fails on a failed test, a guest that does not finish, or a kernel
# log with BUG, WARNING, lockdep, KASAN, kmemleak or atomic-sleep reports.
#
#   scripts/test.sh
#
# Installs what it needs from Debian. Build output and caches live in
# ~/.cache/synchmess (SYNCHMESS_CACHE), so a second run rebuilds only what
# changed. Ends with "N passed, N failed" and a non-zero exit on failure.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

T0=$SECONDS
mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
RESULTS=$CACHE/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
FAILED_RUNS=0
PASS=0
FAIL=0

log "static gate, checks without a build"
"$TOP/scripts/check-static.sh" --fast || FAILED_RUNS=$((FAILED_RUNS + 1))

# boot_and_count NAME BUILD GUEST_CMD LIMIT: boot, show the TAP lines, add
# up the results; a failed run counts as a failure of its own.
boot_and_count() {
	local name=$1 b=$2 cmd=$3 limit=$4 logf=$RESULTS/serial-$1.log
	local t0=$SECONDS pass fail skipped top_fail

	make_initramfs "$b" "$cmd"
	log "booting the guest ($name)"
	boot_guest "$b" "$logf" "$limit" |
		grep -E '^(#|ok|not ok|TAP|1\.\.|SYNCHMESS-)' || true
	log "guest ran for $((SECONDS - t0)) s"
	check_guest_log "$logf" || FAILED_RUNS=$((FAILED_RUNS + 1))
	pass=$(grep -c '^# ok ' "$logf" || true)
	fail=$(grep -c '^# not ok ' "$logf" || true)
	skipped=$(grep -c '^# ok .* # SKIP' "$logf" || true)
	top_fail=$(grep -c '^not ok ' "$logf" || true)
	[ "$top_fail" -eq 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
	[ "$pass" -gt 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
	log "$name: $pass ok ($skipped skipped), $fail not ok, $top_fail test programs failed"
	PASS=$((PASS + pass))
	FAIL=$((FAIL + fail))
}

prepare_tree
B=$CACHE/build
for mode in m y; do
	build_kernel "$B" "$mode"
	if [ "$mode" = m ]; then
		build_selftests "$B"
		build_tool "$B"
	fi
	boot_and_count "synchmess=$mode" "$B" \
		"$TOP/scripts/guest-kselftest.sh" 1500
	if ! grep -q '^SYNCHMESS-BENCH ran' "$RESULTS/serial-synchmess=$mode.log"; then
		echo "FAIL: synchmess_bench did not run to its end" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
done

BD=$CACHE/build-debug
EXTRA_CONFIG=$TOP/scripts/debug.config build_kernel "$BD" m
build_selftests "$BD"
build_tool "$BD"
boot_and_count debug "$BD" "$TOP/scripts/guest-debug.sh" 2700
if ! grep -q '^SYNCHMESS-KMEMLEAK 0 leaks' "$RESULTS/serial-debug.log"; then
	echo "FAIL: kmemleak did not report a clean scan" >&2
	FAILED_RUNS=$((FAILED_RUNS + 1))
fi

log "static gate, checks that build"
"$TOP/scripts/check-static.sh" --slow || FAILED_RUNS=$((FAILED_RUNS + 1))

log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
FAIL=$((FAIL + FAILED_RUNS))
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
