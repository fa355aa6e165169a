# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 2: message queue, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 02-message-queue.txt.

copy $DRV/message.h $DRV/message.c $DRV/msgqueue.h $DRV/msgqueue.c \
	$DRV/limits.h $DRV/user.h $DRV/user.c $DRV/trace.h
maintain "$DRV/message.*"
maintain "$DRV/msgqueue.*"
maintain "$DRV/limits.h"
maintain "$DRV/trace.h"
maintain "$DRV/user.*"
