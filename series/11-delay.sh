# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 11: delayed delivery, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 11-delay.txt.

copy $DRV/delay.h $DRV/delay.c
maintain "$DRV/delay.*"
