#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install SynchMess on the kernel you run, as an external module kept up
# to date by DKMS, with its uapi header, the synchmess tool and the udev
# rules:
#
#   scripts/install-dkms.sh [-k KERNEL]...    as root; default: uname -r
#   scripts/install-dkms.sh --uninstall
#
# It installs dkms and the kernel's headers (linux-headers-KERNEL) from
# Debian when they are missing, copies the driver's sources with the
# top-level Makefile, compat/ and dkms/dkms.conf to /usr/src/synchmess-<v>,
# runs "dkms add", "dkms build" and "dkms install" for each kernel (later
# kernels get the module from DKMS's autoinstall as their headers come),
# loads the module into the running kernel, installs
# /usr/include/linux/synchmess.h, builds tools/synchmess against that
# installed header alone and installs /usr/bin/synchmess, and installs
# /etc/udev/rules.d/60-synchmess.rules with the system group "synch", as
# the README's "The synchmess tool on a real system" describes.
#
# For tests (scripts/test-distro.sh): DESTDIR=DIR puts the header, the tool
# and the rules under DIR and leaves groups, udev and module loading
# alone; DKMS_TREE and DKMS_SOURCE_TREE move DKMS's trees (--dkmstree,
# --sourcetree); DKMS_BUILD_ONLY=1 stops after "dkms build".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KERNELS=()
UNINSTALL=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || die "-k needs a kernel release"
	    KERNELS+=("$2"); shift 2;;
	--uninstall) UNINSTALL=1; shift;;
	*) die "usage: $0 [-k KERNEL]... | --uninstall";;
	esac
done
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=("$(uname -r)")
[ "$(id -u)" -eq 0 ] || die "run as root"

DESTDIR=${DESTDIR:-}
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$TOP/dkms/dkms.conf")
[ -n "$VERSION" ] || die "no PACKAGE_VERSION in dkms/dkms.conf"
DKMS_OPTS=()
[ -n "${DKMS_TREE:-}" ] && DKMS_OPTS+=(--dkmstree "$DKMS_TREE")
[ -n "${DKMS_SOURCE_TREE:-}" ] && DKMS_OPTS+=(--sourcetree "$DKMS_SOURCE_TREE")
mkdir -p "$CACHE"

# Every version of synchmess DKMS knows, removed from every kernel.
dkms_remove_all() {
	local v
	command -v dkms >/dev/null || return 0
	for v in $(dkms status "${DKMS_OPTS[@]}" synchmess 2>/dev/null |
		   sed -n 's|^synchmess/\([^,:]*\).*|\1|p' | sort -u); do
		log "dkms remove synchmess/$v"
		dkms remove "${DKMS_OPTS[@]}" "synchmess/$v" --all >/dev/null
	done
	rm -rf "${DKMS_SOURCE_TREE:-/usr/src}"/synchmess-*
}

if [ "$UNINSTALL" = 1 ]; then
	[ -z "$DESTDIR" ] && [ -d /sys/module/synchmess ] && rmmod synchmess
	dkms_remove_all
	rm -f "$DESTDIR/usr/include/linux/synchmess.h" \
	      "$DESTDIR/usr/bin/synchmess" \
	      "$DESTDIR/etc/udev/rules.d/60-synchmess.rules"
	log "SynchMess uninstalled (the group \"synch\" stays)"
	exit 0
fi

need_packages dkms build-essential kmod
for k in "${KERNELS[@]}"; do
	[ -e "/lib/modules/$k/build" ] && continue
	apt-cache show "linux-headers-$k" >/dev/null 2>&1 ||
		die "no headers for kernel $k: no /lib/modules/$k/build and no package linux-headers-$k"
	need_packages "linux-headers-$k"
done

# The DKMS source tree: the external build's files, laid out as here.
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
SRC=$STAGE/synchmess-$VERSION
mkdir -p "$SRC/drivers/char/synchmess" "$SRC/include/uapi/linux" "$SRC/compat"
cp "$TOP/dkms/dkms.conf" "$TOP/Makefile" "$SRC/"
cp "$TOP/compat/synchmess-compat.h" "$TOP/compat/pre-6.2.sed" "$SRC/compat/"
cp "$TOP"/drivers/char/synchmess/{Kconfig,Makefile,*.c,*.h} \
	"$SRC/drivers/char/synchmess/"
cp "$TOP/include/uapi/linux/synchmess.h" "$SRC/include/uapi/linux/"

dkms_remove_all
log "dkms add synchmess/$VERSION"
quiet_dkms() {
	local logf=$CACHE/dkms-$1.log
	if ! dkms "$@" >"$logf" 2>&1; then
		cat "$logf" >&2
		find "${DKMS_TREE:-/var/lib/dkms}/synchmess" -name make.log \
			-exec tail -n 30 {} + >&2 2>/dev/null || true
		die "dkms $* failed (log: $logf)"
	fi
}
quiet_dkms add "${DKMS_OPTS[@]}" "$SRC"
for k in "${KERNELS[@]}"; do
	log "dkms build synchmess/$VERSION -k $k"
	quiet_dkms build "${DKMS_OPTS[@]}" "synchmess/$VERSION" -k "$k"
	[ "${DKMS_BUILD_ONLY:-0}" = 1 ] && continue
	log "dkms install synchmess/$VERSION -k $k"
	quiet_dkms install "${DKMS_OPTS[@]}" "synchmess/$VERSION" -k "$k"
done

log "installing $DESTDIR/usr/include/linux/synchmess.h"
install -D -m 644 "$TOP/include/uapi/linux/synchmess.h" \
	"$DESTDIR/usr/include/linux/synchmess.h"

# The tool, against the header just installed and nothing else of here.
log "building and installing $DESTDIR/usr/bin/synchmess"
TOOL_OUT=$STAGE/tool
mkdir -p "$TOOL_OUT"
CFLAGS="${CFLAGS:-} ${DESTDIR:+-isystem $DESTDIR/usr/include}" \
	make -s -C "$TOP/tools/synchmess" O="$TOOL_OUT" SYNCHMESS_UAPI= \
	DESTDIR="$DESTDIR" prefix=/usr install

log "installing $DESTDIR/etc/udev/rules.d/60-synchmess.rules"
install -D -m 644 "$TOP/tools/synchmess/60-synchmess.rules" \
	"$DESTDIR/etc/udev/rules.d/60-synchmess.rules"

[ -n "$DESTDIR" ] && exit 0
getent group synch >/dev/null || groupadd --system synch
if command -v udevadm >/dev/null && [ -d /run/udev ]; then
	udevadm control --reload || true
fi
if [ -e "/lib/modules/$(uname -r)/updates/dkms/synchmess.ko" ]; then
	log "loading synchmess into $(uname -r)"
	[ -d /sys/module/synchmess ] && rmmod synchmess
	modprobe synchmess
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then
		udevadm trigger --subsystem-match=synchmess || true
	fi
	ls -l /dev/synch/synchmess
else
	log "not built for the running kernel $(uname -r): nothing loaded"
fi
log "done; members of the group \"synch\" may use /dev/synch/ (usermod -aG synch USER)"
