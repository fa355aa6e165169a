#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate patches/, the git-am-able series, from the files of this
# repository against the pristine linux-source-6.12 tree.
#
#   scripts/gen-patches.sh            rewrite patches/
#   scripts/gen-patches.sh --check    fail if patches/ is not current
#
# The series is built in a scratch git repository holding only the base
# files it touches, so generation takes seconds. Each patch is two files
# in series/: NN-name.sh copies the patch's files and makes its hunks
# outside them (Kconfig and Makefile hooks, indexes, MAINTAINERS) with the
# helpers below, and NN-name.txt is its changelog; series/cover-letter.txt
# is the cover letter.
# Commit dates are fixed, so the same tree always gives the same series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

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
trap 'rm -rf "$WORK"' EXIT
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

copy() {
	local f
	for f in "$@"; do
		mkdir -p "$(dirname "$f")"
		cp "$TOP/$f" "$f"
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

UAPI=include/uapi/linux/synchmess.h
DRV=drivers/char/synchmess
KST=tools/testing/selftests/synchmess
TOOL=tools/synchmess

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
NR_PATCHES=0
for part in "$TOP"/series/[0-9][0-9]-*.sh; do
	# shellcheck source=/dev/null
	. "$part"
	commit <"${part%.sh}.txt"
	NR_PATCHES=$((NR_PATCHES + 1))
done

# Every patch adds to the selftests' Makefile; after the last one it
# must be the tree's.
cmp -s $KST/Makefile "$TOP/$KST/Makefile" ||
	die "$KST/Makefile: the series does not end with the tree's"

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
