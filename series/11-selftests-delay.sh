# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 11: selftests of delayed delivery, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 11-selftests-delay.txt.

add_selftests $KST/synchmess_delay_test.c
