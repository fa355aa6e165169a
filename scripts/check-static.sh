#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The static-analysis gate: what a char-misc maintainer and the kernel test
# robot run on the series, applied to the pristine tree. Every checker must
# report nothing; each prints one line with its count, and its findings.
#
#   scripts/check-static.sh           every check
#   scripts/check-static.sh --fast    only those that need no kernel build:
#                                     series current, checkpatch, kernel-doc,
#                                     uapi header, documentation
#   scripts/check-static.sh --slow    only those that build: bisectability,
#                                     W=1, sparse, coccicheck, clang, and
#                                     W=1 and sparse for i386, arm64, riscv64
#   scripts/check-static.sh --cross   only the last: i386, arm64, riscv64
#
# Installs what it needs from Debian. Logs go to ~/.cache/synchmess/static.
set -euo pipefail
. "$(dirname "$0")/vm.sh"

# Debian's python3 has ply and git for spdxcheck.py; pyenv's may not.
export PATH=/usr/bin:/bin:$PATH
# spatch aborts on the .cocci scripts with OCaml parts without ocaml-nox.
STATIC_PACKAGES=(sparse coccinelle ocaml-nox clang lld llvm python3-ply
	python3-git python3-docutils python3-sphinx g++ perl)
# The other architectures' compilers (i386 is gcc's -m32, built in).
CROSS_PACKAGES=(gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu)

FAST=1
SLOW=1
CROSS=1
case ${1:-} in
--fast) SLOW=0; CROSS=0;;
--slow) FAST=0;;
--cross) FAST=0; SLOW=0;;
"") ;;
*) die "usage: $0 [--fast|--slow|--cross]";;
esac

FAILS=0
T0=$SECONDS
mkdir -p "$CACHE"
need_packages "${KBUILD_PACKAGES[@]}" "${STATIC_PACKAGES[@]}"
[ $CROSS -eq 0 ] || need_packages "${CROSS_PACKAGES[@]}"
python3 -c 'import ply, git' ||
	die "python3 lacks ply or git: checkpatch would skip spdxcheck"

OUT=$CACHE/static
mkdir -p "$OUT"

# report NAME LOG: one line per checker; every line of LOG is a finding.
report() {
	local name=$1 logf=$2 count

	count=$(grep -c . "$logf" || true)
	printf '%-40s %s finding(s)\n' "$name" "$count"
	if [ "$count" -ne 0 ]; then
		{ sed 's/^/    /' "$logf" | head -n 40; } || true
		FAILS=$((FAILS + 1))
	fi
}

# findings LOG PATTERN: keep the lines of LOG matching PATTERN in LOG.findings.
findings() {
	grep -E "$2" "$1" >"$1.findings" || true
	echo "$1.findings"
}

fast_checks() {
	local p f cc t=$SECONDS

	"$TOP/scripts/gen-patches.sh" --check >"$OUT/current.log" 2>&1 &&
		: >"$OUT/current.log"
	report "series is current" "$OUT/current.log"

	ensure_base_tree
	rm -f "$OUT"/checkpatch-*.log
	for p in "$TOP"/patches/0*.patch; do
		case $p in */0000-*) continue;; esac
		(cd "$KSRC" && ./scripts/checkpatch.pl --strict --terse \
			--show-types --no-summary "$p") \
			>"$OUT/checkpatch-$(basename "$p").log" 2>&1 &
	done
	wait
	cat "$OUT"/checkpatch-*.log >"$OUT/checkpatch.log"
	report "checkpatch --strict" "$OUT/checkpatch.log"

	# The driver's own sources, not what an external build left beside
	# them (synchmess.mod.c).
	mapfile -t srcs < <(git -C "$TOP" ls-files "$DRV/*.[ch]")
	(cd "$TOP" && "$KSRC/scripts/kernel-doc" -none -Wall "${srcs[@]}" $UAPI) \
		>"$OUT/kernel-doc.log" 2>&1 || true
	# Every function other files may call carries a kernel-doc comment.
	for f in "${srcs[@]/#/$TOP/}"; do
		[[ $f == *.c ]] || continue
		awk -v f="${f#"$TOP"/}" '
			/^\/\*\*/ { indoc = 1 }
			indoc && /\*\// { indoc = 0; doc = NR; next }
			/^[a-z_].*\(/ && !/;$/ && !/^static / &&
			prev !~ /^static / &&
			!/^(MODULE_|module_|EXPORT_|DEFINE_)/ && doc != NR - 1 {
				print f ":" NR ": no kernel-doc: " $0
			}
			{ prev = $0 }' "$f"
	done >>"$OUT/kernel-doc.log"
	report "kernel-doc -Wall, coverage" "$OUT/kernel-doc.log"

	# The header as userspace gets it, alone, in C and C++, and the layout
	# the ABI promises.
	cat >"$OUT/uapi.c" <<-'EOF'
	#include <linux/synchmess.h>
	#include <stddef.h>
	_Static_assert(sizeof(struct synchmess_group) == 72, "size");
	_Static_assert(offsetof(struct synchmess_group, id) == 0, "id");
	_Static_assert(offsetof(struct synchmess_group, flags) == 4, "flags");
	_Static_assert(offsetof(struct synchmess_group, path) == 8, "path");
	_Static_assert(SYNCHMESS_PATH_LEN == 64, "path length");
	int main(void) { return SYNCHMESS_IOC_INSTALL_GROUP == 0; }
	EOF
	sed 's/_Static_assert/static_assert/' "$OUT/uapi.c" >"$OUT/uapi.cc"
	: >"$OUT/uapi.log"
	prepare_tree
	rm -rf "$CACHE/headers/usr"
	make -C "$KSRC" O="$CACHE/headers" INSTALL_HDR_PATH="$CACHE/headers/usr" \
		headers_install >"$OUT/headers_install.log" 2>&1 ||
		echo "headers_install failed, see $OUT/headers_install.log" >>"$OUT/uapi.log"
	for cc in "gcc -std=c11 $OUT/uapi.c" "gcc -std=gnu89 $OUT/uapi.c" \
		  "clang -std=c11 $OUT/uapi.c" "g++ -std=c++11 $OUT/uapi.cc" \
		  "g++ -std=c++17 $OUT/uapi.cc"; do
		$cc -Wall -Wextra -Werror -fsyntax-only \
			-I"$CACHE/headers/usr/include" >>"$OUT/uapi.log" 2>&1 ||
			echo "failed: $cc" >>"$OUT/uapi.log"
	done
	report "uapi header alone, C and C++" "$OUT/uapi.log"

	check_docs
	echo "  (checks without a build took $((SECONDS - t)) s)"
}

# The page must render without a warning, and the tables it is listed in
# must stay well-formed.
check_docs() {
	local src=$OUT/sphinx/src

	rm -rf "$OUT/sphinx"
	mkdir -p "$src"
	cp "$KSRC"/Documentation/userspace-api/synchmess*.rst "$src/"
	{
		printf '%s\n' "SynchMess" "=========" "" ".. toctree::" ""
		for f in "$src"/synchmess*.rst; do
			f=${f##*/}
			printf '   %s\n' "${f%.rst}"
		done
	} >"$src/index.rst"
	printf '%s\n' "project = 'synchmess'" "primary_domain = 'c'" \
		"highlight_language = 'none'" >"$src/conf.py"
	python3 -m sphinx -W --keep-going -q -b html "$src" "$OUT/sphinx/html" \
		>"$OUT/docs.log" 2>&1 || echo "sphinx-build failed" >>"$OUT/docs.log"
	python3 - "$KSRC/Documentation/userspace-api/ioctl/ioctl-number.rst" \
		>>"$OUT/docs.log" 2>&1 <<-'EOF' || echo "ioctl-number.rst is broken" >>"$OUT/docs.log"
	import sys
	import docutils.core
	docutils.core.publish_string(open(sys.argv[1]).read(), writer_name="null",
	    settings_overrides={"halt_level": 2, "report_level": 2})
	EOF
	for f in "$src"/synchmess*.rst; do
		f=${f##*/}
		grep -qx "   ${f%.rst}" "$KSRC/Documentation/userspace-api/index.rst" ||
			echo "$f is not in userspace-api/index.rst" >>"$OUT/docs.log"
	done
	report "documentation renders (Sphinx -W)" "$OUT/docs.log"
}

# Run make quietly in the bisect tree; its output goes to log $1.
bmake() {
	local logf=$1

	shift
	make -C "$BSRC" O="$BB" -j"$JOBS" CC="ccache gcc" "$@" >>"$logf" 2>&1
}

# Build the driver after every patch of the series. Patches 2 to 4 add
# parts the driver is not yet made of, so their files are compiled on
# their own as objects of a scratch external module.
check_bisect() {
	local n=0 c subject logf=$OUT/bisect.log parts f

	: >"$logf"
	if [ ! -d "$BSRC" ]; then
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add -q --detach "$BSRC" pristine
	fi
	mkdir -p "$BB"
	for c in $(git -C "$KSRC" rev-list --reverse pristine..HEAD); do
		n=$((n + 1))
		subject=$(git -C "$KSRC" log -1 --format=%s "$c")
		git -C "$BSRC" checkout -q --detach "$c"
		# Leftovers of a later patch would pass for this one's files.
		git -C "$BSRC" clean -fdxq
		: >"$OUT/bisect-$n.log"
		[ -f "$BB/.config" ] || cp "$B/.config" "$BB/.config"
		# olddefconfig drops the option while no Kconfig knows it.
		sed -i '/CONFIG_SYNCHMESS[ =]/d' "$BB/.config"
		echo CONFIG_SYNCHMESS=m >>"$BB/.config"
		if ! bmake "$OUT/bisect-$n.log" olddefconfig modules_prepare; then
			echo "patch $n ($subject): the tree does not build" >>"$logf"
			continue
		fi
		if [ -f "$BSRC/$DRV/Makefile" ]; then
			grep -qx 'CONFIG_SYNCHMESS=m' "$BB/.config" ||
				echo "patch $n: CONFIG_SYNCHMESS=m not kept" >>"$logf"
			touch "$BSRC/$DRV"/*.c
			bmake "$OUT/bisect-$n.log" W=1 "$DRV/" ||
				echo "patch $n ($subject): driver fails to build" >>"$logf"
			grep -q 'CC \[M\] .*synchmess/group.o' "$OUT/bisect-$n.log" ||
				echo "patch $n: the driver was not compiled" >>"$logf"
		elif [ -d "$BSRC/$DRV" ]; then
			rm -rf "$OUT/parts"
			cp -r "$BSRC/$DRV" "$OUT/parts"
			parts=
			for f in "$OUT"/parts/*.c; do
				parts="$parts $(basename "${f%.c}").o"
			done
			echo "obj-m := $parts" >"$OUT/parts/Kbuild"
			# Each part on its own: no module is linked from them.
			for f in $parts; do
				bmake "$OUT/bisect-$n.log" W=1 M="$OUT/parts" "$f" ||
					echo "patch $n ($subject): $f fails to build" >>"$logf"
			done
		fi
		if [ -d "$BSRC/$KST" ]; then
			rm -rf "$OUT/kst"
			mkdir -p "$OUT/kst"
			bmake "$OUT/bisect-$n.log" headers &&
			make -C "$BSRC/$KST" OUTPUT="$OUT/kst" \
				KHDR_INCLUDES="-isystem $BB/usr/include" \
				>>"$OUT/bisect-$n.log" 2>&1 ||
				echo "patch $n ($subject): selftests fail to build" >>"$logf"
		fi
		# The driver's paths name its directory; the selftests' are
		# relative to theirs (synchmess_msg_test.c:, bench/delay.c:).
		{ grep -E '((synchmess|parts)/.*|^[[:alnum:]_/.-]+\.[ch]:[0-9]+:([0-9]+:)? )(warning|error):' \
			"$OUT/bisect-$n.log" | sed "s/^/patch $n: /"; } >>"$logf" || true
	done
	[ "$n" -gt 1 ] || echo "no series in $KSRC" >>"$logf"
	report "bisect: builds after each of $n patches" "$logf"
}

slow_checks() {
	local t=$SECONDS

	prepare_tree
	B=$CACHE/build
	[ -f "$B/.config" ] || configure_kernel "$B" m
	BSRC=$CACHE/bisect-src
	BB=$CACHE/build-static
	check_bisect
	# The bisect tree now holds the whole series.
	touch "$BSRC/$DRV"/*.c
	: >"$OUT/w1.log"
	bmake "$OUT/w1.log" W=1 "$DRV/" || echo "build failed" >>"$OUT/w1.log"
	grep -q 'CC \[M\] .*synchmess/group.o' "$OUT/w1.log" ||
		echo "nothing was compiled" >>"$OUT/w1.log"
	report "make W=1" "$(findings "$OUT/w1.log" \
		'warning:|error:|failed|nothing was compiled')"

	touch "$BSRC/$DRV"/*.c
	: >"$OUT/sparse.log"
	bmake "$OUT/sparse.log" C=2 "$DRV/" || echo "build failed" >>"$OUT/sparse.log"
	grep -q 'CHECK.*synchmess/group.c' "$OUT/sparse.log" ||
		echo "sparse did not run" >>"$OUT/sparse.log"
	report "sparse (make C=2)" "$(findings "$OUT/sparse.log" \
		'warning:|error:|failed|did not run')"

	# coccicheck sees only files git knows: the series is committed there.
	make -C "$BSRC" O="$BB" coccicheck MODE=report M="$BSRC/$DRV" \
		>"$OUT/cocci.log" 2>&1 || echo "coccicheck failed" >>"$OUT/cocci.log"
	grep -q 'coccicheck failed' "$OUT/cocci.log" ||
		grep -q 'Please check for false positives' "$OUT/cocci.log" ||
		echo "coccicheck did not run" >>"$OUT/cocci.log"
	report "coccicheck MODE=report" "$(findings "$OUT/cocci.log" \
		"synchmess/[a-z_]+\.[ch]:[0-9]+|[Ee]rror|[Ee]xception|coccicheck failed|did not run")"

	# clang: its own build tree, only prepared, then the driver.
	local bc=$CACHE/build-clang
	mkdir -p "$bc"
	cp "$BB/.config" "$bc/.config"
	{
		make -C "$BSRC" O="$bc" LLVM=1 olddefconfig &&
		make -C "$BSRC" O="$bc" LLVM=1 -j"$JOBS" modules_prepare &&
		touch "$BSRC/$DRV"/*.c &&
		make -C "$BSRC" O="$bc" LLVM=1 W=1 "$DRV/"
	} >"$OUT/clang.log" 2>&1 || echo "build failed" >>"$OUT/clang.log"
	grep -q 'CC \[M\] .*synchmess/group.o' "$OUT/clang.log" ||
		echo "clang compiled nothing" >>"$OUT/clang.log"
	report "clang (LLVM=1 W=1)" "$(findings "$OUT/clang.log" \
		'warning:|error:|failed|compiled nothing')"
	echo "  (checks with a build took $((SECONDS - t)) s)"
}

# The driver on other architectures, named $1, ARCH $2, CROSS_COMPILE $3: i386
# (a 32-bit kernel), arm64 and riscv64 (64-bit, other memory models and
# alignment), each from tinyconfig with modules, DEVTMPFS (which the
# driver depends on) and SYNCHMESS=m and
# nothing else, only prepared (modules_prepare), then the driver's
# directory with W=1 and with sparse. Both must say nothing. The driver's
# objects are removed rather than its sources touched: the other build
# trees share those sources.
check_arch() {
	local name=$1 arch=$2 cross=$3 bx=$CACHE/build-cross-$1 logf opt
	local args=(ARCH="$arch" CROSS_COMPILE="$cross" CC="ccache ${cross}gcc")

	logf=$OUT/$name-prepare.log
	mkdir -p "$bx"
	rm -f "$logf.findings"
	printf '%s\n' CONFIG_MODULES=y CONFIG_DEVTMPFS=y CONFIG_SYNCHMESS=m >"$bx/arch.fragment"
	{
		make -C "$KSRC" O="$bx" "${args[@]}" tinyconfig &&
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$bx" \
			"$bx/.config" "$bx/arch.fragment" &&
		make -C "$KSRC" O="$bx" "${args[@]}" olddefconfig &&
		make -C "$KSRC" O="$bx" "${args[@]}" -j"$JOBS" modules_prepare
	} >"$logf" 2>&1 || echo "$name: the tree does not prepare" >"$logf.findings"
	while read -r opt; do
		grep -qx "$opt" "$bx/.config" ||
			echo "$name: Kconfig dropped $opt" >>"$logf.findings"
	done <"$bx/arch.fragment"
	case $name in
	i386) grep -qx 'CONFIG_64BIT=y' "$bx/.config";;
	*) ! grep -qx 'CONFIG_64BIT=y' "$bx/.config";;
	esac && echo "$name: not the word size wanted" >>"$logf.findings"
	touch "$logf.findings"
	report "$name: tinyconfig, modules_prepare" "$logf.findings"

	logf=$OUT/$name-w1.log
	rm -f "$bx/$DRV"/*.o
	make -C "$KSRC" O="$bx" "${args[@]}" W=1 "$DRV/" >"$logf" 2>&1 ||
		echo "build failed" >>"$logf"
	grep -q 'CC \[M\] .*synchmess/group.o' "$logf" ||
		echo "nothing was compiled" >>"$logf"
	report "$name: make W=1" "$(findings "$logf" \
		'warning:|error:|failed|nothing was compiled')"

	logf=$OUT/$name-sparse.log
	# Debian's sparse rejects riscv's -march with ISA extensions.
	[ "$name" = riscv64 ] && args+=(CHECK="$TOP/scripts/sparse-march.sh")
	make -C "$KSRC" O="$bx" "${args[@]}" C=2 "$DRV/" >"$logf" 2>&1 ||
		echo "build failed" >>"$logf"
	grep -q 'CHECK.*synchmess/group.c' "$logf" ||
		echo "sparse did not run" >>"$logf"
	# C=2 checks what the driver's make rebuilds in prepare too: the
	# vDSO of arm64 and riscv, whose warnings are the base tree's.
	grep -v '/vdso/' "$logf" >"$logf.driver" || true
	report "$name: sparse (make C=2)" "$(findings "$logf.driver" \
		'warning:|error:|failed|did not run')"
}

cross_checks() {
	local t=$SECONDS

	prepare_tree
	check_arch i386 i386 ""
	check_arch arm64 arm64 aarch64-linux-gnu-
	check_arch riscv64 riscv riscv64-linux-gnu-
	echo "  (i386, arm64, riscv64 took $((SECONDS - t)) s)"
}

[ $FAST -eq 1 ] && fast_checks
[ $SLOW -eq 1 ] && slow_checks
[ $CROSS -eq 1 ] && cross_checks
echo "static gate: $FAILS checker(s) with findings, $((SECONDS - T0)) s"
[ $FAILS -eq 0 ]
