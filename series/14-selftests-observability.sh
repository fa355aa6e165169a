# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 14: selftests of trace events and fdinfo, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 14-selftests-observability.txt.

add_selftests $KST/synchmess_fdinfo_test.c $KST/synchmess_trace_test.c
