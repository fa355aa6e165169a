# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 22: the benchmark's barrier, delay and batch figures, sourced by
# scripts/gen-patches.sh: its files and the hunks it adds to the base tree;
# its changelog is 22-benchmark-figures.txt.

add_selftests $KST/bench/barrier.c $KST/bench/delay.c $KST/bench/batch.c
# Every selftests file is in: the directory's pattern replaces the files'.
for f in $(grep "^F:	$KST/" MAINTAINERS | cut -f2); do
	unmaintain "$f"
done
maintain "$KST/"
