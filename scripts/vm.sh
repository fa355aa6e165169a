# SPDX-License-Identifier: GPL-2.0
# Build a kernel with the series applied, the selftests and an initramfs,
# and boot them in QEMU. Sourced by run.sh, test.sh, test-distro.sh,
# bench.sh and check-static.sh.
# shellcheck shell=bash
# Its parts are found beside it, wherever shellcheck runs from:
# shellcheck source-path=SCRIPTDIR
#
# The entry: it sources the parts of scripts/lib/, one job each, and holds
# what they all share (guest_arch, quiet):
#   lib/packages.sh          the Debian packages the builds and guests need
#   lib/build.sh             the tree, the kernel, the selftests, the tool
#   lib/initramfs.sh         the guest's initramfs
#   lib/qemu.sh              booting the guest in QEMU, boot_and_count
#   lib/judge.sh             judging a serial log (lib/kcsan-reports.awk)

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/packages.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/initramfs.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/qemu.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/judge.sh"

# The architecture of the guest the functions of lib/ build and boot, from
# GUEST_ARCH: x86_64 (the default, nothing changes for it) or arm64. Sets
# ARCH_ARGS (make's arguments), KCC (the compiler), KIMAGE (the kernel
# image and its make target), GUEST_CONFIG (the base fragment).
guest_arch() {
	case ${GUEST_ARCH:-x86_64} in
	x86_64)
		ARCH_ARGS=()
		KCC="ccache gcc"
		KIMAGE=arch/x86/boot/bzImage
		GUEST_CONFIG=$TOP/scripts/guest.config;;
	arm64)
		ARCH_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		KCC="ccache aarch64-linux-gnu-gcc"
		KIMAGE=arch/arm64/boot/Image
		GUEST_CONFIG=$TOP/scripts/arm64.config;;
	*)
		die "unknown GUEST_ARCH ${GUEST_ARCH}";;
	esac
}

# Run a long command with its output in a log file; on failure show the end.
quiet() {
	local logf=$1
	shift
	if ! "$@" >"$logf" 2>&1; then
		tail -n 40 "$logf" >&2
		die "failed: $* (whole log: $logf)"
	fi
}
