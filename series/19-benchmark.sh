# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 19: benchmark, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 19-benchmark.txt.

# main() in synchmess_bench.c, a family of figures a file of bench/.
add_selftests $KST/synchmess_bench.c $KST/bench/bench.h $KST/bench/bench.c \
	$KST/bench/chan.c $KST/bench/peers.c $KST/bench/sendrecv.c \
	$KST/bench/barrier.c $KST/bench/delay.c $KST/bench/batch.c \
	$KST/bench/profile.c
# Every selftests file is in: the directory's pattern replaces the files'.
for f in $(grep "^F:	$KST/" MAINTAINERS | cut -f2); do
	unmaintain "$f"
done
maintain "$KST/"
