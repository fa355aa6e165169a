#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Apply the SynchMess series in patches/ to a Linux 6.12 tree.
#
#   scripts/apply.sh KERNEL_DIR
#
# A git tree gets the patches as commits (git am); a plain tree gets them
# applied without git history. A tree that already has SynchMess, a git
# tree with uncommitted changes, or a tree the series does not apply to
# cleanly is refused, and nothing is changed.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
die() { printf 'apply.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 KERNEL_DIR" >&2; exit 2; }
KDIR=$1
[ -f "$KDIR/Makefile" ] && [ -d "$KDIR/drivers/char" ] ||
	die "$KDIR is not a kernel source tree"
grep -qx 'VERSION = 6' "$KDIR/Makefile" &&
	grep -qx 'PATCHLEVEL = 12' "$KDIR/Makefile" ||
	die "$KDIR is not Linux 6.12"

mapfile -t PATCHES < <(find "$TOP/patches" -name '[0-9]*.patch' \
	! -name '0000-*' | sort)
[ ${#PATCHES[@]} -gt 0 ] || die "no patches in $TOP/patches"

if [ -e "$KDIR/drivers/char/synchmess" ] ||
   [ -e "$KDIR/include/uapi/linux/synchmess.h" ]; then
	die "$KDIR already has SynchMess: start from a pristine tree"
fi

if git -C "$KDIR" rev-parse --show-toplevel 2>/dev/null |
   grep -qxF "$(cd "$KDIR" && pwd -P)"; then
	[ -z "$(git -C "$KDIR" status --porcelain --untracked-files=no)" ] ||
		die "$KDIR has uncommitted changes: commit or stash them first"
	# git am needs a committer; keep the user's if there is one.
	export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$(git -C "$KDIR" config user.name || echo synchmess-apply)}
	export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$(git -C "$KDIR" config user.email || echo synchmess-apply@localhost)}
	git -C "$KDIR" am -q "${PATCHES[@]}" || {
		# --abort returns the tree to the commit it was on.
		git -C "$KDIR" am --abort 2>/dev/null || true
		die "the series does not apply cleanly to $KDIR; nothing changed"
	}
	echo "applied ${#PATCHES[@]} patches to $KDIR with git am"
else
	command -v patch >/dev/null || die "patch(1) is needed for a tree without git"
	# Rehearse on a copy of the files the series changes, so a tree it
	# does not fit is left untouched.
	TRIAL=$(mktemp -d)
	trap 'rm -rf "$TRIAL"' EXIT
	sed -n 's|^--- a/||p' "${PATCHES[@]}" | sort -u | while read -r f; do
		[ -f "$KDIR/$f" ] || die "$KDIR has no $f"
		mkdir -p "$TRIAL/$(dirname "$f")"
		cp "$KDIR/$f" "$TRIAL/$f"
	done
	for p in "${PATCHES[@]}"; do
		patch -d "$TRIAL" -p1 -N -F0 -s <"$p" >/dev/null ||
			die "$(basename "$p") does not apply cleanly to $KDIR"
	done
	for p in "${PATCHES[@]}"; do
		patch -d "$KDIR" -p1 -N -F0 -s <"$p" ||
			die "$(basename "$p") failed half-way: restore $KDIR"
	done
	echo "applied ${#PATCHES[@]} patches to $KDIR"
fi
