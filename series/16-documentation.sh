# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 16: documentation, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 16-documentation.txt.

copy Documentation/userspace-api/synchmess.rst \
	Documentation/ABI/testing/sysfs-class-synchmess \
	Documentation/ABI/testing/sysfs-module-synchmess
insert_after Documentation/userspace-api/index.rst '   synchmess' \
	'^   isapnp$'
maintain "Documentation/ABI/testing/sysfs-class-synchmess"
maintain "Documentation/ABI/testing/sysfs-module-synchmess"
maintain "Documentation/userspace-api/synchmess.rst"
