# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 16: selftests of trace events and fdinfo, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 16-selftests-observability.txt.

add_selftests $KST/synchmess_fdinfo_test.c $KST/synchmess_trace_test.c
