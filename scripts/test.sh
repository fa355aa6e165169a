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
# Between 2 and 3, scripts/test-distro.sh's guests: the module built out of
# tree (top-level Makefile, compat/) on the 6.12 kernel of 2, and by DKMS
# on Debian 12's own 6.1 kernel, booted unmodified.
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
. "$(dirname "$0")/test-distro.sh"

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
	# The same kernel with the external build of the module.
	if [ "$mode" = m ]; then
		external_612 "$B"
	fi
done

# Debian 12's own kernel with the module built by DKMS.
external_debian

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
