# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 14: selftests of the barrier, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 14-selftests-barrier.txt.

add_selftests $KST/synchmess_barrier_test.c
