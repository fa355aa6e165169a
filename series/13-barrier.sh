# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 13: barrier, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 13-barrier.txt.

copy $DRV/barrier.h $DRV/barrier.c
maintain "$DRV/barrier.*"
