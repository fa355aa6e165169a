#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job: apply the series to the pristine tree, build a kernel with
# CONFIG_SYNCHMESS=m, boot it in QEMU and show SynchMess working by running
# its kselftests, with a summary at the end.
#
#   scripts/run.sh
#
# Installs what it needs from Debian; caches in ~/.cache/synchmess.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${VM_PACKAGES[@]}"
prepare_tree
B=$CACHE/build
build_kernel "$B" m
build_selftests "$B"
make_initramfs "$B" "$TOP/scripts/guest-kselftest.sh"
log "booting the guest: two vCPUs under TCG"
boot_guest "$B" "$CACHE/run-serial.log" 1500 |
	grep -E '^(#|ok|not ok|SYNCHMESS-)' || true
check_guest_log "$CACHE/run-serial.log"
echo "$(grep -c '^# ok ' "$CACHE/run-serial.log") checks passed," \
	"$(grep -c '^# not ok ' "$CACHE/run-serial.log") failed"
