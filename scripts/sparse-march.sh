#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sparse, with the ISA extensions cut off -march: Debian's sparse 0.6.4
# rejects riscv's -march=rv64imac_zicsr_zifencei ("invalid argument to
# '-march'"). Without them it predefines only the extensions' macros
# fewer, which the driver does not use. check-static.sh passes it as
# CHECK for riscv64.
args=()
for a in "$@"; do
	case $a in
	-march=*_*) a=${a%%_*};;
	esac
	args+=("$a")
done
exec sparse "${args[@]}"
