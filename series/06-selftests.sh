# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 6: selftests, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 06-selftests.txt.

copy $KST/Makefile $KST/config $KST/settings $KST/synchmess_util.h \
	$KST/synchmess_uring.h
# The tool's test comes with the tool.
drop_paragraphs '^# The command-line tool|^\$\(OUTPUT\)/synchmess:'
for t in "$TOP/$KST"/synchmess_*_test.c; do
	copy "$KST/$(basename "$t")"
done
copy $KST/synchmess_bench.c
insert_after tools/testing/selftests/Makefile 'TARGETS += synchmess' \
	'^TARGETS \+= sync$'
maintain "$KST/"
