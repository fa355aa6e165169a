# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Patch 21: benchmark, sourced by scripts/gen-patches.sh: its files and the hunks
# it adds to the base tree; its changelog is 21-benchmark.txt.

# main() in synchmess_bench.c, a family of figures a file of bench/.
add_selftests $KST/synchmess_bench.c $KST/bench/bench.h $KST/bench/bench.c \
	$KST/bench/chan.c $KST/bench/peers.c $KST/bench/sendrecv.c \
	$KST/bench/profile.c
