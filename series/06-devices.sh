# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 6: devices, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 06-devices.txt.

copy $DRV/synchmess.h $DRV/control.c $DRV/group.c $DRV/sysfs.c \
	$DRV/limits.c $DRV/recv.c $DRV/trace.c \
	$DRV/Kconfig $DRV/Makefile
insert_before drivers/char/Kconfig 'source "drivers/char/synchmess/Kconfig"
' '^config ADI$'
echo 'obj-$(CONFIG_SYNCHMESS)		+= synchmess/' >>drivers/char/Makefile
# The driver is whole now: its directory replaces the per-file patterns.
for f in msgqueue delay barrier user; do
	unmaintain "$DRV/$f.*"
done
unmaintain "$DRV/limits.h"
unmaintain "$DRV/trace.h"
maintain "$DRV/"
