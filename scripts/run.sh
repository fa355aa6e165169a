#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main command: apply the series to the pristine tree, build a kernel
# with CONFIG_SYNCHMESS=m, its kselftests and the synchmess tool, boot it in
# QEMU and show SynchMess at work with a short demo of the tool. On a
# terminal, a shell in the guest follows; 'exit' there powers it off.
#
#   scripts/run.sh                 build, boot, demo, then a shell
#   scripts/run.sh --run 'CMD'     run CMD in the guest instead of the demo
#                                  and the shell; exit with its status
#
# Installs what it needs from Debian; caches in ~/.cache/synchmess. Each
# stage prints one line; make's output goes to log files in the cache.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

usage() {
	sed -n '3,14s/^# \{0,1\}//p' "$0"
	exit "$1"
}

RUN=
while [ $# -gt 0 ]; do
	case $1 in
	--run)
		[ $# -ge 2 ] || usage 2
		RUN=$2
		shift 2;;
	-h|--help)
		usage 0;;
	*)
		usage 2;;
	esac
done

T0=$SECONDS
prepare_host
B=$CACHE/build
build_guest "$B" m
if [ -n "$RUN" ]; then
	GUEST_CMD=$B/guest-run.sh
	printf '#!/bin/sh\n%s\n' "$RUN" >"$GUEST_CMD"
else
	GUEST_CMD=$TOP/scripts/guest-demo.sh
fi
log "making the initramfs"
make_initramfs "$B" "$GUEST_CMD"

# Kernel messages below warnings stay off the console.
export GUEST_APPEND=loglevel=5
LOGF=$CACHE/run-serial.log
if [ -z "$RUN" ] && [ -t 0 ] && [ -t 1 ]; then
	log "booting the guest (two vCPUs under TCG) after $((SECONDS - T0)) s;" \
		"a shell follows the demo, 'exit' powers off"
	boot_guest "$B" "$LOGF" 0 1
else
	log "booting the guest (two vCPUs under TCG) after $((SECONDS - T0)) s"
	# The guest's output without kernel messages and the runner's markers.
	boot_guest "$B" "$LOGF" 1500 |
		grep -Ev '^(\[ *[0-9]+\.[0-9]+\] |SYNCHMESS-)' || true
fi
check_guest_log "$LOGF" || die "the guest failed, see $LOGF"
rc=$(sed -n 's/^SYNCHMESS-GUEST-DONE rc=//p' "$LOGF")
log "done in $((SECONDS - T0)) s; serial log in $LOGF"
exit "${rc:-1}"
