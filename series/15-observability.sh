# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 15: trace events and fdinfo, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 15-observability.txt.

copy $DRV/trace.h $DRV/trace.c
# The driver is whole now: its directory replaces the per-file patterns.
for f in Kconfig Makefile barrier.* control.c delay.* group.c limits.* \
	message.* msgqueue.* recv.c synchmess.h sysfs.c user.*; do
	unmaintain "$DRV/$f"
done
maintain "$DRV/"
