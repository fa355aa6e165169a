# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 6: selftests of messages, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 06-selftests-messages.txt.

add_selftests $KST/synchmess_msg_test.c $KST/synchmess_uring.h \
	$KST/synchmess_uring_test.c
