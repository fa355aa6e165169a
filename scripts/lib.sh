# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts: where things live and how the base tree is made.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SYNCHMESS_CACHE:-$HOME/.cache/synchmess}
TARBALL=${SYNCHMESS_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
# The base tree: pristine Debian linux-source-6.12, as a git repository whose
# tag "pristine" the series is generated against and applied to.
KSRC=$CACHE/linux
# Fixed dates make every generated commit, and so the series, reproducible.
BASE_DATE="2026-11-01T00:00:00+0000"
# The series' own files, and of them what each point of the series has a
# tree of: what the strips of series/strip/ take features out of
# (gen-patches.sh, carry-strips.sh).
UAPI=include/uapi/linux/synchmess.h
DRV=drivers/char/synchmess
KST=tools/testing/selftests/synchmess
SYSFS_ABI=Documentation/ABI/testing/sysfs-class-synchmess
SERIES_STAGED=("$UAPI" "$DRV" "$SYSFS_ABI" "$KST")

# The strips of series/strip/, earliest point first.
series_strips() {
	local strip

	for strip in "$TOP"/series/strip/[0-9][0-9]-*.diff; do
		[ -e "$strip" ] && echo "$strip"
	done
}

# The point (NN) whose tree the strip $1 makes.
strip_point() { basename "$1" | cut -c1-2; }

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install Debian packages the caller needs, once, quietly.
need_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
	{
		apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${missing[@]}"
	} >"$CACHE/apt.log" 2>&1 || die "apt-get failed, see $CACHE/apt.log"
}


export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-$(git config user.name || echo "SynchMess Developers")}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-$(git config user.email || echo "synchmess@localhost")}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

# Make $KSRC, the pristine base tree as a git repository, unless it exists.
ensure_base_tree() {
	if git -C "$KSRC" rev-parse -q --verify pristine >/dev/null 2>&1; then
		return 0
	fi
	mkdir -p "$CACHE"
	need_packages linux-source-6.12 git xz-utils
	[ -f "$TARBALL" ] || die "no $TARBALL"
	log "unpacking $(basename "$TARBALL") into $KSRC"
	rm -rf "$KSRC" "$CACHE/unpack"
	mkdir -p "$CACHE/unpack"
	tar -C "$CACHE/unpack" -xf "$TARBALL"
	mv "$CACHE/unpack"/linux-source-6.12 "$KSRC"
	rmdir "$CACHE/unpack"
	(
		cd "$KSRC"
		git init -q
		# Debian's .gitignore ignores everything at the top level.
		git add -f .
		GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
			git commit -q -m "Linux 6.12 (Debian linux-source-6.12)"
		git tag pristine
	)
}
