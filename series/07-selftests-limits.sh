# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 7: selftests of permissions, quotas and memory, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 07-selftests-limits.txt.

add_selftests $KST/synchmess_perm_test.c $KST/synchmess_memory_test.c
