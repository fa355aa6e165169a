# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 8: receiving, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 08-receiving.txt.

copy $DRV/recv.c
maintain "$DRV/recv.c"
