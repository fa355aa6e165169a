# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 19: documentation, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 19-documentation.txt.

copy Documentation/userspace-api/synchmess.rst \
	Documentation/userspace-api/synchmess-tool.rst
insert_after Documentation/userspace-api/index.rst '   synchmess' \
	'^   isapnp$'
insert_after Documentation/userspace-api/index.rst '   synchmess-tool' \
	'^   synchmess$'
maintain "Documentation/userspace-api/synchmess.rst"
maintain "Documentation/userspace-api/synchmess-tool.rst"
