# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 10: selftests of batches, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 10-selftests-batches.txt.

add_selftests $KST/synchmess_msgvec_test.c
