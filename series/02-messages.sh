# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 2: messages, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 02-messages.txt.

copy $DRV/message.h $DRV/message.c $DRV/limits.h $DRV/user.h $DRV/user.c
maintain "$DRV/message.*"
maintain "$DRV/limits.h"
maintain "$DRV/user.*"
