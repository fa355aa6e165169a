#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the series at its points (scripts/lib/points.sh): at the end of
# each feature with its tests, the selftests of that point on the driver
# of that point. test.sh runs every point but the last (stage "points"),
# whose suite is the tree's own.
#
#   scripts/test-points.sh          every point, the last one included
#   scripts/test-points.sh N...     only the points after patch N
set -euo pipefail
. "$(dirname "$0")/vm.sh"
. "$(dirname "$0")/lib/points.sh"

mapfile -t POINTS < <(series_points)
[ $# -eq 0 ] || POINTS=("$@")

mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
RESULTS=${SYNCHMESS_RESULTS:-$CACHE/results-points}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
FAILED_RUNS=0
PASS=0
FAIL=0
T0=$SECONDS
run_points "${POINTS[@]}"
log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
FAIL=$((FAIL + FAILED_RUNS))
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
