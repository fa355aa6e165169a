#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything the project checks, fast checks first:
#  1. the static gate's checks that need no build (series current,
#     checkpatch, kernel-doc, uapi header, documentation);
#  2. the synchmess kselftests in QEMU (TCG, two vCPUs) on a kernel with the
#     driver as a module (with unload and reload), then the same suite
#     built as 32-bit programs (-m32) on that kernel, through the compat
#     path, then the 64-bit suite again with the driver built in; and
#     (stage "distro") scripts/test-distro.sh's guests: the module built
#     out of tree (top-level Makefile, compat/) on the 6.12 kernel of 2,
#     and by DKMS on Debian 12's own 6.1 kernel, booted unmodified; and
#     (stage "points") the series at the end of each feature with its
#     tests, that point's selftests on that point's driver
#     (scripts/lib/points.sh);
#  3. the same suite on a debug kernel (KASAN, lockdep, kmemleak, debug
#     objects, fault injection) with a longer stress run and a kmemleak
#     scan at the end;
#  4. the same suite with the stress and fuzz tests on a KCSAN kernel (the
#     data-race detector, strict): a report naming synchmess fails the run,
#     a report elsewhere in the kernel is printed and does not;
#  5. the same suite on an arm64 kernel in qemu-system-aarch64 (TCG);
#  6. the static gate's checks that build (bisectability, W=1, sparse,
#     coccicheck, clang, and W=1 and sparse for i386, arm64, riscv64).
# A run fails on a failed test, a guest that does not finish, or a kernel
# log with BUG, WARNING, lockdep, KASAN, KCSAN (in synchmess), kmemleak or
# atomic-sleep reports. The builds, boots and that judgement are
# scripts/vm.sh's parts in scripts/lib/: build.sh (build_guest), qemu.sh
# (boot_and_count), judge.sh and kcsan-reports.awk.
#
#   scripts/test.sh               everything, in the order above
#   scripts/test.sh STAGE...      only those stages, in the order above:
#                                 fast (1), x86 (2), distro, points,
#                                 debug (3), kcsan (4), arm64 (5),
#                                 slow (6)
#
# Installs what it needs from Debian. Build output and caches live in
# ~/.cache/synchmess (SYNCHMESS_CACHE), so a second run rebuilds only what
# changed; serial logs in its results/ (SYNCHMESS_RESULTS moves them).
# Ends with "N passed, N failed" and a non-zero exit on failure.
set -euo pipefail
. "$(dirname "$0")/vm.sh"
. "$(dirname "$0")/test-distro.sh"
. "$(dirname "$0")/lib/points.sh"

STAGES=" $* "
for s in "$@"; do
	case $s in
	fast|x86|distro|points|debug|kcsan|arm64|slow) ;;
	*) die "unknown stage $s (fast, x86, distro, points, debug, kcsan, arm64, slow)";;
	esac
done
# stage NAME: whether this run includes stage NAME.
stage() {
	[ "$STAGES" = "  " ] || [[ $STAGES == *" $1 "* ]]
}

# expect_line GUEST PATTERN WHAT: fail the run unless the serial log of
# GUEST has a line matching PATTERN; WHAT says what did not happen.
expect_line() {
	grep -q "$2" "$RESULTS/serial-$1.log" && return 0
	echo "FAIL: $3" >&2
	FAILED_RUNS=$((FAILED_RUNS + 1))
}

T0=$SECONDS
mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}" \
	"${M32_PACKAGES[@]}" "${ARM64_PACKAGES[@]}"
RESULTS=${SYNCHMESS_RESULTS:-$CACHE/results}
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
FAILED_RUNS=0
PASS=0
FAIL=0

if stage fast; then
	log "static gate, checks without a build"
	"$TOP/scripts/check-static.sh" --fast || FAILED_RUNS=$((FAILED_RUNS + 1))
fi

# count32 LOG: the 32-bit suite's share of LOG's counts (between the
# guest's markers), shown apart. It must have run to its end marker
# (run_kselftest.sh exits 0 whatever fails: its failures are in the run's
# counts already).
count32() {
	local logf=$1 part=$1.kselftest32 pass fail skipped top_fail

	sed -n '/^SYNCHMESS-KSELFTEST32 begin/,/^SYNCHMESS-KSELFTEST32 end/p' \
		"$logf" >"$part"
	pass=$(grep -c '^# ok ' "$part" || true)
	fail=$(grep -c '^# not ok ' "$part" || true)
	skipped=$(grep -c '^# ok .* # SKIP' "$part" || true)
	top_fail=$(grep -c '^not ok ' "$part" || true)
	log "of which 32-bit: $pass ok ($skipped skipped), $fail not ok, $top_fail test programs failed"
	if ! grep -q '^SYNCHMESS-KSELFTEST32 end rc=0' "$part" || [ "$pass" -eq 0 ]; then
		echo "FAIL: the 32-bit kselftests did not run to their end" >&2
		FAILED_RUNS=$((FAILED_RUNS + 1))
	fi
}

prepare_tree
B=$CACHE/build
if stage x86; then
	for mode in m y; do
		# With the driver built in, only the kernel is rebuilt: the
		# selftests and the tool of the module's build serve.
		if [ "$mode" = m ]; then
			build_guest "$B" m
			build_selftests32 "$B"
		else
			build_kernel "$B" "$mode"
		fi
		# The 32-bit suite runs once, with the driver as a module.
		WITH_KSELFTEST32=$([ "$mode" = m ] && echo 1 || echo 0) \
			boot_and_count "synchmess=$mode" "$B" \
			"$TOP/scripts/guest-kselftest.sh" 1800
		[ "$mode" = y ] || count32 "$RESULTS/serial-synchmess=$mode.log"
		# The same kernel with the external build of the module.
		if [ "$mode" = m ] && stage distro; then
			external_612 "$B"
		fi
		expect_line "synchmess=$mode" '^SYNCHMESS-BENCH ran' \
			"synchmess_bench did not run to its end"
	done
fi

if stage distro; then
	# The external build of the module on the 6.12 kernel (in stage x86
	# when it runs), and on Debian 12's own kernel, built by DKMS.
	if ! stage x86; then
		build_guest "$B" m
		external_612 "$B"
	fi
	external_debian
fi

if stage points; then
	# Every point but the last, which is the whole series of stage x86.
	mapfile -t POINTS < <(series_points)
	run_points "${POINTS[@]:0:${#POINTS[@]}-1}"
fi

if stage debug; then
	BD=$CACHE/build-debug
	EXTRA_CONFIG=$TOP/scripts/debug.config build_guest "$BD" m
	boot_and_count debug "$BD" "$TOP/scripts/guest-debug.sh" 2700
	expect_line debug '^SYNCHMESS-KMEMLEAK 0 leaks' \
		"kmemleak did not report a clean scan"
fi

if stage kcsan; then
	# The data-race detector: the driver as a module, so that every
	# frame of it in a report says [synchmess].
	BK=$CACHE/build-kcsan
	EXTRA_CONFIG=$TOP/scripts/kcsan.config build_guest "$BK" m
	boot_and_count kcsan "$BK" "$TOP/scripts/guest-kcsan.sh" 2700 kcsan
fi

if stage arm64; then
	# Another architecture at run time: arm64, its own compiler,
	# memory model and C library.
	BA=$CACHE/build-arm64
	export GUEST_ARCH=arm64
	build_guest "$BA" m
	boot_and_count arm64 "$BA" "$TOP/scripts/guest-kselftest.sh" 2400
	expect_line arm64 '^SYNCHMESS-BENCH ran' \
		"synchmess_bench did not run to its end on arm64"
	unset GUEST_ARCH
fi

if stage slow; then
	log "static gate, checks that build"
	"$TOP/scripts/check-static.sh" --slow || FAILED_RUNS=$((FAILED_RUNS + 1))
fi

log "total time $((SECONDS - T0)) s; serial logs in $RESULTS"
FAIL=$((FAIL + FAILED_RUNS))
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
