# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 3: message queue, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 03-message-queue.txt.

copy $DRV/msgqueue.h $DRV/msgqueue.c
maintain "$DRV/msgqueue.*"
