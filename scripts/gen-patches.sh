#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate patches/, the git-am-able series, from the files of this
# repository against the pristine linux-source-6.12 tree.
#
#   scripts/gen-patches.sh              rewrite patches/
#   scripts/gen-patches.sh --check      fail if patches/ is not current
#   scripts/gen-patches.sh --stages DIR write the tree of each feature's
#                                       point to DIR/NN (see below)
#
# The series is built in a scratch git repository holding only the base
# files it touches, so generation takes seconds. Each patch is two files
# in series/: NN-name.sh copies the patch's files and makes its hunks
# outside them (Kconfig and Makefile hooks, indexes, MAINTAINERS) with the
# helpers below, and NN-name.txt is its changelog; series/cover-letter.txt
# is the cover letter.
#
# A feature reaches into files an earlier patch added (a case of an ioctl
# switch, a field of a struct). series/strip/NN-name.diff takes feature NN
# out of the driver, uapi and selftests as they stand from patch NN on:
# applied to this tree from the last feature down, they give the tree of
# every earlier point of the series, so each patch brings its feature
# whole, with the lines it adds to earlier files. A strip leaves the
# files its feature adds (delay.c) alone: no patch before the feature
# copies them, and deleting them would repeat them whole. To change a
# strip, take the trees --stages writes: DIR/NN is the tree before
# feature NN, and the strip is `diff -ruN` from the next point's tree
# (DIR/final for the last feature) to it, run in DIR; after a change of
# code a strip touches, scripts/carry-strips.sh carries it into them.
# Commit dates are fixed, so the same tree always gives the same series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CHECK=0
STAGES_OUT=
case ${1:-} in
--check) CHECK=1;;
--stages) STAGES_OUT=${2:?--stages needs a directory};;
esac

TOUCHED=(
	MAINTAINERS
	Documentation/userspace-api/index.rst
	Documentation/userspace-api/ioctl/ioctl-number.rst
	drivers/char/Kconfig
	drivers/char/Makefile
	tools/Makefile
	tools/testing/selftests/Makefile
)

ensure_base_tree
WORK=$(mktemp -d)
STAGES=$(mktemp -d)
trap 'rm -rf "$WORK" "$STAGES"' EXIT
cd "$WORK"
git init -q -b synchmess
for f in "${TOUCHED[@]}"; do
	mkdir -p "$(dirname "$f")"
	git -C "$KSRC" show "pristine:$f" >"$f"
done
git add -f .
STAMP=0
commit() {
	local date="2026-11-02T00:$(printf '%02d' $STAMP):00+0000"

	STAMP=$((STAMP + 1))
	git add -f -A .
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		git commit -q -s -F -
}
commit <<'EOF'
Linux 6.12 (Debian linux-source-6.12), the files the series touches
EOF

TOOL=tools/synchmess

# The trees of the series' features: $STAGES/final is this one, and
# $STAGES/NN the tree before feature NN, less every later feature.
STRIPS=()
make_stages() {
	local from=$STAGES/final strip nn i

	mkdir -p "$from"
	(cd "$TOP" && cp -r --parents "${SERIES_STAGED[@]}" "$from")
	mapfile -t STRIPS < <(series_strips)
	for ((i = ${#STRIPS[@]} - 1; i >= 0; i--)); do
		strip=${STRIPS[i]}
		nn=$(strip_point "$strip")
		cp -r "$from" "$STAGES/$nn"
		patch -s -p1 -F0 --no-backup-if-mismatch -d "$STAGES/$nn" \
			<"$strip" || die "$strip does not apply: refresh it (scripts/carry-strips.sh)"
		from=$STAGES/$nn
	done
}

# The tree patch $PATCH_NR sees: before the first feature after it.
stage() {
	local strip nn

	for strip in "${STRIPS[@]}"; do
		nn=$(strip_point "$strip")
		if ((10#$nn > PATCH_NR)); then
			echo "$STAGES/$nn"
			return
		fi
	done
	echo "$STAGES/final"
}

# Copy files from the tree as it stands at this patch.
copy() {
	local f src here

	here=$(stage)
	for f in "$@"; do
		src=$here/$f
		[ -e "$src" ] || src=$TOP/$f
		mkdir -p "$(dirname "$f")"
		cp "$src" "$f"
	done
}

# Bring the files under paths $@ that earlier patches added to this
# patch's tree: what a feature adds to them is part of its patch. The
# selftests' Makefile is not one of them: selftests_makefile writes it.
update_staged() {
	local here f

	here=$(stage)
	(cd "$here" && find "$@" -type f 2>/dev/null) |
	while read -r f; do
		if [ -e "$f" ] && [ "$f" != $KST/Makefile ]; then
			cp "$here/$f" "$f"
		fi
	done
}

# Insert line $2 into file $1 before the first line matching regex $3.
insert_before() {
	awk -v line="$2" -v re="$3" \
		'!done && $0 ~ re { print line; done = 1 } { print }' \
		"$1" >"$1.new"
	grep -qxF -- "$2" "$1.new" || die "$1: no line matching $3"
	mv "$1.new" "$1"
}

# Insert line $2 into file $1 after the first line matching regex $3.
insert_after() {
	awk -v line="$2" -v re="$3" \
		'{ print } !done && $0 ~ re { print line; done = 1 }' \
		"$1" >"$1.new"
	grep -qxF -- "$2" "$1.new" || die "$1: no line matching $3"
	mv "$1.new" "$1"
}

# Add a file pattern to the SynchMess entry of MAINTAINERS, keeping the F:
# lines sorted. Each patch that adds files lists them there, so the entry
# covers every file of the tree at every point of the series.
maintain() {
	local pat=$1
	awk -v pat="F:	$pat" '
		/^SYNCHMESS / { in_entry = 1 }
		in_entry && /^F:/ && !done && $0 > pat { print pat; done = 1 }
		in_entry && /^$/ && !done { print pat; done = 1; in_entry = 0 }
		/^$/ { in_entry = 0 }
		{ print }' MAINTAINERS >MAINTAINERS.new
	mv MAINTAINERS.new MAINTAINERS
}

# Drop a file pattern from the SynchMess entry of MAINTAINERS.
unmaintain() {
	grep -qxF "F:	$1" MAINTAINERS || die "MAINTAINERS: no F: $1"
	grep -vxF "F:	$1" MAINTAINERS >MAINTAINERS.new
	mv MAINTAINERS.new MAINTAINERS
}

# Write the selftests' Makefile as it stands at this point of the series:
# the final one, less the programs whose sources no patch has added yet,
# their rules, and paragraphs left with nothing but comments.
selftests_makefile() {
	mkdir -p $KST
	awk -v kst="$KST" -v tool="$TOOL" '
	function present(prog) {
		if (prog == "synchmess")
			return !system("test -f " tool "/synchmess.c")
		if (prog ~ /\.sh$/)
			return !system("test -f " kst "/" prog)
		return !system("test -f " kst "/" prog ".c")
	}
	function flush(i) {
		if (n && (!had || kept)) {
			if (printed)
				print ""
			for (i = 1; i <= n; i++)
				print buf[i]
			printed = 1
		}
		n = had = kept = 0
	}
	/^$/ { flush(); next }
	/^#/ { buf[++n] = $0; next }
	{ had = 1 }
	/^TEST_(GEN_)?PROGS(_EXTENDED)? [:+]= / {
		if (present($3)) { buf[++n] = $0; kept = 1 }
		next
	}
	/^\$\(OUTPUT\)\// {
		split($0, rule, ":")
		nt = split(rule[1], targets, " ")
		line = ""
		for (i = 1; i <= nt; i++) {
			t = targets[i]
			sub(/^\$\(OUTPUT\)\//, "", t)
			if (present(t))
				line = line (line == "" ? "" : " ") targets[i]
		}
		in_rule = line != ""
		if (in_rule) {
			buf[++n] = line ":" substr($0, length(rule[1]) + 2)
			kept = 1
		}
		next
	}
	/^\t/ { if (in_rule) { buf[++n] = $0; kept = 1 } next }
	{ in_rule = 0; buf[++n] = $0; kept = 1 }
	END { flush() }' "$TOP/$KST/Makefile" >$KST/Makefile
}

# Copy selftests' files, list each in MAINTAINERS, and bring their
# Makefile up to this point. The benchmark, last, folds the files'
# patterns into the directory's.
add_selftests() {
	local f
	copy "$@"
	for f in "$@"; do
		maintain "$f"
	done
	selftests_makefile
}

# Each patch: series/NN-name.sh says which files it copies and which hunks
# it adds to the base tree, series/NN-name.txt is its changelog.
make_stages
if [ -n "$STAGES_OUT" ]; then
	mkdir -p "$STAGES_OUT"
	cp -r "$STAGES"/. "$STAGES_OUT"
	log "wrote the trees of the series' points to $STAGES_OUT"
	exit 0
fi
NR_PATCHES=0
for part in "$TOP"/series/[0-9][0-9]-*.sh; do
	PATCH_NR=$((10#$(basename "$part" | cut -c1-2)))
	# A feature's patch brings what it adds to the driver, its tests'
	# patch what they add to the earlier tests.
	case $(head -1 "${part%.sh}.txt") in
	selftests:*) update_staged "$KST";;
	*) update_staged "$UAPI" "$DRV" "$SYSFS_ABI";;
	esac
	# shellcheck source=/dev/null
	. "$part"
	commit <"${part%.sh}.txt"
	NR_PATCHES=$((NR_PATCHES + 1))
done

# After the last patch, every file of the series must be the tree's.
for f in $(git -C "$TOP" ls-files "${SERIES_STAGED[@]}" $TOOL); do
	cmp -s "$f" "$TOP/$f" || die "$f: the series does not end with the tree's"
done

git config branch.synchmess.description "$(cat "$TOP/series/cover-letter.txt")"

OUT=$WORK/out
GIT_COMMITTER_DATE="2026-11-02T00:59:00+0000" git format-patch -q --cover-letter --cover-from-description=subject \
	--zero-commit --no-signature -o "$OUT" "HEAD~$NR_PATCHES..HEAD"

if [ $CHECK -eq 1 ]; then
	if ! diff -ru "$TOP/patches" "$OUT" >"$WORK/stale.diff"; then
		cat "$WORK/stale.diff" >&2
		die "patches/ is stale: run scripts/gen-patches.sh"
	fi
	log "patches/ is current"
	exit 0
fi
rm -rf "$TOP/patches"
cp -r "$OUT" "$TOP/patches"
log "wrote $(find "$TOP/patches" -name '*.patch' | wc -l) files to patches/"
