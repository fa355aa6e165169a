#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Carry a change of the driver, the uapi header or the selftests into every
# point of the series, so that the strips (series/strip/NN-name.diff, see
# scripts/gen-patches.sh) apply again and take out what they took before.
#
#   scripts/gen-patches.sh --stages OLD    before the change, or at the
#                                          commit before it
#   scripts/carry-strips.sh OLD NEW        carry the change into NEW
#   scripts/carry-strips.sh --write NEW    rewrite the strips from NEW
#   scripts/gen-patches.sh                 which checks that they apply
#
# NEW/NN is OLD/NN with each file the 3-way merge (git merge-file) of the
# change from OLD/final to this tree; NEW/final is this tree. A file the
# change deletes goes from every point; one it adds stays out of them, as
# gen-patches.sh takes a file no point has from this tree. A merge that
# conflicts is left marked in NEW/NN: the first form lists those files and
# fails, and once they are settled by hand, --write makes each strip the
# diff from the next point's tree to NN's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '3,20s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

carry() {
	local old=$1 new=$2 strip p f conflicts=()

	[ -d "$old/final" ] || die "$old has no final/: not from --stages"
	[ -e "$new" ] && die "$new exists already"
	mkdir -p "$new"
	cp -r "$old"/. "$new"
	rm -rf "$new/final"
	mkdir -p "$new/final"
	(cd "$TOP" && cp -r --parents "${SERIES_STAGED[@]}" "$new/final")
	for strip in $(series_strips | sort -r); do
		p=$(strip_point "$strip")
		[ -d "$old/$p" ] || die "$old has no $p/"
		while read -r f; do
			[ -e "$new/$p/$f" ] || continue
			if [ ! -e "$new/final/$f" ]; then
				rm "$new/$p/$f"
			elif ! git merge-file -q "$new/$p/$f" "$old/final/$f" \
				"$new/final/$f"; then
				conflicts+=("$new/$p/$f")
			fi
		done < <(cd "$old/final" && find . -type f | sed 's|^\./||' |
			 while read -r f; do
				cmp -s "$f" "$new/final/$f" || echo "$f"
			 done)
	done
	if [ ${#conflicts[@]} -gt 0 ]; then
		printf 'conflict: %s\n' "${conflicts[@]}" >&2
		die "settle the conflicts above, then: $0 --write $new"
	fi
	log "carried into $new; now: $0 --write $new"
}

# The strip of point $3: the diff from tree $2 to tree $3, in $1.
strip_diff() {
	local dir=$1 from=$2 to=$3 rc=0

	(cd "$dir" && diff -ruN "$from" "$to") >"$dir/strip.tmp" || rc=$?
	[ $rc -le 1 ] || die "diff of $from and $to failed"
	sed -E -e "s|^diff -ruN $from/([^ ]*) $to/.*|diff -ruN a/\\1 b/\\1|" \
		-e "s|^--- $from/([^\\t]*).*|--- a/\\1|" \
		-e "s|^\\+\\+\\+ $to/([^\\t]*).*|+++ b/\\1|" "$dir/strip.tmp"
	rm "$dir/strip.tmp"
}

write_strips() {
	local new=$1 prev=final p strip

	grep -rl '^<<<<<<<' "$new" && die "conflict markers left in $new"
	for strip in $(series_strips | sort -r); do
		p=$(strip_point "$strip")
		strip_diff "$new" "$prev" "$p" >"$strip"
		prev=$p
	done
	log "rewrote the strips; run scripts/gen-patches.sh"
}

case ${1:-} in
--write)
	[ $# -eq 2 ] || usage
	write_strips "$2";;
-*|'')
	usage;;
*)
	[ $# -eq 2 ] || usage
	carry "$1" "$2";;
esac
