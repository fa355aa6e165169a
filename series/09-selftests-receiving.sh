# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 9: selftests of receiving, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 09-selftests-receiving.txt.

add_selftests $KST/synchmess_recv_test.c
