# SPDX-License-Identifier: GPL-2.0
# The Debian packages the guest's builds and boots need, by what needs
# them; need_packages (scripts/lib.sh) installs them. Sourced by vm.sh.
# shellcheck shell=bash
# The lists are for the other parts and the callers of vm.sh:
# shellcheck disable=SC2034

KBUILD_PACKAGES=(build-essential flex bison bc libelf-dev libssl-dev cpio
	kmod rsync ccache git xz-utils patch linux-source-6.12)
VM_PACKAGES=(qemu-system-x86 busybox-static coreutils)
# The 32-bit (-m32) selftests: what gcc-multilib brings, without it, since
# it conflicts with the cross compilers.
M32_PACKAGES=(libc6-dev-i386 lib32gcc-12-dev file)
# The arm64 guest: its compiler and C library (static selftests), QEMU.
ARM64_PACKAGES=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
