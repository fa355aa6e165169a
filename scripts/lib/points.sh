# SPDX-License-Identifier: GPL-2.0
# The series at its points: where a feature is complete with its tests
# (the last selftests patch before each driver patch, and the last
# patch). Each point's selftests must pass on that point's driver: the
# tests of patch N test what patches 1..N built. Sourced by test.sh and
# test-points.sh, after vm.sh.
# shellcheck shell=bash

# The points of series/: the last selftests patch before each "char:"
# patch, and the last patch.
series_points() {
	local part nn prev=""

	for part in "$TOP"/series/[0-9][0-9]-*.sh; do
		nn=$(basename "$part" | cut -c1-2)
		case $(head -1 "${part%.sh}.txt") in
		"char: "*) [ -z "$prev" ] || echo "$prev"; prev="";;
		"selftests: "*) prev=$nn;;
		esac
	done
	[ -z "$prev" ] || echo "$prev"
}

# run_points N...: apply patches/ up to each patch N to a clone of the
# base tree sharing its objects ($CACHE/points-src), build the guest
# kernel (driver as a module) and that point's selftests in one build
# directory ($CACHE/build-points), so that after the first point only
# the driver and the selftests are rebuilt, and boot and count them.
run_points() {
	local src=$CACHE/points-src b=$CACHE/build-points nn p n

	ensure_base_tree
	if [ ! -d "$src/.git" ]; then
		rm -rf "$src"
		git clone -q --shared --no-checkout "$KSRC" "$src"
	fi
	for nn in "$@"; do
		log "the series up to patch $nn"
		git -C "$src" am --abort >/dev/null 2>&1 || true
		git -C "$src" reset -q --hard pristine
		git -C "$src" clean -fdq
		for p in "$TOP"/patches/00[0-9][0-9]-*.patch; do
			n=$(basename "$p" | cut -c1-4)
			((10#$n == 0)) && continue
			((10#$n > 10#$nn)) && break
			git -C "$src" am -q "$p" || die "patch $n does not apply"
		done
		# What build_kernel's stamp names: the series up to this point.
		git -C "$src" rev-parse HEAD >"$src/.git/synchmess-series"
		KSRC=$src build_kernel "$b" m
		KSRC=$src build_selftests "$b"
		boot_and_count "point-$nn" "$b" "$TOP/scripts/guest-kselftest.sh" 1800
	done
}
