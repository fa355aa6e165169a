# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 4: devices, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 04-devices.txt.

copy $DRV/synchmess.h $DRV/control.c $DRV/group.c $DRV/sysfs.c \
	$DRV/limits.c $DRV/Kconfig $DRV/Makefile \
	Documentation/ABI/testing/sysfs-class-synchmess \
	Documentation/ABI/testing/sysfs-module-synchmess
insert_before drivers/char/Kconfig 'source "drivers/char/synchmess/Kconfig"
' '^config ADI$'
echo 'obj-$(CONFIG_SYNCHMESS)		+= synchmess/' >>drivers/char/Makefile
unmaintain "$DRV/limits.h"
for f in Kconfig Makefile control.c group.c limits.* synchmess.h sysfs.c; do
	maintain "$DRV/$f"
done
maintain "Documentation/ABI/testing/sysfs-class-synchmess"
maintain "Documentation/ABI/testing/sysfs-module-synchmess"
