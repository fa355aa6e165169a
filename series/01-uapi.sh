# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 1: uapi, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 01-uapi.txt.

copy $UAPI
insert_after Documentation/userspace-api/ioctl/ioctl-number.rst \
	"$(printf '%-6s%-7s%-58s%s' 0xB9 00-3F linux/synchmess.h \
		'SynchMess message groups and barriers')" \
	'^0xB8  '
insert_before MAINTAINERS "SYNCHMESS MESSAGE GROUPS DRIVER
M:	$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>
L:	linux-kernel@vger.kernel.org
S:	Maintained
F:	$UAPI
" '^SYNOPSYS ARC ARCHITECTURE$'
