# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 20: selftests of the tool, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 20-selftests-tool.txt.

add_selftests $KST/synchmess_tool_test.sh
