# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 18: tool, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 18-tool.txt.

copy $TOOL/.gitignore $TOOL/Makefile $TOOL/synchmess.c \
	$TOOL/60-synchmess.rules
insert_after tools/Makefile \
	"$(printf "\t@echo '  %-22s - %s'" synchmess \
		'SynchMess message groups and barriers')" \
	"^\t@echo '  spi "
insert_before tools/Makefile 'synchmess: FORCE
	$(call descend,$@)
' '^selftests: FORCE$'
insert_before tools/Makefile 'synchmess_install:
	$(call descend,$(@:_install=),install)
' '^selftests_install:$'
insert_before tools/Makefile 'synchmess_clean:
	$(call descend,$(@:_clean=),clean)
' '^selftests_clean:$'
maintain "$TOOL/"
