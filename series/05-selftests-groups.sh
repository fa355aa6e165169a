# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 5: selftests of groups, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 05-selftests-groups.txt.

add_selftests $KST/config $KST/settings $KST/synchmess_util.h \
	$KST/synchmess_group_test.c $KST/synchmess_sysfs_test.c
insert_after tools/testing/selftests/Makefile 'TARGETS += synchmess' \
	'^TARGETS \+= sync$'
maintain "$KST/Makefile"
