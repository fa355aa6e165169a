#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark SynchMess against what users would pick instead: POSIX message
# queues, packet-mode pipes, AF_UNIX SOCK_SEQPACKET socket pairs, SysV
# message queues and futexes; timerfd for delayed delivery, AF_UNIX
# datagrams through sendmmsg/recvmmsg for batched io_uring throughput.
# Builds a kernel without lock debugging (guest.config + bench.config,
# CONFIG_SYNCHMESS=y) and synchmess_bench, boots it in QEMU (TCG, two
# vCPUs) and runs the benchmark there: a table of medians, then one
# "ratio NAME VALUE" line per comparison.
#
#   scripts/bench.sh [-r ROUNDS] [-s SCALE] [-q] [--no-trace] [--plot DIR]
#   scripts/bench.sh --profile SECONDS
#
# 7 rounds at scale 1 by default (a few minutes); SCALE multiplies the
# iterations, -q divides them by ten. --profile shows instead where the
# kernel spends the time of a 64 B and a 4 KiB send and receive, of 64 B
# batches of 32, of the floor, and of 4 KiB streamed from one process to
# another over a group and over a SysV queue (timer-tick samples of
# /proc/profile, the guest booted with profile=2).
# The kernel has tracing, as distributions build it, so the synchmess trace
# events are compiled in and off; --no-trace builds it without
# (bench-notrace.config, in build-bench-notrace), to show what they cost.
# --plot DIR draws the results as SVG charts in DIR (scripts/bench-plot.sh).
#
# Installs what it needs from Debian; caches in ~/.cache/synchmess
# (build-bench). The output is also kept in ~/.cache/synchmess/bench.txt.
# Absolute times under emulation mean little: the ratios are the result.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

usage() {
	sed -n '3,29s/^# \{0,1\}//p' "$0"
	exit "$1"
}

ARGS=()
PROFILE=0
NOTRACE=0
PLOT=
while [ $# -gt 0 ]; do
	case $1 in
	-r|-s)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,2}$ ]] || usage 2
		ARGS+=("$1" "$2")
		shift 2;;
	-q)
		ARGS+=("$1")
		shift;;
	--no-trace)
		NOTRACE=1
		shift;;
	--plot)
		[ $# -ge 2 ] || usage 2
		PLOT=$2
		shift 2;;
	--profile)
		[ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]{0,2}$ ]] || usage 2
		ARGS=(-p "$2")
		PROFILE=1
		shift 2;;
	-h|--help)
		usage 0;;
	*)
		usage 2;;
	esac
done

T0=$SECONDS
prepare_host
B=$CACHE/build-bench
EXTRA=$TOP/scripts/bench.config
if [ "$NOTRACE" = 1 ]; then
	B=$CACHE/build-bench-notrace
	EXTRA=$B.config
	mkdir -p "$B"
	cat "$TOP/scripts/bench.config" "$TOP/scripts/bench-notrace.config" >"$EXTRA"
fi
EXTRA_CONFIG=$EXTRA build_kernel "$B" y
if [ "$NOTRACE" = 1 ] && grep -q '^CONFIG_TRACEPOINTS=y' "$B/.config"; then
	die "tracepoints still built in $B"
fi
build_selftests "$B"
GUEST_CMD=$B/guest-bench.sh
printf '#!/bin/sh\nexec /kselftest/synchmess/synchmess_bench %s\n' \
	"${ARGS[*]}" >"$GUEST_CMD"
make_initramfs "$B" "$GUEST_CMD"

export GUEST_APPEND=loglevel=4
[ "$PROFILE" = 1 ] && GUEST_APPEND+=" profile=2"
LOGF=$CACHE/bench-serial.log
log "booting the guest (two vCPUs under TCG) after $((SECONDS - T0)) s"
boot_guest "$B" "$LOGF" 3600 |
	grep -Ev '^(\[ *[0-9]+\.[0-9]+\] |SYNCHMESS-)' | tee "$CACHE/bench.txt" ||
	true
check_guest_log "$LOGF" || die "the guest failed, see $LOGF"
rc=$(sed -n 's/^SYNCHMESS-GUEST-DONE rc=//p' "$LOGF")
[ "$rc" = 0 ] || die "synchmess_bench failed (rc=$rc), see $LOGF"
[ "$PROFILE" = 1 ] || grep -q '^ratio pingpong64_vs_mqueue ' "$CACHE/bench.txt" ||
	die "no ratios in the output, see $LOGF"
log "done in $((SECONDS - T0)) s; output in $CACHE/bench.txt"
if [ -n "$PLOT" ] && [ "$PROFILE" = 0 ]; then
	"$TOP/scripts/bench-plot.sh" "$CACHE/bench.txt" "$PLOT"
fi
