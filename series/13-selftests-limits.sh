# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 13: selftests of limits, permissions and quotas, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 13-selftests-limits.txt.

add_selftests $KST/synchmess_perm_test.c $KST/synchmess_memory_test.c \
	$KST/synchmess_sysfs_test.c
