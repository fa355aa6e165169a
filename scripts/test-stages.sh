#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the series at each point where a feature is complete with its tests
# (the last selftests patch of each feature, see series/): apply patches/
# up to that patch to a tree of its own, build the guest kernel (driver
# as a module) and that point's selftests, boot and run them. Every point
# must pass with the driver of that point: the tests of patch N test
# what patches 1..N built.
#
#   scripts/test-stages.sh          every point
#   scripts/test-stages.sh N...     only the points after patch N
#
# A clone of the base tree sharing its objects ($CACHE/stage-src) and one
# build directory ($CACHE/build-stage) serve every point, so after the
# first one only the driver and the selftests are rebuilt. Not part of
# test.sh, whose suite runs on the whole series: the points add about a
# kernel build and four boots, which .ci/run's time cannot afford cold.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

POINTS=("$@")
if [ ${#POINTS[@]} -eq 0 ]; then
	# The last selftests patch before each driver patch, and the last.
	prev=""
	for part in "$TOP"/series/[0-9][0-9]-*.sh; do
		nn=$(basename "$part" | cut -c1-2)
		case $(head -1 "${part%.sh}.txt") in
		"char: "*) [ -n "$prev" ] && POINTS+=("$prev"); prev="";;
		"selftests: "*) prev=$nn;;
		esac
	done
	[ -n "$prev" ] && POINTS+=("$prev")
fi

mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
ensure_base_tree
SRC=$CACHE/stage-src
if [ ! -d "$SRC/.git" ]; then
	rm -rf "$SRC"
	git clone -q --shared --no-checkout "$KSRC" "$SRC"
fi
RESULTS=${SYNCHMESS_RESULTS:-$CACHE/results-stages}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
B=$CACHE/build-stage
FAILED_RUNS=0
PASS=0
FAIL=0
T0=$SECONDS
for nn in "${POINTS[@]}"; do
	log "the series up to patch $nn"
	git -C "$SRC" am --abort >/dev/null 2>&1 || true
	git -C "$SRC" reset -q --hard pristine
	git -C "$SRC" clean -fdq
	for p in "$TOP"/patches/00[0-9][0-9]-*.patch; do
		n=$(basename "$p" | cut -c1-4)
		((10#$n == 0)) && continue
		((10#$n > 10#$nn)) && break
		git -C "$SRC" am -q "$p" || die "patch $n does not apply"
	done
	# What build_kernel's stamp names: the series up to this point.
	git -C "$SRC" rev-parse HEAD >"$SRC/.git/synchmess-series"
	KSRC=$SRC build_kernel "$B" m
	KSRC=$SRC build_selftests "$B"
	rm -rf "$B/tool-root" "$B/kselftest32"
	boot_and_count "stage-$nn" "$B" "$TOP/scripts/guest-kselftest.sh" 1800
done
log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
echo "$PASS passed, $FAIL failed"
[ "$FAILED_RUNS" -eq 0 ] && [ "$FAIL" -eq 0 ]
