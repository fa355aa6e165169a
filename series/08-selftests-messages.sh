# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 8: selftests of messages, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 08-selftests-messages.txt.

add_selftests $KST/synchmess_msg_test.c
