#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything the project checks: the series is current, applies to the
# pristine tree, and the kernel built from it passes the synchmess
# kselftests in QEMU (TCG, two vCPUs) with the driver as a module (with
# unload and reload) and built in, with a kernel log free of BUG, WARNING,
# lockdep and atomic-sleep reports.
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

log "checking that patches/ is current"
"$TOP/scripts/gen-patches.sh" --check

prepare_tree
B=$CACHE/build
RESULTS=$CACHE/results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
FAILED_RUNS=0

for mode in m y; do
	build_kernel "$B" "$mode"
	[ "$mode" = m ] && build_selftests "$B" && build_tool "$B"
	make_initramfs "$B" "$TOP/scripts/guest-kselftest.sh"
	log "booting the guest (CONFIG_SYNCHMESS=$mode)"
	t0=$SECONDS
	boot_guest "$B" "$RESULTS/serial-$mode.log" 1500 |
		grep -E '^(#|ok|not ok|TAP|1\.\.|SYNCHMESS-)' || true
	log "guest ran for $((SECONDS - t0)) s"
	if ! check_guest_log "$RESULTS/serial-$mode.log"; then
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
	grep -c '^# ok ' "$RESULTS/serial-$mode.log" >"$RESULTS/pass-$mode" || true
	grep -c '^# not ok ' "$RESULTS/serial-$mode.log" >"$RESULTS/fail-$mode" || true
	top_fail=$(grep -c '^not ok ' "$RESULTS/serial-$mode.log" || true)
	[ "$top_fail" -eq 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
	skipped=$(grep -c '^# ok .* # SKIP' "$RESULTS/serial-$mode.log" || true)
	log "CONFIG_SYNCHMESS=$mode: $(cat "$RESULTS/pass-$mode") ok ($skipped skipped), $(cat "$RESULTS/fail-$mode") not ok, $top_fail test programs failed"
done

PASS=$(($(cat "$RESULTS/pass-m") + $(cat "$RESULTS/pass-y")))
FAIL=$(($(cat "$RESULTS/fail-m") + $(cat "$RESULTS/fail-y")))
[ "$PASS" -gt 0 ] || FAILED_RUNS=$((FAILED_RUNS + 1))
log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
[ "$FAILED_RUNS" -eq 0 ] || FAIL=$((FAIL + FAILED_RUNS))
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
