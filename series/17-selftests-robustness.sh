# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 17: robustness selftests, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 17-selftests-robustness.txt.

add_selftests $KST/synchmess_teardown_test.c $KST/synchmess_fuzz_test.c \
	$KST/synchmess_fault_test.c $KST/synchmess_stress_test.c \
	$KST/synchmess_module_test.c
